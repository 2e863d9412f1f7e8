"""The CodeArtifact domain, owner and repository found through SSM, against the devstack (which seeds
``/mlops/codeartifact/{domain,domain-owner,repository}``), as the data scientist's role reads them: the
``environment`` route says where each value came from, one GetParameters call serves every request, and a denied
or throttled SSM leaves installs working with the platform defaults."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from packages_support import *  # noqa: F401,F403
from packages_support import ROOT, control

ACCOUNT = "123456789012"
SEEDED = {"domain": "mlops", "domainOwner": ACCOUNT, "repository": "mlops-codeartifact-repository"}


def count(devstack: dict[str, str], operation: str) -> int:
    return sum(control(devstack, f"/requests?operation={operation}")["counts"].values())


async def index_of(call, kernel_id: str) -> dict[str, Any]:
    response = await call(f"{ROOT}/environment?kernel={kernel_id}")
    assert response.code == 200, response.body
    data = json.loads(response.body)
    assert {"kernelId", "interpreter", "pythonVersion", "installer", "isServerEnvironment", "installed"} <= set(data)
    return data["index"]


async def search_works(call) -> None:
    response = await call(f"{ROOT}/search?q=ta")
    assert response.code == 200, response.body
    assert [p["name"] for p in json.loads(response.body)["packages"]] == ["tabulate"]


async def test_the_seeded_parameters_are_used_and_read_once(call, start_kernel, devstack):
    control(devstack, "/requests/reset", {})
    kernel_id = await start_kernel()
    for _ in range(2):
        index = await index_of(call, kernel_id)
        assert index == {**SEEDED, "source": {"domain": "ssm", "domainOwner": "ssm", "repository": "ssm"}}
        await search_works(call)
    assert count(devstack, "ssm.GetParameters") == 1
    # the owner from SSM is named in the CodeArtifact calls, which the devstack accepts for its own account
    assert count(devstack, "ListPackages") == 2


class TestSettingsBeatSsm:
    @pytest.fixture
    def mlops_config(self, tmp_path):
        return {
            "resource_metadata_path": str(tmp_path / "no-metadata.json"),
            "codeartifact_domain": "mlops",
            "codeartifact_domain_owner": ACCOUNT,
            "codeartifact_repository": "mlops-codeartifact-repository",
        }

    async def test_ssm_is_not_asked(self, call, start_kernel, devstack):
        control(devstack, "/requests/reset", {})
        index = await index_of(call, await start_kernel())
        assert index["source"] == {"domain": "setting", "domainOwner": "setting", "repository": "setting"}
        await search_works(call)
        assert count(devstack, "GetParameters") == 0


class TestSsmDisabled:
    @pytest.fixture
    def mlops_config(self, tmp_path):
        return {"resource_metadata_path": str(tmp_path / "no-metadata.json"), "codeartifact_ssm_prefix": ""}

    async def test_the_platform_defaults(self, call, start_kernel, devstack):
        control(devstack, "/requests/reset", {})
        index = await index_of(call, await start_kernel())
        assert index == {
            "domain": "mlops", "domainOwner": None, "repository": "mlops-codeartifact-repository",
            "source": {"domain": "default", "domainOwner": "default", "repository": "default"},
        }
        await search_works(call)
        assert count(devstack, "GetParameters") == 0


@pytest.mark.parametrize("fault,reason", [({"accessDenied": ["GetParameters"]}, "AccessDenied"),
                                          ({"throttle": ["GetParameters"]}, "Throttling")])
async def test_a_failing_ssm_does_not_fail_the_install(call, start_kernel, devstack, faults, caplog, jp_serverapp,
                                                       fault, reason):
    faults(fault)
    caplog.set_level(logging.INFO)
    kernel_id = await start_kernel()
    index = await index_of(call, kernel_id)
    assert index["source"] == {"domain": "default", "domainOwner": "default", "repository": "default"}
    await search_works(call)
    warnings = [r.getMessage() for r in caplog.records if r.name.startswith("sagemaker_mlops") and r.levelno == logging.WARNING]
    assert len(warnings) == 1 and reason in warnings[0] and "/mlops/codeartifact/domain" in warnings[0]
    # nothing secret in any log line: neither the role's credentials nor a CodeArtifact token
    from sagemaker_mlops.capabilities.packages import SETTING

    packages_index = jp_serverapp.web_app.settings[SETTING].index
    access = await packages_index.access()  # a token, for the defaults
    assert f"/codeartifact/mlops-{ACCOUNT}/pypi/mlops-codeartifact-repository/" in access.public_url
    credentials = packages_index.aws.session.get_credentials().get_frozen_credentials()
    tokens = control(devstack, "/codeartifact/tokens")["tokens"]
    assert tokens and credentials.token
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in [credentials.access_key, credentials.secret_key, credentials.token, *tokens]:
        assert secret not in logged
