"""All routes of the server extension, in one table."""

from __future__ import annotations

from jupyter_server.utils import url_path_join

from .aws import AwsContext
from .config import SageMakerMLOps
from .context import ContextHandler
from .proxy import AwsProxyHandler

ROUTE_PREFIX = "sagemaker-mlops"

ROUTES = [
    (r"/context", ContextHandler),
    # The service segment is captured for routing; the handler re-reads the raw path for the remainder.
    (r"/aws/([A-Za-z0-9-]+)(?:/.*)?", AwsProxyHandler),
]


def setup_handlers(server_app) -> None:
    web_app = server_app.web_app
    config = SageMakerMLOps(parent=server_app)
    web_app.settings["sagemaker_mlops.config"] = config
    web_app.settings["sagemaker_mlops.aws"] = AwsContext(config)
    base_url = web_app.settings["base_url"]
    host_pattern = ".*$"
    web_app.add_handlers(
        host_pattern, [(url_path_join(base_url, ROUTE_PREFIX) + pattern, handler) for pattern, handler in ROUTES]
    )
