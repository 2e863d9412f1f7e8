"""Requests are re-signed with the server's credentials, proven against moto with signature verification on."""

import json

import pytest

from conftest import aws_call, error_of


async def test_signed_call_succeeds_against_a_verifying_upstream(call):
    response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))
    assert response.code == 200, response.body
    assert "PipelineSummaries" in json.loads(response.body)


async def test_create_then_describe_pipeline(call):
    definition = {"Version": "2020-12-01", "Parameters": [], "Steps": []}
    created = await call(
        "/sagemaker-mlops/aws/sagemaker/",
        **aws_call(
            "SageMaker.CreatePipeline",
            {
                "PipelineName": "signing-test",
                "PipelineDefinition": json.dumps(definition),
                "RoleArn": "arn:aws:iam::123456789012:role/sagemaker",
                "ClientRequestToken": "signing-test-token-0000000000000001",
            },
        ),
    )
    assert created.code == 200, created.body
    described = await call(
        "/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.DescribePipeline", {"PipelineName": "signing-test"})
    )
    assert described.code == 200, described.body
    assert json.loads(described.body)["PipelineName"] == "signing-test"


async def test_browser_signature_and_cookies_are_dropped(call, jp_auth_header):
    # Authenticate to Jupyter with the token in the query, so the Authorization header can carry a bogus
    # AWS signature as a browser SDK would produce: it must be ignored, and the call still succeeds.
    token = jp_auth_header["Authorization"].split(" ", 1)[1]
    kwargs = aws_call("SageMaker.ListPipelines")
    kwargs["headers"].update(
        {
            "Authorization": "AWS4-HMAC-SHA256 Credential=BROWSER-PLACEHOLDER-KEY/20260101/us-east-1/sagemaker/aws4_request, "
            "SignedHeaders=host, Signature=00",
            "X-Amz-Security-Token": "browser-session-token",
            "X-Amz-Date": "20000101T000000Z",
        }
    )
    response = await call(f"/sagemaker-mlops/aws/sagemaker/?token={token}", auth=False, **kwargs)
    assert response.code == 200, response.body


@pytest.fixture
def recording_config(tmp_path, upstream):
    return {"resource_metadata_path": str(tmp_path / "none.json"), "endpoint_urls": {"sagemaker": upstream.url}}


class TestWhatLeavesTheServer:
    @pytest.fixture
    def mlops_config(self, recording_config):
        return recording_config

    async def test_only_allowed_headers_and_the_servers_signature_are_sent(self, call, upstream, moto_upstream):
        kwargs = aws_call("SageMaker.ListPipelines")
        kwargs["headers"].update(
            {
                "X-Amz-Security-Token": "browser-session-token",
                "X-Amz-Date": "20000101T000000Z",
                "X-Amz-Content-Sha256": "0" * 64,
                "X-Custom": "dropped",
                "Referer": "http://localhost/lab",
                "amz-sdk-invocation-id": "11111111-2222-3333-4444-555555555555",
            }
        )
        response = await call("/sagemaker-mlops/aws/sagemaker/", **kwargs)
        assert response.code == 200
        (request,) = upstream.requests
        headers = {k.lower(): v for k, v in request["headers"].items()}
        assert headers["authorization"].startswith(
            f"AWS4-HMAC-SHA256 Credential={moto_upstream['access_key']}/"
        )
        assert "/us-east-1/sagemaker/aws4_request" in headers["authorization"]
        assert headers["x-amz-target"] == "SageMaker.ListPipelines"
        assert headers["amz-sdk-invocation-id"] == "11111111-2222-3333-4444-555555555555"
        assert headers["x-amz-date"] != "20000101T000000Z"
        for dropped in ("x-amz-security-token", "x-amz-content-sha256", "cookie", "x-xsrftoken", "x-custom", "referer"):
            assert dropped not in headers, dropped
        assert request["body"] == b"{}"

    async def test_jupyter_token_in_the_query_never_reaches_aws(self, call, upstream, jp_auth_header):
        token = jp_auth_header["Authorization"].split(" ", 1)[1]
        response = await call(f"/sagemaker-mlops/aws/sagemaker/?token={token}", **aws_call("SageMaker.ListPipelines"))
        assert response.code == 200
        assert token not in upstream.requests[0]["path"]


class TestWrongServerCredentials:
    @pytest.fixture
    def server_credentials(self, moto_upstream):
        return {"AWS_ACCESS_KEY_ID": moto_upstream["access_key"], "AWS_SECRET_ACCESS_KEY": "not-the-secret-" + "x" * 25}

    async def test_upstream_signature_error_is_relayed_as_json(self, call):
        response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))
        # The upstream's own verdict, relayed as JSON (moto answers auth errors in XML; AWS in JSON).
        assert response.code == 403, response.body
        error = json.loads(response.body)
        assert error["code"] == error["__type"] == "SignatureDoesNotMatch"
        assert "signature" in error["message"].lower()
        assert response.headers["x-amzn-ErrorType"] == "SignatureDoesNotMatch"


class TestUnknownKey:
    @pytest.fixture
    def server_credentials(self):
        return {"AWS_ACCESS_KEY_ID": "AKIA" + "Z" * 16, "AWS_SECRET_ACCESS_KEY": "y" * 40}

    async def test_unknown_access_key_is_refused_by_the_upstream(self, call):
        # Proves moto verifies requests: with authentication off this call would succeed.
        response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))
        assert response.code == 403, response.body
        assert json.loads(response.body)["code"] == "InvalidClientTokenId"


class TestNoCredentials:
    @pytest.fixture
    def server_credentials(self):
        return {}

    async def test_no_credentials_is_a_clear_503(self, call):
        response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))
        assert response.code == 503
        error = error_of(response)
        assert error["code"] == "NoCredentials"
        assert "credentials" in error["message"]
