"""The requirement strings accepted from the browser: PEP 508 requirements naming a package, one per string.

Refused, each with its own message: installer options (``-e``, ``--index-url``, ``-r`` ...), URLs and direct
references (``name @ url``), VCS references, local paths and archives, several requirements in one string,
newlines and other control characters, environment markers other than the standard ones, an empty list and more
than :data:`MAX_REQUIREMENTS` requirements.
"""

from __future__ import annotations

import re
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ..allowlist import Refused, _safe

#: Requirements accepted in one request.
MAX_REQUIREMENTS = 50
#: Longest requirement string accepted.
MAX_LENGTH = 300

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_VCS = re.compile(r"(?i)^\s*(?:[A-Za-z0-9._-]+\s*@\s*)?(?:git|hg|svn|bzr)\+")
_URL = re.compile(r"(?i)[a-z][a-z0-9+.-]*://|^\s*(?:file|https?|ftp):")
_ARCHIVE = re.compile(r"(?i)\.(?:whl|tar\.gz|tgz|tar\.bz2|tar\.xz|zip|egg)\s*$")
_SEVERAL = re.compile(r"[\s,;]+")


def bad(message: str) -> Refused:
    return Refused("InvalidRequirement", message, 400)


def check_requirement(text: Any) -> Requirement:
    """One requirement string -> a :class:`Requirement` naming a package from the index, or :class:`Refused`."""
    if not isinstance(text, str):
        raise bad("Each requirement must be a string such as 'pandas==2.2.2'.")
    shown = _safe(text, 120)
    if _CONTROL.search(text):
        raise bad(f"The requirement '{shown}' contains a newline or another control character: give one requirement per entry.")
    stripped = text.strip()
    if not stripped:
        raise bad("A requirement is empty: give a package name such as 'pandas' or 'pandas==2.2.2'.")
    if len(text) > MAX_LENGTH:
        raise bad(f"The requirement '{shown}' is longer than {MAX_LENGTH} characters.")
    if stripped.startswith("-"):
        raise bad(
            f"'{shown}' is an installer option: options (such as -e, -r, --index-url, --extra-index-url, --pre) are "
            "not accepted. Give package requirements only; packages come from the platform's CodeArtifact index."
        )
    if _VCS.search(stripped):
        raise bad(
            f"'{shown}' is a version control reference: only packages of the platform's CodeArtifact index can be "
            "installed. Ask the platform team to publish the package there."
        )
    if _URL.search(stripped) or re.search(r"\s@", stripped) or re.match(r"^[^\s\[;]+@", stripped):
        raise bad(
            f"'{shown}' is a URL or a direct reference (name @ url): only packages of the platform's CodeArtifact "
            "index can be installed, by name and version."
        )
    if (
        stripped.startswith((".", "/", "~", "\\"))
        or "/" in stripped.split(";")[0]
        or "\\" in stripped
        or re.match(r"^[A-Za-z]:", stripped)
        or _ARCHIVE.search(stripped.split(";")[0])
    ):
        raise bad(
            f"'{shown}' looks like a local path or archive: only packages of the platform's CodeArtifact index can "
            "be installed, by name and version."
        )
    try:
        requirement = Requirement(stripped)
    except InvalidRequirement:
        raise diagnose(stripped, shown) from None
    if requirement.url:
        raise bad(f"'{shown}' is a direct reference (name @ url): give a package name and version instead.")
    return requirement


def diagnose(text: str, shown: str) -> Refused:
    """Why a string that is not one valid requirement was refused."""
    head, semicolon, marker = text.partition(";")
    if semicolon and _parses(head):
        return bad(
            f"The environment marker of '{shown}' is not valid: only the standard markers (python_version, "
            "python_full_version, sys_platform, platform_system, platform_machine, os_name, implementation_name, "
            "platform_python_implementation, ...) with quoted values are accepted."
        )
    parts = [p for p in _SEVERAL.split(text) if p]
    if len(parts) > 1 and sum(_parses(p) for p in parts) >= 2:
        return bad(f"'{shown}' holds several requirements: give one requirement per entry.")
    return bad(
        f"'{shown}' is not a valid requirement: give a package name with an optional version, such as 'pandas' or "
        "'pandas==2.2.2' or 'pandas>=2,<3'."
    )


def _parses(text: str) -> bool:
    try:
        return not Requirement(text.strip()).url
    except InvalidRequirement:
        return False


def check_requirements(value: Any) -> list[Requirement]:
    """The request's ``requirements``: a non-empty list of at most :data:`MAX_REQUIREMENTS` valid requirements."""
    if not isinstance(value, list):
        raise bad("'requirements' must be a list of requirement strings such as [\"pandas==2.2.2\"].")
    if not value:
        raise bad("'requirements' is empty: name at least one package.")
    if len(value) > MAX_REQUIREMENTS:
        raise bad(f"At most {MAX_REQUIREMENTS} requirements are accepted at once; {len(value)} were given.")
    return [check_requirement(item) for item in value]


def name_of(requirement: Requirement) -> str:
    return canonicalize_name(requirement.name)
