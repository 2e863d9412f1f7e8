"""Which schema a configuration file is validated against (``SageMakerMLOps.config_files``), and the shipped ones.

A reference is ``builtin:<name>`` (``<name>.schema.json`` shipped in this package, built from the repository's
``schema/config/``), an absolute path of a JSON Schema file on the server, or ``repo:<path>`` (a schema kept in
the project's repository, read at the same branch or commit as the file it checks). Files match by base name
(``fnmatch`` glob, case-sensitive): ``model_config.yaml`` anywhere in the repository.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import os
from pathlib import Path
from typing import Any, Mapping, Optional

#: Where the build copies schema/config/*.json into the package.
PACKAGED = Path(__file__).parent / "schemas"
#: The same files in a source checkout (python-server/sagemaker_mlops/sharedconfig -> <repo>/schema/config).
SOURCE_TREE = Path(__file__).resolve().parents[3] / "schema" / "config"

DEFAULT_FILES = {
    "model_config.yaml": "builtin:model_config",
    "staging-config.json": "builtin:stage_config",
    "prod-config.json": "builtin:stage_config",
}


class ReferenceError_(Exception):
    """A configured schema reference that cannot be used."""


def schema_dir() -> Path:
    return PACKAGED if any(PACKAGED.glob("*.schema.json")) else SOURCE_TREE


def builtin_names() -> list[str]:
    return sorted(p.name[: -len(".schema.json")] for p in schema_dir().glob("*.schema.json"))


@functools.lru_cache(maxsize=16)
def builtin(name: str) -> dict[str, Any]:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ReferenceError_(f"builtin:{name} is not a schema name")
    path = schema_dir() / f"{name}.schema.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReferenceError_(
            f"builtin:{name} is not a shipped schema (shipped: {', '.join(builtin_names()) or 'none'})"
        ) from None


def check_reference(reference: str) -> str:
    """A reference's form, checked when the setting is read: ``builtin``, ``server`` or ``repo``."""
    if reference.startswith("builtin:"):
        return "builtin"
    if reference.startswith("repo:"):
        path = reference[len("repo:"):].strip("/")
        if not path or any(part in ("", ".", "..") for part in path.split("/")):
            raise ValueError(f"'{reference}': repo: needs a file path in the repository")
        return "repo"
    if os.path.isabs(reference):
        return "server"
    raise ValueError(f"'{reference}' is not builtin:<name>, repo:<path> or an absolute path of a schema file")


def read_server_schema(path: str, max_bytes: int) -> Any:
    try:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as error:
        # The path is the administrator's; the browser gets no server path.
        raise ReferenceError_(f"a schema file configured on the server cannot be read ({type(error).__name__})") from None
    if len(data) > max_bytes:
        raise ReferenceError_("a schema file configured on the server is larger than max_config_bytes")
    try:
        return json.loads(data.decode("utf-8"))
    except ValueError:
        raise ReferenceError_("a schema file configured on the server is not JSON") from None


def base_name(path: str) -> str:
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def match(files: Mapping[str, str], path: str) -> Optional[tuple[str, str]]:
    """(pattern, reference) of the first ``config_files`` entry matching the path's base name, else None."""
    name = base_name(path)
    for pattern, reference in files.items():
        if fnmatch.fnmatchcase(name, pattern):
            return pattern, reference
    return None


def source_of(reference: str) -> str:
    """What the browser is told about a reference: never a server path."""
    kind = check_reference(reference)
    return "server" if kind == "server" else reference
