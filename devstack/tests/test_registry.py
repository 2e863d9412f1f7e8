"""The model registry the approval UI reads, on the wire with boto3 as both identities: seeded versions with
metrics in S3, metadata, life cycle, producers; UpdateModelPackage as AWS does it; a group shared by a hub
account; pagination that survives a registration between pages."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

from conftest import make_client
from mlops_devstack.seed import HUB_ACCOUNT_ID

pytestmark = pytest.mark.usefixtures("reset_faults")


@pytest.fixture(scope="module")
def approver_sm(stack):
    return make_client(stack, "sagemaker", "approver")


def _group(project) -> str:
    return f"{project['name']}-{project['id']}"


def _versions(sm, group: str) -> list[dict]:
    return [p for page in sm.get_paginator("list_model_packages").paginate(ModelPackageGroupName=group, PaginationConfig={"PageSize": 100}) for p in page["ModelPackageSummaryList"]]


def test_groups_are_tagged_with_the_project_and_every_project_has_all_three_statuses(stack, sm):
    for project in stack.state.projects:
        group = _group(project)
        described = sm.describe_model_package_group(ModelPackageGroupName=group)
        tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=described["ModelPackageGroupArn"])["Tags"]}
        assert tags["sagemaker:project-name"] == project["name"] and tags["sagemaker:project-id"] == project["id"]
        assert "fake" not in json.dumps(described["CreatedBy"])
        assert {v["ModelApprovalStatus"] for v in _versions(sm, group)} == {"Approved", "Rejected", "PendingManualApproval"}


def test_versions_carry_metrics_in_s3_metadata_life_cycle_and_their_producer(stack, sm, project):
    s3 = make_client(stack, "s3")
    versions = [v for v in _versions(sm, _group(project)) if v["ModelPackageVersion"] <= 12]  # the seeded ones
    described = [sm.describe_model_package(ModelPackageName=v["ModelPackageArn"]) for v in versions]
    for package in described:
        uri = package["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"]
        bucket, key = uri[len("s3://"):].split("/", 1)
        report = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        assert 0 < report["binary_classification_metrics"]["accuracy"]["value"] < 1
        assert "standard_deviation" in report["binary_classification_metrics"]["accuracy"]
        assert package["CustomerMetadataProperties"]["git_commit"]  # kept through the approval updates
        assert package["CreatedBy"]["IamIdentity"]["Arn"].startswith("arn:aws:sts::123456789012:assumed-role/")
    generated = [p for p in described if "GeneratedBy" in p.get("MetadataProperties", {})]
    assert generated and len(generated) < len(described)  # the oldest were registered by hand from a notebook
    execution = sm.describe_pipeline_execution(PipelineExecutionArn=generated[-1]["MetadataProperties"]["GeneratedBy"])
    assert execution["PipelineExecutionStatus"] == "Succeeded"
    stages = {p.get("ModelLifeCycle", {}).get("Stage") for p in described}
    assert {"Production", "Staging", "Development"} <= stages
    summaries = {v["ModelPackageArn"]: v for v in versions}
    production = next(p for p in described if p.get("ModelLifeCycle", {}).get("Stage") == "Production")
    assert summaries[production["ModelPackageArn"]]["ModelLifeCycle"]["StageStatus"] == "Approved"
    decided = [p for p in described if p["ModelApprovalStatus"] != "PendingManualApproval"]
    assert all(p["LastModifiedBy"]["IamIdentity"]["Arn"].endswith(":assumed-role/approver/SageMaker") and p["LastModifiedTime"] > p["CreationTime"] for p in decided)


def test_hostile_approval_comment_and_metadata_are_seeded(sm, project):
    described = [sm.describe_model_package(ModelPackageName=v["ModelPackageArn"]) for v in _versions(sm, _group(project))]
    comment = next(p["ApprovalDescription"] for p in described if "<script>" in p.get("ApprovalDescription", ""))
    assert len(comment) == 1024 and "顧客離反モデル" in comment and "\u202e" in comment
    notes = next(p["CustomerMetadataProperties"]["notes"] for p in described if "notes" in p["CustomerMetadataProperties"])
    assert len(notes) == 256 and "javascript:" in notes


def test_update_changes_only_what_it_names_and_stamps_the_change(stack, sm, approver_sm, project):
    group = _group(project)
    approved = sm.list_model_packages(ModelPackageGroupName=group, ModelApprovalStatus="Approved", SortOrder="Descending", MaxResults=1)["ModelPackageSummaryList"][0]
    arn = approved["ModelPackageArn"]
    before = sm.describe_model_package(ModelPackageName=arn)
    runs_before = len(stack.state.codepipeline.overview(project["deploy_codepipeline"]))
    approver_sm.update_model_package(ModelPackageArn=arn, CustomerMetadataProperties={"reviewed": "yes"})
    first = sm.describe_model_package(ModelPackageName=arn)
    assert first["ModelApprovalStatus"] == "Approved" and first["ApprovalDescription"] == before["ApprovalDescription"]
    assert first["CustomerMetadataProperties"] == {**before["CustomerMetadataProperties"], "reviewed": "yes"}
    assert first["LastModifiedTime"] > before["LastModifiedTime"]
    # the same status again is no state change: no deployment
    approver_sm.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved", ModelLifeCycle={"Stage": "Production", "StageStatus": "Approved"})
    second = sm.describe_model_package(ModelPackageName=arn)
    assert second["LastModifiedTime"] > first["LastModifiedTime"] and second["ModelLifeCycle"]["Stage"] == "Production"
    assert len(stack.state.codepipeline.overview(project["deploy_codepipeline"])) == runs_before
    approver_sm.update_model_package(ModelPackageArn=arn, CustomerMetadataPropertiesToRemove=["reviewed"])
    assert "reviewed" not in sm.describe_model_package(ModelPackageName=arn)["CustomerMetadataProperties"]
    with pytest.raises(ClientError) as raised:
        approver_sm.update_model_package(ModelPackageArn=arn, ApprovalDescription="x" * 1025)
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as raised:
        approver_sm.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Maybe")
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as raised:  # the data scientist: explicit deny, whatever the change
        sm.update_model_package(ModelPackageArn=arn, CustomerMetadataProperties={"by": "me"})
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"


def test_a_concurrent_change_is_seen_by_re_reading(sm, approver_sm, project):
    group = _group(project)
    pending = sm.list_model_packages(ModelPackageGroupName=group, ModelApprovalStatus="PendingManualApproval", SortOrder="Ascending", MaxResults=1)["ModelPackageSummaryList"][0]
    read = sm.describe_model_package(ModelPackageName=pending["ModelPackageArn"])
    approver_sm.update_model_package(ModelPackageArn=pending["ModelPackageArn"], ModelApprovalStatus="Rejected", ApprovalDescription="someone else was faster")
    again = sm.describe_model_package(ModelPackageName=pending["ModelPackageArn"])
    assert again["ModelApprovalStatus"] != read["ModelApprovalStatus"] and again.get("LastModifiedTime") != read.get("LastModifiedTime")


def test_a_group_shared_by_the_hub_account_is_listed_with_cross_account(stack, sm, approver_sm):
    own = sm.list_model_package_groups(MaxResults=100)["ModelPackageGroupSummaryList"]
    assert own and all(":123456789012:" in g["ModelPackageGroupArn"] for g in own)
    assert sm.list_model_package_groups(CrossAccountFilterOption="SameAccount", MaxResults=100)["ModelPackageGroupSummaryList"] == own
    shared = sm.list_model_package_groups(CrossAccountFilterOption="CrossAccount")["ModelPackageGroupSummaryList"]
    assert len(shared) == 1
    arn = shared[0]["ModelPackageGroupArn"]
    assert arn.startswith(f"arn:aws:sagemaker:us-east-1:{HUB_ACCOUNT_ID}:model-package-group/")
    hub_group = sm.describe_model_package_group(ModelPackageGroupName=arn)
    assert hub_group["ModelPackageGroupArn"] == arn and f"::{HUB_ACCOUNT_ID}:" in hub_group["CreatedBy"]["IamIdentity"]["Arn"]
    assert "ShareWithWorkloadAccount" in sm.get_model_package_group_policy(ModelPackageGroupName=arn)["ResourcePolicy"]
    versions = sm.list_model_packages(ModelPackageGroupName=arn, MaxResults=100)["ModelPackageSummaryList"]
    assert {v["ModelApprovalStatus"] for v in versions} == {"Approved", "Rejected", "PendingManualApproval"}
    assert all(f":{HUB_ACCOUNT_ID}:model-package/" in v["ModelPackageArn"] for v in versions)
    package = sm.describe_model_package(ModelPackageName=versions[0]["ModelPackageArn"])
    uri = package["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"]
    bucket, key = uri[len("s3://"):].split("/", 1)
    report = json.loads(make_client(stack, "s3").get_object(Bucket=bucket, Key=key)["Body"].read())
    assert set(report["regression_metrics"]) == {"mse", "rmse", "r2"}
    # the hub shares it read-only: approving belongs to the hub account
    with pytest.raises(ClientError) as raised:
        approver_sm.update_model_package(ModelPackageArn=versions[0]["ModelPackageArn"], ModelApprovalStatus="Approved")
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "resource-based policy" in raised.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as raised:
        sm.list_model_package_groups(CrossAccountFilterOption="Everywhere")
    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_pages_neither_repeat_nor_skip_when_a_version_is_registered_between_them(stack, sm, project):
    group = _group(project)
    first = sm.list_model_packages(ModelPackageGroupName=group, SortBy="CreationTime", SortOrder="Descending", MaxResults=5)
    admin = make_client(stack, "sagemaker", "devstack-admin")
    admin.create_model_package(ModelPackageGroupName=group, ModelPackageDescription="registered between two pages",
                               InferenceSpecification={"Containers": [{"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1"}], "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]})
    seen = [v["ModelPackageArn"] for v in first["ModelPackageSummaryList"]]
    token = first["NextToken"]
    while token:
        page = sm.list_model_packages(ModelPackageGroupName=group, SortBy="CreationTime", SortOrder="Descending", MaxResults=5, NextToken=token)
        seen += [v["ModelPackageArn"] for v in page["ModelPackageSummaryList"]]
        token = page.get("NextToken")
    everything = [v["ModelPackageArn"] for v in _versions(sm, group)]
    assert len(seen) == len(set(seen)) == len(everything) - 1  # only the newcomer, above the first page, is not seen
    with pytest.raises(ClientError) as raised:
        sm.list_model_packages(ModelPackageGroupName=group, MaxResults=101)
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    created = admin.describe_model_package(ModelPackageName=sorted(set(everything) - set(seen))[0])
    assert created["ModelApprovalStatus"] == "PendingManualApproval" and created["CreatedBy"]["IamIdentity"]["Arn"].endswith(":user/devstack-admin")
    assert "LastModifiedTime" not in created
