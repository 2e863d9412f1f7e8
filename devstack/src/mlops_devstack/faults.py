"""Fault switches, set at run time through the control endpoint: latency, throttling, 5xx, expired credentials,
short role sessions, per-operation AccessDenied. They apply to moto-served and added operations alike, after the
request is authenticated (as at AWS, an unauthenticated request is refused, not throttled), and each error is
rendered in the wire format of the caller's protocol (see :func:`protocol_of`)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from .contract import AwsError, Request

#: server-error kinds the switch can produce: code, HTTP status, message
SERVER_ERRORS = {
    "InternalFailure": (500, "The request processing has failed because of an unknown error, exception or failure."),
    "ServiceUnavailable": (503, "The service is unavailable. Please try again later."),
}


def _matches(selector: object, operation: str) -> bool:
    if selector in (True, "*"):
        return True
    if isinstance(selector, str):
        return selector == operation
    if isinstance(selector, (list, tuple, set)):
        return operation in selector or "*" in selector
    return False


def protocol_of(request: Request, service: str) -> str:
    """The AWS protocol a request speaks: ``json`` (X-Amz-Target), ``query`` (Action=...), ``rest-xml`` (S3)
    or ``rest-json`` (everything else: CodeArtifact, sagemaker-metrics ...)."""
    if request.target:
        return "json"
    if request.query.get("Action"):
        return "query"
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded") and b"Action=" in (request.body or b""):
        return "query"
    if service == "s3":
        return "rest-xml"
    return "rest-json"


def s3_operation(request: Request) -> str:
    """A name for an S3 request (S3 is REST: no operation header), good enough to aim a fault at."""
    parts = [p for p in request.path.split("/") if p]
    method = request.method.upper()
    if not parts:
        return "ListBuckets"
    if len(parts) == 1:
        return {"GET": "ListObjectsV2", "PUT": "CreateBucket", "DELETE": "DeleteBucket", "HEAD": "HeadBucket"}.get(method, method)
    return {"GET": "GetObject", "PUT": "PutObject", "DELETE": "DeleteObject", "HEAD": "HeadObject", "POST": "PostObject"}.get(method, method)


def resource_arn(state, service: str, operation: str, request: Request) -> str:
    """The resource an operation acts on, as IAM names it in an AccessDenied message ("*" if none is named)."""
    region, account = state.region, state.account_id
    try:
        body = json.loads(request.body or b"{}") if request.body[:1] in (b"{", b"") else {}
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    for key, value in body.items():
        if key.endswith("Arn") and isinstance(value, str) and value.startswith("arn:"):
            return value
    if service == "sagemaker":
        for key, kind in (("PipelineName", "pipeline"), ("ModelPackageGroupName", "model-package-group"), ("ProjectName", "project"),
                          ("ModelPackageName", "model-package"), ("ExperimentName", "experiment"), ("TrialName", "experiment-trial"),
                          ("TrialComponentName", "experiment-trial-component")):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value if value.startswith("arn:") else f"arn:aws:sagemaker:{region}:{account}:{kind}/{value.lower()}"
        return f"arn:aws:sagemaker:{region}:{account}:*"
    if service == "codepipeline":
        name = body.get("pipelineName") or body.get("name")
        if isinstance(name, str) and name:
            return f"arn:aws:codepipeline:{region}:{account}:{name}"
    if service == "codecommit" and body.get("repositoryName"):
        return f"arn:aws:codecommit:{region}:{account}:{body['repositoryName']}"
    if service == "codeartifact":
        domain = (request.query.get("domain") or [""])[0]
        repository = (request.query.get("repository") or [""])[0]
        if domain and repository:
            return f"arn:aws:codeartifact:{region}:{account}:repository/{domain}/{repository}"
        if domain:
            return f"arn:aws:codeartifact:{region}:{account}:domain/{domain}"
    if service == "s3":
        path = request.path.strip("/")
        if path:
            return f"arn:aws:s3:::{path}"
    if service == "ssm" and isinstance(body.get("Name"), str):
        return f"arn:aws:ssm:{region}:{account}:parameter/{body['Name'].lstrip('/')}"
    if service == "logs" and isinstance(body.get("logGroupName"), str):
        return f"arn:aws:logs:{region}:{account}:log-group:{body['logGroupName']}:*"
    return "*"


@dataclass
class Faults:
    latency_ms: int = 0
    latency_operations: object = "*"
    throttle: object = None  # "*" or [operations]
    server_error: object = None  # "*" or [operations]
    server_error_code: str = "InternalFailure"  # or ServiceUnavailable
    expired_credentials: bool = False
    access_denied: list[str] = field(default_factory=list)
    #: lifetime of role sessions issued from now on (None: an hour, as Studio's)
    session_seconds: Optional[int] = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def update(self, spec: dict) -> dict:
        if not isinstance(spec, dict):
            raise ValueError("a JSON object is expected")
        known = {"latencyMs", "operations", "throttle", "serverError", "serverErrorCode", "expiredCredentials", "accessDenied", "sessionSeconds"}
        unknown = set(spec) - known
        if unknown:
            raise ValueError(f"unknown fault switch(es): {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
        code = spec.get("serverErrorCode", self.server_error_code)
        if code not in SERVER_ERRORS:
            raise ValueError(f"serverErrorCode must be one of {sorted(SERVER_ERRORS)}")
        seconds = spec.get("sessionSeconds", self.session_seconds)
        if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, int) or not 1 <= seconds <= 43200):
            raise ValueError("sessionSeconds must be a whole number of seconds in [1, 43200] (or null: an hour)")
        with self.lock:
            if "latencyMs" in spec:
                self.latency_ms = max(0, int(spec["latencyMs"]))
                self.latency_operations = spec.get("operations", "*")
            if "throttle" in spec:
                self.throttle = spec["throttle"]
            if "serverError" in spec:
                self.server_error = spec["serverError"]
            self.server_error_code = code
            if "expiredCredentials" in spec:
                self.expired_credentials = bool(spec["expiredCredentials"])
            if "accessDenied" in spec:
                self.access_denied = list(spec["accessDenied"] or [])
            self.session_seconds = seconds
        return self.describe()

    def reset(self) -> dict:
        return self.update(
            {"latencyMs": 0, "throttle": None, "serverError": None, "serverErrorCode": "InternalFailure", "expiredCredentials": False, "accessDenied": [], "sessionSeconds": None}
        )

    def describe(self) -> dict:
        return {
            "latencyMs": self.latency_ms,
            "operations": self.latency_operations,
            "throttle": self.throttle,
            "serverError": self.server_error,
            "serverErrorCode": self.server_error_code,
            "expiredCredentials": self.expired_credentials,
            "accessDenied": self.access_denied,
            "sessionSeconds": self.session_seconds,
        }

    def apply(
        self,
        service: str,
        operation: str,
        principal_arn: Optional[str],
        protocol: object = "json",
        resource: Optional[Callable[[], str]] = None,
    ) -> None:
        """Sleep for latency, or raise the AwsError the switches ask for.

        ``protocol`` is ``json``, ``rest-json``, ``query`` or ``rest-xml`` (a bool means rest-json / json).
        """
        if not operation:
            return
        if isinstance(protocol, bool):
            protocol = "rest-json" if protocol else "json"
        with self.lock:
            latency = self.latency_ms if _matches(self.latency_operations, operation) else 0
            expired = self.expired_credentials
            throttled = _matches(self.throttle, operation)
            failing = _matches(self.server_error, operation)
            server_code = self.server_error_code
            denied = operation in self.access_denied or "*" in self.access_denied
        if latency:
            time.sleep(latency / 1000)
        if expired:
            from .sigv4 import expired_token

            raise expired_token(str(protocol))
        if throttled:
            if protocol == "rest-xml":
                raise AwsError("SlowDown", "Please reduce your request rate.", 503)
            if protocol == "query":
                raise AwsError("Throttling", "Rate exceeded", 400)
            raise AwsError("ThrottlingException", "Rate exceeded", 429 if protocol == "rest-json" else 400)
        if failing:
            status, message = SERVER_ERRORS[server_code]
            raise AwsError(server_code, message, status)
        if denied:
            who = principal_arn or "arn:aws:iam::123456789012:user/unknown"
            on = resource() if resource else "*"
            code = "AccessDenied" if protocol in ("query", "rest-xml") else "AccessDeniedException"
            raise AwsError(
                code,
                f"User: {who} is not authorized to perform: {service}:{operation} on resource: {on} "
                "with an explicit deny in an identity-based policy",
                403 if protocol != "json" else 400,
            )
