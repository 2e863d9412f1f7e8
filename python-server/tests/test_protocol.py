"""Only the request shape of the allowed operation is forwarded: no query string or foreign content type on JSON
services, only the declared query parameters on REST services; only JSON (or the REST operation's documented types)
comes back."""

import json

import pytest
from rest_capability import WITH_REST

from conftest import aws_call, error_of, untouched


@pytest.fixture
def mlops_config(tmp_path, upstream):
    return {
        "resource_metadata_path": str(tmp_path / "none.json"),
        "capabilities": WITH_REST,
        "endpoint_urls": {"sagemaker": upstream.url, "logs": upstream.url, "codeartifact": upstream.url, "sagemaker-mlflow": upstream.url},
    }


async def test_query_string_on_a_json_service_is_refused(call, upstream):
    # The upstream would run the query's Action (a Query-protocol request smuggled under an allowed target).
    response = await call(
        "/sagemaker-mlops/aws/sagemaker/?Action=CreateModelPackageGroup&ModelPackageGroupName=x",
        **aws_call("SageMaker.ListPipelines"),
    )
    assert response.code == 403, response.body
    error = error_of(response)
    assert error["code"] == "QueryNotAllowed"
    assert "Action" in error["message"]
    assert untouched(upstream)


async def test_blank_query_parameter_on_a_json_service_is_refused(call, upstream):
    response = await call("/sagemaker-mlops/aws/logs/?x", **aws_call("Logs_20140328.GetLogEvents"))
    assert response.code == 403
    assert error_of(response)["code"] == "QueryNotAllowed"
    assert untouched(upstream)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=utf-8",
        "application/json",
        "application/x-amz-json-1.0",  # SageMaker speaks 1.1
        "text/plain",
        "multipart/form-data; boundary=x",
        None,
    ],
)
async def test_json_services_take_only_their_json_content_type(call, upstream, content_type):
    headers = {"X-Amz-Target": "SageMaker.ListPipelines"}
    if content_type:
        headers["Content-Type"] = content_type
    body = "Action=CreateModelPackageGroup&ModelPackageGroupName=x"
    response = await call("/sagemaker-mlops/aws/sagemaker/", method="POST", body=body, headers=headers)
    assert response.code == 403, response.body
    error = error_of(response)
    assert error["code"] == "ContentTypeNotAllowed"
    assert "application/x-amz-json-1.1" in error["message"]
    assert untouched(upstream)


async def test_the_json_content_type_is_forwarded(call, upstream):
    response = await call(
        "/sagemaker-mlops/aws/sagemaker/",
        method="POST",
        body="{}",
        headers={"X-Amz-Target": "SageMaker.ListPipelines", "Content-Type": "Application/X-Amz-Json-1.1"},
    )
    assert response.code == 200, response.body
    assert len(upstream.requests) == 1


async def test_rest_operation_forwards_only_its_declared_query_parameters(call, upstream):
    path = "/sagemaker-mlops/aws/codeartifact/v1/repository/endpoint?domain=mlops&repository=r&format=pypi"
    refused = await call(path + "&Action=GetAuthorizationToken")
    assert refused.code == 403
    error = error_of(refused)
    assert error["code"] == "QueryNotAllowed" and "Action" in error["message"] and "GetRepositoryEndpoint" in error["message"]
    assert untouched(upstream)
    allowed = await call(path)
    assert allowed.code == 200
    assert [r["path"] for r in upstream.requests] == ["/v1/repository/endpoint?domain=mlops&repository=r&format=pypi"]


async def test_rest_operation_without_query_parameters_refuses_any(call, upstream):
    response = await call(
        "/sagemaker-mlops/aws/sagemaker-mlflow/api/2.0/mlflow/runs/search?experiment_ids=1",
        method="POST",
        body="{}",
        headers={"Content-Type": "application/json"},
    )
    assert response.code == 403
    assert error_of(response)["code"] == "QueryNotAllowed"
    assert untouched(upstream)


async def test_rest_body_needs_a_declared_content_type(call, upstream):
    response = await call(
        "/sagemaker-mlops/aws/sagemaker-mlflow/api/2.0/mlflow/runs/search",
        method="POST",
        body="experiment_ids=1",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.code == 403
    assert error_of(response)["code"] == "ContentTypeNotAllowed"
    assert untouched(upstream)


def reply_with(content_type, body=b"<html><script>alert(1)</script></html>", status=200):
    def reply(handler):
        handler.send_response(status)
        if content_type:
            handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return reply


class TestRelayedContentTypes:
    @pytest.fixture
    def reply(self):
        return reply_with("text/html")

    @pytest.fixture
    def upstream(self, recorder, reply):
        return recorder(reply)

    async def test_html_success_is_not_relayed(self, call):
        response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))
        assert response.code == 502
        error = error_of(response)
        assert error["code"] == "UnexpectedContentType"
        assert "text/html" in error["message"]
        assert b"<script>" not in response.body

    class TestUntyped:
        @pytest.fixture
        def reply(self):
            return reply_with(None, b'{"looks": "json"}')

        async def test_a_body_without_content_type_is_not_relayed(self, call):
            response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))
            assert response.code == 502
            assert error_of(response)["code"] == "UnexpectedContentType"

    class TestJsonOnRest:
        @pytest.fixture
        def reply(self):
            return reply_with("application/json; charset=utf-8", b'{"runs": []}')

        async def test_json_from_a_rest_service_is_relayed(self, call):
            response = await call(
                "/sagemaker-mlops/aws/sagemaker-mlflow/api/2.0/mlflow/runs/search",
                method="POST",
                body="{}",
                headers={"Content-Type": "application/json"},
            )
            assert response.code == 200, response.body
            assert json.loads(response.body) == {"runs": []}
            assert response.headers["Content-Type"] == "application/json; charset=utf-8"

    class TestEmpty:
        @pytest.fixture
        def reply(self):
            return reply_with(None, b"")

        async def test_an_empty_answer_is_relayed(self, call):
            response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.StopPipelineExecution"))
            assert response.code == 200
            assert response.body == b""
