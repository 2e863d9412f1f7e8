"""Connection: ``GET <base_url>sagemaker-mlops/context`` (where the server runs and as whom) and the project
operations the frontend sends through the proxy (list and describe projects, read their tags).

``{region, accountId, callerArn, studio: {...} | null, version}``; the identity comes from STS GetCallerIdentity,
signed server-side by botocore and cached briefly; Studio fields from the resource-metadata file.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any, Optional

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)
from tornado import web

from .. import __version__
from ..allowlist import Refused
from ..base import MLOpsHandler
from . import Capability

#: Seconds a successful GetCallerIdentity answer is reused.
CACHE_SECONDS = 60.0
#: Seconds a failed one is (so that tabs polling /context do not hammer STS, or wait for it, while it is down).
FAILURE_CACHE_SECONDS = 10.0

_EXPIRED = (
    "The AWS credentials of the Jupyter server have expired. Refresh the session: in SageMaker Studio restart "
    "the app (or the space); elsewhere renew the credentials (e.g. aws sso login) and restart Jupyter."
)
#: STS error code -> (HTTP status, message for the user)
_STS_ERRORS = {
    "ExpiredToken": (403, _EXPIRED),
    "ExpiredTokenException": (403, _EXPIRED),
    "RequestExpired": (403, "The request to AWS STS expired: check the clock of the Jupyter server."),
    "InvalidClientTokenId": (403, "The AWS access key of the Jupyter server is not valid (unknown or deactivated)."),
    "UnrecognizedClientException": (403, "The AWS access key of the Jupyter server is not valid."),
    "SignatureDoesNotMatch": (403, "The AWS secret key of the Jupyter server does not match its access key."),
    "AccessDenied": (403, "The server's role may not call sts:GetCallerIdentity."),
    "Throttling": (503, "AWS STS is throttling requests; retry shortly."),
}

#: resource-metadata.json key -> context key
STUDIO_FIELDS = {
    "DomainId": "domainId",
    "SpaceName": "spaceName",
    "UserProfileName": "userProfileName",
    "AppType": "appType",
    "ResourceArn": "resourceArn",
    "ResourceName": "resourceName",
    "ExecutionRoleArn": "executionRoleArn",
}


def studio_metadata(path: str) -> Optional[dict[str, Any]]:
    """The Studio fields of ``resource-metadata.json`` (absent ones as null), or None outside Studio."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return {key: (data.get(name) if isinstance(data.get(name), str) else None) for name, key in STUDIO_FIELDS.items()}


class ContextHandler(MLOpsHandler):
    @web.authenticated
    async def get(self) -> None:
        await self.authorize("read")
        region = self.mlops_aws.region
        identity = await self._identity(region)
        self.finish(
            json.dumps(
                {
                    "region": region,
                    "accountId": identity.get("Account"),
                    "callerArn": identity.get("Arn"),
                    "studio": studio_metadata(self.mlops_config.resource_metadata_path),
                    "version": __version__,
                }
            )
        )

    async def _identity(self, region: str) -> dict[str, Any]:
        aws = self.mlops_aws
        cached = aws.identity_cache.get(region)
        if cached:
            at, outcome = cached
            if isinstance(outcome, Refused) and time.monotonic() - at < FAILURE_CACHE_SECONDS:
                raise outcome
            if isinstance(outcome, dict) and time.monotonic() - at < CACHE_SECONDS:
                return outcome
        await aws.credentials()  # NoCredentials as a clear 503 before botocore tries
        call = aws.identity_calls.get(region)
        if call is None:  # one GetCallerIdentity at a time per region; concurrent requests share its outcome
            call = asyncio.ensure_future(self._call_sts(region))
            aws.identity_calls[region] = call
            call.add_done_callback(lambda _: aws.identity_calls.pop(region, None))
        return await asyncio.shield(call)

    async def _call_sts(self, region: str) -> dict[str, Any]:
        aws = self.mlops_aws

        def call() -> dict[str, Any]:
            return aws.sts_client(region).get_caller_identity()

        try:
            try:
                result = await asyncio.get_running_loop().run_in_executor(None, call)
            except ClientError as error:
                code = str(error.response.get("Error", {}).get("Code", "ClientError"))
                status, message = _STS_ERRORS.get(code, (502, f"AWS STS GetCallerIdentity failed ({code})."))
                raise Refused(code, message, status) from None
            except NoCredentialsError:
                raise Refused("NoCredentials", "The Jupyter server has no AWS credentials.", 503) from None
            except (ConnectTimeoutError, ReadTimeoutError):
                raise Refused(
                    "UpstreamTimeout",
                    f"AWS STS did not answer GetCallerIdentity within {self.mlops_config.context_timeout:g} s. "
                    "Check the STS VPC endpoint and the network, then retry.",
                    504,
                ) from None
            except EndpointConnectionError:
                raise Refused(
                    "UpstreamUnreachable",
                    "The AWS STS endpoint could not be reached. Check the STS VPC endpoint and the network, then retry.",
                    502,
                ) from None
            except BotoCoreError as error:
                raise Refused("UpstreamError", f"AWS STS GetCallerIdentity failed ({type(error).__name__}).", 502) from None
        except Refused as refused:
            aws.identity_cache[region] = (time.monotonic(), refused)
            raise
        identity = {"Account": result.get("Account"), "Arn": result.get("Arn")}
        aws.identity_cache[region] = (time.monotonic(), identity)
        return identity


CAPABILITY = Capability(
    name="connection",
    # GET: {region, accountId, callerArn, studio, version}
    routes=((r"/context", ContextHandler),),
    operations={"sagemaker": ["ListProjects", "DescribeProject", "ListTags"]},
)
