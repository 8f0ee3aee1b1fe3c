"""v2 lists page by page tokens: each page's `next_page_url` is fetched as it is; the walk is
the same read-ahead machinery as v1's (`auto_paging_iter`, `pages`, `max_items`, `resume_from`).
The pages come from a recording server on 127.0.0.1 in the shape of the spec's v2 list
responses (`data`, `next_page_url`, `previous_page_url`)."""

from __future__ import annotations

from typing import Any

import pytest

import aiostripe
from aiostripe._pagination import V2ListRequest
from tests.recording_server import Recorder, recorder

__all__ = ["recorder"]


def _event(n: int) -> dict[str, Any]:
    return {"id": f"evt_{n}", "object": "v2.core.event", "type": "v1.billing.meter.no_meter_found",
            "created": "2026-05-27T10:00:00.000Z", "livemode": False}


def _page(ns: range, nxt: str | None, prev: str | None = None) -> tuple[int, dict[str, Any]]:
    return 200, {"data": [_event(n) for n in ns], "next_page_url": nxt, "previous_page_url": prev}


PAGES = [
    _page(range(3), "/v2/core/events?page=tok_2"),
    _page(range(3, 6), "/v2/core/events?page=tok_3", "/v2/core/events?page=tok_1b"),
    _page(range(6, 7), None, "/v2/core/events?page=tok_2b"),
]


def _events(stripe: aiostripe.StripeClient, **params: Any) -> V2ListRequest[Any]:
    return V2ListRequest(stripe._requestor, "/v2/core/events", params, None, "StripeObject")


def _targets(rec: Recorder) -> list[str]:
    return [s.line.split(" ")[1] for s in rec.seen]


async def test_auto_paging_follows_next_page_url_as_given(recorder: Recorder) -> None:
    recorder.answer(*PAGES)
    async with aiostripe.StripeClient("sk_test_v2", base_url=recorder.url) as stripe:
        ids = [e["id"] async for e in _events(stripe, types=["v1.billing.meter.no_meter_found"])]
    assert ids == [f"evt_{n}" for n in range(7)]
    assert _targets(recorder) == [
        "/v2/core/events?types[0]=v1.billing.meter.no_meter_found&limit=100",
        "/v2/core/events?page=tok_2",
        "/v2/core/events?page=tok_3",
    ]


async def test_the_first_page_awaited_then_continued(recorder: Recorder) -> None:
    recorder.answer(*PAGES)
    async with aiostripe.StripeClient("sk_test_v2", base_url=recorder.url) as stripe:
        page = await _events(stripe, limit=3)
        assert isinstance(page, aiostripe.V2ListPage)
        assert [e["id"] for e in page] == ["evt_0", "evt_1", "evt_2"]
        assert page.next_page_url == "/v2/core/events?page=tok_2" and page.has_more
        assert page.to_dict() == PAGES[0][1]
        ids = [e["id"] async for e in page.auto_paging_iter()]
    assert ids == [f"evt_{n}" for n in range(7)]
    assert _targets(recorder)[0] == "/v2/core/events?limit=3"


async def test_pages_and_their_cursor_the_next_page_url(recorder: Recorder) -> None:
    recorder.answer(*PAGES)
    async with aiostripe.StripeClient("sk_test_v2", base_url=recorder.url) as stripe:
        it = _events(stripe).pages()
        first = await it.__anext__()
        assert it.cursor == "/v2/core/events?page=tok_2"
        pages = [first] + [p async for p in it]
    assert [len(p) for p in pages] == [3, 3, 1]
    assert pages[1].previous_page_url == "/v2/core/events?page=tok_1b"
    assert pages[2].to_dict() == PAGES[2][1]


async def test_max_items_stops_without_a_request_beyond(recorder: Recorder) -> None:
    recorder.answer(*PAGES)
    async with aiostripe.StripeClient("sk_test_v2", base_url=recorder.url) as stripe:
        got = await _events(stripe).to_list(max_items=2)
    assert [e["id"] for e in got] == ["evt_0", "evt_1"]
    assert _targets(recorder) == ["/v2/core/events?limit=2"]


async def test_resuming_from_a_saved_page_url_or_a_mid_page_cursor(recorder: Recorder) -> None:
    async with aiostripe.StripeClient("sk_test_v2", base_url=recorder.url) as stripe:
        recorder.answer(*PAGES[1:])
        resumed = [e["id"] async for e in _events(stripe).auto_paging_iter(
            resume_from="/v2/core/events?page=tok_2")]
        assert resumed == [f"evt_{n}" for n in range(3, 7)]
        assert _targets(recorder) == ["/v2/core/events?page=tok_2", "/v2/core/events?page=tok_3"]

        recorder.seen.clear()
        recorder.answer(*PAGES)
        async with _events(stripe).auto_paging_iter(prefetch=0) as it:
            taken = [await it.__anext__() for _ in range(4)]
            cursor = it.cursor
        assert [e["id"] for e in taken] == ["evt_0", "evt_1", "evt_2", "evt_3"]
        assert cursor == "1:/v2/core/events?page=tok_2"

        recorder.answer(*PAGES[1:])
        rest = [e["id"] async for e in _events(stripe).auto_paging_iter(resume_from=cursor)]
        assert rest == ["evt_4", "evt_5", "evt_6"]


async def test_a_page_boundary_cursor_is_the_next_page_url(recorder: Recorder) -> None:
    recorder.answer(*PAGES)
    async with (
        aiostripe.StripeClient("sk_test_v2", base_url=recorder.url) as stripe,
        _events(stripe).auto_paging_iter(prefetch=0) as it,
    ):
        for _ in range(3):
            await it.__anext__()
        assert it.cursor == "/v2/core/events?page=tok_2"


@pytest.mark.parametrize(
    "bad", ["https://evil.example/v2/core/events?page=x", "//evil/v2", "/v1/customers", "/v2/a b"]
)
async def test_a_page_url_that_could_leave_the_api_is_refused(recorder: Recorder, bad: str) -> None:
    recorder.answer(_page(range(1), bad))
    async with aiostripe.StripeClient("sk_test_v2", base_url=recorder.url) as stripe:
        with pytest.raises(ValueError, match="next_page_url of /v2/core/events"):
            [e async for e in _events(stripe)]
        with pytest.raises(ValueError, match="resume_from: expected a v2 page URL"):
            _events(stripe).auto_paging_iter(resume_from="1:" + bad)
    assert len(recorder.seen) == 1


async def test_a_v2_page_of_another_shape_parses_tolerantly(recorder: Recorder) -> None:
    odd = {"data": [_event(1)], "next_page_url": None, "total": 1}
    recorder.answer((200, odd))
    async with aiostripe.StripeClient("sk_test_v2", base_url=recorder.url) as stripe:
        page = await _events(stripe)
    assert page.to_dict() == odd
    assert page["total"] == 1 and not page.has_more
