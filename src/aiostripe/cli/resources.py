"""Resources and their operations by dotted name (`treasury.transactions`), read from the client."""

from __future__ import annotations

import difflib
import functools
import importlib
import inspect
import re
import typing
from collections.abc import Callable, Sequence
from typing import Any, get_origin

from aiostripe.cli.usage import UsageError


@functools.cache
def _service_classes() -> dict[str, type]:
    """Every service namespace reachable from the client, by dotted name."""
    from aiostripe._generated.services import ClientServices
    from aiostripe._service import Service

    class Probe(ClientServices):
        def __init__(self) -> None:
            self._requestor = None  # type: ignore[assignment]  # never used: no call is made

    found: dict[str, type] = {}

    def walk(obj: object, prefix: str) -> None:
        for name in dir(type(obj)):
            if name.startswith("_"):
                continue
            if not isinstance(inspect.getattr_static(type(obj), name), functools.cached_property):
                continue
            child = getattr(obj, name)
            if isinstance(child, Service):
                dotted = f"{prefix}{name}"
                found[dotted] = type(child)
                walk(child, dotted + ".")

    walk(Probe(), "")
    return found


@functools.cache
def _operations(kind: str) -> dict[str, type]:
    """Resources offering `kind` ("list", "search", "retrieve"), by dotted name."""
    return {name: cls for name, cls in _service_classes().items() if callable(vars(cls).get(kind))}


class Operation:
    """One operation of a resource, with what the CLI needs to check its arguments."""

    def __init__(self, resource: str, kind: str, cls: type) -> None:
        self.resource = resource
        self.kind = kind
        self.function: Callable[..., Any] = vars(cls)[kind]
        sig = inspect.signature(self.function)
        self.path_params: list[str] = [
            n
            for n, p in sig.parameters.items()
            if p.kind is p.POSITIONAL_OR_KEYWORD and n != "self"
        ]
        self.params_type: Any = None
        params = sig.parameters.get("params")
        if params is not None and isinstance(params.annotation, str):
            m = re.fullmatch(r"Unpack\[(\w+)\]", params.annotation)
            if m:
                module = cls.__module__.replace(".services.", ".params.")
                self.params_type = getattr(importlib.import_module(module), m.group(1))

    @property
    def name(self) -> str:
        return f"{self.resource}.{self.kind}"

    @functools.cached_property
    def fields(self) -> dict[str, Any]:
        if self.params_type is None:
            return {}
        hints: dict[str, Any] = typing.get_type_hints(self.params_type, include_extras=True)
        return hints

    @functools.cached_property
    def required(self) -> frozenset[str]:
        """Required parameters (read from the resolved hints: with postponed annotations
        `__required_keys__` does not see `Required[...]`)."""
        if self.params_type is None:
            return frozenset()
        total = getattr(self.params_type, "__total__", True)
        return frozenset(
            k
            for k, t in self.fields.items()
            if get_origin(t) is typing.Required
            or (total and get_origin(t) is not typing.NotRequired)
        )


def resolve(resource: str, kind: str) -> Operation:
    """The operation `kind` of a resource named like `treasury.transactions`."""
    name = resource.strip().strip("./").replace("/", ".").replace("-", "_")
    available = _operations(kind)
    cls = available.get(name)
    if cls is None:
        verb = {"list": "listed", "search": "searched", "retrieve": "fetched"}[kind]
        if name in _service_classes():
            ops = sorted(available)
            hint = f"; resources that can be {verb}: {_shortlist(ops)}" if kind == "search" else ""
            raise UsageError(f"resource {resource!r} cannot be {verb}{hint}")
        close = difflib.get_close_matches(name, list(available), n=3, cutoff=0.6)
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
        raise UsageError(f"unknown resource {resource!r}{hint}")
    return Operation(name, kind, cls)


def _shortlist(names: Sequence[str], n: int = 12) -> str:
    shown = ", ".join(names[:n])
    return shown + (f", ... ({len(names)} in all)" if len(names) > n else "")
