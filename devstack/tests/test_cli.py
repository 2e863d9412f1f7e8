"""`mlops-devstack up` as a user runs it (in --scale mode, which also checks the benchmark volume), and the
wiring of the optional extension modules."""

from __future__ import annotations

import json
import signal
import stat
import subprocess
import sys
import time
import types
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from mlops_devstack import app


def _env_file(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if line and not line.startswith("#"))


def _session(env: dict[str, str], uri: str, token: str) -> boto3.Session:
    """A boto3 session whose only credentials are a container-credentials endpoint, as in Studio."""
    from botocore.credentials import ContainerProvider
    from botocore.session import Session

    provider = ContainerProvider(environ={"AWS_CONTAINER_CREDENTIALS_FULL_URI": env[uri], "AWS_CONTAINER_AUTHORIZATION_TOKEN": env[token]})
    core = Session()
    core.get_component("credential_provider").providers = [provider]
    return boto3.Session(botocore_session=core, region_name=env["AWS_REGION"])


@pytest.fixture(scope="module")
def scaled(tmp_path_factory):
    work = tmp_path_factory.mktemp("cli")
    env_file = work / "env"
    process = subprocess.Popen(
        [sys.executable, "-m", "mlops_devstack", "up", "--port", "0", "--scale", "--no-mlflow", "--env-file", str(env_file), "--data-dir", str(work / "data")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.time() + 120
    while not env_file.exists() and process.poll() is None and time.time() < deadline:
        time.sleep(0.2)
    if not env_file.exists():
        process.kill()
        pytest.fail(f"the devstack did not start: {process.communicate()[0]}")
    yield process, env_file
    if process.poll() is None:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def scaled_sm(scaled):
    env = _env_file(scaled[1])
    sm = _session(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN").client(
        "sagemaker", endpoint_url=env["AWS_ENDPOINT_URL"], config=Config(retries={"max_attempts": 1}))
    return sm, env


def test_scale_volume_is_there_and_pages_fast(scaled_sm):
    sm, env = scaled_sm
    started = time.monotonic()
    pipelines = []
    for page in sm.get_paginator("search").paginate(
        Resource="Pipeline",
        SearchExpression={"Filters": [{"Name": "Tags.sagemaker:project-name", "Operator": "Equals", "Value": "customer-churn"}]},
        PaginationConfig={"PageSize": 100},
    ):
        pipelines += [r["Pipeline"]["PipelineName"] for r in page["Results"]]
    assert len(pipelines) == len(set(pipelines)) >= 500
    components = sum(len(p["TrialComponentSummaries"]) for p in sm.get_paginator("list_trial_components").paginate(PaginationConfig={"PageSize": 100}))
    assert components >= 5000
    # they are the runs of the experiment <project>-scale (through its trial), tagged with the project
    experiments = sm.search(Resource="Experiment", SearchExpression={"Filters": [
        {"Name": "Tags.sagemaker:project-name", "Operator": "Equals", "Value": "customer-churn"}]})["Results"]
    assert "customer-churn-scale" in {e["Experiment"]["ExperimentName"] for e in experiments}
    runs = sm.search(Resource="ExperimentTrialComponent", MaxResults=100, SortBy="CreationTime", SortOrder="Descending",
                     SearchExpression={"Filters": [{"Name": "Parents.ExperimentName", "Operator": "Equals", "Value": "customer-churn-scale"}]})
    assert len(runs["Results"]) == 100 and runs["NextToken"]
    assert runs["Results"][0]["TrialComponent"]["Parents"][0]["TrialName"] == "customer-churn-scale-trial"
    project = json.loads(urllib.request.urlopen(env["DEVSTACK_CONTROL_URL"] + "/health", timeout=5).read())["projects"][0]
    group = f"{project['name']}-{project['id']}"
    newest = sm.list_model_packages(ModelPackageGroupName=group, SortOrder="Descending", MaxResults=1)["ModelPackageSummaryList"][0]
    assert newest["ModelPackageVersion"] >= 20_000
    page = sm.list_model_packages(ModelPackageGroupName=group, MaxResults=100)
    assert len(page["ModelPackageSummaryList"]) == 100 and page["NextToken"]
    # every version of the group, newest first, 100 a page: no repeats, no gaps, quickly
    paging = time.monotonic()
    versions = []
    for listed in sm.get_paginator("list_model_packages").paginate(
        ModelPackageGroupName=group, SortBy="CreationTime", SortOrder="Descending", PaginationConfig={"PageSize": 100}
    ):
        assert len(listed["ModelPackageSummaryList"]) <= 100
        versions += [v["ModelPackageVersion"] for v in listed["ModelPackageSummaryList"]]
    assert len(versions) == len(set(versions)) >= 20_000 and versions == sorted(versions, reverse=True)
    assert versions[-1] == 1 and versions[0] == newest["ModelPackageVersion"]
    assert time.monotonic() - paging < 15
    executions = json.loads(urllib.request.urlopen(env["DEVSTACK_CONTROL_URL"] + "/executions", timeout=30).read())["executions"]
    assert len(executions) >= 10_000
    one = sm.list_pipeline_executions(PipelineName="customer-churn-scale-007", MaxResults=100)["PipelineExecutionSummaries"]
    assert len(one) == 20
    assert time.monotonic() - started < 30


def test_up_writes_a_private_env_file_and_keeps_secrets_off_the_console(scaled):
    process, env_file = scaled
    env = _env_file(env_file)
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert {"AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN", "DEVSTACK_APPROVER_CREDENTIALS_URI", "DEVSTACK_APPROVER_AUTHORIZATION_TOKEN",
            "DEVSTACK_CONTROL_URL"} <= set(env)
    # roles only: no long-term key of an identity is written (Studio has none either)
    assert not {k for k in env if k.endswith(("ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "SESSION_TOKEN"))}
    assert env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:") and env["AWS_REGION"] == "us-east-1"
    metadata = json.loads(Path(env["DEVSTACK_RESOURCE_METADATA"]).read_text())  # in the state directory
    assert Path(env["DEVSTACK_RESOURCE_METADATA"]).is_relative_to(env_file.parent / "data")
    assert metadata["SpaceName"] == "customer-churn-space" and metadata["AppType"] == "JupyterLab"
    assert metadata["ResourceArn"].endswith(":space/d-devstack01/customer-churn-space")
    approver = json.loads(Path(env["DEVSTACK_APPROVER_RESOURCE_METADATA"]).read_text())  # the approver's own space
    assert approver["SpaceName"] == "customer-churn-approver-space" and approver["UserProfileName"] == "approver"
    assert approver["ExecutionRoleArn"].endswith(":role/approver")
    assert not {"MLFLOW_TRACKING_URI", "DEVSTACK_MANAGED_MLFLOW_URL", "DEVSTACK_MANAGED_MLFLOW_ARN"} & set(env)  # --no-mlflow
    with urllib.request.urlopen(env["DEVSTACK_CONTROL_URL"] + "/health", timeout=5) as response:
        assert json.loads(response.read())["status"] == "ok"
    sts = _session(env, "DEVSTACK_APPROVER_CREDENTIALS_URI", "DEVSTACK_APPROVER_AUTHORIZATION_TOKEN").client("sts", endpoint_url=env["AWS_ENDPOINT_URL"])
    assert sts.get_caller_identity()["Arn"].endswith(":assumed-role/approver/SageMaker")
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0 and "devstack stopped" in output
    assert env["AWS_ENDPOINT_URL"] in output
    for secret in (env["AWS_CONTAINER_AUTHORIZATION_TOKEN"], env["DEVSTACK_APPROVER_AUTHORIZATION_TOKEN"]):
        assert secret not in output



def test_register_extensions_skips_missing_modules_but_not_broken_ones(monkeypatch, tmp_path):
    state = types.SimpleNamespace(data_dir=tmp_path, account_id="123456789012", region="us-east-1", base_url="", scale=False)
    monkeypatch.setattr(app, "OPTIONAL_EXTENSIONS", [("mlops_devstack.no_such_module_here", "Nothing")])
    extensions = app.register_extensions(state)
    for extension in extensions:
        extension.close()
    assert [e.service for e in extensions] == ["sagemaker"]  # a module that does not exist (yet) is skipped ...
    (tmp_path / "needs_missing_dep.py").write_text("import a_dependency_that_is_not_installed\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(app, "OPTIONAL_EXTENSIONS", [("needs_missing_dep", "X")])
    with pytest.raises(ModuleNotFoundError):  # ... but one whose own imports fail is an error, not silence
        app.register_extensions(state)
    state.sagemaker.close()


def test_env_lines_name_both_mlflow_urls(stack):
    from mlops_devstack.cli import env_lines

    lines = env_lines(stack, "http://127.0.0.1:5999")
    assert lines["MLFLOW_TRACKING_URI"] == "http://127.0.0.1:5999"  # self-hosted: unauthenticated
    assert lines["DEVSTACK_MANAGED_MLFLOW_URL"] == stack.endpoint + "/managed-mlflow"
    assert lines["DEVSTACK_MANAGED_MLFLOW_ARN"] == f"arn:aws:sagemaker:us-east-1:{stack.state.account_id}:mlflow-tracking-server/mlops-tracking-server"
