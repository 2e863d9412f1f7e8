"""The config capability against the devstack (CodeCommit on real git repositories, SSM), as the data scientist's
role: its routes (schemas, project bucket, validate), its CodeCommit grants, the validation of every commit the
proxy forwards that writes a shared configuration file (a crafted request with valid auth and XSRF is refused and
nothing reaches the repository), and the restriction to the project's repositories."""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest

from sagemaker_mlops.capabilities import BUILTIN, load
from sagemaker_mlops.config import SageMakerMLOps
from sagemaker_mlops.sharedconfig.schemas import SOURCE_TREE, builtin

from conftest import aws_call, error_of
from packages_support import control, devstack  # noqa: F401 (the session's devstack)

ROOT = "/sagemaker-mlops/config"
CODECOMMIT = "/sagemaker-mlops/aws/codecommit/"
PROJECT = "customer-churn"
REPO = f"{PROJECT}-project-repo"
OTHER_PROJECT_REPO = "fraud-detection-project-repo"
GRANTED = """GetRepository ListBranches GetBranch GetFile GetFolder GetCommit GetDifferences CreateCommit PutFile
    CreatePullRequest ListPullRequests GetPullRequest""".split()
FIXTURES = SOURCE_TREE / "fixtures"
VALID = (FIXTURES / "model_config" / "valid" / "full.yaml").read_text()


@pytest.fixture
def aws_env(devstack, monkeypatch, tmp_path):  # noqa: F811
    """The server's AWS: the devstack, as the data scientist's role (container credentials, as in Studio)."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
            monkeypatch.delenv(name)
    for name in ("AWS_ENDPOINT_URL", "AWS_REGION", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN"):
        monkeypatch.setenv(name, devstack[name])
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return devstack


@pytest.fixture
def cc(aws_env):
    """CodeCommit of the devstack, directly (not through the extension): to set up and to check the repository."""
    return boto3.client("codecommit", region_name=aws_env["AWS_REGION"])


@pytest.fixture
def branch(cc) -> str:
    """A fresh branch of the project repository, at dev's head."""
    name = f"t-{uuid.uuid4().hex[:10]}"
    head = cc.get_branch(repositoryName=REPO, branchName="dev")["branch"]["commitId"]
    cc.create_branch(repositoryName=REPO, branchName=name, commitId=head)
    return name


def head_of(cc, name: str, repository: str = REPO) -> str:
    return cc.get_branch(repositoryName=repository, branchName=name)["branch"]["commitId"]


def b64(text: str | bytes) -> str:
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


async def codecommit(call, operation: str, payload: Any, **kwargs):
    """A request through the proxy as curl would send it (token + XSRF cookie and header)."""
    request = aws_call(f"CodeCommit_20150413.{operation}", payload)
    if not isinstance(payload, dict):
        request["body"] = payload
    return await call(CODECOMMIT, **request, **kwargs)


def put_file(cc_head: str, branch: str, content: str | bytes, path: str = "model_config.yaml") -> dict:
    return {
        "repositoryName": REPO,
        "branchName": branch,
        "parentCommitId": cc_head,
        "filePath": path,
        "fileContent": b64(content),
        "commitMessage": "edit",
    }


# --- the capability's declaration -------------------------------------------------------------------------------


def test_config_is_built_in_enabled_and_grants_exactly_its_operations():
    assert "config" in BUILTIN and "config" in SageMakerMLOps().capabilities
    capability = load("config")
    assert {name: set(ops) for name, ops in capability.operations.items()} == {"codecommit": set(GRANTED)}
    assert [pattern for pattern, _ in capability.routes] == ["/config/schemas", "/config/project-bucket", "/config/validate"]
    assert set(capability.inspectors) == {("codecommit", "*"), ("codecommit", "PutFile"), ("codecommit", "CreateCommit")}


def test_the_default_setting():
    config = SageMakerMLOps()
    assert config.config_files == {
        "model_config.yaml": "builtin:model_config",
        "staging-config.json": "builtin:stage_config",
        "prod-config.json": "builtin:stage_config",
    }
    assert config.max_config_bytes == 1024 * 1024
    with pytest.raises(Exception, match="builtin:<name>, repo:<path> or an absolute path"):
        SageMakerMLOps(config_files={"model_config.yaml": "relative/schema.json"})
    with pytest.raises(Exception, match="base name"):
        SageMakerMLOps(config_files={"dir/model_config.yaml": "builtin:model_config"})


@pytest.mark.parametrize(
    "operation",
    ["DeleteFile", "DeleteBranch", "DeleteRepository", "CreateRepository", "MergePullRequestByFastForward",
     "MergePullRequestBySquash", "MergePullRequestByThreeWay", "UpdatePullRequestStatus", "CreateBranch",
     "UpdateDefaultBranch", "TagResource", "ListRepositories"],
)
async def test_other_codecommit_operations_are_refused(call, cc, operation):
    response = await codecommit(call, operation, {"repositoryName": REPO, "branchName": "dev"})
    assert response.code == 403
    error = error_of(response)
    assert error["code"] == "OperationNotAllowed"
    assert operation in error["message"]


# --- GET /config/schemas ----------------------------------------------------------------------------------------


async def test_schemas_of_the_default_files(call, aws_env):
    response = await call(f"{ROOT}/schemas")
    assert response.code == 200, response.body
    data = json.loads(response.body)
    assert data["limits"] == {"maxBytes": 1048576, "maxAliases": 100, "maxDepth": 64, "maxNodes": 100000}
    assert [(f["pattern"], f["format"], f["source"]) for f in data["files"]] == [
        ("model_config.yaml", "yaml", "builtin:model_config"),
        ("staging-config.json", "json", "builtin:stage_config"),
        ("prod-config.json", "json", "builtin:stage_config"),
    ]
    assert data["files"][0]["schema"] == json.loads((SOURCE_TREE / "model_config.schema.json").read_text())
    assert data["files"][1]["schema"] == data["files"][2]["schema"] == builtin("stage_config")
    assert response.headers["Cache-Control"] == "no-store"


async def test_schemas_need_authentication_and_xsrf(call, aws_env):
    assert (await call(f"{ROOT}/schemas", auth=False)).code == 403
    response = await call(f"{ROOT}/schemas", xsrf=None)
    assert response.code == 403
    assert error_of(response)["code"] == "XSRFError"


class TestOrganisationSchemas:
    @pytest.fixture
    def mlops_config(self, tmp_path):
        server_schema = tmp_path / "org" / "stage.schema.json"
        server_schema.parent.mkdir()
        server_schema.write_text(json.dumps({"type": "array", "maxItems": 3}))
        return {
            "resource_metadata_path": str(tmp_path / "no-metadata.json"),
            "config_files": {
                "model_config.yaml": "repo:schemas/model_config.schema.json",
                "*-config.json": str(server_schema),
            },
        }

    @pytest.fixture
    def org_branch(self, cc, branch) -> str:
        schema = {"type": "object", "required": ["framework"], "properties": {"framework": {"enum": ["xgboost"],
                  "x-message": "our platform trains XGBoost only"}}}
        cc.put_file(repositoryName=REPO, branchName=branch, parentCommitId=head_of(cc, branch),
                    filePath="schemas/model_config.schema.json", fileContent=json.dumps(schema).encode())
        return branch

    async def test_repo_and_server_schemas(self, call, org_branch, tmp_path):
        response = await call(f"{ROOT}/schemas?repository={REPO}&branch={org_branch}")
        assert response.code == 200, response.body
        files = json.loads(response.body)["files"]
        assert files[0]["source"] == "repo:schemas/model_config.schema.json"
        assert files[0]["schema"]["properties"]["framework"]["enum"] == ["xgboost"]
        assert files[1] == {"pattern": "*-config.json", "format": "json", "source": "server",
                            "schema": {"type": "array", "maxItems": 3}}
        assert str(tmp_path) not in response.body.decode()  # no server path reaches the browser

    async def test_a_repo_schema_needs_the_repository(self, call, aws_env):
        files = json.loads((await call(f"{ROOT}/schemas")).body)["files"]
        assert files[0]["schema"] is None and files[0]["error"]["code"] == "SchemaNeedsRepository"

    async def test_commits_are_checked_with_the_schema_of_the_branch(self, call, cc, org_branch):
        head = head_of(cc, org_branch)
        response = await codecommit(call, "PutFile", put_file(head, org_branch, "framework: sklearn\n"))
        assert response.code == 400
        error = error_of(response)
        assert error["message"] == "model_config.yaml: /framework (line 1): our platform trains XGBoost only"
        assert head_of(cc, org_branch) == head
        response = await codecommit(call, "PutFile", put_file(head, org_branch, "framework: xgboost\n"))
        assert response.code == 200, response.body
        # the server's schema: at most 3 parameters
        response = await codecommit(call, "PutFile", put_file(head_of(cc, org_branch), org_branch, "[1, 2, 3, 4]\n", "staging-config.json"))
        assert response.code == 400
        assert error_of(response)["errors"][0]["rule"] == "maxItems"


# --- GET /config/project-bucket ---------------------------------------------------------------------------------


async def test_project_bucket_from_ssm(call, aws_env):
    response = await call(f"{ROOT}/project-bucket?project={PROJECT}")
    assert response.code == 200, response.body
    assert json.loads(response.body) == {
        "bucket": f"{PROJECT}-123456789012",
        "source": f"ssm:/mlops/projects/{PROJECT}/bucket",
    }


@pytest.mark.parametrize(
    "query,status,code",
    [
        ("project=no-such-project", 404, "NotFound"),
        ("project=../../etc", 400, "BadRequest"),
        ("project=a%2Fb", 400, "BadRequest"),
        ("", 400, "BadRequest"),
    ],
)
async def test_project_bucket_errors(call, aws_env, query, status, code):
    response = await call(f"{ROOT}/project-bucket?{query}")
    assert response.code == status, response.body
    assert error_of(response)["code"] == code


# --- commits through the proxy ----------------------------------------------------------------------------------


async def test_a_crafted_invalid_put_file_is_refused_and_nothing_is_committed(call, cc, branch):
    head = head_of(cc, branch)
    invalid = VALID.replace("instance_count: 1\n  volume_size: 30", "instance_count: 0\n  volume_size: 30")
    response = await codecommit(call, "PutFile", put_file(head, branch, invalid))
    assert response.code == 400
    error = error_of(response)
    assert error["code"] == "InvalidConfig"
    line = invalid.splitlines().index("  instance_count: 0") + 1
    assert error["message"] == f"model_config.yaml: /train_config/instance_count (line {line}): must be at least 1"
    assert error["errors"] == [{"file": "model_config.yaml", "pointer": "/train_config/instance_count", "line": line,
                                "message": "must be at least 1", "rule": "minimum"}]
    assert head_of(cc, branch) == head


async def test_a_valid_put_file_is_forwarded(call, cc, branch):
    head = head_of(cc, branch)
    changed = VALID.replace("instance_count: 1\n  volume_size: 30", "instance_count: 2\n  volume_size: 30")
    response = await codecommit(call, "PutFile", put_file(head, branch, changed, "configs/model_config.yaml"))
    assert response.code == 200, response.body
    assert head_of(cc, branch) == json.loads(response.body)["commitId"] != head
    stored = cc.get_file(repositoryName=REPO, filePath="configs/model_config.yaml", commitSpecifier=branch)
    assert stored["fileContent"].decode() == changed


async def test_create_commit_checks_every_config_file(call, cc, branch):
    head = head_of(cc, branch)
    payload = {
        "repositoryName": REPO, "branchName": branch, "parentCommitId": head, "commitMessage": "both",
        "putFiles": [
            {"filePath": "model_config.yaml", "fileContent": b64(VALID.replace("framework: xgboost", "framework: keras"))},
            {"filePath": "prod-config.json", "fileContent": b64('[{"ParameterKey": "EnvType", "ParameterValue": "qa"}]')},
            {"filePath": "notes.md", "fileContent": b64("# anything\n")},
        ],
    }
    response = await codecommit(call, "CreateCommit", payload)
    assert response.code == 400
    error = error_of(response)
    assert error["code"] == "InvalidConfig"
    assert error["message"].startswith("model_config.yaml: /framework (line ")
    assert error["message"].endswith(f"[+{len(error['errors']) - 1} more]") and error["errorCount"] == len(error["errors"])
    assert {(e["file"], e["pointer"], e["rule"]) for e in error["errors"]} >= {
        ("model_config.yaml", "/framework", "enum"),
        ("prod-config.json", "/0/ParameterValue", "enum"),
        ("prod-config.json", "", "contains"),
    }
    assert head_of(cc, branch) == head

    payload["putFiles"][0]["fileContent"] = b64(VALID)
    payload["putFiles"][1]["fileContent"] = b64((FIXTURES / "stage_config" / "valid" / "prod-config.json").read_text())
    response = await codecommit(call, "CreateCommit", payload)
    assert response.code == 200, response.body
    assert head_of(cc, branch) != head


@pytest.mark.parametrize(
    "change,what",
    [
        ({"deleteFiles": [{"filePath": "model_config.yaml"}]}, "delete"),
        ({"putFiles": [{"filePath": "model_config.yaml", "sourceFile": {"filePath": "README.md"}}]}, "copy or move"),
        ({"putFiles": [{"filePath": "old/model_config.yaml", "sourceFile": {"filePath": "model_config.yaml", "isMove": True}}]}, "copy or move"),
        ({"putFiles": [{"filePath": "moved.yaml", "sourceFile": {"filePath": "model_config.yaml", "isMove": True}}]}, "move"),
        ({"putFiles": [{"filePath": "staging-config.json", "sourceFile": {"filePath": "prod-config.json"}}]}, "copy or move"),
        ({"setFileModes": [{"filePath": "prod-config.json", "fileMode": "SYMLINK"}]}, "symbolic link"),
        ({"putFiles": [{"filePath": "model_config.yaml", "fileContent": b64("README.md"), "fileMode": "SYMLINK"}]}, "symbolic link"),
    ],
)
async def test_deleting_moving_or_copying_a_config_file_is_refused(call, cc, branch, change, what):
    head = head_of(cc, branch)
    payload = {"repositoryName": REPO, "branchName": branch, "parentCommitId": head, **change}
    response = await codecommit(call, "CreateCommit", payload)
    assert response.code == 400
    error = error_of(response)
    assert error["code"] == "ConfigFileProtected"
    assert what in error["message"] and "shared configuration file" in error["message"]
    assert head_of(cc, branch) == head


async def test_other_files_move_freely(call, cc, branch):
    payload = {"repositoryName": REPO, "branchName": branch, "parentCommitId": head_of(cc, branch),
               "putFiles": [{"filePath": "docs/README.md", "sourceFile": {"filePath": "README.md", "isMove": True}}]}
    response = await codecommit(call, "CreateCommit", payload)
    assert response.code == 200, response.body


@pytest.mark.parametrize(
    "body,code",
    [
        ('{"repositoryName": "%s", "RepositoryName": "other"}' % REPO, "InvalidRequestBody"),
        ('{"repositoryName": "%s", "repositoryName": "other"}' % REPO, "InvalidRequestBody"),
        ('{"RepositoryName": "untagged"}', "InvalidRequestBody"),
        ('{"repositoryName": "%s", "branchName": "dev", "FileContent": "eA==", "filePath": "x"}' % REPO, "InvalidRequestBody"),
        ("[1, 2]", "InvalidRequestBody"),
        ("{not json", "InvalidRequestBody"),
        ('{"repositoryName": NaN}', "InvalidRequestBody"),
    ],
)
async def test_ambiguous_bodies_are_refused(call, cc, body, code):
    response = await codecommit(call, "PutFile", body)
    assert response.code == 400, response.body
    assert error_of(response)["code"] == code


async def test_a_body_over_the_request_limit_is_refused_before_it_is_read(call, aws_env, jp_http_port, jp_base_url, jp_auth_header):
    from conftest import raw_exchange, raw_head

    head = raw_head(jp_http_port, jp_base_url, jp_auth_header, "/sagemaker-mlops/aws/codecommit/", {
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "CodeCommit_20150413.PutFile",
        "Content-Length": str(64 * 1024 * 1024),
    })
    started = time.perf_counter()
    reply = await raw_exchange(jp_http_port, head + b'{"fileContent": "', timeout=5)
    assert time.perf_counter() - started < 1.0
    assert reply.startswith(b"HTTP/1.1 413")
    assert b"RequestTooLarge" in reply


HOSTILE = sorted(p for p in (FIXTURES / "hostile").iterdir() if p.suffix in (".yaml", ".json"))


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.name)
async def test_hostile_files_are_refused_quickly(call, cc, branch, path):
    head = head_of(cc, branch)
    rule = (path.with_name(path.name + ".expect") if path.suffix == ".json" else path).read_bytes().split(b"\n")[0].split()[-1].decode()
    name = "model_config.yaml" if path.suffix == ".yaml" else "prod-config.json"
    # the repository's tags are read once (then cached): the time below is the refusal's own
    assert (await codecommit(call, "GetBranch", {"repositoryName": REPO, "branchName": branch})).code == 200
    started = time.perf_counter()
    response = await codecommit(call, "PutFile", put_file(head, branch, path.read_bytes(), name))
    elapsed = time.perf_counter() - started
    assert response.code == 400, response.body
    error = error_of(response)
    assert error["code"] == "InvalidConfig"
    assert [e["rule"] for e in error["errors"]] == [rule]
    assert elapsed < 1.0
    assert head_of(cc, branch) == head


async def test_a_config_over_max_config_bytes_is_refused(call, cc, branch):
    big = VALID + "# padding\n" * 110_000
    response = await codecommit(call, "PutFile", put_file(head_of(cc, branch), branch, big))
    assert response.code == 400
    error = error_of(response)
    assert error["errors"][0]["rule"] == "maxBytes"
    assert "1048576 bytes" in error["message"]


# --- the project's repositories only ----------------------------------------------------------------------------


@pytest.fixture
def untagged(cc) -> str:
    name = f"scratch-{uuid.uuid4().hex[:8]}"
    cc.create_repository(repositoryName=name)
    cc.put_file(repositoryName=name, branchName="main", filePath="model_config.yaml", fileContent=b"framework: x\n")
    return name


async def test_an_untagged_repository_is_refused(call, cc, untagged):
    head = head_of(cc, "main", untagged)
    for operation, payload in [
        ("GetFile", {"repositoryName": untagged, "filePath": "model_config.yaml"}),
        ("GetBranch", {"repositoryName": untagged, "branchName": "main"}),
        ("PutFile", {"repositoryName": untagged, "branchName": "main", "parentCommitId": head,
                     "filePath": "README.md", "fileContent": b64("x")}),
        ("CreatePullRequest", {"title": "t", "targets": [{"repositoryName": untagged, "sourceReference": "main"}]}),
        ("ListPullRequests", {"repositoryName": untagged}),
    ]:
        response = await codecommit(call, operation, payload)
        assert response.code == 403, (operation, response.body)
        error = error_of(response)
        assert error["code"] == "RepositoryNotAllowed"
        assert untagged in error["message"] and "sagemaker:project-name" in error["message"]
    assert head_of(cc, "main", untagged) == head


async def test_a_pull_request_of_an_untagged_repository_is_refused(call, cc, untagged):
    cc.create_branch(repositoryName=untagged, branchName="dev", commitId=head_of(cc, "main", untagged))
    cc.put_file(repositoryName=untagged, branchName="dev", parentCommitId=head_of(cc, "dev", untagged),
                filePath="a.txt", fileContent=b"a")
    pr = cc.create_pull_request(title="t", targets=[{"repositoryName": untagged, "sourceReference": "dev",
                                                     "destinationReference": "main"}])["pullRequest"]["pullRequestId"]
    response = await codecommit(call, "GetPullRequest", {"pullRequestId": pr})
    assert response.code == 403
    assert error_of(response)["code"] == "RepositoryNotAllowed"


async def test_project_repository_reads_and_pull_requests_are_forwarded(call, cc, branch):
    cc.put_file(repositoryName=REPO, branchName=branch, parentCommitId=head_of(cc, branch), filePath="b.txt", fileContent=b"b")
    for operation, payload in [
        ("GetRepository", {"repositoryName": REPO}),
        ("ListBranches", {"repositoryName": REPO}),
        ("GetFile", {"repositoryName": REPO, "filePath": ".project_params.yaml", "commitSpecifier": branch}),
        ("GetFolder", {"repositoryName": REPO, "folderPath": "/", "commitSpecifier": branch}),
    ]:
        response = await codecommit(call, operation, payload)
        assert response.code == 200, (operation, response.body)
    response = await codecommit(call, "CreatePullRequest", {
        "title": "config", "targets": [{"repositoryName": REPO, "sourceReference": branch, "destinationReference": "main"}]})
    assert response.code == 200, response.body
    pr = json.loads(response.body)["pullRequest"]["pullRequestId"]
    response = await codecommit(call, "GetPullRequest", {"pullRequestId": pr})
    assert response.code == 200, response.body
    response = await codecommit(call, "ListPullRequests", {"repositoryName": REPO})
    assert response.code == 200 and pr in json.loads(response.body)["pullRequestIds"]


async def test_an_unknown_repository_is_named_as_codecommit_names_it(call, aws_env):
    response = await codecommit(call, "GetBranch", {"repositoryName": "no-such-repository", "branchName": "dev"})
    assert response.code == 400
    assert error_of(response)["code"] == "RepositoryDoesNotExistException"


class TestStudioSpaceOfAProject:
    @pytest.fixture
    def mlops_config(self, devstack):  # noqa: F811
        return {"resource_metadata_path": devstack["DEVSTACK_RESOURCE_METADATA"]}

    async def test_only_the_space_projects_repository(self, call, cc):
        response = await codecommit(call, "GetBranch", {"repositoryName": REPO, "branchName": "dev"})
        assert response.code == 200, response.body
        response = await codecommit(call, "GetBranch", {"repositoryName": OTHER_PROJECT_REPO, "branchName": "dev"})
        assert response.code == 403
        error = error_of(response)
        assert error["code"] == "RepositoryNotAllowed"
        assert "fraud-detection" in error["message"] and PROJECT in error["message"]


async def test_another_projects_repository_outside_studio(call, cc):
    response = await codecommit(call, "GetBranch", {"repositoryName": OTHER_PROJECT_REPO, "branchName": "dev"})
    assert response.code == 200, response.body


# --- POST /config/validate --------------------------------------------------------------------------------------


async def validate(call, path: str, content: str):
    return await call(f"{ROOT}/validate", method="POST", body=json.dumps({"path": path, "content": content}))


async def test_validate_route(call, aws_env):
    response = await validate(call, "model_config.yaml", VALID)
    assert response.code == 200, response.body
    data = json.loads(response.body)
    assert data["errors"] == []
    assert [w["pointer"] for w in data["warnings"]] == ["/notebook_defaults"]
    assert data["warnings"][0]["rule"] == "unknownKey"
    response = await validate(call, "configs/model_config.yaml", VALID.replace("use_spot_instances: false", "use_spot_instances: no"))
    errors = json.loads(response.body)["errors"]
    assert [(e["pointer"], e["rule"], e["message"]) for e in errors] == [
        ("/train_config/use_spot_instances", "type", 'must be true or false, not "no"')
    ]
    response = await validate(call, "notes.md", "x")
    assert response.code == 400 and error_of(response)["code"] == "NotAConfigFile"


async def test_validating_a_500_line_config_is_quick(call, aws_env):
    extra = "".join(f"    param_{i}: {i}\n" for i in range(430))
    big = VALID.replace("    subsample: 0.8\n", "    subsample: 0.8\n" + extra)
    assert len(big.splitlines()) >= 500
    await validate(call, "model_config.yaml", big)  # the schema compiled once
    started = time.perf_counter()
    response = await validate(call, "model_config.yaml", big)
    elapsed = time.perf_counter() - started
    assert response.code == 200 and json.loads(response.body)["errors"] == []
    assert elapsed < 0.5, elapsed
