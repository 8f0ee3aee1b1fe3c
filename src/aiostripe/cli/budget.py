"""The rate-budget options of `list`, `search`, `export` and `worker`.

`--rate-limit RPS` paces the run (`RateLimit(RPS)`); with `--redis URL` (or $AIOSTRIPE_REDIS_URL)
the budget is shared in Redis by every process on the same account. `--max-wait SECONDS` is how
long a run may wait in all on 429s that outlast the client's retries before it gives up (its
cursor is kept either way).
"""

from __future__ import annotations

import argparse
import math
import os
from typing import TYPE_CHECKING

from aiostripe.cli.usage import Parser, UsageError

if TYPE_CHECKING:
    from aiostripe._ratelimit import RateLimit

ENV_REDIS_URL = "AIOSTRIPE_REDIS_URL"
DEFAULT_MAX_WAIT = 600.0


def _seconds(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {raw!r}") from None
    if not (value >= 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected seconds >= 0, got {raw!r}")
    return value


def _rate(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected requests per second, got {raw!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected requests per second > 0, got {raw!r}")
    return value


def budget_options(*, redis_help: str | None = None, max_wait: bool = True) -> Parser:
    """A parent parser with `--rate-limit`, `--redis` and `--max-wait`; `redis_help` given,
    `--redis` (or $AIOSTRIPE_REDIS_URL) is the queue's and that is what it says."""
    group = Parser(add_help=False)
    group.add_argument(
        "--rate-limit", type=_rate, metavar="RPS",
        help="at most RPS requests a second (shared by every process with --redis)",
    )
    group.add_argument(
        "--redis", metavar="URL",
        help=(redis_help or "Redis URL of a rate budget shared by every process")
        + f" (default: ${ENV_REDIS_URL})",
    )
    if max_wait:
        group.add_argument(
            "--max-wait", type=_seconds, default=DEFAULT_MAX_WAIT, metavar="SECONDS",
            help="how long the run may wait in all on rate limits (429) that outlast the "
            f"client's retries (default {DEFAULT_MAX_WAIT:g})",
        )
    return group


def redis_url(args: argparse.Namespace) -> str | None:
    url: str | None = getattr(args, "redis", None) or os.environ.get(ENV_REDIS_URL) or None
    return url


def rate_limit(args: argparse.Namespace) -> RateLimit | None:
    """The client's `RateLimit` from the options (None: none asked for, or a command without
    them, such as `get`)."""
    from aiostripe._ratelimit import RateLimit

    if getattr(args, "rate_limit", None) is None:
        if getattr(args, "redis", None):
            raise UsageError("--redis needs --rate-limit RPS: the budget every process shares")
        return None
    try:
        return RateLimit(args.rate_limit, burst=batch_burst(args.rate_limit), redis=redis_url(args))
    except ValueError as exc:
        raise UsageError(f"--redis: {exc}") from None


def batch_burst(rate: float) -> int:
    """The burst of a batch run: a quarter of a second's worth, at most 5. A run that starts at
    full speed then sends at most 1.25 × its rate in its first second, and the server's own
    allowance (its rate, for Stripe) is not overrun when the run keeps under it."""
    return max(1, min(5, math.ceil(rate / 4)))
