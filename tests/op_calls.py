"""Calling any operation of ir.json through its generated client method, for the tests that go
through every operation (against the fake and against stripe-mock): the method, example
parameters (minimal or full), a valid `expand`, and the check that the result has the type the
operation declares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiostripe import ListObject, SearchResult
from aiostripe.testing import FakeStripe
from aiostripe.testing.examples import example
from aiostripe.testing.operations import Operation
from aiostripe.testing.schema import classes_of, fields, is_model, members, object_name


def method(client: Any, op: Operation) -> Callable[..., Any]:
    """The client method of `op` (`client.customers.balance_transactions.list`)."""
    target = client
    for part in op.service:
        target = getattr(target, part)
    found: Callable[..., Any] = getattr(target, op.method)
    return found


def params(op: Operation, *, full: bool = False) -> dict[str, Any]:
    """Valid parameters of `op`: the required ones, or (`full`) every top-level one."""
    out = example(op.params_type(), full=full)
    if op.kind == "search":
        out["query"] = "metadata['order']:'42'"
    if full and "starting_after" in out:
        out.pop("ending_before", None)  # Stripe takes one cursor or the other, never both
    if full and "expand" in out:
        field = expandable_field(op)
        if field is None:
            del out["expand"]  # nothing in the result can be expanded
        else:
            out["expand"] = [f"data.{field}" if op.kind in ("list", "search") else field]
    return out


def expandable_field(op: Operation) -> str | None:
    """A field of the result that `expand` accepts (an id that can be replaced by its object),
    looked for in the result and then in its nested objects (`settings.branding.icon`)."""
    for cls in op.result_classes():
        found = _expandable(cls, 3)
        if found is not None:
            return found
    return None


def _expandable(cls: type, depth: int) -> str | None:
    nested: list[tuple[str, type]] = []
    for name, field in fields(cls).items():
        kinds = members(field.type)
        if str in kinds and any(is_model(k) and "id" in fields(k) for k in kinds):
            return name
        nested.extend((name, k) for k in kinds if is_model(k) and "id" not in fields(k))
    if depth > 1:
        for name, sub in nested:
            found = _expandable(sub, depth - 1)
            if found is not None:
                return f"{name}.{found}"
    return None


def check_result(op: Operation, result: Any) -> None:
    """`result` is what `op` declares: bytes for the PDF, a page of the item class, the class."""
    expected = {c.__name__ for c in classes_of(op.returns)} if op.returns != "bytes" else set()
    if op.kind == "binary":
        assert isinstance(result, bytes), (op.key, type(result))
    elif op.kind in ("list", "search"):
        page_type = ListObject if op.kind == "list" else SearchResult
        assert isinstance(result, page_type), (op.key, type(result))
        assert all(type(item).__name__ in expected for item in result.data), (
            op.key,
            [type(item).__name__ for item in result.data],
            expected,
        )
    else:
        assert type(result).__name__ in expected, (op.key, type(result).__name__, expected)


def store_path_objects(fake: FakeStripe, op: Operation) -> list[str]:
    """Store one object per path parameter, each linked to the one before (its parent); their ids
    in the order the method takes them."""
    ids: dict[str, str] = {}
    parent: dict[str, Any] | None = None
    for param in op.path_params:
        cls = fake.router.target_type(op, param)
        assert cls is not None, f"{op.key}: no object type for {{{param}}}"
        kind = object_name(cls)
        assert kind is not None
        obj = fake.create(kind)
        if parent is not None:
            fake.link(obj["id"], parent["id"])
        ids[param] = obj["id"]
        parent = obj
    return [ids[param] for param in op.path_params]
