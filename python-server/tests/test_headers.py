"""Forwarded header values are printable ASCII with single spaces, and no credential is ever relayed back."""

import json
from urllib.parse import quote

import pytest

from sagemaker_mlops.allowlist import Refused
from sagemaker_mlops.proxy import forwarded_headers, redact

from conftest import aws_call, error_of, raw_exchange, raw_head, untouched

TOKEN = "FwoGZXIvYXdzEXAMPLE/session+token=0123456789abcdef"


@pytest.fixture
def mlops_config(tmp_path, upstream):
    return {"resource_metadata_path": str(tmp_path / "none.json"), "endpoint_urls": {"sagemaker": upstream.url}}


@pytest.mark.parametrize(
    "value",
    [
        "a\tb",  # tab: botocore keeps it, AWS canonicalizes it
        "a\xa0b",  # NBSP (0xA0): Python's str.split() treats it as whitespace, AWS does not
        "a\x85b",  # NEL (0x85): likewise
        "a  b",  # two spaces
        "a\x7fb",  # DEL
        "a\x01b",
    ],
)
async def test_non_printable_header_values_are_refused(jp_http_port, jp_base_url, jp_auth_header, call, upstream, value):
    await call("/sagemaker-mlops/context")  # starts the server
    head = raw_head(
        jp_http_port,
        jp_base_url,
        jp_auth_header,
        "/sagemaker-mlops/aws/sagemaker/",
        {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "SageMaker.ListPipelines",
            "amz-sdk-invocation-id": value,
            "Content-Length": "2",
            "Connection": "close",
        },
    )
    reply = await raw_exchange(jp_http_port, head + b"{}")
    assert reply.startswith(b"HTTP/1.1 400"), reply[:200]
    if value in ("a\x7fb", "a\x01b"):  # tornado's HTTP layer refuses these itself, before any handler
        assert untouched(upstream)
        return
    body = json.loads(reply.split(b"\r\n\r\n", 1)[1])
    assert body["code"] == "InvalidHeader" and "amz-sdk-invocation-id" in body["message"]
    assert untouched(upstream)


def test_header_filter_accepts_printable_ascii_with_single_spaces():
    assert forwarded_headers([("X-Amz-User-Agent", "aws-sdk-js/3.0 ua/2.1 os/linux lang/js")]) == {
        "x-amz-user-agent": "aws-sdk-js/3.0 ua/2.1 os/linux lang/js"
    }
    for value in ("a\tb", "a\xa0b", "a\x85b", "a  b", " a", "a ", "caf\xe9"):
        with pytest.raises(Refused) as refused:
            forwarded_headers([("Accept", value)])
        assert refused.value.status == 400


def test_every_form_of_each_set_of_credentials_is_redacted():
    """The redacted forms are worked out once per set of credentials: refreshed ones are redacted as well."""
    for key, token in (("ASIAFIRSTKEY0000", TOKEN), ("ASIASECONDKEY000", TOKEN.replace("EXAMPLE", "REFRESHED"))):
        forms = (token, token.replace("/", "\\/"), quote(token, safe=""), quote(token, safe="").lower(), key)
        body = " ".join(forms).encode()
        headers, cleaned = redact([("x-amzn-ErrorMessage", " ".join(forms))], body, (key, token, "secret-" * 5))
        for form in forms:
            assert form.encode() not in cleaned and form not in headers[0][1]
        assert cleaned == b" ".join([b"[redacted]"] * len(forms))
    assert redact([("a", "b")], b"nothing", (None, "short")) == ([("a", "b")], b"nothing")


def echo_canonical_request(handler):
    # What AWS answers to a signature mismatch: the canonical request, which names the session token, quoted back.
    headers = {k.lower(): v for k, v in handler.headers.items()}
    token = headers.get("x-amz-security-token", "")
    key = headers.get("authorization", "").split("Credential=")[1].split("/")[0]
    message = (
        "The request signature we calculated does not match the signature you provided. The Canonical String for "
        f"this request should have been\n'POST\n/\n\nhost:x\nx-amz-security-token:{token}\n'\n"
        f"and the credential was {key} (json-escaped: {token.replace('/', chr(92) + '/')})"
    )
    payload = json.dumps({"__type": "InvalidSignatureException", "message": message}).encode()
    handler.send_response(403)
    handler.send_header("Content-Type", "application/x-amz-json-1.1")
    handler.send_header("x-amzn-ErrorType", "InvalidSignatureException")
    handler.send_header("x-amzn-ErrorMessage", f"token {token} key {key}")
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


class TestCredentialsAreRedacted:
    @pytest.fixture
    def server_credentials(self, moto_upstream):
        return {
            "AWS_ACCESS_KEY_ID": moto_upstream["access_key"],
            "AWS_SECRET_ACCESS_KEY": moto_upstream["secret_key"],
            "AWS_SESSION_TOKEN": TOKEN,
        }

    @pytest.fixture
    def upstream(self, recorder):
        return recorder(echo_canonical_request)

    async def test_echoed_credentials_are_redacted_from_body_and_headers(self, call, upstream, moto_upstream):
        response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))
        assert response.code == 403
        assert upstream.requests[0]["headers"]["X-Amz-Security-Token"] == TOKEN  # it was sent, and echoed
        everything = response.body.decode() + json.dumps(dict(response.headers.get_all()))
        for secret in (TOKEN, TOKEN.replace("/", "\\/"), moto_upstream["access_key"]):
            assert secret not in everything
        error = error_of(response) if "code" in json.loads(response.body) else json.loads(response.body)
        assert "[redacted]" in error["message"]
        assert "[redacted]" in response.headers["x-amzn-ErrorMessage"]
