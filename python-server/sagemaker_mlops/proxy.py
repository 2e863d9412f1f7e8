"""The AWS signing proxy: ``<base_url>sagemaker-mlops/aws/<service>/<path>``.

Every request is authenticated by Jupyter, authorized, XSRF-checked, matched against the allowlist, stripped of
everything the browser said about authentication and destination, re-signed with SigV4 using the server's
credentials, and sent to the endpoint the server resolved. Status, body and safe headers come back.
"""

from __future__ import annotations

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
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest, HTTPResponse
from tornado.simple_httpclient import HTTPTimeoutError

from .allowlist import Allowlist, Refused, Service, action_of
from .base import ROUTE_PREFIX, MLOpsHandler
from .endpoints import Upstream

#: Request headers the proxy forwards (lower case). Everything else is dropped, notably Authorization,
#: X-Amz-Security-Token, X-Amz-Date, X-Amz-Content-Sha256, Cookie, Host, X-XSRFToken, X-Forwarded-*, Origin.
FORWARDED_REQUEST_HEADERS = frozenset(
    {"content-type", "x-amz-target", "accept", "amz-sdk-invocation-id", "amz-sdk-request", "x-amz-user-agent"}
)

#: Query parameters that belong to Jupyter's authentication, not to the AWS request.
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

#: Bodies in the upstream's error replies that are not JSON (moto's XML auth errors, an HTML page of a network
#: appliance) become ``{"__type", "code", "message"}`` so the browser's SDK can parse them.
_XML_CODE = re.compile(r"<Code>([^<]{1,200})</Code>")
_XML_MESSAGE = re.compile(r"<Message>([^<]{0,2000})</Message>")
_CONTROL = re.compile(r"[\r\n\x00]")


class AwsProxyHandler(MLOpsHandler):
    SUPPORTED_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")

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
        request = self.request
        method = (request.method or "GET").upper()
        service_name, remainder = self._split_raw_path()
        headers = forwarded_headers(request.headers.get_all())
        allowlist: Allowlist = self.settings["sagemaker_mlops.allowlist"]
        match = allowlist.match(service_name, method, remainder, headers.get("x-amz-target"))
        service, operation = match.service, match.operation
        await self.authorize(action_of(operation))

        config = self.mlops_config
        body = request.body or b""
        if len(body) > config.max_request_bytes:
            raise Refused(
                "RequestTooLarge",
                f"The request body ({len(body)} bytes) exceeds the limit of {config.max_request_bytes} bytes.",
                413,
            )
        if method not in ("POST", "PUT", "PATCH"):
            body = b""
        aws = self.mlops_aws
        upstream = await aws.upstream(service)
        url = upstream_url(upstream.base_url, service, remainder, request.query)
        credentials = await aws.credentials()
        signed = sign(credentials, service, upstream, method, url, body, headers)

        started = time.monotonic()
        try:
            response = await self._client().fetch(
                HTTPRequest(
                    url=signed.url,
                    method=method,
                    headers=dict(signed.headers.items()),
                    body=body if method in ("POST", "PUT", "PATCH") else None,
                    follow_redirects=False,
                    connect_timeout=min(10.0, config.upstream_timeout),
                    request_timeout=config.upstream_timeout,
                    decompress_response=True,
                    allow_nonstandard_methods=True,
                ),
                raise_error=False,
            )
        except HTTPTimeoutError:
            raise self._timeout(service, operation) from None
        except HTTPClientError as error:  # 599 from another client implementation
            if "timeout" in str(error).lower():
                raise self._timeout(service, operation) from None
            raise self._unreachable(service, operation, error) from None
        except OSError as error:  # refused, DNS, TLS
            raise self._unreachable(service, operation, error) from None
        self.log.debug(
            "sagemaker_mlops proxy: %s.%s -> %s (%.0f ms)",
            service.name,
            operation,
            response.code,
            (time.monotonic() - started) * 1000,
        )
        await self._relay(service, response)

    def _client(self) -> AsyncHTTPClient:
        """The proxy's own HTTP client (created on the server's running loop): it never follows redirects."""
        client = self.settings.get("sagemaker_mlops.http")
        if client is None:
            client = AsyncHTTPClient(force_instance=True, max_clients=64)
            self.settings["sagemaker_mlops.http"] = client
        return client

    def _split_raw_path(self) -> tuple[str, str]:
        """(service, remainder) from the raw, still percent-encoded request path.

        The route matches ``.../sagemaker-mlops/aws(/.*)?``; tornado would hand the handler unquoted groups, in
        which ``%2f`` has become ``/``. The raw path keeps every trick visible to the exact-match allowlist.
        """
        prefix = url_path_join(self.base_url, ROUTE_PREFIX, "aws")
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

    def _unreachable(self, service: Service, operation: str, error: Exception) -> Refused:
        self.log.warning("sagemaker_mlops proxy: %s.%s unreachable (%s)", service.name, operation, type(error).__name__)
        return Refused(
            "UpstreamUnreachable",
            f"The AWS endpoint of {service.name} could not be reached ({operation}). Check the VPC endpoint of "
            "the service, the network and DNS of the Studio domain, then retry.",
            502,
        )

    async def _relay(self, service: Service, response: HTTPResponse) -> None:
        self.set_status(response.code)
        self.clear_header("Content-Type")
        relayed = [(name, value) for name, value in response.headers.get_all() if name.lower() in RELAYED_RESPONSE_HEADERS]
        body = response.body or b""
        if response.code >= 400:
            normalized = json_error(service, response.code, relayed, body)
            if normalized is not None:
                relayed, body = normalized
        content_type = next((v for k, v in relayed if k.lower() == "content-type"), "application/octet-stream")
        for name, value in relayed:
            if name.lower() != "content-type":
                self.add_header(name, value)
        if body:
            self.write(body)
        await self.finish(set_content_type=content_type)


def forwarded_headers(pairs) -> dict[str, str]:
    """The allowlisted request headers (lower-case names); a value with CR, LF or NUL is refused (400).

    Tornado already answers 400 to such requests at the HTTP layer; this holds for any server in front.
    """
    headers: dict[str, str] = {}
    for name, value in pairs:
        lowered = name.lower()
        if lowered not in FORWARDED_REQUEST_HEADERS:
            continue
        if _CONTROL.search(value):
            raise Refused("InvalidHeader", f"The header {lowered} contains CR, LF or NUL characters.", 400)
        headers[lowered] = value
    return headers


def upstream_url(base_url: str, service: Service, remainder: str, query: str) -> str:
    """The endpoint's URL + the validated remainder + the query re-encoded from its parsed pairs."""
    path = "/" if service.target_prefix is not None else remainder
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k not in JUPYTER_QUERY_PARAMS]
    url = base_url + path
    if pairs:
        url += "?" + urlencode(pairs, quote_via=quote, safe="-_.~")
    # The host is the configured one whatever the remainder held (the allowlist already made it a template).
    if urlsplit(url).netloc != urlsplit(base_url).netloc:
        raise Refused("InvalidPath", "The request path would change the destination.", 400)
    return url


def sign(credentials, service: Service, upstream: Upstream, method: str, url: str, body: bytes, headers: dict[str, str]):
    request = AWSRequest(method=method, url=url, data=body, headers={**headers, **upstream.headers})
    SigV4Auth(credentials, service.signing_name, upstream.signing_region).add_auth(request)
    return request.prepare()


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
        content_type = next((v for k, v in headers if k.lower() == "content-type"), "no content type")
        message = (
            f"The AWS endpoint of {service.name} answered HTTP {status} with a body that is not an AWS error "
            f"({_CONTROL.sub(' ', content_type)[:80]})."
        )
    payload = json.dumps({"__type": code, "code": code, "message": message}).encode()
    content_type = "application/x-amz-json-1.1" if service.target_prefix else "application/json"
    kept = [(k, v) for k, v in headers if k.lower() not in ("content-type", "x-amzn-errortype")]
    return kept + [("Content-Type", content_type), ("x-amzn-ErrorType", code)], payload
