"""Find, verify against the pin, load and overlay Stripe's OpenAPI spec.

The pin (`spec/pin.json`) names the API version and the sha256 of the spec we build from. A spec is
looked for in this order: an explicit path (`STRIPE_SPEC`), the copy `make spec-update` keeps in
`build/spec/`, the shared copy beside the repository (`../shared/stripe-openapi/spec3.2026-05-27.json`),
then Stripe's published copy for the pinned version.

The pin is of the spec's content, not its bytes: `content_sha256` is the sha256 of the parsed
document written in one canonical form (`canonical_json`: keys sorted, no whitespace, UTF-8 kept as
is), so Stripe's file and a re-serialised copy of it (another indentation, key order or escaping)
pin equal.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PIN_FILE = REPO / "spec" / "pin.json"
OVERLAY_DIR = REPO / "spec" / "overlays"
SHARED_SPEC = REPO.parent / "shared" / "stripe-openapi" / "spec3.2026-05-27.json"
CACHE = REPO / "build" / "spec"

Spec = dict[str, Any]


class SpecError(Exception):
    """A spec that cannot be used, with a message that says what to do about it."""


def read_pin() -> dict[str, str]:
    return json.loads(PIN_FILE.read_text())


def canonical_json(doc: Any) -> bytes:
    """The one form a spec's content is hashed in: keys sorted, no whitespace, UTF-8 as is."""
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def content_sha256(doc: Any) -> str:
    """sha256 of a parsed document's canonical form: equal for equal content, whatever the bytes."""
    return hashlib.sha256(canonical_json(doc)).hexdigest()


def sha256_of(path: Path) -> str:
    """The content sha256 of a spec file (JSON or YAML), as the pin records it."""
    return content_sha256(load_document(path))


def load_document(path: Path) -> Spec:
    """Parse a spec file, JSON or YAML (chosen by its suffix)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        try:
            doc = yaml.load(text, Loader=loader)
        except yaml.YAMLError as exc:
            raise SpecError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from exc
    else:
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise SpecError(f"{path}: not valid JSON: {exc}") from exc
    if not isinstance(doc, dict) or "paths" not in doc or "components" not in doc:
        raise SpecError(f"{path} is not an OpenAPI document (no 'paths' or 'components')")
    return doc


def verify_pin(path: Path, pin: dict[str, str] | None = None, doc: Spec | None = None) -> None:
    """Refuse a spec whose content sha256 differs from the pin, saying how to re-pin it."""
    pin = pin or read_pin()
    digest = content_sha256(doc) if doc is not None else sha256_of(path)
    if digest != pin["sha256"]:
        raise SpecError(
            f"{path} does not match the pinned spec (API version {pin['api_version']}):\n"
            f"  pinned sha256 {pin['sha256']}\n  found  sha256 {digest}\n"
            f"To build from this spec, re-pin it: make spec-update STRIPE_SPEC={path}"
        )


def new_pin(path: Path, doc: Spec, download_url: str | None = None) -> dict[str, str]:
    """The pin of `doc` (read from `path`). Its download URL is the one given, else the old pin's
    when the content is the same, else empty: never a URL whose file is another spec."""
    old = read_pin() if PIN_FILE.is_file() else {}
    digest = content_sha256(doc)
    if download_url is None:
        download_url = old.get("download_url", "") if old.get("sha256") == digest else ""
    return {
        "api_version": str(doc.get("info", {}).get("version", "unknown")),
        "file": path.name,
        "sha256": digest,
        "download_url": download_url,
    }


def write_pin(spec_path: Path, new: dict[str, str]) -> None:
    """Write `spec/pin.json` and the cached copy of the spec: both, or (on failure) neither."""
    target = cached_copy(new)
    target.parent.mkdir(parents=True, exist_ok=True)
    pin_text = json.dumps(new, indent=2) + "\n"
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".pin-") as tmp:
        staged_spec = Path(tmp) / target.name
        staged_pin = Path(tmp) / PIN_FILE.name
        shutil.copyfile(spec_path, staged_spec)
        staged_pin.write_text(pin_text, encoding="utf-8")
        had_copy = target.exists()
        os.replace(staged_spec, target)
        try:
            os.replace(staged_pin, PIN_FILE)  # build/ and spec/ are both in the repository
        except BaseException:
            if not had_copy:
                target.unlink(missing_ok=True)
            raise


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


_PLACEHOLDER = re.compile(r"\{[^}/]*\}")


def route_shape(path: str) -> str:
    """A route with its placeholders blanked: `/v1/x/{session}` and `/v1/x/{id}` give `/v1/x/{}`."""
    return _PLACEHOLDER.sub("{}", path)


def _say(line: str) -> None:
    print(line, file=sys.stderr)


def merge_overlays(doc: Spec, overlay_dir: Path = OVERLAY_DIR,
                   report: Callable[[str], None] = _say) -> Spec:
    """Merge our hand-written OpenAPI fragments (paths and component schemas) into `doc`.

    Overlays retire themselves: an operation or schema that Stripe's spec already has (an
    operation compared by verb and route, whatever its placeholders are named) is left out with one
    line naming it, Stripe's wins. An overlay operation added to a route Stripe has (a method
    Stripe's spec lacks there) is merged under Stripe's route and reported.
    """
    if not overlay_dir.is_dir():
        return doc
    routes = {route_shape(route): route for route in doc["paths"]}
    for path in sorted(overlay_dir.glob("*.json")):
        frag = json.loads(path.read_text(encoding="utf-8"))
        for route, ops in frag.get("paths", {}).items():
            stripe_route = routes.get(route_shape(route))
            for verb, op in ops.items():
                where = f"{verb.upper()} {route}"
                if stripe_route is None:
                    doc["paths"].setdefault(route, {})[verb] = op
                    routes[route_shape(route)] = route
                elif verb in doc["paths"][stripe_route]:
                    report(f"overlay {path.name}: {where} is in Stripe's spec "
                           f"({verb.upper()} {stripe_route}): left out, Stripe's wins")
                else:
                    report(f"overlay {path.name}: adds {where} to {stripe_route}, "
                           "a path Stripe's spec has")
                    doc["paths"][stripe_route][verb] = _renamed(op, route, stripe_route)
        schemas = doc["components"]["schemas"]
        for name, schema in frag.get("components", {}).get("schemas", {}).items():
            if name in schemas:
                report(f"overlay {path.name}: schema {name!r} is in Stripe's spec: left out, "
                       "Stripe's wins")
            else:
                schemas[name] = schema
    return doc


def _renamed(op: dict[str, Any], route: str, stripe_route: str) -> dict[str, Any]:
    """`op` (written for `route`) with its path parameters named as in `stripe_route`."""
    names = dict(zip(_PLACEHOLDER.findall(route), _PLACEHOLDER.findall(stripe_route)))
    if all(a == b for a, b in names.items()):
        return op
    params = [
        {**p, "name": names[f"{{{p['name']}}}"][1:-1]}
        if p.get("in") == "path" and f"{{{p['name']}}}" in names else p
        for p in op.get("parameters", [])
    ]
    return {**op, "parameters": params}


def load(path: str | os.PathLike[str] | None = None, *, pinned: bool = True, overlays: bool = True) -> Spec:
    """Resolve, verify (when `pinned`), parse and overlay the spec."""
    spec_path = resolve(path)
    doc = load_document(spec_path)
    if pinned:
        verify_pin(spec_path, doc=doc)
    return merge_overlays(doc) if overlays else doc
