"""`aiostripe export` and `aiostripe worker`: shards planned, queued in a real redis-server,
exported by worker processes from the fake Stripe over loopback. A worker SIGKILLed mid-shard,
one SIGSTOPped past its lease and resumed, one cut off from Redis: each time every object lands
exactly once. Hand-written and unsigned jobs are refused, never run."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import stat
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Self

import pytest

from aiostripe.cli import resolve
from aiostripe.cli.shards import plan
from aiostripe.cli.usage import UsageError
from aiostripe.testing import FakeStripe
from tests.test_cli import _main_exit_code, one_line_error

ACCOUNTS = ["fa_1", "fa_2", "fa_3"]
PER_ACCOUNT = 2500
KEY = "sk_test_export"


# --- planning -----------------------------------------------------------------------------------


def test_plan_one_shard_per_value_and_window() -> None:
    op = resolve("treasury.transactions", "list")
    p = plan(op, [], ["created[gte]=100", "created[lt]=400", "limit=50"],
             "financial_account=fa_1,fa/2", 3)
    assert [s.name for s in p.shards] == [
        "fa_1.100-200", "fa_1.200-300", "fa_1.300-400", "fa_2.100-200", "fa_2.200-300",
        "fa_2.300-400",
    ]
    first = p.shards[0]
    assert first.params == {"financial_account": "fa_1", "created": {"gte": 100, "lt": 200},
                            "limit": 50}
    assert first.file == "fa_1.100-200.jsonl"
    path_op = resolve("customers.balance_transactions", "list")
    p = plan(path_op, [], [], "customer=cus_1,cus_2", None)
    assert [(s.name, s.ids, s.params) for s in p.shards] == [
        ("cus_1", ["cus_1"], {}), ("cus_2", ["cus_2"], {})
    ]


@pytest.mark.parametrize(
    ("pairs", "split", "windows", "needle"),
    [
        ([], "financial_account", None, "expected PARAM=VALUE1,VALUE2"),
        ([], "financial_account=fa_1,fa_1", None, "given twice"),
        (["financial_account=fa_1"], "financial_account=fa_2", None, "also given with --param"),
        ([], "financial_acount=fa_1", None, "unknown parameter 'financial_acount'"),
        ([], None, None, "needs parameter(s) financial_account"),
        ([], "financial_account=fa_1", 4, "--windows needs a time range"),
        ([], "financial_account=fa:1,fa;1", None, "same file name"),
    ],
)
def test_plan_errors(pairs: list[str], split: str | None, windows: int | None, needle: str) -> None:
    op = resolve("treasury.transactions", "list")
    with pytest.raises(UsageError, match=f".*{needle.replace('(', '.').replace(')', '.')}"):
        plan(op, [], pairs, split, windows)


async def test_export_refuses_another_export_and_a_redis_it_cannot_reach(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], redis_url: str
) -> None:
    out = tmp_path / "export"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"version": 1, "export": {"resource": "x"}}))
    argv = ["export", "treasury.transactions", "--split", "financial_account=fa_1", "--out",
            str(out), "--redis", redis_url]
    code = await asyncio.to_thread(_main_exit_code, argv)
    assert code == 2
    one_line_error(capsys.readouterr().err, "holds another export", "use another --out")
    code = await asyncio.to_thread(_main_exit_code, argv[:-2])
    assert code == 2
    one_line_error(capsys.readouterr().err, "export needs --redis URL")
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = f"redis://127.0.0.1:{sock.getsockname()[1]}/0"
    argv[argv.index("--out") + 1] = str(tmp_path / "fresh")
    code = await asyncio.to_thread(_main_exit_code, [*argv[:-1], closed])
    assert code == 2
    one_line_error(capsys.readouterr().err, f"--redis {closed}: cannot use Redis", "Connect")


# --- workers killed, paused, cut off from Redis -------------------------------------------------

LEASE = "2.5"  # seconds: short leases (heartbeats every 0.625 s) keep these tests fast


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeStripe, set[str]]]:
    async with FakeStripe(seed=14) as server:
        ids = {i for account in ACCOUNTS
               for i in server.seed("treasury.transaction", PER_ACCOUNT, financial_account=account)}
        # slow pages, so that a shard takes seconds and a worker can be stopped in the middle
        server.faults.latency(0.04, path="/v1/treasury/transactions")
        yield server, ids


async def start(*argv: str, **extra_env: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "STRIPE_API_KEY": KEY, "AIOSTRIPE_EXPORT_LEASE": LEASE}
    env.pop("AIOSTRIPE_QUEUE_SECRET", None)
    env.update(extra_env)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aiostripe", *argv, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


_EVENT = re.compile(r"shard (\S+)(?: \(epoch \d+\))?: (from|handed|done|lost its lease)")


class Worker:
    """An `aiostripe -v worker` process and the log lines it wrote so far."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self.last_taken = 0.0  # when it was last seen taking a shard (loop time)
        self.reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def start(cls, url: str, redis_url: str, *extra: str, **env: str) -> Worker:
        return cls(await start("-v", "worker", "--base-url", url, "--redis", redis_url,
                               "--concurrency", "1", "--slice", "1", *extra, **env))

    async def _read(self) -> None:
        assert self.proc.stderr is not None
        async for line in self.proc.stderr:
            self.lines.append(line.decode())
            if ": from object " in self.lines[-1]:
                self.last_taken = asyncio.get_running_loop().time()

    def holding(self) -> set[str]:
        """The shards it works on now, from its log."""
        held: set[str] = set()
        for m in filter(None, map(_EVENT.search, self.lines)):
            (held.add if m.group(2) == "from" else held.discard)(m.group(1))
        return held

    def resumed(self, shard: str, since: int = 0) -> list[int]:
        """The objects it found saved each time it took `shard` (in its log from line `since`)."""
        pattern = re.compile(rf"shard {re.escape(shard)}: from object (\d+)")
        return [int(m.group(1)) for m in map(pattern.search, self.lines[since:]) if m]

    async def stop(self) -> None:
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGCONT)
                self.proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(self.proc.wait(), 30)
        await self.reader


def progress(out: Path) -> dict[str, dict[str, Any]]:
    """Each shard's state and objects so far, from the manifest `export` keeps."""
    try:
        manifest = json.loads((out / "manifest.json").read_text())
    except (OSError, ValueError):
        return {}
    return {s["name"]: s for s in manifest["shards"]}


async def finish(exporter: asyncio.subprocess.Process, workers: list[Worker]) -> None:
    """Wait for the export to end well; else fail with every worker's log."""
    try:
        _, err = await asyncio.wait_for(exporter.communicate(), 90)
    except TimeoutError:
        logs = "\n".join("".join(w.lines[-40:]) for w in workers)
        raise AssertionError(f"the export did not end; the workers said:\n{logs}") from None
    assert exporter.returncode == 0, err.decode()[-3000:]


async def wait_until(condition: Any, timeout: float) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


def export_argv(out: Path, redis_url: str, *extra: str) -> list[str]:
    return ["export", "treasury.transactions", "--split",
            "financial_account=" + ",".join(ACCOUNTS), "--out", str(out),
            "--redis", redis_url, "--rate-limit", "200", "--no-progress", *extra]


def every_object_once(out: Path, expected: set[str]) -> None:
    seen: Counter[str] = Counter()
    for account in ACCOUNTS:
        lines = (out / f"{account}.jsonl").read_text().splitlines()
        objs = [json.loads(line) for line in lines]
        assert {o["financial_account"] for o in objs} == {account}
        assert len(objs) == PER_ACCOUNT
        seen.update(o["id"] for o in objs)
    assert set(seen) == expected and set(seen.values()) == {1}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] is True and manifest["objects"] == PER_ACCOUNT * len(ACCOUNTS)
    assert {s["name"]: (s["state"], s["objects"]) for s in manifest["shards"]} == {
        a: ("done", PER_ACCOUNT) for a in ACCOUNTS
    }
    leftovers = [p.name for p in out.iterdir() if p.name.endswith((".part", ".tmp"))]
    assert not leftovers


def all_under_way(out: Path) -> bool:
    states = progress(out).values()
    return len(states) == 3 and all(s["objects"] > 0 and s["state"] != "done" for s in states)


async def test_three_workers_one_killed_midway_every_object_once(
    fake: tuple[FakeStripe, set[str]], tmp_path: Path, redis_url: str
) -> None:
    server, expected = fake
    out = tmp_path / "export"
    exporter = await start(*export_argv(out, redis_url))
    workers = [await Worker.start(server.url, redis_url) for _ in range(3)]
    try:
        loop = asyncio.get_running_loop()

        def mid_shard() -> bool:
            # every shard under way, none done, the first worker early in a slice of one
            return (all_under_way(out) and bool(workers[0].holding())
                    and loop.time() - workers[0].last_taken < 0.4)

        await wait_until(mid_shard, 60)
        workers[0].proc.send_signal(signal.SIGKILL)
        await workers[0].proc.wait()
        await workers[0].reader
        seen_before = [len(w.lines) for w in workers[1:]]
        assert len(workers[0].holding()) == 1, workers[0].lines
        (held,) = workers[0].holding()
        saved = workers[0].resumed(held)[-1]
        workers.append(await Worker.start(server.url, redis_url))  # its replacement
        await finish(exporter, workers)
    finally:
        if exporter.returncode is None:
            exporter.send_signal(signal.SIGTERM)
        for w in workers:
            await w.stop()
    for w in workers[1:]:
        assert w.proc.returncode == 0 and not any("Traceback" in x for x in w.lines), w.lines
    # the killed worker's shard went to another worker, which went on from its checkpoint
    taken_over = [n for w, since in zip(workers[1:], [*seen_before, 0], strict=True)
                  for n in w.resumed(held, since)]
    assert taken_over and min(taken_over) >= saved, (held, saved, taken_over)
    every_object_once(out, expected)

    # a rerun with the same --out resumes: here, nothing left to do
    before = len(server.requests)
    rerun = await start(*export_argv(out, redis_url)[:-1], "--progress")
    _, err = await asyncio.wait_for(rerun.communicate(), 30)
    assert rerun.returncode == 0 and b"already complete" in err, err.decode()
    assert len(server.requests) == before


async def test_a_paused_worker_past_its_lease_is_fenced_and_every_object_lands_once(
    fake: tuple[FakeStripe, set[str]], tmp_path: Path, redis_url: str
) -> None:
    """SIGSTOP a worker holding every shard past its lease (a VM pause, a long GC), let another
    take them over, SIGCONT it: it is refused at its next heartbeat or checkpoint and stops;
    the export is exact. The slice is long (30 s): takeover does not wait for it."""
    server, expected = fake
    server.faults.latency(0.08, path="/v1/treasury/transactions")
    out = tmp_path / "export"
    exporter = await start(*export_argv(out, redis_url))
    a = await Worker.start(server.url, redis_url, "--concurrency", "3", "--slice", "30")
    workers = [a]
    try:
        await wait_until(lambda: all_under_way(out) and len(a.holding()) == 3, 60)
        a.proc.send_signal(signal.SIGSTOP)
        stopped_at = {n: s["objects"] for n, s in progress(out).items()}
        b = await Worker.start(server.url, redis_url, "--concurrency", "3", "--slice", "30")
        workers.append(b)
        await wait_until(lambda: len(b.holding()) == 3, 30)  # B took every shard over
        assert min(min(b.resumed(n)) - stopped_at[n] for n in ACCOUNTS) >= 0
        a.proc.send_signal(signal.SIGCONT)  # A wakes up mid-page, sure it still holds them
        await finish(exporter, workers)
        sizes = {f.name: f.read_bytes() for f in out.glob("*.jsonl")}
        await asyncio.sleep(1.5)  # nobody touches a finished export
        assert {f.name: f.read_bytes() for f in out.glob("*.jsonl")} == sizes
    finally:
        if exporter.returncode is None:
            exporter.send_signal(signal.SIGTERM)
        for w in workers:
            await w.stop()
    every_object_once(out, expected)
    fenced = [x for x in a.lines if "discarded" in x]
    assert fenced, a.lines  # A noticed, stopped and discarded its stale work
    assert not any("done" in x and "shard" in x for x in a.lines), a.lines
    for w in workers:
        assert w.proc.returncode == 0 and not any("Traceback" in x for x in w.lines), w.lines


class Cutter:
    """A TCP proxy to Redis on 127.0.0.1 that can black-hole its traffic (a worker cut off
    from Redis: its calls time out) and let it through again."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.cut = False
        self.writers: list[asyncio.StreamWriter] = []
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> Self:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        self.drop()

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    def drop(self) -> None:
        for w in self.writers:
            w.close()
        self.writers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_r, up_w = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        self.writers += [writer, up_w]

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.IncompleteReadError):
                while data := await src.read(65536):
                    if not self.cut:  # cut: bytes vanish, nobody is told
                        dst.write(data)
                        await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_w), pipe(up_r, writer))


async def test_a_worker_cut_off_from_redis_stops_and_another_takes_over(
    fake: tuple[FakeStripe, set[str]], tmp_path: Path, redis_url: str
) -> None:
    server, expected = fake
    server.faults.latency(0.08, path="/v1/treasury/transactions")
    out = tmp_path / "export"
    port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
    async with Cutter(port) as cutter:
        exporter = await start(*export_argv(out, redis_url))
        a = await Worker.start(server.url, f"redis://127.0.0.1:{cutter.port}/0",
                               "--concurrency", "3", "--slice", "30")
        workers = [a]
        try:
            await wait_until(lambda: all_under_way(out) and len(a.holding()) == 3, 60)
            cutter.cut = True
            b = await Worker.start(server.url, redis_url, "--concurrency", "3", "--slice", "30")
            workers.append(b)
            await wait_until(lambda: len(b.holding()) == 3, 30)
            try:
                await wait_until(lambda: {m.group(1) for m in map(re.compile(
                    r"shard (\S+) \(epoch \d+\): lost its lease \(Redis unreachable").search,
                    a.lines) if m} == set(ACCOUNTS), 30)
            except TimeoutError:
                raise AssertionError("".join(a.lines)) from None
            cutter.cut = False
            cutter.drop()  # A reconnects
            await finish(exporter, workers)
        finally:
            if exporter.returncode is None:
                exporter.send_signal(signal.SIGTERM)
            for w in workers:
                await w.stop()
    every_object_once(out, expected)
    assert not any("shard" in x and ": done" in x for x in a.lines), a.lines
    for w in workers:
        assert w.proc.returncode == 0 and not any("Traceback" in x for x in w.lines), w.lines


# --- workers trust nothing from the queue ---------------------------------------------------------


async def test_hand_written_jobs_are_refused_never_run(tmp_path: Path, redis_url: str) -> None:
    import redis.asyncio as aioredis

    async with FakeStripe(seed=5) as server:
        server.seed("treasury.transaction", 50, financial_account="fa_1")
        root = tmp_path / "exports"
        root.mkdir()
        outside = tmp_path / "elsewhere"
        outside.mkdir()
        (outside / "manifest.json").write_text(json.dumps({  # even a planted manifest
            "version": 1, "export": {"resource": "customers", "ids": [], "params": [],
                                     "split": None, "values": [], "windows": None}}))
        legit = root / "legit"
        prep = await start("export", "treasury.transactions", "--split",
                           "financial_account=fa_1", "--out", str(legit), "--redis",
                           "redis://127.0.0.1:1/0")  # registers legit/, cannot queue
        await prep.communicate()
        assert (legit / "manifest.json").is_file()
        base = {"max_wait": 60, "rate_limit": None, "ids": []}
        real_id = plan(resolve("treasury.transactions", "list"), [], [],
                       "financial_account=fa_1", None).export_id(legit)
        jobs = {
            "outside": {**base, "export": "x", "out": str(outside), "name": "all",
                        "resource": "customers", "params": {}},
            "traversal": {**base, "export": "x", "out": str(root / ".." / "elsewhere"),
                          "name": "all", "resource": "customers", "params": {}},
            "unknown-resource": {**base, "export": real_id, "out": str(legit), "name": "fa_1",
                                 "resource": "os.system", "params": {}},
            "other-params": {**base, "export": real_id, "out": str(legit), "name": "fa_1",
                             "resource": "treasury.transactions",
                             "params": {"financial_account": "fa_9"}},
            "other-export": {**base, "export": "x", "out": str(legit), "name": "fa_1",
                             "resource": "treasury.transactions",
                             "params": {"financial_account": "fa_1"}},
            "bad-name": {**base, "export": "x", "out": str(legit), "name": "../../x",
                         "resource": "treasury.transactions", "params": {}},
        }
        r = aioredis.Redis.from_url(redis_url)
        async with r:
            for job_id, spec in jobs.items():
                await r.hset(f"aiostripe:export:job:{job_id}",
                             mapping={"spec": json.dumps(spec), "state": "queued"})
                await r.rpush("aiostripe:export:ready", job_id)
            await r.rpush("aiostripe:export:ready", "no-hash")
            w = await Worker.start(server.url, redis_url, "--root", str(root))
            try:
                await wait_until(
                    lambda: sum("refused job" in x for x in w.lines) == len(jobs) + 1, 30)
            finally:
                await w.stop()
            for job_id in jobs:
                assert await r.hget(f"aiostripe:export:job:{job_id}", "state") == b"refused"
        assert not server.requests  # nothing was listed
        assert sorted(p.name for p in outside.iterdir()) == ["manifest.json"]
        assert sorted(p.name for p in legit.iterdir()) == ["manifest.json"]
        refusals = [x for x in w.lines if "refused job" in x]
        assert any("not under this worker's --root" in x for x in refusals), refusals
        assert any("differs from the export" in x for x in refusals), refusals
        assert any("bad shard name" in x for x in refusals), refusals
        assert any("export id 'x' is not the one" in x for x in refusals), refusals
        assert any("no such job" in x for x in refusals), refusals


async def test_a_worker_with_a_secret_runs_signed_jobs_only(
    tmp_path: Path, redis_url: str
) -> None:
    async with FakeStripe(seed=6) as server:
        ids = server.seed("treasury.transaction", 120, financial_account="fa_1")
        out = tmp_path / "export"
        argv = ["export", "treasury.transactions", "--split", "financial_account=fa_1",
                "--out", str(out), "--redis", redis_url, "--no-progress"]
        w = await Worker.start(server.url, redis_url, AIOSTRIPE_QUEUE_SECRET="s3cret")
        try:
            unsigned = await start(*argv)
            _, err = await asyncio.wait_for(unsigned.communicate(), 30)
            assert unsigned.returncode == 1
            one_line_error(err.decode(), "refused by a worker", "not signed")
            assert not server.requests
            wrong = await start(*argv, AIOSTRIPE_QUEUE_SECRET="guess")
            _, err = await asyncio.wait_for(wrong.communicate(), 30)
            assert wrong.returncode == 1 and b"not signed" in err
            signed = await start(*argv, AIOSTRIPE_QUEUE_SECRET="s3cret")
            _, err = await asyncio.wait_for(signed.communicate(), 30)
            assert signed.returncode == 0, err.decode()
        finally:
            await w.stop()
    got = [json.loads(x)["id"] for x in (out / "fa_1.jsonl").read_text().splitlines()]
    assert sorted(got) == sorted(ids)
    assert stat.S_IMODE((out / "fa_1.jsonl").stat().st_mode) == 0o600


async def test_a_failed_shard_ends_the_export_with_its_error_and_a_rerun_resumes(
    fake: tuple[FakeStripe, set[str]], tmp_path: Path, redis_url: str
) -> None:
    server, expected = fake
    server.faults.clear()
    server.faults.fail_next(1, status=400, path="/v1/treasury/transactions")  # not retried
    out = tmp_path / "export"
    export_argv = ["export", "treasury.transactions", "--split",
                   "financial_account=" + ",".join(ACCOUNTS), "--out", str(out),
                   "--redis", redis_url, "--no-progress"]
    worker = await start("worker", "--base-url", server.url, "--redis", redis_url,
                         "--concurrency", "3", "--slice", "5")
    try:
        first = await start(*export_argv)
        _, err = await asyncio.wait_for(first.communicate(), 60)
        assert first.returncode == 1
        one_line_error(err.decode(), "shard 'fa_", "failed: InvalidRequestError", "rerun")
        manifest = json.loads((out / "manifest.json").read_text())
        failed = [s for s in manifest["shards"] if s["state"] == "failed"]
        assert len(failed) == 1 and "InvalidRequestError" in failed[0]["error"]
        assert manifest["complete"] is False
        again = await start(*export_argv)
        _, err = await asyncio.wait_for(again.communicate(), 60)
        assert again.returncode == 0, err.decode()
    finally:
        worker.send_signal(signal.SIGTERM)
        await asyncio.wait_for(worker.communicate(), 30)
    ids = [json.loads(line)["id"] for a in ACCOUNTS
           for line in (out / f"{a}.jsonl").read_text().splitlines()]
    assert sorted(ids) == sorted(expected)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] is True
    assert all(s["state"] == "done" and s["error"] is None for s in manifest["shards"])


async def test_windows_split_a_shard_by_created_and_meet_exactly(
    tmp_path: Path, redis_url: str
) -> None:
    async with FakeStripe(seed=3) as server:
        ids = server.seed("treasury.transaction", 900, financial_account="fa_1")
        created = [server.store.objects[i]["created"] for i in ids]
        gte, lt = min(created), max(created) + 1
        out = tmp_path / "export"
        worker = await start("worker", "--base-url", server.url, "--redis", redis_url,
                             "--concurrency", "3")
        try:
            export = await start(
                "export", "treasury.transactions", "--split", "financial_account=fa_1",
                "--windows", "3", "-p", f"created[gte]={gte}", "-p", f"created[lt]={lt}",
                "--out", str(out), "--redis", redis_url, "--no-progress",
            )
            _, err = await asyncio.wait_for(export.communicate(), 60)
            assert export.returncode == 0, err.decode()
        finally:
            worker.send_signal(signal.SIGTERM)
            await asyncio.wait_for(worker.communicate(), 30)
    files = sorted(out.glob("*.jsonl"))
    assert len(files) == 3 and all(f.name.startswith("fa_1.") for f in files)
    got = [json.loads(line) for f in files for line in f.read_text().splitlines()]
    assert sorted(o["id"] for o in got) == sorted(ids)  # every object once across the windows
    for f in files:  # each file holds its window [a, b) only
        a, b = (int(x) for x in f.name.removeprefix("fa_1.").removesuffix(".jsonl").split("-"))
        assert all(a <= json.loads(line)["created"] < b for line in f.read_text().splitlines())
