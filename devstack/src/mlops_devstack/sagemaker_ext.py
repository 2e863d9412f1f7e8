"""SageMaker operations moto lacks or gets wrong: projects, Search, and the whole pipeline-execution lifecycle.

Who owns what:

* moto keeps pipelines (Create/Describe/List/Update/Delete pipeline, AddTags/ListTags/DeleteTags), model package
  groups and model packages, experiments, trials and trial components.
* This extension owns projects (CreateProject/ListProjects/DescribeProject, ListTags of a project ARN) and every
  pipeline-execution operation: Start/Describe/List/Stop/Retry/UpdatePipelineExecution,
  ListPipelineExecutionSteps, ListPipelineParametersForExecution, DescribePipelineDefinitionForExecution.
  Executions progress with wall-clock time through the steps of the pipeline definition (dependency order; one
  step at a time), so what a client sees depends only on the clock: each step takes ``step_seconds``
  (``POST /_devstack/executions/step-seconds``). Condition steps are evaluated (parameters are read; a
  ``Std:JsonGet`` of a metric reads :data:`SIMULATED_METRIC`), so ``AccuracyThreshold=0.95`` takes the else
  branch and its Fail step fails the execution, as the real service does. A RegisterModel step of an execution
  started through the API registers a real model package version in moto when it completes. Step logs go to
  CloudWatch Logs (moto's backend). Stop: Executing -> Stopping -> Stopped; Retry: Failed -> Executing from the
  failed step; anything else is a ``ConflictException``.
* Search is served here too: moto's Search ignores every filter after a tag filter, supports only ``Equals``
  on tags, and neither sorts nor paginates. This one evaluates Filters, NestedFilters and SubExpressions with
  all ten operators, sorts, and pages with NextToken over moto's objects plus projects and executions.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import string
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Optional

from .contract import AwsError, Request, Response

STEP_SECONDS = 4.0
STOP_GRACE = 2.0
#: the value a Condition step reads for any metric (``Std:JsonGet`` of a property file)
SIMULATED_METRIC = 0.87
TARGET = "SageMaker."
EXECUTION_STATUSES = ("Executing", "Stopping", "Stopped", "Failed", "Succeeded")
OPERATIONS = {
    "Search",
    "CreateProject",
    "ListProjects",
    "DescribeProject",
    "StartPipelineExecution",
    "DescribePipelineExecution",
    "ListPipelineExecutions",
    "ListPipelineExecutionSteps",
    "ListPipelineParametersForExecution",
    "DescribePipelineDefinitionForExecution",
    "StopPipelineExecution",
    "RetryPipelineExecution",
    "UpdatePipelineExecution",
}
JOB_STEPS = {"Processing": "ProcessingJob", "Training": "TrainingJob", "Transform": "TransformJob", "Tuning": "TuningJob"}
LOG_GROUPS = {"ProcessingJob": "/aws/sagemaker/ProcessingJobs", "TrainingJob": "/aws/sagemaker/TrainingJobs", "TransformJob": "/aws/sagemaker/TransformJobs"}


def moto_time(epoch: float) -> datetime:
    """An epoch as moto stores times: a naive datetime in UTC."""
    return datetime.fromtimestamp(epoch, timezone.utc).replace(tzinfo=None)


_moto_time = moto_time


def _id(seed: str, n: int = 12) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:n]


@dataclass
class Step:
    name: str
    type: str
    display_name: Optional[str] = None
    duration: float = STEP_SECONDS
    start: Optional[float] = None
    end: Optional[float] = None
    outcome: str = "Succeeded"
    failure: Optional[str] = None
    attempts: int = 1
    cache_hit: bool = False
    job_name: Optional[str] = None
    logged: int = 0  # 0 nothing, 1 start lines, 2 all lines
    arguments: dict = field(default_factory=dict)
    condition_outcome: Optional[bool] = None
    registered_arn: Optional[str] = None


@dataclass
class Execution:
    arn: str
    pipeline_name: str
    pipeline_arn: str
    definition: str
    parameters: list[dict[str, str]]
    steps: list[Step]
    start: float
    display_name: Optional[str] = None
    description: Optional[str] = None
    created_by: dict[str, Any] = field(default_factory=dict)
    stopped_at: Optional[float] = None
    stop_grace: float = STOP_GRACE
    forced: Optional[tuple[str, Optional[str]]] = None
    last_modified: float = 0.0
    #: started through the API (not seeded history): its RegisterModel step registers a real model package
    live: bool = False
    client_token: Optional[str] = None

    @property
    def id(self) -> str:
        return self.arn.rsplit("/", 1)[-1]


def _refs(value: Any) -> set[str]:
    """Names of the steps a value refers to (``{"Get": "Steps.<name>...."}``)."""
    names: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "Get" and isinstance(v, str) and v.startswith("Steps."):
                names.add(v.split(".")[1].split("[")[0])
            else:
                names |= _refs(v)
    elif isinstance(value, list):
        for v in value:
            names |= _refs(v)
    return names


def topological_steps(definition: dict) -> list[tuple[dict, list[str], Optional[tuple[str, bool]]]]:
    """All steps of a definition (conditions' branches included) in dependency order, each with the steps it
    depends on and the condition branch it belongs to: ``(condition step name, True for IfSteps)`` or None."""
    found: dict[str, tuple[dict, set[str], Optional[tuple[str, bool]]]] = {}

    def visit(steps: list[dict], branch: Optional[tuple[str, bool]]) -> None:
        for step in steps:
            if not isinstance(step, dict) or "Name" not in step:
                continue
            deps = set(step.get("DependsOn") or []) | _refs(step.get("Arguments")) | _refs(step.get("PropertyFiles"))
            if branch:
                deps.add(branch[0])
            found[step["Name"]] = (step, deps, branch)
            if step.get("Type") == "Condition":
                args = step.get("Arguments") or {}
                visit(args.get("IfSteps") or [], (step["Name"], True))
                visit(args.get("ElseSteps") or [], (step["Name"], False))

    visit(definition.get("Steps") or [], None)
    ordered: list[tuple[dict, list[str], Optional[tuple[str, bool]]]] = []
    done: set[str] = set()
    pending = dict(found)
    while pending:
        ready = [n for n, (_, deps, _b) in pending.items() if not ((deps & set(found)) - done - {n})]
        if not ready:  # a cycle: the real service refuses such a definition; run the rest in document order
            ready = [next(iter(pending))]
        for name in ready:
            step, deps, branch = pending.pop(name)
            ordered.append((step, sorted(deps & set(found)), branch))
            done.add(name)
    return ordered


def resolve(value: Any, parameters: dict[str, str], execution_id: str = "", pipeline_name: str = "", jobs: Optional[dict[str, str]] = None) -> Any:
    """A definition value with its ``Get`` / ``Std:Join`` / ``Std:JsonGet`` expressions evaluated."""
    if isinstance(value, dict):
        if "Get" in value and isinstance(value["Get"], str):
            path = value["Get"]
            if path.startswith("Parameters."):
                return parameters.get(path[len("Parameters."):])
            if path == "Execution.PipelineExecutionId":
                return execution_id
            if path == "Execution.PipelineName":
                return pipeline_name
            if path.startswith("Steps."):
                step = path.split(".")[1].split("[")[0]
                job = (jobs or {}).get(step) or step.lower()
                return f"s3://sagemaker-devstack/{pipeline_name}/{execution_id}/{job}/output"
            return None
        if "Std:JsonGet" in value:
            return SIMULATED_METRIC
        if "Std:Join" in value:
            spec = value["Std:Join"]
            return str(spec.get("On", "")).join(str(resolve(v, parameters, execution_id, pipeline_name, jobs)) for v in spec.get("Values") or [])
        return {k: resolve(v, parameters, execution_id, pipeline_name, jobs) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, parameters, execution_id, pipeline_name, jobs) for v in value]
    return value


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value).lower() if isinstance(value, str) and value.lower() in ("true", "false") else value


def evaluate_condition(condition: dict, parameters: dict[str, str]) -> bool:
    """One condition of a Condition step, as the service evaluates it (unknown shapes count as true)."""
    kind = condition.get("Type")
    if kind == "Not":
        return not evaluate_condition(condition.get("Expression") or {}, parameters)
    if kind == "Or":
        return any(evaluate_condition(c, parameters) for c in condition.get("Conditions") or [])
    if kind == "In":
        left = _number(resolve(condition.get("QueryValue"), parameters))
        return left in [_number(resolve(v, parameters)) for v in condition.get("Values") or []]
    left = _number(resolve(condition.get("LeftValue"), parameters))
    right = _number(resolve(condition.get("RightValue"), parameters))
    try:
        return {
            "Equals": lambda: left == right,
            "GreaterThan": lambda: left > right,
            "GreaterThanOrEqualTo": lambda: left >= right,
            "LessThan": lambda: left < right,
            "LessThanOrEqualTo": lambda: left <= right,
        }.get(kind or "", lambda: True)()
    except TypeError:
        return True


def plan_steps(
    execution_id: str,
    definition: dict,
    start: float,
    durations: Optional[dict[str, float]] = None,
    fail: Optional[tuple[str, str]] = None,
    parameters: Optional[dict[str, str]] = None,
    default_seconds: float = STEP_SECONDS,
) -> list[Step]:
    """The steps an execution runs and when: one after another from ``start``; the branch a condition does
    not take, and everything after a failed step, never starts."""
    parameters = parameters or {}
    steps: list[Step] = []
    t = start + 1.0
    failed = False
    skipped: set[str] = set()
    outcomes: dict[str, bool] = {}
    for raw, deps, branch in topological_steps(definition):
        name = raw["Name"]
        kind = raw.get("Type", "Processing")
        if branch and (branch[0] in skipped or outcomes.get(branch[0], True) != branch[1]):
            skipped.add(name)
            continue
        if any(d in skipped for d in deps):
            skipped.add(name)
            continue
        duration = (durations or {}).get(name, default_seconds if kind in JOB_STEPS else min(1.0, default_seconds))
        step = Step(name=name, type=kind, display_name=raw.get("DisplayName"), duration=duration, arguments=raw.get("Arguments") or {})
        if kind in JOB_STEPS:
            step.job_name = f"pipelines-{execution_id}-{name}".lower()[:63].rstrip("-")
        if kind == "Condition":
            conditions = step.arguments.get("Conditions") or []
            step.condition_outcome = all(evaluate_condition(c, parameters) for c in conditions)
            outcomes[name] = step.condition_outcome
        if not failed:
            step.start = t
            step.end = t + duration
            t = step.end + 0.5
            if fail and fail[0] == name:
                step.outcome, step.failure = "Failed", fail[1]
                failed = True
            elif kind == "Fail":
                message = resolve(step.arguments.get("ErrorMessage"), parameters)
                step.outcome, step.failure = "Failed", str(message or "Execution failed by a Fail step")
                failed = True
        steps.append(step)
    return steps


class SageMakerExtension:
    service = "sagemaker"
    iam_prefix = "sagemaker"
    requires_sigv4 = True

    def __init__(self, state) -> None:
        self.state = state
        self.lock = threading.RLock()
        self.projects: dict[str, dict[str, Any]] = {}
        self.executions: dict[str, Execution] = {}
        self.fail_next: dict[str, tuple[str, str]] = {}
        self.step_seconds: float = STEP_SECONDS
        state.sagemaker = self
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick_loop, name="devstack-executions", daemon=True)
        self._ticker.start()

    # ---- routing

    def operation(self, request: Request) -> Optional[str]:
        target = request.target
        if not target.startswith(TARGET):
            return None
        op = target[len(TARGET):]
        if op in OPERATIONS:
            return op
        if op == "ListTags":
            try:
                arn = json.loads(request.body or b"{}").get("ResourceArn", "")
            except ValueError:
                return None
            # moto's ListTags knows neither projects nor model packages (it fails with a 500 on their ARNs).
            return "ListTags" if (":project/" in arn or ":model-package/" in arn) else None
        return None

    def dispatch(self, request: Request, operation: str) -> Response:
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            raise AwsError("SerializationException", "The request body is not valid JSON.") from None
        with self.lock:
            result = getattr(self, f"_op_{operation}")(body, request)
        return Response.json(result)

    # ---- moto access

    def _backend(self):
        from moto.sagemaker.models import sagemaker_backends

        return sagemaker_backends[self.state.account_id][self.state.region]

    def _pipeline(self, name_or_arn: str):
        name = name_or_arn.split(":pipeline/")[-1].split("/")[0]
        pipeline = self._backend().pipelines.get(name)
        if pipeline is None:
            raise AwsError("ResourceNotFound", f"Pipeline '{name_or_arn}' does not exist.")
        return pipeline

    def _execution(self, arn: str) -> Execution:
        execution = self.executions.get(arn or "")
        if execution is None:
            raise AwsError("ResourceNotFound", f"Pipeline execution '{arn}' does not exist.")
        return execution

    # ---- projects

    def create_project(self, name: str, description: str, tags: list[dict[str, str]], created: Optional[float] = None, provisioning: Optional[dict] = None) -> dict:
        project_id = "p-" + _id(f"project:{name}")
        arn = f"arn:aws:sagemaker:{self.state.region}:{self.state.account_id}:project/{name}"
        record = {
            "ProjectName": name,
            "ProjectId": project_id,
            "ProjectArn": arn,
            "ProjectDescription": description,
            "ProjectStatus": "CreateCompleted",
            "CreationTime": created or time.time(),
            "ServiceCatalogProvisioningDetails": provisioning or {"ProductId": "prod-" + _id(f"product:{name}", 13), "ProvisioningArtifactId": "pa-" + _id(f"pa:{name}", 13)},
            "ServiceCatalogProvisionedProductDetails": {"ProvisionedProductId": "pp-" + _id(f"pp:{name}", 13), "ProvisionedProductStatusMessage": "AVAILABLE"},
            "Tags": tags,
        }
        self.projects[name] = record
        return record

    def _op_CreateProject(self, body: dict, request: Request) -> dict:
        name = body.get("ProjectName") or ""
        if not name:
            raise AwsError("ValidationException", "ProjectName is required.")
        if name in self.projects:
            raise AwsError("ValidationException", f"Project {name} already exists.")
        if not re.fullmatch(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}", name):
            raise AwsError("ValidationException", f"1 validation error detected: Value '{name}' at 'projectName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){{0,31}}")
        record = self.create_project(name, body.get("ProjectDescription", ""), body.get("Tags") or [], provisioning=body.get("ServiceCatalogProvisioningDetails"))
        return {"ProjectArn": record["ProjectArn"], "ProjectId": record["ProjectId"]}

    def _op_ListProjects(self, body: dict, request: Request) -> dict:
        items = list(self.projects.values())
        if body.get("NameContains"):
            items = [p for p in items if body["NameContains"] in p["ProjectName"]]
        reverse = body.get("SortOrder", "Descending") == "Descending"
        key = "ProjectName" if body.get("SortBy") == "Name" else "CreationTime"
        items.sort(key=lambda p: p[key], reverse=reverse)
        page, token = _page(items, body.get("NextToken"), body.get("MaxResults") or 10)
        fields = ("ProjectName", "ProjectDescription", "ProjectArn", "ProjectId", "CreationTime", "ProjectStatus")
        return {"ProjectSummaryList": [{k: p[k] for k in fields} for p in page], **({"NextToken": token} if token else {})}

    def _op_DescribeProject(self, body: dict, request: Request) -> dict:
        record = self.projects.get(body.get("ProjectName", ""))
        if record is None:
            raise AwsError("ValidationException", f"Project {body.get('ProjectName')} does not exist.")
        return {k: v for k, v in record.items() if k != "Tags"} | {"LastModifiedTime": record["CreationTime"]}

    def _op_ListTags(self, body: dict, request: Request) -> dict:
        arn = body.get("ResourceArn", "")
        for record in self.projects.values():
            if record["ProjectArn"] == arn:
                return {"Tags": record["Tags"]}
        package = self._backend().model_packages.get(arn)
        if package is not None:
            page, token = _page(list(package.tags or []), body.get("NextToken"), body.get("MaxResults") or 50)
            return {"Tags": page, **({"NextToken": token} if token else {})}
        raise AwsError("ValidationException", f"Resource {arn} does not exist.")

    # ---- executions

    def start_execution(
        self,
        pipeline_name: str,
        parameters: list[dict[str, str]],
        display_name: Optional[str] = None,
        description: Optional[str] = None,
        created_by: Optional[dict] = None,
        start: Optional[float] = None,
        durations: Optional[dict[str, float]] = None,
        fail: Optional[tuple[str, str]] = None,
        seed: Optional[str] = None,
        live: bool = False,
        client_token: Optional[str] = None,
    ) -> Execution:
        pipeline = self._pipeline(pipeline_name)
        if client_token:
            for existing in self.executions.values():
                if existing.client_token == client_token and existing.pipeline_name == pipeline.pipeline_name:
                    return existing  # idempotent, as ClientRequestToken makes it on AWS
        definition_text = pipeline.pipeline_definition
        definition = json.loads(definition_text)
        declared = {p["Name"]: p for p in definition.get("Parameters") or []}
        for p in parameters:
            if not isinstance(p, dict) or "Value" not in p:
                raise AwsError("ValidationException", "1 validation error detected: Value at 'pipelineParameters' failed to satisfy constraint: each parameter needs a Name and a Value.")
            if p.get("Name") not in declared:
                raise AwsError("ValidationException", f"Pipeline parameter '{p.get('Name')}' is not defined in pipeline {pipeline.pipeline_name}.")
        given = {p["Name"]: p["Value"] for p in parameters}
        def text(value: Any) -> str:  # pipeline parameter values travel as strings; booleans as true/false
            return value if isinstance(value, str) else json.dumps(value)

        effective = [{"Name": n, "Value": text(given.get(n, d.get("DefaultValue", "")))} for n, d in declared.items()]
        execution_id = (_id(seed) if seed else "".join(random.choices(string.ascii_lowercase + string.digits, k=12)))
        arn = f"{pipeline.arn}/execution/{execution_id}"
        start = start if start is not None else time.time()
        if fail is None and pipeline.pipeline_name in self.fail_next:
            fail = self.fail_next.pop(pipeline.pipeline_name)
        execution = Execution(
            arn=arn,
            pipeline_name=pipeline.pipeline_name,
            pipeline_arn=pipeline.arn,
            definition=definition_text,
            parameters=effective,
            steps=plan_steps(execution_id, definition, start, durations, fail, {p["Name"]: p["Value"] for p in effective}, self.step_seconds),
            start=start,
            display_name=display_name or f"execution-{int(start * 1000)}",
            description=description,
            created_by=created_by or {},
            last_modified=start,
            live=live,
            client_token=client_token,
        )
        self.executions[arn] = execution
        pipeline.last_execution_time = _moto_time(start)
        return execution

    def _op_StartPipelineExecution(self, body: dict, request: Request) -> dict:
        created_by = {"IamIdentity": {"Arn": request.principal_arn or "", "PrincipalId": "AIDA" + _id(request.principal_arn or "", 16).upper()}}
        execution = self.start_execution(
            body.get("PipelineName", ""),
            body.get("PipelineParameters") or [],
            body.get("PipelineExecutionDisplayName"),
            body.get("PipelineExecutionDescription"),
            created_by,
            live=True,
            client_token=body.get("ClientRequestToken"),
        )
        return {"PipelineExecutionArn": execution.arn}

    def status(self, execution: Execution, now: Optional[float] = None) -> tuple[str, Optional[str], Optional[float]]:
        """(status, failure reason, end time) at `now`."""
        now = time.time() if now is None else now
        if execution.live:
            self._settle(execution, now)
        if execution.forced:
            return execution.forced[0], execution.forced[1], execution.last_modified
        if execution.stopped_at is not None:
            end = execution.stopped_at + execution.stop_grace
            return ("Stopping", None, None) if now < end else ("Stopped", None, end)
        for step in execution.steps:
            if step.start is not None and step.outcome == "Failed" and now >= (step.end or 0):
                return "Failed", f"Step failure: One or multiple steps failed. ({step.name}: {step.failure})", step.end
        ran = [s for s in execution.steps if s.start is not None]
        if ran and all(now >= (s.end or 0) for s in ran):
            return "Succeeded", None, max(s.end or 0 for s in ran)
        return "Executing", None, None

    def step_status(self, execution: Execution, step: Step, now: float) -> Optional[str]:
        if step.start is None or now < step.start:
            return None
        stopped = execution.stopped_at
        if stopped is not None:
            if step.start > stopped:
                return None
            if stopped < (step.end or 0):
                return "Stopping" if now < stopped + execution.stop_grace else "Stopped"
        if now >= (step.end or 0):
            return step.outcome
        if now < step.start + min(0.5, step.duration / 2):
            return "Starting"
        return "Executing"

    def _summary(self, execution: Execution, now: float) -> dict:
        status, reason, _end = self.status(execution, now)
        out = {
            "PipelineExecutionArn": execution.arn,
            "StartTime": execution.start,
            "PipelineExecutionStatus": status,
            "PipelineExecutionDisplayName": execution.display_name,
        }
        if execution.description:
            out["PipelineExecutionDescription"] = execution.description
        if reason:
            out["PipelineExecutionFailureReason"] = reason
        return out

    def _op_ListPipelineExecutions(self, body: dict, request: Request) -> dict:
        pipeline = self._pipeline(body.get("PipelineName", ""))
        now = time.time()
        items = [e for e in self.executions.values() if e.pipeline_name == pipeline.pipeline_name]
        if body.get("CreatedAfter"):
            items = [e for e in items if e.start > float(body["CreatedAfter"])]
        if body.get("CreatedBefore"):
            items = [e for e in items if e.start < float(body["CreatedBefore"])]
        key = (lambda e: e.arn) if body.get("SortBy") == "PipelineExecutionArn" else (lambda e: e.start)
        items.sort(key=key, reverse=body.get("SortOrder", "Descending") == "Descending")
        page, token = _page(items, body.get("NextToken"), body.get("MaxResults") or 10)
        return {"PipelineExecutionSummaries": [self._summary(e, now) for e in page], **({"NextToken": token} if token else {})}

    def _op_DescribePipelineExecution(self, body: dict, request: Request) -> dict:
        execution = self._execution(body.get("PipelineExecutionArn", ""))
        status, reason, end = self.status(execution)
        out = {
            "PipelineArn": execution.pipeline_arn,
            "PipelineExecutionArn": execution.arn,
            "PipelineExecutionDisplayName": execution.display_name,
            "PipelineExecutionStatus": status,
            "CreationTime": execution.start,
            "LastModifiedTime": end or max(execution.last_modified, execution.start),
            "CreatedBy": execution.created_by,
            "LastModifiedBy": execution.created_by,
            "PipelineExperimentConfig": {"ExperimentName": execution.pipeline_name, "TrialName": execution.id},
        }
        if execution.description:
            out["PipelineExecutionDescription"] = execution.description
        if reason:
            out["FailureReason"] = reason
        return out

    def _op_ListPipelineParametersForExecution(self, body: dict, request: Request) -> dict:
        execution = self._execution(body.get("PipelineExecutionArn", ""))
        page, token = _page(execution.parameters, body.get("NextToken"), body.get("MaxResults") or 50)
        return {"PipelineParameters": page, **({"NextToken": token} if token else {})}

    def _op_DescribePipelineDefinitionForExecution(self, body: dict, request: Request) -> dict:
        execution = self._execution(body.get("PipelineExecutionArn", ""))
        return {"PipelineDefinition": execution.definition, "CreationTime": execution.start}

    def _step_metadata(self, execution: Execution, step: Step) -> dict:
        region, account = self.state.region, self.state.account_id
        kind = JOB_STEPS.get(step.type)
        if kind and step.job_name:
            resource = {"ProcessingJob": "processing-job", "TrainingJob": "training-job", "TransformJob": "transform-job", "TuningJob": "hyper-parameter-tuning-job"}[kind]
            return {kind: {"Arn": f"arn:aws:sagemaker:{region}:{account}:{resource}/{step.job_name}"}}
        if step.type == "Condition":
            return {"Condition": {"Outcome": "False" if step.condition_outcome is False else "True"}}
        if step.type == "Fail":
            return {"Fail": {"ErrorMessage": step.failure or ""}}
        if step.type == "RegisterModel":
            if step.registered_arn:
                return {"RegisterModel": {"Arn": step.registered_arn}}
            if execution.live:
                return {}  # registered when the step completes
            group = resolve(step.arguments.get("ModelPackageGroupName"), {}) or execution.pipeline_name
            version = 1 + sum(1 for e in self.executions.values() if e.pipeline_name == execution.pipeline_name and e.start < execution.start)
            return {"RegisterModel": {"Arn": f"arn:aws:sagemaker:{region}:{account}:model-package/{str(group).lower()}/{version}"}}
        return {}

    def _op_ListPipelineExecutionSteps(self, body: dict, request: Request) -> dict:
        execution = self._execution(body.get("PipelineExecutionArn", ""))
        now = time.time()
        rows = []
        for step in execution.steps:
            status = self.step_status(execution, step, now)
            if status is None:
                continue
            row: dict[str, Any] = {
                "StepName": step.name,
                "StepStatus": status,
                "StartTime": step.start,
                "AttemptCount": step.attempts,
                "Metadata": self._step_metadata(execution, step),
            }
            if step.display_name:
                row["StepDisplayName"] = step.display_name
            if status in ("Succeeded", "Failed"):
                row["EndTime"] = step.end
            elif status == "Stopped":
                row["EndTime"] = (execution.stopped_at or now) + execution.stop_grace
            if status == "Failed":
                row["FailureReason"] = step.failure
            if step.cache_hit:
                row["CacheHitResult"] = {"SourcePipelineExecutionArn": execution.arn.rsplit("/", 1)[0] + "/cached"}
            rows.append(row)
        rows.sort(key=lambda r: r["StartTime"], reverse=body.get("SortOrder", "Descending") == "Descending")
        page, token = _page(rows, body.get("NextToken"), body.get("MaxResults") or 20)
        return {"PipelineExecutionSteps": page, **({"NextToken": token} if token else {})}

    def _op_StopPipelineExecution(self, body: dict, request: Request) -> dict:
        execution = self._execution(body.get("PipelineExecutionArn", ""))
        status, _, _ = self.status(execution)
        if status != "Executing":
            raise AwsError("ConflictException", f"Pipeline execution {execution.arn} is in status {status}; only an Executing pipeline execution can be stopped.")
        execution.stopped_at = time.time()
        execution.last_modified = execution.stopped_at
        return {"PipelineExecutionArn": execution.arn}

    def _op_RetryPipelineExecution(self, body: dict, request: Request) -> dict:
        execution = self._execution(body.get("PipelineExecutionArn", ""))
        status, _, _ = self.status(execution)
        if status != "Failed":
            raise AwsError("ConflictException", f"Pipeline execution {execution.arn} is in status {status}; only Failed pipeline executions can be retried.")
        now = time.time()
        t = now + 1.0
        rerun = False
        for step in execution.steps:
            if step.outcome == "Failed" and step.start is not None:
                step.attempts += 1
                if step.type != "Fail":  # a Fail step fails again: its condition has the same inputs
                    step.outcome, step.failure = "Succeeded", None
                rerun = True
            if rerun:
                step.start, step.end = t, t + step.duration
                step.logged = 0
                t = step.end + 0.5
        execution.forced = None
        execution.stopped_at = None
        execution.last_modified = now
        return {"PipelineExecutionArn": execution.arn}

    def _op_UpdatePipelineExecution(self, body: dict, request: Request) -> dict:
        execution = self._execution(body.get("PipelineExecutionArn", ""))
        if "PipelineExecutionDisplayName" in body:
            execution.display_name = body["PipelineExecutionDisplayName"]
        if "PipelineExecutionDescription" in body:
            execution.description = body["PipelineExecutionDescription"]
        return {"PipelineExecutionArn": execution.arn}

    # ---- side effects of steps: a RegisterModel step registers a model package version

    def _settle(self, execution: Execution, now: float) -> None:
        for index, step in enumerate(execution.steps):
            if step.type != "RegisterModel" or step.registered_arn or step.start is None or step.outcome != "Succeeded":
                continue
            if now < (step.end or 0) or (execution.stopped_at is not None and execution.stopped_at < (step.end or 0)) or execution.forced:
                continue
            try:
                step.registered_arn = self._register_model(execution, step)
            except AwsError as error:
                step.outcome, step.failure = "Failed", error.message
                for later in execution.steps[index + 1 :]:
                    later.start = later.end = None

    def _register_model(self, execution: Execution, step: Step) -> str:
        params = {p["Name"]: p["Value"] for p in execution.parameters}
        jobs = {s.name: s.job_name for s in execution.steps if s.job_name}
        args = resolve(step.arguments, params, execution.id, execution.pipeline_name, jobs)
        group = args.get("ModelPackageGroupName") or ""
        backend = self._backend()
        if group not in backend.model_package_groups:
            raise AwsError("ValidationException", f"ClientError: Model Package Group {group} does not exist.")
        status = args.get("ModelApprovalStatus") or "PendingManualApproval"
        if status not in ("Approved", "Rejected", "PendingManualApproval"):
            raise AwsError("ValidationException", f"ClientError: Invalid ModelApprovalStatus {status}.")
        arn = backend.create_model_package(
            model_package_name=None,
            model_package_group_name=group,
            model_package_description=args.get("ModelPackageDescription") or f"Registered by {execution.arn}",
            inference_specification=args.get("InferenceSpecification"),
            validation_specification=None,
            source_algorithm_specification=None,
            certify_for_marketplace=False,
            tags=None,
            model_approval_status=status,
            metadata_properties={"GeneratedBy": execution.arn},
            model_metrics=args.get("ModelMetrics"),
            client_token=None,
            customer_metadata_properties=args.get("CustomerMetadataProperties") or {"PipelineExecutionArn": execution.arn},
            drift_check_baselines=None,
            domain=args.get("Domain"),
            task=args.get("Task"),
            sample_payload_url=None,
            additional_inference_specifications=None,
        )
        return arn

    # ---- Search (moto's ignores filters after a tag filter and neither sorts nor pages)

    SEARCH_RESULT_NAMES = {"ExperimentTrial": "Trial", "ExperimentTrialComponent": "TrialComponent"}

    def _search_source(self, resource: str) -> Iterable[dict]:
        backend = self._backend()
        moto_sources = {
            "Pipeline": "pipelines",
            "ModelPackageGroup": "model_package_groups",
            "ModelPackage": "model_packages",
            "Experiment": "experiments",
            "ExperimentTrial": "trials",
            "ExperimentTrialComponent": "trial_components",
            "TrainingJob": "training_jobs",
            "Endpoint": "endpoints",
            "FeatureGroup": "feature_groups",
            "Model": "_models",
        }
        if resource == "Project":
            return [dict(p) for p in self.projects.values()]
        if resource == "PipelineExecution":
            now = time.time()
            return [self._search_execution(e, now) for e in self.executions.values()]
        if resource not in moto_sources and resource not in SEARCH_RESOURCES:
            raise AwsError(
                "ValidationException",
                f"1 validation error detected: Value '{resource}' at 'resource' failed to satisfy constraint: Member must satisfy enum value set: [{', '.join(SEARCH_RESOURCES)}]",
            )
        name = self.SEARCH_RESULT_NAMES.get(resource, resource)
        objects = getattr(backend, moto_sources.get(resource, ""), {}) or {}
        return [_moto_record(name, obj) for obj in list(objects.values())]

    def _search_execution(self, execution: Execution, now: float) -> dict:
        status, reason, _end = self.status(execution, now)
        record = {
            "PipelineArn": execution.pipeline_arn,
            "PipelineExecutionArn": execution.arn,
            "PipelineExecutionDisplayName": execution.display_name,
            "PipelineExecutionStatus": status,
            "PipelineExecutionDescription": execution.description,
            "CreationTime": execution.start,
            "LastModifiedTime": max(execution.last_modified, execution.start),
            "CreatedBy": execution.created_by,
            "PipelineParameters": execution.parameters,
        }
        if reason:
            record["FailureReason"] = reason
        return record

    def _op_Search(self, body: dict, request: Request) -> dict:
        resource = body.get("Resource") or ""
        name = self.SEARCH_RESULT_NAMES.get(resource, resource)
        records = [r for r in self._search_source(resource) if _matches_expression(r, body.get("SearchExpression") or {})]
        sort_by = body.get("SortBy")
        descending = body.get("SortOrder", "Descending") == "Descending"
        if sort_by:
            key = lambda r: _sort_key(_resolve_property(r, sort_by))  # noqa: E731
        else:
            key = lambda r: _sort_key(r.get("CreationTime") or r.get("LastModifiedTime"))  # noqa: E731
        records.sort(key=key, reverse=descending)
        max_results = body.get("MaxResults") or 10
        if not 1 <= int(max_results) <= 100:
            raise AwsError("ValidationException", "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100")
        page, token = _page(records, body.get("NextToken"), int(max_results), opaque=True)
        shape = _search_record_shape().members.get(name)
        page = [r.full() if isinstance(r, _LazyRecord) else r for r in page]
        results = [{name: _to_shape(r, shape) if shape is not None else r} for r in page]
        return {"Results": results, **({"NextToken": token} if token else {})}

    def overview(self, pipeline_name: Optional[str] = None) -> list[dict]:
        """For the control endpoint: every execution (of one pipeline) with its status, newest first."""
        with self.lock:
            now = time.time()
            items = [e for e in self.executions.values() if pipeline_name in (None, e.pipeline_name)]
            items.sort(key=lambda e: e.start, reverse=True)
            return [dict(self._summary(e, now), PipelineName=e.pipeline_name) for e in items]

    # ---- control

    def force_status(self, arn: str, status: str, reason: Optional[str]) -> dict:
        if status not in EXECUTION_STATUSES:
            raise ValueError(f"status must be one of {', '.join(EXECUTION_STATUSES)}")
        with self.lock:
            execution = self._execution(arn)
            if status == "Executing":
                execution.forced = None
                execution.stopped_at = None
            else:
                execution.forced = (status, reason if status == "Failed" else None)
            execution.last_modified = time.time()
            return self._summary(execution, time.time())

    def on_moto_success(self, operation: str, request: Request, payload: Any) -> None:
        """After moto served an operation: keep what moto drops, and play the platform's EventBridge rule (a model
        package state change starts the project's deploy pipeline)."""
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return
        if not isinstance(body, dict):
            return
        if operation in ("CreateExperiment", "CreateTrial", "CreateTrialComponent") and body.get("Tags"):
            # moto ignores Tags on these three creates; AWS keeps them (and Search filters on them).
            store = {"CreateExperiment": ("experiments", "ExperimentName"), "CreateTrial": ("trials", "TrialName"), "CreateTrialComponent": ("trial_components", "TrialComponentName")}[operation]
            resource = getattr(self._backend(), store[0], {}).get(body.get(store[1], ""))
            if resource is not None and not resource.tags:
                resource.tags = list(body["Tags"])
            return
        if operation != "UpdateModelPackage" or getattr(self.state, "seeding", False):
            return
        if "ModelApprovalStatus" not in body:
            return
        arn = body.get("ModelPackageArn", "")
        group = arn.split(":model-package/")[-1].split("/")[0]
        with self.lock:
            for project in self.state.projects:
                if group == f"{project['name']}-{project['id']}":
                    deploy = project.get("deploy_pipeline")
                    if deploy and deploy in self._backend().pipelines:
                        self.start_execution(
                            deploy,
                            [],
                            display_name=f"model-package-state-change-{int(time.time())}",
                            description=f"Started by the model package state change of {arn} to {body['ModelApprovalStatus']}",
                            created_by={"IamIdentity": {"Arn": "arn:aws:iam::%s:role/EventBridgeInvokeDeploy" % self.state.account_id}},
                        )

    # ---- logs

    def _tick_loop(self) -> None:
        while not self._stop.wait(1.0):
            try:
                now = time.time()
                with self.lock:
                    for execution in list(self.executions.values()):
                        if execution.live:
                            self._settle(execution, now)
                self.write_logs(now)
            except Exception:  # the ticker must not die; the next tick retries
                pass

    def write_logs(self, now: Optional[float] = None) -> None:
        from moto.logs.models import logs_backends

        logs = logs_backends[self.state.account_id][self.state.region]
        now = time.time() if now is None else now
        with self.lock:
            for execution in list(self.executions.values()):
                for step in execution.steps:
                    if step.job_name is None or step.start is None or step.logged == 2:
                        continue
                    status = self.step_status(execution, step, now)
                    if status is None:
                        continue
                    group = LOG_GROUPS.get(JOB_STEPS[step.type])
                    if group is None:
                        continue
                    if group not in logs.groups:
                        logs.create_log_group(group, {})
                    stream = f"{step.job_name}/algo-1-{int(step.start)}"
                    events = []
                    if step.logged == 0:
                        if stream not in logs.groups[group].streams:
                            logs.create_log_stream(group, stream)
                        events += _start_lines(step)
                        step.logged = 1
                    if status in ("Succeeded", "Failed", "Stopped"):
                        events += _end_lines(step, status)
                        step.logged = 2
                    if events:
                        logs.put_log_events(group, stream, [{"timestamp": int(ts * 1000), "message": m} for ts, m in events])

    def close(self) -> None:
        self._stop.set()


def _start_lines(step: Step) -> list[tuple[float, str]]:
    t = step.start or time.time()
    return [
        (t, f"[{step.name}] starting {step.type.lower()} job {step.job_name} (attempt {step.attempts})"),
        (t + 0.1, f"[{step.name}] downloading inputs from s3"),
        (t + 0.2, f"[{step.name}] running user code"),
    ]


def _end_lines(step: Step, status: str) -> list[tuple[float, str]]:
    t = step.end or time.time()
    if status == "Failed":
        return [(t, f"[{step.name}] ERROR: {step.failure}"), (t + 0.01, f"[{step.name}] job failed")]
    if status == "Stopped":
        return [(t, f"[{step.name}] received stop signal, job stopped")]
    return [(t - 0.1, f"[{step.name}] uploading outputs"), (t, f"[{step.name}] job completed successfully")]


def _page(items: list, token: Optional[str], size: int, opaque: bool = True) -> tuple[list, Optional[str]]:
    """One page of a list and the NextToken of the next one (an opaque token, as AWS's are)."""
    try:
        start = int(base64.urlsafe_b64decode(token.encode()).decode().split(":", 1)[1]) if token else 0
    except (ValueError, IndexError, UnicodeDecodeError):
        raise AwsError("ValidationException", "Invalid pagination token.") from None
    size = max(1, min(int(size), 100))
    page = items[start : start + size]
    if start + size >= len(items):
        return page, None
    return page, base64.urlsafe_b64encode(f"offset:{start + size}".encode()).decode()


SEARCH_RESOURCES = [
    "TrainingJob", "Experiment", "ExperimentTrial", "ExperimentTrialComponent", "Endpoint", "Model", "ModelPackage",
    "ModelPackageGroup", "Pipeline", "PipelineExecution", "FeatureGroup", "FeatureMetadata", "Image", "ImageVersion",
    "Project", "HyperParameterTuningJob", "ModelCard",
]
_SHAPES: dict[str, Any] = {}


def _search_record_shape():
    if "SearchRecord" not in _SHAPES:
        import botocore.session

        _SHAPES["SearchRecord"] = botocore.session.get_session().get_service_model("sagemaker").shape_for("SearchRecord")
    return _SHAPES["SearchRecord"]


class _LazyRecord(dict):
    """A moto object seen as a Search record, built only as far as a filter or the sort needs it: filtering
    20,000 model packages must not turn each of them into a full record."""

    def __init__(self, name: str, obj: Any) -> None:
        super().__init__()
        self._name, self._obj, self._full = name, obj, None

    def full(self) -> dict:
        if self._full is None:
            self._full = _full_record(self._name, self._obj)
        return self._full

    def _attribute(self, key: str) -> Any:
        if key == "Tags":
            return getattr(self._obj, "tags", None)
        if key == f"{self._name}Arn":
            return getattr(self._obj, "arn", None)
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()
        raw = vars(self._obj).get(snake)
        if isinstance(raw, (str, int, float, datetime)):  # scalars read straight; structures as the API shapes them
            return raw
        return self.full().get(key)

    def __getitem__(self, key: str) -> Any:
        value = self._attribute(key)
        if value is None and key not in self.full():
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._attribute(key) is not None

    def get(self, key: str, default: Any = None) -> Any:
        value = self._attribute(key)
        return default if value is None else value


def _moto_record(name: str, obj: Any) -> dict:
    return _LazyRecord(name, obj)


def _full_record(name: str, obj: Any) -> dict:
    """A moto object as the PascalCase record Search returns (``Arn`` becomes ``<Name>Arn``)."""
    try:
        record = dict(obj.response_object) if name == "TrialComponent" else dict(obj.gen_response_object())
    except Exception:
        record = dict(obj.gen_response_object())
    for arn_key in ("Arn", f"{name}Arn"):
        if arn_key in record:
            record[f"{name}Arn"] = record[arn_key]
    if name == "TrialComponent" and getattr(obj, "trial_name", None):
        record.setdefault("Parents", [{"TrialName": obj.trial_name}])
    if name == "Trial" and getattr(obj, "experiment_name", None):
        record.setdefault("ExperimentName", obj.experiment_name)
    return record


def _epoch(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).timestamp()
    return value


def _to_shape(value: Any, shape: Any) -> Any:
    """Keep only what the API's output shape has (as the service would return it), timestamps as epochs."""
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return None
        out = {}
        for member, member_shape in shape.members.items():
            if member in value and value[member] is not None:
                converted = _to_shape(value[member], member_shape)
                if converted is not None and converted != {} or (member_shape.type_name == "map" and converted == {}):
                    out[member] = converted
        return out
    if kind == "list":
        return [x for x in (_to_shape(v, shape.member) for v in value) if x is not None] if isinstance(value, (list, tuple)) else None
    if kind == "map":
        return {k: _to_shape(v, shape.value) for k, v in value.items()} if isinstance(value, dict) else None
    if kind == "timestamp":
        converted = _epoch(value)
        return converted if isinstance(converted, (int, float)) else None
    if kind in ("integer", "long"):
        return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if kind in ("double", "float"):
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if kind == "boolean":
        return value if isinstance(value, bool) else None
    if kind == "string":
        return value if isinstance(value, str) else None
    return value


def _resolve_property(record: dict, name: str) -> list[Any]:
    """The values a Search property name (``PipelineName``, ``Tags.sagemaker:project-name``,
    ``Metrics.accuracy.Max``, ``Parameters.eta``, ``Parents.TrialName`` ...) has in a record."""
    if name.startswith("Tags."):
        key = name[len("Tags."):]
        tags = record.get("Tags") or []
        if isinstance(tags, dict):
            return [tags[key]] if key in tags else []
        return [t.get("Value") for t in tags if isinstance(t, dict) and t.get("Key") == key]
    current: list[Any] = [record]
    for part in name.split("."):
        following: list[Any] = []
        for value in current:
            if isinstance(value, dict):
                if part in value:
                    following.append(value[part])
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, dict):
                        if part in item:
                            following.append(item[part])
                        elif any(item.get(k) == part for k in ("MetricName", "Name", "Key", "TrialName")):
                            following.append(item)
        current = following
    out: list[Any] = []
    for value in current:
        if isinstance(value, dict) and ("NumberValue" in value or "StringValue" in value):
            value = value.get("NumberValue", value.get("StringValue"))
        out.extend(value if isinstance(value, list) else [value])
    return out


def _comparable(actual: Any, expected: str) -> tuple[Any, Any]:
    actual = _epoch(actual) if isinstance(actual, datetime) else actual
    if isinstance(actual, (int, float)) and not isinstance(actual, bool):
        try:
            return float(actual), float(expected)
        except ValueError:
            parsed = _epoch(expected)
            return float(actual), parsed if isinstance(parsed, (int, float)) else expected
    return str(actual), expected


def _matches_filter(record: dict, spec: dict) -> bool:
    name, operator, expected = spec.get("Name", ""), spec.get("Operator", "Equals"), spec.get("Value")
    values = [v for v in _resolve_property(record, name) if v is not None]
    if operator == "Exists":
        return bool(values)
    if operator == "NotExists":
        return not values
    if expected is None:
        raise AwsError("ValidationException", f"A Value is required for the {operator} operator of filter {name}.")
    for actual in values:
        a, e = _comparable(actual, str(expected))
        try:
            if operator == "Equals" and a == e:
                return True
            if operator == "NotEquals" and a != e:
                return True
            if operator == "Contains" and str(expected) in str(actual):
                return True
            if operator == "In" and str(actual) in [x.strip() for x in str(expected).split(",")]:
                return True
            if operator == "GreaterThan" and a > e:
                return True
            if operator == "GreaterThanOrEqualTo" and a >= e:
                return True
            if operator == "LessThan" and a < e:
                return True
            if operator == "LessThanOrEqualTo" and a <= e:
                return True
        except TypeError:
            continue
    if operator == "NotEquals" and not values:
        return True
    return False


def _matches_expression(record: dict, expression: dict) -> bool:
    results: list[bool] = [_matches_filter(record, f) for f in expression.get("Filters") or []]
    for nested in expression.get("NestedFilters") or []:
        items = _resolve_property(record, nested.get("NestedPropertyName", ""))
        results.append(any(all(_matches_filter(item, f) for f in nested.get("Filters") or []) for item in items if isinstance(item, dict)))
    for sub in expression.get("SubExpressions") or []:
        results.append(_matches_expression(record, sub))
    if not results:
        return True
    return any(results) if expression.get("Operator") == "Or" else all(results)


def _sort_key(value: Any) -> tuple:
    if isinstance(value, list):
        value = value[0] if value else None
    value = _epoch(value) if isinstance(value, datetime) else value
    if value is None:
        return (0, 0, "")
    if isinstance(value, (int, float)):
        return (1, float(value), "")
    return (2, 0, str(value))


def new_uuid() -> str:
    return str(uuid.uuid4())
