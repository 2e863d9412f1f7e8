"""Capabilities: one module per feature area, each declaring its routes and the proxy operations it uses.

A capability module exposes ``CAPABILITY``, a :class:`Capability`. The server's route table, the proxy's
allowlist and its request inspectors are the concatenation of what the enabled capabilities declare
(``SageMakerMLOps.capabilities``). Adding a feature area means adding a module here, not editing a central table.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Iterable, Mapping

from ..allowlist import Allowlist, Grants

#: The capabilities that ship, in route order. Names are modules of this package.
BUILTIN = ("connection", "pipelines", "registry", "packages", "runs", "config")


@dataclass(frozen=True)
class InspectedRequest:
    """What an inspector sees of a proxied request, before it is forwarded."""

    service: str
    operation: str
    #: The request's JSON body, parsed (an object for JSON-protocol services; ``{}`` for an empty body).
    body: Any
    #: The proxy's request handler: ``settings``, ``mlops_config``, ``mlops_aws``, ``log``.
    handler: Any


#: Awaited by the proxy before forwarding an allowed request; raises :class:`~..allowlist.Refused` to refuse it.
Inspector = Callable[[InspectedRequest], Awaitable[None]]


@dataclass(frozen=True)
class Capability:
    name: str
    #: (pattern relative to <base_url>sagemaker-mlops, handler class) pairs.
    routes: tuple[tuple[str, Any], ...] = ()
    #: service name -> the operations the capability's features send through the proxy.
    operations: Grants = field(default_factory=dict)
    #: (service, operation) -> inspector; operation ``*``: every allowed operation of the service. The proxy reads
    #: an inspected request's whole body (within max_request_bytes), parses it as JSON (refusing duplicate keys)
    #: and awaits every inspector that applies, in capability order, before forwarding that same body.
    inspectors: Mapping[tuple[str, str], Inspector] = field(default_factory=dict)


def load(reference: str) -> Capability:
    """A capability by name: a module of this package (``pipelines``), or ``package.module[:ATTRIBUTE]``."""
    module_name, _, attribute = reference.partition(":")
    if "." not in module_name and module_name in BUILTIN:
        module_name = f"{__name__}.{module_name}"
    capability = getattr(importlib.import_module(module_name), attribute or "CAPABILITY")
    if not isinstance(capability, Capability):
        raise TypeError(f"{reference} is not a Capability")
    return capability


def load_all(references: Iterable[str]) -> list[Capability]:
    capabilities = [load(reference) for reference in references]
    names = [c.name for c in capabilities]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"Capabilities enabled twice: {', '.join(duplicates)}")
    return capabilities


def routes_of(capabilities: Iterable[Capability]) -> list[tuple[str, Any]]:
    return [route for capability in capabilities for route in capability.routes]


def allowlist_of(capabilities: Iterable[Capability]) -> Allowlist:
    return Allowlist(capability.operations for capability in capabilities)


class Inspectors:
    """The inspectors of the enabled capabilities, by (service, operation)."""

    def __init__(self, capabilities: Iterable[Capability] = ()) -> None:
        self._table: dict[tuple[str, str], list[Inspector]] = {}
        for capability in capabilities:
            for key, inspector in capability.inspectors.items():
                self._table.setdefault(key, []).append(inspector)

    def of(self, service: str, operation: str) -> list[Inspector]:
        return self._table.get((service, "*"), []) + self._table.get((service, operation), [])


def inspectors_of(capabilities: Iterable[Capability]) -> Inspectors:
    return Inspectors(capabilities)
