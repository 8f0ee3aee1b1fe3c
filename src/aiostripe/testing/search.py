"""Stripe's search query language, the part tests use: `email:'a@b.c' AND metadata['k']:'v'`.

Clauses are `field:value` (exact, case-insensitive), `field~value` (substring), `field>value`,
`field<value`, `>=`, `<=`, a leading `-` negates, `null` matches an empty field; they are joined by
`AND` or by `OR` (not both, as on Stripe). Values are quoted strings or bare numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Predicate = Callable[[dict[str, Any]], bool]

_CLAUSE = re.compile(
    r"""\s*(?P<neg>-)?
    (?P<field>[A-Za-z_][\w.]*)(?:\[(?P<q>['"])(?P<key>.*?)(?P=q)\])?
    \s*(?P<op>:|~|>=|<=|>|<)\s*
    (?:'(?P<s1>(?:[^'\\]|\\.)*)'|"(?P<s2>(?:[^"\\]|\\.)*)"|(?P<bare>[^\s'"]+))
    \s*""",
    re.VERBOSE,
)
_JOIN = re.compile(r"(AND|OR|and|or)\s+")


class QueryError(ValueError):
    """A query the fake cannot parse (Stripe answers these with a 400 on `query`)."""


def compile_query(query: str) -> Predicate:
    """A predicate over stored objects for a search `query`."""
    clauses: list[Predicate] = []
    joins: set[str] = set()
    pos = 0
    text = query.strip()
    if not text:
        raise QueryError("Invalid query: the query is empty")
    while True:
        match = _CLAUSE.match(text, pos)
        if match is None:
            raise QueryError(f"Invalid query: could not parse {text[pos:]!r} (at {pos})")
        clauses.append(_clause(match))
        pos = match.end()
        if pos >= len(text):
            break
        join = _JOIN.match(text, pos)
        if join is None:
            raise QueryError(f"Invalid query: expected AND or OR at {pos}: {text[pos:]!r}")
        joins.add(join.group(1).upper())
        pos = join.end()
    if len(joins) > 1:
        raise QueryError("Invalid query: AND and OR cannot be combined in one query")
    if joins == {"OR"}:
        return lambda obj: any(c(obj) for c in clauses)
    return lambda obj: all(c(obj) for c in clauses)


def _clause(match: re.Match[str]) -> Predicate:
    field, key, op = match.group("field"), match.group("key"), match.group("op")
    quoted = match.group("s1") if match.group("s1") is not None else match.group("s2")
    bare = match.group("bare")
    negate = match.group("neg") is not None
    if quoted is not None:
        value: Any = re.sub(r"\\(.)", r"\1", quoted)
    elif bare == "null":
        value = None
    else:
        try:
            value = float(bare) if "." in bare else int(bare)
        except ValueError:
            raise QueryError(f"Invalid query: value {bare!r} of {field} must be quoted") from None
    path = [*field.split("."), *([key] if key is not None else [])]

    def test(obj: dict[str, Any]) -> bool:
        return _compare(_lookup(obj, path), op, value) != negate

    return test


def _lookup(obj: Any, path: list[str]) -> Any:
    for part in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    if isinstance(obj, dict) and isinstance(obj.get("id"), str):
        return obj["id"]
    return obj


def _compare(actual: Any, op: str, expected: Any) -> bool:
    if expected is None:
        return actual in (None, "") if op == ":" else False
    if actual is None:
        return False
    if op == ":":
        if isinstance(actual, bool):
            return str(expected).lower() == ("true" if actual else "false")
        return str(actual).casefold() == str(expected).casefold()
    if op == "~":
        return str(expected).casefold() in str(actual).casefold()
    try:
        left, right = float(actual), float(expected)
    except (TypeError, ValueError):
        return False
    return {">": left > right, "<": left < right, ">=": left >= right, "<=": left <= right}[op]
