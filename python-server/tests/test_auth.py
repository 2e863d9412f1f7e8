"""Every handler requires Jupyter authentication and XSRF (GET included, token-authenticated included)."""

import pytest

from conftest import XSRF, aws_call, error_of

ROUTES = [
    ("/sagemaker-mlops/context", {"method": "GET"}),
    ("/sagemaker-mlops/aws/sagemaker/", aws_call("SageMaker.ListPipelines")),
]


@pytest.mark.parametrize("path,kwargs", ROUTES)
async def test_unauthenticated_is_403(call, path, kwargs):
    response = await call(path, auth=False, **kwargs)
    assert response.code == 403
    assert error_of(response)["code"] == "Forbidden"


@pytest.mark.parametrize("path,kwargs", ROUTES)
async def test_missing_xsrf_header_is_403_even_with_a_token(call, path, kwargs):
    response = await call(path, xsrf=None, **kwargs)
    assert response.code == 403
    assert error_of(response)["code"] == "XSRFError"


@pytest.mark.parametrize("path,kwargs", ROUTES)
async def test_missing_xsrf_cookie_is_403(call, path, kwargs):
    response = await call(path, cookie_xsrf=None, **kwargs)
    assert response.code == 403
    assert error_of(response)["code"] == "XSRFError"


@pytest.mark.parametrize("path,kwargs", ROUTES)
async def test_mismatched_xsrf_is_403(call, path, kwargs):
    response = await call(path, xsrf=XSRF[::-1], **kwargs)
    assert response.code == 403
    assert error_of(response)["code"] == "XSRFError"


@pytest.mark.parametrize("path,kwargs", ROUTES)
async def test_authenticated_with_xsrf_passes(call, path, kwargs):
    response = await call(path, **kwargs)
    assert response.code == 200, response.body
