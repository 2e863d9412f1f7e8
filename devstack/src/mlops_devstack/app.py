"""The devstack's WSGI router: control endpoint, fault switches, the added services, then moto.

moto runs with request authentication on. Its answers are repaired where they would break the AWS SDK for
JavaScript v3 or hide an error: XML/HTML errors on JSON protocols become JSON errors naming the operation,
and ISO-8601 timestamps in SageMaker JSON become epoch seconds.
"""

from __future__ import annotations

import io
import ipaddress
import json
import re
from datetime import datetime
from typing import Any, Callable, Iterable, Optional
from urllib.parse import parse_qs

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.wrappers import Request as WRequest
from werkzeug.wrappers import Response as WResponse

from .auth import authenticate, principal_arn
from .contract import AwsError, Extension, Request, Response
from .faults import Faults
from .state import DevstackState

CONTROL_PREFIX = "/_devstack"
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")
_TIME_KEY = re.compile(r"(Time|Date|Timestamp|At)$")


def _service_of(headers: dict[str, str]) -> str:
    auth = headers.get("authorization", "")
    if "Credential=" in auth:
        scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
        if len(scope) >= 4:
            return scope[3]
    return ""


def _epochs(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _epochs(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_epochs(v, key) for v in value]
    if isinstance(value, str) and _TIME_KEY.search(key) and _ISO.match(value):
        text = value.replace(" ", "T").replace("Z", "+00:00")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return value
        if parsed.tzinfo is None:
            from datetime import timezone

            parsed = parsed.replace(tzinfo=timezone.utc)
        return parsed.timestamp()
    return value


def error_response(error: AwsError, rest: bool) -> Response:
    body = json.dumps({"__type": error.code, "message": error.message, **({"Message": error.message} if rest else {})})
    return Response(
        error.status,
        {
            "Content-Type": "application/json" if rest else "application/x-amz-json-1.1",
            "x-amzn-ErrorType": error.code,
            "x-amzn-RequestId": "devstack",
        },
        body.encode(),
    )


class Router:
    def __init__(self, state: DevstackState, extensions: list[Extension], control: Callable[[Request], Response]) -> None:
        self.state = state
        self.extensions = extensions
        self.control = control
        self.faults = Faults()
        self.moto = DomainDispatcherApplication(create_backend_app)
        #: called after a moto-served operation succeeded: (operation, request, response payload)
        self.after_moto: list[Callable[[str, Request, Any], None]] = []

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        wreq = WRequest(environ)
        body = wreq.get_data(cache=True)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        request = Request(
            method=wreq.method,
            path=wreq.path,
            query=parse_qs(wreq.query_string.decode(), keep_blank_values=True),
            headers={k.lower(): v for k, v in wreq.headers.items()},
            body=body,
        )
        request.raw_path = environ.get("RAW_URI", environ.get("REQUEST_URI", wreq.path)).split("?", 1)[0]  # type: ignore[attr-defined]
        request.raw_query = wreq.query_string.decode()  # type: ignore[attr-defined]
        if request.path.startswith(CONTROL_PREFIX + "/") or request.path == CONTROL_PREFIX:
            if not _loopback(environ.get("REMOTE_ADDR", "")):
                return self._send(Response(403, {"Content-Type": "text/plain"}, b"loopback only"), start_response)
            return self._send(self.control(request), start_response)

        target = request.target
        service = _service_of(request.headers)
        for extension in self.extensions:
            operation = extension.operation(request)
            if operation:
                rest = not target
                try:
                    self.faults.apply(service or extension.service, operation, principal_arn(request, self.state.account_id), rest)
                    if extension.requires_sigv4:
                        authenticate(request, self.state.account_id, operation, extension.iam_prefix)
                        request.principal_arn = principal_arn(request, self.state.account_id)
                        request.principal = (request.principal_arn or "").rsplit("/", 1)[-1] or None
                    response = extension.dispatch(request, operation)
                except AwsError as error:
                    response = error_response(error, rest)
                return self._send(response, start_response)

        operation = target.rsplit(".", 1)[-1] if target else (request.query.get("Action") or [""])[0]
        if not operation and wreq.form.get("Action"):
            operation = wreq.form.get("Action", "")
        try:
            self.faults.apply(service, operation, principal_arn(request, self.state.account_id), not target)
        except AwsError as error:
            return self._send(error_response(error, not target), start_response)
        environ["wsgi.input"] = io.BytesIO(body)
        return self._moto(environ, start_response, request, operation, target)

    def _moto(self, environ: dict, start_response: Callable, request: Request, operation: str, target: str):
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list, exc_info: Any = None) -> Callable:
            captured["status"] = status
            captured["headers"] = headers
            return lambda data: None

        try:
            chunks = self.moto(environ, capture)
        except NotImplementedError:
            name = target or operation or request.path
            return self._send(
                error_response(AwsError("UnknownOperationException", f"The devstack does not implement {name}.", 400), rest=not target),
                start_response,
            )
        except Exception as error:  # moto crashed: say so as AWS would, without a Python traceback
            return self._send(
                error_response(AwsError("InternalFailure", f"The devstack failed to serve {target or operation}: {type(error).__name__}.", 500), rest=not target),
                start_response,
            )
        try:
            payload = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close:
                close()
        status = int(captured["status"].split(" ", 1)[0])
        headers = [(k, v) for k, v in captured["headers"] if k.lower() not in ("content-length",)]
        if target:
            content_type = dict((k.lower(), v) for k, v in headers).get("content-type", "")
            if status >= 400 and ("xml" in content_type or "html" in content_type or payload.lstrip().startswith(b"<")):
                code, message = _xml_error(payload)
                if status >= 500 and code == "InternalFailure":
                    code, status = "UnknownOperationException", 400
                    message = f"The devstack does not implement {target}."
                return self._send(error_response(AwsError(code, message, status), rest=False), start_response)
            if status < 400 and payload[:1] == b"{" and _service_of(request.headers) == "sagemaker":
                data = json.loads(payload)
                for hook in self.after_moto:
                    hook(operation, request, data)
                payload = json.dumps(_epochs(data)).encode()
        start_response(captured["status"], headers + [("Content-Length", str(len(payload)))])
        return [payload]

    @staticmethod
    def _send(response: Response, start_response: Callable) -> Iterable[bytes]:
        return _plain(WResponse(response.body, status=response.status, headers=response.headers), start_response)


def _plain(wresp: WResponse, start_response: Callable) -> Iterable[bytes]:
    start_response(f"{wresp.status}", list(wresp.headers.items()))
    return [wresp.get_data()]


def _xml_error(payload: bytes) -> tuple[str, str]:
    text = payload.decode("utf-8", "replace")
    code = re.search(r"<Code>([^<]+)</Code>", text)
    message = re.search(r"<Message>([^<]*)</Message>", text)
    if code:
        found = code.group(1)
        if found == "AccessDenied":
            found = "AccessDeniedException"
        return found, (message.group(1) if message else found)
    return "InternalFailure", "The devstack failed to serve this operation."


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def json_body(request: Request) -> dict:
    try:
        return json.loads(request.body or b"{}")
    except ValueError:
        raise AwsError("SerializationException", "The request body is not valid JSON.", 400) from None


def ok(payload: Optional[dict] = None) -> Response:
    return Response.json(payload or {})
