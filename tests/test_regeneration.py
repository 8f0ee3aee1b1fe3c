"""Regenerating from another spec: names stay stable, the pin (of the spec's content, not its
bytes) refuses a spec it does not match, and re-pinning accepts it once it generates (the pin and
the cached copy change together or not at all)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from codegen import ir, repin, spec
from tests.gen_helpers import PIN_SPEC, SHARED

OLD = SHARED / "spec3.2023-08-16.yaml"
PREVIOUS_PIN = SHARED / "spec3.json"  # 2024-04-10
pytestmark = pytest.mark.skipif(not OLD.exists(), reason="../shared not present")


def test_names_are_stable_across_spec_versions() -> None:
    old = ir.build(spec.load(PREVIOUS_PIN, pinned=False, overlays=False))
    new = ir.build(spec.load(pinned=True, overlays=False))
    old_ops = {o.key: (o.service, o.method) for o in old.operations}
    new_ops = {o.key: (o.service, o.method) for o in new.operations}
    common = old_ops.keys() & new_ops.keys()
    assert len(common) > 450
    assert {k: old_ops[k] for k in common} == {k: new_ops[k] for k in common}
    old_models = {m.schema_id: (m.name, m.module) for m in old.models.values() if m.schema_id}
    new_models = {m.schema_id: (m.name, m.module) for m in new.models.values() if m.schema_id}
    shared_ids = old_models.keys() & new_models.keys()
    assert len(shared_ids) > 800
    assert {k: old_models[k] for k in shared_ids} == {k: new_models[k] for k in shared_ids}
    assert "billing.credit_grant" in new_models and "billing.credit_grant" not in old_models


def test_a_spec_that_does_not_match_the_pin_is_refused_with_the_fix() -> None:
    with pytest.raises(spec.SpecError) as info:
        spec.load(OLD, pinned=True)
    message = str(info.value)
    assert "does not match the pinned spec" in message
    assert f"make spec-update STRIPE_SPEC={OLD}" in message


@pytest.fixture
def pin_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of spec/pin.json and an empty cache that re-pinning writes to."""
    pin_file = tmp_path / "pin.json"
    shutil.copy(spec.PIN_FILE, pin_file)
    monkeypatch.setattr(spec, "PIN_FILE", pin_file)
    monkeypatch.setattr(spec, "CACHE", tmp_path / "cache")
    return pin_file


def test_repin_then_load(pin_file: Path) -> None:
    pinned = repin.spec_update(OLD)
    assert pinned["api_version"] == "2023-08-16"
    assert json.loads(pin_file.read_text())["sha256"] == spec.sha256_of(OLD)
    assert pinned["download_url"] == ""  # the old pin's URL is another spec's file
    assert spec.load(OLD, overlays=False)["info"]["version"] == "2023-08-16"
    # later builds without STRIPE_SPEC find the re-pinned copy, not the shared one
    assert spec.resolve() == spec.cached_copy(pinned)
    assert spec.load(overlays=False)["info"]["version"] == "2023-08-16"
    with pytest.raises(spec.SpecError, match="does not match"):
        spec.load(PIN_SPEC)


def test_repin_with_a_download_url_and_back(
    pin_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(repin, "generate", lambda doc, out: out)  # (generation: the test above)
    url = "https://raw.githubusercontent.com/stripe/openapi/v1/openapi/spec3.yaml"
    assert repin.spec_update(OLD, url)["download_url"] == url
    assert json.loads(pin_file.read_text())["download_url"] == url
    # the same content again, without a URL: the URL stays (it is this spec's)
    assert repin.spec_update(OLD)["download_url"] == url


def test_a_spec_that_does_not_generate_changes_nothing(
    pin_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = pin_file.read_bytes()
    outs: list[Path] = []

    def broken(doc: object, out: Path) -> Path:
        outs.append(Path(out))
        raise ValueError("cannot generate this spec")

    monkeypatch.setattr(repin, "generate", broken)
    with pytest.raises(ValueError, match="cannot generate"):
        repin.spec_update(OLD, "https://example.invalid/spec3.yaml")
    assert pin_file.read_bytes() == before  # neither the pin
    assert not (spec.CACHE).exists() or not any(spec.CACHE.iterdir())  # nor the cached copy
    assert outs and spec.REPO not in outs[0].parents  # generated into a temporary directory


def test_a_failed_pin_write_leaves_no_cached_copy(
    pin_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = pin_file.read_bytes()
    monkeypatch.setattr(spec, "PIN_FILE", pin_file.parent / "no-such-dir" / "pin.json")
    doc = spec.load_document(OLD)
    with pytest.raises(OSError):
        spec.write_pin(OLD, spec.new_pin(OLD, doc))
    assert pin_file.read_bytes() == before
    assert not any(p.is_file() for p in spec.CACHE.iterdir())


def test_the_pin_is_of_the_content_not_the_bytes(tmp_path: Path) -> None:
    # ../shared/stripe-openapi/README.md: the pinned file is Stripe's v2278 spec re-serialised,
    # whose canonical JSON sha256 starts 626ff2c3a5a7
    pinned = spec.read_pin()
    assert pinned["api_version"] == "2026-05-27.dahlia"
    assert pinned["sha256"].startswith("626ff2c3a5a7")
    assert spec.sha256_of(PIN_SPEC) == pinned["sha256"]
    assert pinned["download_url"] == (
        "https://raw.githubusercontent.com/stripe/openapi/v2278/latest/openapi.spec3.json"
    )
    # the same content in other bytes (indented, keys in another order, non-ASCII escaped)
    doc = spec.load_document(OLD)
    other = tmp_path / "same.json"
    other.write_text(json.dumps(dict(reversed(doc.items())), indent=2, ensure_ascii=True))
    assert spec.sha256_of(other) == spec.sha256_of(OLD)
    doc["info"]["version"] = "changed"
    other.write_text(json.dumps(doc))
    assert spec.sha256_of(other) != spec.sha256_of(OLD)


def test_explicit_missing_spec_is_a_clear_error() -> None:
    with pytest.raises(spec.SpecError, match="no such file"):
        spec.resolve("/nonexistent/spec3.json")
