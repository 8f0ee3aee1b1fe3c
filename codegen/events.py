"""Which object each webhook event type carries, and the typed router overloads built from it.

Stripe names event types `<resource>.<what happened>` (`payment_intent.succeeded`,
`customer.subscription.updated`, `issuing_card.created`): the resource part names the object's
type, more or less directly. `event_objects` derives, for every event type of the spec, the model
class of its `data.object`, trying in order

1. the resource part as an object type (`payment_intent`, `checkout.session`);
2. with its first `_` read as `.` (`issuing_card` -> `issuing.card`);
3. with its `.` read as `_` (`source.transaction` -> `source_transaction`);
4. its last segment (`customer.subscription` -> `subscription`, `charge.dispute` -> `dispute`).

The exceptions (Stripe's documentation, "Types of events", says what these carry) are in
`OVERRIDES`, the one table of them. An event type that neither the rules nor the table resolve
carries a plain `StripeObject`.
"""

from __future__ import annotations

from dataclasses import dataclass

# event type -> the type expression of its `data.object`, where the naming rules do not give it
OVERRIDES: dict[str, str] = {
    # "data.object is a fee refund" (the rules would pick `refund`)
    "application_fee.refund.updated": "FeeRefund",
    # "an external account (e.g., card or bank account)"
    "account.external_account.created": "BankAccount | Card",
    "account.external_account.deleted": "BankAccount | Card",
    "account.external_account.updated": "BankAccount | Card",
    # "a source (e.g., card)": a customer's payment source
    "customer.source.created": "BankAccount | Card | Source",
    "customer.source.deleted": "BankAccount | Card | Source",
    "customer.source.expiring": "BankAccount | Card | Source",
    "customer.source.updated": "BankAccount | Card | Source",
}


def _candidates(event_type: str) -> list[str]:
    resource = event_type.rsplit(".", 1)[0]
    return [
        resource,
        resource.replace("_", ".", 1),
        resource.replace(".", "_"),
        resource.rsplit(".", 1)[-1],
    ]


def event_objects(event_types: list[str], object_types: dict[tuple[str, bool], str]) -> dict[
    str, str
]:
    """event type -> type expression of its object (`"PaymentIntent"`, `"BankAccount | Card"`)."""
    live = {tag: name for (tag, deleted), name in object_types.items() if not deleted}
    out: dict[str, str] = {}
    for event_type in event_types:
        if event_type in OVERRIDES:
            out[event_type] = OVERRIDES[event_type]
            continue
        hit = next((live[c] for c in _candidates(event_type) if c in live), None)
        out[event_type] = hit or "StripeObject"
    return out


@dataclass
class EventGroup:
    """The event types that carry one object type: one overload of `WebhookRouter.on`/`add`."""

    object_type: str
    event_types: list[str]


def event_groups(objects: dict[str, str]) -> list[EventGroup]:
    by_type: dict[str, list[str]] = {}
    for event_type, expr in sorted(objects.items()):
        by_type.setdefault(expr, []).append(event_type)
    return [EventGroup(expr, types) for expr, types in sorted(by_type.items())]


@dataclass
class RoutingView:
    """What `event_routing.py.j2` lays out: the map, one `Literal` alias per group, imports."""

    objects: list[tuple[str, str]]  # (event type, type expression), sorted
    groups: list[tuple[str, str, list[str]]]  # (alias name, type expression, event types)
    imports: list[tuple[str, list[str]]]  # (models module, class names)


def _alias(expr: str) -> str:
    return "_" + "Or".join(part.strip() for part in expr.split("|")) + "Events"


def routing_view(
    event_types: list[str], object_types: dict[tuple[str, bool], str], module_of: dict[str, str]
) -> RoutingView:
    """`module_of`: class name -> models module (to import the classes the overloads name)."""
    objects = event_objects(event_types, object_types)
    groups = [(_alias(g.object_type), g.object_type, g.event_types)
              for g in event_groups(objects)]
    imports: dict[str, set[str]] = {}
    for expr in {g.object_type for g in event_groups(objects)}:
        for name in (p.strip() for p in expr.split("|")):
            if name != "StripeObject":
                imports.setdefault(module_of[name], set()).add(name)
    return RoutingView(sorted(objects.items()), groups,
                       [(m, sorted(n)) for m, n in sorted(imports.items())])
