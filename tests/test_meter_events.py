"""The meter event helper against the fake: batches of at most 100 on the stream host, a session
created and renewed (also when Stripe says it expired), failures retried, and no event accepted
twice: every identifier is in exactly one successful stream request."""

from __future__ import annotations

from collections import Counter

import pytest

from aiostripe import _requestor
from aiostripe.meter_events import MeterEventStream
from aiostripe.testing import FakeStripe
from tests.v2_spec import SPEC_FILE, check_v2_traffic


@pytest.fixture(autouse=True)
def _no_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_sleep(delay: float) -> None:
        return None

    monkeypatch.setattr(_requestor.loop, "_sleep", no_sleep)


def _accepted(fake: FakeStripe) -> Counter[str]:
    ids: Counter[str] = Counter()
    for record in fake.requests_to("/v2/billing/meter_event_stream"):
        if record.status == 200:
            ids.update(e["identifier"] for e in record.form["events"])
    return ids


async def test_batches_sessions_and_no_event_twice() -> None:
    async with FakeStripe() as fake, fake.client() as stripe:
        fake.faults.fail_next(1, status=500, path="/v2/billing/meter_event_stream")
        async with MeterEventStream(stripe, rate=None, concurrency=4) as meter:
            for i in range(1050):
                await meter.send("api_calls", {"stripe_customer_id": "cus_1", "value": "1"})
                if i == 600:  # every session the fake gave so far is now expired
                    fake.v2.state.clock = lambda: 4_000_000_000.0
        assert meter.stats.sent == 1050 and meter.stats.failed == 0 and not meter.failed
        assert meter.stats.sessions >= 2 and meter.stats.resent >= 1
        accepted = _accepted(fake)
        assert len(accepted) == 1050 and set(accepted.values()) == {1}
        assert len(fake.v2.state.stream_events) == 1050
        sizes = [len(r.form["events"]) for r in fake.requests_to("/v2/billing/meter_event_stream")]
        assert max(sizes) == 100
        assert all(r.headers["Authorization"].startswith("Bearer ek_test_")
                   for r in fake.requests_to("/v2/billing/meter_event_stream"))
        if SPEC_FILE.exists():
            assert check_v2_traffic(fake) > 10


async def test_a_failed_batch_is_kept_and_retried_with_the_same_identifiers() -> None:
    async with FakeStripe() as fake, fake.client(max_retries=0) as stripe:
        meter = MeterEventStream(stripe, rate=None)
        await meter.send("api_calls", {"value": "1"}, identifier="only-once")
        fake.faults.fail_next(1, status=500, path="/v2/billing/meter_event_stream")
        await meter.flush()
        assert meter.stats.failed == 1 and len(meter.failed) == 1
        await meter.retry_failed()
        assert meter.stats.sent == 1 and meter.stats.failed == 0
        assert _accepted(fake) == Counter({"only-once": 1})


async def test_the_rate_is_kept() -> None:
    """The token bucket, on a clock of its own: 600 events at 2,000/s with a burst of 200
    take (600 - 200) / 2,000 = 0.2 s of waiting."""
    from aiostripe import meter_events

    now = [100.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    bucket = meter_events._Bucket(rate=2000, burst=200, clock=lambda: now[0], sleep=sleep)
    for _ in range(12):
        await bucket.take(50)
    assert sum(slept) == pytest.approx(0.2)


def test_bad_settings_are_refused() -> None:
    from aiostripe import StripeClient

    client = StripeClient("sk_test_x")
    with pytest.raises(ValueError, match="batch_size"):
        MeterEventStream(client, batch_size=101)
    with pytest.raises(ValueError, match="rate"):
        MeterEventStream(client, rate=0)
