"""Every operation of ir.json, called through its generated client method against the fake Stripe
over loopback HTTP, comes back as the typed class its `returns` declares, and the JSON the fake
sent fits the operation's response schema in the spec (required fields, types, enums, nullability,
no undeclared field).

The objects named by path parameters are stored first (linked to their parents), and each call
sends the operation's required parameters, so every call succeeds; the same call with unknown
ids gets Stripe's 404, and with an unknown parameter a 400. One test per resource group.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

import aiohttp
import pytest

from aiostripe import InvalidRequestError, ListObject, SearchResult
from aiostripe.testing import FakeStripe
from aiostripe.testing.behaviours.registry import find as lifecycle_of
from aiostripe.testing.operations import Operation, operations
from aiostripe.testing.schema import classes_of, object_name
from tests.op_calls import method, params, store_path_objects
from tests.response_schema import mismatches, response_schema

OPS = [op for op in operations() if op.path.startswith("/v1/")]  # v2: tests/test_v2_*.py
GROUPS: dict[str, list[Operation]] = {}
for _op in OPS:
    GROUPS.setdefault(_op.service[0], []).append(_op)


def _check(op: Operation, result: Any) -> None:
    expected = {c.__name__ for c in classes_of(op.returns)} if op.returns != "bytes" else set()
    if op.kind == "binary":
        assert isinstance(result, bytes) and result.startswith(b"%PDF"), op.key
    elif op.kind in ("list", "search"):
        page_type = ListObject if op.kind == "list" else SearchResult
        assert isinstance(result, page_type), (op.key, type(result))
        assert all(type(item).__name__ in expected for item in result.data), op.key
    else:
        assert type(result).__name__ in expected, (op.key, type(result).__name__, expected)


def test_every_operation_is_in_a_group() -> None:
    assert sum(len(ops) for ops in GROUPS.values()) == len(OPS)
    assert len(OPS) >= 533


class _Recorded(aiohttp.ClientResponse):
    """A response whose body is kept: the fake's JSON as sent, for the schema check."""

    bodies: ClassVar[list[bytes]] = []

    async def read(self) -> bytes:
        body = await super().read()
        self.bodies.append(body)
        return body


def _check_schema(op: Operation) -> None:
    """The fake's last answer fits the operation's response schema in the spec itself."""
    if op.kind == "binary":
        return
    data = json.loads(_Recorded.bodies[-1])
    problems = list(mismatches(data, response_schema(op.verb, op.path)))
    assert not problems, (op.key, problems[:5])


@pytest.mark.parametrize("group", sorted(GROUPS))
async def test_operations_of(group: str) -> None:
    async with (
        FakeStripe(seed=7) as fake,
        aiohttp.ClientSession(response_class=_Recorded) as session,
        fake.client(max_retries=0, session=session) as client,
    ):
        for op in GROUPS[group]:
            ids = store_path_objects(fake, op)
            try:
                result = await method(client, op)(*ids, **params(op))
            except InvalidRequestError as refused:
                # an operation with a lifecycle (testing/behaviours/) refuses what Stripe refuses
                # (capturing an intent that is not `requires_capture`): a 4xx naming the reason
                if lifecycle_of(op.name) is None:
                    raise
                assert refused.http_status in (400, 404) and refused.message, op.key
                _Recorded.bodies.clear()
                continue
            _check(op, result)
            _check_schema(op)
            _Recorded.bodies.clear()
            assert fake.requests[-1].operation == op.name
            assert fake.requests[-1].status == 200, op.key
            if op.path_params:  # the same call on ids the fake does not hold: Stripe's 404
                with pytest.raises(InvalidRequestError) as missing:
                    await method(client, op)(*["nope_1"] * len(ids), **params(op))
                assert (missing.value.http_status, missing.value.code) == (404, "resource_missing")
            if op.params is not None:  # a parameter the operation does not take: a 400
                with pytest.raises(InvalidRequestError) as unknown:
                    await method(client, op)(*ids, **params(op), extra_params={"zz_unknown": "1"})
                assert (unknown.value.http_status, unknown.value.param) == (400, "zz_unknown")


async def test_list_operations_return_stored_items() -> None:
    """Each top-level list finds an object stored under its item type."""
    async with FakeStripe(seed=7) as fake, fake.client(max_retries=0) as client:
        for op in OPS:
            if op.kind != "list" or op.path_params:
                continue
            kinds = [object_name(c) for c in classes_of(op.returns)]
            filters = params(op)  # required filters: the stored object matches them
            stored = fake.create(kinds[0], **filters)  # type: ignore[arg-type]
            page = await method(client, op)(**filters)
            assert stored["id"] in {item.id for item in page.data}, op.key
