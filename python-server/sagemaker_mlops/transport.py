"""The proxy's upstream HTTP client: one pooled HTTP/1.1 keep-alive client per server.

aiohttp: a bounded pool of keep-alive connections (``SageMakerMLOps.max_upstream_connections``), never follows
redirects, decompresses answers. The proxy environment (``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``ALL_PROXY`` /
``NO_PROXY``, upper or lower case, read by the standard library's rules when the client is created) decides per
upstream whether to go through a forward proxy (CONNECT tunnel for https). aiohttp's own ``trust_env`` is not used:
it would also read ``~/.netrc`` and could put an Authorization header of its own on a request. Certificates are
verified against ``SageMakerMLOps.upstream_ca_bundle`` when set, else certifi's bundle (as botocore).
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from typing import Optional
from urllib.parse import urlsplit
from urllib.request import getproxies_environment, proxy_bypass_environment

import aiohttp
import certifi
from yarl import URL

from . import __version__
from .allowlist import Refused
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
        self._session: Optional[aiohttp.ClientSession] = None
        self._proxies: dict[str, str] = {}
        self._proxy_of: dict[tuple[str, str, Optional[int]], Optional[str]] = {}

    def session(self) -> aiohttp.ClientSession:
        """Created on first use, on the server's event loop (the pool belongs to that loop)."""
        if self._session is None:
            config = self.config
            bundle = config.upstream_ca_bundle.strip() or certifi.where()
            try:
                context = ssl.create_default_context(cafile=bundle)
            except (OSError, ssl.SSLError):
                raise Refused(
                    "InvalidCABundle",
                    "The CA bundle for upstream TLS (SageMakerMLOps.upstream_ca_bundle or AWS_CA_BUNDLE) cannot be "
                    "read as PEM certificates. Fix the server's configuration.",
                    500,
                ) from None
            seconds = config.upstream_timeout
            self._proxies = getproxies_environment()
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    ssl=context,
                    limit=config.max_upstream_connections,
                    # Well below the idle timeouts of AWS endpoints and proxies, so a pooled connection is not
                    # reused just as the other side closes it.
                    keepalive_timeout=15.0,
                ),
                timeout=aiohttp.ClientTimeout(total=seconds, connect=min(10.0, seconds)),
                headers={"User-Agent": f"sagemaker-mlops/{__version__}"},
                trust_env=False,
                auto_decompress=True,
            )
        return self._session

    def proxy_for(self, url: str) -> Optional[str]:
        """The forward proxy for an upstream URL, from the environment (NO_PROXY honoured); None: direct."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "", parts.port)
        if key not in self._proxy_of:
            proxy = self._proxies.get(parts.scheme) or self._proxies.get("all")
            if proxy and "://" not in proxy:
                proxy = "http://" + proxy
            if proxy and proxy_bypass_environment(parts.netloc.rsplit("@", 1)[-1], self._proxies):
                proxy = None
            self._proxy_of[key] = proxy or None
        return self._proxy_of[key]

    async def send(self, method: str, url: str, headers: dict[str, str], body: Optional[bytes]) -> Reply:
        session = self.session()
        try:
            async with session.request(
                method,
                URL(url, encoded=True),  # sent exactly as signed: no re-quoting of the path or query
                headers=headers,
                data=body or None,
                allow_redirects=False,
                proxy=self.proxy_for(url),
            ) as response:
                data = await response.read()
                return Reply(response.status, [(k.lower(), v) for k, v in response.headers.items()], data)
        except asyncio.TimeoutError:  # (aiohttp's ServerTimeoutError is one too)
            raise UpstreamTimeout() from None
        except aiohttp.ClientError as error:  # connect, TLS, proxy, protocol errors
            raise UpstreamUnreachable(type(error).__name__) from None

    async def aclose(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()
