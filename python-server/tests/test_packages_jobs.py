"""Install jobs against the devstack's CodeArtifact index: real installs with uv and pip into fresh virtual
environments, the token never outside the server process, confirmation of changes, token renewal, queueing per
environment, cancellation and failed installs undone."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from pathlib import Path

import pytest

from conftest import error_of
from packages_support import *  # noqa: F401,F403
from packages_support import ROOT, body, control, files_containing, installed_in, make_venv, wait_job
from sagemaker_mlops.capabilities.packages import SETTING


def packages_state(jp_serverapp):
    return jp_serverapp.web_app.settings[SETTING]


def issued_tokens(jp_serverapp) -> list[str]:
    return list(packages_state(jp_serverapp).index._tokens)


def installer_processes() -> list[list[str]]:
    """The argv of every descendant process of this one (the installer and what it starts)."""
    me = os.getpid()
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found = []
    for pid in parents:
        ancestor, hops = parents.get(pid), 0
        while ancestor and ancestor != me and hops < 10:
            ancestor, hops = parents.get(ancestor), hops + 1
        if ancestor == me:
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    found.append([p.decode(errors="replace") for p in f.read().split(b"\0") if p])
            except OSError:
                continue
    return found


async def start_job(call, kernel_id: str, requirements: list[str], confirm: bool = False):
    return await call(
        f"{ROOT}/jobs", "POST", body({"kernel": kernel_id, "requirements": requirements, "confirmChanges": confirm})
    )


@pytest.mark.parametrize("installer_kind", ["uv", "pip"])
async def test_a_real_install_keeps_the_token_inside_the_server(
    call, start_kernel, venv, installer_kind, jp_serverapp, private_dirs
):
    kernel_id = await start_kernel(venv)
    environment = json.loads((await call(f"{ROOT}/environment?kernel={kernel_id}")).body)
    assert environment["installer"] == installer_kind
    response = await start_job(call, kernel_id, ["python-dateutil", "tabulate==0.8.10"])
    assert response.code == 202, response.body
    job = json.loads(response.body)
    assert job["state"] in ("queued", "running") and len(job["id"]) == 32
    argvs: list[list[str]] = []
    watching = threading.Event()

    def watch() -> None:  # the installer's argv, read from /proc while it runs
        while not watching.is_set():
            argvs.extend(installer_processes())
            time.sleep(0.002)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        await wait_job(call, job["id"])
    finally:
        watching.set()
        watcher.join()
    done = await wait_job(call, job["id"])
    assert done["state"] == "succeeded", done
    assert done["error"] is None
    assert sorted((i["name"].lower(), i["version"]) for i in done["installed"]) == [
        ("python-dateutil", "2.9.0.post0"), ("six", "1.17.0"), ("tabulate", "0.8.10")
    ]
    now = installed_in(venv)
    assert now["tabulate"] == "0.8.10" and now["python-dateutil"] == "2.9.0.post0" and now["six"] == "1.17.0"
    tokens = issued_tokens(jp_serverapp)
    assert tokens
    assert any("install" in argv for argv in argvs)
    for argv in argvs:
        assert not any(t in part for t in tokens for part in argv), argv
        assert not any("aws:" in part for part in argv)
    text = json.dumps(done)
    assert all(t not in text for t in tokens)
    assert "aws:" not in text
    # nothing on disk: not in the home (installer caches and config), the temporary directory or the environment
    assert files_containing([private_dirs["home"], private_dirs["tmp"], venv.parent.parent], tokens) == []
    assert not (private_dirs["home"] / ".netrc").exists()
    assert not (private_dirs["home"] / ".config" / "pip").exists()


async def test_an_upgrade_needs_confirmation(call, start_kernel, venv):
    kernel_id = await start_kernel(venv)
    assert (await wait_job(call, json.loads((await start_job(call, kernel_id, ["tabulate==0.8.10"])).body)["id"]))["state"] == "succeeded"
    plan = json.loads((await call(f"{ROOT}/plan", "POST", body({"kernel": kernel_id, "requirements": ["tabulate==0.9.0"]}))).body)
    assert plan["upgrade"] == [{"name": "tabulate", "from": "0.8.10", "to": "0.9.0"}]
    assert plan["install"] == plan["downgrade"] == []
    refused = await start_job(call, kernel_id, ["tabulate==0.9.0"])
    assert refused.code == 409
    error = error_of(refused)
    assert error["code"] == "ConfirmationRequired" and "tabulate 0.8.10 -> 0.9.0" in error["message"]
    assert installed_in(venv)["tabulate"] == "0.8.10"
    confirmed = await start_job(call, kernel_id, ["tabulate==0.9.0"], confirm=True)
    assert confirmed.code == 202
    assert (await wait_job(call, json.loads(confirmed.body)["id"]))["state"] == "succeeded"
    assert installed_in(venv)["tabulate"] == "0.9.0"
    downgrade = json.loads((await call(f"{ROOT}/plan", "POST", body({"kernel": kernel_id, "requirements": ["tabulate<0.9"]}))).body)
    assert downgrade["downgrade"] == [{"name": "tabulate", "from": "0.9.0", "to": "0.8.10"}]


async def test_an_expired_token_is_renewed(call, start_kernel, venv, devstack, jp_serverapp):
    kernel_id = await start_kernel(venv)
    # a plan gets a token; then CodeArtifact expires every token issued so far: the index answers 401
    assert (await call(f"{ROOT}/plan", "POST", body({"kernel": kernel_id, "requirements": ["six"]}))).code == 200
    first = issued_tokens(jp_serverapp)
    assert control(devstack, "/codeartifact/expire-tokens", {})["expired"] >= 1
    response = await call(f"{ROOT}/plan", "POST", body({"kernel": kernel_id, "requirements": ["six"]}))
    assert response.code == 200, response.body
    assert json.loads(response.body)["install"] == [{"name": "six", "version": "1.17.0"}]
    assert len(issued_tokens(jp_serverapp)) == len(first) + 1


async def test_an_install_refused_401_renews_the_token_and_retries_once(call, start_kernel, venv, devstack, jp_serverapp, monkeypatch):
    """The token expires between the plan and the installer: the installer's 401 renews it, the job retries."""
    from sagemaker_mlops.packages import jobs as jobs_module

    kernel_id = await start_kernel(venv)
    original = jobs_module.planner.plan

    async def plan_then_expire(*args, **kwargs):
        result = await original(*args, **kwargs)
        control(devstack, "/codeartifact/expire-tokens", {})
        return result

    monkeypatch.setattr(jobs_module.planner, "plan", plan_then_expire)
    response = await start_job(call, kernel_id, ["six"])
    assert response.code == 202, response.body
    done = await wait_job(call, json.loads(response.body)["id"])
    assert done["state"] == "succeeded", done
    assert any("renewing it and retrying once" in line for line in done["allLines"])
    assert any("401" in line for line in done["allLines"])  # the installer's own complaint, streamed ...
    tokens = issued_tokens(jp_serverapp)
    assert len(tokens) >= 2
    assert all(t not in json.dumps(done) for t in tokens)  # ... redacted
    assert installed_in(venv)["six"] == "1.17.0"


async def test_jobs_in_one_environment_are_queued(call, start_kernel, venv, faults, tmp_path):
    kernel_id = await start_kernel(venv)
    other = await start_kernel(make_venv(tmp_path / "other"))
    faults({"latencyMs": 1500, "operations": ["PypiDownload"]})
    first = json.loads((await start_job(call, kernel_id, ["six"])).body)
    second = json.loads((await start_job(call, kernel_id, ["tabulate==0.9.0"])).body)
    elsewhere = json.loads((await start_job(call, other, ["tabulate==0.9.0"])).body)
    assert second["state"] == "queued"
    seen: dict[str, set[tuple[str, str]]] = {"pairs": set()}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        states = {}
        for name, job in (("first", first), ("second", second), ("elsewhere", elsewhere)):
            states[name] = json.loads((await call(f"{ROOT}/jobs/{job['id']}")).body)["state"]
        seen["pairs"].add((states["first"], states["second"]))
        if states["first"] == "running":
            assert states["second"] == "queued"
        if states["first"] == "running" and states["elsewhere"] == "running":
            seen["parallel"] = {("yes", "yes")}
        if all(s not in ("queued", "running") for s in states.values()):
            break
        await asyncio.sleep(0.1)
    assert ("running", "queued") in seen["pairs"]
    assert "parallel" in seen  # another environment does not wait
    assert all(s == "running" or s == "queued" or s == "succeeded" for pair in seen["pairs"] for s in pair)
    final = installed_in(venv)
    assert final["six"] == "1.17.0" and final["tabulate"] == "0.9.0"


async def test_cancel_leaves_the_environment_as_it_was(call, start_kernel, venv, faults):
    kernel_id = await start_kernel(venv)
    before = installed_in(venv)
    job = json.loads((await start_job(call, kernel_id, ["python-dateutil"])).body)
    faults({"latencyMs": 20000, "operations": ["PypiDownload"]})  # the job's downloads hang
    await wait_job(call, job["id"], timeout=60, until=("running", "succeeded", "failed", "cancelled"))
    await asyncio.sleep(1.0)
    started = time.monotonic()
    response = await call(f"{ROOT}/jobs/{job['id']}", "DELETE")
    assert response.code == 200, response.body
    cancelled = json.loads(response.body)
    assert cancelled["state"] == "cancelled", cancelled
    assert cancelled["error"]["code"] == "Cancelled"
    assert time.monotonic() - started < 15  # the installer's process group was killed, not waited for
    assert installed_in(venv) == before
    assert [argv for argv in installer_processes() if "install" in argv] == []


async def test_cancel_a_queued_job(call, start_kernel, venv, faults):
    kernel_id = await start_kernel(venv)
    first = json.loads((await start_job(call, kernel_id, ["six"])).body)
    faults({"latencyMs": 3000, "operations": ["PypiDownload"]})
    second = json.loads((await start_job(call, kernel_id, ["tabulate"])).body)
    cancelled = json.loads((await call(f"{ROOT}/jobs/{second['id']}", "DELETE")).body)
    assert cancelled["state"] == "cancelled"
    assert "before it started" in cancelled["error"]["message"]
    assert (await wait_job(call, first["id"]))["state"] == "succeeded"
    assert "tabulate" not in installed_in(venv)


@pytest.mark.parametrize("installer_kind", ["uv", "pip"])
async def test_a_failed_install_is_undone(call, start_kernel, venv, installer_kind):
    kernel_id = await start_kernel(venv)
    assert (await wait_job(call, json.loads((await start_job(call, kernel_id, ["tabulate==0.8.10"])).body)["id"]))["state"] == "succeeded"
    before = installed_in(venv)
    # six's module path is taken by a directory: the install fails after upgrading tabulate / unpacking others
    site = Path(next(p for p in (venv.parent.parent / "lib").glob("python*/site-packages")))
    (site / "six.py" / "blocker").mkdir(parents=True)
    response = await start_job(call, kernel_id, ["tabulate==0.9.0", "python-dateutil"], confirm=True)
    assert response.code == 202, response.body
    done = await wait_job(call, json.loads(response.body)["id"])
    assert done["state"] == "failed", done
    assert done["error"]["code"] == "InstallFailed", done["error"]
    assert "restored as it was before" in done["error"]["message"]
    assert done["installed"] == []
    assert any(line.startswith("Restoring the environment") for line in done["allLines"])
    assert installed_in(venv) == before


async def test_codeartifact_down_or_throttled(call, start_kernel, venv, faults):
    kernel_id = await start_kernel(venv)
    faults({"serverError": ["GetAuthorizationToken"], "serverErrorCode": "ServiceUnavailable"})
    response = await call(f"{ROOT}/plan", "POST", body({"kernel": kernel_id, "requirements": ["six"]}))
    assert response.code == 503
    error = error_of(response)
    assert error["code"] == "CodeArtifactUnavailable" and "CodeArtifact" in error["message"] and "retry" in error["message"]
    faults({"serverError": None, "throttle": ["ListPackages"]})
    response = await call(f"{ROOT}/search?q=six")
    assert response.code == 503
    assert error_of(response)["code"] == "CodeArtifactThrottled"
    faults({"throttle": None, "serverError": ["PypiListFiles"], "serverErrorCode": "ServiceUnavailable"})
    response = await call(f"{ROOT}/plan", "POST", body({"kernel": kernel_id, "requirements": ["six"]}))
    assert response.code == 503 and error_of(response)["code"] == "CodeArtifactUnavailable"
