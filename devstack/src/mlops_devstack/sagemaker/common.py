"""What every SageMaker capability module shares: ids, moto's time format, paging."""

from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import datetime, timezone
from typing import Optional

from ..contract import AwsError

#: the JSON-protocol target prefix of SageMaker operations
TARGET = "SageMaker."


def moto_time(epoch: float) -> datetime:
    """An epoch as moto stores times: a naive datetime in UTC."""
    return datetime.fromtimestamp(epoch, timezone.utc).replace(tzinfo=None)


def stable_id(seed: str, n: int = 12) -> str:
    """A deterministic hex id derived from ``seed``."""
    return hashlib.sha256(seed.encode()).hexdigest()[:n]


def page_of(items: list, token: Optional[str], size: int, opaque: bool = True) -> tuple[list, Optional[str]]:
    """One page of a list and the NextToken of the next one (an opaque token, as AWS's are)."""
    try:
        start = int(base64.urlsafe_b64decode(token.encode()).decode().split(":", 1)[1]) if token else 0
    except (ValueError, IndexError, UnicodeDecodeError):
        raise AwsError("ValidationException", "Invalid pagination token.") from None
    size = max(1, min(int(size), 100))
    page = items[start : start + size]
    if start + size >= len(items):
        return page, None
    return page, base64.urlsafe_b64encode(f"offset:{start + size}".encode()).decode()


def new_uuid() -> str:
    return str(uuid.uuid4())


def user_context(arn: str) -> dict:
    """A SageMaker ``UserContext`` (CreatedBy, LastModifiedBy) naming an IAM identity: a role session (the role's
    id and the session name) or a user."""
    if ":assumed-role/" in arn:
        principal_id = "AROA" + stable_id(arn.rsplit("/", 1)[0], 16).upper() + ":" + arn.rsplit("/", 1)[-1]
    else:
        principal_id = "AIDA" + stable_id(arn, 16).upper()
    return {"IamIdentity": {"Arn": arn, "PrincipalId": principal_id}}
