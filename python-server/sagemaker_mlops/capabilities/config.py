"""Config: the shared configuration editor (``model_config.yaml`` and the stage configs in the project's CodeCommit
repository), its CodeCommit operations through the proxy, and what the server checks on them.

Routes under ``<base_url>sagemaker-mlops/config/`` (JSON; errors ``{code, message}``):

- ``GET schemas?repository=<name>&branch=<name>``: ``{files: [{pattern, format, source, schema}], limits}``, the
  schema of every configured file (``SageMakerMLOps.config_files``); ``repository`` and ``branch`` are needed only
  for ``repo:`` references. A schema that cannot be read has ``schema: null`` and ``error: {code, message}``.
- ``GET project-bucket?project=<name>``: ``{bucket, source}`` from SSM ``/mlops/projects/<project>/bucket``.
- ``POST validate`` ``{path, content, repository?, branch?}``: ``{errors, errorCount, warnings, source}``, as a
  commit is checked (at most 100 errors and 100 warnings listed).

Proxy inspectors (before anything is forwarded):

- every CodeCommit request that names a repository (``repositoryName``; CreatePullRequest's ``targets``; the
  repository of GetPullRequest's pull request) is forwarded only for a repository tagged as a SageMaker project's
  (``sagemaker:project-name`` or ``SageMakerProjectName``), and, in a Studio space tagged with a project, that
  project's only: else 403 ``RepositoryNotAllowed``;
- ``PutFile`` / ``CreateCommit`` writing a configuration file: its content must read safely and satisfy its
  schema, else 400 ``InvalidConfig`` with ``errors: [{file, pointer, line, message, rule}]`` and nothing is
  forwarded. Deleting, moving or copying (``sourceFile``) a configuration file, or making it a symbolic link, is
  refused (400 ``ConfigFileProtected``).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import re
import time
from typing import Any, Callable, Optional, TypeVar

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)
from tornado import web

from ..allowlist import Refused, _safe
from ..base import MLOpsHandler
from ..sharedconfig import documents, schemas, validation
from ..sharedconfig.documents import Limits
from . import Capability, InspectedRequest
from .connection import _EXPIRED, studio_metadata
from .registry import scrub

T = TypeVar("T")

SETTING = "sagemaker_mlops.sharedconfig"

CODECOMMIT_OPERATIONS = """
    GetRepository ListBranches GetBranch GetFile GetFolder GetCommit GetDifferences
    CreateCommit PutFile CreatePullRequest ListPullRequests GetPullRequest
""".split()

#: Tags that make a repository a SageMaker project's (the value is the project name).
PROJECT_TAGS = ("sagemaker:project-name", "SageMakerProjectName")

#: Seconds a repository's project (or its absence), and the Studio space's project, are reused.
CACHE_SECONDS = 300.0
#: Seconds a failure to read the Studio space's tags is reused before asking again.
FAILURE_SECONDS = 60.0

_REPOSITORY = re.compile(r"^[\w.-]{1,100}$")
_PROJECT = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$")
_PULL_REQUEST_ID = re.compile(r"^[0-9]{1,20}$")
_ACCESS_DENIED = {"AccessDenied", "AccessDeniedException"}
_EXPIRED_CODES = {"ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired"}
_THROTTLING = {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"}

#: Members of the CodeCommit requests the inspectors read. A member spelled in another letter case is refused:
#: the upstream must not read a member the inspector did not.
_MEMBERS = {
    name.casefold(): name
    for name in """repositoryName targets pullRequestId branchName parentCommitId filePath fileContent fileMode
    putFiles deleteFiles setFileModes sourceFile isMove""".split()
}


def _exact_members(obj: dict, where: str) -> None:
    for key in obj:
        expected = _MEMBERS.get(key.casefold()) if isinstance(key, str) else None
        if expected is not None and key != expected:
            raise Refused("InvalidRequestBody", f"{where}: '{_safe(key, 60)}' must be spelled '{expected}'.", 400)


def limits_of(config) -> Limits:
    return Limits(max_bytes=config.max_config_bytes)


# --- AWS calls made by the server -----------------------------------------------------------------------------


async def aws_call(aws, action: str, resource: str, call: Callable[[], T]) -> T:
    """A blocking botocore call in an executor; failures as :class:`Refused` naming the action (AWS error codes of
    the service, e.g. ``RepositoryDoesNotExistException``, are kept) and never carrying credentials."""
    credentials = await aws.credentials()
    secrets = (credentials.access_key, credentials.secret_key, credentials.token)
    try:
        return await asyncio.get_running_loop().run_in_executor(None, call)
    except ClientError as error:
        refused = client_refusal(error, action, _safe(resource, 300))
    except NoCredentialsError:
        refused = Refused("NoCredentials", "The Jupyter server has no AWS credentials.", 503)
    except (ConnectTimeoutError, ReadTimeoutError):
        refused = Refused("Timeout", f"AWS did not answer {action} for {_safe(resource, 300)} in time; retry.", 504)
    except (EndpointConnectionError, BotoCoreError) as error:
        refused = Refused(
            "UpstreamUnreachable",
            f"{action} for {_safe(resource, 300)} failed ({type(error).__name__}): check the network and the VPC "
            "endpoint of the service, then retry.",
            502,
        )
    raise Refused(refused.code, scrub(refused.message, secrets), refused.status)


def client_refusal(error: ClientError, action: str, resource: str) -> Refused:
    details = error.response.get("Error", {}) or {}
    code = str(details.get("Code") or "")
    upstream = _safe(str(details.get("Message") or ""), 300)
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    if code in _ACCESS_DENIED or (status == 403 and code in ("", "403", "Forbidden")):
        return Refused(
            "AccessDenied",
            f"The Jupyter server's AWS role may not call {action} on {resource}. Ask an administrator to allow "
            f"{action} for the role (in SageMaker Studio, the execution role of the space or user profile).",
            403,
        )
    if code in _EXPIRED_CODES:
        return Refused("ExpiredToken", _EXPIRED, 403)
    if code in _THROTTLING or status == 429:
        return Refused("Throttling", f"AWS is throttling {action} requests; retry shortly.", 503)
    safe_code = re.sub(r"[^A-Za-z0-9_.-]", "", code)[:100] or f"HTTP{status}"
    if 400 <= status < 500:
        return Refused(safe_code, f"{action} for {resource}: {upstream or safe_code}", status)
    return Refused(safe_code, f"{action} for {resource} failed ({safe_code}); retry later.", 502)


# --- the capability's state: what is known about repositories -------------------------------------------------


class SharedConfig:
    def __init__(self, config, aws, log) -> None:
        self.config = config
        self.aws = aws
        self.log = log
        #: repository name -> (monotonic time, project name or None when untagged)
        self.repositories: dict[str, tuple[float, Optional[str]]] = {}
        #: pull request id -> the repositories it targets (they never change)
        self.pull_requests: dict[str, tuple[str, ...]] = {}
        #: (monotonic time, project of the Studio space or None, seconds it holds)
        self.studio: Optional[tuple[float, Optional[str], float]] = None
        self._validators: dict[str, Any] = {}

    # repositories
    async def project_of(self, repository: str) -> Optional[str]:
        cached = self.repositories.get(repository)
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        client = self.aws.client("codecommit")
        metadata = await aws_call(
            self.aws, "codecommit:GetRepository", repository, lambda: client.get_repository(repositoryName=repository)
        )
        arn = (metadata.get("repositoryMetadata") or {}).get("Arn")
        tags: dict[str, str] = {}
        if arn:
            token = None
            for _ in range(20):
                kwargs = {"resourceArn": arn, **({"nextToken": token} if token else {})}
                page = await aws_call(
                    self.aws, "codecommit:ListTagsForResource", repository,
                    lambda kwargs=kwargs: client.list_tags_for_resource(**kwargs),
                )
                tags.update(page.get("tags") or {})
                token = page.get("nextToken")
                if not token:
                    break
        project = next((tags[t] for t in PROJECT_TAGS if tags.get(t)), None)
        self.repositories[repository] = (time.monotonic(), project)
        if len(self.repositories) > 1000:
            self.repositories.pop(next(iter(self.repositories)))
        return project

    async def studio_project(self) -> Optional[str]:
        """The project the Studio space (or user profile) this server runs in is tagged with, if any."""
        cached = self.studio
        if cached and time.monotonic() - cached[0] < cached[2]:
            return cached[1]
        metadata = studio_metadata(self.config.resource_metadata_path) or {}
        arn = metadata.get("resourceArn")
        project: Optional[str] = None
        seconds = CACHE_SECONDS
        if arn:
            client = self.aws.client("sagemaker")
            try:
                tags: dict[str, str] = {}
                token = None
                for _ in range(20):
                    kwargs = {"ResourceArn": arn, **({"NextToken": token} if token else {})}
                    page = await aws_call(self.aws, "sagemaker:ListTags", arn, lambda kwargs=kwargs: client.list_tags(**kwargs))
                    tags.update({t.get("Key"): t.get("Value") for t in page.get("Tags") or []})
                    token = page.get("NextToken")
                    if not token:
                        break
                project = tags.get("sagemaker:project-name") or None
            except Refused as refused:
                # Every project's repositories stay allowed (never another account's or an untagged one).
                self.log.warning("sagemaker_mlops config: the Studio space's tags could not be read (%s)", refused.code)
                seconds = FAILURE_SECONDS
        self.studio = (time.monotonic(), project, seconds)
        return project

    async def check_repository(self, repository: Any) -> None:
        if not isinstance(repository, str) or not _REPOSITORY.match(repository):
            shown = _safe(repository if isinstance(repository, str) else json.dumps(repository), 100)
            raise Refused("InvalidRepositoryNameException", f"The repository name {shown} is not valid.", 400)
        project = await self.project_of(repository)
        if project is None:
            raise Refused(
                "RepositoryNotAllowed",
                f"The repository '{repository}' is not a SageMaker project's repository (it has no "
                f"{' or '.join(PROJECT_TAGS)} tag): this server reads and commits shared configuration in project "
                "repositories only.",
                403,
            )
        expected = await self.studio_project()
        if expected is not None and project != expected:
            raise Refused(
                "RepositoryNotAllowed",
                f"The repository '{repository}' belongs to the project '{_safe(project, 100)}'; this Studio space "
                f"works on the project '{_safe(expected, 100)}' only.",
                403,
            )

    async def repositories_of_pull_request(self, pull_request_id: Any) -> tuple[str, ...]:
        if not isinstance(pull_request_id, str) or not _PULL_REQUEST_ID.match(pull_request_id):
            raise Refused("InvalidPullRequestIdException", f"The pull request ID {_safe(str(pull_request_id), 40)} is not valid.", 400)
        known = self.pull_requests.get(pull_request_id)
        if known is not None:
            return known
        client = self.aws.client("codecommit")
        answer = await aws_call(
            self.aws, "codecommit:GetPullRequest", f"pull request {pull_request_id}",
            lambda: client.get_pull_request(pullRequestId=pull_request_id),
        )
        targets = (answer.get("pullRequest") or {}).get("pullRequestTargets") or []
        repositories = tuple(sorted({t.get("repositoryName") for t in targets if isinstance(t.get("repositoryName"), str)}))
        self.pull_requests[pull_request_id] = repositories
        return repositories

    # schemas
    async def schema(self, reference: str, repository: Optional[str], commit: Optional[str],
                     committed: Optional[dict[str, bytes]] = None) -> Any:
        """The JSON Schema a reference names. ``repo:`` references are read from ``committed`` (the files a commit
        writes) when it holds them, else with CodeCommit GetFile at ``commit`` (a branch or a commit id)."""
        kind = schemas.check_reference(reference)
        limit = self.config.max_config_bytes
        if kind == "builtin":
            try:
                return schemas.builtin(reference[len("builtin:"):])
            except schemas.ReferenceError_ as error:
                raise Refused("SchemaNotFound", str(error), 500) from None
        if kind == "server":
            try:
                return await asyncio.get_running_loop().run_in_executor(
                    None, schemas.read_server_schema, reference, limit
                )
            except schemas.ReferenceError_ as error:
                self.log.warning("sagemaker_mlops config: the schema %s cannot be used: %s", reference, error)
                raise Refused("SchemaNotFound", str(error) + " (see the server log).", 500) from None
        path = reference[len("repo:"):].strip("/")
        if committed is not None and path in committed:
            data = committed[path]
        else:
            if not repository or not commit:
                raise Refused(
                    "SchemaNeedsRepository",
                    f"The schema {reference} is kept in the project repository: name the repository and the branch.",
                    400,
                )
            await self.check_repository(repository)
            client = self.aws.client("codecommit")
            try:
                answer = await aws_call(
                    self.aws, "codecommit:GetFile", f"{repository}:{path}",
                    lambda: client.get_file(repositoryName=repository, filePath=path, commitSpecifier=commit),
                )
            except Refused as refused:
                if refused.code == "FileDoesNotExistException":
                    raise Refused(
                        "SchemaNotFound",
                        f"The schema {reference} does not exist in {repository} at {_safe(commit, 100)}.",
                        400,
                    ) from None
                raise
            data = answer.get("fileContent") or b""
        if len(data) > limit:
            raise Refused("SchemaNotFound", f"The schema {reference} is larger than {limit} bytes.", 400)
        try:
            return json.loads(data.decode("utf-8"))
        except ValueError:
            raise Refused("InvalidSchema", f"The schema {reference} is not JSON.", 400) from None

    def validator(self, schema: Any) -> Any:
        """A compiled validator per schema (by content), kept for the schemas in use."""
        key = hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()
        compiled = self._validators.get(key)
        if compiled is None:
            compiled = validation.make_validator(schema)
            if len(self._validators) >= 32:
                self._validators.pop(next(iter(self._validators)))
            self._validators[key] = compiled
        return compiled

    async def check_file(self, path: str, content: bytes, reference: str, repository: Optional[str],
                         commit: Optional[str], committed: Optional[dict[str, bytes]] = None) -> tuple[list, list]:
        schema = await self.schema(reference, repository, commit, committed)
        try:
            compiled = self.validator(schema)
        except validation.SchemaProblem as problem:
            raise Refused("InvalidSchema", f"The schema {schemas.source_of(reference)} of {path}: {problem}", 400) from None
        limits = limits_of(self.config)
        try:
            return await asyncio.get_running_loop().run_in_executor(
                None, validation.check, path, content, compiled, limits
            )
        except validation.SchemaProblem as problem:
            raise Refused("InvalidSchema", f"The schema {schemas.source_of(reference)} of {path}: {problem}", 400) from None


def state_of(settings, config, aws, log) -> SharedConfig:
    state = settings.get(SETTING)
    if state is None:
        state = settings[SETTING] = SharedConfig(config, aws, log)
    return state


# --- proxy inspectors -------------------------------------------------------------------------------------------


def _body(request: InspectedRequest) -> dict:
    if not isinstance(request.body, dict):
        raise Refused("InvalidRequestBody", f"codecommit.{request.operation}: the request body must be a JSON object.", 400)
    _exact_members(request.body, f"codecommit.{request.operation}")
    return request.body


async def restrict_repositories(request: InspectedRequest) -> None:
    """Every CodeCommit request that names a repository: a project's repository only."""
    handler = request.handler
    state = state_of(handler.settings, handler.mlops_config, handler.mlops_aws, handler.log)
    body = _body(request)
    names: list[Any] = []
    if "repositoryName" in body:
        names.append(body["repositoryName"])
    if request.operation == "CreatePullRequest" and "targets" in body:
        targets = body["targets"]
        if not isinstance(targets, list) or not all(isinstance(t, dict) for t in targets):
            raise Refused("InvalidTargetsException", "codecommit.CreatePullRequest: 'targets' must be a list of objects.", 400)
        for target in targets:
            _exact_members(target, "codecommit.CreatePullRequest targets")
            names.append(target.get("repositoryName"))
    if request.operation == "GetPullRequest" and "pullRequestId" in body:
        names.extend(await state.repositories_of_pull_request(body["pullRequestId"]))
    for name in dict.fromkeys(n for n in names if n is not None):  # a missing name: the upstream refuses it
        await state.check_repository(name)


def _content(value: Any, path: str, limit: int) -> bytes:
    if not isinstance(value, str):
        raise Refused("InvalidConfig", f"{path}: the file content must be base64 text.", 400)
    if len(value) > (limit + 2) // 3 * 4 + 4:
        raise Refused(
            "InvalidConfig",
            f"{path}: the file is larger than {limit} bytes, the limit of configuration files.",
            400,
            {"errors": [validation.issue(path, "", None, f"the file is larger than {limit} bytes", "maxBytes")]},
        )
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise Refused("InvalidConfig", f"{path}: the file content is not valid base64.", 400) from None


def _protected(path: str, what: str) -> Refused:
    return Refused(
        "ConfigFileProtected",
        f"{path} is a shared configuration file: this server does not {what} it (write its content instead, which "
        "is validated first).",
        400,
    )


async def validate_commit(request: InspectedRequest) -> None:
    """PutFile / CreateCommit: every configuration file written is read safely and satisfies its schema."""
    handler = request.handler
    config = handler.mlops_config
    files = config.config_files
    body = _body(request)
    limit = config.max_config_bytes
    writes: list[tuple[str, bytes, str]] = []  # (path, content, reference)
    committed: dict[str, bytes] = {}

    def path_of(entry: dict, key: str = "filePath") -> str:
        value = entry.get(key)
        return value if isinstance(value, str) else ""

    if request.operation == "PutFile":
        path = path_of(body)
        matched = schemas.match(files, path)
        if matched:
            if body.get("fileMode") == "SYMLINK":
                raise _protected(path, "make a symbolic link of")
            writes.append((path, _content(body.get("fileContent"), path, limit), matched[1]))
    else:
        puts, deletes, modes = (body.get(k) or [] for k in ("putFiles", "deleteFiles", "setFileModes"))
        for entries, name in ((puts, "putFiles"), (deletes, "deleteFiles"), (modes, "setFileModes")):
            if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                raise Refused("InvalidRequestBody", f"codecommit.CreateCommit: '{name}' must be a list of objects.", 400)
            for entry in entries:
                _exact_members(entry, f"codecommit.CreateCommit {name}")
        for entry in deletes:
            if schemas.match(files, path_of(entry)):
                raise _protected(path_of(entry), "delete")
        for entry in modes:
            if schemas.match(files, path_of(entry)) and entry.get("fileMode") == "SYMLINK":
                raise _protected(path_of(entry), "make a symbolic link of")
        for entry in puts:
            path = path_of(entry)
            matched = schemas.match(files, path)
            source = entry.get("sourceFile")
            if source is not None:
                if not isinstance(source, dict):
                    raise Refused("InvalidRequestBody", "codecommit.CreateCommit: 'sourceFile' must be an object.", 400)
                _exact_members(source, "codecommit.CreateCommit sourceFile")
                if matched:
                    raise _protected(path, "copy or move another file onto")
                if source.get("isMove") and schemas.match(files, path_of(source)):
                    raise _protected(path_of(source), "move")
                continue
            if matched:
                if entry.get("fileMode") == "SYMLINK":
                    raise _protected(path, "make a symbolic link of")
                content = _content(entry.get("fileContent"), path, limit)
                writes.append((path, content, matched[1]))
            elif isinstance(entry.get("fileContent"), str) and any(
                r == f"repo:{path.strip('/')}" for r in files.values()
            ):
                committed[path.strip("/")] = _content(entry.get("fileContent"), path, limit)
    if not writes:
        return
    state = state_of(handler.settings, config, handler.mlops_aws, handler.log)
    repository = body.get("repositoryName") if isinstance(body.get("repositoryName"), str) else None
    at = body.get("parentCommitId") or body.get("branchName")
    errors: list[dict] = []
    for path, content, reference in writes:
        found, _ = await state.check_file(path, content, reference, repository, at if isinstance(at, str) else None, committed)
        errors.extend(found)
    if errors:
        raise Refused(
            "InvalidConfig",
            validation.summary(errors),
            400,
            {"errors": errors[: validation.MAX_ISSUES], "errorCount": len(errors)},
        )


# --- routes ------------------------------------------------------------------------------------------------------


class ConfigHandler(MLOpsHandler):
    @property
    def state(self) -> SharedConfig:
        return state_of(self.settings, self.mlops_config, self.mlops_aws, self.log)

    def parameter(self, name: str, required: bool = True, limit: int = 256) -> Optional[str]:
        values = self.get_query_arguments(name, strip=False)
        if not values or not values[0]:
            if required:
                raise Refused("BadRequest", f"The query parameter '{name}' is missing.", 400)
            return None
        if len(values) > 1:
            raise Refused("BadRequest", f"The query parameter '{name}' is given more than once.", 400)
        if len(values[0]) > limit:
            raise Refused("BadRequest", f"The query parameter '{name}' is longer than {limit} characters.", 400)
        return values[0]

    def reply(self, data: Any) -> None:
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(data))


class SchemasHandler(ConfigHandler):
    """``GET /config/schemas?repository=<name>&branch=<name>``."""

    @web.authenticated
    async def get(self) -> None:
        await self.authorize("read")
        repository = self.parameter("repository", required=False, limit=100)
        branch = self.parameter("branch", required=False)
        config = self.mlops_config
        files = []
        for pattern, reference in config.config_files.items():
            entry: dict[str, Any] = {
                "pattern": pattern,
                "format": documents.file_format(pattern),
                "source": schemas.source_of(reference),
            }
            try:
                entry["schema"] = await self.state.schema(reference, repository, branch)
            except Refused as refused:
                if refused.code in ("RepositoryNotAllowed", "AccessDenied", "ExpiredToken", "NoCredentials"):
                    raise
                entry["schema"] = None
                entry["error"] = {"code": refused.code, "message": refused.message}
            files.append(entry)
        self.reply({"files": files, "limits": limits_of(config).as_json()})


class ProjectBucketHandler(ConfigHandler):
    """``GET /config/project-bucket?project=<name>``: the project bucket from SSM."""

    @web.authenticated
    async def get(self) -> None:
        await self.authorize("read")
        project = self.parameter("project", limit=64)
        if not _PROJECT.match(project):
            raise Refused(
                "BadRequest",
                f"'project' must be a SageMaker project name (1-32 letters, digits and hyphens), not '{_safe(project, 64)}'.",
                400,
            )
        name = f"/mlops/projects/{project}/bucket"
        aws = self.mlops_aws
        client = aws.client("ssm", pool=2)
        try:
            answer = await aws_call(aws, "ssm:GetParameter", name, lambda: client.get_parameter(Name=name))
        except Refused as refused:
            if refused.code == "ParameterNotFound":
                raise Refused("NotFound", f"The SSM parameter {name} does not exist: the project has no bucket there.", 404) from None
            raise
        bucket = (answer.get("Parameter") or {}).get("Value")
        if not isinstance(bucket, str) or not bucket:
            raise Refused("NotFound", f"The SSM parameter {name} is empty.", 404)
        self.reply({"bucket": bucket, "source": f"ssm:{name}"})


class ValidateHandler(ConfigHandler):
    """``POST /config/validate`` ``{path, content, repository?, branch?}`` -> ``{errors, warnings}``."""

    @web.authenticated
    async def post(self) -> None:
        await self.authorize("read")
        config = self.mlops_config
        raw = self.request.body or b""
        if len(raw) > 6 * config.max_config_bytes + 65536:
            raise Refused("RequestTooLarge", "The request body is too large.", 413)
        try:
            data = json.loads(raw)
        except ValueError:
            raise Refused("BadRequest", "The request body must be a JSON object.", 400) from None
        if not isinstance(data, dict):
            raise Refused("BadRequest", "The request body must be a JSON object.", 400)
        path, content = data.get("path"), data.get("content")
        if not isinstance(path, str) or not path or len(path) > 1024:
            raise Refused("BadRequest", "'path' (the file's path in the repository) is missing.", 400)
        if not isinstance(content, str):
            raise Refused("BadRequest", "'content' (the file's text) must be a string.", 400)
        repository, branch = data.get("repository"), data.get("branch")
        if repository is not None and not isinstance(repository, str) or branch is not None and not isinstance(branch, str):
            raise Refused("BadRequest", "'repository' and 'branch' must be strings.", 400)
        matched = schemas.match(config.config_files, path)
        if not matched:
            raise Refused("NotAConfigFile", f"{_safe(path, 200)} is not a configured shared configuration file.", 400)
        try:
            encoded = content.encode("utf-8")
        except UnicodeEncodeError:
            raise Refused("BadRequest", "'content' is not valid Unicode text.", 400) from None
        errors, warnings = await self.state.check_file(path, encoded, matched[1], repository, branch)
        self.reply({
            "errors": errors[: validation.MAX_ISSUES],
            "errorCount": len(errors),
            "warnings": warnings[: validation.MAX_ISSUES],
            "source": schemas.source_of(matched[1]),
        })


CAPABILITY = Capability(
    name="config",
    routes=(
        (r"/config/schemas", SchemasHandler),
        (r"/config/project-bucket", ProjectBucketHandler),
        (r"/config/validate", ValidateHandler),
    ),
    operations={"codecommit": CODECOMMIT_OPERATIONS},
    inspectors={
        ("codecommit", "*"): restrict_repositories,
        ("codecommit", "PutFile"): validate_commit,
        ("codecommit", "CreateCommit"): validate_commit,
    },
)
