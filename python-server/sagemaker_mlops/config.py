"""Server-side settings. Only the server decides where AWS requests go: nothing here is settable from the browser."""

from __future__ import annotations

import os

from traitlets import Dict, Float, Int, Unicode
from traitlets.config import Configurable


class SageMakerMLOps(Configurable):
    """Configure in ``jupyter_server_config.py`` as ``c.SageMakerMLOps.<name> = ...``."""

    region = Unicode(
        "",
        help="AWS region. Empty: botocore's (AWS_REGION / AWS_DEFAULT_REGION / the profile), else us-east-1.",
    ).tag(config=True)

    endpoint_urls = Dict(
        key_trait=Unicode(),
        value_trait=Unicode(),
        default_value={},
        help=(
            "Service -> endpoint URL overrides, e.g. VPC interface endpoints: "
            "{'sagemaker': 'https://vpce-123.api.sagemaker.us-east-1.vpce.amazonaws.com'}. "
            "Keys are the proxy's service names."
        ),
    ).tag(config=True)

    mlflow_tracking_uri = Unicode(
        os.environ.get("MLFLOW_TRACKING_URI", ""),
        help="Upstream of the 'sagemaker-mlflow' service: the MLflow tracking server URL (SigV4 service sagemaker-mlflow).",
    ).tag(config=True)

    max_request_bytes = Int(5 * 1024 * 1024, help="Largest request body the proxy accepts.").tag(config=True)

    upstream_timeout = Float(30.0, help="Seconds before an upstream AWS request is abandoned (504).").tag(config=True)

    resource_metadata_path = Unicode(
        "/opt/ml/metadata/resource-metadata.json",
        help="SageMaker Studio's resource metadata file (domain, space, user profile).",
    ).tag(config=True)
