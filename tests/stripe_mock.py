"""Stripe's own mock server (stripe-mock) for the tests: found, started once per session, stopped.

stripe-mock validates each request against the OpenAPI spec it is given and answers with Stripe's
example objects; it is stateless. The binary is looked for in `$STRIPE_MOCK` (a path), then
`../shared/stripe-mock/stripe-mock` beside the repository, then `stripe-mock` on `PATH`. Without
it the tests that use it fail with one line saying where to get it, unless
`AIOSTRIPE_SKIP_STRIPE_MOCK=1` says to skip them.

It listens on a port the system chooses on 127.0.0.1 (`-http-addr 127.0.0.1:`) and its HTTPS
listener goes to a Unix socket in a temp directory, so it opens no other TCP port. It is given the
pinned spec with its `/v2/` paths removed (its parser refuses their `oneOf`; written to that temp
directory when it starts) and Stripe's fixtures of the pinned version.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
BUNDLED = SHARED / "stripe-mock" / "stripe-mock"
SPEC = SHARED / "stripe-openapi" / "spec3.2026-05-27.json"
FIXTURES = SHARED / "stripe-openapi" / "fixtures3.2026-05-27.json"
SKIP_VARIABLE = "AIOSTRIPE_SKIP_STRIPE_MOCK"
WHERE_TO_GET_IT = (
    "stripe-mock not found (looked in $STRIPE_MOCK, {bundled}, PATH): install it with "
    "`go install github.com/stripe/stripe-mock@latest` (or take the binary out of the "
    "stripe/stripe-mock Docker image) "
    "and set STRIPE_MOCK=path/to/stripe-mock; or set {skip}=1 to skip these tests"
)
_LISTENING = re.compile(r"Listening for HTTP at address: (\S+)")
START_TIMEOUT = 60.0


def find_binary() -> Path | None:
    """The stripe-mock executable: `$STRIPE_MOCK`, the shared copy, then `PATH`."""
    explicit = os.environ.get("STRIPE_MOCK")
    if explicit:
        return Path(explicit)
    if BUNDLED.is_file():
        return BUNDLED
    found = shutil.which("stripe-mock")
    return Path(found) if found else None


def v1_only(spec: Path, out: Path) -> Path:
    """A copy of `spec` without its `/v2/` paths (their schemas stay), written to `out`."""
    doc = json.loads(spec.read_text(encoding="utf-8"))
    doc["paths"] = {p: ops for p, ops in doc["paths"].items() if not p.startswith("/v2/")}
    out.write_text(json.dumps(doc), encoding="utf-8")
    return out


class StripeMock:
    """One running stripe-mock process on 127.0.0.1."""

    def __init__(self, binary: Path, spec: Path = SPEC, fixtures: Path = FIXTURES) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="stripe-mock-")
        socket = Path(self._dir.name) / "https.sock"
        spec = v1_only(spec, Path(self._dir.name) / "spec3.v1.json")
        self.process = subprocess.Popen(
            [
                str(binary),
                "-http-addr", "127.0.0.1:",
                "-https-unix", str(socket),
                "-spec", str(spec),
                "-fixtures", str(fixtures),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output: list[str] = []
        self.url = self._wait_until_listening()

    def _wait_until_listening(self) -> str:
        found = threading.Event()
        address: list[str] = []

        def read() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:  # keep draining so the pipe never fills
                self.output.append(line.rstrip())
                match = _LISTENING.search(line)
                if match and not address:
                    address.append(match.group(1))
                    found.set()
            found.set()

        self._reader = threading.Thread(target=read, daemon=True, name="stripe-mock-output")
        self._reader.start()
        found.wait(START_TIMEOUT)
        if not address:
            self.stop()
            tail = " | ".join(self.output[-5:])
            raise RuntimeError(f"stripe-mock did not start within {START_TIMEOUT:.0f}s: {tail}")
        return f"http://{address[0]}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(10)  # the output ends with the process
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._dir.cleanup()


@pytest.fixture(scope="session")
def stripe_mock() -> Iterator[StripeMock]:
    """A stripe-mock server for the whole session, with the pinned spec and Stripe's fixtures."""
    if os.environ.get(SKIP_VARIABLE) == "1":
        pytest.skip(f"stripe-mock tests skipped ({SKIP_VARIABLE}=1)")
    binary = find_binary()
    if binary is None or not binary.is_file():
        pytest.fail(WHERE_TO_GET_IT.format(bundled=BUNDLED, skip=SKIP_VARIABLE), pytrace=False)
    for path in (SPEC, FIXTURES):
        if not path.is_file():
            pytest.fail(f"stripe-mock needs the pinned spec and fixtures: {path} is missing",
                        pytrace=False)
    server = StripeMock(binary)
    try:
        yield server
    finally:
        server.stop()


FIGURES: list[str] = []
"""Figures the conformance tests measured, printed at the end of the run."""
_FIGURE = "conformance figure"


def report(request: pytest.FixtureRequest, line: str) -> None:
    """Print `line` in the run's summary (and now, for `-s`). It travels with the test's report,
    so that it reaches the summary from pytest-xdist's workers too (`make test` runs them)."""
    request.node.user_properties.append((_FIGURE, line))
    print(line)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        FIGURES.extend(str(value) for key, value in report.user_properties if key == _FIGURE)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("conformance figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
