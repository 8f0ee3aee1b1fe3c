"""The error hierarchy: the class a response becomes, what it carries, that keys never leak."""

from __future__ import annotations

import json
import pickle
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from aiostripe._errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    CardError,
    Headers,
    IdempotencyError,
    InvalidParameterError,
    InvalidRequestError,
    PermissionDeniedError,
    PermissionError_,
    RateLimitError,
    ResponseParseError,
    SignatureVerificationError,
    StripeError,
    error_from_response,
    redact,
)

REQ = {"Request-Id": "req_123"}


def body(error: Any, **extra: Any) -> bytes:
    return json.dumps({"error": error, **extra}).encode()


# --- error_from_response: class by type and status ----------------------------------------------


@pytest.mark.parametrize(
    ("status", "error", "cls"),
    [
        # the bodies Stripe really sends
        (400, {"type": "invalid_request_error", "param": "amount"}, InvalidRequestError),
        (404, {"type": "invalid_request_error", "code": "resource_missing"}, InvalidRequestError),
        (402, {"type": "card_error", "code": "card_declined"}, CardError),
        (401, {"type": "invalid_request_error"}, AuthenticationError),
        (403, {"type": "invalid_request_error"}, PermissionDeniedError),
        (429, {"type": "invalid_request_error", "code": "rate_limit"}, RateLimitError),
        (429, {"type": "invalid_request_error", "code": "lock_timeout"}, RateLimitError),
        (400, {"type": "idempotency_error"}, IdempotencyError),
        (409, {"type": "idempotency_error"}, IdempotencyError),
        (500, {"type": "api_error"}, APIError),
        # a type that names the kind wins over the status
        (400, {"type": "card_error"}, CardError),
        (429, {"type": "idempotency_error"}, IdempotencyError),
        (400, {"type": "authentication_error"}, AuthenticationError),
        (400, {"type": "rate_limit_error"}, RateLimitError),
        # legacy: rate limits used to be 400s with code rate_limit
        (400, {"type": "invalid_request_error", "code": "rate_limit"}, RateLimitError),
        # generic types
        (409, {"type": "invalid_request_error"}, InvalidRequestError),
        (400, {"type": "api_error"}, APIError),
        # no or unknown type: the status decides
        (400, {"message": "x"}, InvalidRequestError),
        (404, {"message": "x"}, InvalidRequestError),
        (402, {"message": "x"}, CardError),
        (401, {"type": "something_new"}, AuthenticationError),
        (403, {}, PermissionDeniedError),
        (429, {}, RateLimitError),
        (418, {"type": "something_new"}, APIError),
        (502, {}, APIError),
        (503, {"type": "something_new"}, APIError),
    ],
)
def test_class_by_type_and_status(status: int, error: dict[str, Any], cls: type) -> None:
    err = error_from_response(status, body(error), REQ)
    assert type(err) is cls
    assert isinstance(err, StripeError)
    assert err.http_status == status
    assert err.request_id == "req_123"
    assert err.error_data == error
    assert err.error is not None and err.error.to_dict() == error
    assert err.json_body == {"error": error}


def test_card_error_carries_everything() -> None:
    error = {
        "type": "card_error",
        "code": "card_declined",
        "decline_code": "insufficient_funds",
        "param": "payment_method",
        "message": "Your card has insufficient funds.",
        "doc_url": "https://stripe.com/docs/error-codes/card-declined",
        "charge": "ch_1",
    }
    raw = body(error)
    err = error_from_response(402, raw, {"Request-Id": "req_9", "Content-Type": "application/json"})
    assert isinstance(err, CardError)
    assert err.message == "Your card has insufficient funds."
    assert str(err) == "(Request req_9) Your card has insufficient funds."
    assert err.code == "card_declined"
    assert err.decline_code == "insufficient_funds"
    assert err.param == "payment_method"
    assert err.doc_url == "https://stripe.com/docs/error-codes/card-declined"
    assert err.user_message is None
    assert err.error is not None and err.error["charge"] == "ch_1"
    assert err.http_body == raw.decode()
    assert err.headers == {"Request-Id": "req_9", "Content-Type": "application/json"}


def test_invalid_request_error_param_and_user_message() -> None:
    error = {
        "type": "invalid_request_error",
        "code": "parameter_missing",
        "param": "items[0][price]",
        "message": "Missing required param: items[0][price].",
        "user_message": "Something is missing.",
    }
    err = error_from_response(400, body(error), REQ)
    assert isinstance(err, InvalidRequestError)
    assert err.param == "items[0][price]"
    assert err.code == "parameter_missing"
    assert err.user_message == "Something is missing."


def test_missing_message_gets_a_useful_one() -> None:
    err = error_from_response(500, body({"type": "api_error"}), REQ)
    assert err.message == "Stripe returned HTTP 500 (api_error) with no message"
    err = error_from_response(400, body({"message": ""}), {})
    assert err.message == "Stripe returned HTTP 400 (error) with no message"


def test_non_str_fields_of_the_error_object_are_ignored() -> None:
    err = error_from_response(400, body({"code": 5, "param": ["x"], "message": "m"}), REQ)
    assert err.code is None and err.param is None and err.message == "m"


# --- rate limits ---------------------------------------------------------------------------------


def test_rate_limit_retry_after_seconds() -> None:
    raw = body({"type": "invalid_request_error", "code": "rate_limit", "message": "slow down"})
    err = error_from_response(429, raw, {"Retry-After": "2", "Request-Id": "req_1"})
    assert isinstance(err, RateLimitError)
    assert err.retry_after == 2.0
    assert not err.is_lock_timeout


def test_rate_limit_retry_after_fraction_and_junk() -> None:
    assert RateLimitError("x", headers={"Retry-After": "0.25"}).retry_after == 0.25
    assert RateLimitError("x", headers={"Retry-After": "-3"}).retry_after == 0.0
    assert RateLimitError("x", headers={"Retry-After": "soon"}).retry_after is None
    assert RateLimitError("x", headers={"Retry-After": "inf"}).retry_after is None
    assert RateLimitError("x", headers={"Retry-After": "nan"}).retry_after is None
    assert RateLimitError("x").retry_after is None


def test_rate_limit_retry_after_http_date() -> None:
    future = datetime.now(UTC) + timedelta(seconds=30)
    err = RateLimitError("x", headers={"retry-after": format_datetime(future, usegmt=True)})
    assert err.retry_after is not None and 25 <= err.retry_after <= 31
    past = datetime.now(UTC) - timedelta(hours=1)
    err = RateLimitError("x", headers={"Retry-After": format_datetime(past, usegmt=True)})
    assert err.retry_after == 0.0
    # "-0000" gives a naive datetime: still GMT
    stamp = time.strftime("%a, %d %b %Y %H:%M:%S -0000", time.gmtime(time.time() + 60))
    err = RateLimitError("x", headers={"Retry-After": stamp})
    assert err.retry_after is not None and 55 <= err.retry_after <= 61


def test_lock_timeout() -> None:
    raw = body({"type": "invalid_request_error", "code": "lock_timeout", "message": "locked"})
    err = error_from_response(429, raw, REQ)
    assert isinstance(err, RateLimitError)
    assert err.is_lock_timeout


# --- headers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("false", False), ("TRUE", True), (" false ", False), ("maybe", None)],
)
def test_should_retry_header(value: str, expected: bool | None) -> None:
    err = error_from_response(500, body({}), {"Stripe-Should-Retry": value})
    assert err.should_retry is expected


def test_should_retry_absent() -> None:
    assert error_from_response(500, body({}), {}).should_retry is None


def test_headers_are_a_case_insensitive_copy() -> None:
    source = {"request-id": "req_lower", "X-Thing": "1"}
    err = error_from_response(400, body({}), source)
    source["X-Thing"] = "changed"
    assert err.request_id == "req_lower"
    assert err.headers["Request-Id"] == "req_lower"
    assert err.headers["x-thing"] == "1"
    assert "REQUEST-ID" in err.headers
    assert err.headers.get("Missing") is None
    assert list(err.headers) == ["request-id", "X-Thing"]
    assert err.headers == {"request-id": "req_lower", "X-Thing": "1"}
    with pytest.raises(KeyError):
        err.headers["missing"]


def test_aiohttp_headers() -> None:
    headers = CIMultiDictProxy(CIMultiDict({"request-id": "req_7", "Stripe-Should-Retry": "true"}))
    err = error_from_response(503, body({"type": "api_error", "message": "m"}), headers)
    assert err.request_id == "req_7"
    assert err.should_retry is True
    assert isinstance(err.headers, Headers)


def test_headers_mapping() -> None:
    h = Headers({"A": "1"})
    assert len(h) == 1 and dict(h) == {"A": "1"} and repr(h) == "{'A': '1'}"
    assert 1 not in h  # type: ignore[comparison-overlap]
    assert Headers() == {}


# --- OAuth errors --------------------------------------------------------------------------------


def test_oauth_error() -> None:
    raw = json.dumps(
        {"error": "invalid_grant", "error_description": "Authorization code does not exist: ac_1"}
    ).encode()
    err = error_from_response(400, raw, REQ)
    assert type(err) is InvalidRequestError
    assert err.code == "invalid_grant"
    assert err.message == "Authorization code does not exist: ac_1"
    assert err.request_id == "req_123"
    assert err.error is None
    assert err.json_body == {
        "error": "invalid_grant",
        "error_description": "Authorization code does not exist: ac_1",
    }


def test_oauth_error_without_description() -> None:
    err = error_from_response(401, json.dumps({"error": "invalid_client"}).encode(), {})
    assert type(err) is InvalidRequestError
    assert err.code == "invalid_client"
    assert err.message == "invalid_client"


# --- garbage bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "what"),
    [
        (b"<html><body>502 Bad Gateway</body></html>", "a body that is not JSON: '<html>"),
        (b"", "an empty body"),
        (b"  \n", "an empty body"),
        (b"\xff\xfe\x00garbage", "a body that is not JSON"),
        (b'{"error": {"type": ', "a body that is not JSON"),
        (b"[1, 2]", "a JSON list instead of an error object"),
        (b'"oops"', "a JSON str instead of an error object"),
        (b"null", "a JSON NoneType instead of an error object"),
        (b'{"message": "no error key"}', "without an error object"),
        (b'{"error": 42}', "without an error object"),
        (b'{"error": null}', "without an error object"),
        (b"[" * 100_000, "a body that is not JSON"),
    ],
)
def test_garbage_bodies(raw: bytes, what: str) -> None:
    err = error_from_response(502, raw, {"Request-Id": "req_bad"})
    assert type(err) is ResponseParseError
    assert isinstance(err, APIError)
    assert err.message.startswith("Stripe returned HTTP 502 (request id req_bad) ")
    assert what in err.message
    assert err.http_status == 502
    assert err.request_id == "req_bad"
    assert err.http_body == raw.decode("utf-8", "replace")
    assert len(err.message) < 400


def test_garbage_body_without_request_id() -> None:
    err = error_from_response(500, b"Internal Server Error", {})
    assert err.message == (
        "Stripe returned HTTP 500 (request id None) with a body that is not JSON: "
        "'Internal Server Error'"
    )
    assert str(err) == err.message


def test_garbage_json_body_is_kept() -> None:
    err = error_from_response(500, b'{"unexpected": true}', {})
    assert err.json_body == {"unexpected": True}


# --- str / repr / redaction ---------------------------------------------------------------------


def test_str_with_and_without_request_id() -> None:
    assert str(StripeError("boom", request_id="req_1")) == "(Request req_1) boom"
    assert str(StripeError("boom")) == "boom"
    assert str(StripeError()) == "<empty message>"
    assert (
        str(StripeError(None, headers={"Request-Id": "req_2"})) == "(Request req_2) <empty message>"
    )


def test_repr() -> None:
    err = error_from_response(
        402, body({"type": "card_error", "code": "card_declined", "message": "Declined"}), REQ
    )
    assert repr(err) == (
        "CardError(message='Declined', http_status=402, request_id='req_123', code='card_declined')"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sk_test_51Habc123XYZ", "sk_test_***"),
        ("sk_live_51Habc123XYZ", "sk_live_***"),
        ("rk_live_abcDEF123", "rk_live_***"),
        ("rk_test_abcDEF123", "rk_test_***"),
        ("ek_test_YWNjdF8x", "ek_test_***"),
        ("whsec_abc123+/=", "whsec_***"),
        ("Bearer sk_live_abc.", "Bearer sk_live_***."),
        ("api_key=sk_test_abc&x=1", "api_key=sk_test_***&x=1"),
        ("'sk_test_a', \"rk_live_b\"", "'sk_test_***', \"rk_live_***\""),
        ("key_sk_live_abc", "key_sk_live_***"),
        ("two: sk_test_a sk_live_b", "two: sk_test_*** sk_live_***"),
        # not secrets
        ("pk_test_abc123", "pk_test_abc123"),
        ("cus_123 req_456", "cus_123 req_456"),
        ("task_test_abc", "task_test_abc"),
        ("sk_test_", "sk_test_"),
        ("Invalid API Key provided: sk_test_********************1234", None),
        ("", ""),
    ],
)
def test_redact(text: str, expected: str | None) -> None:
    assert redact(text) == (text if expected is None else expected)


def test_keys_never_show_in_str_or_repr() -> None:
    key = "sk_live_51HsecretSECRET123"
    err = AuthenticationError(f"Invalid API Key provided: {key}", request_id="req_1")
    for text in (str(err), repr(err), err.message, str(err.args)):
        assert key not in text
        assert "secretSECRET" not in text
    assert "sk_live_***" in str(err)


def test_keys_in_a_response_body_never_show_in_the_message() -> None:
    raw = body({"type": "invalid_request_error", "message": "Invalid API Key provided: rk_live_X1"})
    err = error_from_response(401, raw, REQ)
    assert "rk_live_X1" not in str(err) and "rk_live_X1" not in repr(err)
    garbage = error_from_response(500, b"<pre>Authorization: Bearer sk_test_leaky</pre>", REQ)
    assert "sk_test_leaky" not in str(garbage) and "sk_test_leaky" not in repr(garbage)


# --- the classes themselves ---------------------------------------------------------------------


def test_hierarchy() -> None:
    for cls in (
        CardError,
        InvalidRequestError,
        IdempotencyError,
        AuthenticationError,
        PermissionDeniedError,
        RateLimitError,
        APIError,
        APIConnectionError,
        ResponseParseError,
        SignatureVerificationError,
        InvalidParameterError,
    ):
        assert issubclass(cls, StripeError)
    assert issubclass(ResponseParseError, APIError)
    assert issubclass(InvalidParameterError, ValueError)
    assert PermissionError_ is PermissionDeniedError
    assert not issubclass(PermissionDeniedError, PermissionError)  # not the OSError builtin


def test_defaults_are_all_none() -> None:
    err = StripeError("m")
    assert (err.http_status, err.http_body, err.json_body, err.code, err.param) == (None,) * 5
    assert (err.request_id, err.error, err.user_message, err.decline_code) == (None,) * 4
    assert (err.doc_url, err.should_retry) == (None, None)
    assert err.headers == {}


def test_explicit_values_win_over_the_error_object() -> None:
    err = StripeError(
        "m",
        json_body={"error": {"code": "a", "param": "p"}},
        code="b",
        request_id="req_x",
        headers={"Request-Id": "req_y"},
    )
    assert err.code == "b" and err.param == "p" and err.request_id == "req_x"


def test_http_body_bytes_are_decoded() -> None:
    assert StripeError("m", http_body=b"caf\xc3\xa9 \xff").http_body == "café \ufffd"


def test_attributes_are_settable() -> None:
    err = ResponseParseError("could not parse")
    err.http_status = 200
    err.request_id = "req_1"
    assert str(err) == "(Request req_1) could not parse"


def test_api_connection_error() -> None:
    assert APIConnectionError("reset").should_retry is False
    err = APIConnectionError("timed out: POST /v1/charges", should_retry=True)
    assert err.should_retry is True
    assert err.http_status is None and str(err) == "timed out: POST /v1/charges"


def test_signature_verification_error() -> None:
    err = SignatureVerificationError("No signatures found", "t=1,v1=abc", http_body="{}")
    assert err.sig_header == "t=1,v1=abc" and err.http_body == "{}"
    assert SignatureVerificationError("x", sig_header="h").sig_header == "h"
    assert SignatureVerificationError("x").sig_header is None


def test_invalid_parameter_error() -> None:
    err = InvalidParameterError("customer: got '', must be a non-empty id", param="customer")
    assert err.param == "customer"
    with pytest.raises(ValueError, match="non-empty id"):
        raise err


def test_catching_by_base_class() -> None:
    with pytest.raises(StripeError) as info:
        raise error_from_response(
            404,
            body({"type": "invalid_request_error", "message": "No such customer: 'cus_x'"}),
            REQ,
        )
    assert info.value.message == "No such customer: 'cus_x'"


@pytest.mark.parametrize(
    "err",
    [
        error_from_response(
            402, body({"type": "card_error", "code": "card_declined", "message": "no"}), REQ
        ),
        error_from_response(429, body({"code": "rate_limit"}), {"Retry-After": "3", **REQ}),
        error_from_response(502, b"<html>", REQ),
        APIConnectionError("x", should_retry=True),
        SignatureVerificationError("bad", "t=1"),
        InvalidParameterError("id: bad", param="id"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_pickle_round_trip(err: StripeError) -> None:
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is type(err)
    assert str(copy) == str(err) and repr(copy) == repr(err)
    assert vars(copy) == vars(err)
    assert copy.headers.get("request-id") == err.headers.get("request-id")
