"""Thin event types (v2 event notifications): one typed notification class per type.

Stripe's public spec lists no thin event types; `../shared/stripe-openapi/
thin-event-types.stripe-python-16.1.json` has the ones stripe-python 16.1 knows, each with the
schema id of its related object (`billing.meter`, `v2.core.account`, or null). The generator reads
it like the spec when it is there; without it, the generated table is empty and every
notification parses as `UnknownEventNotification`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codegen import naming

THIN_EVENTS_FILE = (
    Path(__file__).resolve().parent.parent.parent / "shared" / "stripe-openapi"
    / "thin-event-types.stripe-python-16.1.json"
)


@dataclass
class ThinEvent:
    type: str  # `v1.billing.meter.error_report_triggered`
    class_name: str  # `V1BillingMeterErrorReportTriggeredEventNotification`
    related: str | None  # the model class of its related object (None: none, or not in the spec)
    related_module: str | None
    has_related: bool  # the type has a related object (typed or not)


def load(path: Path | None = None) -> dict[str, Any]:
    """The `events` table of the file (empty when the file is absent)."""
    path = THIN_EVENTS_FILE if path is None else path
    if not path.is_file():
        return {}
    events: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["events"]
    return events


def thin_events(events: dict[str, Any], class_of: dict[str, str],
                module_of: dict[str, str]) -> list[ThinEvent]:
    """The notification classes of `events`, their related objects resolved against the spec's
    schemas (`class_of`: schema id -> class name; `module_of`: class name -> module)."""
    out = []
    for event_type in sorted(events):
        related_id = events[event_type].get("related_object")
        related = class_of.get(related_id) if related_id else None
        out.append(ThinEvent(
            event_type, naming.pascal(event_type) + "EventNotification", related,
            module_of.get(related) if related else None, bool(related_id),
        ))
    names = [e.class_name for e in out]
    if len(set(names)) != len(names):
        raise ValueError("thin event types: two types give one class name")
    return out
