"""The AWS signing proxy: ``<base_url>sagemaker-mlops/aws/<service>/<path>``.

Every request is authenticated by Jupyter, XSRF-checked, matched against the allowlist (operation, query
parameters, content type), authorized, and size-checked before its body is read (the body is streamed). The
operations an enabled capability inspects have their whole body parsed as JSON and shown to its inspectors, which
may refuse the request; the same bytes are forwarded. It is then
stripped of everything the browser said about authentication and destination, re-signed with SigV4 using the
server's credentials (AWS endpoints only), and sent to the endpoint the server resolved over a pooled keep-alive
connection. Status, body and safe headers of JSON (or the REST operation's documented) answers come back, with the
server's access key id and session token redacted.
"""

from __future__ import annotations

import functools
import html
import json
import re
import time
from typing import Optional
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.iostream import StreamClosedError

from .allowlist import JSON_RESPONSE_TYPES, Allowlist, Match, Refused, Service, _safe, action_of
from .base import ROUTE_PREFIX, MLOpsHandler
from .capabilities import InspectedRequest, Inspector
from .endpoints import Upstream
from .transport import Reply, UpstreamTimeout, UpstreamUnreachable

#: Request headers the proxy forwards (lower case). Everything else is dropped, notably Authorization,
#: X-Amz-Security-Token, X-Amz-Date, X-Amz-Content-Sha256, Cookie, Host, X-XSRFToken, X-Forwarded-*, Origin.
FORWARDED_REQUEST_HEADERS = frozenset(
    {"content-type", "x-amz-target", "accept", "amz-sdk-invocation-id", "amz-sdk-request", "x-amz-user-agent"}
)

#: Query parameters that belong to Jupyter's authentication, not to the AWS request: never forwarded.
JUPYTER_QUERY_PARAMS = frozenset({"token", "_xsrf"})

#: Response headers relayed to the browser (lower case). Hop-by-hop headers (Connection, Keep-Alive,
#: Transfer-Encoding, TE, Trailer, Upgrade, Proxy-*), Set-Cookie, Content-Length and Content-Encoding (the body
#: is decompressed here and re-framed by Jupyter's server) are never relayed, nor anything unknown.
RELAYED_RESPONSE_HEADERS = frozenset(
    {
        "content-type",
        "x-amzn-requestid",
        "x-amzn-errortype",
        "x-amzn-errormessage",
        "x-amz-request-id",
        "x-amz-id-2",
        "x-amz-apigw-id",
        "retry-after",
    }
)

#: A forwarded header value: printable ASCII words separated by single spaces. Tabs, NBSP (0xA0), NEL (0x85) and
#: runs of spaces canonicalize differently in botocore's signer and at AWS, whose SignatureDoesNotMatch answer then
#: quotes the canonical request, session token included.
_HEADER_VALUE = re.compile(r"(?:[\x21-\x7e]+(?: [\x21-\x7e]+)*)?\Z")

#: A relayed response header value: printable ASCII (anything else is dropped, it could not be re-sent safely).
_RELAYABLE_VALUE = re.compile(r"[\x20-\x7e]*\Z")

#: Bodies in the upstream's error replies that are not JSON (moto's XML auth errors, an HTML page of a network
#: appliance) become ``{"__type", "code", "message"}`` so the browser's SDK can parse them.
_XML_CODE = re.compile(r"<Code>([^<]{1,200})</Code>")
_XML_MESSAGE = re.compile(r"<Message>([^<]{0,2000})</Message>")
_CONTROL = re.compile(r"[\r\n\x00]")

REDACTED = "[redacted]"
REDACTED_BYTES = REDACTED.encode()


@web.stream_request_body
class AwsProxyHandler(MLOpsHandler):
    SUPPORTED_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")

    _match: Optional[Match] = None
    _inspectors: list[Inspector] = []
    _aws_headers: dict[str, str]
    _query: list[tuple[str, str]]
    _remainder: str = ""
    _chunks: list[bytes]
    _received = 0
    _limit = 0  # max_request_bytes, set by prepare() before any chunk arrives
    _too_large = False
    _client_gone = False

    async def prepare(self) -> None:
        """Everything that can refuse the request, before a byte of its body is read."""
        self._chunks = []
        await super().prepare()  # authentication (403 if none) and strict XSRF
        request = self.request
        method = (request.method or "GET").upper()
        service_name, self._remainder = self._split_raw_path()
        self._aws_headers = forwarded_headers(request.headers.get_all())
        allowlist: Allowlist = self.settings["sagemaker_mlops.allowlist"]
        match = allowlist.match(service_name, method, self._remainder, self._aws_headers.get("x-amz-target"))
        self._query = allowed_query(match, request.query)
        check_content_type(match, self._aws_headers.get("content-type"), declares_body(request.headers))
        await self.authorize(action_of(match.operation))
        inspectors = self.settings.get("sagemaker_mlops.inspectors")
        self._inspectors = inspectors.of(match.service.name, match.operation) if inspectors is not None else []

        limit = self.mlops_config.max_request_bytes
        declared = request.headers.get("Content-Length")
        if declared is not None:
            if not declared.isdigit():
                raise Refused("BadRequest", "Invalid Content-Length.", 400)
            if int(declared) > limit:
                raise Refused(
                    "RequestTooLarge",
                    f"The request body ({int(declared)} bytes) exceeds the limit of {limit} bytes.",
                    413,
                )
        # A chunked body that grows past the limit makes tornado drop the connection without reading on.
        request.connection.set_max_body_size(limit)
        self._limit = limit
        self._match = match

    def data_received(self, chunk: bytes) -> None:
        self._received += len(chunk)
        if self._received > self._limit:
            self._too_large = True
            self._chunks = []
        elif not self._too_large:
            self._chunks.append(chunk)

    def on_connection_close(self) -> None:
        self._client_gone = True
        super().on_connection_close()

    @web.authenticated
    async def get(self, *_: str) -> None:
        await self._forward()

    @web.authenticated
    async def post(self, *_: str) -> None:
        await self._forward()

    @web.authenticated
    async def put(self, *_: str) -> None:
        await self._forward()

    @web.authenticated
    async def delete(self, *_: str) -> None:
        await self._forward()

    @web.authenticated
    async def patch(self, *_: str) -> None:
        await self._forward()

    async def _forward(self) -> None:
        match = self._match
        assert match is not None  # prepare() either matched or refused
        service, operation = match.service, match.operation
        method = (self.request.method or "GET").upper()
        config = self.mlops_config
        if self._too_large:
            raise Refused(
                "RequestTooLarge", f"The request body exceeds the limit of {config.max_request_bytes} bytes.", 413
            )
        has_body = method in ("POST", "PUT", "PATCH")
        body = b"".join(self._chunks) if has_body else b""
        self._chunks = []
        if self._inspectors:
            inspected = InspectedRequest(service.name, operation, inspected_body(service, operation, body), self)
            for inspector in self._inspectors:
                await inspector(inspected)
        forwarded = self._aws_headers
        if not body and not service.is_json:
            forwarded = {k: v for k, v in forwarded.items() if k != "content-type"}

        aws = self.mlops_aws
        upstream = await aws.upstream(service)
        url = upstream_url(upstream.base_url, service, self._remainder, self._query)
        credentials = await aws.credentials()
        if upstream.signed:
            headers = sign(credentials, service, upstream, method, url, body, forwarded)
        else:
            headers = dict(forwarded)

        started = time.monotonic()
        try:
            reply = await aws.transport.send(method, url, headers, body if has_body else None)
        except UpstreamTimeout:
            raise self._timeout(service, operation) from None
        except UpstreamUnreachable as error:
            raise self._unreachable(service, operation, error.kind) from None
        self.log.debug(
            "sagemaker_mlops proxy: %s.%s -> %s (%.0f ms)",
            service.name,
            operation,
            reply.status,
            (time.monotonic() - started) * 1000,
        )
        secrets = (credentials.access_key, credentials.token, credentials.secret_key)
        await self._relay(match, reply, secrets)

    def _split_raw_path(self) -> tuple[str, str]:
        """(service, remainder) from the raw, still percent-encoded request path.

        The route matches ``.../sagemaker-mlops/aws(/.*)?``; tornado would hand the handler unquoted groups, in
        which ``%2f`` has become ``/``. The raw path keeps every trick visible to the exact-match allowlist.
        """
        prefix = aws_prefix(self.base_url)
        path = self.request.path
        rest = path[len(prefix) :] if path.startswith(prefix) else ""
        if not rest.startswith("/"):
            return "", rest
        service, slash, tail = rest[1:].partition("/")
        return service, slash + tail

    def _timeout(self, service: Service, operation: str) -> Refused:
        seconds = self.mlops_config.upstream_timeout
        self.log.warning("sagemaker_mlops proxy: %s.%s timed out after %g s", service.name, operation, seconds)
        return Refused(
            "UpstreamTimeout",
            f"The AWS endpoint of {service.name} did not answer {operation} within {seconds:g} s. Retry later.",
            504,
        )

    def _unreachable(self, service: Service, operation: str, kind: str) -> Refused:
        self.log.warning("sagemaker_mlops proxy: %s.%s unreachable (%s)", service.name, operation, kind)
        return Refused(
            "UpstreamUnreachable",
            f"The AWS endpoint of {service.name} could not be reached ({operation}). Check the VPC endpoint of "
            "the service, the network and DNS of the Studio domain, then retry.",
            502,
        )

    async def _relay(self, match: Match, reply: Reply, secrets: tuple[Optional[str], ...]) -> None:
        service = match.service
        relayed = [
            (name, value)
            for name, value in reply.headers
            if name.lower() in RELAYED_RESPONSE_HEADERS and _RELAYABLE_VALUE.match(value)
        ]
        body = reply.body
        allowed = match.rest.response_types if match.rest is not None else JSON_RESPONSE_TYPES
        if reply.status >= 400:
            normalized = json_error(service, reply.status, relayed, body)
            if normalized is not None:
                relayed, body = normalized
            elif media_type(content_type_of(relayed)) not in allowed:  # a JSON object under another type
                relayed = [(k, v) for k, v in relayed if k.lower() != "content-type"]
                relayed.append(("Content-Type", default_json_type(service)))
        elif body and media_type(content_type_of(relayed)) not in allowed:
            self.log.warning(
                "sagemaker_mlops proxy: %s.%s answered %s with content type %r: not relayed",
                service.name,
                match.operation,
                reply.status,
                _safe(content_type_of(relayed) or "", 80),
            )
            raise Refused(
                "UnexpectedContentType",
                f"The endpoint of {service.name} answered {match.operation} with "
                f"'{_safe(content_type_of(relayed) or 'no content type', 80)}', not with "
                f"{' or '.join(sorted(allowed))}: not relayed. A network appliance may be answering instead of AWS.",
                502,
            )
        relayed, body = redact(relayed, body, secrets)
        if self._client_gone:
            self._log_gone(match)
            return
        self.set_status(reply.status)
        self.clear_header("Content-Type")
        content_type = content_type_of(relayed) or default_json_type(service)
        for name, value in relayed:
            if name.lower() != "content-type":
                self.add_header(name, value)
        if body:
            self.write(body)
        try:
            await self.finish(set_content_type=content_type)
        except StreamClosedError:
            self._log_gone(match)

    def _log_gone(self, match: Match) -> None:
        self.log.info(
            "sagemaker_mlops proxy: %s.%s: the client disconnected before the answer was relayed",
            match.service.name,
            match.operation,
        )


@functools.lru_cache(maxsize=8)
def aws_prefix(base_url: str) -> str:
    """The proxy's route prefix under a server's base URL (the same on every request)."""
    return url_path_join(base_url, ROUTE_PREFIX, "aws")


def inspected_body(service: Service, operation: str, body: bytes):
    """The JSON body of an inspected request, parsed so that it can mean one thing only: strict UTF-8, no NaN or
    Infinity, and no key given twice in an object, not even in another letter case (the upstream could read the
    other one). An empty body is ``{}``. Anything else is refused (400)."""
    name = f"{service.name}.{operation}"
    if not body.strip():
        return {}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("InvalidRequestBody", f"{name}: the request body is not UTF-8.", 400) from None

    def unique(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            folded = key.casefold()
            if folded in seen:
                raise Refused("InvalidRequestBody", f"{name}: the key '{_safe(key, 80)}' is given twice.", 400)
            seen.add(folded)
        return dict(pairs)

    def constant(value: str):
        raise Refused("InvalidRequestBody", f"{name}: {value} is not JSON.", 400)

    try:
        return json.loads(text, object_pairs_hook=unique, parse_constant=constant)
    except ValueError:
        raise Refused("InvalidRequestBody", f"{name}: the request body is not valid JSON.", 400) from None
    except RecursionError:
        raise Refused("InvalidRequestBody", f"{name}: the request body is nested too deeply.", 400) from None


def forwarded_headers(pairs) -> dict[str, str]:
    """The allowlisted request headers (lower-case names); a value that is not printable ASCII with single spaces
    (tab, NBSP, NEL, other controls, non-ASCII, runs of spaces, CR/LF/NUL) is refused (400)."""
    headers: dict[str, str] = {}
    for name, value in pairs:
        lowered = name.lower()
        if lowered not in FORWARDED_REQUEST_HEADERS:
            continue
        if not _HEADER_VALUE.match(value):
            raise Refused(
                "InvalidHeader",
                f"The header {lowered} must be printable ASCII with single spaces (no tabs, control or non-ASCII "
                "characters, CR or LF).",
                400,
            )
        headers[lowered] = value
    return headers


def allowed_query(match: Match, query: str) -> list[tuple[str, str]]:
    """The query parameters to forward: none for JSON-protocol services, the operation's own for REST ones.

    Jupyter's ``token`` / ``_xsrf`` are never forwarded. Anything else not defined by the operation is refused:
    a JSON-protocol endpoint would act on a Query-protocol ``Action`` in the query string.
    """
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k not in JUPYTER_QUERY_PARAMS]
    defined = match.rest.query if match.rest is not None else frozenset()
    unknown = sorted({k for k, _ in pairs if k not in defined})
    if unknown or (match.rest is None and pairs):
        name = f"{match.service.name}.{match.operation}"
        what = "takes no query string (JSON protocol)" if match.rest is None else "does not define it"
        raise Refused(
            "QueryNotAllowed",
            f"The query parameter '{_safe(unknown[0] if unknown else pairs[0][0], 80)}' is not forwarded: {name} {what}.",
        )
    return pairs


def declares_body(headers) -> bool:
    length = headers.get("Content-Length")
    return bool(headers.get("Transfer-Encoding")) or (length is not None and length.strip() not in ("", "0"))


def check_content_type(match: Match, content_type: Optional[str], has_body: bool) -> None:
    service = match.service
    if service.is_json:
        expected = service.json_content_type or ""
        if (content_type or "").strip().lower() != expected:
            raise Refused(
                "ContentTypeNotAllowed",
                f"{service.name}.{match.operation} takes Content-Type {expected} only, not "
                f"'{_safe(content_type or 'none', 80)}'.",
            )
        return
    assert match.rest is not None
    if not has_body:  # nothing to interpret; the header is not forwarded either (see _forward)
        return
    if media_type(content_type) not in match.rest.request_types:
        raise Refused(
            "ContentTypeNotAllowed",
            f"{service.name}.{match.operation} takes a body of {' or '.join(sorted(match.rest.request_types))} "
            f"only, not '{_safe(content_type or 'none', 80)}'.",
        )


def media_type(content_type: Optional[str]) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def content_type_of(headers: list[tuple[str, str]]) -> Optional[str]:
    return next((v for k, v in headers if k.lower() == "content-type"), None)


def default_json_type(service: Service) -> str:
    return service.json_content_type or "application/json"


def upstream_url(base_url: str, service: Service, remainder: str, pairs: list[tuple[str, str]]) -> str:
    """The endpoint's URL + the validated remainder + the allowed query, re-encoded from its parsed pairs."""
    path = "/" if service.is_json else remainder
    url = base_url + path
    if pairs:
        url += "?" + urlencode(pairs, quote_via=quote, safe="-_.~")
    # The host is the configured one whatever the remainder held (the allowlist already made it a template).
    if urlsplit(url).netloc != urlsplit(base_url).netloc:
        raise Refused("InvalidPath", "The request path would change the destination.", 400)
    return url


def sign(
    credentials, service: Service, upstream: Upstream, method: str, url: str, body: bytes, headers: dict[str, str]
) -> dict[str, str]:
    """The headers to send: the forwarded ones, the server's own (signed too), Host, X-Amz-Date, the session token
    and Authorization. Host is the one botocore's signer derives from the endpoint URL (``url`` has the endpoint's
    host, see :func:`upstream_url`) and is sent as signed; Content-Length is set by the HTTP client."""
    request = _SigningRequest(
        method=method, url=url, data=body, headers={**headers, **upstream.headers, "host": signed_host(upstream.base_url)}
    )
    SigV4Auth(credentials, service.signing_name, upstream.signing_region).add_auth(request)
    return dict(request.headers.items())


class _SigningRequest(AWSRequest):
    """An AWSRequest whose body is the bytes it was given, as is: what ``AWSRequest.body`` returns for bytes, without
    building a prepared request (URL, headers and body copied) each time botocore's signer reads it."""

    @property
    def body(self) -> bytes:
        return self.data


@functools.lru_cache(maxsize=64)
def signed_host(base_url: str) -> str:
    """The Host header botocore's SigV4 signer derives from an endpoint URL (lower case, without the scheme's
    default port), worked out once per endpoint by the signer itself."""
    return SigV4Auth(None, "", "").headers_to_sign(AWSRequest(method="GET", url=base_url))["host"]


def redact(
    headers: list[tuple[str, str]], body: bytes, secrets: tuple[Optional[str], ...]
) -> tuple[list[tuple[str, str]], bytes]:
    """The last line of defence: the server's access key id, session token (and secret key) never go back to the
    browser, raw, JSON-escaped or percent-encoded, in any relayed header or body."""
    variants = redaction_variants(tuple(secrets))
    if not variants:
        return headers, body
    for variant, raw in variants:
        if raw in body:
            body = body.replace(raw, REDACTED_BYTES)
    cleaned = []
    for name, value in headers:
        for variant, _ in variants:
            if variant in value:
                value = value.replace(variant, REDACTED)
        cleaned.append((name, value))
    return cleaned, body


@functools.lru_cache(maxsize=4)
def redaction_variants(secrets: tuple[Optional[str], ...]) -> tuple[tuple[str, bytes], ...]:
    """The forms of the secrets that are redacted, longest first, as text and as bytes (worked out once per set of
    credentials; they stay the same until botocore refreshes them)."""
    variants: set[str] = set()
    for secret in secrets:
        if secret and len(secret) >= 8:
            variants |= {secret, secret.replace("/", "\\/"), quote(secret, safe=""), quote(secret, safe="").lower()}
    return tuple((variant, variant.encode()) for variant in sorted(variants, key=len, reverse=True))


def json_error(
    service: Service, status: int, headers: list[tuple[str, str]], body: bytes
) -> Optional[tuple[list[tuple[str, str]], bytes]]:
    """An upstream error whose body is not a JSON object, as ``{__type, code, message}``; None to relay as is."""
    try:
        if isinstance(json.loads(body or b"null"), dict):
            return None
    except ValueError:
        pass
    text = body.decode("utf-8", errors="replace")
    header_type = next((v for k, v in headers if k.lower() == "x-amzn-errortype"), "")
    code_match, message_match = _XML_CODE.search(text), _XML_MESSAGE.search(text)
    code = (code_match.group(1) if code_match else header_type.split(":", 1)[0]) or f"HTTP{status}"
    code = re.sub(r"[^A-Za-z0-9_.-]", "", html.unescape(code))[:100] or f"HTTP{status}"
    if message_match:
        message = html.unescape(message_match.group(1)).strip()
    else:
        content_type = content_type_of(headers) or "no content type"
        message = (
            f"The AWS endpoint of {service.name} answered HTTP {status} with a body that is not an AWS error "
            f"({_CONTROL.sub(' ', content_type)[:80]})."
        )
    payload = json.dumps({"__type": code, "code": code, "message": message}).encode()
    kept = [(k, v) for k, v in headers if k.lower() not in ("content-type", "x-amzn-errortype")]
    return kept + [("Content-Type", default_json_type(service)), ("x-amzn-ErrorType", code)], payload
