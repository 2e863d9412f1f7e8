"""CodeCommit on the wire with boto3, backed by real git repositories."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import threading

import boto3
import pytest
import yaml
from botocore.exceptions import ClientError

from _ext_server import ExtensionServer, make_state
from mlops_devstack.codecommit import CodeCommitExtension, seed_codecommit

_counter = itertools.count(1)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    state = make_state(tmp_path_factory.mktemp("cc-data"))
    with ExtensionServer(state, [CodeCommitExtension(state)]) as server:
        yield state, server


@pytest.fixture(scope="module")
def cc(stack):
    _, server = stack
    return boto3.client(
        "codecommit",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="test-access-key-id",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )


@pytest.fixture
def project(stack):
    state, _ = stack
    n = next(_counter)
    proj = {"name": f"churn-{n}", "id": f"p-{n:012d}", "bucket": f"churn-{n}-123456789012"}
    seed_codecommit(state, proj)
    proj["repo"] = f"{proj['name']}-project-repo"
    return proj


def _code(exc_info) -> str:
    return exc_info.value.response["Error"]["Code"]


def _git(*args, cwd=None) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env).stdout


def _tip(cc, repo, branch="main") -> str:
    return cc.get_branch(repositoryName=repo, branchName=branch)["branch"]["commitId"]


# -- repositories and branches ------------------------------------------------------------------------------------


def test_get_repository_shape(cc, project):
    meta = cc.get_repository(repositoryName=project["repo"])["repositoryMetadata"]
    assert meta["repositoryName"] == project["repo"]
    assert meta["accountId"] == "123456789012"
    assert meta["defaultBranch"] == "main"
    assert meta["Arn"] == f"arn:aws:codecommit:us-east-1:123456789012:{project['repo']}"
    assert meta["cloneUrlHttp"].startswith("file://") and meta["cloneUrlHttp"].endswith(f"{project['repo']}.git")
    assert meta["creationDate"].year == 2024  # parsed by botocore as a timestamp
    names = [r["repositoryName"] for r in cc.list_repositories()["repositories"]]
    assert project["repo"] in names


def test_unknown_repository(cc):
    with pytest.raises(ClientError) as err:
        cc.get_repository(repositoryName="no-such-repo")
    assert _code(err) == "RepositoryDoesNotExistException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as err:
        cc.get_repository(repositoryName="bad name!")
    assert _code(err) == "InvalidRepositoryNameException"


def test_list_tags_for_resource(cc, project):
    arn = cc.get_repository(repositoryName=project["repo"])["repositoryMetadata"]["Arn"]
    assert cc.list_tags_for_resource(resourceArn=arn)["tags"] == {
        "sagemaker:project-name": project["name"],
        "sagemaker:project-id": project["id"],
    }
    plain = f"plain-{next(_counter)}"
    cc.create_repository(repositoryName=plain)
    assert cc.list_tags_for_resource(resourceArn=arn.rsplit(":", 1)[0] + ":" + plain)["tags"] == {}
    with pytest.raises(ClientError) as err:
        cc.list_tags_for_resource(resourceArn=arn.rsplit(":", 1)[0] + ":no-such-repo")
    assert _code(err) == "RepositoryDoesNotExistException"
    with pytest.raises(ClientError) as err:
        cc.list_tags_for_resource(resourceArn="arn:aws:codecommit:eu-west-1:999999999999:" + project["repo"])
    assert _code(err) == "InvalidResourceArnException"


def test_branches_and_seed_history(cc, project):
    repo = project["repo"]
    assert sorted(cc.list_branches(repositoryName=repo)["branches"]) == ["dev", "main"]
    main, dev = _tip(cc, repo, "main"), _tip(cc, repo, "dev")
    commit = cc.get_commit(repositoryName=repo, commitId=dev)["commit"]
    assert commit["parents"] == [main]  # dev is exactly one commit ahead of main
    assert commit["author"]["name"] == "Data Scientist"
    assert commit["author"]["date"] == "1715072400 +0000"
    first = cc.get_commit(repositoryName=repo, commitId=main)["commit"]
    assert first["parents"] == [] and first["message"] == "Initial project scaffolding"
    with pytest.raises(ClientError) as err:
        cc.get_branch(repositoryName=repo, branchName="feature-x")
    assert _code(err) == "BranchDoesNotExistException"


def test_seed_is_deterministic(stack, cc, project):
    state, _ = stack
    # The same project seeded into another data dir produces the same commit ids.
    other = make_state(state.data_dir / "other")
    record = seed_codecommit(other, {k: project[k] for k in ("name", "id", "bucket")})
    assert record.git.branch_tip("dev") == _tip(cc, project["repo"], "dev")


def test_restart_on_same_data_dir_keeps_repositories(stack, cc, project):
    state, _ = stack
    restarted = make_state(state.data_dir)
    ext = CodeCommitExtension(restarted)
    assert project["repo"] in ext.store.repos
    record = seed_codecommit(restarted, {k: project[k] for k in ("name", "id", "bucket")})  # no re-seed
    assert record.git.branch_tip("dev") == _tip(cc, project["repo"], "dev")


def test_create_branch(cc, project):
    repo = project["repo"]
    main = _tip(cc, repo)
    cc.create_branch(repositoryName=repo, branchName="feature/tuning", commitId=main)
    assert _tip(cc, repo, "feature/tuning") == main
    with pytest.raises(ClientError) as err:
        cc.create_branch(repositoryName=repo, branchName="feature/tuning", commitId=main)
    assert _code(err) == "BranchNameExistsException"
    with pytest.raises(ClientError) as err:
        cc.create_branch(repositoryName=repo, branchName="other", commitId="0" * 40)
    assert _code(err) == "CommitDoesNotExistException"
    with pytest.raises(ClientError) as err:
        cc.create_branch(repositoryName=repo, branchName="bad..name", commitId=main)
    assert _code(err) == "InvalidBranchNameException"


# -- reading ----------------------------------------------------------------------------------------------------------


def test_get_file_model_config(cc, project):
    out = cc.get_file(repositoryName=project["repo"], commitSpecifier="main", filePath="model_config.yaml")
    text = out["fileContent"].decode()  # botocore decodes the base64 blob
    assert out["fileSize"] == len(out["fileContent"]) and out["fileMode"] == "NORMAL"
    assert "# " in text  # comments are part of the file
    config = yaml.safe_load(text)
    for key in ("framework", "framework_version", "data_config", "preprocess_config", "train_config",
                "inference_config", "bias_config"):
        assert key in config
    assert config["data_config"]["inputs"]["data"].startswith("s3://<project-bucket>/")
    assert config["bias_config"]["facet_name"] == "gender"
    assert config["bias_config"]["label_values_or_threshold"] == [1]
    assert config["preprocess_config"]["instance_type"].startswith("ml.")
    assert "notebook_defaults" in config  # a key the pipeline does not know
    dev = cc.get_file(repositoryName=project["repo"], commitSpecifier="dev", filePath="/model_config.yaml")
    assert yaml.safe_load(dev["fileContent"])["train_config"]["hyperparameters"]["num_round"] == 300
    params = yaml.safe_load(cc.get_file(repositoryName=project["repo"], filePath=".project_params.yaml")["fileContent"])
    assert params["bucket"] == project["bucket"]
    stage = json.loads(cc.get_file(repositoryName=project["repo"], filePath="prod-config.json")["fileContent"])
    assert {p["ParameterKey"] for p in stage} == {"EnvType", "EndpointInstanceCount", "EndpointInstanceType"}


def test_get_file_errors(cc, project):
    with pytest.raises(ClientError) as err:
        cc.get_file(repositoryName=project["repo"], filePath="nope.yaml")
    assert _code(err) == "FileDoesNotExistException"
    with pytest.raises(ClientError) as err:
        cc.get_file(repositoryName=project["repo"], filePath="pipelines")  # a folder, not a file
    assert _code(err) == "FileDoesNotExistException"
    with pytest.raises(ClientError) as err:
        cc.get_file(repositoryName=project["repo"], commitSpecifier="no-branch", filePath="README.md")
    assert _code(err) == "CommitDoesNotExistException"


def test_get_folder(cc, project):
    root = cc.get_folder(repositoryName=project["repo"], folderPath="/")
    files = {f["relativePath"] for f in root["files"]}
    assert {"model_config.yaml", ".project_params.yaml", "README.md", "staging-config.json"} <= files
    assert [f["absolutePath"] for f in root["subFolders"]] == ["pipelines"]
    sub = cc.get_folder(repositoryName=project["repo"], folderPath="pipelines", commitSpecifier="dev")
    assert sub["files"][0]["absolutePath"] == "pipelines/preprocess.py"
    assert sub["treeId"] == root["subFolders"][0]["treeId"]
    with pytest.raises(ClientError) as err:
        cc.get_folder(repositoryName=project["repo"], folderPath="nope")
    assert _code(err) == "FolderDoesNotExistException"


def test_get_commit_unknown(cc, project):
    with pytest.raises(ClientError) as err:
        cc.get_commit(repositoryName=project["repo"], commitId="1" * 40)
    assert _code(err) == "CommitIdDoesNotExistException"


def test_get_differences(cc, project):
    repo = project["repo"]
    diff = cc.get_differences(repositoryName=repo, beforeCommitSpecifier="main", afterCommitSpecifier="dev")
    assert [(d["changeType"], d["afterBlob"]["path"]) for d in diff["differences"]] == [("M", "model_config.yaml")]
    assert diff["differences"][0]["beforeBlob"]["mode"] == "100644"
    everything = cc.get_differences(repositoryName=repo, afterCommitSpecifier="main")["differences"]
    assert {d["changeType"] for d in everything} == {"A"} and len(everything) == 6
    page = cc.get_differences(repositoryName=repo, afterCommitSpecifier="main", MaxResults=4)
    rest = cc.get_differences(repositoryName=repo, afterCommitSpecifier="main", NextToken=page["NextToken"])
    assert len(page["differences"]) == 4 and len(rest["differences"]) == 2 and "NextToken" not in rest
    only = cc.get_differences(repositoryName=repo, afterCommitSpecifier="main", afterPath="pipelines")["differences"]
    assert [d["afterBlob"]["path"] for d in only] == ["pipelines/preprocess.py"]


# -- writing ----------------------------------------------------------------------------------------------------------


def test_put_file_and_concurrency_errors(stack, cc, project, tmp_path):
    repo = project["repo"]
    parent = _tip(cc, repo, "dev")
    with pytest.raises(ClientError) as err:
        cc.put_file(repositoryName=repo, branchName="dev", filePath="notes.md", fileContent=b"hi")
    assert _code(err) == "ParentCommitIdRequiredException"
    with pytest.raises(ClientError) as err:
        cc.put_file(repositoryName=repo, branchName="dev", filePath="notes.md", fileContent=b"", parentCommitId=parent)
    assert _code(err) == "FileContentRequiredException"
    with pytest.raises(ClientError) as err:
        cc.put_file(repositoryName=repo, branchName="nope", filePath="notes.md", fileContent=b"x", parentCommitId=parent)
    assert _code(err) == "BranchDoesNotExistException"
    same = cc.get_file(repositoryName=repo, commitSpecifier="dev", filePath="README.md")["fileContent"]
    with pytest.raises(ClientError) as err:
        cc.put_file(repositoryName=repo, branchName="dev", filePath="README.md", fileContent=same, parentCommitId=parent)
    assert _code(err) == "SameFileContentException"

    out = cc.put_file(repositoryName=repo, branchName="dev", filePath="notes/today.md", fileContent=b"# notes\n",
                      parentCommitId=parent, commitMessage="Add notes", name="Ada", email="ada@example.com")
    assert out["commitId"] != parent and _tip(cc, repo, "dev") == out["commitId"]
    commit = cc.get_commit(repositoryName=repo, commitId=out["commitId"])["commit"]
    assert commit["parents"] == [parent] and commit["message"] == "Add notes" and commit["author"]["email"] == "ada@example.com"
    assert commit["treeId"] == out["treeId"]

    # the same parent again is now outdated
    with pytest.raises(ClientError) as err:
        cc.put_file(repositoryName=repo, branchName="dev", filePath="other.md", fileContent=b"x", parentCommitId=parent)
    assert _code(err) == "ParentCommitIdOutdatedException"
    with pytest.raises(ClientError) as err:
        cc.put_file(repositoryName=repo, branchName="dev", filePath="model_config.yaml/x", fileContent=b"x",
                    parentCommitId=out["commitId"])
    assert _code(err) == "DirectoryNameConflictsWithFileNameException"

    # a git clone of the same repository sees the API's commit
    url = cc.get_repository(repositoryName=repo)["repositoryMetadata"]["cloneUrlHttp"]
    _git("clone", "--quiet", "--branch", "dev", url, str(tmp_path / "wc"))
    assert (tmp_path / "wc" / "notes" / "today.md").read_text() == "# notes\n"
    assert _git("rev-parse", "HEAD", cwd=tmp_path / "wc").strip() == out["commitId"]


def test_git_push_makes_api_parent_outdated(cc, project, tmp_path):
    repo = project["repo"]
    url = cc.get_repository(repositoryName=repo)["repositoryMetadata"]["cloneUrlHttp"]
    before = _tip(cc, repo, "main")
    wc = tmp_path / "wc"
    _git("clone", "--quiet", url, str(wc))
    (wc / "train.py").write_text("print('train')\n")
    _git("add", "train.py", cwd=wc)
    _git("commit", "--quiet", "-m", "Add training script", cwd=wc)
    _git("push", "--quiet", "origin", "main", cwd=wc)
    pushed = _git("rev-parse", "HEAD", cwd=wc).strip()
    assert _tip(cc, repo, "main") == pushed
    with pytest.raises(ClientError) as err:
        cc.put_file(repositoryName=repo, branchName="main", filePath="x.txt", fileContent=b"x", parentCommitId=before)
    assert _code(err) == "ParentCommitIdOutdatedException"
    assert cc.get_file(repositoryName=repo, filePath="train.py")["fileContent"] == b"print('train')\n"


def test_racing_writers_one_wins(cc, project):
    repo = project["repo"]
    parent = _tip(cc, repo, "dev")
    results: list = []

    def write(i: int) -> None:
        try:
            results.append(cc.put_file(repositoryName=repo, branchName="dev", filePath=f"race-{i}.txt",
                                       fileContent=f"{i}".encode(), parentCommitId=parent)["commitId"])
        except ClientError as exc:
            results.append(exc.response["Error"]["Code"])

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [r for r in results if not r.endswith("Exception")]
    assert len(winners) == 1 and results.count("ParentCommitIdOutdatedException") == 3
    assert _tip(cc, repo, "dev") == winners[0]


def test_create_commit(cc, project, tmp_path):
    repo = project["repo"]
    parent = _tip(cc, repo, "dev")
    with pytest.raises(ClientError) as err:
        cc.create_commit(repositoryName=repo, branchName="dev", parentCommitId=parent)
    assert _code(err) == "FileEntryRequiredException"
    with pytest.raises(ClientError) as err:
        cc.create_commit(repositoryName=repo, branchName="dev", parentCommitId=parent,
                         deleteFiles=[{"filePath": "missing.txt"}])
    assert _code(err) == "FileDoesNotExistException"
    with pytest.raises(ClientError) as err:
        cc.create_commit(repositoryName=repo, branchName="dev", putFiles=[{"filePath": "a.txt", "fileContent": b"a"}])
    assert _code(err) == "ParentCommitIdRequiredException"

    out = cc.create_commit(
        repositoryName=repo, branchName="dev", parentCommitId=parent, authorName="Ada", email="ada@example.com",
        commitMessage="Restructure",
        putFiles=[
            {"filePath": "src/train.py", "fileContent": b"print(1)\n", "fileMode": "EXECUTABLE"},
            {"filePath": "README.md", "fileContent": b"# changed\n"},
            {"filePath": "docs/stage.json", "sourceFile": {"filePath": "staging-config.json", "isMove": True}},
        ],
        deleteFiles=[{"filePath": "prod-config.json"}],
    )
    assert [f["absolutePath"] for f in out["filesAdded"]] == ["src/train.py", "docs/stage.json"]
    assert out["filesAdded"][0]["fileMode"] == "EXECUTABLE"
    assert [f["absolutePath"] for f in out["filesUpdated"]] == ["README.md"]
    assert sorted(f["absolutePath"] for f in out["filesDeleted"]) == ["prod-config.json", "staging-config.json"]
    diff = cc.get_differences(repositoryName=repo, beforeCommitSpecifier=parent, afterCommitSpecifier=out["commitId"])
    kinds = sorted((d["changeType"], (d.get("afterBlob") or d["beforeBlob"])["path"]) for d in diff["differences"])
    assert kinds == [("A", "docs/stage.json"), ("A", "src/train.py"), ("D", "prod-config.json"),
                     ("D", "staging-config.json"), ("M", "README.md")]
    with pytest.raises(ClientError) as err:
        cc.create_commit(repositoryName=repo, branchName="dev", parentCommitId=parent,
                         putFiles=[{"filePath": "b.txt", "fileContent": b"b"}])
    assert _code(err) == "ParentCommitIdOutdatedException"
    with pytest.raises(ClientError) as err:
        cc.create_commit(repositoryName=repo, branchName="dev", parentCommitId=out["commitId"],
                         putFiles=[{"filePath": "README.md", "fileContent": b"# changed\n"}])
    assert _code(err) == "NoChangeException"


def test_first_commit_into_empty_repository(cc):
    cc.create_repository(repositoryName="empty-repo", repositoryDescription="nothing yet")
    meta = cc.get_repository(repositoryName="empty-repo")["repositoryMetadata"]
    assert "defaultBranch" not in meta
    out = cc.put_file(repositoryName="empty-repo", branchName="trunk", filePath="a.txt", fileContent=b"a")
    assert cc.get_repository(repositoryName="empty-repo")["repositoryMetadata"]["defaultBranch"] == "trunk"
    assert cc.get_commit(repositoryName="empty-repo", commitId=out["commitId"])["commit"]["parents"] == []


# -- pull requests ----------------------------------------------------------------------------------------------------


def test_pull_request_fast_forward(cc, project):
    repo = project["repo"]
    pr = cc.create_pull_request(title="Tune model", description="More rounds",
                                targets=[{"repositoryName": repo, "sourceReference": "dev", "destinationReference": "main"}])["pullRequest"]
    pr_id = pr["pullRequestId"]
    assert isinstance(pr_id, str) and pr["pullRequestStatus"] == "OPEN"
    target = pr["pullRequestTargets"][0]
    assert target["sourceReference"] == "refs/heads/dev" and target["destinationReference"] == "refs/heads/main"
    assert target["mergeBase"] == _tip(cc, repo, "main") and target["mergeMetadata"] == {"isMerged": False}
    assert pr_id in cc.list_pull_requests(repositoryName=repo, pullRequestStatus="OPEN")["pullRequestIds"]
    assert cc.get_pull_request(pullRequestId=pr_id)["pullRequest"]["title"] == "Tune model"

    old_source = target["sourceCommit"]
    new = cc.put_file(repositoryName=repo, branchName="dev", filePath="more.txt", fileContent=b"more", parentCommitId=old_source)
    # the open pull request follows its source branch
    assert cc.get_pull_request(pullRequestId=pr_id)["pullRequest"]["pullRequestTargets"][0]["sourceCommit"] == new["commitId"]
    with pytest.raises(ClientError) as err:
        cc.merge_pull_request_by_fast_forward(pullRequestId=pr_id, repositoryName=repo, sourceCommitId=old_source)
    assert _code(err) == "TipOfSourceReferenceIsDifferentException"

    merged = cc.merge_pull_request_by_fast_forward(pullRequestId=pr_id, repositoryName=repo,
                                                   sourceCommitId=new["commitId"])["pullRequest"]
    meta = merged["pullRequestTargets"][0]["mergeMetadata"]
    assert merged["pullRequestStatus"] == "CLOSED"
    assert meta["isMerged"] and meta["mergeOption"] == "FAST_FORWARD_MERGE" and meta["mergeCommitId"] == new["commitId"]
    assert meta["mergedBy"].startswith("arn:aws:iam::123456789012:")
    assert _tip(cc, repo, "main") == new["commitId"]
    assert pr_id in cc.list_pull_requests(repositoryName=repo, pullRequestStatus="CLOSED")["pullRequestIds"]
    assert pr_id not in cc.list_pull_requests(repositoryName=repo, pullRequestStatus="OPEN")["pullRequestIds"]
    with pytest.raises(ClientError) as err:
        cc.merge_pull_request_by_fast_forward(pullRequestId=pr_id, repositoryName=repo)
    assert _code(err) == "PullRequestAlreadyClosedException"


def test_pull_request_errors(cc, project):
    repo = project["repo"]
    with pytest.raises(ClientError) as err:
        cc.get_pull_request(pullRequestId="987654")
    assert _code(err) == "PullRequestDoesNotExistException"
    with pytest.raises(ClientError) as err:
        cc.create_pull_request(title="x", targets=[{"repositoryName": repo, "sourceReference": "nope"}])
    assert _code(err) == "ReferenceDoesNotExistException"
    with pytest.raises(ClientError) as err:
        cc.create_pull_request(title="x", targets=[{"repositoryName": repo, "sourceReference": "main"}])
    assert _code(err) == "SourceAndDestinationAreSameException"

    # main moves on after dev branched: dev can no longer be fast-forwarded into main
    main = _tip(cc, repo, "main")
    cc.put_file(repositoryName=repo, branchName="main", filePath="hotfix.txt", fileContent=b"fix", parentCommitId=main)
    pr = cc.create_pull_request(title="Tune", targets=[{"repositoryName": repo, "sourceReference": "dev"}],
                                clientRequestToken="tok-1")["pullRequest"]
    again = cc.create_pull_request(title="Tune", targets=[{"repositoryName": repo, "sourceReference": "dev"}],
                                   clientRequestToken="tok-1")["pullRequest"]
    assert again["pullRequestId"] == pr["pullRequestId"]  # idempotent on the client request token
    with pytest.raises(ClientError) as err:
        cc.create_pull_request(title="Other", targets=[{"repositoryName": repo, "sourceReference": "dev"}],
                               clientRequestToken="tok-1")
    assert _code(err) == "IdempotencyParameterMismatchException"
    with pytest.raises(ClientError) as err:
        cc.merge_pull_request_by_fast_forward(pullRequestId=pr["pullRequestId"], repositoryName=repo)
    assert _code(err) == "ManualMergeRequiredException"
    assert cc.get_pull_request(pullRequestId=pr["pullRequestId"])["pullRequest"]["pullRequestStatus"] == "OPEN"
