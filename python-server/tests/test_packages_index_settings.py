"""Where the CodeArtifact domain, owner and repository come from, per value: the server setting, else the SSM
parameter under ``codeartifact_ssm_prefix``, else the platform default. SSM is read from the moto server (which
verifies SigV4 and IAM) with one GetParameters call, kept for a token's lifetime; a denied or failing SSM only logs
a warning (no secret in it) and the defaults are used."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from typing import Any

import botocore.session
import pytest

from sagemaker_mlops.config import PLATFORM_DOMAIN, PLATFORM_REPOSITORY, SageMakerMLOps
from sagemaker_mlops.endpoints import AwsContext
from sagemaker_mlops.packages.index import SSM_RETRY_SECONDS, CodeArtifactIndex

OWNER = "210987654321"
SSM_VALUES = {"domain": "ssm-domain", "domain-owner": OWNER, "repository": "ssm-repository"}
SETTINGS = {
    "codeartifact_domain": "setting-domain",
    "codeartifact_domain_owner": "123456789012",
    "codeartifact_repository": "setting-repository",
}
DENY_SSM = json.dumps({
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "ssm:GetParameters", "Resource": "*"},
    ],
})


def ssm_client(moto: dict[str, Any]):
    return botocore.session.get_session().create_client(
        "ssm", region_name="us-east-1", endpoint_url=moto["url"],
        aws_access_key_id=moto["access_key"], aws_secret_access_key=moto["secret_key"],
    )


@pytest.fixture
def prefix(aws_env) -> str:
    """A prefix of this test's own (the moto server lives for the whole session)."""
    return f"/tests/{uuid.uuid4().hex}/codeartifact/"


def put(moto: dict[str, Any], prefix: str, values: dict[str, str]) -> None:
    client = ssm_client(moto)
    for key, value in values.items():
        client.put_parameter(Name=prefix + key, Value=value, Type="String", Overwrite=True)


class Spy:
    """Wraps the server's AwsContext: counts the SSM GetParameters calls (made for real, against moto)."""

    def __init__(self, aws: AwsContext) -> None:
        self.aws = aws
        self.ssm_calls: list[list[str]] = []

    def client(self, service: str, *args: Any, **kwargs: Any):
        real = self.aws.client(service, *args, **kwargs)
        if service != "ssm":
            return real
        spy = self

        class Counted:
            def get_parameters(self, **params: Any):
                spy.ssm_calls.append(list(params["Names"]))
                return real.get_parameters(**params)

        return Counted()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.aws, name)


def make_index(**settings: Any) -> tuple[CodeArtifactIndex, Spy]:
    config = SageMakerMLOps(**settings)
    spy = Spy(AwsContext(config))
    return CodeArtifactIndex(config, spy), spy  # type: ignore[arg-type]


def sources(repository) -> dict[str, str]:
    return repository.as_json()["source"]


# -- precedence ---------------------------------------------------------------------------------------------------
CASES = {
    # SSM parameters present, settings given -> (domain, owner, repository), sources
    "nothing: the platform defaults": (
        {}, {}, (PLATFORM_DOMAIN, "", PLATFORM_REPOSITORY), ("default", "default", "default"),
    ),
    "SSM beats the defaults": (
        SSM_VALUES, {}, ("ssm-domain", OWNER, "ssm-repository"), ("ssm", "ssm", "ssm"),
    ),
    "the settings beat SSM": (
        SSM_VALUES, SETTINGS, ("setting-domain", "123456789012", "setting-repository"), ("setting", "setting", "setting"),
    ),
    "per value: setting, SSM, default": (
        {"domain": "ssm-domain", "domain-owner": OWNER}, {"codeartifact_domain": "setting-domain"},
        ("setting-domain", OWNER, PLATFORM_REPOSITORY), ("setting", "ssm", "default"),
    ),
    "per value: default, setting, SSM": (
        {"domain-owner": OWNER, "repository": "ssm-repository"}, {"codeartifact_domain_owner": "123456789012"},
        (PLATFORM_DOMAIN, "123456789012", "ssm-repository"), ("default", "setting", "ssm"),
    ),
    "a setting equal to the platform default still beats SSM": (
        SSM_VALUES, {"codeartifact_domain": PLATFORM_DOMAIN, "codeartifact_repository": PLATFORM_REPOSITORY},
        (PLATFORM_DOMAIN, OWNER, PLATFORM_REPOSITORY), ("setting", "ssm", "setting"),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_precedence_per_value(case, aws_env, prefix):
    parameters, settings, expected, expected_sources = CASES[case]
    put(aws_env, prefix, parameters)
    index, spy = make_index(codeartifact_ssm_prefix=prefix, **settings)
    repository = await index.repository()
    assert repository.key == expected
    assert sources(repository) == dict(zip(("domain", "domainOwner", "repository"), expected_sources))
    # SSM is asked once, for the values the settings leave out only
    missing = [key for key, setting in zip(("domain", "domain-owner", "repository"), SETTINGS) if setting not in settings]
    assert spy.ssm_calls == ([[prefix + key for key in missing]] if missing else [])


async def test_the_resolved_values_are_what_codeartifact_is_asked(aws_env, prefix):
    put(aws_env, prefix, SSM_VALUES)
    index, _ = make_index(codeartifact_ssm_prefix=prefix, codeartifact_repository="setting-repository")
    asked: list[tuple[str, dict]] = []

    class CodeArtifact:
        def get_repository_endpoint(self, **kwargs):
            asked.append(("GetRepositoryEndpoint", kwargs))
            return {"repositoryEndpoint": "https://ssm-domain-210987654321.d.codeartifact.us-east-1.amazonaws.com/pypi/setting-repository/"}

        def get_authorization_token(self, **kwargs):
            asked.append(("GetAuthorizationToken", kwargs))
            return {"authorizationToken": "a-token-" + "x" * 40}

        def list_packages(self, **kwargs):
            asked.append(("ListPackages", kwargs))
            return {"packages": []}

    index.client = lambda: CodeArtifact()  # type: ignore[method-assign]
    access = await index.access()
    assert access.public_url.endswith("/pypi/setting-repository/simple/")
    assert await index.search("ta") == []
    expected = {"domain": "ssm-domain", "domainOwner": OWNER}
    assert asked == [
        ("GetRepositoryEndpoint", {**expected, "repository": "setting-repository", "format": "pypi"}),
        ("GetAuthorizationToken", {**expected, "durationSeconds": 3600}),
        ("ListPackages", {**expected, "repository": "setting-repository", "format": "pypi", "maxResults": 20, "packagePrefix": "ta"}),
    ]


async def test_an_empty_prefix_disables_ssm(aws_env):
    put(aws_env, "/mlops/codeartifact/", SSM_VALUES)
    try:
        index, spy = make_index(codeartifact_ssm_prefix="")
        repository = await index.repository()
        assert repository.key == (PLATFORM_DOMAIN, "", PLATFORM_REPOSITORY)
        assert set(sources(repository).values()) == {"default"}
        assert spy.ssm_calls == []
        # the default prefix reads them
        index, spy = make_index()
        assert (await index.repository()).key == ("ssm-domain", OWNER, "ssm-repository")
        assert spy.ssm_calls == [["/mlops/codeartifact/domain", "/mlops/codeartifact/domain-owner", "/mlops/codeartifact/repository"]]
    finally:
        ssm_client(aws_env).delete_parameters(Names=[f"/mlops/codeartifact/{key}" for key in SSM_VALUES])


async def test_values_that_cannot_be_codeartifact_names_are_ignored(aws_env, prefix, caplog):
    put(aws_env, prefix, {"domain": "Not A Domain", "domain-owner": "12345", "repository": "ssm-repository"})
    index, _ = make_index(codeartifact_ssm_prefix=prefix)
    with caplog.at_level(logging.WARNING, logger="sagemaker_mlops"):
        repository = await index.repository()
    assert repository.key == (PLATFORM_DOMAIN, "", "ssm-repository")
    assert sources(repository) == {"domain": "default", "domainOwner": "default", "repository": "ssm"}
    warned = [r.getMessage() for r in caplog.records if r.name.startswith("sagemaker_mlops")]
    assert len(warned) == 2 and all("is not a valid CodeArtifact" in m for m in warned)


def test_the_settings(aws_env):
    config = SageMakerMLOps()
    assert config.codeartifact_ssm_prefix == "/mlops/codeartifact/"
    assert SageMakerMLOps(codeartifact_ssm_prefix="  ").codeartifact_ssm_prefix == ""
    with pytest.raises(Exception):
        SageMakerMLOps(codeartifact_ssm_prefix="/mlops/code artifact/")


# -- SSM refused ----------------------------------------------------------------------------------------------------
@pytest.fixture
def denied_credentials(aws_env, monkeypatch) -> dict[str, str]:
    """The server's credentials: a moto user whose policy denies ssm:GetParameters (and allows the rest)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.iam.models import iam_backends

    iam = iam_backends[DEFAULT_ACCOUNT_ID]["global"]
    name = f"ssm-denied-{uuid.uuid4().hex[:8]}"
    iam.create_user("us-east-1", name)
    iam.put_user_policy(name, "deny-ssm", DENY_SSM)
    key = iam.create_access_key(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key.secret_access_key)
    return {"access_key": key.access_key_id, "secret_key": key.secret_access_key}


async def test_access_denied_falls_back_with_a_warning_and_no_secret(denied_credentials, aws_env, prefix, caplog):
    put(aws_env, prefix, SSM_VALUES)  # there, but the server may not read them
    index, spy = make_index(codeartifact_ssm_prefix=prefix, codeartifact_domain_owner="123456789012")
    with caplog.at_level(logging.INFO):  # botocore's DEBUG lines (signed headers) are off in the server
        repository = await index.repository()
        again = await index.repository()
    assert repository.key == again.key == (PLATFORM_DOMAIN, "123456789012", PLATFORM_REPOSITORY)
    assert sources(repository) == {"domain": "default", "domainOwner": "setting", "repository": "default"}
    assert len(spy.ssm_calls) == 1  # a denial is not asked again at every request
    ours = [r for r in caplog.records if r.name.startswith("sagemaker_mlops")]
    (warning,) = [r for r in ours if r.levelno == logging.WARNING]
    message = warning.getMessage()
    assert "AccessDenied" in message and prefix in message and "platform's CodeArtifact defaults" in message
    everything = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith(("moto", "werkzeug")))
    for secret in denied_credentials.values():
        assert secret not in everything
    assert "arn:aws:iam" not in message  # AWS's message (naming the caller) is not repeated


async def test_a_passing_failure_is_retried_sooner(aws_env, prefix, caplog, monkeypatch):
    from botocore.exceptions import ClientError

    put(aws_env, prefix, SSM_VALUES)
    index, spy = make_index(codeartifact_ssm_prefix=prefix)
    real = spy.client
    failing = {"on": True}

    def client(service, *args, **kwargs):
        if service == "ssm" and failing["on"]:
            class Throttled:
                def get_parameters(self, **params):
                    spy.ssm_calls.append(list(params["Names"]))
                    raise ClientError(
                        {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"},
                         "ResponseMetadata": {"HTTPStatusCode": 400}},
                        "GetParameters",
                    )
            return Throttled()
        return real(service, *args, **kwargs)

    spy.client = client  # type: ignore[method-assign]
    with caplog.at_level(logging.WARNING, logger="sagemaker_mlops"):
        assert (await index.repository()).key == (PLATFORM_DOMAIN, "", PLATFORM_REPOSITORY)
    assert "ThrottlingException" in caplog.text
    assert index._repository_until - time.monotonic() <= SSM_RETRY_SECONDS
    failing["on"] = False
    index._repository_until = 0.0  # the retry delay has passed
    assert (await index.repository()).key == ("ssm-domain", OWNER, "ssm-repository")
    assert len(spy.ssm_calls) == 2


async def test_one_call_for_the_token_lifetime(aws_env, prefix):
    put(aws_env, prefix, SSM_VALUES)
    index, spy = make_index(codeartifact_ssm_prefix=prefix, codeartifact_token_seconds=900)
    results = await asyncio.gather(*(index.repository() for _ in range(5)))
    assert {r.key for r in results} == {("ssm-domain", OWNER, "ssm-repository")}
    assert len(spy.ssm_calls) == 1
    assert 890 < index._repository_until - time.monotonic() <= 900
    index._repository_until = 0.0  # the token's lifetime has passed: SSM is read again
    await index.repository()
    assert len(spy.ssm_calls) == 2
