"""Pipeline executions owned by the devstack: conditions, Fail steps, model registration, idempotency,
listing filters, updates and the lifecycle conflicts, all through boto3 on the wire."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

from conftest import control, make_client
from test_sagemaker import wait_status


@pytest.fixture
def fast(stack):
    stack.sagemaker.step_seconds = 0.3
    yield
    stack.sagemaker.step_seconds = 4.0


def _token(tag: str) -> str:
    return f"pytest-{tag}".ljust(32, "0")


def test_condition_below_threshold_takes_the_else_branch_and_fails(fast, sm, project):
    arn = sm.start_pipeline_execution(
        PipelineName=project["build_pipeline"],
        PipelineParameters=[{"Name": "AccuracyThreshold", "Value": "0.95"}],
        ClientRequestToken=_token("threshold"),
    )["PipelineExecutionArn"]
    assert wait_status(sm, arn, {"Failed", "Succeeded"}) == "Failed"
    described = sm.describe_pipeline_execution(PipelineExecutionArn=arn)
    assert "MetricsBelowThreshold" in described["FailureReason"]
    steps = {s["StepName"]: s for s in sm.list_pipeline_execution_steps(PipelineExecutionArn=arn)["PipelineExecutionSteps"]}
    assert set(steps) == {"Preprocess", "Train", "Evaluate", "CheckMetrics", "MetricsBelowThreshold"}
    assert steps["CheckMetrics"]["Metadata"] == {"Condition": {"Outcome": "False"}}
    assert steps["MetricsBelowThreshold"]["StepStatus"] == "Failed"
    assert steps["MetricsBelowThreshold"]["FailureReason"] == "Accuracy below the threshold"
    assert steps["MetricsBelowThreshold"]["Metadata"] == {"Fail": {"ErrorMessage": "Accuracy below the threshold"}}
    assert all(isinstance(s["EndTime"].timestamp(), float) for s in steps.values())


def test_register_model_step_registers_a_pending_version(fast, stack, sm, project):
    group = f"{project['name']}-{project['id']}"
    before = {p["ModelPackageArn"] for p in sm.list_model_packages(ModelPackageGroupName=group, MaxResults=100)["ModelPackageSummaryList"]}
    arn = sm.start_pipeline_execution(PipelineName=project["build_pipeline"], ClientRequestToken=_token("register"))["PipelineExecutionArn"]
    assert wait_status(sm, arn, {"Failed", "Succeeded"}) == "Succeeded"
    register = next(s for s in sm.list_pipeline_execution_steps(PipelineExecutionArn=arn)["PipelineExecutionSteps"] if s["StepName"] == "RegisterModel")
    package_arn = register["Metadata"]["RegisterModel"]["Arn"]
    assert package_arn not in before
    package = sm.describe_model_package(ModelPackageName=package_arn)
    assert package["ModelApprovalStatus"] == "PendingManualApproval"
    assert package["ModelPackageGroupName"] == group
    assert package["MetadataProperties"]["GeneratedBy"] == arn
    assert package["InferenceSpecification"]["Containers"][0]["ModelDataUrl"].startswith("s3://")
    # its evaluation report, where ModelMetrics point, as the SDK's template registers it
    uri = package["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"]
    assert uri == f"s3://{project['bucket']}/evaluation/{arn.rsplit('/', 1)[1]}/evaluation.json"
    bucket, key = uri[len("s3://"):].split("/", 1)
    report = json.loads(make_client(stack, "s3").get_object(Bucket=bucket, Key=key)["Body"].read())
    assert report["binary_classification_metrics"]["accuracy"]["value"] == 0.87
    assert package["CreatedBy"]["IamIdentity"]["Arn"] == f"arn:aws:sts::123456789012:assumed-role/{project['name']}-sagemaker-execution-role/SageMaker"


def test_start_is_idempotent_per_client_request_token(sm, project):
    first = sm.start_pipeline_execution(PipelineName=project["user_pipeline"], ClientRequestToken=_token("idem"))["PipelineExecutionArn"]
    again = sm.start_pipeline_execution(PipelineName=project["user_pipeline"], ClientRequestToken=_token("idem"))["PipelineExecutionArn"]
    other = sm.start_pipeline_execution(PipelineName=project["user_pipeline"], ClientRequestToken=_token("idem-2"))["PipelineExecutionArn"]
    assert first == again != other


def test_steps_are_starting_then_executing_then_done(stack, sm, project):
    stack.sagemaker.step_seconds = 3.0
    try:
        arn = sm.start_pipeline_execution(PipelineName=project["deploy_pipeline"], ClientRequestToken=_token("phases"))["PipelineExecutionArn"]
        assert sm.list_pipeline_execution_steps(PipelineExecutionArn=arn)["PipelineExecutionSteps"] == []  # not started yet
        seen: set[str] = set()
        deadline = time.time() + 6
        while time.time() < deadline and "Succeeded" not in seen:
            for step in sm.list_pipeline_execution_steps(PipelineExecutionArn=arn)["PipelineExecutionSteps"]:
                if step["StepName"] == "DeployStaging":
                    seen.add(step["StepStatus"])
            time.sleep(0.2)
        assert {"Starting", "Executing", "Succeeded"} <= seen
    finally:
        stack.sagemaker.step_seconds = 4.0


def test_listing_filters_sorts_and_rejects_bad_tokens(sm, project):
    name = project["build_pipeline"]
    everything = sm.list_pipeline_executions(PipelineName=name, MaxResults=100)["PipelineExecutionSummaries"]
    starts = sorted(e["StartTime"] for e in everything)
    middle = starts[len(starts) // 2]
    after = sm.list_pipeline_executions(PipelineName=name, CreatedAfter=middle, MaxResults=100)["PipelineExecutionSummaries"]
    before = sm.list_pipeline_executions(PipelineName=name, CreatedBefore=middle, MaxResults=100)["PipelineExecutionSummaries"]
    assert after and before and all(e["StartTime"] > middle for e in after) and all(e["StartTime"] < middle for e in before)
    assert len(after) + len(before) == len(everything) - 1
    oldest_first = sm.list_pipeline_executions(PipelineName=name, SortOrder="Ascending", MaxResults=3)["PipelineExecutionSummaries"]
    assert [e["StartTime"] for e in oldest_first] == starts[:3]
    by_arn = sm.list_pipeline_executions(PipelineName=name, SortBy="PipelineExecutionArn", SortOrder="Ascending", MaxResults=100)["PipelineExecutionSummaries"]
    assert [e["PipelineExecutionArn"] for e in by_arn] == sorted(e["PipelineExecutionArn"] for e in by_arn)
    with pytest.raises(ClientError) as raised:
        sm.list_pipeline_executions(PipelineName=name, NextToken="not-a-token")
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as raised:
        sm.list_pipeline_executions(PipelineName="no-such-pipeline")
    assert raised.value.response["Error"]["Code"] == "ResourceNotFound"


def test_update_definition_and_parameters_of_an_execution(sm, project):
    arn = sm.list_pipeline_executions(PipelineName=project["build_pipeline"], MaxResults=1, SortOrder="Ascending")["PipelineExecutionSummaries"][0]["PipelineExecutionArn"]
    sm.update_pipeline_execution(PipelineExecutionArn=arn, PipelineExecutionDisplayName="renamed-by-pytest", PipelineExecutionDescription="見直し済み")
    described = sm.describe_pipeline_execution(PipelineExecutionArn=arn)
    assert described["PipelineExecutionDisplayName"] == "renamed-by-pytest"
    assert described["PipelineExecutionDescription"] == "見直し済み"
    assert described["PipelineExperimentConfig"]["ExperimentName"] == project["build_pipeline"]
    definition = json.loads(sm.describe_pipeline_definition_for_execution(PipelineExecutionArn=arn)["PipelineDefinition"])
    assert [s["Name"] for s in definition["Steps"]] == ["Preprocess", "Train", "Evaluate", "CheckMetrics"]
    page = sm.list_pipeline_parameters_for_execution(PipelineExecutionArn=arn, MaxResults=3)
    rest = sm.list_pipeline_parameters_for_execution(PipelineExecutionArn=arn, MaxResults=10, NextToken=page["NextToken"])
    names = [p["Name"] for p in page["PipelineParameters"] + rest["PipelineParameters"]]
    assert names == [p["Name"] for p in definition["Parameters"]]
    with pytest.raises(ClientError) as raised:
        sm.describe_pipeline_execution(PipelineExecutionArn=arn + "x")
    assert raised.value.response["Error"]["Code"] == "ResourceNotFound"


def test_stop_and_retry_refuse_the_wrong_status_with_conflict(sm, project):
    executions = sm.list_pipeline_executions(PipelineName=project["build_pipeline"], MaxResults=100)["PipelineExecutionSummaries"]
    succeeded = next(e["PipelineExecutionArn"] for e in executions if e["PipelineExecutionStatus"] == "Succeeded")
    executing = next(e["PipelineExecutionArn"] for e in executions if e["PipelineExecutionStatus"] == "Executing")
    for call, arn in ((sm.stop_pipeline_execution, succeeded), (sm.retry_pipeline_execution, succeeded), (sm.retry_pipeline_execution, executing)):
        with pytest.raises(ClientError) as raised:
            call(PipelineExecutionArn=arn, ClientRequestToken=_token("conflict"))
        assert raised.value.response["Error"]["Code"] == "ConflictException"
    with pytest.raises(ClientError) as raised:
        sm.stop_pipeline_execution(PipelineExecutionArn=succeeded + "-missing", ClientRequestToken=_token("missing"))
    assert raised.value.response["Error"]["Code"] == "ResourceNotFound"


def test_a_stopped_execution_is_not_retried_and_a_retried_one_can_be_stopped(fast, sm, project, stack):
    control(stack, "/executions/fail-next", {"pipelineName": project["deploy_pipeline"], "step": "DeployStaging", "reason": "ClientError: injected"})
    arn = sm.start_pipeline_execution(PipelineName=project["deploy_pipeline"], ClientRequestToken=_token("retry-stop"))["PipelineExecutionArn"]
    assert wait_status(sm, arn, {"Failed", "Succeeded"}) == "Failed"
    sm.retry_pipeline_execution(PipelineExecutionArn=arn, ClientRequestToken=_token("retry-stop-2"))
    time.sleep(0.2)
    sm.stop_pipeline_execution(PipelineExecutionArn=arn, ClientRequestToken=_token("retry-stop-3"))
    assert wait_status(sm, arn, {"Stopped"}) == "Stopped"
    with pytest.raises(ClientError) as raised:
        sm.retry_pipeline_execution(PipelineExecutionArn=arn, ClientRequestToken=_token("retry-stop-4"))
    assert raised.value.response["Error"]["Code"] == "ConflictException"


def test_create_project_and_paginate_projects(stack, sm):
    admin = make_client(stack, "sagemaker", "devstack-admin")
    created = admin.create_project(
        ProjectName="pytest-project",
        ProjectDescription="made by pytest",
        ServiceCatalogProvisioningDetails={"ProductId": "prod-abcdefghijklm"},
        Tags=[{"Key": "CostCenter", "Value": "ml"}],
    )
    assert created["ProjectId"].startswith("p-") and len(created["ProjectId"]) == 14
    with pytest.raises(ClientError) as raised:
        admin.create_project(ProjectName="pytest-project", ServiceCatalogProvisioningDetails={"ProductId": "prod-abcdefghijklm"})
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    first = sm.list_projects(MaxResults=2, SortBy="Name", SortOrder="Ascending")
    second = sm.list_projects(MaxResults=2, SortBy="Name", SortOrder="Ascending", NextToken=first["NextToken"])
    names = [p["ProjectName"] for p in first["ProjectSummaryList"] + second["ProjectSummaryList"]]
    assert names == ["customer-churn", "fraud-detection", "pytest-project"] and "NextToken" not in second
    described = sm.describe_project(ProjectName="pytest-project")
    assert described["ProjectArn"] == created["ProjectArn"] and described["ProjectDescription"] == "made by pytest"
    assert {"Key": "CostCenter", "Value": "ml"} in sm.list_tags(ResourceArn=created["ProjectArn"])["Tags"]
