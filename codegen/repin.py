"""`make spec-update`: re-pin to another spec only once that spec is known to generate.

The new spec is loaded, overlaid and generated into a temporary directory first; `spec/pin.json`
and the cached copy in `build/spec/` change only after that succeeds (both, or neither).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from codegen import spec as spec_mod
from codegen.render import generate


def spec_update(path: str | Path, download_url: str | None = None) -> dict[str, str]:
    """Check that the spec at `path` generates, then pin it; returns the new pin."""
    spec_path = Path(path)
    if not spec_path.is_file():
        raise spec_mod.SpecError(f"{path}: no such file")
    doc = spec_mod.load_document(spec_path)
    new = spec_mod.new_pin(spec_path, doc, download_url)
    with tempfile.TemporaryDirectory(prefix="aiostripe-repin-") as tmp:
        generate(spec_mod.merge_overlays(doc), Path(tmp) / "generated")
    spec_mod.write_pin(spec_path, new)
    return new
