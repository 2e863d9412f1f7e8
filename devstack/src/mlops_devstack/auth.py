"""IAM policy evaluation for the operations the devstack adds, with moto's own engine, so an extension operation
is accepted or refused exactly as a moto one is (the signature is verified before, by :mod:`.sigv4`)."""

from __future__ import annotations

from typing import Optional

from moto.core.exceptions import _RESTError as RESTError
from moto.iam.access_control import IAMRequest

from .contract import AwsError, Request


def _headers_for_moto(request: Request):
    from werkzeug.datastructures import Headers

    return Headers([(name.title() if name != "x-amz-target" else "X-Amz-Target", value) for name, value in request.headers.items()])


def principal_arn(request: Request, account_id: str) -> Optional[str]:
    """The ARN of the caller named by the Authorization header (not verified): an IAM user, or a role session
    (``arn:aws:sts::<account>:assumed-role/<role>/<session>``)."""
    from .sigv4 import find_caller

    auth = request.headers.get("authorization", "")
    if "Credential=" not in auth:
        return None
    key_id = auth.split("Credential=", 1)[1].split("/", 1)[0]
    caller, _, _ = find_caller(account_id, key_id)
    return caller.arn if caller else None


def principal_name(arn: Optional[str]) -> Optional[str]:
    """The user name of a user ARN, the role name of a role session's ARN."""
    if not arn:
        return None
    if ":assumed-role/" in arn:
        return arn.split(":assumed-role/", 1)[1].split("/", 1)[0]
    return arn.rsplit("/", 1)[-1] or None


def authenticate(request: Request, account_id: str, operation: str, iam_prefix: str) -> None:
    """Raise AwsError unless the request is signed by a known key and the caller may perform the action.

    The router has verified the signature already (:mod:`.sigv4`); moto's engine evaluates the IAM policies."""
    if "authorization" not in request.headers or "Credential=" not in request.headers["authorization"]:
        raise AwsError("MissingAuthenticationTokenException", "Missing Authentication Token", 403)
    path = request.raw_path if hasattr(request, "raw_path") else request.path
    query = getattr(request, "raw_query", "")
    try:
        iam_request = IAMRequest(
            account_id=account_id,
            method=request.method,
            path=path + (f"?{query}" if query else ""),
            data={},
            body=request.body,
            headers=_headers_for_moto(request),
            action=operation,
        )
        iam_request.check_signature()
        # The action is evaluated as <iam_prefix>:<operation>, whatever the signing name.
        iam_request._action = f"{iam_prefix}:{operation}"
        iam_request.check_action_permitted(resource="*")
    except RESTError as error:
        code = getattr(error, "error_type", "AccessDeniedException")
        if code == "AccessDenied":
            code = "AccessDeniedException"
        raise AwsError(code, getattr(error, "message", str(error)), 403 if code != "AccessDeniedException" else 400) from None


def denial_reason(account_id: str, user_arn: str, action: str) -> str:
    """The tail AWS puts on an AccessDenied message: an explicit deny, or no allowing policy."""
    import fnmatch
    import json

    from moto.iam.models import iam_backends

    backend = iam_backends[account_id]["global"]
    documents = []
    if ":assumed-role/" in user_arn:
        owner = next((r for r in backend.get_roles() if r.name == principal_name(user_arn)), None)
    else:
        owner = backend.users.get(user_arn.rsplit("/", 1)[-1])
    if owner is not None:
        documents += [p for p in owner.policies.values()]
        documents += [getattr(p, "document", "") for p in getattr(owner, "managed_policies", {}).values()]
    for document in documents:
        try:
            policy = json.loads(document) if isinstance(document, str) else document
        except ValueError:
            continue
        statements = policy.get("Statement", [])
        for statement in statements if isinstance(statements, list) else [statements]:
            actions = statement.get("Action", [])
            actions = [actions] if isinstance(actions, str) else actions
            if statement.get("Effect") == "Deny" and any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in actions):
                return "with an explicit deny in an identity-based policy"
    return f"because no identity-based policy allows the {action} action"
