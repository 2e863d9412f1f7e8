"""Registry: the project's model package groups and versions, their approval, and the deploy CodePipeline's
manual approval gate (all through the proxy); and ``GET <base_url>sagemaker-mlops/registry/report``.

The report route reads ONE evaluation report of a model version: ``?version=<model package ARN>&uri=<s3://...>``.
The server asks SageMaker DescribeModelPackage for the version (signed server-side with the server's
credentials, at the server's endpoint), serves ``uri`` only if the version's ``ModelMetrics`` names it, and reads
it with S3 GetObject, nothing else of S3 (no listing), up to ``SageMakerMLOps.max_report_bytes``.
``{uri, contentType, text}``; errors are ``{code, message}``.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any, Callable, Optional, TypeVar

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError as BotoConnectionError,
    ConnectTimeoutError,
    HTTPClientError,
    IncompleteReadError,
    NoCredentialsError,
    ReadTimeoutError,
    ResponseStreamingError,
)
from tornado import web

from ..allowlist import Refused, _safe
from ..base import MLOpsHandler
from ..endpoints import AwsContext
from ..proxy import redact
from . import Capability
from .connection import _EXPIRED

T = TypeVar("T")

#: A model package (version) ARN: arn:<partition>:sagemaker:<region>:<account>:model-package/<group>/<n>.
MODEL_PACKAGE_ARN = re.compile(
    r"^arn:aws[a-z-]*:sagemaker:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d):\d{12}:"
    r"model-package/[A-Za-z0-9](?:-*[A-Za-z0-9]){0,62}(?:/\d{1,10})?$"
)
S3_URI = re.compile(r"^s3://(?P<bucket>[^/]+)/(?P<key>.+)$", re.DOTALL)
#: Longest query parameter value accepted (an ARN is at most 2048 characters, an S3 URI about 1100).
MAX_PARAMETER = 2048

#: Where a version's ModelMetrics name reports: (section, entry), each a {ContentType, S3Uri}.
METRICS_REPORTS = (
    ("ModelQuality", "Statistics"),
    ("ModelQuality", "Constraints"),
    ("ModelDataQuality", "Statistics"),
    ("ModelDataQuality", "Constraints"),
    ("Bias", "Report"),
    ("Bias", "PreTrainingReport"),
    ("Bias", "PostTrainingReport"),
    ("Explainability", "Report"),
)

#: Bytes read from S3 at a time.
CHUNK = 64 * 1024

_ACCESS_DENIED = {"AccessDenied", "AccessDeniedException"}
_EXPIRED_CODES = {"ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired"}
_THROTTLING = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
}
#: Credential errors: code -> message (status 403).
_CREDENTIALS = {
    "InvalidAccessKeyId": "The AWS access key of the Jupyter server is not valid (unknown or deactivated).",
    "InvalidClientTokenId": "The AWS access key of the Jupyter server is not valid (unknown or deactivated).",
    "UnrecognizedClientException": "The AWS access key of the Jupyter server is not valid.",
    "SignatureDoesNotMatch": "The AWS secret key of the Jupyter server does not match its access key.",
    "RequestTimeTooSkewed": "AWS refused the request as too old: check the clock of the Jupyter server.",
    "RequestExpired": "AWS refused the request as too old: check the clock of the Jupyter server.",
}


class ReportHandler(MLOpsHandler):
    """``GET /registry/report?version=<model package ARN>&uri=<s3://bucket/key>``: one report of the version."""

    @web.authenticated
    async def get(self) -> None:
        await self.authorize("read")
        version = self._parameter("version", "the ARN of a model version")
        uri = self._parameter("uri", "the s3:// URI of one of its reports")
        self._check_version(version)
        location = S3_URI.match(uri)
        if not location:
            raise Refused("BadRequest", f"'uri' must be an s3://bucket/key URI, not '{_safe(uri)}'.", 400)
        aws = self.mlops_aws
        credentials = await aws.credentials()  # NoCredentials as a clear 503 before botocore tries
        secrets = (credentials.access_key, credentials.secret_key, credentials.token)
        package = await run(secrets, "sagemaker:DescribeModelPackage", version, describe_model_package, aws, version)
        reports = reports_of(package)
        if uri not in reports:
            raise Refused(
                "ReportNotAllowed",
                f"The model version {version} does not name '{_safe(uri)}' in its ModelMetrics: only the reports "
                "of the version's ModelMetrics are read.",
                403,
            )
        limit = self.mlops_config.max_report_bytes
        content_type, body = await run(
            secrets, "s3:GetObject", uri, read_object, aws, location["bucket"], location["key"], uri, limit
        )
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(
                "InvalidReport", f"The report {_safe(uri)} is not UTF-8 text, so it cannot be shown.", 422
            ) from None
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps({"uri": uri, "contentType": content_type or reports[uri], "text": text}))

    def _parameter(self, name: str, meaning: str) -> str:
        values = self.get_query_arguments(name, strip=False)
        if not values or not values[0]:
            raise Refused("BadRequest", f"The query parameter '{name}' ({meaning}) is missing.", 400)
        if len(values) > 1:
            raise Refused("BadRequest", f"The query parameter '{name}' is given more than once.", 400)
        if len(values[0]) > MAX_PARAMETER:
            raise Refused("BadRequest", f"The query parameter '{name}' is longer than {MAX_PARAMETER} characters.", 400)
        return values[0]

    def _check_version(self, version: str) -> None:
        arn = MODEL_PACKAGE_ARN.match(version)
        if not arn:
            raise Refused(
                "BadRequest",
                f"'version' must be the ARN of a model package (arn:aws:sagemaker:<region>:<account>:"
                f"model-package/<group>/<version>), not '{_safe(version)}'.",
                400,
            )
        if arn["region"] != self.mlops_aws.region:
            raise Refused(
                "BadRequest",
                f"The model version is in region {arn['region']}; this server works in {self.mlops_aws.region}.",
                400,
            )


def describe_model_package(aws: AwsContext, version: str) -> dict[str, Any]:
    """SageMaker DescribeModelPackage (blocking: run it in an executor)."""
    return aws.client("sagemaker").describe_model_package(ModelPackageName=version)


def reports_of(package: dict[str, Any]) -> dict[str, Optional[str]]:
    """The S3 URIs the version's ModelMetrics name, each with its declared content type."""
    metrics = package.get("ModelMetrics")
    reports: dict[str, Optional[str]] = {}
    if not isinstance(metrics, dict):
        return reports
    for section, entry in METRICS_REPORTS:
        source = (metrics.get(section) or {}).get(entry) if isinstance(metrics.get(section), dict) else None
        if isinstance(source, dict) and isinstance(source.get("S3Uri"), str):
            content_type = source.get("ContentType")
            reports.setdefault(source["S3Uri"], content_type if isinstance(content_type, str) else None)
    return reports


def read_object(aws: AwsContext, bucket: str, key: str, uri: str, limit: int) -> tuple[Optional[str], bytes]:
    """S3 GetObject, at most ``limit`` bytes (blocking): (content type, body), or ReportTooLarge."""
    response = aws.client("s3").get_object(Bucket=bucket, Key=key)
    body = response["Body"]
    try:
        size = response.get("ContentLength")
        if isinstance(size, int) and size > limit:
            raise too_large(uri, f"{size} bytes", limit)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = body.read(min(CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise too_large(uri, "larger than that", limit)
        return response.get("ContentType"), b"".join(chunks)
    finally:
        body.close()


def too_large(uri: str, size: str, limit: int) -> Refused:
    return Refused(
        "ReportTooLarge",
        f"The report {_safe(uri)} is {size}: this server reads reports of at most {limit} bytes "
        "(SageMakerMLOps.max_report_bytes). Open it with the AWS console or the AWS CLI instead.",
        413,
    )


async def run(
    secrets: tuple[Optional[str], ...], action: str, resource: str, call: Callable[..., T], *args: Any
) -> T:
    """A blocking botocore call in an executor; its failures as :class:`Refused` whose message names the action
    and the resource and never carries the server's credentials."""
    try:
        return await asyncio.get_running_loop().run_in_executor(None, call, *args)
    except Refused as refused:
        raise Refused(refused.code, scrub(refused.message, secrets), refused.status) from None
    except (ClientError, BotoCoreError) as error:
        refused = refusal(error, action, _safe(resource, 1100))
        raise Refused(refused.code, scrub(refused.message, secrets), refused.status) from None


def scrub(message: str, secrets: tuple[Optional[str], ...]) -> str:
    """The proxy's redaction, applied to a message: no credential ever reaches the browser."""
    return redact([], message.encode("utf-8"), secrets)[1].decode("utf-8", errors="replace")


def refusal(error: Exception, action: str, resource: str) -> Refused:
    """What the user is told about a failed AWS call: a code, a status and what to do."""
    service = action.split(":", 1)[0]
    name = "Amazon S3" if service == "s3" else "SageMaker"
    if isinstance(error, ClientError):
        return client_refusal(error, action, resource, name)
    if isinstance(error, NoCredentialsError):
        return Refused("NoCredentials", "The Jupyter server has no AWS credentials.", 503)
    if isinstance(error, (ConnectTimeoutError, ReadTimeoutError)):
        return Refused(
            "Timeout",
            f"{name} did not answer {action} for {resource} in time. Check the network and the {name} VPC "
            "endpoint, then retry.",
            504,
        )
    if isinstance(error, (BotoConnectionError, HTTPClientError, ResponseStreamingError, IncompleteReadError)):
        return Refused(
            "NetworkError",
            f"The connection to {name} failed during {action} for {resource}. Check the network and the "
            f"{name} VPC endpoint, then retry.",
            502,
        )
    return Refused("UpstreamError", f"{action} for {resource} failed ({type(error).__name__}).", 502)


def client_refusal(error: ClientError, action: str, resource: str, name: str) -> Refused:
    details = error.response.get("Error", {}) or {}
    code = str(details.get("Code") or "")
    upstream = _safe(str(details.get("Message") or ""), 300)
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    s3 = action.startswith("s3:")
    # An error body botocore cannot read leaves the HTTP status as the code: a bare 403 is a denial too.
    if code in _ACCESS_DENIED or (status == 403 and code in ("", "403", "Forbidden")):
        if s3 and "kms" in upstream.lower():
            return Refused(
                "AccessDenied",
                f"The Jupyter server's AWS role may not decrypt the report {resource}. Ask an administrator to allow "
                "the role kms:Decrypt on the object's KMS key (and s3:GetObject on the object).",
                403,
            )
        hint = (
            " S3 also answers AccessDenied for an object that does not exist when the role may not list the bucket."
            if s3
            else ""
        )
        return Refused(
            "AccessDenied",
            f"The Jupyter server's AWS role may not call {action} on {resource}. Ask an administrator to allow "
            f"{action} on it for the role (in SageMaker Studio, the execution role of the space or user profile)."
            + hint,
            403,
        )
    if code in _EXPIRED_CODES:
        return Refused("ExpiredToken", _EXPIRED, 403)
    if code in _CREDENTIALS:
        return Refused(code, _CREDENTIALS[code] + " Renew the server's AWS credentials and restart Jupyter.", 403)
    if code in _THROTTLING or status == 429:
        return Refused("Throttling", f"{name} is throttling {action} requests; retry shortly.", 503)
    if s3 and (code in ("NoSuchKey", "NoSuchBucket") or status == 404):
        missing = "bucket" if code == "NoSuchBucket" else "object"
        return Refused(
            "ReportNotFound",
            f"The report {resource} does not exist in S3 (no such {missing}), although the model version names "
            "it: it may have been deleted or moved.",
            404,
        )
    if not s3 and code in ("ValidationException", "ResourceNotFound") and re.search(
        r"does not exist|not found", upstream, re.IGNORECASE
    ):
        return Refused(
            "ModelPackageNotFound",
            f"The model version {resource} does not exist (or is not shared with this account).",
            404,
        )
    if status >= 500:
        return Refused(
            "UpstreamError", f"{name} failed to answer {action} for {resource} ({code or status}); retry later.", 502
        )
    safe_code = re.sub(r"[^A-Za-z0-9_.-]", "", code)[:100] or f"HTTP{status}"
    return Refused(safe_code, f"{name} refused {action} for {resource} ({safe_code}): {upstream}", 502)


CAPABILITY = Capability(
    name="registry",
    # GET ?version=<model package ARN>&uri=<s3 URI named by its ModelMetrics>: {uri, contentType, text}
    routes=((r"/registry/report", ReportHandler),),
    operations={
        "sagemaker": """
            Search ListTags ListModelPackageGroups ListModelPackages DescribeModelPackage
            DescribeModelPackageGroup UpdateModelPackage
            """.split(),
        "codepipeline": """
            GetPipeline GetPipelineState GetPipelineExecution ListPipelines ListPipelineExecutions
            ListTagsForResource ListActionExecutions PutApprovalResult
            """.split(),
    },
)
