"""`aiostripe`: list, search and fetch Stripe objects from the command line.

```
aiostripe list treasury.transactions --param financial_account=fa_1 -o tx.jsonl
aiostripe list treasury.transactions --param financial_account=fa_1 -o tx.jsonl --resume
aiostripe list customers.balance_transactions cus_123 --param created[gte]=1700000000
aiostripe search customers --query "email:'jo@example.com'" -o found.jsonl
aiostripe get customers cus_123
```

`list` and `search` stream every object of any list or search operation to JSON Lines (one
`obj.to_dict()` a line), with a progress line on stderr. With `-o FILE`, a cursor file
(`FILE.cursor`) is rewritten after each page is flushed: it holds the position in the list and the
size of the output at that point, so `--resume` after a crash truncates any half-written page and
continues right after the last object saved — no duplicates, no gaps.

Resources are the client's attributes (`treasury.transactions` is `stripe.treasury.transactions`);
path ids (`cus_123` above) come as positional arguments; `--param` values are checked against the
operation's parameters (names, integers, enums) before anything is sent. `--api-key` defaults to
$STRIPE_API_KEY, `--base-url` to $STRIPE_BASE_URL or https://api.stripe.com.

Exit status: 0 done, 1 the API or the network failed (rerun with `--resume`), 2 bad arguments,
130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import difflib
import functools
import importlib
import inspect
import json
import logging
import os
import re
import sys
import time
import types
import typing
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, Literal, NoReturn, get_args, get_origin, is_typeddict

__all__ = ["main"]

PROG = "aiostripe"
ENV_API_KEY = "STRIPE_API_KEY"
ENV_BASE_URL = "STRIPE_BASE_URL"
CURSOR_SUFFIX = ".cursor"
_STATE_VERSION = 1


class UsageError(Exception):
    """Bad arguments: reported on one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage dump)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


# --- resources ----------------------------------------------------------------------------------


@functools.cache
def _service_classes() -> dict[str, type]:
    """Every service namespace reachable from the client, by dotted name."""
    from aiostripe._generated.services import ClientServices
    from aiostripe._service import Service

    class Probe(ClientServices):
        def __init__(self) -> None:
            self._requestor = None  # type: ignore[assignment]  # never used: no call is made

    found: dict[str, type] = {}

    def walk(obj: object, prefix: str) -> None:
        for name in dir(type(obj)):
            if name.startswith("_"):
                continue
            if not isinstance(inspect.getattr_static(type(obj), name), functools.cached_property):
                continue
            child = getattr(obj, name)
            if isinstance(child, Service):
                dotted = f"{prefix}{name}"
                found[dotted] = type(child)
                walk(child, dotted + ".")

    walk(Probe(), "")
    return found


@functools.cache
def _operations(kind: str) -> dict[str, type]:
    """Resources offering `kind` ("list", "search", "retrieve"), by dotted name."""
    return {name: cls for name, cls in _service_classes().items() if callable(vars(cls).get(kind))}


class Operation:
    """One operation of a resource, with what the CLI needs to check its arguments."""

    def __init__(self, resource: str, kind: str, cls: type) -> None:
        self.resource = resource
        self.kind = kind
        self.function: Callable[..., Any] = vars(cls)[kind]
        sig = inspect.signature(self.function)
        self.path_params = [
            n
            for n, p in sig.parameters.items()
            if p.kind is p.POSITIONAL_OR_KEYWORD and n != "self"
        ]
        self.params_type: Any = None
        params = sig.parameters.get("params")
        if params is not None and isinstance(params.annotation, str):
            m = re.fullmatch(r"Unpack\[(\w+)\]", params.annotation)
            if m:
                module = cls.__module__.replace(".services.", ".params.")
                self.params_type = getattr(importlib.import_module(module), m.group(1))

    @property
    def name(self) -> str:
        return f"{self.resource}.{self.kind}"

    @functools.cached_property
    def fields(self) -> dict[str, Any]:
        if self.params_type is None:
            return {}
        hints: dict[str, Any] = typing.get_type_hints(self.params_type, include_extras=True)
        return hints

    @functools.cached_property
    def required(self) -> frozenset[str]:
        """Required parameters (read from the resolved hints: with postponed annotations
        `__required_keys__` does not see `Required[...]`)."""
        if self.params_type is None:
            return frozenset()
        total = getattr(self.params_type, "__total__", True)
        return frozenset(
            k
            for k, t in self.fields.items()
            if get_origin(t) is typing.Required
            or (total and get_origin(t) is not typing.NotRequired)
        )


def resolve(resource: str, kind: str) -> Operation:
    """The operation `kind` of a resource named like `treasury.transactions`."""
    name = resource.strip().strip("./").replace("/", ".").replace("-", "_")
    available = _operations(kind)
    cls = available.get(name)
    if cls is None:
        verb = {"list": "listed", "search": "searched", "retrieve": "fetched"}[kind]
        if name in _service_classes():
            ops = sorted(available)
            hint = f"; resources that can be {verb}: {_shortlist(ops)}" if kind == "search" else ""
            raise UsageError(f"resource {resource!r} cannot be {verb}{hint}")
        close = difflib.get_close_matches(name, list(available), n=3, cutoff=0.6)
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
        raise UsageError(f"unknown resource {resource!r}{hint}")
    return Operation(name, kind, cls)


def _shortlist(names: Sequence[str], n: int = 12) -> str:
    shown = ", ".join(names[:n])
    return shown + (f", ... ({len(names)} in all)" if len(names) > n else "")


# --- parameters ---------------------------------------------------------------------------------

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\[[A-Za-z0-9_]*\]|\.[A-Za-z0-9_]+)*$")


def _unwrap(t: Any) -> Any:
    while get_origin(t) in (typing.Required, typing.NotRequired):
        t = get_args(t)[0]
    return t


def _members(t: Any) -> list[Any]:
    t = _unwrap(t)
    if get_origin(t) in (typing.Union, types.UnionType):
        return [_unwrap(m) for m in get_args(t)]
    return [t]


def _describe(t: Any) -> str:
    parts = []
    for m in _members(t):
        origin = get_origin(m)
        if m is str:
            parts.append("a string")
        elif m is bool:
            parts.append("true or false")
        elif m is int:
            parts.append("an integer")
        elif m is float:
            parts.append("a number")
        elif origin is Literal:
            parts.append("one of " + ", ".join(repr(a) for a in get_args(m)))
        elif is_typeddict(m):
            keys = ", ".join(typing.get_type_hints(m))
            parts.append(f"sub-keys [{keys}]")
        elif origin is list:
            parts.append("a list (repeat the parameter)")
        elif origin is dict:
            parts.append("sub-keys [name]")
        elif m is type(None):
            continue
        else:
            parts.append(getattr(m, "__name__", str(m)))
    return " or ".join(dict.fromkeys(parts)) or "a value"


def _scalar(t: Any, raw: str) -> Any:
    """`raw` as a value of type `t` (a member of a union); ValueError if it is not one."""
    origin = get_origin(t)
    if t is str or t is Any:
        return raw
    if t is bool:
        low = raw.lower()
        if low in ("true", "1", "yes"):
            return True
        if low in ("false", "0", "no"):
            return False
        raise ValueError
    if t is int:
        if not re.fullmatch(r"[+-]?\d+", raw.strip()):
            raise ValueError
        return int(raw)
    if t is float:
        return float(raw)
    if origin is Literal:
        for option in get_args(t):
            if str(option) == raw:
                return option
        raise ValueError
    raise ValueError


def _convert(t: Any, raw: str, name: str) -> Any:
    members = _members(t)
    for m in members:
        if get_origin(m) is list:
            (item,) = get_args(m) or (str,)
            return [_convert(item, raw, name)]
    for m in members:
        try:
            return _scalar(m, raw)
        except ValueError:
            continue
    raise UsageError(f"parameter {name!r} expects {_describe(t)}, got {raw!r}")


def _child_type(t: Any, key: str, name: str) -> Any:
    for m in _members(t):
        if is_typeddict(m):
            hints = typing.get_type_hints(m, include_extras=True)
            if key in hints:
                return hints[key]
        elif get_origin(m) is dict:
            return get_args(m)[1] if get_args(m) else str
    raise UsageError(f"parameter {name!r} has no sub-key {key!r}; expected {_describe(t)}")


def parse_params(op: Operation, pairs: Sequence[str]) -> dict[str, Any]:
    """`--param key=value` pairs as the call's parameters, checked against the operation."""
    out: dict[str, Any] = {}
    fields = op.fields
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--param {pair!r}: expected KEY=VALUE")
        if not _KEY.match(key):
            raise UsageError(f"--param {pair!r}: malformed key {key!r}")
        path = re.findall(r"[A-Za-z0-9_]+", key)
        root = path[0]
        if root in op.path_params:
            if len(path) > 1:
                raise UsageError(f"parameter {root!r} is an id: pass {root}=<id>")
            out[root] = raw
            continue
        if root not in fields:
            known = sorted(fields)
            close = difflib.get_close_matches(root, known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise UsageError(
                f"unknown parameter {root!r} for {op.name}; {hint}"
                f"expected one of: {', '.join(known) or '(none)'}"
            )
        t = fields[root]
        target = out
        for i, part in enumerate(path[1:], 1):
            name = "".join([path[0], *(f"[{p}]" for p in path[1:i])])
            t = _child_type(t, part, name)
            prev = target.get(path[i - 1])
            if prev is None:
                prev = target[path[i - 1]] = {}
            elif not isinstance(prev, dict):
                raise UsageError(f"parameter {name!r} is given both as a value and with sub-keys")
            target = prev
        leaf = path[-1]
        name = key if len(path) == 1 else re.sub(r"\.(\w+)", r"[\1]", key)
        if any(is_typeddict(m) or get_origin(m) is dict for m in _members(t)) and not any(
            m in (str, int, float, bool) or get_origin(m) in (Literal, list) for m in _members(t)
        ):
            raise UsageError(f"parameter {name!r} expects {_describe(t)}, e.g. {name}[key]=value")
        value = _convert(t, raw, name)
        if isinstance(value, list) and isinstance(target.get(leaf), list):
            target[leaf].extend(value)
        elif leaf in target:
            raise UsageError(f"parameter {name!r} is given twice")
        else:
            target[leaf] = value
    missing = sorted(k for k in op.required if k not in out)
    if missing:
        raise UsageError(
            f"{op.name} needs parameter(s) {', '.join(missing)}: pass --param "
            + " --param ".join(f"{m}=..." for m in missing)
        )
    return out


def path_ids(op: Operation, ids: Sequence[str], params: dict[str, Any]) -> list[str]:
    """The path parameters of the call, from positional ids or `--param name=id`."""
    given = list(ids)
    out = []
    for name in op.path_params:
        if name in params:
            out.append(params.pop(name))
        elif given:
            out.append(given.pop(0))
        else:
            raise UsageError(
                f"{op.name} needs {' and '.join(op.path_params)}: "
                f"aiostripe {op.kind if op.kind != 'retrieve' else 'get'} {op.resource} "
                + " ".join(f"<{n}>" for n in op.path_params)
            )
    if given:
        extra = " ".join(given)
        raise UsageError(f"unexpected argument(s) {extra!r}: {op.name} takes no more ids")
    return out


# --- output -------------------------------------------------------------------------------------


def _dumps(obj: Any) -> str:
    data = obj.to_dict() if hasattr(obj, "to_dict") else obj
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


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


def _write_state(path: Path, state: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state, indent=1) + "\n")
    os.replace(tmp, path)


def _read_state(path: Path, expect: dict[str, Any]) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        state: dict[str, Any] = json.loads(path.read_text())
        version = state["version"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"cannot read the cursor file {str(path)!r}: {exc}") from None
    if version != _STATE_VERSION:
        raise UsageError(f"cursor file {str(path)!r} has unknown version {version!r}")
    for key, value in expect.items():
        if state.get(key) != value:
            raise UsageError(
                f"cursor file {str(path)!r} was written for another listing "
                f"({key}: {state.get(key)!r}, now {value!r}); remove it or drop --resume"
            )
    return state


async def _stream(
    args: argparse.Namespace, op: Operation, call: Any, ids: list[str], params: dict[str, Any]
) -> int:
    out_path = None if args.output in (None, "-") else Path(args.output)
    cursor_path = (
        Path(args.cursor_file)
        if args.cursor_file
        else (out_path.with_name(out_path.name + CURSOR_SUFFIX) if out_path else None)
    )
    if args.resume and cursor_path is None:
        raise UsageError("--resume needs -o FILE (or --cursor-file) to know where to continue")
    # what must match to resume (the page size may change: cursors do not depend on it)
    same = {k: v for k, v in params.items() if k != "limit"}
    identity = {"command": op.kind, "resource": op.resource, "ids": ids, "params": same}
    state = _read_state(cursor_path, identity) if args.resume and cursor_path else None
    exists = out_path is not None and out_path.exists() and out_path.stat().st_size > 0
    if args.resume and state is None and exists:
        raise UsageError(
            f"cannot resume: no cursor file {str(cursor_path)!r} for the existing "
            f"{str(out_path)!r}; drop --resume to start over"
        )
    objects = int(state["objects"]) if state else 0
    pages = int(state["pages"]) if state else 0
    show = args.progress
    if show is None:  # auto: on a terminal, unless the objects go to that terminal too
        show = sys.stderr.isatty() and not (out_path is None and sys.stdout.isatty())
    progress = _Progress(show, objects, pages)
    if state and state.get("complete"):
        progress.done(" (already complete)")
        return 0

    out: IO[bytes] | None = None
    text_out: IO[str] | None = None
    if out_path is not None:
        if state:
            try:
                out = out_path.open("r+b")
            except FileNotFoundError:
                raise UsageError(
                    f"cannot resume: {str(out_path)!r} is missing but its cursor file exists"
                ) from None
            size = out.seek(0, os.SEEK_END)
            if size < state["offset"]:
                out.close()
                raise UsageError(
                    f"cannot resume: {str(out_path)!r} holds {size} bytes, less than the "
                    f"{state['offset']} its cursor file recorded"
                )
            out.truncate(state["offset"])  # drop a page written after the last checkpoint
            out.seek(state["offset"])
        else:
            out = out_path.open("wb")
    else:
        text_out = sys.stdout

    max_items = None if args.max_items is None else max(0, args.max_items - objects)
    max_pages = None if args.limit_pages is None else max(0, args.limit_pages - pages)
    cursor: str | None = state["cursor"] if state else None
    complete = False

    def checkpoint() -> None:
        if out is not None:
            out.flush()
        elif text_out is not None:
            text_out.flush()
        if cursor_path is not None:
            _write_state(
                cursor_path,
                {
                    "version": _STATE_VERSION,
                    **identity,
                    "cursor": cursor,
                    "offset": out.tell() if out is not None else None,
                    "objects": objects,
                    "pages": pages,
                    "complete": complete,
                    "updated": int(time.time()),
                },
            )
        progress.update(objects, pages)

    try:
        if cursor_path is not None and not state:
            checkpoint()  # a fresh run: a cursor from an earlier run no longer applies
        request = call(*ids, **params)
        if max_items == 0 or max_pages == 0:
            complete = False
        else:
            it = request.auto_paging_iter(
                prefetch=args.prefetch,
                resume_from=cursor,
                max_items=max_items,
                max_pages=max_pages,
            )
            async with it:
                seen = 0
                async for obj in it:
                    if it.pages_seen != seen:
                        if seen:
                            checkpoint()  # every object of the previous page is written
                        pages += it.pages_seen - seen
                        seen = it.pages_seen
                    line = _dumps(obj) + "\n"
                    if out is not None:
                        out.write(line.encode())
                    elif text_out is not None:
                        text_out.write(line)
                    objects += 1
                    cursor = it.cursor
                pages += it.pages_seen - seen
                limited = (max_items is not None and it.count >= max_items) or (
                    max_pages is not None and it.pages_seen >= max_pages
                )
                complete = not limited
        checkpoint()
    except BaseException:
        # the lines written so far and `cursor` agree (no await between them): keep them
        with contextlib.suppress(Exception):
            checkpoint()
        raise
    finally:
        progress.done()
        if out is not None:
            out.close()
    return 0


# --- commands -----------------------------------------------------------------------------------


def _client(args: argparse.Namespace) -> Any:
    from aiostripe._client import StripeClient

    api_key = args.api_key if args.api_key is not None else os.environ.get(ENV_API_KEY)
    if not api_key:
        raise UsageError(f"no API key: pass --api-key or set {ENV_API_KEY}")
    base_url = args.base_url or os.environ.get(ENV_BASE_URL) or "https://api.stripe.com"
    if not re.match(r"^https?://[^/\s]+", base_url):
        raise UsageError(f"--base-url: expected an http(s) URL, got {base_url!r}")
    try:
        return StripeClient(api_key, base_url=base_url)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _bound(client: Any, op: Operation) -> Any:
    target = client
    for part in op.resource.split("."):
        target = getattr(target, part)
    return getattr(target, op.kind)


async def _run(args: argparse.Namespace) -> int:
    kind = {"list": "list", "search": "search", "get": "retrieve"}[args.command]
    op = resolve(args.resource, kind)
    pairs = list(args.param or [])
    if args.command == "search" and args.query is not None:
        pairs.append(f"query={args.query}")
    params = parse_params(op, pairs)
    ids = path_ids(op, args.ids, params)
    client = _client(args)
    async with client:
        call = _bound(client, op)
        if args.command == "get":
            obj = await call(*ids, **params)
            text = json.dumps(obj.to_dict(), indent=2, ensure_ascii=False) + "\n"
            if args.output in (None, "-"):
                sys.stdout.write(text)
            else:
                Path(args.output).write_text(text)
            return 0
        return await _stream(args, op, call, ids, params)


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
    def connection(default: Any) -> _Parser:
        group = _Parser(add_help=False)
        group.add_argument(
            "--api-key", default=default, help=f"secret API key (default: ${ENV_API_KEY})"
        )
        group.add_argument(
            "--base-url",
            default=default,
            help=f"API server (default: ${ENV_BASE_URL} or https://api.stripe.com)",
        )
        return group

    # accepted before and after the command; given after it, they win
    common, common_sub = connection(None), connection(argparse.SUPPRESS)
    common.add_argument("-v", "--verbose", action="store_true", help="log retries and waits")
    stream = _Parser(add_help=False)
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
    params = _Parser(add_help=False)
    params.add_argument(
        "-p",
        "--param",
        action="append",
        metavar="KEY=VALUE",
        help="a parameter of the call; nested as created[gte]=1700000000; repeat for lists",
    )

    parser = _Parser(
        prog=PROG,
        description="List, search and fetch Stripe objects (JSON Lines out).",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p_list = sub.add_parser(
        "list",
        parents=[common_sub, params, stream],
        help="stream every object of a list to JSON Lines",
        description="Stream every object of a list, e.g. "
        "`aiostripe list treasury.transactions --param financial_account=fa_1 -o tx.jsonl`.",
    )
    p_list.add_argument("resource", help="e.g. customers, treasury.transactions")
    p_list.add_argument("ids", nargs="*", help="ids in the path (customers.tax_ids cus_123)")
    p_search = sub.add_parser(
        "search",
        parents=[common_sub, params, stream],
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
    return parser


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in ("api_key", "base_url"):
        if not hasattr(args, name):
            setattr(args, name, None)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parse(argv)
    with _log_to_stderr(args.verbose):
        try:
            return asyncio.run(_run(args))
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


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
