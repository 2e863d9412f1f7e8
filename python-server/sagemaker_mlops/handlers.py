"""The route table (relative to ``<base_url>sagemaker-mlops``): the proxy, then what each enabled capability declares."""

from __future__ import annotations

import gc

from jupyter_server.utils import url_path_join

from . import capabilities
from .base import ROUTE_PREFIX
from .config import SageMakerMLOps
from .endpoints import AwsContext
from .proxy import AwsProxyHandler

#: Routes of the extension itself, whatever the capabilities.
CORE_ROUTES = [
    # GET/POST/PUT/DELETE/PATCH /aws/<service>/<path>: the signing proxy. Everything under /aws reaches the
    # handler, which reads the raw path itself, so any refusal is the proxy's JSON 403 rather than a 404 page.
    (r"/aws(?:/.*)?", AwsProxyHandler),
]


def setup_handlers(server_app) -> None:
    web_app = server_app.web_app
    config = SageMakerMLOps(parent=server_app)
    enabled = capabilities.load_all(config.capabilities)
    aws = AwsContext(config)
    web_app.settings["sagemaker_mlops.config"] = config
    web_app.settings["sagemaker_mlops.aws"] = aws
    web_app.settings["sagemaker_mlops.allowlist"] = capabilities.allowlist_of(enabled)
    web_app.settings["sagemaker_mlops.inspectors"] = capabilities.inspectors_of(enabled)
    base_url = web_app.settings["base_url"]
    routes = CORE_ROUTES + capabilities.routes_of(enabled)
    web_app.add_handlers(".*$", [(url_path_join(base_url, ROUTE_PREFIX) + pattern, handler) for pattern, handler in routes])
    server_app.log.info("sagemaker_mlops: capabilities %s", ", ".join(c.name for c in enabled))
    close_on_shutdown(server_app, aws)
    if config.freeze_startup_objects:
        server_app.io_loop.add_callback(freeze_startup_objects, server_app.log)


def freeze_startup_objects(log) -> None:
    """Collect once, then exempt everything that exists now from later collections (see the setting's help)."""
    gc.collect()
    gc.freeze()
    log.info("sagemaker_mlops: %d start-up objects exempted from garbage collection scans", gc.get_freeze_count())


def close_on_shutdown(server_app, aws: AwsContext) -> None:
    """Close the proxy's pooled upstream connections when the server cleans up its extensions.

    jupyter_server calls shutdown hooks of ExtensionApps only; this module-style extension hooks the server's
    ``cleanup_extensions`` instead (on the server's loop, where the connection pool lives).
    """
    original = server_app.cleanup_extensions

    async def cleanup_extensions() -> None:
        try:
            await original()
        finally:
            await aws.transport.aclose()

    server_app.cleanup_extensions = cleanup_extensions
