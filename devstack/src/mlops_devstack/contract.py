"""The contract between the devstack's request router and the services it adds to moto.

Every service that moto lacks is an :class:`Extension`. The router (``app.py``) asks each extension,
in order, whether it serves a request; the first that names an operation gets it, after the router has
verified the SigV4 signature and evaluated the caller's IAM policies for ``<iam_prefix>:<operation>``
(unless the extension sets ``requires_sigv4 = False`` and authenticates by itself, like the PEP 503
index does with CodeArtifact tokens: such an extension may define ``preauthenticate(request)``, which the router
calls before the fault switches and which returns the refusal, or None). Anything no extension claims goes to
moto.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Optional, Protocol


class AwsError(Exception):
    """An error as AWS reports it: a code (``__type`` / ``x-amzn-ErrorType``), a message and an HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


@dataclass
class Request:
    method: str
    path: str  # URL path, percent-decoded, without the query string
    query: dict[str, list[str]]
    headers: dict[str, str]  # keys lower-cased
    body: bytes
    # Set by the router once the signature is verified: the caller's IAM user name and ARN.
    principal: Optional[str] = None
    principal_arn: Optional[str] = None

    def json(self) -> dict:
        return json.loads(self.body or b"{}")

    @property
    def target(self) -> str:
        """The JSON-protocol operation header, e.g. ``CodeCommit_20150413.GetFile``."""
        return self.headers.get("x-amz-target", "")


@dataclass
class Response:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @classmethod
    def json(cls, payload: object, status: int = 200, content_type: str = "application/x-amz-json-1.1") -> "Response":
        return cls(status, {"Content-Type": content_type}, json.dumps(payload, default=_json_default).encode())


def _json_default(value: object) -> object:
    from datetime import datetime

    if isinstance(value, datetime):
        return value.timestamp()  # the JSON protocols carry epoch seconds
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class Extension(Protocol):
    #: the SigV4 service name in the credential scope (``codecommit``, ``codeartifact``, ``sagemaker`` ...)
    service: str
    #: IAM action prefix used for policy evaluation (``codecommit``, ``codeartifact``, ``sagemaker`` ...)
    iam_prefix: str
    #: False only for endpoints that authenticate on their own (the PEP 503 index).
    requires_sigv4: bool

    def operation(self, request: Request) -> Optional[str]:
        """The operation name (``GetFile``) if this extension serves the request, else None."""

    def dispatch(self, request: Request, operation: str) -> Response:
        """Serve the request. Raise :class:`AwsError` for AWS-shaped errors; the router renders them."""
