"""AWS CodeArtifact (rest-json, signing name ``codeartifact``): tokens, the repository endpoint and package listings.

One domain (``mlops``, owned by the stack's account) with one PyPI repository (``mlops-codeartifact-repository``)
holding the curated wheels of ``devstack/wheelhouse.txt``. The PEP 503 index that pip talks to is served by
:mod:`mlops_devstack.pypi_index` under ``<base_url>/codeartifact/<domain>-<owner>/pypi/<repository>/`` and accepts
only the tokens issued here, until they expire.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Optional

from .contract import AwsError, Request, Response
from .wheels import Wheel, ensure_wheels, load_wheels, normalize

DOMAIN = "mlops"
REPOSITORY = "mlops-codeartifact-repository"
DEFAULT_DURATION = 43200  # 12 h, the AWS default
ZERO_DURATION = 3600  # durationSeconds=0: "the expiry of the caller's temporary credentials"; 1 h (the STS default)

_ROUTES = {
    ("POST", "/v1/authorization-token"): "GetAuthorizationToken",
    ("GET", "/v1/repository/endpoint"): "GetRepositoryEndpoint",
    ("POST", "/v1/packages"): "ListPackages",
    ("POST", "/v1/package/versions"): "ListPackageVersions",
}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class TokenRecord:
    domain: str
    owner: str
    principal: Optional[str]
    expiration: datetime


@dataclass
class CodeArtifactStore:
    account_id: str
    domains: dict[str, set[str]] = field(default_factory=dict)  # domain -> repository names
    packages: dict[str, list[Wheel]] = field(default_factory=dict)  # normalized name -> wheels
    tokens: dict[str, TokenRecord] = field(default_factory=dict)
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    lock: threading.RLock = field(default_factory=threading.RLock)

    # -- tokens ---------------------------------------------------------------------------------------------------
    def issue_token(self, domain: str, owner: str, seconds: int, principal: Optional[str] = None) -> tuple[str, datetime]:
        expiration = (_now() + timedelta(seconds=seconds)).replace(microsecond=0)
        header = _b64url(json.dumps({"ver": 1, "isu": int(_now().timestamp()), "enc": "A128GCM", "alg": "A128KW"}).encode())
        payload = _b64url(
            json.dumps(
                {"domain": domain, "owner": owner, "exp": int(expiration.timestamp()), "nonce": secrets.token_hex(16)}
            ).encode()
        )
        sig = _b64url(hmac.new(self.secret, f"{header}.{payload}".encode(), hashlib.sha256).digest())
        token = f"{header}.{payload}.{sig}"
        with self.lock:
            self.tokens[token] = TokenRecord(domain, owner, principal, expiration)
        return token, expiration

    def check_token(self, token: str, domain: str, owner: str) -> Optional[str]:
        """None if the token is valid for the domain, else why not: ``"expired"`` or ``"invalid"``."""
        record = self.tokens.get(token)
        if record is None or record.domain != domain or record.owner != owner:
            return "invalid"
        if record.expiration <= _now():
            return "expired"
        return None

    def expire_tokens(self) -> int:
        """Make every issued token expired now (the devstack's switch for the 'token expired' path)."""
        past = _now() - timedelta(seconds=1)
        with self.lock:
            for record in self.tokens.values():
                record.expiration = past
            return len(self.tokens)


def codeartifact_store(state) -> CodeArtifactStore:
    store = getattr(state, "codeartifact", None)
    if store is None:
        lock = getattr(state, "lock", None) or threading.RLock()
        with lock:
            store = getattr(state, "codeartifact", None)
            if store is None:
                store = CodeArtifactStore(account_id=state.account_id)
                store.domains[DOMAIN] = {REPOSITORY}
                state.codeartifact = store
    return store


def seed_codeartifact(state, cache_dir=None) -> CodeArtifactStore:
    """Fill the repository with the curated wheels (downloaded into the wheel cache on first use)."""
    store = codeartifact_store(state)
    packages = load_wheels(ensure_wheels(cache_dir))
    with store.lock:
        store.packages = packages
    return store


def expire_codeartifact_tokens(state) -> int:
    return codeartifact_store(state).expire_tokens()


def repository_endpoint(state, domain: str = DOMAIN, repository: str = REPOSITORY) -> str:
    return f"{state.base_url.rstrip('/')}/codeartifact/{domain}-{state.account_id}/pypi/{repository}/"


def _paginate(items: list, token: Optional[str], size: int) -> tuple[list, Optional[str]]:
    start = 0
    if token:
        try:
            start = int(json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))["o"])
        except Exception:
            raise AwsError("ValidationException", "The nextToken is not valid.")
        if not 0 <= start <= len(items):
            raise AwsError("ValidationException", "The nextToken is not valid.")
    page = items[start : start + size]
    nxt = _b64url(json.dumps({"o": start + size}).encode()) if start + size < len(items) else None
    return page, nxt


class CodeArtifactExtension:
    service = "codeartifact"
    iam_prefix = "codeartifact"
    requires_sigv4 = True

    def __init__(self, state) -> None:
        self.state = state
        self.store = codeartifact_store(state)

    def operation(self, request: Request) -> Optional[str]:
        op = _ROUTES.get((request.method, request.path.rstrip("/") or "/"))
        if op is None:
            return None
        m = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", request.headers.get("authorization", ""))
        if m and m.group(1) != self.service:
            return None  # the same path of another rest-json service
        return op

    def dispatch(self, request: Request, operation: str) -> Response:
        q = {k: v[0] for k, v in request.query.items() if v}
        result = getattr(self, "_" + re.sub(r"(?<!^)([A-Z])", r"_\1", operation).lower())(request, q)
        return Response.json(result, content_type="application/json")

    # -- validation -----------------------------------------------------------------------------------------------
    def _domain(self, q: dict) -> tuple[str, str]:
        domain = q.get("domain")
        if not domain:
            raise AwsError("ValidationException", "1 validation error detected: Value null at 'domain' failed to satisfy constraint: Member must not be null")
        if not re.fullmatch(r"[a-z][a-z0-9\-]{0,48}[a-z0-9]", domain):
            raise AwsError("ValidationException", f"1 validation error detected: Value '{domain}' at 'domain' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z][a-z0-9\\-]{{0,48}}[a-z0-9]")
        owner = q.get("domain-owner") or self.state.account_id
        if not re.fullmatch(r"[0-9]{12}", owner):
            raise AwsError("ValidationException", f"1 validation error detected: Value '{owner}' at 'domainOwner' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]{{12}}")
        if owner != self.state.account_id or domain not in self.store.domains:
            raise AwsError("ResourceNotFoundException", f"Domain '{domain}' not found in account '{owner}'.", 404)
        return domain, owner

    def _repository(self, q: dict, domain: str) -> str:
        repo = q.get("repository")
        if not repo:
            raise AwsError("ValidationException", "1 validation error detected: Value null at 'repository' failed to satisfy constraint: Member must not be null")
        if repo not in self.store.domains[domain]:
            raise AwsError("ResourceNotFoundException", f"Repository '{repo}' not found in domain '{domain}'.", 404)
        return repo

    @staticmethod
    def _format(q: dict, required: bool) -> Optional[str]:
        fmt = q.get("format")
        if fmt is None:
            if required:
                raise AwsError("ValidationException", "1 validation error detected: Value null at 'format' failed to satisfy constraint: Member must not be null")
            return None
        if fmt not in ("npm", "pypi", "maven", "nuget", "generic", "ruby", "swift", "cargo"):
            raise AwsError("ValidationException", f"1 validation error detected: Value '{fmt}' at 'format' failed to satisfy constraint: Member must satisfy enum value set: [npm, pypi, maven, nuget, generic, ruby, swift, cargo]")
        return fmt

    @staticmethod
    def _max_results(q: dict) -> int:
        raw = q.get("max-results")
        if raw is None:
            return 100
        try:
            value = int(raw)
        except ValueError:
            raise AwsError("ValidationException", f"Value '{raw}' at 'maxResults' is not a valid integer.")
        if not 1 <= value <= 1000:
            raise AwsError("ValidationException", f"1 validation error detected: Value '{value}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 1000")
        return value

    # -- operations -----------------------------------------------------------------------------------------------
    def _get_authorization_token(self, req: Request, q: dict) -> dict:
        domain, owner = self._domain(q)
        raw = q.get("duration")
        seconds = DEFAULT_DURATION
        if raw is not None:
            try:
                seconds = int(raw)
            except ValueError:
                raise AwsError("ValidationException", f"Value '{raw}' at 'durationSeconds' is not a valid long.")
            if seconds != 0 and not 900 <= seconds <= 43200:
                raise AwsError(
                    "ValidationException",
                    f"Invalid durationSeconds {seconds}: the duration must be 0 or between 900 and 43200 seconds.",
                )
            if seconds == 0:
                seconds = ZERO_DURATION
        token, expiration = self.store.issue_token(domain, owner, seconds, req.principal_arn)
        return {"authorizationToken": token, "expiration": expiration}

    def _get_repository_endpoint(self, req: Request, q: dict) -> dict:
        domain, owner = self._domain(q)
        repo = self._repository(q, domain)
        fmt = self._format(q, required=True)
        endpoint_type = q.get("endpointType")
        if endpoint_type not in (None, "dualstack", "ipv4"):
            raise AwsError("ValidationException", f"Value '{endpoint_type}' at 'endpointType' failed to satisfy constraint: Member must satisfy enum value set: [dualstack, ipv4]")
        return {"repositoryEndpoint": f"{self.state.base_url.rstrip('/')}/codeartifact/{domain}-{owner}/{fmt}/{repo}/"}

    def _list_packages(self, req: Request, q: dict) -> dict:
        domain, _ = self._domain(q)
        self._repository(q, domain)
        fmt = self._format(q, required=False)
        size = self._max_results(q)
        prefix = normalize(q["package-prefix"]) if q.get("package-prefix") else ""
        names = [] if fmt not in (None, "pypi") or q.get("namespace") else [n for n in self.store.packages if n.startswith(prefix)]
        if q.get("publish") == "BLOCK" or q.get("upstream") == "ALLOW":
            names = []  # every curated package allows publishing and blocks upstreams
        page, nxt = _paginate(names, q.get("next-token"), size)
        out: dict = {
            "packages": [
                {
                    "format": "pypi",
                    "package": name,
                    "originConfiguration": {"restrictions": {"publish": "ALLOW", "upstream": "BLOCK"}},
                }
                for name in page
            ]
        }
        if nxt:
            out["nextToken"] = nxt
        return out

    def _list_package_versions(self, req: Request, q: dict) -> dict:
        from packaging.version import Version

        domain, _ = self._domain(q)
        repo = self._repository(q, domain)
        fmt = self._format(q, required=True)
        package = q.get("package")
        if not package:
            raise AwsError("ValidationException", "1 validation error detected: Value null at 'package' failed to satisfy constraint: Member must not be null")
        status = q.get("status")
        if status is not None and status not in ("Published", "Unfinished", "Unlisted", "Archived", "Disposed", "Deleted"):
            raise AwsError("ValidationException", f"1 validation error detected: Value '{status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Published, Unfinished, Unlisted, Archived, Disposed, Deleted]")
        sort_by = q.get("sortBy")
        if sort_by is not None and sort_by != "PUBLISHED_TIME":
            raise AwsError("ValidationException", f"1 validation error detected: Value '{sort_by}' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [PUBLISHED_TIME]")
        wheels = self.store.packages.get(normalize(package)) if fmt == "pypi" else None
        if not wheels:
            raise AwsError("ResourceNotFoundException", f"Package '{normalize(package)}' not found in repository '{repo}'.", 404)
        ordered = sorted(wheels, key=lambda w: Version(w.version), reverse=True)
        versions = [
            {
                "version": w.version,
                "revision": base64.b64encode(bytes.fromhex(w.sha256)).decode(),
                "status": "Published",
                "origin": {"domainEntryPoint": {"repositoryName": repo}, "originType": "INTERNAL"},
            }
            for w in ordered
            if status in (None, "Published")
        ]
        page, nxt = _paginate(versions, q.get("next-token"), self._max_results(q))
        out: dict = {
            "defaultDisplayVersion": ordered[0].version,
            "format": "pypi",
            "package": normalize(package),
            "versions": page,
        }
        if nxt:
            out["nextToken"] = nxt
        return out
