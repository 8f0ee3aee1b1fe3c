"""Every shell command of README.md that can run offline runs as written (issue 26, item 11):
the fake Stripe started by the README's own `python -m aiostripe.testing` command (on a free
port instead of 12111), then each `aiostripe list/get/search` line against it, in README order,
with the README's `export` lines applied (placeholder keys made a test key; Redis the test's
redis-server). Each must exit 0 and write what it says.

Not run here, each for a reason: `make ...` (this test suite is `make test`), `python app.py`
(your app), `aiostripe worker` / `aiostripe export` (real workers, tested in test_export.py),
`ls`."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gen_helpers import REPO

KEY = "sk_test_readmeShell1"
NOT_RUN = ("make ", "ls ", "AIOSTRIPE_LOG=", "aiostripe worker", "aiostripe export")


def commands() -> list[str]:
    text = (REPO / "README.md").read_text()
    out = []
    for block in re.findall(r"```(?:console|sh)\n(.*?)```", text, re.DOTALL):
        joined = re.sub(r"\\\n\s*", " ", block)
        out += [line[2:].split("  #")[0].strip() for line in joined.splitlines()
                if line.startswith("$ ")]
    return out


@pytest.fixture
def fake_from_readme(tmp_path: Path) -> Iterator[str]:
    (start,) = [c for c in commands() if c.startswith("python -m aiostripe.testing")]
    argv = shlex.split(start)[1:] + ["--port", "0"]
    # the README's objects.jsonl: two customers, one the `cus_123` its other commands use
    (tmp_path / "objects.jsonl").write_text(
        json.dumps({"id": "cus_123", "object": "customer", "email": "jo@example.com"}) + "\n"
        + json.dumps({"id": "cus_456", "object": "customer", "email": "al@example.com"}) + "\n"
    )
    proc = subprocess.Popen([sys.executable, *argv], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+", first)
        assert match, first + proc.stdout.read()
        banner = "".join(proc.stdout.readline() for _ in range(3))
        assert "objects.jsonl: 2 customer" in banner, banner
        yield match.group(0)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()


def test_readme_shell_commands_run(fake_from_readme: str, tmp_path: Path, redis_url: str) -> None:
    env = {**os.environ, "STRIPE_BASE_URL": fake_from_readme}
    env.pop("AIOSTRIPE_REDIS_URL", None)
    ran = []
    for command in commands():
        if command.startswith(NOT_RUN) or command.startswith("python -m aiostripe.testing"):
            continue
        if command.startswith("export "):
            for assignment in shlex.split(command)[1:]:
                name, _, value = assignment.partition("=")
                value = KEY if value.startswith(("sk_test_", "sk_live_")) else value
                env[name] = redis_url if value.startswith("redis://") else value
            continue
        assert command.startswith("aiostripe "), f"a README command this test does not know: {command}"
        argv = shlex.split(command.rstrip("&").replace("http://127.0.0.1:12111", fake_from_readme))
        proc = subprocess.run([sys.executable, "-m", "aiostripe", *argv[1:]], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=120, check=False)
        assert proc.returncode == 0, f"$ {command}\n{proc.stdout}{proc.stderr}"
        if "-o" in argv:
            assert (tmp_path / argv[argv.index("-o") + 1]).is_file(), command
        ran.append(command)
    assert len(ran) >= 7, ran  # list x4, search, get, list with the shared budget x2
    assert (tmp_path / "tx.jsonl").read_text().count("\n") == 5000  # the seeded fa_1 ones
