"""The operations that have a behaviour of their own, by client method name.

```python
@behaviour("payment_intents.confirm")
def confirm(call: Call) -> dict[str, Any]: ...
```

Every other operation keeps the generic behaviour of `handlers.py` (store, update, delete, list).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiostripe.testing.handlers import Call

Behaviour = Callable[["Call"], Any]
_REGISTRY: dict[str, Behaviour] = {}


def behaviour(*names: str) -> Callable[[Behaviour], Behaviour]:
    """Register a function as the behaviour of the operations `names` (`"refunds.create"`)."""

    def register(func: Behaviour) -> Behaviour:
        for name in names:
            if name in _REGISTRY:
                raise ValueError(f"{name}: a behaviour is already registered")
            _REGISTRY[name] = func
        return func

    return register


def find(name: str) -> Behaviour | None:
    """The behaviour registered for an operation, None for the generic one."""
    return _REGISTRY.get(name)
