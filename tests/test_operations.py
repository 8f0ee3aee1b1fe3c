"""Every v1 operation of the pinned spec (plus overlays) has exactly one generated method, named like
stripe-python names it (all 532 v1 names of stripe-python 16.1 for the 2026-05-27 spec work, under
`client.x` and `client.v1.x`); the older 2023-08-16 spec generates and imports too."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

import aiostripe
from codegen import ir, spec
from tests.gen_helpers import SHARED, generate_into, run_against

NAMES_FILE = SHARED / "stripe-python-names.2026-05-27.json"


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
    public = sum(1 for o in api.operations if o.path.startswith("/v1/")) - overlay_count
    stripe_v1 = [
        (verb, path) for path, ops in spec.load(overlays=False)["paths"].items()
        for verb in ops if path.startswith("/v1/") and verb in ("get", "post", "delete")
    ]
    assert public == len(stripe_v1) == 587
    assert overlay_count == 19  # spec/overlays: preview endpoints the public spec lacks
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
async def test_every_v1_name_of_stripe_python_works(api: ir.API) -> None:
    # stripe-python-names.2026-05-27.json: what stripe-python 16.1 calls each operation of the
    # pinned spec, observed by calling it ("VERB /path": "v1.service.method")
    names = {k: v.removeprefix("v1.") for k, v in json.loads(NAMES_FILE.read_text()).items()
             if v.startswith("v1.")}
    assert len(names) == 532
    ops = {o.key: o for o in api.operations}
    async with aiostripe.StripeClient("sk_test_x", base_url="http://127.0.0.1:9") as client:
        working = []
        for key, name in sorted(names.items()):
            *service, method = name.split(".")
            for root in (client, client.v1):
                target = _walk(root, tuple(service), method)
                doc = inspect.getdoc(target) or ""
                assert f"`{ops[key].verb.upper()} {ops[key].path}`" in doc, (key, name)
            working.append(name)
        assert len(working) == 532
        # and each is the primary name of its operation, not only an alias
        primary = {k: ".".join((*ops[k].service, ops[k].method)) for k in names}
        assert sum(primary[k] == names[k] for k in names) == 532


async def test_v1_is_the_same_tree() -> None:
    async with aiostripe.StripeClient("sk_test_x", base_url="http://127.0.0.1:9") as client:
        assert client.v1.customers is client.customers
        assert client.v1.billing.credit_grants is client.billing.credit_grants
        assert client.v1.checkout.sessions.update.__func__ is (  # type: ignore[attr-defined]
            client.checkout.sessions.update.__func__  # type: ignore[attr-defined]
        )


def test_list_and_search_counts(api: ir.API) -> None:
    # counted in Stripe's spec itself: operations answering a `list` or `search_result` page
    doc = spec.load(overlays=False)
    kinds: dict[str, list[str]] = {"list": [], "search_result": []}
    for path, ops in doc["paths"].items():
        for verb, op in ops.items():
            schema = op["responses"]["200"].get("content", {}).get("application/json", {})
            tag = schema.get("schema", {}).get("properties", {}).get("object", {}).get("enum")
            if path.startswith("/v1/") and tag and tag[0] in kinds:
                kinds[tag[0]].append(f"{verb.upper()} {path}")
    public = [o for o in api.operations if not o.preview and o.path.startswith("/v1/")]
    assert sorted(o.key for o in public if o.kind == "list") == sorted(kinds["list"])
    assert sorted(o.key for o in public if o.kind == "search") == sorted(kinds["search_result"])
    assert (len(kinds["list"]), len(kinds["search_result"])) == (122, 7)
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
