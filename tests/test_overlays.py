"""Spec overlays (spec/overlays/): the preview endpoints the reference lists, the pinned spec lacks;
and overlays that retire themselves once Stripe's spec has what they add."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from codegen import spec as spec_mod

SHARED = spec_mod.REPO.parent / "shared"
SEED = next(iter(sorted((SHARED / "seeds").glob("000_*.txt"))), None)
FIXTURES = SHARED / "stripe-openapi" / "fixtures3.private_preview.json"
OVERLAY_FILES = sorted(spec_mod.OVERLAY_DIR.glob("*.json"))
VERBS = ("get", "post", "delete", "put", "patch")
SCHEMA_REF = "#/components/schemas/"

# `[POST/v1/terminal/readers/:id/collect_inputs](/api/terminal/readers/collect_inputs)`
ENDPOINT_LINE = re.compile(r"^\[(GET|POST|DELETE)(/v1/[^\]\s]*)\]\([^)]*\)\s*$", re.MULTILINE)
PLACEHOLDER = re.compile(r"\{[^}/]+\}|:[A-Za-z_][A-Za-z0-9_]*")


def shape(path: str) -> str:
    """A route with its placeholders blanked: `/v1/x/:id` and `/v1/x/{x}` both give `/v1/x/{}`."""
    return PLACEHOLDER.sub("{}", path)


def seed_endpoints() -> list[tuple[str, str]]:
    """(verb, path) of every endpoint line of the reference's endpoint list, in order."""
    if SEED is None:
        pytest.skip("no seed endpoint list beside the repository")
    return [(verb.lower(), path) for verb, path in ENDPOINT_LINE.findall(SEED.read_text("utf-8"))]


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every dict inside a JSON value (the value itself included)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


@pytest.fixture(scope="module")
def public() -> dict[str, Any]:
    return spec_mod.load(overlays=False)


@pytest.fixture(scope="module")
def merged(public: dict[str, Any]) -> dict[str, Any]:
    return spec_mod.merge_overlays(copy.deepcopy(public))


@pytest.fixture(scope="module")
def overlays() -> dict[str, dict[str, Any]]:
    assert OVERLAY_FILES, "no overlay files in spec/overlays/"
    return {p.name: json.loads(p.read_text("utf-8")) for p in OVERLAY_FILES}


@pytest.fixture(scope="module")
def overlay_ops(overlays: dict[str, dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (verb, route): op
        for frag in overlays.values()
        for route, ops in frag.get("paths", {}).items()
        for verb, op in ops.items()
    }


@pytest.fixture(scope="module")
def overlay_schemas(overlays: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for frag in overlays.values():
        for name, schema in frag.get("components", {}).get("schemas", {}).items():
            assert name not in out, f"schema {name!r} is defined by two overlay files"
            out[name] = schema
    return out


@pytest.fixture(scope="module")
def missing(public: dict[str, Any]) -> list[tuple[str, str]]:
    """Seed endpoints that the public spec lacks, compared by verb and route shape."""
    have = {
        (verb, shape(route))
        for route, ops in public["paths"].items()
        for verb in ops
        if verb in VERBS
    }
    return [(verb, path) for verb, path in seed_endpoints() if (verb, shape(path)) not in have]


def test_seed_lists_19_endpoints_missing_from_the_public_spec(
    missing: list[tuple[str, str]], public: dict[str, Any]
) -> None:
    assert len(missing) == 19, missing
    assert len(set(missing)) == 19
    # the reader actions the reference lists are Stripe's now (the 2024-04-10 spec lacked them)
    for action in ("collect_inputs", "collect_payment_method", "confirm_payment_intent"):
        assert "post" in public["paths"][f"/v1/terminal/readers/{{reader}}/{action}"]


def test_loader_merges_the_overlays() -> None:
    doc = spec_mod.load()
    assert "/v1/crypto/onramp_sessions" in doc["paths"]
    assert "terminal.hardware_order" in doc["components"]["schemas"]


def test_every_missing_endpoint_is_present_after_merging(
    missing: list[tuple[str, str]], merged: dict[str, Any]
) -> None:
    have = {(verb, shape(route)) for route, ops in merged["paths"].items() for verb in ops}
    absent = [(verb, path) for verb, path in missing if (verb, shape(path)) not in have]
    assert not absent, absent


def test_overlays_add_exactly_the_missing_endpoints(
    missing: list[tuple[str, str]], overlay_ops: dict[tuple[str, str], dict[str, Any]]
) -> None:
    assert sorted((v, shape(p)) for v, p in overlay_ops) == sorted(
        (v, shape(p)) for v, p in missing
    )


def test_overlay_operations_are_flagged_preview_and_shaped_like_the_spec(
    overlay_ops: dict[tuple[str, str], dict[str, Any]], merged: dict[str, Any]
) -> None:
    op_ids = set()
    for (verb, route), op in overlay_ops.items():
        where = f"{verb.upper()} {route}"
        assert op.get("x-aiostripePreview") is True, where
        assert merged["paths"][route][verb] is not None, where
        assert op.get("operationId") and op["operationId"] not in op_ids, where
        op_ids.add(op["operationId"])
        assert op.get("description"), where
        params = op.get("parameters", [])
        names = [p["name"] for p in params]
        assert len(names) == len(set(names)), where
        path_names = {p["name"] for p in params if p["in"] == "path"}
        assert path_names == set(re.findall(r"\{([^}]+)\}", route)), where
        for p in params:
            assert p["in"] in ("path", "query"), where
            assert p["style"] == ("simple" if p["in"] == "path" else p["style"]), where
        body = op["requestBody"]["content"]["application/x-www-form-urlencoded"]
        assert body["schema"]["additionalProperties"] is False, where
        if verb == "get":
            assert body["schema"]["properties"] == {} and body["encoding"] == {}, where
            assert "expand" in names, where
        else:
            props = body["schema"]["properties"]
            assert "expand" in props, where
            for name in body["encoding"]:
                assert name in props, where
        responses = op["responses"]
        assert responses["default"]["content"]["application/json"]["schema"] == {
            "$ref": SCHEMA_REF + "error"
        }, where
        ok = responses["200"]["content"]["application/json"]["schema"]
        if "properties" in ok:  # a list page
            assert ok["properties"]["object"]["enum"] == ["list"], where
            assert ok["properties"]["data"]["items"]["$ref"].startswith(SCHEMA_REF), where
            assert set(ok["required"]) == {"data", "has_more", "object", "url"}, where
            assert {"ending_before", "starting_after", "limit", "expand"} <= set(names), where
        else:
            assert ok["$ref"].startswith(SCHEMA_REF), where


def test_every_ref_in_the_overlays_resolves(
    overlays: dict[str, dict[str, Any]], merged: dict[str, Any]
) -> None:
    schemas = merged["components"]["schemas"]
    refs = [
        (name, node["$ref"])
        for name, frag in overlays.items()
        for node in walk(frag)
        if "$ref" in node
    ]
    assert refs
    for name, target in refs:
        assert target.startswith(SCHEMA_REF), (name, target)
        assert target[len(SCHEMA_REF) :] in schemas, (name, target)


def test_overlay_schemas_follow_the_spec_conventions(
    overlay_schemas: dict[str, dict[str, Any]],
) -> None:
    for name, schema in overlay_schemas.items():
        assert schema["type"] == "object" and schema.get("title") and "description" in schema, name
        assert set(schema.get("required", [])) <= set(schema["properties"]), name
        assert set(schema.get("x-expandableFields", [])) <= set(schema["properties"]), name
        assert schema.get("x-aiostripePreview") is True, name
        if "x-resourceId" in schema:
            assert schema["x-resourceId"] == name, name
            assert schema["properties"]["object"]["enum"] == [name], name


def _resolve(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any] | None:
    """The object schema a value must match (through `$ref` and single-member `anyOf`), if any."""
    while True:
        if "$ref" in schema:
            schema = schemas[schema["$ref"][len(SCHEMA_REF) :]]
        elif len(schema.get("anyOf", [])) == 1:
            schema = schema["anyOf"][0]
        else:
            return schema if schema.get("properties") else None


def _check(value: Any, schema: dict[str, Any], schemas: dict[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    if isinstance(value, list):
        items = schema.get("items")
        if items is None:
            for sub in schema.get("anyOf", []):
                items = sub.get("items", items)
        for i, item in enumerate(value):
            if items is not None:
                problems += _check(item, items, schemas, f"{where}[{i}]")
        return problems
    target = _resolve(schema, schemas)
    if not isinstance(value, dict) or target is None:
        return problems
    props = target["properties"]
    problems += [
        f"{where}: lacks required {k!r}" for k in target.get("required", []) if k not in value
    ]
    problems += [f"{where}: has {k!r}, which the schema lacks" for k in value if k not in props]
    for key, sub in value.items():
        if key in props:
            problems += _check(sub, props[key], schemas, f"{where}.{key}")
    return problems


def test_fixtures_match_the_overlay_schemas(
    overlay_schemas: dict[str, dict[str, Any]], merged: dict[str, Any]
) -> None:
    if not FIXTURES.is_file():
        pytest.skip("no fixtures3.private_preview.json beside the repository")
    resources = json.loads(FIXTURES.read_text("utf-8"))["resources"]
    schemas = merged["components"]["schemas"]
    checked = []
    for schema in overlay_schemas.values():
        resource = schema.get("x-resourceId")
        if isinstance(resource, str) and resource in resources:
            problems = _check(resources[resource], schema, schemas, resource)
            assert not problems, problems
            checked.append(resource)
    assert "crypto.onramp_session" in checked


def test_overlay_files_are_formatted() -> None:
    for path in OVERLAY_FILES:
        text = path.read_text("utf-8")
        expected = json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        assert text == expected, f"{path.name} is not indent-2, sorted-keys JSON"


def _merge(doc: dict[str, Any], tmp_path: Path, frag: dict[str, Any]) -> list[str]:
    (tmp_path / "x.json").write_text(json.dumps(frag), encoding="utf-8")
    lines: list[str] = []
    spec_mod.merge_overlays(doc, tmp_path, report=lines.append)
    return lines


def test_an_overlay_of_what_stripe_has_retires_itself(
    merged: dict[str, Any], overlays: dict[str, dict[str, Any]]
) -> None:
    # merging our overlays into a spec that already has all they add (the merged one): each
    # operation and schema is left out with one line naming it, and the spec is unchanged
    lines: list[str] = []
    doc = copy.deepcopy(merged)
    spec_mod.merge_overlays(doc, report=lines.append)
    assert doc == merged
    ops = sum(len(v) for f in overlays.values() for v in f.get("paths", {}).values())
    schemas = sum(len(f.get("components", {}).get("schemas", {})) for f in overlays.values())
    assert len(lines) == ops + schemas
    assert "overlay terminal_hardware.json: GET /v1/terminal/hardware_orders is in Stripe's spec" in (
        "\n".join(lines)
    )
    assert all("left out, Stripe's wins" in line for line in lines)


def test_the_same_operation_under_another_placeholder_name_retires(
    public: dict[str, Any], tmp_path: Path
) -> None:
    # what terminal_reader_actions.json added to the 2024-04-10 spec, under `{id}`: Stripe's spec
    # has it as /v1/terminal/readers/{reader}/collect_inputs
    ours = {"operationId": "ours", "x-aiostripePreview": True, "responses": {}}
    route = "/v1/terminal/readers/{id}/collect_inputs"
    doc = copy.deepcopy(public)
    lines = _merge(doc, tmp_path, {"paths": {route: {"post": ours}}})
    assert lines == [
        (f"overlay x.json: POST {route} is in Stripe's spec "
         "(POST /v1/terminal/readers/{reader}/collect_inputs): left out, Stripe's wins")
    ]
    assert route not in doc["paths"]
    assert doc["paths"]["/v1/terminal/readers/{reader}/collect_inputs"]["post"] == (
        public["paths"]["/v1/terminal/readers/{reader}/collect_inputs"]["post"]
    )


def test_a_method_added_to_a_path_stripe_has_is_reported(
    public: dict[str, Any], tmp_path: Path
) -> None:
    op = {"operationId": "GetCollectInputs", "x-aiostripePreview": True, "responses": {},
          "parameters": [{"in": "path", "name": "id", "required": True, "schema": {}}]}
    doc = copy.deepcopy(public)
    lines = _merge(doc, tmp_path, {"paths": {"/v1/terminal/readers/{id}/collect_inputs": {
        "get": op}}})
    stripe_route = "/v1/terminal/readers/{reader}/collect_inputs"
    assert lines == [
        ("overlay x.json: adds GET /v1/terminal/readers/{id}/collect_inputs to "
         f"{stripe_route}, a path Stripe's spec has")
    ]
    merged_op = doc["paths"][stripe_route]["get"]
    assert merged_op["parameters"][0]["name"] == "reader"  # named as Stripe's route names it
    assert doc["paths"][stripe_route]["post"] == public["paths"][stripe_route]["post"]


def test_a_schema_stripe_has_retires(public: dict[str, Any], tmp_path: Path) -> None:
    doc = copy.deepcopy(public)
    lines = _merge(doc, tmp_path, {"components": {"schemas": {
        "customer": {"type": "object"}, "brand_new_preview": {"type": "object"}}}})
    assert lines == [("overlay x.json: schema 'customer' is in Stripe's spec: left out, "
                      "Stripe's wins")]
    assert doc["components"]["schemas"]["customer"] == public["components"]["schemas"]["customer"]
    assert doc["components"]["schemas"]["brand_new_preview"] == {"type": "object"}


def test_the_pinned_spec_needs_every_overlay(public: dict[str, Any]) -> None:
    lines: list[str] = []
    spec_mod.merge_overlays(copy.deepcopy(public), report=lines.append)
    assert lines == []


@pytest.mark.parametrize("path", OVERLAY_FILES, ids=lambda p: p.name)
def test_each_overlay_file_merges_alone(path: Path, public: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / path.name).write_text(path.read_text("utf-8"), encoding="utf-8")
    doc = spec_mod.merge_overlays(copy.deepcopy(public), tmp_path)
    frag = json.loads(path.read_text("utf-8"))
    for route, ops in frag.get("paths", {}).items():
        for verb in ops:
            assert doc["paths"][route][verb]["x-aiostripePreview"] is True
