"""The plan of an `export`: its shards, their job specs, and `DIR/manifest.json`.

A shard is one listing: the export's parameters plus one `--split` value and, with `--windows
N`, one of N half-open `created` windows `[a, b)`. It is written to `DIR/<name>.jsonl` (name:
the split value, then `.<a>-<b>` for a window) with its cursor in `DIR/<name>.jsonl.cursor`, the
crash-safe cursor of `aiostripe list` (see `cursor.py`, `stream.py`).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path
from typing import Any

import attrs

from aiostripe.cli.cursor import CURSOR_SUFFIX, write_state
from aiostripe.cli.params import parse_params, path_ids
from aiostripe.cli.resources import Operation
from aiostripe.cli.usage import UsageError

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
_UNSAFE = re.compile(r"[^A-Za-z0-9_.=-]+")


@attrs.frozen
class Shard:
    """One listing of the export, and where it goes."""

    name: str
    ids: list[str]
    params: dict[str, Any]

    @property
    def file(self) -> str:
        return f"{self.name}.jsonl"


@attrs.frozen
class Plan:
    """What an export lists: the same plan (same `--out`) resumes, another is refused."""

    resource: str
    ids: list[str]
    pairs: list[str]
    split: str | None
    values: list[str]
    windows: int | None
    shards: list[Shard]

    def identity(self) -> dict[str, Any]:
        return {
            "resource": self.resource, "ids": self.ids, "params": self.pairs,
            "split": self.split, "values": self.values, "windows": self.windows,
        }

    def export_id(self, out: Path) -> str:
        """The export's name in the queue: the plan and the absolute output directory."""
        text = json.dumps([self.identity(), str(out.resolve())], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def parse_split(raw: str | None) -> tuple[str | None, list[str]]:
    """`--split PARAM=v1,v2,...` as (PARAM, values)."""
    if raw is None:
        return None, []
    key, sep, values = raw.partition("=")
    items = [v.strip() for v in values.split(",") if v.strip()]
    if not sep or not key.strip() or not items:
        raise UsageError(f"--split {raw!r}: expected PARAM=VALUE1,VALUE2,...")
    if len(set(items)) != len(items):
        raise UsageError(f"--split {raw!r}: a value is given twice")
    return key.strip(), items


def plan(
    op: Operation, ids: list[str], pairs: list[str], split: str | None, windows: int | None
) -> Plan:
    """Every shard of the export, each checked like the parameters of `aiostripe list`."""
    key, values = parse_split(split)
    if key is not None and any(p.partition("=")[0].strip() == key for p in pairs):
        raise UsageError(f"--split {key}: also given with --param; give it in one place")
    shards: list[Shard] = []
    choices: list[str | None] = [*values] if values else [None]
    for value in choices:
        extra = [] if key is None else [f"{key}={value}"]
        params = parse_params(op, [*pairs, *extra])
        shard_ids = path_ids(op, ids, params)
        base = "all" if value is None else _safe(value)
        for window, shard_params in _windows(params, windows):
            name = base if window is None else f"{base}.{window[0]}-{window[1]}"
            shards.append(Shard(name, shard_ids, shard_params))
    names = [s.name for s in shards]
    if len(set(names)) != len(names):
        raise UsageError(f"--split {split!r}: two values give the same file name")
    return Plan(op.resource, list(ids), list(pairs), key, values, windows, shards)


def _safe(value: str) -> str:
    name = _UNSAFE.sub("_", value).strip("._") or "_"
    return name[:120]


def _windows(
    params: dict[str, Any], windows: int | None
) -> list[tuple[tuple[int, int] | None, dict[str, Any]]]:
    from aiostripe._pagination import split_windows

    if windows is None:
        return [(None, params)]
    created = params.get("created")
    if not (isinstance(created, dict) and isinstance(created.get("gte"), int)
            and isinstance(created.get("lt"), int)):
        raise UsageError(
            "--windows needs a time range: pass -p 'created[gte]=START' -p 'created[lt]=END' "
            "(unix seconds)"
        )
    if created["lt"] <= created["gte"]:
        raise UsageError("--windows: created[lt] must be after created[gte]")
    out: list[tuple[tuple[int, int] | None, dict[str, Any]]] = []
    for a, b in split_windows(created["gte"], created["lt"], windows):
        out.append(((a, b), {**params, "created": {"gte": a, "lt": b}}))
    return out


# --- the manifest -------------------------------------------------------------------------------


def shard_state(out: Path, shard: Shard) -> dict[str, Any]:
    """What the shard's cursor file says (nothing yet: a fresh shard)."""
    path = out / (shard.file + CURSOR_SUFFIX)
    try:
        state: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return state


def check_manifest(out: Path, plan_: Plan) -> bool:
    """Whether `out` holds this export already (a rerun); another export there is refused."""
    path = out / MANIFEST
    if not path.exists():
        return False
    try:
        found = json.loads(path.read_text())
        identity = found["export"]
        version = found["version"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"cannot read {str(path)!r}: {exc}") from None
    if version != MANIFEST_VERSION:
        raise UsageError(f"{str(path)!r} has unknown version {version!r}")
    if identity != plan_.identity():
        changed = sorted(k for k, v in plan_.identity().items() if identity.get(k) != v)
        raise UsageError(
            f"{str(out)!r} holds another export (it differs in {', '.join(changed)}); "
            "use another --out or remove it"
        )
    return True


def write_manifest(out: Path, plan_: Plan, states: dict[str, dict[str, Any]]) -> None:
    """`DIR/manifest.json`: the export and every shard's count, cursor and state."""
    shards = []
    for shard in plan_.shards:
        s = states.get(shard.name, {})
        shards.append({
            "name": shard.name, "file": shard.file, "ids": shard.ids, "params": shard.params,
            "state": s.get("state", "queued"), "objects": s.get("objects", 0),
            "pages": s.get("pages", 0), "cursor": s.get("cursor"), "error": s.get("error"),
        })
    write_state(out / MANIFEST, {
        "version": MANIFEST_VERSION,
        "export": plan_.identity(),
        "complete": all(s["state"] == "done" for s in shards),
        "objects": sum(s["objects"] for s in shards),
        "shards": shards,
        "updated": int(time.time()),
    })
