"""The registry capability: its proxy operations, and GET /sagemaker-mlops/registry/report (one evaluation report of a
model version, read server-side from S3 only when the version's ModelMetrics names it)."""

import json
import time
import uuid
from typing import Any

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam.models import iam_backends

from sagemaker_mlops.allowlist import SERVICES
from sagemaker_mlops.capabilities import load

from conftest import aws_call, error_of, untouched

ROUTE = "/sagemaker-mlops/registry/report"
REPORT = {"binary_classification_metrics": {"accuracy": {"value": 0.91, "standard_deviation": 0.01}}}
REGISTRY_SAGEMAKER = """Search ListTags ListModelPackageGroups ListModelPackages DescribeModelPackage
    DescribeModelPackageGroup UpdateModelPackage"""
REGISTRY_CODEPIPELINE = """GetPipeline GetPipelineState GetPipelineExecution ListPipelines ListPipelineExecutions
    ListTagsForResource ListActionExecutions PutApprovalResult"""


def admin(moto: dict[str, Any], service: str):
    """A client of the moto server with the all-allowed test user (to set up what the server then reads)."""
    return boto3.client(
        service,
        region_name="us-east-1",
        endpoint_url=moto["url"],
        aws_access_key_id=moto["access_key"],
        aws_secret_access_key=moto["secret_key"],
    )


def make_version(moto: dict[str, Any], metrics: dict[str, dict[str, dict[str, str]]]) -> str:
    """A model package group with one version whose ModelMetrics are ``metrics``; its ARN."""
    sagemaker = admin(moto, "sagemaker")
    group = f"registry-{uuid.uuid4().hex[:12]}"
    sagemaker.create_model_package_group(ModelPackageGroupName=group)
    return sagemaker.create_model_package(
        ModelPackageGroupName=group,
        InferenceSpecification={
            "Containers": [{"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/model:1"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        ModelMetrics=metrics,
        ModelApprovalStatus="PendingManualApproval",
    )["ModelPackageArn"]


def report_metric(uri: str, content_type: str = "application/json") -> dict[str, str]:
    return {"ContentType": content_type, "S3Uri": uri}


@pytest.fixture
def bucket(aws_env) -> str:
    name = f"reports-{uuid.uuid4().hex[:12]}"
    admin(aws_env, "s3").create_bucket(Bucket=name)
    return name


@pytest.fixture
def stored(aws_env, bucket) -> dict[str, str]:
    """A version whose ModelMetrics name an evaluation report (stored) and a bias report (never written)."""
    evaluation = f"s3://{bucket}/evaluation/evaluation.json"
    missing = f"s3://{bucket}/bias/post-training.json"
    admin(aws_env, "s3").put_object(
        Bucket=bucket, Key="evaluation/evaluation.json", Body=json.dumps(REPORT).encode(), ContentType="application/json"
    )
    version = make_version(
        aws_env,
        {
            "ModelQuality": {"Statistics": report_metric(evaluation)},
            "Bias": {"PostTrainingReport": report_metric(missing)},
        },
    )
    return {"version": version, "evaluation": evaluation, "missing": missing, "bucket": bucket}


def report_path(version: str, uri: str) -> str:
    from urllib.parse import urlencode

    return ROUTE + "?" + urlencode({"version": version, "uri": uri})


# --- the proxy operations -------------------------------------------------------------------------------------


def test_the_registry_grants_exactly_its_operations():
    capability = load("registry")
    assert {name: set(ops) for name, ops in capability.operations.items()} == {
        "sagemaker": set(REGISTRY_SAGEMAKER.split()),
        "codepipeline": set(REGISTRY_CODEPIPELINE.split()),
    }
    assert [pattern for pattern, _ in capability.routes] == ["/registry/report"]


class TestProxyOperations:
    @pytest.fixture
    def mlops_config(self, tmp_path, upstream):
        # The default capabilities; every service points at the recording upstream.
        return {"resource_metadata_path": str(tmp_path / "none.json"), "endpoint_urls": {n: upstream.url for n in SERVICES}}

    @pytest.mark.parametrize(
        "service,target",
        [
            ("sagemaker", "SageMaker.UpdateModelPackage"),
            ("sagemaker", "SageMaker.ListModelPackageGroups"),
            ("sagemaker", "SageMaker.DescribeModelPackage"),
            ("codepipeline", "CodePipeline_20150709.PutApprovalResult"),
            ("codepipeline", "CodePipeline_20150709.GetPipelineState"),
            ("codepipeline", "CodePipeline_20150709.ListActionExecutions"),
        ],
    )
    async def test_registry_operations_are_forwarded(self, call, upstream, service, target):
        response = await call(f"/sagemaker-mlops/aws/{service}/", **aws_call(target))
        assert response.code == 200, response.body
        (request,) = upstream.requests
        assert request["headers"]["X-Amz-Target"] == target
        assert f"/{service}/aws4_request" in request["headers"]["Authorization"]

    @pytest.mark.parametrize(
        "service,target",
        [
            ("sagemaker", "SageMaker.DeleteModelPackage"),
            ("sagemaker", "SageMaker.CreateModelPackage"),
            ("sagemaker", "SageMaker.DeleteModelPackageGroup"),
            ("codepipeline", "CodePipeline_20150709.StartPipelineExecution"),
            ("codepipeline", "CodePipeline_20150709.UpdatePipeline"),
            ("codepipeline", "CodePipeline_20150709.RetryStageExecution"),
        ],
    )
    async def test_other_registry_writes_are_refused(self, call, upstream, service, target):
        response = await call(f"/sagemaker-mlops/aws/{service}/", **aws_call(target))
        assert response.code == 403
        error = error_of(response)
        assert error["code"] == "OperationNotAllowed"
        assert target in error["message"]
        assert untouched(upstream)


# --- the report route: authentication and parameters ----------------------------------------------------------


async def test_report_needs_authentication(call, stored):
    response = await call(report_path(stored["version"], stored["evaluation"]), auth=False)
    assert response.code == 403
    assert error_of(response)["code"] == "Forbidden"


async def test_report_needs_the_xsrf_header(call, stored):
    response = await call(report_path(stored["version"], stored["evaluation"]), xsrf=None)
    assert response.code == 403
    assert error_of(response)["code"] == "XSRFError"


@pytest.mark.parametrize(
    "query,expected",
    [
        ("", "'version'"),
        ("?version=arn:aws:sagemaker:us-east-1:123456789012:model-package/g/1", "'uri'"),
        ("?uri=s3://b/k", "'version'"),
        ("?version=arn:aws:sagemaker:us-east-1:123456789012:model-package-group/g&uri=s3://b/k", "model package"),
        ("?version=not-an-arn&uri=s3://b/k", "model package"),
        ("?version=arn:aws:sagemaker:eu-west-1:123456789012:model-package/g/1&uri=s3://b/k", "region eu-west-1"),
        ("?version=arn:aws:sagemaker:us-east-1:123456789012:model-package/g/1&uri=https://b/k", "s3://"),
        ("?version=arn:aws:sagemaker:us-east-1:123456789012:model-package/g/1&uri=s3://b", "s3://"),
        (
            "?version=arn:aws:sagemaker:us-east-1:123456789012:model-package/g/1&uri=s3://b/k&uri=s3://b/j",
            "more than once",
        ),
    ],
)
async def test_bad_parameters_are_400(call, aws_env, query, expected):
    response = await call(ROUTE + query)
    assert response.code == 400, response.body
    error = error_of(response)
    assert error["code"] == "BadRequest"
    assert expected in error["message"]


# --- the report route against moto (SigV4 and IAM verified) --------------------------------------------------


async def test_reads_a_report_the_version_names(call, stored):
    response = await call(report_path(stored["version"], stored["evaluation"]))
    assert response.code == 200, response.body
    assert json.loads(response.body) == {
        "uri": stored["evaluation"],
        "contentType": "application/json",
        "text": json.dumps(REPORT),
    }
    assert response.headers["Cache-Control"] == "no-store"


async def test_reads_every_kind_of_report_in_model_metrics(call, aws_env, bucket):
    s3 = admin(aws_env, "s3")
    metrics: dict[str, dict[str, dict[str, str]]] = {}
    uris = []
    for section, entry in [
        ("ModelQuality", "Constraints"),
        ("ModelDataQuality", "Statistics"),
        ("ModelDataQuality", "Constraints"),
        ("Bias", "Report"),
        ("Bias", "PreTrainingReport"),
        ("Explainability", "Report"),
    ]:
        key = f"{section}/{entry}.json"
        s3.put_object(Bucket=bucket, Key=key, Body=f'{{"{entry}": 1}}'.encode())
        metrics.setdefault(section, {})[entry] = report_metric(f"s3://{bucket}/{key}")
        uris.append((f"s3://{bucket}/{key}", entry))
    version = make_version(aws_env, metrics)
    for uri, entry in uris:
        response = await call(report_path(version, uri))
        assert response.code == 200, (uri, response.body)
        assert json.loads(json.loads(response.body)["text"]) == {entry: 1}


async def test_a_uri_the_version_does_not_name_is_refused(call, stored, aws_env):
    admin(aws_env, "s3").put_object(Bucket=stored["bucket"], Key="secrets.txt", Body=b"not a report")
    for uri in (f"s3://{stored['bucket']}/secrets.txt", stored["evaluation"] + "x", stored["evaluation"].replace("evaluation.json", "Evaluation.json")):
        response = await call(report_path(stored["version"], uri))
        assert response.code == 403, response.body
        error = error_of(response)
        assert error["code"] == "ReportNotAllowed"
        assert "ModelMetrics" in error["message"]
        assert b"not a report" not in response.body


async def test_unknown_model_version_is_404(call, stored):
    unknown = stored["version"].rsplit("/", 1)[0] + "/999"
    response = await call(report_path(unknown, stored["evaluation"]))
    assert response.code == 404, response.body
    error = error_of(response)
    assert error["code"] == "ModelPackageNotFound"
    assert unknown in error["message"]


async def test_missing_object_is_404(call, stored):
    response = await call(report_path(stored["version"], stored["missing"]))
    assert response.code == 404, response.body
    error = error_of(response)
    assert error["code"] == "ReportNotFound"
    assert stored["missing"] in error["message"] and "no such object" in error["message"]


async def test_missing_bucket_is_404(call, aws_env):
    uri = f"s3://no-bucket-{uuid.uuid4().hex[:12]}/evaluation.json"
    version = make_version(aws_env, {"ModelQuality": {"Statistics": report_metric(uri)}})
    response = await call(report_path(version, uri))
    assert response.code == 404, response.body
    error = error_of(response)
    assert error["code"] == "ReportNotFound"
    assert "no such bucket" in error["message"]


async def test_a_report_that_is_not_utf8_is_422(call, aws_env, bucket):
    uri = f"s3://{bucket}/model.bin"
    admin(aws_env, "s3").put_object(Bucket=bucket, Key="model.bin", Body=b"\xff\xfe\x00binary")
    version = make_version(aws_env, {"Explainability": {"Report": report_metric(uri)}})
    response = await call(report_path(version, uri))
    assert response.code == 422, response.body
    assert error_of(response)["code"] == "InvalidReport"


class TestSizeLimit:
    @pytest.fixture
    def mlops_config(self, tmp_path):
        return {"resource_metadata_path": str(tmp_path / "none.json"), "max_report_bytes": 64}

    async def test_a_report_above_the_limit_is_413(self, call, aws_env, bucket):
        uri = f"s3://{bucket}/big.json"
        admin(aws_env, "s3").put_object(Bucket=bucket, Key="big.json", Body=json.dumps({"x": "y" * 100}).encode())
        version = make_version(aws_env, {"ModelQuality": {"Statistics": report_metric(uri)}})
        response = await call(report_path(version, uri))
        assert response.code == 413, response.body
        error = error_of(response)
        assert error["code"] == "ReportTooLarge"
        assert "max_report_bytes" in error["message"]

    async def test_a_report_at_the_limit_is_read(self, call, aws_env, bucket):
        uri = f"s3://{bucket}/exact.json"
        body = b'{"x": "' + b"y" * 55 + b'"}'
        assert len(body) == 64
        admin(aws_env, "s3").put_object(Bucket=bucket, Key="exact.json", Body=body)
        version = make_version(aws_env, {"ModelQuality": {"Statistics": report_metric(uri)}})
        response = await call(report_path(version, uri))
        assert response.code == 200, response.body
        assert json.loads(response.body)["text"] == body.decode()


def limited_user(policy: dict[str, Any]) -> dict[str, str]:
    """A moto IAM user allowed only ``policy``: its credentials as the server's environment."""
    iam = iam_backends[DEFAULT_ACCOUNT_ID]["global"]
    name = f"registry-reader-{uuid.uuid4().hex[:8]}"
    iam.create_user("us-east-1", name)
    iam.put_user_policy(name, "limited", json.dumps({"Version": "2012-10-17", "Statement": [policy]}))
    key = iam.create_access_key(name)
    return {"AWS_ACCESS_KEY_ID": key.access_key_id, "AWS_SECRET_ACCESS_KEY": key.secret_access_key}


class TestWithoutS3GetObject:
    @pytest.fixture
    def server_credentials(self, moto_upstream):
        return limited_user({"Effect": "Allow", "Action": ["sagemaker:*"], "Resource": "*"})

    async def test_access_denied_names_the_action_and_no_secret(self, call, stored, server_credentials):
        response = await call(report_path(stored["version"], stored["evaluation"]))
        assert response.code == 403, response.body
        error = error_of(response)
        assert error["code"] == "AccessDenied"
        assert "s3:GetObject" in error["message"] and stored["evaluation"] in error["message"]
        body = response.body.decode()
        for secret in server_credentials.values():
            assert secret not in body
        assert "Signature" not in body


class TestWithoutDescribeModelPackage:
    @pytest.fixture
    def server_credentials(self, moto_upstream):
        return limited_user({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"})

    async def test_access_denied_names_describe_model_package(self, call, stored, server_credentials):
        response = await call(report_path(stored["version"], stored["evaluation"]))
        assert response.code == 403, response.body
        error = error_of(response)
        assert error["code"] == "AccessDenied"
        assert "sagemaker:DescribeModelPackage" in error["message"] and stored["version"] in error["message"]
        for secret in server_credentials.values():
            assert secret not in response.body.decode()


# --- S3 behind a recording endpoint: only one GetObject, bounded reads ---------------------------------------


def announce_huge_body(handler):
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(50 * 1024 * 1024))
    handler.end_headers()
    handler.wfile.write(b"{")
    handler.wfile.flush()
    time.sleep(3)  # the rest never comes: reading it would take until the timeout


def chunked_body(handler):
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b"y" * 1024
    for _ in range(200):  # 200 KiB, no Content-Length
        handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    handler.wfile.write(b"0\r\n\r\n")


class TestS3Endpoint:
    """endpoint_urls['s3'] (e.g. an S3 interface endpoint): path-style, signed GetObject and nothing else."""

    @pytest.fixture
    def s3_reply(self):
        return None

    @pytest.fixture
    def s3(self, recorder, s3_reply):
        return recorder(s3_reply)

    @pytest.fixture
    def mlops_config(self, tmp_path, s3):
        return {
            "resource_metadata_path": str(tmp_path / "none.json"),
            "endpoint_urls": {"s3": s3.url},
            "max_report_bytes": 100 * 1024,
        }

    async def test_a_uri_not_in_model_metrics_never_reaches_s3(self, call, stored, s3):
        response = await call(report_path(stored["version"], f"s3://{stored['bucket']}/other.json"))
        assert response.code == 403
        assert error_of(response)["code"] == "ReportNotAllowed"
        assert untouched(s3)

    async def test_one_signed_path_style_get_object(self, call, stored, s3, aws_env):
        response = await call(report_path(stored["version"], stored["evaluation"]))
        assert response.code == 200, response.body
        (request,) = s3.requests
        assert request["method"] == "GET"
        assert request["path"] == f"/{stored['bucket']}/evaluation/evaluation.json"
        assert request["headers"]["Authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={aws_env['access_key']}/")
        assert "/us-east-1/s3/aws4_request" in request["headers"]["Authorization"]

    class TestAnnouncedTooLarge:
        @pytest.fixture
        def s3_reply(self):
            return announce_huge_body

        @pytest.mark.timeout(30)
        async def test_content_length_is_checked_before_reading(self, call, stored, s3):
            started = time.monotonic()
            response = await call(report_path(stored["version"], stored["evaluation"]))
            assert response.code == 413, response.body
            assert error_of(response)["code"] == "ReportTooLarge"
            assert time.monotonic() - started < 2.5
            assert len(s3.requests) == 1

    class TestUnannouncedTooLarge:
        @pytest.fixture
        def s3_reply(self):
            return chunked_body

        async def test_the_read_is_bounded(self, call, stored, s3):
            response = await call(report_path(stored["version"], stored["evaluation"]))
            assert response.code == 413, response.body
            assert error_of(response)["code"] == "ReportTooLarge"


def aws_json_error(code: str, status: int = 400, message: str = "upstream says no"):
    def reply(handler):
        payload = json.dumps({"__type": code, "message": message}).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/x-amz-json-1.1")
        handler.send_header("x-amzn-ErrorType", code)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    return reply


VERSION = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3"


class TestSageMakerErrors:
    """SageMaker behind endpoint_urls['sagemaker']: its errors become {code, message} that say what to do."""

    @pytest.fixture
    def sagemaker_reply(self):
        return aws_json_error("ThrottlingException")

    @pytest.fixture
    def sagemaker(self, recorder, sagemaker_reply):
        return recorder(sagemaker_reply)

    @pytest.fixture
    def mlops_config(self, tmp_path, sagemaker, evil):
        return {
            "resource_metadata_path": str(tmp_path / "none.json"),
            "endpoint_urls": {"sagemaker": sagemaker.url, "s3": evil.url},
        }

    async def test_throttling_is_503_retry_shortly(self, call, sagemaker, evil):
        response = await call(report_path(VERSION, "s3://b/k"))
        assert response.code == 503, response.body
        error = error_of(response)
        assert error["code"] == "Throttling" and "retry shortly" in error["message"]
        assert 1 <= len(sagemaker.requests) <= 2  # at most one retry
        assert sagemaker.requests[0]["headers"]["X-Amz-Target"] == "SageMaker.DescribeModelPackage"
        assert untouched(evil)

    class TestExpired:
        @pytest.fixture
        def sagemaker_reply(self):
            return aws_json_error("ExpiredTokenException", 400, "The security token included in the request is expired")

        async def test_expired_token_says_to_refresh_the_session(self, call, evil):
            response = await call(report_path(VERSION, "s3://b/k"))
            assert response.code == 403
            error = error_of(response)
            assert error["code"] == "ExpiredToken" and "Refresh the session" in error["message"]
            assert untouched(evil)

    class TestNotExisting:
        @pytest.fixture
        def sagemaker_reply(self):
            return aws_json_error("ValidationException", 400, f"Model Package {VERSION} does not exist.")

        async def test_a_version_that_does_not_exist_is_404(self, call):
            response = await call(report_path(VERSION, "s3://b/k"))
            assert response.code == 404
            assert error_of(response)["code"] == "ModelPackageNotFound"

    class TestMetricsWithoutTheUri:
        @pytest.fixture
        def sagemaker_reply(self):
            def reply(handler):
                payload = json.dumps({"ModelPackageArn": VERSION, "ModelMetrics": {}}).encode()
                handler.send_response(200)
                handler.send_header("Content-Type", "application/x-amz-json-1.1")
                handler.send_header("Content-Length", str(len(payload)))
                handler.end_headers()
                handler.wfile.write(payload)

            return reply

        async def test_no_model_metrics_no_report(self, call, evil):
            response = await call(report_path(VERSION, "s3://b/k"))
            assert response.code == 403
            assert error_of(response)["code"] == "ReportNotAllowed"
            assert untouched(evil)


class TestUnreachable:
    @pytest.fixture
    def mlops_config(self, tmp_path):
        return {
            "resource_metadata_path": str(tmp_path / "none.json"),
            "endpoint_urls": {"sagemaker": "http://127.0.0.1:9"},
        }

    async def test_an_unreachable_endpoint_is_a_network_error(self, call):
        response = await call(report_path(VERSION, "s3://b/k"))
        assert response.code == 502, response.body
        error = error_of(response)
        assert error["code"] == "NetworkError"
        assert "sagemaker:DescribeModelPackage" in error["message"]


def slow(handler):
    time.sleep(3)
    aws_json_error("InternalFailure", 500)(handler)


class TestSlowEndpoint:
    @pytest.fixture
    def sagemaker(self, recorder):
        return recorder(slow)

    @pytest.fixture
    def mlops_config(self, tmp_path, sagemaker):
        return {
            "resource_metadata_path": str(tmp_path / "none.json"),
            "endpoint_urls": {"sagemaker": sagemaker.url},
            "upstream_timeout": 1.0,
        }

    @pytest.mark.timeout(30)
    async def test_a_hanging_endpoint_times_out_with_bounded_retries(self, call, sagemaker):
        started = time.monotonic()
        response = await call(report_path(VERSION, "s3://b/k"))
        assert response.code == 504, response.body
        assert error_of(response)["code"] == "Timeout"
        assert time.monotonic() - started < 5
        assert 1 <= len(sagemaker.requests) <= 2


async def test_clients_are_reused_with_bounded_timeouts(call, stored, monkeypatch, jp_serverapp):
    aws = jp_serverapp.web_app.settings["sagemaker_mlops.aws"]
    created = []
    original = aws.session.create_client

    def counting(name, *args, **kwargs):
        created.append(name)
        return original(name, *args, **kwargs)

    monkeypatch.setattr(aws.session, "create_client", counting)
    for _ in range(3):
        assert (await call(report_path(stored["version"], stored["evaluation"]))).code == 200
    assert sorted(created) == ["s3", "sagemaker"]
    for service in ("s3", "sagemaker"):
        config = aws.client(service).meta.config
        assert config.connect_timeout <= 60 and config.read_timeout <= 60
        assert config.retries["total_max_attempts"] <= 2
    assert aws.client("s3").meta.config.s3["addressing_style"] == "path"  # AWS_ENDPOINT_URL is set


class TestInsecureS3Endpoint:
    @pytest.fixture
    def mlops_config(self, tmp_path):
        return {"resource_metadata_path": str(tmp_path / "none.json"), "endpoint_urls": {"s3": "http://s3.example.com"}}

    async def test_signed_reads_go_over_https_only(self, call, stored):
        response = await call(report_path(stored["version"], stored["evaluation"]))
        assert response.code == 500, response.body
        assert error_of(response)["code"] == "InsecureEndpoint"
