"""A minimal HTTP/1.1 keep-alive server of canned Stripe responses, for the benchmarks.

Run as its own process (`python bench/server.py`): it binds 127.0.0.1 on a free port, prints
`PORT <n>` on one line of stdout and serves until its standard input closes (the parent is done or
gone) or `--max-seconds` pass, whichever comes first. It uses nothing but asyncio: a `Protocol` on
`loop.create_server` (the callback layer under `asyncio.start_server`, without the stream objects),
so that one server core outruns any one Python client core.

Routes (GET; a request body, if any, is read and ignored):

- `/v1/customers/<id>` — the `customer` fixture of the pinned API version's fixtures
  (`fixtures3.<date of spec/pin.json>.json`, `STRIPE_FIXTURES` to choose another file).
- `/v1/treasury/transactions?limit=&starting_after=` — a list page of `limit` (default 10, at most
  100) `treasury.transaction` objects built from the fixture, varied in amount, status, flow type,
  description and date, with ids `trxn_1BNCH<17 digits>` numbered in order. `starting_after` is
  the cursor: the next page starts after that number. `has_more` stays true until `--list-total`
  objects were listed (default: practically forever), so a client's auto-pagination runs until
  it stops itself.
- `/v1/customers/search?limit=&page=` — a search page of `limit` customers (the fixture, ids
  `cus_BNCH<12 digits>` numbered in order); `page` is the cursor (`next_page` = the next number).
- anything else — a Stripe-shaped 404 error.

Bodies come in two styles, on two ports of the same process: pretty-printed with two-space
indents like Stripe's API sends them (`PORT`), and compact JSON (`COMPACT`): the first stdout line
is `PORT <n> COMPACT <m>`. Only the id fields change between pages: each page is assembled from
pre-encoded byte pieces, so a page of 100 objects (about 70 kB pretty, 50 kB compact) costs the
server a join, not a JSON encoding.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import threading
from pathlib import Path
from urllib.parse import parse_qsl

REPO = Path(__file__).resolve().parents[1]


def _pinned_fixtures() -> Path:
    """Stripe's example objects of the pinned API version (`fixtures3.<date>.json` beside the
    pinned spec): the shapes Stripe answers a client that sends that `Stripe-Version`."""
    date = json.loads((REPO / "spec" / "pin.json").read_text())["api_version"].split(".")[0]
    return REPO.parent / "shared" / "stripe-openapi" / f"fixtures3.{date}.json"


FIXTURES = Path(os.environ.get("STRIPE_FIXTURES") or _pinned_fixtures())
TX_PREFIX = b"trxn_1BNCH"
TX_DIGITS = 17
FLOW_TYPES = [
    ("outbound_transfer", "obt"),
    ("inbound_transfer", "ibt"),
    ("received_credit", "rc"),
    ("received_debit", "rd"),
    ("outbound_payment", "obp"),
    ("issuing_authorization", "iauth"),
    ("credit_reversal", "credrev"),
    ("debit_reversal", "debrev"),
    ("other", "oth"),
]
NAMES = ["Jane Austen", "Mary Shelley", "Ada Lovelace", "Emily Bronte", "George Eliot"]
CUSTOMER_FALLBACK = {
    "id": "cus_PEHTtYpY7elppN", "object": "customer", "address": None, "balance": 0,
    "created": 1234567890, "currency": "usd", "default_source": None, "delinquent": False,
    "description": None, "discount": None, "email": None, "invoice_prefix": "B4749BD",
    "invoice_settings": {"custom_fields": None, "default_payment_method": None, "footer": None,
                         "rendering_options": None},
    "livemode": False, "metadata": {}, "name": None, "next_invoice_sequence": 1, "phone": None,
    "preferred_locales": [], "shipping": None, "tax_exempt": "none", "test_clock": None,
}
TX_FALLBACK = {
    "amount": -100, "balance_impact": {"cash": -100, "inbound_pending": 0, "outbound_pending": 100},
    "created": 1234567890, "currency": "usd",
    "description": "Jane Austen (6789) | Outbound transfer | transfer",
    "financial_account": "fa_1OPousJN5vQBdWEx4bT8ilJV", "flow": "obt_1OPouxJN5vQBdWExpjuwR2Xd",
    "flow_type": "outbound_transfer", "id": "trxn_1OPousJN5vQBdWExS2LKXVAv", "livemode": False,
    "object": "treasury.transaction", "status": "open",
    "status_transitions": {"posted_at": None, "void_at": None},
}


def load_fixtures() -> tuple[dict, dict]:
    """The customer and treasury.transaction fixtures (built-in copies if the file is missing)."""
    try:
        resources = json.loads(FIXTURES.read_text())["resources"]
        return resources["customer"], resources["treasury.transaction"]
    except (OSError, KeyError, ValueError):
        return CUSTOMER_FALLBACK, TX_FALLBACK


def transaction_variant(base: dict, i: int) -> dict:
    """The i-th varied transaction (its id is set per page)."""
    tx = json.loads(json.dumps(base))
    flow_type, flow_prefix = FLOW_TYPES[i % len(FLOW_TYPES)]
    amount = (i * 7919) % 250_000 + 1
    inbound = flow_type in ("inbound_transfer", "received_credit", "credit_reversal")
    status = ("posted", "open", "posted", "void")[i % 4]
    created = 1_700_000_000 - i * 3_607
    tx["amount"] = amount if inbound else -amount
    tx["created"] = created
    kind = flow_type.replace("_", " ").capitalize()
    tx["description"] = f"{NAMES[i % len(NAMES)]} ({1000 + i * 37 % 9000}) | {kind} | {flow_prefix}"
    tx["flow"] = f"{flow_prefix}_1BNCH{i:019d}"
    tx["flow_type"] = flow_type
    tx["status"] = status
    if inbound:
        tx["balance_impact"] = {"cash": amount if status != "open" else 0,
                                "inbound_pending": amount if status == "open" else 0,
                                "outbound_pending": 0}
    else:
        tx["balance_impact"] = {"cash": -amount, "inbound_pending": 0,
                                "outbound_pending": amount if status == "open" else 0}
    tx["status_transitions"] = {
        "posted_at": created + 60 if status == "posted" else None,
        "void_at": created + 120 if status == "void" else None,
    }
    tx["id"] = "@ID@"
    return tx


def encode(value: object, pretty: bool, indent_level: int = 0) -> bytes:
    """JSON like Stripe's (two-space indents), or compact; nested `indent_level` deep."""
    if not pretty:
        return json.dumps(value, separators=(",", ":")).encode()
    return json.dumps(value, indent=2).replace("\n", "\n" + "  " * indent_level).encode()


class Canned:
    """Pre-encoded response pieces, pretty-printed (as Stripe's API sends them) or compact."""

    def __init__(self, list_total: int, pretty: bool = True) -> None:
        customer, tx = load_fixtures()
        self.list_total = list_total
        self.customer = self.response(200, encode(customer, pretty))
        self.not_found = self.response(404, encode({"error": {
            "type": "invalid_request_error", "message": "Unrecognized request URL.",
        }}, pretty))
        self.tx_parts = [
            encode(transaction_variant(tx, i), pretty, 2).split(b'"@ID@"') for i in range(100)
        ]
        self.customer_parts = encode({**customer, "id": "@ID@"}, pretty, 2).split(b'"@ID@"')
        nl = b"\n" if pretty else b""
        ind, ind2 = (b"  ", b"    ") if pretty else (b"", b"")
        sp = b" " if pretty else b""
        self.sep = b"," + nl + ind2
        self.list_head = b"{" + nl + ind + b'"object":' + sp + b'"list",' + nl + ind \
            + b'"data":' + sp + b"[" + nl + ind2
        url = b"," + nl + ind + b'"url":' + sp + b'"/v1/treasury/transactions"' + nl + b"}"
        self.list_tail_more = nl + ind + b"]," + nl + ind + b'"has_more":' + sp + b"true" + url
        self.list_tail_end = nl + ind + b"]," + nl + ind + b'"has_more":' + sp + b"false" + url
        self.search_head = self.list_head.replace(b'"list"', b'"search_result"')
        self.search_tail = (nl + ind + b"]," + nl + ind + b'"has_more":' + sp + b"true," + nl + ind
                            + b'"next_page":' + sp + b'"%d",' + nl + ind + b'"total_count":' + sp
                            + b"null," + nl + ind + b'"url":' + sp + b'"/v1/customers/search"'
                            + nl + b"}")

    @staticmethod
    def response(status: int, body: bytes) -> bytes:
        reason = {200: "OK", 404: "Not Found"}[status]
        return (
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nRequest-Id: req_bench\r\n"
            f"Stripe-Version: 2024-06-20\r\n\r\n"
        ).encode() + body

    def list_page(self, query: str) -> bytes:
        params = dict(parse_qsl(query))
        try:
            limit = max(1, min(100, int(params.get("limit", "10"))))
        except ValueError:
            limit = 10
        start = 0
        cursor = params.get("starting_after", "").encode()
        if cursor.startswith(TX_PREFIX):
            try:
                start = int(cursor[len(TX_PREFIX):]) + 1
            except ValueError:
                start = 0
        end = min(start + limit, self.list_total)
        pieces = [self.list_head]
        for n in range(start, end):
            if n != start:
                pieces.append(self.sep)
            before, after = self.tx_parts[n % 100]
            pieces += (before, b'"%s%0*d"' % (TX_PREFIX, TX_DIGITS, n), after)
        pieces.append(self.list_tail_more if end < self.list_total else self.list_tail_end)
        return self.response(200, b"".join(pieces))

    def search_page(self, query: str) -> bytes:
        params = dict(parse_qsl(query))
        try:
            limit = max(1, min(100, int(params.get("limit", "10"))))
            start = int(params.get("page", "0"))
        except ValueError:
            limit, start = 10, 0
        pieces = [self.search_head]
        before, after = self.customer_parts
        for n in range(start, start + limit):
            if n != start:
                pieces.append(self.sep)
            pieces += (before, b'"cus_BNCH%012d"' % n, after)
        pieces.append(self.search_tail % (start + limit))
        return self.response(200, b"".join(pieces))

    def route(self, target: bytes) -> bytes:
        if target.startswith(b"/v1/customers/search"):
            _, _, query = target.partition(b"?")
            return self.search_page(query.decode("latin-1"))
        if target.startswith(b"/v1/customers/"):
            return self.customer
        if target.startswith(b"/v1/treasury/transactions"):
            _, _, query = target.partition(b"?")
            return self.list_page(query.decode("latin-1"))
        return self.not_found


class HTTPProtocol(asyncio.Protocol):
    """One keep-alive connection: parse requests (pipelined ones too), answer each in order."""

    def __init__(self, canned: Canned) -> None:
        self.canned = canned

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        buf = self.buffer + data if self.buffer else data
        out = []
        close = False
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buf[:end]
            line_end = head.find(b"\r\n")
            request_line = head if line_end < 0 else head[:line_end]
            body_len = 0
            lower = head.lower()
            cl = lower.find(b"\r\ncontent-length:")
            if cl >= 0:
                value_end = lower.find(b"\r\n", cl + 2)
                body_len = int(lower[cl + 17: value_end if value_end >= 0 else None].strip())
            if len(buf) < end + 4 + body_len:
                break
            buf = buf[end + 4 + body_len:]
            parts = request_line.split(b" ")
            target = parts[1] if len(parts) > 1 else b"/"
            out.append(self.canned.route(target))
            if b"\r\nconnection: close" in lower:
                close = True
                break
        self.buffer = buf
        if out:
            self.transport.write(b"".join(out) if len(out) > 1 else out[0])
        if close:
            self.transport.close()


async def serve(args: argparse.Namespace) -> None:
    loop = asyncio.get_running_loop()
    ports = []
    servers = []
    for pretty, port in ((True, args.port), (False, 0)):
        canned = Canned(args.list_total, pretty)
        server = await loop.create_server(lambda c=canned: HTTPProtocol(c), "127.0.0.1", port,
                                          backlog=1024)
        servers.append(server)
        ports.append(server.sockets[0].getsockname()[1])
    print(f"PORT {ports[0]} COMPACT {ports[1]}", flush=True)
    stop = asyncio.Event()

    def watch_stdin() -> None:
        try:
            sys.stdin.buffer.read()
        except (OSError, ValueError):
            pass
        loop.call_soon_threadsafe(stop.set)

    if not args.ignore_stdin:
        threading.Thread(target=watch_stdin, daemon=True).start()
    try:
        await asyncio.wait_for(stop.wait(), timeout=args.max_seconds)
    except TimeoutError:
        pass
    for server in servers:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--list-total", type=int, default=10**15,
                        help="objects in the transaction list before has_more turns false")
    parser.add_argument("--max-seconds", type=float, default=1800.0,
                        help="stop after this long in any case")
    parser.add_argument("--ignore-stdin", action="store_true",
                        help="do not stop when standard input closes")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
