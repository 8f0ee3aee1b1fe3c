"""The Markdown report of a benchmark run: tables of medians, spreads, ratios and targets.

`render(results, environment, figures)` takes what bench/run.py collected: for each figure a dict
of cells (`Result`: samples, per-run extras, a note when there is no value) and returns the text.
Every ratio is aiostripe's figure divided by the other's: above 1 is better for rates, below 1 is
better for times and memory. A figure without a value prints `n/a (<why>)`.
"""

from __future__ import annotations

from typing import Any

SDKS = ("sdk-aiohttp", "sdk-httpx")
COLUMNS = ("aiostripe", "sdk-aiohttp", "sdk-httpx", "raw")


def _cell(results: dict[str, Any], figure: str, key: str) -> Any:
    return results.get(figure, {}).get(key)


def _median(cell: Any, scale: float = 1.0) -> float | None:
    if cell is None or cell.median is None:
        return None
    return cell.median * scale


def _na(cell: Any) -> str:
    if cell is None:
        return "n/a (not run)"
    note = cell.note or "no data"
    return f"n/a ({note})"


def _num(v: float) -> str:
    if v >= 100:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def _fmt(cell: Any, scale: float = 1.0, unit: str = "") -> str:
    v = _median(cell, scale)
    if v is None:
        return _na(cell)
    text = _num(v) + (f" {unit}" if unit else "")
    if cell.spread is not None:
        text += f" ±{cell.spread * 100:.0f}%"
    return text


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "n/a"
    r = a / b
    return f"{r:.2f}×" if r < 10 else f"{r:.1f}×"


def _best(values: list[float | None], higher_is_better: bool) -> float | None:
    vs = [v for v in values if v is not None]
    if not vs:
        return None
    return max(vs) if higher_is_better else min(vs)


def _met(checks: list[tuple[float | None, float | None, str, float]]) -> str:
    """checks: (aiostripe, other, op, factor): aiostripe op other*factor."""
    verdicts = []
    for a, b, op, factor in checks:
        if a is None or b is None:
            return "n/a"
        ok = a >= b * factor if op == ">=" else (a <= b * factor if op == "<=" else a < b * factor)
        verdicts.append(ok)
    return "yes" if all(verdicts) else "**no**"


def _met_raw(a: float | None, sdk: float | None, raw: float | None, sdk_factor: float,
             goal: float, floor: float) -> str:
    """≥ `sdk_factor`× the SDK (when it was measured) and ≥ `goal`× raw: "yes"; ≥ `floor`× raw
    only: "floor only"."""
    if a is None or raw is None:
        return "n/a"
    if sdk is not None and a < sdk * sdk_factor:
        return "**no**"
    if a >= raw * goal:
        return "yes"
    return f"≥{floor}× only" if a >= raw * floor else "**no**"


# label, figure, key pattern, unit, scale, target, kind of check
ROWS: list[tuple[str, str, str, str, float, str, str | None]] = [
    ("Listing, pretty-printed bodies (as Stripe sends): objects/s, 100/page, 4 fields read",
     "list", "{c}", "", 1.0, "≥20× SDK, ≥1.0× raw (≥0.9×)", "list"),
    ("… per client CPU-second", "list_cpu", "{c}", "", 1.0, "≥20× SDK, ≥1.0× raw (≥0.9×)",
     "list"),
    ("Listing, compact bodies: objects/s", "list_compact", "{c}", "", 1.0,
     "≥20× SDK, ≥1.0× raw (≥0.9×)", "list"),
    ("… per client CPU-second", "list_compact_cpu", "{c}", "", 1.0,
     "≥20× SDK, ≥1.0× raw (≥0.9×)", "list"),
    ("Search pages (customers): objects/s, 4 fields read", "search", "{c}", "", 1.0,
     "≥0.9× raw", "same"),
    ("… per client CPU-second", "search_cpu", "{c}", "", 1.0, "≥0.9× raw", "same"),
    ("Requests: retrieves/s, concurrency 1", "requests", "{c} c=1", "", 1.0, "—", None),
    ("… per client CPU-second", "requests_cpu", "{c} c=1", "", 1.0, "—", None),
    ("Requests: retrieves/s, concurrency 32", "requests", "{c} c=32", "", 1.0,
     "≥2× SDK, ≥0.9× raw", "req32"),
    ("… per client CPU-second", "requests_cpu", "{c} c=32", "", 1.0,
     "≥2× SDK, ≥0.9× raw", "req32"),
    # aiostripe's raw_request against the others' retrieve (AIOSTRIPE_KEYS)
    ("raw_request (aiostripe) vs retrieve (others), concurrency 32", "requests", "{c} c=32",
     "", 1.0, "≥0.9× raw", "same"),
    ("… per client CPU-second ", "requests_cpu", "{c} c=32", "", 1.0, "≥0.9× raw", "same"),
    ("Webhooks: construct_event events/s (treasury.transaction, pretty)", "webhook", "{c}", "",
     1.0, "≥0.9× raw", "same"),
    ("… per client CPU-second", "webhook_cpu", "{c}", "", 1.0, "≥0.9× raw", "same"),
    ("CLI JSON Lines (`aiostripe list > FILE`, to_dict()): objects/s written", "jsonl", "{c}",
     "", 1.0, "≥0.9× raw", "same"),
    ("… per client CPU-second", "jsonl_cpu", "{c}", "", 1.0, "≥0.9× raw", "same"),
    ("Memory: RSS of a list of kept objects (see below for the count)", "hold", "{c}", "MB",
     1.0, "< raw json.loads dicts", "hold"),
    ("Cold start: import + client + service access", "cold", "{c} service", "ms", 1000.0,
     "≤0.5× SDK", "cold_t"),
    ("… CPU time", "cold_cpu", "{c} service", "ms", 1000.0, "≤0.5× SDK", "cold_t"),
    ("… peak RSS", "cold_rss", "{c} service", "MB", 1.0, "< SDK", "cold_m"),
    ("Cold start to first response (customer)", "cold", "{c} first response", "ms",
     1000.0, "—", None),
    ("… CPU time", "cold_cpu", "{c} first response", "ms", 1000.0, "—", None),
    ("… peak RSS", "cold_rss", "{c} first response", "MB", 1.0, "—", None),
    ("First response of a whole program (spawn → customer printed)", "first", "{c}", "ms",
     1000.0, "≤1.0× SDK (httpx), aim 0.8×", "first"),
    ("… CPU time", "first_cpu", "{c}", "ms", 1000.0, "≤1.0× SDK (httpx), aim 0.8×", "first"),
]
AIOSTRIPE_KEYS = {  # rows whose aiostripe column is another variant than the key pattern says
    "raw_request (aiostripe) vs retrieve (others), concurrency 32": "aiostripe raw_request c=32",
    "… per client CPU-second ": "aiostripe raw_request c=32",
}


def main_table(results: dict[str, Any], figures: list[str] | None = None) -> list[str]:
    out = [
        (
            "| Figure (median ±half-range) | aiostripe | stripe SDK (aiohttp) | stripe SDK (httpx) "
            "| raw aiohttp + json.loads | ÷ SDK (aiohttp) | ÷ SDK (httpx) | ÷ raw | target | met |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for label, figure, pattern, unit, scale, target, kind in ROWS:
        base = figure.removesuffix("_cpu")
        if figure not in results and base not in results:
            continue  # a figure this run did not measure
        cells = {c: _cell(results, figure, pattern.format(c=c)) for c in COLUMNS}
        if label in AIOSTRIPE_KEYS:
            cells["aiostripe"] = _cell(results, figure, AIOSTRIPE_KEYS[label])
        vals = {c: _median(cells[c], scale) for c in COLUMNS}
        a = vals["aiostripe"]
        higher = base not in ("cold", "cold_rss", "hold", "first")
        sdk_best = _best([vals[s] for s in SDKS], higher_is_better=higher)
        if kind == "list":
            met = _met_raw(a, sdk_best, vals["raw"], 20.0, 1.0, 0.9)
        elif kind == "req32":
            met = _met_raw(a, sdk_best, vals["raw"], 2.0, 0.9, 0.9)
        elif kind == "same":
            met = _met_raw(a, None, vals["raw"], 1.0, 0.9, 0.9)
        elif kind == "hold":
            met = _met([(a, vals["raw"], "<", 1.0)])
        elif kind == "cold_t":
            met = _met([(a, sdk_best, "<=", 0.5)])
        elif kind == "cold_m":
            met = _met([(a, sdk_best, "<", 1.0)])
        elif kind == "first":  # the SDK's default (httpx) client, the faster of full and lean
            lean = _median(_cell(results, figure, "sdk-httpx-lean"), scale)
            met = _met([(a, _best([vals["sdk-httpx"], lean], False), "<=", 1.0)])
        else:
            met = "—"
        out.append(
            f"| {label.strip()} | "
            + " | ".join(_fmt(cells[c], scale, unit) for c in COLUMNS)
            + f" | {_ratio(a, vals['sdk-aiohttp'])} | {_ratio(a, vals['sdk-httpx'])}"
            + f" | {_ratio(a, vals['raw'])} | {target} | {met} |"
        )
    hold = _cell(results, "hold", "aiostripe")
    if hold is not None and hold.extra and "items" in hold.extra[-1]:
        out.append("")
        parts = []
        for c in ("aiostripe", "raw"):
            cell = _cell(results, "hold", c)
            run = cell.extra[-1] if cell is not None and cell.extra else {}
            if "bytes_per_object" in run:
                parts.append(f"{LABELS_SHORT[c]} {run['bytes_per_object']:,.0f} bytes/object")
        out.append(f"Memory row: {hold.extra[-1]['items']:,} treasury transactions kept in a list "
                   f"(RSS after `gc.collect()` minus RSS before): " + ", ".join(parts) + ".")
    base = _cell(results, "cold", "python service")
    base_m = _cell(results, "cold_rss", "python service")
    if base is not None and base_m is not None and base_m.median is not None:
        out.append("")
        out.append(f"Cold-start floor: a bare interpreter with asyncio imported peaks at "
                   f"{_fmt(base_m, 1.0, 'MB')}; the times count from after that point.")
    out += _first_notes(results)
    return out


def _first_notes(results: dict[str, Any]) -> list[str]:
    """Below the table: the whole-program figure's floor, and the SDK without httpx's CLI."""
    out = []
    floor = _cell(results, "first", "python")
    if floor is not None and floor.median is not None:
        cpu = _cell(results, "first_cpu", "python")
        out += ["", (f"First-response floor: a bare interpreter running `asyncio.run` of nothing "
                     f"prints after {_fmt(floor, 1000.0, 'ms')} (CPU {_fmt(cpu, 1000.0, 'ms')}).")]
    lean = _cell(results, "first", "sdk-httpx-lean")
    if lean is not None and lean.median is not None:
        lean_cpu = _cell(results, "first_cpu", "sdk-httpx-lean")
        a = _median(_cell(results, "first", "aiostripe"))
        a_cpu = _median(_cell(results, "first_cpu", "aiostripe"))
        out += ["", (f"The SDK over httpx where httpx's command-line dependencies (click, "
                     f"pygments, here because of the dev tools) are not installed: first response "
                     f"after {_fmt(lean, 1000.0, 'ms')} (CPU {_fmt(lean_cpu, 1000.0, 'ms')}); "
                     f"aiostripe ÷ that: {_ratio(a, lean.median)} "
                     f"(CPU {_ratio(a_cpu, _median(lean_cpu))}). The row's `met` uses the "
                     f"faster of the two.")]
    return out


LABELS_SHORT = {"aiostripe": "aiostripe objects", "raw": "json.loads dicts"}


def aiostripe_table(results: dict[str, Any]) -> list[str]:
    out = ["| Figure (aiostripe alone) | value | target | met |", "|---|---|---|---|"]
    gen = _cell(results, "generate", "codegen")
    g = _median(gen)
    files = ""
    if gen is not None and gen.extra and "python_files" in gen.extra[-1]:
        files = f" ({gen.extra[-1]['python_files']:,} .py files)"
    out.append(f"| Generation: `python -m codegen generate` of the full spec, wall time{files} "
               f"| {_fmt(gen, 1.0, 's')} | ≤15 s | "
               f"{'n/a' if g is None else ('yes' if g <= 15 else '**no**')} |")

    mem = _cell(results, "memory", "aiostripe")
    run = next((r for r in (mem.extra if mem else []) if "rss_at_kb" in r), None)
    if run is None:
        out.append(f"| Memory: auto-paginating 1,000,000 objects, slow consumer | {_na(mem)} "
                   "| flat | n/a |")
    else:
        at = {int(k): v / 1024 for k, v in run["rss_at_kb"].items()}
        total = run["items"]
        first = min(at) if at else 0
        last = max(at) if at else 0
        r0, r1 = at.get(first), at.get(last)
        peak = max([run["peak_rss_kb"] / 1024, *at.values()])
        rate = total / run["seconds"] if run["seconds"] else 0
        growth = (r1 - r0) if r0 is not None and r1 is not None else None
        flat = growth is not None and growth <= max(5.0, 0.05 * r0) and run.get("complete")
        text = (f"RSS {r0:.1f} MB at {first:,} → {r1:.1f} MB at {last:,} objects "
                f"({growth:+.1f} MB); peak {peak:.1f} MB; {rate:,.0f} objects/s with the pauses"
                if growth is not None else "no samples")
        if not run.get("complete"):
            text += f" (stopped at {total:,}: time limit)"
        out.append(f"| Memory: auto-paginating {last:,} objects, consumer pauses 5 ms every "
                   f"1,000 | {text} | flat (≤ +5 MB or +5% from the first tenth) | "
                   f"{'yes' if flat else '**no**'} |")

    for conc in (1, 32):
        parts = []
        for figure, what in (("requests", "wall"), ("requests_cpu", "per CPU-second")):
            on = _cell(results, figure, f"aiostripe c={conc}")
            off = _cell(results, figure, f"aiostripe max_retries=0 c={conc}")
            a, b = _median(on), _median(off)
            if a is None or b is None:
                parts.append(f"{what}: {_na(on if a is None else off)}")
            else:
                parts.append(f"{what}: {_fmt(on)}/s with retries (default) vs {_fmt(off)}/s "
                             f"with max_retries=0, {(b - a) / b * 100:+.1f}% cost")
        out.append(f"| Retry overhead on calls that succeed first time, concurrency {conc} "
                   f"| {'; '.join(parts)} | ≈0 (within the spread) | — |")
    return out


def capacity_table(results: dict[str, Any]) -> list[str]:
    cap = results.get("capacity", {})
    if not cap:
        return []
    fastest_req = _best([_median(_cell(results, "requests", f"{c} c=32")) for c in COLUMNS], True)
    fastest_list = _best([_median(_cell(results, "list", c)) for c in COLUMNS], True)
    out = [
        "| Server (bench/server.py, trivial callback client) | rate | headroom over the fastest "
        + "client |",
        "|---|---|---|",
    ]
    for key, per, fastest, what in (
        ("customer c=32", 1, fastest_req, "retrieves/s at c=32"),
        ("list page c=32", 100, fastest_list, "listing objects/s"),
        ("list page c=1", 100, fastest_list, "listing objects/s"),
    ):
        cell = cap.get(key)
        v = _median(cell)
        rate = _fmt(cell, 1.0, "req/s")
        if v is not None and per > 1:
            rate += f" = {v * per:,.0f} objects/s"
        head = "n/a"
        if v is not None and fastest:
            h = v * per / fastest
            head = f"{h:.1f}× ({what})" + (" — **the server may limit this figure**"
                                            if h < 1.5 else "")
        out.append(f"| {key} | {rate} | {head} |")
    return out


def render(results: dict[str, Any], env: dict[str, Any], figures: list[str]) -> str:
    v = env.get("versions", {})
    lines = [
        "## aiostripe benchmarks",
        "",
        f"Python {env.get('python')} on {env.get('platform')}, {env.get('cpus')} CPUs; "  # noqa: ISC004
        f"load average {env.get('loadavg', [0])[0]:.2f} at start, "
        f"{env.get('loadavg_end', [0])[0]:.2f} at end; run took {env.get('seconds')} s "
        f"({env.get('profile')} profile). aiostripe {v.get('aiostripe')} @ {env.get('commit')}, "
        f"stripe {v.get('stripe')}, aiohttp {v.get('aiohttp')}, httpx {v.get('httpx')}, "
        f"httpcore {v.get('httpcore')}, sniffio {v.get('sniffio')}, msgspec {v.get('msgspec')}.",
        "",
    ]
    if any(f in figures for f in ("list", "search", "requests", "webhook", "jsonl", "hold",
                                  "cold", "first")):
        lines += main_table(results) + [""]
    if any(f in figures for f in ("generate", "memory", "requests")):
        lines += aiostripe_table(results) + [""]
    if "capacity" in figures:
        lines += capacity_table(results) + [""]
    if "distributed" in figures:
        from distributed import table  # bench/distributed.py

        cell = _cell(results, "distributed", "out")
        lines += table(cell.extra[0] if cell and cell.extra else {"error": _na(cell)}) + [""]
    if "fake" in figures:
        from fake_flows import table as fake_table  # bench/fake_flows.py

        cell = _cell(results, "fake", "out")
        lines += fake_table(cell.extra[0] if cell and cell.extra else {"error": _na(cell)}) + [""]
    if "meter" in figures:
        from meter_events import table as meter_table  # bench/meter_events.py

        cell = _cell(results, "meter", "out")
        lines += meter_table(cell.extra[0] if cell and cell.extra else {"error": _na(cell)})
        lines += [""]
    lines.append("Ratios are aiostripe ÷ the other (rates: above 1 is faster; times and memory: "
                 "below 1 is better). See bench/README.md.")
    return "\n".join(lines)
