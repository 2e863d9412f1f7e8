"""Pipelines: the project's SageMaker pipelines, executions, steps, definitions, runs, stop/retry, and step logs.

No server routes of its own: everything goes through the signing proxy.
"""

from __future__ import annotations

from . import Capability

CAPABILITY = Capability(
    name="pipelines",
    operations={
        "sagemaker": """
            Search ListTags ListPipelines DescribePipeline DescribePipelineDefinitionForExecution
            ListPipelineExecutions DescribePipelineExecution ListPipelineExecutionSteps
            ListPipelineParametersForExecution StartPipelineExecution StopPipelineExecution RetryPipelineExecution
            CreatePipeline UpdatePipeline
            """.split(),
        "logs": ["GetLogEvents", "DescribeLogStreams"],
    },
)
