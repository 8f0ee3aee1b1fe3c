"""Hostile or careless input, refused before anything is sent with an error naming it, and
secrets that never show: credentials in a base URL, API keys of any shape in reprs and errors,
`raw_request` paths, header names, parameters nested without end (issue 25, items 4 and 7)."""

from __future__ import annotations

from typing import Any

import pytest

from aiostripe import AuthenticationError, InvalidParameterError, StripeClient
from aiostripe._errors import redact
from tests.fault_server import API_KEY, FaultServer

# --- secrets -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "url"),
    [
        ("base_url", "http://user:PASS@127.0.0.1:12111"),
        ("base_url", "https://:PASS@api.stripe.com/"),
        ("base_url", "http://user:P@SS:w@rd@127.0.0.1:1/v"),  # '@' and ':' in the password
        ("base_url", "http://user:PASS@127.0.0.1:notaport"),  # refused before the port is read
        ("files_base_url", "https://user:PASS@files.stripe.com"),
    ],
)
def test_credentials_in_a_base_url_are_refused_without_showing_them(setting: str, url: str) -> None:
    with pytest.raises(InvalidParameterError, match=f"^{setting}: must not carry credentials") as info:
        StripeClient(API_KEY, **{setting: url})
    err = info.value
    assert err.param == setting
    for text in (str(err), repr(err), str(err.args)):
        assert "PASS" not in text and "P@SS" not in text and "w@rd" not in text


@pytest.mark.parametrize(
    "key", ["sk_test_abc_TAIL", "sk_live_51H-abc.TAIL", "rk_test_a_b_TAIL", "whsec_a_b_TAIL"]
)
def test_api_keys_are_masked_whole_whatever_follows_the_prefix(key: str) -> None:
    for text in (
        f"Invalid API Key provided: {key}",
        f"Authorization: Bearer {key}\n",
        f"{{'api_key': {key!r}}}",
        f"key={key}&next=1",
    ):
        assert "TAIL" not in redact(text), redact(text)
        err = AuthenticationError(text)
        assert "TAIL" not in str(err) and "TAIL" not in repr(err)


@pytest.mark.parametrize("key", ["sk_test_abc_TAIL", "sk_test_x'y,TAIL", "rk_live_a|TAIL"])
def test_the_client_shows_no_part_of_its_key(key: str) -> None:
    assert "TAIL" not in repr(StripeClient(key))


def test_a_key_of_no_known_form_is_not_shown_by_the_client() -> None:
    assert "mysecret" not in repr(StripeClient("mysecret123"))
