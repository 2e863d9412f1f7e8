"""Fixtures of the packages tests: the devstack (its CodeArtifact serves a real PEP 503 index of real wheels), the
server configured against it, fresh virtual environments and kernels running in them."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Optional

import pytest

from conftest import XSRF

ROOT = "/sagemaker-mlops/packages"


@pytest.fixture(scope="session")
def devstack(tmp_path_factory) -> Any:
    """The devstack, started as the CI script starts it (its own process and session), without MLflow."""
    pytest.importorskip("mlops_devstack", reason="the devstack (../devstack) is not installed")
    home = tmp_path_factory.mktemp("devstack")
    env_file = home / "env"
    log = open(home / "devstack.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "mlops_devstack", "up", "--port", "0", "--no-mlflow", "--env-file", str(env_file),
         "--data-dir", str(home / "data")],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not env_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the devstack did not start: " + (home / "devstack.log").read_text()[-2000:])
            time.sleep(0.2)
        values = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
        yield values
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def control(devstack: dict[str, str], path: str, body: Optional[dict] = None) -> dict:
    request = urllib.request.Request(
        devstack["DEVSTACK_CONTROL_URL"] + path,
        data=json.dumps(body).encode() if body is not None else None,
        method="POST" if body is not None else "GET",
        headers={"Content-Type": "application/json"} if body is not None else {},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def faults(devstack):
    def set_faults(spec: dict) -> dict:
        return control(devstack, "/faults", spec)

    yield set_faults
    control(devstack, "/faults/reset", {})


@pytest.fixture
def private_dirs(tmp_path, monkeypatch) -> dict[str, Path]:
    """HOME and TMPDIR of this test (scanned for the token afterwards)."""
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return {"home": home, "tmp": tmp}


@pytest.fixture
def aws_env(devstack, monkeypatch, tmp_path, private_dirs) -> dict[str, str]:
    """The server's AWS: the devstack, as the data scientist's role (container credentials, as in Studio)."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "PIP_", "UV_")) or name.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
            monkeypatch.delenv(name)
    for name in ("AWS_ENDPOINT_URL", "AWS_REGION", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN"):
        monkeypatch.setenv(name, devstack[name])
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # uv is found on the server's PATH: the test environment's bin directory first
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    return devstack


@pytest.fixture
def installer_kind() -> str:
    return "auto"


@pytest.fixture
def mlops_config(tmp_path, installer_kind) -> dict[str, Any]:
    return {"resource_metadata_path": str(tmp_path / "no-metadata.json"), "package_installer": installer_kind}


def make_venv(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True, timeout=180)
    return path / "bin" / "python"


@pytest.fixture
def venv(tmp_path) -> Path:
    """A fresh virtual environment (with pip) of the test's Python: its interpreter."""
    return make_venv(tmp_path / "venv")


def kernelspec(data_dir: Path, name: str, interpreter: Path) -> None:
    """A kernel running in ``interpreter``'s environment; ipykernel comes from the test environment through the
    kernel's PYTHONPATH only (the installer and the environment probe never see it)."""
    spec = data_dir / "kernels" / name
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(interpreter), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": name,
        "language": "python",
        "env": {"PYTHONPATH": sysconfig.get_paths()["purelib"]},
    }))


@pytest.fixture
def start_kernel(jp_serverapp, jp_data_dir):
    started: list[str] = []

    async def start(interpreter: Optional[Path] = None) -> str:
        manager = jp_serverapp.kernel_manager
        if interpreter is None:
            kernel_id = await manager.start_kernel(kernel_name="python3")
        else:
            name = f"env-{len(started)}"
            kernelspec(Path(jp_data_dir), name, interpreter)
            kernel_id = await manager.start_kernel(kernel_name=name)
        started.append(kernel_id)
        return kernel_id

    yield start


def installed_in(interpreter: Path) -> dict[str, str]:
    """What is installed in an environment, as its interpreter sees it."""
    code = "import json, importlib.metadata as m; print(json.dumps({d.metadata['Name'].lower().replace('_', '-'): d.version for d in m.distributions()}))"
    out = subprocess.run([str(interpreter), "-I", "-c", code], capture_output=True, text=True, check=True, timeout=60)
    return json.loads(out.stdout)


def body(data: Any) -> str:
    return json.dumps(data)


async def wait_job(call, job_id: str, timeout: float = 240.0, until=("succeeded", "failed", "cancelled")) -> dict:
    deadline = time.monotonic() + timeout
    lines: list[str] = []
    since = 0
    while True:
        response = await call(f"{ROOT}/jobs/{job_id}?since={since}")
        assert response.code == 200, response.body
        job = json.loads(response.body)
        lines += job["lines"]
        since = job["next"]
        if job["state"] in until or time.monotonic() > deadline:
            job["allLines"] = lines
            return job
        await asyncio.sleep(0.2)


def files_containing(roots: list[Path], needles: list[str]) -> list[str]:
    found = []
    raw = [n.encode() for n in needles if n]
    for root in roots:
        for dirpath, _, filenames in os.walk(root):
            for filename in filenames:
                path = os.path.join(dirpath, filename)
                try:
                    with open(path, "rb") as f:
                        data = f.read()
                except OSError:
                    continue
                if any(n in data for n in raw):
                    found.append(path)
    return found


__all__ = [
    "XSRF", "ROOT", "devstack", "control", "faults", "private_dirs", "aws_env", "installer_kind", "mlops_config",
    "make_venv", "venv", "kernelspec", "start_kernel", "installed_in", "body", "wait_job", "files_containing",
]
