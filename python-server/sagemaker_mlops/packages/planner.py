"""What an install would change: a dry-run resolution against the CodeArtifact index alone.

Each requested package is first looked up in the curated index (its PEP 503 page): one that is absent is reported
in ``notInIndex`` (no resolver output), one whose requested versions the index does not hold gets a warning. The
rest is resolved by the installer's dry run (``uv pip install --dry-run``, ``pip install --dry-run --report -``)
and compared with what the environment holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from ..allowlist import Refused
from . import installer
from .environment import Environment
from .index import CodeArtifactIndex, throttled, unavailable

SERVER_ENVIRONMENT_WARNING = (
    "This kernel runs in the Jupyter server's own environment ({prefix}). Installing there can break JupyterLab, and "
    "what is installed is lost when the space restarts. Prefer a persistent environment under your home directory "
    "(e.g. python -m venv ~/.venvs/project, then register it as a kernel with ipykernel install --user) and select "
    "that kernel."
)


class Cancelled(Exception):
    """The plan's dry run was cancelled (its job was)."""


@dataclass
class Plan:
    install: list[dict[str, str]] = field(default_factory=list)
    upgrade: list[dict[str, str]] = field(default_factory=list)
    downgrade: list[dict[str, str]] = field(default_factory=list)
    not_in_index: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: requested versions the index does not hold (the install is refused, like notInIndex)
    unsatisfiable: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "install": self.install,
            "upgrade": self.upgrade,
            "downgrade": self.downgrade,
            "notInIndex": self.not_in_index,
            "warnings": self.warnings,
        }

    @property
    def changes_installed(self) -> bool:
        return bool(self.upgrade or self.downgrade)

    def describe_changes(self) -> str:
        parts = [f"{c['name']} {c['from']} -> {c['to']}" for c in self.upgrade + self.downgrade]
        return ", ".join(parts)


def tail(lines: list[str], count: int = 6, limit: int = 1200) -> str:
    kept = [line.strip() for line in lines if line.strip()][-count:]
    return "; ".join(kept)[-limit:]


async def plan(
    index: CodeArtifactIndex,
    environment: Environment,
    requirements: list[Requirement],
    kind: str,
    uv: Optional[str],
    timeout: float,
    running: Optional[installer.Running] = None,
) -> Plan:
    result = Plan()
    resolvable: list[Requirement] = []
    seen: dict[str, Optional[list[str]]] = {}
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        if name not in seen:
            seen[name] = await index.project_versions(name)
        versions = seen[name]
        if versions is None:
            if requirement.name not in result.not_in_index and name not in result.not_in_index:
                result.not_in_index.append(requirement.name)
            continue
        if requirement.specifier and not installer.requirement_matches(requirement, versions):
            shown = ", ".join(versions[:10]) + (" ..." if len(versions) > 10 else "")
            result.warnings.append(
                f"No version of {requirement.name} in the curated index matches '{requirement.specifier}' "
                f"(it holds {shown or 'no installable files'}). Ask the platform team to publish the version you need."
            )
            result.unsatisfiable.append(requirement.name)
            continue
        resolvable.append(requirement)
    if result.not_in_index:
        result.warnings.append(
            "Not in the platform's curated CodeArtifact index: " + ", ".join(result.not_in_index)
            + ". Ask the platform team to add them; nothing else can be installed here."
        )
    if resolvable:
        resolved = await dry_run(index, environment, [str(r) for r in resolvable], kind, uv, timeout, result, running)
        for key, items in installer.changes(environment, resolved).items():
            getattr(result, key).extend(items)
    if environment.is_server_environment:
        result.warnings.append(SERVER_ENVIRONMENT_WARNING.format(prefix=environment.prefix))
    return result


async def dry_run(
    index: CodeArtifactIndex,
    environment: Environment,
    requirements: list[str],
    kind: str,
    uv: Optional[str],
    timeout: float,
    result: Plan,
    running: Optional[installer.Running] = None,
) -> list[tuple[str, str]]:
    for attempt in (0, 1):
        access = await index.access()
        command = installer.install_command(kind, uv, environment.interpreter, requirements, access, dry_run=True)
        outcome = await installer.run(command, index.redact, timeout, running=running, capture_stdout=kind == "pip")
        if outcome.cancelled:
            raise Cancelled()
        if outcome.ok:
            if kind == "uv":
                return installer.resolved_from_uv(outcome.lines)
            try:
                return installer.resolved_from_pip(outcome.stdout)
            except ValueError:
                raise Refused("ResolutionFailed", "pip's dry-run report could not be read.", 502) from None
        if outcome.timed_out:
            raise Refused(
                "ResolutionTimeout",
                f"Resolving the requirements against CodeArtifact took longer than {timeout:g} s.",
                504,
            )
        if outcome.unauthorized and attempt == 0:
            index.forget(access)
            continue
        if outcome.throttled:
            raise throttled()
        if outcome.unreachable:
            raise unavailable("the PyPI index")
        if outcome.unauthorized:
            raise Refused(
                "CodeArtifactUnauthorized",
                "The CodeArtifact PyPI index refused a fresh authorization token. Check that the server's role may "
                "call codeartifact:ReadFromRepository on the repository.",
                403,
            )
        missing = [m for m in outcome.missing() if m]
        if missing:
            for name in missing:
                if name not in result.not_in_index:
                    result.not_in_index.append(name)
            result.warnings.append(
                "Needed by the requested packages but not in the curated CodeArtifact index: " + ", ".join(missing)
                + ". Ask the platform team to add them."
            )
            return []
        raise Refused(
            "ResolutionFailed",
            f"The requirements cannot be installed together from the curated index ({kind}): {tail(outcome.lines)}",
            422,
        )
    return []  # pragma: no cover
