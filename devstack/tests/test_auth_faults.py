"""Request authentication and the fault switches, on moto-served and added operations alike."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from conftest import control, make_client

pytestmark = pytest.mark.usefixtures("reset_faults")


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
    assert "user/data-scientist is not authorized to perform: sagemaker:StartPipelineExecution" in error["Message"]
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
