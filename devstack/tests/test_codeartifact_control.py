"""``/_devstack/codeartifact/tokens``: every CodeArtifact token issued, so UI tests can check none leaks."""

from __future__ import annotations

from conftest import control, make_client


def test_issued_tokens_are_listed(stack):
    ca = make_client(stack, "codeartifact")
    before = set(control(stack, "/codeartifact/tokens")["tokens"])
    token = ca.get_authorization_token(domain="mlops", durationSeconds=900)["authorizationToken"]
    after = set(control(stack, "/codeartifact/tokens")["tokens"])
    assert token not in before
    assert after - before == {token}
