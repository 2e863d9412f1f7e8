"""Server-side settings. Only the server decides where AWS requests go: nothing here is settable from the browser."""

from __future__ import annotations

import os
import re

from traitlets import Bool, Dict, Enum, Float, Int, List, TraitError, Unicode, default, validate
from traitlets.config import Configurable

#: Used when neither the configuration, the environment nor the AWS profile names a region.
FALLBACK_REGION = "us-east-1"

#: The platform's CodeArtifact domain and repository: used when neither the configuration nor SSM names them.
PLATFORM_DOMAIN = "mlops"
PLATFORM_REPOSITORY = "mlops-codeartifact-repository"


class SageMakerMLOps(Configurable):
    """Configure in ``jupyter_server_config.py`` as ``c.SageMakerMLOps.<name> = ...``."""

    region = Unicode(
        help=(
            "AWS region of the proxied calls and of /context. Default: botocore's own resolution "
            "(AWS_REGION / AWS_DEFAULT_REGION / the profile in ~/.aws/config), else us-east-1."
        ),
    ).tag(config=True)

    endpoint_urls = Dict(
        key_trait=Unicode(),
        value_trait=Unicode(),
        default_value={},
        help=(
            "Service -> endpoint URL overrides, e.g. VPC interface endpoints: "
            "{'sagemaker': 'https://vpce-0123-abcd.api.sagemaker.us-east-1.vpce.amazonaws.com'}. "
            "Keys are the proxy's service names (sagemaker, logs, codecommit, codepipeline, codeartifact, "
            "sagemaker-mlflow), 'sts' for /context and 's3' for the registry's report route (S3 is then addressed "
            "path-style). Server configuration only: the browser cannot set them."
        ),
    ).tag(config=True)

    mlflow_tracking_uri = Unicode(
        help=(
            "Upstream of the 'sagemaker-mlflow' service (SigV4 name sagemaker-mlflow). Either an http(s) URL of an "
            "MLflow tracking server, or a SageMaker managed MLflow ARN "
            "(arn:aws:sagemaker:<region>:<account>:mlflow-tracking-server/<name> or mlflow-app/<id>), which is "
            "sent to https://<region>.experiments.sagemaker.aws with the ARN routing header. "
            "Default: the MLFLOW_TRACKING_URI environment variable."
        ),
    ).tag(config=True)

    capabilities = List(
        Unicode(),
        default_value=["connection", "pipelines", "registry", "packages", "runs", "config"],
        help=(
            "The enabled capabilities: their routes are served and the proxy forwards exactly the operations they "
            "declare. Built-in names (connection, pipelines, registry, packages, runs, config) or "
            "'package.module[:ATTRIBUTE]' of a Capability."
        ),
    ).tag(config=True)

    max_report_bytes = Int(
        2 * 1024 * 1024,
        help="Largest evaluation report the registry's report route reads from S3 (413 above).",
    ).tag(config=True)

    max_request_bytes = Int(5 * 1024 * 1024, help="Largest request body the proxy accepts (413 above).").tag(config=True)

    upstream_timeout = Float(30.0, help="Seconds before an upstream AWS request is abandoned (504).").tag(config=True)

    max_upstream_connections = Int(
        32, help="Connections the proxy keeps open (and reuses) to its upstreams, all together; more requests wait."
    ).tag(config=True)

    upstream_ca_bundle = Unicode(
        help=(
            "PEM file of the certificate authorities trusted for the proxy's upstream TLS connections (e.g. a "
            "corporate CA in front of the VPC endpoints). Default: AWS_CA_BUNDLE or the AWS config file's "
            "ca_bundle, as for botocore; if neither is set, certifi's bundle."
        ),
    ).tag(config=True)

    context_timeout = Float(
        5.0, help="Seconds /context waits for AWS STS to connect and to answer (504 after at most one retry)."
    ).tag(config=True)

    freeze_startup_objects = Bool(
        False,
        help=(
            "Once the server runs, move the objects made at start-up (modules, extensions, settings: some 200,000) "
            "out of the garbage collector's scans (gc.freeze). Otherwise every full collection scans them all and "
            "stops the event loop, so every request of every extension waits, for 100-500 ms; afterwards a full "
            "collection takes milliseconds. Process-wide, so off unless the server's administrator turns it on."
        ),
    ).tag(config=True)

    resource_metadata_path = Unicode(
        "/opt/ml/metadata/resource-metadata.json",
        help="SageMaker Studio's resource metadata file (domain, space, user profile).",
    ).tag(config=True)

    codeartifact_domain = Unicode(
        help=(
            "The CodeArtifact domain of the platform's private PyPI repository (packages capability). Default: the "
            f"SSM parameter <codeartifact_ssm_prefix>domain when it exists, else '{PLATFORM_DOMAIN}'."
        ),
    ).tag(config=True)

    codeartifact_domain_owner = Unicode(
        help=(
            "The 12-digit account that owns the CodeArtifact domain. Default: the SSM parameter "
            "<codeartifact_ssm_prefix>domain-owner when it exists, else the account of the server's credentials (the "
            "domain owner is then left out of the CodeArtifact calls)."
        ),
    ).tag(config=True)

    codeartifact_repository = Unicode(
        help=(
            "The CodeArtifact repository whose PyPI index packages are installed from. Default: the SSM parameter "
            f"<codeartifact_ssm_prefix>repository when it exists, else '{PLATFORM_REPOSITORY}'."
        ),
    ).tag(config=True)

    codeartifact_ssm_prefix = Unicode(
        "/mlops/codeartifact/",
        help=(
            "Prefix of the SSM parameters <prefix>domain, <prefix>domain-owner and <prefix>repository, read "
            "(ssm:GetParameters, with the server's credentials) for each of codeartifact_domain, "
            "codeartifact_domain_owner and codeartifact_repository that is not set here. Empty: SSM is not asked."
        ),
    ).tag(config=True)

    codeartifact_endpoint_url = Unicode(
        help=(
            "The repository's PyPI endpoint, as GetRepositoryEndpoint would answer it (https://.../pypi/<repository>/), "
            "for a CodeArtifact repositories VPC endpoint without private DNS. Default: asked from CodeArtifact "
            "(GetRepositoryEndpoint). The CodeArtifact API itself follows endpoint_urls['codeartifact']."
        ),
    ).tag(config=True)

    codeartifact_token_seconds = Int(
        3600,
        help=(
            "Duration asked for CodeArtifact authorization tokens (900 to 43200 s). A token is renewed before it "
            "expires, and when the index refuses it."
        ),
    ).tag(config=True)

    package_installer = Enum(
        ["auto", "uv", "pip"],
        default_value="auto",
        help="The installer of the packages capability: 'auto' is uv when uv is on the server's PATH, else pip.",
    ).tag(config=True)

    package_resolve_timeout = Float(
        300.0, help="Seconds a dry-run resolution (a plan) may take before it is stopped."
    ).tag(config=True)

    package_install_timeout = Float(
        1800.0, help="Seconds an install job may take before it is stopped (and the environment restored)."
    ).tag(config=True)

    config_files = Dict(
        key_trait=Unicode(),
        value_trait=Unicode(),
        default_value={
            "model_config.yaml": "builtin:model_config",
            "staging-config.json": "builtin:stage_config",
            "prod-config.json": "builtin:stage_config",
        },
        help=(
            "The shared configuration files (config capability): file name glob -> JSON Schema. A file matches by "
            "its base name, anywhere in the repository ('model_config.yaml', '*-config.json'); the first matching "
            "entry applies. The schema is 'builtin:<name>' (shipped: model_config, stage_config), an absolute path "
            "of a JSON Schema file on the server, or 'repo:<path>' (a schema in the project's repository, read at "
            "the branch or commit of the file it checks). Files ending in .yaml/.yml are YAML (1.2 core schema), "
            "others JSON. Every commit the proxy forwards (PutFile, CreateCommit) that writes a matching file is "
            "validated first; one that deletes, moves or copies one is refused."
        ),
    ).tag(config=True)

    max_config_bytes = Int(
        1024 * 1024,
        help="Largest shared configuration file (and configured schema) validated or committed through the proxy.",
    ).tag(config=True)

    @validate("config_files")
    def _check_config_files(self, proposal):
        from .sharedconfig.schemas import check_reference

        for pattern, reference in proposal["value"].items():
            if not pattern or "/" in pattern:
                raise TraitError(f"config_files: '{pattern}' must be a file name glob (a base name, no '/').")
            try:
                check_reference(reference)
            except ValueError as error:
                raise TraitError(f"config_files['{pattern}']: {error}") from None
        return proposal["value"]

    @validate("codeartifact_token_seconds")
    def _check_token_seconds(self, proposal):
        if not 900 <= proposal["value"] <= 43200:
            raise TraitError("codeartifact_token_seconds must be between 900 and 43200.")
        return proposal["value"]

    @validate("codeartifact_domain_owner")
    def _check_domain_owner(self, proposal):
        value = proposal["value"].strip()
        if value and not re.fullmatch(r"[0-9]{12}", value):
            raise TraitError("codeartifact_domain_owner must be a 12-digit AWS account id.")
        return value

    @validate("codeartifact_ssm_prefix")
    def _check_ssm_prefix(self, proposal):
        value = proposal["value"].strip()
        if value and not re.fullmatch(r"[A-Za-z0-9_./-]{1,1000}", value):
            raise TraitError("codeartifact_ssm_prefix may hold letters, digits and _ . - / only.")
        return value

    @default("region")
    def _default_region(self) -> str:
        import botocore.session

        return botocore.session.get_session().get_config_variable("region") or FALLBACK_REGION

    @default("upstream_ca_bundle")
    def _default_upstream_ca_bundle(self) -> str:
        import botocore.session

        return botocore.session.get_session().get_config_variable("ca_bundle") or ""

    @default("mlflow_tracking_uri")
    def _default_mlflow_tracking_uri(self) -> str:
        return os.environ.get("MLFLOW_TRACKING_URI", "")
