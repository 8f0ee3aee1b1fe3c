"""stripe-python's second names (`client.sources.detach(customer, id)`), from the one table in
codegen/aliases.py: each is the same operation as its primary (same signature, same request,
same result class), against the fake and against stripe-mock."""

from __future__ import annotations

import inspect

import pytest

import aiostripe
from aiostripe.testing import FakeStripe
from aiostripe.testing.operations import Operation, operations
from codegen.aliases import ALIASES
from tests.op_calls import check_result, method, params, store_path_objects
from tests.stripe_mock import StripeMock

BY_KEY = {op.key: op for op in operations()}


def _alias(client: object, name: str) -> object:
    target = client
    for part in name.split("."):
        target = getattr(target, part)
    return target


def test_the_table_names_known_operations() -> None:
    assert len(ALIASES) == 41
    assert ALIASES["sources.detach"] == "DELETE /v1/customers/{customer}/sources/{id}"
    assert all(key in BY_KEY for key in ALIASES.values())


@pytest.mark.parametrize("name", sorted(ALIASES))
def test_an_alias_has_its_primarys_signature(name: str) -> None:
    op = BY_KEY[ALIASES[name]]
    client = aiostripe.StripeClient("sk_test_x")
    alias, primary = _alias(client, name), method(client, op)
    assert inspect.signature(alias) == inspect.signature(primary)  # type: ignore[arg-type]
    assert f"Alias of `stripe.{op.name}`" in (inspect.getdoc(alias) or "")
    assert inspect.iscoroutinefunction(alias) == inspect.iscoroutinefunction(primary)


async def test_each_alias_sends_its_operation(stripe_mock: StripeMock) -> None:
    async with (
        FakeStripe(seed=3) as fake,
        fake.client(max_retries=0) as client,
        aiostripe.StripeClient(
            "sk_test_mock", base_url=stripe_mock.url, max_retries=0
        ) as mock_client,
    ):
        for name, key in sorted(ALIASES.items()):
            op: Operation = BY_KEY[key]
            ids = store_path_objects(fake, op)
            check_result(op, await _alias(client, name)(*ids, **params(op)))  # type: ignore[operator]
            assert fake.requests[-1].operation == op.name, name
            assert fake.requests[-1].status == 200, name
            mock_ids = [f"{p}_123" for p in op.path_params]
            check_result(op, await _alias(mock_client, name)(*mock_ids, **params(op)))  # type: ignore[operator]
