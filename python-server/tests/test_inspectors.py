"""The proxy's inspector hook: a capability may look at the parsed body of the operations it names, and refuse
them, before anything is forwarded; the body it saw is the body forwarded; other operations are not parsed."""

from __future__ import annotations

import json

import pytest

from sagemaker_mlops.allowlist import SERVICES, Refused
from sagemaker_mlops.capabilities import Capability, InspectedRequest, Inspectors

from conftest import aws_call, error_of, untouched

SEEN: list[InspectedRequest] = []


async def refuse_when_asked(request: InspectedRequest) -> None:
    SEEN.append(request)
    if request.body.get("refuse"):
        raise Refused("Inspected", f"{request.service}.{request.operation} refused", 400, {"extra": [1, 2]})


async def every_operation(request: InspectedRequest) -> None:
    SEEN.append(request)


CAPABILITY = Capability(
    name="inspect-test",
    operations={"sagemaker": ["ListPipelines", "DescribePipeline"]},
    inspectors={("sagemaker", "ListPipelines"): refuse_when_asked, ("logs", "*"): every_operation},
)


def test_inspectors_by_operation_and_service():
    other = Capability(name="other", inspectors={("sagemaker", "*"): every_operation})
    table = Inspectors([CAPABILITY, other])
    assert table.of("sagemaker", "ListPipelines") == [every_operation, refuse_when_asked]
    assert table.of("sagemaker", "DescribePipeline") == [every_operation]
    assert table.of("logs", "GetLogEvents") == [every_operation]
    assert table.of("codecommit", "GetFile") == []


class TestTheHook:
    @pytest.fixture
    def mlops_config(self, tmp_path, upstream):
        return {
            "resource_metadata_path": str(tmp_path / "none.json"),
            "endpoint_urls": {name: upstream.url for name in SERVICES},
            "capabilities": ["test_inspectors"],
        }

    @pytest.fixture(autouse=True)
    def clean(self):
        SEEN.clear()
        yield
        SEEN.clear()

    async def test_an_inspector_refuses_before_anything_is_forwarded(self, call, upstream):
        response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines", {"refuse": True}))
        assert response.code == 400
        error = error_of(response)
        assert error == {"code": "Inspected", "message": "sagemaker.ListPipelines refused", "extra": [1, 2]}
        assert untouched(upstream)
        assert [(r.service, r.operation, r.body) for r in SEEN] == [("sagemaker", "ListPipelines", {"refuse": True})]

    async def test_the_inspected_body_is_forwarded_as_sent(self, call, upstream):
        body = '{"PipelineNamePrefix": "churn",  "MaxResults": 10}'
        kwargs = aws_call("SageMaker.ListPipelines")
        kwargs["body"] = body
        response = await call("/sagemaker-mlops/aws/sagemaker/", **kwargs)
        assert response.code == 200
        (request,) = upstream.requests
        assert request["body"] == body.encode()
        assert SEEN[0].body == json.loads(body)

    async def test_operations_without_an_inspector_are_not_parsed(self, call, upstream):
        kwargs = aws_call("SageMaker.DescribePipeline")
        kwargs["body"] = "not json, passed on for the upstream to refuse"
        response = await call("/sagemaker-mlops/aws/sagemaker/", **kwargs)
        assert response.code == 200
        assert SEEN == [] and len(upstream.requests) == 1

    @pytest.mark.parametrize(
        "body",
        ['{"a": 1, "a": 2}', '{"MaxResults": 1, "maxresults": 2}', '{"x": [{"k": 1, "K": 2}]}', "[NaN]", "{",
         b'{"a": "\xff"}'],
    )
    async def test_ambiguous_inspected_bodies_are_refused(self, call, upstream, body):
        kwargs = aws_call("SageMaker.ListPipelines")
        kwargs["body"] = body
        response = await call("/sagemaker-mlops/aws/sagemaker/", **kwargs)
        assert response.code == 400
        assert error_of(response)["code"] == "InvalidRequestBody"
        assert untouched(upstream) and SEEN == []
