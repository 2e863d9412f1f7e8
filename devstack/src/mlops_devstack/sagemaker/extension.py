"""The SageMaker extension: one class composed of a mixin per capability.

A capability module defines a mixin with

* ``OPERATIONS``: the JSON-protocol operations it serves, each as a method ``_op_<Operation>(body, request)``;
* optionally ``_setup()`` (its state, called once at start-up) and ``_close()``;
* optionally ``TAG_SOURCES``: ARN marker -> method ``(arn, body) -> {"Tags": ...} | None`` for ListTags of
  resources moto does not know;
* optionally ``AFTER_MOTO``: methods ``(operation, body, payload, request)`` called after moto served a SageMaker
  operation (``payload``: moto's answer, decoded).

Adding a capability means writing such a module and adding its mixin to :class:`SageMakerExtension`'s bases.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Optional

from ..contract import AwsError, Request, Response
from .common import TARGET
from .experiments import ExperimentsMixin
from .pipelines import PipelinesMixin
from .projects import ProjectsMixin
from .registry import RegistryMixin
from .search import SearchMixin
from .studio import StudioMixin


def _merged(cls: type, name: str) -> list:
    """Every mixin's ``name`` attribute, in method-resolution order (each base once)."""
    found = []
    for base in cls.__mro__:
        if name in base.__dict__:
            found.append(base.__dict__[name])
    return found


class SageMakerExtension(ProjectsMixin, PipelinesMixin, SearchMixin, RegistryMixin, ExperimentsMixin, StudioMixin):
    service = "sagemaker"
    iam_prefix = "sagemaker"
    requires_sigv4 = True

    def __init__(self, state) -> None:
        self.state = state
        self.lock = threading.RLock()
        cls = type(self)
        self.operations = frozenset().union(*_merged(cls, "OPERATIONS"))
        self._tag_sources: dict[str, str] = {}
        for sources in _merged(cls, "TAG_SOURCES"):
            self._tag_sources.update(sources)
        self._after_moto = [name for names in _merged(cls, "AFTER_MOTO") for name in names]
        state.sagemaker = self
        for setup in _merged(cls, "_setup"):
            setup(self)

    # ---- routing

    def operation(self, request: Request) -> Optional[str]:
        target = request.target
        if not target.startswith(TARGET):
            return None
        op = target[len(TARGET):]
        if op in self.operations:
            return op
        if op == "ListTags":
            try:
                arn = json.loads(request.body or b"{}").get("ResourceArn", "")
            except ValueError:
                return None
            # moto's ListTags knows none of these resources (it fails with a 500 on their ARNs).
            return "ListTags" if any(marker in arn for marker in self._tag_sources) else None
        return None

    def dispatch(self, request: Request, operation: str) -> Response:
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            raise AwsError("SerializationException", "The request body is not valid JSON.") from None
        with self.lock:
            result = getattr(self, f"_op_{operation}")(body, request)
        return Response.json(result)

    def _op_ListTags(self, body: dict, request: Request) -> dict:
        arn = body.get("ResourceArn", "")
        for method in self._tag_sources.values():
            found = getattr(self, method)(arn, body)
            if found is not None:
                return found
        raise AwsError("ValidationException", f"Resource {arn} does not exist.")

    # ---- moto access

    def _backend(self):
        from moto.sagemaker.models import sagemaker_backends

        return sagemaker_backends[self.state.account_id][self.state.region]

    def on_moto_success(self, operation: str, request: Request, payload: Any) -> None:
        """After moto served an operation: each capability's ``AFTER_MOTO`` hooks see the request body."""
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return
        if not isinstance(body, dict):
            return
        with self.lock:
            for name in self._after_moto:
                getattr(self, name)(operation, body, payload, request)

    def close(self) -> None:
        for close in _merged(type(self), "_close"):
            close(self)
