"""Jupyter server configuration for the Galata tests (a throw-away root dir, no browser, fixed port)."""

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 (c is the config object Jupyter passes in)

# The server talks to the devstack whose env file the test script sourced (AWS_ENDPOINT_URL, credentials).
c.ServerApp.port = 8888
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
c.ServerApp.allow_root = True  # CI machines run as root
