"""Benchmarks of aiostripe against the official `stripe` SDK and raw aiohttp, in one run.

    python bench/run.py [--quick] [--json out.json] [--only list,requests,...]

Starts bench/server.py (a canned-response HTTP/1.1 server on 127.0.0.1, its own process), then
measures every figure in fresh subprocesses (bench/workers.py, bench/cold.py) so that the clients
never share an interpreter, and prints a Markdown table: medians, spread, ratios and the targets.
bench/README.md says how to read it. Nothing leaves 127.0.0.1; every loop is bounded in count and
time, and the whole run in time (`--budget`): a figure that would start past it is reported as
skipped.

Figures (`--only` takes these names): `capacity` (the server's own rate), `list` (objects/s
through auto-pagination, pretty-printed and compact bodies), `search` (the same through search
pages), `requests` (customer retrieves/s at concurrency 1 and 32, with aiostripe also at
max_retries=0 for the retry overhead and through `raw_request`), `webhook` (`construct_event`
events/s), `jsonl` (the CLI's JSON Lines objects/s), `hold` (RSS of a list of 1,000,000 kept
objects), `cold` (import + client + first service access, and
to the first response: time and peak RSS), `first` (a whole program's time to its first
response: spawn of the interpreter to the customer's id printed, bench/first_response.py),
`generate` (`python -m codegen generate` of the full
spec into a temporary directory), `memory` (RSS while auto-paginating 1,000,000 objects with a
slow consumer), `telemetry` (bench/telemetry.py: CPU per call with tracing off and on, as ratios
against the same client without telemetry, in one process), `distributed` (1, 2, 4 export workers
on one shared budget, and the cost of a shared acquire: bench/distributed.py), `soak`
(bench/soak.py: calls at 10% mixed faults and 2,000 creates across a 1 s and a 5 s outage,
aiostripe and the official SDK; 20,000 calls here, the full 100,000 with `python bench/soak.py`),
`fake` (the fake Stripe's creates with events, with webhook deliveries, card payments:
bench/fake_flows.py), `meter` (meter events/s through `MeterEventStream` to the fake, and the
ratio to a plain loop of `v2.billing.meter_events.create`: bench/meter_events.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
CLIENTS = ["aiostripe", "sdk-aiohttp", "sdk-httpx", "raw"]
LABELS = {
    "aiostripe": "aiostripe",
    "sdk-aiohttp": "stripe SDK (aiohttp)",
    "sdk-httpx": "stripe SDK (httpx)",
    "raw": "raw aiohttp + json.loads",
}
FIGURES = ["capacity", "list", "search", "requests", "webhook", "jsonl", "hold", "cold",
           "first", "generate", "memory", "telemetry", "distributed", "soak", "fake", "meter"]
LIST_PATH = "/v1/treasury/transactions?financial_account=fa_1&limit=100"
CUSTOMER_PATH = "/v1/customers/cus_1"


@dataclass
class Profile:
    seconds: float  # one timed window
    reps: int  # windows per process
    procs: int  # processes per (figure, client)
    warmup: float
    cold_runs: int
    first_runs: int  # whole programs per client, to their first response
    gen_runs: int
    memory_total: int
    capacity_seconds: float
    jsonl_total: int  # objects per run of the JSON Lines figure
    budget: float  # seconds for the whole run


PROFILES = {
    "default": Profile(seconds=1.5, reps=3, procs=3, warmup=0.5, cold_runs=7, first_runs=15,
                       gen_runs=3, memory_total=1_000_000, capacity_seconds=1.5, jsonl_total=30_000,
                       budget=900.0),
    "quick": Profile(seconds=0.6, reps=3, procs=1, warmup=0.3, cold_runs=3, first_runs=5,
                     gen_runs=1, memory_total=200_000, capacity_seconds=0.6, jsonl_total=10_000,
                     budget=200.0),
}


@dataclass
class Result:
    """The samples of one (figure, client) cell and why it has none, if so."""

    samples: list[float] = field(default_factory=list)
    extra: list[dict[str, Any]] = field(default_factory=list)
    note: str | None = None  # "not available", "error: ...", "skipped (time budget)"

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def spread(self) -> float | None:
        """Half the min-max range, relative to the median."""
        if len(self.samples) < 2 or not self.median:
            return None
        return (max(self.samples) - min(self.samples)) / 2 / self.median

    def to_json(self) -> dict[str, Any]:
        return {"median": self.median, "spread": self.spread, "samples": self.samples,
                "note": self.note, "runs": self.extra}


class Runner:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.p = PROFILES["quick" if args.quick else "default"]
        if args.budget:
            self.p.budget = args.budget
        self.t_start = time.monotonic()
        self.url = ""  # pretty-printed bodies, like Stripe's
        self.url_compact = ""  # the same data as compact JSON
        self.server: subprocess.Popen[str] | None = None
        self.results: dict[str, dict[str, Result]] = {}
        self.pycache = tempfile.mkdtemp(prefix="aiostripe-bench-pyc-")
        self.env = dict(os.environ)
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.env["PYTHONPYCACHEPREFIX"] = self.pycache  # bytecode caches, out of the source tree
        self.env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(ROOT / "src"), self.env.get("PYTHONPATH", "")) if p
        )

    # -- processes ---------------------------------------------------------------------------

    def remaining(self) -> float:
        return self.p.budget - (time.monotonic() - self.t_start)

    def start_server(self) -> None:
        self.server = subprocess.Popen(
            [PY, str(HERE / "server.py"), "--max-seconds", str(int(self.p.budget + 300))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=self.env,
        )
        assert self.server.stdout is not None
        ready, _, _ = select.select([self.server.stdout], [], [], 30)
        line = self.server.stdout.readline() if ready else ""
        words = line.split()
        if len(words) != 4 or words[0] != "PORT":
            self.stop_server()
            raise SystemExit(f"bench/server.py did not start (said {line!r})")
        self.url = f"http://127.0.0.1:{int(words[1])}"
        self.url_compact = f"http://127.0.0.1:{int(words[3])}"

    def stop_server(self) -> None:
        if self.server is None:
            return
        try:
            if self.server.stdin:
                self.server.stdin.close()  # the server stops when its stdin closes
            self.server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()
        self.server = None

    def run(self, argv: list[str], timeout: float) -> dict[str, Any]:
        """Run one measuring subprocess; its last stdout line is a JSON object."""
        timeout = max(5.0, min(timeout, self.remaining() + 60))
        try:
            proc = subprocess.run(argv, check=False, capture_output=True, text=True,
                                  timeout=timeout, env=self.env, cwd=ROOT,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {timeout:.0f} s"}
        lines = proc.stdout.strip().splitlines()
        if proc.returncode != 0 or not lines:
            tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            return {"error": f"exit {proc.returncode}: {tail[:160]}"}
        try:
            return json.loads(lines[-1])
        except ValueError:
            return {"error": f"bad output: {lines[-1][:160]}"}

    def worker(self, figure: str, client: str, *extra: str, timeout: float,
               url: str | None = None) -> dict[str, Any]:
        return self.run([PY, str(HERE / "workers.py"), figure, "--client", client,
                         "--url", url or self.url, *extra], timeout)

    def cell(self, figure: str, key: str) -> Result:
        return self.results.setdefault(figure, {}).setdefault(key, Result())

    def record(self, figure: str, key: str, out: dict[str, Any], value: str = "samples") -> None:
        cell = self.cell(figure, key)
        if "unavailable" in out:
            cell.note = "not available"
            cell.extra.append(out)
            self.cell(f"{figure}_cpu", key).note = cell.note
        elif "error" in out:
            cell.note = f"error: {out['error']}"
            cell.extra.append(out)
            for suffix in ("_cpu",):
                self.cell(f"{figure}{suffix}", key).note = cell.note
        else:
            cell.extra.append(out)
            if value == "samples":
                cell.samples += [float(x) for x in out.get("samples", [])]
            else:
                cell.samples.append(float(out[value]))
            if "cpu_samples" in out:
                self.cell(f"{figure}_cpu", key).samples += [float(x) for x in out["cpu_samples"]]
            if "cpu_seconds" in out:
                self.cell(f"{figure}_cpu", key).samples.append(float(out["cpu_seconds"]))

    def skip(self, figure: str, keys: list[str]) -> None:
        for key in keys:
            cell = self.cell(figure, key)
            if not cell.samples and cell.note is None:
                cell.note = "skipped (time budget)"

    def unavailable(self, figure: str, key: str) -> bool:
        return self.cell(figure, key).note == "not available"

    def log(self, msg: str) -> None:
        elapsed = time.monotonic() - self.t_start
        print(f"[{elapsed:6.1f}s] {msg}", file=sys.stderr, flush=True)

    # -- figures -----------------------------------------------------------------------------

    def fig_capacity(self) -> None:
        p = self.p
        window = ["--seconds", str(p.capacity_seconds), "--reps", "3",
                  "--warmup-seconds", str(min(p.warmup, 0.5))]
        t = p.capacity_seconds * 3 * 3 + 30
        for key, path, conc in (("customer c=32", CUSTOMER_PATH, 32),
                                ("list page c=32", LIST_PATH, 32),
                                ("list page c=1", LIST_PATH, 1)):
            self.log(f"capacity {key}")
            self.record("capacity", key, self.worker(
                "capacity", "-", "--path", path, "--concurrency", str(conc), *window, timeout=t))

    def fig_list(self) -> None:
        """Listing, on pretty-printed bodies (figure `list`) and compact ones (`list_compact`)."""
        self._listing([("list", "list", self.url), ("list_compact", "list", self.url_compact)])

    def fig_search(self) -> None:
        self._listing([("search", "search", self.url)])

    def _listing(self, variants: list[tuple[str, str, str]]) -> None:
        p = self.p
        window = ["--seconds", str(p.seconds), "--reps", str(p.reps),
                  "--warmup-seconds", str(p.warmup)]
        t = p.warmup + p.seconds * p.reps * 3 + 60
        for i in range(p.procs):
            for figure, worker_figure, url in variants:
                for client in CLIENTS:
                    if self.unavailable(figure, client):
                        continue
                    if self.remaining() < t / 3:
                        for f, _, _ in variants:
                            self.skip(f, CLIENTS)
                        return None
                    self.log(f"{figure} {client} ({i + 1}/{p.procs})")
                    self.record(figure, client, self.worker(worker_figure, client, *window,
                                                            timeout=t, url=url))
        return None

    def fig_requests(self) -> None:
        p = self.p
        window = ["--seconds", str(p.seconds), "--reps", str(p.reps),
                  "--warmup-seconds", str(p.warmup)]
        t = p.warmup + p.seconds * p.reps * 3 + 60
        variants = [(c, c, []) for c in CLIENTS]
        variants.insert(1, ("aiostripe max_retries=0", "aiostripe", ["--max-retries", "0"]))
        variants.insert(2, ("aiostripe raw_request", "aiostripe-raw-request", []))
        keys = [f"{v[0]} c={c}" for v in variants for c in (1, 32)]
        for i in range(p.procs):
            for conc in (1, 32):
                for key, client, extra in variants:
                    key = f"{key} c={conc}"
                    if self.unavailable("requests", key):
                        continue
                    if self.remaining() < t / 3:
                        return self.skip("requests", keys)
                    self.log(f"requests {key} ({i + 1}/{p.procs})")
                    self.record("requests", key, self.worker(
                        "requests", client, "--concurrency", str(conc), *extra, *window,
                        timeout=t))

    def fig_webhook(self) -> None:
        """`construct_event` (no HTTP): aiostripe, the SDK's `stripe.Webhook`, HMAC + json.loads."""
        p = self.p
        window = ["--seconds", str(p.seconds), "--reps", str(p.reps),
                  "--warmup-seconds", str(p.warmup)]
        t = p.warmup + p.seconds * p.reps * 3 + 60
        self.cell("webhook", "sdk-httpx").note = "same code as the aiohttp column"
        for i in range(p.procs):
            for client in ("aiostripe", "sdk-aiohttp", "raw"):
                if self.unavailable("webhook", client):
                    continue
                if self.remaining() < t / 3:
                    return self.skip("webhook", CLIENTS)
                self.log(f"webhook {client} ({i + 1}/{p.procs})")
                self.record("webhook", client, self.worker("webhook", client, *window, timeout=t))

    def fig_jsonl(self) -> None:
        """The CLI's JSON Lines (`aiostripe list ... -o FILE`) against aiohttp + json.dumps."""
        p = self.p
        t = 120.0
        for key in ("sdk-aiohttp", "sdk-httpx"):
            self.cell("jsonl", key).note = "no CLI"
        for i in range(p.procs):
            for client in ("aiostripe", "raw"):
                if self.remaining() < 30:
                    return self.skip("jsonl", CLIENTS)
                self.log(f"jsonl {client} ({i + 1}/{p.procs})")
                self.record("jsonl", client, self.worker(
                    "jsonl", client, "--total", str(p.jsonl_total), "--reps", str(p.reps),
                    timeout=t))

    def fig_hold(self) -> None:
        """RSS of a list of `memory_total` objects kept from auto-pagination, vs json.loads dicts."""
        total = self.p.memory_total
        for key in ("sdk-aiohttp", "sdk-httpx"):
            self.cell("hold", key).note = "not measured"
        for client in ("aiostripe", "raw"):
            if self.remaining() < 30:
                return self.skip("hold", CLIENTS)
            self.log(f"hold: {client}, {total:,} objects")
            out = self.worker("hold", client, "--total", str(total),
                              "--time-limit", str(max(30, self.remaining())),
                              timeout=max(60, self.remaining() + 30))
            self.record("hold", client, out, value="mb" if "mb" in out else "samples")

    def fig_distributed(self) -> None:
        """Workers on one budget in Redis, and the cost of a shared acquire (distributed.py)."""
        if self.remaining() < 60:
            return self.skip("distributed", ["out"])
        self.log("distributed: 1, 2, 4 workers exporting on one budget")
        quick = ["--quick"] if self.args.quick else []
        out = self.run([PY, str(HERE / "distributed.py"), *quick], 300)
        self.cell("distributed", "out").extra.append(out)

    def fig_fake(self) -> None:
        """The fake Stripe's behaviours: events, webhooks, payments (bench/fake_flows.py)."""
        if self.remaining() < 30:
            return self.skip("fake", ["out"])
        self.log("fake: customers.create, with a webhook endpoint, card payments")
        quick = ["--quick"] if self.args.quick else []
        self.cell("fake", "out").extra.append(
            self.run([PY, str(HERE / "fake_flows.py"), *quick], 120))

    def fig_meter(self) -> None:
        """Meter events/s: the stream helper against a plain create loop (meter_events.py)."""
        if self.remaining() < 30:
            return self.skip("meter", ["out"])
        self.log("meter: MeterEventStream vs a plain loop of meter_events.create")
        quick = ["--quick"] if self.args.quick else []
        self.cell("meter", "out").extra.append(
            self.run([PY, str(HERE / "meter_events.py"), *quick], 180))

    def fig_cold(self) -> None:
        targets = ["python", *CLIENTS]
        keys = [f"{t} {m}" for t in targets for m in ("service", "first response")]
        # One untimed run of each first: bytecode caches written, files in the page cache.
        for target in targets:
            self.run([PY, str(HERE / "cold.py"), target, "--url", self.url], 60)
        for i in range(self.p.cold_runs):
            for target in targets:
                for mode, extra in (("service", []), ("first response", ["--url", self.url])):
                    key = f"{target} {mode}"
                    if self.unavailable("cold", key):
                        continue
                    if self.remaining() < 5:
                        return self.skip("cold", keys)
                    out = self.run([PY, str(HERE / "cold.py"), target, *extra], 60)
                    self.record("cold", key, out, value="seconds")
                    if "peak_rss_kb" in out:
                        self.cell("cold_rss", key).samples.append(out["peak_rss_kb"] / 1024)
            self.log(f"cold start round {i + 1}/{self.p.cold_runs}")

    def fig_first(self) -> None:
        """A whole program's time to its first response (bench/first_response.py): from the spawn
        of the interpreter to the id it prints, and its CPU time until then. The clients take
        turns, the order rotating each round, so that the machine's drifting load hits all."""
        targets = ["python", "aiostripe", "sdk-httpx", "sdk-httpx-lean", "sdk-aiohttp", "raw"]
        for target in targets:  # untimed: bytecode caches written, files in the page cache
            self.first_response(target)
        for i in range(self.p.first_runs):
            for target in targets[i % len(targets):] + targets[:i % len(targets)]:
                if self.unavailable("first", target):
                    continue
                if self.remaining() < 5:
                    return self.skip("first", targets)
                self.record("first", target, self.first_response(target), value="seconds")
            self.log(f"first response round {i + 1}/{self.p.first_runs}")

    def first_response(self, target: str) -> dict[str, Any]:
        """One run of bench/first_response.py: seconds from spawn to its line, CPU seconds."""
        argv = [PY, str(HERE / "first_response.py"), target, self.url]
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=self.env, cwd=ROOT)
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        line = proc.stdout.readline() if ready else ""
        seconds = time.perf_counter() - start
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        words = line.split(maxsplit=1)
        if words and words[0] == "unavailable":
            return {"unavailable": words[1].strip() if len(words) > 1 else target}
        if len(words) != 2 or proc.returncode != 0:
            tail = (err.strip().splitlines() or [line.strip() or "no output"])[-1]
            return {"error": f"exit {proc.returncode}: {tail[:160]}"}
        return {"seconds": seconds, "cpu_seconds": float(words[1])}

    def fig_generate(self) -> None:
        for i in range(self.p.gen_runs):
            if self.remaining() < 20:
                return self.skip("generate", ["codegen"])
            self.log(f"generate ({i + 1}/{self.p.gen_runs})")
            out_dir = tempfile.mkdtemp(prefix="aiostripe-bench-gen-")
            try:
                t0 = time.perf_counter()
                proc = subprocess.Popen(
                    [PY, "-m", "codegen", "generate", "--out", out_dir], cwd=ROOT, env=self.env,
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                )
                deadline = time.monotonic() + 180
                while proc.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.02)
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                    self.record("generate", "codegen", {"error": "timed out after 180 s"})
                    continue
                elapsed = time.perf_counter() - t0
                err = proc.stderr.read().strip().splitlines() if proc.stderr else []
                if proc.returncode != 0:
                    self.record("generate", "codegen",
                                {"error": f"exit {proc.returncode}: {(err or ['?'])[-1][:160]}"})
                    continue
                n_files = sum(1 for _ in Path(out_dir).rglob("*.py"))
                self.record("generate", "codegen", {"seconds": elapsed, "python_files": n_files},
                            value="seconds")
            finally:
                shutil.rmtree(out_dir, ignore_errors=True)

    def fig_memory(self) -> None:
        total = self.p.memory_total
        if self.remaining() < 30:
            return self.skip("memory", ["aiostripe"])
        self.log(f"memory: aiostripe, {total:,} objects")
        out = self.worker("memory", "aiostripe", "--total", str(total), "--sleep-every", "1000",
                          "--sleep", "0.005", "--time-limit", str(max(30, self.remaining())),
                          timeout=max(60, self.remaining() + 30))
        self.record("memory", "aiostripe", out, value="items" if "items" in out else "samples")

    def fig_telemetry(self) -> None:
        if self.remaining() < 30:
            return self.skip("telemetry", ["aiostripe"])
        self.log("telemetry overhead (bench/telemetry.py)")
        rounds = "5" if self.args.quick else "15"
        out = self.run([PY, str(HERE / "telemetry.py"), "--url", self.url, "--rounds", rounds],
                       timeout=max(60, self.remaining() + 30))
        self.record("telemetry", "aiostripe", out)

    def fig_soak(self) -> None:
        """bench/soak.py (faults and outages, its own servers): its table, printed as it is."""
        calls = "5000" if self.args.quick else "20000"  # 100,000: python bench/soak.py
        argv = [PY, str(HERE / "soak.py"), "--calls", calls, "--outage-calls", "2000"]
        proc = subprocess.run(argv, check=False, capture_output=True, text=True, cwd=ROOT,
                              env=self.env, stdin=subprocess.DEVNULL, timeout=3600)
        self.log(proc.stdout if proc.returncode == 0 else f"soak failed: {proc.stderr[-500:]}")

    # -- report ------------------------------------------------------------------------------

    def environment(self) -> dict[str, Any]:
        from importlib import metadata

        versions = {}
        for dist in ("aiostripe", "stripe", "aiohttp", "httpx", "httpcore", "anyio", "sniffio",
                     "attrs", "cattrs", "msgspec"):
            try:
                versions[dist] = metadata.version(dist)
            except metadata.PackageNotFoundError:
                versions[dist] = None
        try:
            commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, check=False,
                                    capture_output=True, text=True, timeout=10).stdout.strip()
            dirty = subprocess.run(["git", "status", "--porcelain", "--", "src", "codegen"],
                                   cwd=ROOT, capture_output=True, text=True, check=False,
                                   timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            commit, dirty = "?", ""
        return {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "loadavg": os.getloadavg(),
            "commit": commit + ("+dirty" if dirty else ""),
            "versions": versions,
            "profile": "quick" if self.args.quick else "default",
        }

    def main(self) -> int:
        figures = FIGURES if not self.args.only else self.args.only.split(",")
        unknown = set(figures) - set(FIGURES)
        if unknown:
            raise SystemExit(f"--only: unknown figure(s) {sorted(unknown)}; choose from {FIGURES}")
        env_start = self.environment()
        self.start_server()
        self.log(f"server at {self.url}")
        try:
            for figure in FIGURES:
                if figure in figures:
                    getattr(self, f"fig_{figure}")()
        finally:
            self.stop_server()
            shutil.rmtree(self.pycache, ignore_errors=True)
        env_start["loadavg_end"] = os.getloadavg()
        env_start["seconds"] = round(time.monotonic() - self.t_start, 1)
        from report import render  # bench/report.py

        print(render(self.results, env_start, figures))
        if "telemetry" in figures:  # bench/telemetry.py renders its own table
            from telemetry import table

            cell = self.cell("telemetry", "aiostripe")
            print("\n" + (table(cell.extra[0]) if cell.note is None and cell.extra
                          else f"Telemetry overhead: n/a ({cell.note})"))
        if self.args.json:
            data = {"environment": env_start,
                    "results": {f: {k: r.to_json() for k, r in cells.items()}
                                for f, cells in self.results.items()}}
            Path(self.args.json).write_text(json.dumps(data, indent=1) + "\n")
            self.log(f"wrote {self.args.json}")
        return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (about 3 minutes)")
    parser.add_argument("--json", metavar="PATH", help="also write every sample as JSON")
    parser.add_argument("--only", metavar="FIGS", help=f"comma-separated subset of {FIGURES}")
    parser.add_argument("--budget", type=float, help="seconds for the whole run (a cap)")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    return Runner(args).main()


if __name__ == "__main__":
    sys.exit(main())
