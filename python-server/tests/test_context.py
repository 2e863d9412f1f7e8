"""GET /sagemaker-mlops/context: region, account, caller ARN (STS, signed server-side), Studio metadata, version."""

import json

import pytest

import sagemaker_mlops
from conftest import error_of


async def test_context_outside_studio(call):
    response = await call("/sagemaker-mlops/context")
    assert response.code == 200, response.body
    data = json.loads(response.body)
    assert data == {
        "region": "us-east-1",
        "accountId": "123456789012",
        "callerArn": "arn:aws:iam::123456789012:user/proxy-tester",
        "studio": None,
        "version": sagemaker_mlops.__version__,
    }


class TestInStudio:
    @pytest.fixture
    def mlops_config(self, tmp_path):
        path = tmp_path / "resource-metadata.json"
        path.write_text(
            json.dumps(
                {
                    "AppType": "JupyterLab",
                    "DomainId": "d-abc123",
                    "SpaceName": "alice-space",
                    "UserProfileName": "alice",
                    "ResourceArn": "arn:aws:sagemaker:us-east-1:123456789012:space/d-abc123/alice-space",
                    "ResourceName": "default",
                }
            )
        )
        return {"resource_metadata_path": str(path), "region": "eu-west-1"}

    async def test_context_reads_the_studio_metadata_and_configured_region(self, call):
        response = await call("/sagemaker-mlops/context")
        assert response.code == 200, response.body
        data = json.loads(response.body)
        assert data["region"] == "eu-west-1"
        assert data["studio"] == {
            "domainId": "d-abc123",
            "spaceName": "alice-space",
            "userProfileName": "alice",
            "appType": "JupyterLab",
            "resourceArn": "arn:aws:sagemaker:us-east-1:123456789012:space/d-abc123/alice-space",
        }


class TestInvalidCredentials:
    @pytest.fixture
    def server_credentials(self):
        return {"AWS_ACCESS_KEY_ID": "AKIA" + "Q" * 16, "AWS_SECRET_ACCESS_KEY": "z" * 40}

    async def test_invalid_credentials_say_what_to_do(self, call):
        response = await call("/sagemaker-mlops/context")
        assert response.code == 403, response.body
        error = error_of(response)
        assert error["code"] == "InvalidClientTokenId"
        assert "not valid" in error["message"]
        assert "Q" * 16 not in response.body.decode()


class TestNoCredentials:
    @pytest.fixture
    def server_credentials(self):
        return {}

    async def test_no_credentials(self, call):
        response = await call("/sagemaker-mlops/context")
        assert response.code == 503
        assert error_of(response)["code"] == "NoCredentials"
