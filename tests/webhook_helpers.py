"""What the webhook tests (`test_webhooks*.py`) share: the signing secrets and clock, `header`
(a Stripe-Signature header for a payload), the `resources` fixture (Stripe's example objects of the
pinned spec) and `make_event`/`dump` (a signed event's payload built from them). A test module
imports the `resources` fixture by name.
"""

from __future__ import annotations

import copy
import json
import typing
from pathlib import Path
from typing import Any

import pytest

from aiostripe.webhooks import generate_test_header

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO.parent / "shared" / "stripe-openapi" / "fixtures3.2026-05-27.json"

SECRET = "whsec_test_0123456789abcdefSECRET"
OLD_SECRET = "whsec_test_old_rotated_SECRET"
NOW = 1_700_000_000


def header(payload: bytes | str, secret: str = SECRET, ts: int = NOW, scheme: str = "v1") -> str:
    return generate_test_header(payload, secret, timestamp=ts, scheme=scheme)


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    if not FIXTURES.exists():
        pytest.skip(f"{FIXTURES} not found")
    return typing.cast(dict[str, Any], json.loads(FIXTURES.read_text())["resources"])


def make_event(
    resources: dict[str, Any],
    obj: str | dict[str, Any] = "payment_intent",
    event_type: str = "payment_intent.succeeded",
    event_id: str = "evt_test_1",
) -> dict[str, Any]:
    event: dict[str, Any] = copy.deepcopy(resources["event"])
    event["id"] = event_id
    event["type"] = event_type
    event["data"] = {"object": copy.deepcopy(resources[obj]) if isinstance(obj, str) else obj}
    return event


def dump(event: dict[str, Any]) -> bytes:
    return json.dumps(event, indent=2).encode("utf-8")
