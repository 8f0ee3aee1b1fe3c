"""The cursor file of a `list`/`search` run: where to continue, and how much output is safe.

Files are written safely: a state file (cursor, manifest) goes to a temporary file of its own,
created exclusively (`O_EXCL`) and never through a symlink (`O_NOFOLLOW`), mode 0600, then renamed
over the target; exported data is created 0600 too (`create_private`). A cursor file that is not
what this module writes (tampered, truncated, wrong types) is one `UsageError`, never a traceback.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from pathlib import Path
from typing import Any

from aiostripe.cli.usage import UsageError

CURSOR_SUFFIX = ".cursor"
STATE_VERSION = 1
PRIVATE = 0o600
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def create_private(path: Path, *, exclusive: bool = False, follow: bool = False) -> int:
    """Open `path` for writing as a 0600 file (truncating one that exists, unless `exclusive`);
    a symlink in its place is refused (`OSError`), never followed, unless `follow` (a user's
    own `-o`, like a shell redirection)."""
    flags = os.O_WRONLY | os.O_CREAT | _CLOEXEC | (0 if follow else _NOFOLLOW)
    flags |= os.O_EXCL if exclusive else os.O_TRUNC
    fd = os.open(path, flags, PRIVATE)
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):  # never a device such as /dev/null
            os.fchmod(fd, PRIVATE)  # an existing file keeps its mode through O_TRUNC otherwise
    except OSError:
        os.close(fd)
        raise
    return fd


def write_state(path: Path, state: dict[str, Any]) -> None:
    """Replace `path` with `state` as JSON, atomically, through a fresh private temporary file."""
    data = (json.dumps(state, indent=1) + "\n").encode()
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    fd = create_private(tmp, exclusive=True)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


_FIELDS: dict[str, tuple[type, ...]] = {
    "cursor": (str, type(None)),
    "offset": (int, type(None)),
    "objects": (int,),
    "pages": (int,),
    "complete": (bool,),
}


def read_state(path: Path, expect: dict[str, Any]) -> dict[str, Any] | None:
    if not path.exists():
        return None
    where = f"cursor file {str(path)!r}"
    try:
        state = json.loads(path.read_bytes())
        if not isinstance(state, dict):
            raise TypeError("expected a JSON object")
        version = state["version"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"cannot read the {where}: {exc}") from None
    if version != STATE_VERSION:
        raise UsageError(f"{where} has unknown version {version!r}")
    for key, value in expect.items():
        if state.get(key) != value:
            raise UsageError(
                f"{where} was written for another listing "
                f"({key}: {state.get(key)!r}, now {value!r}); remove it or drop --resume"
            )
    for key, types in _FIELDS.items():
        value = state.get(key)
        bad = (
            key not in state
            or not isinstance(value, types)
            or (isinstance(value, bool) and bool not in types)
            or (isinstance(value, int) and not isinstance(value, bool) and value < 0)
        )
        if bad:
            raise UsageError(
                f"{where} is damaged: {key} is {value!r}; remove it (and the output) to "
                "start over"
            )
    return state
