"""AWS CodeCommit (awsJson1_1, ``CodeCommit_20150413.<Op>``) backed by real bare git repositories.

Every repository is a bare repository under ``<data_dir>/codecommit/<name>.git``; the API writes objects with
git plumbing (``hash-object``, a throw-away index, ``write-tree``, ``commit-tree``) and moves branches with
``update-ref <ref> <new> <old>`` so that a concurrent ``git push`` into the same repository can never be lost:
whoever loses the compare-and-swap gets ``ParentCommitIdOutdatedException`` (or
``ConcurrentReferenceUpdateException`` for merges), as on AWS. A ``git clone`` of ``cloneUrlHttp`` sees exactly
what the API wrote, and the API sees what ``git push`` wrote.

Pull requests and repository metadata (ids, descriptions, dates) live in memory for the run.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from .contract import AwsError, Request, Response

TARGET_PREFIX = "CodeCommit_20150413."
ZERO_OID = "0" * 40
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
MAX_FILE_SIZE = 6 * 1024 * 1024
MAX_COMMIT_SIZE = 7 * 1024 * 1024

MODE_TO_ENUM = {"100644": "NORMAL", "100755": "EXECUTABLE", "120000": "SYMLINK"}
ENUM_TO_MODE = {v: k for k, v in MODE_TO_ENUM.items()}

_REPO_NAME = re.compile(r"^[\w.-]{1,100}$")
_FULL_OID = re.compile(r"^[0-9a-f]{40}$")


def _now() -> datetime:
    return datetime.now(timezone.utc)


# ---------------------------------------------------------------------------------------------------------------
# git plumbing


class GitError(RuntimeError):
    pass


def _git_env(extra: Optional[dict] = None) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GIT_") or k in ("GIT_EXEC_PATH",)
    }
    env.update(
        {
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",
        }
    )
    if extra:
        env.update(extra)
    return env


class GitRepo:
    """A bare repository driven with the git CLI."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def run(self, *args: str, input: Optional[bytes] = None, env: Optional[dict] = None, check: bool = True) -> bytes:
        proc = subprocess.run(
            ["git", "--git-dir", str(self.path), *args],
            input=input,
            capture_output=True,
            env=_git_env(env),
        )
        if check and proc.returncode != 0:
            raise GitError(f"git {' '.join(args)}: {proc.stderr.decode(errors='replace').strip()}")
        return proc.stdout

    def ok(self, *args: str) -> bool:
        return subprocess.run(
            ["git", "--git-dir", str(self.path), *args], capture_output=True, env=_git_env()
        ).returncode == 0

    @classmethod
    def init(cls, path: Path, initial_branch: str = "main") -> "GitRepo":
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "init", "--quiet", "--bare", str(path)], check=True, capture_output=True, env=_git_env())
        repo = cls(path)
        repo.run("symbolic-ref", "HEAD", f"refs/heads/{initial_branch}")
        return repo

    # -- reading ------------------------------------------------------------------------------------------------
    def resolve_commit(self, spec: str) -> Optional[str]:
        """The full commit id for a branch name, a ref, a tag or a (possibly abbreviated) commit id."""
        if not spec or spec.startswith("-"):
            return None
        candidates = [f"refs/heads/{spec}", spec] if not spec.startswith("refs/") else [spec]
        for cand in candidates:
            out = self.run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{cand}^{{commit}}", check=False)
            if out.strip():
                return out.decode().strip()
        return None

    def branch_tip(self, branch: str) -> Optional[str]:
        out = self.run("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}^{{commit}}", check=False)
        return out.decode().strip() or None

    def branches(self) -> list[str]:
        out = self.run("for-each-ref", "--format=%(refname)", "refs/heads/")
        return [line[len("refs/heads/"):] for line in out.decode().splitlines() if line]

    def head_branch(self) -> Optional[str]:
        out = self.run("symbolic-ref", "--quiet", "HEAD", check=False).decode().strip()
        return out[len("refs/heads/"):] if out.startswith("refs/heads/") else None

    def tree_of(self, commit: str) -> str:
        return self.run("rev-parse", f"{commit}^{{tree}}").decode().strip()

    def ls_tree(self, treeish: str, path: str = "", recursive: bool = True) -> dict[str, tuple[str, str, str]]:
        """``{path: (mode, type, oid)}``; recursive listings hold blobs and submodules only."""
        args = ["ls-tree", "-z", "--full-tree"]
        if recursive:
            args.append("-r")
        args.append(treeish)
        if path:
            args += ["--", path]
        entries = {}
        for record in self.run(*args).split(b"\0"):
            if not record:
                continue
            meta, name = record.split(b"\t", 1)
            mode, typ, oid = meta.decode().split(" ")
            entries[name.decode("utf-8", "surrogateescape")] = (mode, typ, oid)
        return entries

    def cat(self, oid: str) -> bytes:
        return self.run("cat-file", "-p", oid)

    def object_type(self, oid: str) -> Optional[str]:
        out = self.run("cat-file", "-t", oid, check=False).decode().strip()
        return out or None

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        return self.ok("merge-base", "--is-ancestor", ancestor, descendant)

    def merge_base(self, a: str, b: str) -> Optional[str]:
        out = self.run("merge-base", a, b, check=False).decode().strip()
        return out or None

    def commit_info(self, oid: str) -> dict:
        raw = self.run("cat-file", "commit", oid).decode("utf-8", "replace")
        header, _, message = raw.partition("\n\n")
        info: dict = {"commitId": oid, "parents": [], "additionalData": ""}
        for line in header.splitlines():
            key, _, value = line.partition(" ")
            if key == "tree":
                info["treeId"] = value
            elif key == "parent":
                info["parents"].append(value)
            elif key in ("author", "committer"):
                m = re.match(r"^(.*?) <(.*)> (\d+ [+-]\d{4})$", value)
                if m:
                    info[key] = {"name": m.group(1), "email": m.group(2), "date": m.group(3)}
        info["message"] = message[:-1] if message.endswith("\n") else message
        return info

    # -- writing ------------------------------------------------------------------------------------------------
    def write_blob(self, data: bytes) -> str:
        return self.run("hash-object", "-w", "--stdin", input=data).decode().strip()

    def write_tree(self, base_tree: Optional[str], changes: list[tuple[str, Optional[str], Optional[str]]]) -> str:
        """A new tree: ``base_tree`` with ``changes`` = ``[(path, mode, oid)]`` applied (mode None deletes)."""
        with tempfile.TemporaryDirectory(prefix="cc-index-") as tmp:
            env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
            if base_tree:
                self.run("read-tree", base_tree, env=env)
            else:
                self.run("read-tree", "--empty", env=env)
            lines = []
            for path, mode, oid in changes:
                if mode is None:
                    lines.append(f"0 {ZERO_OID}\t{path}")
                else:
                    lines.append(f"{mode} {oid}\t{path}")
            if lines:
                self.run("update-index", "-z", "--index-info", input=("\0".join(lines) + "\0").encode(), env=env)
            return self.run("write-tree", env=env).decode().strip()

    def commit_tree(
        self,
        tree: str,
        parents: list[str],
        message: str,
        author: tuple[str, str],
        date: Optional[str] = None,
        committer: Optional[tuple[str, str]] = None,
    ) -> str:
        committer = committer or author
        env = {
            "GIT_AUTHOR_NAME": author[0],
            "GIT_AUTHOR_EMAIL": author[1],
            "GIT_COMMITTER_NAME": committer[0],
            "GIT_COMMITTER_EMAIL": committer[1],
        }
        if date:
            env["GIT_AUTHOR_DATE"] = date
            env["GIT_COMMITTER_DATE"] = date
        args = ["commit-tree", tree]
        for p in parents:
            args += ["-p", p]
        args += ["-F", "-"]
        return self.run(*args, input=message.encode(), env=env).decode().strip()

    def update_ref(self, branch: str, new: str, old: Optional[str]) -> bool:
        """Compare-and-swap the branch: fails (False) unless it still points at ``old`` (None: must not exist)."""
        return self.ok("update-ref", f"refs/heads/{branch}", new, old or ZERO_OID)


# ---------------------------------------------------------------------------------------------------------------
# state


@dataclass
class RepoRecord:
    name: str
    repository_id: str
    description: str
    creation_date: datetime
    last_modified: datetime
    path: Path
    kms_key_id: str = ""
    tags: dict = field(default_factory=dict)

    @property
    def git(self) -> GitRepo:
        return GitRepo(self.path)


@dataclass
class PullRequestRecord:
    pull_request_id: str
    title: str
    description: str
    repository_name: str
    source_ref: str
    destination_ref: str
    source_commit: str
    destination_commit: str
    merge_base: Optional[str]
    author_arn: str
    creation_date: datetime
    last_activity: datetime
    client_request_token: str
    revision_id: str
    status: str = "OPEN"
    merge_metadata: dict = field(default_factory=lambda: {"isMerged": False})


class CodeCommitStore:
    def __init__(self, state) -> None:
        self.state = state
        self.root = Path(state.data_dir) / "codecommit"
        self.root.mkdir(parents=True, exist_ok=True)
        self.repos: dict[str, RepoRecord] = {}
        self.pull_requests: dict[str, PullRequestRecord] = {}
        self.tokens: dict[str, str] = {}
        self.next_pr = 1
        self.lock = threading.RLock()
        for path in sorted(self.root.glob("*.git")):  # repositories left by an earlier run on this data dir
            mtime = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
            name = path.name[: -len(".git")]
            self.repos[name] = RepoRecord(
                name=name,
                repository_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"codecommit:{state.account_id}:{name}")),
                description="",
                creation_date=mtime,
                last_modified=mtime,
                path=path,
            )

    def create_repository(
        self, name: str, description: str = "", tags: Optional[dict] = None, when: Optional[datetime] = None
    ) -> RepoRecord:
        with self.lock:
            if name in self.repos:
                raise AwsError("RepositoryNameExistsException", f"Repository named {name} already exists")
            path = self.root / f"{name}.git"
            if not path.exists():
                GitRepo.init(path)
            when = when or _now()
            record = RepoRecord(
                name=name,
                repository_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"codecommit:{self.state.account_id}:{name}")),
                description=description,
                creation_date=when,
                last_modified=when,
                path=path,
                tags=dict(tags or {}),
            )
            self.repos[name] = record
            return record


def codecommit_store(state) -> CodeCommitStore:
    store = getattr(state, "codecommit", None)
    if store is None:
        lock = getattr(state, "lock", None) or threading.RLock()
        with lock:
            store = getattr(state, "codecommit", None)
            if store is None:
                store = CodeCommitStore(state)
                state.codecommit = store
    return store


# ---------------------------------------------------------------------------------------------------------------
# helpers


def _b64decode(value, field_name: str) -> bytes:
    try:
        return base64.b64decode(value or "", validate=True)
    except (ValueError, TypeError):
        raise AwsError("InvalidParameterException", f"{field_name} is not valid base64-encoded content.")


def _norm_path(path: Optional[str], required_exc: str = "PathRequiredException") -> str:
    if path is None or path == "":
        raise AwsError(required_exc, "A file path is required, but was not specified.")
    p = path.strip("/") if path != "/" else ""
    parts = p.split("/") if p else []
    if any(part in ("", ".", "..", ".git") for part in parts) or "\0" in p or "\\" in p:
        raise AwsError("InvalidPathException", f"The specified path is not valid: {path}")
    return p


def _paginate(items: list, token: Optional[str], size: int, exc: str = "InvalidContinuationTokenException"):
    start = 0
    if token:
        try:
            start = int(json.loads(base64.urlsafe_b64decode(token.encode()))["offset"])
        except Exception:
            raise AwsError(exc, "The specified continuation token is not valid.")
        if start < 0 or start > len(items):
            raise AwsError(exc, "The specified continuation token is not valid.")
    page = items[start : start + size]
    nxt = None
    if start + size < len(items):
        nxt = base64.urlsafe_b64encode(json.dumps({"offset": start + size}).encode()).decode()
    return page, nxt


def _author(req: Request, name: Optional[str], email: Optional[str]) -> tuple[str, str]:
    if name is not None and len(name) > 1024:
        raise AwsError("NameLengthExceededException", "The user name is not valid because it has exceeded the character limit for author names.")
    if email and not re.match(r"^[^@\s<>]+@[^@\s<>]+$", email):
        raise AwsError("InvalidEmailException", f"The specified email address {email} is not valid.")
    return (name or req.principal or "devstack", email or "")


# ---------------------------------------------------------------------------------------------------------------
# the extension


class CodeCommitExtension:
    service = "codecommit"
    iam_prefix = "codecommit"
    requires_sigv4 = True

    OPERATIONS = (
        "CreateRepository",
        "DeleteRepository",
        "GetRepository",
        "ListRepositories",
        "GetBranch",
        "ListBranches",
        "CreateBranch",
        "GetFile",
        "GetFolder",
        "PutFile",
        "CreateCommit",
        "GetCommit",
        "GetDifferences",
        "CreatePullRequest",
        "GetPullRequest",
        "ListPullRequests",
        "MergePullRequestByFastForward",
        "ListTagsForResource",
    )

    def __init__(self, state) -> None:
        self.state = state
        self.store = codecommit_store(state)

    # -- contract -----------------------------------------------------------------------------------------------
    def operation(self, request: Request) -> Optional[str]:
        target = request.target
        if request.method == "POST" and target.startswith(TARGET_PREFIX):
            return target[len(TARGET_PREFIX):]
        return None

    def dispatch(self, request: Request, operation: str) -> Response:
        if operation not in self.OPERATIONS:
            raise AwsError("UnknownOperationException", f"The devstack does not implement CodeCommit {operation}.")
        try:
            params = request.json()
        except ValueError:
            raise AwsError("SerializationException", "The request body is not valid JSON.")
        if not isinstance(params, dict):
            raise AwsError("SerializationException", "The request body must be a JSON object.")
        handler = getattr(self, "_op_" + re.sub(r"(?<!^)([A-Z])", r"_\1", operation).lower())
        with self.store.lock:
            result = handler(request, params)
        return Response.json(result)

    # -- lookups ------------------------------------------------------------------------------------------------
    def _repo(self, params: dict, key: str = "repositoryName") -> RepoRecord:
        name = params.get(key)
        if not name:
            raise AwsError("RepositoryNameRequiredException", "A repository name is required, but was not specified.")
        if not isinstance(name, str) or not _REPO_NAME.match(name):
            raise AwsError("InvalidRepositoryNameException", f"The repository name {name} is not valid.")
        record = self.store.repos.get(name)
        if record is None:
            raise AwsError("RepositoryDoesNotExistException", f"{name} does not exist")
        return record

    def _branch_name(self, params: dict, key: str = "branchName") -> str:
        name = params.get(key)
        if not name:
            raise AwsError("BranchNameRequiredException", "A branch name is required, but was not specified.")
        if not isinstance(name, str) or len(name) > 256 or not subprocess.run(
            ["git", "check-ref-format", f"refs/heads/{name}"], capture_output=True
        ).returncode == 0:
            raise AwsError("InvalidBranchNameException", f"The specified branch name {name} is not valid.")
        return name

    def _commit_id(self, repo: RepoRecord, params: dict, missing_code: str, key: str = "commitId") -> str:
        """The full id of the commit ``params[key]`` names (a full or abbreviated hex id); ``missing_code`` is the
        error code the operation uses when there is no such commit (GetCommit and CreateBranch differ)."""
        commit_id = params.get(key)
        if not commit_id:
            raise AwsError("CommitIdRequiredException", "A commit ID was not specified.")
        if not isinstance(commit_id, str) or not re.match(r"^[0-9a-fA-F]{4,40}$", commit_id):
            raise AwsError("InvalidCommitIdException", f"The specified commit ID {commit_id} is not valid.")
        oid = repo.git.resolve_commit(commit_id.lower())
        if not oid:
            raise AwsError(missing_code, f"Could not find commit {commit_id} in repository {repo.name}.")
        return oid

    def _commit_for(self, repo: RepoRecord, spec: Optional[str]) -> str:
        git = repo.git
        if not spec:
            default = git.head_branch()
            tip = git.branch_tip(default) if default else None
            if not tip:
                raise AwsError(
                    "CommitDoesNotExistException",
                    f"No commit was specified, and the repository {repo.name} has no default branch.",
                )
            return tip
        if not isinstance(spec, str) or spec.startswith("-") or len(spec) > 1024:
            raise AwsError("InvalidCommitException", f"The specified commit {spec} is not valid.")
        oid = git.resolve_commit(spec)
        if not oid:
            raise AwsError("CommitDoesNotExistException", f"Could not find commit '{spec}' in repository {repo.name}.")
        return oid

    def _metadata(self, repo: RepoRecord) -> dict:
        st = self.state
        meta = {
            "accountId": st.account_id,
            "repositoryId": repo.repository_id,
            "repositoryName": repo.name,
            "lastModifiedDate": repo.last_modified,
            "creationDate": repo.creation_date,
            "cloneUrlHttp": repo.path.resolve().as_uri(),
            "Arn": f"arn:aws:codecommit:{st.region}:{st.account_id}:{repo.name}",
        }
        if repo.description:
            meta["repositoryDescription"] = repo.description
        default = repo.git.head_branch()
        if default and repo.git.branch_tip(default):
            meta["defaultBranch"] = default
        if repo.kms_key_id:
            meta["kmsKeyId"] = repo.kms_key_id
        return meta

    # -- repositories -------------------------------------------------------------------------------------------
    def _op_create_repository(self, req: Request, p: dict) -> dict:
        name = p.get("repositoryName")
        if not name:
            raise AwsError("RepositoryNameRequiredException", "A repository name is required, but was not specified.")
        if not isinstance(name, str) or not _REPO_NAME.match(name) or name.endswith(".git"):
            raise AwsError("InvalidRepositoryNameException", f"The repository name {name} is not valid.")
        description = p.get("repositoryDescription") or ""
        if len(description) > 1000:
            raise AwsError("InvalidRepositoryDescriptionException", "The repository description is longer than 1,000 characters.")
        record = self.store.create_repository(name, description, p.get("tags"))
        if p.get("kmsKeyId"):
            record.kms_key_id = p["kmsKeyId"]
        return {"repositoryMetadata": self._metadata(record)}

    def _op_delete_repository(self, req: Request, p: dict) -> dict:
        name = p.get("repositoryName")
        if not name:
            raise AwsError("RepositoryNameRequiredException", "A repository name is required, but was not specified.")
        record = self.store.repos.pop(name, None)
        if record is None:
            return {}
        import shutil

        shutil.rmtree(record.path, ignore_errors=True)
        return {"repositoryId": record.repository_id}

    def _op_get_repository(self, req: Request, p: dict) -> dict:
        return {"repositoryMetadata": self._metadata(self._repo(p))}

    def _op_list_repositories(self, req: Request, p: dict) -> dict:
        sort_by = p.get("sortBy") or "repositoryName"
        order = p.get("order") or "ascending"
        if sort_by not in ("repositoryName", "lastModifiedDate"):
            raise AwsError("InvalidSortByException", f"The specified sort by value {sort_by} is not valid.")
        if order not in ("ascending", "descending"):
            raise AwsError("InvalidOrderException", f"The specified sort order {order} is not valid.")
        repos = sorted(
            self.store.repos.values(),
            key=(lambda r: r.name) if sort_by == "repositoryName" else (lambda r: (r.last_modified, r.name)),
            reverse=order == "descending",
        )
        page, nxt = _paginate(repos, p.get("nextToken"), 1000)
        out: dict = {"repositories": [{"repositoryName": r.name, "repositoryId": r.repository_id} for r in page]}
        if nxt:
            out["nextToken"] = nxt
        return out

    def _op_list_tags_for_resource(self, req: Request, p: dict) -> dict:
        arn = p.get("resourceArn")
        if not arn:
            raise AwsError("ResourceArnRequiredException", "A valid Amazon Resource Name (ARN) for a CodeCommit resource is required but was not specified.")
        prefix = f"arn:aws:codecommit:{self.state.region}:{self.state.account_id}:"
        name = arn[len(prefix):] if isinstance(arn, str) and arn.startswith(prefix) else ""
        if not _REPO_NAME.match(name):
            raise AwsError("InvalidResourceArnException", f"The value for the resource ARN is not valid: {arn}")
        record = self.store.repos.get(name)
        if record is None:
            raise AwsError("RepositoryDoesNotExistException", f"{name} does not exist")
        return {"tags": dict(record.tags)}

    # -- branches -----------------------------------------------------------------------------------------------
    def _op_get_branch(self, req: Request, p: dict) -> dict:
        repo = self._repo(p)
        branch = self._branch_name(p)
        tip = repo.git.branch_tip(branch)
        if not tip:
            raise AwsError("BranchDoesNotExistException", f"Could not find branch {branch} in repository {repo.name}.")
        return {"branch": {"branchName": branch, "commitId": tip}}

    def _op_list_branches(self, req: Request, p: dict) -> dict:
        repo = self._repo(p)
        page, nxt = _paginate(sorted(repo.git.branches()), p.get("nextToken"), 100)
        out: dict = {"branches": page}
        if nxt:
            out["nextToken"] = nxt
        return out

    def _op_create_branch(self, req: Request, p: dict) -> dict:
        repo = self._repo(p)
        branch = self._branch_name(p)
        oid = self._commit_id(repo, p, "CommitDoesNotExistException")
        if repo.git.branch_tip(branch):
            raise AwsError(
                "BranchNameExistsException", f"Cannot create branch {branch} because a branch with that name already exists."
            )
        if not repo.git.update_ref(branch, oid, None):
            raise AwsError("BranchNameExistsException", f"Cannot create branch {branch} because a branch with that name already exists.")
        self._touch(repo)
        return {}

    # -- reading files ------------------------------------------------------------------------------------------
    def _op_get_file(self, req: Request, p: dict) -> dict:
        repo = self._repo(p)
        path = _norm_path(p.get("filePath"))
        commit = self._commit_for(repo, p.get("commitSpecifier"))
        entries = repo.git.ls_tree(commit, path, recursive=False) if path else {}
        entry = entries.get(path)
        if not entry or entry[1] != "blob":
            raise AwsError("FileDoesNotExistException", f"The file {path} does not exist in commit {commit}.")
        mode, _, oid = entry
        content = repo.git.cat(oid)
        if len(content) > MAX_FILE_SIZE:
            raise AwsError("FileTooLargeException", f"The file {path} is larger than the maximum of 6 MB that GetFile returns.")
        return {
            "commitId": commit,
            "blobId": oid,
            "filePath": path,
            "fileMode": MODE_TO_ENUM.get(mode, "NORMAL"),
            "fileSize": len(content),
            "fileContent": base64.b64encode(content).decode(),
        }

    def _op_get_folder(self, req: Request, p: dict) -> dict:
        repo = self._repo(p)
        raw = p.get("folderPath")
        if raw is None or raw == "":
            raise AwsError("PathRequiredException", "The folderPath for a location cannot be null.")
        path = _norm_path(raw)
        commit = self._commit_for(repo, p.get("commitSpecifier"))
        if path:
            entry = repo.git.ls_tree(commit, path, recursive=False).get(path)
            if not entry or entry[1] != "tree":
                raise AwsError("FolderDoesNotExistException", f"The folder {raw} does not exist in commit {commit}.")
            tree = entry[2]
        else:
            tree = repo.git.tree_of(commit)
        out: dict = {"commitId": commit, "folderPath": raw, "treeId": tree,
                     "subFolders": [], "files": [], "symbolicLinks": [], "subModules": []}
        for name, (mode, typ, oid) in repo.git.ls_tree(tree, recursive=False).items():
            absolute = f"{path}/{name}" if path else name
            if typ == "tree":
                out["subFolders"].append({"treeId": oid, "absolutePath": absolute, "relativePath": name})
            elif typ == "commit":
                out["subModules"].append({"commitId": oid, "absolutePath": absolute, "relativePath": name})
            elif mode == "120000":
                out["symbolicLinks"].append({"blobId": oid, "absolutePath": absolute, "relativePath": name, "fileMode": "SYMLINK"})
            else:
                out["files"].append(
                    {"blobId": oid, "absolutePath": absolute, "relativePath": name, "fileMode": MODE_TO_ENUM.get(mode, "NORMAL")}
                )
        return out

    def _op_get_commit(self, req: Request, p: dict) -> dict:
        repo = self._repo(p)
        oid = self._commit_id(repo, p, "CommitIdDoesNotExistException")
        return {"commit": repo.git.commit_info(oid)}

    def _op_get_differences(self, req: Request, p: dict) -> dict:
        repo = self._repo(p)
        after_spec = p.get("afterCommitSpecifier")
        if not after_spec:
            raise AwsError("CommitRequiredException", "A commit was not specified.")
        after = self._commit_for(repo, after_spec)
        before = self._commit_for(repo, p.get("beforeCommitSpecifier")) if p.get("beforeCommitSpecifier") else None
        max_results = p.get("MaxResults")
        if max_results is not None and (not isinstance(max_results, int) or max_results < 1 or max_results > 1000):
            raise AwsError("InvalidMaxResultsException", f"The specified number of maximum results {max_results} is not valid.")
        before_path = _norm_path(p["beforePath"]) if p.get("beforePath") else None
        after_path = _norm_path(p["afterPath"]) if p.get("afterPath") else None
        for commit, path in ((before, before_path), (after, after_path)):
            if path and commit and not repo.git.ls_tree(commit, path, recursive=False).get(path):
                raise AwsError("PathDoesNotExistException", f"The path {path} does not exist in commit {commit}.")
        out = repo.git.run("diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", before or EMPTY_TREE, after)
        fields = out.split(b"\0")
        diffs = []
        i = 0
        while i < len(fields) - 1:
            meta = fields[i].decode()
            if not meta.startswith(":"):
                i += 1
                continue
            path = fields[i + 1].decode("utf-8", "surrogateescape")
            i += 2
            old_mode, new_mode, old_oid, new_oid, status = meta[1:].split(" ")
            if not self._under(path, before_path) and not self._under(path, after_path):
                if before_path or after_path:
                    continue
            change = {"A": "A", "D": "D"}.get(status[0], "M")
            item: dict = {"changeType": change}
            if change != "A":
                item["beforeBlob"] = {"blobId": old_oid, "path": path, "mode": old_mode}
            if change != "D":
                item["afterBlob"] = {"blobId": new_oid, "path": path, "mode": new_mode}
            diffs.append(item)
        page, nxt = _paginate(diffs, p.get("NextToken"), max_results or 100)
        result: dict = {"differences": page}
        if nxt:
            result["NextToken"] = nxt
        return result

    @staticmethod
    def _under(path: str, prefix: Optional[str]) -> bool:
        return bool(prefix) and (path == prefix or path.startswith(prefix + "/"))

    # -- writing ------------------------------------------------------------------------------------------------
    def _touch(self, repo: RepoRecord) -> None:
        repo.last_modified = _now()

    def _parent_for_write(self, repo: RepoRecord, branch: str, parent: Optional[str]) -> Optional[str]:
        """The branch tip the write builds on; None for the first commit of an empty repository."""
        git = repo.git
        tip = git.branch_tip(branch)
        if tip is None and git.branches():
            raise AwsError("BranchDoesNotExistException", f"Could not find branch {branch} in repository {repo.name}.")
        if parent is None or parent == "":
            if tip is None:
                return None
            raise AwsError(
                "ParentCommitIdRequiredException",
                "A parent commit ID is required. To view the full commit ID of a branch in a repository, "
                "use GetBranch or a Git command (for example, git pull or git log).",
            )
        if not isinstance(parent, str) or not _FULL_OID.match(parent):
            raise AwsError("InvalidParentCommitIdException", f"The parent commit ID {parent} is not valid. Provide the full commit ID.")
        if git.object_type(parent) != "commit":
            raise AwsError("ParentCommitDoesNotExistException", f"The parent commit ID {parent} does not exist in repository {repo.name}.")
        if tip != parent:
            raise AwsError(
                "ParentCommitIdOutdatedException",
                f"The parent commit ID {parent} is not the current tip of branch {branch}. "
                "To view the full commit ID of the current head of the branch, use GetBranch.",
            )
        return tip

    def _commit_changes(
        self,
        req: Request,
        repo: RepoRecord,
        branch: str,
        parent: Optional[str],
        changes: list[tuple[str, Optional[str], Optional[str]]],
        message: str,
        author: tuple[str, str],
    ) -> tuple[str, str]:
        git = repo.git
        base_tree = git.tree_of(parent) if parent else None
        tree = git.write_tree(base_tree, changes)
        if base_tree == tree or (base_tree is None and tree == EMPTY_TREE):
            raise AwsError(
                "NoChangeException",
                "The commit cannot be created because no changes will be made to the repository as a result of this "
                "commit. A commit must contain at least one change.",
            )
        commit = git.commit_tree(tree, [parent] if parent else [], message, author)
        if not git.update_ref(branch, commit, parent):
            raise AwsError(
                "ParentCommitIdOutdatedException",
                f"The parent commit ID {parent} is not the current tip of branch {branch}: the branch moved while "
                "this commit was being created. Use GetBranch and try again.",
            )
        if parent is None and not git.branch_tip(git.head_branch() or ""):
            git.run("symbolic-ref", "HEAD", f"refs/heads/{branch}")
        self._touch(repo)
        return commit, tree

    @staticmethod
    def _check_conflicts(existing: dict, path: str) -> None:
        parts = path.split("/")
        for i in range(1, len(parts)):
            prefix = "/".join(parts[:i])
            if prefix in existing:
                raise AwsError(
                    "DirectoryNameConflictsWithFileNameException",
                    f"The path {path} cannot be used because {prefix} is a file in this repository.",
                )
        if any(other.startswith(path + "/") for other in existing):
            raise AwsError(
                "FileNameConflictsWithDirectoryNameException",
                f"The file {path} cannot be added because a folder with the same name exists in this repository.",
            )

    @staticmethod
    def _file_mode(value: Optional[str], default: str = "100644") -> str:
        if value is None:
            return default
        if value not in ENUM_TO_MODE:
            raise AwsError("InvalidFileModeException", f"The file mode {value} is not valid. Valid values: EXECUTABLE, NORMAL, SYMLINK.")
        return ENUM_TO_MODE[value]

    def _op_put_file(self, req: Request, p: dict) -> dict:
        repo = self._repo(p)
        branch = self._branch_name(p)
        content = _b64decode(p["fileContent"], "fileContent") if p.get("fileContent") not in (None, "") else b""
        if not content:
            raise AwsError(
                "FileContentRequiredException",
                "The file cannot be added because it is empty. Empty files cannot be added to the repository with this API.",
            )
        if len(content) > MAX_FILE_SIZE:
            raise AwsError("FileContentSizeLimitExceededException", "The file cannot be added because it is too large. The maximum file size is 6 MB.")
        path = _norm_path(p.get("filePath"))
        if not path:
            raise AwsError("InvalidPathException", "The specified path is not valid: a file path is required.")
        author = _author(req, p.get("name"), p.get("email"))
        parent = self._parent_for_write(repo, branch, p.get("parentCommitId"))
        existing = repo.git.ls_tree(parent) if parent else {}
        current = existing.get(path)
        mode = self._file_mode(p.get("fileMode"), current[0] if current and current[0] in MODE_TO_ENUM else "100644")
        blob = repo.git.write_blob(content)
        if current and current[2] == blob and current[0] == mode:
            raise AwsError(
                "SameFileContentException",
                "The file was not added or updated because the content of the file is exactly the same as the content "
                f"of that file in the repository and branch that you specified ({path} on {branch}).",
            )
        if not current:
            self._check_conflicts(existing, path)
        message = p.get("commitMessage")
        if message is None:
            message = f"{'Edited' if current else 'Added'} {path}"
        commit, tree = self._commit_changes(req, repo, branch, parent, [(path, mode, blob)], message, author)
        return {"commitId": commit, "blobId": blob, "treeId": tree}

    def _op_create_commit(self, req: Request, p: dict) -> dict:
        repo = self._repo(p)
        branch = self._branch_name(p)
        puts = p.get("putFiles") or []
        deletes = p.get("deleteFiles") or []
        modes = p.get("setFileModes") or []
        if not puts and not deletes and not modes:
            raise AwsError(
                "FileEntryRequiredException",
                "The commit cannot be created because no files have been specified as added, updated, or changed "
                "(PutFile or DeleteFile) for the commit.",
            )
        if len(puts) + len(deletes) + len(modes) > 100:
            raise AwsError("MaximumFileEntriesExceededException", "The number of specified files to change as part of this commit exceeds the maximum of 100.")
        author = _author(req, p.get("authorName"), p.get("email"))
        parent = self._parent_for_write(repo, branch, p.get("parentCommitId"))
        git = repo.git
        existing = git.ls_tree(parent) if parent else {}
        seen: set[str] = set()

        def claim(path: str) -> None:
            if path in seen:
                raise AwsError(
                    "SamePathRequestException",
                    f"The commit cannot be created because one or more changes in this commit duplicate actions in the same file path ({path}).",
                )
            seen.add(path)

        changes: list[tuple[str, Optional[str], Optional[str]]] = []
        added, updated, deleted = [], [], []
        total = 0
        after = dict(existing)
        for entry in deletes:
            path = _norm_path(entry.get("filePath"))
            claim(path)
            if path not in existing:
                raise AwsError("FileDoesNotExistException", f"The file {path} does not exist in branch {branch}.")
            mode, _, oid = existing[path]
            changes.append((path, None, None))
            after.pop(path, None)
            deleted.append({"absolutePath": path, "blobId": oid, "fileMode": MODE_TO_ENUM.get(mode, "NORMAL")})
        for entry in puts:
            path = _norm_path(entry.get("filePath"))
            if not path:
                raise AwsError("InvalidPathException", "The specified path is not valid: a file path is required.")
            claim(path)
            has_content = "fileContent" in entry and entry["fileContent"] is not None
            source = entry.get("sourceFile")
            if has_content and source:
                raise AwsError(
                    "FileContentAndSourceFileSpecifiedException",
                    f"The commit cannot be created because both a source file and file content have been specified for {path}.",
                )
            if not has_content and not source:
                raise AwsError(
                    "SourceFileOrContentRequiredException",
                    f"The commit cannot be created because no source files or file content have been specified for {path}.",
                )
            current = existing.get(path)
            if source:
                src = _norm_path(source.get("filePath"))
                if src not in existing:
                    raise AwsError("FileDoesNotExistException", f"The source file {src} does not exist in branch {branch}.")
                src_mode, _, blob = existing[src]
                mode = self._file_mode(entry.get("fileMode"), src_mode)
                if source.get("isMove"):
                    claim(src)
                    changes.append((src, None, None))
                    after.pop(src, None)
                    deleted.append({"absolutePath": src, "blobId": blob, "fileMode": MODE_TO_ENUM.get(src_mode, "NORMAL")})
            else:
                data = _b64decode(entry["fileContent"], "fileContent")
                total += len(data)
                if len(data) > MAX_FILE_SIZE or total > MAX_COMMIT_SIZE:
                    raise AwsError(
                        "FileContentSizeLimitExceededException",
                        "The file cannot be added because it is too large. The maximum file size is 6 MB, and the "
                        "combined file content change size is 7 MB. Consider making these changes using a Git client.",
                    )
                blob = git.write_blob(data)
                mode = self._file_mode(entry.get("fileMode"), current[0] if current and current[0] in MODE_TO_ENUM else "100644")
            if not current:
                self._check_conflicts(after, path)
            changes.append((path, mode, blob))
            after[path] = (mode, "blob", blob)
            meta = {"absolutePath": path, "blobId": blob, "fileMode": MODE_TO_ENUM.get(mode, "NORMAL")}
            (updated if current else added).append(meta)
        for entry in modes:
            path = _norm_path(entry.get("filePath"))
            claim(path)
            if path not in existing:
                raise AwsError("FileDoesNotExistException", f"The file {path} does not exist in branch {branch}.")
            if not entry.get("fileMode"):
                raise AwsError("FileModeRequiredException", f"A file mode is required for {path}.")
            mode = self._file_mode(entry["fileMode"])
            changes.append((path, mode, existing[path][2]))
            after[path] = (mode, "blob", existing[path][2])
        if p.get("keepEmptyFolders") and deletes:
            empty_blob = None
            for item in deleted:
                folder = item["absolutePath"].rpartition("/")[0]
                if folder and not any(other.startswith(folder + "/") for other in after):
                    empty_blob = empty_blob or git.write_blob(b"")
                    keep = f"{folder}/.gitkeep"
                    changes.append((keep, "100644", empty_blob))
                    after[keep] = ("100644", "blob", empty_blob)
                    added.append({"absolutePath": keep, "blobId": empty_blob, "fileMode": "NORMAL"})
        message = p.get("commitMessage") or ""
        commit, tree = self._commit_changes(req, repo, branch, parent, changes, message, author)
        return {"commitId": commit, "treeId": tree, "filesAdded": added, "filesUpdated": updated, "filesDeleted": deleted}

    # -- pull requests ------------------------------------------------------------------------------------------
    def _refresh(self, pr: PullRequestRecord) -> None:
        """Open pull requests follow their branches, and close themselves once the source is merged by git."""
        if pr.status != "OPEN":
            return
        repo = self.store.repos.get(pr.repository_name)
        if repo is None:
            return
        git = repo.git
        src = git.resolve_commit(pr.source_ref)
        dst = git.resolve_commit(pr.destination_ref)
        if src and dst:
            if (src, dst) != (pr.source_commit, pr.destination_commit):
                pr.source_commit, pr.destination_commit = src, dst
                pr.merge_base = git.merge_base(src, dst)
                pr.revision_id = hashlib.sha256(f"{pr.pull_request_id}:{src}:{dst}".encode()).hexdigest()
            if src != dst and git.is_ancestor(src, dst):
                pr.status = "CLOSED"
                pr.merge_metadata = {"isMerged": True}
                pr.last_activity = _now()

    def _pr_shape(self, pr: PullRequestRecord) -> dict:
        self._refresh(pr)
        target = {
            "repositoryName": pr.repository_name,
            "sourceReference": pr.source_ref,
            "destinationReference": pr.destination_ref,
            "destinationCommit": pr.destination_commit,
            "sourceCommit": pr.source_commit,
            "mergeMetadata": dict(pr.merge_metadata),
        }
        if pr.merge_base:
            target["mergeBase"] = pr.merge_base
        shape = {
            "pullRequestId": pr.pull_request_id,
            "title": pr.title,
            "lastActivityDate": pr.last_activity,
            "creationDate": pr.creation_date,
            "pullRequestStatus": pr.status,
            "authorArn": pr.author_arn,
            "pullRequestTargets": [target],
            "clientRequestToken": pr.client_request_token,
            "revisionId": pr.revision_id,
            "approvalRules": [],
        }
        if pr.description:
            shape["description"] = pr.description
        return shape

    @staticmethod
    def _full_ref(ref: str) -> str:
        return ref if ref.startswith("refs/") else f"refs/heads/{ref}"

    def _op_create_pull_request(self, req: Request, p: dict) -> dict:
        title = p.get("title")
        if not title:
            raise AwsError("TitleRequiredException", "A pull request title is required. It cannot be empty or null.")
        if len(title) > 150:
            raise AwsError("InvalidTitleException", "The title of the pull request is not valid. Pull request titles cannot exceed 150 characters.")
        description = p.get("description") or ""
        if len(description) > 10240:
            raise AwsError("InvalidDescriptionException", "The pull request description is not valid. Descriptions cannot be more than 10,240 characters.")
        targets = p.get("targets")
        if not targets:
            raise AwsError("TargetsRequiredException", "An array of target objects is required. It cannot be empty or null.")
        if not isinstance(targets, list) or not all(isinstance(t, dict) for t in targets):
            raise AwsError("InvalidTargetsException", "The targets for the pull request is not valid or not in a valid format.")
        if len({t.get("repositoryName") for t in targets}) > 1 or len(targets) > 1:
            raise AwsError(
                "MultipleRepositoriesInPullRequestException",
                "You cannot include more than one repository in a pull request. Make sure you have specified only one "
                "repository name in your request, and then try again.",
            )
        target = targets[0]
        repo = self._repo(target)
        if not target.get("sourceReference"):
            raise AwsError("ReferenceNameRequiredException", "A reference name is required, but none was provided.")
        git = repo.git
        source_ref = self._full_ref(target["sourceReference"])
        dest_name = target.get("destinationReference") or git.head_branch()
        if not dest_name:
            raise AwsError("ReferenceDoesNotExistException", f"The repository {repo.name} has no default branch to merge into.")
        dest_ref = self._full_ref(dest_name)
        for ref in (source_ref, dest_ref):
            if not ref.startswith("refs/heads/"):
                raise AwsError("ReferenceTypeNotSupportedException", f"The reference {ref} is not a branch. Only branches are supported.")
        src = git.resolve_commit(source_ref)
        if not src:
            raise AwsError("ReferenceDoesNotExistException", f"The reference {source_ref} does not exist in repository {repo.name}.")
        dst = git.resolve_commit(dest_ref)
        if not dst:
            raise AwsError("ReferenceDoesNotExistException", f"The reference {dest_ref} does not exist in repository {repo.name}.")
        if source_ref == dest_ref:
            raise AwsError(
                "SourceAndDestinationAreSameException",
                "The source branch and destination branch for the pull request are the same. You must specify "
                "different branches for the source and destination.",
            )
        token = p.get("clientRequestToken") or str(uuid.uuid4())
        fingerprint = json.dumps([title, description, repo.name, source_ref, dest_ref])
        if token in self.store.tokens:
            known = self.store.tokens[token]
            pr = self.store.pull_requests[known]
            if json.dumps([pr.title, pr.description, pr.repository_name, pr.source_ref, pr.destination_ref]) != fingerprint:
                raise AwsError(
                    "IdempotencyParameterMismatchException",
                    "The client request token is not valid. Either the token is not in a valid format, or the token "
                    "has been used in a previous request and cannot be reused.",
                )
            return {"pullRequest": self._pr_shape(pr)}
        pr_id = str(self.store.next_pr)
        self.store.next_pr += 1
        now = _now()
        pr = PullRequestRecord(
            pull_request_id=pr_id,
            title=title,
            description=description,
            repository_name=repo.name,
            source_ref=source_ref,
            destination_ref=dest_ref,
            source_commit=src,
            destination_commit=dst,
            merge_base=git.merge_base(src, dst),
            author_arn=req.principal_arn or f"arn:aws:iam::{self.state.account_id}:user/{req.principal or 'devstack'}",
            creation_date=now,
            last_activity=now,
            client_request_token=token,
            revision_id=hashlib.sha256(f"{pr_id}:{src}:{dst}".encode()).hexdigest(),
        )
        self.store.pull_requests[pr_id] = pr
        self.store.tokens[token] = pr_id
        return {"pullRequest": self._pr_shape(pr)}

    def _pull_request(self, p: dict) -> PullRequestRecord:
        pr_id = p.get("pullRequestId")
        if pr_id is None or pr_id == "":
            raise AwsError("PullRequestIdRequiredException", "A pull request ID is required, but none was provided.")
        if not isinstance(pr_id, str) or not pr_id.isdigit():
            raise AwsError("InvalidPullRequestIdException", f"The pull request ID {pr_id} is not valid.")
        pr = self.store.pull_requests.get(pr_id)
        if pr is None:
            raise AwsError(
                "PullRequestDoesNotExistException",
                f"The pull request ID {pr_id} could not be found. Make sure that you have specified the correct "
                "repository name and pull request ID, and then try again.",
            )
        return pr

    def _op_get_pull_request(self, req: Request, p: dict) -> dict:
        return {"pullRequest": self._pr_shape(self._pull_request(p))}

    def _op_list_pull_requests(self, req: Request, p: dict) -> dict:
        repo = self._repo(p)
        status = p.get("pullRequestStatus")
        if status is not None and status not in ("OPEN", "CLOSED"):
            raise AwsError("InvalidPullRequestStatusException", "The pull request status is not valid. The only valid values are OPEN and CLOSED.")
        author = p.get("authorArn")
        if author is not None and not str(author).startswith("arn:"):
            raise AwsError("InvalidAuthorArnException", f"The Amazon Resource Name (ARN) {author} is not valid.")
        max_results = p.get("maxResults")
        if max_results is not None and (not isinstance(max_results, int) or not 1 <= max_results <= 100):
            raise AwsError("InvalidMaxResultsException", f"The specified number of maximum results {max_results} is not valid.")
        matching = []
        for pr in sorted(self.store.pull_requests.values(), key=lambda r: int(r.pull_request_id), reverse=True):
            if pr.repository_name != repo.name:
                continue
            self._refresh(pr)
            if status and pr.status != status:
                continue
            if author and pr.author_arn != author:
                continue
            matching.append(pr.pull_request_id)
        page, nxt = _paginate(matching, p.get("nextToken"), max_results or 100)
        out: dict = {"pullRequestIds": page}
        if nxt:
            out["nextToken"] = nxt
        return out

    def _op_merge_pull_request_by_fast_forward(self, req: Request, p: dict) -> dict:
        pr = self._pull_request(p)
        repo = self._repo(p)
        if repo.name != pr.repository_name:
            raise AwsError(
                "RepositoryNotAssociatedWithPullRequestException",
                f"The repository {repo.name} does not contain any pull requests with ID {pr.pull_request_id}.",
            )
        self._refresh(pr)
        if pr.status == "CLOSED":
            raise AwsError("PullRequestAlreadyClosedException", f"The pull request {pr.pull_request_id} is already closed.")
        git = repo.git
        src = git.resolve_commit(pr.source_ref)
        if not src:
            raise AwsError("ReferenceDoesNotExistException", f"The source reference {pr.source_ref} no longer exists.")
        wanted = p.get("sourceCommitId")
        if wanted:
            if not isinstance(wanted, str) or not _FULL_OID.match(wanted):
                raise AwsError("InvalidCommitIdException", f"The specified commit ID {wanted} is not valid.")
            if wanted != src:
                raise AwsError(
                    "TipOfSourceReferenceIsDifferentException",
                    f"The tip of the source branch {pr.source_ref} is {src}, not {wanted}. The pull request might have "
                    "been updated. Make sure that you have the latest changes.",
                )
        dest_branch = pr.destination_ref[len("refs/heads/"):]
        dst = git.branch_tip(dest_branch)
        if not dst:
            raise AwsError("ReferenceDoesNotExistException", f"The destination reference {pr.destination_ref} no longer exists.")
        if not git.is_ancestor(dst, src):
            raise AwsError(
                "ManualMergeRequiredException",
                f"The pull request cannot be merged by fast-forward: {pr.destination_ref} has commits that are not in "
                f"{pr.source_ref}. You must manually merge the branches and resolve any conflicts.",
            )
        if dst != src and not git.update_ref(dest_branch, src, dst):
            raise AwsError(
                "ConcurrentReferenceUpdateException",
                f"The merge cannot be completed because {pr.destination_ref} was updated by another operation. Try again.",
            )
        now = _now()
        pr.status = "CLOSED"
        pr.source_commit, pr.destination_commit = src, src
        pr.last_activity = now
        pr.merge_metadata = {
            "isMerged": True,
            "mergedBy": req.principal_arn or f"arn:aws:iam::{self.state.account_id}:user/{req.principal or 'devstack'}",
            "mergeCommitId": src,
            "mergeOption": "FAST_FORWARD_MERGE",
        }
        self._touch(repo)
        return {"pullRequest": self._pr_shape(pr)}


# ---------------------------------------------------------------------------------------------------------------
# seeding


SEED_AUTHOR = ("MLOps Platform Admin", "mlops-platform-admin@example.com")
SEED_DATA_SCIENTIST = ("Data Scientist", "data-scientist@example.com")
SEED_EPOCH = int(datetime(2024, 5, 6, 9, 0, tzinfo=timezone.utc).timestamp())


def model_config_yaml(project: dict) -> str:
    name = project["name"]
    return f"""\
# Shared model configuration for the SageMaker project "{name}".
# The build pipeline (Preprocess -> Train -> Evaluate -> RegisterModel) reads this file on every merge to main.
# Field names follow the SageMaker Python SDK classes they are passed to.

framework: xgboost            # sagemaker.image_uris.retrieve(framework=...)
framework_version: "1.7-1"    # container version of the framework image

data_config:
  inputs:
    # Placeholder: replace <project-bucket> with the project bucket from .project_params.yaml
    data: "s3://<project-bucket>/datasets/{name}/raw/data.csv"
  target_column: churn
  split:
    train: 0.7
    validation: 0.15
    test: 0.15

preprocess_config:            # sagemaker.processing.ScriptProcessor
  image_uri: null             # null: the project's preprocessing ECR image
  command: ["python3"]
  instance_type: ml.m5.xlarge
  instance_count: 1
  volume_size_in_gb: 30
  max_runtime_in_seconds: 3600
  base_job_name: {name}-preprocess
  env:
    LOG_LEVEL: INFO
  code: pipelines/preprocess.py

train_config:                 # sagemaker.estimator.Estimator
  instance_type: ml.m5.2xlarge
  instance_count: 1
  volume_size: 30
  max_run: 86400
  use_spot_instances: false
  output_path: null           # null: s3://<project bucket>/models
  base_job_name: {name}-train
  hyperparameters:            # passed to the training container as-is
    objective: "binary:logistic"
    num_round: 200
    max_depth: 5
    eta: 0.2
    gamma: 4
    min_child_weight: 6
    subsample: 0.8
  metric_definitions:
    - Name: validation:auc
      Regex: "validation-auc:([0-9\\\\.]+)"

inference_config:             # model registration (RegisterModel) and endpoint settings
  content_types: ["text/csv"]
  response_types: ["text/csv"]
  inference_instances: ["ml.m5.large", "ml.m5.xlarge"]
  transform_instances: ["ml.m5.large"]
  model_package_group_name: {name}-{project["id"]}
  approval_status: PendingManualApproval
  model_metric_threshold:     # the pipeline's condition step: register only above this
    metric: auc
    minimum: 0.75

bias_config:                  # sagemaker.clarify.BiasConfig
  label_values_or_threshold: [1]
  facet_name: gender
  facet_values_or_threshold: ["female"]
  group_name: null

# Not read by the pipeline: kept by the team for their own notebooks.
notebook_defaults:
  sample_rows: 1000
"""


def project_files(project: dict) -> dict[str, str]:
    name, pid, bucket = project["name"], project["id"], project["bucket"]
    return {
        "README.md": f"""\
# {name}

Model build repository of the SageMaker project `{name}` (`{pid}`).

* `model_config.yaml` - the shared configuration of the build pipeline (framework, data, preprocessing,
  training, inference and bias settings).
* `.project_params.yaml` - project parameters written by the platform (the project bucket).
* `staging-config.json`, `prod-config.json` - stage parameters for the deploy pipeline.

Work on the `dev` branch and open a pull request to `main`; merging starts the build pipeline
`{name}_build_pipeline`, which registers a new model version in `{name}-{pid}` for approval.
""",
        "model_config.yaml": model_config_yaml(project),
        ".project_params.yaml": f"""\
# Written by the platform when the project was created. Do not edit.
project_name: {name}
project_id: {pid}
bucket: {bucket}
""",
        "staging-config.json": json.dumps(
            [
                {"ParameterKey": "EnvType", "ParameterValue": "staging"},
                {"ParameterKey": "EndpointInstanceCount", "ParameterValue": "1"},
                {"ParameterKey": "EndpointInstanceType", "ParameterValue": "ml.m5.large"},
            ],
            indent=2,
        )
        + "\n",
        "prod-config.json": json.dumps(
            [
                {"ParameterKey": "EnvType", "ParameterValue": "prod"},
                {"ParameterKey": "EndpointInstanceCount", "ParameterValue": "2"},
                {"ParameterKey": "EndpointInstanceType", "ParameterValue": "ml.m5.xlarge"},
            ],
            indent=2,
        )
        + "\n",
        "pipelines/preprocess.py": """\
\"\"\"Preprocessing entry point run by the ScriptProcessor of the build pipeline.\"\"\"
import argparse

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--input-data", required=True)
    args = parser.parse_args()
    print("preprocessing", args.input_data)
""",
    }


def seed_codecommit(state, project: dict) -> RepoRecord:
    """Create ``<project>-project-repo`` with ``main`` and ``dev`` (one commit ahead); deterministic commits."""
    store = codecommit_store(state)
    name = f"{project['name']}-project-repo"
    with store.lock:
        tags = {"sagemaker:project-name": project["name"], "sagemaker:project-id": project["id"]}
        if name in store.repos and store.repos[name].git.branches():
            store.repos[name].tags = {**tags, **store.repos[name].tags}  # kept on the data dir of an earlier run
            return store.repos[name]
        record = store.repos.get(name) or store.create_repository(
            name,
            f"Model build code of the SageMaker project {project['name']}",
            tags=tags,
            when=datetime.fromtimestamp(SEED_EPOCH, timezone.utc),
        )
        git = record.git
        files = project_files(project)
        changes = [(path, "100644", git.write_blob(text.encode())) for path, text in sorted(files.items())]
        tree = git.write_tree(None, changes)
        first = git.commit_tree(
            tree, [], "Initial project scaffolding\n", SEED_AUTHOR, date=f"{SEED_EPOCH} +0000"
        )
        git.update_ref("main", first, None)
        git.run("symbolic-ref", "HEAD", "refs/heads/main")
        git.update_ref("dev", first, None)
        config = files["model_config.yaml"].replace("    num_round: 200\n", "    num_round: 300\n").replace(
            "    max_depth: 5\n", "    max_depth: 6\n"
        )
        tree2 = git.write_tree(tree, [("model_config.yaml", "100644", git.write_blob(config.encode()))])
        second = git.commit_tree(
            tree2,
            [first],
            "Tune XGBoost: more rounds, deeper trees\n",
            SEED_DATA_SCIENTIST,
            date=f"{SEED_EPOCH + 86400} +0000",
        )
        git.update_ref("dev", second, first)
        return record
