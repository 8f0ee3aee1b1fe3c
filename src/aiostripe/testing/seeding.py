"""Seeding the fake from the command line: `--seed TYPE=COUNT[:FIELD=VALUE...]` and `--seed-file`.

- `--seed customer=1000` stores 1000 customers (Stripe's example customer, fresh ids);
  `--seed treasury.transaction=5000:financial_account=fa_1:metadata.batch=7` sets fields on each
  (`a.b=v` is the nested field `{"a": {"b": "v"}}`), checked like `FakeStripe.seed` checks them.
- `--seed-file FILE` stores the objects of a JSON file (one object, a list of objects, or a list
  page `{"object": "list", "data": [...]}`) or a JSON Lines file (`.jsonl`: one object a line,
  what `aiostripe list ... -o FILE` writes). Each needs its `object` type; an object without an
  `id` gets one. Fields the pinned spec does not declare are dropped.

Every problem is a `SeedError` with a one-line message naming the argument, file and line.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from aiostripe.testing.objects import model_for
from aiostripe.testing.schema import fields

if TYPE_CHECKING:
    from aiostripe.testing.server import FakeStripe


class SeedError(ValueError):
    """A `--seed` or `--seed-file` argument that cannot be used, and why."""


@attrs.frozen
class Seed:
    """One `--seed` argument: `count` objects of `object_type` with `fields` set."""

    object_type: str
    count: int
    fields: dict[str, Any]

    def describe(self) -> str:
        """How the fake's banner shows this seed: `1,000 customer (field=value)`."""
        shown = ", ".join(f"{k}={v}" for k, v in _flat(self.fields))
        return f"{self.count:,} {self.object_type}" + (f" ({shown})" if shown else "")


def parse_seed(text: str) -> Seed:
    """`"treasury.transaction=5000:financial_account=fa_1"` -> a `Seed`."""
    head, *assignments = text.split(":")
    object_type, sep, count_text = head.partition("=")
    if not sep or not object_type:
        raise SeedError(
            f"--seed {text!r}: expected TYPE=COUNT[:FIELD=VALUE...], e.g. customer=1000 "
            "(the seed of the random ids is --random-seed N)"
        )
    try:
        model_for(object_type)
    except LookupError as exc:
        raise SeedError(f"--seed {text!r}: {exc.args[0]}") from None
    if not count_text.isdigit():
        raise SeedError(f"--seed {text!r}: COUNT must be a whole number, got {count_text!r}")
    values: dict[str, Any] = {}
    known = fields(model_for(object_type))
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        if not sep or not name:
            raise SeedError(f"--seed {text!r}: expected FIELD=VALUE, got {assignment!r}")
        top = name.split(".")[0]
        if top not in known:  # a misspelt field would be stored silently as an unknown one
            close = difflib.get_close_matches(top, sorted(known), n=3)
            hint = f" (did you mean {' or '.join(close)}?)" if close else ""
            raise SeedError(f"--seed {text!r}: {object_type} has no field {top!r}{hint}")
        _set(values, name.split("."), value)
    return Seed(object_type, int(count_text), values)


def apply_seed(fake: FakeStripe, seed: Seed) -> None:
    """Store the objects of one `--seed` argument."""
    try:
        fake.seed(seed.object_type, seed.count, **seed.fields)
    except (ValueError, TypeError) as exc:
        raise SeedError(f"--seed {seed.object_type}: {exc}") from None


def load_file(fake: FakeStripe, path: Path) -> Counter[str]:
    """Store the objects of a JSON or JSON Lines file; how many of each type."""
    counts: Counter[str] = Counter()
    for where, obj in _objects(path):
        kind = obj.get("object")
        if not isinstance(kind, str):
            raise SeedError(f"--seed-file {where}: an object needs its `object` type")
        try:
            cls = model_for(kind)
        except LookupError as exc:
            raise SeedError(f"--seed-file {where}: {exc.args[0]}") from None
        if "id" not in fields(cls):
            raise SeedError(f"--seed-file {where}: {kind!r} objects have no id to be stored by")
        stored = fake.factory.conform_model(obj, cls, 0)
        stored.setdefault("id", fake.factory.new_id(kind))
        try:
            fake.store.insert(stored)
        except ValueError as exc:
            raise SeedError(f"--seed-file {where}: {exc}") from None
        counts[kind] += 1
    return counts


def _objects(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError(f"--seed-file {path}: {exc.strerror or exc}") from None
    if path.suffix == ".jsonl":
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                yield from _items(_decode(line, f"{path}:{number}"), f"{path}:{number}")
    else:
        yield from _items(_decode(text, str(path)), str(path))


def _decode(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise SeedError(f"--seed-file {where}: not JSON ({exc})") from None


def _items(data: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(data, dict) and data.get("object") in ("list", "search_result"):
        data = data.get("data")
    items = data if isinstance(data, list) else [data]
    for i, item in enumerate(items):
        at = f"{where}[{i}]" if isinstance(data, list) else where
        if not isinstance(item, dict):
            raise SeedError(f"--seed-file {at}: expected a JSON object, got {type(item).__name__}")
        yield at, item


def _set(target: dict[str, Any], names: list[str], value: str) -> None:
    for name in names[:-1]:
        child = target.setdefault(name, {})
        if not isinstance(child, dict):
            raise SeedError(f"--seed: field {name!r} is given both a value and sub-fields")
        target = child
    target[names[-1]] = value


def _flat(values: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in values.items():
        if isinstance(value, dict):
            yield from _flat(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value
