"""`python -m codegen diff`: the API changelog between two specs.

A hand-written pair of specs (`spec/tests/diff/old.json` -> `new.json`) holds one of each kind of
change; the test asserts the exact list of changes with their breaking flags. Small inline specs
cover type names, the widening/narrowing rules, the `$ref` cycle guard and the depth limit. The
two real specs in `../shared/stripe-openapi` (2023-08-16 -> 2024-04-10) are diffed with spot
checks of differences confirmed by reading the specs; that test is skipped when they are absent.
"""

from __future__ import annotations

import copy
import json
import random
import re
import time
from pathlib import Path
from typing import Any

import pytest

from codegen import diff as d
from codegen.__main__ import main as codegen_main
from codegen.spec import load_document

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "spec" / "tests" / "diff"
OLD, NEW = FIXTURES / "old.json", FIXTURES / "new.json"
SHARED = REPO.parent / "shared" / "stripe-openapi"
REAL_OLD, REAL_NEW = SHARED / "spec3.2023-08-16.yaml", SHARED / "spec3.json"

Row = tuple[str, bool, str, str | None, str | None, str | None, str]


def rows(changes: list[d.Change]) -> list[Row]:
    return [(c.kind, c.breaking, c.subject, c.path, c.old, c.new, c.note) for c in changes]


# kind, breaking, operation/schema, path, old, new, note -- in the order the tool sorts them
EXPECTED: list[Row] = [
    ("response_retyped", False, "GET /v1/gadgets/{gadget}", None,
     "deleted_gadget | gadget", "gadget", "narrowed"),
    ("path_param_renamed", True, "GET /v1/rates/{rate_id}", None, "/v1/rates/{currency}",
     "/v1/rates/{rate_id}", "{currency} → {rate_id}"),
    ("operation_added", False, "POST /v1/sprockets", None, None, "PostSprockets", ""),
    ("param_added", False, "GET /v1/widgets", "created.gte", None, "integer", "optional"),
    ("param_made_required", True, "GET /v1/widgets", "limit", None, None, ""),
    ("param_enum_value_added", False, "GET /v1/widgets", "status", None, "paused", ""),
    ("param_enum_value_added", False, "POST /v1/widgets", "color", None, "yellow", ""),
    ("param_enum_value_removed", True, "POST /v1/widgets", "color", "blue", None, ""),
    ("param_added", True, "POST /v1/widgets", "currency", None, "string", "required"),
    ("param_added", False, "POST /v1/widgets", "currency_options{}.tax_behavior", None,
     "string", "optional"),
    ("param_retyped", False, "POST /v1/widgets", "fee", "number", '"" | number', "widened"),
    ("param_added", False, "POST /v1/widgets", "items[].discount", None, "integer", "optional"),
    ("param_made_required", True, "POST /v1/widgets", "items[].quantity", None, None, ""),
    ("param_retyped", False, "POST /v1/widgets", "kind", "string (enum)", "string",
     "no longer an enum"),
    ("param_removed", True, "POST /v1/widgets", "legacy", "boolean", None, ""),
    ("param_retyped", True, "POST /v1/widgets", "mode", "string", "string (enum)",
     "now restricted to: fast, slow"),
    ("param_retyped", True, "POST /v1/widgets", "nickname", "string", "integer", ""),
    ("param_made_optional", False, "POST /v1/widgets", "optional_now", None, None, ""),
    ("param_added", True, "POST /v1/widgets", "shipping.address.country", None, "string",
     "required"),
    ("param_added", False, "POST /v1/widgets", "shipping.address.line2", None, "string",
     "optional"),
    ("response_retyped", True, "GET /v1/widgets/{widget}", None, "widget",
     "deleted_widget | widget", "widened"),
    ("operation_removed", True, "DELETE /v1/widgets/{widget}", None, "DeleteWidgetsWidget",
     None, ""),
    ("resource_removed", True, "deleted_gadget", None, "deleted_gadget", None, ""),
    ("resource_added", False, "deleted_widget", None, None, "deleted_widget", ""),
    ("schema_retyped", False, "payment_source", None, "gadget | widget", "widget", "narrowed"),
    ("resource_added", False, "sprocket", None, None, "sprocket", ""),
    ("field_added", False, "widget", "color", None, "string", ""),
    ("field_made_nullable", True, "widget", "description", None, None, "now nullable"),
    ("field_added", False, "widget", "dims.depth", None, "integer", ""),
    ("field_retyped", True, "widget", "dims.height", "integer", "number", ""),
    ("field_made_non_nullable", False, "widget", "name", None, None, "now not nullable"),
    ("field_retyped", True, "widget", "owner", "string", "account | string", "widened"),
    ("field_added", False, "widget", "parts[].serial", None, "string", ""),
    ("field_removed", True, "widget", "size", "integer", None, ""),
    ("field_enum_value_added", False, "widget", "status", None, "paused", ""),
    ("field_enum_value_removed", False, "widget", "status", "archived", None, ""),
    ("field_retyped", True, "widget", "style", "widget_style", "widget_look", "same fields"),
]


@pytest.fixture(scope="module")
def fixture_changes() -> list[d.Change]:
    return d.diff(load_document(OLD), load_document(NEW))


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = codegen_main(["diff", *args])
    return code, capsys.readouterr().out


# --- the hand-written pair ---------------------------------------------------------------------


def test_fixture_pair_exact_changes(fixture_changes: list[d.Change]) -> None:
    assert rows(fixture_changes) == EXPECTED


def test_every_kind_is_covered(fixture_changes: list[d.Change]) -> None:
    assert {c.kind for c in fixture_changes} == set(d.KINDS)


def test_no_changes_between_identical_specs() -> None:
    doc = load_document(NEW)
    assert d.diff(doc, copy.deepcopy(doc)) == []


def test_result_does_not_depend_on_key_order(fixture_changes: list[d.Change]) -> None:
    def shuffled(node: Any, rng: random.Random) -> Any:
        if isinstance(node, dict):
            items = list(node.items())
            rng.shuffle(items)
            return {k: shuffled(v, rng) for k, v in items}
        if isinstance(node, list):
            return [shuffled(v, rng) for v in node]
        return node

    rng = random.Random(7)
    old, new = shuffled(load_document(OLD), rng), shuffled(load_document(NEW), rng)
    assert d.diff(old, new) == fixture_changes


def test_yaml_input_gives_the_same_changes(tmp_path: Path,
                                           fixture_changes: list[d.Change]) -> None:
    yaml = pytest.importorskip("yaml")
    old_yaml = tmp_path / "old.yaml"
    old_yaml.write_text(yaml.safe_dump(load_document(OLD)))
    assert d.diff(load_document(old_yaml), load_document(NEW)) == fixture_changes


# --- type names and rules on inline specs --------------------------------------------------------


def test_type_names() -> None:
    ref = {"$ref": "#/components/schemas/customer"}
    assert d.type_name({"type": "string", "maxLength": 5000}) == "string"
    assert d.type_name({"type": "integer", "format": "unix-time"}) == "integer"
    assert d.type_name({"type": "string", "format": "binary"}) == "string(binary)"
    assert d.type_name({"type": "string", "enum": ["a", "b"]}) == "string"
    assert d.type_name(ref) == "customer"
    assert d.type_name({"anyOf": [{"type": "string"}, ref]}) == "customer | string"
    assert d.type_name({"type": "array", "items": ref}) == "array of customer"
    assert d.type_name({"type": "array", "items": {"anyOf": [{"type": "string"}, ref]}}) == (
        "array of (customer | string)")
    assert d.type_name({"anyOf": [{"type": "object", "properties": {"a": {}}},
                                  {"type": "string", "enum": [""]}]}) == '"" | object'
    assert d.type_name({"type": "object", "additionalProperties": {"type": "string"}}) == (
        "map of string")
    page = {"type": "object", "properties": {
        "object": {"type": "string", "enum": ["list"]}, "data": {"type": "array", "items": ref},
        "has_more": {"type": "boolean"}, "url": {"type": "string"}}}
    assert d.type_name(page) == "list of customer"
    assert d.type_name({}) == "any"


def test_enum_values() -> None:
    assert d.enum_values({"type": "string"}) is None
    assert d.enum_values({"type": "string", "enum": [""]}) is None
    assert d.enum_values({"type": "string", "enum": ["b", "a"]}) == frozenset({"a", "b"})
    assert d.enum_values({"type": "array", "items": {"type": "string", "enum": ["x"]}}) == frozenset({"x"})
    assert d.enum_values({"anyOf": [{"type": "string", "enum": ["x"]},
                                    {"type": "string", "enum": [""]}]}) == frozenset({"x"})
    assert d.enum_values({"type": "boolean", "enum": [True]}) == frozenset({"true"})


def spec(body: dict[str, Any] | None = None, schemas: dict[str, Any] | None = None,
         response: dict[str, Any] | None = None) -> dict[str, Any]:
    """A one-operation spec: `POST /v1/things` with form body `body`."""
    op: dict[str, Any] = {
        "operationId": "PostThings",
        "responses": {"200": {"content": {"application/json": {
            "schema": response or {"$ref": "#/components/schemas/thing"}}}}},
    }
    if body is not None:
        op["requestBody"] = {"content": {"application/x-www-form-urlencoded": {
            "schema": {"type": "object", "properties": body}}}}
    all_schemas = {"thing": {"type": "object", "x-resourceId": "thing",
                             "properties": {"id": {"type": "string"}}}}
    all_schemas.update(schemas or {})
    return {"info": {"version": "v"}, "paths": {"/v1/things": {"post": op}},
            "components": {"schemas": all_schemas}}


def only(changes: list[d.Change]) -> tuple[str, bool, str]:
    assert len(changes) == 1, rows(changes)
    return changes[0].kind, changes[0].breaking, changes[0].note


def test_param_widened_is_safe_and_narrowed_is_breaking() -> None:
    narrow = spec({"p": {"type": "string"}})
    wide = spec({"p": {"anyOf": [{"type": "string"}, {"type": "integer"}]}})
    assert only(d.diff(narrow, wide)) == ("param_retyped", False, "widened")
    assert only(d.diff(wide, narrow)) == ("param_retyped", True, "narrowed")


def test_field_narrowed_is_safe_and_widened_is_breaking() -> None:
    def thing(field: dict[str, Any]) -> dict[str, Any]:
        return spec(schemas={"thing": {"type": "object", "x-resourceId": "thing",
                                       "required": ["f"], "properties": {"f": field}}})

    one = thing({"type": "string"})
    two = thing({"anyOf": [{"type": "string"}, {"$ref": "#/components/schemas/thing"}]})
    assert only(d.diff(one, two)) == ("field_retyped", True, "widened")
    assert only(d.diff(two, one)) == ("field_retyped", False, "narrowed")


def test_element_types_widen_and_narrow_inside_containers() -> None:
    """`array of A` -> `array of (A | B)` is a widening, like `A` -> `A | B` (issue 23: the
    2022 -> 2023 specs had 17 such changes flagged breaking, e.g. `documents.passport.files`:
    `array of string` -> `array of ("" | string)`); the same for maps and list pages."""
    string, emptyable = {"type": "string"}, {"anyOf": [{"type": "string", "enum": [""]},
                                                       {"type": "string"}]}

    def arr(items: dict[str, Any]) -> dict[str, Any]:
        return {"type": "array", "items": items}

    def mapping(values: dict[str, Any]) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": values}

    def page(items: dict[str, Any]) -> dict[str, Any]:
        return {"type": "object", "properties": {
            "object": {"type": "string", "enum": ["list"]}, "data": arr(items),
            "has_more": {"type": "boolean"}, "url": {"type": "string"}}}

    for wrap in (arr, mapping, lambda t: arr(arr(t))):
        narrow, wide = spec({"p": wrap(string)}), spec({"p": wrap(emptyable)})
        assert only(d.diff(narrow, wide)) == ("param_retyped", False, "widened")
        assert only(d.diff(wide, narrow)) == ("param_retyped", True, "narrowed")

    def thing(field: dict[str, Any]) -> dict[str, Any]:
        return spec(schemas={"thing": {"type": "object", "x-resourceId": "thing",
                                       "required": ["f"], "properties": {"f": field}},
                             "card": {"type": "object", "properties": {}},
                             "source": {"type": "object", "properties": {}}})

    card, either = ({"$ref": "#/components/schemas/card"},
                    {"anyOf": [{"$ref": "#/components/schemas/card"},
                               {"$ref": "#/components/schemas/source"}]})
    for wrap in (arr, mapping, page):
        one, two = thing(wrap(card)), thing(wrap(either))
        assert only(d.diff(two, one)) == ("field_retyped", False, "narrowed")
        assert only(d.diff(one, two)) == ("field_retyped", True, "widened")
    # another container, or another element type, is a retype either way
    assert only(d.diff(thing(arr(card)), thing(mapping(card)))) == ("field_retyped", True, "")
    assert only(d.diff(spec({"p": arr(string)}), spec({"p": arr({"type": "integer"})}))) == (
        "param_retyped", True, "")


def test_placeholder_rename_is_one_breaking_rename() -> None:
    def rates(placeholder: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        params = [{"in": "path", "name": placeholder, "required": True,
                   "schema": {"type": "string"}}]
        params += [{"in": "query", "name": k, "schema": v} for k, v in (extra or {}).items()]
        op = {"operationId": "GetRate", "parameters": params,
              "responses": {"200": {"content": {"application/json": {
                  "schema": {"type": "string"}}}}}}
        return {"openapi": "3.0.0", "info": {"version": placeholder},
                "paths": {f"/v1/exchange_rates/{{{placeholder}}}": {"get": op}},
                "components": {"schemas": {}}}

    changes = d.diff(rates("currency"), rates("rate_id", {"expand": {"type": "string"}}))
    assert rows(changes) == [
        ("path_param_renamed", True, "GET /v1/exchange_rates/{rate_id}", None,
         "/v1/exchange_rates/{currency}", "/v1/exchange_rates/{rate_id}",
         "{currency} → {rate_id}"),
        # the operation is still compared with itself
        ("param_added", False, "GET /v1/exchange_rates/{rate_id}", "expand", None, "string",
         "optional"),
    ]
    text = d.to_markdown("a", "b", changes)
    assert "path placeholder renamed" in text and "operation removed" not in text
    # another verb or another route shape is not a rename
    other = rates("rate_id")
    other["paths"]["/v1/exchange_rates/{rate_id}/x"] = other["paths"].pop(
        "/v1/exchange_rates/{rate_id}")
    assert {c.kind for c in d.diff(rates("currency"), other)} == {
        "operation_added", "operation_removed"}


def test_field_no_longer_required_may_be_none() -> None:
    def thing(required: list[str]) -> dict[str, Any]:
        return spec(schemas={"thing": {"type": "object", "x-resourceId": "thing",
                                       "required": required,
                                       "properties": {"f": {"type": "string"}}}})

    assert only(d.diff(thing(["f"]), thing([]))) == (
        "field_made_nullable", True, "now not always present")
    assert only(d.diff(thing([]), thing(["f"]))) == (
        "field_made_non_nullable", False, "now always present")


def test_enum_changes_on_fields_are_not_breaking() -> None:
    def thing(field: dict[str, Any]) -> dict[str, Any]:
        return spec(schemas={"thing": {"type": "object", "x-resourceId": "thing",
                                       "properties": {"f": field}}})

    free = thing({"type": "string"})
    enum = thing({"type": "string", "enum": ["a"]})
    assert only(d.diff(free, enum)) == ("field_retyped", False, "now restricted to: a")
    assert only(d.diff(enum, free)) == ("field_retyped", False, "no longer an enum")


def test_new_optional_nested_param_under_new_param_reports_only_the_parent() -> None:
    old = spec({})
    new = spec({"p": {"type": "object", "required": ["q"], "properties": {"q": {"type": "string"}}}})
    assert rows(d.diff(old, new)) == [
        ("param_added", False, "POST /v1/things", "p", None, "object", "optional")]


def test_param_refs_are_resolved_with_a_cycle_guard() -> None:
    def node(extra: dict[str, Any]) -> dict[str, Any]:
        return {"type": "object", "properties": {
            "child": {"$ref": "#/components/schemas/node"}, **extra}}

    body = {"tree": {"$ref": "#/components/schemas/node"}}
    old = spec(body, {"node": node({})})
    new = spec(body, {"node": node({"label": {"type": "string"}})})
    assert rows(d.diff(old, new)) == [
        ("param_added", False, "POST /v1/things", "tree.label", None, "string", "optional"),
        ("field_added", False, "node", "label", None, "string", ""),
    ]


def test_nesting_is_followed_to_the_depth_limit() -> None:
    def nested(depth: int, leaf: dict[str, Any]) -> dict[str, Any]:
        schema = leaf
        for _ in range(depth):
            schema = {"type": "object", "properties": {"n": schema}}
        return schema

    shallow = d.MAX_DEPTH - 1
    old = spec({"p": nested(shallow, {"type": "string"}),
                "deep": nested(d.MAX_DEPTH + 3, {"type": "string"})})
    new = spec({"p": nested(shallow, {"type": "integer"}),
                "deep": nested(d.MAX_DEPTH + 3, {"type": "integer"})})
    assert rows(d.diff(old, new)) == [
        ("param_retyped", True, "POST /v1/things", "p" + ".n" * shallow, "string", "integer", "")]


def test_binary_response() -> None:
    pdf = {"type": "string", "format": "binary"}
    old = spec(response={"$ref": "#/components/schemas/thing"})
    new = copy.deepcopy(old)
    new["paths"]["/v1/things"]["post"]["responses"]["200"] = {
        "content": {"application/pdf": {"schema": pdf}}}
    (change,) = d.diff(old, new)
    assert (change.kind, change.old, change.new) == (
        "response_retyped", "thing", "string(binary)")


# --- command line and output -------------------------------------------------------------------


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(capsys, str(OLD), str(NEW), "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["old_version"] == "2000-01-01"
    assert report["new_version"] == "2000-02-02"
    assert report["summary"]["total"] == len(EXPECTED) == len(report["changes"])
    assert report["summary"]["breaking"] == sum(r[1] for r in EXPECTED)
    assert list(report["summary"]["by_kind"]) == list(d.KINDS)
    assert report["summary"]["by_kind"]["param_added"] == 6
    first = report["changes"][0]
    assert set(first) == {"kind", "breaking", "operation", "schema", "path", "old", "new",
                          "detail"}
    assert first == {
        "kind": "response_retyped", "breaking": False, "operation": "GET /v1/gadgets/{gadget}",
        "schema": None, "path": None, "old": "deleted_gadget | gadget", "new": "gadget",
        "detail": "returns `deleted_gadget | gadget` → `gadget` (narrowed)",
    }
    added = [c for c in report["changes"] if c["kind"] == "operation_added"]
    assert added == [{"kind": "operation_added", "breaking": False,
                      "operation": "POST /v1/sprockets", "schema": None, "path": None,
                      "old": None, "new": "PostSprockets",
                      "detail": "new operation `PostSprockets`"}]


def test_cli_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(capsys, str(OLD), str(NEW))
    assert code == 0
    assert out.startswith("# API changes 2000-01-01 → 2000-02-02\n")
    assert "**37 changes, 17 breaking.**" in out
    assert "  - path placeholder renamed: `/v1/rates/{currency}` → `/v1/rates/{rate_id}`" in out
    headings = [line for line in out.splitlines() if line.startswith("## ")]
    assert headings == ["## Breaking changes", "## Added", "## Removed", "## Changed"]
    breaking = out.split("## Breaking changes")[1].split("## Added")[0]
    assert "- `DELETE /v1/widgets/{widget}` — operation removed (`DeleteWidgetsWidget`)" in breaking
    assert "  - param `color` no longer accepts values: `blue`" in breaking
    assert "  - field `size` removed (was `integer`)" in breaking
    added = out.split("## Added")[1].split("## Removed")[0]
    assert "- `POST /v1/sprockets` — new operation `PostSprockets`" in added
    assert "- `sprocket` — new resource" in added
    assert "  - param `items[].discount` added: `integer` (optional)" in added
    assert "| param_added | 6 | 2 |" in out


def test_cli_breaking_only_and_fail_on_breaking(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(capsys, str(OLD), str(NEW), "--format", "json", "--breaking-only")
    assert code == 0
    report = json.loads(out)
    assert report["changes"] and all(c["breaking"] for c in report["changes"])
    assert report["summary"]["total"] == sum(r[1] for r in EXPECTED)
    code, out = run_cli(capsys, str(OLD), str(NEW), "--breaking-only")
    assert "## Breaking changes" in out and "## Added" not in out
    assert run_cli(capsys, str(OLD), str(NEW), "--fail-on-breaking")[0] == 1
    assert run_cli(capsys, str(NEW), str(NEW), "--fail-on-breaking")[0] == 0


def test_cli_output_is_deterministic(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for fmt in ("markdown", "json"):
        first = run_cli(capsys, str(OLD), str(NEW), "--format", fmt)[1]
        assert run_cli(capsys, str(OLD), str(NEW), "--format", fmt)[1] == first
        target = tmp_path / f"out.{fmt}"
        assert run_cli(capsys, str(OLD), str(NEW), "--format", fmt, "-o", str(target))[0] == 0
        assert target.read_text(encoding="utf-8") == first


def test_cli_unreadable_spec(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"info": {}}')
    assert codegen_main(["diff", str(bad), str(NEW)]) == 2
    assert "not an OpenAPI document" in capsys.readouterr().err


# --- the real specs ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real() -> tuple[dict[str, Any], dict[str, Any], list[d.Change], float]:
    if not (REAL_OLD.is_file() and REAL_NEW.is_file()):
        pytest.skip(f"real specs not found in {SHARED}")
    old, new = load_document(REAL_OLD), load_document(REAL_NEW)
    start = time.perf_counter()
    changes = d.diff(old, new)
    return old, new, changes, time.perf_counter() - start


def find(changes: list[d.Change], kind: str, subject: str, path: str | None = None,
         **values: str) -> d.Change:
    hits = [c for c in changes if c.kind == kind and c.subject == subject and c.path == path
            and all(getattr(c, k) == v for k, v in values.items())]
    assert len(hits) == 1, (kind, subject, path, values, hits)
    return hits[0]


def test_real_specs_billing_meters_and_entitlements(real: Any) -> None:
    _, _, changes, _ = real
    for resource in ("billing.meter", "billing.meter_event", "billing.meter_event_adjustment",
                     "entitlements.feature", "entitlements.active_entitlement"):
        assert not find(changes, "resource_added", resource).breaking
    for op, op_id in (("GET /v1/billing/meters", "GetBillingMeters"),
                      ("POST /v1/billing/meters", "PostBillingMeters"),
                      ("POST /v1/billing/meter_events", "PostBillingMeterEvents"),
                      ("GET /v1/entitlements/features", "GetEntitlementsFeatures"),
                      ("GET /v1/entitlements/active_entitlements",
                       "GetEntitlementsActiveEntitlements")):
        assert not find(changes, "operation_added", op, new=op_id).breaking
    # a new resource's fields and a new operation's params are not listed one by one
    assert not [c for c in changes if c.subject in ("billing.meter", "GET /v1/billing/meters")
                and c.kind not in ("resource_added", "operation_added")]


def test_real_specs_spot_checks(real: Any) -> None:
    _, _, changes, _ = real
    assert find(changes, "operation_removed", "GET /v1/issuing/settlements").breaking
    # 2024-04-10 replaced product.features with marketing_features
    assert find(changes, "field_removed", "product", "features").breaking
    assert not find(changes, "field_added", "product", "marketing_features").breaking
    assert find(changes, "param_removed", "POST /v1/products", "features").breaking
    # events dropped from and added to webhook endpoints
    assert find(changes, "param_enum_value_removed", "POST /v1/webhook_endpoints",
                "enabled_events", old="sku.created").breaking
    assert not find(changes, "param_enum_value_added", "POST /v1/webhook_endpoints",
                    "enabled_events", new="climate.order.created").breaking
    assert not find(changes, "param_made_optional", "POST /v1/checkout/sessions",
                    "success_url").breaking
    fee = find(changes, "param_retyped", "POST /v1/subscriptions", "application_fee_percent")
    assert (fee.old, fee.new, fee.note, fee.breaking) == (
        "number", '"" | number', "widened", False)
    status = find(changes, "field_retyped", "terminal.reader", "status")
    assert (status.new, status.breaking) == ("string (enum)", False)
    assert not find(changes, "field_made_non_nullable", "invoice", "discounts").breaking
    renamed = find(changes, "field_retyped", "invoice", "shipping_cost")
    assert (renamed.old, renamed.new, renamed.note) == (
        "invoices_shipping_cost", "invoices_resource_shipping_cost", "same fields")
    assert not find(changes, "field_enum_value_added", "balance_transaction", "type",
                    new="climate_order_purchase").breaking


def test_real_specs_counts_and_speed(real: Any) -> None:
    old, new, changes, seconds = real
    assert seconds < 5, f"diff took {seconds:.1f}s"
    assert len(set(changes)) == len(changes)
    ops = d.Doc(new).operations()
    old_ops = d.Doc(old).operations()
    added = {c.operation for c in changes if c.kind == "operation_added"}
    removed = {c.operation for c in changes if c.kind == "operation_removed"}
    assert added == ops.keys() - old_ops.keys() and len(added) == 66
    assert removed == old_ops.keys() - ops.keys() == {"GET /v1/issuing/settlements"}
    assert len([c for c in changes if c.kind == "resource_added"]) == 20
    report = json.loads(d.to_json("2023-08-16", "2024-04-10", changes))
    assert report["summary"]["total"] == len(changes)
    markdown = d.to_markdown("2023-08-16", "2024-04-10", changes)
    for section in d.SECTIONS:
        assert f"\n## {section}\n" in markdown


def test_real_specs_2024_to_2026_removed_operations_and_moved_fields() -> None:
    """2024-04-10 -> 2026-05-27 (the committed changelog, docs/api-diff-2024-04-10-to-2026-05-27.md):
    the four operations Stripe removed (stripe-python 16 has none of them) are breaking removals,
    the subscription's period moved to its items, and nothing is reported twice as a removal and
    an addition of the same route."""
    old_path, new_path = SHARED / "spec3.json", SHARED / "spec3.2026-05-27.json"
    if not (old_path.is_file() and new_path.is_file()):
        pytest.skip(f"specs not found in {SHARED}")
    old, new = load_document(old_path), load_document(new_path)
    changes = d.diff(old, new)
    removed = {c.subject for c in changes if c.kind == "operation_removed"}
    assert removed == {
        "GET /v1/invoices/upcoming", "GET /v1/invoices/upcoming/lines",
        "POST /v1/subscription_items/{subscription_item}/usage_records",
        "GET /v1/subscription_items/{subscription_item}/usage_record_summaries",
    }
    assert all(c.breaking for c in changes if c.kind == "operation_removed")
    for field in ("current_period_start", "current_period_end"):
        assert find(changes, "field_removed", "subscription", field).breaking
        assert not find(changes, "field_added", "subscription_item", field).breaking
    assert "current_period_end" in old["components"]["schemas"]["subscription"]["properties"]
    assert "current_period_end" in new["components"]["schemas"]["subscription_item"]["properties"]
    added = {c.subject for c in changes if c.kind == "operation_added"}

    def shape(key: str) -> str:
        return re.sub(r"\{[^{}]*\}", "{}", key)

    assert not {shape(k) for k in removed} & {shape(k) for k in added}
    # the committed changelog is this diff
    doc = REPO / "docs" / "api-diff-2024-04-10-to-2026-05-27.md"
    text = d.to_markdown(str(old["info"]["version"]), str(new["info"]["version"]), changes,
                         command="python -m codegen diff ../shared/stripe-openapi/spec3.json "
                                 "../shared/stripe-openapi/spec3.2026-05-27.json")
    assert doc.read_text(encoding="utf-8") == text
