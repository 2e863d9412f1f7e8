"""The runs capability: the proxy operations experiment runs use (SageMaker Experiments reads, MLflow searches and
metric histories) are forwarded, and nothing else of MLflow (no writes, deletes or other reads)."""

import json

import pytest

from sagemaker_mlops.allowlist import SERVICES, RestOperation, action_of
from sagemaker_mlops.capabilities import BUILTIN, allowlist_of, load, load_all
from sagemaker_mlops.config import SageMakerMLOps

from conftest import aws_call, error_of, untouched

RUNS_SAGEMAKER = "Search ListExperiments ListTags DescribeTrialComponent"
RUNS_MLFLOW = {
    ("POST", "/api/2.0/mlflow/experiments/search", "SearchExperiments", frozenset()),
    ("POST", "/api/2.0/mlflow/runs/search", "SearchRuns", frozenset()),
    (
        "GET",
        "/api/2.0/mlflow/metrics/get-history",
        "GetMetricHistory",
        frozenset({"run_id", "run_uuid", "metric_key", "max_results", "page_token"}),
    ),
}
MLFLOW = "/sagemaker-mlops/aws/sagemaker-mlflow"


def test_the_runs_capability_grants_exactly_its_operations():
    capability = load("runs")
    assert capability.name == "runs"
    assert capability.routes == ()
    assert set(capability.operations) == {"sagemaker", "sagemaker-mlflow"}
    assert set(capability.operations["sagemaker"]) == set(RUNS_SAGEMAKER.split())
    granted = capability.operations["sagemaker-mlflow"]
    assert all(isinstance(op, RestOperation) for op in granted)
    assert {(op.method, op.path, op.name, op.query) for op in granted} == RUNS_MLFLOW
    # Every operation only reads: a read-only Jupyter user may browse runs.
    assert {action_of(op) for op in RUNS_SAGEMAKER.split()} == {"read"}
    assert {action_of(op.name) for op in granted} == {"read"}


def test_runs_is_built_in_and_enabled_by_default():
    assert "runs" in BUILTIN
    assert "runs" in SageMakerMLOps().capabilities
    allowlist = allowlist_of(load_all(SageMakerMLOps().capabilities))
    assert "sagemaker-mlflow" in allowlist.services
    assert {(op.method, op.path) for op in allowlist.rest_operations["sagemaker-mlflow"]} == {
        (method, path) for method, path, _, _ in RUNS_MLFLOW
    }
    assert set(RUNS_SAGEMAKER.split()) <= allowlist.json_operations["sagemaker"]
    # Another capability granting the same MLflow searches (the test one) adds up with it.
    both = allowlist_of(load_all(["runs", "rest_capability"]))
    assert ("GET", "/api/2.0/mlflow/metrics/get-history") in {
        (op.method, op.path) for op in both.rest_operations["sagemaker-mlflow"]
    }


class TestRunsThroughTheProxy:
    @pytest.fixture
    def mlops_config(self, tmp_path, upstream):
        # The default capabilities; every service (MLflow included) points at the recording upstream.
        return {"resource_metadata_path": str(tmp_path / "none.json"), "endpoint_urls": {n: upstream.url for n in SERVICES}}

    @pytest.mark.parametrize("operation", RUNS_SAGEMAKER.split())
    async def test_sagemaker_experiments_reads_are_forwarded(self, call, upstream, operation):
        response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call(f"SageMaker.{operation}"))
        assert response.code == 200, response.body
        (request,) = upstream.requests
        assert request["headers"]["X-Amz-Target"] == f"SageMaker.{operation}"

    @pytest.mark.parametrize(
        "target",
        [
            "SageMaker.CreateExperiment",
            "SageMaker.DeleteExperiment",
            "SageMaker.CreateTrialComponent",
            "SageMaker.UpdateTrialComponent",
            "SageMaker.DeleteTrialComponent",
            "SageMaker.AssociateTrialComponent",
            "SageMaker.DescribeTrainingJob",
        ],
    )
    async def test_experiments_writes_are_refused(self, call, upstream, target):
        response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call(target))
        assert response.code == 403
        assert error_of(response)["code"] == "OperationNotAllowed"
        assert untouched(upstream)

    @pytest.mark.parametrize("path", ["/api/2.0/mlflow/experiments/search", "/api/2.0/mlflow/runs/search"])
    async def test_mlflow_searches_are_forwarded_signed_for_sagemaker_mlflow(self, call, upstream, path):
        body = json.dumps({"experiment_ids": ["1"], "max_results": 100, "page_token": "abc"})
        response = await call(f"{MLFLOW}{path}", method="POST", body=body, headers={"Content-Type": "application/json"})
        assert response.code == 200, response.body
        (request,) = upstream.requests
        assert (request["method"], request["path"]) == ("POST", path)
        assert json.loads(request["body"]) == json.loads(body)
        assert "/sagemaker-mlflow/aws4_request" in request["headers"]["Authorization"]

    async def test_metric_history_is_forwarded_with_its_query(self, call, upstream):
        query = "run_id=0a1b2c&metric_key=validation%3Aauc&max_results=25000&page_token=t2"
        response = await call(f"{MLFLOW}/api/2.0/mlflow/metrics/get-history?{query}")
        assert response.code == 200, response.body
        (request,) = upstream.requests
        assert request["method"] == "GET"
        assert request["path"] == f"/api/2.0/mlflow/metrics/get-history?{query}"
        assert request["body"] == b""

    async def test_metric_history_refuses_other_query_parameters(self, call, upstream):
        response = await call(f"{MLFLOW}/api/2.0/mlflow/metrics/get-history?run_id=a&metric_key=m&Action=Delete")
        assert response.code == 403
        assert error_of(response)["code"] == "QueryNotAllowed"
        assert untouched(upstream)

    @pytest.mark.parametrize(
        "method,path",
        [
            ("POST", "/api/2.0/mlflow/runs/delete"),
            ("POST", "/api/2.0/mlflow/runs/create"),
            ("POST", "/api/2.0/mlflow/runs/update"),
            ("POST", "/api/2.0/mlflow/runs/restore"),
            ("POST", "/api/2.0/mlflow/runs/log-batch"),
            ("POST", "/api/2.0/mlflow/runs/log-metric"),
            ("POST", "/api/2.0/mlflow/runs/set-tag"),
            ("POST", "/api/2.0/mlflow/experiments/create"),
            ("POST", "/api/2.0/mlflow/experiments/delete"),
            ("POST", "/api/2.0/mlflow/model-versions/create"),
            ("POST", "/api/2.0/mlflow/registered-models/delete"),
            ("GET", "/api/2.0/mlflow/runs/get"),
            ("GET", "/api/2.0/mlflow/experiments/search"),
            ("GET", "/api/2.0/mlflow-artifacts/artifacts"),
            ("GET", "/api/2.0/mlflow/artifacts/list"),
            ("POST", "/api/2.0/mlflow/metrics/get-history"),
            ("GET", "/api/2.0/mlflow/runs/search"),
            ("GET", "/ajax-api/2.0/mlflow/runs/search"),
            ("POST", "/api/2.0/mlflow/runs/search/"),
            ("POST", "/api/2.0/mlflow//runs/search"),
            ("POST", "/api/2.0/mlflow/runs/../runs/delete"),
            ("POST", "/api/2.0/mlflow/runs%2Fdelete"),
            ("GET", "/"),
        ],
    )
    async def test_other_mlflow_routes_are_refused(self, call, upstream, method, path):
        kwargs = {"method": method}
        if method == "POST":
            kwargs.update(body="{}", headers={"Content-Type": "application/json"})
        response = await call(f"{MLFLOW}{path}", **kwargs)
        assert response.code in (403, 404), (method, path, response.code)
        if response.code == 403:
            assert error_of(response)["code"] in ("OperationNotAllowed", "QueryNotAllowed")
        assert untouched(upstream)


class TestSelfHostedTrackingServer:
    @pytest.fixture
    def mlops_config(self, tmp_path, upstream):
        # A plain tracking URI (a self-hosted MLflow): requests reach it unsigned.
        return {"resource_metadata_path": str(tmp_path / "none.json"), "mlflow_tracking_uri": upstream.url}

    async def test_runs_search_reaches_it_without_aws_credentials(self, call, upstream):
        response = await call(
            f"{MLFLOW}/api/2.0/mlflow/runs/search",
            method="POST",
            body=json.dumps({"experiment_ids": ["1"]}),
            headers={"Content-Type": "application/json"},
        )
        assert response.code == 200, response.body
        (request,) = upstream.requests
        assert request["path"] == "/api/2.0/mlflow/runs/search"
        assert "Authorization" not in request["headers"]
        assert not any(k.lower().startswith("x-amz-") for k in request["headers"])
