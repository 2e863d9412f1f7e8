"""The devstack's WSGI router: control endpoint, fault switches, the added services, then moto.

moto runs with request authentication on. Its answers are repaired where they would break the AWS SDK for
JavaScript v3 or hide an error: XML/HTML errors on JSON protocols become JSON errors naming the operation,
and ISO-8601 timestamps in SageMaker JSON become epoch seconds. Every AWS API request is counted by
``<service>.<Operation>`` before anything can refuse it (:class:`RequestCounts`, ``GET /_devstack/requests``).
"""

from __future__ import annotations

import io
import ipaddress
import json
import re
import threading
import uuid
from datetime import datetime
from xml.sax.saxutils import escape as xml_escape
from typing import Any, Callable, Iterable, Optional
from urllib.parse import parse_qs

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.wrappers import Request as WRequest
from werkzeug.wrappers import Response as WResponse

from . import sigv4
from .auth import authenticate, principal_arn
from .contract import AwsError, Extension, Request, Response
from .faults import Faults, protocol_of, resource_arn, s3_operation
from .state import DevstackState

CONTROL_PREFIX = "/_devstack"
#: moto's own HTTP API (dashboard, ``data.json`` with every IAM secret, ``reset``, ``reset-auth`` which turns
#: request authentication off): never reachable through the devstack.
MOTO_API_PREFIX = "/moto-api"
#: the services the other devstack modules add, in routing order: (module, extension class)
OPTIONAL_EXTENSIONS = [
    ("mlops_devstack.managed_mlflow", "ManagedMlflowExtension"),
    ("mlops_devstack.codecommit", "CodeCommitExtension"),
    ("mlops_devstack.codeartifact", "CodeArtifactExtension"),
    ("mlops_devstack.codepipeline", "CodePipelineExtension"),
    ("mlops_devstack.pypi_index", "PypiIndexExtension"),
]


def register_extensions(state: DevstackState) -> list[Extension]:
    """The extensions to route to: SageMaker first, then each optional module that is installed.

    A module that does not exist (yet) is skipped; an import error *inside* a module is raised, so a broken
    module is never silently ignored.
    """
    import importlib

    from .sagemaker import SageMakerExtension

    extensions: list[Extension] = [SageMakerExtension(state)]
    for qualified, class_name in OPTIONAL_EXTENSIONS:
        try:
            module = importlib.import_module(qualified)
        except ModuleNotFoundError as error:
            if error.name == qualified:
                continue
            raise
        extensions.append(getattr(module, class_name)(state))
    return extensions
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")
_TIME_KEY = re.compile(r"(Time|Date|Timestamp|At)$")


def _service_of(headers: dict[str, str]) -> str:
    auth = headers.get("authorization", "")
    if "Credential=" in auth:
        scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
        if len(scope) >= 4:
            return scope[3]
    return ""


def _presigned_service(request: Request) -> str:
    """The signing name of a presigned URL (``X-Amz-Credential=<key>/<date>/<region>/<service>/aws4_request``)."""
    scope = (request.query.get("X-Amz-Credential") or [""])[0].split("/")
    return scope[3] if len(scope) >= 4 else ""


def _rest_operation(request: Request) -> str:
    """A REST operation named by its path alone (sagemaker-metrics' ``POST /BatchPutMetrics``), or ""."""
    last = request.path.rstrip("/").rsplit("/", 1)[-1]
    return last if re.fullmatch(r"[A-Z][A-Za-z0-9]+", last) else ""


class RequestCounts:
    """How many AWS API requests the devstack received, by ``<service>.<Operation>``: the service's signing name
    (``sagemaker``, ``codepipeline``, ``s3`` ...) and the operation, whatever the outcome (served, refused by
    authentication or IAM, hit by a fault switch, failed). Thread-safe; only :meth:`reset` clears it (not
    ``/faults/reset``), so tests compare counts before and after what they do."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    def add(self, service: str, operation: str) -> None:
        key = f"{service or 'unknown'}.{operation or 'Unknown'}"
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1

    def snapshot(self, operation: str = "") -> dict[str, int]:
        """Every count, or those of one operation: keys ending with ``.<operation>`` (or equal to it, so
        ``sagemaker.UpdateModelPackage`` names one service's)."""
        with self._lock:
            counts = dict(self._counts)
        if operation:
            counts = {k: n for k, n in counts.items() if k == operation or k.endswith("." + operation)}
        return dict(sorted(counts.items()))

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


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


def error_response(error: AwsError, rest: object) -> Response:
    """Render an AWS error in the wire format of the caller's protocol.

    ``rest`` is a protocol name (``json``, ``rest-json``, ``query``, ``rest-xml``) or, for callers of the first
    version of this function, a bool (True: rest-json, False: json).
    """
    protocol = rest if isinstance(rest, str) else ("rest-json" if rest else "json")
    request_id = str(uuid.uuid4())
    if protocol in ("query", "rest-xml"):
        inner = f"<Code>{xml_escape(error.code)}</Code><Message>{xml_escape(error.message)}</Message>"
        if protocol == "query":
            kind = "Receiver" if error.status >= 500 else "Sender"
            body = f'<ErrorResponse><Error><Type>{kind}</Type>{inner}</Error><RequestId>{request_id}</RequestId></ErrorResponse>'
        else:
            body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{inner}<RequestId>{request_id}</RequestId></Error>'
        return Response(error.status, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, body.encode())
    rest_json = protocol == "rest-json"
    body = json.dumps({"__type": error.code, "message": error.message, **({"Message": error.message} if rest_json else {})})
    return Response(
        error.status,
        {
            "Content-Type": "application/json" if rest_json else "application/x-amz-json-1.1",
            "x-amzn-ErrorType": error.code,
            "x-amzn-RequestId": request_id,
        },
        body.encode(),
    )


class Router:
    def __init__(self, state: DevstackState, extensions: list[Extension], control: Callable[[Request], Response]) -> None:
        self.state = state
        self.extensions = extensions
        self.control = control
        self.faults = Faults()
        #: every AWS API request received, by ``<service>.<Operation>`` (``GET /_devstack/requests``)
        self.requests = RequestCounts()
        self.moto = DomainDispatcherApplication(create_backend_app)
        #: called after a moto-served JSON-protocol operation succeeded: (operation, request, response payload);
        #: a hook may change the payload in place.
        self.after_moto: list[Callable[[str, Request, Any], None]] = [self._model_package_defaults]

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
            if request.method not in ("GET", "HEAD") and not request.headers.get("content-type", "").startswith("application/json"):
                # A web page can send a "simple" cross-origin POST but not one with a JSON content type.
                return self._send(Response.json({"code": "UnsupportedMediaType", "message": "send JSON (Content-Type: application/json)"}, 415, "application/json"), start_response)
            return self._send(self.control(request), start_response)
        if request.path == MOTO_API_PREFIX or request.path.startswith(MOTO_API_PREFIX + "/"):
            return self._send(Response.json({"code": "NotFound", "message": "moto's API is not exposed by the devstack"}, 404, "application/json"), start_response)

        target = request.target
        service = _service_of(request.headers)
        protocol = protocol_of(request, service)
        claimed: Optional[tuple[Extension, str]] = None
        for extension in self.extensions:
            operation = extension.operation(request)
            if operation:
                claimed = (extension, operation)
                if protocol == "rest-xml":
                    protocol = "rest-json"  # an added REST service without X-Amz-Target speaks rest-json
                break
        if claimed is None:
            operation = target.rsplit(".", 1)[-1] if target else (request.query.get("Action") or [""])[0]
            if not operation and wreq.form.get("Action"):
                operation = wreq.form.get("Action", "")
            if not operation and service == "s3":
                operation = s3_operation(request)
        # Counted before anything can refuse it: a request denied, throttled or failed is a request received.
        self.requests.add(service or _presigned_service(request) or (claimed[0].service if claimed else ""), operation or _rest_operation(request))
        try:
            # Authentication first: an unauthenticated request is refused, never throttled or delayed.
            if claimed is not None and not claimed[0].requires_sigv4:
                preauthenticate = getattr(claimed[0], "preauthenticate", None)
                refused = preauthenticate(request) if preauthenticate else None
                if refused is not None:
                    return self._send(refused, start_response)
            else:
                caller = sigv4.verify(request, self.state.account_id, protocol)
                if caller is not None:
                    request.principal_arn = caller.arn
                    request.principal = caller.name
                    if claimed is not None and service != claimed[0].service:
                        raise sigv4.signature_mismatch(protocol, f"Credential should be scoped to correct service: '{claimed[0].service}'. ")
            if claimed is not None:
                return self._send(self._extension(request, claimed[0], claimed[1], service, protocol), start_response)
            try:
                self.faults.apply(service, operation, request.principal_arn, protocol, lambda: resource_arn(self.state, service, operation, request))
            except AwsError as error:
                return self._send(error_response(error, protocol), start_response)
            environ["wsgi.input"] = io.BytesIO(body)
            return self._moto(environ, start_response, request, operation, target, protocol)
        except AwsError as error:
            return self._send(error_response(error, protocol), start_response)
        finally:
            sigv4.done()

    def _extension(self, request: Request, extension: Extension, operation: str, service: str, protocol: str) -> Response:
        try:
            caller = request.principal_arn or principal_arn(request, self.state.account_id)
            self.faults.apply(service or extension.service, operation, caller, protocol, lambda: resource_arn(self.state, extension.service, operation, request))
            if extension.requires_sigv4:
                try:
                    authenticate(request, self.state.account_id, operation, extension.iam_prefix)
                except AwsError as error:
                    if error.code == "AccessDeniedException":
                        error.message = _complete_access_denied(self.state, error.message, resource_arn(self.state, extension.service, operation, request))
                    raise
            return extension.dispatch(request, operation)
        except AwsError as error:
            return error_response(error, protocol)

    def _moto(self, environ: dict, start_response: Callable, request: Request, operation: str, target: str, protocol: str = "json"):
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
                error_response(AwsError("UnknownOperationException", f"The devstack does not implement {name}.", 400), protocol),
                start_response,
            )
        except Exception as error:  # moto crashed: say so as AWS would, without a Python traceback
            return self._send(
                error_response(AwsError("InternalFailure", f"The devstack failed to serve {target or operation}: {type(error).__name__}.", 500), protocol),
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
                if code == "AccessDeniedException":
                    message = _complete_access_denied(self.state, message, resource_arn(self.state, _service_of(request.headers), operation, request))
                return self._send(error_response(AwsError(code, message, status), "json"), start_response)
            if status < 400 and payload[:1] == b"{":
                try:
                    data = json.loads(payload)
                except ValueError:
                    data = None
                if data is not None:
                    for hook in self.after_moto:
                        hook(operation, request, data)
                    # SDK v3 reads JSON-protocol timestamps as epoch seconds; moto writes some as ISO-8601 text.
                    payload = json.dumps(_epochs(data)).encode()
            # AWS answers a JSON-protocol request with the JSON type it was sent; moto often says text/html.
            sent = request.headers.get("content-type", "")
            json_type = sent if sent.startswith("application/x-amz-json-") else "application/x-amz-json-1.1"
            headers = [(k, v) for k, v in headers if k.lower() != "content-type"] + [("Content-Type", json_type)]
        start_response(captured["status"], headers + [("Content-Length", str(len(payload)))])
        return [payload]

    def _model_package_defaults(self, operation: str, request: Request, payload: Any) -> None:
        """AWS registers a versioned model package as PendingManualApproval when no status is given; moto leaves it unset."""
        if operation != "CreateModelPackage" or _service_of(request.headers) != "sagemaker":
            return
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return
        if body.get("ModelApprovalStatus") or not body.get("ModelPackageGroupName") or not isinstance(payload, dict):
            return
        from moto.sagemaker.models import sagemaker_backends

        package = sagemaker_backends[self.state.account_id][self.state.region].model_packages.get(payload.get("ModelPackageArn", ""))
        if package is not None and package.model_approval_status is None:
            package.model_approval_status = "PendingManualApproval"

    @staticmethod
    def _send(response: Response, start_response: Callable) -> Iterable[bytes]:
        return _plain(WResponse(response.body, status=response.status, headers=response.headers), start_response)


def _complete_access_denied(state: DevstackState, message: str, resource: str) -> str:
    """moto says "User: <arn> is not authorized to perform: <action>"; AWS adds the resource and the reason."""
    found = re.match(r"User: (\S+) is not authorized to perform: (\S+)$", message.strip())
    if not found:
        return message
    from .auth import denial_reason

    return f"{message.strip()} on resource: {resource} {denial_reason(state.account_id, found.group(1), found.group(2))}"


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
