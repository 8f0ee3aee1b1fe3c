"""The argument parser: commands, their options, and the connection options accepted on both sides."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from aiostripe.cli import export, worker
from aiostripe.cli.budget import budget_options
from aiostripe.cli.usage import ENV_API_KEY, ENV_BASE_URL, PROG, Parser


def _count(minimum: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {raw!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {value}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    def connection(default: Any) -> Parser:
        group = Parser(add_help=False)
        group.add_argument(
            "--api-key", default=default, help=f"secret API key (default: ${ENV_API_KEY})"
        )
        group.add_argument(
            "--base-url",
            default=default,
            help=f"API server (default: ${ENV_BASE_URL} or https://api.stripe.com)",
        )
        group.add_argument(
            "-v", "--verbose", action="store_true", default=default or False,
            help="log retries and waits",
        )
        return group

    # accepted before and after the command; given after it, they win
    common, common_sub = connection(None), connection(argparse.SUPPRESS)
    stream = Parser(add_help=False)
    stream.add_argument("-o", "--output", help="JSON Lines output file (default: stdout)")
    stream.add_argument(
        "--resume",
        action="store_true",
        help="continue from the cursor file of an earlier run (no duplicates, no gaps)",
    )
    stream.add_argument(
        "--cursor-file", help="where to keep the cursor (default: the output file + .cursor)"
    )
    stream.add_argument(
        "--limit-pages", type=_count(1), metavar="N", help="stop after N pages in all"
    )
    stream.add_argument(
        "--max-items", type=_count(0), metavar="N", help="stop after N objects in all"
    )
    stream.add_argument(
        "--prefetch", type=_count(0), default=1, metavar="N", help="pages read ahead (default 1)"
    )
    stream.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress line on stderr (default: when stderr is a terminal)",
    )
    params = Parser(add_help=False)
    params.add_argument(
        "-p",
        "--param",
        action="append",
        metavar="KEY=VALUE",
        help="a parameter of the call; nested as created[gte]=1700000000; repeat for lists",
    )

    parser = Parser(
        prog=PROG,
        description="List, search and fetch Stripe objects (JSON Lines out).",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    p_list = sub.add_parser(
        "list",
        parents=[common_sub, params, stream, budget_options()],
        help="stream every object of a list to JSON Lines",
        description="Stream every object of a list, e.g. "
        "`aiostripe list treasury.transactions --param financial_account=fa_1 -o tx.jsonl`.",
    )
    p_list.add_argument("resource", help="e.g. customers, treasury.transactions")
    p_list.add_argument("ids", nargs="*", help="ids in the path (customers.tax_ids cus_123)")
    p_search = sub.add_parser(
        "search",
        parents=[common_sub, params, stream, budget_options()],
        help="stream every result of a search to JSON Lines",
        description="Stream every search result, e.g. "
        "`aiostripe search customers --query \"email:'jo@example.com'\"`.",
    )
    p_search.add_argument("resource", help="e.g. customers, charges, invoices")
    p_search.add_argument("ids", nargs="*", help=argparse.SUPPRESS)
    p_search.add_argument("-q", "--query", help="the search query")
    p_get = sub.add_parser(
        "get",
        parents=[common_sub, params],
        help="fetch one object as JSON",
        description="Fetch one object, e.g. `aiostripe get customers cus_123`.",
    )
    p_get.add_argument("resource", help="e.g. customers")
    p_get.add_argument("ids", nargs="*", help="the object's id (and its parents' ids)")
    p_get.add_argument("-o", "--output", help="output file (default: stdout)")
    export.add_parser(sub, [params])
    worker.add_parser(sub, [common_sub])
    return parser


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in ("api_key", "base_url"):
        if not hasattr(args, name):
            setattr(args, name, None)
    return args
