"""Nothing in the browser's request can change where the proxy sends it."""

import asyncio
import socket

import pytest

from sagemaker_mlops.allowlist import SERVICES, Refused
from sagemaker_mlops.config import SageMakerMLOps
from sagemaker_mlops.endpoints import AwsContext
from sagemaker_mlops.proxy import forwarded_headers

from rest_capability import WITH_REST

from conftest import XSRF, aws_call, error_of, untouched


@pytest.fixture
def mlops_config(tmp_path, upstream):
    return {
        "resource_metadata_path": str(tmp_path / "none.json"),
        "capabilities": WITH_REST,
        "endpoint_urls": {"sagemaker": upstream.url, "codeartifact": upstream.url},
    }


def evil_values(evil):
    host = evil.host
    return [
        evil.url,
        f"{evil.url}/",
        f"http://{host}#.amazonaws.com",
        "https://evil.example#.sagemaker.us-east-1.amazonaws.com",
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
    assert untouched(evil)
    if header != "Host":
        assert len(upstream.requests) == len(evil_values(evil))
    for request in upstream.requests:
        assert request["headers"]["Host"] == upstream.host
        assert header not in request["headers"] or header == "Host"


async def test_host_like_values_in_the_query_stay_query(call, upstream, evil):
    response = await call(
        f"/sagemaker-mlops/aws/codeartifact/v1/packages?domain=mlops&repository={evil.url}%23.amazonaws.com&x=%0d%0aHost:{evil.host}",
        method="POST",
        body="",
    )
    assert response.code == 200
    assert untouched(evil)
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
        assert untouched(evil)
        return
    assert response.code == 403, (path, response.code, response.body)
    assert error_of(response)["code"] in ("OperationNotAllowed", "ServiceNotAllowed")
    assert untouched(evil)
    assert untouched(upstream)


async def test_forged_host_header_does_not_redirect(call, upstream, evil):
    kwargs = aws_call("SageMaker.ListPipelines")
    kwargs["headers"]["Host"] = evil.host
    response = await call("/sagemaker-mlops/aws/sagemaker/", **kwargs)
    assert response.code == 200
    assert untouched(evil)
    assert upstream.requests[0]["headers"]["Host"] == upstream.host


async def _raw_request(port: int, raw: bytes) -> bytes:
    def run() -> bytes:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(raw)
            chunks = []
            while True:  # until the server closes, or shortly after the head of the reply
                try:
                    chunk = sock.recv(65536)
                except socket.timeout:
                    break
                if not chunk:
                    break
                chunks.append(chunk)
                if b"\r\n\r\n" in b"".join(chunks):
                    sock.settimeout(0.5)
            return b"".join(chunks)

    return await asyncio.get_running_loop().run_in_executor(None, run)


@pytest.mark.parametrize(
    "injected",
    [
        "X-Amz-Target: SageMaker.ListPipelines",  # control: the same raw request, clean, is served
        "X-Amz-Target: SageMaker.ListPipelines\r\nHost: {evil}",  # CRLF: the value ends, a header follows
        "X-Amz-Target: SageMaker.ListPipelines\rHost: {evil}",  # bare CR
        "X-Amz-Target: SageMaker.ListPipelines\nHost: {evil}",  # bare LF
        "Content-Type: application/x-amz-json-1.1\r\n Host: {evil}",  # obs-fold continuation line
        "Content-Type: application/x-amz-json-1.1\x00Host: {evil}",  # NUL
    ],
)
async def test_crlf_in_header_values_is_400_and_nothing_is_sent(
    call, jp_http_port, jp_base_url, jp_auth_header, upstream, evil, injected
):
    # `call` starts the server (with the extension) on jp_http_port; the raw socket bypasses any client checks.
    body = b"{}"
    raw = (
        f"POST {jp_base_url.rstrip('/')}/sagemaker-mlops/aws/sagemaker/ HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{jp_http_port}\r\n"
        f"Authorization: {jp_auth_header['Authorization']}\r\n"
        "Cookie: _xsrf=abc123\r\n"
        "X-XSRFToken: abc123\r\n"
        + injected.format(evil=evil.host)
        + "\r\n"
        "Accept: application/json\r\n"
        + ("" if injected.startswith("Content-Type") else "Content-Type: application/x-amz-json-1.1\r\n")
        + f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n"
        "\r\n"
    ).encode() + body
    reply = await _raw_request(jp_http_port, raw)
    if "{evil}" not in injected:
        assert reply.startswith(b"HTTP/1.1 200"), reply[:300]
        assert len(upstream.requests) == 1
    elif injected.startswith("X-Amz-Target") and "\r\n" in injected:
        # A real CRLF ends the header: X-Amz-Target is clean and "Host: evil" is a second Host header, which the
        # HTTP server refuses; were it accepted, it would still only name the Jupyter server, never the upstream.
        assert reply.startswith((b"HTTP/1.1 400", b"HTTP/1.1 200")), reply[:100]
    else:
        assert reply.startswith(b"HTTP/1.1 400"), reply[:100]
    assert untouched(evil)
    for request in upstream.requests:
        assert request["headers"]["Host"] == upstream.host


def test_header_filter_drops_unknown_headers_and_refuses_control_characters():
    kept = forwarded_headers(
        [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", "SageMaker.ListPipelines"),
            ("Authorization", "AWS4-HMAC-SHA256 Credential=BROWSER"),
            ("X-Amz-Security-Token", "browser"),
            ("Host", "evil.example"),
            ("X-Forwarded-Host", "evil.example"),
            ("X-XSRFToken", "abc"),
            ("Cookie", "_xsrf=abc"),
        ]
    )
    assert kept == {"content-type": "application/x-amz-json-1.1", "x-amz-target": "SageMaker.ListPipelines"}
    for value in ("a\r\nHost: evil", "a\rb", "a\nb", "a\x00b"):
        with pytest.raises(Refused) as refused:
            forwarded_headers([("X-Amz-Target", value)])
        assert refused.value.status == 400 and refused.value.code == "InvalidHeader"
    # A dropped header may hold anything: it is never read.
    assert forwarded_headers([("X-Other", "a\r\nb")]) == {}


class TestEndpointResolution:
    """botocore's resolution (AWS_ENDPOINT_URL_<SERVICE>) and the server's endpoint_urls, in that precedence."""

    @pytest.fixture
    def mlops_config(self, tmp_path, upstream):
        return {
            "resource_metadata_path": str(tmp_path / "none.json"),
            "capabilities": WITH_REST,
            "endpoint_urls": {"codepipeline": upstream.url},
        }

    @pytest.fixture
    def aws_env(self, aws_env, monkeypatch, evil, recorder):
        self.sagemaker_peer = recorder()
        monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", self.sagemaker_peer.url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_CODEPIPELINE", evil.url)  # overridden by endpoint_urls
        return aws_env

    async def test_service_specific_environment_endpoint(self, call, evil):
        response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))
        assert response.code == 200
        assert len(self.sagemaker_peer.requests) == 1
        assert untouched(evil)

    async def test_server_configuration_overrides_the_environment(self, call, upstream, evil):
        response = await call("/sagemaker-mlops/aws/codepipeline/", **aws_call("CodePipeline_20150709.ListPipelines"))
        assert response.code == 200
        assert len(upstream.requests) == 1
        assert untouched(evil)

    async def test_other_services_use_the_general_environment_endpoint(self, call, upstream, evil):
        # AWS_ENDPOINT_URL is moto, which answers (and verifies the signature of) this Logs call.
        response = await call(
            "/sagemaker-mlops/aws/logs/", **aws_call("Logs_20140328.DescribeLogStreams", {"logGroupName": "/none"})
        )
        assert response.code == 400, response.body
        assert b"ResourceNotFoundException" in response.body
        assert untouched(evil) and untouched(upstream) and untouched(self.sagemaker_peer)


class TestEndpointWithAPath:
    @pytest.fixture
    def mlops_config(self, tmp_path, upstream):
        return {
            "resource_metadata_path": str(tmp_path / "none.json"),
            "capabilities": WITH_REST,
            "endpoint_urls": {"sagemaker-mlflow": upstream.url + "/tracking/"},
        }

    async def test_forwarded_path_is_the_endpoint_path_plus_the_remainder(self, call, upstream):
        response = await call(f"/sagemaker-mlops/aws/sagemaker-mlflow/api/2.0/mlflow/runs/get?run_id=abc&_xsrf={XSRF}")
        assert response.code == 200
        assert [r["path"] for r in upstream.requests] == ["/tracking/api/2.0/mlflow/runs/get?run_id=abc"]


ARN = "arn:aws:sagemaker:eu-west-1:123456789012:mlflow-tracking-server/platform-mlflow"


class TestManagedMlflowArn:
    @pytest.fixture
    def mlops_config(self, tmp_path, upstream):
        return {
            "resource_metadata_path": str(tmp_path / "none.json"),
            "capabilities": WITH_REST,
            "mlflow_tracking_uri": ARN,
            "endpoint_urls": {"sagemaker-mlflow": upstream.url},  # e.g. the VPC endpoint of sagemaker-mlflow
        }

    async def test_arn_routing_header_is_added_and_signed_in_the_arn_region(self, call, upstream):
        response = await call(
            "/sagemaker-mlops/aws/sagemaker-mlflow/api/2.0/mlflow/runs/search",
            method="POST",
            body="{}",
            headers={
                "Content-Type": "application/json",
                "x-mlflow-sm-tracking-server-arn": "arn:aws:sagemaker:eu-west-1:999999999999:mlflow-tracking-server/x",
            },
        )
        assert response.code == 200
        (request,) = upstream.requests
        headers = {k.lower(): v for k, v in request["headers"].items()}
        assert headers["x-mlflow-sm-tracking-server-arn"] == ARN  # the server's, not the browser's
        assert "/eu-west-1/sagemaker-mlflow/aws4_request" in headers["authorization"]
        assert "x-mlflow-sm-tracking-server-arn" in headers["authorization"].split("SignedHeaders=")[1]


def test_arn_resolves_to_the_regional_experiments_endpoint():
    config = SageMakerMLOps(mlflow_tracking_uri=ARN.replace("mlflow-tracking-server/platform-mlflow", "mlflow-app/app-1"))
    upstream = AwsContext(config).upstream_now(SERVICES["sagemaker-mlflow"])
    assert upstream.base_url == "https://eu-west-1.experiments.sagemaker.aws"
    assert upstream.signing_region == "eu-west-1"
    assert upstream.headers == {"x-sm-mlflow-app-arn": config.mlflow_tracking_uri}


class TestMlflowNotConfigured:
    async def test_no_tracking_server_is_a_clear_503(self, call):
        response = await call("/sagemaker-mlops/aws/sagemaker-mlflow/api/2.0/mlflow/runs/get?run_id=1")
        assert response.code == 503
        error = error_of(response)
        assert error["code"] == "NoEndpoint"
        assert "MLFLOW_TRACKING_URI" in error["message"]


@pytest.mark.parametrize(
    "endpoint",
    ["http://user@{evil}", "http://{evil}#.amazonaws.com", "ftp://{evil}", "http://{evil}/?x=1", "{evil}"],
)
def test_configured_endpoints_must_be_plain_urls(evil, endpoint):
    config = SageMakerMLOps(endpoint_urls={"sagemaker": endpoint.format(evil=evil.host)})
    with pytest.raises(Refused) as refused:
        AwsContext(config).upstream_now(SERVICES["sagemaker"])
    assert refused.value.code == "InvalidEndpoint"
    assert untouched(evil)
