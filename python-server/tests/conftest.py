"""Fixtures: a Jupyter server with the extension, a moto server that VERIFIES SigV4 and IAM, and recording peers."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional

# moto reads this when imported: every request must be signed by a known IAM user with a permitting policy.
os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "0"

import pytest  # noqa: E402
from tornado.httputil import HTTPHeaders  # noqa: E402
from moto import settings as moto_settings  # noqa: E402
from moto.core import DEFAULT_ACCOUNT_ID  # noqa: E402
from moto.iam.models import iam_backends  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

pytest_plugins = ["pytest_jupyter.jupyter_server"]

# ... and in case something imported moto first.
moto_settings.INITIAL_NO_AUTH_ACTION_COUNT = 0

XSRF = "5f2e9c0d1a7b4e3f"
ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def moto_upstream() -> Any:
    assert moto_settings.INITIAL_NO_AUTH_ACTION_COUNT == 0
    port = free_port()
    server = ThreadedMotoServer("127.0.0.1", port, verbose=False)
    server.start()
    iam = iam_backends[DEFAULT_ACCOUNT_ID]["global"]
    iam.create_user("us-east-1", "proxy-tester")
    iam.put_user_policy("proxy-tester", "allow-all", ALLOW_ALL)
    key = iam.create_access_key("proxy-tester")
    yield {"url": f"http://127.0.0.1:{port}", "access_key": key.access_key_id, "secret_key": key.secret_access_key}
    server.stop()


class Recorder:
    """A loopback HTTP server that records what reaches it and answers a canned response."""

    def __init__(self, respond: Optional[Callable[[BaseHTTPRequestHandler], None]] = None) -> None:
        self.connections = 0
        self.requests: list[dict[str, Any]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as AWS endpoints (every reply has a Content-Length)

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorder.requests.append(
                    {"method": self.command, "path": self.path, "headers": HTTPHeaders(self.headers.items()), "body": body}
                )
                if respond:
                    respond(self)
                    return
                payload = b'{"PipelineSummaries": []}'
                self.send_response(200)
                json_protocol = "X-Amz-Target" in self.headers
                self.send_header("Content-Type", "application/x-amz-json-1.1" if json_protocol else "application/json")
                self.send_header("x-amzn-RequestId", "req-123")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def verify_request(self, request: Any, client_address: Any) -> bool:
                recorder.connections += 1  # counts even connections that never send a full request
                return True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorder():
    peers: list[Recorder] = []

    def make(respond: Optional[Callable[[BaseHTTPRequestHandler], None]] = None) -> Recorder:
        peer = Recorder(respond)
        peers.append(peer)
        return peer

    yield make
    for peer in peers:
        peer.close()


@pytest.fixture
def upstream(recorder) -> Recorder:
    """The legitimate upstream the server is configured to use."""
    return recorder()


@pytest.fixture
def evil(recorder) -> Recorder:
    """A server that must never receive anything."""
    return recorder()


@pytest.fixture
def server_credentials(moto_upstream) -> dict[str, str]:
    return {"AWS_ACCESS_KEY_ID": moto_upstream["access_key"], "AWS_SECRET_ACCESS_KEY": moto_upstream["secret_key"]}


@pytest.fixture
def aws_env(moto_upstream, server_credentials, monkeypatch, tmp_path) -> dict[str, Any]:
    for name in list(os.environ):
        if name.startswith("AWS_") or name.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_upstream["url"])
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name, value in server_credentials.items():
        monkeypatch.setenv(name, value)
    return moto_upstream


@pytest.fixture
def mlops_config(tmp_path) -> dict[str, Any]:
    """Per-test SageMakerMLOps configuration; tests override it."""
    return {"resource_metadata_path": str(tmp_path / "no-metadata.json")}


@pytest.fixture
def jp_server_config(aws_env, mlops_config):
    # The test process hosts one server per test: its objects are not frozen (one test checks that setting).
    return {
        "ServerApp": {"jpserver_extensions": {"sagemaker_mlops": True}},
        "SageMakerMLOps": {"freeze_startup_objects": False, **mlops_config},
    }


@pytest.fixture(autouse=True)
def no_frozen_objects_after_the_test():
    yield
    import gc

    gc.unfreeze()


@pytest.fixture
def call(http_server_client, jp_base_url, jp_auth_header, jp_serverapp):
    """Send a raw request to the server (path relative to the base URL, not escaped), with token + XSRF by default."""

    async def send(
        path: str,
        method: str = "GET",
        body: Optional[bytes | str] = None,
        headers: Optional[dict[str, str]] = None,
        auth: bool = True,
        xsrf: Optional[str] = XSRF,
        cookie_xsrf: Optional[str] = XSRF,
    ):
        all_headers: dict[str, str] = {}
        if auth:
            all_headers.update(jp_auth_header)
        if cookie_xsrf is not None:
            all_headers["Cookie"] = f"_xsrf={cookie_xsrf}"
        if xsrf is not None:
            all_headers["X-XSRFToken"] = xsrf
        all_headers.update(headers or {})
        return await http_server_client.fetch(
            jp_base_url.rstrip("/") + path,
            method=method,
            body=body if body is not None else (b"" if method in ("POST", "PUT", "PATCH") else None),
            headers=all_headers,
            raise_error=False,
            allow_nonstandard_methods=True,
            follow_redirects=False,
        )

    return send


def aws_call(target: str, payload: Optional[dict] = None) -> dict[str, Any]:
    """Keyword arguments for a JSON-protocol call through the proxy."""
    return {
        "method": "POST",
        "body": json.dumps(payload or {}),
        "headers": {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target},
    }


def error_of(response) -> dict[str, Any]:
    data = json.loads(response.body)
    assert set(data) >= {"code", "message"}, data
    assert "Traceback" not in response.body.decode()
    return data


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def untouched(peer: Recorder) -> bool:
    """Nothing reached the peer: no request and not even a TCP connection."""
    return peer.requests == [] and peer.connections == 0


async def raw_exchange(port: int, raw: bytes, timeout: float = 10.0, close_after: Optional[float] = None) -> bytes:
    """Send raw bytes to the Jupyter server; return what comes back until it closes the connection, the head of
    the reply is complete (plus a short grace period), or ``timeout``. ``close_after``: hang up after that many
    seconds without reading (a client that goes away)."""
    import asyncio

    def run() -> bytes:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(raw)
            if close_after is not None:
                time.sleep(close_after)
                return b""
            chunks: list[bytes] = []
            while True:
                try:
                    chunk = sock.recv(65536)
                except (socket.timeout, ConnectionResetError):
                    break
                if not chunk:
                    break
                chunks.append(chunk)
                if b"\r\n\r\n" in b"".join(chunks):
                    sock.settimeout(0.5)
            return b"".join(chunks)

    return await asyncio.get_running_loop().run_in_executor(None, run)


def raw_head(
    jp_http_port: int, jp_base_url: str, jp_auth_header: Optional[dict], path: str, headers: dict[str, str]
) -> bytes:
    """The head of an XSRF-carrying raw POST (header values sent byte for byte, latin-1); authenticated unless
    ``jp_auth_header`` is None."""
    lines = [f"POST {jp_base_url.rstrip('/')}{path} HTTP/1.1", f"Host: 127.0.0.1:{jp_http_port}"]
    if jp_auth_header:
        lines.append(f"Authorization: {jp_auth_header['Authorization']}")
    lines += [f"Cookie: _xsrf={XSRF}", f"X-XSRFToken: {XSRF}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
