"""Checks of the client's settings and of `request_options`, made before anything is sent.

Each failure names the argument and what was expected: `ValueError` for a value of the right
type that cannot work (an API key with a newline, `base_url="ftp://..."`), `TypeError` for a
value of the wrong type (`timeout="10"`, `request_options={"api_key": 123}`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from aiostripe._errors import InvalidParameterError
from aiostripe._options import CLIENT_OPTION_KEYS

_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # a header value may hold spaces and tabs


def api_key(value: object, name: str = "api_key") -> str:
    """A Stripe key: a non-empty string without whitespace or control characters."""
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected a Stripe secret key string, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name}: expected a Stripe secret key such as 'sk_test_...', got {value!r}")
    bad = _CONTROL_OR_SPACE.search(value)
    if bad:
        where = "a trailing" if bad.start() == len(value.rstrip()) else "a"
        raise ValueError(
            f"{name}: contains {where} whitespace or control character {bad.group()!r} "
            f"(at position {bad.start()}); a Stripe key has none (copied with a newline?)"
        )
    return value


def header_value(value: object, name: str) -> str:
    """A string that can go in an HTTP header (no newline or other control character)."""
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected a string, got {type(value).__name__} {value!r}")
    bad = _CONTROL.search(value)
    if bad:
        raise ValueError(
            f"{name}: contains the control character {bad.group()!r} (at position "
            f"{bad.start()}), which cannot go in an HTTP header"
        )
    return value


def without_userinfo(url: str) -> str:
    """`url` with anything between `scheme://` and the host's `@` masked (a password stays out of
    error messages); `url` itself when it has none."""
    scheme, sep, rest = url.partition("://")
    authority_end = min((i for i in map(rest.find, "/?#") if i >= 0), default=len(rest))
    at = rest.rfind("@", 0, authority_end)
    if not sep or at < 0:
        return url
    return f"{scheme}://***@{rest[at + 1:]}"


def base_url(value: object, name: str = "base_url") -> str:
    """An http(s) URL with a host (`https://api.stripe.com`, `http://127.0.0.1:12111`), without
    credentials: Stripe takes the API key in a header, never in the URL, and a URL is shown in
    reprs, logs and spans."""
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected a URL string, got {type(value).__name__}")
    shown = without_userinfo(value)
    if shown != value:
        raise InvalidParameterError(
            f"{name}: must not carry credentials (user:password@), got {shown!r}: Stripe takes "
            f"the API key from StripeClient(api_key), never from the URL",
            param=name,
        )
    value = str(value)
    try:  # urllib's reading of a URL: yarl (aiohttp's) is not imported before the first call
        url = urlsplit(value.strip())
        url.port  # noqa: B018 - raises ValueError for a port that is no number or out of range
    except ValueError as exc:
        raise ValueError(f"{name}: expected an http(s) URL, got {value!r} ({exc})") from None
    if url.scheme not in ("http", "https") or not url.hostname:
        hint = " (no scheme: add https:// or http://)" if "://" not in value else ""
        raise ValueError(
            f"{name}: expected an http:// or https:// URL with a host, got {value!r}{hint}"
        )
    if value != value.strip():
        raise ValueError(f"{name}: has leading or trailing whitespace: {value!r}")
    return value


_PLAIN_PATH = re.compile(r"(?:/[A-Za-z0-9_\-]+)+/?")
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def api_path(value: object, name: str = "path") -> str:
    """An API path for `raw_request` (`/v1/customers/cus_1`), quoted like the generated methods'
    paths: every segment percent-encoded but for letters, digits and `-._~` (a space, `#` or
    `%` stays within its segment). A query string (`?`) and dot segments (`.`, `..`, also
    percent-encoded), which would reach another endpoint, are refused."""
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected an API path string, got {type(value).__name__}")
    if _PLAIN_PATH.fullmatch(value):  # the usual path: nothing to quote
        return value
    if not value.startswith("/"):
        raise InvalidParameterError(
            f"{name}: expected an absolute API path such as '/v1/customers', got {value!r}",
            param=name,
        )
    if "?" in value:
        raise InvalidParameterError(
            f"{name}: {value!r} has a query string; pass parameters as keyword arguments "
            f"(raw_request('get', '/v1/customers', limit=3))",
            param=name,
        )
    segments = value.split("/")
    for segment in segments:
        if unquote(segment) in (".", ".."):
            raise InvalidParameterError(
                f"{name}: {value!r} has a {segment!r} segment; dot segments could reach "
                f"another endpoint",
                param=name,
            )
    return "/".join(quote(segment, safe="") for segment in segments)


def header_name(value: object, name: str) -> str:
    """An HTTP header name: an RFC 7230 token (letters, digits and ``!#$%&'*+-.^_`|~``)."""
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected a string, got {type(value).__name__} {value!r}")
    if not _TOKEN.fullmatch(value):
        raise ValueError(
            f"{name}: not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only, "
            f"no space or ':')"
        )
    return value


def seconds(value: object, name: str) -> float:
    """A finite number of seconds > 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(
            f"{name}: expected a number of seconds > 0, got {type(value).__name__} {value!r}"
        )
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"{name}: expected seconds > 0, got {value!r}")
    return float(value)


def seconds_or_none(value: object, name: str) -> float | None:
    """A finite number of seconds > 0, or None (no limit)."""
    return None if value is None else seconds(value, name)


def count(value: object, name: str, minimum: int) -> int:
    """An integer >= `minimum` (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name}: expected an integer >= {minimum}, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value!r}")
    return value


_STRING_OPTIONS = ("stripe_account", "stripe_version", "stripe_context", "idempotency_key")


def request_options(options: Mapping[str, Any]) -> None:
    """Check the values of `request_options` (their names are checked by the caller)."""
    prefix = "request_options"
    if "api_key" in options:
        api_key(options["api_key"], f"{prefix}['api_key']")
    for key in _STRING_OPTIONS:
        if key in options:
            value = header_value(options[key], f"{prefix}[{key!r}]")
            if not value:
                raise ValueError(f"{prefix}[{key!r}]: expected a non-empty string")
    for key in ("timeout", "connect_timeout"):
        if key in options:
            seconds(options[key], f"{prefix}[{key!r}]")
    if "read_timeout" in options:
        seconds_or_none(options["read_timeout"], f"{prefix}['read_timeout']")
    if "max_retries" in options:
        count(options["max_retries"], f"{prefix}['max_retries']", 0)
    if "headers" in options:
        headers = options["headers"]
        if not isinstance(headers, Mapping):
            raise TypeError(f"{prefix}['headers']: expected a mapping of header names to strings")
        for key, value in headers.items():
            header_name(key, f"{prefix}['headers'] name {key!r}")
            header_value(value, f"{prefix}['headers'][{key!r}]")


def client_options(options: Mapping[str, Any]) -> None:
    """Check the names and values given to `StripeClient.with_options`."""
    prefix = "with_options: "
    unknown = options.keys() - CLIENT_OPTION_KEYS
    if unknown:
        raise TypeError(
            f"with_options: unknown option(s) {sorted(unknown)}; "
            f"expected some of {sorted(CLIENT_OPTION_KEYS)}"
        )
    if "api_key" in options:
        api_key(options["api_key"], prefix + "api_key")
    version = options.get("stripe_version", "2024-04-10")
    if not header_value(version, prefix + "stripe_version"):
        raise ValueError(f"{prefix}stripe_version: expected an API version such as '2024-04-10'")
    account = options.get("stripe_account")
    # Stripe's account ids "usually" start with acct_ (its docs): any other non-empty id is sent
    if account is not None and not header_value(account, prefix + "stripe_account").strip():
        raise ValueError(
            f"{prefix}stripe_account: expected a connected account id such as "
            f"'acct_1032D82eZvKYlo2C', or None, got {account!r}"
        )
    context = options.get("stripe_context")
    if context is not None and not header_value(context, prefix + "stripe_context").strip():
        raise ValueError(
            f"{prefix}stripe_context: expected a context such as 'acct_1032D82eZvKYlo2C', "
            f"or None, got {context!r}"
        )
    if "timeout" in options:
        seconds(options["timeout"], prefix + "timeout")
    if "max_retries" in options:
        count(options["max_retries"], prefix + "max_retries", 0)
