"""Only allowlisted services and operations are forwarded; everything else is refused with a JSON 403."""

import json

import pytest

from rest_capability import WITH_REST

from sagemaker_mlops.allowlist import SERVICES, Allowlist, RestOperation, action_of
from sagemaker_mlops.capabilities import BUILTIN, allowlist_of, load, load_all

from conftest import aws_call, error_of, untouched

#: What the shipped features use, per capability; the allowlist must be exactly the union of this.
SHIPPED = {
    "connection": {"sagemaker": "ListProjects DescribeProject ListTags"},
    "pipelines": {
        "sagemaker": """Search ListTags ListPipelines DescribePipeline DescribePipelineDefinitionForExecution
        ListPipelineExecutions DescribePipelineExecution ListPipelineExecutionSteps ListPipelineParametersForExecution
        StartPipelineExecution StopPipelineExecution RetryPipelineExecution CreatePipeline UpdatePipeline""",
        "logs": "GetLogEvents DescribeLogStreams",
    },
    "registry": {
        "sagemaker": """Search ListTags ListModelPackageGroups ListModelPackages DescribeModelPackage
        DescribeModelPackageGroup UpdateModelPackage""",
        "codepipeline": """GetPipeline GetPipelineState GetPipelineExecution ListPipelines ListPipelineExecutions
        ListTagsForResource ListActionExecutions PutApprovalResult""",
    },
    # every CodeArtifact call of the packages capability is made server-side: nothing through the proxy
    "packages": {},
    "runs": {"sagemaker": "Search ListExperiments ListTags DescribeTrialComponent"},
    "config": {
        "codecommit": """GetRepository ListBranches GetBranch GetFile GetFolder GetCommit GetDifferences CreateCommit
        PutFile CreatePullRequest ListPullRequests GetPullRequest"""
    },
}
#: The REST operations of the shipped capabilities, per capability (method, path).
SHIPPED_REST = {
    "runs": {
        "sagemaker-mlflow": {
            ("POST", "/api/2.0/mlflow/experiments/search"),
            ("POST", "/api/2.0/mlflow/runs/search"),
            ("GET", "/api/2.0/mlflow/metrics/get-history"),
        }
    }
}
#: The JSON operations with the capabilities of WITH_REST (the shipped ones but packages and runs, and the test one).
EXPECTED_JSON = {
    "sagemaker": (
        "SageMaker",
        " ".join(SHIPPED[name]["sagemaker"] for name in ("connection", "pipelines", "registry")),
    ),
    "logs": ("Logs_20140328", SHIPPED["pipelines"]["logs"]),
    "codepipeline": ("CodePipeline_20150709", SHIPPED["registry"]["codepipeline"]),
}
#: What the test capability (tests/rest_capability.py) adds.
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
        ("POST", "/api/2.0/mlflow/runs/search"),
        ("GET", "/api/2.0/mlflow/runs/get"),
    },
}


@pytest.fixture
def mlops_config(tmp_path, upstream):
    # Every service points at the recording upstream, so a refused request provably never leaves the server.
    return {
        "resource_metadata_path": str(tmp_path / "none.json"),
        "endpoint_urls": {name: upstream.url for name in SERVICES},
        "capabilities": WITH_REST,
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
        ("sagemaker", "SageMaker.DeleteModelPackage"),  # the registry only updates a version's approval
        ("sagemaker", "SageMaker.CreateModelPackage"),
        ("codepipeline", "CodePipeline_20150709.StartPipelineExecution"),  # the gate is approved, not started
        ("sagemaker", "SageMaker.AddTags"),
        ("sagemaker", "SageMaker.DescribeTrainingJob"),
        ("logs", "Logs_20140328.DeleteLogGroup"),
        ("logs", "Logs_20140328.FilterLogEvents"),
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


class TestShippedCapabilitiesOnly:
    @pytest.fixture
    def mlops_config(self, tmp_path, upstream):
        return {
            "resource_metadata_path": str(tmp_path / "none.json"),
            "endpoint_urls": {name: upstream.url for name in SERVICES},
        }

    @pytest.mark.parametrize(
        "service,target,path",
        [
            ("codeartifact", None, "/v1/repository/endpoint?domain=mlops"),
            ("codeartifact", None, "/v1/packages?domain=mlops"),
        ],
    )
    async def test_services_no_capability_uses_are_not_forwarded(self, call, upstream, service, target, path):
        # Known services (endpoint configured, signing name known) with no granted operation: refused as a whole.
        kwargs = aws_call(target) if target else {"method": "POST", "body": "{}"}
        response = await call(f"/sagemaker-mlops/aws/{service}{path}", **kwargs)
        assert response.code == 403
        error = error_of(response)
        assert error["code"] == "ServiceNotAllowed"
        assert f"'{service}'" in error["message"]
        assert untouched(upstream)

    async def test_shipped_operations_are_forwarded(self, call, upstream):
        targets = {
            "SageMaker.ListProjects": "sagemaker",
            "SageMaker.StartPipelineExecution": "sagemaker",
            "SageMaker.UpdateModelPackage": "sagemaker",
            "Logs_20140328.GetLogEvents": "logs",
            "CodePipeline_20150709.PutApprovalResult": "codepipeline",
        }
        for target, service in targets.items():
            response = await call(f"/sagemaker-mlops/aws/{service}/", **aws_call(target))
            assert response.code == 200, (target, response.body)
        assert len(upstream.requests) == len(targets)


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
    # The shipped capabilities, and nothing else, make up the default allowlist.
    assert BUILTIN == ("connection", "pipelines", "registry", "packages", "runs", "config")
    capabilities = load_all(BUILTIN)
    for capability in capabilities:
        json_grants = {name: set(ops) for name, ops in capability.operations.items() if SERVICES[name].is_json}
        rest_grants = {
            name: {(op.method, op.path) for op in ops}
            for name, ops in capability.operations.items()
            if not SERVICES[name].is_json
        }
        assert json_grants == {name: set(ops.split()) for name, ops in SHIPPED[capability.name].items()}
        assert rest_grants == SHIPPED_REST.get(capability.name, {})
    allowlist = allowlist_of(capabilities)
    assert allowlist.services == set(EXPECTED_JSON) | {"sagemaker-mlflow", "codecommit"}
    for name, (prefix, operations) in EXPECTED_JSON.items():
        assert SERVICES[name].target_prefix == prefix
        expected = set(operations.split())
        for capability in ("runs",):
            expected |= set(SHIPPED[capability].get(name, "").split())
        assert allowlist.json_operations[name] == frozenset(expected)
    assert {name: {(op.method, op.path) for op in ops} for name, ops in allowlist.rest_operations.items()} == (
        SHIPPED_REST["runs"]
    )
    assert allowlist.json_operations["codecommit"] == frozenset(SHIPPED["config"]["codecommit"].split())
    assert "codeartifact" not in allowlist.services
    # The service definitions stay, so a later capability can grant their operations.
    assert SERVICES["sagemaker-mlflow"].signing_name == "sagemaker-mlflow"
    assert SERVICES["codeartifact"].signing_name == "codeartifact"
    assert SERVICES["codecommit"].target_prefix == "CodeCommit_20150413"
    assert SERVICES["codepipeline"].target_prefix == "CodePipeline_20150709"


def test_a_capability_adds_rest_operations():
    allowlist = allowlist_of(load_all(WITH_REST))
    assert allowlist.services == set(EXPECTED_JSON) | set(EXPECTED_REST)
    # The test capability's CodePipeline read is one the registry grants too: the union holds it once.
    assert allowlist.json_operations["codepipeline"] == frozenset(EXPECTED_JSON["codepipeline"][1].split())
    for name, routes in EXPECTED_REST.items():
        assert SERVICES[name].target_prefix is None
        assert {(op.method, op.path) for op in allowlist.rest_operations[name]} == routes


def test_capability_declarations_are_checked():
    with pytest.raises(ValueError, match="unknown service"):
        Allowlist([{"iam": ["CreateUser"]}])
    with pytest.raises(ValueError, match="REST service"):
        Allowlist([{"codeartifact": ["ListPackages"]}])
    with pytest.raises(ValueError, match="JSON-protocol"):
        Allowlist([{"sagemaker": [RestOperation("GET", "/", "X")]}])
    with pytest.raises(ValueError, match="differently"):
        Allowlist(
            [
                {"codeartifact": [RestOperation("GET", "/v1/x", "X", frozenset({"a"}))]},
                {"codeartifact": [RestOperation("GET", "/v1/x", "X", frozenset({"b"}))]},
            ]
        )
    with pytest.raises(ValueError, match="twice"):
        load_all(["pipelines", "pipelines"])
    assert load("sagemaker_mlops.capabilities.pipelines").name == "pipelines"


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
            kwargs = {"method": method}
            if method == "POST":
                kwargs.update(body="{}", headers={"Content-Type": "application/json"})
            response = await call(f"/sagemaker-mlops/aws/{name}{path}", **kwargs)
            assert response.code == 200, (name, method, path, response.body)
            expected.append((method, path, None, name))
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
