"""Fault switches, set at run time through the control endpoint: latency, throttling, 5xx, expired credentials,
per-operation AccessDenied. They apply to moto-served and added operations alike."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Optional

from .contract import AwsError


def _matches(selector: object, operation: str) -> bool:
    if selector in (True, "*"):
        return True
    if isinstance(selector, (list, tuple, set)):
        return operation in selector or "*" in selector
    return False


@dataclass
class Faults:
    latency_ms: int = 0
    latency_operations: object = "*"
    throttle: object = None  # "*" or [operations]
    server_error: object = None
    expired_credentials: bool = False
    access_denied: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def update(self, spec: dict) -> dict:
        with self.lock:
            if "latencyMs" in spec:
                self.latency_ms = max(0, int(spec["latencyMs"]))
                self.latency_operations = spec.get("operations", "*")
            if "throttle" in spec:
                self.throttle = spec["throttle"]
            if "serverError" in spec:
                self.server_error = spec["serverError"]
            if "expiredCredentials" in spec:
                self.expired_credentials = bool(spec["expiredCredentials"])
            if "accessDenied" in spec:
                self.access_denied = list(spec["accessDenied"] or [])
        return self.describe()

    def reset(self) -> dict:
        return self.update(
            {"latencyMs": 0, "throttle": None, "serverError": None, "expiredCredentials": False, "accessDenied": []}
        )

    def describe(self) -> dict:
        return {
            "latencyMs": self.latency_ms,
            "operations": self.latency_operations,
            "throttle": self.throttle,
            "serverError": self.server_error,
            "expiredCredentials": self.expired_credentials,
            "accessDenied": self.access_denied,
        }

    def apply(self, service: str, operation: str, principal_arn: Optional[str], rest: bool) -> None:
        """Sleep for latency, or raise the AwsError the switches ask for."""
        if not operation:
            return
        if self.latency_ms and _matches(self.latency_operations, operation):
            time.sleep(self.latency_ms / 1000)
        if self.expired_credentials:
            raise AwsError("ExpiredTokenException", "The security token included in the request is expired", 400)
        if _matches(self.throttle, operation):
            raise AwsError(
                "ThrottlingException", "Rate exceeded", 429 if rest else 400
            )
        if _matches(self.server_error, operation):
            raise AwsError("InternalFailure", "The request processing has failed because of an unknown error.", 500)
        if operation in self.access_denied:
            who = principal_arn or f"arn:aws:iam::123456789012:user/unknown"
            raise AwsError(
                "AccessDeniedException",
                f"User: {who} is not authorized to perform: {service}:{operation} on resource: * "
                "with an explicit deny in an identity-based policy",
                400 if not rest else 403,
            )
