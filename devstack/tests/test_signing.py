"""Signature checking like AWS: the request time must be within 5 minutes, header values are canonicalised as AWS
documents it (trim, collapse runs of spaces, nothing else), and authentication comes before any fault switch."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

import botocore.auth
import pytest
from botocore.exceptions import ClientError

from conftest import control, make_client
from mlops_devstack.sigv4 import canonical_header_value

pytestmark = pytest.mark.usefixtures("reset_faults")


@pytest.fixture
def skewed_clock(monkeypatch):
    """botocore signs with a clock that is off by the given offset."""

    def set_offset(offset: timedelta) -> None:
        monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: datetime.now(timezone.utc).replace(tzinfo=None) + offset)

    return set_offset


@pytest.mark.parametrize("offset", [timedelta(minutes=-6), timedelta(minutes=6)])
def test_a_request_time_more_than_5_minutes_off_is_refused_per_protocol(stack, project, skewed_clock, offset):
    sm, sts, s3, ca = (make_client(stack, s) for s in ("sagemaker", "sts", "s3", "codeartifact"))
    skewed_clock(offset)
    for call in (sm.list_pipelines, sm.list_projects):  # JSON protocol: moto-served and added
        with pytest.raises(ClientError) as raised:
            call()
        error = raised.value.response["Error"]
        assert error["Code"] == "InvalidSignatureException", error
        assert error["Message"].startswith("Signature expired: " if offset < timedelta(0) else "Signature not yet current: ")
        assert error["Message"].endswith(" - 5 min.)" if offset < timedelta(0) else " + 5 min.)")
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as raised:
        sts.get_caller_identity()  # query protocol
    assert raised.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    assert "Signature " in raised.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as raised:
        s3.list_objects_v2(Bucket=project["bucket"])
    assert raised.value.response["Error"]["Code"] == "RequestTimeTooSkewed"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError) as raised:
        ca.list_repositories()  # rest-json
    assert raised.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_four_minutes_off_is_accepted(stack, skewed_clock):
    sm = make_client(stack, "sagemaker")
    skewed_clock(timedelta(minutes=-4))
    sm.list_pipelines()
    skewed_clock(timedelta(minutes=4))
    sm.list_projects()


def test_header_values_are_canonicalised_as_aws_documents():
    assert canonical_header_value("  a   b  c ") == "a b c"
    for kept in ("a\tb", "a\xa0b", "a\x85b", "a \t b"):
        assert canonical_header_value(kept) == kept.replace(" \t ", " \t ")


def _with_header(client, value: str):
    """Sign and send a header botocore canonicalises differently from AWS (it collapses all whitespace)."""

    def add(request, **_):
        request.headers["x-devstack-note"] = value

    client.meta.events.register_first("before-sign.*.*", add)
    return client


@pytest.mark.parametrize("value", ["tab\there", "nbsp\xa0here", "nel\x85here"], ids=["tab", "nbsp", "nel"])
def test_botocore_whitespace_normalisation_fails_verification_as_at_aws(stack, value):
    for service, call in (("sagemaker", "list_pipelines"), ("sagemaker", "list_projects"), ("sts", "get_caller_identity")):
        client = _with_header(make_client(stack, service), value)
        with pytest.raises(ClientError) as raised:
            getattr(client, call)()
        assert raised.value.response["Error"]["Code"] == "SignatureDoesNotMatch", (service, call)


def test_runs_of_spaces_are_collapsed_by_both_and_accepted(stack):
    client = _with_header(make_client(stack, "sagemaker"), "  several   spaces here  ")
    client.list_pipelines()
    client.list_projects()


def test_faults_apply_after_authentication(stack):
    """As at AWS: an unauthenticated request is refused, not throttled, delayed or failed."""
    control(stack, "/faults", {"throttle": "*", "serverError": "*", "accessDenied": ["*"], "expiredCredentials": True})
    bad = make_client(stack, "sagemaker", secret_key="not-the-right-secret-key-0000000000000000")
    for call in (bad.list_pipelines, bad.list_projects):
        with pytest.raises(ClientError) as raised:
            call()
        assert raised.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    unknown = make_client(stack, "s3", access_key="AKIA" + "Q" * 16, secret_key="q" * 40, session_token=None)
    with pytest.raises(ClientError) as raised:
        unknown.list_buckets()
    assert raised.value.response["Error"]["Code"] == "InvalidAccessKeyId"
    unsigned = urllib.request.Request(
        stack.endpoint + "/", data=b"{}", method="POST",
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "SageMaker.ListPipelines"},
    )
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(unsigned, timeout=5)
    assert raised.value.code == 403
    assert json.loads(raised.value.read())["__type"] == "MissingAuthenticationTokenException"
    index = f"{stack.endpoint}/codeartifact/mlops-{stack.state.account_id}/pypi/mlops-codeartifact-repository/simple/"
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(index, timeout=5)  # the PEP 503 index's own (token) authentication comes first too
    assert raised.value.code == 401
    control(stack, "/faults/reset", {})
    control(stack, "/faults", {"throttle": "*"})
    with pytest.raises(ClientError) as raised:
        make_client(stack, "sagemaker").list_pipelines()  # an authenticated caller is throttled
    assert raised.value.response["Error"]["Code"] == "ThrottlingException"
