"""Stripe's test cards: the payment methods, tokens and numbers of https://docs.stripe.com/testing.

A test payment method id (`pm_card_visa`) used on a PaymentIntent becomes a new `payment_method`
of that card, as on Stripe; a card number given to `payment_methods.create` makes one too. What a
card does when charged (succeed, decline with Stripe's `code` and `decline_code`, ask for 3D
Secure) is found again from the card's `fingerprint`, so it survives in the store alone.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

import attrs

from aiostripe.testing import errors
from aiostripe.testing.behaviours.failures import card_error
from aiostripe.testing.errors import StripeHTTPError


@attrs.frozen
class TestCard:
    """A test card number and what Stripe does when it is charged."""

    number: str
    brand: str = "visa"
    funding: str = "credit"
    country: str = "US"
    outcome: str = "succeed"
    """`succeed`, `decline`, or `authenticate` (3D Secure required)."""
    code: str | None = None
    decline_code: str | None = None
    message: str | None = None

    @property
    def last4(self) -> str:
        return self.number[-4:]

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.number)


_DECLINED = "Your card was declined."

CARDS: dict[str, TestCard] = {
    c.number: c
    for c in (
        TestCard("4242424242424242"),
        TestCard("4000056655665556", funding="debit"),
        TestCard("5555555555554444", brand="mastercard"),
        TestCard("5200828282828210", brand="mastercard", funding="debit"),
        TestCard("378282246310005", brand="amex"),
        TestCard("6011111111111117", brand="discover"),
        TestCard(
            "4000000000000002",
            outcome="decline",
            code="card_declined",
            decline_code="generic_decline",
            message=_DECLINED,
        ),
        TestCard(
            "4000000000009995",
            outcome="decline",
            code="card_declined",
            decline_code="insufficient_funds",
            message="Your card has insufficient funds.",
        ),
        TestCard(
            "4000000000009987",
            outcome="decline",
            code="card_declined",
            decline_code="lost_card",
            message=_DECLINED,
        ),
        TestCard(
            "4000000000009979",
            outcome="decline",
            code="card_declined",
            decline_code="stolen_card",
            message=_DECLINED,
        ),
        TestCard(
            "4000000000006975",
            outcome="decline",
            code="card_declined",
            decline_code="card_velocity_exceeded",
            message=_DECLINED,
        ),
        TestCard(
            "4000000000000069",
            outcome="decline",
            code="expired_card",
            message="Your card has expired.",
        ),
        TestCard(
            "4000000000000127",
            outcome="decline",
            code="incorrect_cvc",
            message="Your card's security code is incorrect.",
        ),
        TestCard(
            "4000000000000119",
            outcome="decline",
            code="processing_error",
            message="An error occurred while processing your card. Try again in a little bit.",
        ),
        TestCard(
            "4100000000000019",
            outcome="decline",
            code="card_declined",
            decline_code="fraudulent",
            message=_DECLINED,
        ),
        TestCard("4000000000003220", outcome="authenticate"),
        TestCard("4000002760003184", outcome="authenticate"),
        TestCard("4000002500003155", outcome="authenticate"),
    )
}
"""The test card numbers, from the tables of https://docs.stripe.com/testing."""

_BY_NAME = {
    "visa": "4242424242424242",
    "visa_debit": "4000056655665556",
    "mastercard": "5555555555554444",
    "mastercard_debit": "5200828282828210",
    "amex": "378282246310005",
    "discover": "6011111111111117",
    "chargeDeclined": "4000000000000002",
    "visa_chargeDeclined": "4000000000000002",
    "chargeDeclinedInsufficientFunds": "4000000000009995",
    "visa_chargeDeclinedInsufficientFunds": "4000000000009995",
    "chargeDeclinedLostCard": "4000000000009987",
    "visa_chargeDeclinedLostCard": "4000000000009987",
    "chargeDeclinedStolenCard": "4000000000009979",
    "visa_chargeDeclinedStolenCard": "4000000000009979",
    "chargeDeclinedVelocityLimitExceeded": "4000000000006975",
    "visa_chargeDeclinedVelocityLimitExceeded": "4000000000006975",
    "chargeDeclinedExpiredCard": "4000000000000069",
    "chargeDeclinedIncorrectCvc": "4000000000000127",
    "chargeDeclinedProcessingError": "4000000000000119",
    "chargeDeclinedFraudulent": "4100000000000019",
    "radarBlock": "4100000000000019",
    "threeDSecure2Required": "4000000000003220",
    "threeDSecureRequired": "4000000000003220",
    "authenticationRequired": "4000002760003184",
    "authenticationRequiredOnSetup": "4000002500003155",
}
PAYMENT_METHODS = {f"pm_card_{name}": number for name, number in _BY_NAME.items()}
"""The test PaymentMethod ids (`pm_card_visa`) and their card numbers."""
TOKENS = {f"tok_{name}": number for name, number in _BY_NAME.items()}
"""The test token ids (`tok_visa`) and their card numbers."""
_FINGERPRINTS: dict[str, TestCard] = {}


def fingerprint(number: str) -> str:
    """A card's fingerprint in the fake: the same number always gives the same one."""
    return hashlib.sha256(number.encode()).hexdigest()[:16]


def luhn_ok(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


def _brand(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    if number[:2] in ("51", "52", "53", "54", "55") or number[:1] == "2":
        return "mastercard"
    if number[:2] in ("34", "37"):
        return "amex"
    if number.startswith("6"):
        return "discover"
    return "unknown"


def card_for_number(number: str) -> TestCard:
    """The test card of a number (any other valid number behaves like 4242...);
    Stripe's 402 `incorrect_number` for a number that fails the Luhn check."""
    number = number.replace(" ", "")
    if not number.isdigit() or not 12 <= len(number) <= 19 or not luhn_ok(number):
        raise card_error("incorrect_number", "Your card number is incorrect.", param="number")
    card = CARDS.get(number) or TestCard(number, brand=_brand(number))
    _FINGERPRINTS[card.fingerprint] = card
    return card


def card_of(payment_method: dict[str, Any] | None) -> TestCard:
    """What a stored card payment method does when charged (4242... for cards the fake did not
    make from a test number)."""
    details = (payment_method or {}).get("card") or {}
    found = _FINGERPRINTS.get(str(details.get("fingerprint")))
    return found or CARDS["4242424242424242"]


def card_details(
    card: TestCard, exp_month: int | None = None, exp_year: int | None = None
) -> dict[str, Any]:
    """The `card` hash of a payment method of `card`."""
    year = time.gmtime().tm_year
    return {
        "brand": card.brand,
        "country": card.country,
        "display_brand": card.brand,
        "exp_month": exp_month or 12,
        "exp_year": exp_year or year + 1,
        "fingerprint": card.fingerprint,
        "funding": card.funding,
        "last4": card.last4,
        "networks": {"available": [card.brand], "preferred": None},
        "three_d_secure_usage": {"supported": True},
        "wallet": None,
        "checks": {
            "address_line1_check": None,
            "address_postal_code_check": None,
            "cvc_check": "unchecked",
        },
        "generated_from": None,
    }


def number_of(test_id: str) -> str | None:
    """The card number of a test payment method or token id, None for other ids."""
    return PAYMENT_METHODS.get(test_id) or TOKENS.get(test_id)


def resource_missing_pm(pm_id: str, param: str = "payment_method") -> StripeHTTPError:
    return errors.resource_missing("PaymentMethod", pm_id, param)
