"""`python -m aiostripe.testing [--port N] [--seed N]`: run the fake Stripe until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import sys

from aiostripe.testing.server import DEFAULT_API_KEY, FakeStripe


async def _serve(port: int, seed: int | None) -> None:
    async with FakeStripe(port=port, seed=seed) as fake:
        print(f"fake Stripe listening on {fake.url}", flush=True)
        print(
            f"  StripeClient({DEFAULT_API_KEY!r}, base_url={fake.url!r}) "
            "(any sk_test_/rk_test_/sk_live_ key works); Ctrl-C to stop",
            flush=True,
        )
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m aiostripe.testing", description="Run a local fake Stripe API on 127.0.0.1."
    )
    parser.add_argument("--port", type=int, default=12111, help="port (default 12111; 0: any)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the random ids")
    args = parser.parse_args(argv)
    try:
        asyncio.run(_serve(args.port, args.seed))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"error: cannot listen on 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
