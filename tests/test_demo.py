"""`make demo` runs the main job end to end on the embedded fake Stripe."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.gen_helpers import REPO


def test_demo_runs_on_the_fake_stripe() -> None:
    env = {k: v for k, v in os.environ.items() if k != "STRIPE_API_KEY"}
    proc = subprocess.run(
        [sys.executable, "-W", "error", str(REPO / "examples" / "demo.py")],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "embedded fake Stripe at http://127.0.0.1:" in out
    assert "1. customer cus_" in out and "payment intent pi_" in out
    assert "2000 usd, succeeded, charge ch_" in out
    assert (  # the payment's events, delivered to the demo's webhook route and verified
        "webhook events received (signature verified): payment_intent.created (pi_" in out
    )
    assert "charge.succeeded (ch_" in out and "payment_intent.succeeded (pi_" in out
    assert "2. financial account fa_demo: 25,000 transactions" in out
    assert "net amount 125,000,000" in out  # 5,000 each of five flows, amounts summed exactly once
    assert "inbound_transfer=5,000, outbound_payment=5,000" in out
    assert "3. update retried 1 time(s) (status 503), 1 idempotency key" in out
    assert "plan is now team" in out
    assert "5. account acct_test_" in out  # v2: an Accounts v2 account, then its thin event
    assert "5. thin event v2.core.account.updated (evt_" in out and "is now \"Jo's Bikes & Boards\"" in out
    assert "\r" not in proc.stderr  # stderr is a pipe here: no progress line in a log
