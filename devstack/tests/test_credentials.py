"""Role credentials as SageMaker Studio serves them: a container-credentials endpoint per role, session tokens
the devstack verifies, sessions that expire (and are refused as AWS refuses them), and botocore refreshing them."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import control, make_client, role_credentials

pytestmark = pytest.mark.usefixtures("reset_faults")


def container_env(stack, identity: str = "data-scientist") -> dict[str, str]:
    ident = stack.state.identities[identity]
    return {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": stack.endpoint + ident["credentials_path"],
        "AWS_CONTAINER_AUTHORIZATION_TOKEN": ident["credentials_token"],
    }


@pytest.fixture
def studio_env(stack, monkeypatch, tmp_path):
    """The process environment of a Studio app: no keys, no profile, only the container-credentials variables."""
    import os

    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name, value in container_env(stack).items():
        monkeypatch.setenv(name, value)


def studio_client(stack, service: str):
    session = boto3.Session(region_name=stack.state.region)  # botocore's default chain, reading the environment
    return session.client(service, endpoint_url=stack.endpoint, config=Config(retries={"max_attempts": 1}))


def test_a_client_with_only_the_container_variables_works(stack, studio_env):
    sts = studio_client(stack, "sts")
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:sts::{stack.state.account_id}:assumed-role/data-scientist/SageMaker"
    sm = studio_client(stack, "sagemaker")
    assert any(p["ProjectName"] == "customer-churn" for p in sm.list_projects()["ProjectSummaryList"])
    method = sm._request_signer._credentials.method  # noqa: SLF001
    assert method == "container-role"


def test_the_endpoint_answers_like_a_container_credentials_endpoint(stack):
    creds = role_credentials(stack, "approver")
    assert creds["AccessKeyId"].startswith("ASIA") and creds["SecretAccessKey"] and creds["Token"]
    assert creds["RoleArn"] == stack.state.identities["approver"]["arn"] == f"arn:aws:iam::{stack.state.account_id}:role/approver"
    assert time.strptime(creds["Expiration"], "%Y-%m-%dT%H:%M:%SZ")
    assert role_credentials(stack, "approver")["AccessKeyId"] == creds["AccessKeyId"]  # the same session until it nears expiry
    url = stack.endpoint + stack.state.identities["approver"]["credentials_path"]
    for headers in ({}, {"Authorization": stack.state.identities["data-scientist"]["credentials_token"]}):
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5)
        assert raised.value.code == 401  # each role's endpoint has its own token


def test_roles_keep_their_policies(stack, project):
    group = f"{project['name']}-{project['id']}"
    ds, approver = make_client(stack, "sagemaker"), make_client(stack, "sagemaker", "approver")
    arn = ds.list_model_packages(ModelPackageGroupName=group, ModelApprovalStatus="PendingManualApproval", MaxResults=1)["ModelPackageSummaryList"][0]["ModelPackageArn"]
    with pytest.raises(ClientError) as raised:
        ds.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved")
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "explicit deny" in raised.value.response["Error"]["Message"]
    approver.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved", ApprovalDescription="ok")


def test_the_session_token_is_required_and_verified(stack):
    creds = role_credentials(stack, "data-scientist")
    for token in (None, creds["Token"][:-4] + "AAAA"):
        sm = make_client(stack, "sagemaker", access_key=creds["AccessKeyId"], secret_key=creds["SecretAccessKey"], session_token=token)
        for call in (sm.list_projects, sm.list_pipelines):  # added by the devstack / served by moto
            with pytest.raises(ClientError) as raised:
                call()
            assert raised.value.response["Error"]["Code"] == "InvalidClientTokenId"
    admin = stack.state.identities["devstack-admin"]
    with_token = make_client(stack, "sagemaker", access_key=admin["access_key_id"], secret_key=admin["secret_access_key"], session_token=creds["Token"])
    with pytest.raises(ClientError) as raised:
        with_token.list_pipelines()  # a long-term key carries no session token
    assert raised.value.response["Error"]["Code"] == "InvalidClientTokenId"


def test_an_expired_session_is_refused_as_aws_does_and_botocore_refreshes(stack, studio_env, project):
    control(stack, "/faults", {"sessionSeconds": 3})
    refreshing = studio_client(stack, "sagemaker")
    refreshing.list_projects()
    first = refreshing._request_signer._credentials.get_frozen_credentials()  # noqa: SLF001
    static = make_client(stack, "sagemaker", access_key=first.access_key, secret_key=first.secret_key, session_token=first.token)
    s3 = make_client(stack, "s3", access_key=first.access_key, secret_key=first.secret_key, session_token=first.token)
    sts = make_client(stack, "sts", access_key=first.access_key, secret_key=first.secret_key, session_token=first.token)
    static.list_pipelines()
    time.sleep(3.5)
    for call in (static.list_pipelines, static.list_projects):  # moto-served and added operations
        with pytest.raises(ClientError) as raised:
            call()
        assert raised.value.response["Error"]["Code"] == "ExpiredTokenException"
        assert raised.value.response["Error"]["Message"] == "The security token included in the request is expired"
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as raised:
        sts.get_caller_identity()
    assert raised.value.response["Error"]["Code"] == "ExpiredToken"  # query protocol
    with pytest.raises(ClientError) as raised:
        s3.list_objects_v2(Bucket=project["bucket"])
    assert raised.value.response["Error"]["Code"] == "ExpiredToken"  # S3
    # botocore fetches new credentials before the expiry; the client never sees the error
    assert refreshing.list_pipelines()["PipelineSummaries"]
    assert refreshing._request_signer._credentials.get_frozen_credentials().access_key != first.access_key  # noqa: SLF001


def test_session_seconds_switch_is_validated_and_reset(stack):
    import urllib.error

    for bad in (0, -1, "10", True, 50000):
        with pytest.raises(urllib.error.HTTPError):
            control(stack, "/faults", {"sessionSeconds": bad})
    assert control(stack, "/faults", {"sessionSeconds": 60})["sessionSeconds"] == 60
    assert control(stack, "/faults/reset", {})["sessionSeconds"] is None
