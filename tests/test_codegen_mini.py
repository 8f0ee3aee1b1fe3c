"""The generator on a small hand-written spec that holds one of each construct.

Covers: nullable, enums (and values the spec does not know), expandable fields, `deleted_*`
objects, polymorphic unions by `object`, list and search pages, metadata, a keyword field name,
emptyable (`""`) params, nested params, actions, nested services, binary and multipart bodies,
event types. The generated package is imported in a subprocess and exercised there.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from codegen import ir, spec
from tests.gen_helpers import MINI_SPEC, REPO, generate_into, run_against


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_into(MINI_SPEC, tmp_path_factory.mktemp("mini") / "generated")


def test_ir_names_operations_like_stripe() -> None:
    api = ir.build(spec.load(MINI_SPEC, pinned=False, overlays=False))
    names = {o.key: ".".join((*o.service, o.method)) for o in api.operations}
    assert names == {
        "GET /v1/widgets": "widgets.list",
        "POST /v1/widgets": "widgets.create",
        "GET /v1/widgets/search": "widgets.search",
        "GET /v1/widgets/{widget}": "widgets.retrieve",
        "POST /v1/widgets/{widget}": "widgets.update",
        "DELETE /v1/widgets/{widget}": "widgets.delete",
        "POST /v1/widgets/{widget}/polish": "widgets.polish",
        "GET /v1/widgets/{widget}/gadgets": "widgets.gadgets.list",
        "GET /v1/widgets/{widget}/manual": "widgets.manual",
        "POST /v1/uploads": "uploads.create",
        "POST /v1/test_helpers/widgets/{widget}/break": "test_helpers.widgets.break_",
        "POST /v1/webhook_endpoints": "webhook_endpoints.create",
    }


def test_model_types(mini: Path) -> None:
    source = (mini / "models" / "widget.py").read_text()
    assert 'color: Literal["red", "blue"]' in source
    assert "nickname: str | None\n" in source  # required but nullable: no default
    assert "owner: str | Gadget | DeletedGadget | None = None" in source
    assert "metadata: dict[str, str]" in source
    assert "is_: bool" in source and '_RENAMES: ClassVar[dict[str, str]] = {"is_": "is"}' in source
    assert "size: WidgetSize" in source and "class WidgetSize(StripeObject)" in source
    assert "parts: ListObject[Gadget] | None = None" in source
    assert (mini / "models" / "thing.py").read_text().count('Thing: TypeAlias = "Widget | Gadget"')


def test_params_types(mini: Path) -> None:
    source = (mini / "params" / "widgets.py").read_text()
    assert "class WidgetsCreateParams(TypedDict, total=False):" in source
    assert 'color: Required[Literal["red", "blue"]]' in source
    assert 'nickname: str | Literal[""]' in source
    assert 'metadata: dict[str, str] | Literal[""]' in source
    assert "size: WidgetsCreateParamsSize" in source
    assert "width: Required[int]" in source
    assert "items: list[WidgetsCreateParamsItems]" in source
    assert "created: WidgetsListParamsCreated | int" in source
    assert "is_: bool" in source


def test_generated_package_parses_and_keeps_unknown_data(mini: Path) -> None:
    out = run_against(
        mini,
        """
        from aiostripe._models import structure
        from aiostripe._generated.models import Widget, Gadget, DeletedGadget
        data = {
            "id": "wd_1", "object": "widget", "color": "green", "nickname": None,
            "owner": {"id": "gd_1", "object": "gadget", "deleted": True},
            "metadata": {"a": "b"}, "is": True, "size": {"width": 2, "height": None, "depth": 3},
            "parts": {"object": "list", "data": [{"id": "gd_2", "object": "gadget", "created": 5}],
                      "has_more": False, "url": "/v1/gadgets"},
            "brand_new_field": {"x": 1},
        }
        w = structure(data, "Widget")
        assert type(w) is Widget
        assert w.color == "green"                      # enum value the spec does not know
        assert type(w.owner) is DeletedGadget          # polymorphic by object + deleted
        assert w.is_ is True and w["is"] is True       # keyword field
        assert w["brand_new_field"] == {"x": 1}        # unknown field reachable
        assert w.size["depth"] == 3
        assert type(w.parts.data[0]) is Gadget
        assert w.to_dict() == data, w.to_dict()        # round trip, unknown data included
        w2 = structure(dict(data, owner="gd_9"), "Widget")
        assert w2.owner == "gd_9"                      # unexpanded id
        thing = structure({"id": "gd_3", "object": "gadget", "created": 1}, "Thing")
        assert type(thing) is Gadget
        odd = structure({"id": "x", "object": "sprocket", "teeth": 9}, "Widget | Gadget")
        assert type(odd).__name__ == "StripeObject" and odd["teeth"] == 9
        assert odd.to_dict() == {"id": "x", "object": "sprocket", "teeth": 9}
        from aiostripe._generated.event_types import EVENT_TYPES
        assert EVENT_TYPES == {"widget.created", "widget.deleted"}
        print("ok")
        """,
    )
    assert out.strip() == "ok"


def test_services_shape(mini: Path) -> None:
    out = run_against(
        mini,
        """
        import inspect
        from aiostripe import StripeClient
        c = StripeClient("sk_test_123")
        w = c.widgets
        assert inspect.iscoroutinefunction(w.create)
        assert not inspect.iscoroutinefunction(w.list)   # returns an awaitable ListRequest
        assert list(inspect.signature(w.retrieve).parameters)[:1] == ["widget"]
        assert "request_options" in inspect.signature(w.create).parameters
        assert inspect.iscoroutinefunction(c.widgets.gadgets.list) is False
        assert inspect.iscoroutinefunction(c.test_helpers.widgets.break_)
        assert "(Preview)" not in (w.create.__doc__ or "")
        assert "Create a widget." in w.create.__doc__
        src = inspect.getsource(type(c.uploads))
        assert 'host="files"' in src and "multipart=True" in src
        assert "returns" not in src or True
        print("ok")
        """,
    )
    assert out.strip() == "ok"


def test_output_is_deterministic(tmp_path: Path) -> None:
    a = generate_into(MINI_SPEC, tmp_path / "a")
    b = generate_into(MINI_SPEC, tmp_path / "b")
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert files_a == files_b and files_a
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_output_does_not_depend_on_where_the_generator_runs(tmp_path: Path) -> None:
    here = generate_into(MINI_SPEC, tmp_path / "here")
    elsewhere = tmp_path / "elsewhere"
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
        "from tests.gen_helpers import MINI_SPEC, generate_into;"
        "generate_into(MINI_SPEC, Path(sys.argv[2]))"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(REPO), str(elsewhere)], cwd="/", check=True, timeout=120
    )
    for path in sorted(p for p in here.rglob("*") if p.is_file()):
        rel = path.relative_to(here)
        assert path.read_bytes() == (elsewhere / rel).read_bytes(), rel
