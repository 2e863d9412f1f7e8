"""``mlops-devstack up``: start the seeded stack on loopback, write the env file, run until Ctrl-C."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path


def env_lines(stack, mlflow_url: str | None, resource_metadata: Path | None = None, approver_metadata: Path | None = None) -> dict[str, str]:
    """What the env file holds. The identities are roles: their temporary credentials come from the devstack's
    container-credentials endpoints (the data scientist's through the variables botocore and the AWS SDK for
    JavaScript read by default); no long-term key of theirs is written anywhere."""
    ds = stack.state.identities["data-scientist"]
    ap = stack.state.identities["approver"]
    lines = {
        "AWS_ENDPOINT_URL": stack.endpoint,
        "AWS_REGION": stack.state.region,
        "AWS_DEFAULT_REGION": stack.state.region,
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": stack.endpoint + ds["credentials_path"],
        "AWS_CONTAINER_AUTHORIZATION_TOKEN": ds["credentials_token"],
        "DEVSTACK_APPROVER_CREDENTIALS_URI": stack.endpoint + ap["credentials_path"],
        "DEVSTACK_APPROVER_AUTHORIZATION_TOKEN": ap["credentials_token"],
        "DEVSTACK_CONTROL_URL": f"{stack.endpoint}/_devstack",
        "DEVSTACK_PROJECT": "customer-churn",
    }
    if resource_metadata:
        # Studio's resource-metadata.json of the seeded space (the Jupyter server reads it to find its project)
        lines["DEVSTACK_RESOURCE_METADATA"] = str(Path(resource_metadata).resolve())
    if approver_metadata:
        # the approver's space of the same project (user profile and execution role "approver")
        lines["DEVSTACK_APPROVER_RESOURCE_METADATA"] = str(Path(approver_metadata).resolve())
    if mlflow_url:
        # the self-hosted server (unauthenticated), and the SageMaker-managed-style endpoint in front of it
        # (SigV4 for sagemaker-mlflow, the tracking server's ARN in x-mlflow-sm-tracking-server-arn)
        lines["MLFLOW_TRACKING_URI"] = mlflow_url
        lines["DEVSTACK_MANAGED_MLFLOW_URL"] = stack.endpoint + "/managed-mlflow"
        lines["DEVSTACK_MANAGED_MLFLOW_ARN"] = stack.state.managed_mlflow_arn
    return lines


def write_env_file(path: Path, stack, mlflow_url: str | None, resource_metadata: Path | None = None, approver_metadata: Path | None = None) -> None:
    lines = env_lines(stack, mlflow_url, resource_metadata, approver_metadata)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        for key, value in lines.items():
            f.write(f"{key}={value}\n")
    os.replace(tmp, path)


def _wait_healthy(endpoint: str, timeout: float = 30.0) -> None:
    """Return once the stack answers its health check over HTTP (as a client would reach it)."""
    import json
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{endpoint}/_devstack/health", timeout=5) as response:
                if json.loads(response.read()).get("status") == "ok":
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"the devstack at {endpoint} did not become healthy in {timeout:.0f} s")
        time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mlops-devstack", description="A local, seeded AWS for SageMaker MLOps.")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the stack and run until Ctrl-C")
    up.add_argument("--port", type=int, default=4566)
    up.add_argument("--scale", action="store_true", help="benchmark volume (500 pipelines, 10k executions, 20k model packages)")
    up.add_argument("--env-file", type=Path, default=Path(".devstack/env"))
    up.add_argument("--data-dir", type=Path, default=None)
    up.add_argument("--no-mlflow", action="store_true")
    args = parser.parse_args(argv)

    from .seed import seed_all
    from .server import Devstack

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="mlops-devstack-"))
    started = time.monotonic()
    stack = Devstack(data_dir, port=args.port, scale=args.scale, mlflow=not args.no_mlflow).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        mlflow_holder: dict[str, str | None] = {}
        mlflow_thread = threading.Thread(target=lambda: mlflow_holder.setdefault("url", stack.start_mlflow()), daemon=True)
        mlflow_thread.start()
        seed_all(stack.state)
        mlflow_thread.join()
        mlflow_url = mlflow_holder.get("url")
        if mlflow_url:
            from .mlflow_server import seed_mlflow

            for project in stack.state.projects:
                seed_mlflow(stack.state, mlflow_url, {"name": project["name"], "id": project["id"], "bucket": project["bucket"]})
        stack.ready.set()
        _wait_healthy(stack.endpoint)
        from .seed import write_resource_metadata

        metadata = write_resource_metadata(stack.state, data_dir / "studio" / "resource-metadata.json")
        approver_metadata = write_resource_metadata(stack.state, data_dir / "studio-approver" / "resource-metadata.json", "approver")
        write_env_file(args.env_file, stack, mlflow_url, metadata, approver_metadata)
        print(f"devstack ready in {time.monotonic() - started:.1f} s", flush=True)
        print(f"  AWS endpoint:   {stack.endpoint}  (roles: data-scientist, approver; credentials from {stack.endpoint}/_devstack/credentials/<role>)", flush=True)
        print(f"  control:        {stack.endpoint}/_devstack  (faults, execution status, token expiry)", flush=True)
        if mlflow_url:
            print(f"  MLflow:         {mlflow_url}  (managed-style, SigV4: {stack.endpoint}/managed-mlflow)", flush=True)
        print(f"  env file:       {args.env_file}  (the credentials endpoints' tokens are only in this file)", flush=True)
        print(f"  projects:       {', '.join(p['name'] for p in stack.state.projects)}", flush=True)
        print(f"  Studio space:   {stack.state.studio['SpaceName']} (domain {stack.state.studio['DomainId']}), metadata {metadata}", flush=True)
        print(f"  approver space: {stack.state.studio_spaces['approver']['SpaceName']}, metadata {approver_metadata}", flush=True)
        stop.wait()
    finally:
        stack.stop()
        print("devstack stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
