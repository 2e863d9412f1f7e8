"""A capability for tests only: REST operations of CodeArtifact and MLflow, which no shipped feature uses yet, and
one CodePipeline read that the registry grants as well (grants of several capabilities add up)."""

from sagemaker_mlops.allowlist import rest
from sagemaker_mlops.capabilities import Capability

CAPABILITY = Capability(
    name="rest-test",
    operations={
        "codepipeline": ["ListPipelines"],
        "codeartifact": [
            rest("GET", "/v1/repository/endpoint", "GetRepositoryEndpoint", "domain domain-owner repository format"),
            rest("POST", "/v1/packages", "ListPackages", "domain domain-owner repository format package-prefix x"),
            rest("POST", "/v1/package/versions", "ListPackageVersions", "domain repository format package"),
        ],
        "sagemaker-mlflow": [
            rest("GET", "/api/2.0/mlflow/experiments/search", "SearchExperiments", "max_results page_token filter"),
            rest("POST", "/api/2.0/mlflow/experiments/search", "SearchExperiments"),
            rest("GET", "/api/2.0/mlflow/experiments/get-by-name", "GetExperimentByName", "experiment_name"),
            rest("GET", "/api/2.0/mlflow/runs/get", "GetRun", "run_id"),
            rest("POST", "/api/2.0/mlflow/runs/search", "SearchRuns"),
        ],
    },
)

#: SageMakerMLOps.capabilities with the shipped capabilities and this one.
WITH_REST = ["connection", "pipelines", "registry", "rest_capability"]
