"""The fake's v2 objects and what each v2 operation does to them (see the package docstring)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from aiostripe.testing.v2 import billing, core
from aiostripe.testing.v2.delivery import ThinDeliveries
from aiostripe.testing.v2.errors import not_found
from aiostripe.testing.v2.pages import page


@attrs.define
class V2Request:
    """What a v2 behaviour knows of its request."""

    path: str
    request_id: str
    idempotency_key: str | None = None
    livemode: bool = False
    host: str = "api"  # "api", or "meter_events" on the second listener
    token: str | None = None  # the bearer credential (a meter event session token on the stream)


def iso(seconds: float) -> str:
    """RFC 3339 in UTC with milliseconds, as v2 writes date-times."""
    stamp = datetime.fromtimestamp(seconds, UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


class V2State:
    """Every v2 object of the fake, by kind then id (insertion order: oldest first)."""

    def __init__(self) -> None:
        self.objects: dict[str, dict[str, dict[str, Any]]] = {}
        self.secrets: dict[str, str] = {}  # event destination id -> whsec_ secret
        self.sessions: dict[str, float] = {}  # meter event session token -> expiry (Unix time)
        self.stream_events: dict[str, dict[str, Any]] = {}  # identifier -> meter event (stream)
        self.stream_requests: int = 0
        self.clock: Callable[[], float] = time.time

    def now(self) -> str:
        return iso(self.clock())

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_test_{secrets.token_hex(12)}"

    def put(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        self.objects.setdefault(kind, {})[obj["id"]] = obj
        return obj

    def get(self, kind: str, object_id: str, label: str) -> dict[str, Any]:
        obj = self.objects.get(kind, {}).get(object_id)
        if obj is None:
            raise not_found(label, object_id)
        return obj

    def newest_first(self, kind: str) -> list[dict[str, Any]]:
        return list(reversed(self.objects.get(kind, {}).values()))

    def clear(self) -> None:
        self.objects.clear()
        self.secrets.clear()
        self.sessions.clear()
        self.stream_events.clear()
        self.stream_requests = 0


Behaviour = Callable[["FakeV2", V2Request, Mapping[str, str], dict[str, Any]], Any]


class FakeV2:
    """The v2 API of one fake: `handle` runs an operation by its client name."""

    def __init__(self) -> None:
        self.state: V2State = V2State()
        self.deliveries: ThinDeliveries = ThinDeliveries()
        self.behaviours: dict[str, Behaviour] = {**core.BEHAVIOURS, **billing.BEHAVIOURS}

    def handle(self, name: str, request: V2Request, path_params: Mapping[str, str],
               params: dict[str, Any]) -> Any:
        """The JSON body of a successful answer; raises `StripeHTTPError` for v2 errors."""
        behaviour = self.behaviours.get(name)
        if behaviour is None:
            from aiostripe.testing.v2.errors import v2_error

            raise v2_error(501, "api_error", "not_modelled",
                           f"the fake Stripe does not model {name}")
        return behaviour(self, request, path_params, params)

    def list_page(self, request: V2Request, params: dict[str, Any],
                  select: Callable[[dict[str, Any]], list[dict[str, Any]]]) -> dict[str, Any]:
        return page(request.path, params, select)

    # --- events -----------------------------------------------------------------------------------

    def emit(self, request: V2Request | None, event_type: str, obj: dict[str, Any],
             context: str | None = None, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """Record a v2 event about `obj` and deliver it to the destinations that want it."""
        state = self.state
        event: dict[str, Any] = {
            "id": state.new_id("evt"),
            "object": "v2.core.event",
            "type": event_type,
            "livemode": bool(obj.get("livemode", False)),
            "created": state.now(),
            "context": context,
            "related_object": {"id": obj["id"], "type": obj["object"],
                               "url": core.url_of(obj)},
            "data": data or {},
        }
        if request is not None:
            event["reason"] = {"type": "request", "request": {
                "id": request.request_id, "idempotency_key": request.idempotency_key or ""}}
        if context is None:
            del event["context"]
        state.put("event", event)
        for destination in state.newest_first("event_destination"):
            if destination["status"] != "enabled" or destination["type"] != "webhook_endpoint":
                continue
            wanted = destination["enabled_events"]
            if event_type in wanted or "*" in wanted:
                self.deliver(event, destination)
        return event

    def deliver(self, event: dict[str, Any], destination: dict[str, Any]) -> None:
        self.deliveries.send(event, destination, self.state.secrets[destination["id"]])

    async def wait(self) -> None:
        """Until every thin event delivery started so far is done."""
        await self.deliveries.wait()

    async def close(self) -> None:
        await self.deliveries.close()
