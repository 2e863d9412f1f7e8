"""The deploy CodePipelines on the wire with boto3, as both identities: seeded pipelines and history, executions
advancing to the manual approval, PutApprovalResult and its errors, SUPERSEDED and PARALLEL modes, IAM."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from conftest import control, make_client

pytestmark = pytest.mark.usefixtures("reset_faults")
APPROVAL = {"stageName": "ApproveDeployment", "actionName": "ApproveDeployment"}
STAGES = ["Source", "Build", "DeployStaging", "TestStaging", "ApproveDeployment", "DeployProd"]


@pytest.fixture(scope="module")
def cp(stack):
    return make_client(stack, "codepipeline")


@pytest.fixture(scope="module")
def approver(stack):
    return make_client(stack, "codepipeline", "approver")


@pytest.fixture
def fast(stack):
    control(stack, "/codepipeline/stage-seconds", {"seconds": 0.3})


def _code(raised) -> str:
    return raised.value.response["Error"]["Code"]


def _fraud(stack) -> dict:
    return next(p for p in stack.state.projects if p["name"] == "fraud-detection")


def _approval_action(cp, pipeline: str, execution_id: str):
    details = cp.list_action_executions(pipelineName=pipeline, filter={"pipelineExecutionId": execution_id})["actionExecutionDetails"]
    return next((d for d in details if d["stageName"] == "ApproveDeployment"), None)


def _wait_at_approval(cp, pipeline: str, execution_id: str, timeout: float = 15.0) -> dict:
    end = time.time() + timeout
    while time.time() < end:
        action = _approval_action(cp, pipeline, execution_id)
        if action is not None and action["status"] == "InProgress":
            return action
        time.sleep(0.2)
    raise AssertionError(f"{execution_id} did not reach the approval")


def _wait_status(cp, pipeline: str, execution_id: str, wanted: set[str], timeout: float = 15.0) -> str:
    end = time.time() + timeout
    status = None
    while time.time() < end:
        status = cp.get_pipeline_execution(pipelineName=pipeline, pipelineExecutionId=execution_id)["pipelineExecution"]["status"]
        if status in wanted:
            return status
        time.sleep(0.2)
    raise AssertionError(f"{execution_id} did not reach {wanted}; last {status}")


def _quiesce(stack, approver, name: str) -> None:
    """Abandon the executions other tests left running before the approval, so that this test's own reach it."""
    for execution in control(stack, f"/codepipeline/executions?pipelineName={name}")["executions"]:
        at_approval = execution["stages"] and execution["stages"][-1]["stageName"] == "ApproveDeployment" and execution["stages"][-1]["status"] == "InProgress"
        if execution["status"] == "InProgress" and not at_approval:
            approver.stop_pipeline_execution(pipelineName=name, pipelineExecutionId=execution["pipelineExecutionId"], abandon=True)


def test_deploy_pipelines_are_seeded_named_and_tagged(cp, project, stack):
    names = {p["name"]: p for p in cp.list_pipelines()["pipelines"]}
    churn = f"sagemaker-{project['name']}-{project['id']}-modeldeploy"
    assert churn == project["deploy_codepipeline"] and churn in names
    assert names[churn]["executionMode"] == "SUPERSEDED" and names[churn]["pipelineType"] == "V2"
    assert names[_fraud(stack)["deploy_codepipeline"]]["executionMode"] == "PARALLEL"
    health = {p["name"]: p for p in control(stack, "/health")["projects"]}
    assert health[project["name"]]["deployCodePipeline"] == churn
    described = cp.get_pipeline(name=churn)
    assert [s["name"] for s in described["pipeline"]["stages"]] == STAGES
    approval = described["pipeline"]["stages"][4]["actions"][0]
    assert approval["name"] == "ApproveDeployment" and approval["actionTypeId"] == {"category": "Approval", "owner": "AWS", "provider": "Manual", "version": "1"}
    arn = described["metadata"]["pipelineArn"]
    assert arn == f"arn:aws:codepipeline:us-east-1:123456789012:{churn}"
    tags = {t["key"]: t["value"] for t in cp.list_tags_for_resource(resourceArn=arn)["tags"]}
    assert tags == {"sagemaker:project-name": project["name"], "sagemaker:project-id": project["id"]}
    with pytest.raises(ClientError) as raised:
        cp.get_pipeline(name="no-such-pipeline")
    assert _code(raised) == "PipelineNotFoundException"


def test_seeded_history_has_a_deployment_approved_one_rejected_and_one_waiting(cp, project):
    name = project["deploy_codepipeline"]
    summaries = cp.list_pipeline_executions(pipelineName=name)["pipelineExecutionSummaries"]
    statuses = [s["status"] for s in summaries]
    assert {"Succeeded", "Failed", "InProgress"} <= set(statuses)
    rejected = next(s for s in summaries if s["status"] == "Failed")
    assert "rejected" in rejected["statusSummary"]
    starts = [s["startTime"] for s in summaries]
    assert starts == sorted(starts, reverse=True)
    state = cp.get_pipeline_state(name=name)
    approval = next(s for s in state["stageStates"] if s["stageName"] == "ApproveDeployment")
    latest = approval["actionStates"][0]["latestExecution"]
    assert approval["latestExecution"]["status"] == "InProgress" and latest["status"] == "InProgress" and latest["token"]
    succeeded = next(s for s in summaries if s["status"] == "Succeeded")
    actions = cp.list_action_executions(pipelineName=name, filter={"pipelineExecutionId": succeeded["pipelineExecutionId"]})["actionExecutionDetails"]
    assert sorted(a["stageName"] for a in actions) == sorted(STAGES)
    decided = next(a for a in actions if a["stageName"] == "ApproveDeployment")
    assert decided["status"] == "Succeeded" and decided["updatedBy"].endswith(":assumed-role/approver/SageMaker")


def test_execution_names_the_model_package_version_it_deploys(stack, cp, sm, project):
    name = project["deploy_codepipeline"]
    # the newest execution that has reached the approval (others' tests may have started newer ones)
    reached = next(e for e in control(stack, f"/codepipeline/executions?pipelineName={name}")["executions"] if any(s["stageName"] == "ApproveDeployment" for s in e["stages"]))
    newest = cp.get_pipeline_execution(pipelineName=name, pipelineExecutionId=reached["pipelineExecutionId"])["pipelineExecution"]
    execution = cp.get_pipeline_execution(pipelineName=name, pipelineExecutionId=newest["pipelineExecutionId"])["pipelineExecution"]
    variables = {v["name"]: v["resolvedValue"] for v in execution["variables"]}
    package = sm.describe_model_package(ModelPackageName=variables["ModelPackageArn"])
    assert package["ModelApprovalStatus"] == "Approved" and str(package["ModelPackageVersion"]) == variables["ModelPackageVersion"]
    assert execution["artifactRevisions"][0]["name"] == "SourceArtifact" and execution["artifactRevisions"][0]["revisionId"]
    build = next(a for a in cp.list_action_executions(pipelineName=name, filter={"pipelineExecutionId": newest["pipelineExecutionId"]})["actionExecutionDetails"] if a["stageName"] == "Build")
    assert build["output"]["outputVariables"]["ModelPackageVersion"] == variables["ModelPackageVersion"]
    approval = _approval_action(cp, name, newest["pipelineExecutionId"])
    assert f"version {variables['ModelPackageVersion']} " in approval["input"]["resolvedConfiguration"]["CustomData"]


def test_approval_change_starts_the_deploy_pipeline_which_stops_at_the_approval(fast, stack, cp, approver, project):
    """SUPERSEDED: the run started by the approval waits behind the one at the approval; approving that one lets
    it through; PutApprovalResult's errors; the data scientist may read but not approve."""
    name = project["deploy_codepipeline"]
    _quiesce(stack, approver, name)
    sm_approver = make_client(stack, "sagemaker", "approver")
    group = f"{project['name']}-{project['id']}"
    pending = sm_approver.list_model_packages(ModelPackageGroupName=group, MaxResults=1, SortOrder="Descending", ModelApprovalStatus="PendingManualApproval")["ModelPackageSummaryList"][0]
    before = {e["pipelineExecutionId"] for e in cp.list_pipeline_executions(pipelineName=name)["pipelineExecutionSummaries"]}
    sm_approver.update_model_package(ModelPackageArn=pending["ModelPackageArn"], ModelApprovalStatus="Approved", ApprovalDescription="ok")
    new = [e for e in cp.list_pipeline_executions(pipelineName=name)["pipelineExecutionSummaries"] if e["pipelineExecutionId"] not in before]
    assert len(new) == 1 and new[0]["trigger"]["triggerType"] == "CloudWatchEvent"
    run_id = new[0]["pipelineExecutionId"]
    variables = {v["name"]: v["resolvedValue"] for v in cp.get_pipeline_execution(pipelineName=name, pipelineExecutionId=run_id)["pipelineExecution"]["variables"]}
    assert variables["ModelPackageArn"] == pending["ModelPackageArn"]  # the newest Approved version now
    # it runs up to the approval stage, where the older execution still waits: it waits at the inbound transition
    end = time.time() + 10
    while time.time() < end:
        stage = next(s for s in cp.get_pipeline_state(name=name)["stageStates"] if s["stageName"] == "ApproveDeployment")
        if stage.get("inboundExecution", {}).get("pipelineExecutionId") == run_id:
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the new execution never waited at the approval's inbound transition")
    holder = stage["latestExecution"]["pipelineExecutionId"]
    token = stage["actionStates"][0]["latestExecution"]["token"]
    # the data scientist reads, but is denied the approval
    with pytest.raises(ClientError) as raised:
        cp.put_approval_result(pipelineName=name, **APPROVAL, result={"summary": "me", "status": "Approved"}, token=token)
    assert _code(raised) == "AccessDeniedException" and "codepipeline:PutApprovalResult" in raised.value.response["Error"]["Message"]
    assert "explicit deny" in raised.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as raised:
        approver.put_approval_result(pipelineName=name, **APPROVAL, result={"summary": "x", "status": "Approved"}, token="00000000-0000-4000-8000-000000000000")
    assert _code(raised) == "InvalidApprovalTokenException"
    with pytest.raises(ClientError) as raised:
        approver.put_approval_result(pipelineName=name, stageName="Nope", actionName="ApproveDeployment", result={"summary": "x", "status": "Approved"}, token=token)
    assert _code(raised) == "StageNotFoundException"
    approved_at = approver.put_approval_result(pipelineName=name, **APPROVAL, result={"summary": "Staging looks healthy", "status": "Approved"}, token=token)["approvedAt"]
    assert approved_at.timestamp() <= time.time() + 1
    with pytest.raises(ClientError) as raised:
        approver.put_approval_result(pipelineName=name, **APPROVAL, result={"summary": "again", "status": "Rejected"}, token=token)
    assert _code(raised) == "ApprovalAlreadyCompletedException"
    # the approved execution goes on to production (at the pace it started with: the seeded one is slow) ...
    prod = next(a for a in cp.list_action_executions(pipelineName=name, filter={"pipelineExecutionId": holder})["actionExecutionDetails"] if a["stageName"] == "DeployProd")
    assert prod["status"] == "InProgress"
    # ... and the waiting execution enters the approval with a token of its own
    action = _wait_at_approval(cp, name, run_id)
    stage = next(s for s in cp.get_pipeline_state(name=name)["stageStates"] if s["stageName"] == "ApproveDeployment")
    assert stage["latestExecution"]["pipelineExecutionId"] == run_id
    new_token = stage["actionStates"][0]["latestExecution"]["token"]
    assert new_token != token and action["output"]["executionResult"]["externalExecutionId"] == new_token
    summary = "<b>p99</b> latency too high — 遅延 🚫"
    approver.put_approval_result(pipelineName=name, **APPROVAL, result={"summary": summary, "status": "Rejected"}, token=new_token)
    execution = cp.get_pipeline_execution(pipelineName=name, pipelineExecutionId=run_id)["pipelineExecution"]
    assert execution["status"] == "Failed" and execution["statusSummary"] == summary
    rejected = _approval_action(cp, name, run_id)
    assert rejected["status"] == "Failed" and rejected["output"]["executionResult"]["externalExecutionSummary"] == summary
    assert rejected["updatedBy"].endswith(":assumed-role/approver/SageMaker")
    state = cp.get_pipeline_state(name=name)
    assert next(s for s in state["stageStates"] if s["stageName"] == "DeployProd")["latestExecution"]["pipelineExecutionId"] == holder


def test_superseded_mode_replaces_an_execution_waiting_at_a_transition(fast, stack, cp, approver, project):
    name = project["deploy_codepipeline"]
    _quiesce(stack, approver, name)
    first = approver.start_pipeline_execution(name=name)["pipelineExecutionId"]
    _wait_at_approval(cp, name, first)
    second = approver.start_pipeline_execution(name=name)["pipelineExecutionId"]
    time.sleep(2.0)  # four stages at 0.3 s: it waits before the approval
    third = approver.start_pipeline_execution(name=name)["pipelineExecutionId"]
    assert _wait_status(cp, name, second, {"Superseded"}) == "Superseded"
    token = _approval_action(cp, name, first)["output"]["executionResult"]["externalExecutionId"]
    approver.put_approval_result(pipelineName=name, **APPROVAL, result={"summary": "go", "status": "Approved"}, token=token)
    _wait_at_approval(cp, name, third)  # the approval is free again once the first has moved on
    first_prod = next(a for a in cp.list_action_executions(pipelineName=name, filter={"pipelineExecutionId": first})["actionExecutionDetails"] if a["stageName"] == "ApproveDeployment")
    assert first_prod["status"] == "Succeeded"
    assert cp.get_pipeline_execution(pipelineName=name, pipelineExecutionId=first)["pipelineExecution"]["status"] == "InProgress"
    approver.stop_pipeline_execution(pipelineName=name, pipelineExecutionId=third, abandon=True, reason="pytest clean-up")
    assert cp.get_pipeline_execution(pipelineName=name, pipelineExecutionId=third)["pipelineExecution"]["status"] == "Stopped"
    stale = _approval_action(cp, name, third)
    assert stale["status"] == "Abandoned"
    with pytest.raises(ClientError) as raised:
        approver.put_approval_result(pipelineName=name, **APPROVAL, result={"summary": "late", "status": "Approved"}, token=stale["output"]["executionResult"]["externalExecutionId"])
    assert _code(raised) == "InvalidApprovalTokenException"


def test_parallel_mode_waits_with_several_executions_at_the_approval(fast, stack, cp, approver):
    name = _fraud(stack)["deploy_codepipeline"]
    waiting = [e for e in cp.list_pipeline_executions(pipelineName=name)["pipelineExecutionSummaries"] if e["status"] == "InProgress"]
    assert len(waiting) >= 2  # seeded: two at the approval at once
    state = cp.get_pipeline_state(name=name)
    approval = next(s for s in state["stageStates"] if s["stageName"] == "ApproveDeployment")
    assert "token" not in approval["actionStates"][0]["latestExecution"]  # no per-execution token in PARALLEL mode
    tokens = {}
    for execution in waiting[:2]:
        action = _approval_action(cp, name, execution["pipelineExecutionId"])
        assert action["status"] == "InProgress"
        tokens[execution["pipelineExecutionId"]] = action["output"]["executionResult"]["externalExecutionId"]
    assert len(set(tokens.values())) == 2
    (a, token_a), (b, token_b) = tokens.items()
    approver.put_approval_result(pipelineName=name, **APPROVAL, result={"summary": "ship it", "status": "Approved"}, token=token_a)
    approver.put_approval_result(pipelineName=name, **APPROVAL, result={"summary": "not this one", "status": "Rejected"}, token=token_b)
    assert _approval_action(cp, name, a)["status"] == "Succeeded"
    assert cp.get_pipeline_execution(pipelineName=name, pipelineExecutionId=a)["pipelineExecution"]["status"] == "InProgress"  # DeployProd
    assert cp.get_pipeline_execution(pipelineName=name, pipelineExecutionId=b)["pipelineExecution"]["status"] == "Failed"
    # two new ones run side by side (PARALLEL: no waiting at transitions)
    first = approver.start_pipeline_execution(name=name, clientRequestToken="pytest-parallel-1")["pipelineExecutionId"]
    assert approver.start_pipeline_execution(name=name, clientRequestToken="pytest-parallel-1")["pipelineExecutionId"] == first
    second = approver.start_pipeline_execution(name=name)["pipelineExecutionId"]
    one, two = _wait_at_approval(cp, name, first), _wait_at_approval(cp, name, second)
    assert one["output"]["executionResult"]["externalExecutionId"] != two["output"]["executionResult"]["externalExecutionId"]
    for action in (one, two):
        approver.put_approval_result(pipelineName=name, **APPROVAL, result={"summary": "clean-up", "status": "Rejected"}, token=action["output"]["executionResult"]["externalExecutionId"])


def test_start_needs_permission_and_declared_variables(fast, stack, cp, approver, sm, project):
    name = project["deploy_codepipeline"]
    with pytest.raises(ClientError) as raised:
        cp.start_pipeline_execution(name=name)
    assert _code(raised) == "AccessDeniedException"
    with pytest.raises(ClientError) as raised:
        approver.start_pipeline_execution(name=name, variables=[{"name": "Nope", "value": "1"}])
    assert _code(raised) == "ValidationException"
    group = f"{project['name']}-{project['id']}"
    oldest = sm.list_model_packages(ModelPackageGroupName=group, ModelApprovalStatus="Approved", SortOrder="Ascending", MaxResults=1)["ModelPackageSummaryList"][0]
    run_id = approver.start_pipeline_execution(name=name, variables=[{"name": "ModelPackageArn", "value": oldest["ModelPackageArn"]}])["pipelineExecutionId"]
    execution = cp.get_pipeline_execution(pipelineName=name, pipelineExecutionId=run_id)["pipelineExecution"]
    assert {v["name"]: v["resolvedValue"] for v in execution["variables"]}["ModelPackageVersion"] == str(oldest["ModelPackageVersion"])
    assert execution["trigger"] == {"triggerType": "StartPipelineExecution", "triggerDetail": f"arn:aws:sts::123456789012:assumed-role/approver/SageMaker"}
    approver.stop_pipeline_execution(pipelineName=name, pipelineExecutionId=run_id, abandon=True)
    missing = approver.start_pipeline_execution(name=name, variables=[{"name": "ModelPackageArn", "value": f"arn:aws:sagemaker:us-east-1:123456789012:model-package/{group}/99999"}])["pipelineExecutionId"]
    assert _wait_status(cp, name, missing, {"Failed", "Stopped"}) == "Failed"
    build = next(a for a in cp.list_action_executions(pipelineName=name, filter={"pipelineExecutionId": missing})["actionExecutionDetails"] if a["stageName"] == "Build")
    assert build["status"] == "Failed" and "not found" in build["output"]["executionResult"]["errorDetails"]["message"]
    with pytest.raises(ClientError) as raised:
        cp.get_pipeline_execution(pipelineName=name, pipelineExecutionId="00000000-0000-0000-0000-000000000000")
    assert _code(raised) == "PipelineExecutionNotFoundException"


def test_control_endpoint_lists_stage_status_and_fails_a_stage(fast, stack, approver, cp, project):
    name = project["deploy_codepipeline"]
    control(stack, "/codepipeline/fail-next", {"pipelineName": name, "stage": "DeployStaging", "reason": "CREATE_FAILED: endpoint quota"})
    run_id = approver.start_pipeline_execution(name=name)["pipelineExecutionId"]
    assert _wait_status(cp, name, run_id, {"Failed", "Succeeded"}) == "Failed"
    listed = control(stack, f"/codepipeline/executions?pipelineName={name}")["executions"]
    mine = next(e for e in listed if e["pipelineExecutionId"] == run_id)
    assert [(s["stageName"], s["status"]) for s in mine["stages"]] == [("Source", "Succeeded"), ("Build", "Succeeded"), ("DeployStaging", "Failed")]
    assert mine["statusSummary"] == "CREATE_FAILED: endpoint quota" and mine["modelPackageVersion"]
    assert all(e["pipelineName"] == name for e in listed)


def test_stage_seconds_switch_paces_new_executions(stack, approver, cp, project):
    name = project["deploy_codepipeline"]
    control(stack, "/codepipeline/stage-seconds", {"seconds": 30})
    run_id = approver.start_pipeline_execution(name=name)["pipelineExecutionId"]
    time.sleep(1.0)
    actions = cp.list_action_executions(pipelineName=name, filter={"pipelineExecutionId": run_id})["actionExecutionDetails"]
    assert [(a["stageName"], a["status"]) for a in actions] in ([("Source", "InProgress")], [])
    approver.stop_pipeline_execution(pipelineName=name, pipelineExecutionId=run_id, abandon=True)


def test_unimplemented_operation_is_named(approver):
    with pytest.raises(ClientError) as raised:
        approver.list_webhooks()
    assert _code(raised) == "UnknownOperationException" and "ListWebhooks" in raised.value.response["Error"]["Message"]


def test_fault_switches_apply_to_codepipeline(stack, cp, project):
    control(stack, "/faults", {"throttle": ["GetPipelineState"]})
    with pytest.raises(ClientError) as raised:
        cp.get_pipeline_state(name=project["deploy_codepipeline"])
    assert _code(raised) == "ThrottlingException"
    cp.list_pipelines()  # other operations unaffected


def test_stop_and_wait_lets_the_action_finish(fast, stack, approver, cp, project):
    name = project["deploy_codepipeline"]
    control(stack, "/codepipeline/stage-seconds", {"seconds": 1.0})
    run_id = approver.start_pipeline_execution(name=name)["pipelineExecutionId"]
    approver.stop_pipeline_execution(pipelineName=name, pipelineExecutionId=run_id, reason="wrong version")
    summary = next(e for e in cp.list_pipeline_executions(pipelineName=name)["pipelineExecutionSummaries"] if e["pipelineExecutionId"] == run_id)
    assert summary["status"] == "Stopping" and summary["stopTrigger"] == {"reason": "wrong version"}
    assert _wait_status(cp, name, run_id, {"Stopped"}) == "Stopped"
    actions = cp.list_action_executions(pipelineName=name, filter={"pipelineExecutionId": run_id})["actionExecutionDetails"]
    assert [(a["stageName"], a["status"]) for a in actions] == [("Source", "Succeeded")]
    with pytest.raises(ClientError) as raised:
        approver.stop_pipeline_execution(pipelineName=name, pipelineExecutionId=run_id)
    assert _code(raised) == "PipelineExecutionNotStoppableException"


def test_approval_summary_and_status_are_validated(approver, project):
    name = project["deploy_codepipeline"]
    for result in ({"summary": "x" * 513, "status": "Approved"}, {"summary": "ok", "status": "Maybe"}):
        with pytest.raises(ClientError) as raised:
            approver.put_approval_result(pipelineName=name, **APPROVAL, result=result, token="00000000-0000-4000-8000-000000000000")
        assert _code(raised) == "ValidationException"
    with pytest.raises(ClientError) as raised:
        approver.put_approval_result(pipelineName=name, stageName="ApproveDeployment", actionName="Nope", result={"summary": "ok", "status": "Approved"}, token="t")
    assert _code(raised) == "ActionNotFoundException"
