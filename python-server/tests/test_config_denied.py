"""The config capability's server-side AWS calls when the server's role may not make them (moto, which verifies
SigV4 and IAM): the refusal names the action, and no credential reaches the browser."""

from __future__ import annotations

import json

import pytest

from conftest import aws_call, error_of
from test_registry import limited_user


def no_secret(response, credentials: dict[str, str]) -> None:
    body = response.body.decode()
    for secret in credentials.values():
        assert secret not in body


class TestWithoutSsm:
    @pytest.fixture
    def server_credentials(self, moto_upstream):
        return limited_user({"Effect": "Allow", "Action": ["codecommit:*"], "Resource": "*"})

    async def test_project_bucket_names_ssm_get_parameter(self, call, server_credentials):
        response = await call("/sagemaker-mlops/config/project-bucket?project=customer-churn")
        assert response.code == 403, response.body
        error = error_of(response)
        assert error["code"] == "AccessDenied"
        assert "ssm:GetParameter" in error["message"] and "/mlops/projects/customer-churn/bucket" in error["message"]
        no_secret(response, server_credentials)


class TestWithoutCodeCommitReads:
    @pytest.fixture
    def server_credentials(self, moto_upstream):
        return limited_user({"Effect": "Allow", "Action": ["ssm:*"], "Resource": "*"})

    async def test_the_repository_check_names_get_repository(self, call, server_credentials):
        response = await call(
            "/sagemaker-mlops/aws/codecommit/",
            **aws_call("CodeCommit_20150413.GetBranch", {"repositoryName": "customer-churn-project-repo", "branchName": "dev"}),
        )
        assert response.code == 403, response.body
        error = error_of(response)
        assert error["code"] == "AccessDenied"
        assert "codecommit:GetRepository" in error["message"]
        no_secret(response, server_credentials)


async def test_the_project_bucket_as_moto_stores_it(call, aws_env):
    import boto3

    boto3.client(
        "ssm", region_name="us-east-1", endpoint_url=aws_env["url"], aws_access_key_id=aws_env["access_key"],
        aws_secret_access_key=aws_env["secret_key"],
    ).put_parameter(Name="/mlops/projects/moto-project/bucket", Value="moto-project-bucket", Type="String", Overwrite=True)
    response = await call("/sagemaker-mlops/config/project-bucket?project=moto-project")
    assert response.code == 200, response.body
    assert json.loads(response.body) == {"bucket": "moto-project-bucket", "source": "ssm:/mlops/projects/moto-project/bucket"}
