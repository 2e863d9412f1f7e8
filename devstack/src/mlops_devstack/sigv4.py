"""SigV4 verification as AWS does it, for every request the devstack serves (moto's and the added services').

moto verifies signatures by recomputing them with botocore's signer, so it accepts whatever botocore produces,
including what AWS refuses: botocore collapses *every* kind of whitespace in header values (tabs, NBSP 0xA0,
NEL 0x85 ...), AWS only trims spaces and collapses sequential spaces. moto also never checks the request time or
the expiry of a role session. This module follows the AWS documentation instead:

* the canonical request hashes the bytes as they were sent: the path (normalised and encoded again, except for
  S3), the query (decoded, re-encoded, sorted), each signed header with its value trimmed of spaces and runs of
  spaces made one (nothing else), the signed header list, and the payload hash (``X-Amz-Content-SHA256`` if
  sent);
* ``X-Amz-Date`` more than 5 minutes away from the clock is refused (``InvalidSignatureException`` on JSON
  protocols, ``SignatureDoesNotMatch`` on query protocols, ``RequestTimeTooSkewed`` on S3);
* a role session (``ASIA...`` key) needs its session token, and an expired one is refused as
  ``ExpiredTokenException`` / ``ExpiredToken``; a long-term key must not carry a session token.

The router calls :func:`verify` before anything else sees a request (fault switches included); moto's own
signature check then stands aside for that request (:func:`install_moto_hook`), while moto's IAM policy
evaluation still runs.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional
from urllib.parse import quote, unquote

from .contract import AwsError, Request

MAX_SKEW = timedelta(minutes=5)
ALGORITHM = "AWS4-HMAC-SHA256"
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
    "Key and signing method. Consult the service documentation for details."
)
_verified = threading.local()


@dataclass
class Caller:
    access_key_id: str
    arn: str
    #: the IAM user name, or the role name of a role session
    name: str
    session_name: Optional[str] = None
    expiration: Optional[datetime] = None  # role sessions: naive UTC, as moto keeps it


# ---- errors, per protocol (json, rest-json, query, rest-xml)


def missing_authentication(protocol: str) -> AwsError:
    if protocol == "rest-xml":
        return AwsError("AccessDenied", "Access Denied", 403)
    if protocol == "query":
        return AwsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
    return AwsError("MissingAuthenticationTokenException", "Missing Authentication Token", 403)


def incomplete_signature(protocol: str, message: str) -> AwsError:
    if protocol == "rest-xml":
        return AwsError("AuthorizationHeaderMalformed", message, 400)
    if protocol == "query":
        return AwsError("IncompleteSignature", message, 400)
    return AwsError("IncompleteSignatureException", message, 400 if protocol == "json" else 403)


def signature_mismatch(protocol: str, message: str = _SIGNATURE_MISMATCH) -> AwsError:
    # AWS's JSON services say InvalidSignatureException here; the devstack keeps the code moto has always
    # answered (SignatureDoesNotMatch) so that clients and tests written against it keep working.
    return AwsError("SignatureDoesNotMatch", message, 403)


def time_skewed(protocol: str, sent: datetime, now: datetime) -> AwsError:
    if protocol == "rest-xml":
        return AwsError("RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", 403)
    fmt = lambda t: t.strftime(_AMZ_DATE)  # noqa: E731
    if sent < now:
        message = f"Signature expired: {fmt(sent)} is now earlier than {fmt(now - MAX_SKEW)} ({fmt(now)} - 5 min.)"
    else:
        message = f"Signature not yet current: {fmt(sent)} is still later than {fmt(now + MAX_SKEW)} ({fmt(now)} + 5 min.)"
    if protocol == "query":
        return AwsError("SignatureDoesNotMatch", message, 403)
    return AwsError("InvalidSignatureException", message, 400 if protocol == "json" else 403)


def invalid_key(protocol: str) -> AwsError:
    if protocol == "rest-xml":
        return AwsError("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", 403)
    return AwsError("InvalidClientTokenId", "The security token included in the request is invalid.", 403)


def invalid_token(protocol: str) -> AwsError:
    if protocol == "rest-xml":
        return AwsError("InvalidToken", "The provided token is malformed or otherwise invalid.", 400)
    return AwsError("InvalidClientTokenId", "The security token included in the request is invalid.", 403)


def expired_token(protocol: str) -> AwsError:
    """As AWS reports an expired session token, per protocol."""
    if protocol == "rest-xml":
        return AwsError("ExpiredToken", "The provided token has expired.", 400)
    if protocol == "query":
        return AwsError("ExpiredToken", "The security token included in the request is expired", 403)
    return AwsError("ExpiredTokenException", "The security token included in the request is expired", 400 if protocol == "json" else 403)


# ---- the canonical request


def canonical_header_value(value: str) -> str:
    """Trim leading and trailing spaces and make each run of spaces one space; any other character (tab, NBSP,
    NEL ...) is kept as sent."""
    return re.sub(" {2,}", " ", value.strip(" "))


def _encode(text: str) -> str:
    return quote(text, safe="-_.~")


def canonical_path(raw_path: str, service: str) -> str:
    if service == "s3":
        return raw_path or "/"
    segments: list[str] = []
    for segment in raw_path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    path = "/" + "/".join(segments)
    if raw_path.endswith("/") and segments:
        path += "/"
    return quote(path, safe="/~")


def canonical_query(raw_query: str) -> str:
    if not raw_query:
        return ""
    pairs = []
    for part in raw_query.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append((_encode(unquote(key)), _encode(unquote(value))))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def canonical_request(request: Request, signed_headers: list[str], service: str) -> bytes:
    raw_path = getattr(request, "raw_path", request.path)
    raw_query = getattr(request, "raw_query", "")
    headers = "".join(f"{name}:{canonical_header_value(request.headers.get(name, ''))}\n" for name in signed_headers)
    payload = request.headers.get("x-amz-content-sha256") or hashlib.sha256(request.body or b"").hexdigest()
    text = "\n".join(
        [request.method.upper(), canonical_path(raw_path, service), canonical_query(raw_query), headers, ";".join(signed_headers), payload]
    )
    # WSGI hands header values and the raw path over as latin-1 text: encoding back gives the bytes as sent.
    return text.encode("latin-1", "replace")


def signature(secret: str, amz_date: str, scope: list[str], canonical: bytes) -> str:
    date, region, service, terminal = scope
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, terminal):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    to_sign = "\n".join([ALGORITHM, amz_date, "/".join(scope), hashlib.sha256(canonical).hexdigest()])
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


# ---- who signed


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def find_caller(account_id: str, access_key_id: str) -> tuple[Optional[Caller], Optional[str], Optional[str]]:
    """(caller, secret, session token) of a key: an IAM user's long-term key, or a role session; Nones if unknown."""
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    iam = iam_backends[account_id]["global"]
    key = iam.access_keys.get(access_key_id)
    if key is not None and getattr(key, "user_name", None):
        user = iam.get_user(key.user_name)
        return Caller(access_key_id, user.arn, user.name), key.secret_access_key, None
    for session in reversed(sts_backends[account_id]["global"].assumed_roles):
        if session.access_key_id == access_key_id:
            role = session.role_arn.rsplit("/", 1)[-1]
            return (
                Caller(access_key_id, session.arn, role, session.session_name, session.expiration),
                session.secret_access_key,
                session.session_token,
            )
    return None, None, None


def _parse_authorization(value: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in value[len(ALGORITHM):].split(","):
        name, _, content = part.strip().partition("=")
        fields[name] = content.strip()
    return fields


def verify(request: Request, account_id: str, protocol: str, now: Optional[datetime] = None) -> Optional[Caller]:
    """The verified caller of a request, or :class:`AwsError` as AWS would answer.

    None for a presigned URL (query-string authentication), which is left to moto."""
    authorization = request.headers.get("authorization", "")
    if not authorization:
        if any(k.lower() == "x-amz-credential" for k in request.query):
            return None
        raise missing_authentication(protocol)
    if not authorization.startswith(ALGORITHM + " "):
        raise incomplete_signature(protocol, f"Unsupported authorization type: {authorization.split(' ', 1)[0][:40]}")
    fields = _parse_authorization(authorization)
    scope = fields.get("Credential", "").split("/")
    signed = [h for h in fields.get("SignedHeaders", "").split(";") if h]
    sent_signature = fields.get("Signature", "")
    if len(scope) != 5 or not signed or not sent_signature:
        raise incomplete_signature(
            protocol, "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters."
        )
    access_key_id, scope = scope[0], scope[1:]
    amz_date = request.headers.get("x-amz-date", "")
    try:
        sent = datetime.strptime(amz_date, _AMZ_DATE)
    except ValueError:
        raise incomplete_signature(protocol, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.") from None
    now = now or _utcnow()
    if abs(now - sent) > MAX_SKEW:
        raise time_skewed(protocol, sent, now)
    if scope[0] != amz_date[:8] or scope[3] != "aws4_request":
        raise signature_mismatch(protocol, f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope[0]}' != '{amz_date[:8]}', from '{amz_date}'.")
    caller, secret, token = find_caller(account_id, access_key_id)
    if caller is None or secret is None:
        raise invalid_key(protocol)
    sent_token = request.headers.get("x-amz-security-token")
    if token is None:
        if sent_token is not None:
            raise invalid_token(protocol)  # a long-term key carries no session token
    else:
        if not sent_token or not hmac.compare_digest(sent_token.encode("latin-1", "replace"), token.encode()):
            raise invalid_token(protocol)
        if caller.expiration is not None and now >= caller.expiration:
            raise expired_token(protocol)
    expected = signature(secret, amz_date, scope, canonical_request(request, signed, scope[2]))
    if not hmac.compare_digest(expected, sent_signature):
        raise signature_mismatch(protocol)
    _verified.key = access_key_id
    return caller


def done() -> None:
    """The request is served: moto verifies by itself again until the router verifies the next one."""
    _verified.key = None


def install_moto_hook() -> None:
    """moto's signature check (botocore's canonicalisation) stands aside for a request :func:`verify` accepted
    on this thread; requests that did not come through :func:`verify` are still checked by moto."""
    from moto.iam.access_control import IAMRequestBase

    if getattr(IAMRequestBase.check_signature, "_devstack", False):
        return
    original = IAMRequestBase.check_signature

    def check_signature(self) -> None:  # type: ignore[no-untyped-def]
        key = getattr(_verified, "key", None)
        if key is not None and key == getattr(self._access_key, "_access_key_id", None):
            return
        original(self)

    check_signature._devstack = True  # type: ignore[attr-defined]
    IAMRequestBase.check_signature = check_signature  # type: ignore[method-assign]
