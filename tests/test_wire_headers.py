"""The headers on the wire stay each call's own when the session carries the client's defaults.

A GET without request options sends no headers of its own (aiohttp adds the session's, the
client's defaults); every other call sends its full set. Read by the raw TCP server of
test_wire.py: what matters is what arrives, not how it was built.
"""

from __future__ import annotations

from tests.test_wire import RawServer, _client, raw

__all__ = ["raw"]


async def test_every_call_carries_its_own_key_version_and_account(raw: RawServer) -> None:
    async with _client(raw, "customer") as stripe:
        await stripe.customers.retrieve("cus_1")  # creates the session
        await stripe.customers.retrieve("cus_1")  # the session's default headers
        await stripe.customers.retrieve("cus_1", request_options={"stripe_account": "acct_1"})
        other = stripe.with_options(api_key="sk_test_other", stripe_version="2023-10-16")
        await other.customers.retrieve("cus_1")
        await stripe.customers.retrieve("cus_1", request_options={"api_key": "sk_test_call"})
        await stripe.customers.retrieve("cus_1")
    got = [(s.headers["authorization"], s.headers["stripe-version"],
            s.headers.get("stripe-account"), "user-agent" in s.headers) for s in raw.seen]
    version = got[0][1]
    assert got == [
        ("Bearer sk_test_wire", version, None, True),
        ("Bearer sk_test_wire", version, None, True),
        ("Bearer sk_test_wire", version, "acct_1", True),
        ("Bearer sk_test_other", "2023-10-16", None, True),
        ("Bearer sk_test_call", version, None, True),
        ("Bearer sk_test_wire", version, None, True),
    ]


async def test_a_client_wide_account_never_leaks_into_a_derived_client(raw: RawServer) -> None:
    import aiostripe

    raw.answer = {"id": "cus_1", "object": "customer"}
    async with aiostripe.StripeClient("sk_test_wire", base_url=raw.url, max_retries=0,
                                      stripe_account="acct_root") as stripe:
        await stripe.raw_request("get", "/v1/customers/cus_1")
        await stripe.with_options(stripe_account=None).raw_request("get", "/v1/customers/cus_1")
        await stripe.raw_request("get", "/v1/customers/cus_1")
    assert [s.headers.get("stripe-account") for s in raw.seen] == ["acct_root", None, "acct_root"]
