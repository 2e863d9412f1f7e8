"""A SageMaker-managed-MLflow-style endpoint in front of the devstack's real MLflow server.

SageMaker managed MLflow answers the MLflow REST API at a regional endpoint
(``https://<region>.experiments.sagemaker.aws``); each request is signed with SigV4 for the service
``sagemaker-mlflow`` and names its tracking server in the ``x-mlflow-sm-tracking-server-arn`` header. The devstack
serves the same under ``<endpoint>/managed-mlflow``: the router verifies the signature (and that it is scoped to
``sagemaker-mlflow``) and the caller's IAM policy for ``sagemaker-mlflow:<Action>``; this module checks the ARN
header and relays the request, without the AWS headers, to the MLflow server. The plain tracking URI
(``MLFLOW_TRACKING_URI``) stays what a self-hosted MLflow is: unauthenticated.
"""

from __future__ import annotations

import http.client
import re
from typing import Optional
from urllib.parse import urlsplit

from .contract import AwsError, Request, Response

PREFIX = "/managed-mlflow"
ARN_HEADER = "x-mlflow-sm-tracking-server-arn"
TRACKING_SERVER = "mlops-tracking-server"
#: request headers that are the caller's business with AWS, not MLflow's
_DROP = {"authorization", "host", "content-length", "connection", ARN_HEADER}
#: MLflow REST paths whose IAM action is not "<Verb><Resource>"
_ACTIONS = {
    "experiments/get-by-name": "GetExperimentByName",
    "experiments/set-experiment-tag": "SetExperimentTag",
    "runs/log-parameter": "LogParam",
    "runs/log-metric": "LogMetric",
    "runs/log-batch": "LogBatch",
    "runs/log-model": "LogModel",
    "runs/log-inputs": "LogInputs",
    "runs/set-tag": "SetTag",
    "runs/delete-tag": "DeleteTag",
    "metrics/get-history": "GetMetricHistory",
    "artifacts/list": "ListArtifacts",
}


def tracking_server_arn(state) -> str:
    return f"arn:aws:sagemaker:{state.region}:{state.account_id}:mlflow-tracking-server/{TRACKING_SERVER}"


def action_of(path: str) -> str:
    """The IAM action of an MLflow REST path (``/api/2.0/mlflow/experiments/search`` -> ``SearchExperiments``)."""
    found = re.match(r"^/(?:ajax-)?api/2\.0/mlflow(?:-artifacts)?/(.+?)/?$", path)
    if not found:
        return "AccessUI"
    rest = found.group(1)
    if rest in _ACTIONS:
        return _ACTIONS[rest]
    parts = rest.split("/")
    if len(parts) >= 2:
        resource, verb = parts[0], parts[1]
        camel = "".join(p.capitalize() for p in resource.split("-"))
        return "".join(p.capitalize() for p in verb.split("-")) + camel
    return "".join(p.capitalize() for p in re.split(r"[-/]", rest))


class ManagedMlflowExtension:
    service = "sagemaker-mlflow"
    iam_prefix = "sagemaker-mlflow"
    requires_sigv4 = True

    def __init__(self, state) -> None:
        self.state = state
        state.managed_mlflow_arn = tracking_server_arn(state)

    def operation(self, request: Request) -> Optional[str]:
        if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
            return action_of(request.path[len(PREFIX):] or "/")
        return None

    def dispatch(self, request: Request, operation: str) -> Response:
        arn = request.headers.get(ARN_HEADER, "")
        if not arn:
            raise AwsError("ValidationException", f"The {ARN_HEADER} header is required: it names the tracking server.", 400)
        if arn != self.state.managed_mlflow_arn:
            raise AwsError("ResourceNotFound", f"Tracking server {arn} does not exist.", 404)
        upstream = getattr(self.state, "mlflow_url", None)
        if not upstream:
            raise AwsError("ServiceUnavailable", f"The tracking server {TRACKING_SERVER} is not running (the devstack was started with --no-mlflow).", 503)
        return self._relay(upstream, request)

    @staticmethod
    def _relay(upstream: str, request: Request) -> Response:
        target = urlsplit(upstream)
        raw_path = getattr(request, "raw_path", request.path)[len(PREFIX):] or "/"
        query = getattr(request, "raw_query", "")
        headers = {k: v for k, v in request.headers.items() if k not in _DROP and not k.startswith("x-amz-")}
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
        try:
            connection.request(request.method, raw_path + (f"?{query}" if query else ""), body=request.body or None, headers=headers)
            answer = connection.getresponse()
            body = answer.read()
            kept = {k: v for k, v in answer.getheaders() if k.lower() in ("content-type", "content-disposition", "cache-control")}
            return Response(answer.status, kept, body)
        except OSError as error:
            raise AwsError("ServiceUnavailable", f"The tracking server did not answer ({type(error).__name__}).", 503) from None
        finally:
            connection.close()
