"""GET /sagemaker-mlops/context: region, account, caller ARN (STS, signed server-side), Studio metadata, version."""

import json
import time

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
            "resourceName": "default",
            "executionRoleArn": None,
        }
        assert data["accountId"] == "123456789012"


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


class TestBrokenMetadata:
    @pytest.fixture
    def mlops_config(self, tmp_path):
        path = tmp_path / "resource-metadata.json"
        path.write_text("{not json")
        return {"resource_metadata_path": str(path)}

    async def test_unreadable_metadata_means_not_in_studio(self, call):
        response = await call("/sagemaker-mlops/context")
        assert response.code == 200
        assert json.loads(response.body)["studio"] is None


def sts_error(code: str, status: int = 403):
    def reply(handler):
        payload = (
            f'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
            f"<Code>{code}</Code><Message>upstream says {code}</Message></Error><RequestId>r-1</RequestId>"
            "</ErrorResponse>"
        ).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "text/xml")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    return reply


class TestStsErrors:
    """STS is reached through endpoint_urls['sts'] (e.g. its VPC endpoint); its errors become {code, message}."""

    @pytest.fixture
    def sts_reply(self):
        return sts_error("ExpiredToken")

    @pytest.fixture
    def sts(self, recorder, sts_reply):
        return recorder(sts_reply)

    @pytest.fixture
    def mlops_config(self, tmp_path, sts):
        return {"resource_metadata_path": str(tmp_path / "none.json"), "endpoint_urls": {"sts": sts.url}}

    async def test_expired_token_says_to_refresh_the_session(self, call, sts, moto_upstream):
        response = await call("/sagemaker-mlops/context")
        assert response.code == 403
        error = error_of(response)
        assert error["code"] == "ExpiredToken"
        assert "expired" in error["message"] and "Refresh the session" in error["message"]
        assert len(sts.requests) == 1
        assert sts.requests[0]["headers"]["Authorization"].startswith(
            f"AWS4-HMAC-SHA256 Credential={moto_upstream['access_key']}/"
        )
        # Failures are cached briefly: an immediate retry (or another tab polling) does not ask STS again ...
        again = await call("/sagemaker-mlops/context")
        assert again.code == 403 and error_of(again)["code"] == "ExpiredToken"
        assert len(sts.requests) == 1

    async def test_cached_failures_expire(self, call, sts, monkeypatch):
        from sagemaker_mlops.capabilities import connection

        monkeypatch.setattr(connection, "FAILURE_CACHE_SECONDS", 0.0)
        await call("/sagemaker-mlops/context")
        await call("/sagemaker-mlops/context")
        assert len(sts.requests) == 2

    class TestOtherErrors:
        @pytest.fixture
        def sts_reply(self):
            return sts_error("InternalFailure", 500)

        async def test_other_sts_errors_are_502(self, call):
            response = await call("/sagemaker-mlops/context")
            assert response.code == 502
            error = error_of(response)
            assert error["code"] == "InternalFailure"
            assert "GetCallerIdentity" in error["message"]


async def test_identity_is_cached_briefly(call, moto_upstream, monkeypatch):
    first = await call("/sagemaker-mlops/context")
    assert first.code == 200
    # Were STS asked again, this unreachable endpoint would fail the call.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    second = await call("/sagemaker-mlops/context")
    assert second.code == 200
    assert json.loads(second.body) == json.loads(first.body)


class TestStsUnreachable:
    @pytest.fixture
    def mlops_config(self, tmp_path):
        return {"resource_metadata_path": str(tmp_path / "none.json"), "endpoint_urls": {"sts": "http://127.0.0.1:9"}}

    async def test_unreachable_sts_is_502(self, call):
        response = await call("/sagemaker-mlops/context")
        assert response.code == 502
        error = error_of(response)
        assert error["code"] == "UpstreamUnreachable"
        assert "STS VPC endpoint" in error["message"]


def slow_sts(handler):
    time.sleep(3)
    sts_error("Throttling", 400)(handler)


class TestStsClient:
    @pytest.fixture
    def sts(self, recorder):
        return recorder(slow_sts)

    @pytest.fixture
    def mlops_config(self, tmp_path, sts):
        return {
            "resource_metadata_path": str(tmp_path / "none.json"),
            "endpoint_urls": {"sts": sts.url},
            "context_timeout": 1.0,
        }

    @pytest.mark.timeout(30)
    async def test_a_hanging_sts_is_abandoned_quickly_with_bounded_retries(self, call, sts):
        started = time.monotonic()
        response = await call("/sagemaker-mlops/context")
        elapsed = time.monotonic() - started
        assert response.code == 504, response.body
        error = error_of(response)
        assert error["code"] == "UpstreamTimeout" and "STS" in error["message"]
        assert elapsed < 5, elapsed
        assert 1 <= len(sts.requests) <= 2


async def test_one_sts_client_is_reused(call, monkeypatch, jp_serverapp):
    from sagemaker_mlops.capabilities import connection

    monkeypatch.setattr(connection, "CACHE_SECONDS", 0.0)  # ask STS every time
    created = []
    session = jp_serverapp.web_app.settings["sagemaker_mlops.aws"].session
    original = session.create_client

    def counting(name, *args, **kwargs):
        created.append(name)
        return original(name, *args, **kwargs)

    monkeypatch.setattr(session, "create_client", counting)
    for _ in range(3):
        assert (await call("/sagemaker-mlops/context")).code == 200
    assert created.count("sts") == 1
    client = jp_serverapp.web_app.settings["sagemaker_mlops.aws"].sts_client("us-east-1")
    assert client.meta.config.connect_timeout <= 10 and client.meta.config.read_timeout <= 10
    assert client.meta.config.retries["total_max_attempts"] <= 2
