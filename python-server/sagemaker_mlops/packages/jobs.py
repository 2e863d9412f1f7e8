"""Install jobs: queued one at a time per environment, streamed, cancellable, and undone when they fail.

Before installing, a job snapshots the environment (``name==version`` of every distribution) and plans again
(the environment may have changed since the browser's plan); an upgrade or downgrade it was not allowed to make
fails it with ``ConfirmationRequired``. When the installer fails, is cancelled or times out, the environment is
restored: what was added is uninstalled and what changed is reinstalled at its previous version (``--no-deps``),
then compared with the snapshot, and the job says what is still different. A 401 from the index (the token
expired or was revoked) renews the token and runs the install once more.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Optional

from packaging.requirements import Requirement

from ..allowlist import Refused
from . import installer, planner
from .environment import Environment, describe
from .index import CodeArtifactIndex

#: Lines kept per job (older ones are dropped; ``since`` still counts them).
MAX_LINES = 5000
#: Jobs remembered (the oldest finished ones are forgotten first).
MAX_JOBS = 200

ACTIVE = ("queued", "running")


@dataclass
class Job:
    id: str
    kernel_id: str
    environment: Environment
    requirements: list[Requirement]
    confirm_changes: bool
    kind: str
    uv: Optional[str]
    state: str = "queued"
    lines: list[str] = field(default_factory=list)
    dropped: int = 0
    installed: list[dict[str, str]] = field(default_factory=list)
    error: Optional[dict[str, str]] = None
    created: float = field(default_factory=time.time)
    finished: Optional[float] = None
    task: Optional[asyncio.Task] = None
    running: installer.Running = field(default_factory=installer.Running)
    cancel_requested: bool = False
    restoring: bool = False

    def say(self, line: str) -> None:
        self.lines.append(line)
        if len(self.lines) > MAX_LINES:
            extra = len(self.lines) - MAX_LINES
            del self.lines[:extra]
            self.dropped += extra

    def as_json(self, since: int = 0) -> dict[str, Any]:
        start = max(since - self.dropped, 0)
        return {
            "id": self.id,
            "kernelId": self.kernel_id,
            "state": self.state,
            "lines": self.lines[start:],
            "next": self.dropped + len(self.lines),
            "installed": self.installed,
            "error": self.error,
        }


def differences(before: Environment, after: Environment) -> dict[str, list]:
    added = sorted(n for n in after.installed if n not in before.installed)
    changed = sorted(n for n in after.installed if n in before.installed and after.installed[n] != before.installed[n])
    removed = sorted(n for n in before.installed if n not in after.installed)
    return {"added": added, "changed": changed, "removed": removed}


def now_installed(before: Environment, after: Environment) -> list[dict[str, str]]:
    diff = differences(before, after)
    return [{"name": after.names.get(n, n), "version": after.installed[n]} for n in sorted(diff["added"] + diff["changed"])]


class JobManager:
    def __init__(self, index: CodeArtifactIndex, resolve_timeout: float, install_timeout: float) -> None:
        self.index = index
        self.resolve_timeout = resolve_timeout
        self.install_timeout = install_timeout
        self.jobs: dict[str, Job] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def get(self, job_id: str) -> Job:
        job = self.jobs.get(job_id)
        if job is None:
            raise Refused("JobNotFound", "No install job has this id (jobs are forgotten when the server restarts).", 404)
        return job

    def submit(self, kernel_id: str, environment: Environment, requirements: list[Requirement], confirm: bool,
               kind: str, uv: Optional[str]) -> Job:
        self._forget_old()
        job = Job(uuid.uuid4().hex, kernel_id, environment, requirements, confirm, kind, uv)
        self.jobs[job.id] = job
        lock = self._locks.setdefault(environment.key, asyncio.Lock())
        if lock.locked():
            job.say("Waiting for the install that is under way in this environment to finish.")
        job.task = asyncio.get_running_loop().create_task(self._run(job, lock))
        return job

    def active_in(self, key: str) -> list[Job]:
        return [j for j in self.jobs.values() if j.state in ACTIVE and j.environment.key == key]

    def _forget_old(self) -> None:
        finished = sorted((j for j in self.jobs.values() if j.state not in ACTIVE), key=lambda j: j.created)
        while len(self.jobs) >= MAX_JOBS and finished:
            self.jobs.pop(finished.pop(0).id, None)

    async def cancel(self, job: Job) -> None:
        if job.state not in ACTIVE:
            return
        job.cancel_requested = True
        if job.state == "queued" and job.task is not None:
            job.task.cancel()
            try:
                await job.task
            except (asyncio.CancelledError, Exception):
                pass
            return
        if not job.restoring:
            await job.running.cancel()
        if job.task is not None:  # the environment is restored before the answer
            await asyncio.wait({job.task}, timeout=120)

    # -- the job -------------------------------------------------------------------------------------------------
    async def _run(self, job: Job, lock: asyncio.Lock) -> None:
        try:
            async with lock:
                if job.cancel_requested:
                    raise asyncio.CancelledError
                job.state = "running"
                await self._install(job)
        except asyncio.CancelledError:
            if job.state == "queued":
                job.say("Cancelled before it started: nothing was installed.")
                self._finish(job, "cancelled", {"code": "Cancelled", "message": "The install was cancelled before it started; nothing was installed."})
        except Refused as refused:
            self._finish(job, "failed", {"code": refused.code, "message": self.index.redact(refused.message)})
        except Exception as error:  # never a traceback (nor a secret) in the job
            self._finish(job, "failed", {"code": "InternalError", "message": f"The install failed ({type(error).__name__}); see the server log."})

    def _finish(self, job: Job, state: str, error: Optional[dict[str, str]] = None) -> None:
        if job.state in ACTIVE:
            job.state = state
            job.error = error
            job.finished = time.time()

    async def _install(self, job: Job) -> None:
        names = ", ".join(str(r) for r in job.requirements)
        job.say(f"Installing {names} into {job.environment.interpreter} ({job.kind}) from CodeArtifact.")
        before = await describe(job.environment.interpreter)
        try:
            plan = await planner.plan(
                self.index, before, job.requirements, job.kind, job.uv, self.resolve_timeout, job.running
            )
        except planner.Cancelled:
            plan = None
        if plan is None or job.cancel_requested:
            job.say("Cancelled while resolving: nothing was installed.")
            self._finish(job, "cancelled", {"code": "Cancelled", "message": "The install was cancelled before anything was installed."})
            return
        if plan.not_in_index or plan.unsatisfiable:
            missing = plan.not_in_index + plan.unsatisfiable
            self._finish(job, "failed", {
                "code": "NotInIndex",
                "message": "Not available in the platform's curated CodeArtifact index: " + ", ".join(missing)
                + ". Nothing was installed; ask the platform team to add them.",
            })
            return
        if plan.changes_installed and not job.confirm_changes:
            self._finish(job, "failed", {
                "code": "ConfirmationRequired",
                "message": f"This install would change installed packages ({plan.describe_changes()}); nothing was "
                "installed. Confirm the changes to go ahead.",
            })
            return
        deadline = time.monotonic() + self.install_timeout
        requirements = [str(r) for r in job.requirements]
        outcome: Optional[installer.Outcome] = None
        for attempt in (0, 1):
            access = await self.index.access()
            command = installer.install_command(job.kind, job.uv, before.interpreter, requirements, access)
            outcome = await installer.run(
                command, self.index.redact, max(deadline - time.monotonic(), 1.0), on_line=job.say, running=job.running
            )
            if outcome.ok or outcome.cancelled or outcome.timed_out or job.cancel_requested:
                break
            if outcome.unauthorized and attempt == 0:
                self.index.forget(access)
                job.say("CodeArtifact refused the authorization token (expired): renewing it and retrying once.")
                await self._restore(job, before, quiet=True)
                continue
            break
        assert outcome is not None
        if outcome.ok and not job.cancel_requested:
            after = await describe(before.interpreter)
            job.installed = now_installed(before, after)
            shown = ", ".join(f"{i['name']}=={i['version']}" for i in job.installed) or "nothing new (already satisfied)"
            job.say(f"Installed: {shown}.")
            self._finish(job, "succeeded")
            return
        restored, left = await self._restore(job, before)
        if job.cancel_requested or outcome.cancelled:
            state, code = "cancelled", "Cancelled"
            message = "The install was cancelled."
        elif outcome.timed_out:
            state, code = "failed", "Timeout"
            message = f"The install took longer than {self.install_timeout:g} s and was stopped."
        elif outcome.throttled:
            state, code = "failed", "CodeArtifactThrottled"
            message = "CodeArtifact throttled the install. Wait a minute, then retry."
        elif outcome.unreachable:
            state, code = "failed", "CodeArtifactUnavailable"
            message = ("CodeArtifact could not be reached during the install. Check that the CodeArtifact VPC endpoints "
                       "(codeartifact.api and codeartifact.repositories) are reachable from the space, then retry.")
        elif outcome.unauthorized:
            state, code = "failed", "CodeArtifactUnauthorized"
            message = "The CodeArtifact PyPI index refused a fresh authorization token (codeartifact:ReadFromRepository)."
        else:
            state, code = "failed", "InstallFailed"
            message = f"The installer failed: {planner.tail(outcome.lines, 3, 600)}"
        if restored:
            message += " The environment was restored as it was before: nothing was installed."
        else:
            code = "RestoreIncomplete" if state == "failed" else code
            message += f" The environment could not be fully restored: {left}"
        self._finish(job, state, {"code": code, "message": self.index.redact(message)})

    async def _restore(self, job: Job, before: Environment, quiet: bool = False) -> tuple[bool, str]:
        """Put the environment back as ``before``: (restored, what is still different)."""
        job.restoring = True
        try:
            now = await describe(before.interpreter)
            diff = differences(before, now)
            if not any(diff.values()):
                if not quiet:
                    job.say("The environment is unchanged.")
                return True, ""
            job.say(
                "Restoring the environment: "
                + "; ".join(f"{k}: {', '.join(v)}" for k, v in diff.items() if v)
            )
            timeout = max(self.install_timeout, 60.0)
            if diff["added"]:
                command = installer.uninstall_command(job.kind, job.uv, before.interpreter, diff["added"])
                await installer.run(command, self.index.redact, timeout, on_line=job.say)
            back = diff["changed"] + diff["removed"]
            if back:
                pins = [f"{before.names.get(n, n)}=={before.installed[n]}" for n in back]
                for attempt in (0, 1):
                    access = await self.index.access()
                    command = installer.install_command(job.kind, job.uv, before.interpreter, pins, access, no_deps=True)
                    outcome = await installer.run(command, self.index.redact, timeout, on_line=job.say)
                    if outcome.ok or not outcome.unauthorized or attempt == 1:
                        break
                    self.index.forget(access)
            final = await describe(before.interpreter)
            left = differences(before, final)
            if not any(left.values()):
                job.say("The environment is restored.")
                return True, ""
            parts = []
            if left["added"]:
                parts.append("still installed: " + ", ".join(f"{n}=={final.installed[n]}" for n in left["added"]))
            if left["changed"]:
                parts.append("changed: " + ", ".join(f"{n} {before.installed[n]} -> {final.installed[n]}" for n in left["changed"]))
            if left["removed"]:
                parts.append("missing: " + ", ".join(f"{n}=={before.installed[n]}" for n in left["removed"]))
            text = "; ".join(parts)
            job.say(f"The environment could not be fully restored ({text}).")
            return False, text + "."
        finally:
            job.restoring = False
