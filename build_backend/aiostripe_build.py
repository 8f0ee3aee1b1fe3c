"""The in-tree PEP 517 build backend: setuptools, after generating the client if it is missing.

`pip install PATH`, `pip install git+URL` and `python -m build` work on a fresh checkout
without `make`: before a wheel (or an editable install, or an sdist) is built, the client is
generated into `generated/` (`python -m codegen generate`) unless it is there already. The spec
is found as the generator always finds it: `STRIPE_SPEC`, `build/spec/`, the shared copy beside
the repository, else Stripe's published copy for the pinned version (spec/pin.json). Every hook
is setuptools' own; an sdist carries the generated code, so installing from one generates nothing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from setuptools import build_meta as _setuptools
from setuptools.build_meta import (  # noqa: F401 - the hooks this backend does not change
    get_requires_for_build_editable,
    get_requires_for_build_sdist,
    get_requires_for_build_wheel,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

ROOT = Path(__file__).resolve().parent.parent


def _generate() -> None:
    """Generate the client into generated/ unless it is there (a checkout that ran `make`)."""
    if (ROOT / "src" / "aiostripe" / "_generated" / "__init__.py").is_file():  # also an sdist
        return
    print("aiostripe: generating the client (python -m codegen generate)", file=sys.stderr)
    done = subprocess.run(
        [sys.executable, "-m", "codegen", "generate"], cwd=ROOT, check=False
    )
    if done.returncode != 0:
        raise SystemExit(
            "aiostripe: generating the client failed (see above). Set STRIPE_SPEC to the spec "
            "named in spec/pin.json, or run `make` in the checkout first."
        )


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    _generate()
    return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_editable(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    _generate()
    return _setuptools.build_editable(wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    _generate()
    return _setuptools.build_sdist(sdist_directory, config_settings)
