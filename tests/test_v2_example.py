"""The README's v2 example (examples/v2_api.py) runs on the fake: account, event destination,
thin event handled with its related object fetched, meter events through the helper."""

from __future__ import annotations

import subprocess
import sys

from tests.gen_helpers import REPO


def test_the_v2_example_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-W", "error", str(REPO / "examples" / "v2_api.py")],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "configurations ['customer']" in out
    assert "thin event v2.core.account.updated (evt_" in out
    assert "meter events: 1000 sent in 10 stream requests (1 session)" in out
    assert "v2 events: ['v2.core.account.updated', 'v2.core.account.created']" in out
