"""Regeneration from any Stripe spec (issue 23 item 4).

Stripe's own specs (2023-08-16, 2024-04-10, 2026-04-22, 2026-05-27 in ../shared) are generated
through the command users run (`python -m codegen generate --spec X --out DIR --no-pin`), twice:
the two trees must be byte-identical, and every module of the package must import with the
client's namespaces reachable. A small spec built here holds what older specs (2019-2022, from
Stripe's openapi repository) have that the shared ones lack: a path segment that is not a Python
name (`/v1/3d_secure`), wire names that are not identifiers, a union of a map of objects and an
array of objects, operation-level `servers`; and constructs the generator cannot handle, which
must end in one line naming the spec location (JSON pointer), never a traceback.
"""

from __future__ import annotations

import copy
import filecmp
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codegen import ir
from codegen.location import GenerationError
from tests.gen_helpers import MINI_SPEC, REPO, SHARED, run_against

STRIPE_SPECS = ["spec3.2023-08-16.yaml", "spec3.json", "spec3.2026-04-22.json",
                "spec3.2026-05-27.json"]

# every module of the generated package, and every namespace of a client, walked
IMPORT_ALL = """
import importlib, pkgutil
n = 0
for sub in ("models", "params", "services"):
    pkg = importlib.import_module(f"aiostripe._generated.{sub}")
    for info in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"aiostripe._generated.{sub}.{info.name}")
        n += 1
import aiostripe._generated.event_routing
from aiostripe import StripeClient
from functools import cached_property
from aiostripe._service import Service
client = StripeClient("sk_test_x", base_url="http://127.0.0.1:9")
def walk(obj):
    count = 0
    for name in dir(type(obj)):
        if name != "v1" and isinstance(getattr(type(obj), name, None), cached_property):
            child = getattr(obj, name)
            if isinstance(child, Service):
                count += 1 + walk(child)
    return count
services = walk(client)
print(n, services)
"""


def _generate(spec_path: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codegen", "generate", "--spec", str(spec_path), "--out", str(out),
         "--no-pin", *extra],
        cwd=REPO, capture_output=True, text=True, check=False, timeout=300,
    )


def _same_tree(a: Path, b: Path) -> list[str]:
    """Paths that differ between two trees (by content), or exist in one only."""
    cmp = filecmp.dircmp(a, b)
    out = [str(Path(cmp.left).relative_to(a) / n) for n in cmp.left_only + cmp.right_only]
    out += [str(Path(cmp.left).relative_to(a) / n) for n in cmp.diff_files]
    for sub in cmp.subdirs:
        out += [f"{sub}/{p}" for p in _same_tree(a / sub, b / sub)]
    return out


@pytest.mark.parametrize("name", STRIPE_SPECS)
def test_stripe_spec_regenerates_deterministically_and_imports(name: str, tmp_path: Path) -> None:
    spec_path = SHARED / name
    if not spec_path.exists():
        pytest.skip(f"{spec_path} not present")
    first, second = tmp_path / "a" / "generated", tmp_path / "b" / "generated"
    for out in (first, second):
        proc = _generate(spec_path, out)
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
    assert _same_tree(first, second) == []
    # filecmp's shallow compare looks at size and mtime first: compare some bytes outright too
    for rel in ("ir.json", "models/__init__.py", "services/__init__.py"):
        assert (first / rel).read_bytes() == (second / rel).read_bytes()
    ops = json.loads((first / "ir.json").read_text())["operations"]
    assert len(ops) > 400
    # Stripe's spec sends uploads to files.stripe.com (operation-level `servers`)
    upload = next(o for o in ops if o["verb"] == "post" and o["path"] == "/v1/files")
    assert (upload["host"], upload["server"]) == ("files", "https://files.stripe.com")
    modules, services = map(int, run_against(first, IMPORT_ALL).split())
    assert modules > 1000 and services > 100


# --- what older specs have: a small spec holding it ---------------------------------------------


def _mini() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(MINI_SPEC.read_text())
    return doc


def _op(response: dict[str, Any], body: dict[str, Any] | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": "X", "parameters": [], "description": "",
        "responses": {"200": {"content": {"application/json": {"schema": response}},
                              "description": "OK"}},
    }
    if body is not None:
        op["requestBody"] = {"content": {"application/x-www-form-urlencoded": {"schema": body}}}
    return op


def _old_style_spec() -> dict[str, Any]:
    """mini.json plus what the 2019-2020 specs have that trips a generator."""
    doc = _mini()
    doc["components"]["schemas"]["three_d_secure"] = {
        "type": "object", "x-resourceId": "three_d_secure",
        "properties": {
            "id": {"type": "string"},
            "object": {"type": "string", "enum": ["three_d_secure"]},
            "3d_secure": {"type": "boolean"},  # a field whose name starts with a digit
            "card-brand": {"type": "string", "nullable": True},  # and one with a dash
            "card_brand": {"type": "string", "nullable": True},  # the same Python name
            "class": {"type": "string", "nullable": True},  # a keyword
        },
        "required": ["id", "object", "3d_secure"],
    }
    ref = {"$ref": "#/components/schemas/three_d_secure"}
    item = {"type": "object", "properties": {"amount": {"type": "integer"}}}
    other = {"type": "object", "properties": {"name": {"type": "string"}}}
    body = {"type": "object", "properties": {
        "amount": {"type": "integer"},
        "card-brand": {"type": "string"},  # a parameter whose name is no Python name
        "from": {"type": "string"},  # a keyword: `from_`, sent as `from`
        # anyOf: [map of object, array of object] -- one TypedDict name for both, before
        "lines": {"anyOf": [{"type": "object", "additionalProperties": item},
                            {"type": "array", "items": other}]},
    }}
    doc["paths"]["/v1/3d_secure"] = {"post": _op(ref, body)}
    doc["paths"]["/v1/3d_secure/{three_d_secure}"] = {"get": _op(ref)}
    events = _op(ref, {"type": "object", "properties": {"event_name": {"type": "string"}}})
    events["servers"] = [{"url": "https://meter-events.stripe.com/"}]
    doc["paths"]["/v1/billing/meter_event_stream"] = {"post": events}
    return doc


def test_names_that_are_not_identifiers_get_legal_ones_everywhere() -> None:
    api = ir.build(_old_style_spec())
    op = next(o for o in api.operations if o.key == "GET /v1/3d_secure/{three_d_secure}")
    assert (op.service, op.method) == (("three_d_secure",), "retrieve")
    model = api.models["ThreeDSecure"]
    names = {f.wire: f.name for f in model.fields}
    assert names == {"id": "id", "object": "object", "3d_secure": "n_3d_secure",
                     "card-brand": "card_brand", "card_brand": "card_brand_",
                     "class": "class_"}
    assert all(n.isidentifier() for n in names.values())


def test_union_members_get_distinct_type_names() -> None:
    api = ir.build(_old_style_spec())
    op = next(o for o in api.operations if o.key == "POST /v1/3d_secure")
    assert op.params is not None
    lines = next(f for f in op.params.fields if f.wire == "lines")
    svc = next(s for s in api.services.walk() if s.path == ("three_d_secure",))
    defs = {td.name: [f.wire for f in td.fields] for td in svc.typed_dicts}
    assert len(defs) == len(svc.typed_dicts)  # no name twice
    map_name, list_name = "ThreeDSecureCreateParamsLines", "ThreeDSecureCreateParamsLines2"
    assert defs[map_name] == ["amount"] and defs[list_name] == ["name"]
    assert lines.type == f"dict[str, {map_name}] | list[{list_name}]"


def test_operation_servers_choose_the_client_setting(tmp_path: Path) -> None:
    api = ir.build(_old_style_spec())
    hosts = {o.key: (o.host, o.server) for o in api.operations}
    assert hosts["POST /v1/uploads"] == ("files", "https://files.stripe.com")
    assert hosts["POST /v1/billing/meter_event_stream"] == (
        "meter_events", "https://meter-events.stripe.com")
    assert hosts["GET /v1/widgets"] == ("api", "https://api.stripe.com")


def test_old_style_spec_generates_imports_and_parses(tmp_path: Path) -> None:
    spec_path = tmp_path / "spec3.json"
    spec_path.write_text(json.dumps(_old_style_spec()))
    proc = _generate(spec_path, tmp_path / "generated", "--no-overlays")
    assert proc.returncode == 0, proc.stderr
    out = run_against(tmp_path / "generated", """
        import asyncio, inspect
        from aiostripe import StripeClient
        from aiostripe._generated.models import ThreeDSecure
        from aiostripe._models import structure
        client = StripeClient("sk_test_x", base_url="http://127.0.0.1:9")
        assert inspect.iscoroutinefunction(client.three_d_secure.retrieve)
        data = {"id": "tds_1", "object": "three_d_secure", "3d_secure": True,
                "card-brand": "visa", "class": "x"}
        obj = structure(data, "ThreeDSecure")
        assert type(obj).__name__ == "ThreeDSecure"
        assert (obj.n_3d_secure, obj.card_brand, obj.card_brand_, obj.class_) == (
            True, "visa", None, "x")
        assert obj.to_dict() == data
        # a parameter that is no Python name keeps its wire name as its key; a keyword's is
        # `from_`, and both are sent under their wire names
        from aiostripe._encode import encode_params
        from aiostripe._generated.params.three_d_secure import ThreeDSecureCreateParams
        keys = set(ThreeDSecureCreateParams.__annotations__)
        assert keys == {"amount", "card-brand", "from_", "lines"}, keys
        sent = encode_params({"card-brand": "visa", "from_": "x", "amount": 1})
        assert sent == [("card-brand", "visa"), ("from", "x"), ("amount", "1")], sent
        print("ok")
    """)
    assert out.strip() == "ok"


def _generate_doc(doc: dict[str, Any], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    spec_path = tmp_path / "spec3.json"
    spec_path.write_text(json.dumps(doc))
    return _generate(spec_path, tmp_path / "generated", "--no-overlays")


def _one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_an_unknown_server_is_an_error_naming_where(tmp_path: Path) -> None:
    doc = _mini()
    doc["paths"]["/v1/widgets"]["get"]["servers"] = [{"url": "https://example.invalid/"}]
    line = _one_line_error(_generate_doc(doc, tmp_path))
    assert "#/paths/~1v1~1widgets/get/servers/0/url" in line
    assert "https://example.invalid/" in line


def test_a_construct_it_cannot_handle_names_the_spec_location(tmp_path: Path) -> None:
    doc = _mini()
    del doc["paths"]["/v1/widgets"]["post"]["responses"]["200"]  # no 200 response
    line = _one_line_error(_generate_doc(doc, tmp_path))
    assert "#/paths/~1v1~1widgets/post" in line

    doc = _mini()
    widget = doc["components"]["schemas"]["widget"]
    widget["properties"]["size"] = {"$ref": "#/components/schemas/missing_schema"}
    line = _one_line_error(_generate_doc(doc, tmp_path))
    assert "#/components/schemas/widget" in line and "missing_schema" in line


def test_operations_with_one_name_are_named_in_the_error(tmp_path: Path) -> None:
    doc = _mini()
    doc["paths"]["/v1/widgets/create"] = {"post": copy.deepcopy(doc["paths"]["/v1/widgets"]["post"])}
    line = _one_line_error(_generate_doc(doc, tmp_path))
    assert "#/paths/~1v1~1widgets/post" in line and "#/paths/~1v1~1widgets~1create/post" in line
    assert "stripe.widgets.create" in line


def test_generation_error_is_a_spec_error() -> None:
    from codegen.spec import SpecError

    assert issubclass(GenerationError, SpecError)
    with pytest.raises(GenerationError, match="#/components/schemas/widget"):
        doc = _mini()
        doc["components"]["schemas"]["widget"]["properties"]["size"] = {"$ref": "#/nope/x"}
        ir.build(doc)



def test_a_spec_that_does_not_parse_is_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "spec3.json"
    broken.write_text('{"openapi": "3.0.0", "paths": {\n  "/v1/x": }\n')
    proc = _generate(broken, tmp_path / "generated")
    line = _one_line_error(proc)
    assert str(broken) in line and "not valid JSON" in line and "line 2" in line
    yaml_spec = tmp_path / "spec3.yaml"
    yaml_spec.write_text("openapi: 3.0.0\npaths: {\n  /v1/x: [\n")
    line = _one_line_error(_generate(yaml_spec, tmp_path / "generated"))
    assert str(yaml_spec) in line and "not valid YAML" in line
