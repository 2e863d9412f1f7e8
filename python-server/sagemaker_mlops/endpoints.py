"""Server-side AWS plumbing: region, credentials (botocore's chain) and where each service's requests go.

The browser never chooses an endpoint. The upstream of a service is, in this order:

1. ``SageMakerMLOps.endpoint_urls[<service>]`` (server configuration, e.g. VPC interface endpoints);
2. for ``sagemaker-mlflow``: ``SageMakerMLOps.mlflow_tracking_uri`` (a URL, or a SageMaker managed MLflow ARN);
3. botocore's resolution for the region, read from a client's ``meta.endpoint_url``: it honours
   ``AWS_ENDPOINT_URL``, ``AWS_ENDPOINT_URL_<SERVICE>`` and the config file's ``endpoint_url``.

Requests are SigV4-signed only for AWS endpoints: the managed MLflow ARN's endpoint, an endpoint override of the
service (which covers VPC endpoints and the devstack) and botocore's resolution. A self-hosted MLflow tracking
server (a plain ``mlflow_tracking_uri``) gets the request unsigned: no credential ever leaves for it. A signed
request goes over https, or over http to loopback only (127.0.0.0/8, ::1, localhost).
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Optional
from urllib.parse import urlsplit

import botocore.session
from botocore.config import Config
from botocore.credentials import ReadOnlyCredentials

from .allowlist import Refused, Service
from .config import SageMakerMLOps
from .transport import Transport

#: SageMaker managed MLflow: the tracking URI is the ARN of a tracking server (or MLflow app); requests go to
#: the regional experiments endpoint and name the resource in a routing header (which is signed).
MLFLOW_ARN = re.compile(
    r"^arn:aws[a-z-]*:sagemaker:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d):(?P<account>\d{12}):"
    r"(?P<type>mlflow-tracking-server|mlflow-app)/(?P<name>[A-Za-z0-9][A-Za-z0-9-]{0,127})$"
)
MLFLOW_ARN_HEADERS = {"mlflow-tracking-server": "x-mlflow-sm-tracking-server-arn", "mlflow-app": "x-sm-mlflow-app-arn"}


@dataclass(frozen=True)
class Upstream:
    """Where one service's requests go, and how they are signed."""

    base_url: str  # scheme://host[:port][/path], no trailing slash
    signing_region: str
    headers: dict[str, str] = field(default_factory=dict)  # added by the server, signed with the rest
    signed: bool = True  # False: a self-hosted MLflow, which is sent no AWS signature


#: Seconds frozen credentials are reused without asking botocore (which may refresh them, off the event loop).
#: botocore hands out credentials that stay valid for at least 10 minutes, so this never serves expired ones.
CREDENTIALS_REUSE_SECONDS = 30.0


class AwsContext:
    """One botocore session per server; botocore refreshes the credentials when they expire."""

    def __init__(self, config: SageMakerMLOps, session: Optional[botocore.session.Session] = None) -> None:
        self.config = config
        self._session = session or botocore.session.get_session()
        self._lock = threading.Lock()
        self._upstreams: dict[str, Upstream] = {}
        self._credentials = None
        self._frozen: Optional[tuple[float, ReadOnlyCredentials]] = None
        self._clients: dict[tuple, object] = {}
        #: region -> (monotonic time, {Account, Arn} or the Refused of a failure) of the last STS GetCallerIdentity
        self.identity_cache: dict[str, tuple[float, object]] = {}
        #: region -> the GetCallerIdentity call under way (concurrent /context requests share it)
        self.identity_calls: dict[str, asyncio.Future] = {}
        #: the proxy's pooled upstream HTTP client
        self.transport = Transport(config)

    @property
    def session(self) -> botocore.session.Session:
        return self._session

    @property
    def region(self) -> str:
        return self.config.region

    async def credentials(self) -> ReadOnlyCredentials:
        """Frozen credentials for one request (a refresh may do blocking I/O: it runs in a thread)."""
        frozen = self._frozen
        if frozen is not None and time.monotonic() - frozen[0] < CREDENTIALS_REUSE_SECONDS:
            return frozen[1]
        credentials = await asyncio.get_running_loop().run_in_executor(None, self.credentials_now)
        self._frozen = (time.monotonic(), credentials)
        return credentials

    def sts_client(self, region: str):
        """One STS client per region and endpoint, reused: /context's timeouts, at most one retry."""
        return self.client("sts", region, timeout=self.config.context_timeout, pool=2)

    def client(self, service: str, region: Optional[str] = None, *, timeout: Optional[float] = None, pool: int = 4):
        """A botocore client for server-side calls (signed with the server's credentials), reused: one per
        service, region, endpoint and timeout. The endpoint is ``endpoint_urls[service]`` if set, else botocore's
        resolution; it must be https (or http to loopback). Timeouts are bounded (``upstream_timeout`` unless
        given), with at most one retry. S3 is addressed path-style whenever an endpoint is overridden."""
        region = region or self.region
        endpoint = self.config.endpoint_urls.get(service) or None
        seconds = self.config.upstream_timeout if timeout is None else timeout
        path_style = service == "s3" and bool(
            endpoint or os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL_S3")
        )
        key = (service, region, endpoint, seconds, path_style)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._session.create_client(
                    service,
                    region_name=region,
                    endpoint_url=checked_url(endpoint, service) if endpoint else None,
                    config=Config(
                        connect_timeout=seconds,
                        read_timeout=seconds,
                        retries={"total_max_attempts": 2, "mode": "standard"},
                        max_pool_connections=pool,
                        **({"s3": {"addressing_style": "path"}} if path_style else {}),
                    ),
                )
                require_secure(client.meta.endpoint_url, service)
                self._clients[key] = client
            return client

    def credentials_now(self) -> ReadOnlyCredentials:
        """Frozen credentials, or :class:`Refused` (503). Never puts a secret into a message."""
        with self._lock:
            if self._credentials is None:
                self._credentials = self._session.get_credentials()
            credentials = self._credentials
        if credentials is None:
            raise Refused(
                "NoCredentials",
                "The Jupyter server has no AWS credentials. In SageMaker Studio, check the execution role of the "
                "domain or user profile; elsewhere set AWS_PROFILE or the AWS_ACCESS_KEY_ID / "
                "AWS_SECRET_ACCESS_KEY environment variables before starting Jupyter.",
                503,
            )
        try:
            frozen = credentials.get_frozen_credentials()
        except Exception as error:  # a refresh failure; botocore's messages are not echoed
            raise Refused(
                "CredentialsRefreshFailed",
                f"The server's AWS credentials could not be refreshed ({type(error).__name__}). "
                "Restart the Studio app or renew the credentials.",
                503,
            ) from None
        if not frozen.access_key or not frozen.secret_key:
            raise Refused("NoCredentials", "The Jupyter server's AWS credentials are incomplete.", 503)
        return frozen

    async def upstream(self, service: Service) -> Upstream:
        """The upstream of a service; resolved once (creating a botocore client loads its model: in a thread)."""
        cached = self._upstreams.get(service.name)
        if cached is not None:
            return cached
        return await asyncio.get_running_loop().run_in_executor(None, self.upstream_now, service)

    def upstream_now(self, service: Service) -> Upstream:
        with self._lock:
            cached = self._upstreams.get(service.name)
            if cached is None:
                cached = self._resolve(service)
                self._upstreams[service.name] = cached
            return cached

    def _resolve(self, service: Service) -> Upstream:
        upstream = self._resolve_unchecked(service)
        if upstream.signed:
            require_secure(upstream.base_url, service.name)
        return upstream

    def _resolve_unchecked(self, service: Service) -> Upstream:
        configured = self.config.endpoint_urls.get(service.name)
        if service.name == "sagemaker-mlflow":
            uri = self.config.mlflow_tracking_uri.strip()
            arn = MLFLOW_ARN.match(uri)
            if arn:
                return Upstream(
                    checked_url(configured or f"https://{arn['region']}.experiments.sagemaker.aws", service.name),
                    arn["region"],
                    {MLFLOW_ARN_HEADERS[arn["type"]]: uri},
                )
            if configured:  # the sagemaker-mlflow service's own (e.g. VPC) endpoint: AWS, signed
                return Upstream(checked_url(configured, service.name), self.region)
            if not uri:
                raise Refused(
                    "NoEndpoint",
                    "No MLflow tracking server is configured: set SageMakerMLOps.mlflow_tracking_uri or "
                    "MLFLOW_TRACKING_URI (a tracking server URL or ARN) before starting Jupyter.",
                    503,
                )
            # A self-hosted tracking server: not AWS, so it is sent no signature (nor the session token).
            return Upstream(checked_url(uri, service.name), self.region, signed=False)
        if configured:
            return Upstream(checked_url(configured, service.name), self.region)
        return Upstream(self.botocore_endpoint(service.botocore_name or service.name), self.region)

    def botocore_endpoint(self, botocore_name: str) -> str:
        """botocore's endpoint for a service in the region (no credentials are needed to read it)."""
        client = self._session.create_client(
            botocore_name, region_name=self.region, aws_access_key_id="unused", aws_secret_access_key="unused"
        )
        return checked_url(client.meta.endpoint_url, botocore_name)


def checked_url(url: str, name: str) -> str:
    """A configured endpoint must be a plain http(s) URL: no user info, query or fragment."""
    parts = urlsplit(url.strip())
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.password is not None
        or parts.query
        or parts.fragment
        or "#" in url
    ):
        raise Refused("InvalidEndpoint", f"The configured endpoint of '{name}' is not a plain http(s) URL.", 500)
    return url.strip().rstrip("/")


def require_secure(url: str, name: str) -> None:
    """Signed requests go over https only (plain http to loopback only): else :class:`Refused` (500)."""
    parts = urlsplit(url)
    if parts.scheme != "https" and not is_loopback(parts.hostname or ""):
        raise Refused(
            "InsecureEndpoint",
            f"The endpoint of '{name}' ({parts.scheme}://{parts.hostname}) is not https: the server "
            "sends signed AWS requests over https only (plain http to loopback only). Fix the server's "
            "endpoint configuration.",
            500,
        )


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost, by the literal host (no DNS lookup)."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
