"""Only allowlisted services and operations are forwarded; everything else is refused with a JSON 403."""

import json

import pytest

from sagemaker_mlops.allowlist import SERVICES, action_of

from conftest import aws_call, error_of, untouched

#: The operations the product needs, as specified; the table in allowlist.py must be exactly this.
EXPECTED_JSON = {
    "sagemaker": (
        "SageMaker",
        """ListProjects DescribeProject Search ListTags ListPipelines DescribePipeline
        DescribePipelineDefinitionForExecution ListPipelineExecutions DescribePipelineExecution
        ListPipelineExecutionSteps ListPipelineParametersForExecution StartPipelineExecution StopPipelineExecution
        RetryPipelineExecution CreatePipeline UpdatePipeline AddTags DescribeTrainingJob DescribeProcessingJob
        ListModelPackageGroups DescribeModelPackageGroup ListModelPackages DescribeModelPackage UpdateModelPackage
        ListExperiments ListTrials ListTrialComponents DescribeTrialComponent""",
    ),
    "logs": ("Logs_20140328", "GetLogEvents DescribeLogStreams FilterLogEvents"),
    "codecommit": (
        "CodeCommit_20150413",
        """GetRepository GetBranch ListBranches CreateBranch GetFile GetFolder PutFile CreateCommit GetCommit
        GetDifferences CreatePullRequest GetPullRequest ListPullRequests MergePullRequestByFastForward""",
    ),
    "codepipeline": (
        "CodePipeline_20150709",
        "ListPipelines GetPipelineState ListPipelineExecutions GetPipelineExecution",
    ),
}
EXPECTED_REST = {
    "codeartifact": {
        ("GET", "/v1/repository/endpoint"),
        ("POST", "/v1/packages"),
        ("POST", "/v1/package/versions"),
    },
    "sagemaker-mlflow": {
        ("GET", "/api/2.0/mlflow/experiments/search"),
        ("POST", "/api/2.0/mlflow/experiments/search"),
        ("GET", "/api/2.0/mlflow/experiments/get-by-name"),
        ("GET", "/api/2.0/mlflow/experiments/get"),
        ("POST", "/api/2.0/mlflow/runs/search"),
        ("GET", "/api/2.0/mlflow/runs/get"),
        ("GET", "/api/2.0/mlflow/metrics/get-history"),
    },
}


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
    assert untouched(upstream)


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
    assert untouched(upstream)


async def test_json_request_without_target_is_refused(call, upstream):
    response = await call("/sagemaker-mlops/aws/sagemaker/", method="POST", body="{}")
    assert response.code == 403
    assert error_of(response)["code"] == "OperationNotAllowed"
    assert untouched(upstream)


async def test_wrong_method_for_an_allowed_json_operation(call, upstream):
    kwargs = aws_call("SageMaker.ListPipelines")
    response = await call("/sagemaker-mlops/aws/sagemaker/", method="PUT", body="{}", headers=kwargs["headers"])
    assert response.code == 403
    assert "only POST" in error_of(response)["message"]
    assert untouched(upstream)


async def test_codeartifact_token_stays_server_side(call, upstream):
    response = await call("/sagemaker-mlops/aws/codeartifact/v1/authorization-token?domain=mlops", method="POST", body="")
    assert response.code == 403
    assert "/v1/authorization-token" in error_of(response)["message"]
    assert untouched(upstream)


async def test_rest_operation_with_wrong_method(call, upstream):
    response = await call("/sagemaker-mlops/aws/codeartifact/v1/packages?domain=mlops", method="GET")
    assert response.code == 403
    assert "ListPackages" in error_of(response)["message"]
    assert untouched(upstream)


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
    assert untouched(upstream)


def test_the_table_is_exactly_the_specified_allowlist():
    assert set(SERVICES) == set(EXPECTED_JSON) | set(EXPECTED_REST)
    for name, (prefix, operations) in EXPECTED_JSON.items():
        assert SERVICES[name].target_prefix == prefix
        assert SERVICES[name].json_operations == frozenset(operations.split())
        assert SERVICES[name].rest_operations == ()
    for name, routes in EXPECTED_REST.items():
        assert SERVICES[name].target_prefix is None
        assert {(method, path) for method, path, _ in SERVICES[name].rest_operations} == routes
    assert SERVICES["sagemaker-mlflow"].signing_name == "sagemaker-mlflow"
    assert SERVICES["codeartifact"].signing_name == "codeartifact"


def test_read_and_write_actions():
    assert [action_of(op) for op in ("ListPipelines", "DescribeProject", "Search", "GetFile", "FilterLogEvents")] == [
        "read"
    ] * 5
    assert [action_of(op) for op in ("StartPipelineExecution", "PutFile", "AddTags", "UpdateModelPackage")] == [
        "write"
    ] * 4


async def test_every_allowed_operation_is_forwarded_and_signed_for_its_service(call, upstream):
    expected = []
    for name, (prefix, operations) in EXPECTED_JSON.items():
        for operation in operations.split():
            response = await call(f"/sagemaker-mlops/aws/{name}/", **aws_call(f"{prefix}.{operation}"))
            assert response.code == 200, (name, operation, response.body)
            expected.append(("POST", "/", f"{prefix}.{operation}", name))
    for name, routes in EXPECTED_REST.items():
        for method, path in sorted(routes):
            response = await call(f"/sagemaker-mlops/aws/{name}{path}?a=1", method=method, body="{}" if method == "POST" else None)
            assert response.code == 200, (name, method, path, response.body)
            expected.append((method, f"{path}?a=1", None, name))
    seen = [
        (r["method"], r["path"], r["headers"].get("X-Amz-Target"), r["headers"]["Authorization"].split("/")[3])
        for r in upstream.requests
    ]
    assert seen == expected


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "GET"])
async def test_other_methods_reach_the_allowlist_and_are_refused_as_json(call, upstream, method):
    body = "{}" if method in ("PUT", "PATCH") else None
    response = await call("/sagemaker-mlops/aws/sagemaker-mlflow/api/2.0/mlflow/runs/search", method=method, body=body)
    assert response.code == 403
    error = error_of(response)
    assert error["code"] == "OperationNotAllowed"
    assert method in error["message"]
    assert untouched(upstream)


@pytest.mark.parametrize(
    "path",
    [
        "/sagemaker-mlops/aws",
        "/sagemaker-mlops/aws/",
        "/sagemaker-mlops/aws/%73agemaker/",
        "/sagemaker-mlops/aws/SageMaker/",
        "/sagemaker-mlops/aws/sts/",
        "/sagemaker-mlops/aws/s3/bucket/key",
    ],
)
async def test_services_outside_the_table_are_refused_as_json(call, upstream, path):
    response = await call(path, **aws_call("SageMaker.ListPipelines"))
    assert response.code == 403, response.body
    assert error_of(response)["code"] == "ServiceNotAllowed"
    assert untouched(upstream)


async def test_x_amz_target_is_refused_on_rest_services(call, upstream):
    response = await call(
        "/sagemaker-mlops/aws/codeartifact/v1/packages?domain=mlops",
        method="POST",
        body="",
        headers={"X-Amz-Target": "CodeArtifact.GetAuthorizationToken"},
    )
    assert response.code == 403
    assert error_of(response)["code"] == "OperationNotAllowed"
    assert untouched(upstream)


async def test_json_operation_on_a_sub_path_is_refused(call, upstream):
    response = await call("/sagemaker-mlops/aws/sagemaker/v1/anything", **aws_call("SageMaker.ListPipelines"))
    assert response.code == 403
    assert "only POST to the service root" in error_of(response)["message"]
    assert untouched(upstream)


async def test_mlflow_get_with_its_query(call, upstream):
    response = await call(
        "/sagemaker-mlops/aws/sagemaker-mlflow/api/2.0/mlflow/experiments/get-by-name?experiment_name=churn%20model%2Fv2"
    )
    assert response.code == 200
    (request,) = upstream.requests
    assert request["method"] == "GET"
    assert request["path"] == "/api/2.0/mlflow/experiments/get-by-name?experiment_name=churn%20model%2Fv2"
    assert request["body"] == b""
