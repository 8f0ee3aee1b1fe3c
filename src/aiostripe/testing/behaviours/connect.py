"""Connect: the `Stripe-Account` header (https://docs.stripe.com/connect/authentication).

A request with `Stripe-Account: acct_...` acts for that connected account: what it creates
belongs to the account, and it sees only the account's objects (the platform, without the header,
sees only its own); events carry `account`. The account must exist, as Stripe requires: made by
`accounts.create` (or stored with `fake.create("account", ...)` / `fake.seed("account", ...)`);
an unknown id, another value, or the id of an object that is not a platform's account is
Stripe's 403 `account_invalid` ("does not have access to account ... (or that account does not
exist)"). The store does the separation (`Store.scope`); this module checks the header.
"""

from __future__ import annotations

from aiostripe.testing.errors import StripeHTTPError
from aiostripe.testing.store import Store


def check_account(store: Store, account: str | None, key: str = "") -> None:
    """Stripe's 403 unless `account` (a `Stripe-Account` header) can be a connected account."""
    if account is None:
        return
    held = store.objects.get(account)
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
