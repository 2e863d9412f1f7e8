"""Runs: experiment runs of the project from SageMaker Experiments and MLflow, in one view (all through the proxy).

SageMaker Experiments: the project's experiments by their project tags (``Search``; where Search on experiments is
refused, ``ListExperiments`` confirmed by ``ListTags``), an experiment's runs one ``Search`` page at a time, a run
read again with ``DescribeTrialComponent``. MLflow (the ``sagemaker-mlflow`` service: SageMaker managed MLflow, or
the tracking server ``SageMakerMLOps.mlflow_tracking_uri`` names): experiments and runs searched, and a metric's
history read. Nothing is written, deleted or logged.
"""

from __future__ import annotations

from ..allowlist import rest
from . import Capability

CAPABILITY = Capability(
    name="runs",
    operations={
        "sagemaker": "Search ListExperiments ListTags DescribeTrialComponent".split(),
        "sagemaker-mlflow": [
            rest("POST", "/api/2.0/mlflow/experiments/search", "SearchExperiments"),
            rest("POST", "/api/2.0/mlflow/runs/search", "SearchRuns"),
            rest(
                "GET",
                "/api/2.0/mlflow/metrics/get-history",
                "GetMetricHistory",
                "run_id run_uuid metric_key max_results page_token",
            ),
        ],
    },
)
