"""`FakeStripe`: a local, stateful Stripe API on 127.0.0.1, for tests and demos.

```python
from aiostripe.testing import FakeStripe

async with FakeStripe() as fake:
    async with fake.client() as stripe:
        customer = await stripe.customers.create(email="jo@example.com")
    fake.seed("treasury.transaction", 1000, financial_account="fa_1")
    fake.faults.fail_next(1, status=500)
    assert fake.requests[-1].operation == "customers.create"
```
"""

from __future__ import annotations

import asyncio
import random
import socket
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from aiohttp import web

from aiostripe.testing.app import build_app
from aiostripe.testing.behaviours import Behaviours, RequestContext
from aiostripe.testing.behaviours import checkout as _checkout
from aiostripe.testing.behaviours import payments as _payments
from aiostripe.testing.behaviours import payouts as _payouts
from aiostripe.testing.behaviours import setup_intents as _setup_intents
from aiostripe.testing.behaviours.webhooks import DEFAULT_RETRY_DELAYS, WebhookDispatcher
from aiostripe.testing.faults import Faults
from aiostripe.testing.handlers import Handlers
from aiostripe.testing.log import RequestRecord
from aiostripe.testing.objects import Factory, model_for, replace_str
from aiostripe.testing.operations import Router, router
from aiostripe.testing.schema import fields as schema_fields
from aiostripe.testing.store import Store
from aiostripe.testing.v2 import FakeV2

if TYPE_CHECKING:
    from aiostripe._client import StripeClient
    from aiostripe._models import StripeObject

DEFAULT_API_KEY = "sk_test_fake"
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


class FakeStripe:
    """A fake Stripe API server: every operation of the spec, stateful, with faults on demand.

    Start it with `async with FakeStripe() as fake` (or `await fake.start()` / `await
    fake.stop()`, or `with fake.in_thread()` from synchronous code). `fake.url` is its base URL,
    `fake.client()` a `StripeClient` bound to it. Any well-formed test or live secret key is
    accepted (`sk_test_...`, `rk_test_...`, `sk_live_...`); all keys share one account.

    Stripe's behaviour (`behaviours/`, `docs/fake-stripe.md`): payment intents and test cards,
    refunds, events (`/v1/events`) and their webhook deliveries to the endpoints created through
    the API (`fake.webhooks`: attempts, secrets; `await fake.webhooks.wait()`), `Stripe-Account`,
    treasury flows. `webhook_retry_delays`: seconds before each retry of a failed delivery.
    """

    def __init__(
        self,
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        seed: int | None = None,
        webhook_retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
    ) -> None:
        if host not in _LOOPBACK:
            raise ValueError(f"host: the fake only listens on loopback, got {host!r}")
        self.host = host
        self.port: int = port
        self.store: Store = Store()
        self.factory: Factory = Factory(random.Random(seed))
        self.factory.lookup = self.store.get
        self.router: Router = router()
        self.behaviours: Behaviours = Behaviours(self.store, self.factory, retry_delays=webhook_retry_delays)
        self.webhooks: WebhookDispatcher = self.behaviours.webhooks
        """Webhook deliveries: `attempts`, `secrets`, `retry_delays`, `await wait()`."""
        self.handlers: Handlers = Handlers(self.store, self.factory, self.router, self.behaviours)
        self.faults: Faults = Faults()
        self.requests: list[RequestRecord] = []
        """Every request received, latest last (bounded: see `testing/log.py`)."""
        self.logged_bytes = 0  # what the records of `requests` hold, about
        self.idempotent_results: dict[tuple[str, str], Any] = {}
        self.v2: FakeV2 = FakeV2()
        """The v2 API's objects and thin event deliveries (`fake.v2.deliveries.attempts`)."""
        self.meter_events_port: int | None = None
        self._meter_events_url: str | None = None
        self._runner: web.AppRunner | None = None
        self._clients: list[StripeClient] = []
        self._url: str | None = None

    # --- lifecycle ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL of the running server (`http://127.0.0.1:PORT`)."""
        if self._url is None:
            raise RuntimeError("the fake Stripe is not running: use `async with FakeStripe()`")
        return self._url

    async def start(self) -> Self:
        """Start listening (on a free port unless one was given)."""
        if self._runner is not None:
            return self
        family = socket.AF_INET6 if self.host == "::1" else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        runner = web.AppRunner(
            build_app(self), handle_signals=False, access_log=None, shutdown_timeout=0.5
        )
        await runner.setup()
        site = web.SockSite(runner, sock)
        await site.start()
        # a second listener, standing in for meter-events.stripe.com (the v2 meter event stream)
        meter_sock = socket.socket(family, socket.SOCK_STREAM)
        meter_sock.bind((self.host, 0))
        await web.SockSite(runner, meter_sock).start()
        self._runner = runner
        self.webhooks.loop = asyncio.get_running_loop()
        self.port = sock.getsockname()[1]
        self.meter_events_port = meter_sock.getsockname()[1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self._url = f"http://{host}:{self.port}"
        self._meter_events_url = f"http://{host}:{self.meter_events_port}"
        return self

    async def stop(self) -> None:
        """Close the clients made by `client()` and stop the server."""
        clients, self._clients = self._clients, []
        for client in clients:
            await client.close()
        await self.webhooks.close()
        await self.v2.close()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        self._url = self._meter_events_url = None

    @property
    def meter_events_url(self) -> str:
        """The base URL of the second listener, the fake's meter events host (the v2 meter
        event stream is served there only, as Stripe serves it on meter-events.stripe.com)."""
        if self._meter_events_url is None:
            raise RuntimeError("the fake Stripe is not running: use `async with FakeStripe()`")
        return self._meter_events_url

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @contextmanager
    def in_thread(self) -> Iterator[FakeStripe]:
        """Run the server on its own event loop in a background thread, for synchronous code or
        another event loop (seed and script faults between requests, not during them)."""
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self.start())
            ready.set()
            loop.run_forever()

        thread = threading.Thread(target=run, name="aiostripe-fake-stripe", daemon=True)
        thread.start()
        ready.wait()
        try:
            yield self
        finally:
            asyncio.run_coroutine_threadsafe(self.stop(), loop).result()
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            loop.close()

    def client(self, api_key: str = DEFAULT_API_KEY, **options: Any) -> StripeClient:
        """A `StripeClient` bound to this server (closed by `stop()` if still open); `options`
        go to `StripeClient` (`max_retries=0`, `timeout=...`)."""
        from aiostripe._client import StripeClient

        options.setdefault("meter_events_base_url", self.meter_events_url)
        client = StripeClient(api_key, base_url=self.url, **options)
        self._clients.append(client)
        return client

    # --- state ----------------------------------------------------------------------------------

    def seed(self, object_type: str, count: int = 1, /, **fields: Any) -> list[str]:
        """Store `count` objects of `object_type` (`"customer"`, `"treasury.transaction"`) without
        HTTP, fast (100k in about a second): each from the type's example object with `fields`
        applied like request parameters, a fresh id, and distinct, increasing `created` times
        (ending now, or starting at `created=` when given). Returns their ids, oldest first."""
        return [obj["id"] for obj in self._store_new(object_type, count, fields)]

    def create(self, object_type: str, /, **fields: Any) -> dict[str, Any]:
        """Store one object of `object_type` (`id=` may be given) and return it."""
        (obj,) = self._store_new(object_type, 1, fields)
        return obj

    def _store_new(
        self, object_type: str, count: int, fields: dict[str, Any]
    ) -> list[dict[str, Any]]:
        cls = model_for(object_type)
        if count < 0:
            raise ValueError(f"count: expected a number of objects >= 0, got {count}")
        if "id" not in schema_fields(cls):
            raise ValueError(f"{object_type!r} objects have no id: they cannot be stored")
        given_id = fields.pop("id", None)
        if given_id is not None and count != 1:
            raise ValueError("id: can only be given when storing one object")
        start = fields.pop("created", None)
        base = self.factory.build(cls, fields, strict=True)
        if start is None:
            now = int(time.time())
            start = max(now - count + 1, self.store.seed_clock.get(object_type, 0) + 1)
        self.store.seed_clock[object_type] = int(start) + count - 1
        name, base_id = base["object"], base["id"]
        self_refs = [  # nested values naming the object itself (`items.url`): follow its id
            key
            for key, value in base.items()
            if isinstance(value, dict | list) and replace_str(value, base_id, "") is not value
        ]
        new_id = self.factory.new_id
        insert = self.store.insert
        has_created = "created" in base
        out: list[dict[str, Any]] = []
        for i in range(count):
            obj = dict(base)
            obj["id"] = object_id = given_id or new_id(name)
            for key in self_refs:
                obj[key] = replace_str(base[key], base_id, object_id)
            if has_created:
                obj["created"] = int(start) + i
            insert(obj)
            out.append(obj)
        return out

    def link(self, child_id: str, parent_id: str) -> None:
        """Record that a stored object belongs to another, as a nested create does (a customer's
        balance transaction): nested lists and lookups under the parent then find it."""
        if child_id not in self.store.objects:
            raise KeyError(child_id)
        self.store.parents[child_id] = parent_id

    def get(self, object_id: str) -> dict[str, Any] | None:
        """A stored object by id (the dict the API answers with), None if there is none."""
        return self.store.get(object_id)

    def update(self, object_id: str, **fields: Any) -> dict[str, Any]:
        """Apply `fields` to a stored object like an update request would; returns it. Like
        `seed`, a value that does not fit its field is a `ValueError`."""
        obj = self.store.get(object_id)
        if obj is None:
            raise KeyError(object_id)
        updated = self.factory.apply(obj, fields, model_for(obj["object"]), strict=True)
        self.store.replace(updated)
        return updated

    def objects(self, object_type: str) -> list[dict[str, Any]]:
        """The stored objects of a type, newest first."""
        return list(self.store.newest_first([object_type]))

    def created_count(self, object_type: str) -> int:
        """How many objects of a type were created so far (by requests or seeding), deleted ones
        included."""
        return self.store.created[object_type]

    def requests_to(
        self, path: str | None = None, method: str | None = None
    ) -> list[RequestRecord]:
        """The logged requests to `path` (exact path, or template of the operation) by `method`."""
        out = []
        for record in self.requests:
            if method is not None and record.method != method.upper():
                continue
            if path is not None and record.path != path:
                match = self.router.match(record.method, record.path)
                if match is None or match[0].path != path:
                    continue
            out.append(record)
        return out

    def reset(self) -> None:
        """Forget every object, request, fault and idempotent result."""
        self.store.clear()
        self.requests.clear()
        self.faults.clear()
        self.idempotent_results.clear()
        self.v2.state.clear()
        self.webhooks.secrets.clear()
        self.webhooks.attempts.clear()
        self.webhooks.connect.clear()

    # --- test helpers of Stripe's behaviour --------------------------------------------------------

    def authenticate(self, intent_id: str, *, succeed: bool = True) -> dict[str, Any]:
        """Complete (or, with `succeed=False`, fail) the 3D Secure authentication a
        `requires_action` payment or setup intent waits for, as the customer would; returns the
        intent."""
        with self._acting_on(intent_id) as world:
            intent = world.get(intent_id)
            if intent is not None and intent.get("object") == "setup_intent":
                if intent["status"] != "requires_action":
                    raise ValueError(f"{intent_id} is {intent['status']}, not requires_action")
                return _setup_intents.authenticate(world, intent, succeed_=succeed)
            return _payments.authenticate(world, intent_id, succeed=succeed)

    def complete_checkout(
        self, session_id: str, *, payment_method: str = "pm_card_visa"
    ) -> dict[str, Any]:
        """Pay an open `payment` mode Checkout Session as its customer would (with a test card
        or payment method id): a PaymentIntent, its charge and events, then the session
        `complete` with `checkout.session.completed`; a declined card leaves it open."""
        with self._acting_on(session_id) as world:
            return _checkout.complete(world, session_id, payment_method)

    def settle_payout(self, payout_id: str, *, status: str = "paid") -> dict[str, Any]:
        """Move a pending payout on as Stripe test mode does: to `in_transit`
        (`payout.updated`), then `paid` (`payout.paid`); returns the payout."""
        with self._acting_on(payout_id) as world:
            return _payouts.settle(world, payout_id, status)

    def fail_payout(self, payout_id: str, code: str = "could_not_process") -> dict[str, Any]:
        """Fail a pending, in transit or paid payout with Stripe's `failure_code` `code`
        (`payout.failed`); returns the payout."""
        with self._acting_on(payout_id) as world:
            return _payouts.fail(world, payout_id, code)

    @contextmanager
    def _acting_on(self, object_id: str) -> Iterator[Any]:
        """A test helper's view of the fake, in the scope of the account owning `object_id`."""
        context = RequestContext(account=self.store.accounts.get(object_id))
        with self.behaviours.scope(context):
            yield self.behaviours.world(context)

    def events(self, type: str | None = None) -> list[dict[str, Any]]:
        """The recorded events (of one `type`), oldest first."""
        found = self.store.every("event")
        return [e for e in found if type is None or e["type"] == type]

    async def deliver_event(
        self,
        url: str,
        type: str,
        data_object: Mapping[str, Any] | StripeObject,
        secret: str,
        *,
        previous_attributes: Mapping[str, Any] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """Store an `event` of `type` about `data_object` (a model from the client, or its JSON)
        and POST it to `url`, signed with the endpoint `secret` like Stripe signs webhooks;
        returns the answer's status and the event."""
        from aiostripe.testing.events import deliver

        return await deliver(self, url, type, data_object, secret, previous_attributes)
