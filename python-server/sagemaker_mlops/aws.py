"""Server-side AWS plumbing: region, credentials (botocore's chain) and endpoint resolution.

The browser never chooses an endpoint: the upstream URL of a service comes from the server configuration
(``SageMakerMLOps.endpoint_urls``), else from botocore's own resolution for the region, which honours
``AWS_ENDPOINT_URL``, ``AWS_ENDPOINT_URL_<SERVICE>`` and the config file's ``endpoint_url``.
"""

from __future__ import annotations

import threading
from typing import Optional
from urllib.parse import urlsplit

import botocore.session
from botocore.credentials import ReadOnlyCredentials

from .allowlist import Refused, Service
from .config import SageMakerMLOps

DEFAULT_REGION = "us-east-1"


class AwsContext:
    """One botocore session per server: credentials are refreshed by botocore when they expire."""

    def __init__(self, config: SageMakerMLOps, session: Optional[botocore.session.Session] = None) -> None:
        self.config = config
        self._session = session or botocore.session.get_session()
        self._lock = threading.Lock()
        self._endpoints: dict[str, str] = {}
        self._credentials = None
        #: region -> (monotonic time, {Account, Arn}) of the last STS GetCallerIdentity
        self.identity_cache: dict[str, tuple[float, dict]] = {}

    @property
    def session(self) -> botocore.session.Session:
        return self._session

    @property
    def region(self) -> str:
        return self.config.region or self._session.get_config_variable("region") or DEFAULT_REGION

    def credentials(self) -> ReadOnlyCredentials:
        """Frozen credentials for one request; raises :class:`Refused` (503) when there are none."""
        with self._lock:
            if self._credentials is None:
                self._credentials = self._session.get_credentials()
            credentials = self._credentials
        if credentials is None:
            raise Refused(
                "NoCredentials",
                "The Jupyter server has no AWS credentials (no execution role, environment variables or profile).",
                503,
            )
        try:
            frozen = credentials.get_frozen_credentials()
        except Exception as error:  # refresh failed: the message of botocore never carries the secret
            raise Refused(
                "CredentialsRefreshFailed",
                f"The server's AWS credentials could not be refreshed ({type(error).__name__}). "
                "Restart the Studio app or renew the credentials.",
                503,
            ) from None
        if not frozen.access_key or not frozen.secret_key:
            raise Refused("NoCredentials", "The Jupyter server's AWS credentials are incomplete.", 503)
        return frozen

    def endpoint(self, service: Service) -> str:
        """The upstream base URL of a service, decided on the server only."""
        configured = self.config.endpoint_urls.get(service.name)
        if configured:
            return _checked(configured, service.name)
        if service.name == "sagemaker-mlflow":
            if not self.config.mlflow_tracking_uri:
                raise Refused(
                    "NoEndpoint",
                    "No MLflow tracking server is configured (SageMakerMLOps.mlflow_tracking_uri or MLFLOW_TRACKING_URI).",
                    503,
                )
            return _checked(self.config.mlflow_tracking_uri, service.name)
        key = f"{service.botocore_name}@{self.region}"
        with self._lock:
            url = self._endpoints.get(key)
            if url is None:
                client = self._session.create_client(
                    service.botocore_name, region_name=self.region, aws_access_key_id="x", aws_secret_access_key="x"
                )
                url = _checked(client.meta.endpoint_url, service.name)
                self._endpoints[key] = url
        return url


def _checked(url: str, name: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise Refused("InvalidEndpoint", f"The configured endpoint of '{name}' is not a plain http(s) URL.", 500)
    return url.rstrip("/")
