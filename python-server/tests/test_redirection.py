"""Nothing in the browser's request can change where the proxy sends it."""

import asyncio
import socket

import pytest

from conftest import aws_call, error_of


@pytest.fixture
def mlops_config(tmp_path, upstream):
    return {
        "resource_metadata_path": str(tmp_path / "none.json"),
        "endpoint_urls": {"sagemaker": upstream.url, "codeartifact": upstream.url},
    }


def evil_values(evil):
    host = evil.host
    return [
        evil.url,
        f"{evil.url}/",
        f"http://{host}#.amazonaws.com",
        f"https://evil.example#.sagemaker.us-east-1.amazonaws.com",
        f"http://api.sagemaker.us-east-1.amazonaws.com@{host}/",
        f"user@{host}",
        host,
    ]


HEADER_NAMES = [
    "X-Service-Endpoint-Url",
    "X-Amz-Endpoint",
    "X-Forwarded-Host",
    "X-Forwarded-Server",
    "X-Original-Url",
    "X-Rewrite-Url",
    "Forwarded",
    "Host",
]


@pytest.mark.parametrize("header", HEADER_NAMES)
async def test_destination_headers_are_ignored(call, upstream, evil, header):
    for value in evil_values(evil):
        kwargs = aws_call("SageMaker.ListPipelines")
        kwargs["headers"][header] = value if header != "Forwarded" else f"host={value}"
        response = await call("/sagemaker-mlops/aws/sagemaker/", **kwargs)
        # A malformed Host is refused by the HTTP server itself (400); anything else is served as usual.
        assert response.code == 200 or (header == "Host" and response.code == 400), (header, value, response.body)
    assert evil.requests == []
    if header != "Host":
        assert len(upstream.requests) == len(evil_values(evil))
    for request in upstream.requests:
        assert request["headers"]["Host"] == upstream.host
        assert header not in request["headers"] or header == "Host"


async def test_host_like_values_in_the_query_stay_query(call, upstream, evil):
    response = await call(
        f"/sagemaker-mlops/aws/codeartifact/v1/packages?domain=mlops&endpoint={evil.url}%23.amazonaws.com&x=%0d%0aHost:{evil.host}",
        method="POST",
        body="",
    )
    assert response.code == 200
    assert evil.requests == []
    (request,) = upstream.requests
    assert request["headers"]["Host"] == upstream.host
    assert "\r" not in request["path"] and "\n" not in request["path"]


@pytest.mark.parametrize(
    "path",
    [
        "/sagemaker-mlops/aws/sagemaker/http://{evil}/",
        "/sagemaker-mlops/aws/sagemaker//{evil}/",
        "/sagemaker-mlops/aws/sagemaker/../../../{evil}",
        "/sagemaker-mlops/aws/codeartifact/v1/packages/../../../{evil}",
        "/sagemaker-mlops/aws/codeartifact/v1/%2e%2e/%2e%2e/{evil}",
        "/sagemaker-mlops/aws/codeartifact/v1%2fpackages",
        "/sagemaker-mlops/aws/codeartifact//{evil}/v1/packages",
        "/sagemaker-mlops/aws/codeartifact@{evil}/v1/packages",
        "/sagemaker-mlops/aws/codeartifact/http:%2f%2f{evil}/v1/packages",
        "/sagemaker-mlops/aws/codeartifact/v1/packages#@{evil}",
    ],
)
async def test_path_tricks_are_refused(call, upstream, evil, path):
    kwargs = aws_call("SageMaker.ListPipelines") if "/sagemaker/" in path else {"method": "POST", "body": ""}
    response = await call(path.format(evil=evil.host), **kwargs)
    if "#" in path:
        # The fragment never leaves the client: what arrives is the plain, allowed path.
        assert response.code == 200
        assert [r["path"] for r in upstream.requests] == ["/v1/packages"]
        assert evil.requests == []
        return
    # 403 from the allowlist, or 404 when the route itself does not match: never forwarded elsewhere.
    assert response.code in (403, 404), (path, response.code, response.body)
    if response.code == 403:
        assert error_of(response)["code"] in ("OperationNotAllowed", "ServiceNotAllowed")
    assert evil.requests == []
    for request in upstream.requests:  # a '#...' fragment is never sent by the client: the exact path may pass
        assert request["path"].startswith("/v1/packages")


async def test_forged_host_header_does_not_redirect(call, upstream, evil):
    kwargs = aws_call("SageMaker.ListPipelines")
    kwargs["headers"]["Host"] = evil.host
    response = await call("/sagemaker-mlops/aws/sagemaker/", **kwargs)
    assert response.code == 200
    assert evil.requests == []
    assert upstream.requests[0]["headers"]["Host"] == upstream.host


async def _raw_request(port: int, raw: bytes) -> bytes:
    def run() -> bytes:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(raw)
            chunks = []
            while True:
                try:
                    chunk = sock.recv(65536)
                except socket.timeout:
                    break
                if not chunk:
                    break
                chunks.append(chunk)
                if b"\r\n\r\n" in b"".join(chunks) and len(b"".join(chunks)) > 200:
                    break
            return b"".join(chunks)

    return await asyncio.get_running_loop().run_in_executor(None, run)


async def test_crlf_in_header_values_cannot_inject_headers(jp_http_port, jp_base_url, jp_auth_header, upstream, evil):
    base = jp_base_url.rstrip("/")
    token = jp_auth_header["Authorization"]
    body = b"{}"
    # obs-fold continuation lines: the only way a header value can span lines on the wire.
    raw = (
        f"POST {base}/sagemaker-mlops/aws/sagemaker/ HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{jp_http_port}\r\n"
        f"Authorization: {token}\r\n"
        "Cookie: _xsrf=abc123\r\n"
        "X-XSRFToken: abc123\r\n"
        "X-Amz-Target: SageMaker.ListPipelines\r\n"
        "Content-Type: application/x-amz-json-1.1\r\n"
        f" Host: {evil.host}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    ).encode() + body
    reply = await _raw_request(jp_http_port, raw)
    # Either the HTTP server drops the malformed message (no reply) or it answers; never an injected header.
    assert reply == b"" or reply.startswith(b"HTTP/1.1 ")
    assert evil.requests == []
    for request in upstream.requests:
        assert request["headers"]["Host"] == upstream.host
        for value in request["headers"].values():
            assert "\r" not in value and "\n" not in value
        assert list(request["headers"]).count("Host") == 1
