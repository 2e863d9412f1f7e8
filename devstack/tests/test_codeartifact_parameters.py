"""The SSM parameters naming the platform's CodeArtifact repository, as the Jupyter server's packages capability
reads them (one GetParameters call with a role's credentials)."""

from __future__ import annotations

import pytest

from conftest import make_client
from mlops_devstack.codeartifact import DOMAIN, REPOSITORY
from mlops_devstack.seed import CODEARTIFACT_PARAMETERS

NAMES = [CODEARTIFACT_PARAMETERS + key for key in ("domain", "domain-owner", "repository")]


@pytest.mark.parametrize("identity", ["data-scientist", "approver"])
def test_the_roles_read_the_codeartifact_parameters(stack, identity):
    ssm = make_client(stack, "ssm", identity)
    answer = ssm.get_parameters(Names=NAMES + [CODEARTIFACT_PARAMETERS + "absent"])
    values = {p["Name"]: p["Value"] for p in answer["Parameters"]}
    assert values == {
        "/mlops/codeartifact/domain": DOMAIN,
        "/mlops/codeartifact/domain-owner": stack.state.account_id,
        "/mlops/codeartifact/repository": REPOSITORY,
    }
    assert answer["InvalidParameters"] == ["/mlops/codeartifact/absent"]
    assert {p["Type"] for p in answer["Parameters"]} == {"String"}


def test_the_parameters_name_the_served_repository(stack):
    """The values are the ones the stack's CodeArtifact serves: they lead to a token and the PyPI endpoint."""
    values = {
        p["Name"].rsplit("/", 1)[1]: p["Value"]
        for p in make_client(stack, "ssm").get_parameters(Names=NAMES)["Parameters"]
    }
    codeartifact = make_client(stack, "codeartifact")
    token = codeartifact.get_authorization_token(domain=values["domain"], domainOwner=values["domain-owner"])
    assert token["authorizationToken"]
    endpoint = codeartifact.get_repository_endpoint(
        domain=values["domain"], domainOwner=values["domain-owner"], repository=values["repository"], format="pypi"
    )["repositoryEndpoint"]
    assert endpoint.endswith(f"/codeartifact/{DOMAIN}-{stack.state.account_id}/pypi/{REPOSITORY}/")
