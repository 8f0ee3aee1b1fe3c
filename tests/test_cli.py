"""The `aiostripe` command line, end to end against the local list server (`tests/list_server.py`).

`main(argv)` runs its own event loop, so it runs in a worker thread while the server serves from
the test's loop; the hard-crash test runs `python -m aiostripe` in a subprocess and kills it.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

import aiostripe
from aiostripe import cli
from tests.list_server import CUS_PATH, FA, ListServer, make_objects, server

__all__ = ["server"]  # the fixture

ROOT = Path(__file__).resolve().parents[1]


async def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """`aiostripe argv...` in a thread; (exit status, stdout, stderr)."""
    code = await asyncio.to_thread(cli.main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def conn(srv: ListServer) -> list[str]:
    return ["--api-key", "sk_test_cli", "--base-url", srv.url]


def tx_args(srv: ListServer, out: Path, *extra: str) -> list[str]:
    return [
        *conn(srv),
        "list",
        "treasury.transactions",
        "--param",
        f"financial_account={FA}",
        "-o",
        str(out),
        *extra,
    ]


def read_lines(path: Path) -> list[dict[str, Any]]:
    raw = path.read_bytes()
    assert raw == b"" or raw.endswith(b"\n")
    return [json.loads(line) for line in raw.decode().splitlines()]


def one_line_error(err: str, *needles: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("aiostripe"), err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], err


# --- list -------------------------------------------------------------------------------------


async def test_list_to_jsonl(
    server: ListServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    objs = server.seed_transactions(2345)
    out = tmp_path / "tx.jsonl"
    code, stdout, err = await run(capsys, *tx_args(server, out, "--progress"))
    assert code == 0, err
    assert stdout == ""
    lines = read_lines(out)
    assert lines == objs  # every object, once, in order, exactly as the API sent it
    assert server.count == 24
    assert all(p["limit"] == "100" for _, p in server.log)
    state = json.loads((tmp_path / "tx.jsonl.cursor").read_text())
    assert state["complete"] is True
    assert state["objects"] == 2345 and state["pages"] == 24
    assert state["offset"] == out.stat().st_size
    assert state["cursor"] == objs[-1]["id"]
    assert "\r" in err and "2,345 objects, 24 pages" in err

    # a finished listing resumed is a no-op
    server.log.clear()
    code, _, err = await run(capsys, *tx_args(server, out, "--resume", "--progress"))
    assert code == 0 and server.count == 0
    assert "already complete" in err
    assert read_lines(out) == objs

    # without --resume the output starts over
    code, _, _ = await run(capsys, *tx_args(server, out, "--max-items", "5"))
    assert code == 0 and [o["id"] for o in read_lines(out)] == [o["id"] for o in objs[:5]]


async def test_list_to_stdout_with_filters(
    server: ListServer, capsys: pytest.CaptureFixture[str]
) -> None:
    objs = server.seed_transactions(300, per_second=1)
    code, stdout, err = await run(
        capsys,
        *conn(server),
        "list",
        "treasury/transactions",
        "-p",
        f"financial_account={FA}",
        "-p",
        "created[gte]=1700000100",
        "--param",
        "created.lt=1700000150",
        "-p",
        "limit=20",
        "--no-progress",
    )
    assert code == 0, err
    assert err == ""
    ids = [json.loads(line)["id"] for line in stdout.splitlines()]
    assert ids == [o["id"] for o in objs if 1_700_000_100 <= o["created"] < 1_700_000_150]
    assert server.log[0][1]["created"] == {"gte": "1700000100", "lt": "1700000150"}
    assert server.log[0][1]["limit"] == "20"


async def test_list_with_a_path_id(
    server: ListServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = f"{CUS_PATH}/cus_9/balance_transactions"
    objs = server.seed(path, make_objects("customer_balance_transaction", 150, prefix="cbtxn"))
    out = tmp_path / "b.jsonl"
    code, _, err = await run(
        capsys, *conn(server), "list", "customers.balance_transactions", "cus_9", "-o", str(out)
    )
    assert code == 0, err
    assert read_lines(out) == objs
    code, _, err = await run(
        capsys,
        *conn(server),
        "list",
        "customers.balance_transactions",
        "-p",
        "customer=cus_9",
        "--max-items",
        "3",
    )
    assert code == 0, err


async def test_limits(
    server: ListServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    objs = server.seed_transactions(1000)
    out = tmp_path / "tx.jsonl"
    code, _, _ = await run(capsys, *tx_args(server, out, "--limit-pages", "3"))
    assert code == 0 and read_lines(out) == objs[:300]
    assert server.count == 3
    server.log.clear()
    code, _, _ = await run(capsys, *tx_args(server, out, "--max-items", "150"))
    assert code == 0 and read_lines(out) == objs[:150]
    assert [p["limit"] for _, p in server.log] == ["100", "50"]
    # the caps count across resumed runs
    code, _, _ = await run(capsys, *tx_args(server, out, "--max-items", "420", "--resume"))
    assert code == 0 and read_lines(out) == objs[:420]
    state = json.loads((tmp_path / "tx.jsonl.cursor").read_text())
    assert state["objects"] == 420 and state["complete"] is False


# --- resuming -----------------------------------------------------------------------------------


async def test_api_failure_then_resume(
    server: ListServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    objs = server.seed_transactions(1234)
    server.faults[6] = 400  # not retried: the run stops after 5 pages
    out = tmp_path / "tx.jsonl"
    code, _, err = await run(capsys, *tx_args(server, out))
    assert code == 1
    one_line_error(err, "InvalidRequestError", "injected failure #6", "--resume")
    assert read_lines(out) == objs[:500]
    state = json.loads((tmp_path / "tx.jsonl.cursor").read_text())
    assert state["cursor"] == objs[499]["id"] and state["complete"] is False

    server.log.clear()
    server.faults.clear()
    code, _, err = await run(capsys, *tx_args(server, out, "--resume"))
    assert code == 0, err
    assert read_lines(out) == objs  # no duplicates, no gaps
    assert server.log[0][1]["starting_after"] == objs[499]["id"]


async def test_torn_page_is_dropped_on_resume(
    server: ListServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    objs = server.seed_transactions(600)
    out = tmp_path / "tx.jsonl"
    code, _, _ = await run(capsys, *tx_args(server, out, "--limit-pages", "2"))
    assert code == 0
    # a crash after part of page 3 was written, before its checkpoint
    with out.open("ab") as f:
        f.write(json.dumps(objs[200]).encode() + b"\n" + b'{"id": "trxn_half')
    code, _, err = await run(capsys, *tx_args(server, out, "--resume"))
    assert code == 0, err
    assert read_lines(out) == objs


async def test_search_resume(
    server: ListServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    objs = server.seed_customers(777)
    server.faults[4] = 404
    out = tmp_path / "c.jsonl"
    args = [*conn(server), "search", "customers", "--query", "email:'x'", "-o", str(out)]
    code, _, err = await run(capsys, *args)
    assert code == 1
    one_line_error(err, "injected failure #4")
    assert read_lines(out) == objs[:300]
    assert json.loads((tmp_path / "c.jsonl.cursor").read_text())["cursor"] == "0:pg_300"
    server.faults.clear()
    code, _, err = await run(capsys, *args, "--resume")
    assert code == 0, err
    assert read_lines(out) == objs
    assert all(p["query"] == "email:'x'" for _, p in server.log)


async def test_killed_process_resumes_exactly(
    server: ListServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    objs = server.seed_transactions(3000)
    server.delay = 0.01
    out = tmp_path / "tx.jsonl"
    cursor = tmp_path / "tx.jsonl.cursor"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "STRIPE_API_KEY": "sk_test_sub"}
    env.pop("STRIPE_BASE_URL", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aiostripe",
        "--base-url",
        server.url,
        "list",
        "treasury.transactions",
        "-p",
        f"financial_account={FA}",
        "-p",
        "limit=50",
        "-o",
        str(out),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(30):
            while True:
                await asyncio.sleep(0.02)
                if cursor.exists():
                    try:
                        if json.loads(cursor.read_text())["pages"] >= 7:
                            break
                    except ValueError:
                        continue
                assert proc.returncode is None, await proc.stderr.read()  # type: ignore[union-attr]
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGKILL)
        await proc.wait()
    assert proc.returncode == -signal.SIGKILL
    saved = len(read_lines_lenient(out))
    assert 350 <= saved < 3000
    code, _, err = await run(capsys, *tx_args(server, out, "--resume"))  # with limit 100 now
    assert code == 0, err
    assert [o["id"] for o in read_lines(out)] == [o["id"] for o in objs]


def read_lines_lenient(path: Path) -> list[str]:
    return path.read_bytes().decode(errors="replace").splitlines()


# --- get ----------------------------------------------------------------------------------------


async def test_get(server: ListServer, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    objs = server.seed_customers(10)
    code, stdout, err = await run(capsys, *conn(server), "get", "customers", "cus_0000003")
    assert code == 0, err
    assert json.loads(stdout) == next(o for o in objs if o["id"] == "cus_0000003")
    code, stdout, err = await run(capsys, *conn(server), "get", "customers", "cus_nope")
    assert code == 1
    one_line_error(err, "InvalidRequestError", "No such object")
    target = tmp_path / "c.json"
    code, _, _ = await run(
        capsys,
        *conn(server),
        "get",
        "customers",
        "cus_0000001",
        "-p",
        "expand=x",
        "-o",
        str(target),
    )
    assert code == 0 and json.loads(target.read_text())["id"] == "cus_0000001"
    assert server.log[-1][1]["expand"] == ["x"]


# --- bad arguments --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "needles"),
    [
        (["list", "treasury.transaction"], ["unknown resource", "treasury.transactions"]),
        (["list", "balance"], ["'balance' cannot be listed"]),
        (["search", "treasury.transactions", "-q", "x"], ["cannot be searched", "customers"]),
        (["get", "treasury.transactionz", "x"], ["unknown resource"]),
        (
            ["list", "treasury.transactions", "-p", "financial_account=fa", "-p", "colour=red"],
            ["unknown parameter 'colour'", "financial_account"],
        ),
        (
            ["list", "treasury.transactions", "-p", "financial_account=fa", "-p", "limit=ten"],
            ["'limit' expects an integer", "'ten'"],
        ),
        (
            ["list", "treasury.transactions", "-p", "financial_account=fa", "-p", "status=gone"],
            ["'status' expects one of 'open', 'posted', 'void'"],
        ),
        (
            ["list", "treasury.transactions", "-p", "financial_account=fa", "-p", "created[x]=1"],
            ["'created' has no sub-key 'x'"],
        ),
        (
            ["list", "treasury.transactions", "-p", "financial_account=fa", "-p", "created=soon"],
            ["'created' expects", "an integer"],
        ),
        (["list", "treasury.transactions", "-p", "financial_account"], ["expected KEY=VALUE"]),
        (["list", "treasury.transactions"], ["needs parameter(s) financial_account"]),
        (["list", "customers.balance_transactions"], ["needs customer"]),
        (["list", "customers", "cus_1"], ["unexpected argument"]),
        (["get", "customers"], ["needs customer", "aiostripe get customers <customer>"]),
        (["list", "customers", "--resume"], ["--resume needs -o FILE"]),
        (["list", "customers", "--max-items", "many"], ["--max-items", "expected an integer"]),
        (["list", "customers", "--limit-pages", "0"], ["--limit-pages", ">= 1"]),
        (["lsit", "customers"], ["invalid choice: 'lsit'"]),
        (["list"], ["resource"]),
    ],
)
async def test_bad_arguments(
    capsys: pytest.CaptureFixture[str], argv: list[str], needles: list[str]
) -> None:
    code = await asyncio.to_thread(_main_exit_code, [*argv, "--api-key", "sk_test_x"])
    _, err = capsys.readouterr()
    assert code == 2
    one_line_error(err, *needles)


def _main_exit_code(argv: list[str]) -> int:
    try:
        return cli.main(argv)
    except SystemExit as exc:  # argparse's own errors
        return int(exc.code or 0)


async def test_missing_api_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    code = await asyncio.to_thread(_main_exit_code, ["list", "customers"])
    _, err = capsys.readouterr()
    assert code == 2
    one_line_error(err, "no API key", "STRIPE_API_KEY")


async def test_env_defaults(
    server: ListServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server.seed_customers(3)
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_env")
    monkeypatch.setenv("STRIPE_BASE_URL", server.url)
    code, stdout, err = await run(capsys, "list", "customers")
    assert code == 0, err
    assert len(stdout.splitlines()) == 3


async def test_cursor_file_of_another_listing(
    server: ListServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.seed_transactions(10)
    out = tmp_path / "tx.jsonl"
    code, _, _ = await run(capsys, *tx_args(server, out, "--max-items", "3"))
    assert code == 0
    code, _, err = await run(capsys, *conn(server), "list", "customers", "-o", str(out), "--resume")
    assert code == 2
    one_line_error(err, "written for another listing")
    out.write_bytes(b"")
    code, _, err = await run(capsys, *tx_args(server, out, "--resume"))
    assert code == 2
    one_line_error(err, "cannot resume", "less than")
    out.write_bytes(b"{}\n")
    (tmp_path / "tx.jsonl.cursor").unlink()
    code, _, err = await run(capsys, *tx_args(server, out, "--resume"))
    assert code == 2
    one_line_error(err, "cannot resume: no cursor file")
    # --resume on a first run (no output yet) just starts
    out.unlink()
    code, _, err = await run(capsys, *tx_args(server, out, "--resume"))
    assert code == 0, err
    assert len(read_lines(out)) == 10


def test_every_list_and_search_resolves() -> None:
    ir = json.loads((ROOT / "generated" / "ir.json").read_text())
    seen = 0
    for op in ir["operations"]:
        if op["kind"] not in ("list", "search"):
            continue
        resolved = cli.resolve(".".join(op["service"]), op["kind"])
        assert resolved.params_type is not None and resolved.params_type.__name__ == op["params"]
        target: Any = aiostripe.StripeClient("sk_test_x")
        for part in op["service"]:
            target = getattr(target, part)
        request = getattr(target, op["method"])(*["x_1" for _ in op["path_params"]])
        assert request._paged == ("limit" in resolved.fields), op["path"]
        assert resolved.path_params == [p["name"] for p in op["path_params"]]
        seen += 1
    assert seen == len(cli._operations("list")) + len(cli._operations("search"))


def test_python_m_aiostripe_help() -> None:
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [sys.executable, "-m", "aiostripe", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0
    assert "list" in result.stdout and "search" in result.stdout and "get" in result.stdout


async def test_list_against_the_fake_stripe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    testing = pytest.importorskip("aiostripe.testing")
    async with testing.FakeStripe() as fake:
        seeded = fake.seed("treasury.transaction", 1500, financial_account=FA)
        out = tmp_path / "tx.jsonl"
        argv = ["--api-key", "sk_test_cli", "--base-url", fake.url]
        lst = ["list", "treasury.transactions", "-p", f"financial_account={FA}", "-o", str(out)]
        code, _, err = await run(capsys, *argv, *lst, "--max-items", "700")
        assert code == 0, err
        code, _, err = await run(capsys, *argv, *lst, "--resume")
        assert code == 0, err
        lines = read_lines(out)
        assert [o["id"] for o in lines] == seeded[::-1]
        assert all(o["object"] == "treasury.transaction" for o in lines)
        code, stdout, err = await run(capsys, *argv, "get", "treasury.transactions", seeded[7])
        assert code == 0, err
        assert json.loads(stdout)["id"] == seeded[7]
