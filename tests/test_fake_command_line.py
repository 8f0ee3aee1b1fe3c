"""`python -m aiostripe.testing` seeded from the command line, used through the client over HTTP;
its banner names exactly the API keys the fake accepts."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import aiostripe
from aiostripe.testing.keys import KEY_PREFIXES


@pytest.fixture
async def seeded(tmp_path: Path) -> AsyncIterator[tuple[str, list[str]]]:
    objects = tmp_path / "objects.jsonl"
    objects.write_text(
        json.dumps({"id": "cus_file1", "object": "customer", "email": "a@example.com",
                    "zz_not_in_the_spec": 1}) + "\n"
        + json.dumps({"object": "customer", "email": "b@example.com"}) + "\n"
    )
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"object": "list", "data": [{"object": "product", "name": "P"}]}))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aiostripe.testing", "--port", "0",
        "--seed", "customer=3",
        "--seed", "treasury.transaction=5:financial_account=fa_1:status_transitions.posted_at=1700000000",
        "--seed-file", str(objects), "--seed-file", str(page),
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    try:
        banner = [
            (await asyncio.wait_for(proc.stdout.readline(), 30)).decode().rstrip()
            for _ in range(4)
        ]
        url = banner[0].removeprefix("fake Stripe listening on ")
        yield url, banner
    finally:
        proc.terminate()
        await proc.wait()


async def test_seeded_objects_are_served(seeded: tuple[str, list[str]]) -> None:
    url, banner = seeded
    expected = (
        "seeded: 3 customer; 5 treasury.transaction "
        "(financial_account=fa_1, status_transitions.posted_at=1700000000)"
    )
    assert expected in banner[2]
    assert "objects.jsonl: 2 customer" in banner[2] and "page.json: 1 product" in banner[2]
    async with aiostripe.StripeClient("sk_test_cli", base_url=url, max_retries=0) as stripe:
        customers = await stripe.customers.list(limit=100)
        assert len(customers.data) == 5
        from_file = await stripe.customers.retrieve("cus_file1")
        assert from_file.email == "a@example.com"
        assert "zz_not_in_the_spec" not in from_file.to_dict()
        txs = await stripe.treasury.transactions.list(financial_account="fa_1", limit=100)
        assert len(txs.data) == 5
        assert {tx.status_transitions.posted_at for tx in txs.data} == {1_700_000_000}
        assert [p.name for p in (await stripe.products.list()).data] == ["P"]


async def test_the_banner_names_the_keys_that_work(seeded: tuple[str, list[str]]) -> None:
    url, banner = seeded
    named = re.findall(r"\b([a-z]{2}_(?:test|live)_)", banner[1])
    assert named == list(KEY_PREFIXES)
    for prefix in named:
        async with aiostripe.StripeClient(f"{prefix}abc_123", base_url=url) as stripe:
            assert (await stripe.balance.retrieve()).object == "balance"
    for key in ("pk_test_abc", "sk_test_", "whsec_abc"):
        async with aiostripe.StripeClient(key, base_url=url, max_retries=0) as stripe:
            with pytest.raises(aiostripe.AuthenticationError):
                await stripe.balance.retrieve()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "7"], "expected TYPE=COUNT"),
        (["--seed", "custmer=7"], "no object type 'custmer'"),
        (["--seed", "customer=2:balance=abc"], "balance: 'abc' does not fit"),
        (["--seed", "customer=10:emial=x"], "customer has no field 'emial' (did you mean email?)"),
        (["--seed", "customer=many"], "COUNT must be a whole number"),
        (["--seed-file", "/no/such/file.json"], "No such file"),
    ],
)
def test_bad_seeds_are_one_line_errors(args: list[str], message: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "aiostripe.testing", "--port", "0", *args],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert proc.returncode == 2
    last = proc.stderr.strip().splitlines()[-1]
    assert message in last and "Traceback" not in proc.stderr, proc.stderr
