"""Every handler requires Jupyter authentication, authorization and XSRF (GET included, token-authenticated included)."""

import pytest
from jupyter_server.auth.authorizer import Authorizer

from rest_capability import WITH_REST

from conftest import XSRF, aws_call, error_of, untouched

ROUTES = [
    ("/sagemaker-mlops/context", {"method": "GET"}),
    ("/sagemaker-mlops/aws/sagemaker/", aws_call("SageMaker.ListPipelines")),
    ("/sagemaker-mlops/aws/codeartifact/v1/repository/endpoint?domain=mlops&repository=r&format=pypi", {"method": "GET"}),
]


@pytest.fixture
def mlops_config(tmp_path, upstream):
    return {
        "resource_metadata_path": str(tmp_path / "none.json"),
        "endpoint_urls": {"sagemaker": upstream.url, "codeartifact": upstream.url},
        "capabilities": WITH_REST,
    }


@pytest.mark.parametrize("path,kwargs", ROUTES)
async def test_unauthenticated_is_403_json(call, upstream, path, kwargs):
    response = await call(path, auth=False, **kwargs)
    assert response.code == 403
    error = error_of(response)
    assert error["code"] == "Forbidden"
    assert "Authentication required" in error["message"]
    assert untouched(upstream)


@pytest.mark.parametrize("path,kwargs", ROUTES)
async def test_wrong_token_is_403(call, upstream, path, kwargs):
    kwargs = {**kwargs, "headers": {**kwargs.get("headers", {}), "Authorization": "token not-the-token"}}
    response = await call(path, auth=False, **kwargs)
    assert response.code == 403
    assert error_of(response)["code"] == "Forbidden"
    assert untouched(upstream)


@pytest.mark.parametrize("path,kwargs", ROUTES)
async def test_missing_xsrf_header_is_403_even_with_a_token(call, upstream, path, kwargs):
    response = await call(path, xsrf=None, **kwargs)
    assert response.code == 403
    assert error_of(response)["code"] == "XSRFError"
    assert untouched(upstream)


@pytest.mark.parametrize("path,kwargs", ROUTES)
async def test_missing_xsrf_cookie_is_403(call, upstream, path, kwargs):
    response = await call(path, cookie_xsrf=None, **kwargs)
    assert response.code == 403
    assert error_of(response)["code"] == "XSRFError"
    assert untouched(upstream)


@pytest.mark.parametrize("path,kwargs", ROUTES)
async def test_mismatched_xsrf_is_403(call, upstream, path, kwargs):
    response = await call(path, xsrf=XSRF[::-1], **kwargs)
    assert response.code == 403
    error = error_of(response)
    assert error["code"] == "XSRFError"
    assert "Mismatched" in error["message"]
    assert untouched(upstream)


async def test_xsrf_in_the_query_does_not_replace_the_header(call, upstream):
    # tornado's own check would accept ?_xsrf=...; the proxy insists on the header.
    response = await call(f"/sagemaker-mlops/aws/sagemaker/?_xsrf={XSRF}", xsrf=None, **aws_call("SageMaker.ListPipelines"))
    assert response.code == 403
    assert error_of(response)["code"] == "XSRFError"
    assert untouched(upstream)


async def test_tornado_v2_masked_xsrf_token_matches_its_cookie(call, upstream):
    # The cookie as JupyterLab's page sets it (tornado v2 format), the header with another mask: same token.
    raw = bytes.fromhex(XSRF)
    mask_a, mask_b = b"\x01\x02\x03\x04", b"\x0a\x0b\x0c\x0d"

    def masked(mask: bytes) -> str:
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(raw))
        return f"2|{mask.hex()}|{data.hex()}|1700000000"

    ok = await call("/sagemaker-mlops/context", cookie_xsrf=masked(mask_a), xsrf=masked(mask_b))
    assert ok.code == 200, ok.body
    other = bytes(b ^ 0xFF for b in raw)
    bad = await call("/sagemaker-mlops/context", cookie_xsrf=masked(mask_a), xsrf=f"2|{mask_b.hex()}|{other.hex()}|1")
    assert bad.code == 403
    assert error_of(bad)["code"] == "XSRFError"


@pytest.mark.parametrize("path,kwargs", ROUTES)
async def test_authenticated_with_xsrf_passes(call, path, kwargs):
    response = await call(path, **kwargs)
    assert response.code == 200, response.body


class ReadOnlyAuthorizer(Authorizer):
    """A read-only user (as a JupyterHub share might grant): may read, may not write."""

    asked: list = []

    def is_authorized(self, handler, user, action, resource):
        if "/sagemaker-mlops/" in handler.request.path:
            ReadOnlyAuthorizer.asked.append((action, resource))
        return action == "read"


class TestAuthorization:
    @pytest.fixture
    def jp_server_config(self, aws_env, mlops_config):
        return {
            "ServerApp": {"jpserver_extensions": {"sagemaker_mlops": True}, "authorizer_class": ReadOnlyAuthorizer},
            "SageMakerMLOps": mlops_config,
        }

    async def test_read_operations_pass_for_a_read_only_user(self, call, upstream):
        response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))
        assert response.code == 200, response.body
        assert len(upstream.requests) == 1
        assert ("read", "sagemaker-mlops") in ReadOnlyAuthorizer.asked

    async def test_write_operations_are_refused_for_a_read_only_user(self, call, upstream):
        response = await call(
            "/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.StartPipelineExecution", {"PipelineName": "p"})
        )
        assert response.code == 403
        error = error_of(response)
        assert error["code"] == "Forbidden"
        assert "write" in error["message"] and "sagemaker-mlops" in error["message"]
        assert untouched(upstream)
