"""SageMaker operations moto lacks: projects, and the whole pipeline-execution lifecycle.

moto keeps pipelines (Create/Describe/List/Update/Delete, tags, Search). Executions are owned here: they
progress with wall-clock time through the steps of the pipeline definition (topological order), write step
logs to CloudWatch Logs (moto's backend), can be stopped (Executing -> Stopping -> Stopped) and retried
(Failed -> Executing from the failed step), and are paginated like AWS paginates them.
"""

from __future__ import annotations

import hashlib
import json
import random
import string
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Optional

from .contract import AwsError, Request, Response

STEP_SECONDS = 4.0
STOP_GRACE = 2.0
TARGET = "SageMaker."
OPERATIONS = {
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


def topological_steps(definition: dict) -> list[tuple[dict, list[str]]]:
    """Steps of a definition in dependency order, conditions' branches included."""
    found: dict[str, tuple[dict, set[str]]] = {}

    def refs(value: Any) -> set[str]:
        names: set[str] = set()
        if isinstance(value, dict):
            for k, v in value.items():
                if k == "Get" and isinstance(v, str) and v.startswith("Steps."):
                    names.add(v.split(".")[1])
                else:
                    names |= refs(v)
        elif isinstance(value, list):
            for v in value:
                names |= refs(v)
        return names

    def visit(steps: list[dict], parent: Optional[str]) -> None:
        for step in steps:
            deps = set(step.get("DependsOn") or []) | refs(step.get("Arguments")) | refs(step.get("PropertyFiles"))
            if step.get("Type") == "Condition":
                deps |= refs(step.get("Arguments", {}).get("Conditions"))
            if parent:
                deps.add(parent)
            found[step["Name"]] = (step, deps)
            if step.get("Type") == "Condition":
                args = step.get("Arguments", {})
                visit(args.get("IfSteps") or [], step["Name"])
                visit(args.get("ElseSteps") or [], step["Name"])

    visit(definition.get("Steps") or [], None)
    ordered: list[tuple[dict, list[str]]] = []
    done: set[str] = set()
    pending = dict(found)
    while pending:
        ready = [n for n, (_, deps) in pending.items() if not (deps - done - {n}) or all(d not in found for d in deps - done)]
        if not ready:
            ready = [next(iter(pending))]
        for name in ready:
            step, deps = pending.pop(name)
            ordered.append((step, sorted(deps & set(found))))
            done.add(name)
    # Else branches of conditions that evaluated true are not run: keep IfSteps only.
    else_names: set[str] = set()
    for step, _ in ordered:
        if step.get("Type") == "Condition":
            else_names |= {s["Name"] for s in step.get("Arguments", {}).get("ElseSteps") or []}
    return [(s, d) for s, d in ordered if s["Name"] not in else_names]


def plan_steps(execution_id: str, definition: dict, start: float, durations: Optional[dict[str, float]] = None, fail: Optional[tuple[str, str]] = None) -> list[Step]:
    steps: list[Step] = []
    t = start + 1.0
    failed = False
    for raw, _deps in topological_steps(definition):
        name = raw["Name"]
        kind = raw.get("Type", "Processing")
        duration = (durations or {}).get(name, STEP_SECONDS if kind in JOB_STEPS else 1.0)
        step = Step(name=name, type=kind, display_name=raw.get("DisplayName"), duration=duration)
        if kind in JOB_STEPS:
            step.job_name = f"pipelines-{execution_id}-{name}".lower()[:63].rstrip("-")
        if not failed:
            step.start = t
            step.end = t + duration
            t = step.end + 0.5
            if fail and fail[0] == name:
                step.outcome, step.failure = "Failed", fail[1]
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
            return "ListTags" if ":project/" in arn else None
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

    def create_project(self, name: str, description: str, tags: list[dict[str, str]], created: Optional[float] = None) -> dict:
        project_id = "p-" + _id(f"project:{name}")
        arn = f"arn:aws:sagemaker:{self.state.region}:{self.state.account_id}:project/{name}"
        record = {
            "ProjectName": name,
            "ProjectId": project_id,
            "ProjectArn": arn,
            "ProjectDescription": description,
            "ProjectStatus": "CreateCompleted",
            "CreationTime": created or time.time(),
            "ServiceCatalogProvisioningDetails": {"ProductId": "prod-" + _id(f"product:{name}", 13), "ProvisioningArtifactId": "pa-" + _id(f"pa:{name}", 13)},
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
        record = self.create_project(name, body.get("ProjectDescription", ""), body.get("Tags") or [])
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
    ) -> Execution:
        pipeline = self._pipeline(pipeline_name)
        definition_text = pipeline.pipeline_definition
        definition = json.loads(definition_text)
        declared = {p["Name"]: p for p in definition.get("Parameters") or []}
        for p in parameters:
            if p.get("Name") not in declared:
                raise AwsError("ValidationException", f"Pipeline parameter '{p.get('Name')}' is not defined in pipeline {pipeline.pipeline_name}.")
        given = {p["Name"]: p["Value"] for p in parameters}
        effective = [{"Name": n, "Value": str(given.get(n, d.get("DefaultValue", "")))} for n, d in declared.items()]
        execution_id = (_id(seed) if seed else "".join(random.choices(string.ascii_lowercase + string.digits, k=12)))
        arn = f"{pipeline.arn}/execution/{execution_id}"
        start = start if start is not None else time.time()
        if fail is None and pipeline.pipeline_name in self.fail_next:
            fail = self.fail_next.pop(pipeline.pipeline_name)
        durations = durations or {}
        if not durations and self.step_seconds != STEP_SECONDS:
            durations = {s["Name"]: self.step_seconds for s, _ in topological_steps(definition)}
        execution = Execution(
            arn=arn,
            pipeline_name=pipeline.pipeline_name,
            pipeline_arn=pipeline.arn,
            definition=definition_text,
            parameters=effective,
            steps=plan_steps(execution_id, definition, start, durations, fail),
            start=start,
            display_name=display_name or f"execution-{int(start * 1000)}",
            description=description,
            created_by=created_by or {},
            last_modified=start,
        )
        self.executions[arn] = execution
        return execution

    def _op_StartPipelineExecution(self, body: dict, request: Request) -> dict:
        created_by = {"IamIdentity": {"Arn": request.principal_arn or "", "PrincipalId": "AIDA" + _id(request.principal_arn or "", 16).upper()}}
        execution = self.start_execution(
            body.get("PipelineName", ""),
            body.get("PipelineParameters") or [],
            body.get("PipelineExecutionDisplayName"),
            body.get("PipelineExecutionDescription"),
            created_by,
        )
        return {"PipelineExecutionArn": execution.arn}

    def status(self, execution: Execution, now: Optional[float] = None) -> tuple[str, Optional[str], Optional[float]]:
        """(status, failure reason, end time) at `now`."""
        now = time.time() if now is None else now
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
        if now < step.start + 0.5:
            return "Starting"
        if now < (step.end or 0):
            return "Executing"
        return step.outcome

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
            return {"Condition": {"Outcome": "True"}}
        if step.type == "RegisterModel":
            group = execution.pipeline_name
            version = 1 + sum(1 for e in self.executions.values() if e.pipeline_name == execution.pipeline_name and e.start < execution.start)
            return {"RegisterModel": {"Arn": f"arn:aws:sagemaker:{region}:{account}:model-package/{group}/{version}"}}
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
            raise AwsError("ValidationException", f"Pipeline execution with status {status} cannot be stopped.")
        execution.stopped_at = time.time()
        execution.last_modified = execution.stopped_at
        return {"PipelineExecutionArn": execution.arn}

    def _op_RetryPipelineExecution(self, body: dict, request: Request) -> dict:
        execution = self._execution(body.get("PipelineExecutionArn", ""))
        status, _, _ = self.status(execution)
        if status != "Failed":
            raise AwsError("ValidationException", f"Pipeline execution with status {status} cannot be retried; only Failed executions can.")
        now = time.time()
        t = now + 1.0
        rerun = False
        for step in execution.steps:
            if step.outcome == "Failed" and step.start is not None:
                step.attempts += 1
                step.outcome, step.failure = "Succeeded", None
                rerun = True
            if rerun:
                step.start, step.end = t, t + step.duration
                step.logged = 0
                t = step.end + 0.5
        execution.forced = None
        execution.last_modified = now
        return {"PipelineExecutionArn": execution.arn}

    def _op_UpdatePipelineExecution(self, body: dict, request: Request) -> dict:
        execution = self._execution(body.get("PipelineExecutionArn", ""))
        if "PipelineExecutionDisplayName" in body:
            execution.display_name = body["PipelineExecutionDisplayName"]
        if "PipelineExecutionDescription" in body:
            execution.description = body["PipelineExecutionDescription"]
        return {"PipelineExecutionArn": execution.arn}

    # ---- control

    def force_status(self, arn: str, status: str, reason: Optional[str]) -> dict:
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
        """The platform's EventBridge rule: a model package state change starts the project's deploy pipeline."""
        if operation != "UpdateModelPackage" or getattr(self.state, "seeding", False):
            return
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
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
                self.write_logs()
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


def _page(items: list, token: Optional[str], size: int) -> tuple[list, Optional[str]]:
    try:
        start = int(token) if token else 0
    except ValueError:
        raise AwsError("ValidationException", "Invalid NextToken.") from None
    size = max(1, min(int(size), 100))
    page = items[start : start + size]
    return page, (str(start + size) if start + size < len(items) else None)


def new_uuid() -> str:
    return str(uuid.uuid4())
