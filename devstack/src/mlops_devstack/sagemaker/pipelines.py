"""The pipeline-execution lifecycle: Start/Describe/List/Stop/Retry/UpdatePipelineExecution,
ListPipelineExecutionSteps, ListPipelineParametersForExecution, DescribePipelineDefinitionForExecution, the
RegisterModel side effect of a completed step, step logs in CloudWatch Logs, and the control endpoint's hooks.

moto keeps the pipelines themselves. Executions progress with wall-clock time through the steps of the pipeline
definition (dependency order; one step at a time), so what a client sees depends only on the clock: each step
takes ``step_seconds`` (``POST /_devstack/executions/step-seconds``). Condition steps are evaluated (see
:mod:`.definition`), so ``AccuracyThreshold=0.95`` takes the else branch and its Fail step fails the execution,
as the real service does. A RegisterModel step of an execution started through the API registers a real model
package version in moto when it completes. Stop: Executing -> Stopping -> Stopped; Retry: Failed -> Executing
from the failed step; anything else is a ``ConflictException``.
"""

from __future__ import annotations

import json
import random
import string
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Optional

from ..contract import AwsError, Request
from .common import moto_time as _moto_time
from .common import page_of as _page
from .common import stable_id as _id
from .common import user_context
from .definition import JOB_STEPS, SIMULATED_METRIC, STEP_SECONDS, Step, plan_steps, resolve

STOP_GRACE = 2.0
EXECUTION_STATUSES = ("Executing", "Stopping", "Stopped", "Failed", "Succeeded")
LOG_GROUPS = {"ProcessingJob": "/aws/sagemaker/ProcessingJobs", "TrainingJob": "/aws/sagemaker/TrainingJobs", "TransformJob": "/aws/sagemaker/TransformJobs"}


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


class PipelinesMixin:
    OPERATIONS = frozenset({
        "StartPipelineExecution",
        "DescribePipelineExecution",
        "ListPipelineExecutions",
        "ListPipelineExecutionSteps",
        "ListPipelineParametersForExecution",
        "DescribePipelineDefinitionForExecution",
        "StopPipelineExecution",
        "RetryPipelineExecution",
        "UpdatePipelineExecution",
    })

    def _setup(self) -> None:
        self.executions: dict[str, Execution] = {}
        self.fail_next: dict[str, tuple[str, str]] = {}
        self.step_seconds: float = STEP_SECONDS
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick_loop, name="devstack-executions", daemon=True)
        self._ticker.start()

    def _close(self) -> None:
        self._stop.set()

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
        # The pipeline's last run: the newest execution start (seeding starts executions out of order).
        started = _moto_time(start)
        if pipeline.last_execution_time is None or _epoch_of(pipeline.last_execution_time) < start:
            pipeline.last_execution_time = started
        return execution

    def _op_StartPipelineExecution(self, body: dict, request: Request) -> dict:
        created_by = user_context(request.principal_arn or "")
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
        package = backend.model_packages.get(arn)
        if package is not None:
            # registered by the pipeline, as its execution role
            role = self._backend().pipelines[execution.pipeline_name].role_arn or ""
            package.created_by = user_context(f"arn:aws:sts::{self.state.account_id}:assumed-role/{role.rsplit('/', 1)[-1]}/SageMaker")
            package.last_modified_time = None
            package.last_modified_by = None
        self._write_evaluation_report(args.get("ModelMetrics"))
        return arn

    def _write_evaluation_report(self, metrics: Any) -> None:
        """The Evaluate step's report, where the registered version's ModelMetrics point (if that bucket exists)."""
        uri = (((metrics or {}).get("ModelQuality") or {}).get("Statistics") or {}).get("S3Uri")
        if not isinstance(uri, str) or not uri.startswith("s3://") or "/" not in uri[5:]:
            return
        from moto.s3.models import s3_backends

        bucket, key = uri[5:].split("/", 1)
        s3 = s3_backends[self.state.account_id]["aws"]
        if bucket not in s3.buckets:
            return
        report = {"binary_classification_metrics": {"accuracy": {"value": SIMULATED_METRIC, "standard_deviation": 0.012}, "auc": {"value": round(SIMULATED_METRIC + 0.05, 3), "standard_deviation": 0.01}}}
        s3.put_object(bucket, key, json.dumps(report).encode())

    # ---- control

    def overview(self, pipeline_name: Optional[str] = None) -> list[dict]:
        """For the control endpoint: every execution (of one pipeline) with its status, newest first."""
        with self.lock:
            now = time.time()
            items = [e for e in self.executions.values() if pipeline_name in (None, e.pipeline_name)]
            items.sort(key=lambda e: e.start, reverse=True)
            return [dict(self._summary(e, now), PipelineName=e.pipeline_name) for e in items]

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


def _epoch_of(value: Any) -> float:
    """A moto time (datetime or ISO text) as epoch seconds."""
    from datetime import datetime, timezone

    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()
    return float(value)
