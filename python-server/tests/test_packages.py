"""The packages capability against the devstack's CodeArtifact: kernels' interpreters, search, plans, and real
installs into fresh virtual environments with uv and with pip, the token kept inside the server throughout."""

from __future__ import annotations

import json
import sys

import pytest

from conftest import error_of
from packages_support import *  # noqa: F401,F403
from packages_support import ROOT, body, installed_in, wait_job


async def test_environment_of_the_default_kernel(call, start_kernel):
    kernel_id = await start_kernel()
    response = await call(f"{ROOT}/environment?kernel={kernel_id}")
    assert response.code == 200, response.body
    data = json.loads(response.body)
    # the interpreter as the kernel was started (the test environment's bin/python, not the file it links to)
    assert data["interpreter"] == sys.executable
    assert data["isServerEnvironment"] is True
    assert data["kernelId"] == kernel_id
    assert data["pythonVersion"] == "%d.%d.%d" % sys.version_info[:3]
    assert data["installer"] == "uv"
    names = {p["name"].lower() for p in data["installed"]}
    assert {"jupyter_server", "ipykernel"} <= {n.replace("-", "_") for n in names}


async def test_unknown_kernel(call):
    response = await call(f"{ROOT}/environment?kernel=00000000-0000-0000-0000-000000000000")
    assert response.code == 404
    assert error_of(response)["code"] == "KernelNotFound"


async def test_environment_of_a_kernel_in_a_fresh_venv(call, start_kernel, venv):
    kernel_id = await start_kernel(venv)
    response = await call(f"{ROOT}/environment?kernel={kernel_id}")
    assert response.code == 200, response.body
    data = json.loads(response.body)
    assert data["interpreter"] == str(venv)
    assert data["isServerEnvironment"] is False
    assert {p["name"] for p in data["installed"]} <= {"pip", "setuptools"}


async def test_search(call):
    response = await call(f"{ROOT}/search?q=ta")
    assert response.code == 200, response.body
    assert json.loads(response.body)["packages"] == [
        {"name": "tabulate", "versions": ["0.9.0", "0.8.10"], "latest": "0.9.0"}
    ]
    everything = json.loads((await call(f"{ROOT}/search?q=")).body)["packages"]
    assert 1 < len(everything) <= 20
    bad = await call(f"{ROOT}/search?q=" + "%2Fetc")
    assert bad.code == 400


async def test_plan(call, start_kernel, venv):
    kernel_id = await start_kernel(venv)
    response = await call(
        f"{ROOT}/plan", "POST",
        body({"kernel": kernel_id, "requirements": ["python-dateutil", "tabulate==0.8.10", "pandas", "numpy>=1"]}),
    )
    assert response.code == 200, response.body
    plan = json.loads(response.body)
    assert sorted((i["name"], i["version"]) for i in plan["install"]) == [
        ("python-dateutil", "2.9.0.post0"), ("six", "1.17.0"), ("tabulate", "0.8.10")
    ]
    assert plan["upgrade"] == plan["downgrade"] == []
    assert plan["notInIndex"] == ["pandas", "numpy"]
    # no resolver trace, and nothing about the server's environment
    assert len(plan["warnings"]) == 1 and "pandas, numpy" in plan["warnings"][0]
    assert "Because" not in response.body.decode()


async def test_plan_in_the_server_environment_warns(call, start_kernel):
    kernel_id = await start_kernel()
    response = await call(f"{ROOT}/plan", "POST", body({"kernel": kernel_id, "requirements": ["tabulate==0.9.0"]}))
    assert response.code == 200, response.body
    plan = json.loads(response.body)
    assert plan["install"] == [{"name": "tabulate", "version": "0.9.0"}]
    (warning,) = plan["warnings"]
    assert "break JupyterLab" in warning and "space restarts" in warning and "home directory" in warning


async def test_plan_of_a_version_the_index_lacks(call, start_kernel, venv):
    kernel_id = await start_kernel(venv)
    response = await call(f"{ROOT}/plan", "POST", body({"kernel": kernel_id, "requirements": ["tabulate==7.0"]}))
    assert response.code == 200, response.body
    plan = json.loads(response.body)
    assert plan["install"] == [] and plan["notInIndex"] == []
    assert "0.9.0, 0.8.10" in plan["warnings"][0]
    job = await call(f"{ROOT}/jobs", "POST", body({"kernel": kernel_id, "requirements": ["tabulate==7.0"]}))
    assert job.code == 422 and error_of(job)["code"] == "NotInIndex"


async def test_a_kernel_behind_a_wrapper_is_followed_to_its_python(call, jp_serverapp, jp_data_dir, venv):
    import sysconfig
    from pathlib import Path

    spec = Path(jp_data_dir) / "kernels" / "wrapped"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": ["/bin/sh", "-c", f"'{venv}' -m ipykernel_launcher -f \"$0\"; exit $?", "{connection_file}"],
        "display_name": "wrapped", "language": "python",
        "env": {"PYTHONPATH": sysconfig.get_paths()["purelib"]},
    }))
    kernel_id = await jp_serverapp.kernel_manager.start_kernel(kernel_name="wrapped")
    response = await call(f"{ROOT}/environment?kernel={kernel_id}")
    assert response.code == 200, response.body
    assert json.loads(response.body)["interpreter"] == str(venv)


async def test_the_kernel_is_asked_when_its_process_cannot_be_read(call, jp_serverapp, start_kernel, monkeypatch):
    from sagemaker_mlops.packages import environment

    kernel_id = await start_kernel()
    kernel = jp_serverapp.kernel_manager.get_kernel(kernel_id)
    assert await environment.ask_kernel(kernel) == sys.executable
    monkeypatch.setattr(environment, "interpreter_of_process", lambda pid, depth=0: None)
    response = await call(f"{ROOT}/environment?kernel={kernel_id}")
    assert response.code == 200, response.body
    assert json.loads(response.body)["interpreter"] == sys.executable


class TestEndpointOverride:
    @pytest.fixture
    def mlops_config(self, tmp_path, devstack):
        endpoint = devstack["AWS_ENDPOINT_URL"] + "/codeartifact/mlops-123456789012/pypi/mlops-codeartifact-repository/"
        return {
            "resource_metadata_path": str(tmp_path / "no-metadata.json"),
            "codeartifact_endpoint_url": endpoint,
            "codeartifact_domain_owner": "123456789012",
            "codeartifact_token_seconds": 900,
        }

    async def test_the_configured_repository_endpoint_is_used(self, call, start_kernel, venv, devstack):
        from packages_support import control

        control(devstack, "/requests/reset", {})
        kernel_id = await start_kernel(venv)
        response = await call(f"{ROOT}/plan", "POST", body({"kernel": kernel_id, "requirements": ["six"]}))
        assert response.code == 200, response.body
        counts = control(devstack, "/requests?operation=GetRepositoryEndpoint")["counts"]
        assert sum(counts.values()) == 0
        assert sum(control(devstack, "/requests?operation=GetAuthorizationToken")["counts"].values()) == 1


@pytest.mark.parametrize("kind", ["pip", "uv"])
def test_installer_env_drops_forced_colour(monkeypatch, kind):
    """A server started with colour forced on (FORCE_COLOR...) must not get escapes into pip's JSON report."""
    from sagemaker_mlops.packages.installer import installer_env

    for name in ("FORCE_COLOR", "CLICOLOR_FORCE", "PY_COLORS"):
        monkeypatch.setenv(name, "1")
    env = installer_env(kind, None)
    assert not {"FORCE_COLOR", "CLICOLOR_FORCE", "PY_COLORS"} & set(env)
    assert env["NO_COLOR"] == "1"
