"""What `list`, `search` and `get` do: build the client, resolve the call, run it."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from aiostripe._json import escape_surrogates
from aiostripe.cli.budget import rate_limit
from aiostripe.cli.params import parse_params, path_ids
from aiostripe.cli.resources import Operation, resolve
from aiostripe.cli.stream import check_output, stream
from aiostripe.cli.usage import ENV_API_KEY, ENV_BASE_URL, UsageError


def _client(args: argparse.Namespace) -> Any:
    from aiostripe._client import StripeClient

    api_key = args.api_key if args.api_key is not None else os.environ.get(ENV_API_KEY)
    if not api_key:
        raise UsageError(f"no API key: pass --api-key or set {ENV_API_KEY}")
    base_url = args.base_url or os.environ.get(ENV_BASE_URL) or "https://api.stripe.com"
    try:
        return StripeClient(api_key, base_url=base_url, rate_limit=rate_limit(args))
    except (ValueError, TypeError) as exc:  # the client names the setting: name the option
        name, _, rest = str(exc).partition(": ")
        option = _OPTIONS.get(name, name)
        raise UsageError(f"{option}: {rest}" if rest else str(exc)) from None


_OPTIONS = {
    "api_key": f"--api-key (or ${ENV_API_KEY})",
    "base_url": f"--base-url (or ${ENV_BASE_URL})",
}


def bound(client: Any, op: Operation) -> Any:
    target = client
    for part in op.resource.split("."):
        target = getattr(target, part)
    return getattr(target, op.kind)


async def run(args: argparse.Namespace) -> int:
    if args.command in ("export", "worker"):
        return await _distributed(args)
    kind = {"list": "list", "search": "search", "get": "retrieve"}[args.command]
    op = resolve(args.resource, kind)
    pairs = list(args.param or [])
    if args.command == "search" and args.query is not None:
        pairs.append(f"query={args.query}")
    params = parse_params(op, pairs)
    ids = path_ids(op, args.ids, params)
    check_output(args.output, "-o")
    check_output(getattr(args, "cursor_file", None), "--cursor-file")
    client = _client(args)
    async with client:
        call = bound(client, op)
        if args.command == "get":
            obj = await call(*ids, **params)
            text = json.dumps(obj.to_dict(), indent=2, ensure_ascii=False)
            text = escape_surrogates(text) + "\n"  # a lone "\ud800" stays escaped
            if args.output in (None, "-"):
                sys.stdout.write(text)
            else:
                Path(args.output).write_text(text)
            return 0
        return await stream(args, op, call, ids, params)


async def _distributed(args: argparse.Namespace) -> int:
    """`export` and `worker` (they need the `aiostripe[redis]` extra)."""
    try:
        import redis  # noqa: F401
    except ImportError:
        raise UsageError(
            f"{args.command} needs the redis package: pip install 'aiostripe[redis]'"
        ) from None
    from redis.exceptions import RedisError

    from aiostripe._shared_budget import redact_url, scrub
    from aiostripe.cli.budget import redis_url
    from aiostripe.cli.export import export
    from aiostripe.cli.worker import run_worker

    try:
        return await (export(args) if args.command == "export" else run_worker(args))
    except (RedisError, OSError) as exc:
        url = redis_url(args) or ""
        raise UsageError(f"--redis {redact_url(url)}: cannot use Redis "
                         f"({type(exc).__name__}: {scrub(str(exc), url)})") from None
