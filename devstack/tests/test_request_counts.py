"""``/_devstack/requests``: every AWS API request counted once by ``<service>.<Operation>``, whatever its
outcome, so UI tests can say "a double-click sends exactly one UpdateModelPackage"."""

from __future__ import annotations

import threading

import pytest
from botocore.exceptions import ClientError

from conftest import control, make_client

pytestmark = pytest.mark.usefixtures("reset_faults")


def _count(stack, key: str) -> int:
    return control(stack, "/requests")["counts"].get(key, 0)


def _group(project) -> str:
    return f"{project['name']}-{project['id']}"


@pytest.mark.parametrize("call, key", [("list_projects", "sagemaker.ListProjects"), ("list_pipelines", "sagemaker.ListPipelines")])  # added / moto
def test_each_request_counts_exactly_once(stack, sm, call, key):
    before = _count(stack, key)
    getattr(sm, call)()
    assert _count(stack, key) == before + 1
    getattr(sm, call)()
    getattr(sm, call)()
    assert _count(stack, key) == before + 3


def test_keys_name_the_signing_service(stack, sm, project):
    make_client(stack, "codepipeline").list_pipelines()
    make_client(stack, "s3").list_objects_v2(Bucket=project["bucket"])
    make_client(stack, "sts").get_caller_identity()
    name = sm.list_trial_components(MaxResults=1)["TrialComponentSummaries"][0]["TrialComponentName"]
    make_client(stack, "sagemaker-metrics", "devstack-admin").batch_put_metrics(
        TrialComponentName=name, MetricData=[{"MetricName": "counted", "Timestamp": 0, "Step": 0, "Value": 1.0}])
    counts = control(stack, "/requests")["counts"]
    for key in ("codepipeline.ListPipelines", "s3.ListObjectsV2", "sts.GetCallerIdentity", "sagemaker.BatchPutMetrics"):
        assert counts.get(key, 0) >= 1, key


def test_filter_by_operation(stack, sm):
    sm.list_pipelines()
    make_client(stack, "codepipeline").list_pipelines()
    counts = control(stack, "/requests?operation=ListPipelines")["counts"]
    assert set(counts) == {"sagemaker.ListPipelines", "codepipeline.ListPipelines"}
    assert all(n >= 1 for n in counts.values())
    assert set(control(stack, "/requests?operation=sagemaker.ListPipelines")["counts"]) == {"sagemaker.ListPipelines"}
    assert control(stack, "/requests?operation=NoSuchOperation")["counts"] == {}
    # a suffix of an operation's name is not that operation
    assert "sagemaker.ListPipelines" not in control(stack, "/requests?operation=Pipelines")["counts"]


def test_refused_requests_are_counted(stack, sm, project):
    arn = sm.list_model_packages(ModelPackageGroupName=_group(project))["ModelPackageSummaryList"][0]["ModelPackageArn"]
    before = _count(stack, "sagemaker.UpdateModelPackage")
    with pytest.raises(ClientError) as raised:  # the data scientist's explicit Deny
        sm.update_model_package(ModelPackageArn=arn, CustomerMetadataProperties={"by": "me"})
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"
    assert _count(stack, "sagemaker.UpdateModelPackage") == before + 1

    before = _count(stack, "sagemaker.ListPipelines")
    bad = make_client(stack, "sagemaker", secret_key="not-the-right-secret-key-0000000000000000")
    with pytest.raises(ClientError):  # refused by SigV4
        bad.list_pipelines()
    control(stack, "/faults", {"accessDenied": ["ListPipelines"]})
    with pytest.raises(ClientError) as raised:  # refused by a fault switch (not retried, unlike a throttle)
        sm.list_pipelines()
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"
    assert _count(stack, "sagemaker.ListPipelines") == before + 2


def test_concurrent_requests_are_all_counted(stack):
    sts = make_client(stack, "sts")
    before = _count(stack, "sts.GetCallerIdentity")

    def call() -> None:
        for _ in range(5):
            sts.get_caller_identity()

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _count(stack, "sts.GetCallerIdentity") == before + 40


def test_faults_reset_keeps_counts_and_requests_reset_clears_them(stack, sm):
    sm.list_projects()
    assert _count(stack, "sagemaker.ListProjects") >= 1
    control(stack, "/faults/reset", {})
    assert _count(stack, "sagemaker.ListProjects") >= 1
    assert control(stack, "/requests/reset", {}) == {"counts": {}}
    assert control(stack, "/requests")["counts"] == {}
    sm.list_projects()
    assert control(stack, "/requests")["counts"] == {"sagemaker.ListProjects": 1}
