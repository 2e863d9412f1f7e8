"""The proxy's upstream HTTP client: one pooled HTTP/1.1 keep-alive client per server.

httpx: bounded connection pool, keep-alive, ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``ALL_PROXY`` / ``NO_PROXY`` from the
environment (CONNECT tunnels for https), never follows redirects. Certificates are verified against
``SageMakerMLOps.upstream_ca_bundle`` when set (e.g. a corporate CA or AWS_CA_BUNDLE), else certifi's bundle.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Optional

import httpx

from . import __version__
from .config import SageMakerMLOps


@dataclass(frozen=True)
class Reply:
    status: int
    headers: list[tuple[str, str]]  # lower-case names
    body: bytes  # decoded (Content-Encoding removed)


class UpstreamTimeout(Exception):
    pass


class UpstreamUnreachable(Exception):
    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class Transport:
    def __init__(self, config: SageMakerMLOps) -> None:
        self.config = config
        self._client: Optional[httpx.AsyncClient] = None

    def client(self) -> httpx.AsyncClient:
        """Created on first use, on the server's event loop (the pool belongs to that loop)."""
        if self._client is None:
            config = self.config
            bundle = config.upstream_ca_bundle.strip()
            verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=bundle) if bundle else True
            seconds = config.upstream_timeout
            self._client = httpx.AsyncClient(
                verify=verify,
                trust_env=True,  # proxies and NO_PROXY from the environment
                http1=True,
                http2=False,
                follow_redirects=False,
                limits=httpx.Limits(
                    max_connections=config.max_upstream_connections,
                    max_keepalive_connections=config.max_upstream_connections,
                    # Well below the idle timeouts of AWS endpoints and proxies, so a pooled connection is not
                    # reused just as the other side closes it.
                    keepalive_expiry=15.0,
                ),
                timeout=httpx.Timeout(seconds, connect=min(10.0, seconds)),
                headers={"User-Agent": f"sagemaker-mlops/{__version__}"},
            )
        return self._client

    async def send(self, method: str, url: str, headers: dict[str, str], body: Optional[bytes]) -> Reply:
        client = self.client()
        try:
            response = await client.request(method, url, headers=headers, content=body)
        except httpx.TimeoutException:
            raise UpstreamTimeout() from None
        except httpx.HTTPError as error:  # connect, TLS, proxy, protocol errors
            raise UpstreamUnreachable(type(error).__name__) from None
        return Reply(response.status_code, response.headers.multi_items(), response.content)

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()
