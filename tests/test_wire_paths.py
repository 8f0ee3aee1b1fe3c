"""Path parameters on the wire: each value is checked and percent-encoded as one path segment by
the generated method, before anything is sent (read by the raw TCP server of test_wire.py)."""

from __future__ import annotations

from typing import Any

import pytest

from aiostripe import InvalidParameterError
from codegen import ir, render, spec
from tests.test_encode import QUOTED_SEGMENTS
from tests.test_wire import RawServer, _client, raw

__all__ = ["raw"]


@pytest.mark.parametrize(
    ("value", "quoted"),
    [("cus_123", "cus_123"), ("ba_1-x.y~z", "ba_1-x.y~z"), *QUOTED_SEGMENTS],
)
async def test_each_path_value_stays_in_its_segment(raw: RawServer, value: str, quoted: str) -> None:
    async with _client(raw, "card") as stripe:
        await stripe.customers.retrieve_source(value, value)
    (seen,) = raw.seen
    assert seen.line == f"GET /v1/customers/{quoted}/sources/{quoted} HTTP/1.1"


@pytest.mark.parametrize("value", [".", "..", "", " \t"])
async def test_a_path_value_that_is_no_id_is_refused_before_sending(
    raw: RawServer, value: str
) -> None:
    async with _client(raw, "card") as stripe:
        with pytest.raises(InvalidParameterError, match=r"^id: got .*must be a non-empty id") as info:
            await stripe.customers.retrieve_source("cus_1", value)
    assert info.value.param == "id"
    assert raw.seen == []


async def test_an_object_instead_of_its_id_gets_a_hint(raw: RawServer) -> None:
    async with _client(raw, "customer") as stripe:
        customer = await stripe.customers.retrieve("cus_1")
        with pytest.raises(TypeError, match=r"^customer: expected a str id, got Customer; pass its id"):
            await stripe.customers.retrieve(customer)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"^customer: expected a str id, got NoneType$"):
            stripe.customers.list_balance_transactions(None)  # type: ignore[arg-type]
    assert len(raw.seen) == 1


def _fill(template: str, values: dict[str, str]) -> str:
    for wire, value in values.items():
        template = template.replace("{" + wire + "}", value)
    return template


def test_every_generated_path_fills_each_placeholder_of_stripes_template() -> None:
    """The path expression of every operation, evaluated, is Stripe's path template with each
    placeholder replaced by its own argument (`{customer}` by the `customer` argument)."""
    api = ir.build(spec.load())
    checked = 0
    for op in api.operations:
        scope: dict[str, Any] = {"quote_path_param": lambda wire, value: f"<{wire}={value}>"}
        scope.update({p.name: f"v_{p.name}" for p in op.path_params})
        got = eval(render.path_expr(op), scope)  # the generator's own expression
        expected = _fill(op.path, {p.wire: f"<{p.wire}=v_{p.name}>" for p in op.path_params})
        assert got == expected, op.operation_id
        assert "{" not in got
        checked += bool(op.path_params)
    assert checked > 300
