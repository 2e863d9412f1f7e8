"""Who may call the devstack, and how they get credentials: as in SageMaker Studio, the data scientist and the
approver are IAM *roles*; their temporary credentials (key, secret, session token, expiry) come from a
container-credentials endpoint per role, the way ECS and Studio serve an execution role's credentials
(``AWS_CONTAINER_CREDENTIALS_FULL_URI`` + ``AWS_CONTAINER_AUTHORIZATION_TOKEN``; botocore's and the AWS SDK for
JavaScript's default chains read these and fetch again before the expiry).

* ``data-scientist`` (role): SageMaker (read, run/stop/retry pipelines, experiments), Logs, CodeCommit,
  CodeArtifact, CodePipeline reads, S3, SSM reads, managed MLflow; an explicit Deny on
  ``sagemaker:UpdateModelPackage`` and ``codepipeline:PutApprovalResult``.
* ``approver`` (role): the same without the denies, and CodePipeline PutApprovalResult, Start/StopPipelineExecution.
* ``devstack-admin`` (IAM user, long-term key): the seeding only; never in the env file.

Each GET of ``/_devstack/credentials/<role>`` with the role's token in ``Authorization`` answers the role's
current session, or assumes the role through STS again when less than ``min(15 min, lifetime / 2)`` is left.
Sessions last :data:`SESSION_SECONDS` unless the ``sessionSeconds`` fault switch shortens them (a session that
would outlive the lifetime set is replaced at the next fetch).
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
from datetime import datetime, timedelta, timezone
from typing import Callable, Optional

READ_RUN = ["sagemaker:*", "logs:*", "codecommit:*", "codeartifact:*", "codepipeline:Get*", "codepipeline:List*", "s3:*", "ssm:Get*", "ssm:Describe*", "sts:GetCallerIdentity", "sagemaker-mlflow:*"]

POLICIES = {
    "data-scientist": {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": READ_RUN, "Resource": "*"},
            # May read, run, stop and retry pipelines, but neither approve or reject model versions nor deployments.
            {"Effect": "Deny", "Action": ["sagemaker:UpdateModelPackage", "codepipeline:PutApprovalResult"], "Resource": "*"},
        ],
    },
    "approver": {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": READ_RUN, "Resource": "*"},
            # approves model versions (UpdateModelPackage, allowed by sagemaker:*) and production deployments
            {"Effect": "Allow", "Action": ["codepipeline:PutApprovalResult", "codepipeline:StartPipelineExecution", "codepipeline:StopPipelineExecution"], "Resource": "*"},
        ],
    },
    "devstack-admin": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
}
ROLES = ("data-scientist", "approver")
ADMIN = "devstack-admin"
SESSION_SECONDS = 3600
#: the session name Studio gives the execution role's session
SESSION_NAME = "SageMaker"
CREDENTIALS_PATH = "/_devstack/credentials/"


def trust_policy(account_id: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"}, "Action": "sts:AssumeRole"},
        ],
    }


def create_identities(state) -> None:
    """The admin user (long-term key, for seeding) and the two roles with a credentials token each."""
    from moto.iam.models import iam_backends

    iam = iam_backends[state.account_id]["global"]
    if ADMIN not in iam.users:
        iam.create_user(state.region, ADMIN)
        iam.put_user_policy(ADMIN, f"{ADMIN}-policy", json.dumps(POLICIES[ADMIN]))
    key = iam.create_access_key(ADMIN)
    state.identities[ADMIN] = {
        "kind": "user",
        "access_key_id": key.access_key_id,
        "secret_access_key": key.secret_access_key,
        "arn": iam.get_user(ADMIN).arn,
    }
    existing = {role.name for role in iam.get_roles()}
    for name in ROLES:
        if name not in existing:
            role = iam.create_role(
                role_name=name,
                assume_role_policy_document=json.dumps(trust_policy(state.account_id)),
                path="/",
                permissions_boundary=None,
                description=f"SageMaker execution role of the {name}",
                tags=[],
                max_session_duration="43200",
            )
            iam.put_role_policy(name, f"{name}-policy", json.dumps(POLICIES[name]))
        else:
            role = iam.get_role(name)
        state.identities[name] = {
            "kind": "role",
            "arn": role.arn,
            "credentials_path": CREDENTIALS_PATH + name,
            "credentials_token": secrets.token_urlsafe(32),
        }


class ContainerCredentials:
    """The credentials endpoint of each role; ``lifetime`` says how long a new session lasts (fault switch)."""

    def __init__(self, state, lifetime: Callable[[], int]) -> None:
        self.state = state
        self.lifetime = lifetime
        self.lock = threading.Lock()
        self.current: dict[str, object] = {}  # role -> moto AssumedRole
        self.issued = 0

    def role_of(self, path: str) -> Optional[str]:
        name = path[len(CREDENTIALS_PATH):] if path.startswith(CREDENTIALS_PATH) else ""
        return name if name in ROLES and name in self.state.identities else None

    def authorized(self, role: str, token: Optional[str]) -> bool:
        expected = self.state.identities[role]["credentials_token"]
        return bool(token) and hmac.compare_digest(str(token).encode(), expected.encode())

    def session(self, role: str) -> dict:
        """The role's credentials as a container-credentials endpoint answers them."""
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        lifetime = max(1, int(self.lifetime()))
        with self.lock:
            session = self.current.get(role)
            remaining = (session.expiration - now).total_seconds() if session is not None else 0.0  # type: ignore[attr-defined]
            # a new session when this one nears its end, or outlives the lifetime now set (the fault switch)
            if session is None or remaining <= min(900, lifetime / 2) or remaining > lifetime + 1:
                session = self.assume(role, lifetime)
                self.current[role] = session
            return {
                "AccessKeyId": session.access_key_id,  # type: ignore[attr-defined]
                "SecretAccessKey": session.secret_access_key,  # type: ignore[attr-defined]
                "Token": session.session_token,  # type: ignore[attr-defined]
                "Expiration": session.expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),  # type: ignore[attr-defined]
                "RoleArn": self.state.identities[role]["arn"],
            }

    def assume(self, role: str, seconds: int):
        """A new session of the role, through STS (moto's backend), lasting ``seconds``."""
        from moto.sts.models import sts_backends

        sts = sts_backends[self.state.account_id]["global"]
        session = sts.assume_role(
            region_name=self.state.region,
            role_session_name=SESSION_NAME,
            role_arn=self.state.identities[role]["arn"],
            policy="",
            duration=seconds,
            external_id="",
        )
        # whole seconds, as the Expiration the endpoint reports (clients compare against it)
        session.expiration = (datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0) + timedelta(seconds=seconds))
        self.issued += 1
        return session
