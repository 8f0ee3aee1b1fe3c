"""The fast path (generated `parse_X`, `to_dict()`) gives what the tolerant path gives.

For every example object Stripe publishes (its fixtures of the pinned version, and of other API
versions), `structure_as` — fast path first, tolerant path on a mismatch — builds objects equal in
every field, unknown field and absent optional field to those of the tolerant cattrs converter
alone, and `to_dict()` gives the converter's unstructured data. Payloads that do not match the
spec (a required key missing, an object where a string is, an unknown object tag) go the
tolerant way. No timing here: speed is measured by `make bench`.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import attrs
import pytest

from aiostripe import _json
from aiostripe._converter import converter
from aiostripe._fastparse import MISMATCH, fast_parser
from aiostripe._generated.models import OBJECT_TYPES
from aiostripe._models import StripeObject, resolve_type, structure_as
from tests.gen_helpers import PIN_FIXTURES, SHARED
from tests.response_schema import lacks_required

HISTORY = sorted((SHARED / "history").glob("fixtures3.*.json"))


def _load(path: Any) -> dict[str, Any]:
    resources: dict[str, Any] = json.loads(path.read_text())["resources"]
    return resources


PINNED = _load(PIN_FIXTURES) if PIN_FIXTURES.exists() else {}


def _typed(resources: dict[str, Any]) -> list[tuple[str, dict[str, Any], Any]]:
    out = []
    for key, data in sorted(resources.items()):
        name = OBJECT_TYPES.get((data.get("object"), data.get("deleted") is True))
        if isinstance(data, dict) and name:
            out.append((key, data, resolve_type(name)))
    return out


UNSET = object()


def same(a: Any, b: Any, path: str = "") -> None:
    """Deep equality of parsed values: classes, fields, unknown and absent fields."""
    assert type(a) is type(b), f"{path}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, StripeObject):
        for slot in ("_extra", "_absent"):
            got, want = getattr(a, slot, None) or None, getattr(b, slot, None) or None
            assert got == want, f"{path}.{slot}: {got!r} != {want!r}"
        if attrs.has(type(a)):
            for f in attrs.fields(type(a)):  # unset (the data lacked it): `UNSET` on both sides
                same(getattr(a, f.name, UNSET), getattr(b, f.name, UNSET), f"{path}.{f.name}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{path}[{i}]")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            same(a[k], b[k], f"{path}[{k!r}]")
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def tolerant(data: Any, type_: Any) -> Any:
    return converter.structure(copy.deepcopy(data), type_)


@pytest.mark.skipif(not PINNED, reason="../shared not present")
@pytest.mark.parametrize(("key", "data", "type_"), _typed(PINNED), ids=lambda v: str(v)[:40])
def test_fixture_takes_the_fast_path_and_equals_the_tolerant_path(
    key: str, data: dict[str, Any], type_: Any
) -> None:
    fast = fast_parser(type_)
    assert fast is not None
    if lacks_required(data):  # Stripe's own example breaks its spec (`invoice` does)
        with pytest.raises(MISMATCH):
            fast(copy.deepcopy(data))
        obj = structure_as(copy.deepcopy(data), type_)
    else:
        obj = fast(copy.deepcopy(data))  # raises if the fixture does not match the generated code
    same(obj, tolerant(data, type_), key)
    assert obj.to_dict() == converter.unstructure(tolerant(data, type_)) == data


def test_nearly_every_example_of_the_pin_fits_its_schema() -> None:
    # the check above takes the fast path for all but these; a guard that it is not vacuous
    lacking = [key for key, data, _ in _typed(PINNED) if lacks_required(data)]
    assert lacking == ["invoice"]


@pytest.mark.parametrize("path", HISTORY, ids=lambda p: p.name)
def test_other_api_versions_equal_the_tolerant_path(path: Any) -> None:
    # objects of other API versions miss fields or carry new ones: whichever path parses them,
    # the result is the tolerant path's
    checked = 0
    for key, data, type_ in _typed(_load(path)):
        want = tolerant(data, type_)
        got = structure_as(copy.deepcopy(data), type_)
        same(got, want, f"{path.name}:{key}")
        assert got.to_dict() == converter.unstructure(want)
        checked += 1
    assert checked > 20


def _tx() -> dict[str, Any]:
    data = copy.deepcopy(PINNED["treasury.transaction"])
    data["balance_impact"] = {"cash": -100, "inbound_pending": 0, "outbound_pending": 100}
    return data


def _tx_type() -> Any:
    return resolve_type("TreasuryTransaction")


@pytest.mark.skipif(not PINNED, reason="../shared not present")
@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda d: d.pop("flow"), id="optional key absent"),
        pytest.param(lambda d: d.update(brand_new={"x": [1]}), id="unknown key"),
        pytest.param(lambda d: (d.pop("flow"), d.update(newer=1)), id="absent and unknown"),
        pytest.param(lambda d: d.update(entries=None), id="a usually absent key present"),
        pytest.param(lambda d: d.update(status="future_status"), id="unknown enum value"),
        pytest.param(lambda d: d["balance_impact"].update(extra_cash=5), id="nested unknown key"),
        pytest.param(lambda d: d.update(balance_impact=None), id="null where an object is"),
    ],
)
def test_payload_variants_on_the_fast_path(change: Any) -> None:
    data = _tx()
    change(data)
    obj = fast_parser(_tx_type())(copy.deepcopy(data))  # type: ignore[misc]
    same(obj, tolerant(data, _tx_type()))
    assert obj.to_dict() == data


@pytest.mark.skipif(not PINNED, reason="../shared not present")
@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda d: None, id="the usual shape (Stripe's example)"),
        pytest.param(lambda d: d.update(sources=None), id="a usually absent key present"),
        pytest.param(
            lambda d: d.update(cash_balance=None, invoice_credit_balance={"usd": 5}, sources=None,
                               subscriptions=None, tax=None, tax_ids=None),
            id="every key, the usually absent ones too",
        ),
        pytest.param(lambda d: d.pop("phone"), id="a usually present key absent"),
        # as many keys as the usual shape, not the same ones: no unknown key may be lost
        pytest.param(lambda d: (d.pop("phone"), d.update(brand_new=1)), id="same count, other keys"),
        pytest.param(lambda d: d.update(brand_new=1), id="the usual shape and an unknown key"),
    ],
)
def test_shapes_around_the_usual_one(change: Any) -> None:
    # the generated code knows the customer's usual shape from Stripe's example object (no
    # `sources`, `tax_ids`, ...: shown only when expanded); every shape near it parses the same
    data = copy.deepcopy(PINNED["customer"])
    change(data)
    type_ = resolve_type("Customer")
    obj = fast_parser(type_)(copy.deepcopy(data))  # type: ignore[misc]
    same(obj, tolerant(data, type_))
    assert obj.to_dict() == data
    assert ("phone" in obj) == ("phone" in data) and ("sources" in obj) == ("sources" in data)


@pytest.mark.skipif(not PINNED, reason="../shared not present")
@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda d: d.pop("amount"), id="required key missing"),
        pytest.param(lambda d: d["balance_impact"].pop("cash"), id="nested required missing"),
        pytest.param(lambda d: d.update(status_transitions="posted"), id="string for object"),
    ],
)
def test_mismatching_payloads_go_the_tolerant_way(change: Any) -> None:
    data = _tx()
    change(data)
    with pytest.raises(MISMATCH):
        fast_parser(_tx_type())(copy.deepcopy(data))  # type: ignore[misc]
    got = structure_as(copy.deepcopy(data), _tx_type())  # never an error (the tolerant path)
    same(got, tolerant(data, _tx_type()))
    assert got.to_dict() == data


@pytest.mark.skipif(not PINNED, reason="../shared not present")
def test_list_and_search_pages_and_polymorphic_fields() -> None:
    tx = _tx()
    page = {"object": "list", "data": [tx, dict(tx, id="trxn_2")], "has_more": True,
            "url": "/v1/treasury/transactions"}
    t = resolve_type("ListObject[TreasuryTransaction]")
    got = structure_as(copy.deepcopy(page), t)
    same(got, tolerant(page, t))
    assert got.to_dict() == page
    customer = PINNED["customer"]
    search = {"object": "search_result", "data": [customer], "has_more": False,
              "next_page": None, "url": "/v1/customers/search", "total_count": 1}
    t = resolve_type("SearchResult[Customer]")
    got = structure_as(copy.deepcopy(search), t)
    same(got, tolerant(search, t))
    assert got.to_dict() == search
    # an expandable field: an id, an expanded object, an unknown object type
    charge = PINNED["charge"]
    for value in ("cus_1", customer, {"id": "x_1", "object": "new_thing"}):
        data = dict(charge, customer=value)
        got = structure_as(copy.deepcopy(data), resolve_type("Charge"))
        same(got, tolerant(data, resolve_type("Charge")))
        assert got.to_dict() == data
    union = resolve_type("Customer | DeletedCustomer")
    deleted = {"id": "cus_1", "object": "customer", "deleted": True}
    assert type(structure_as(dict(deleted), union)).__name__ == "DeletedCustomer"
    assert type(structure_as(copy.deepcopy(customer), union)).__name__ == "Customer"


def test_decoder_agrees_with_the_standard_library() -> None:
    for text in ('{"a": [1, 2.5, "é", null, true]}', '{"big": 123456789012345678901234567890}',
                 '{"x": NaN}', '"\\ud800"'):
        assert repr(_json.loads(text.encode())) == repr(json.loads(text))
    with pytest.raises(ValueError):
        _json.loads(b"{not json")
    for value in ({"a": "é\u2028", "b": [1, None, True]}, {"big": 2**70}, {1: "int key"}):
        assert _json.dumps(value) == json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def test_pages_of_auto_pagination_take_the_fast_path() -> None:
    from aiostripe._pagination import ListPage, SearchPage

    for kind, item in ((ListPage, "TreasuryTransaction"), (SearchPage, "Customer")):
        fast = fast_parser(kind[resolve_type(item)])
        assert fast is not None, kind
        page = {"object": "list", "data": [], "has_more": False, "url": "/v1/x"}
        if kind is SearchPage:
            page.update(object="search_result", next_page=None, total_count=0)
        assert type(fast(page)) is kind


def test_signature_header_shortcut_agrees_with_the_full_parse() -> None:
    from aiostripe.webhooks import _parse_header

    sig = "ab" * 32
    assert _parse_header(f"t=1700000000,v1={sig}") == (1700000000, [sig])  # the shortcut
    assert _parse_header(f" t=1700000000 , v1={sig} ") == (1700000000, [sig])  # the full parse
    assert _parse_header(f"t=1700000000,v1={sig},v0=xyz") == (1700000000, [sig])


@pytest.mark.skipif(not PINNED, reason="../shared not present")
def test_what_a_retrieve_answers_is_the_usual_shape() -> None:
    # Stripe's example of each resource is what retrieving it answers at the pinned version: the
    # generated parser takes that shape as its usual one (a constant `_absent`, no `finish`), even
    # when objects nested elsewhere (a credit grant's customer) show the model with fewer keys
    checked = []
    for name, data in PINNED.items():
        model = OBJECT_TYPES.get((data.get("object"), data.get("deleted") is True))
        type_ = resolve_type(model) if model else None
        usual = getattr(type_, "_USUAL_ABSENT", None)
        if usual is None:
            continue
        obj = fast_parser(type_)(copy.deepcopy(data))  # type: ignore[misc]
        if obj._extra is not None or lacks_required(data):  # not the spec's shape
            continue
        assert obj._absent is usual, f"{name}: parsed as an unusual shape"
        checked.append(name)
    assert "customer" in checked and len(checked) > 50, checked
