"""A Studio domain and the project's space: the space's tags name the project (through the normal SageMaker API),
and ``resource-metadata.json`` says what Studio writes into a JupyterLab app."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from conftest import make_client
from mlops_devstack.seed import write_resource_metadata


def test_the_space_is_tagged_with_its_project(sm, project):
    space = sm.describe_space(DomainId="d-devstack01", SpaceName="customer-churn-space")
    assert space["Status"] == "InService" and space["SpaceSettings"]["AppType"] == "JupyterLab"
    assert space["OwnershipSettings"]["OwnerUserProfileName"] == "data-scientist"
    tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=space["SpaceArn"])["Tags"]}
    assert tags == {"sagemaker:project-name": "customer-churn", "sagemaker:project-id": project["id"]}
    listed = sm.list_spaces(DomainIdEquals="d-devstack01")["Spaces"]
    assert sorted(s["SpaceName"] for s in listed) == ["customer-churn-approver-space", "customer-churn-space"]
    assert {s["SpaceSettingsSummary"]["AppType"] for s in listed} == {"JupyterLab"}
    # the approver's own private space of the same project
    approver = sm.describe_space(DomainId="d-devstack01", SpaceName="customer-churn-approver-space")
    assert approver["OwnershipSettings"]["OwnerUserProfileName"] == "approver"
    assert {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=approver["SpaceArn"])["Tags"]} == tags


def test_domain_and_user_profile(stack, sm):
    domain = sm.describe_domain(DomainId="d-devstack01")
    assert domain["DomainArn"] == f"arn:aws:sagemaker:us-east-1:{stack.state.account_id}:domain/d-devstack01"
    assert domain["DomainName"] == "mlops-studio"
    assert {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=domain["DomainArn"])["Tags"]}["EnvironmentName"] == "mlops-dev"
    profile = sm.describe_user_profile(DomainId="d-devstack01", UserProfileName="data-scientist")
    assert profile["UserSettings"]["ExecutionRole"] == stack.state.identities["data-scientist"]["arn"]
    assert sm.list_tags(ResourceArn=profile["UserProfileArn"])["Tags"] == []
    assert sorted(p["UserProfileName"] for p in sm.list_user_profiles(DomainIdEquals="d-devstack01")["UserProfiles"]) == ["approver", "data-scientist"]
    approver = sm.describe_user_profile(DomainId="d-devstack01", UserProfileName="approver")
    assert approver["UserSettings"]["ExecutionRole"] == stack.state.identities["approver"]["arn"]
    for call in (lambda: sm.describe_space(DomainId="d-devstack01", SpaceName="nope"),
                 lambda: sm.describe_user_profile(DomainId="d-nope", UserProfileName="data-scientist")):
        with pytest.raises(ClientError) as raised:
            call()
        assert raised.value.response["Error"]["Code"] == "ResourceNotFound"


def test_spaces_are_created_and_refused_like_aws(stack):
    admin = make_client(stack, "sagemaker", "devstack-admin")
    with pytest.raises(ClientError) as raised:
        admin.create_space(DomainId="d-devstack01", SpaceName="customer-churn-space")
    assert raised.value.response["Error"]["Code"] == "ResourceInUse"
    with pytest.raises(ClientError) as raised:
        admin.create_space(DomainId="d-unknown", SpaceName="x")
    assert raised.value.response["Error"]["Code"] == "ResourceNotFound"


def test_resource_metadata_is_what_studio_writes(stack, tmp_path, project):
    path = write_resource_metadata(stack.state, tmp_path / "meta" / "resource-metadata.json")
    data = json.loads(path.read_text())
    assert data == {
        "DomainId": "d-devstack01",
        "SpaceName": "customer-churn-space",
        "UserProfileName": "data-scientist",
        "AppType": "JupyterLab",
        "ResourceArn": f"arn:aws:sagemaker:us-east-1:{stack.state.account_id}:space/d-devstack01/customer-churn-space",
        "ResourceName": "customer-churn-space",
        "ExecutionRoleArn": f"arn:aws:iam::{stack.state.account_id}:role/data-scientist",
    }
    # a Studio app resolves its project from the space's tags, with its own (role) credentials
    tags = make_client(stack, "sagemaker").list_tags(ResourceArn=data["ResourceArn"], MaxResults=100)["Tags"]
    assert {"Key": "sagemaker:project-id", "Value": project["id"]} in tags


def test_the_approvers_resource_metadata_names_its_own_space_profile_and_role(stack, tmp_path, project):
    path = write_resource_metadata(stack.state, tmp_path / "approver" / "resource-metadata.json", "approver")
    data = json.loads(path.read_text())
    assert data == {
        "DomainId": "d-devstack01",
        "SpaceName": "customer-churn-approver-space",
        "UserProfileName": "approver",
        "AppType": "JupyterLab",
        "ResourceArn": f"arn:aws:sagemaker:us-east-1:{stack.state.account_id}:space/d-devstack01/customer-churn-approver-space",
        "ResourceName": "customer-churn-approver-space",
        "ExecutionRoleArn": f"arn:aws:iam::{stack.state.account_id}:role/approver",
    }
    tags = make_client(stack, "sagemaker", "approver").list_tags(ResourceArn=data["ResourceArn"], MaxResults=100)["Tags"]
    assert {"Key": "sagemaker:project-name", "Value": project["name"]} in tags
