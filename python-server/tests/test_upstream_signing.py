"""Requests are signed only for AWS endpoints, and signed requests go over https (or stay on loopback)."""

import pytest
from rest_capability import WITH_REST

from sagemaker_mlops.allowlist import SERVICES, Refused
from sagemaker_mlops.config import SageMakerMLOps
from sagemaker_mlops.endpoints import AwsContext, is_loopback

from conftest import error_of, untouched

@pytest.fixture(autouse=True)
def no_endpoint_environment(monkeypatch):
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SAGEMAKER"):
        monkeypatch.delenv(name, raising=False)


SIGNING_HEADERS = ("authorization", "x-amz-security-token", "x-amz-date", "x-amz-content-sha256")


class TestSelfHostedMlflow:
    @pytest.fixture
    def server_credentials(self, moto_upstream):
        return {
            "AWS_ACCESS_KEY_ID": moto_upstream["access_key"],
            "AWS_SECRET_ACCESS_KEY": moto_upstream["secret_key"],
            "AWS_SESSION_TOKEN": "session-token-for-aws-only",
        }

    @pytest.fixture
    def mlops_config(self, tmp_path, upstream):
        # A self-hosted tracking server (no ARN, no endpoint override of the sagemaker-mlflow service).
        return {"resource_metadata_path": str(tmp_path / "none.json"), "capabilities": WITH_REST, "mlflow_tracking_uri": upstream.url}

    async def test_a_self_hosted_mlflow_receives_no_aws_signature(self, call, upstream):
        response = await call("/sagemaker-mlops/aws/sagemaker-mlflow/api/2.0/mlflow/runs/get?run_id=abc")
        assert response.code == 200, response.body
        (request,) = upstream.requests
        headers = {k.lower(): v for k, v in request["headers"].items()}
        for name in SIGNING_HEADERS:
            assert name not in headers, name
        assert request["path"] == "/api/2.0/mlflow/runs/get?run_id=abc"


def upstream_of(service: str, **config) -> object:
    return AwsContext(SageMakerMLOps(**config)).upstream_now(SERVICES[service])


def test_signing_decision_per_kind_of_endpoint():
    arn = "arn:aws:sagemaker:eu-west-1:123456789012:mlflow-tracking-server/x"
    assert upstream_of("sagemaker-mlflow", mlflow_tracking_uri=arn).signed
    assert upstream_of("sagemaker-mlflow", mlflow_tracking_uri="https://mlflow.corp.example").signed is False
    assert upstream_of("sagemaker-mlflow", mlflow_tracking_uri="http://mlflow.corp.example:5000").signed is False
    override = "https://vpce-0a1b.api.sagemaker.eu-west-1.vpce.amazonaws.com"
    assert upstream_of("sagemaker-mlflow", mlflow_tracking_uri="http://mlflow", endpoint_urls={"sagemaker-mlflow": override}).signed
    assert upstream_of("sagemaker", endpoint_urls={"sagemaker": override}).signed
    assert upstream_of("sagemaker", region="eu-west-1").signed  # botocore's resolution


@pytest.mark.parametrize(
    "service,config",
    [
        ("sagemaker", {"endpoint_urls": {"sagemaker": "http://vpce-0a1b.api.sagemaker.eu-west-1.vpce.amazonaws.com"}}),
        ("sagemaker", {"endpoint_urls": {"sagemaker": "http://10.0.0.12:8080"}}),
        ("sagemaker", {"endpoint_urls": {"sagemaker": "http://127.0.0.1.nip.io"}}),
        ("sagemaker-mlflow", {"mlflow_tracking_uri": "arn:aws:sagemaker:eu-west-1:123456789012:mlflow-app/a", "endpoint_urls": {"sagemaker-mlflow": "http://mlflow.internal"}}),
    ],
)
def test_signed_requests_need_https_off_loopback(service, config):
    with pytest.raises(Refused) as refused:
        upstream_of(service, **config)
    assert refused.value.code == "InsecureEndpoint"
    assert "https" in refused.value.message


def test_botocore_resolution_over_plain_http_is_refused_off_loopback(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", "http://sagemaker.internal.example")
    with pytest.raises(Refused) as refused:
        upstream_of("sagemaker")
    assert refused.value.code == "InsecureEndpoint"


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:4566", "http://127.5.6.7", "http://localhost:5000", "http://[::1]:8080", "https://x.example"]
)
def test_loopback_or_https_may_be_signed(url):
    assert upstream_of("sagemaker", endpoint_urls={"sagemaker": url}).signed


def test_loopback():
    assert is_loopback("127.0.0.1") and is_loopback("127.255.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("127.0.0.1.nip.io") and not is_loopback("10.0.0.1") and not is_loopback("localhost.evil")


class TestInsecureEndpointThroughTheProxy:
    @pytest.fixture
    def mlops_config(self, tmp_path, evil):
        return {
            "resource_metadata_path": str(tmp_path / "none.json"),
            "endpoint_urls": {"sagemaker": evil.url.replace("127.0.0.1", "localhost.localdomain.invalid")},
        }

    async def test_is_a_clear_error_and_nothing_is_sent(self, call, evil):
        from conftest import aws_call

        response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))
        assert response.code == 500
        assert error_of(response)["code"] == "InsecureEndpoint"
        assert untouched(evil)
