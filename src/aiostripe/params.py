"""Request-parameter TypedDicts under stripe-python's names, to annotate the dicts you build:

```python
from aiostripe.params import CustomerCreateParams

params: CustomerCreateParams = {"email": "jo@example.com", "metadata": {"plan": "pro"}}
customer = await stripe.customers.create(**params)     # mypy and pyright check every key
```

Names follow `stripe.params`: each service segment in the singular, then the method
(`stripe.customers.balance_transactions.create` -> `CustomerBalanceTransactionCreateParams`),
nested objects appended (`CustomerCreateParamsAddress`); namespaces are attributes
(`aiostripe.params.checkout.SessionCreateParams`, `aiostripe.params.test_helpers.treasury...`).
Everything is imported on first use, so importing this module costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiostripe._generated.public_params import *


def __getattr__(name: str) -> Any:
    from aiostripe._generated import public_params

    return getattr(public_params, name)
