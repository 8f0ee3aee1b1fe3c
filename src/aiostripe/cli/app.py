"""`main`: parse, run the command with the library's log on stderr, map outcomes to exit statuses."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Iterator, Sequence

from aiostripe.cli.commands import run
from aiostripe.cli.parser import parse
from aiostripe.cli.usage import PROG, UsageError


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = parse(argv)
    with _log_to_stderr(args.verbose):
        try:
            return asyncio.run(run(args))
        except UsageError as exc:
            sys.stderr.write(f"{PROG}: error: {exc}\n")
            return 2
        except KeyboardInterrupt:
            sys.stderr.write(f"\n{PROG}: interrupted" + _resume_hint(args) + "\n")
            return 130
        except Exception as exc:
            from aiostripe._errors import StripeError

            if not isinstance(exc, StripeError):
                raise
            sys.stderr.write(f"{PROG}: error: {type(exc).__name__}: {exc}{_resume_hint(args)}\n")
            return 1


@contextlib.contextmanager
def _log_to_stderr(verbose: bool) -> Iterator[None]:
    """While the command runs: the library's log (retries, rate-limit waits) on stderr with -v,
    nothing below errors otherwise."""
    logger = logging.getLogger("aiostripe")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(f"{PROG}: %(message)s"))
    saved = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO if verbose else logging.ERROR)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


def _resume_hint(args: argparse.Namespace) -> str:
    if args.command in ("list", "search") and (args.output not in (None, "-") or args.cursor_file):
        return "; rerun with --resume to continue"
    return ""
