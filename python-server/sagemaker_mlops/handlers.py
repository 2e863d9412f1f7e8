"""All routes of the server extension, in one table (relative to ``<base_url>sagemaker-mlops``)."""

from __future__ import annotations

from jupyter_server.utils import url_path_join

from .base import ROUTE_PREFIX
from .config import SageMakerMLOps
from .context import ContextHandler
from .endpoints import AwsContext
from .proxy import AwsProxyHandler

ROUTES = [
    # GET: {region, accountId, callerArn, studio, version}
    (r"/context", ContextHandler),
    # GET/POST/PUT/DELETE/PATCH /aws/<service>/<path>: the signing proxy. Everything under /aws reaches the
    # handler, which reads the raw path itself, so any refusal is the proxy's JSON 403 rather than a 404 page.
    (r"/aws(?:/.*)?", AwsProxyHandler),
]


def setup_handlers(server_app) -> None:
    web_app = server_app.web_app
    config = SageMakerMLOps(parent=server_app)
    web_app.settings["sagemaker_mlops.config"] = config
    web_app.settings["sagemaker_mlops.aws"] = AwsContext(config)
    base_url = web_app.settings["base_url"]
    web_app.add_handlers(
        ".*$", [(url_path_join(base_url, ROUTE_PREFIX) + pattern, handler) for pattern, handler in ROUTES]
    )
