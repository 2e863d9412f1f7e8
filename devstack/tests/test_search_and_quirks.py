"""Search as the extension uses it (tag filters, real operators, sorting, NextToken), and the moto quirks the
router repairs: timestamps, unimplemented operations, defaults, dropped tags, its exposed HTTP API."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import make_client


def _raw(client) -> dict:
    """The JSON bodies of the responses a client receives, by operation name (the last one wins)."""
    seen: dict = {}
    client.meta.events.register("after-call.*.*", lambda http_response, **kw: seen.__setitem__(kw["model"].name, json.loads(http_response.content or b"{}")))
    return seen


def test_search_combines_a_tag_filter_with_other_filters(sm, project):
    expression = {
        "Filters": [
            {"Name": "Tags.sagemaker:project-name", "Operator": "Equals", "Value": "customer-churn"},
            {"Name": "PipelineName", "Operator": "Contains", "Value": "deploy"},
        ]
    }
    names = [r["Pipeline"]["PipelineName"] for r in sm.search(Resource="Pipeline", SearchExpression=expression)["Results"]]
    assert names == [project["deploy_pipeline"]]  # moto alone would ignore the second filter
    other = sm.search(Resource="Pipeline", SearchExpression={"Filters": [{"Name": "Tags.sagemaker:project-id", "Operator": "Equals", "Value": project["id"]}]}, MaxResults=100)
    assert {r["Pipeline"]["PipelineName"] for r in other["Results"]} >= {project["build_pipeline"], project["user_pipeline"]}
    assert all(not r["Pipeline"]["PipelineName"].startswith("fraud-detection") for r in other["Results"])
    fraud = sm.search(Resource="Pipeline", SearchExpression={"Filters": [{"Name": "Tags.sagemaker:project-name", "Operator": "Equals", "Value": "fraud-detection"}]})
    assert fraud["Results"] and all(r["Pipeline"]["PipelineName"].startswith("fraud-detection") for r in fraud["Results"])
    record = other["Results"][0]["Pipeline"]
    assert record["PipelineArn"].startswith("arn:aws:sagemaker:") and {"Key": "sagemaker:project-name", "Value": "customer-churn"} in record["Tags"]


def test_search_pages_with_next_token_and_sorts(sm):
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"Resource": "ExperimentTrialComponent", "MaxResults": 5, "SortBy": "Metrics.validation:accuracy.Max", "SortOrder": "Descending"}
        if token:
            kwargs["NextToken"] = token
        page = sm.search(**kwargs)
        seen += [r["TrialComponent"] for r in page["Results"]]
        pages += 1
        token = page.get("NextToken")
        if not token:
            break
    assert pages >= 3 and len({c["TrialComponentName"] for c in seen}) == len(seen) >= 14
    best = [next(m["Max"] for m in c["Metrics"] if m["MetricName"] == "validation:accuracy") for c in seen]
    assert best == sorted(best, reverse=True)


def test_search_operators_and_sub_expressions(sm, project):
    group = f"{project['name']}-{project['id']}"
    approved = sm.search(
        Resource="ModelPackage",
        SearchExpression={"Filters": [{"Name": "ModelPackageGroupName", "Operator": "Equals", "Value": group}, {"Name": "ModelApprovalStatus", "Operator": "In", "Value": "Approved,Rejected"}]},
        SortBy="ModelPackageVersion",
        SortOrder="Ascending",
        MaxResults=100,
    )["Results"]
    statuses = {r["ModelPackage"]["ModelApprovalStatus"] for r in approved}
    versions = [r["ModelPackage"]["ModelPackageVersion"] for r in approved]
    assert statuses == {"Approved", "Rejected"} and versions == sorted(versions)
    newer = sm.search(
        Resource="ModelPackage",
        SearchExpression={
            "Operator": "Or",
            "SubExpressions": [
                {"Filters": [{"Name": "ModelPackageVersion", "Operator": "GreaterThanOrEqualTo", "Value": "11"}, {"Name": "ModelPackageGroupName", "Operator": "Equals", "Value": group}]},
                {"Filters": [{"Name": "ModelPackageDescription", "Operator": "Contains", "Value": "<img src=x"}]},
            ],
        },
        MaxResults=100,
    )["Results"]
    assert {r["ModelPackage"]["ModelPackageVersion"] for r in newer if r["ModelPackage"]["ModelPackageGroupName"] == group} >= {7, 11, 12}
    components = sm.search(
        Resource="ExperimentTrialComponent",
        SearchExpression={
            "Filters": [{"Name": "Tags.sagemaker:project-name", "Operator": "Equals", "Value": "customer-churn"}, {"Name": "Parameters.max_depth", "Operator": "GreaterThan", "Value": "5"}],
        },
        MaxResults=100,
    )["Results"]
    assert components and all(c["TrialComponent"]["Parameters"]["max_depth"]["NumberValue"] > 5 for c in components)
    assert all(c["TrialComponent"]["Parents"][0]["TrialName"].startswith("customer-churn-trial-") for c in components)
    # Parents name the experiment too, so an experiment's runs are one Search (as the extension asks for them).
    experiment = f"{project['name']}-experiments"
    assert all(c["TrialComponent"]["Parents"][0]["ExperimentName"] == experiment for c in components)
    runs = sm.search(
        Resource="ExperimentTrialComponent",
        SearchExpression={"Filters": [{"Name": "Parents.ExperimentName", "Operator": "Equals", "Value": experiment}]},
        MaxResults=100,
    )["Results"]
    assert len(runs) == 12 and all(r["TrialComponent"]["TrialComponentName"].startswith("customer-churn-run-") for r in runs)
    with pytest.raises(ClientError) as raised:
        sm.search(Resource="NotAResource")
    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_search_finds_projects_and_executions(sm, project):
    projects = sm.search(Resource="Project", SearchExpression={"Filters": [{"Name": "Tags.sagemaker:project-name", "Operator": "Equals", "Value": "customer-churn"}]})["Results"]
    assert [p["Project"]["ProjectId"] for p in projects] == [project["id"]]
    failed = sm.search(
        Resource="PipelineExecution",
        SearchExpression={"Filters": [{"Name": "PipelineExecutionStatus", "Operator": "Equals", "Value": "Failed"}, {"Name": "PipelineArn", "Operator": "Contains", "Value": project["build_pipeline"]}]},
        MaxResults=100,
    )["Results"]
    assert failed and all(r["PipelineExecution"]["FailureReason"] for r in failed)


def test_timestamps_are_epoch_numbers_everywhere_sdk_v3_reads_them(stack, sm, project):
    raw = _raw(sm)
    sm.list_pipelines(MaxResults=2)
    assert isinstance(raw["ListPipelines"]["PipelineSummaries"][0]["CreationTime"], (int, float))
    group = f"{project['name']}-{project['id']}"
    newest = sm.list_model_packages(ModelPackageGroupName=group, MaxResults=1, SortOrder="Descending")["ModelPackageSummaryList"][0]
    sm.describe_model_package(ModelPackageName=newest["ModelPackageArn"])
    assert isinstance(raw["DescribeModelPackage"]["CreationTime"], (int, float))
    sm.describe_model_package_group(ModelPackageGroupName=group)
    assert isinstance(raw["DescribeModelPackageGroup"]["CreationTime"], (int, float))
    sm.describe_trial_component(TrialComponentName=f"{project['name']}-run-001")
    component = raw["DescribeTrialComponent"]
    assert isinstance(component["StartTime"], (int, float)) and isinstance(component["Metrics"][0]["TimeStamp"], (int, float))
    sm.list_trial_components(MaxResults=2)
    assert isinstance(raw["ListTrialComponents"]["TrialComponentSummaries"][0]["CreationTime"], (int, float))
    sm.describe_experiment(ExperimentName=f"{project['name']}-experiments")
    assert isinstance(raw["DescribeExperiment"]["CreationTime"], (int, float))
    sm.search(Resource="Pipeline", MaxResults=1)
    assert isinstance(raw["Search"]["Results"][0]["Pipeline"]["CreationTime"], (int, float))
    ssm = make_client(stack, "ssm")
    raw_ssm = _raw(ssm)
    ssm.get_parameter(Name=f"/mlops/projects/{project['name']}/role-arn")
    assert isinstance(raw_ssm["GetParameter"]["Parameter"]["LastModifiedDate"], (int, float))
    # Seeded history: the pipelines and versions are older than the seeding itself.
    described = sm.describe_pipeline(PipelineName=project["build_pipeline"])
    assert described["CreationTime"] < newest["CreationTime"]


def test_create_model_package_defaults_to_pending_manual_approval(stack, project):
    admin = make_client(stack, "sagemaker", "devstack-admin")
    group = f"{project['name']}-{project['id']}"
    arn = admin.create_model_package(
        ModelPackageGroupName=group,
        ModelPackageDescription="registered without a status",
        InferenceSpecification={"Containers": [{"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1"}], "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]},
    )["ModelPackageArn"]
    assert admin.describe_model_package(ModelPackageName=arn)["ModelApprovalStatus"] == "PendingManualApproval"
    pending = admin.list_model_packages(ModelPackageGroupName=group, ModelApprovalStatus="PendingManualApproval", MaxResults=100)["ModelPackageSummaryList"]
    assert arn in {p["ModelPackageArn"] for p in pending}


def test_tags_given_at_creation_are_kept_and_model_package_tags_listed(stack, sm, project):
    admin = make_client(stack, "sagemaker", "devstack-admin")
    tags = [{"Key": "sagemaker:project-name", "Value": project["name"]}]
    arn = admin.create_experiment(ExperimentName="pytest-tagged-experiment", Tags=tags)["ExperimentArn"]
    assert sm.list_tags(ResourceArn=arn)["Tags"] == tags
    group = f"{project['name']}-{project['id']}"
    package = sm.list_model_packages(ModelPackageGroupName=group, MaxResults=1)["ModelPackageSummaryList"][0]["ModelPackageArn"]
    assert sm.list_tags(ResourceArn=package)["Tags"] == []  # moto alone fails this with a 500


def test_moto_api_is_not_exposed(stack):
    for path in ("/moto-api/", "/moto-api/data.json", "/moto-api/reset-auth"):
        request = urllib.request.Request(stack.endpoint + path, data=b"0" if path.endswith("auth") else None, method="POST" if path.endswith("auth") else "GET")
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(request, timeout=5)
        assert raised.value.code == 404
    bad = make_client(stack, "sagemaker", secret_key="wrong" * 8)
    with pytest.raises(ClientError):
        bad.list_pipelines()  # authentication is still on


def test_control_endpoint_wants_json(stack):
    request = urllib.request.Request(f"{stack.endpoint}/_devstack/faults", data=b"throttle=*", method="POST")  # a form post, as a web page could send
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=5)
    assert raised.value.code == 415
    with urllib.request.urlopen(f"{stack.endpoint}/_devstack/faults", timeout=5) as response:
        assert json.loads(response.read())["throttle"] is None
    with urllib.request.urlopen(f"{stack.endpoint}/_devstack/health", timeout=5) as response:
        health = json.loads(response.read())
    assert health["status"] == "ok" and {p["name"] for p in health["projects"]} >= {"customer-churn", "fraud-detection"}
    assert "secret" not in json.dumps(health).lower()


def test_pipelines_found_by_search_tell_when_they_last_ran(stack, sm, project):
    """The sidebar orders pipelines and skips unchanged ones by Search's LastRunTime, as AWS gives it."""
    found = sm.search(Resource="Pipeline", SearchExpression={"Filters": [{"Name": "Tags.sagemaker:project-name", "Operator": "Equals", "Value": "customer-churn"}]}, MaxResults=100)
    records = {r["Pipeline"]["PipelineName"]: r["Pipeline"] for r in found["Results"]}
    build = records[project["build_pipeline"]]
    newest = max(e["StartTime"] for e in sm.list_pipeline_executions(PipelineName=project["build_pipeline"], MaxResults=100)["PipelineExecutionSummaries"])
    assert build["LastRunTime"] == newest
    started = sm.start_pipeline_execution(PipelineName=project["build_pipeline"])["PipelineExecutionArn"]
    again = sm.search(Resource="Pipeline", SearchExpression={"Filters": [{"Name": "PipelineName", "Operator": "Equals", "Value": project["build_pipeline"]}]})
    assert again["Results"][0]["Pipeline"]["LastRunTime"] > newest
    sm.stop_pipeline_execution(PipelineExecutionArn=started)


def test_json_protocol_answers_carry_the_json_content_type(stack):
    """moto answers some JSON-protocol operations as text/html; AWS (and the proxy's relay rule) says JSON."""
    logs = make_client(stack, "logs")
    answer = logs.describe_log_groups(limit=1)
    assert answer["ResponseMetadata"]["HTTPHeaders"]["content-type"].startswith("application/x-amz-json-1.1")
