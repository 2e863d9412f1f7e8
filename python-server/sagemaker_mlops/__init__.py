"""SageMaker MLOps: Jupyter server extension (AWS signing proxy, context) and the prebuilt JupyterLab extension."""

from __future__ import annotations

try:
    from importlib.metadata import PackageNotFoundError, version

    __version__ = version("sagemaker-mlops")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "sagemaker-mlops"}]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "sagemaker_mlops"}]


def _load_jupyter_server_extension(server_app) -> None:
    import logging

    from .handlers import setup_handlers

    # botocore's DEBUG records carry signed headers and canonical requests (access key id, session token):
    # they are never emitted from a server that holds the user's credentials.
    logging.getLogger("botocore").setLevel(max(logging.getLogger("botocore").getEffectiveLevel(), logging.INFO))
    logging.getLogger("urllib3").setLevel(max(logging.getLogger("urllib3").getEffectiveLevel(), logging.INFO))

    setup_handlers(server_app)
    server_app.log.info("sagemaker_mlops: server extension loaded (route prefix /sagemaker-mlops)")
