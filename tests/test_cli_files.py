"""The files `aiostripe list` writes are written safely: temporary files are created exclusively
and never through a planted symlink, exported data and cursors are 0600, `-o` equal to
`--cursor-file` is refused, and a tampered cursor file is one line and exit 2."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from aiostripe.cli.cursor import write_state
from tests.list_server import ListServer, server
from tests.test_cli import one_line_error, read_lines, run, tx_args

__all__ = ["server"]  # the fixture


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_planted_symlink_is_never_followed_and_files_are_private(
    server: ListServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    objs = server.seed_transactions(250)
    out = tmp_path / "tx.jsonl"
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    # symlinks where a naive writer puts its temporary files
    for name in ("tx.jsonl.cursor.tmp", ".tx.jsonl.cursor.tmp", "tx.jsonl.tmp"):
        (tmp_path / name).symlink_to(victim)
    old = os.umask(0o022)
    try:
        code, _, err = await run(capsys, *tx_args(server, out, "--limit-pages", "1"))
        assert code == 0, err
        code, _, err = await run(capsys, *tx_args(server, out, "--resume"))
        assert code == 0, err
    finally:
        os.umask(old)
    assert victim.read_text() == "precious\n"
    assert read_lines(out) == objs
    cursor = tmp_path / "tx.jsonl.cursor"
    assert not cursor.is_symlink() and json.loads(cursor.read_text())["complete"] is True
    assert mode(out) == 0o600 and mode(cursor) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp") and not p.is_symlink()]


def test_write_state_never_writes_through_a_symlink(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious")
    target = tmp_path / "state.json"
    import secrets

    monkeypatch.setattr(secrets, "token_hex", lambda n: "guessed")
    (tmp_path / f".state.json.{os.getpid()}-guessed.tmp").symlink_to(victim)
    with pytest.raises(FileExistsError):
        write_state(target, {"a": 1})
    assert victim.read_text() == "precious" and not target.exists()


async def test_output_equal_to_the_cursor_file_is_refused(
    server: ListServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.seed_transactions(10)
    out = tmp_path / "tx.jsonl"
    out.write_text("keep me\n")
    for same in (str(out), str(tmp_path / "." / "tx.jsonl")):
        code, _, err = await run(capsys, *tx_args(server, out, "--cursor-file", same))
        assert code == 2
        one_line_error(err, "--cursor-file", "is the output file")
    assert out.read_text() == "keep me\n" and server.count == 0


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: {**s, "offset": "12"},
        lambda s: {**s, "objects": None},
        lambda s: {**s, "offset": -5},
        lambda s: {**s, "pages": 1.5},
        lambda s: {**s, "cursor": 42},
        lambda s: {**s, "complete": "yes"},
        lambda s: [s],
        lambda s: {k: v for k, v in s.items() if k != "offset"},
    ],
)
async def test_a_tampered_cursor_file_is_one_line_and_exit_2(
    server: ListServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], tamper: object
) -> None:
    server.seed_transactions(250)
    out = tmp_path / "tx.jsonl"
    code, _, _ = await run(capsys, *tx_args(server, out, "--limit-pages", "1"))
    assert code == 0
    cursor = tmp_path / "tx.jsonl.cursor"
    cursor.write_text(json.dumps(tamper(json.loads(cursor.read_text()))))  # type: ignore[operator]
    code, _, err = await run(capsys, *tx_args(server, out, "--resume"))
    assert code == 2, err
    one_line_error(err, "cursor file")
