"""The platform's CodeArtifact PyPI repository, seen from the server: the authorization token, the index URL
with it, the curated package listings, and the redaction that keeps both out of everything that leaves.

The token (CodeArtifact GetAuthorizationToken, signed server-side with the server's credentials) and the
authenticated index URL stay in this process's memory: they are handed to the installer through its environment
only, and every text that leaves (progress lines, error messages) goes through :meth:`CodeArtifactIndex.redact`.

The domain, its owner and the repository are, each on its own: the server setting when the administrator set it,
else the SSM parameter ``<codeartifact_ssm_prefix>{domain,domain-owner,repository}`` when it exists (one
GetParameters call, kept for a token's lifetime; a failing SSM is a logged warning, never a failed install), else
the platform default (:meth:`CodeArtifactIndex.repository`).
"""

from __future__ import annotations

import asyncio
import base64
import logging
import math
import re
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError as BotoConnectionError,
    ConnectTimeoutError,
    HTTPClientError,
    NoCredentialsError,
    ReadTimeoutError,
)
from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename
from packaging.version import InvalidVersion, Version
from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from ..allowlist import Refused, _safe
from ..config import PLATFORM_DOMAIN, PLATFORM_REPOSITORY, SageMakerMLOps
from ..endpoints import AwsContext, checked_url, require_secure
from ..proxy import REDACTED, redact

T = TypeVar("T")

log = logging.getLogger(__name__)

#: Search: packages listed per query, and versions listed per package.
SEARCH_PACKAGES = 20
SEARCH_VERSIONS = 50

_THROTTLING = {
    "Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException", "RequestLimitExceeded",
}
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired"}
_CREDENTIALS = {"InvalidAccessKeyId", "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch"}

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@?#]+@")
_AWS_BASIC = re.compile(r"(?i)\baws:[^\s@/]+@?")
_BASIC_HEADER = re.compile(r"(?i)\b(basic)\s+[A-Za-z0-9+/=_-]{8,}")
_HREF = re.compile(r"""(?i)<a\s[^>]*>\s*([^<]+?)\s*</a>""")

#: The repository's identity: its values, the SSM parameter (under codeartifact_ssm_prefix) and the setting of each.
_FIELDS = (
    ("domain", "domain", "codeartifact_domain"),
    ("domainOwner", "domain-owner", "codeartifact_domain_owner"),
    ("repository", "repository", "codeartifact_repository"),
)
#: What a value from SSM must look like to be used (CodeArtifact's own patterns); anything else is ignored.
_VALID = {
    "domain": re.compile(r"[a-z][a-z0-9-]{0,48}[a-z0-9]"),
    "domainOwner": re.compile(r"[0-9]{12}"),
    "repository": re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,99}"),
}
#: Seconds before SSM is asked again after it failed for a passing reason (throttling, network, 5xx).
SSM_RETRY_SECONDS = 60.0


@dataclass(frozen=True)
class IndexAccess:
    """The index for one installer run: ``url`` carries the token (never shown), ``public_url`` does not."""

    url: str
    public_url: str
    token: str
    expires: float  # time.time()


@dataclass(frozen=True)
class Repository:
    """The CodeArtifact domain, its owner ("": the account of the server's credentials) and the repository, with
    where each came from: ``setting`` (the server configuration), ``ssm`` (a parameter) or ``default`` (the
    platform's)."""

    domain: str
    owner: str
    repository: str
    sources: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.domain, self.owner, self.repository)

    def domain_args(self) -> dict[str, str]:
        args = {"domain": self.domain}
        if self.owner:
            args["domainOwner"] = self.owner
        return args

    def repository_args(self) -> dict[str, str]:
        return {**self.domain_args(), "repository": self.repository}

    def as_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "domainOwner": self.owner or None,
            "repository": self.repository,
            "source": dict(self.sources),
        }


def unavailable(what: str) -> Refused:
    return Refused(
        "CodeArtifactUnavailable",
        f"CodeArtifact could not be reached ({what}). Check that the CodeArtifact VPC endpoints "
        "(codeartifact.api and codeartifact.repositories) are reachable from the space, then retry in a few minutes.",
        503,
    )


def throttled() -> Refused:
    return Refused(
        "CodeArtifactThrottled",
        "CodeArtifact is throttling requests from this account. Wait a minute, then retry.",
        503,
    )


def refusal(error: Exception, action: str, repository: Repository) -> Refused:
    """A failed CodeArtifact API call as the user is told about it."""
    where = f"domain '{repository.domain}', repository '{repository.repository}'"
    if isinstance(error, NoCredentialsError):
        return Refused("NoCredentials", "The Jupyter server has no AWS credentials to call CodeArtifact.", 503)
    if isinstance(error, (ConnectTimeoutError, ReadTimeoutError)):
        return unavailable(f"{action} timed out")
    if isinstance(error, (BotoConnectionError, HTTPClientError)):
        return unavailable(f"{action}: connection failed")
    if not isinstance(error, ClientError):
        return Refused("CodeArtifactError", f"CodeArtifact {action} failed ({type(error).__name__}).", 502)
    code = str((error.response.get("Error") or {}).get("Code") or "")
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    if code in ("AccessDenied", "AccessDeniedException") or status == 403 and code not in _CREDENTIALS | _EXPIRED:
        extra = " and sts:GetServiceBearerToken" if action == "GetAuthorizationToken" else ""
        return Refused(
            "AccessDenied",
            f"The Jupyter server's AWS role may not call codeartifact:{action} ({where}). Ask an administrator to "
            f"allow codeartifact:{action}{extra} for the role (in SageMaker Studio, the execution role).",
            403,
        )
    if code in _EXPIRED:
        return Refused(
            "ExpiredToken",
            "The AWS credentials of the Jupyter server have expired. Restart the Studio app (or the space), or "
            "renew the credentials and restart Jupyter.",
            403,
        )
    if code in _CREDENTIALS:
        return Refused(code, "The AWS credentials of the Jupyter server are not valid for CodeArtifact.", 403)
    if code == "ResourceNotFoundException" or status == 404:
        return Refused(
            "CodeArtifactNotFound",
            f"CodeArtifact has no {where} for this account. Check SageMakerMLOps.codeartifact_domain, "
            "codeartifact_domain_owner and codeartifact_repository in the server configuration (or the SSM "
            "parameters under SageMakerMLOps.codeartifact_ssm_prefix).",
            404,
        )
    if code in _THROTTLING or status == 429:
        return throttled()
    if status >= 500 or code in ("InternalServerException", "ServiceUnavailableException"):
        return unavailable(f"{action} answered {code or status}")
    safe = re.sub(r"[^A-Za-z0-9_.-]", "", code)[:100] or f"HTTP{status}"
    return Refused("CodeArtifactError", f"CodeArtifact refused {action} ({safe}).", 502)


class CodeArtifactIndex:
    """One per server: the token (refreshed before it expires), the repository endpoint, the listings."""

    def __init__(self, config: SageMakerMLOps, aws: AwsContext) -> None:
        self.config = config
        self.aws = aws
        self._access: Optional[IndexAccess] = None
        self._access_for: Optional[tuple[str, str, str]] = None
        self._endpoint: Optional[tuple[tuple[str, str, str], str]] = None
        self._lock = asyncio.Lock()
        self._repository: Optional[Repository] = None
        self._repository_until = 0.0  # time.monotonic()
        self._repository_lock = asyncio.Lock()
        #: every token issued to this server so far (redacted from every text that leaves, even after renewal)
        self._tokens: list[str] = []

    # -- identity of the repository ---------------------------------------------------------------------------
    async def repository(self) -> Repository:
        """Domain, owner and repository, each from (1) the server setting, (2) the SSM parameter under
        ``codeartifact_ssm_prefix``, (3) the platform default. SSM is asked (one GetParameters call) only for values
        the settings leave out, and its answer is kept for a token's lifetime; when SSM fails, a warning is logged
        and the platform defaults are used."""
        current = self._repository
        if current is not None and time.monotonic() < self._repository_until:
            return current
        async with self._repository_lock:
            current = self._repository
            if current is not None and time.monotonic() < self._repository_until:
                return current
            resolved, seconds = await self._resolve()
            self._repository = resolved
            self._repository_until = time.monotonic() + seconds
            return resolved

    async def _resolve(self) -> tuple[Repository, float]:
        values: dict[str, str] = {}
        sources: dict[str, str] = {}
        for field_name, _, setting in _FIELDS:
            value = str(getattr(self.config, setting) or "").strip()
            if value:
                values[field_name], sources[field_name] = value, "setting"
        prefix = self.config.codeartifact_ssm_prefix.strip()
        missing = [f for f in _FIELDS if f[0] not in values]
        seconds = math.inf  # settings and defaults do not change while the server runs
        if prefix and missing:
            found, seconds = await self._from_ssm(prefix, missing)
            for field_name, value in found.items():
                values[field_name], sources[field_name] = value, "ssm"
        for field_name, default_value in (("domain", PLATFORM_DOMAIN), ("domainOwner", ""), ("repository", PLATFORM_REPOSITORY)):
            if field_name not in values:
                values[field_name], sources[field_name] = default_value, "default"
        repository = Repository(
            domain=values["domain"],
            owner=values["domainOwner"],
            repository=values["repository"],
            sources=tuple((f[0], sources[f[0]]) for f in _FIELDS),
        )
        return repository, seconds

    async def _from_ssm(self, prefix: str, wanted: list[tuple[str, str, str]]) -> tuple[dict[str, str], float]:
        """The values of the SSM parameters that exist (one GetParameters call), and how long to keep them."""
        names = {prefix + parameter: field_name for field_name, parameter, _ in wanted}
        lifetime = float(self.config.codeartifact_token_seconds)
        try:
            answer = await asyncio.get_running_loop().run_in_executor(
                None, lambda: self.aws.client("ssm", pool=2).get_parameters(Names=list(names))
            )
        except Exception as error:  # never fails the install: the settings and the platform defaults are used
            reason, passing = _ssm_failure(error)
            log.warning(
                "sagemaker_mlops packages: SSM GetParameters of %s failed (%s); using the server settings and the "
                "platform's CodeArtifact defaults.",
                ", ".join(names), reason,
            )
            return {}, SSM_RETRY_SECONDS if passing else lifetime
        found: dict[str, str] = {}
        for parameter in answer.get("Parameters") or []:
            field_name = names.get(str(parameter.get("Name") or ""))
            value = str(parameter.get("Value") or "").strip()
            if field_name is None or not value:
                continue
            if parameter.get("Type") == "SecureString" or not _VALID[field_name].fullmatch(value):
                log.warning(
                    "sagemaker_mlops packages: the SSM parameter %s is not a valid CodeArtifact %s; it is ignored.",
                    parameter.get("Name"), field_name,
                )
                continue
            found[field_name] = value
        return found, lifetime

    async def call(self, action: str, fn: Callable[..., T], *args: Any) -> T:
        """A blocking botocore call in an executor, its failures as :class:`Refused` (credentials redacted)."""
        try:
            return await asyncio.get_running_loop().run_in_executor(None, fn, *args)
        except Refused:
            raise
        except (ClientError, BotoCoreError) as error:
            refused = refusal(error, action, self._repository or await self.repository())
            raise Refused(refused.code, self.redact(refused.message), refused.status) from None

    def client(self):
        return self.aws.client("codeartifact", pool=8)

    # -- the index URL and the token ----------------------------------------------------------------------------
    async def endpoint(self) -> str:
        """The repository's PyPI endpoint (``.../pypi/<repository>/``), from the configuration or CodeArtifact."""
        repository = await self.repository()
        if self._endpoint is None or self._endpoint[0] != repository.key:
            configured = self.config.codeartifact_endpoint_url.strip()
            if configured:
                url = checked_url(configured, "codeartifact repository")
            else:
                answer = await self.call(
                    "GetRepositoryEndpoint",
                    lambda: self.client().get_repository_endpoint(**repository.repository_args(), format="pypi"),
                )
                url = checked_url(str(answer.get("repositoryEndpoint") or ""), "codeartifact repository")
            require_secure(url, "codeartifact repository")
            self._endpoint = (repository.key, url.rstrip("/") + "/")
        return self._endpoint[1]

    def margin(self) -> float:
        """Seconds before expiry at which a token is renewed."""
        return min(600.0, max(60.0, self.config.codeartifact_token_seconds / 4))

    async def access(self, refresh: bool = False) -> IndexAccess:
        """The authenticated index; a new token when asked to or when the current one is about to expire."""
        async with self._lock:
            repository = await self.repository()
            current = self._access
            if (
                current is not None and not refresh and self._access_for == repository.key
                and current.expires - time.time() > self.margin()
            ):
                return current
            public = await self.endpoint() + "simple/"
            seconds = self.config.codeartifact_token_seconds
            answer = await self.call(
                "GetAuthorizationToken",
                lambda: self.client().get_authorization_token(**repository.domain_args(), durationSeconds=seconds),
            )
            token = str(answer.get("authorizationToken") or "")
            if not token:
                raise Refused("CodeArtifactError", "CodeArtifact returned no authorization token.", 502)
            self._tokens.append(token)
            del self._tokens[:-20]
            expiration = answer.get("expiration")
            expires = expiration.timestamp() if hasattr(expiration, "timestamp") else time.time() + (seconds or 3600)
            parts = urlsplit(public)
            netloc = f"aws:{quote(token, safe='')}@{parts.netloc}"
            url = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
            self._access = IndexAccess(url=url, public_url=public, token=token, expires=expires)
            self._access_for = repository.key
            return self._access

    def forget(self, access: IndexAccess) -> None:
        """The index refused the token (expired or revoked): the next :meth:`access` asks for a new one."""
        if self._access is access:
            self._access = None

    # -- redaction ----------------------------------------------------------------------------------------------
    def secrets(self) -> tuple[str, ...]:
        found: list[str] = list(self._tokens)
        for token in self._tokens:
            found.append(base64.b64encode(f"aws:{token}".encode()).decode())
        frozen = getattr(self.aws, "_frozen", None)
        if frozen is not None:
            credentials = frozen[1]
            found += [s for s in (credentials.access_key, credentials.secret_key, credentials.token) if s]
        return tuple(found)

    def redact(self, text: str) -> str:
        """Text that may leave the server: no token (raw, encoded, in a Basic header), no URL userinfo."""
        secrets = self.secrets()
        if secrets:
            text = redact([], text.encode("utf-8", errors="replace"), secrets)[1].decode("utf-8", errors="replace")
        text = _USERINFO.sub(lambda m: f"{m.group(1)}{REDACTED}@", text)
        text = _AWS_BASIC.sub(f"aws:{REDACTED}@", text)
        return _BASIC_HEADER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)

    # -- the simple index, server-side ----------------------------------------------------------------------------
    async def project_versions(self, name: str, timeout: float = 30.0) -> Optional[list[str]]:
        """The versions of a project in the index (from its PEP 503 page), None if the index has no such project.

        A 401 (the token expired or was revoked) renews the token and asks once more."""
        for attempt in (0, 1):
            access = await self.access(refresh=attempt == 1)
            request = HTTPRequest(
                access.public_url + quote(canonicalize_name(name), safe="") + "/",
                auth_username="aws",
                auth_password=access.token,
                request_timeout=timeout,
                connect_timeout=min(timeout, 10.0),
                follow_redirects=True,
                headers={"Accept": "text/html"},
            )
            try:
                response = await AsyncHTTPClient().fetch(request, raise_error=False)
            except Exception as error:  # connection refused, DNS, TLS: never echoes the token (not in the URL)
                raise unavailable(f"the PyPI index: {type(error).__name__}") from None
            if response.code == 401 and attempt == 0:
                self.forget(access)
                continue
            if response.code == 404:
                return None
            if response.code == 401:
                raise Refused(
                    "CodeArtifactUnauthorized",
                    "The CodeArtifact PyPI index refused a fresh authorization token. Check that the server's role "
                    "may call codeartifact:ReadFromRepository on the repository.",
                    403,
                )
            if response.code == 403:
                raise Refused(
                    "AccessDenied",
                    "The server's AWS role may not read the CodeArtifact repository (codeartifact:ReadFromRepository).",
                    403,
                )
            if response.code == 429:
                raise throttled()
            if response.code == 599 or response.code >= 500:
                raise unavailable(f"the PyPI index answered {response.code}")
            if response.code != 200:
                raise Refused("CodeArtifactError", f"The CodeArtifact PyPI index answered HTTP {response.code}.", 502)
            return versions_in_page(response.body.decode("utf-8", errors="replace"))
        return None  # pragma: no cover

    # -- search ---------------------------------------------------------------------------------------------------
    async def search(self, prefix: str) -> list[dict[str, Any]]:
        client_args = (await self.repository()).repository_args()
        listed = await self.call(
            "ListPackages",
            lambda: self.client().list_packages(
                **client_args, format="pypi", maxResults=SEARCH_PACKAGES, **({"packagePrefix": prefix} if prefix else {})
            ),
        )
        names = [p["package"] for p in listed.get("packages", []) if p.get("package")][:SEARCH_PACKAGES]

        async def versions(name: str) -> dict[str, Any]:
            answer = await self.call(
                "ListPackageVersions",
                lambda: self.client().list_package_versions(
                    **client_args, format="pypi", package=name, status="Published", maxResults=SEARCH_VERSIONS
                ),
            )
            found = [v["version"] for v in answer.get("versions", []) if isinstance(v.get("version"), str)]
            ordered = newest_first(found)
            latest = answer.get("defaultDisplayVersion") if answer.get("defaultDisplayVersion") in ordered else None
            return {"name": name, "versions": ordered, "latest": latest or (ordered[0] if ordered else None)}

        return list(await asyncio.gather(*(versions(n) for n in names)))


def _ssm_failure(error: Exception) -> tuple[str, bool]:
    """A failed SSM call as a log line names it (an error code or a class name, never a message), and whether it
    may pass soon (throttling, network, 5xx) rather than last (denied, no credentials)."""
    if isinstance(error, ClientError):
        code = str((error.response.get("Error") or {}).get("Code") or "")
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        if not code or code.isdigit():  # an error body botocore could not read: named by its status
            code = {403: "AccessDenied", 429: "Throttling"}.get(status, "")
        safe = re.sub(r"[^A-Za-z0-9_.-]", "", code)[:100] or f"HTTP {status}"
        passing = code in _THROTTLING or status == 429 or status >= 500 or code in _EXPIRED
        return safe, passing
    if isinstance(error, Refused):
        return re.sub(r"[^A-Za-z0-9_.-]", "", error.code)[:100], error.status >= 500
    if isinstance(error, NoCredentialsError):
        return "NoCredentials", False
    return type(error).__name__, True


def newest_first(versions: list[str]) -> list[str]:
    def key(v: str) -> tuple[int, Any]:
        try:
            return (1, Version(v))
        except InvalidVersion:
            return (0, v)

    return sorted(dict.fromkeys(versions), key=key, reverse=True)


def versions_in_page(page: str) -> list[str]:
    """The versions of the files a PEP 503 project page links to (wheel and sdist names)."""
    found: list[str] = []
    for match in _HREF.finditer(page):
        filename = match.group(1).strip()
        try:
            if filename.endswith(".whl"):
                found.append(str(parse_wheel_filename(filename)[1]))
            elif filename.endswith((".tar.gz", ".zip")):
                found.append(str(parse_sdist_filename(filename)[1]))
        except Exception:
            continue
    return newest_first(found)
