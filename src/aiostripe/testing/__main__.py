"""`python -m aiostripe.testing`: run the fake Stripe until interrupted, optionally seeded.

    python -m aiostripe.testing [--port N] [--random-seed N]
        [--seed TYPE=COUNT[:FIELD=VALUE...]]... [--seed-file FILE]...

The banner says where it listens, which API keys it accepts and what it was seeded with.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from pathlib import Path

from aiostripe.testing.keys import KEY_PREFIXES
from aiostripe.testing.seeding import Seed, SeedError, apply_seed, load_file, parse_seed
from aiostripe.testing.server import DEFAULT_API_KEY, FakeStripe


def _keys() -> str:
    *rest, last = KEY_PREFIXES
    return f"any key starting {', '.join(rest)} or {last} (then letters, digits or _)"


async def _serve(port: int, random_seed: int | None, seeds: list[Seed], files: list[Path]) -> None:
    async with FakeStripe(port=port, seed=random_seed) as fake:
        loaded = [seed.describe() for seed in seeds]
        for seed in seeds:
            apply_seed(fake, seed)
        for path in files:
            counts: Counter[str] = load_file(fake, path)
            shown = ", ".join(f"{n:,} {kind}" for kind, n in sorted(counts.items()))
            loaded.append(f"{path}: {shown or 'no objects'}")
        print(f"fake Stripe listening on {fake.url}", flush=True)
        print(f"  API keys: {_keys()}", flush=True)
        seeded = '; '.join(loaded) if loaded else 'nothing (--seed, --seed-file)'
        print(f"  seeded: {seeded}", flush=True)
        print(
            f"  StripeClient({DEFAULT_API_KEY!r}, base_url={fake.url!r}); Ctrl-C to stop",
            flush=True,
        )
        await asyncio.Event().wait()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m aiostripe.testing", description="Run a local fake Stripe API on 127.0.0.1."
    )
    parser.add_argument("--port", type=int, default=12111, help="port (default 12111; 0: any)")
    parser.add_argument("--random-seed", type=int, default=None, help="seed of the random ids")
    parser.add_argument(
        "--seed",
        action="append",
        default=[],
        metavar="TYPE=COUNT[:FIELD=VALUE...]",
        help="store COUNT objects of TYPE at start, e.g. customer=1000 or "
        "treasury.transaction=5000:financial_account=fa_1 (repeatable)",
    )
    parser.add_argument(
        "--seed-file",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="store the objects of a JSON file (object, list, list page) or .jsonl file "
        "(one object a line, as `aiostripe list -o` writes) (repeatable)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        seeds = [parse_seed(text) for text in args.seed]
        asyncio.run(_serve(args.port, args.random_seed, seeds, args.seed_file))
    except SeedError as exc:
        parser.error(str(exc))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"error: cannot listen on 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
