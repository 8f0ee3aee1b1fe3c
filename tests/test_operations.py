"""Every operation of the spec (plus overlays) has exactly one generated method, named like
stripe-python names it; the older 2023-08-16 spec generates and imports too."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

import aiostripe
from codegen import ir, spec
from tests.gen_helpers import SHARED, generate_into, run_against

NAMES_FILE = SHARED / "stripe-python-names.json"


@pytest.fixture(scope="module")
def api() -> ir.API:
    return ir.build(spec.load())


def _walk(client: object, service_path: tuple[str, ...], method: str) -> object:
    target = client
    for part in service_path:
        target = getattr(target, part)
    return getattr(target, method)


async def test_every_operation_has_exactly_one_method(api: ir.API) -> None:
    overlay_count = sum(1 for o in api.operations if o.preview)
    public = len(api.operations) - overlay_count
    assert public == 533
    assert overlay_count == 22  # spec/overlays: preview endpoints the public spec lacks
    async with aiostripe.StripeClient("sk_test_x", base_url="http://127.0.0.1:9") as client:
        seen: dict[tuple[str, ...], str] = {}
        for op in api.operations:
            key = (*op.service, op.method)
            assert key not in seen, f"{op.key} and {seen[key]} share {'.'.join(key)}"
            seen[key] = op.key
            method = _walk(client, op.service, op.method)
            assert callable(method), op.key
            doc = inspect.getdoc(method) or ""
            assert f"`{op.verb.upper()} {op.path}`" in doc
            assert ("(Preview)" in doc) == op.preview
            sig = inspect.signature(method)
            assert [p.name for p in op.path_params] == [
                n for n, p in sig.parameters.items() if p.kind is p.POSITIONAL_OR_KEYWORD
            ]
            assert "request_options" in sig.parameters
        assert len(seen) == len(api.operations)


def test_generated_ir_json_matches_the_spec(api: ir.API) -> None:
    from aiostripe import _generated

    data = json.loads((Path(_generated.__file__).parent / "ir.json").read_text())
    assert {(o["verb"], o["path"]) for o in data["operations"]} == {
        (o.verb, o.path) for o in api.operations
    }


@pytest.mark.skipif(not NAMES_FILE.exists(), reason="../shared not present")
def test_method_names_match_stripe_python(api: ir.API) -> None:
    names = json.loads(NAMES_FILE.read_text())
    ours = {o.key: ".".join((*o.service, o.method)) for o in api.operations}
    wrong = {k: (v, ours.get(k)) for k, v in names.items() if ours.get(k) != v}
    assert not wrong
    assert len(names) == 479


def test_list_and_search_counts(api: ir.API) -> None:
    public = [o for o in api.operations if not o.preview]
    assert sum(o.kind == "list" for o in public) == 117
    assert sum(o.kind == "search" for o in public) == 7
    assert [o.key for o in public if o.kind == "binary"] == ["GET /v1/quotes/{quote}/pdf"]
    files = [o.key for o in public if o.host == "files"]
    assert "POST /v1/files" in files
    assert [o.key for o in public if o.multipart] == ["POST /v1/files"]


@pytest.mark.skipif(not (SHARED / "spec3.2023-08-16.yaml").exists(), reason="no old spec")
def test_previous_spec_generates_and_imports(tmp_path: Path) -> None:
    gen = generate_into(SHARED / "spec3.2023-08-16.yaml", tmp_path / "generated")
    out = run_against(
        gen,
        """
        import importlib, json, pkgutil
        import aiostripe._generated.models as models
        import aiostripe._generated.services as services
        for info in pkgutil.iter_modules(models.__path__):
            importlib.import_module(f"aiostripe._generated.models.{info.name}")
        for info in pkgutil.iter_modules(services.__path__):
            importlib.import_module(f"aiostripe._generated.services.{info.name}")
        assert aiostripe._generated.API_VERSION == "2023-08-16"
        assert "BillingMeter" not in models.INDEX and "Customer" in models.INDEX
        from aiostripe import StripeClient
        c = StripeClient("sk_test_x")
        assert callable(c.treasury.transactions.list)
        print(len(models.INDEX))
        """,
    )
    assert int(out) > 800
