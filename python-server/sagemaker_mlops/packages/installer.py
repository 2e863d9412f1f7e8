"""uv or pip, run for one environment with the CodeArtifact index as the only index.

The index (with its token) is passed through the installer's environment only (``UV_DEFAULT_INDEX`` /
``PIP_INDEX_URL``): never in the argv, never in a file. Every ``UV_*`` / ``PIP_*`` variable of the server is dropped
(extra indexes, find-links, config files) and configuration files are off (``UV_NO_CONFIG``,
``PIP_CONFIG_FILE=/dev/null``). The installer runs in its own process group (killed as a whole), in an empty
private directory (so nothing of the notebook directory is imported), and every line it prints is redacted before
anyone sees it.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import tempfile
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Optional

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .environment import Environment
from .index import IndexAccess

#: Longest line kept from the installer's output (longer ones are cut).
MAX_LINE = 2000
#: Seconds between SIGTERM and SIGKILL of the installer's process group.
KILL_GRACE = 3.0

_UNAUTHORIZED = re.compile(r"(?i)\b401\b|unauthori[sz]ed")
_UNREACHABLE = re.compile(
    r"(?i)connection refused|failed to establish|name or service not known|temporary failure in name resolution|"
    r"dns error|connect(?:ion)? timed out|read timed out|network is unreachable|max retries exceeded|"
    r"error sending request|tcp connect error|service unavailable|bad gateway|gateway timeout|internal server error|"
    r"server error"
)
_THROTTLED = re.compile(r"(?i)\b429\b|too many requests")
_MISSING = (
    re.compile(r"(?i)because ([A-Za-z0-9][A-Za-z0-9._-]*) was not found in the package registry"),
    re.compile(r"(?i)no matching distribution found for ([A-Za-z0-9][A-Za-z0-9._-]*)"),
)


def which_installer(preference: str) -> tuple[str, Optional[str]]:
    """("uv", path) when uv is on the server's PATH (or asked for), else ("pip", None)."""
    uv = shutil.which("uv")
    if preference == "pip":
        return "pip", None
    if preference == "uv" or uv:
        return "uv", uv
    return "pip", None


@dataclass
class Command:
    argv: list[str]
    env: dict[str, str]


#: Variables that force colour (terminal escapes) into the installers' output, which is parsed.
_FORCED_COLOUR = frozenset({"FORCE_COLOR", "CLICOLOR_FORCE", "PY_COLORS", "TTY_COMPATIBLE"})


def installer_env(kind: str, access: Optional[IndexAccess]) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("PIP_", "UV_", "PYTHON")) and k not in ("VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONPATH")
        # A colour forced on (FORCE_COLOR, CLICOLOR_FORCE) beats NO_COLOR in pip's output, JSON report included.
        and k not in _FORCED_COLOUR
    }
    env.update({"NO_COLOR": "1", "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"})
    if kind == "uv":
        env.update({"UV_NO_CONFIG": "1", "UV_NO_PROGRESS": "1", "UV_KEYRING_PROVIDER": "disabled", "UV_PYTHON_DOWNLOADS": "never",
                    "UV_HTTP_TIMEOUT": "60", "UV_HTTP_RETRIES": "1"})
        if access is not None:
            env["UV_DEFAULT_INDEX"] = access.url
        else:
            env["UV_OFFLINE"] = "1"
    else:
        env.update({
            "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INPUT": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PIP_PROGRESS_BAR": "off", "PIP_KEYRING_PROVIDER": "disabled",
            "PIP_RETRIES": "1", "PIP_TIMEOUT": "60",
        })
        if access is not None:
            env["PIP_INDEX_URL"] = access.url
        else:
            env["PIP_NO_INDEX"] = "1"
    return env


def install_command(
    kind: str, uv: Optional[str], interpreter: str, requirements: list[str], access: Optional[IndexAccess],
    *, dry_run: bool = False, no_deps: bool = False,
) -> Command:
    """The install (or dry-run) command; the requirements are already-validated PEP 508 strings."""
    if kind == "uv":
        argv = [uv or "uv", "pip", "install", "--python", interpreter]
        if dry_run:
            argv.append("--dry-run")
    else:
        argv = [interpreter, "-m", "pip", "install", "--no-input", "--disable-pip-version-check", "--progress-bar", "off"]
        if dry_run:
            argv += ["--dry-run", "--quiet", "--report", "-"]
    if no_deps:
        argv.append("--no-deps")
    # "--": nothing after it is read as an option (the restore's pins come from the environment's own metadata)
    return Command(argv + ["--", *requirements], installer_env(kind, access))


def uninstall_command(kind: str, uv: Optional[str], interpreter: str, names: list[str]) -> Command:
    if kind == "uv":
        argv = [uv or "uv", "pip", "uninstall", "--python", interpreter, "--", *names]
    else:
        argv = [interpreter, "-m", "pip", "uninstall", "--yes", "--disable-pip-version-check", "--", *names]
    return Command(argv, installer_env(kind, None))


@dataclass
class Outcome:
    returncode: Optional[int]
    lines: list[str] = field(default_factory=list)  # redacted
    stdout: str = ""  # redacted; only kept when asked for (the dry-run report)
    timed_out: bool = False
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out and not self.cancelled

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def unauthorized(self) -> bool:
        return not self.ok and bool(_UNAUTHORIZED.search(self.text))

    @property
    def unreachable(self) -> bool:
        return not self.ok and bool(_UNREACHABLE.search(self.text))

    @property
    def throttled(self) -> bool:
        return not self.ok and bool(_THROTTLED.search(self.text))

    def missing(self) -> list[str]:
        found: list[str] = []
        for pattern in _MISSING:
            found += [canonicalize_name(m.group(1).rstrip(".")) for m in pattern.finditer(self.text)]
        return list(dict.fromkeys(found))


class Running:
    """A started installer process; :meth:`cancel` kills its whole process group."""

    def __init__(self) -> None:
        self.process: Optional[asyncio.subprocess.Process] = None
        self.cancelled = False

    async def cancel(self) -> None:
        self.cancelled = True
        await kill_group(self.process)


async def kill_group(process: Optional[asyncio.subprocess.Process]) -> None:
    if process is None or process.returncode is not None:
        return
    for sig, wait in ((signal.SIGTERM, KILL_GRACE), (signal.SIGKILL, None)):
        try:
            os.killpg(process.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            await asyncio.wait_for(process.wait(), wait)
            return
        except asyncio.TimeoutError:
            continue
        except TypeError:  # wait_for(None): SIGKILL, then wait without a limit
            await process.wait()
            return
    await process.wait()


async def run(
    command: Command,
    redact: Callable[[str], str],
    timeout: float,
    on_line: Optional[Callable[[str], None]] = None,
    running: Optional[Running] = None,
    capture_stdout: bool = False,
) -> Outcome:
    """Run one installer command, streaming its redacted lines; stdout is kept apart when ``capture_stdout``."""
    workdir = tempfile.mkdtemp(prefix="mlops-packages-")
    outcome = Outcome(returncode=None)
    try:
        process = await asyncio.create_subprocess_exec(
            *command.argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE if capture_stdout else asyncio.subprocess.STDOUT,
            env=command.env,
            cwd=workdir,
            start_new_session=True,
        )
        if running is not None:
            running.process = process
            if running.cancelled:
                await kill_group(process)

        def emit(raw: bytes) -> None:
            text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            line = redact(text)[:MAX_LINE]
            outcome.lines.append(line)
            if on_line is not None:
                on_line(line)

        async def pump(stream: asyncio.StreamReader, keep: Optional[list[bytes]]) -> None:
            pending = b""
            while True:
                chunk = await stream.read(65536)
                if not chunk:
                    break
                if keep is not None:
                    keep.append(chunk)
                    continue
                pending += chunk
                *complete, pending = re.split(rb"\r\n|\n|\r", pending)
                for raw in complete:
                    emit(raw)
                if len(pending) > MAX_LINE * 4:
                    emit(pending)
                    pending = b""
            if pending:
                emit(pending)

        stdout_chunks: Optional[list[bytes]] = [] if capture_stdout else None
        pumps = [pump(process.stdout, stdout_chunks)]  # type: ignore[arg-type]
        if capture_stdout:
            pumps.append(pump(process.stderr, None))  # type: ignore[arg-type]
        try:
            await asyncio.wait_for(asyncio.gather(*pumps, process.wait()), timeout)
        except asyncio.TimeoutError:
            outcome.timed_out = True
            await kill_group(process)
        except asyncio.CancelledError:
            await kill_group(process)
            raise
        outcome.returncode = process.returncode
        if stdout_chunks is not None:
            outcome.stdout = redact(b"".join(stdout_chunks).decode("utf-8", errors="replace"))
        if running is not None and running.cancelled:
            outcome.cancelled = True
        return outcome
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# -- plans ------------------------------------------------------------------------------------------------------


def resolved_from_uv(lines: list[str]) -> list[tuple[str, str]]:
    """``uv pip install --dry-run``: the `` + name==version`` lines."""
    found = []
    for line in lines:
        m = re.match(r"^\s*\+\s+([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(\S+)", line)
        if m:
            found.append((m.group(1), m.group(2)))
    return found


def resolved_from_pip(report: str) -> list[tuple[str, str]]:
    """``pip install --dry-run --report -``: the report's ``install`` entries."""
    import json

    start = report.find("{")
    if start < 0:
        return []
    data = json.loads(report[start:])
    found = []
    for item in data.get("install", []):
        metadata = item.get("metadata") or {}
        if metadata.get("name") and metadata.get("version"):
            found.append((metadata["name"], metadata["version"]))
    return found


def changes(environment: Environment, resolved: list[tuple[str, str]]) -> dict[str, list]:
    """What a resolution changes in the environment: install / upgrade / downgrade."""
    plan: dict[str, list] = {"install": [], "upgrade": [], "downgrade": []}
    for name, version in resolved:
        key = canonicalize_name(name)
        before = environment.installed.get(key)
        if before is None:
            plan["install"].append({"name": name, "version": version})
        elif before != version:
            try:
                newer = Version(version) > Version(before)
            except InvalidVersion:
                newer = version > before
            plan["upgrade" if newer else "downgrade"].append({"name": name, "from": before, "to": version})
    return plan


def requirement_matches(requirement: Requirement, versions: list[str]) -> bool:
    return any(requirement.specifier.contains(v, prereleases=True) for v in versions)


Step = Callable[[], Awaitable[Outcome]]
