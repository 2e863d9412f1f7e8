"""Only allowlisted services and operations are forwarded; everything else is refused with a JSON 403."""

import json

import pytest

from conftest import aws_call, error_of


@pytest.fixture
def mlops_config(tmp_path, upstream):
    # Every service points at the recording upstream, so a refused request provably never leaves the server.
    names = ["sagemaker", "logs", "codecommit", "codepipeline", "codeartifact", "sagemaker-mlflow"]
    return {
        "resource_metadata_path": str(tmp_path / "none.json"),
        "endpoint_urls": {name: upstream.url for name in names},
    }


async def test_unknown_service_is_refused(call, upstream):
    response = await call("/sagemaker-mlops/aws/iam/", **aws_call("AWSIdentityManagementV20100508.CreateUser"))
    assert response.code == 403
    error = error_of(response)
    assert error["code"] == "ServiceNotAllowed"
    assert "'iam'" in error["message"]
    assert upstream.requests == []


@pytest.mark.parametrize(
    "service,target",
    [
        ("sagemaker", "SageMaker.DeleteDomain"),
        ("sagemaker", "SageMaker.CreatePresignedDomainUrl"),
        ("codecommit", "CodeCommit_20150413.DeleteRepository"),
        ("logs", "Logs_20140328.DeleteLogGroup"),
        ("sagemaker", "CodeCommit_20150413.GetFile"),  # a real operation, but of another service
    ],
)
async def test_disallowed_json_operation_is_refused_and_named(call, upstream, service, target):
    response = await call(f"/sagemaker-mlops/aws/{service}/", **aws_call(target))
    assert response.code == 403
    error = error_of(response)
    assert error["code"] == "OperationNotAllowed"
    assert target in error["message"]
    assert upstream.requests == []


async def test_json_request_without_target_is_refused(call, upstream):
    response = await call("/sagemaker-mlops/aws/sagemaker/", method="POST", body="{}")
    assert response.code == 403
    assert error_of(response)["code"] == "OperationNotAllowed"
    assert upstream.requests == []


async def test_wrong_method_for_an_allowed_json_operation(call, upstream):
    kwargs = aws_call("SageMaker.ListPipelines")
    response = await call("/sagemaker-mlops/aws/sagemaker/", method="PUT", body="{}", headers=kwargs["headers"])
    assert response.code == 403
    assert "only POST" in error_of(response)["message"]
    assert upstream.requests == []


async def test_codeartifact_token_stays_server_side(call, upstream):
    response = await call("/sagemaker-mlops/aws/codeartifact/v1/authorization-token?domain=mlops", method="POST", body="")
    assert response.code == 403
    assert "/v1/authorization-token" in error_of(response)["message"]
    assert upstream.requests == []


async def test_rest_operation_with_wrong_method(call, upstream):
    response = await call("/sagemaker-mlops/aws/codeartifact/v1/packages?domain=mlops", method="GET")
    assert response.code == 403
    assert "ListPackages" in error_of(response)["message"]
    assert upstream.requests == []


async def test_allowed_rest_operation_is_forwarded_with_its_query(call, upstream):
    response = await call(
        "/sagemaker-mlops/aws/codeartifact/v1/packages?domain=mlops&repository=mlops-codeartifact-repository&format=pypi",
        method="POST",
        body="",
    )
    assert response.code == 200
    (request,) = upstream.requests
    assert request["path"] == "/v1/packages?domain=mlops&repository=mlops-codeartifact-repository&format=pypi"
    assert request["headers"]["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=")
    assert "/codeartifact/aws4_request" in request["headers"]["Authorization"]


async def test_allowed_mlflow_operation_is_signed_for_sagemaker_mlflow(call, upstream):
    response = await call(
        "/sagemaker-mlops/aws/sagemaker-mlflow/api/2.0/mlflow/runs/search",
        method="POST",
        body=json.dumps({"experiment_ids": ["1"]}),
        headers={"Content-Type": "application/json"},
    )
    assert response.code == 200
    (request,) = upstream.requests
    assert request["path"] == "/api/2.0/mlflow/runs/search"
    assert "/sagemaker-mlflow/aws4_request" in request["headers"]["Authorization"]


async def test_mlflow_paths_outside_the_allowlist_are_refused(call, upstream):
    response = await call("/sagemaker-mlops/aws/sagemaker-mlflow/api/2.0/mlflow/runs/delete", method="POST", body="{}")
    assert response.code == 403
    assert upstream.requests == []
