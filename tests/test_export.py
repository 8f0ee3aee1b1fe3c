"""`aiostripe export` and `aiostripe worker`: shards planned, queued on arq in a real redis-server,
exported by worker processes from the fake Stripe over loopback; a worker SIGKILLed mid-shard and
replaced loses nothing and repeats nothing."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

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


# --- three workers, one killed ------------------------------------------------------------------


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeStripe, set[str]]]:
    async with FakeStripe(seed=14) as server:
        ids = {i for account in ACCOUNTS
               for i in server.seed("treasury.transaction", PER_ACCOUNT, financial_account=account)}
        # slow pages, so that a shard takes seconds and a worker can be killed in the middle
        server.faults.latency(0.04, path="/v1/treasury/transactions")
        yield server, ids


async def start(*argv: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "STRIPE_API_KEY": KEY}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aiostripe", *argv, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


class Worker:
    """An `aiostripe -v worker` process and the log lines it wrote so far."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self.last_taken = 0.0  # when it was last seen taking a shard (loop time)
        self.reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def start(cls, url: str, redis_url: str) -> Worker:
        return cls(await start("-v", "worker", "--base-url", url, "--redis", redis_url,
                               "--concurrency", "1", "--slice", "1"))

    async def _read(self) -> None:
        assert self.proc.stderr is not None
        async for line in self.proc.stderr:
            self.lines.append(line.decode())
            if ": from object " in self.lines[-1]:
                self.last_taken = asyncio.get_running_loop().time()

    def holding(self) -> str | None:
        """The shard it works on now, from its log (one at a time: --concurrency 1)."""
        events = [m.groups() for m in map(re.compile(r"shard (\S+): (from|handed|done)").search,
                                            self.lines) if m]
        return events[-1][0] if events and events[-1][1] == "from" else None

    def resumed(self, shard: str, since: int = 0) -> list[int]:
        """The objects it found saved each time it took `shard` (in its log from line `since`)."""
        pattern = re.compile(rf"shard {re.escape(shard)}: from object (\d+)")
        return [int(m.group(1)) for m in map(pattern.search, self.lines[since:]) if m]


def progress(out: Path) -> dict[str, dict[str, Any]]:
    found = {}
    for cursor in out.glob("*.jsonl.cursor"):
        try:
            found[cursor.name.split(".")[0]] = json.loads(cursor.read_text())
        except (OSError, ValueError):
            pass
    return found


async def wait_until(condition: Any, timeout: float) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def test_three_workers_one_killed_midway_every_object_once(
    fake: tuple[FakeStripe, set[str]], tmp_path: Path, redis_url: str
) -> None:
    server, expected = fake
    out = tmp_path / "export"
    export_argv = ["export", "treasury.transactions", "--split",
                   "financial_account=" + ",".join(ACCOUNTS), "--out", str(out),
                   "--redis", redis_url, "--rate-limit", "200", "--no-progress"]
    exporter = await start(*export_argv)
    workers = [await Worker.start(server.url, redis_url) for _ in range(3)]
    try:
        loop = asyncio.get_running_loop()

        def mid_shard() -> bool:
            # every shard under way, none done, the first worker early in a slice of one
            states = progress(out).values()
            return (len(states) == 3 and all(0 < s["objects"] for s in states)
                    and not any(s["complete"] for s in states)
                    and workers[0].holding() is not None
                    and loop.time() - workers[0].last_taken < 0.4)

        await wait_until(mid_shard, 60)
        workers[0].proc.send_signal(signal.SIGKILL)
        await workers[0].proc.wait()
        await workers[0].reader
        seen_before = [len(w.lines) for w in workers[1:]]
        held = workers[0].holding()
        assert held is not None
        saved = progress(out)[held]["objects"]
        assert 0 < saved < PER_ACCOUNT
        workers.append(await Worker.start(server.url, redis_url))  # its replacement
        _, err = await asyncio.wait_for(exporter.communicate(), 90)
        assert exporter.returncode == 0, err.decode()[-3000:]
    finally:
        for proc in [exporter, *(w.proc for w in workers)]:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for w in workers:
            await asyncio.wait_for(w.proc.wait(), 30)
            await w.reader
    for w in workers[1:]:
        assert w.proc.returncode == 0 and not any("Traceback" in x for x in w.lines), w.lines
    # the killed worker's shard went to another worker, which went on from its checkpoint
    taken_over = [n for w, since in zip(workers[1:], [*seen_before, 0], strict=True)
                  for n in w.resumed(held, since)]
    assert taken_over and min(taken_over) >= saved, (held, saved, taken_over)

    # every object exactly once, each in its account's shard
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

    # a rerun with the same --out resumes: here, nothing left to do
    before = len(server.requests)
    rerun = await start(*export_argv[:-1], "--progress")
    _, err = await asyncio.wait_for(rerun.communicate(), 30)
    assert rerun.returncode == 0 and b"already complete" in err, err.decode()
    assert len(server.requests) == before


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
