"""The curated wheelhouse: real wheels from PyPI, downloaded once with pip into a cache directory.

The list is ``devstack/wheelhouse.txt`` (``name==version`` lines). ``ensure_wheels`` downloads what the cache lacks
(``pip download --only-binary=:all: --no-deps``), so later runs need no network; ``load_wheels`` reads each wheel's
metadata (name, version, ``Requires-Python``) and sha256 for the PEP 503 index.
"""

from __future__ import annotations

import email.parser
import fcntl
import hashlib
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

CACHE_ENV = "MLOPS_DEVSTACK_WHEEL_CACHE"
LIST_ENV = "MLOPS_DEVSTACK_WHEELHOUSE"


def normalize(name: str) -> str:
    """PEP 503 name normalization."""
    return re.sub(r"[-_.]+", "-", name).lower()


def default_cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "mlops-devstack" / "wheels"


def wheelhouse_file() -> Path:
    configured = os.environ.get(LIST_ENV)
    if configured:
        return Path(configured)
    # devstack/src/mlops_devstack/wheels.py -> devstack/wheelhouse.txt
    return Path(__file__).resolve().parents[2] / "wheelhouse.txt"


def read_requirements(path: Optional[Path] = None) -> list[tuple[str, str]]:
    """``[(name, version)]`` from the curated list."""
    reqs = []
    for raw in (path or wheelhouse_file()).read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9._+!-]+)", line)
        if not m:
            raise ValueError(f"wheelhouse.txt: expected name==version, got {raw!r}")
        reqs.append((m.group(1), m.group(2)))
    return reqs


@dataclass(frozen=True)
class Wheel:
    name: str  # as the wheel's metadata spells it
    version: str
    filename: str
    path: Path
    sha256: str
    requires_python: Optional[str]
    summary: str
    size: int

    @property
    def project(self) -> str:
        return normalize(self.name)


def _wheel_key(filename: str) -> tuple[str, str]:
    """(normalized name, version) from a wheel file name."""
    parts = filename[: -len(".whl")].split("-")
    return normalize(parts[0]), parts[1]


def _same_version(a: str, b: str) -> bool:
    try:
        from packaging.version import Version

        return Version(a) == Version(b)
    except Exception:
        return a == b


def _cached(cache: Path, name: str, version: str) -> Optional[Path]:
    for whl in cache.glob("*.whl"):
        n, v = _wheel_key(whl.name)
        if n == normalize(name) and _same_version(v, version):
            return whl
    return None


def ensure_wheels(cache_dir: Optional[Path] = None, requirements: Optional[list[tuple[str, str]]] = None) -> list[Path]:
    """Every curated wheel as a path in the cache, downloading the missing ones from PyPI with pip."""
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    reqs = requirements if requirements is not None else read_requirements()
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two devstacks starting at once download once
        missing = [(n, v) for n, v in reqs if _cached(cache, n, v) is None]
        # pip cannot download two versions of one project in a single run: one round per duplicate.
        while missing:
            round_, later, seen = [], [], set()
            for n, v in missing:
                (later if normalize(n) in seen else round_).append((n, v))
                seen.add(normalize(n))
            cmd = [
                sys.executable, "-m", "pip", "download", "--only-binary=:all:", "--no-deps",
                "--disable-pip-version-check", "--no-input", "--quiet", "-d", str(cache),
                *[f"{n}=={v}" for n, v in round_],
            ]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                raise RuntimeError(
                    "could not download the curated wheels from PyPI (needed once; set "
                    f"{CACHE_ENV} to a directory that holds them):\n{proc.stderr.strip()}"
                )
            missing = later
        paths = []
        for n, v in reqs:
            whl = _cached(cache, n, v)
            if whl is None:
                raise RuntimeError(f"pip did not produce a wheel for {n}=={v}")
            if not whl.name.endswith("-none-any.whl"):
                raise RuntimeError(f"{whl.name} is not a pure-Python wheel; the curated list must hold pure ones")
            paths.append(whl)
        return paths


def read_wheel(path: Path) -> Wheel:
    with zipfile.ZipFile(path) as zf:
        meta_name = next(n for n in zf.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n))
        meta = email.parser.HeaderParser().parsestr(zf.read(meta_name).decode("utf-8", "replace"))
    data = path.read_bytes()
    return Wheel(
        name=meta["Name"],
        version=meta["Version"],
        filename=path.name,
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        requires_python=meta.get("Requires-Python"),
        summary=meta.get("Summary") or "",
        size=len(data),
    )


def load_wheels(paths: list[Path]) -> dict[str, list[Wheel]]:
    """``{normalized project name: [Wheel, ...]}`` sorted by version."""
    from packaging.version import Version

    index: dict[str, list[Wheel]] = {}
    for path in paths:
        wheel = read_wheel(path)
        index.setdefault(wheel.project, []).append(wheel)
    for wheels in index.values():
        wheels.sort(key=lambda w: Version(w.version))
    return dict(sorted(index.items()))
