"""The read-only mapping side of every model: `obj.get(key)`, `obj.keys()`, `dict(obj)`,
`obj.to_json()`, `Model.from_dict(data)`.

No `items()`: `items` is a field of some objects (`subscription.items`, a list of its items);
`dict(obj).items()` gives the pairs.

What users of stripe-python (whose objects are dicts) reach for, without making models dicts:
these are plain methods of the base class, so reading a field stays a slot read (no
`__getattr__`; see docs/decisions.md). Keys are the JSON keys the object's data had (the spec's
fields and any unknown ones); values are what `obj[key]` gives (nested models stay models;
`obj.to_dict()` is the JSON-ready copy).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Self


class MappingMethods:
    """Mixin of `StripeObject`: the read-only `Mapping` methods, over the data's JSON keys."""

    __slots__ = ()

    def __getitem__(self, key: str) -> Any:  # pragma: no cover - StripeObject's own
        raise NotImplementedError

    def __contains__(self, key: object) -> bool:  # pragma: no cover - StripeObject's own
        raise NotImplementedError

    def keys(self) -> list[str]:
        """The JSON keys the object's data has (`dict(obj)` and `**obj` use them)."""
        from aiostripe._models import _attr_of

        extra: dict[str, Any] = getattr(self, "_extra", None) or {}
        known = [k for k in _attr_of(type(self)) if k not in extra and k in self]
        return known + list(extra)

    def __iter__(self) -> Iterator[str]:
        """The keys, as for a dict: `for key in obj`, `list(obj)`."""
        return iter(self.keys())

    def values(self) -> list[Any]:
        """`obj[key]` for each key."""
        return [self[k] for k in self.keys()]

    def get(self, key: str, default: Any = None) -> Any:
        """`obj[key]` if the data has `key`, else `default` (like `dict.get`)."""
        return self[key] if key in self else default  # noqa: SIM401 - this is get()

    def to_json(self, *, indent: int | None = None) -> str:
        """The object as JSON text (`to_dict()`, dumped; keys sorted, as stripe-python's `str`)."""
        import json

        to_dict: Any = getattr(self, "to_dict")  # noqa: B009 - StripeObject's
        return json.dumps(to_dict(), indent=indent, sort_keys=True, default=str)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build this model from decoded JSON (stored objects, a webhook's `data.object`, …).

        Parses like every API response: data of another API version parses too (see README,
        "Objects of other API versions"). On `StripeObject` itself it picks the model by the
        data's `object` field, like `aiostripe.construct_from`. Raises `TypeError` for data that
        is not a mapping.
        """
        from aiostripe._models import StripeObject, structure_as, structure_object

        if not isinstance(data, Mapping):
            raise TypeError(
                f"{cls.__name__}.from_dict: expected a mapping (decoded JSON object), "
                f"got {type(data).__name__}"
            )
        plain = dict(data)
        if cls is StripeObject:
            return structure_object(plain)  # type: ignore[return-value]
        result: Self = structure_as(plain, cls)
        return result
