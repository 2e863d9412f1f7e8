"""A kernel's interpreter, and what is installed in its environment.

The interpreter is the running kernel's own, read from the kernel process (never guessed from PATH): the kernel
manager's provisioner knows the process id; ``/proc/<pid>/cmdline`` gives the path the kernel was started with
(a virtual environment's ``bin/python`` stays as it is: ``/proc/<pid>/exe`` alone would name the base
interpreter it links to), and it is accepted only if it is the very executable ``/proc/<pid>/exe`` runs. A kernel
started through a wrapper (a shell, ``conda run``) is followed to its Python child. When the process cannot be
read (a remote kernel, another OS), the kernel itself is asked for ``sys.executable``, silently.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Optional

from packaging.utils import canonicalize_name

from ..allowlist import Refused, _safe

#: Seconds the kernel has to answer when it is asked for its interpreter.
ASK_TIMEOUT = 10.0
#: Seconds the interpreter has to describe its environment.
PROBE_TIMEOUT = 60.0

PROBE = r"""
import json, sys
try:
    from importlib import metadata
except ImportError:
    metadata = None
seen = {}
if metadata is not None:
    for dist in metadata.distributions():
        try:
            name, version = dist.metadata["Name"], dist.version
        except Exception:
            continue
        if name and version and name.lower() not in seen:
            seen[name.lower()] = (name, version)
print(json.dumps({
    "executable": sys.executable,
    "prefix": sys.prefix,
    "version": "%d.%d.%d" % tuple(sys.version_info[:3]),
    "installed": sorted(seen.values()),
}))
"""


@dataclass
class Environment:
    interpreter: str
    prefix: str
    python_version: str
    installed: dict[str, str] = field(default_factory=dict)  # canonical name -> version
    names: dict[str, str] = field(default_factory=dict)  # canonical name -> name as distributed

    @property
    def key(self) -> str:
        """Jobs on the same key run one at a time."""
        return os.path.realpath(self.prefix)

    @property
    def is_server_environment(self) -> bool:
        return os.path.realpath(self.prefix) == os.path.realpath(sys.prefix)

    def listing(self) -> list[dict[str, str]]:
        return [{"name": self.names.get(n, n), "version": v} for n, v in sorted(self.installed.items())]


def kernel_not_found(kernel_id: str) -> Refused:
    return Refused("KernelNotFound", f"No running kernel has the id '{_safe(kernel_id, 80)}'.", 404)


def _read_cmdline(pid: int) -> list[str]:
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return [part.decode("utf-8", errors="surrogateescape") for part in f.read().split(b"\0") if part]


def _exe(pid: int) -> str:
    target = os.readlink(f"/proc/{pid}/exe")
    return target[: -len(" (deleted)")] if target.endswith(" (deleted)") else target


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            found = [int(p) for p in f.read().split()]
    except OSError:
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                            found.append(int(entry))
                except (OSError, ValueError, IndexError):
                    continue
    return found


def _looks_like_python(path: str) -> bool:
    base = os.path.basename(path).lower()
    return base.startswith(("python", "pypy"))


def interpreter_of_process(pid: int, depth: int = 0) -> Optional[str]:
    """The interpreter a process runs, as it was started (symlinks of a virtual environment kept); None if the
    process is not a Python interpreter reachable through /proc."""
    try:
        argv = _read_cmdline(pid)
        exe = _exe(pid)
    except OSError:
        return None
    if argv and _looks_like_python(exe):
        candidate = argv[0]
        if not os.path.isabs(candidate) and "/" in candidate:
            try:
                candidate = os.path.join(os.readlink(f"/proc/{pid}/cwd"), candidate)
            except OSError:
                candidate = ""
        if os.path.isabs(candidate):
            candidate = os.path.normpath(candidate)
            try:
                if os.path.samefile(candidate, exe):
                    return candidate
            except OSError:
                pass
        return None  # a Python started by a bare name: its environment is not known from here
    if depth < 2:  # a wrapper (shell, conda run, env): its Python child
        for child in _children(pid):
            found = interpreter_of_process(child, depth + 1)
            if found:
                return found
    return None


def kernel_pid(kernel: Any) -> Optional[int]:
    provisioner = getattr(kernel, "provisioner", None)
    pid = getattr(provisioner, "pid", None)
    if pid is None:
        process = getattr(provisioner, "process", None) or getattr(kernel, "kernel", None)
        pid = getattr(process, "pid", None)
    return pid if isinstance(pid, int) and pid > 0 else None


async def ask_kernel(kernel: Any, timeout: float = ASK_TIMEOUT) -> Optional[str]:
    """``sys.executable`` as the kernel itself reports it (a silent execute with a user expression)."""
    client = kernel.client()
    client.start_channels()
    try:
        msg_id = client.execute(
            "", silent=True, store_history=False, allow_stdin=False,
            user_expressions={"executable": "__import__('sys').executable"},
        )
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return None
            try:
                reply = await asyncio.wait_for(_maybe_async(client.get_shell_msg(timeout=remaining)), remaining)
            except Exception:
                return None
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            expression = reply.get("content", {}).get("user_expressions", {}).get("executable", {})
            text = (expression.get("data") or {}).get("text/plain")
            if expression.get("status") != "ok" or not isinstance(text, str):
                return None
            value = ast.literal_eval(text)
            return value if isinstance(value, str) and os.path.isabs(value) else None
    finally:
        client.stop_channels()


async def _maybe_async(value: Any) -> Any:
    if asyncio.iscoroutine(value) or isinstance(value, asyncio.Future):
        return await value
    return value


async def kernel_interpreter(kernel_manager: Any, kernel_id: str) -> str:
    """The interpreter of a running kernel of this server, or :class:`Refused`."""
    if not isinstance(kernel_id, str) or not kernel_id or kernel_id not in kernel_manager:
        raise kernel_not_found(str(kernel_id or ""))
    kernel = kernel_manager.get_kernel(kernel_id)
    pid = kernel_pid(kernel)
    if pid is not None:
        found = await asyncio.get_running_loop().run_in_executor(None, interpreter_of_process, pid)
        if found:
            return found
    try:
        found = await ask_kernel(kernel)
    except Exception:
        found = None
    if not found:
        raise Refused(
            "InterpreterUnknown",
            "The kernel's Python interpreter could not be determined: the kernel process could not be read and "
            "the kernel did not answer (it may be busy). Wait until it is idle and retry.",
            409,
        )
    return found


async def describe(interpreter: str, timeout: float = PROBE_TIMEOUT) -> Environment:
    """Run the interpreter (isolated mode: no PYTHONPATH, no current directory) to describe its environment."""
    if not os.path.isabs(interpreter) or not os.access(interpreter, os.X_OK):
        raise Refused(
            "InterpreterNotLocal",
            f"The kernel's interpreter {_safe(interpreter)} is not an executable of this server (a remote kernel?): "
            "packages can only be installed into kernels that run next to the Jupyter server.",
            409,
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_", "UV_"))}
    process = await asyncio.create_subprocess_exec(
        interpreter, "-I", "-c", PROBE,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env=env, start_new_session=True,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except asyncio.TimeoutError:
        process.kill()
        await process.wait()
        raise Refused("InterpreterTimeout", f"The interpreter {_safe(interpreter)} did not describe its environment in {timeout:g} s.", 504) from None
    if process.returncode != 0:
        raise Refused("InterpreterFailed", f"The interpreter {_safe(interpreter)} failed to describe its environment.", 409)
    try:
        data = json.loads(out.decode("utf-8", errors="replace").strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise Refused("InterpreterFailed", f"The interpreter {_safe(interpreter)} gave no description of its environment.", 409) from None
    installed: dict[str, str] = {}
    names: dict[str, str] = {}
    for name, version in data.get("installed", []):
        key = canonicalize_name(name)
        if key not in installed:
            installed[key] = version
            names[key] = name
    return Environment(
        interpreter=interpreter, prefix=data["prefix"], python_version=data["version"], installed=installed, names=names
    )
