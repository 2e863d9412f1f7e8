"""The shared state of one running devstack."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"


@dataclass
class DevstackState:
    data_dir: Path
    base_url: str = ""
    account_id: str = ACCOUNT_ID
    region: str = REGION
    scale: bool = False
    lock: threading.RLock = field(default_factory=threading.RLock)
    #: name -> identity: roles {"kind": "role", "arn", "credentials_path", "credentials_token"}; the admin user
    #: {"kind": "user", "arn", "access_key_id", "secret_access_key"} (see identities.py)
    identities: dict[str, dict[str, str]] = field(default_factory=dict)
    #: seeded projects: [{"name", "id", "arn", "bucket"}]
    projects: list[dict[str, Any]] = field(default_factory=list)

    def expire_tokens(self) -> None:
        """Expire every CodeArtifact token issued so far (fault switch)."""
        from .codeartifact import expire_codeartifact_tokens

        expire_codeartifact_tokens(self)
