"""The body is streamed: authentication, XSRF, the allowlist and the size limit are checked before it is read."""

import json
import time

import pytest

from conftest import aws_call, error_of, raw_exchange, raw_head, untouched

BIG = 64 * 1024 * 1024


@pytest.fixture
def mlops_config(tmp_path, upstream):
    return {
        "resource_metadata_path": str(tmp_path / "none.json"),
        "endpoint_urls": {"sagemaker": upstream.url},
        "max_request_bytes": 1024,
    }


def target_headers(target="SageMaker.ListPipelines", **extra):
    return {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target, **extra}


async def declared(jp_http_port, jp_base_url, auth_header, headers, body=b""):
    """Declare a 64 MiB body, send at most a little of it, and read the answer."""
    head = raw_head(jp_http_port, jp_base_url, auth_header, "/sagemaker-mlops/aws/sagemaker/", headers)
    started = time.monotonic()
    reply = await raw_exchange(jp_http_port, head + body, timeout=5)
    return reply, time.monotonic() - started


async def test_a_declared_64_mib_body_is_refused_before_it_is_read(jp_http_port, jp_base_url, jp_auth_header, call, upstream):
    await call("/sagemaker-mlops/context")  # starts the server
    reply, elapsed = await declared(
        jp_http_port, jp_base_url, jp_auth_header, target_headers(**{"Content-Length": str(BIG)}), b"{" + b" " * 1000
    )
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert json.loads(reply.split(b"\r\n\r\n", 1)[1])["code"] == "RequestTooLarge"
    assert elapsed < 4
    assert untouched(upstream)


async def test_expect_100_continue_gets_no_continue_when_too_large(jp_http_port, jp_base_url, jp_auth_header, call, upstream):
    await call("/sagemaker-mlops/context")
    reply, _ = await declared(
        jp_http_port, jp_base_url, jp_auth_header, target_headers(**{"Content-Length": str(BIG), "Expect": "100-continue"})
    )
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert b"100 (Continue)" not in reply and b"100 Continue" not in reply
    assert untouched(upstream)


@pytest.mark.parametrize(
    "case,expected",
    [("unauthenticated", b"HTTP/1.1 403"), ("no-xsrf", b"HTTP/1.1 403"), ("not-allowed", b"HTTP/1.1 403")],
)
async def test_refusals_come_before_the_body(jp_http_port, jp_base_url, jp_auth_header, call, upstream, case, expected):
    await call("/sagemaker-mlops/context")
    headers = target_headers("SageMaker.DeleteDomain" if case == "not-allowed" else "SageMaker.ListPipelines")
    headers["Content-Length"] = str(BIG)
    head = raw_head(jp_http_port, jp_base_url, None if case == "unauthenticated" else jp_auth_header, "/sagemaker-mlops/aws/sagemaker/", headers)
    if case == "no-xsrf":
        head = head.replace(b"X-XSRFToken", b"X-Other")
    started = time.monotonic()
    reply = await raw_exchange(jp_http_port, head, timeout=5)
    assert reply.startswith(expected), reply[:200]
    assert time.monotonic() - started < 4
    assert untouched(upstream)


async def test_chunked_body_over_the_limit_is_not_forwarded(jp_http_port, jp_base_url, jp_auth_header, call, upstream):
    await call("/sagemaker-mlops/context")
    head = raw_head(
        jp_http_port, jp_base_url, jp_auth_header, "/sagemaker-mlops/aws/sagemaker/",
        target_headers(**{"Transfer-Encoding": "chunked"}),
    )
    chunk = b"x" * 600
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(3)) + b"0\r\n\r\n"
    reply = await raw_exchange(jp_http_port, head + body, timeout=5)
    assert reply.startswith((b"HTTP/1.1 400", b"HTTP/1.1 413")), reply[:200]
    assert untouched(upstream)


async def test_a_body_at_the_limit_is_forwarded_whole(call, upstream):
    payload = {"pad": "x" * (1024 - 11)}
    body = json.dumps(payload)
    assert len(body) == 1024
    response = await call("/sagemaker-mlops/aws/sagemaker/", method="POST", body=body, headers=target_headers())
    assert response.code == 200, response.body
    assert upstream.requests[0]["body"] == body.encode()


async def test_one_byte_over_is_413(call, upstream):
    body = json.dumps({"pad": "x" * (1024 - 10)})
    response = await call("/sagemaker-mlops/aws/sagemaker/", method="POST", body=body, headers=target_headers())
    assert response.code == 413
    assert error_of(response)["code"] == "RequestTooLarge"
    assert untouched(upstream)


async def test_invalid_content_length_is_400(jp_http_port, jp_base_url, jp_auth_header, call, upstream):
    await call("/sagemaker-mlops/context")
    reply, _ = await declared(jp_http_port, jp_base_url, jp_auth_header, target_headers(**{"Content-Length": "-5"}))
    assert reply.startswith(b"HTTP/1.1 400"), reply[:200]
    assert untouched(upstream)


async def test_the_limit_does_not_apply_to_other_routes_unauthenticated(call):
    response = await call("/sagemaker-mlops/aws/sagemaker/", auth=False, **aws_call("SageMaker.ListPipelines", {"p": "x" * 5000}))
    assert response.code == 403
