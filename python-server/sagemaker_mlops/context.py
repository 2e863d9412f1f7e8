"""``GET /sagemaker-mlops/context``: where the server runs and as whom (STS GetCallerIdentity, Studio metadata)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any, Optional

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError, NoCredentialsError
from tornado import web

from . import __version__
from .allowlist import Refused
from .base import MLOpsHandler

CACHE_SECONDS = 60.0
_AUTH_CODES = {
    "ExpiredToken": "The AWS credentials of the Jupyter server have expired: restart the Studio app or renew them.",
    "ExpiredTokenException": "The AWS credentials of the Jupyter server have expired: restart the Studio app or renew them.",
    "InvalidClientTokenId": "The AWS access key of the Jupyter server is not valid.",
    "SignatureDoesNotMatch": "The AWS secret key of the Jupyter server does not match its access key.",
    "AccessDenied": "The server's role may not call sts:GetCallerIdentity.",
}


def studio_metadata(path: str) -> Optional[dict[str, Any]]:
    """The Studio fields of ``resource-metadata.json``, or None outside Studio."""
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return {
        "domainId": data.get("DomainId"),
        "spaceName": data.get("SpaceName"),
        "userProfileName": data.get("UserProfileName"),
        "appType": data.get("AppType"),
        "resourceArn": data.get("ResourceArn"),
    }


class ContextHandler(MLOpsHandler):

    @web.authenticated
    async def get(self) -> None:
        aws = self.mlops_aws
        region = aws.region
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
        cached = self.mlops_aws.identity_cache.get(region)
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        aws = self.mlops_aws
        aws.credentials()  # NoCredentials as a clear 503 before botocore tries

        def call() -> dict[str, Any]:
            client = aws.session.create_client("sts", region_name=region)
            return client.get_caller_identity()

        try:
            result = await asyncio.get_running_loop().run_in_executor(None, call)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "ClientError")
            message = _AUTH_CODES.get(code) or f"STS GetCallerIdentity failed ({code})."
            raise Refused(code, message, 403 if code in _AUTH_CODES else 502) from None
        except NoCredentialsError:
            raise Refused("NoCredentials", "The Jupyter server has no AWS credentials.", 503) from None
        except EndpointConnectionError:
            raise Refused(
                "UpstreamUnreachable", "AWS STS could not be reached. Check the network or the STS VPC endpoint.", 502
            ) from None
        except BotoCoreError as error:
            raise Refused("UpstreamError", f"STS GetCallerIdentity failed ({type(error).__name__}).", 502) from None
        identity = {"Account": result.get("Account"), "Arn": result.get("Arn")}
        self.mlops_aws.identity_cache[region] = (time.monotonic(), identity)
        return identity
