"""SetupIntents, and payment methods detached: https://docs.stripe.com/payments/setupintents/lifecycle.

- create: `requires_payment_method`, or `requires_confirmation` with a `payment_method`;
  `confirm=true` confirms at once.
- confirm: the card is checked as `cards.py` says: `succeeded` (the payment method attached to
  the intent's `customer`, `payment_method.attached`); a declined card is Stripe's 402
  `card_error` with the intent back in `requires_payment_method` and `last_setup_error`
  (`setup_intent.setup_failed`); a 3D Secure card `requires_action` with a `next_action`
  (`fake.authenticate(setup_intent_id)` completes it).
- cancel from `requires_payment_method`, `requires_confirmation`, `requires_action`.
- `payment_methods.detach`: `customer` cleared, `payment_method.detached`.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from aiostripe.testing.behaviours import cards
from aiostripe.testing.behaviours.failures import card_error, unexpected_state
from aiostripe.testing.behaviours.payments import resolve_payment_method
from aiostripe.testing.behaviours.registry import behaviour
from aiostripe.testing.behaviours.world import World

if TYPE_CHECKING:
    from aiostripe.testing.handlers import Call

CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
CANCELABLE = CONFIRMABLE


@behaviour("setup_intents.create")
def create(call: Call) -> dict[str, Any]:
    world, params = call.world, call.params
    pm_id = resolve_payment_method(world, params.get("payment_method"))

    def adjust(obj: dict[str, Any]) -> dict[str, Any]:
        return {
            **obj,
            "payment_method": pm_id,
            "status": "requires_confirmation" if pm_id else "requires_payment_method",
            "last_setup_error": None,
            "latest_attempt": None,
            "next_action": None,
            "cancellation_reason": None,
            "usage": params.get("usage") or "off_session",
            "client_secret": f"{obj['id']}_secret_{secrets.token_urlsafe(18)}",
            "description": params.get("description"),
        }

    intent: dict[str, Any] = call.on_create(adjust)
    if params.get("confirm"):
        return confirm_setup(world, intent, params)
    return intent


@behaviour("setup_intents.confirm")
def confirm(call: Call) -> dict[str, Any]:
    return confirm_setup(call.world, call.target(), call.params)


@behaviour("setup_intents.cancel")
def cancel(call: Call) -> dict[str, Any]:
    world = call.world
    intent = call.target()
    if intent["status"] not in CANCELABLE:
        raise unexpected_state("setup_intent", "canceled", intent["status"], CANCELABLE, intent)
    canceled = {
        **intent,
        "status": "canceled",
        "cancellation_reason": call.params.get("cancellation_reason"),
        "next_action": None,
    }
    world.save(canceled)
    world.events.emit("setup_intent.canceled", canceled)
    return canceled


@behaviour("payment_methods.detach")
def detach(call: Call) -> dict[str, Any]:
    world = call.world
    pm = call.target()
    detached = world.save({**pm, "customer": None})
    world.events.emit("payment_method.detached", detached)
    return detached


def confirm_setup(world: World, intent: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    if intent["status"] not in CONFIRMABLE:
        raise unexpected_state("setup_intent", "confirmed", intent["status"], CONFIRMABLE, intent)
    pm_id = resolve_payment_method(world, params.get("payment_method")) or intent.get(
        "payment_method"
    )
    if not pm_id:
        raise unexpected_state(
            "setup_intent",
            "confirmed without a payment method",
            intent["status"],
            ("requires_confirmation",),
            intent,
        )
    intent = {**intent, "payment_method": pm_id}
    card = cards.card_of(world.get(str(pm_id)))
    if card.outcome == "authenticate":
        waiting = {
            **intent,
            "status": "requires_action",
            "next_action": {
                "type": "use_stripe_sdk",
                "use_stripe_sdk": {"type": "three_d_secure_redirect", "stripe_js": ""},
            },
        }
        world.save(waiting)
        world.events.emit("setup_intent.requires_action", waiting)
        return waiting
    if card.outcome == "decline":
        code = card.code or "card_declined"
        message = card.message or "Your card was declined."
        error: dict[str, Any] = {
            "type": "card_error",
            "code": code,
            "message": message,
            "doc_url": f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}",
            "payment_method": world.get(str(pm_id)),
        }
        if card.decline_code:
            error["decline_code"] = card.decline_code
        failed = {
            **intent,
            "status": "requires_payment_method",
            "payment_method": None,
            "last_setup_error": error,
            "next_action": None,
        }
        world.save(failed)
        world.events.emit("setup_intent.setup_failed", failed)
        raise card_error(
            code,
            message,
            decline_code=card.decline_code,
            setup_intent=failed,
            payment_method=error["payment_method"],
        )
    return succeed(world, intent)


def succeed(world: World, intent: dict[str, Any]) -> dict[str, Any]:
    """The setup succeeded: the payment method is attached to the intent's customer."""
    done = {**intent, "status": "succeeded", "next_action": None, "last_setup_error": None}
    world.save(done)
    customer = intent.get("customer")
    pm = world.get(str(intent.get("payment_method")))
    if customer and pm is not None and pm.get("customer") != customer:
        attached = world.save({**pm, "customer": customer})
        world.events.emit("payment_method.attached", attached)
    world.events.emit("setup_intent.succeeded", done)
    return done


def authenticate(world: World, intent: dict[str, Any], *, succeed_: bool) -> dict[str, Any]:
    """Complete (or fail) the 3D Secure authentication a `requires_action` SetupIntent waits for."""
    if succeed_:
        return succeed(world, {**intent, "next_action": None})
    error = {
        "type": "invalid_request_error",
        "code": "setup_intent_authentication_failure",
        "doc_url": "https://stripe.com/docs/error-codes/setup-intent-authentication-failure",
        "message": "The latest attempt to set up the payment method has failed because "
        "authentication failed.",
        "payment_method": world.get(str(intent.get("payment_method"))),
    }
    failed = {
        **intent,
        "status": "requires_payment_method",
        "next_action": None,
        "payment_method": None,
        "last_setup_error": error,
    }
    world.save(failed)
    world.events.emit("setup_intent.setup_failed", failed)
    return failed
