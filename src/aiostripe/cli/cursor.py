"""The cursor file of a `list`/`search` run: where to continue, and how much output is safe."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from aiostripe.cli.usage import UsageError

CURSOR_SUFFIX = ".cursor"
STATE_VERSION = 1


def write_state(path: Path, state: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state, indent=1) + "\n")
    os.replace(tmp, path)


def read_state(path: Path, expect: dict[str, Any]) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        state: dict[str, Any] = json.loads(path.read_text())
        version = state["version"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"cannot read the cursor file {str(path)!r}: {exc}") from None
    if version != STATE_VERSION:
        raise UsageError(f"cursor file {str(path)!r} has unknown version {version!r}")
    for key, value in expect.items():
        if state.get(key) != value:
            raise UsageError(
                f"cursor file {str(path)!r} was written for another listing "
                f"({key}: {state.get(key)!r}, now {value!r}); remove it or drop --resume"
            )
    return state
