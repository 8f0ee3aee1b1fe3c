"""`AIOSTRIPE_LOG=info|debug` turns on the library's logging without code (a fresh process per
setting: it is read once per process), and the lines never show the key or the parameters."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.gen_helpers import REPO

KEY = "sk_test_logEnvSecretKey0123456789"

SCRIPT = f"""
import asyncio
import aiostripe
from aiostripe.testing import FakeStripe

async def main() -> None:
    async with FakeStripe() as fake:
        policy = aiostripe.RetryPolicy(initial_delay=0.0)
        async with aiostripe.StripeClient({KEY!r}, base_url=fake.url, retry_policy=policy) as s:
            fake.faults.fail_next(1, status=503, path="/v1/customers")
            await s.customers.create(email="secret.person@example.com")

asyncio.run(main())
"""


def run(value: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "AIOSTRIPE_LOG"}
    if value is not None:
        env["AIOSTRIPE_LOG"] = value
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120,
        env={**env, "PYTHONPATH": str(REPO / "src")}, cwd=REPO, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert KEY not in proc.stderr and "secret.person" not in proc.stderr
    return proc.stderr


@pytest.mark.parametrize("value", ["debug", "DEBUG"])
def test_debug_logs_every_attempt(value: str) -> None:
    err = run(value)
    assert " aiostripe INFO POST /v1/customers -> 503 (attempt 1, request id req_" in err
    assert " aiostripe DEBUG POST /v1/customers -> 200 (attempt 2, request id req_" in err


def test_info_logs_retries_only() -> None:
    err = run("info")
    assert "POST /v1/customers -> 503 (attempt 1" in err and "retrying in" in err
    assert "DEBUG" not in err and "-> 200" not in err


def test_unset_is_silent_and_a_bad_value_says_so() -> None:
    assert run(None) == ""
    err = run("verbose")
    assert "AIOSTRIPE_LOG: expected one of debug, info, got 'verbose'" in err
    assert "retrying" not in err
