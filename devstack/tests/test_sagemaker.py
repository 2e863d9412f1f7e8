"""SageMaker operations the devstack adds, exercised with boto3 on the wire."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

from conftest import control, make_client

pytestmark = pytest.mark.usefixtures("reset_faults")


def wait_status(sm, arn: str, wanted: set[str], timeout: float = 30.0) -> str:
    end = time.time() + timeout
    while time.time() < end:
        status = sm.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"]
        if status in wanted:
            return status
        time.sleep(0.2)
    raise AssertionError(f"{arn} did not reach {wanted}; last {status}")


def test_projects_are_listed_and_described(sm, project):
    names = [p["ProjectName"] for p in sm.list_projects()["ProjectSummaryList"]]
    assert {"customer-churn", "fraud-detection"} <= set(names)
    described = sm.describe_project(ProjectName="customer-churn")
    assert described["ProjectId"] == project["id"] and described["ProjectId"].startswith("p-")
    assert described["ProjectStatus"] == "CreateCompleted"
    tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=described["ProjectArn"])["Tags"]}
    assert tags["sagemaker:project-name"] == "customer-churn"
    with pytest.raises(ClientError):
        sm.describe_project(ProjectName="no-such-project")


def test_pipelines_are_found_by_project_tags_only(sm, project):
    found = sm.search(
        Resource="Pipeline",
        SearchExpression={"Filters": [{"Name": "Tags.sagemaker:project-name", "Operator": "Equals", "Value": "customer-churn"}]},
    )["Results"]
    names = {r["Pipeline"]["PipelineName"] for r in found}
    assert project["build_pipeline"] in names and project["deploy_pipeline"] in names
    assert all(n.startswith("customer-churn") for n in names)


def test_execution_listing_is_paginated_newest_first(sm, project):
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"PipelineName": project["build_pipeline"], "MaxResults": 5, "SortOrder": "Descending"}
        if token:
            kwargs["NextToken"] = token
        page = sm.list_pipeline_executions(**kwargs)
        seen += page["PipelineExecutionSummaries"]
        pages += 1
        token = page.get("NextToken")
        if not token:
            break
    assert pages >= 4 and len(seen) == len({e["PipelineExecutionArn"] for e in seen}) >= 18
    starts = [e["StartTime"] for e in seen]
    assert starts == sorted(starts, reverse=True)
    assert {e["PipelineExecutionStatus"] for e in seen} >= {"Executing", "Stopping", "Stopped", "Failed", "Succeeded"}


def test_failed_execution_has_steps_with_failure_reason_and_jobs(sm, project):
    executions = sm.list_pipeline_executions(PipelineName=project["build_pipeline"], MaxResults=100)["PipelineExecutionSummaries"]
    failed = next(e for e in executions if e["PipelineExecutionStatus"] == "Failed")
    described = sm.describe_pipeline_execution(PipelineExecutionArn=failed["PipelineExecutionArn"])
    assert "Step failure" in described["FailureReason"]
    assert described["CreatedBy"].get("UserProfileName") or described["CreatedBy"]["IamIdentity"]["Arn"]
    steps = sm.list_pipeline_execution_steps(PipelineExecutionArn=failed["PipelineExecutionArn"])["PipelineExecutionSteps"]
    bad = [s for s in steps if s["StepStatus"] == "Failed"]
    assert len(bad) == 1 and bad[0]["FailureReason"]
    jobs = [s["Metadata"] for s in steps if "TrainingJob" in s["Metadata"] or "ProcessingJob" in s["Metadata"]]
    assert jobs and all(list(m.values())[0]["Arn"].startswith("arn:aws:sagemaker:us-east-1:123456789012:") for m in jobs)
    params = sm.list_pipeline_parameters_for_execution(PipelineExecutionArn=failed["PipelineExecutionArn"])["PipelineParameters"]
    assert {"Name": "ModelApprovalStatus", "Value": "PendingManualApproval"} in params


def test_start_progresses_to_succeeded_with_logs(stack, sm, project):
    stack.sagemaker.step_seconds = 0.3
    arn = sm.start_pipeline_execution(
        PipelineName=project["build_pipeline"],
        PipelineParameters=[{"Name": "ProcessingInstanceCount", "Value": "2"}],
        PipelineExecutionDisplayName="pytest-run",
        ClientRequestToken="pytest-token-000000000000000000001",
    )["PipelineExecutionArn"]
    assert sm.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"] == "Executing"
    assert wait_status(sm, arn, {"Succeeded", "Failed"}) == "Succeeded"
    steps = sm.list_pipeline_execution_steps(PipelineExecutionArn=arn, SortOrder="Ascending")["PipelineExecutionSteps"]
    assert [s["StepName"] for s in steps] == ["Preprocess", "Train", "Evaluate", "CheckMetrics", "RegisterModel"]
    assert steps[3]["Metadata"] == {"Condition": {"Outcome": "True"}}
    assert "RegisterModel" in steps[4]["Metadata"]
    params = {p["Name"]: p["Value"] for p in sm.list_pipeline_parameters_for_execution(PipelineExecutionArn=arn)["PipelineParameters"]}
    assert params["ProcessingInstanceCount"] == "2" and params["TrainingInstanceType"] == "ml.m5.xlarge"
    job = steps[1]["Metadata"]["TrainingJob"]["Arn"].rsplit("/", 1)[1]
    logs = make_client(stack, "logs")
    time.sleep(1.5)  # the log writer ticks every second
    streams = logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs", logStreamNamePrefix=f"{job}/")["logStreams"]
    assert streams
    events = logs.get_log_events(logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=streams[0]["logStreamName"], startFromHead=True)["events"]
    assert any("completed successfully" in e["message"] for e in events)


def test_unknown_parameter_is_refused(sm, project):
    with pytest.raises(ClientError) as raised:
        sm.start_pipeline_execution(PipelineName=project["build_pipeline"], PipelineParameters=[{"Name": "Nope", "Value": "1"}], ClientRequestToken="t" * 32)
    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_failure_then_retry_then_success(stack, sm, project):
    stack.sagemaker.step_seconds = 0.3
    control(stack, "/executions/fail-next", {"pipelineName": project["build_pipeline"], "step": "Train", "reason": "AlgorithmError: injected"})
    arn = sm.start_pipeline_execution(PipelineName=project["build_pipeline"], ClientRequestToken="pytest-token-000000000000000000002")["PipelineExecutionArn"]
    assert wait_status(sm, arn, {"Failed", "Succeeded"}) == "Failed"
    with pytest.raises(ClientError):
        sm.stop_pipeline_execution(PipelineExecutionArn=arn, ClientRequestToken="x" * 32)
    sm.retry_pipeline_execution(PipelineExecutionArn=arn, ClientRequestToken="pytest-token-000000000000000000003")
    assert sm.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"] == "Executing"
    assert wait_status(sm, arn, {"Failed", "Succeeded"}) == "Succeeded"
    train = next(s for s in sm.list_pipeline_execution_steps(PipelineExecutionArn=arn)["PipelineExecutionSteps"] if s["StepName"] == "Train")
    assert train["AttemptCount"] == 2 and train["StepStatus"] == "Succeeded"
    with pytest.raises(ClientError) as raised:
        sm.retry_pipeline_execution(PipelineExecutionArn=arn, ClientRequestToken="pytest-token-000000000000000000004")
    assert raised.value.response["Error"]["Code"] == "ConflictException"
    assert "only Failed" in raised.value.response["Error"]["Message"]


def test_stop_goes_through_stopping_to_stopped(stack, sm, project):
    arn = sm.start_pipeline_execution(PipelineName=project["build_pipeline"], ClientRequestToken="pytest-token-000000000000000000005")["PipelineExecutionArn"]
    time.sleep(1.2)
    sm.stop_pipeline_execution(PipelineExecutionArn=arn, ClientRequestToken="pytest-token-000000000000000000006")
    assert sm.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"] == "Stopping"
    assert wait_status(sm, arn, {"Stopped"}) == "Stopped"
    steps = sm.list_pipeline_execution_steps(PipelineExecutionArn=arn)["PipelineExecutionSteps"]
    assert [s["StepStatus"] for s in steps] == ["Stopped"]


def test_control_moves_an_execution_to_a_chosen_status(stack, sm, project):
    arn = sm.start_pipeline_execution(PipelineName=project["build_pipeline"], ClientRequestToken="pytest-token-000000000000000000007")["PipelineExecutionArn"]
    control(stack, "/executions/status", {"executionArn": arn, "status": "Failed", "failureReason": "forced by test"})
    described = sm.describe_pipeline_execution(PipelineExecutionArn=arn)
    assert described["PipelineExecutionStatus"] == "Failed" and described["FailureReason"] == "forced by test"


def test_timestamps_are_epoch_numbers_on_the_wire(sm, project):
    raw = {}
    sm.meta.events.register("after-call.sagemaker.*", lambda http_response, **kw: raw.setdefault(kw["model"].name, json.loads(http_response.content)))
    sm.describe_pipeline(PipelineName=project["build_pipeline"])
    sm.list_pipeline_executions(PipelineName=project["build_pipeline"], MaxResults=2)
    sm.list_model_packages(ModelPackageGroupName=f"{project['name']}-{project['id']}", MaxResults=2)
    assert isinstance(raw["DescribePipeline"]["CreationTime"], (int, float))
    assert isinstance(raw["ListPipelineExecutions"]["PipelineExecutionSummaries"][0]["StartTime"], (int, float))
    assert isinstance(raw["ListModelPackages"]["ModelPackageSummaryList"][0]["CreationTime"], (int, float))


def test_model_packages_seeded_in_all_statuses_with_metrics(sm, project):
    group = f"{project['name']}-{project['id']}"
    summaries = sm.list_model_packages(ModelPackageGroupName=group, MaxResults=100, SortBy="CreationTime", SortOrder="Descending")["ModelPackageSummaryList"]
    assert len(summaries) >= 12
    assert {s["ModelApprovalStatus"] for s in summaries} == {"Approved", "Rejected", "PendingManualApproval"}
    newest_approved = max(s["ModelPackageVersion"] for s in summaries if s["ModelApprovalStatus"] == "Approved")
    assert any(s["ModelApprovalStatus"] == "PendingManualApproval" and s["ModelPackageVersion"] > newest_approved for s in summaries)
    described = sm.describe_model_package(ModelPackageName=summaries[-1]["ModelPackageArn"])
    assert described["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"].startswith(f"s3://{project['bucket']}/evaluation/")


def test_approval_is_denied_to_the_data_scientist_and_starts_deploy_for_the_approver(stack, sm, project):
    group = f"{project['name']}-{project['id']}"
    pending = [s for s in sm.list_model_packages(ModelPackageGroupName=group, MaxResults=100)["ModelPackageSummaryList"] if s["ModelApprovalStatus"] == "PendingManualApproval"]
    arn = pending[0]["ModelPackageArn"]
    with pytest.raises(ClientError) as raised:
        sm.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved", ApprovalDescription="me")
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "sagemaker:UpdateModelPackage" in raised.value.response["Error"]["Message"]
    # The platform's EventBridge rule starts the deploy *CodePipeline*; the SageMaker deploy pipeline is not run.
    cp = make_client(stack, "codepipeline")
    deploy = project["deploy_codepipeline"]
    before = {e["pipelineExecutionId"] for e in cp.list_pipeline_executions(pipelineName=deploy)["pipelineExecutionSummaries"]}
    sagemaker_before = len(sm.list_pipeline_executions(PipelineName=project["deploy_pipeline"], MaxResults=100)["PipelineExecutionSummaries"])
    approver = make_client(stack, "sagemaker", "approver")
    approver.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved", ApprovalDescription="Looks good")
    assert sm.describe_model_package(ModelPackageName=arn)["ModelApprovalStatus"] == "Approved"
    after = cp.list_pipeline_executions(pipelineName=deploy)["pipelineExecutionSummaries"]
    started = [e for e in after if e["pipelineExecutionId"] not in before]
    assert len(started) == 1 and started[0]["status"] == "InProgress" and started[0]["trigger"]["triggerType"] == "CloudWatchEvent"
    assert len(sm.list_pipeline_executions(PipelineName=project["deploy_pipeline"], MaxResults=100)["PipelineExecutionSummaries"]) == sagemaker_before


def test_ssm_and_s3_seeded(stack, project):
    ssm = make_client(stack, "ssm")
    assert ssm.get_parameter(Name="/mlops/projects/customer-churn/bucket")["Parameter"]["Value"] == project["bucket"]
    s3 = make_client(stack, "s3")
    assert s3.list_objects_v2(Bucket=project["bucket"], Prefix="evaluation/")["KeyCount"] >= 12


def test_hostile_content_is_seeded(sm, project):
    described = sm.describe_pipeline(PipelineName=f"{project['name']}-hostile-names")
    assert "<img src=x onerror=alert(1)>" in described["PipelineDescription"]
    assert "顧客離反モデル" in described["PipelineDescription"]
