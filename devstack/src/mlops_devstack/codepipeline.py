"""AWS CodePipeline (JSON 1.1, ``X-Amz-Target: CodePipeline_20150709.<Op>``, signing name ``codepipeline``): the
projects' deploy pipelines, whose executions advance with the clock and wait at a manual approval.

Served: ListPipelines, GetPipeline, GetPipelineState, ListPipelineExecutions, GetPipelineExecution,
ListActionExecutions, PutApprovalResult, StartPipelineExecution, StopPipelineExecution, ListTagsForResource.
moto's own CodePipeline is never reached (every ``CodePipeline_20150709.*`` request is claimed here; an operation
not listed is an ``UnknownOperationException``), so there is one coherent state.

A deploy pipeline has one action per stage: Source, Build, DeployStaging, TestStaging, ApproveDeployment (a Manual
approval) and DeployProd. Each timed action takes the ``stage_seconds`` in force when the execution started
(``POST /_devstack/codepipeline/stage-seconds``); the approval waits until ``PutApprovalResult`` (or 7 days, when
it fails as expired). Executions are simulated as events in time order (:meth:`CodePipelineExtension._advance`),
so what a client sees depends only on the clock and the decisions taken:

* ``SUPERSEDED`` (the default): a stage holds one execution at a time. An execution that finishes a stage while
  the next is busy waits at its inbound transition (``inboundExecution`` in GetPipelineState); a newer execution
  arriving there supersedes the waiting one (status ``Superseded``). GetPipelineState carries the approval's
  token in the action's ``latestExecution.token``.
* StopPipelineExecution: with ``abandon`` (or at an approval) the action in progress is ``Abandoned`` and the
  execution ``Stopped`` at once; without, the execution is ``Stopping`` until its action ends, then ``Stopped``.
* ``PARALLEL``: executions never wait for each other, so several can wait at the approval at once;
  GetPipelineState then carries no token (whose would it be?): each execution's token is in ListActionExecutions,
  ``output.executionResult.externalExecutionId`` of its approval action.

The model package version an execution deploys is in its ``variables`` (``ModelPackageGroupName``,
``ModelPackageArn``, ``ModelPackageVersion``; GetPipelineExecution) and in the Build action's ``outputVariables``:
the newest Approved version of the project's model package group when the execution started, unless the caller
passed ``ModelPackageArn``. With no approved version, the Build action fails.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Optional

from .contract import AwsError, Request, Response

TARGET_PREFIX = "CodePipeline_20150709."
STAGE_SECONDS = 5.0
APPROVAL_TIMEOUT = 7 * 86400.0
APPROVAL_STAGE = "ApproveDeployment"
APPROVAL_ACTION = "ApproveDeployment"
MODES = ("SUPERSEDED", "PARALLEL")
#: stage (= its one action) -> (category, provider)
STAGES = (
    ("Source", "Source", "CodeCommit"),
    ("Build", "Build", "CodeBuild"),
    ("DeployStaging", "Deploy", "CloudFormation"),
    ("TestStaging", "Test", "CodeBuild"),
    (APPROVAL_STAGE, "Approval", "Manual"),
    ("DeployProd", "Deploy", "CloudFormation"),
)
OPERATIONS = frozenset({
    "ListPipelines", "GetPipeline", "GetPipelineState", "ListPipelineExecutions", "GetPipelineExecution",
    "ListActionExecutions", "PutApprovalResult", "StartPipelineExecution", "StopPipelineExecution", "ListTagsForResource",
})


def deploy_pipeline_name(project: dict) -> str:
    """The platform's name of a project's deploy CodePipeline (the SageMaker project templates' naming)."""
    return f"sagemaker-{project['name']}-{project['id']}-modeldeploy"


@dataclass
class ActionRun:
    id: str
    stage: str
    start: float
    status: str = "InProgress"  # InProgress | Succeeded | Failed | Abandoned
    end: Optional[float] = None
    summary: Optional[str] = None
    token: Optional[str] = None
    updated_by: Optional[str] = None
    external_id: Optional[str] = None
    error: Optional[dict] = None


@dataclass
class Run:
    id: str
    start: float
    stage_seconds: float
    trigger: dict
    variables: list[dict]
    revision: dict
    fail: dict[str, str] = field(default_factory=dict)  # stage -> why its action fails
    status: str = "InProgress"
    summary: Optional[str] = None
    last_update: float = 0.0
    in_stage: Optional[int] = None
    waiting_for: Optional[int] = None
    actions: list[ActionRun] = field(default_factory=list)
    client_token: Optional[str] = None
    stop_reason: Optional[str] = None

    def current(self) -> Optional[ActionRun]:
        return self.actions[-1] if self.actions and self.in_stage is not None else None

    def variable(self, name: str) -> Optional[str]:
        return next((v["resolvedValue"] for v in self.variables if v["name"] == name), None)


@dataclass
class Pipeline:
    name: str
    arn: str
    declaration: dict
    mode: str
    created: float
    tags: list[dict]
    project: dict
    runs: list[Run] = field(default_factory=list)
    clock: float = 0.0


class CodePipelineExtension:
    service = "codepipeline"
    iam_prefix = "codepipeline"
    requires_sigv4 = True

    def __init__(self, state) -> None:
        self.state = state
        self.lock = threading.RLock()
        self.pipelines: dict[str, Pipeline] = {}
        self.stage_seconds = STAGE_SECONDS
        #: pipeline name -> (stage, reason): the next execution's action in that stage fails (control endpoint)
        self.fail_next: dict[str, tuple[str, str]] = {}
        state.codepipeline = self

    # ---- contract

    def operation(self, request: Request) -> Optional[str]:
        target = request.target
        if target.startswith(TARGET_PREFIX):
            return target[len(TARGET_PREFIX):]
        return None

    def dispatch(self, request: Request, operation: str) -> Response:
        if operation not in OPERATIONS:
            raise AwsError("UnknownOperationException", f"The devstack does not implement CodePipeline {operation}.")
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            raise AwsError("SerializationException", "The request body is not valid JSON.") from None
        if not isinstance(body, dict):
            raise AwsError("SerializationException", "The request body must be a JSON object.")
        with self.lock:
            result = getattr(self, f"_op_{operation}")(body, request)
        return Response.json(result)

    # ---- pipelines

    def create_deploy_pipeline(self, project: dict, mode: str = "SUPERSEDED", created: Optional[float] = None) -> Pipeline:
        """The project's deploy pipeline as the platform's template makes it."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        region, account = self.state.region, self.state.account_id
        name = deploy_pipeline_name(project)
        prefix = f"sagemaker-{project['name']}-{project['id']}"
        role = f"arn:aws:iam::{account}:role/{project['name']}-codepipeline-role"
        bucket = project.get("bucket") or f"{project['name']}-{account}"

        def action(stage: str, category: str, provider: str) -> dict:
            out: dict[str, Any] = {
                "name": stage,
                "actionTypeId": {"category": category, "owner": "AWS", "provider": provider, "version": "1"},
                "runOrder": 1,
                "configuration": {},
                "inputArtifacts": [],
                "outputArtifacts": [],
                "region": region,
            }
            if stage == "Source":
                out["configuration"] = {"RepositoryName": f"{project['name']}-project-repo", "BranchName": "main", "PollForSourceChanges": "false"}
                out["outputArtifacts"] = [{"name": "SourceArtifact"}]
                out["namespace"] = "SourceVariables"
            elif stage == "Build":
                out["configuration"] = {"ProjectName": f"{prefix}-modeldeploy"}
                out["inputArtifacts"] = [{"name": "SourceArtifact"}]
                out["outputArtifacts"] = [{"name": "BuildArtifact"}]
                out["namespace"] = "BuildVariables"
            elif stage in ("DeployStaging", "DeployProd"):
                env = "staging" if stage == "DeployStaging" else "prod"
                out["configuration"] = {
                    "ActionMode": "REPLACE_ON_FAILURE",
                    "Capabilities": "CAPABILITY_NAMED_IAM",
                    "RoleArn": role,
                    "StackName": f"{prefix}-deploy-{env}",
                    "TemplatePath": "BuildArtifact::template-export.yml",
                    "TemplateConfiguration": f"BuildArtifact::{env}-config-export.json",
                }
                out["inputArtifacts"] = [{"name": "BuildArtifact"}]
            elif stage == "TestStaging":
                out["configuration"] = {"ProjectName": f"{prefix}-modeldeploy-test", "PrimarySource": "SourceArtifact"}
                out["inputArtifacts"] = [{"name": "SourceArtifact"}, {"name": "BuildArtifact"}]
            else:
                out["configuration"] = {
                    "CustomData": "Approve the deployment of model package version #{BuildVariables.ModelPackageVersion} to production.",
                    "ExternalEntityLink": f"https://{region}.console.aws.amazon.com/sagemaker/home?region={region}#/endpoints/{project['name']}-staging-endpoint",
                }
            return out

        declaration = {
            "name": name,
            "roleArn": role,
            "artifactStore": {"type": "S3", "location": bucket},
            "stages": [{"name": stage, "actions": [action(stage, category, provider)]} for stage, category, provider in STAGES],
            "version": 1,
            "executionMode": mode,
            "pipelineType": "V2",
            "variables": [
                {"name": "ModelPackageGroupName", "defaultValue": f"{project['name']}-{project['id']}", "description": "The model package group to deploy from"},
                {"name": "ModelPackageArn", "defaultValue": "latest", "description": "The version to deploy; latest: the newest Approved version"},
            ],
        }
        pipeline = Pipeline(
            name=name,
            arn=f"arn:aws:codepipeline:{region}:{account}:{name}",
            declaration=declaration,
            mode=mode,
            created=created if created is not None else time.time(),
            tags=[{"key": "sagemaker:project-name", "value": project["name"]}, {"key": "sagemaker:project-id", "value": project["id"]}],
            project=project,
        )
        with self.lock:
            self.pipelines[name] = pipeline
        project["deploy_codepipeline"] = name
        return pipeline

    def _pipeline(self, name: Any) -> Pipeline:
        if not isinstance(name, str) or not name:
            raise AwsError("ValidationException", "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
        pipeline = self.pipelines.get(name)
        if pipeline is None:
            raise AwsError("PipelineNotFoundException", f"Account '{self.state.account_id}' does not have a pipeline with name '{name}'")
        return pipeline

    def _run(self, pipeline: Pipeline, run_id: Any) -> Run:
        run = next((r for r in pipeline.runs if r.id == run_id), None)
        if run is None:
            raise AwsError("PipelineExecutionNotFoundException", f"Pipeline execution '{run_id}' not found in pipeline '{pipeline.name}'")
        return run

    # ---- the simulation

    def _occupant(self, pipeline: Pipeline, index: int) -> Optional[Run]:
        return next((r for r in pipeline.runs if r.status in ("InProgress", "Stopping") and r.in_stage == index), None)

    def _enter(self, pipeline: Pipeline, run: Run, index: int, t: float) -> None:
        stage = STAGES[index][0]
        action = ActionRun(id=str(uuid.UUID(hashlib.sha256(f"{run.id}:{stage}:{len(run.actions)}".encode()).hexdigest()[:32])), stage=stage, start=t)
        if stage == APPROVAL_STAGE:
            action.token = str(uuid.uuid4())
            action.external_id = action.token
        elif STAGES[index][2] == "CodeBuild":
            action.external_id = f"{pipeline.declaration['stages'][index]['actions'][0]['configuration']['ProjectName']}:{action.id}"
        elif STAGES[index][2] == "CloudFormation":
            action.external_id = f"arn:aws:cloudformation:{self.state.region}:{self.state.account_id}:stack/{pipeline.declaration['stages'][index]['actions'][0]['configuration']['StackName']}/{action.id}"
        elif stage == "Source":
            action.external_id = run.revision["revisionId"]
            action.summary = run.revision["revisionSummary"]
        run.in_stage, run.waiting_for = index, None
        run.actions.append(action)
        run.last_update = t

    def _try_enter(self, pipeline: Pipeline, run: Run, index: int, t: float) -> None:
        if pipeline.mode == "PARALLEL" or self._occupant(pipeline, index) is None:
            self._enter(pipeline, run, index, t)
            return
        for other in pipeline.runs:
            if other is not run and other.status == "InProgress" and other.waiting_for == index:
                other.status, other.waiting_for, other.last_update = "Superseded", None, t
                other.summary = f"Superseded by execution {run.id}"
        run.in_stage, run.waiting_for, run.last_update = None, index, t

    def _release(self, pipeline: Pipeline, index: int, t: float) -> None:
        if pipeline.mode == "PARALLEL":
            return
        waiting = next((r for r in pipeline.runs if r.status == "InProgress" and r.waiting_for == index), None)
        if waiting is not None and self._occupant(pipeline, index) is None:
            self._enter(pipeline, waiting, index, t)

    def _finish(self, pipeline: Pipeline, run: Run, status: str, t: float, summary: Optional[str] = None, by: Optional[str] = None, error: Optional[dict] = None) -> None:
        """The current action of ``run`` ends at ``t``: Succeeded moves the run on, anything else ends it."""
        action = run.current()
        index = run.in_stage
        assert action is not None and index is not None
        action.status, action.end = status, t
        if summary is not None:
            action.summary = summary
        if by:
            action.updated_by = by
        if error:
            action.error = error
        if run.status == "Stopping":
            self._stop_after(pipeline, run, t)
            return
        if status == "Succeeded":
            if index + 1 == len(STAGES):
                run.status, run.in_stage, run.last_update = "Succeeded", None, t
            else:
                self._try_enter(pipeline, run, index + 1, t)
        else:
            run.status, run.in_stage, run.last_update = "Failed", None, t
            run.summary = summary or (error or {}).get("message")
        self._release(pipeline, index, t)

    def _due(self, run: Run) -> Optional[float]:
        action = run.current()
        if action is None or run.status not in ("InProgress", "Stopping"):
            return None
        if action.stage == APPROVAL_STAGE:
            return action.start + APPROVAL_TIMEOUT
        return action.start + run.stage_seconds

    def _advance(self, pipeline: Pipeline, now: float) -> None:
        """Play every event up to ``now`` in time order (timed actions ending, approvals expiring)."""
        while True:
            due = [(t, r) for r in pipeline.runs if (t := self._due(r)) is not None]
            if not due:
                break
            t, run = min(due, key=lambda item: (item[0], item[1].start))
            if t > now:
                break
            action = run.current()
            assert action is not None
            if action.stage == APPROVAL_STAGE:
                self._finish(pipeline, run, "Failed", t, "The approval request expired after 7 days.", error={"code": "JobFailed", "message": "Approval expired"})
            elif action.stage in run.fail:
                reason = run.fail[action.stage]
                self._finish(pipeline, run, "Failed", t, reason, error={"code": "JobFailed", "message": reason})
            else:
                self._finish(pipeline, run, "Succeeded", t, self._success_summary(run, action.stage))
        pipeline.clock = max(pipeline.clock, now)

    def _stop_after(self, pipeline: Pipeline, run: Run, t: float) -> None:
        """A Stopping run whose action just ended: Stopped, its stage freed, no further stage."""
        index = run.in_stage
        run.status, run.in_stage, run.waiting_for, run.last_update = "Stopped", None, None, t
        if index is not None:
            self._release(pipeline, index, t)

    @staticmethod
    def _success_summary(run: Run, stage: str) -> Optional[str]:
        if stage == "Source":
            return run.revision["revisionSummary"]
        version = run.variable("ModelPackageVersion")
        if stage == "Build":
            return f"Resolved model package version {version}"
        if stage == "DeployStaging":
            return f"Deployed model package version {version} to staging"
        if stage == "DeployProd":
            return f"Deployed model package version {version} to production"
        return None

    def advance(self, name: str, now: Optional[float] = None) -> None:
        with self.lock:
            self._advance(self._pipeline(name), time.time() if now is None else now)

    def advance_all(self, now: Optional[float] = None) -> None:
        now = time.time() if now is None else now
        with self.lock:
            for pipeline in self.pipelines.values():
                self._advance(pipeline, now)

    # ---- starting and deciding (also used by the seeding and the approval hook)

    def _newest_approved(self, group: str) -> Optional[Any]:
        from moto.sagemaker.models import sagemaker_backends

        backend = sagemaker_backends[self.state.account_id][self.state.region]
        approved = [p for p in backend.model_packages.values() if p.model_package_group_name == group and p.model_approval_status == "Approved" and p.model_package_version]
        return max(approved, key=lambda p: p.model_package_version) if approved else None

    def start(
        self,
        name: str,
        variables: Optional[list[dict]] = None,
        trigger: Optional[dict] = None,
        at: Optional[float] = None,
        stage_seconds: Optional[float] = None,
        client_token: Optional[str] = None,
        fail: Optional[dict[str, str]] = None,
    ) -> Run:
        from moto.sagemaker.models import sagemaker_backends

        with self.lock:
            pipeline = self._pipeline(name)
            now = time.time() if at is None else at
            self._advance(pipeline, now)
            if client_token:
                for existing in pipeline.runs:
                    if existing.client_token == client_token:
                        return existing
            declared = {v["name"]: v.get("defaultValue") for v in pipeline.declaration.get("variables", [])}
            given: dict[str, str] = {}
            for variable in variables or []:
                if not isinstance(variable, dict) or not isinstance(variable.get("name"), str) or not isinstance(variable.get("value"), str):
                    raise AwsError("ValidationException", "Each pipeline variable needs a name and a value.")
                if variable["name"] not in declared:
                    raise AwsError("ValidationException", f"Variable '{variable['name']}' is not declared in the pipeline")
                given[variable["name"]] = variable["value"]
            group = given.get("ModelPackageGroupName") or declared.get("ModelPackageGroupName") or ""
            wanted = given.get("ModelPackageArn") or declared.get("ModelPackageArn") or "latest"
            failures = dict(fail or {})
            if name in self.fail_next:
                stage, reason = self.fail_next.pop(name)
                failures.setdefault(stage, reason)
            if wanted == "latest":
                package = self._newest_approved(group)
                if package is None:
                    failures.setdefault("Build", f"No Approved model package version found in model package group {group}.")
            else:
                backend = sagemaker_backends[self.state.account_id][self.state.region]
                package = backend.model_packages.get(backend.model_package_name_mapping.get(wanted, wanted))
                if package is None:
                    failures.setdefault("Build", f"Model package {wanted} not found.")
            resolved = [
                {"name": "ModelPackageGroupName", "resolvedValue": group},
                {"name": "ModelPackageArn", "resolvedValue": package.arn if package is not None else wanted},
            ]
            if package is not None:
                resolved.append({"name": "ModelPackageVersion", "resolvedValue": str(package.model_package_version)})
            run_id = str(uuid.uuid4()) if at is None else str(uuid.UUID(hashlib.sha256(f"{name}:{now}".encode()).hexdigest()[:32]))
            commit = hashlib.sha1(f"{pipeline.project['name']}:deploy:{group}".encode()).hexdigest()
            revision = {
                "actionName": "Source",
                "revisionId": commit,
                "revisionSummary": "Merge branch 'dev' into main: endpoint configuration for staging and production",
                "revisionUrl": f"https://{self.state.region}.console.aws.amazon.com/codesuite/codecommit/repositories/{pipeline.project['name']}-project-repo/commit/{commit}?region={self.state.region}",
            }
            run = Run(
                id=run_id,
                start=now,
                stage_seconds=float(stage_seconds if stage_seconds is not None else self.stage_seconds),
                trigger=trigger or {"triggerType": "StartPipelineExecution", "triggerDetail": ""},
                variables=resolved,
                revision=revision,
                fail=failures,
                last_update=now,
                client_token=client_token,
            )
            pipeline.runs.append(run)
            self._try_enter(pipeline, run, 0, now)
            return run

    def start_for_approval_change(self, package_arn: str, status: str) -> Optional[Run]:
        """The platform's EventBridge rule on "SageMaker Model Package State Change": a change of a version's
        approval status starts the deploy pipeline of the project owning the version's group."""
        group = package_arn.split(":model-package/")[-1].split("/")[0]
        for project in self.state.projects:
            if group == f"{project['name']}-{project['id']}".lower():
                name = project.get("deploy_codepipeline")
                if name in self.pipelines:
                    rule = f"arn:aws:events:{self.state.region}:{self.state.account_id}:rule/sagemaker-{project['name']}-{project['id']}-model-package-state-change"
                    return self.start(name, trigger={"triggerType": "CloudWatchEvent", "triggerDetail": rule})
        return None

    def decide(self, name: str, stage: str, action_name: str, token: Any, status: Any, summary: Any, by: str, at: Optional[float] = None) -> float:
        with self.lock:
            pipeline = self._pipeline(name)
            if not any(s["name"] == stage for s in pipeline.declaration["stages"]):
                raise AwsError("StageNotFoundException", f"Stage '{stage}' not found in pipeline '{name}'")
            declared = next(s for s in pipeline.declaration["stages"] if s["name"] == stage)
            if not any(a["name"] == action_name for a in declared["actions"]):
                raise AwsError("ActionNotFoundException", f"Action '{action_name}' not found in stage '{stage}' of pipeline '{name}'")
            if declared["actions"][0]["actionTypeId"]["provider"] != "Manual":
                raise AwsError("InvalidApprovalTokenException", f"Action '{action_name}' in stage '{stage}' is not a manual approval action")
            if status not in ("Approved", "Rejected"):
                raise AwsError("ValidationException", f"1 validation error detected: Value '{status}' at 'result.status' failed to satisfy constraint: Member must satisfy enum value set: [Approved, Rejected]")
            if not isinstance(summary, str) or len(summary) > 512:
                raise AwsError("ValidationException", "1 validation error detected: Value at 'result.summary' failed to satisfy constraint: Member must have length less than or equal to 512")
            if not isinstance(token, str) or not token:
                raise AwsError("ValidationException", "1 validation error detected: Value null at 'token' failed to satisfy constraint: Member must not be null")
            now = time.time() if at is None else at
            self._advance(pipeline, now)
            for run in pipeline.runs:
                for action in run.actions:
                    if action.stage != stage or action.token != token:
                        continue
                    if action.status in ("Succeeded", "Failed") and action.updated_by:
                        raise AwsError("ApprovalAlreadyCompletedException", f"The approval action {action_name} in stage {stage} has already been {'approved' if action.status == 'Succeeded' else 'rejected'}")
                    if action.status != "InProgress" or run.current() is not action:
                        raise AwsError("InvalidApprovalTokenException", f"The token {token} is no longer valid for the approval action {action_name} in stage {stage}")
                    if status == "Approved":
                        self._finish(pipeline, run, "Succeeded", now, summary, by)
                    else:
                        self._finish(pipeline, run, "Failed", now, summary, by, error={"code": "JobFailed", "message": f"Rejected by {by}: {summary}" if summary else f"Rejected by {by}"})
                        run.summary = summary or "Rejected"
                    return now
            raise AwsError("InvalidApprovalTokenException", f"The token {token} is not valid for the approval action {action_name} in stage {stage}")

    # ---- operations

    @staticmethod
    def _page(items: list, body: dict, default: int = 100, limit: int = 1000) -> tuple[list, Optional[str]]:
        size = body.get("maxResults") or default
        if not isinstance(size, int) or not 1 <= size <= limit:
            raise AwsError("ValidationException", f"1 validation error detected: Value '{size}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and {limit}")
        token = body.get("nextToken")
        try:
            start = int(base64.urlsafe_b64decode(token.encode()).decode().split(":", 1)[1]) if token else 0
        except (ValueError, IndexError, UnicodeDecodeError, AttributeError):
            raise AwsError("InvalidNextTokenException", "The next token is not valid.") from None
        page = items[start : start + size]
        following = base64.urlsafe_b64encode(f"offset:{start + size}".encode()).decode() if start + size < len(items) else None
        return page, following

    def _op_ListPipelines(self, body: dict, request: Request) -> dict:
        items = sorted(self.pipelines.values(), key=lambda p: p.name)
        page, token = self._page(items, body, 100, 1000)
        summaries = [
            {"name": p.name, "version": 1, "pipelineType": "V2", "executionMode": p.mode, "created": p.created, "updated": p.created}
            for p in page
        ]
        return {"pipelines": summaries, **({"nextToken": token} if token else {})}

    def _op_GetPipeline(self, body: dict, request: Request) -> dict:
        pipeline = self._pipeline(body.get("name"))
        if body.get("version") not in (None, 1):
            raise AwsError("PipelineVersionNotFoundException", f"Pipeline '{pipeline.name}' has no version {body.get('version')}")
        return {"pipeline": pipeline.declaration, "metadata": {"pipelineArn": pipeline.arn, "created": pipeline.created, "updated": pipeline.created}}

    def _action_state(self, pipeline: Pipeline, run: Run, action: ActionRun) -> dict:
        latest: dict[str, Any] = {"actionExecutionId": action.id, "status": action.status, "lastStatusChange": action.end or action.start}
        if action.summary:
            latest["summary"] = action.summary
        if action.updated_by:
            latest["lastUpdatedBy"] = action.updated_by
        if action.token and action.status == "InProgress" and pipeline.mode != "PARALLEL":
            latest["token"] = action.token
        if action.external_id and action.stage != APPROVAL_STAGE:
            latest["externalExecutionId"] = action.external_id
        if action.error:
            latest["errorDetails"] = action.error
        if action.stage not in (APPROVAL_STAGE,) and action.status == "Succeeded":
            latest["percentComplete"] = 100
        return latest

    def _stage_status(self, run: Run, action: ActionRun) -> str:
        if action.status == "Abandoned":
            return "Stopped" if run.status == "Stopped" else "Cancelled"
        return action.status

    def _op_GetPipelineState(self, body: dict, request: Request) -> dict:
        pipeline = self._pipeline(body.get("name"))
        self._advance(pipeline, time.time())
        states = []
        for index, (stage, _category, _provider) in enumerate(STAGES):
            entered = [(r, a) for r in pipeline.runs for a in r.actions if a.stage == stage]
            state: dict[str, Any] = {"stageName": stage, "inboundTransitionState": {"enabled": True}}
            action_state: dict[str, Any] = {"actionName": stage}
            if entered:
                run, action = max(entered, key=lambda item: (item[1].start, item[0].start))
                state["latestExecution"] = {"pipelineExecutionId": run.id, "status": self._stage_status(run, action), "type": "STANDARD"}
                action_state["latestExecution"] = self._action_state(pipeline, run, action)
                if stage == "Source":
                    action_state["currentRevision"] = {"revisionId": run.revision["revisionId"], "revisionChangeId": run.revision["revisionId"], "created": run.start}
            waiting = [r for r in pipeline.runs if r.status == "InProgress" and r.waiting_for == index]
            if waiting:
                state["inboundExecution"] = {"pipelineExecutionId": waiting[0].id, "status": "InProgress", "type": "STANDARD"}
                state["inboundExecutions"] = [{"pipelineExecutionId": r.id, "status": "InProgress", "type": "STANDARD"} for r in waiting]
            state["actionStates"] = [action_state]
            states.append(state)
        return {"pipelineName": pipeline.name, "pipelineVersion": 1, "stageStates": states, "created": pipeline.created, "updated": pipeline.created}

    def _summary(self, pipeline: Pipeline, run: Run) -> dict:
        out: dict[str, Any] = {
            "pipelineExecutionId": run.id,
            "status": run.status,
            "startTime": run.start,
            "lastUpdateTime": run.last_update,
            "sourceRevisions": [{k: run.revision[k] for k in ("actionName", "revisionId", "revisionSummary", "revisionUrl")}],
            "trigger": run.trigger,
            "executionMode": pipeline.mode,
            "executionType": "STANDARD",
        }
        if run.summary:
            out["statusSummary"] = run.summary
        if run.stop_reason is not None:
            out["stopTrigger"] = {"reason": run.stop_reason}
        return out

    def _op_ListPipelineExecutions(self, body: dict, request: Request) -> dict:
        pipeline = self._pipeline(body.get("pipelineName"))
        self._advance(pipeline, time.time())
        runs = sorted(pipeline.runs, key=lambda r: r.start, reverse=True)
        wanted = ((body.get("filter") or {}).get("succeededInStage") or {}).get("stageName")
        if wanted:
            runs = [r for r in runs if any(a.stage == wanted and a.status == "Succeeded" for a in r.actions)]
        page, token = self._page(runs, body, 100, 100)
        return {"pipelineExecutionSummaries": [self._summary(pipeline, r) for r in page], **({"nextToken": token} if token else {})}

    def _op_GetPipelineExecution(self, body: dict, request: Request) -> dict:
        pipeline = self._pipeline(body.get("pipelineName"))
        self._advance(pipeline, time.time())
        run = self._run(pipeline, body.get("pipelineExecutionId"))
        out: dict[str, Any] = {
            "pipelineName": pipeline.name,
            "pipelineVersion": 1,
            "pipelineExecutionId": run.id,
            "status": run.status,
            "artifactRevisions": [
                {
                    "name": "SourceArtifact",
                    "revisionId": run.revision["revisionId"],
                    "revisionSummary": run.revision["revisionSummary"],
                    "created": run.start,
                    "revisionUrl": run.revision["revisionUrl"],
                }
            ],
            "variables": run.variables,
            "trigger": run.trigger,
            "executionMode": pipeline.mode,
            "executionType": "STANDARD",
        }
        if run.summary:
            out["statusSummary"] = run.summary
        return {"pipelineExecution": out}

    def _action_detail(self, pipeline: Pipeline, run: Run, action: ActionRun) -> dict:
        index = next(i for i, s in enumerate(STAGES) if s[0] == action.stage)
        declared = pipeline.declaration["stages"][index]["actions"][0]
        bucket = pipeline.declaration["artifactStore"]["location"]
        short = pipeline.name[:20]

        def artifacts(names: list[dict]) -> list[dict]:
            return [{"name": a["name"], "s3location": {"bucket": bucket, "key": f"{short}/{a['name'][:20]}/{action.id[:7]}"}} for a in names]

        configuration = dict(declared["configuration"])
        resolved = dict(configuration)
        if "CustomData" in resolved:
            resolved["CustomData"] = resolved["CustomData"].replace("#{BuildVariables.ModelPackageVersion}", run.variable("ModelPackageVersion") or "?")
        result: dict[str, Any] = {}
        if action.external_id:
            result["externalExecutionId"] = action.external_id
        if action.summary:
            result["externalExecutionSummary"] = action.summary
        if action.error:
            result["errorDetails"] = action.error
        output: dict[str, Any] = {"outputArtifacts": artifacts(declared["outputArtifacts"]) if action.status == "Succeeded" else [], "executionResult": result, "outputVariables": {}}
        if action.stage == "Build" and action.status == "Succeeded":
            output["outputVariables"] = {k: v for k, v in (("ModelPackageArn", run.variable("ModelPackageArn")), ("ModelPackageVersion", run.variable("ModelPackageVersion"))) if v}
        if action.stage == "Source":
            output["outputVariables"] = {"CommitId": run.revision["revisionId"], "BranchName": "main", "RepositoryName": declared["configuration"]["RepositoryName"]}
        detail: dict[str, Any] = {
            "pipelineExecutionId": run.id,
            "actionExecutionId": action.id,
            "pipelineVersion": 1,
            "stageName": action.stage,
            "actionName": declared["name"],
            "startTime": action.start,
            "lastUpdateTime": action.end or action.start,
            "status": action.status,
            "input": {
                "actionTypeId": declared["actionTypeId"],
                "configuration": configuration,
                "resolvedConfiguration": resolved,
                "region": declared["region"],
                "inputArtifacts": artifacts(declared["inputArtifacts"]),
                **({"namespace": declared["namespace"]} if declared.get("namespace") else {}),
            },
            "output": output,
        }
        if action.updated_by:
            detail["updatedBy"] = action.updated_by
        return detail

    def _op_ListActionExecutions(self, body: dict, request: Request) -> dict:
        pipeline = self._pipeline(body.get("pipelineName"))
        self._advance(pipeline, time.time())
        wanted = (body.get("filter") or {}).get("pipelineExecutionId")
        runs = pipeline.runs
        if wanted:
            runs = [self._run(pipeline, wanted)]
        rows = [(r, a) for r in runs for a in r.actions]
        rows.sort(key=lambda item: item[1].start, reverse=True)
        page, token = self._page(rows, body, 100, 100)
        return {"actionExecutionDetails": [self._action_detail(pipeline, r, a) for r, a in page], **({"nextToken": token} if token else {})}

    def _op_PutApprovalResult(self, body: dict, request: Request) -> dict:
        result = body.get("result") or {}
        approved_at = self.decide(
            body.get("pipelineName"), body.get("stageName"), body.get("actionName"), body.get("token"),
            result.get("status"), result.get("summary", ""), request.principal_arn or "",
        )
        return {"approvedAt": approved_at}

    def _op_StartPipelineExecution(self, body: dict, request: Request) -> dict:
        run = self.start(
            body.get("name"),
            body.get("variables") or [],
            trigger={"triggerType": "StartPipelineExecution", "triggerDetail": request.principal_arn or ""},
            client_token=body.get("clientRequestToken"),
        )
        return {"pipelineExecutionId": run.id}

    def _op_StopPipelineExecution(self, body: dict, request: Request) -> dict:
        pipeline = self._pipeline(body.get("pipelineName"))
        now = time.time()
        self._advance(pipeline, now)
        run = self._run(pipeline, body.get("pipelineExecutionId"))
        if run.status != "InProgress":
            raise AwsError("PipelineExecutionNotStoppableException", f"Pipeline execution {run.id} is {run.status}; only an InProgress execution can be stopped")
        run.stop_reason = body.get("reason") or ""
        action = run.current()
        if action is not None and not body.get("abandon") and action.stage != APPROVAL_STAGE:
            run.status, run.last_update = "Stopping", now  # "stop and wait": the action in progress finishes first
            return {"pipelineExecutionId": run.id}
        if action is not None:  # "stop and abandon" (an approval cannot finish by itself: it is abandoned)
            action.status, action.end = "Abandoned", now
        self._stop_after(pipeline, run, now)
        return {"pipelineExecutionId": run.id}

    def _op_ListTagsForResource(self, body: dict, request: Request) -> dict:
        arn = body.get("resourceArn") or ""
        pipeline = next((p for p in self.pipelines.values() if p.arn == arn), None)
        if pipeline is None:
            raise AwsError("ResourceNotFoundException", f"The resource with the ARN {arn} does not exist.")
        return {"tags": pipeline.tags}

    # ---- control endpoint

    def overview(self, name: Optional[str] = None) -> list[dict]:
        """Every execution (of one pipeline), newest first, with the status of each stage it entered."""
        with self.lock:
            now = time.time()
            out = []
            for pipeline in self.pipelines.values():
                if name not in (None, pipeline.name):
                    continue
                self._advance(pipeline, now)
                for run in sorted(pipeline.runs, key=lambda r: r.start, reverse=True):
                    out.append({
                        "pipelineName": pipeline.name,
                        "pipelineExecutionId": run.id,
                        "status": run.status,
                        "statusSummary": run.summary,
                        "startTime": run.start,
                        "modelPackageVersion": run.variable("ModelPackageVersion"),
                        "waitingFor": STAGES[run.waiting_for][0] if run.waiting_for is not None else None,
                        "stages": [
                            {"stageName": a.stage, "status": a.status, **({"token": a.token} if a.token else {}), **({"summary": a.summary} if a.summary else {})}
                            for a in run.actions
                        ],
                    })
            return out
