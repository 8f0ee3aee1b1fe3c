"""`list` and `search` output: every object as a JSON line, a cursor file, a progress line."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path
from typing import IO, Any

from aiostripe import _json
from aiostripe.cli.cursor import (
    CURSOR_SUFFIX,
    STATE_VERSION,
    create_private,
    read_state,
    write_state,
)
from aiostripe.cli.resources import Operation
from aiostripe.cli.usage import UsageError


def check_output(path: str | None, option: str) -> None:
    """Refuse an output path that cannot be written (before anything is sent): a missing or
    unwritable directory, or a path that is a directory."""
    if path in (None, "-"):
        return
    target = Path(path)
    parent = target.parent
    if target.is_dir():
        raise UsageError(f"{option} {path!r}: is a directory; expected a file name")
    if not parent.is_dir():
        what = "is not a directory" if parent.exists() else "does not exist"
        raise UsageError(f"{option} {path!r}: the directory {str(parent)!r} {what}")
    if not os.access(parent, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise UsageError(f"{option} {path!r}: not writable (permission denied)")


def _same_file(a: Path, b: Path) -> bool:
    if a.absolute() == b.absolute():
        return True
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def _dumps(obj: Any) -> str:
    data = obj.to_dict() if hasattr(obj, "to_dict") else obj
    return _json.dumps(data)


class _Progress:
    """A `\\r` line on stderr: objects, pages, rate."""

    def __init__(self, enabled: bool, objects: int, pages: int) -> None:
        self.enabled = enabled
        self.start = time.monotonic()
        self.base = objects
        self.objects = objects
        self.pages = pages
        self._last = 0.0

    def update(self, objects: int, pages: int, *, force: bool = False) -> None:
        self.objects, self.pages = objects, pages
        now = time.monotonic()
        if not self.enabled or (not force and now - self._last < 0.1):
            return
        self._last = now
        rate = (objects - self.base) / max(now - self.start, 1e-6)
        sys.stderr.write(f"\r{objects:,} objects, {pages:,} pages ({rate:,.0f}/s)   ")
        sys.stderr.flush()

    def done(self, note: str = "") -> None:
        if self.enabled:
            self.update(self.objects, self.pages, force=True)
            sys.stderr.write(f"{note}\n")
            sys.stderr.flush()



def _paths(args: argparse.Namespace) -> tuple[Path | None, Path | None]:
    """The output file (None: stdout) and the cursor file (None: no checkpoints), checked."""
    out_path = None if args.output in (None, "-") else Path(args.output)
    cursor_path = (
        Path(args.cursor_file)
        if args.cursor_file
        else (out_path.with_name(out_path.name + CURSOR_SUFFIX) if out_path else None)
    )
    if args.resume and cursor_path is None:
        raise UsageError("--resume needs -o FILE (or --cursor-file) to know where to continue")
    if out_path is not None and cursor_path is not None and _same_file(out_path, cursor_path):
        raise UsageError(
            f"--cursor-file {str(cursor_path)!r} is the output file (-o): the cursor would "
            "replace the export; give another --cursor-file"
        )
    return out_path, cursor_path


def _resumed(out_path: Path, cursor_path: Path | None, state: dict[str, Any]) -> IO[bytes]:
    """The output file of a resumed run, cut back to the offset its cursor file recorded (a page
    written after the last checkpoint goes)."""
    try:
        out = out_path.open("r+b")
    except FileNotFoundError:
        raise UsageError(
            f"cannot resume: {str(out_path)!r} is missing but its cursor file exists"
        ) from None
    size = out.seek(0, os.SEEK_END)
    if state["offset"] is None:
        out.close()
        raise UsageError(
            f"cursor file {str(cursor_path)!r} is damaged: offset is None for "
            f"{str(out_path)!r}; remove it (and the output) to start over"
        )
    if size < state["offset"]:
        out.close()
        raise UsageError(
            f"cannot resume: {str(out_path)!r} holds {size} bytes, less than the "
            f"{state['offset']} its cursor file recorded"
        )
    out.truncate(state["offset"])
    out.seek(state["offset"])
    return out


def _fresh(out_path: Path) -> IO[bytes]:
    try:
        return os.fdopen(create_private(out_path, follow=True), "wb")
    except OSError as exc:
        raise UsageError(f"-o {str(out_path)!r}: cannot write it ({exc.strerror})") from None


class _Run:
    """Where a listing stands: the lines written, the cursor after the last of them, the counts;
    `checkpoint()` flushes the lines and then records the cursor file saying so."""

    def __init__(
        self,
        out: IO[bytes] | None,
        cursor_path: Path | None,
        identity: dict[str, Any],
        state: dict[str, Any] | None,
        progress: _Progress,
    ) -> None:
        self.out = out
        self.cursor_path = cursor_path
        self.identity = identity
        self.progress = progress
        self.cursor: str | None = state["cursor"] if state else None
        self.objects: int = int(state["objects"]) if state else 0
        self.pages: int = int(state["pages"]) if state else 0
        self.complete = False

    def write(self, obj: Any) -> None:
        line = _dumps(obj) + "\n"
        if self.out is not None:
            self.out.write(line.encode())
        else:
            sys.stdout.write(line)
        self.objects += 1

    def checkpoint(self) -> None:
        (self.out or sys.stdout).flush()
        if self.cursor_path is not None:
            write_state(self.cursor_path, {
                "version": STATE_VERSION,
                **self.identity,
                "cursor": self.cursor,
                "offset": self.out.tell() if self.out is not None else None,
                "objects": self.objects,
                "pages": self.pages,
                "complete": self.complete,
                "updated": int(time.time()),
            })
        self.progress.update(self.objects, self.pages)

    async def walk(self, request: Any, args: argparse.Namespace) -> None:
        """List from the cursor, a checkpoint at every page boundary; `complete` unless a
        `--max-items` / `--limit-pages` cap ended it."""
        max_items = None if args.max_items is None else max(0, args.max_items - self.objects)
        max_pages = None if args.limit_pages is None else max(0, args.limit_pages - self.pages)
        if max_items == 0 or max_pages == 0:
            return
        it = request.auto_paging_iter(
            prefetch=args.prefetch, resume_from=self.cursor, max_items=max_items,
            max_pages=max_pages, max_wait=args.max_wait,
        )
        async with it:
            seen = 0
            async for obj in it:
                if it.pages_seen != seen:
                    if seen:
                        self.checkpoint()  # every object of the previous page is written
                    self.pages += it.pages_seen - seen
                    seen = it.pages_seen
                self.write(obj)
                self.cursor = it.cursor
            self.pages += it.pages_seen - seen
            limited = (max_items is not None and it.count >= max_items) or (
                max_pages is not None and it.pages_seen >= max_pages
            )
            self.complete = not limited


async def stream(
    args: argparse.Namespace, op: Operation, call: Any, ids: list[str], params: dict[str, Any]
) -> int:
    """`list`/`search`: every object a JSON line (to `-o` or stdout), resumable from its
    cursor file with `--resume`."""
    out_path, cursor_path = _paths(args)
    # what must match to resume (the page size may change: cursors do not depend on it)
    same = {k: v for k, v in params.items() if k != "limit"}
    identity = {"command": op.kind, "resource": op.resource, "ids": ids, "params": same}
    state = read_state(cursor_path, identity) if args.resume and cursor_path else None
    exists = out_path is not None and out_path.exists() and out_path.stat().st_size > 0
    if args.resume and state is None and exists:
        raise UsageError(
            f"cannot resume: no cursor file {str(cursor_path)!r} for the existing "
            f"{str(out_path)!r}; drop --resume to start over"
        )
    show = args.progress
    if show is None:  # auto: on a terminal, unless the objects go to that terminal too
        show = sys.stderr.isatty() and not (out_path is None and sys.stdout.isatty())
    progress = _Progress(show, int(state["objects"]) if state else 0,
                         int(state["pages"]) if state else 0)
    if state and state.get("complete"):
        progress.done(" (already complete)")
        return 0
    out = None
    if out_path is not None:
        out = _resumed(out_path, cursor_path, state) if state else _fresh(out_path)
    run = _Run(out, cursor_path, identity, state, progress)
    try:
        if cursor_path is not None and not state:
            run.checkpoint()  # a fresh run: a cursor from an earlier run no longer applies
        await run.walk(call(*ids, **params), args)
        run.checkpoint()
    except BaseException:
        # the lines written so far and `cursor` agree (no await between them): keep them
        with contextlib.suppress(Exception):
            run.checkpoint()
        raise
    finally:
        progress.done()
        if out is not None:
            out.close()
    return 0
