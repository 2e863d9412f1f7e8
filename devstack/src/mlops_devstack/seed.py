"""Deterministic seed data modelled on the platform, written through the real wire API where it can be."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from .sagemaker import moto_time as _moto_time
from .sagemaker.common import user_context
from .state import DevstackState

DAY = 86400.0
HOSTILE_DESCRIPTION = '<img src=x onerror=alert(1)><script>alert("xss")</script> & "quotes" \'single\''
LONG_TEXT = ("Data drift mitigation for the churn model: " * 40)[:1000]
UNICODE_TEXT = "顧客離反モデル — نموذج التنبؤ 🚀"
#: an approval comment at the 1,024-character limit: markup, right-to-left text, emoji, a combining sequence
HOSTILE_APPROVAL = (HOSTILE_DESCRIPTION + " " + UNICODE_TEXT + " e\u0301 \u202eevil\u202c " + "Reviewed the drift report; " * 40)[:1024]
#: a customer metadata value at the 256-character limit
HOSTILE_METADATA = ('<a href="javascript:alert(1)">click</a> ' + UNICODE_TEXT + " " + "x" * 300)[:256]
HUB_ACCOUNT_ID = "111122223333"


def client(state: DevstackState, service: str, identity: str = "devstack-admin"):
    ident = state.identities[identity]
    return boto3.client(
        service,
        region_name=state.region,
        endpoint_url=state.base_url,
        aws_access_key_id=ident["access_key_id"],
        aws_secret_access_key=ident["secret_access_key"],
        config=Config(retries={"max_attempts": 1}),
    )


def _param(name: str, kind: str, default: Any) -> dict:
    return {"Name": name, "Type": kind, "DefaultValue": default}


def build_definition(project: dict) -> dict:
    """A model-build pipeline as the SageMaker Python SDK writes it: Preprocess -> Train -> Evaluate -> CheckMetrics -> RegisterModel."""
    bucket = project["bucket"]
    image = f"{project['account']}.dkr.ecr.us-east-1.amazonaws.com/{project['name']}-repository"
    return {
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": [
            _param("ProcessingInstanceType", "String", "ml.m5.xlarge"),
            _param("ProcessingInstanceCount", "Integer", 1),
            _param("TrainingInstanceType", "String", "ml.m5.xlarge"),
            _param("ModelApprovalStatus", "String", "PendingManualApproval"),
            _param("AccuracyThreshold", "Float", 0.8),
            _param("EnableBiasCheck", "Boolean", False),
            _param("InputDataUrl", "String", f"s3://{bucket}/datasets/{project['name']}/raw/data.csv"),
        ],
        "PipelineExperimentConfig": {"ExperimentName": {"Get": "Execution.PipelineName"}, "TrialName": {"Get": "Execution.PipelineExecutionId"}},
        "Steps": [
            {
                "Name": "Preprocess",
                "Type": "Processing",
                "Arguments": {
                    "ProcessingResources": {"ClusterConfig": {"InstanceType": {"Get": "Parameters.ProcessingInstanceType"}, "InstanceCount": {"Get": "Parameters.ProcessingInstanceCount"}, "VolumeSizeInGB": 30}},
                    "AppSpecification": {"ImageUri": f"{image}-preprocessing:latest", "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/preprocess.py"]},
                    "RoleArn": project["role_arn"],
                    "ProcessingInputs": [{"InputName": "input-1", "S3Input": {"S3Uri": {"Get": "Parameters.InputDataUrl"}, "LocalPath": "/opt/ml/processing/input", "S3DataType": "S3Prefix", "S3InputMode": "File"}}],
                    "ProcessingOutputConfig": {"Outputs": [{"OutputName": "train", "S3Output": {"S3Uri": f"s3://{bucket}/preprocess/train", "LocalPath": "/opt/ml/processing/train", "S3UploadMode": "EndOfJob"}}]},
                },
            },
            {
                "Name": "Train",
                "Type": "Training",
                "Arguments": {
                    "AlgorithmSpecification": {"TrainingImage": f"{image}-training:latest", "TrainingInputMode": "File"},
                    "OutputDataConfig": {"S3OutputPath": f"s3://{bucket}/models"},
                    "ResourceConfig": {"InstanceCount": 1, "InstanceType": {"Get": "Parameters.TrainingInstanceType"}, "VolumeSizeInGB": 30},
                    "RoleArn": project["role_arn"],
                    "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": {"Get": "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"}}}}],
                    "HyperParameters": {"max_depth": "5", "num_round": "200", "objective": "binary:logistic"},
                },
            },
            {
                "Name": "Evaluate",
                "Type": "Processing",
                "Arguments": {
                    "ProcessingResources": {"ClusterConfig": {"InstanceType": {"Get": "Parameters.ProcessingInstanceType"}, "InstanceCount": 1, "VolumeSizeInGB": 30}},
                    "AppSpecification": {"ImageUri": f"{image}-preprocessing:latest", "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/evaluate.py"]},
                    "RoleArn": project["role_arn"],
                    "ProcessingInputs": [{"InputName": "model", "S3Input": {"S3Uri": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}, "LocalPath": "/opt/ml/processing/model", "S3DataType": "S3Prefix", "S3InputMode": "File"}}],
                    "ProcessingOutputConfig": {"Outputs": [{"OutputName": "evaluation", "S3Output": {"S3Uri": f"s3://{bucket}/evaluation", "LocalPath": "/opt/ml/processing/evaluation", "S3UploadMode": "EndOfJob"}}]},
                },
                "PropertyFiles": [{"PropertyFileName": "EvaluationReport", "OutputName": "evaluation", "FilePath": "evaluation.json"}],
            },
            {
                "Name": "CheckMetrics",
                "Type": "Condition",
                "Arguments": {
                    "Conditions": [{"Type": "GreaterThanOrEqualTo", "LeftValue": {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.EvaluationReport"}, "Path": "binary_classification_metrics.accuracy.value"}}, "RightValue": {"Get": "Parameters.AccuracyThreshold"}}],
                    "IfSteps": [
                        {
                            "Name": "RegisterModel",
                            "Type": "RegisterModel",
                            "Arguments": {
                                "ModelPackageGroupName": f"{project['name']}-{project['id']}",
                                "ModelApprovalStatus": {"Get": "Parameters.ModelApprovalStatus"},
                                "InferenceSpecification": {"Containers": [{"Image": f"{image}-inference:latest", "ModelDataUrl": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}}], "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]},
                                # as the SageMaker Python SDK writes ModelMetrics(model_statistics=MetricsSource(...))
                                "ModelMetrics": {"ModelQuality": {"Statistics": {"ContentType": "application/json", "S3Uri": {"Std:Join": {"On": "/", "Values": [f"s3://{bucket}/evaluation", {"Get": "Execution.PipelineExecutionId"}, "evaluation.json"]}}}}},
                            },
                        }
                    ],
                    "ElseSteps": [{"Name": "MetricsBelowThreshold", "Type": "Fail", "Arguments": {"ErrorMessage": "Accuracy below the threshold"}}],
                },
            },
        ],
    }


def deploy_definition(project: dict) -> dict:
    return {
        "Version": "2020-12-01",
        "Parameters": [_param("EndpointInstanceType", "String", "ml.m5.large"), _param("EndpointInstanceCount", "Integer", 1)],
        "Steps": [
            {"Name": "DeployStaging", "Type": "Processing", "Arguments": {"RoleArn": project["role_arn"]}},
            {"Name": "DeployProduction", "Type": "Processing", "DependsOn": ["DeployStaging"], "Arguments": {"RoleArn": project["role_arn"]}},
        ],
    }


def seed_project(state: DevstackState, name: str, description: str, index: int) -> dict:
    sm = client(state, "sagemaker")
    ext = state.sagemaker  # type: ignore[attr-defined]
    project_tags_for = lambda pid: [{"Key": "sagemaker:project-name", "Value": name}, {"Key": "sagemaker:project-id", "Value": pid}]  # noqa: E731
    record = ext.create_project(name, description, [], created=_t0() - (60 - index) * DAY)
    pid = record["ProjectId"]
    record["Tags"] = project_tags_for(pid) + [{"Key": "EnvironmentType", "Value": "dev"}, {"Key": "CostCenter", "Value": "ml-platform"}]
    project = {
        "name": name,
        "id": pid,
        "arn": record["ProjectArn"],
        "account": state.account_id,
        "bucket": f"{name}-{state.account_id}",
        "role_arn": f"arn:aws:iam::{state.account_id}:role/{name}-sagemaker-execution-role",
        "kms_key_id": f"arn:aws:kms:{state.region}:{state.account_id}:key/{pid[2:]}-0000-4000-8000-000000000000",
        "build_pipeline": f"{name}-{pid}",
        "deploy_pipeline": f"{name}-{pid}-deploy",
        "user_pipeline": f"{name}-alice-user-pipeline",
    }
    tags = project_tags_for(pid)

    s3 = client(state, "s3")
    s3.create_bucket(Bucket=project["bucket"])
    ssm = client(state, "ssm")
    for key, value in (("role-arn", project["role_arn"]), ("bucket", project["bucket"]), ("kms-key-id", project["kms_key_id"])):
        ssm.put_parameter(Name=f"/mlops/projects/{name}/{key}", Value=value, Type="String", Overwrite=True)

    definitions = {
        project["build_pipeline"]: (build_definition(project), f"Model build pipeline of {name}"),
        project["deploy_pipeline"]: (deploy_definition(project), f"Deploys the newest approved model of {name} to staging and production"),
        project["user_pipeline"]: (build_definition(project), "alice's experiments with the build pipeline"),
    }
    for pipeline_name, (definition, desc) in definitions.items():
        sm.create_pipeline(
            PipelineName=pipeline_name,
            PipelineDisplayName=pipeline_name,
            PipelineDefinition=json.dumps(definition),
            PipelineDescription=desc,
            RoleArn=project["role_arn"],
            Tags=tags + [{"Key": "EnvironmentName", "Value": name}],
        )
    state.projects.append(project)
    return project


def _t0() -> float:
    """Seeded history is anchored to the current hour, so listings look fresh in every demo."""
    return float(int(time.time() // 3600) * 3600)


def seed_history(state: DevstackState, project: dict, count: int = 16) -> None:
    """Past executions in all five statuses, with steps; plus one running now and one stopping."""
    ext = state.sagemaker  # type: ignore[attr-defined]
    now = time.time()
    base = _t0()
    users = ["alice", "bob", "chen", "devops-bot"]
    build = project["build_pipeline"]
    for i in range(count):
        start = base - (count - i) * 1.7 * DAY
        durations = {"Preprocess": 420 + 13 * i, "Train": 1500 + 47 * i, "Evaluate": 300, "CheckMetrics": 2, "RegisterModel": 5}
        fail = None
        if i % 5 == 2:
            fail = ("Train", "AlgorithmError: ExecuteUserScriptError: Command \"/usr/local/bin/python3 train.py\" failed: MemoryError: Unable to allocate 12.3 GiB for an array")
        elif i % 5 == 4:
            fail = ("Preprocess", "ClientError: Failed to download data. No such key: datasets/raw/data.csv (s3://%s)" % project["bucket"])
        user = users[i % len(users)]
        execution = ext.start_execution(
            build,
            [{"Name": "TrainingInstanceType", "Value": "ml.m5.2xlarge" if i % 3 else "ml.m5.xlarge"}],
            display_name=f"{user}-run-{i + 1:03d}",
            description="Scheduled retraining" if i % 2 else "Triggered by CodePipeline after merge to main",
            created_by={"UserProfileName": user, "DomainId": "d-devstack01", "UserProfileArn": f"arn:aws:sagemaker:{state.region}:{state.account_id}:user-profile/d-devstack01/{user}"},
            start=start,
            durations=durations,
            fail=fail,
            seed=f"{build}:{i}",
        )
        if i % 7 == 6:
            execution.steps[0].cache_hit = True
        if i == 3:
            execution.stopped_at = start + durations["Preprocess"] + 300  # stopped during training
    # One running now (long steps, so it can be watched and stopped), one stopping.
    ext.start_execution(
        build,
        [],
        display_name="alice-tuning-long-run",
        description="Long-running training on the full data set",
        created_by={"UserProfileName": "alice", "DomainId": "d-devstack01"},
        start=now - 90,
        durations={"Preprocess": 60, "Train": 6 * 3600, "Evaluate": 300, "CheckMetrics": 2, "RegisterModel": 5},
        seed=f"{build}:running",
    )
    stopping = ext.start_execution(
        build,
        [],
        display_name="bob-stopping-run",
        created_by={"UserProfileName": "bob", "DomainId": "d-devstack01"},
        start=now - 300,
        durations={"Preprocess": 60, "Train": 6 * 3600},
        seed=f"{build}:stopping",
    )
    stopping.stopped_at = now - 5
    stopping.stop_grace = 30 * DAY  # stays in Stopping for the demo
    # The deploy and the user pipelines get a little history too.
    for i in range(3):
        ext.start_execution(project["deploy_pipeline"], [], display_name=f"deploy-{i + 1}", start=base - (10 - 3 * i) * DAY, durations={"DeployStaging": 600, "DeployProduction": 900}, seed=f"{project['deploy_pipeline']}:{i}")
    ext.start_execution(project["user_pipeline"], [{"Name": "AccuracyThreshold", "Value": "0.75"}], display_name="alice-experiment-1", start=base - 2 * DAY, durations={"Train": 900}, fail=("Evaluate", "ValueError: could not convert string to float: 'N/A'"), seed=f"{project['user_pipeline']}:0")
    ext.write_logs()


def seed_model_packages(state: DevstackState, project: dict, versions: int = 12) -> None:
    sm = client(state, "sagemaker")
    s3 = client(state, "s3")
    group = f"{project['name']}-{project['id']}"
    sm.create_model_package_group(
        ModelPackageGroupName=group,
        ModelPackageGroupDescription=f"Models of {project['name']}",
        Tags=[{"Key": "sagemaker:project-name", "Value": project["name"]}, {"Key": "sagemaker:project-id", "Value": project["id"]}],
    )
    statuses = ["Approved", "Rejected", "PendingManualApproval"]
    for v in range(1, versions + 1):
        status = statuses[v % 3] if v < versions else "PendingManualApproval"
        if v == versions - 1:
            status = "Approved"
        accuracy = round(0.78 + 0.01 * v, 3)
        key = f"evaluation/v{v}/evaluation.json"
        s3.put_object(Bucket=project["bucket"], Key=key, Body=json.dumps({"binary_classification_metrics": {"accuracy": {"value": accuracy, "standard_deviation": 0.01}, "auc": {"value": round(accuracy + 0.05, 3)}}}).encode(), ContentType="application/json")
        kwargs: dict[str, Any] = dict(
            ModelPackageGroupName=group,
            ModelPackageDescription=UNICODE_TEXT if v == 5 else (HOSTILE_DESCRIPTION if v == 7 else f"XGBoost churn model v{v}"),
            ModelApprovalStatus=status,
            InferenceSpecification={
                "Containers": [{"Image": f"{state.account_id}.dkr.ecr.{state.region}.amazonaws.com/{project['name']}-repository-inference:v{v}", "ModelDataUrl": f"s3://{project['bucket']}/models/v{v}/model.tar.gz"}],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
            },
            ModelMetrics={"ModelQuality": {"Statistics": {"ContentType": "application/json", "S3Uri": f"s3://{project['bucket']}/{key}"}}},
            CustomerMetadataProperties={"git_commit": f"{v:07x}abc", "training_execution": f"{project['build_pipeline']}:{v}", "accuracy": str(accuracy)},
        )
        if v == 4:
            kwargs["CustomerMetadataProperties"]["notes"] = HOSTILE_METADATA
        if status == "Approved":
            kwargs["ModelLifeCycle"] = {"Stage": "Production" if v == versions - 1 else "Staging", "StageStatus": "Approved", "StageDescription": "Serving behind the endpoint"}
        elif v == versions:
            kwargs["ModelLifeCycle"] = {"Stage": "Development", "StageStatus": "PendingApproval", "StageDescription": "Waiting for the ML engineer's review"}
        arn = sm.create_model_package(**kwargs)["ModelPackageArn"]
        if status != "PendingManualApproval":
            # ApprovalDescription is only settable by an update, as on AWS.
            if v == 1:
                comment = HOSTILE_APPROVAL
            elif status == "Approved":
                comment = "Meets the accuracy bar; approved for staging."
            else:
                comment = "AUC regressed against v%d; rejected." % (v - 1)
            sm.update_model_package(ModelPackageArn=arn, ModelApprovalStatus=status, ApprovalDescription=comment)


def seed_experiments(state: DevstackState, project: dict, trials: int = 3, components_per_trial: int = 4) -> None:
    """SageMaker Experiments as Studio Classic records runs: an experiment, trials, and trial components with
    parameters (CreateTrialComponent) and metrics (sagemaker-metrics BatchPutMetrics), all over the wire."""
    sm = client(state, "sagemaker")
    metrics = client(state, "sagemaker-metrics")
    tags = [{"Key": "sagemaker:project-name", "Value": project["name"]}, {"Key": "sagemaker:project-id", "Value": project["id"]}]
    experiment = f"{project['name']}-experiments"
    sm.create_experiment(ExperimentName=experiment, DisplayName=f"{project['name']} experiments", Description=f"Experiments of {project['name']}", Tags=tags)
    base = _t0() - 20 * DAY
    n = 0
    for t in range(trials):
        trial = f"{project['name']}-trial-{t + 1}"
        sm.create_trial(TrialName=trial, ExperimentName=experiment, DisplayName=f"trial {t + 1}", Tags=tags)
        for c in range(components_per_trial):
            n += 1
            name = f"{project['name']}-run-{n:03d}"
            started = base + n * 0.5 * DAY
            failed = n % 7 == 0
            sm.create_trial_component(
                TrialComponentName=name,
                DisplayName=f"run {n}" if n != 5 else UNICODE_TEXT,
                StartTime=started,
                EndTime=started + 1800 + 60 * n,
                Status={"PrimaryStatus": "Failed" if failed else "Completed", **({"Message": "OOM in training"} if failed else {})},
                Parameters={
                    "max_depth": {"NumberValue": 3 + n % 4},
                    "eta": {"NumberValue": round(0.1 + 0.05 * (n % 3), 2)},
                    "objective": {"StringValue": "binary:logistic"},
                    "instance_type": {"StringValue": "ml.m5.xlarge" if n % 2 else "ml.m5.2xlarge"},
                },
                Tags=tags,
            )
            sm.associate_trial_component(TrialComponentName=name, TrialName=trial)
            accuracy = round(0.80 + 0.012 * ((n * 7) % 10), 3)
            data = []
            for step in range(5):
                data.append({"MetricName": "validation:accuracy", "Timestamp": started + 60 * step, "Step": step, "Value": round(accuracy - 0.02 * (4 - step), 4)})
                data.append({"MetricName": "train:loss", "Timestamp": started + 60 * step, "Step": step, "Value": round(0.9 / (step + 1), 4)})
            metrics.batch_put_metrics(TrialComponentName=name, MetricData=data)


def _backdate(state: DevstackState, project: dict) -> None:
    """Seeded resources were created "now"; give them the history the platform would have."""
    from moto.sagemaker.models import sagemaker_backends

    backend = sagemaker_backends[state.account_id][state.region]
    created = state.sagemaker.projects[project["name"]]["CreationTime"]  # type: ignore[attr-defined]
    for offset, name in enumerate((project["build_pipeline"], project["deploy_pipeline"], project["user_pipeline"])):
        pipeline = backend.pipelines.get(name)
        if pipeline is not None:
            pipeline.creation_time = _moto_time(created + 3600 * (offset + 1))
            pipeline.last_modified_time = _moto_time(created + 3600 * (offset + 1) + 5 * DAY)
    group = backend.model_package_groups.get(f"{project['name']}-{project['id']}")
    if group is not None:
        group.creation_time = _moto_time(created + 7200)


def _link_versions(state: DevstackState, project: dict) -> None:
    """The newest seeded model versions were registered by the seeded executions that succeeded: point their
    RegisterModel steps at those versions, and date each version at the end of its step."""
    from moto.sagemaker.models import sagemaker_backends

    backend = sagemaker_backends[state.account_id][state.region]
    ext = state.sagemaker  # type: ignore[attr-defined]
    group = f"{project['name']}-{project['id']}"
    versions = sorted((p for p in backend.model_packages.values() if p.model_package_group_name == group), key=lambda p: p.model_package_version)
    now = time.time()
    runs = sorted((e for e in ext.executions.values() if e.pipeline_name == project["build_pipeline"] and not e.live), key=lambda e: e.start)
    registered = [(e, s) for e in runs for s in e.steps if s.type == "RegisterModel" and ext.status(e, now)[0] == "Succeeded"]
    registered = registered[-len(versions):] if versions else []
    first = len(versions) - len(registered)
    for index, package in enumerate(versions):
        if index >= first:
            execution, step = registered[index - first]
            step.registered_arn = package.arn
            package.metadata_properties = {"GeneratedBy": execution.arn}
            # registered by the pipeline's RegisterModel step, as its execution role
            package.created_by = user_context(f"arn:aws:sts::{state.account_id}:assumed-role/{project['name']}-sagemaker-execution-role/SageMaker")
            when = step.end or execution.start
        else:
            # registered by hand from a notebook (no GeneratedBy), before the pipeline existed
            package.created_by = {
                "UserProfileArn": f"arn:aws:sagemaker:{state.region}:{state.account_id}:user-profile/{STUDIO_DOMAIN_ID}/{STUDIO_USER}",
                "UserProfileName": STUDIO_USER,
                "DomainId": STUDIO_DOMAIN_ID,
                **user_context(f"arn:aws:sts::{state.account_id}:assumed-role/{STUDIO_USER}/SageMaker"),
            }
            when = (registered[0][0].start if registered else _t0()) - (first - index) * DAY
        package.creation_time = _moto_time(when)
        if package.model_approval_status != "PendingManualApproval":
            package.last_modified_time = _moto_time(when + 3600 * (index % 5 + 1))
            package.last_modified_by = user_context(f"arn:aws:sts::{state.account_id}:assumed-role/approver/SageMaker")
        else:
            package.last_modified_time = None
            package.last_modified_by = None


STUDIO_DOMAIN_ID = "d-devstack01"  # the domain the seeded executions name in CreatedBy
STUDIO_USER = "data-scientist"
#: the approver's user profile (execution role ``approver``), with its own space of the project
STUDIO_APPROVER = "approver"


def seed_studio(state: DevstackState, project: dict) -> dict:
    """A Studio domain (moto), a user profile per role (the data scientist's and the approver's, each with its
    role as execution role) and a private JupyterLab space of the project for each, tagged with the project as
    the platform tags a project's space. Returns what the data scientist's ``resource-metadata.json`` says;
    ``state.studio_spaces`` holds it per identity."""
    from moto.sagemaker.models import sagemaker_backends

    sm = client(state, "sagemaker")
    domain_arn = sm.create_domain(
        DomainName="mlops-studio",
        AuthMode="IAM",
        DefaultUserSettings={"ExecutionRole": state.identities[STUDIO_USER]["arn"]},
        SubnetIds=["subnet-0devstack0000001", "subnet-0devstack0000002"],
        VpcId="vpc-0devstack00000001",
        AppNetworkAccessType="VpcOnly",
        Tags=[{"Key": "EnvironmentName", "Value": "mlops-dev"}],
    )["DomainArn"]
    # moto derives the id from the name; Studio's ids are opaque: give the domain the id the history names
    backend = sagemaker_backends[state.account_id][state.region]
    domain = backend.domains.pop(domain_arn.rsplit("/", 1)[-1])
    domain.id = STUDIO_DOMAIN_ID
    domain.arn = f"arn:aws:sagemaker:{state.region}:{state.account_id}:domain/{STUDIO_DOMAIN_ID}"
    backend.domains[domain.id] = domain
    spaces: dict[str, dict] = {}
    for user, space in ((STUDIO_USER, f"{project['name']}-space"), (STUDIO_APPROVER, f"{project['name']}-approver-space")):
        sm.create_user_profile(
            DomainId=STUDIO_DOMAIN_ID,
            UserProfileName=user,
            UserSettings={"ExecutionRole": state.identities[user]["arn"]},
        )
        space_arn = sm.create_space(
            DomainId=STUDIO_DOMAIN_ID,
            SpaceName=space,
            SpaceDisplayName=f"{project['name']} (JupyterLab{', approvals' if user == STUDIO_APPROVER else ''})",
            SpaceSettings={"AppType": "JupyterLab", "JupyterLabAppSettings": {"DefaultResourceSpec": {"InstanceType": "ml.t3.medium"}}},
            OwnershipSettings={"OwnerUserProfileName": user},
            SpaceSharingSettings={"SharingType": "Private"},
            Tags=[{"Key": "sagemaker:project-name", "Value": project["name"]}, {"Key": "sagemaker:project-id", "Value": project["id"]}],
        )["SpaceArn"]
        spaces[user] = {
            "DomainId": STUDIO_DOMAIN_ID,
            "SpaceName": space,
            "UserProfileName": user,
            "AppType": "JupyterLab",
            "ResourceArn": space_arn,
            "ResourceName": space,
            "ExecutionRoleArn": state.identities[user]["arn"],
        }
    state.studio_spaces = spaces  # type: ignore[attr-defined]
    state.studio = spaces[STUDIO_USER]  # type: ignore[attr-defined]
    return state.studio  # type: ignore[attr-defined]


def write_resource_metadata(state: DevstackState, path: Path, identity: str = STUDIO_USER) -> Path:
    """Studio's ``/opt/ml/metadata/resource-metadata.json`` for the seeded space of ``identity`` (the data
    scientist's or the approver's), at ``path``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(state.studio_spaces[identity], indent=2) + "\n", encoding="utf-8")  # type: ignore[attr-defined]
    return target


def seed_all(state: DevstackState) -> None:
    from .codeartifact import seed_codeartifact
    from .codecommit import seed_codecommit

    state.seeding = True  # type: ignore[attr-defined]
    try:
        churn = seed_project(state, "customer-churn", "Predicts which customers are about to churn (build + deploy).", 0)
        fraud = seed_project(state, "fraud-detection", HOSTILE_DESCRIPTION, 1)
        seed_history(state, churn)
        seed_history(state, fraud, count=5)
        seed_model_packages(state, churn)
        seed_model_packages(state, fraud, versions=3)
        for project in (churn, fraud):
            _backdate(state, project)
            _link_versions(state, project)
        for project, mode in ((churn, "SUPERSEDED"), (fraud, "PARALLEL")):
            seed_deploy_codepipeline(state, project, mode)
        seed_hub_registry(state, churn)
        seed_experiments(state, churn)
        seed_experiments(state, fraud, trials=1, components_per_trial=2)
        _hostile_pipeline(state, churn)
        for project in (churn, fraud):
            seed_codecommit(state, project)
        seed_studio(state, churn)
        seed_codeartifact(state)
        seed_codeartifact_parameters(state)
        if state.scale:
            seed_scale(state, churn)
    finally:
        state.seeding = False  # type: ignore[attr-defined]


#: where the Jupyter server's packages capability looks up the CodeArtifact domain, owner and repository
CODEARTIFACT_PARAMETERS = "/mlops/codeartifact/"


def seed_codeartifact_parameters(state: DevstackState) -> dict[str, str]:
    """The SSM parameters naming the platform's CodeArtifact repository (the stack's real domain, owner account
    and repository), so the packages capability finds it through SSM."""
    from .codeartifact import DOMAIN, REPOSITORY

    values = {"domain": DOMAIN, "domain-owner": state.account_id, "repository": REPOSITORY}
    ssm = client(state, "ssm")
    for key, value in values.items():
        ssm.put_parameter(
            Name=CODEARTIFACT_PARAMETERS + key,
            Value=value,
            Type="String",
            Description="The platform's CodeArtifact PyPI repository",
            Overwrite=True,
        )
    return {CODEARTIFACT_PARAMETERS + key: value for key, value in values.items()}


def seed_deploy_codepipeline(state: DevstackState, project: dict, mode: str) -> None:
    """The project's deploy CodePipeline with a history played at past times: a deployment approved to
    production, one rejected at the approval, and (now) executions waiting at the approval (one in SUPERSEDED
    mode, two in PARALLEL mode)."""
    from moto.sagemaker.models import sagemaker_backends

    cp = state.codepipeline  # type: ignore[attr-defined]
    created = state.sagemaker.projects[project["name"]]["CreationTime"] + 3 * 3600  # type: ignore[attr-defined]
    pipeline = cp.create_deploy_pipeline(project, mode, created=created)
    backend = sagemaker_backends[state.account_id][state.region]
    group = f"{project['name']}-{project['id']}"
    approved = sorted((p for p in backend.model_packages.values() if p.model_package_group_name == group and p.model_approval_status == "Approved"), key=lambda p: p.model_package_version)
    if not approved:
        return
    approver = f"arn:aws:sts::{state.account_id}:assumed-role/approver/SageMaker"
    rule = f"arn:aws:events:{state.region}:{state.account_id}:rule/sagemaker-{project['name']}-{project['id']}-model-package-state-change"
    event = {"triggerType": "CloudWatchEvent", "triggerDetail": rule}
    now = time.time()
    stage = 120.0

    def run(at: float, package, seconds: float = stage):
        return cp.start(pipeline.name, [{"name": "ModelPackageArn", "value": package.arn}], trigger=event, at=at, stage_seconds=seconds)

    first = run(now - 9 * DAY, approved[0])
    cp.advance(pipeline.name, now - 9 * DAY + 3600)
    cp.decide(pipeline.name, "ApproveDeployment", "ApproveDeployment", _token_of(first), "Approved", "Staging endpoint healthy; latency p99 41 ms.", approver, at=now - 9 * DAY + 3600)
    second = run(now - 4 * DAY, approved[-1])
    cp.advance(pipeline.name, now - 4 * DAY + 7200)
    cp.decide(pipeline.name, "ApproveDeployment", "ApproveDeployment", _token_of(second), "Rejected", "Staging latency above the SLO (p99 380 ms); rejected.", approver, at=now - 4 * DAY + 7200)
    run(now - 3600, approved[-1], seconds=60.0)  # waits at the approval now
    if mode == "PARALLEL":
        run(now - 1800, approved[0], seconds=60.0)  # a second one waiting at the same approval
    cp.advance_all(now)


def _token_of(run) -> str:
    return next(a.token for a in run.actions if a.token)


def seed_hub_registry(state: DevstackState, project: dict) -> None:
    """A model package group in the hub account (its ARN names that account), shared with this account by a
    resource policy, with three versions whose evaluation reports (regression metrics) are in the hub's bucket."""
    from moto.s3.models import s3_backends
    from moto.sagemaker.models import ModelPackage, ModelPackageGroup, sagemaker_backends

    hub = HUB_ACCOUNT_ID
    backend = sagemaker_backends[hub][state.region]
    name = f"{project['name']}-shared-models"
    group = ModelPackageGroup(
        model_package_group_name=name,
        model_package_group_description="Customer lifetime value models shared from the hub account " + UNICODE_TEXT,
        tags=[{"Key": "sagemaker:project-name", "Value": project["name"]}, {"Key": "EnvironmentType", "Value": "hub"}],
        region_name=state.region,
        account_id=hub,
    )
    group.creation_time = _moto_time(_t0() - 30 * DAY)
    group.created_by = user_context(f"arn:aws:sts::{hub}:assumed-role/hub-mlops-admin/hub-admin")
    backend.model_package_groups[name] = group
    state.sagemaker.group_policies[group.arn] = {  # type: ignore[attr-defined]
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "ShareWithWorkloadAccount",
            "Effect": "Allow",
            "Principal": {"AWS": [f"arn:aws:iam::{state.account_id}:root"]},
            "Action": ["sagemaker:DescribeModelPackageGroup", "sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages", "sagemaker:ListTags"],
            "Resource": [group.arn, f"arn:aws:sagemaker:{state.region}:{hub}:model-package/{name}/*"],
        }],
    }
    s3 = s3_backends[hub]["aws"]
    bucket = f"mlops-hub-registry-{hub}"
    s3.create_bucket(bucket, state.region)
    statuses = ["Approved", "Rejected", "PendingManualApproval"]
    for v in range(1, 4):
        key = f"{name}/v{v}/evaluation.json"
        report = {"regression_metrics": {"mse": {"value": round(41.5 - 3 * v, 2), "standard_deviation": 1.2}, "rmse": {"value": round((41.5 - 3 * v) ** 0.5, 3), "standard_deviation": 0.1}, "r2": {"value": round(0.71 + 0.04 * v, 3), "standard_deviation": 0.01}}}
        s3.put_object(bucket, key, json.dumps(report).encode())
        package = ModelPackage(
            model_package_name=name,
            model_package_group_name=name,
            model_package_description=f"CLV regressor v{v}",
            inference_specification={"Containers": [{"Image": f"{hub}.dkr.ecr.{state.region}.amazonaws.com/clv-inference:v{v}", "ModelDataUrl": f"s3://{bucket}/{name}/v{v}/model.tar.gz"}], "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]},
            validation_specification=None,
            source_algorithm_specification=None,
            certify_for_marketplace=False,
            tags=None,
            model_approval_status=statuses[v % 3],
            metadata_properties={"GeneratedBy": f"arn:aws:sagemaker:{state.region}:{hub}:pipeline/clv-build/execution/{_id_of(name, v)}"},
            model_metrics={"ModelQuality": {"Statistics": {"ContentType": "application/json", "S3Uri": f"s3://{bucket}/{key}"}}},
            customer_metadata_properties={"source_account": hub, "owner": "ml-platform-hub"},
            drift_check_baselines=None,
            domain=None,
            task=None,
            sample_payload_url=None,
            additional_inference_specifications=None,
            model_package_version=v,
            approval_description="Approved in the hub account" if statuses[v % 3] == "Approved" else None,
            region_name=state.region,
            account_id=hub,
            client_token=None,
            model_package_type="Versioned",
        )
        package.creation_time = _moto_time(_t0() - (30 - 5 * v) * DAY)
        package.created_by = user_context(f"arn:aws:sts::{hub}:assumed-role/hub-sagemaker-execution-role/SageMaker")
        backend.model_package_name_mapping[package.arn] = package.arn
        backend.model_packages[package.arn] = package


def _epoch_of(value: Any) -> float:
    from datetime import timezone

    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()


def _id_of(name: str, v: int) -> str:
    import hashlib

    return hashlib.sha256(f"{name}:{v}".encode()).hexdigest()[:12]


def _hostile_pipeline(state: DevstackState, project: dict) -> None:
    sm = client(state, "sagemaker")
    tags = [{"Key": "sagemaker:project-name", "Value": project["name"]}, {"Key": "sagemaker:project-id", "Value": project["id"]}]
    name = f"{project['name']}-hostile-names"
    sm.create_pipeline(
        PipelineName=name,
        PipelineDisplayName=name,
        PipelineDefinition=json.dumps(deploy_definition(project)),
        PipelineDescription=HOSTILE_DESCRIPTION + " " + UNICODE_TEXT + " " + LONG_TEXT,
        RoleArn=project["role_arn"],
        Tags=tags,
    )
    state.sagemaker.start_execution(  # type: ignore[attr-defined]
        name, [], display_name="hostile-1", description=HOSTILE_DESCRIPTION, start=_t0() - DAY, durations={"DeployStaging": 60, "DeployProduction": 60}, seed=f"{name}:0"
    )



def seed_scale(
    state: DevstackState,
    project: dict,
    pipelines: int = 500,
    executions: int = 10_000,
    model_packages: int = 20_000,
    trial_components: int = 5_000,
) -> None:
    """Benchmark volume, straight into the backends (a wire round trip each would take minutes): 500 pipelines,
    10,000 executions, 20,000 model packages, 5,000 trial components (the runs of the experiment
    ``<project>-scale``, through its trial), all tagged with the project."""
    from moto.sagemaker.models import FakeTrialComponent, ModelPackage, sagemaker_backends

    backend = sagemaker_backends[state.account_id][state.region]
    ext = state.sagemaker  # type: ignore[attr-defined]
    definition = json.dumps(deploy_definition(project))
    tags = [{"Key": "sagemaker:project-name", "Value": project["name"]}, {"Key": "sagemaker:project-id", "Value": project["id"]}]
    base = _t0()
    names = []
    for i in range(pipelines):
        name = f"{project['name']}-scale-{i:03d}"
        backend.create_pipeline(
            pipeline_name=name,
            pipeline_display_name=name,
            pipeline_definition=definition,
            pipeline_definition_s3_location=None,
            pipeline_description=f"Scale pipeline {i}",
            role_arn=project["role_arn"],
            tags=tags,
            parallelism_configuration=None,
        )
        names.append(name)
    with ext.lock:
        for j in range(executions):
            name = names[j % len(names)]
            execution = ext.start_execution(name, [], display_name=f"scale-{j}", start=base - (j + 1) * 600, durations={"DeployStaging": 60, "DeployProduction": 60}, seed=f"{name}:{j}")
            for step in execution.steps:
                step.logged = 2  # no log streams for the benchmark volume
    group = f"{project['name']}-{project['id']}"
    # moto's create_model_package counts the group's versions by scanning every package (quadratic at this
    # volume): build the objects with their version numbers instead.
    existing = [p for p in backend.model_packages.values() if p.model_package_group_name == group]
    first = 1 + len(existing)
    # registered after the existing versions (version numbers follow registration order), up to the current hour
    after = max((_epoch_of(p.creation_time) for p in existing), default=base - model_packages * 60.0)
    spacing = max(0.001, min(60.0, (base - after) / (model_packages + 1)))
    statuses = ["Approved", "Rejected", "PendingManualApproval"]
    for v in range(model_packages):
        package = ModelPackage(
            model_package_name=group,
            model_package_group_name=group,
            model_package_description=f"scale {v}",
            inference_specification=None,
            validation_specification=None,
            source_algorithm_specification=None,
            certify_for_marketplace=False,
            tags=None,
            model_approval_status=statuses[v % 3],
            metadata_properties=None,
            model_metrics=None,
            customer_metadata_properties=None,
            drift_check_baselines=None,
            domain=None,
            task=None,
            sample_payload_url=None,
            additional_inference_specifications=None,
            model_package_version=first + v,
            approval_description=None,
            region_name=state.region,
            account_id=state.account_id,
            client_token=None,
            model_package_type="Versioned",
        )
        package.creation_time = _moto_time(after + (v + 1) * spacing)
        backend.model_package_name_mapping[package.arn] = package.arn
        backend.model_packages[package.arn] = package
    # the runs' experiment and trial, as Studio Classic records them (Search finds their Parents by the trial)
    scale_experiment = f"{project['name']}-scale"
    scale_trial = f"{scale_experiment}-trial"
    backend.create_experiment(experiment_name=scale_experiment)
    backend.create_trial(trial_name=scale_trial, experiment_name=scale_experiment)
    for resource in (backend.experiments[scale_experiment], backend.trials[scale_trial]):
        backend.add_tags(resource.arn, tags)
    for k in range(trial_components):
        name = f"{project['name']}-scale-run-{k:05d}"
        component = FakeTrialComponent(
            account_id=state.account_id,
            region_name=state.region,
            trial_component_name=name,
            display_name=f"scale run {k}",
            start_time=_moto_time(base - k * 300),
            end_time=_moto_time(base - k * 300 + 240),
            parameters={"eta": {"NumberValue": round(0.05 + 0.01 * (k % 10), 2)}, "max_depth": {"NumberValue": 3 + k % 6}},
            input_artifacts=None,
            output_artifacts=None,
            metadata_properties=None,
            status={"PrimaryStatus": "Completed"},
            trial_name=scale_trial,
            tags=tags,
        )
        component.metrics["validation:accuracy"] = {
            "MetricName": "validation:accuracy",
            "Timestamp": int(base - k * 300 + 240),
            "Values": {0: {"MetricName": "validation:accuracy", "Step": 0, "Value": round(0.7 + (k % 25) / 100, 3), "Timestamp": int(base - k * 300 + 240)}},
        }
        backend.trial_components[name] = component
        backend.trials[scale_trial].trial_components.append(name)
