"""A real MLflow tracking server with the project's seeded experiments, read back with MlflowClient."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

import pytest

from _ext_server import make_state
from mlops_devstack.mlflow_server import LONG_RUNS, LONG_STEPS, _finished_indices, _run_plan, seed_mlflow, start_mlflow, stop_mlflow

PROJECT = {"name": "customer-churn", "id": "p-abc123def456", "bucket": "customer-churn-123456789012"}


@pytest.fixture(scope="module")
def mlflow_state(tmp_path_factory):
    state = make_state(tmp_path_factory.mktemp("mlflow-data"))
    url = start_mlflow(state)
    assert start_mlflow(state) == url  # started once per state
    seed_mlflow(state, url, PROJECT)
    seed_mlflow(state, url, PROJECT)  # idempotent
    yield state, url
    proc = state.mlflow_process
    stop_mlflow(state)
    assert proc.poll() is not None
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{url}/health", timeout=2)


@pytest.fixture(scope="module")
def mlflow_url(mlflow_state):
    return mlflow_state[1]


@pytest.fixture(scope="module")
def client(mlflow_url):
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=mlflow_url)


def test_experiments_tagged_with_project(client):
    found = client.search_experiments(filter_string="tags.`sagemaker:project-name` = 'customer-churn'")
    names = sorted(e.name for e in found)
    assert names == ["customer-churn", "customer-churn-hyperparameter-tuning"]
    exp = client.get_experiment_by_name("customer-churn")
    assert exp.tags["sagemaker:project-id"] == PROJECT["id"]
    assert exp.artifact_location.startswith("mlflow-artifacts:")


def test_runs_params_tags_statuses(client):
    exp = client.get_experiment_by_name("customer-churn")
    runs = client.search_runs([exp.experiment_id], max_results=100, order_by=["attributes.start_time ASC"])
    assert len(runs) == 12
    statuses = {r.info.status for r in runs}
    assert {"FINISHED", "FAILED"} <= statuses
    first = runs[0]
    plan = _run_plan(PROJECT, 0, __import__("random").Random("customer-churn:customer-churn"), 10)
    assert first.info.run_name == plan["name"] and first.data.params == plan["params"]  # deterministic content
    assert first.info.start_time == plan["start"] and first.info.end_time == plan["end"]
    assert first.data.tags["sagemaker:project-name"] == "customer-churn"
    failed = [r for r in runs if r.info.status == "FAILED"]
    assert all("failure_reason" in r.data.tags and "test:auc" not in r.data.metrics for r in failed)
    best = client.search_runs([exp.experiment_id], filter_string="attributes.status = 'FINISHED'",
                              order_by=["metrics.`validation:auc` DESC"], max_results=1)[0]
    assert 0.5 < best.data.metrics["validation:auc"] < 1.0 and "test:auc" in best.data.metrics


def test_metric_history(client):
    exp = client.get_experiment_by_name("customer-churn")
    run = client.search_runs([exp.experiment_id], filter_string="attributes.status = 'FINISHED'", max_results=1)[0]
    history = client.get_metric_history(run.info.run_id, "validation:auc")
    assert [m.step for m in history] == list(range(10))
    assert history[-1].value > history[0].value  # the model learns
    assert len({m.timestamp for m in history}) == 10
    failed = client.search_runs([exp.experiment_id], filter_string="attributes.status = 'FAILED'", max_results=1)[0]
    assert len(client.get_metric_history(failed.info.run_id, "validation:auc")) == 5  # stopped half-way
    tuning = client.get_experiment_by_name("customer-churn-hyperparameter-tuning")
    trun = client.search_runs([tuning.experiment_id], max_results=1, filter_string="attributes.status = 'FINISHED'")[0]
    assert len(client.get_metric_history(trun.info.run_id, "train:auc")) == 25


def test_scale_seeding(mlflow_state, client):
    state, url = mlflow_state
    state.scale = True
    other = {"name": "scale-project", "id": "p-scale0000001", "bucket": "scale-project-123456789012"}
    began = time.monotonic()
    ids = seed_mlflow(state, url, other)
    elapsed = time.monotonic() - began
    assert elapsed < 60, f"seeding 5,000 runs took {elapsed:.1f}s"
    exp_id = ids["scale-project"]
    page = client.search_runs([exp_id], max_results=1000)
    assert len(page) == 1000 and page.token
    total, token = 0, None
    while True:
        page = client.search_runs([exp_id], max_results=1000, page_token=token)
        total += len(page)
        token = page.token
        if not token:
            break
    assert total == 5000
    run = client.search_runs([exp_id], filter_string="attributes.status = 'FINISHED' and params.max_depth = '6'",
                             order_by=["metrics.`validation:auc` DESC"], max_results=5)[0]
    assert len(client.get_metric_history(run.info.run_id, "validation:auc")) == 5
    assert run.data.tags["mlflow.runName"] == run.info.run_name


def test_managed_endpoint_in_front_of_the_real_server(stack, mlflow_url, monkeypatch):
    """The same experiments through the SigV4 endpoint (sagemaker-mlflow + ARN header) and the plain URL."""
    import json

    from test_managed_mlflow import send

    monkeypatch.setattr(stack.state, "mlflow_url", mlflow_url, raising=False)
    status, body = send(stack, body=b'{"max_results": 100, "filter": "tags.`sagemaker:project-name` = \'customer-churn\'"}')
    assert status == 200
    managed = sorted(e["name"] for e in body["experiments"])
    assert managed == ["customer-churn", "customer-churn-hyperparameter-tuning"]
    plain = urllib.request.Request(f"{mlflow_url}/api/2.0/mlflow/experiments/search", data=b'{"max_results": 100}',
                                   headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(plain, timeout=10) as response:  # the self-hosted URL stays unauthenticated
        assert set(managed) <= {e["name"] for e in json.loads(response.read())["experiments"]}
    status, body = send(stack, sign_as="")
    assert status == 403


def test_long_histories_plans_are_finished_runs_with_every_step():
    """--scale's compare benchmark: 10 runs, each metric a 10,000-step history (no failed or killed run)."""
    import random

    rng = random.Random("customer-churn:customer-churn-long-histories")
    plans = [_run_plan(PROJECT, i, rng, LONG_STEPS) for i in _finished_indices(LONG_RUNS)]
    assert len(plans) == LONG_RUNS == 10
    assert {p["status"] for p in plans} == {"FINISHED"}
    for plan in plans:
        steps = [step for key, _, _, step in plan["metrics"] if key == "validation:auc"]
        assert steps == list(range(LONG_STEPS))

