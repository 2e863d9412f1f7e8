"""The packages capability without AWS: the requirement strings it refuses (each with its own message), its
authentication, the installer command it builds (no token in the argv, the index only through the environment,
no other index or configuration) and the redaction of every line that leaves the server."""

from __future__ import annotations

import base64
import json
import os
from types import SimpleNamespace

import pytest

from conftest import error_of
from sagemaker_mlops.capabilities import BUILTIN, load
from sagemaker_mlops.config import SageMakerMLOps
from sagemaker_mlops.packages import installer
from sagemaker_mlops.packages.index import CodeArtifactIndex, IndexAccess
from sagemaker_mlops.packages.requirements import check_requirement

ROOT = "/sagemaker-mlops/packages"
TOKEN = "eyJ2ZXIiOjEsImlzdSI6MTcwMDAwMDAwMH0.eyJkb21haW4iOiJtbG9wcyJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"
INDEX = f"https://aws:{TOKEN}@mlops-123456789012.d.codeartifact.us-east-1.amazonaws.com/pypi/mlops-codeartifact-repository/simple/"

REFUSED = [
    ("-e .", "installer option"),
    ("--index-url=https://pypi.org/simple", "installer option"),
    ("--extra-index-url https://evil.example/simple", "installer option"),
    ("-r requirements.txt", "installer option"),
    ("-i https://evil.example/simple", "installer option"),
    ("https://evil.example/pkg-1.0.tar.gz", "URL or a direct reference"),
    ("pkg @ https://evil.example/pkg-1.0-py3-none-any.whl", "URL or a direct reference"),
    ("pkg@file:///tmp/pkg", "URL or a direct reference"),
    ("git+https://github.com/org/repo.git", "version control"),
    ("pkg @ git+ssh://git@github.com/org/repo.git", "version control"),
    ("hg+https://example.org/repo", "version control"),
    ("./local/package", "local path"),
    ("/tmp/pkg-1.0-py3-none-any.whl", "local path"),
    ("~/src/pkg", "local path"),
    ("pkg-1.0.tar.gz", "local path"),
    ("C:\\pkg", "local path"),
    ("pandas numpy", "several requirements"),
    ("pandas==2.2.2,numpy", "several requirements"),
    ("pandas; numpy", "environment marker"),
    ("pandas\nnumpy", "control character"),
    ("pandas\r", "control character"),
    ("pandas\x00", "control character"),
    ('pandas; evil_marker == "1"', "environment marker"),
    ('pandas; python_version >= 3', "environment marker"),
    ("", "empty"),
    ("   ", "empty"),
    ("pan!das", "not a valid requirement"),
    ("x" * 400, "longer than"),
]


@pytest.mark.parametrize("text,why", REFUSED)
def test_refused_requirement_forms(text, why):
    with pytest.raises(Exception) as raised:
        check_requirement(text)
    assert raised.value.status == 400 and raised.value.code == "InvalidRequirement"
    assert why in raised.value.message


@pytest.mark.parametrize(
    "text", ["pandas", "pandas==2.2.2", "Pandas[performance]>=2,<3", 'tabulate; python_version >= "3.8"', "six ~= 1.16",
             "python_dateutil===2.9.0.post0"]
)
def test_accepted_requirement_forms(text):
    assert str(check_requirement(text))


@pytest.mark.parametrize("route", ["plan", "jobs"])
@pytest.mark.parametrize("text,why", [r for r in REFUSED if r[0].strip()][:12] + [("pandas\nnumpy", "control character")])
async def test_the_routes_refuse_them(call, route, text, why):
    response = await call(f"{ROOT}/{route}", "POST", json.dumps({"kernel": "k-1", "requirements": ["six", text]}))
    assert response.code == 400
    error = error_of(response)
    assert error["code"] == "InvalidRequirement" and why in error["message"]


@pytest.mark.parametrize(
    "payload,why",
    [
        ({"kernel": "k-1", "requirements": []}, "empty"),
        ({"kernel": "k-1", "requirements": [f"pkg{i}" for i in range(51)]}, "At most 50"),
        ({"kernel": "k-1", "requirements": "pandas"}, "must be a list"),
        ({"kernel": "k-1", "requirements": [1]}, "must be a string"),
        ({"requirements": ["pandas"]}, "'kernel'"),
    ],
)
async def test_request_shapes(call, payload, why):
    response = await call(f"{ROOT}/plan", "POST", json.dumps(payload))
    assert response.code == 400
    assert why in error_of(response)["message"]


async def test_fifty_requirements_are_accepted_up_to_the_kernel_lookup(call):
    response = await call(f"{ROOT}/plan", "POST", json.dumps({"kernel": "k-1", "requirements": [f"pkg{i}" for i in range(50)]}))
    assert response.code == 404 and error_of(response)["code"] == "KernelNotFound"


async def test_not_json(call):
    response = await call(f"{ROOT}/jobs", "POST", "kernel=1")
    assert response.code == 400 and error_of(response)["code"] == "BadRequest"


@pytest.mark.parametrize(
    "path,method",
    [("environment?kernel=x", "GET"), ("search?q=a", "GET"), ("plan", "POST"), ("jobs", "POST"),
     ("jobs/" + "0" * 32, "GET"), ("jobs/" + "0" * 32, "DELETE")],
)
async def test_authentication_and_xsrf(call, path, method):
    assert (await call(f"{ROOT}/{path}", method, auth=False)).code == 403
    refused = await call(f"{ROOT}/{path}", method, xsrf=None)
    assert refused.code == 403 and error_of(refused)["code"] == "XSRFError"


async def test_unknown_job(call):
    response = await call(f"{ROOT}/jobs/{'0' * 32}")
    assert response.code == 404 and error_of(response)["code"] == "JobNotFound"


def test_the_capability_and_its_settings():
    capability = load("packages")
    assert "packages" in BUILTIN and "packages" in SageMakerMLOps().capabilities
    assert capability.operations == {}  # every CodeArtifact call is made by the server itself
    assert [p for p, _ in capability.routes] == [
        "/packages/environment", "/packages/search", "/packages/plan", "/packages/jobs", "/packages/jobs/([0-9a-f]{32})"
    ]
    config = SageMakerMLOps()
    # not set: SSM (codeartifact_ssm_prefix), else the platform's mlops / mlops-codeartifact-repository
    assert (config.codeartifact_domain, config.codeartifact_repository) == ("", "")
    assert config.codeartifact_ssm_prefix == "/mlops/codeartifact/"
    assert config.codeartifact_domain_owner == "" and config.codeartifact_endpoint_url == ""
    assert config.codeartifact_token_seconds == 3600
    with pytest.raises(Exception):
        SageMakerMLOps(codeartifact_token_seconds=60)
    with pytest.raises(Exception):
        SageMakerMLOps(codeartifact_domain_owner="12345")


ACCESS = IndexAccess(url=INDEX, public_url=INDEX.replace(f"aws:{TOKEN}@", ""), token=TOKEN, expires=0)


@pytest.mark.parametrize("kind", ["uv", "pip"])
def test_the_installer_command_holds_no_token_and_only_the_index(kind, monkeypatch):
    for name, value in {
        "PIP_EXTRA_INDEX_URL": "https://evil.example/simple", "PIP_FIND_LINKS": "/tmp/evil", "PIP_INDEX_URL": "https://pypi.org/simple",
        "UV_EXTRA_INDEX_URL": "https://evil.example/simple", "UV_INDEX": "evil=https://evil.example/simple",
        "UV_INDEX_URL": "https://pypi.org/simple", "UV_FIND_LINKS": "/tmp/evil", "PIP_CONFIG_FILE": "/tmp/evil.conf",
        "PYTHONPATH": "/tmp/evil",
    }.items():
        monkeypatch.setenv(name, value)
    command = installer.install_command(kind, "/usr/bin/uv", "/env/bin/python", ["pandas==2.2.2"], ACCESS)
    assert not any(TOKEN in part or "aws:" in part or "index" in part.lower() for part in command.argv)
    assert command.argv[-1] == "pandas==2.2.2"
    env = command.env
    assert not any("evil" in value or "pypi.org" in value for value in env.values())
    assert "PYTHONPATH" not in env
    if kind == "uv":
        assert command.argv[:5] == ["/usr/bin/uv", "pip", "install", "--python", "/env/bin/python"]
        assert env["UV_DEFAULT_INDEX"] == INDEX and env["UV_NO_CONFIG"] == "1"
        assert not any(k.startswith("PIP_") for k in env)
        assert [k for k in env if k.startswith("UV_") and "INDEX" in k] == ["UV_DEFAULT_INDEX"]
    else:
        assert command.argv[:4] == ["/env/bin/python", "-m", "pip", "install"]
        assert env["PIP_INDEX_URL"] == INDEX and env["PIP_CONFIG_FILE"] == os.devnull
        assert not any(k.startswith("UV_") for k in env)
        assert [k for k in env if k.startswith("PIP_") and ("INDEX" in k or "FIND" in k)] == ["PIP_INDEX_URL"]


def test_which_installer(monkeypatch, tmp_path):
    uv = tmp_path / "uv"
    uv.write_text("#!/bin/sh\n")
    uv.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert installer.which_installer("auto") == ("uv", str(uv))
    assert installer.which_installer("pip") == ("pip", None)
    monkeypatch.setenv("PATH", str(tmp_path / "none"))
    assert installer.which_installer("auto") == ("pip", None)


def test_every_form_of_the_token_is_redacted():
    index = CodeArtifactIndex(SageMakerMLOps(), SimpleNamespace(_frozen=None))
    index._tokens.append(TOKEN)
    basic = base64.b64encode(f"aws:{TOKEN}".encode()).decode()
    lines = [
        f"Looking in indexes: {INDEX}",
        f"  cause: Failed to fetch: {INDEX}tabulate/",
        f"WARNING: 401 Error, Credentials not correct for {INDEX}",
        f"token {TOKEN} in a message",
        f"Authorization: Basic {basic}",
        "https://someone:secret-password@proxy.example:8080/",
        "aws:anything-else@host",
    ]
    for line in lines:
        cleaned = index.redact(line)
        assert TOKEN not in cleaned and basic not in cleaned and "secret-password" not in cleaned, cleaned
        assert "aws:anything-else" not in cleaned
    assert index.redact(lines[0]) == (
        "Looking in indexes: https://[redacted]@mlops-123456789012.d.codeartifact.us-east-1.amazonaws.com/pypi/"
        "mlops-codeartifact-repository/simple/"
    )
