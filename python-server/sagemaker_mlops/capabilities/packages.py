"""Packages: install Python packages from the platform's CodeArtifact PyPI repository into a kernel's environment.

Routes under ``<base_url>sagemaker-mlops/packages/`` (JSON; errors ``{code, message}``):

- ``GET environment?kernel=<id>``: the kernel's interpreter and what is installed in its environment, and the
  CodeArtifact domain and repository packages come from (``index``: each value's ``source`` is ``setting``,
  ``ssm`` or ``default``);
- ``GET search?q=<prefix>``: the curated index's packages with that prefix and their versions;
- ``POST plan`` ``{kernel, requirements}``: what an install would change (a dry-run resolution);
- ``POST jobs`` ``{kernel, requirements, confirmChanges}``: start an install (202), queued per environment;
- ``GET jobs/<id>?since=<n>``: its state and output lines from ``n``; ``DELETE jobs/<id>``: cancel it.

The CodeArtifact authorization token and the authenticated index URL never leave the server process (see
:mod:`sagemaker_mlops.packages.index`). No proxy operation is granted: every CodeArtifact call is made here.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tornado import web

from ..allowlist import Refused, _safe
from ..base import MLOpsHandler
from ..packages import environment as environments
from ..packages import installer, planner
from ..packages.index import CodeArtifactIndex
from ..packages.jobs import JobManager
from ..packages.requirements import check_requirements
from . import Capability

#: Largest request body of the POST routes.
MAX_BODY = 64 * 1024
_PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_KERNEL_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")

SETTING = "sagemaker_mlops.packages"


class Packages:
    """The capability's server-side state: the CodeArtifact index (and its token) and the install jobs."""

    def __init__(self, config, aws) -> None:
        self.index = CodeArtifactIndex(config, aws)
        self.jobs = JobManager(self.index, config.package_resolve_timeout, config.package_install_timeout)


class PackagesHandler(MLOpsHandler):
    @property
    def packages(self) -> Packages:
        state = self.settings.get(SETTING)
        if state is None:
            state = self.settings[SETTING] = Packages(self.mlops_config, self.mlops_aws)
        return state

    def installer(self) -> tuple[str, Any]:
        kind, uv = installer.which_installer(self.mlops_config.package_installer)
        if kind == "uv" and not uv:
            raise Refused(
                "InstallerMissing",
                "SageMakerMLOps.package_installer is 'uv' but uv is not on the Jupyter server's PATH.",
                500,
            )
        return kind, uv

    def body(self) -> dict[str, Any]:
        if len(self.request.body or b"") > MAX_BODY:
            raise Refused("RequestTooLarge", f"The request body is larger than {MAX_BODY} bytes.", 413)
        try:
            data = json.loads(self.request.body or b"")
        except ValueError:
            raise Refused("BadRequest", "The request body must be a JSON object.", 400) from None
        if not isinstance(data, dict):
            raise Refused("BadRequest", "The request body must be a JSON object.", 400)
        return data

    @staticmethod
    def kernel_id(value: Any) -> str:
        if not isinstance(value, str) or not value:
            raise Refused("BadRequest", "'kernel' (the id of a running kernel) is missing.", 400)
        if not _KERNEL_ID.match(value):
            raise environments.kernel_not_found(value)
        return value

    async def environment(self, kernel_id: str) -> environments.Environment:
        interpreter = await environments.kernel_interpreter(self.kernel_manager, kernel_id)
        return await environments.describe(interpreter)

    def reply(self, data: dict[str, Any], status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(data))


class EnvironmentHandler(PackagesHandler):
    """``GET /packages/environment?kernel=<id>``."""

    @web.authenticated
    async def get(self) -> None:
        await self.authorize("read")
        kernel_id = self.kernel_id(self.get_query_argument("kernel", ""))
        env = await self.environment(kernel_id)
        kind, _ = self.installer()
        repository = await self.packages.index.repository()
        self.reply({
            "kernelId": kernel_id,
            "interpreter": env.interpreter,
            "pythonVersion": env.python_version,
            "installer": kind,
            "isServerEnvironment": env.is_server_environment,
            "installed": env.listing(),
            "index": repository.as_json(),
        })


class SearchHandler(PackagesHandler):
    """``GET /packages/search?q=<prefix>``."""

    @web.authenticated
    async def get(self) -> None:
        await self.authorize("read")
        prefix = self.get_query_argument("q", "").strip()
        if prefix and not _PREFIX.match(prefix):
            raise Refused(
                "BadRequest",
                f"'q' must be the start of a package name (letters, digits, '.', '_', '-'), not '{_safe(prefix, 100)}'.",
                400,
            )
        self.reply({"packages": await self.packages.index.search(prefix)})


class PlanHandler(PackagesHandler):
    """``POST /packages/plan`` ``{kernel, requirements}``."""

    @web.authenticated
    async def post(self) -> None:
        await self.authorize("read")
        data = self.body()
        kernel_id = self.kernel_id(data.get("kernel"))
        requirements = check_requirements(data.get("requirements"))
        env = await self.environment(kernel_id)
        kind, uv = self.installer()
        config = self.mlops_config
        result = await planner.plan(self.packages.index, env, requirements, kind, uv, config.package_resolve_timeout)
        self.reply(result.as_json())


class JobsHandler(PackagesHandler):
    """``POST /packages/jobs`` ``{kernel, requirements, confirmChanges}`` -> 202 ``{id, state}``."""

    @web.authenticated
    async def post(self) -> None:
        await self.authorize("write")
        data = self.body()
        kernel_id = self.kernel_id(data.get("kernel"))
        requirements = check_requirements(data.get("requirements"))
        confirm = data.get("confirmChanges", False)
        if not isinstance(confirm, bool):
            raise Refused("BadRequest", "'confirmChanges' must be true or false.", 400)
        env = await self.environment(kernel_id)
        kind, uv = self.installer()
        packages = self.packages
        if not packages.jobs.active_in(env.key):
            # Refused now when nothing is queued before it (a queued job checks again when its turn comes).
            result = await planner.plan(packages.index, env, requirements, kind, uv, self.mlops_config.package_resolve_timeout)
            missing = result.not_in_index + result.unsatisfiable
            if missing:
                raise Refused(
                    "NotInIndex",
                    "Not available in the platform's curated CodeArtifact index: " + ", ".join(missing)
                    + ". Ask the platform team to add them.",
                    422,
                )
            if result.changes_installed and not confirm:
                raise Refused(
                    "ConfirmationRequired",
                    f"This install changes installed packages: {result.describe_changes()}. Send confirmChanges: true "
                    "to go ahead.",
                    409,
                )
        job = packages.jobs.submit(kernel_id, env, requirements, confirm, kind, uv)
        self.reply({"id": job.id, "state": job.state}, 202)


class JobHandler(PackagesHandler):
    """``GET /packages/jobs/<id>?since=<n>``; ``DELETE /packages/jobs/<id>`` cancels."""

    @web.authenticated
    async def get(self, job_id: str) -> None:
        await self.authorize("read")
        raw = self.get_query_argument("since", "0")
        if not raw.isdigit() or len(raw) > 9:
            raise Refused("BadRequest", "'since' must be a line number (0 or more).", 400)
        self.reply(self.packages.jobs.get(job_id).as_json(int(raw)))

    @web.authenticated
    async def delete(self, job_id: str) -> None:
        await self.authorize("write")
        jobs = self.packages.jobs
        job = jobs.get(job_id)
        await jobs.cancel(job)
        self.reply(job.as_json())


CAPABILITY = Capability(
    name="packages",
    routes=(
        (r"/packages/environment", EnvironmentHandler),
        (r"/packages/search", SearchHandler),
        (r"/packages/plan", PlanHandler),
        (r"/packages/jobs", JobsHandler),
        (r"/packages/jobs/([0-9a-f]{32})", JobHandler),
    ),
)
