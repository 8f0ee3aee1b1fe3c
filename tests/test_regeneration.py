"""Regenerating from another spec: names stay stable, the pin refuses a spec it does not match,
and re-pinning accepts it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from codegen import ir, spec
from tests.gen_helpers import SHARED

OLD = SHARED / "spec3.2023-08-16.yaml"
pytestmark = pytest.mark.skipif(not OLD.exists(), reason="../shared not present")


def test_names_are_stable_across_spec_versions() -> None:
    old = ir.build(spec.load(OLD, pinned=False, overlays=False))
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
    assert "billing.meter" in new_models and "billing.meter" not in old_models


def test_a_spec_that_does_not_match_the_pin_is_refused_with_the_fix() -> None:
    with pytest.raises(spec.SpecError) as info:
        spec.load(OLD, pinned=True)
    message = str(info.value)
    assert "does not match the pinned spec" in message
    assert f"make spec-update STRIPE_SPEC={OLD}" in message


def test_repin_then_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pin_file = tmp_path / "pin.json"
    shutil.copy(spec.PIN_FILE, pin_file)
    monkeypatch.setattr(spec, "PIN_FILE", pin_file)
    monkeypatch.setattr(spec, "CACHE", tmp_path / "cache")
    pinned = spec.pin(OLD)
    assert pinned["api_version"] == "2023-08-16"
    assert json.loads(pin_file.read_text())["sha256"] == spec.sha256_of(OLD)
    assert spec.load(OLD, overlays=False)["info"]["version"] == "2023-08-16"
    # later builds without STRIPE_SPEC find the re-pinned copy, not the shared one
    assert spec.resolve() == spec.cached_copy(pinned)
    assert spec.load(overlays=False)["info"]["version"] == "2023-08-16"
    with pytest.raises(spec.SpecError, match="does not match"):
        spec.load(SHARED / "spec3.json")


def test_explicit_missing_spec_is_a_clear_error() -> None:
    with pytest.raises(spec.SpecError, match="no such file"):
        spec.resolve("/nonexistent/spec3.json")
