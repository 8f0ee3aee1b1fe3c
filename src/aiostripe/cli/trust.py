"""What a worker checks before it runs a job from the queue: it trusts nothing in Redis.

A job names an export directory and a shard. The worker runs it only when:

- with `$AIOSTRIPE_QUEUE_SECRET` set, the job carries that secret's HMAC-SHA256 of its spec;
- the directory is under one of the worker's `--root` directories (when it was given any), and
  holds the `manifest.json` that `aiostripe export` wrote for it (a regular file: the export is
  registered there, on the file system, not in Redis);
- the manifest's export, planned again here (`shards.plan`: the resource must be a known list
  operation, every parameter is checked against its schema), has a shard of that name whose
  path ids and parameters are the job's, and the job's export id is that plan's.

What is written, and where, then comes from the plan, never from the job: `DIR/<shard>.jsonl`.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

import attrs

from aiostripe.cli.queue import Lease, signed_by
from aiostripe.cli.resources import Operation, resolve
from aiostripe.cli.shards import MANIFEST, MANIFEST_VERSION, Shard, plan
from aiostripe.cli.usage import UsageError

_NAME = re.compile(r"^[A-Za-z0-9_.=-]{1,200}$")


class Refused(Exception):
    """A job the worker will not run; the message says why (it goes to the log)."""


@attrs.frozen
class Job:
    """A checked job: the shard, where it goes, and the run's settings."""

    op: Operation
    shard: Shard
    out: Path
    max_wait: float
    rate_limit: float | None

    @property
    def file(self) -> Path:
        return self.out / self.shard.file


def check(lease: Lease, roots: list[Path], key: bytes | None) -> Job:
    """The job `lease` holds, checked (else `Refused`)."""
    if lease.epoch < 0:
        raise Refused("no such job in Redis (an id pushed by hand?)")
    if key is not None and not (lease.sig and signed_by(lease.spec, lease.sig, key)):
        raise Refused("not signed with the queue's secret ($AIOSTRIPE_QUEUE_SECRET)")
    try:
        spec = json.loads(lease.spec)
    except ValueError:
        raise Refused("its spec is not JSON") from None
    if not isinstance(spec, dict):
        raise Refused("its spec is not a JSON object")
    name, out_raw, export_id = spec.get("name"), spec.get("out"), spec.get("export")
    if not (isinstance(name, str) and _NAME.match(name)):
        raise Refused(f"bad shard name {name!r}")
    if not (isinstance(out_raw, str) and os.path.isabs(out_raw)):
        raise Refused(f"bad export directory {out_raw!r}")
    out = Path(os.path.realpath(out_raw))
    if roots and not any(out == r or out.is_relative_to(r) for r in roots):
        raise Refused(f"{out_raw!r} is not under this worker's --root")
    the_plan = _plan_of(out)
    if export_id != the_plan.export_id(out):
        raise Refused(f"export id {export_id!r} is not the one of {str(out)!r}")
    shard = next((s for s in the_plan.shards if s.name == name), None)
    if shard is None:
        raise Refused(f"no shard {name!r} in the export in {str(out)!r}")
    if spec.get("resource") != the_plan.resource or spec.get("ids") != shard.ids or (
        spec.get("params") != shard.params
    ):
        raise Refused(f"shard {name!r} differs from the export in {str(out)!r}")
    return Job(resolve(the_plan.resource, "list"), shard, out, _seconds(spec.get("max_wait")),
               _rate(spec.get("rate_limit")))


def _plan_of(out: Path) -> Any:
    path = out / MANIFEST
    try:
        if not path.is_file() or path.is_symlink():
            raise Refused(f"{str(out)!r} is not an export directory (no {MANIFEST})")
        identity = json.loads(path.read_bytes())["export"]
        version = json.loads(path.read_bytes())["version"]
    except (OSError, ValueError, KeyError, TypeError):
        raise Refused(f"cannot read {str(path)!r}") from None
    if version != MANIFEST_VERSION or not isinstance(identity, dict):
        raise Refused(f"{str(path)!r} is not an export's manifest")
    try:
        op = resolve(str(identity["resource"]), "list")
        split = identity["split"]
        values = identity["values"]
        raw_split = None if split is None else f"{split}={','.join(values)}"
        return plan(op, list(identity["ids"]), list(identity["params"]), raw_split,
                    identity["windows"])
    except UsageError as exc:
        raise Refused(f"the export in {str(out)!r}: {exc}") from None
    except (KeyError, TypeError, ValueError):
        raise Refused(f"{str(path)!r} is not an export's manifest") from None


def _seconds(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and (
        math.isfinite(value) and 0 <= value <= 86400 * 7
    ):
        return float(value)
    raise Refused(f"bad max_wait {value!r}")


def _rate(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and (
        math.isfinite(value) and value > 0
    ):
        return float(value)
    raise Refused(f"bad rate_limit {value!r}")
