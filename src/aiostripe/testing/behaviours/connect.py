"""Connect: the `Stripe-Account` header (https://docs.stripe.com/connect/authentication).

A request with `Stripe-Account: acct_...` acts for that connected account: what it creates
belongs to the account, and it sees only the account's objects (the platform, without the header,
sees only its own); events carry `account`. Like any well-formed API key, any well-formed
account id (`acct_` and letters or digits) is taken as a connected account of the platform,
whether `accounts.create` made it or not; another value (or the id of an object that is not a
platform's account) is Stripe's 403 `account_invalid`. The store does the separation
(`Store.scope`); this module checks the header.
"""

from __future__ import annotations

import re

from aiostripe.testing.errors import StripeHTTPError
from aiostripe.testing.store import Store

_ACCOUNT_ID = re.compile(r"acct_[A-Za-z0-9]+")


def check_account(store: Store, account: str | None, key: str = "") -> None:
    """Stripe's 403 unless `account` (a `Stripe-Account` header) can be a connected account."""
    if account is None:
        return
    held = store.objects.get(account)
    if held is None and _ACCOUNT_ID.fullmatch(account):
        return
    if held is not None and held.get("object") == "account" and not store.accounts.get(account):
        return
    shown = f"'{key}' " if key else ""
    raise StripeHTTPError(
        403,
        {
            "type": "invalid_request_error",
            "code": "account_invalid",
            "doc_url": "https://stripe.com/docs/error-codes/account-invalid",
            "message": f"The provided key {shown}does not have access to account '{account}' (or "
            "that account does not exist). Application access may have been revoked.",
        },
    )
