"""Every public v1 operation of the pinned spec (2026-05-27.dahlia), called through its generated method against Stripe's own
mock server (stripe-mock, which validates each request against the spec), is accepted and comes
back as the class the operation declares: once with the required parameters only, once with every
optional top-level parameter too (nested objects, arrays, enums, `expand`, metadata).

The 19 preview endpoints of our overlays are not in the public spec, so stripe-mock does not know
them; they are tested against the fake (test_all_operations.py, test_overlays.py).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import aiostripe
from aiostripe.testing.operations import Operation, operations
from tests.op_calls import check_result, method, params
from tests.stripe_mock import StripeMock, report

PUBLIC = [op for op in operations() if not op.preview and op.path.startswith("/v1/")]  # v1: stripe-mock reads no /v2/ path; v2 has its own tests (tests/test_v2_*.py)


async def _call_all(url: str, *, full: bool) -> tuple[int, dict[str, str]]:
    """Call every public operation; (parameters sent, {operation: why it failed})."""
    failures: dict[str, str] = {}
    sent = 0
    slots = asyncio.Semaphore(16)
    async with aiostripe.StripeClient(
        "sk_test_mock", base_url=url, files_base_url=url, max_retries=0
    ) as client:

        async def call(op: Operation) -> None:
            nonlocal sent
            kwargs = params(op, full=full)
            sent += len(kwargs)
            ids = [f"{name}_123" for name in op.path_params]
            async with slots:
                try:
                    check_result(op, await method(client, op)(*ids, **kwargs))
                except (aiostripe.StripeError, AssertionError) as exc:
                    failures[op.key] = f"{type(exc).__name__}: {exc}"

        await asyncio.gather(*(call(op) for op in PUBLIC))
    return sent, failures


def test_the_public_spec_has_587_v1_operations() -> None:
    assert len(PUBLIC) == 587


@pytest.mark.parametrize("full", [False, True], ids=["required-params", "all-params"])
async def test_every_operation_is_accepted_by_stripe_mock(
    stripe_mock: StripeMock, full: bool, request: pytest.FixtureRequest
) -> None:
    sent, failures = await _call_all(stripe_mock.url, full=full)
    accepted = len(PUBLIC) - len(failures)
    what = "every top-level parameter" if full else "the required parameters"
    report(
        request,
        f"stripe-mock accepted {accepted}/{len(PUBLIC)} operations with {what} "
        f"({sent} parameters sent)"
    )
    assert not failures, "\n".join(f"{k}: {v[:300]}" for k, v in sorted(failures.items()))


async def test_the_quote_pdf_comes_back_as_bytes(stripe_mock: StripeMock) -> None:
    async with aiostripe.StripeClient(
        "sk_test_mock", base_url=stripe_mock.url, files_base_url=stripe_mock.url
    ) as client:
        pdf: Any = await client.quotes.pdf("qt_123")
    assert isinstance(pdf, bytes) and pdf


async def test_stripe_mock_refuses_what_stripe_refuses(stripe_mock: StripeMock) -> None:
    """The server is really checking: a missing required parameter is a 400 from it."""
    async with aiostripe.StripeClient(
        "sk_test_mock", base_url=stripe_mock.url, max_retries=0
    ) as client:
        with pytest.raises(aiostripe.InvalidRequestError) as refused:
            await client.payment_intents.create(currency="usd")  # type: ignore[call-arg]
    assert refused.value.http_status == 400
    assert "'amount' is required" in str(refused.value)
