"""The AWS signing proxy: ``/sagemaker-mlops/aws/<service>/<path>``.

Every request is authenticated by Jupyter and XSRF-checked, matched against the allowlist, stripped of
everything the browser said about authentication and destination, re-signed with SigV4 using the server's
credentials, and sent to the endpoint the server resolved. Status, body and safe headers come back.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qsl, quote, urlencode

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.simple_httpclient import HTTPTimeoutError

from .allowlist import Refused, Service, match_operation
from .base import MLOpsHandler

#: Request headers the proxy forwards (lower case). Everything else is dropped, notably Authorization,
#: X-Amz-Security-Token, X-Amz-Date, X-Amz-Content-Sha256, Cookie, Host, X-XSRFToken, X-Forwarded-*.
FORWARDED_REQUEST_HEADERS = frozenset({"content-type", "x-amz-target", "accept", "amz-sdk-invocation-id", "amz-sdk-request"})

#: Query parameters that belong to Jupyter's authentication, not to the AWS request.
JUPYTER_QUERY_PARAMS = frozenset({"token", "_xsrf"})

#: Response headers relayed to the browser (lower case). Hop-by-hop headers, Set-Cookie, Content-Length and
#: Content-Encoding (the body is decompressed) are never relayed.
RELAYED_RESPONSE_HEADERS = frozenset(
    {"content-type", "x-amzn-requestid", "x-amzn-errortype", "x-amz-request-id", "x-amz-id-2", "x-amz-apigw-id"}
)


class AwsProxyHandler(MLOpsHandler):
    SUPPORTED_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")

    @web.authenticated
    async def get(self, service_name: str) -> None:
        await self._forward(service_name)

    @web.authenticated
    async def post(self, service_name: str) -> None:
        await self._forward(service_name)

    @web.authenticated
    async def put(self, service_name: str) -> None:
        await self._forward(service_name)

    @web.authenticated
    async def delete(self, service_name: str) -> None:
        await self._forward(service_name)

    @web.authenticated
    async def patch(self, service_name: str) -> None:
        await self._forward(service_name)

    async def _forward(self, service_name: str) -> None:
        request = self.request
        method = request.method or "GET"
        remainder = self._raw_remainder(service_name)
        target = request.headers.get("X-Amz-Target")
        service, operation = match_operation(service_name, method, remainder, target)

        body = request.body or b""
        if len(body) > self.mlops_config.max_request_bytes:
            raise Refused(
                "RequestTooLarge",
                f"The request body ({len(body)} bytes) exceeds the limit of {self.mlops_config.max_request_bytes} bytes.",
                413,
            )
        headers = self._forwarded_headers()
        aws = self.mlops_aws
        url = self._upstream_url(aws.endpoint(service), service, remainder)
        signed = self._sign(service, method, url, body, headers)

        started = time.monotonic()
        try:
            response = await AsyncHTTPClient().fetch(
                HTTPRequest(
                    url=signed.url,
                    method=method,
                    headers=dict(signed.headers.items()),
                    body=body if method in ("POST", "PUT", "PATCH") else None,
                    follow_redirects=False,
                    connect_timeout=min(10.0, self.mlops_config.upstream_timeout),
                    request_timeout=self.mlops_config.upstream_timeout,
                    decompress_response=True,
                    allow_nonstandard_methods=True,
                ),
                raise_error=False,
            )
        except HTTPTimeoutError:
            self.log.warning("sagemaker_mlops proxy: %s.%s timed out", service.name, operation)
            raise Refused(
                "UpstreamTimeout",
                f"{service.name} did not answer {operation} within {self.mlops_config.upstream_timeout:g} s. Retry later.",
                504,
            ) from None
        except (OSError, HTTPClientError) as error:
            self.log.warning("sagemaker_mlops proxy: %s.%s unreachable (%s)", service.name, operation, type(error).__name__)
            raise Refused(
                "UpstreamUnreachable",
                f"The AWS endpoint of {service.name} could not be reached. "
                "Check the network, VPC endpoints and proxy settings, then retry.",
                502,
            ) from None
        elapsed_ms = (time.monotonic() - started) * 1000
        self.log.debug("sagemaker_mlops proxy: %s.%s -> %s (%.0f ms)", service.name, operation, response.code, elapsed_ms)
        self.set_status(response.code, response.reason)
        self.clear_header("Content-Type")
        for name, value in response.headers.get_all():
            if name.lower() in RELAYED_RESPONSE_HEADERS:
                self.add_header(name, value)
        if response.body:
            self.write(response.body)
        await self.finish()

    def _raw_remainder(self, service_name: str) -> str:
        """The still-encoded path after ``/aws/<service>``, from the raw request path."""
        marker = f"/sagemaker-mlops/aws/{service_name}"
        path = self.request.path
        index = path.find(marker)
        if index < 0:  # the service segment was percent-encoded: never a known service
            raise Refused("ServiceNotAllowed", "The service name must be plain.")
        return path[index + len(marker) :]

    def _forwarded_headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        for name, value in self.request.headers.get_all():
            lowered = name.lower()
            if lowered not in FORWARDED_REQUEST_HEADERS:
                continue
            if any(ch in value for ch in "\r\n\x00"):
                raise Refused("InvalidHeader", f"The header {lowered} contains control characters.", 400)
            headers[lowered] = value
        return headers

    def _upstream_url(self, endpoint: str, service: Service, remainder: str) -> str:
        path = remainder if service.target_prefix is None else "/"
        query = self.request.query
        # Jupyter's own `token` and `_xsrf` query parameters never travel to AWS.
        pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k not in JUPYTER_QUERY_PARAMS]
        url = endpoint + path
        if pairs:
            url += "?" + urlencode(pairs, quote_via=quote, safe="-_.~")
        return url

    def _sign(self, service: Service, method: str, url: str, body: bytes, headers: dict[str, str]) -> AWSRequest:
        aws = self.mlops_aws
        credentials = aws.credentials()
        request = AWSRequest(method=method, url=url, data=body, headers=headers)
        SigV4Auth(credentials, service.signing_name, aws.region).add_auth(request)
        return request.prepare()
