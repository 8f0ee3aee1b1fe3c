"""A local fake Stripe, generated from the same spec as the client: for tests, users' tests, demos.

```python
from aiostripe.testing import FakeStripe

async with FakeStripe() as fake, fake.client() as stripe:
    customer = await stripe.customers.create(email="jo@example.com", metadata={"plan": "pro"})
    assert (await stripe.customers.retrieve(customer.id)).email == "jo@example.com"
```

What it does, for every operation of the client (all driven by the generated `ir.json`, params
TypedDicts, models and Stripe's example objects, nothing listed by hand):

- **state**: creates store an object of the right type (Stripe's example object with the request
  parameters applied, a fresh id with Stripe's prefix, `created` now); retrieve, update, delete
  (`{"id", "object", "deleted": true}`), actions (`payment_intents.cancel` -> `canceled`); an unknown
  id is Stripe's 404 `resource_missing`. Singletons and previews (`balance`, `invoices.upcoming`)
  answer an example object. `expand[]` replaces ids the fake holds by their objects.
- **lists** page like the API (newest first, `limit`, `starting_after`, `ending_before`,
  `has_more`, `created[gte]=` filters, equality filters on the object's fields, nested lists under
  their parent); **search** understands `field:'value'`, `metadata['k']:'v'`, `~`, `>`, `<`, AND/OR.
- **validation** against the params TypedDicts: unknown, missing or mistyped parameters are
  Stripe's 400 with `param` set (`items[0][price]`).
- **idempotency** (a repeated `Idempotency-Key` replays, with other parameters it is an
  `idempotency_error`), **API keys** (401s), a `Request-Id` on every answer.
- **seeding** without HTTP: `fake.seed("treasury.transaction", 100_000, financial_account="fa_1")`.
- **faults** on demand: `fake.faults.fail_next(2, status=500)`, `drop_connection_next`,
  `truncate_next`, `latency`, `rate_limit`, `lock_timeout`, `clear()` (see `faults.py`).
- **a request log**: `fake.requests` (method, path, decoded query and form, headers, operation,
  status), `fake.created_count("customer")`.
- **webhooks**: `await fake.deliver_event(url, "customer.created", customer, "whsec_...")`.

Run it alone with `python -m aiostripe.testing --port 12111`; in pytest, the `fake_stripe` and
`stripe_client` fixtures come with `aiostripe.testing.pytest_plugin`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiostripe.testing.faults import Fault, Faults
    from aiostripe.testing.log import RequestRecord
    from aiostripe.testing.server import DEFAULT_API_KEY, FakeStripe
    from aiostripe.testing.validate import UploadedFile

__all__ = ["DEFAULT_API_KEY", "FakeStripe", "Fault", "Faults", "RequestRecord", "UploadedFile"]

# imported on first use: the pytest plugin (`aiostripe.testing.pytest_plugin`, loaded by every
# pytest run) imports this package and must not pay for the fake
_HOME = {"DEFAULT_API_KEY": "server", "FakeStripe": "server", "Fault": "faults",
         "Faults": "faults", "RequestRecord": "log", "UploadedFile": "validate"}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
