#!/usr/bin/env python3
"""Installing a package through the extension, against pip and uv run by hand, on the same machine in one run.

Starts its own devstack (a free port, a temporary data directory, no MLflow) and its own Jupyter server with the
extension pointed at it (the devstack's env file in the server's environment), creates a throwaway virtual
environment and a kernel running in it (``POST /api/kernels``), then installs the same requirement from the same
devstack CodeArtifact PyPI index into that environment by three routes, interleaved, N measured runs each:

- ``extension``: ``POST sagemaker-mlops/packages/jobs`` and ``GET .../jobs/<id>?since=n`` until the job is done
  (the installer is the one the extension picks: uv when uv is on the server's PATH, else pip);
- ``pip``: ``<venv>/bin/python -m pip install --index-url <index URL with a CodeArtifact token> <requirement>``;
- ``uv``: ``uv pip install --python <venv>/bin/python --index-url <...> <requirement>`` (skipped without uv).

Before every run the packages the previous one added are uninstalled and the installers' cache directory (shared
by all three routes: ``XDG_CACHE_HOME``) is emptied, so each run resolves, downloads and installs from scratch.
One unmeasured warm-up run per route comes first. Reported: median / min / max wall time per route and the ratios
of the medians extension/pip, extension/uv and uv/pip.

    python bench/packages_install.py --runs 5 --out bench-packages.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from proxy_overhead import free_port, stop

ROUTES = ("extension", "pip", "uv")
DOMAIN, REPOSITORY = "mlops", "mlops-codeartifact-repository"
KERNEL_NAME = "bench-venv"
TERMINAL = ("succeeded", "failed", "cancelled")
INSTALL_TIMEOUT = 300.0

# Run with the server's environment: the devstack's CodeArtifact endpoint and a token for routes 2 and 3 (the
# extension gets its own, server-side). Printed to a pipe only, never to a file or the console.
TOKEN_CODE = f"""
import json, boto3
client = boto3.client("codeartifact")
endpoint = client.get_repository_endpoint(domain={DOMAIN!r}, repository={REPOSITORY!r}, format="pypi")
token = client.get_authorization_token(domain={DOMAIN!r}, durationSeconds=43200)
print(json.dumps({{"endpoint": endpoint["repositoryEndpoint"], "token": token["authorizationToken"]}}))
"""

LISTING_CODE = (
    "import json, importlib.metadata as m; "
    "print(json.dumps({d.metadata['Name'].lower().replace('_', '-').replace('.', '-'): d.version "
    "for d in m.distributions() if d.metadata['Name']}))"
)


class Failure(Exception):
    """The benchmark cannot go on (what happened is in the message)."""


# ---------------------------------------------------------------------------------------------- environment


def base_environment() -> dict[str, str]:
    """This process's environment without AWS, installer, proxy and Python path variables."""
    return {
        k: v for k, v in os.environ.items()
        if not k.startswith(("AWS_", "PIP_", "UV_", "PYTHON", "JUPYTER"))
        and k not in ("VIRTUAL_ENV", "CONDA_PREFIX")
        and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
    }


def installer_environment(work: Path) -> dict[str, str]:
    """Environment of the pip and uv routes: no user configuration, the shared (emptied) cache directory."""
    env = base_environment()
    env.update({
        "XDG_CACHE_HOME": str(work / "cache"),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_INPUT": "1",
        "UV_NO_CONFIG": "1",
        "UV_NO_PROGRESS": "1",
        "UV_PYTHON_DOWNLOADS": "never",
        "NO_COLOR": "1",
        "NO_PROXY": "127.0.0.1,localhost",
    })
    return env


def clear_cache(work: Path) -> None:
    shutil.rmtree(work / "cache", ignore_errors=True)
    (work / "cache").mkdir()


# ---------------------------------------------------------------------------------------------- devstack


def start_devstack(work: Path) -> tuple[subprocess.Popen, dict[str, str]]:
    """The devstack on a free port (its own process group); the values of its env file once it is healthy."""
    env_file, data = work / "devstack.env", work / "devstack-data"
    command = [sys.executable, "-m", "mlops_devstack", "up", "--port", str(free_port()), "--env-file", str(env_file),
               "--data-dir", str(data)]
    help_text = subprocess.run([sys.executable, "-m", "mlops_devstack", "up", "--help"], capture_output=True,
                               text=True, env=base_environment(), timeout=60).stdout
    if "--no-mlflow" in help_text:
        command.append("--no-mlflow")
    log = open(work / "devstack.log", "wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=base_environment(),
                               start_new_session=True)
    log.close()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Failure("the devstack exited:\n" + (work / "devstack.log").read_text(errors="replace")[-3000:])
        if env_file.exists() and env_file.stat().st_size:
            values = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
            try:
                with urllib.request.urlopen(values["DEVSTACK_CONTROL_URL"] + "/health", timeout=5) as response:
                    if json.loads(response.read()).get("status") == "ok":
                        return process, values
            except (OSError, ValueError, KeyError):
                pass
        time.sleep(0.3)
    stop_group(process)
    raise Failure("the devstack did not become healthy in 180 s:\n" + (work / "devstack.log").read_text(errors="replace")[-3000:])


def stop_group(process: subprocess.Popen) -> None:
    """SIGTERM to a process group started with start_new_session, SIGKILL after 20 s."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
    except ProcessLookupError:
        pass


def index_access(env: dict[str, str]) -> tuple[str, str]:
    """(index URL with the token, index URL without it), from CodeArtifact as the data scientist's role."""
    out = subprocess.run([sys.executable, "-c", TOKEN_CODE], capture_output=True, text=True, env=env, timeout=60)
    if out.returncode != 0:
        raise Failure("CodeArtifact GetRepositoryEndpoint / GetAuthorizationToken failed:\n" + out.stderr[-2000:])
    data = json.loads(out.stdout.strip().splitlines()[-1])
    public = data["endpoint"].rstrip("/") + "/simple/"
    parts = urllib.parse.urlsplit(public)
    netloc = f"aws:{urllib.parse.quote(data['token'], safe='')}@{parts.netloc}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", "")), public


def index_has(index_url: str, project: str) -> bool:
    """Whether the PEP 503 index lists a project (HTTP Basic from the URL's user info)."""
    parts = urllib.parse.urlsplit(index_url)
    public = urllib.parse.urlunsplit((parts.scheme, parts.hostname + (f":{parts.port}" if parts.port else ""),
                                      parts.path, "", ""))
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    manager.add_password(None, public, parts.username or "", urllib.parse.unquote(parts.password or ""))
    opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(manager))
    try:
        with opener.open(public + project + "/", timeout=10) as response:
            return response.status == 200
    except urllib.error.HTTPError:
        return False


# ---------------------------------------------------------------------------------------------- the environment installed into


def listing(interpreter: Path) -> dict[str, str]:
    """Canonical name -> version of what an environment holds, as its interpreter sees it (isolated mode)."""
    out = subprocess.run([str(interpreter), "-I", "-c", LISTING_CODE], capture_output=True, text=True, check=True,
                         timeout=60, env=base_environment())
    return json.loads(out.stdout)


def make_venv(work: Path, index_url: str, env: dict[str, str]) -> tuple[Path, dict[str, str], str]:
    """The throwaway virtual environment: its interpreter, the kernelspec's extra environment, and how the kernel
    gets ipykernel (from the index into the environment when the index has it, else this Python's site-packages on
    the kernel's PYTHONPATH only: the installers and the extension's environment probe never see it)."""
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True, timeout=180, env=base_environment())
    python = work / "venv" / "bin" / "python"
    if index_has(index_url, "ipykernel"):
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--index-url", index_url, "ipykernel"],
            capture_output=True, env=env, timeout=INSTALL_TIMEOUT,
        )
        if done.returncode == 0:
            return python, {}, "ipykernel installed into the environment from the index"
    return python, {"PYTHONPATH": sysconfig.get_paths()["purelib"]}, (
        "ipykernel not in the index: the kernelspec runs the environment's python with the benchmark's site-packages "
        "on the kernel's PYTHONPATH only"
    )


def write_kernelspec(data_dir: Path, python: Path, extra_env: dict[str, str]) -> None:
    spec = data_dir / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "packages benchmark",
        "language": "python",
        "env": extra_env,
    }))


def remove_added(python: Path, baseline: dict[str, str], env: dict[str, str]) -> None:
    """Uninstall what is in the environment and not in the baseline (untimed)."""
    now = listing(python)
    changed = [n for n in baseline if n in now and now[n] != baseline[n]] + [n for n in baseline if n not in now]
    if changed:
        raise Failure(f"an install changed packages of the environment's baseline ({', '.join(changed)}): pick a "
                      "requirement that only adds packages")
    added = sorted(n for n in now if n not in baseline)
    if added:
        subprocess.run([str(python), "-m", "pip", "uninstall", "--yes", "--disable-pip-version-check", "--", *added],
                       check=True, capture_output=True, env=env, timeout=120)
    if listing(python) != baseline:
        raise Failure("the environment could not be put back to its baseline")


def check_installed(python: Path, requirement: str, baseline: dict[str, str]) -> list[str]:
    """The packages a run added (name==version); Failure unless the requirement is satisfied by them."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    wanted = Requirement(requirement)
    now = listing(python)
    version = now.get(canonicalize_name(wanted.name))
    if version is None or not wanted.specifier.contains(version, prereleases=True):
        raise Failure(f"after the install the environment holds {wanted.name} {version or 'not at all'}")
    return [f"{n}=={v}" for n, v in sorted(now.items()) if n not in baseline]


# ---------------------------------------------------------------------------------------------- Jupyter


class Jupyter:
    """The benchmark's Jupyter server: the extension, the devstack's environment, the benchmark's kernelspec."""

    def __init__(self, work: Path, env: dict[str, str], installer: str) -> None:
        self.work, self.token, self.xsrf = work, secrets.token_hex(24), secrets.token_hex(16)
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.kernels: list[str] = []
        for name in ("config", "runtime", "root"):
            (work / name).mkdir(exist_ok=True)
        self.env = {
            **env,
            "JUPYTER_CONFIG_DIR": str(work / "config"),
            "JUPYTER_RUNTIME_DIR": str(work / "runtime"),
            "JUPYTER_DATA_DIR": str(work / "data"),
            "JUPYTER_PLATFORM_DIRS": "1",
        }
        (work / "config" / "jupyter_server_config.json").write_text(json.dumps({
            "ServerApp": {
                "jpserver_extensions": {"sagemaker_mlops": True},
                "ip": "127.0.0.1",
                "port": self.port,
                "port_retries": 0,
                "open_browser": False,
                "root_dir": str(work / "root"),
                "log_level": "WARN",
                "allow_root": True,
            },
            "IdentityProvider": {"token": self.token},
            "SageMakerMLOps": {
                "resource_metadata_path": env.get("DEVSTACK_RESOURCE_METADATA") or str(work / "no-metadata.json"),
                "package_installer": installer,
            },
        }))

    def start(self) -> None:
        log = open(self.work / "jupyter.log", "wb")
        self.process = subprocess.Popen([sys.executable, "-m", "jupyter_server"], env=self.env, stdout=log,
                                        stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise Failure("the Jupyter server exited:\n" + self.log_tail())
            try:
                self.request("GET", "api/status")
                return
            except OSError:
                time.sleep(0.3)
        raise Failure("the Jupyter server did not start within 60 s:\n" + self.log_tail())

    def log_tail(self) -> str:
        return (self.work / "jupyter.log").read_text(errors="replace")[-3000:]

    def request(self, method: str, path: str, body: dict | None = None, expect: tuple[int, ...] = (200,)) -> dict:
        """An authenticated request (token, and the _xsrf cookie with the same value in X-XSRFToken)."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/{path}",
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={
                "Authorization": f"token {self.token}",
                "Cookie": f"_xsrf={self.xsrf}",
                "X-XSRFToken": self.xsrf,
                **({"Content-Type": "application/json"} if body is not None else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                status, text = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        if status not in expect:
            raise Failure(f"{method} /{path}: HTTP {status} {text[:1000].decode(errors='replace')}")
        return json.loads(text) if text else {}

    def start_kernel(self) -> str:
        kernel = self.request("POST", "api/kernels", {"name": KERNEL_NAME}, expect=(200, 201))
        self.kernels.append(kernel["id"])
        return kernel["id"]

    def stop(self) -> None:
        if self.process is None:
            return
        children: list[int] = []
        if self.process.poll() is None:
            for kernel_id in self.kernels:
                try:
                    self.request("DELETE", f"api/kernels/{kernel_id}", expect=(204, 404))
                except (OSError, Failure):
                    pass
            try:
                children = [int(p) for p in Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()]
            except (OSError, ValueError):
                children = []
        stop(self.process)
        for pid in children:  # a kernel left behind (kernels run in their own sessions)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


# ---------------------------------------------------------------------------------------------- the routes


def run_extension(jupyter: Jupyter, kernel_id: str, requirement: str, poll: float) -> tuple[float, dict]:
    started = time.perf_counter()
    job = jupyter.request(
        "POST", "sagemaker-mlops/packages/jobs",
        {"kernel": kernel_id, "requirements": [requirement], "confirmChanges": False}, expect=(202,),
    )
    submitted = time.perf_counter() - started  # the POST plans the install before it answers
    since, lines = 0, []
    deadline = started + INSTALL_TIMEOUT
    while True:
        state = jupyter.request("GET", f"sagemaker-mlops/packages/jobs/{job['id']}?since={since}")
        lines += state["lines"]
        since = state["next"]
        if state["state"] in TERMINAL:
            break
        if time.perf_counter() > deadline:
            raise Failure(f"the install job did not finish in {INSTALL_TIMEOUT:g} s")
        time.sleep(poll)
    elapsed = time.perf_counter() - started
    if state["state"] != "succeeded":
        raise Failure(f"the install job {state['state']}: {state['error']}\n" + "\n".join(lines[-20:]))
    return elapsed, {"submit_s": submitted}


def run_command(argv: list[str], env: dict[str, str], work: Path) -> tuple[float, dict]:
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, env=env, cwd=work / "root", timeout=INSTALL_TIMEOUT)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        # the token is in argv and may be echoed: never printed
        raise Failure(f"{Path(argv[0]).name} exited with {done.returncode} (output withheld: it may carry the token)")
    return elapsed, {}


def version_of(argv: list[str], env: dict[str, str]) -> str | None:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    except OSError:
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def summarize(samples: list[float]) -> dict:
    return {
        "median_s": round(statistics.median(samples), 3),
        "min_s": round(min(samples), 3),
        "max_s": round(max(samples), 3),
        "samples_s": [round(s, 3) for s in samples],
    }


def ratio(a: dict, b: dict) -> float | None:
    if "median_s" not in a or "median_s" not in b or not b["median_s"]:
        return None
    return round(a["median_s"] / b["median_s"], 2)


def measure(args, work: Path) -> dict:
    devstack = jupyter = None
    try:
        devstack, values = start_devstack(work)
        env = base_environment()
        env.update(values)
        env.update({
            "AWS_CONFIG_FILE": str(work / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(work / "no-aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "NO_PROXY": "127.0.0.1,localhost",
            "XDG_CACHE_HOME": str(work / "cache"),  # the extension's installers share the emptied cache
            # uv is found on the server's PATH when it is next to this Python (as in the project's environment)
            "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
        })
        index_url, _ = index_access(env)
        installers = installer_environment(work)
        installers["PATH"] = env["PATH"]
        clear_cache(work)
        python, kernel_env, kernel_setup = make_venv(work, index_url, installers)
        write_kernelspec(work / "data", python, kernel_env)
        uv = shutil.which("uv", path=env["PATH"])

        jupyter = Jupyter(work, env, args.extension_installer)
        jupyter.start()
        kernel_id = jupyter.start_kernel()
        described = jupyter.request("GET", f"sagemaker-mlops/packages/environment?kernel={kernel_id}")
        if os.path.realpath(described["interpreter"]) != os.path.realpath(python) or described["isServerEnvironment"]:
            raise Failure(f"the kernel's interpreter is {described['interpreter']}, not the throwaway environment's")
        baseline = listing(python)

        argv = {
            "pip": [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--index-url", index_url,
                    args.requirement],
            "uv": [uv or "uv", "pip", "install", "--python", str(python), "--index-url", index_url, args.requirement],
        }
        routes = [r for r in ROUTES if r != "uv" or uv]
        samples: dict[str, list[float]] = {r: [] for r in routes}
        submits: list[float] = []
        added: dict[str, list[str]] = {}

        def one(route: str) -> float:
            remove_added(python, baseline, installers)
            clear_cache(work)
            if route == "extension":
                elapsed, details = run_extension(jupyter, kernel_id, args.requirement, args.poll)
                submits.append(details["submit_s"])
            else:
                elapsed, _ = run_command(argv[route], installers, work)
            added[route] = check_installed(python, args.requirement, baseline)
            return elapsed

        for _ in range(args.warmup):
            for route in routes:
                one(route)
        submits.clear()  # the warm-up's
        for i in range(args.runs):
            shift = i % len(routes)  # interleaved, and each route takes each position in turn
            for route in routes[shift:] + routes[:shift]:
                samples[route].append(one(route))
                print(f"  run {i + 1}/{args.runs} {route:<9} {samples[route][-1]:.3f} s", flush=True)
        remove_added(python, baseline, installers)

        results = {route: summarize(values) for route, values in samples.items()}
        results["extension"]["installer"] = described["installer"]
        # of which the POST until its 202 (the extension plans the install, a dry run, before it accepts the job)
        results["extension"]["submit_median_s"] = round(statistics.median(submits), 3)
        results["pip"]["installer"] = "pip"
        if uv:
            results["uv"]["installer"] = "uv"
        else:
            results["uv"] = {"skipped": "uv is not on the PATH"}
        for route in routes:
            results[route]["added"] = added.get(route, [])
        return {
            "benchmark": "packages_install",
            "requirement": args.requirement,
            "routes": results,
            "ratios": {
                "extension_over_pip": ratio(results["extension"], results["pip"]),
                "extension_over_uv": ratio(results["extension"], results["uv"]),
                "uv_over_pip": ratio(results["uv"], results["pip"]),
            },
            "kernel": {
                "interpreter": "throwaway virtual environment (python -m venv), a kernelspec running its python",
                "python": described["pythonVersion"],
                "ipykernel": kernel_setup,
            },
            "versions": {
                "pip": (version_of([str(python), "-m", "pip", "--version"], installers) or "").split(" from ")[0] or None,
                "uv": version_of([uv, "--version"], installers) if uv else None,
            },
        }
    finally:
        if jupyter is not None:
            jupyter.stop()
        if devstack is not None:
            stop_group(devstack)


def print_summary(result: dict) -> None:
    print(f"install {result['requirement']} from the devstack CodeArtifact index, wall time per run")
    print(f"{'route':<10} {'installer':<9} {'median s':>9} {'min s':>7} {'max s':>7} {'runs':>5}")
    for route in ROUTES:
        r = result["routes"][route]
        if "skipped" in r:
            print(f"{route:<10} skipped: {r['skipped']}")
            continue
        print(f"{route:<10} {r['installer']:<9} {r['median_s']:>9.3f} {r['min_s']:>7.3f} {r['max_s']:>7.3f} {len(r['samples_s']):>5}")
    print(f"extension: POST jobs until 202 (a planning dry run first), median {result['routes']['extension']['submit_median_s']:.3f} s")
    shown = ", ".join(f"{k.replace('_over_', '/')} {v:.2f}" for k, v in result["ratios"].items() if v is not None)
    print(f"ratios of the medians: {shown}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="write the results as JSON to this path")
    parser.add_argument("--runs", type=int, default=5, help="measured runs per route (interleaved)")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured runs per route first")
    parser.add_argument("--requirement", default="tabulate==0.9.0", help="the requirement installed (PEP 508)")
    parser.add_argument("--poll", type=float, default=0.05, help="seconds between polls of the extension's job")
    parser.add_argument(
        "--extension-installer", choices=("auto", "uv", "pip"), default="auto",
        help="SageMakerMLOps.package_installer of the benchmark's server (auto: uv when on its PATH)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    # a SIGTERM unwinds like Ctrl-C: the servers, the devstack and the temporary directory are cleaned up
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="packages-install-") as tmp:
        try:
            result = measure(args, Path(tmp))
        except Failure as failure:
            print(f"packages_install: {failure}", file=sys.stderr)
            return 1
    load_after = os.getloadavg()
    result["environment"] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_1min_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
    }
    result["settings"] = {
        "runs": args.runs, "warmup": args.warmup, "poll_s": args.poll, "extension_installer": args.extension_installer,
        "cache": "emptied before every run (shared by the three routes)",
    }
    print_summary(result)
    print(f"load average (1 min) before/after: {load_before[0]:.2f} / {load_after[0]:.2f} on {os.cpu_count()} CPUs")
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
