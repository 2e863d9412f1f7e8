"""Request authentication and the fault switches, on moto-served and added operations alike."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from conftest import control, make_client

pytestmark = pytest.mark.usefixtures("reset_faults")

#: the data scientist's role session, as Studio names it
DS_SESSION = "arn:aws:sts::123456789012:assumed-role/data-scientist/SageMaker"


@pytest.mark.parametrize("call", ["list_projects", "list_pipelines"])  # added by the devstack / served by moto
def test_wrong_secret_is_refused(stack, call):
    bad = make_client(stack, "sagemaker", secret_key="not-the-right-secret-key-0000000000000000")
    with pytest.raises(ClientError) as raised:
        getattr(bad, call)()
    assert raised.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


def test_unknown_key_is_refused(stack):
    bad = make_client(stack, "sagemaker", access_key="AKIA" + "X" * 16, secret_key="y" * 40)
    with pytest.raises(ClientError) as raised:
        bad.list_projects()
    assert raised.value.response["Error"]["Code"] == "InvalidClientTokenId"


def test_unimplemented_operation_is_a_json_error_naming_it(sm):
    with pytest.raises(ClientError) as raised:
        sm.list_hubs()
    error = raised.value.response["Error"]
    assert error["Code"] == "UnknownOperationException"
    assert "ListHubs" in error["Message"]
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_throttling(stack, sm):
    control(stack, "/faults", {"throttle": ["ListProjects", "ListPipelines"]})
    for call in (sm.list_projects, sm.list_pipelines):
        with pytest.raises(ClientError) as raised:
            call()
        assert raised.value.response["Error"]["Code"] == "ThrottlingException"
    control(stack, "/faults/reset", {})
    sm.list_projects()


def test_server_error_and_expired_credentials(stack, sm):
    control(stack, "/faults", {"serverError": "*"})
    with pytest.raises(ClientError) as raised:
        sm.list_pipelines()
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    control(stack, "/faults/reset", {})
    control(stack, "/faults", {"expiredCredentials": True})
    with pytest.raises(ClientError) as raised:
        sm.describe_project(ProjectName="customer-churn")
    assert raised.value.response["Error"]["Code"] == "ExpiredTokenException"


def test_per_operation_access_denied(stack, sm, project):
    control(stack, "/faults", {"accessDenied": ["StartPipelineExecution"]})
    with pytest.raises(ClientError) as raised:
        sm.start_pipeline_execution(PipelineName=project["build_pipeline"], ClientRequestToken="a" * 32)
    error = raised.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert "assumed-role/data-scientist/SageMaker is not authorized to perform: sagemaker:StartPipelineExecution" in error["Message"]
    sm.list_pipelines()  # other operations still work


def test_latency(stack, sm):
    control(stack, "/faults", {"latencyMs": 400, "operations": ["ListProjects"]})
    started = time.monotonic()
    sm.list_projects()
    assert time.monotonic() - started >= 0.4


def test_codecommit_through_the_router_is_signed_and_authorized(stack):
    cc = make_client(stack, "codecommit")
    branch = cc.get_branch(repositoryName="customer-churn-project-repo", branchName="main")["branch"]
    assert len(branch["commitId"]) == 40
    bad = make_client(stack, "codecommit", secret_key="z" * 40)
    with pytest.raises(ClientError) as raised:
        bad.get_branch(repositoryName="customer-churn-project-repo", branchName="main")
    assert raised.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


def test_codeartifact_through_the_router(stack):
    ca = make_client(stack, "codeartifact")
    token = ca.get_authorization_token(domain="mlops", domainOwner=stack.state.account_id, durationSeconds=900)
    assert token["authorizationToken"]
    endpoint = ca.get_repository_endpoint(domain="mlops", domainOwner=stack.state.account_id, repository="mlops-codeartifact-repository", format="pypi")
    assert endpoint["repositoryEndpoint"].startswith(stack.endpoint)
    control(stack, "/faults", {"throttle": ["ListPackages"]})
    with pytest.raises(ClientError) as raised:
        ca.list_packages(domain="mlops", repository="mlops-codeartifact-repository")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429


def test_service_unavailable_variant(stack, sm):
    control(stack, "/faults", {"serverError": ["DescribeProject", "ListPipelines"], "serverErrorCode": "ServiceUnavailable"})
    for call in (lambda: sm.describe_project(ProjectName="customer-churn"), sm.list_pipelines):
        with pytest.raises(ClientError) as raised:
            call()
        assert raised.value.response["Error"]["Code"] == "ServiceUnavailable"
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    sm.list_projects()  # not aimed at


def test_access_denied_names_the_resource_like_aws(stack, sm, project):
    control(stack, "/faults", {"accessDenied": ["StopPipelineExecution", "DescribePipeline"]})
    with pytest.raises(ClientError) as raised:
        sm.describe_pipeline(PipelineName=project["build_pipeline"])  # served by moto
    message = raised.value.response["Error"]["Message"]
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"
    assert message.startswith(f"User: {DS_SESSION} is not authorized to perform: sagemaker:DescribePipeline on resource: arn:aws:sagemaker:us-east-1:123456789012:pipeline/{project['build_pipeline']}")
    arn = sm.list_pipeline_executions(PipelineName=project["build_pipeline"], MaxResults=1)["PipelineExecutionSummaries"][0]["PipelineExecutionArn"]
    with pytest.raises(ClientError) as raised:
        sm.stop_pipeline_execution(PipelineExecutionArn=arn, ClientRequestToken="b" * 32)
    assert f"sagemaker:StopPipelineExecution on resource: {arn}" in raised.value.response["Error"]["Message"]


def test_iam_denial_of_approval_reads_like_aws(stack, sm, project):
    group = f"{project['name']}-{project['id']}"
    arn = sm.list_model_packages(ModelPackageGroupName=group, MaxResults=1)["ModelPackageSummaryList"][0]["ModelPackageArn"]
    with pytest.raises(ClientError) as raised:
        sm.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Rejected", ApprovalDescription="no")
    message = raised.value.response["Error"]["Message"]
    assert message == (
        f"User: {DS_SESSION} is not authorized to perform: sagemaker:UpdateModelPackage "
        f"on resource: {arn} with an explicit deny in an identity-based policy"
    )


def test_faults_speak_the_query_and_s3_protocols(stack, project):
    sts = make_client(stack, "sts")
    assert sts.get_caller_identity()["Arn"] == DS_SESSION
    s3 = make_client(stack, "s3")
    control(stack, "/faults", {"throttle": ["GetCallerIdentity", "ListObjectsV2"]})
    with pytest.raises(ClientError) as raised:
        sts.get_caller_identity()
    assert raised.value.response["Error"]["Code"] == "Throttling"  # parsed from an XML ErrorResponse
    with pytest.raises(ClientError) as raised:
        s3.list_objects_v2(Bucket=project["bucket"])
    assert raised.value.response["Error"]["Code"] == "SlowDown"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    control(stack, "/faults/reset", {})
    control(stack, "/faults", {"accessDenied": ["GetObject"]})
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=project["bucket"], Key="evaluation/v1/evaluation.json")
    assert raised.value.response["Error"]["Code"] == "AccessDenied"
    assert f"s3:GetObject on resource: arn:aws:s3:::{project['bucket']}/evaluation/v1/evaluation.json" in raised.value.response["Error"]["Message"]


def test_latency_applies_only_to_the_chosen_operation(stack, sm):
    control(stack, "/faults", {"latencyMs": 600, "operations": ["ListPipelines"]})
    started = time.monotonic()
    sm.list_projects()
    assert time.monotonic() - started < 0.5
    started = time.monotonic()
    sm.list_pipelines()
    assert time.monotonic() - started >= 0.6


def test_expired_credentials_on_moto_and_added_operations(stack, sm):
    control(stack, "/faults", {"expiredCredentials": True})
    for call in (sm.list_pipelines, sm.list_projects):
        with pytest.raises(ClientError) as raised:
            call()
        assert raised.value.response["Error"]["Code"] == "ExpiredTokenException"
    control(stack, "/faults/reset", {})
    sm.list_pipelines()


def test_bad_control_requests_are_refused(stack, project):
    import urllib.error

    for path, body in (("/faults", {"throtle": "*"}), ("/faults", {"serverError": "*", "serverErrorCode": "Teapot"}), ("/executions/status", {"executionArn": "x", "status": "Paused"})):
        with pytest.raises(urllib.error.HTTPError) as raised:
            control(stack, path, body)
        assert raised.value.code == 400
    assert control(stack, "/faults", None)["serverError"] is None  # nothing was half-applied
    listed = control(stack, f"/executions?pipelineName={project['build_pipeline']}")["executions"]
    assert listed and {e["PipelineExecutionStatus"] for e in listed} >= {"Succeeded", "Failed", "Executing"}
