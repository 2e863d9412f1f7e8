"""A minimal HTTP server that serves only the given extensions, for testing them on the real wire protocols.

It is what the devstack router does for extensions, minus SigV4 verification and IAM (the core's tests cover
those): route to the first extension that names an operation, call ``dispatch`` and render :class:`AwsError`
the way AWS does for the JSON protocols (``__type`` in the body and ``x-amzn-ErrorType``), so boto3 parses the
error codes exactly as it does against AWS.
"""

from __future__ import annotations

import json
import re
import threading
import types
from pathlib import Path
from urllib.parse import parse_qs, unquote

from werkzeug.serving import make_server
from werkzeug.wrappers import Request as WzRequest
from werkzeug.wrappers import Response as WzResponse

from mlops_devstack.contract import AwsError, Request


def make_state(data_dir: Path, scale: bool = False) -> types.SimpleNamespace:
    return types.SimpleNamespace(
        data_dir=Path(data_dir),
        account_id="123456789012",
        region="us-east-1",
        base_url="",
        scale=scale,
        lock=threading.RLock(),
    )


class ExtensionServer:
    def __init__(self, state, extensions: list) -> None:
        self.state = state
        self.extensions = extensions
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        state.base_url = self.url
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "ExtensionServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()

    def _wsgi(self, environ, start_response):
        wz = WzRequest(environ)
        headers = {k.lower(): v for k, v in wz.headers.items()}
        principal = arn = None
        m = re.search(r"Credential=([^/]+)/", headers.get("authorization", ""))
        if m:
            principal = "devstack-tester"
            arn = f"arn:aws:iam::{self.state.account_id}:user/{principal}"
        req = Request(
            method=wz.method,
            path=unquote(wz.path),
            query=parse_qs(wz.query_string.decode(), keep_blank_values=True),
            headers=headers,
            body=wz.get_data(),
            principal=principal,
            principal_arn=arn,
        )
        for ext in self.extensions:
            op = ext.operation(req)
            if op is None:
                continue
            try:
                resp = ext.dispatch(req, op)
                out = WzResponse(resp.body, status=resp.status, headers=resp.headers)
            except AwsError as err:
                out = WzResponse(
                    json.dumps({"__type": err.code, "message": err.message}),
                    status=err.status,
                    headers={"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": err.code},
                )
            return out(environ, start_response)
        return WzResponse("no extension serves this request", status=404)(environ, start_response)
