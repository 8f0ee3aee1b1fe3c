"""Helpers for generator tests: generate a spec into a temp dir and run code against that package.

The generated code imports itself as `aiostripe._generated`; a subprocess loads a temp tree under
that name, so a test spec's client can be imported and exercised without touching `generated/`.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from codegen import render, spec

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "stripe-openapi"
PIN_SPEC = SHARED / "spec3.2026-05-27.json"  # the pinned spec (spec/pin.json)
PIN_FIXTURES = SHARED / "fixtures3.2026-05-27.json"  # Stripe's example objects of the pin
MINI_SPEC = REPO / "spec" / "tests" / "mini.json"

_PRELUDE = """
import importlib.util, sys
GEN = {gen!r}
_spec = importlib.util.spec_from_file_location(
    "aiostripe._generated", GEN + "/__init__.py", submodule_search_locations=[GEN]
)
_mod = importlib.util.module_from_spec(_spec)
sys.modules["aiostripe._generated"] = _mod
_spec.loader.exec_module(_mod)
import aiostripe
aiostripe._generated = _mod
"""


def generate_into(spec_path: Path, out: Path, *, overlays: bool = False) -> Path:
    doc = spec.load(spec_path, pinned=False, overlays=overlays)
    return render.generate(doc, out)


def run_against(gen_dir: Path, code: str, timeout: float = 120) -> str:
    """Run `code` in a fresh interpreter with `gen_dir` as `aiostripe._generated`; its stdout."""
    script = _PRELUDE.format(gen=str(gen_dir)) + textwrap.dedent(code)
    proc = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )
    if proc.returncode != 0:
        raise AssertionError(f"generated-code check failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout
