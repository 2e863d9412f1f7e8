"""The whole devstack, started once per test session on a free loopback port, seeded (without MLflow)."""

from __future__ import annotations

import json
import urllib.request

import boto3
import pytest
from botocore.config import Config

import mlops_devstack  # noqa: F401  (turns on moto's request authentication before moto is imported)
from mlops_devstack.seed import seed_all
from mlops_devstack.server import Devstack


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    devstack = Devstack(tmp_path_factory.mktemp("devstack"), port=0, mlflow=False).start()
    seed_all(devstack.state)
    devstack.ready.set()
    yield devstack
    devstack.stop()


def role_credentials(stack, identity: str) -> dict:
    """A role's temporary credentials, fetched from its container-credentials endpoint as an SDK does."""
    ident = stack.state.identities[identity]
    request = urllib.request.Request(stack.endpoint + ident["credentials_path"], headers={"Authorization": ident["credentials_token"]})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def make_client(stack, service: str, identity: str = "data-scientist", **overrides):
    """A client with static credentials: a role session (data-scientist, approver) or the admin's key."""
    ident = stack.state.identities[identity]
    if ident["kind"] == "role":
        creds = role_credentials(stack, identity)
        key, secret, token = creds["AccessKeyId"], creds["SecretAccessKey"], creds["Token"]
    else:
        key, secret, token = ident["access_key_id"], ident["secret_access_key"], None
    return boto3.client(
        service,
        region_name=stack.state.region,
        endpoint_url=stack.endpoint,
        aws_access_key_id=overrides.get("access_key", key),
        aws_secret_access_key=overrides.get("secret_key", secret),
        aws_session_token=overrides.get("session_token", token),
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture(scope="session")
def sm(stack):
    return make_client(stack, "sagemaker")


@pytest.fixture(scope="session")
def project(stack):
    return next(p for p in stack.state.projects if p["name"] == "customer-churn")


def control(stack, path: str, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{stack.endpoint}/_devstack{path}",
        data=data,
        method="POST" if data is not None else "GET",
        headers={"Content-Type": "application/json"} if data is not None else {},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def reset_faults(stack):
    yield
    control(stack, "/faults/reset", {})
    stack.sagemaker.step_seconds = 4.0
    stack.state.codepipeline.stage_seconds = 5.0
