"""The webhook router (`WebhookRouter`): dispatch order and counts, errors of registration and of
callbacks, and the static typing of its event types (a misspelt type or a sync callback is a mypy
error).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aiostripe.webhooks import Event, WebhookRouter, construct_event
from tests.webhook_helpers import NOW, REPO, SECRET, header

# --- router -------------------------------------------------------------------------------------


def fake_event(event_type: str, event_id: str = "evt_1") -> Event:
    data = {
        "id": event_id,
        "object": "event",
        "created": NOW,
        "livemode": False,
        "pending_webhooks": 0,
        "type": event_type,
        "data": {"object": {"id": "pi_1", "object": "payment_intent_unparsed"}},
    }
    payload = json.dumps(data)
    return construct_event(payload, header(payload), SECRET, now=NOW)


async def test_router_dispatch_order_and_counts() -> None:
    router = WebhookRouter()
    calls: list[tuple[str, str]] = []

    @router.on("payment_intent.succeeded", "payment_intent.canceled")
    async def first(event: Event) -> None:
        calls.append(("first", event.type))

    async def second(event: Event) -> None:
        calls.append(("second", event.type))

    router.add("payment_intent.succeeded", second)

    @router.catch_all
    async def everything(event: Event) -> None:
        calls.append(("all", event.type))

    assert first.__name__ == "first"  # the decorators return the function itself
    assert router.event_types == {"payment_intent.succeeded", "payment_intent.canceled"}
    assert "payment_intent.succeeded" in repr(router)

    assert await router.dispatch(fake_event("payment_intent.succeeded")) == 3
    assert calls == [
        ("first", "payment_intent.succeeded"),
        ("second", "payment_intent.succeeded"),
        ("all", "payment_intent.succeeded"),
    ]
    calls.clear()
    assert await router.dispatch(fake_event("payment_intent.canceled")) == 2
    assert calls == [("first", "payment_intent.canceled"), ("all", "payment_intent.canceled")]
    calls.clear()
    assert await router.dispatch(fake_event("charge.refunded")) == 1
    assert calls == [("all", "charge.refunded")]
    assert await WebhookRouter().dispatch(fake_event("charge.refunded")) == 0


async def test_router_errors() -> None:
    router = WebhookRouter()

    def sync_callback(event: Event) -> None:
        pass

    with pytest.raises(TypeError, match="async"):
        router.add("charge.refunded", sync_callback)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="async"):
        router.add_catch_all(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="event type"):
        router.add("", sync_callback)  # type: ignore[arg-type]

    class Boom(Exception):
        pass

    reached: list[str] = []

    @router.on("charge.refunded")
    async def fail(event: Event) -> None:
        raise Boom

    @router.on("charge.refunded")
    async def after(event: Event) -> None:
        reached.append(event.id)

    with pytest.raises(Boom):
        await router.dispatch(fake_event("charge.refunded"))
    assert reached == []

    # a callable object whose call is not async slips past `add`, `dispatch` catches it
    class NotAsync:
        def __call__(self, event: Event) -> None:
            return None

    other = WebhookRouter()
    other.add("charge.refunded", NotAsync())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not an awaitable"):
        await other.dispatch(fake_event("charge.refunded"))


# --- static typing ------------------------------------------------------------------------------

TYPED_USE = """
from aiostripe.webhooks import Event, WebhookRouter

router = WebhookRouter()


@router.on("payment_intent.succeeded", "invoice.paid")
async def fine(event: Event) -> None: ...


@router.on("payment_intent.succeded")
async def typo(event: Event) -> None: ...


def not_async(event: Event) -> None: ...


router.add("charge.refunded", not_async)
"""


def test_router_is_type_checked(tmp_path: Path) -> None:
    """A misspelt event type and a sync callback are mypy errors; correct use is not."""
    pytest.importorskip("mypy")
    source = tmp_path / "typed_use.py"
    source.write_text(TYPED_USE)
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", str(source)],
        check=False,
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "MYPYPATH": str(REPO / "src")},
        timeout=300,
    )
    errors = [line for line in proc.stdout.splitlines() if ": error:" in line]
    lines = TYPED_USE.splitlines()
    expected = [
        str(lines.index('@router.on("payment_intent.succeded")') + 1),
        str(lines.index('router.add("charge.refunded", not_async)') + 1),
    ]
    assert sorted({line.split(":")[1] for line in errors}, key=int) == expected, (
        proc.stdout + proc.stderr
    )
    # `on`/`add` are overloaded per event type (codegen/events.py): no variant takes the typo
    assert 'No overload variant of "on"' in errors[0]
    assert 'No overload variant of "add"' in errors[-1]
    assert "Callable[[Event[StripeObject]], None]" in errors[-1]
