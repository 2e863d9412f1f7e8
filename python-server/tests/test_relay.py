"""What comes back: status, body and safe headers; limits, timeouts, unreachable upstreams; no secrets anywhere."""

import gzip
import json
import logging
import time

import pytest

from conftest import aws_call, error_of, untouched


def hop_by_hop_reply(handler):
    payload = b'{"__type":"ValidationException","message":"bad"}'
    handler.send_response(400)
    handler.send_header("Content-Type", "application/x-amz-json-1.1")
    handler.send_header("x-amzn-RequestId", "req-400")
    handler.send_header("x-amzn-ErrorType", "ValidationException")
    handler.send_header("Connection", "close")
    handler.send_header("Keep-Alive", "timeout=5")
    handler.send_header("Proxy-Authenticate", "Basic")
    handler.send_header("Upgrade", "h2c")
    handler.send_header("Trailer", "X-Checksum")
    handler.send_header("Set-Cookie", "session=upstream")
    handler.send_header("X-Internal", "secret-topology")
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


def slow_reply(handler):
    time.sleep(3)
    hop_by_hop_reply(handler)


@pytest.fixture
def reply():
    return hop_by_hop_reply


@pytest.fixture
def upstream(recorder, reply):
    return recorder(reply)


@pytest.fixture
def mlops_config(tmp_path, upstream):
    return {
        "resource_metadata_path": str(tmp_path / "none.json"),
        "endpoint_urls": {"sagemaker": upstream.url},
        "max_request_bytes": 1024,
        "upstream_timeout": 1.0,
    }


async def test_status_body_and_safe_headers_are_relayed_hop_by_hop_stripped(call):
    response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))
    assert response.code == 400
    assert json.loads(response.body) == {"__type": "ValidationException", "message": "bad"}
    assert response.headers["x-amzn-RequestId"] == "req-400"
    assert response.headers["x-amzn-ErrorType"] == "ValidationException"
    assert response.headers["Content-Type"] == "application/x-amz-json-1.1"
    for stripped in ("Keep-Alive", "Proxy-Authenticate", "Upgrade", "Trailer", "X-Internal"):
        assert stripped not in response.headers, stripped
    # Jupyter may set its own cookies; the upstream's never pass.
    assert all("session=upstream" not in v for v in response.headers.get_list("Set-Cookie"))


async def test_oversized_body_is_413_and_not_forwarded(call, upstream):
    kwargs = aws_call("SageMaker.ListPipelines", {"pad": "x" * 2000})
    response = await call("/sagemaker-mlops/aws/sagemaker/", **kwargs)
    assert response.code == 413
    assert error_of(response)["code"] == "RequestTooLarge"
    assert untouched(upstream)


def gzip_chunked_reply(handler):
    payload = gzip.compress(json.dumps({"PipelineSummaries": [{"PipelineName": "p" * 3000}]}).encode())
    handler.protocol_version = "HTTP/1.1"
    handler.send_response(200)
    handler.send_header("Content-Type", "application/x-amz-json-1.1")
    handler.send_header("Content-Encoding", "gzip")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.send_header("Trailer", "X-Checksum")
    handler.send_header("Connection", "close")
    handler.end_headers()
    for start in range(0, len(payload), 100):
        chunk = payload[start : start + 100]
        handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    handler.wfile.write(b"0\r\n\r\n")  # (tornado's client reads no trailer fields; AWS sends none)


def xml_error_reply(handler):
    payload = (
        b'<?xml version="1.0"?><ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>'
        b"<Message>The request signature we calculated does not match &amp; so on.</Message></Error></ErrorResponse>"
    )
    handler.send_response(403)
    handler.send_header("Content-Type", "text/xml")
    handler.send_header("x-amzn-RequestId", "req-xml")
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


def html_error_reply(handler):
    payload = b"<html><body><h1>502 Bad Gateway</h1><script>alert(1)</script></body></html>"
    handler.send_response(502)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


class TestCompressedChunked:
    @pytest.fixture
    def reply(self):
        return gzip_chunked_reply

    async def test_body_is_decompressed_and_reframed(self, call):
        response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))
        assert response.code == 200, response.body
        assert json.loads(response.body) == {"PipelineSummaries": [{"PipelineName": "p" * 3000}]}
        # What the upstream said about its own framing and encoding is not relayed.
        assert "Trailer" not in response.headers and "X-Checksum" not in response.headers
        assert response.headers.get("Content-Encoding") in (None, "gzip")  # gzip only if Jupyter itself compressed
        assert response.headers.get("Transfer-Encoding") in (None, "chunked")


class TestNonJsonErrors:
    @pytest.fixture
    def reply(self):
        return xml_error_reply

    async def test_xml_error_becomes_an_sdk_readable_json_error(self, call):
        response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))
        assert response.code == 403
        assert json.loads(response.body) == {
            "__type": "SignatureDoesNotMatch",
            "code": "SignatureDoesNotMatch",
            "message": "The request signature we calculated does not match & so on.",
        }
        assert response.headers["x-amzn-ErrorType"] == "SignatureDoesNotMatch"
        assert response.headers["x-amzn-RequestId"] == "req-xml"
        assert response.headers["Content-Type"] == "application/x-amz-json-1.1"


class TestHtmlErrors:
    @pytest.fixture
    def reply(self):
        return html_error_reply

    async def test_an_html_page_is_not_relayed(self, call):
        response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))
        assert response.code == 502
        error = error_of(response)
        assert error["code"] == "HTTP502"
        assert "text/html" in error["message"]
        assert b"<script>" not in response.body


class TestTimeout:
    @pytest.fixture
    def reply(self):
        return slow_reply

    async def test_upstream_timeout_is_504(self, call):
        response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))
        assert response.code == 504
        error = error_of(response)
        assert error["code"] == "UpstreamTimeout"
        assert "ListPipelines" in error["message"]
        assert "1 s" in error["message"]


class TestUnreachable:
    @pytest.fixture
    def mlops_config(self, tmp_path):
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]  # closed again: nothing listens there
        return {"resource_metadata_path": str(tmp_path / "none.json"), "endpoint_urls": {"sagemaker": f"http://127.0.0.1:{port}"}}

    async def test_upstream_down_is_502_with_advice(self, call):
        response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))
        assert response.code == 502
        error = error_of(response)
        assert error["code"] == "UpstreamUnreachable"
        assert "could not be reached" in error["message"] and "VPC endpoint" in error["message"]


class TestSecretsNeverLeak:
    @pytest.fixture
    def server_credentials(self, moto_upstream):
        return {
            "AWS_ACCESS_KEY_ID": moto_upstream["access_key"],
            "AWS_SECRET_ACCESS_KEY": moto_upstream["secret_key"],
            "AWS_SESSION_TOKEN": "SESSIONTOKEN-must-not-leak-0123456789",
        }

    async def test_no_credential_in_responses_or_logs(self, call, caplog, moto_upstream, upstream):
        caplog.set_level(logging.DEBUG)
        bodies = []
        for kwargs, path in [
            (aws_call("SageMaker.ListPipelines"), "/sagemaker-mlops/aws/sagemaker/"),
            (aws_call("SageMaker.DeleteDomain"), "/sagemaker-mlops/aws/sagemaker/"),
            (aws_call("SageMaker.ListPipelines", {"pad": "x" * 5000}), "/sagemaker-mlops/aws/sagemaker/"),
            ({"method": "GET"}, "/sagemaker-mlops/context"),
        ]:
            response = await call(path, **kwargs)
            bodies.append(response.body.decode(errors="replace") + json.dumps(dict(response.headers)))
        # The session token is sent upstream (it is part of signing) ...
        assert upstream.requests[0]["headers"].get("X-Amz-Security-Token") == "SESSIONTOKEN-must-not-leak-0123456789"
        # ... but neither it, the secret key nor the access key id ever come back or get logged.
        # Records of the in-process moto (it plays AWS, which does receive the token) are not the server's.
        server_log = "\n".join(
            record.getMessage() for record in caplog.records if not record.name.startswith(("moto", "werkzeug"))
        )
        # DEBUG records of the server were captured, the proxy's own included.
        assert "sagemaker_mlops proxy: sagemaker.ListPipelines -> 400" in server_log
        assert any(record.levelno == logging.DEBUG for record in caplog.records)
        everything = "\n".join(bodies) + "\n" + server_log
        for secret in (moto_upstream["secret_key"], "SESSIONTOKEN-must-not-leak-0123456789", moto_upstream["access_key"]):
            assert secret not in everything


def one_second_reply(handler):
    time.sleep(1)
    payload = b'{"PipelineSummaries": []}'
    handler.send_response(200)
    handler.send_header("Content-Type", "application/x-amz-json-1.1")
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


class TestClientGoesAway:
    @pytest.fixture
    def reply(self):
        return one_second_reply

    @pytest.fixture
    def mlops_config(self, tmp_path, upstream):
        return {"resource_metadata_path": str(tmp_path / "none.json"), "endpoint_urls": {"sagemaker": upstream.url}}

    async def test_a_disconnect_during_the_relay_is_one_log_line(self, call, caplog, upstream, jp_http_port, jp_base_url, jp_auth_header):
        import asyncio

        from conftest import raw_exchange, raw_head

        await call("/sagemaker-mlops/context")  # starts the server
        caplog.clear()
        caplog.set_level(logging.DEBUG)
        head = raw_head(
            jp_http_port, jp_base_url, jp_auth_header, "/sagemaker-mlops/aws/sagemaker/",
            {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "SageMaker.ListPipelines", "Content-Length": "2"},
        )
        await raw_exchange(jp_http_port, head + b"{}", close_after=0.3)
        for _ in range(40):  # the upstream answers after 1 s; the proxy then finds the client gone
            await asyncio.sleep(0.1)
            if any("disconnected" in r.getMessage() for r in caplog.records):
                break
        await asyncio.sleep(0.3)
        server_records = [r for r in caplog.records if not r.name.startswith(("moto", "werkzeug"))]
        assert not [r for r in server_records if r.exc_info or "Traceback" in r.getMessage()], [
            r.getMessage() for r in server_records
        ]
        assert len([r for r in server_records if "disconnected" in r.getMessage()]) == 1
        assert not [r for r in server_records if r.levelno >= logging.ERROR], [r.getMessage() for r in server_records]


def odd_header_reply(handler):
    payload = b'{"PipelineSummaries": []}'
    handler.send_response(200)
    handler.send_header("Content-Type", "application/x-amz-json-1.1")
    handler.send_header("x-amzn-RequestId", "req-ok")
    handler.send_header("x-amzn-ErrorMessage", "caf\xe9 \u00a0ok")  # latin-1 bytes, not ASCII
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


class TestOddUpstreamHeaders:
    @pytest.fixture
    def reply(self):
        return odd_header_reply

    async def test_non_ascii_header_values_are_dropped_not_fatal(self, call):
        response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))
        assert response.code == 200, response.body
        assert json.loads(response.body) == {"PipelineSummaries": []}
        assert response.headers["x-amzn-RequestId"] == "req-ok"
        assert "x-amzn-ErrorMessage" not in response.headers
