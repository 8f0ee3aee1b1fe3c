"""The fake's state: every object by id, and by type in creation order for paging.

Objects are the JSON-ready dicts the API answers with. Each type keeps its objects sorted by
`(created, sequence)`, so a page is a couple of bisections and a walk of `limit` objects whatever
the size of the table (100k seeded objects page as fast as ten). Sequence numbers are global, so
the pages of a list over several types (a customer's `sources`) merge by the same key.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

Key = tuple[int, int]
Predicate = Callable[[dict[str, Any]], bool]
EVERYONE = "*"
"""The store's `scope` outside requests: every account's objects are visible."""


class _Table:
    """The objects of one type, sorted by `(created, sequence)`."""

    __slots__ = ("dirty", "ids", "keys")

    def __init__(self) -> None:
        self.keys: list[Key] = []
        self.ids: list[str] = []
        self.dirty = False

    def add(self, key: Key, object_id: str) -> None:
        if self.keys and key < self.keys[-1]:
            self.dirty = True
        self.keys.append(key)
        self.ids.append(object_id)

    def sorted(self) -> _Table:
        if self.dirty:
            pairs = sorted(zip(self.keys, self.ids, strict=True))
            self.keys = [k for k, _ in pairs]
            self.ids = [i for _, i in pairs]
            self.dirty = False
        return self

    def remove(self, key: Key) -> None:
        """Drop `key` from the sorted keys and its id."""
        self.sorted()
        index = bisect.bisect_left(self.keys, key)
        if index < len(self.keys) and self.keys[index] == key:
            del self.keys[index]
            del self.ids[index]


class Store:
    """Objects by id, tables by object type, links of nested objects to their parent.

    Connect: while a request runs, `scope` is its `Stripe-Account` (None: the platform); what it
    stores belongs to that account (`accounts`), and its lookups, lists and searches see only
    that account's objects and the ones stored outside requests (`seed`, `fake.create`: shared
    test data). Outside requests (`fake.get`, `fake.objects`) the scope is `EVERYONE`."""

    def __init__(self) -> None:
        self.objects: dict[str, dict[str, Any]] = {}
        self.parents: dict[str, str] = {}
        self.singletons: dict[str, dict[str, Any]] = {}
        self.created: Counter[str] = Counter()
        self._keys: dict[str, Key] = {}
        self._tables: dict[str, _Table] = {}
        self._seq = itertools.count()
        self.seed_clock: dict[str, int] = {}
        self.accounts: dict[str, str | None] = {}
        # what a retrieve of a deleted object answers, where Stripe answers one (customers):
        # id -> (its account, `{"id": ..., "object": ..., "deleted": true}`)
        self.tombstones: dict[str, tuple[str | None, dict[str, Any]]] = {}
        self.scope: str | None = EVERYONE

    def clear(self) -> None:
        """Forget every object."""
        self.__init__()  # type: ignore[misc]

    # --- objects --------------------------------------------------------------------------------

    def insert(self, obj: dict[str, Any], *, parent: str | None = None) -> None:
        """Store a new object (it must have an `id` and an `object` type)."""
        object_id: str = obj["id"]
        if object_id in self.objects:
            raise ValueError(f"an object with id {object_id!r} already exists")
        kind: str = obj["object"]
        created = obj.get("created")
        key = (created if isinstance(created, int) else 0, next(self._seq))
        self.objects[object_id] = obj
        self._keys[object_id] = key
        table = self._tables.get(kind)
        if table is None:
            table = self._tables[kind] = _Table()
        table.add(key, object_id)
        if parent is not None:
            self.parents[object_id] = parent
        if self.scope != EVERYONE:
            self.accounts[object_id] = self.scope
        self.created[kind] += 1

    def get(self, object_id: str) -> dict[str, Any] | None:
        """A stored object by id, if the current scope (account) may see it; None otherwise."""
        obj = self.objects.get(object_id)
        if obj is not None and self.scope != EVERYONE and not self.visible(object_id):
            return None
        return obj

    def visible(self, object_id: str) -> bool:
        """Whether an object is seen from the current `scope` (its account's, or shared)."""
        return self.scope == EVERYONE or self.accounts.get(object_id, self.scope) == self.scope

    def _scoped(self, match: Predicate | None) -> Predicate | None:
        """`match`, restricted to the current scope's objects when accounts are in play."""
        if self.scope == EVERYONE or not self.accounts:
            return match
        accounts, scope = self.accounts, self.scope

        def scoped(obj: dict[str, Any]) -> bool:
            return accounts.get(obj["id"], scope) == scope and (match is None or match(obj))

        return scoped

    def replace(self, obj: dict[str, Any]) -> None:
        """Store a new version of an existing object (same id and type)."""
        self.objects[obj["id"]] = obj

    def bury(self, object_id: str, answer: dict[str, Any]) -> None:
        """Remove an object, keeping what a retrieve of it answers from now on (`tombstone`)."""
        account = self.accounts.get(object_id)
        if self.remove(object_id) is not None:
            self.tombstones[object_id] = (account, answer)

    def tombstone(self, object_id: str) -> dict[str, Any] | None:
        """The deleted object's answer, if it was deleted (`bury`) and the scope may see it."""
        held = self.tombstones.get(object_id)
        if held is None or (self.scope != EVERYONE and held[0] != self.scope):
            return None
        return held[1]

    def remove(self, object_id: str) -> dict[str, Any] | None:
        """Forget an object (its indexes, parent and account too); returns it, or None."""
        obj = self.objects.pop(object_id, None)
        if obj is not None:
            key = self._keys.pop(object_id)
            self._tables[obj["object"]].remove(key)
            self.parents.pop(object_id, None)
            self.accounts.pop(object_id, None)
        return obj

    def count(self, kind: str) -> int:
        """How many objects of a type are stored now."""
        table = self._tables.get(kind)
        return 0 if table is None else len(table.ids)

    def key(self, object_id: str) -> Key | None:
        """The sort key (created, sequence) of a stored object, None if there is none."""
        return self._keys.get(object_id)

    def every(self, kind: str) -> list[dict[str, Any]]:
        """Every stored object of a type, whatever the scope, oldest first."""
        table = self._tables.get(kind)
        return [] if table is None else [self.objects[i] for i in table.sorted().ids]

    # --- reading in order -----------------------------------------------------------------------

    def newest_first(self, kinds: Iterable[str]) -> Iterator[dict[str, Any]]:
        """Every object of some types (of the current scope), newest first."""
        tables = [self._tables[k].sorted() for k in kinds if k in self._tables]
        if len(tables) == 1:
            ids: Iterable[str] = reversed(tables[0].ids)
        else:
            pairs = sorted(
                ((k, i) for t in tables for k, i in zip(t.keys, t.ids, strict=True)), reverse=True
            )
            ids = (i for _, i in pairs)
        if self.scope != EVERYONE and self.accounts:
            ids = (i for i in ids if self.visible(i))
        return (self.objects[i] for i in ids)

    def page(
        self,
        kinds: Iterable[str],
        limit: int,
        *,
        after: Key | None = None,
        before: Key | None = None,
        created: tuple[int | None, int | None] = (None, None),
        match: Predicate | None = None,
    ) -> tuple[list[dict[str, Any]], bool]:
        """One page of a list, newest first: the `limit` objects right after the cursor `after`
        (older than it) or right before `before` (newer), with `created` between the inclusive
        bounds and `match`ing; and whether more objects lie beyond the page."""
        candidates: list[tuple[Key, str]] = []
        match = self._scoped(match)
        for kind in kinds:
            table = self._tables.get(kind)
            if table is not None:
                candidates.extend(
                    self._walk(table.sorted(), limit + 1, after, before, created, match)
                )
        candidates.sort(reverse=before is None)
        has_more = len(candidates) > limit
        chosen = candidates[:limit]
        if before is not None:
            chosen.reverse()
        return [self.objects[i] for _, i in chosen], has_more

    def _walk(
        self,
        table: _Table,
        want: int,
        after: Key | None,
        before: Key | None,
        created: tuple[int | None, int | None],
        match: Predicate | None,
    ) -> Iterator[tuple[Key, str]]:
        keys, ids = table.keys, table.ids
        low, high = created
        lo = 0 if low is None else bisect.bisect_left(keys, (low, -1))
        hi = len(keys) if high is None else bisect.bisect_left(keys, (high + 1, -1))
        if before is not None:
            lo = max(lo, bisect.bisect_right(keys, before))
            indices: Iterable[int] = range(lo, hi)
        else:
            if after is not None:
                hi = min(hi, bisect.bisect_left(keys, after))
            indices = range(hi - 1, lo - 1, -1)
        found = 0
        for index in indices:
            object_id = ids[index]
            if match is None or match(self.objects[object_id]):
                yield keys[index], object_id
                found += 1
                if found >= want:
                    return

    # --- expansion ------------------------------------------------------------------------------

    def expand(self, value: Any, path: list[str]) -> Any:
        """`value` with the ids along a dotted `expand` path replaced by the objects they name
        (`data.customer` on a list); ids the store does not hold stay ids. Never mutates."""
        if not path or not isinstance(value, Mapping):
            return value
        head, rest = path[0], path[1:]
        if head == "data" and value.get("object") in ("list", "search_result"):
            return {**value, "data": [self.expand(item, rest) for item in value.get("data", [])]}
        if head not in value:
            return value
        child = value[head]
        if isinstance(child, list):
            expanded: Any = [self.expand(self._resolve(item), rest) for item in child]
        else:
            expanded = self.expand(self._resolve(child), rest)
        return {**value, head: expanded}

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.get(value) or value
        return value
