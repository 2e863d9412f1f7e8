"""Jupyter server configuration for the Galata tests (a throw-away root dir, no browser, fixed port)."""

import os

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 (c is the config object Jupyter passes in)

# The server talks to the devstack whose env file the test script sourced (AWS_ENDPOINT_URL, the data
# scientist's container-credentials endpoint), and runs as in the devstack's Studio space.
c.ServerApp.port = 8888
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
c.ServerApp.allow_root = True  # CI machines run as root
if os.environ.get("DEVSTACK_RESOURCE_METADATA"):
    c.SageMakerMLOps.resource_metadata_path = os.environ["DEVSTACK_RESOURCE_METADATA"]  # noqa: F821
