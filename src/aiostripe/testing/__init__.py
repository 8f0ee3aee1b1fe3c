"""A local fake Stripe, generated from the same spec as the client: for tests, users' tests, demos.

```python
from aiostripe.testing import FakeStripe

async with FakeStripe() as fake, fake.client() as stripe:
    customer = await stripe.customers.create(email="jo@example.com")
    assert (await stripe.customers.retrieve(customer.id)).email == "jo@example.com"
```

It serves every operation of `ir.json` on 127.0.0.1, keeps the objects it creates, pages lists
like the API, validates parameters against the generated TypedDicts, replays idempotent requests,
checks API keys, and fails on demand (`fake.faults`). From the command line:
`python -m aiostripe.testing --port 12111`. For pytest, the fixtures `fake_stripe` and
`stripe_client` come with `aiostripe.testing.pytest_plugin`.
"""

from __future__ import annotations

from aiostripe.testing.faults import Fault, Faults
from aiostripe.testing.log import RequestRecord
from aiostripe.testing.server import DEFAULT_API_KEY, FakeStripe
from aiostripe.testing.validate import UploadedFile

__all__ = ["DEFAULT_API_KEY", "FakeStripe", "Fault", "Faults", "RequestRecord", "UploadedFile"]
