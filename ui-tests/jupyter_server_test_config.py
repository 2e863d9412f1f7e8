"""Jupyter server configuration for the Galata tests (a throw-away root dir, no browser, fixed port).

Two servers run side by side, each with its own AWS identity, as two Studio users in their own spaces:
* the data scientist (default): port 8888, the role of the env file's ``AWS_CONTAINER_CREDENTIALS_FULL_URI``;
* the approver (``MLOPS_TEST_IDENTITY=approver``, ``npm run start:approver``): port 8889, the approver's
  container-credentials endpoint (``DEVSTACK_APPROVER_*``) and the approver's Studio space.
The server signs AWS requests with its own credentials; the browser never sees them.
"""

import os
from tempfile import mkdtemp

from jupyterlab.galata import configure_jupyter_server

IDENTITY = os.environ.get("MLOPS_TEST_IDENTITY", "data-scientist")
if IDENTITY not in ("data-scientist", "approver"):
    raise ValueError(f"MLOPS_TEST_IDENTITY must be data-scientist or approver, not {IDENTITY!r}")

if IDENTITY == "approver":
    # The approver's execution role, through the variables botocore's default chain reads. Set here, while the
    # configuration loads: before the server extension is loaded and creates its botocore session (which
    # resolves credentials from the environment only when it first signs).
    for variable in ("DEVSTACK_APPROVER_CREDENTIALS_URI", "DEVSTACK_APPROVER_AUTHORIZATION_TOKEN"):
        if not os.environ.get(variable):
            raise RuntimeError(f"{variable} is not set: source the devstack env file first")
    os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = os.environ["DEVSTACK_APPROVER_CREDENTIALS_URI"]
    os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = os.environ["DEVSTACK_APPROVER_AUTHORIZATION_TOKEN"]
    for variable in ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"):
        os.environ.pop(variable, None)  # would take precedence over the approver's endpoint

configure_jupyter_server(c)  # noqa: F821 (c is the config object Jupyter passes in)

# The server talks to the devstack whose env file the test script sourced (AWS_ENDPOINT_URL, the identity's
# container-credentials endpoint), and runs as in that identity's Studio space.
# Ports: 8888 / 8889 unless MLOPS_LAB_PORT / MLOPS_APPROVER_PORT say otherwise (two checkouts side by side).
c.ServerApp.port = int(  # noqa: F821
    os.environ.get("MLOPS_APPROVER_PORT", "8889") if IDENTITY == "approver" else os.environ.get("MLOPS_LAB_PORT", "8888")
)
c.LabApp.news_url = None  # noqa: F821
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821 (CI machines run as root)

if IDENTITY == "approver":
    # Nothing mutable shared with the data scientist's server: its own notebooks (Galata's root dir may come
    # from JUPYTERLAB_GALATA_ROOT_DIR, which both servers would read), workspaces and user settings.
    c.ServerApp.root_dir = mkdtemp(prefix="galata-approver-")  # noqa: F821
    c.LabApp.workspaces_dir = mkdtemp(prefix="galata-approver-workspaces-")  # noqa: F821
    c.LabApp.user_settings_dir = mkdtemp(prefix="galata-approver-settings-")  # noqa: F821
    metadata = os.environ.get("DEVSTACK_APPROVER_RESOURCE_METADATA")  # the approver's own space of the project
else:
    metadata = os.environ.get("DEVSTACK_RESOURCE_METADATA")
if metadata:
    c.SageMakerMLOps.resource_metadata_path = metadata  # noqa: F821
