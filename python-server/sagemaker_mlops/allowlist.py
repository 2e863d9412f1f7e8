"""What the proxy forwards: the services it knows, and the operations the enabled capabilities grant.

A :class:`Service` says how to reach and sign for an AWS service (proxy name, SigV4 name, botocore name for
endpoint resolution, JSON protocol target prefix and content type, or REST). It grants nothing by itself: each
capability module (``sagemaker_mlops.capabilities.*``) declares the operations its shipped features use, and the
proxy's :class:`Allowlist` is the union of what the enabled capabilities declare. A known service that no enabled
capability uses is refused like an unknown one.

JSON-protocol operations are matched by ``X-Amz-Target`` (POST to ``/`` only, the service's JSON content type, no
query string). REST operations by method, an exact path template and the query parameters they define.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional, Union


@dataclass(frozen=True)
class Service:
    name: str  # the proxy path segment: /sagemaker-mlops/aws/<name>/
    signing_name: str  # SigV4 service name
    botocore_name: Optional[str]  # botocore client name for endpoint resolution (None: configured URL only)
    target_prefix: Optional[str] = None  # JSON protocol: X-Amz-Target prefix (None: a REST service)
    json_content_type: Optional[str] = None  # JSON protocol: the only request content type the service takes

    @property
    def is_json(self) -> bool:
        return self.target_prefix is not None


#: Response content types relayed from a JSON-protocol service (errors included).
JSON_RESPONSE_TYPES = frozenset({"application/x-amz-json-1.0", "application/x-amz-json-1.1", "application/json"})


@dataclass(frozen=True)
class RestOperation:
    """One REST operation: method, exact path (still percent-encoded), and the query parameters it defines."""

    method: str
    path: str
    name: str
    query: frozenset[str] = frozenset()
    #: Request body content types accepted (a non-empty body needs one of them).
    request_types: frozenset[str] = frozenset({"application/json"})
    #: Response content types relayed from the upstream (anything else becomes a 502).
    response_types: frozenset[str] = frozenset({"application/json"})


def rest(method: str, path: str, name: str, query: str = "", **kwargs) -> RestOperation:
    return RestOperation(method, path, name, frozenset(query.split()), **kwargs)


#: Every service the proxy knows how to reach. Nothing here is forwarded unless a capability grants operations.
SERVICES: dict[str, Service] = {
    s.name: s
    for s in [
        Service("sagemaker", "sagemaker", "sagemaker", "SageMaker", "application/x-amz-json-1.1"),
        Service("logs", "logs", "logs", "Logs_20140328", "application/x-amz-json-1.1"),
        Service("codecommit", "codecommit", "codecommit", "CodeCommit_20150413", "application/x-amz-json-1.1"),
        Service("codepipeline", "codepipeline", "codepipeline", "CodePipeline_20150709", "application/x-amz-json-1.1"),
        Service("codeartifact", "codeartifact", "codeartifact"),
        Service("sagemaker-mlflow", "sagemaker-mlflow", None),
    ]
}

#: What a capability declares: service name -> JSON operation names (str) or REST operations.
Grants = Mapping[str, Iterable[Union[str, RestOperation]]]


class Refused(Exception):
    """The request is outside the allowlist: 403 with ``code`` and ``message`` (and ``details``: more members of
    the JSON error body, e.g. the list of validation errors)."""

    def __init__(self, code: str, message: str, status: int = 403, details: Optional[Mapping[str, Any]] = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details = dict(details or {})


@dataclass(frozen=True)
class Match:
    """An allowed request: the service, the operation name, and for REST services the operation's definition."""

    service: Service
    operation: str
    rest: Optional[RestOperation] = None


class Allowlist:
    """The union of the operations the enabled capabilities grant, per known service."""

    def __init__(self, grants: Iterable[Grants] = ()) -> None:
        self.json_operations: dict[str, frozenset[str]] = {}
        self.rest_operations: dict[str, tuple[RestOperation, ...]] = {}
        self._services: Optional[frozenset[str]] = None
        for grant in grants:
            self.add(grant)

    def add(self, grant: Grants) -> None:
        self._services = None
        for service_name, operations in grant.items():
            service = SERVICES.get(service_name)
            if service is None:
                raise ValueError(f"A capability grants operations of an unknown service: {service_name!r}")
            operations = list(operations)
            if service.is_json:
                if not all(isinstance(op, str) for op in operations):
                    raise ValueError(f"{service_name} is a JSON-protocol service: grant operation names")
                self.json_operations[service_name] = self.json_operations.get(service_name, frozenset()) | frozenset(
                    operations
                )
                continue
            known = {(op.method, op.path): op for op in self.rest_operations.get(service_name, ())}
            for op in operations:
                if not isinstance(op, RestOperation):
                    raise ValueError(f"{service_name} is a REST service: grant RestOperation entries")
                other = known.get((op.method, op.path))
                if other is not None and other != op:
                    raise ValueError(f"Two capabilities define {service_name} {op.method} {op.path} differently")
                known[(op.method, op.path)] = op
            self.rest_operations[service_name] = tuple(known.values())

    @property
    def services(self) -> frozenset[str]:
        """The services with at least one allowed operation (worked out again after :meth:`add`)."""
        if self._services is None:
            self._services = frozenset(n for n, ops in self.json_operations.items() if ops) | frozenset(
                n for n, ops in self.rest_operations.items() if ops
            )
        return self._services

    def match(self, service_name: str, method: str, path: str, target: Optional[str]) -> Match:
        """The allowed operation of a request, or :class:`Refused`.

        ``path`` is the raw (still percent-encoded) remainder after ``/aws/<service>``; it must equal an allowed
        template exactly, so ``..``, encoded slashes, absolute URLs and doubled slashes never match.
        """
        if service_name not in self.services:
            raise Refused("ServiceNotAllowed", f"The service '{_safe(service_name)}' is not forwarded by this proxy.")
        service = SERVICES[service_name]
        if service.is_json:
            if not target:
                raise Refused("OperationNotAllowed", f"{service.name}: a request without X-Amz-Target is not forwarded.")
            prefix, _, operation = target.partition(".")
            if prefix != service.target_prefix or operation not in self.json_operations[service.name]:
                raise Refused(
                    "OperationNotAllowed", f"{service.name}: the operation '{_safe(target)}' is not forwarded."
                )
            if method != "POST" or path not in ("", "/"):
                raise Refused(
                    "OperationNotAllowed", f"{service.name}.{operation}: only POST to the service root is forwarded."
                )
            return Match(service, operation)
        if target:
            raise Refused("OperationNotAllowed", f"{service.name}: X-Amz-Target is not accepted for this service.")
        same_path = [op for op in self.rest_operations[service.name] if op.path == path]
        for op in same_path:
            if method == op.method:
                return Match(service, op.name, op)
        if same_path:
            raise Refused("OperationNotAllowed", f"{service.name}.{same_path[0].name}: method {_safe(method)} is not forwarded.")
        raise Refused("OperationNotAllowed", f"{service.name}: {_safe(method)} {_safe(path)} is not forwarded.")


#: Operations whose name starts with one of these only read; the rest change something. The action is what
#: jupyter_server's Authorizer is asked about (resource "sagemaker-mlops"), so a read-only user can browse only.
READ_PREFIXES = ("List", "Describe", "Get", "Search", "Filter")


def action_of(operation: str) -> str:
    """The jupyter_server authorization action of an allowed operation: ``read`` or ``write``."""
    return "read" if operation.startswith(READ_PREFIXES) else "write"


def _safe(value: str, limit: int = 200) -> str:
    """Echo client-supplied text in a message: printable ASCII only, bounded."""
    cleaned = "".join(ch if 32 <= ord(ch) < 127 else "?" for ch in value)
    return cleaned[:limit] + ("..." if len(cleaned) > limit else "")
