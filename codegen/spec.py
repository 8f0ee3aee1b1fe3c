"""Find, verify against the pin, load and overlay Stripe's OpenAPI spec.

The pin (`spec/pin.json`) names the API version and the sha256 of the spec we build from. A spec is
looked for in this order: an explicit path (`STRIPE_SPEC`), the copy `make spec-update` keeps in
`build/spec/`, the shared copy beside the repository (`../shared/stripe-openapi/spec3.json`), then
Stripe's published copy for the pinned version.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PIN_FILE = REPO / "spec" / "pin.json"
OVERLAY_DIR = REPO / "spec" / "overlays"
SHARED_SPEC = REPO.parent / "shared" / "stripe-openapi" / "spec3.json"
CACHE = REPO / "build" / "spec"

Spec = dict[str, Any]


class SpecError(Exception):
    """A spec that cannot be used, with a message that says what to do about it."""


def read_pin() -> dict[str, str]:
    return json.loads(PIN_FILE.read_text())


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_document(path: Path) -> Spec:
    """Parse a spec file, JSON or YAML (chosen by its suffix)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        doc = yaml.load(text, Loader=loader)
    else:
        doc = json.loads(text)
    if not isinstance(doc, dict) or "paths" not in doc or "components" not in doc:
        raise SpecError(f"{path} is not an OpenAPI document (no 'paths' or 'components')")
    return doc


def verify_pin(path: Path, pin: dict[str, str] | None = None) -> None:
    """Refuse a spec whose sha256 differs from the pin, saying how to re-pin it."""
    pin = pin or read_pin()
    digest = sha256_of(path)
    if digest != pin["sha256"]:
        raise SpecError(
            f"{path} does not match the pinned spec (API version {pin['api_version']}):\n"
            f"  pinned sha256 {pin['sha256']}\n  found  sha256 {digest}\n"
            f"To build from this spec, re-pin it: make spec-update STRIPE_SPEC={path}"
        )


def pin(path: str | os.PathLike[str]) -> dict[str, str]:
    """Re-pin `spec/pin.json` to another spec file (its API version and sha256)."""
    spec_path = Path(path)
    if not spec_path.is_file():
        raise SpecError(f"{path}: no such file")
    doc = load_document(spec_path)
    old = read_pin()
    version = str(doc.get("info", {}).get("version", "unknown"))
    new = {
        "api_version": version,
        "file": spec_path.name,
        "sha256": sha256_of(spec_path),
        "download_url": old["download_url"] if old.get("api_version") == version else "",
    }
    PIN_FILE.write_text(json.dumps(new, indent=2) + "\n")
    target = cached_copy(new)
    target.parent.mkdir(parents=True, exist_ok=True)
    if spec_path.resolve() != target.resolve():
        shutil.copyfile(spec_path, target)
    return new


def download_pinned(pin: dict[str, str]) -> Path:
    """Fetch Stripe's published spec for the pinned version into build/spec/."""
    CACHE.mkdir(parents=True, exist_ok=True)
    if not pin.get("download_url"):
        raise SpecError(
            f"no spec given and none at {SHARED_SPEC}; the pin has no download URL: "
            "pass one with STRIPE_SPEC=path"
        )
    target = CACHE / f"downloaded-{pin['api_version']}-{pin['file']}"
    if not target.exists():
        try:
            with urllib.request.urlopen(pin["download_url"], timeout=60) as resp:
                target.write_bytes(resp.read())
        except OSError as exc:
            raise SpecError(
                f"no spec given, none at {SHARED_SPEC}, and downloading "
                f"{pin['download_url']} failed ({exc}); pass one with STRIPE_SPEC=path"
            ) from exc
    return target


def resolve(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The spec file to build from: explicit path, else the shared copy, else a download."""
    explicit = explicit or os.environ.get("STRIPE_SPEC") or None
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise SpecError(f"STRIPE_SPEC={explicit}: no such file")
        return path
    pinned = read_pin()
    cached = cached_copy(pinned)
    if cached.is_file():
        return cached
    if SHARED_SPEC.is_file():
        return SHARED_SPEC
    return download_pinned(pinned)


def cached_copy(pin_data: dict[str, str]) -> Path:
    """Where `make spec-update` keeps a copy of a re-pinned spec (build/, not committed)."""
    suffix = Path(pin_data.get("file", "spec3.json")).suffix or ".json"
    return CACHE / f"pinned-{pin_data['sha256'][:16]}{suffix}"


def merge_overlays(doc: Spec, overlay_dir: Path = OVERLAY_DIR) -> Spec:
    """Merge our hand-written OpenAPI fragments (paths and component schemas) into `doc`.

    An overlay may only add: an operation or schema that the spec already has is an error, so a
    newer spec that ships a preview endpoint is noticed instead of silently shadowed.
    """
    if not overlay_dir.is_dir():
        return doc
    for path in sorted(overlay_dir.glob("*.json")):
        frag = json.loads(path.read_text(encoding="utf-8"))
        for route, ops in frag.get("paths", {}).items():
            target = doc["paths"].setdefault(route, {})
            for verb, op in ops.items():
                if verb in target:
                    raise SpecError(f"overlay {path.name}: {verb.upper()} {route} is already in the spec")
                target[verb] = op
        schemas = doc["components"]["schemas"]
        for name, schema in frag.get("components", {}).get("schemas", {}).items():
            if name in schemas:
                raise SpecError(f"overlay {path.name}: schema {name!r} is already in the spec")
            schemas[name] = schema
    return doc


def load(path: str | os.PathLike[str] | None = None, *, pinned: bool = True, overlays: bool = True) -> Spec:
    """Resolve, verify (when `pinned`), parse and overlay the spec."""
    spec_path = resolve(path)
    if pinned:
        verify_pin(spec_path)
    doc = load_document(spec_path)
    return merge_overlays(doc) if overlays else doc
