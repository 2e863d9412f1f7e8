"""What the proxy forwards: a service allowlist and an operation allowlist, fixed in code.

JSON-protocol operations are matched by ``X-Amz-Target`` (POST to ``/`` only). REST operations
(CodeArtifact, MLflow) by method and an exact path template. Later features add entries here, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass(frozen=True)
class Service:
    name: str  # the proxy path segment: /sagemaker-mlops/aws/<name>/
    signing_name: str  # SigV4 service name
    botocore_name: Optional[str]  # botocore client name for endpoint resolution (None: configured URL only)
    target_prefix: Optional[str] = None  # JSON protocol: X-Amz-Target prefix
    json_operations: frozenset[str] = field(default_factory=frozenset)
    rest_operations: tuple[tuple[str, str, str], ...] = ()  # (method, exact path, operation name)


def _json(name: str, signing: str, botocore_name: str, prefix: str, ops: str) -> Service:
    return Service(name, signing, botocore_name, prefix, frozenset(ops.split()))


SERVICES: dict[str, Service] = {
    s.name: s
    for s in [
        _json(
            "sagemaker",
            "sagemaker",
            "sagemaker",
            "SageMaker",
            """
            ListProjects DescribeProject Search ListTags ListPipelines DescribePipeline
            DescribePipelineDefinitionForExecution ListPipelineExecutions DescribePipelineExecution
            ListPipelineExecutionSteps ListPipelineParametersForExecution StartPipelineExecution
            StopPipelineExecution RetryPipelineExecution CreatePipeline UpdatePipeline AddTags
            DescribeTrainingJob DescribeProcessingJob ListModelPackageGroups DescribeModelPackageGroup
            ListModelPackages DescribeModelPackage UpdateModelPackage ListExperiments ListTrials
            ListTrialComponents DescribeTrialComponent
            """,
        ),
        _json("logs", "logs", "logs", "Logs_20140328", "GetLogEvents DescribeLogStreams FilterLogEvents"),
        _json(
            "codecommit",
            "codecommit",
            "codecommit",
            "CodeCommit_20150413",
            """
            GetRepository GetBranch ListBranches CreateBranch GetFile GetFolder PutFile CreateCommit GetCommit
            GetDifferences CreatePullRequest GetPullRequest ListPullRequests MergePullRequestByFastForward
            """,
        ),
        _json(
            "codepipeline",
            "codepipeline",
            "codepipeline",
            "CodePipeline_20150709",
            "ListPipelines GetPipelineState ListPipelineExecutions GetPipelineExecution",
        ),
        Service(
            "codeartifact",
            "codeartifact",
            "codeartifact",
            rest_operations=(
                ("GET", "/v1/repository/endpoint", "GetRepositoryEndpoint"),
                ("POST", "/v1/packages", "ListPackages"),
                ("POST", "/v1/package/versions", "ListPackageVersions"),
            ),
        ),
        Service(
            "sagemaker-mlflow",
            "sagemaker-mlflow",
            None,
            rest_operations=(
                ("GET", "/api/2.0/mlflow/experiments/search", "SearchExperiments"),
                ("POST", "/api/2.0/mlflow/experiments/search", "SearchExperiments"),
                ("GET", "/api/2.0/mlflow/experiments/get-by-name", "GetExperimentByName"),
                ("GET", "/api/2.0/mlflow/experiments/get", "GetExperiment"),
                ("POST", "/api/2.0/mlflow/runs/search", "SearchRuns"),
                ("GET", "/api/2.0/mlflow/runs/get", "GetRun"),
                ("GET", "/api/2.0/mlflow/metrics/get-history", "GetMetricHistory"),
            ),
        ),
    ]
}


class Refused(Exception):
    """The request is outside the allowlist: 403 with ``code`` and ``message``."""

    def __init__(self, code: str, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def match_operation(service_name: str, method: str, path: str, target: Optional[str]) -> tuple[Service, str]:
    """Return the service and operation name the request is allowed as, or raise :class:`Refused`.

    ``path`` is the raw (still percent-encoded) remainder after ``/aws/<service>``; it must equal an allowed
    template exactly, so ``..``, encoded slashes, absolute URLs and doubled slashes never match.
    """
    service = SERVICES.get(service_name)
    if service is None:
        raise Refused("ServiceNotAllowed", f"The service '{_safe(service_name)}' is not forwarded by this proxy.")
    if service.target_prefix is not None:
        if not target:
            raise Refused("OperationNotAllowed", f"{service.name}: a request without X-Amz-Target is not forwarded.")
        prefix, _, operation = target.partition(".")
        if prefix != service.target_prefix or operation not in service.json_operations:
            raise Refused("OperationNotAllowed", f"{service.name}: the operation '{_safe(target)}' is not forwarded.")
        if method != "POST" or path not in ("", "/"):
            raise Refused(
                "OperationNotAllowed", f"{service.name}.{operation}: only POST to the service root is forwarded."
            )
        return service, operation
    if target:
        raise Refused("OperationNotAllowed", f"{service.name}: X-Amz-Target is not accepted for this service.")
    same_path = [(m, op) for m, p, op in service.rest_operations if p == path]
    for allowed_method, operation in same_path:
        if method == allowed_method:
            return service, operation
    if same_path:
        raise Refused(
            "OperationNotAllowed", f"{service.name}.{same_path[0][1]}: method {_safe(method)} is not forwarded."
        )
    raise Refused("OperationNotAllowed", f"{service.name}: {_safe(method)} {_safe(path)} is not forwarded.")


#: Operations whose name starts with one of these only read; the rest change something. The action is what
#: jupyter_server's Authorizer is asked about (resource "sagemaker-mlops"), so a read-only user can browse only.
READ_PREFIXES = ("List", "Describe", "Get", "Search", "Filter")


def action_of(operation: str) -> str:
    """The jupyter_server authorization action of an allowed operation: ``read`` or ``write``."""
    return "read" if operation.startswith(READ_PREFIXES) else "write"


def _safe(value: str, limit: int = 200) -> str:
    """Echo client-supplied text in a message: printable ASCII only, bounded."""
    cleaned = "".join(ch if 32 <= ord(ch) < 127 else "?" for ch in value)
    return cleaned[:limit] + ("..." if len(cleaned) > limit else "")
