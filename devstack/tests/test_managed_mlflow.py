"""The SageMaker-managed-MLflow-style endpoint: SigV4 for sagemaker-mlflow and the tracking server's ARN header are
required and verified, then the request reaches MLflow without any AWS header."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import control, role_credentials
from mlops_devstack.managed_mlflow import ARN_HEADER, action_of

pytestmark = pytest.mark.usefixtures("reset_faults")


@pytest.fixture
def upstream(stack, monkeypatch):
    """A stand-in MLflow server that records what reaches it."""
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self._answer()

        def do_POST(self):  # noqa: N802
            self._answer()

        def _answer(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append({"method": self.command, "path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
            payload = json.dumps({"experiments": [{"experiment_id": "1", "name": "customer-churn"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(stack.state, "mlflow_url", f"http://127.0.0.1:{server.server_port}", raising=False)
    yield seen
    server.shutdown()


def managed_url(stack, path: str = "/api/2.0/mlflow/experiments/search") -> str:
    return f"{stack.endpoint}/managed-mlflow{path}"


def send(stack, method: str = "POST", path: str = "/api/2.0/mlflow/experiments/search", body: bytes = b'{"max_results": 10}',
         sign_as: str = "sagemaker-mlflow", arn: object = "default", identity: str = "data-scientist", secret: str = ""):
    headers = {"Content-Type": "application/json"}
    if arn == "default":
        arn = stack.state.managed_mlflow_arn
    if arn:
        headers[ARN_HEADER] = str(arn)
    request = AWSRequest(method=method, url=managed_url(stack, path), data=body, headers=headers)
    if sign_as:
        creds = role_credentials(stack, identity)
        SigV4Auth(Credentials(creds["AccessKeyId"], secret or creds["SecretAccessKey"], creds["Token"]), sign_as, stack.state.region).add_auth(request)
    prepared = urllib.request.Request(request.url, data=body if method != "GET" else None, method=method, headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(prepared, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_signed_request_with_the_arn_reaches_mlflow_without_aws_headers(stack, upstream):
    status, body = send(stack)
    assert status == 200 and body["experiments"][0]["name"] == "customer-churn"
    (seen,) = upstream
    assert seen["path"] == "/api/2.0/mlflow/experiments/search" and seen["body"] == b'{"max_results": 10}'
    assert not {k for k in seen["headers"] if k == "authorization" or k.startswith("x-amz-") or k == ARN_HEADER}
    status, _ = send(stack, "GET", "/api/2.0/mlflow/experiments/get-by-name?experiment_name=customer-churn", b"", identity="approver")
    assert status == 200 and upstream[1]["path"] == "/api/2.0/mlflow/experiments/get-by-name?experiment_name=customer-churn"


@pytest.mark.parametrize(
    "kwargs, status, code",
    [
        ({"sign_as": ""}, 403, "MissingAuthenticationTokenException"),
        ({"secret": "not-the-right-secret-key-0000000000000000"}, 403, "SignatureDoesNotMatch"),
        ({"sign_as": "sagemaker"}, 403, "SignatureDoesNotMatch"),  # scoped to another service
        ({"arn": None}, 400, "ValidationException"),
        ({"arn": "arn:aws:sagemaker:us-east-1:123456789012:mlflow-tracking-server/other"}, 404, "ResourceNotFound"),
    ],
    ids=["unsigned", "wrong-secret", "wrong-service", "no-arn", "unknown-arn"],
)
def test_refused_requests_never_reach_mlflow(stack, upstream, kwargs, status, code):
    got, body = send(stack, **kwargs)
    assert (got, body.get("__type")) == (status, code)
    assert upstream == []


def test_faults_and_iam_apply_to_managed_mlflow(stack, upstream):
    control(stack, "/faults", {"throttle": ["SearchExperiments"]})
    status, body = send(stack)
    assert (status, body["__type"]) == (429, "ThrottlingException")
    status, body = send(stack, sign_as="")
    assert body["__type"] == "MissingAuthenticationTokenException"  # authentication comes first
    control(stack, "/faults/reset", {})
    control(stack, "/faults", {"accessDenied": ["SearchExperiments"]})
    status, body = send(stack)
    assert status == 403 and "sagemaker-mlflow:SearchExperiments" in body["message"]
    assert upstream == []


def test_without_mlflow_the_endpoint_says_so(stack, monkeypatch):
    monkeypatch.setattr(stack.state, "mlflow_url", None, raising=False)
    status, body = send(stack)
    assert (status, body["__type"]) == (503, "ServiceUnavailable")


def test_iam_action_names():
    assert action_of("/api/2.0/mlflow/experiments/search") == "SearchExperiments"
    assert action_of("/api/2.0/mlflow/experiments/get-by-name") == "GetExperimentByName"
    assert action_of("/api/2.0/mlflow/runs/log-batch") == "LogBatch"
    assert action_of("/api/2.0/mlflow/registered-models/search") == "SearchRegisteredModels"
    assert action_of("/ajax-api/2.0/mlflow/metrics/get-history") == "GetMetricHistory"
    assert action_of("/") == "AccessUI"
