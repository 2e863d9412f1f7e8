"""The shared-config fixtures (schema/config/fixtures, also read by the browser's tests): each file gets the verdict
its first lines expect from the server's reader and validator, quickly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sagemaker_mlops.sharedconfig import check
from sagemaker_mlops.sharedconfig.schemas import SOURCE_TREE, builtin

FIXTURES = SOURCE_TREE / "fixtures"
SCHEMA_OF = {"model_config": "model_config", "stage_config": "stage_config"}


def expectations(path: Path) -> tuple[list[tuple[str, str]], list[str], bool]:
    """(expected errors as (pointer, rule), expected warnings, valid?) from the file's header (or its .expect)."""
    sidecar = path.with_name(path.name + ".expect")
    header = (sidecar if sidecar.exists() else path).read_bytes().decode("utf-8", errors="replace").splitlines()
    errors, warnings, valid = [], [], False
    for line in header:
        if line.startswith("# expect: "):
            spec = line[len("# expect: "):].strip()
            if spec == "valid":
                valid = True
                continue
            pointer, rule = spec.rsplit(" ", 1)
            errors.append(("" if pointer == '""' else pointer, rule))
        elif line.startswith("# warn: "):
            warnings.append(line[len("# warn: "):].strip())
        elif not line.startswith("#"):
            break
    assert valid or errors, f"{path} has no expectation"
    return errors, warnings, valid


def fixtures(kind: str) -> list[Path]:
    return sorted(p for p in (FIXTURES / kind).rglob("*") if p.suffix in (".yaml", ".json"))


def test_every_top_level_key_has_valid_and_invalid_fixtures():
    for key in builtin("model_config")["properties"]:
        stem = key.replace("_", "-")
        for verdict in ("valid", "invalid"):
            assert any(p.name.startswith(stem) for p in (FIXTURES / "model_config" / verdict).iterdir()), (key, verdict)
    for verdict in ("valid", "invalid"):
        assert len(list((FIXTURES / "stage_config" / verdict).glob("*.json"))) >= 3


@pytest.mark.parametrize("path", fixtures("model_config") + fixtures("stage_config"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_verdict(path: Path):
    kind = path.relative_to(FIXTURES).parts[0]
    errors_expected, warnings_expected, valid = expectations(path)
    name = "model_config.yaml" if kind == "model_config" else "prod-config.json"
    errors, warnings = check(name, path.read_bytes(), builtin(SCHEMA_OF[kind]))
    found = {(e["pointer"], e["rule"]) for e in errors}
    if valid:
        assert errors == [], errors
    else:
        assert path.parent.name == "invalid"
        for pointer, rule in errors_expected:
            assert (pointer, rule) in found, (pointer, rule, errors)
        assert all(e["line"] for e in errors), errors
    assert sorted(w["pointer"] for w in warnings) == sorted(warnings_expected)


@pytest.mark.parametrize("path", fixtures("hostile"), ids=lambda p: p.name)
def test_hostile_fixture_is_refused_quickly(path: Path):
    (pointer, rule), = expectations(path)[0]
    name = "model_config.yaml" if path.suffix == ".yaml" else "prod-config.json"
    started = time.perf_counter()
    errors, _ = check(name, path.read_bytes(), builtin("model_config" if path.suffix == ".yaml" else "stage_config"))
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0
    assert len(errors) == 1, errors
    assert errors[0]["rule"] == rule
    if pointer != "*":
        assert errors[0]["pointer"] == pointer
