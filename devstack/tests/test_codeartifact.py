"""CodeArtifact with boto3, and pip against the PEP 503 index with CodeArtifact tokens."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore.exceptions import ClientError

from _ext_server import ExtensionServer, make_state
from mlops_devstack.codeartifact import CodeArtifactExtension, expire_codeartifact_tokens, seed_codeartifact
from mlops_devstack.pypi_index import PypiIndexExtension
from mlops_devstack.wheels import read_requirements

DOMAIN, REPO, OWNER = "mlops", "mlops-codeartifact-repository", "123456789012"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    state = make_state(tmp_path_factory.mktemp("ca-data"))
    with ExtensionServer(state, [CodeArtifactExtension(state), PypiIndexExtension(state)]) as server:
        seed_codeartifact(state)
        yield state, server


@pytest.fixture(scope="module")
def ca(stack):
    _, server = stack
    return boto3.client("codeartifact", endpoint_url=server.url, region_name="us-east-1",
                        aws_access_key_id="test-access-key-id", aws_secret_access_key="secret")


def _code(err) -> str:
    return err.value.response["Error"]["Code"]


def _index_url(ca, token: str) -> str:
    endpoint = ca.get_repository_endpoint(domain=DOMAIN, domainOwner=OWNER, repository=REPO, format="pypi")["repositoryEndpoint"]
    return endpoint.replace("http://", f"http://aws:{token}@") + "simple/"


def _pip_install(index_url: str, target, *args: str) -> subprocess.CompletedProcess:
    # only the index under test: no pip configuration, no PIP_* variables (find-links, extra indexes ...)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    return subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-cache-dir", "--no-input", "--disable-pip-version-check",
         "--retries", "0", "--timeout", "20", "--target", str(target), "--index-url", index_url, *args],
        capture_output=True, text=True, env=env, timeout=180,
    )


def test_authorization_token(ca):
    out = ca.get_authorization_token(domain=DOMAIN, domainOwner=OWNER)
    assert out["authorizationToken"] and out["expiration"].tzinfo is not None
    remaining = out["expiration"] - datetime.now(timezone.utc)
    assert timedelta(hours=11, minutes=59) < remaining <= timedelta(hours=12)
    short = ca.get_authorization_token(domain=DOMAIN, durationSeconds=900)
    assert short["expiration"] - datetime.now(timezone.utc) <= timedelta(seconds=900)
    assert ca.get_authorization_token(domain=DOMAIN, durationSeconds=0)["authorizationToken"] != short["authorizationToken"]
    for bad in (60, 43201):
        with pytest.raises(ClientError) as err:
            ca.get_authorization_token(domain=DOMAIN, durationSeconds=bad)
        assert _code(err) == "ValidationException"
    with pytest.raises(ClientError) as err:
        ca.get_authorization_token(domain="other-domain")
    assert _code(err) == "ResourceNotFoundException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_repository_endpoint(stack, ca):
    _, server = stack
    endpoint = ca.get_repository_endpoint(domain=DOMAIN, repository=REPO, format="pypi")["repositoryEndpoint"]
    assert endpoint == f"{server.url}/codeartifact/{DOMAIN}-{OWNER}/pypi/{REPO}/"
    with pytest.raises(ClientError) as err:
        ca.get_repository_endpoint(domain=DOMAIN, repository="nope", format="pypi")
    assert _code(err) == "ResourceNotFoundException"


def test_list_packages(ca):
    curated = {name.lower().replace("_", "-") for name, _ in read_requirements()}
    names = {p["package"] for p in ca.list_packages(domain=DOMAIN, repository=REPO, format="pypi")["packages"]}
    assert names == curated and "requests" not in names
    page = ca.list_packages(domain=DOMAIN, repository=REPO, maxResults=5)
    rest = ca.list_packages(domain=DOMAIN, repository=REPO, nextToken=page["nextToken"])
    assert len(page["packages"]) == 5 and len(rest["packages"]) == len(curated) - 5
    only = ca.list_packages(domain=DOMAIN, repository=REPO, format="pypi", packagePrefix="python_")["packages"]
    assert [p["package"] for p in only] == ["python-dateutil"]
    assert only[0]["format"] == "pypi"
    pages = ca.get_paginator("list_packages").paginate(domain=DOMAIN, repository=REPO, PaginationConfig={"PageSize": 4})
    assert sum(len(p["packages"]) for p in pages) == len(curated)


def test_list_package_versions(ca):
    out = ca.list_package_versions(domain=DOMAIN, repository=REPO, format="pypi", package="tabulate")
    assert [v["version"] for v in out["versions"]] == ["0.9.0", "0.8.10"]
    assert out["defaultDisplayVersion"] == "0.9.0" and out["versions"][0]["status"] == "Published"
    with pytest.raises(ClientError) as err:
        ca.list_package_versions(domain=DOMAIN, repository=REPO, format="pypi", package="requests")
    assert _code(err) == "ResourceNotFoundException"


def _get(url: str, user: str, password: str):
    req = urllib.request.Request(url)
    req.add_header("Authorization", "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode())
    return urllib.request.urlopen(req, timeout=10)


def test_simple_index_pages(ca):
    token = ca.get_authorization_token(domain=DOMAIN)["authorizationToken"]
    base = _index_url(ca, token).replace(f"aws:{token}@", "")
    page = _get(base + "tabulate/", "aws", token).read().decode()
    assert "tabulate-0.8.10-py3-none-any.whl#sha256=" in page and "tabulate-0.9.0-py3-none-any.whl#sha256=" in page
    assert 'data-requires-python="&gt;=3.7"' in page
    # a non-normalized name redirects to the normalized one
    assert _get(base + "Python_DateUtil/", "aws", token).geturl().endswith("/simple/python-dateutil/")
    with pytest.raises(urllib.error.HTTPError) as err:
        _get(base + "requests/", "aws", token)
    assert err.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(base, timeout=10)
    assert err.value.code == 401 and err.value.headers["WWW-Authenticate"] == 'Basic realm="codeartifact"'
    assert "no credentials" in err.value.read().decode()
    with pytest.raises(urllib.error.HTTPError) as err:
        _get(base, "admin", token)
    assert err.value.code == 401 and "invalid credentials" in err.value.read().decode()


def test_pip_install_with_token(ca, tmp_path):
    token = ca.get_authorization_token(domain=DOMAIN, durationSeconds=900)["authorizationToken"]
    proc = _pip_install(_index_url(ca, token), tmp_path / "t1", "tabulate==0.8.10", "python-dateutil")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    installed = {p.name for p in (tmp_path / "t1").iterdir()}
    assert "tabulate-0.8.10.dist-info" in installed
    assert "six.py" in installed  # python-dateutil's dependency, resolved through the same index
    proc = _pip_install(_index_url(ca, token), tmp_path / "t2", "tabulate")
    assert proc.returncode == 0 and "tabulate-0.9.0.dist-info" in {p.name for p in (tmp_path / "t2").iterdir()}


def test_pip_package_not_curated(ca, tmp_path):
    token = ca.get_authorization_token(domain=DOMAIN)["authorizationToken"]
    proc = _pip_install(_index_url(ca, token), tmp_path / "t", "requests")
    assert proc.returncode != 0
    assert "No matching distribution found for requests" in proc.stderr


def test_pip_with_expired_token(stack, ca, tmp_path):
    state, _ = stack
    token = ca.get_authorization_token(domain=DOMAIN, durationSeconds=900)["authorizationToken"]
    url = _index_url(ca, token)
    expire_codeartifact_tokens(state)
    proc = _pip_install(url, tmp_path / "t", "-vv", "six")
    assert proc.returncode != 0
    # pip logs why the page was skipped (at -vv), then fails to find the package
    assert "401 client error: unauthorized" in (proc.stdout + proc.stderr).lower()
    assert "No matching distribution found for six" in proc.stderr
    with pytest.raises(urllib.error.HTTPError) as err:
        _get(url.replace(f"aws:{token}@", "") + "six/", "aws", token)
    assert err.value.code == 401 and "expired" in err.value.read().decode()
    # a fresh token works again
    fresh = ca.get_authorization_token(domain=DOMAIN)["authorizationToken"]
    assert _pip_install(_index_url(ca, fresh), tmp_path / "t2", "six").returncode == 0
