"""The fake Stripe (`aiostripe.testing`) over loopback HTTP, through aiostripe's client: state,
404s, paging, search, seeding, validation, idempotency, auth, faults, the request log, events."""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import aiostripe
from aiostripe import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    IdempotencyError,
    InvalidRequestError,
    RateLimitError,
    StripeClient,
)
from aiostripe._retry import RetryPolicy
from aiostripe.models import Customer, DeletedCustomer, TreasuryTransaction
from aiostripe.testing import FakeStripe, UploadedFile
from aiostripe.webhooks import construct_event

FAST_RETRIES = RetryPolicy(max_retries=2, initial_delay=0.0, max_delay=0.0)


async def _raw(
    fake: FakeStripe, method: str, path: str, *, headers: dict[str, str] | None = None, **kw: Any
) -> tuple[int, dict[str, str], Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, fake.url + path, headers=headers, **kw) as response,
    ):
        body = await response.read()
        return response.status, dict(response.headers), json.loads(body) if body else None


# --- objects ------------------------------------------------------------------------------------


async def test_crud(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    created = await stripe_client.customers.create(
        email="jo@example.com",
        metadata={"plan": "pro", "team": "a"},
        address={"city": "Paris"},
        test_clock="clock_1",
    )
    assert isinstance(created, Customer)
    assert created.id.startswith("cus_") and created.object == "customer"
    assert abs(created.created - time.time()) < 5
    assert created.address is not None and created.address.city == "Paris"
    assert created.test_clock == "clock_1"  # an expandable id stays an id

    updated = await stripe_client.customers.update(
        created.id, metadata={"team": "", "tier": "1"}, address={"line1": "1 rue"}, description="d"
    )
    assert updated.metadata == {"plan": "pro", "tier": "1"}  # merged; "" removes a key
    assert updated.address is not None
    assert (updated.address.city, updated.address.line1) == ("Paris", "1 rue")
    retrieved = await stripe_client.customers.retrieve(created.id)
    assert isinstance(retrieved, Customer) and retrieved.description == "d"
    cleared = await stripe_client.customers.update(created.id, description="")
    assert cleared.description is None

    deleted = await stripe_client.customers.delete(created.id)
    assert isinstance(deleted, DeletedCustomer)
    assert deleted.to_dict() == {"id": created.id, "object": "customer", "deleted": True}
    # https://docs.stripe.com/api/customers/retrieve: a deleted customer is a 200 `deleted: true`
    gone = await stripe_client.customers.retrieve(created.id)
    assert gone.deleted and gone.to_dict() == {"id": created.id, "object": "customer", "deleted": True}
    with pytest.raises(InvalidRequestError):
        await stripe_client.customers.update(created.id, description="x")
    assert fake_stripe.created_count("customer") == 1
    assert fake_stripe.get(created.id) is None


async def test_unknown_id_is_stripes_404(fake_stripe: FakeStripe) -> None:
    headers = {"Authorization": "Bearer sk_test_x"}
    status, response_headers, body = await _raw(
        fake_stripe, "GET", "/v1/customers/cus_x", headers=headers
    )
    assert status == 404
    assert response_headers["Request-Id"].startswith("req_")
    error = body["error"]
    assert {k: error[k] for k in ("type", "code", "message", "param")} == {
        "type": "invalid_request_error",
        "code": "resource_missing",
        "message": "No such customer: 'cus_x'",
        "param": "id",
    }
    status, _, body = await _raw(fake_stripe, "GET", "/v1/nothing/here", headers=headers)
    assert status == 404
    assert body["error"]["message"].startswith("Unrecognized request URL (GET: /v1/nothing/here)")


async def test_missing_parent_is_a_404(stripe_client: StripeClient) -> None:
    with pytest.raises(InvalidRequestError) as info:
        await stripe_client.customers.balance_transactions.list("cus_nope")
    assert info.value.http_status == 404
    assert info.value.code == "resource_missing" and info.value.param == "customer"


async def test_actions_and_status(stripe_client: StripeClient) -> None:
    """The generic actions (objects without a lifecycle of their own in testing/behaviours/)."""
    quote = await stripe_client.quotes.create(description="d")
    assert type(quote).__name__ == "Quote" and quote.description == "d"
    finalized = await stripe_client.quotes.finalize_quote(quote.id)
    assert finalized.status == "open" and finalized.id == quote.id
    accepted = await stripe_client.quotes.accept(quote.id)
    assert accepted.status == "accepted"
    assert (await stripe_client.quotes.retrieve(quote.id)).status == "accepted"
    other = await stripe_client.quotes.create(description="e")
    canceled = await stripe_client.quotes.cancel(other.id)
    assert canceled.status == "canceled" and canceled.id == other.id


async def test_singletons(stripe_client: StripeClient) -> None:
    balance = await stripe_client.balance.retrieve()
    assert type(balance).__name__ == "Balance"
    await stripe_client.tax.settings.update(defaults={"tax_code": "txcd_1"})
    settings = await stripe_client.tax.settings.retrieve()
    assert settings.defaults.tax_code == "txcd_1"


async def test_nested_objects(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    jo = await stripe_client.customers.create(email="jo@example.com")
    al = await stripe_client.customers.create(email="al@example.com")
    txn = await stripe_client.customers.balance_transactions.create(
        jo.id, amount=-500, currency="usd"
    )
    assert txn.customer == jo.id and txn.amount == -500
    assert [t.id for t in await stripe_client.customers.balance_transactions.list(jo.id)] == [
        txn.id
    ]
    assert (await stripe_client.customers.balance_transactions.list(al.id)).data == []
    got = await stripe_client.customers.balance_transactions.retrieve(jo.id, txn.id)
    assert got.id == txn.id
    with pytest.raises(InvalidRequestError):  # not al's transaction
        await stripe_client.customers.balance_transactions.retrieve(al.id, txn.id)


async def test_expand(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    customer = await stripe_client.customers.create(email="jo@example.com")
    intent = await stripe_client.payment_intents.create(
        amount=1, currency="usd", customer=customer.id
    )
    assert intent.customer == customer.id
    expanded = await stripe_client.payment_intents.retrieve(intent.id, expand=["customer"])
    assert isinstance(expanded.customer, Customer) and expanded.customer.email == "jo@example.com"
    page = await stripe_client.payment_intents.list(expand=["data.customer"])
    assert isinstance(page.data[0].customer, Customer)
    other = await stripe_client.payment_intents.create(amount=1, currency="usd", customer="cus_9")
    unknown = await stripe_client.payment_intents.retrieve(other.id, expand=["customer"])
    assert unknown.customer == "cus_9"  # not held: stays an id


async def test_file_upload_on_the_files_host(
    fake_stripe: FakeStripe, stripe_client: StripeClient
) -> None:
    uploaded = await stripe_client.files.create(file=b"%PDF-1.4 hello", purpose="dispute_evidence")
    assert type(uploaded).__name__ == "File" and uploaded.purpose == "dispute_evidence"
    part = fake_stripe.requests[-1].form["file"]
    assert isinstance(part, UploadedFile) and part.data == b"%PDF-1.4 hello"


# --- lists, search, seeding ---------------------------------------------------------------------


async def test_list_paging(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    ids = fake_stripe.seed("customer", 25)
    newest_first = ids[::-1]
    first = await stripe_client.customers.list()
    assert [c.id for c in first] == newest_first[:10]
    assert first.has_more and first.url == "/v1/customers"
    seen: list[str] = []
    cursor: dict[str, Any] = {}
    while True:
        page = await stripe_client.customers.list(limit=7, **cursor)
        seen += [c.id for c in page]
        if not page.has_more:
            break
        cursor = {"starting_after": page.data[-1].id}
    assert seen == newest_first

    back = await stripe_client.customers.list(limit=5, ending_before=ids[0])
    assert [c.id for c in back] == ids[1:6][::-1] and back.has_more
    top = await stripe_client.customers.list(limit=5, ending_before=ids[20])
    assert [c.id for c in top] == ids[21:][::-1] and not top.has_more
    everything = [c.id async for c in stripe_client.customers.list(limit=4).auto_paging_iter()]
    assert everything == newest_first


async def test_list_created_filters(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    ids = fake_stripe.seed("customer", 10, created=1_000)
    created = {c: fake_stripe.get(c)["created"] for c in ids}  # type: ignore[index]
    assert sorted(created.values()) == list(range(1_000, 1_010))
    page = await stripe_client.customers.list(created={"gte": 1_003, "lt": 1_006})
    assert [c.created for c in page] == [1_005, 1_004, 1_003]
    page = await stripe_client.customers.list(created={"gt": 1_008})
    assert [c.created for c in page] == [1_009]
    page = await stripe_client.customers.list(created=1_002)
    assert [c.id for c in page] == [ids[2]]


async def test_list_equality_filters(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    fake_stripe.seed("treasury.transaction", 30, financial_account="fa_1")
    mine = fake_stripe.seed("treasury.transaction", 3, financial_account="fa_2", status="posted")
    page = await stripe_client.treasury.transactions.list(financial_account="fa_2", limit=2)
    assert [t.id for t in page] == mine[::-1][:2] and page.has_more
    assert all(isinstance(t, TreasuryTransaction) for t in page)
    posted = await stripe_client.treasury.transactions.list(
        financial_account="fa_2", status="posted"
    )
    assert len(posted.data) == 3
    await stripe_client.customers.create(email="a@example.com")
    await stripe_client.customers.create(email="b@example.com")
    assert [c.email for c in await stripe_client.customers.list(email="b@example.com")] == [
        "b@example.com"
    ]


@pytest.mark.parametrize("limit", [0, 101])
async def test_list_limit_out_of_range(stripe_client: StripeClient, limit: int) -> None:
    with pytest.raises(InvalidRequestError) as info:
        await stripe_client.customers.list(limit=limit)
    assert info.value.http_status == 400 and info.value.param == "limit"


async def test_list_unknown_cursor(stripe_client: StripeClient) -> None:
    with pytest.raises(InvalidRequestError) as info:
        await stripe_client.customers.list(starting_after="cus_gone")
    assert info.value.param == "starting_after"


async def test_search(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    for i in range(5):
        fake_stripe.create("customer", email=f"c{i}@example.com", metadata={"tier": str(i % 2)})
    one = await stripe_client.customers.search(query="email:'c3@example.com'")
    assert [c.email for c in one] == ["c3@example.com"] and one.object == "search_result"
    both = await stripe_client.customers.search(
        query="metadata['tier']:'1' AND email~'example'", limit=1
    )
    assert [c.email for c in both] == ["c3@example.com"] and both.has_more and both.next_page
    rest = await stripe_client.customers.search(
        query="metadata['tier']:'1' AND email~'example'", page=both.next_page
    )
    assert [c.email for c in rest] == ["c1@example.com"] and not rest.has_more
    either = await stripe_client.customers.search(
        query="email:'c0@example.com' OR email:'c4@example.com'"
    )
    assert sorted(c.email or "" for c in either) == ["c0@example.com", "c4@example.com"]
    with pytest.raises(InvalidRequestError) as info:
        await stripe_client.customers.search(query="email = 'x'")
    assert info.value.param == "query"


async def test_seed_100k(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    start = time.perf_counter()
    ids = fake_stripe.seed("treasury.transaction", 100_000, financial_account="fa_1")
    assert time.perf_counter() - start < 5
    assert len(set(ids)) == 100_000 and all(i.startswith("trxn_") for i in ids[:10])
    created = [fake_stripe.store.objects[i]["created"] for i in ids]
    assert all(a < b for a, b in itertools.pairwise(created))
    assert fake_stripe.created_count("treasury.transaction") == 100_000
    start = time.perf_counter()
    page = await stripe_client.treasury.transactions.list(financial_account="fa_1", limit=100)
    assert [t.id for t in page] == ids[::-1][:100]
    last = await stripe_client.treasury.transactions.list(
        financial_account="fa_1", limit=100, starting_after=ids[150]
    )
    assert [t.id for t in last] == ids[50:150][::-1] and last.has_more
    oldest = await stripe_client.treasury.transactions.list(
        financial_account="fa_1", limit=100, starting_after=ids[40]
    )
    assert [t.id for t in oldest] == ids[:40][::-1] and not oldest.has_more
    assert time.perf_counter() - start < 2


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "param", "fragment"),
    [
        # (sent through extra_params: the client itself refuses an unknown keyword)
        (lambda s: s.customers.create(extra_params={"emaill": "x"}), "emaill", "unknown parameter"),
        (lambda s: s.payment_intents.create(currency="usd"), "amount", "Missing required param"),
        (lambda s: s.payment_intents.create(amount="ten", currency="usd"), "amount", "integer"),
        (lambda s: s.customers.create(tax_exempt="sometimes"), "tax_exempt", "one of"),
        (lambda s: s.customers.create(description={"a": "b"}), "description", "string"),
        (lambda s: s.customers.create(shipping={"name": "x"}), "shipping[address]", "Missing"),
        (
            lambda s: s.subscriptions.create(customer="cus_1", items=[{"pricee": "p"}]),
            "items[0][pricee]",
            "unknown parameter",
        ),
        (
            lambda s: s.customers.create(invoice_settings={"custom_fields": [{"name": "n"}]}),
            "invoice_settings[custom_fields][0][value]",
            "Missing",
        ),
        (lambda s: s.customers.list(limit="many"), "limit", "integer"),
    ],
)
async def test_validation(
    stripe_client: StripeClient, call: Any, param: str, fragment: str
) -> None:
    with pytest.raises(InvalidRequestError) as info:
        await call(stripe_client)
    assert info.value.http_status == 400
    assert info.value.param == param
    assert fragment in str(info.value) and param in str(info.value)
    assert info.value.json_body["error"]["type"] == "invalid_request_error"  # type: ignore[index]


async def test_empty_string_where_the_type_allows_it(stripe_client: StripeClient) -> None:
    customer = await stripe_client.customers.create(
        invoice_settings={"rendering_options": ""}, tax={"ip_address": ""}, metadata=""
    )
    assert isinstance(customer, Customer)


# --- idempotency and auth -----------------------------------------------------------------------


async def test_idempotent_replay_and_mismatch(
    fake_stripe: FakeStripe, stripe_client: StripeClient
) -> None:
    options: aiostripe.RequestOptions = {"idempotency_key": "order-42"}
    first = await stripe_client.customers.create(email="a@example.com", request_options=options)
    again = await stripe_client.customers.create(email="a@example.com", request_options=options)
    assert again.id == first.id and again.to_dict() == first.to_dict()
    assert again.last_response is not None and first.last_response is not None
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert again.last_response.request_id == first.last_response.request_id
    assert fake_stripe.created_count("customer") == 1
    with pytest.raises(IdempotencyError) as info:
        await stripe_client.customers.create(email="b@example.com", request_options=options)
    assert info.value.http_status == 400
    assert "same parameters they were first used with" in str(info.value)
    other_key = await stripe_client.customers.create(
        email="a@example.com", request_options={**options, "api_key": "sk_test_other"}
    )
    assert other_key.id != first.id  # idempotency keys are per API key


async def test_auth_errors(fake_stripe: FakeStripe) -> None:
    status, headers, body = await _raw(fake_stripe, "GET", "/v1/customers")
    assert status == 401 and headers["Request-Id"].startswith("req_")
    assert body["error"]["message"].startswith("You did not provide an API key.")
    async with fake_stripe.client("pk_test_12345678901234") as client:
        with pytest.raises(AuthenticationError) as info:
            await client.customers.list()
    assert info.value.http_status == 401
    assert str(info.value).endswith("Invalid API Key provided: pk_test_**********1234")
    async with fake_stripe.client("sk_test_bad!") as client:
        with pytest.raises(AuthenticationError) as info:
            await client.customers.list()
    assert "Invalid API Key provided: sk_test_***" in str(info.value)
    for key in ("sk_test_1", "rk_test_1", "sk_live_1"):
        async with fake_stripe.client(key) as client:
            await client.customers.list()
    async with fake_stripe.client("sk_live_1") as client:
        assert (await client.customers.create()).livemode is True


# --- faults -------------------------------------------------------------------------------------


async def test_fail_next(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    fake_stripe.faults.fail_next(1, status=500)
    with pytest.raises(APIError) as info:
        await stripe_client.customers.list()
    assert info.value.http_status == 500
    await stripe_client.customers.list()  # used up

    fake_stripe.faults.fail_next(1, status=402, path="/v1/payment_intents", method="post")
    await stripe_client.customers.create()  # other path: not affected
    with pytest.raises(aiostripe.CardError) as card:
        await stripe_client.payment_intents.create(amount=1, currency="usd")
    assert card.value.code == "card_declined"

    fake_stripe.faults.fail_next(1, status=503, body="<html>oops</html>")
    with pytest.raises(aiostripe.StripeError) as raw:
        await stripe_client.customers.list()
    assert raw.value.http_status == 503


async def test_fail_next_is_retried_by_the_client(fake_stripe: FakeStripe) -> None:
    fake_stripe.faults.fail_next(2, status=500, retry_after=0)
    async with fake_stripe.client(retry_policy=FAST_RETRIES) as client:
        customer = await client.customers.create(email="a@example.com")
    records = fake_stripe.requests_to("/v1/customers", "POST")
    assert [r.status for r in records] == [500, 500, 200]
    assert [r.fault for r in records] == ["fail", "fail", None]
    assert len({r.idempotency_key for r in records}) == 1
    assert records[0].headers.get("Idempotency-Key")
    assert customer.id and fake_stripe.created_count("customer") == 1

    fake_stripe.faults.fail_next(1, status=500, should_retry=False)
    async with fake_stripe.client(retry_policy=FAST_RETRIES) as client:
        with pytest.raises(APIError) as info:
            await client.customers.list()
    assert info.value.headers.get("Stripe-Should-Retry") == "false"


async def test_drop_connection(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    fake_stripe.faults.drop_connection_next(1, path="/v1/customers")
    with pytest.raises(APIConnectionError):
        await stripe_client.customers.create()
    assert fake_stripe.requests[-1].fault == "drop" and fake_stripe.requests[-1].status is None
    assert fake_stripe.created_count("customer") == 0

    # carried out, then dropped: the retry with the same idempotency key gets the first result
    fake_stripe.faults.drop_connection_next(1, path="/v1/customers", after_handling=True)
    async with fake_stripe.client(retry_policy=FAST_RETRIES) as client:
        customer = await client.customers.create(email="x@example.com")
    assert fake_stripe.created_count("customer") == 1
    assert fake_stripe.requests[-1].replayed and customer.email == "x@example.com"


async def test_truncated_body(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    fake_stripe.faults.truncate_next(1)
    with pytest.raises(APIConnectionError):
        await stripe_client.customers.create(email="t@example.com")
    assert fake_stripe.created_count("customer") == 1  # it was carried out


async def test_latency(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    fake_stripe.faults.latency(0.3, path="/v1/customers/*")
    start = time.perf_counter()
    await stripe_client.customers.list()  # /v1/customers does not match /v1/customers/*
    assert time.perf_counter() - start < 0.25
    customer = await stripe_client.customers.create()
    start = time.perf_counter()
    await stripe_client.customers.retrieve(customer.id)
    assert time.perf_counter() - start >= 0.3
    with pytest.raises(APIConnectionError):
        await stripe_client.customers.retrieve(customer.id, request_options={"timeout": 0.1})
    fake_stripe.faults.clear()
    start = time.perf_counter()
    await stripe_client.customers.retrieve(customer.id)
    assert time.perf_counter() - start < 0.25


async def test_rate_limit_and_lock_timeout(
    fake_stripe: FakeStripe, stripe_client: StripeClient
) -> None:
    fake_stripe.faults.rate_limit(3)
    for _ in range(3):
        await stripe_client.customers.list()
    with pytest.raises(RateLimitError) as info:
        await stripe_client.customers.list()
    assert info.value.http_status == 429 and info.value.code == "rate_limit"
    fake_stripe.faults.clear()
    await stripe_client.customers.list()

    fake_stripe.faults.lock_timeout(1)
    with pytest.raises(RateLimitError) as lock:
        await stripe_client.customers.list()
    assert lock.value.code == "lock_timeout" and lock.value.is_lock_timeout
    await stripe_client.customers.list()


def test_fault_arguments() -> None:
    fake = FakeStripe()
    with pytest.raises(ValueError, match="positive"):
        fake.faults.fail_next(0)
    fake.faults.fail_next(2, path="/v1/customers/{customer}")
    assert fake.faults.pending[0].matches("GET", "/v1/customers/cus_1", "/v1/customers/{customer}")
    assert not fake.faults.pending[0].matches("GET", "/v1/charges", "/v1/charges")
    fake.faults.clear()
    assert fake.faults.pending == []


# --- the request log, events, running it --------------------------------------------------------


async def test_request_log(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    await stripe_client.customers.create(email="a@example.com", metadata={"k": "v"})
    await stripe_client.customers.list(limit=3, created={"gte": 5})
    post, get = fake_stripe.requests
    assert (post.method, post.path, post.operation, post.status) == (
        "POST",
        "/v1/customers",
        "customers.create",
        200,
    )
    assert post.form == {"email": "a@example.com", "metadata": {"k": "v"}}
    assert post.api_key == "sk_test_fake" and post.idempotency_key
    assert post.headers["Stripe-Version"]
    assert get.query == {"limit": "3", "created": {"gte": "5"}} and get.params == get.query
    assert get.operation == "customers.list" and get.request_id.startswith("req_")
    assert fake_stripe.requests_to("/v1/customers", "GET") == [get]


async def test_deliver_event(fake_stripe: FakeStripe) -> None:
    received: list[Any] = []

    async def endpoint(request: web.Request) -> web.Response:
        payload = await request.read()
        received.append(construct_event(payload, request.headers["Stripe-Signature"], "whsec_1"))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", endpoint)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        customer = fake_stripe.create("customer", email="e@example.com")
        status, event = await fake_stripe.deliver_event(
            f"http://127.0.0.1:{port}/hook", "customer.created", customer, "whsec_1"
        )
    finally:
        await runner.cleanup()
    assert status == 200 and event["id"].startswith("evt_")
    assert received[0].type == "customer.created"
    assert received[0].data.object.email == "e@example.com"
    async with fake_stripe.client() as client:
        assert (await client.events.retrieve(event["id"])).type == "customer.created"


def test_in_a_thread_from_synchronous_code() -> None:
    fake = FakeStripe()
    with fake.in_thread():
        fake.seed("customer", 2)
        request = urllib.request.Request(
            fake.url + "/v1/customers", headers={"Authorization": "Bearer sk_test_1"}
        )
        with urllib.request.urlopen(request) as response:
            assert len(json.loads(response.read())["data"]) == 2
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(fake.url + "/v1/customers")
        assert info.value.code == 401
        info.value.close()


def test_only_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        FakeStripe(host="0.0.0.0")


def test_command_line_prints_the_url() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "aiostripe.testing", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("fake Stripe listening on http://127.0.0.1:")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


async def test_fixtures_are_fresh(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    assert fake_stripe.requests == [] and fake_stripe.created_count("customer") == 0
    assert stripe_client.base_url == fake_stripe.url
    await asyncio.sleep(0)
