"""PaymentIntents as Stripe runs them: https://docs.stripe.com/payments/paymentintents/lifecycle.

- create: `requires_payment_method`, or `requires_confirmation` with a `payment_method`;
  `confirm=true` confirms at once.
- confirm: the card is charged (see `cards.py`): `succeeded` with a captured charge and its
  balance transaction; with `capture_method=manual`, `requires_capture` (an authorized charge,
  `amount_capturable`); a declined card is Stripe's 402 `card_error` and leaves the intent in
  `requires_payment_method` with `last_payment_error` and the failed charge as `latest_charge`; a
  3D Secure card asks for `requires_action` with a `next_action` (completed by the test helper
  `fake.authenticate(intent_id)`), or declines with `authentication_required` off session.
- capture (full or `amount_to_capture`, the rest released), cancel (the statuses Stripe
  allows), with Stripe's `payment_intent_unexpected_state` error otherwise.
- events: `payment_intent.created`, `.requires_action`, `.amount_capturable_updated`,
  `.succeeded`, `.payment_failed`, `.canceled`; `charge.succeeded`, `.failed`, `.captured`.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

import attrs

from aiostripe.testing import errors
from aiostripe.testing.behaviours import cards
from aiostripe.testing.behaviours.events import previous_attributes
from aiostripe.testing.behaviours.failures import card_error, invalid, unexpected_state
from aiostripe.testing.behaviours.registry import behaviour
from aiostripe.testing.behaviours.world import World
from aiostripe.testing.objects import model_for

if TYPE_CHECKING:
    from aiostripe.testing.handlers import Call

CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
CANCELABLE = (
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
)
FEE_PERCENT, FEE_FIXED = 2.9, 30
"""Stripe's standard US card pricing (https://stripe.com/pricing): 2.9% + 30 cents."""


# --- operations ---------------------------------------------------------------------------------


@behaviour("payment_intents.create")
def create(call: Call) -> dict[str, Any]:
    world, params = call.world, call.params
    pm_id = resolve_payment_method(world, params.get("payment_method"))
    intent: dict[str, Any] = call.on_create(
        lambda obj: fresh_intent(obj, pm_id, params.get("description"))
    )
    if params.get("confirm"):
        return confirm_intent(world, intent, params)
    return intent


def fresh_intent(obj: dict[str, Any], pm_id: str | None, description: Any) -> dict[str, Any]:
    """A new intent as Stripe makes it: no charge yet, waiting for a payment method or for its
    confirmation."""
    return {
        **obj,
        "payment_method": pm_id,
        "status": "requires_confirmation" if pm_id else "requires_payment_method",
        "amount_capturable": 0,
        "amount_received": 0,
        "canceled_at": None,
        "cancellation_reason": None,
        "last_payment_error": None,
        "latest_charge": None,
        "next_action": None,
        "client_secret": f"{obj['id']}_secret_{secrets.token_urlsafe(18)}",
        "description": description,
    }


def new_intent(world: World, fields: dict[str, Any], payment_method: str | None) -> dict[str, Any]:
    """Store a new intent made by Stripe itself (a Checkout Session's, an invoice's), with its
    `payment_intent.created` event."""
    pm_id = resolve_payment_method(world, payment_method)
    base = world.factory.build(model_for("payment_intent"), fields, livemode=world.context.livemode)
    intent = fresh_intent(base, pm_id, fields.get("description"))
    world.store.insert(intent)
    world.events.created(intent)
    return intent


@behaviour("payment_intents.update")
def update(call: Call) -> dict[str, Any]:
    world, params = call.world, dict(call.params)
    intent = call.target()
    if "payment_method" in params:
        params["payment_method"] = resolve_payment_method(world, params["payment_method"])
    updated = world.factory.apply(intent, params, model_for("payment_intent"))
    if params.get("payment_method") and updated["status"] == "requires_payment_method":
        updated["status"] = "requires_confirmation"
    world.save(updated)
    world.events.updated(intent, updated)
    return updated


@behaviour("payment_intents.confirm")
def confirm(call: Call) -> dict[str, Any]:
    return confirm_intent(call.world, call.target(), call.params)


@behaviour("payment_intents.capture")
def capture(call: Call) -> dict[str, Any]:
    world, params = call.world, call.params
    intent = call.target()
    if intent["status"] != "requires_capture":
        raise unexpected_state(
            "payment_intent", "captured", intent["status"], ("requires_capture",), intent
        )
    capturable = intent["amount_capturable"]
    amount = params.get("amount_to_capture", capturable)
    if amount > capturable:
        raise invalid(
            f"The amount_to_capture ({amount}) must be less than or equal to the "
            f"PaymentIntent's amount_capturable ({capturable}).",
            code="amount_too_large",
            param="amount_to_capture",
        )
    charge = world.get(intent["latest_charge"])
    if charge is not None:
        txn = balance_transaction(world, charge["id"], amount, charge["currency"], "charge")
        captured = {
            **charge,
            "captured": True,
            "amount_captured": amount,
            "amount_refunded": charge["amount"] - amount,
            "balance_transaction": txn["id"],
        }
        world.save(captured)
        world.events.emit("charge.captured", captured, previous_attributes(charge, captured))
    fields = {k: v for k, v in params.items() if k != "amount_to_capture"}
    done = world.factory.apply(intent, fields, model_for("payment_intent"))
    done.update(status="succeeded", amount_capturable=0, amount_received=amount)
    world.save(done)
    world.events.emit("payment_intent.succeeded", done)
    return done


@behaviour("payment_intents.cancel")
def cancel(call: Call) -> dict[str, Any]:
    world = call.world
    intent = call.target()
    if intent["status"] not in CANCELABLE:
        raise unexpected_state("payment_intent", "canceled", intent["status"], CANCELABLE, intent)
    charge = world.get(intent.get("latest_charge"))
    if intent["status"] == "requires_capture" and charge is not None:
        released = {**charge, "amount_refunded": charge["amount"], "refunded": True}
        world.save(released)
        world.events.emit("charge.refunded", released, previous_attributes(charge, released))
    canceled = {
        **intent,
        "status": "canceled",
        "canceled_at": world.now(),
        "cancellation_reason": call.params.get("cancellation_reason"),
        "amount_capturable": 0,
        "next_action": None,
    }
    world.save(canceled)
    world.events.emit("payment_intent.canceled", canceled)
    return canceled


@behaviour("payment_methods.create")
def create_payment_method(call: Call) -> dict[str, Any]:
    params = call.params
    card_param = params.get("card")
    card: cards.TestCard | None = None
    if isinstance(card_param, dict):
        token = card_param.get("token")
        number = cards.number_of(token) if token else card_param.get("number")
        if token and number is None:
            raise errors.resource_missing("token", token, "card[token]")
        if number is not None:
            card = cards.card_for_number(str(number))

    def adjust(obj: dict[str, Any]) -> dict[str, Any]:
        if card is None:
            return obj
        assert isinstance(card_param, dict)
        details = cards.card_details(card, card_param.get("exp_month"), card_param.get("exp_year"))
        return {**obj, "type": "card", "card": details, "customer": None}

    pm: dict[str, Any] = call.on_create(adjust)
    return pm


@behaviour("payment_methods.attach")
def attach(call: Call) -> dict[str, Any]:
    world = call.world
    pm_id = call.path_params["payment_method"]
    if cards.number_of(pm_id):  # a test payment method: a new one of that card is attached
        pm_id = new_card_payment_method(world, cards.card_for_number(cards.number_of(pm_id) or ""))
    pm = world.get(pm_id)
    if pm is None or pm.get("object") != "payment_method":
        raise cards.resource_missing_pm(pm_id, "payment_method")
    customer = call.params.get("customer")
    if world.get(customer) is None:
        raise errors.resource_missing("customer", str(customer), "customer")
    attached = {**pm, "customer": customer}
    world.save(attached)
    world.events.emit("payment_method.attached", attached)
    return attached


# --- the lifecycle ------------------------------------------------------------------------------


def resolve_payment_method(world: World, value: Any) -> str | None:
    """The id of the payment method a parameter names: a test id (`pm_card_visa`) becomes a new
    payment method of that card; an unknown id is Stripe's 404."""
    if isinstance(value, dict):
        value = value.get("id")
    if not value:
        return None
    pm_id = str(value)
    number = cards.number_of(pm_id)
    if number is not None:
        return new_card_payment_method(world, cards.card_for_number(number))
    held = world.get(pm_id)
    if held is None or held.get("object") not in ("payment_method", "card", "source"):
        raise cards.resource_missing_pm(pm_id)
    return pm_id


def new_card_payment_method(world: World, card: cards.TestCard) -> str:
    pm = world.new("payment_method", {"type": "card", "card": cards.card_details(card)})
    pm = world.save({**pm, "customer": None})
    return str(pm["id"])


def confirm_intent(world: World, intent: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """Confirm `intent` with the confirmation `params` (a payment method, `return_url`,
    `off_session`, `capture_method`)."""
    status = intent["status"]
    if status == "succeeded":
        raise invalid(
            "You cannot confirm this PaymentIntent because it has already succeeded after being "
            "previously confirmed.",
            code="payment_intent_unexpected_state",
            extra={"payment_intent": intent},
        )
    if status not in CONFIRMABLE:
        raise unexpected_state("payment_intent", "confirmed", status, CONFIRMABLE, intent)
    pm_id = resolve_payment_method(world, params.get("payment_method")) or _id(
        intent.get("payment_method")
    )
    if pm_id is None:
        raise invalid(
            "You cannot confirm this PaymentIntent because it's missing a payment method. To "
            "confirm the PaymentIntent, specify a payment method with the `payment_method` "
            "parameter.",
            code="payment_intent_unexpected_state",
            extra={"payment_intent": intent},
        )
    intent = {**intent, "payment_method": pm_id}
    if params.get("capture_method"):
        intent["capture_method"] = params["capture_method"]
    card = cards.card_of(world.get(pm_id))
    if card.outcome == "authenticate":
        if params.get("off_session"):
            card = attrs.evolve(
                card,
                outcome="decline",
                code="authentication_required",
                decline_code="authentication_required",
                message="Your card was declined. This transaction requires authentication.",
            )
        else:
            return _require_action(world, intent, params.get("return_url"))
    return charge_intent(world, intent, card)


def _require_action(world: World, intent: dict[str, Any], return_url: str | None) -> dict[str, Any]:
    if return_url:
        next_action: dict[str, Any] = {
            "type": "redirect_to_url",
            "redirect_to_url": {
                "return_url": return_url,
                "url": f"https://hooks.stripe.com/3d_secure_2/hosted?payment_intent={intent['id']}",
            },
        }
    else:
        next_action = {
            "type": "use_stripe_sdk",
            "use_stripe_sdk": {"type": "three_d_secure_redirect", "stripe_js": ""},
        }
    waiting = {**intent, "status": "requires_action", "next_action": next_action}
    world.save(waiting)
    world.events.emit("payment_intent.requires_action", waiting)
    return waiting


def authenticate(world: World, intent_id: str, *, succeed: bool = True) -> dict[str, Any]:
    """Complete (or fail) the 3D Secure authentication a `requires_action` intent waits for, as
    the customer would on the bank's page."""
    intent = world.get(intent_id)
    if intent is None or intent.get("object") != "payment_intent":
        raise KeyError(intent_id)
    if intent["status"] != "requires_action":
        raise ValueError(f"{intent_id} is {intent['status']}, not requires_action")
    if succeed:
        return charge_intent(
            world, {**intent, "next_action": None}, cards.CARDS["4242424242424242"]
        )
    error = {
        "type": "invalid_request_error",
        "code": "payment_intent_authentication_failure",
        "doc_url": "https://stripe.com/docs/error-codes/payment-intent-authentication-failure",
        "message": "The provided PaymentMethod has failed authentication. You can provide "
        "payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent "
        "again.",
        "payment_method": world.get(_id(intent.get("payment_method"))),
    }
    failed = {
        **intent,
        "status": "requires_payment_method",
        "next_action": None,
        "payment_method": None,
        "last_payment_error": error,
    }
    world.save(failed)
    world.events.emit("payment_intent.payment_failed", failed)
    return failed


def charge_intent(world: World, intent: dict[str, Any], card: cards.TestCard) -> dict[str, Any]:
    """Charge the intent's payment method as `card` behaves; raises the 402 of a decline."""
    pm = world.get(_id(intent.get("payment_method")))
    if card.outcome == "decline":
        _decline(world, intent, pm, card)
    manual = intent.get("capture_method") == "manual"
    charge = new_charge(world, intent, pm, card, captured=not manual)
    amount = intent["amount"]
    done = {
        **intent,
        "status": "requires_capture" if manual else "succeeded",
        "amount_capturable": amount if manual else 0,
        "amount_received": 0 if manual else amount,
        "latest_charge": charge["id"],
        "last_payment_error": None,
        "next_action": None,
    }
    world.save(done)
    world.events.emit("charge.succeeded", charge)
    kind = "amount_capturable_updated" if manual else "succeeded"
    world.events.emit(f"payment_intent.{kind}", done)
    return done


def _decline(
    world: World, intent: dict[str, Any], pm: dict[str, Any] | None, card: cards.TestCard
) -> None:
    code = card.code or "card_declined"
    message = card.message or "Your card was declined."
    charge = new_charge(world, intent, pm, card, captured=False)
    error: dict[str, Any] = {
        "type": "card_error",
        "code": code,
        "doc_url": f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}",
        "message": message,
        "charge": charge["id"],
        "payment_method": pm,
    }
    if card.decline_code:
        error["decline_code"] = card.decline_code
    failed = {
        **intent,
        "status": "requires_payment_method",
        "payment_method": None,
        "latest_charge": charge["id"],
        "last_payment_error": error,
        "next_action": None,
    }
    world.save(failed)
    world.events.emit("charge.failed", charge)
    world.events.emit("payment_intent.payment_failed", failed)
    raise card_error(
        code,
        message,
        decline_code=card.decline_code,
        charge=charge["id"],
        payment_intent=failed,
        payment_method=pm,
    )


def new_charge(
    world: World,
    intent: dict[str, Any],
    pm: dict[str, Any] | None,
    card: cards.TestCard,
    *,
    captured: bool,
) -> dict[str, Any]:
    """The charge of a confirmation: failed for a declined card, else authorized (and captured,
    with its balance transaction, unless the capture is manual)."""
    failed = card.outcome == "decline"
    amount = intent["amount"]
    details = dict((pm or {}).get("card") or cards.card_details(card))
    fields: dict[str, Any] = {
        "amount": amount,
        "amount_captured": amount if captured and not failed else 0,
        "amount_refunded": 0,
        "captured": captured and not failed,
        "paid": not failed,
        "refunded": False,
        "status": "failed" if failed else "succeeded",
        "currency": intent["currency"],
        "customer": _id(intent.get("customer")),
        "description": intent.get("description"),
        "metadata": intent.get("metadata") or {},
        "payment_intent": intent["id"],
        "payment_method": _id(intent.get("payment_method")),
        "payment_method_details": {"type": "card", "card": _charge_card(details)},
        "outcome": _outcome(card),
        "failure_code": card.code if failed else None,
        "failure_message": card.message if failed else None,
        "balance_transaction": None,
        "receipt_url": None,
    }
    charge = world.new("charge", fields)
    if captured and not failed:
        txn = balance_transaction(world, charge["id"], amount, intent["currency"], "charge")
        charge = world.save({**charge, "balance_transaction": txn["id"]})
    return charge


def _charge_card(details: dict[str, Any]) -> dict[str, Any]:
    keep = ("brand", "country", "exp_month", "exp_year", "fingerprint", "funding", "last4")
    out = {k: details.get(k) for k in keep}
    out["network"] = details.get("brand")
    out["checks"] = {
        "address_line1_check": None,
        "address_postal_code_check": None,
        "cvc_check": "pass",
    }
    return out


def _outcome(card: cards.TestCard) -> dict[str, Any]:
    if card.decline_code == "fraudulent":
        return {
            "network_status": "not_sent_to_network",
            "reason": "highest_risk_level",
            "risk_level": "highest",
            "risk_score": 95,
            "type": "blocked",
            "seller_message": "Stripe blocked this payment as too risky.",
        }
    if card.outcome == "decline":
        return {
            "network_status": "declined_by_network",
            "reason": card.decline_code or card.code,
            "risk_level": "normal",
            "risk_score": 20,
            "type": "issuer_declined",
            "seller_message": "The bank did not return any further details with this decline.",
        }
    return {
        "network_status": "approved_by_network",
        "reason": None,
        "risk_level": "normal",
        "risk_score": 20,
        "type": "authorized",
        "seller_message": "Payment complete.",
    }


def stripe_fee(amount: int) -> int:
    return round(amount * FEE_PERCENT / 100) + FEE_FIXED


_MONEY_IN = frozenset({"charge", "transfer_refund", "payout_failure"})
_CATEGORY = {"transfer_refund": "transfer_reversal", "payout_failure": "payout_reversal"}


def balance_transaction(
    world: World, source: str, amount: int, currency: str, kind: str
) -> dict[str, Any]:
    """The balance transaction of a charge (`amount` less Stripe's fee), a reversed transfer or a
    failed payout (money in), or of a refund, transfer or payout (money out: negative)."""
    fee = stripe_fee(amount) if kind == "charge" else 0
    fee_details = (
        [
            {
                "amount": fee,
                "application": None,
                "currency": currency,
                "description": "Stripe processing fees",
                "type": "stripe_fee",
            }
        ]
        if fee
        else []
    )
    signed = amount if kind in _MONEY_IN else -amount
    return world.new(
        "balance_transaction",
        {
            "amount": signed,
            "currency": currency,
            "description": None,
            "exchange_rate": None,
            "fee": fee,
            "fee_details": fee_details,
            "net": signed - fee,
            "reporting_category": _CATEGORY.get(kind, kind),
            "source": source,
            "status": "pending",
            "type": kind,
            "available_on": world.now() + 2 * 86400,
        },
    )


def _id(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return str(value) if value else None
