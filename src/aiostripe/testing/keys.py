"""The API keys the fake accepts, how it reads them from a request and how it shows them."""

from __future__ import annotations

import base64
import binascii
import re

from aiostripe.testing import errors

__all__ = ["KEY_PREFIXES", "api_key_of", "redact_key"]

KEY_PREFIXES = ("sk_test_", "rk_test_", "sk_live_", "rk_live_")
"""The API keys the fake accepts: one of these prefixes, then letters, digits or `_`."""
_KEY = re.compile(f"({'|'.join(KEY_PREFIXES)})[A-Za-z0-9_]+")


def redact_key(key: str) -> str:
    """An API key as Stripe shows it in errors: `sk_test_********1234`."""
    match = re.match(r"[a-z]+_(?:test|live)_", key)
    prefix = match.group(0) if match else ""
    rest = key[len(prefix) :]
    if len(rest) > 8:
        return prefix + "*" * (len(rest) - 4) + rest[-4:]
    return prefix + "***"


def api_key_of(header: str | None) -> str:
    """The API key of an `Authorization` header; `StripeHTTPError` 401 if missing or invalid."""
    if not header:
        raise errors.authentication(errors.MISSING_KEY)
    scheme, _, credentials = header.strip().partition(" ")
    key = ""
    if scheme.lower() == "bearer":
        key = credentials.strip()
    elif scheme.lower() == "basic":
        try:
            key = base64.b64decode(credentials).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            key = credentials
    if not key:
        raise errors.authentication(errors.MISSING_KEY)
    if not _KEY.fullmatch(key):
        raise errors.authentication(f"Invalid API Key provided: {redact_key(key)}")
    return key
