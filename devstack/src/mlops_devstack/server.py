"""Start the devstack in this process: moto (auth on) + the added services behind one loopback port."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Optional

# moto reads this at import: every request must be signed by a known IAM identity whose policies allow it.
os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "0"

from moto import settings as moto_settings  # noqa: E402
from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402

from . import sigv4  # noqa: E402
from .app import Router, json_body, register_extensions  # noqa: E402
from .contract import AwsError, Request, Response  # noqa: E402
from .identities import SESSION_SECONDS, ContainerCredentials, create_identities  # noqa: E402
from .state import DevstackState  # noqa: E402


class QuietHandler(WSGIRequestHandler):
    """No access log: the devstack prints its endpoints, not every request."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class Devstack:
    """The running stack: `start()` returns once the port answers; `stop()` shuts everything down."""

    def __init__(self, data_dir: Path, port: int = 4566, host: str = "127.0.0.1", scale: bool = False, mlflow: bool = True) -> None:
        self.state = DevstackState(data_dir=Path(data_dir), scale=scale)
        self.state.data_dir.mkdir(parents=True, exist_ok=True)
        self.host, self.port, self.with_mlflow = host, port, mlflow
        self._server = None
        self._thread: Optional[threading.Thread] = None
        #: set once seeding is done (``/_devstack/health`` says "seeding" until then)
        self.ready = threading.Event()
        self.router: Optional[Router] = None

    def start(self) -> "Devstack":
        # Also set moto's setting itself, in case something imported moto before this package could set the
        # environment variable: authentication must never be off.
        moto_settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
        sigv4.install_moto_hook()
        self._server = make_server(self.host, self.port, self._app_placeholder, threaded=True, request_handler=QuietHandler)
        self.port = self._server.server_port
        self.state.base_url = f"http://{self.host}:{self.port}"
        extensions = register_extensions(self.state)
        self.sagemaker = extensions[0]
        self.router = Router(self.state, extensions, self.control)
        self.router.after_moto.append(self.sagemaker.on_moto_success)
        self._server.app = self.router
        create_identities(self.state)
        self.credentials = ContainerCredentials(self.state, lambda: self.router.faults.session_seconds or SESSION_SECONDS)  # type: ignore[union-attr]
        self._thread = threading.Thread(target=self._server.serve_forever, name="devstack-http", daemon=True)
        self._thread.start()
        return self

    @staticmethod
    def _app_placeholder(environ: Any, start_response: Any) -> Any:
        start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
        return [b"starting"]

    def start_mlflow(self) -> Optional[str]:
        if not self.with_mlflow:
            return None
        from .mlflow_server import start_mlflow

        return start_mlflow(self.state)

    def stop(self) -> None:
        if self.with_mlflow:
            try:
                from .mlflow_server import stop_mlflow

                stop_mlflow(self.state)
            except Exception:
                pass
        if getattr(self, "sagemaker", None):
            self.sagemaker.close()
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def endpoint(self) -> str:
        return self.state.base_url

    # ---- control endpoint: /_devstack/...

    def control(self, request: Request) -> Response:
        """``/_devstack/...`` (loopback only): ``/health``, the credentials endpoints, the fault switches
        (``/faults``, ``/faults/reset``), ``GET /requests[?operation=Op]`` (how many AWS API requests arrived,
        ``{"counts": {"<service>.<Operation>": n}}``, whatever their outcome; not cleared by ``/faults/reset``),
        ``POST /requests/reset``, and the execution / CodePipeline / CodeArtifact switches (see the README)."""
        path = request.path[len("/_devstack") :] or "/"
        faults = self.router.faults  # type: ignore[union-attr]
        role = self.credentials.role_of(request.path)
        if role is not None and request.method == "GET":
            # the role's container-credentials endpoint (as ECS / Studio serve an execution role's credentials)
            if not self.credentials.authorized(role, request.headers.get("authorization")):
                return Response.json({"code": "Unauthorized", "message": "a valid authorization token is required"}, status=401, content_type="application/json")
            return Response.json(self.credentials.session(role), content_type="application/json")
        try:
            if path == "/health" and request.method == "GET":
                return Response.json(
                    {
                        "status": "ok" if self.ready.is_set() else "seeding",
                        "endpoint": self.state.base_url,
                        "region": self.state.region,
                        "accountId": self.state.account_id,
                        "scale": self.state.scale,
                        "services": ["moto"] + [e.service for e in self.router.extensions],  # type: ignore[union-attr]
                        "projects": [
                            {"name": p["name"], "id": p["id"], **({"deployCodePipeline": p["deploy_codepipeline"]} if p.get("deploy_codepipeline") else {})}
                            for p in self.state.projects
                        ],
                        "identities": {name: ident["arn"] for name, ident in self.state.identities.items()},
                        "credentials": {name: f"{self.state.base_url}{ident['credentials_path']}" for name, ident in self.state.identities.items() if ident.get("credentials_path")},
                    },
                    content_type="application/json",
                )
            if path == "/faults" and request.method == "GET":
                return Response.json(faults.describe(), content_type="application/json")
            if path == "/faults" and request.method == "POST":
                return Response.json(faults.update(json_body(request)), content_type="application/json")
            if path == "/faults/reset" and request.method == "POST":
                self.sagemaker.fail_next.clear()
                if getattr(self.state, "codepipeline", None) is not None:
                    self.state.codepipeline.fail_next.clear()
                return Response.json(faults.reset(), content_type="application/json")
            if path == "/requests" and request.method == "GET":
                # {"counts": {"<service>.<Operation>": n}}; ?operation=UpdateModelPackage keeps that operation's
                operation = (request.query.get("operation") or [""])[0]
                return Response.json({"counts": self.router.requests.snapshot(operation)}, content_type="application/json")  # type: ignore[union-attr]
            if path == "/requests/reset" and request.method == "POST":
                self.router.requests.reset()  # type: ignore[union-attr]
                return Response.json({"counts": {}}, content_type="application/json")
            if path == "/executions/status" and request.method == "POST":
                body = json_body(request)
                summary = self.sagemaker.force_status(body["executionArn"], body["status"], body.get("failureReason"))
                return Response.json(summary, content_type="application/json")
            if path == "/executions/fail-next" and request.method == "POST":
                body = json_body(request)
                self.sagemaker.fail_next[body["pipelineName"]] = (body["step"], body.get("reason", "Injected failure"))
                return Response.json({"ok": True}, content_type="application/json")
            if path == "/executions/step-seconds" and request.method == "POST":
                seconds = float(json_body(request)["seconds"])
                if not 0 < seconds <= 86400:
                    raise ValueError("seconds must be in (0, 86400]")
                self.sagemaker.step_seconds = seconds
                return Response.json({"ok": True}, content_type="application/json")
            if path == "/executions" and request.method == "GET":
                pipeline = (request.query.get("pipelineName") or [""])[0]
                return Response.json({"executions": self.sagemaker.overview(pipeline or None)}, content_type="application/json")
            codepipeline = getattr(self.state, "codepipeline", None)
            if path == "/codepipeline/stage-seconds" and request.method == "POST" and codepipeline is not None:
                seconds = float(json_body(request)["seconds"])
                if not 0 < seconds <= 86400:
                    raise ValueError("seconds must be in (0, 86400]")
                codepipeline.stage_seconds = seconds
                return Response.json({"ok": True}, content_type="application/json")
            if path == "/codepipeline/fail-next" and request.method == "POST" and codepipeline is not None:
                body = json_body(request)
                from .codepipeline import STAGES

                if body["stage"] not in [s[0] for s in STAGES]:
                    raise ValueError(f"stage must be one of {', '.join(s[0] for s in STAGES)}")
                codepipeline.fail_next[body["pipelineName"]] = (body["stage"], body.get("reason", "Injected failure"))
                return Response.json({"ok": True}, content_type="application/json")
            if path == "/codepipeline/executions" and request.method == "GET" and codepipeline is not None:
                pipeline = (request.query.get("pipelineName") or [""])[0]
                return Response.json({"executions": codepipeline.overview(pipeline or None)}, content_type="application/json")
            if path == "/codeartifact/expire-tokens" and request.method == "POST":
                from .codeartifact import expire_codeartifact_tokens

                return Response.json({"expired": expire_codeartifact_tokens(self.state)}, content_type="application/json")
            if path == "/codeartifact/tokens" and request.method == "GET":
                # Every CodeArtifact token issued so far: tests check that none reaches a browser, a file or a log.
                from .codeartifact import codeartifact_store

                store = codeartifact_store(self.state)
                return Response.json({"tokens": sorted(store.tokens)}, content_type="application/json")
        except AwsError as error:
            return Response.json({"code": error.code, "message": error.message}, status=400, content_type="application/json")
        except (KeyError, ValueError, TypeError) as error:
            return Response.json({"code": "BadRequest", "message": f"bad control request: {error}"}, status=400, content_type="application/json")
        return Response.json({"code": "NotFound", "message": f"no control route {request.method} {path}"}, status=404, content_type="application/json")
