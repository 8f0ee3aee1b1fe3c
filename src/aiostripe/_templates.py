"""The url template of a raw API path, for the telemetry of `raw_request` calls.

Generated methods pass their operation's template (`/v1/customers/{customer}`) themselves. A path
given to `raw_request` is matched against the generated operation table (read from `ir.json` on
first use); a path the spec does not know keeps its segments, with those that look like object
ids (`cus_NffrFeUfNV2Hib`, `acct_1032D82eZvKYlo2C`) masked as `{id}`, so metrics by template
keep a bounded number of series.
"""

from __future__ import annotations

import json
from functools import cache

_Shape = tuple[str | None, ...]  # a template's segments, None for a parameter


@cache
def _operations() -> dict[tuple[str, int], list[tuple[_Shape, str]]]:
    """Templates by (verb, number of segments), those with the most literal segments first."""
    from importlib import resources  # (~4 ms to import, with tempfile and shutil: not at start-up)

    text = resources.files("aiostripe._generated").joinpath("ir.json").read_text("utf-8")
    table: dict[tuple[str, int], list[tuple[_Shape, str]]] = {}
    for op in json.loads(text)["operations"]:
        template: str = op["path"]
        shape = tuple(None if s.startswith("{") else s for s in template.split("/"))
        table.setdefault((op["verb"].upper(), len(shape)), []).append((shape, template))
    for candidates in table.values():
        candidates.sort(key=lambda c: sum(s is None for s in c[0]))
    return table


def url_template(method: str, path: str) -> str:
    """`("GET", "/v1/customers/cus_1")` -> `"/v1/customers/{customer}"`."""
    segments = path.split("/")
    for shape, template in _operations().get((method.upper(), len(segments)), ()):
        if all(s is None or s == seg for s, seg in zip(shape, segments, strict=True)):
            return template
    return "/".join("{id}" if _looks_like_id(seg) else seg for seg in segments)


def _looks_like_id(segment: str) -> bool:
    """Stripe's ids are a prefix, `_`, and a mix of letters and digits; the API's own path
    segments are lowercase words without digits (`payment_intents`), or `v1`."""
    return "_" in segment and any(c.isdigit() or c.isupper() for c in segment)
