"""Stripe form encoding, path-parameter quoting and the form decoder of the fake server."""

from __future__ import annotations

import enum
import re
from collections import OrderedDict
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from typing import Any
from urllib.parse import parse_qsl, unquote

import pytest

from aiostripe._encode import (
    decode_form,
    encode_body,
    encode_params,
    encode_query,
    quote_path_param,
)
from aiostripe._errors import InvalidParameterError, StripeError

# --- encode_params: real Stripe shapes ----------------------------------------------------------


def test_metadata_nests_with_brackets() -> None:
    assert encode_params({"metadata": {"plan": "pro"}}) == [("metadata[plan]", "pro")]


def test_lists_of_dicts_are_indexed() -> None:
    params = {"items": [{"price": "p", "quantity": 2}, {"price": "q", "quantity": 1}]}
    assert encode_params(params) == [
        ("items[0][price]", "p"),
        ("items[0][quantity]", "2"),
        ("items[1][price]", "q"),
        ("items[1][quantity]", "1"),
    ]
    assert encode_query({"items": [{"price": "p", "quantity": 2}]}) == (
        "items[0][price]=p&items[0][quantity]=2"
    )


def test_lists_of_scalars_are_indexed_too() -> None:
    assert encode_query({"expand": ["flow_details"]}) == "expand[0]=flow_details"
    assert encode_params({"expand": ["customer", "invoice.subscription"]}) == [
        ("expand[0]", "customer"),
        ("expand[1]", "invoice.subscription"),
    ]


def test_tuples_are_lists() -> None:
    assert encode_params({"expand": ("a", "b")}) == [("expand[0]", "a"), ("expand[1]", "b")]


def test_deep_nesting() -> None:
    params = {
        "payment_method_options": {"card": {"mandate_options": {"amount": 100, "supported": ["x"]}}}
    }
    assert encode_params(params) == [
        ("payment_method_options[card][mandate_options][amount]", "100"),
        ("payment_method_options[card][mandate_options][supported][0]", "x"),
    ]


def test_lists_of_lists() -> None:
    assert encode_params({"a": [["x", "y"], ["z"]]}) == [
        ("a[0][0]", "x"),
        ("a[0][1]", "y"),
        ("a[1][0]", "z"),
    ]


def test_a_whole_checkout_session() -> None:
    params = {
        "mode": "subscription",
        "line_items": [{"price": "price_123", "quantity": 1}],
        "subscription_data": {"trial_period_days": 14, "metadata": {"plan": "pro"}},
        "allow_promotion_codes": True,
        "success_url": "https://example.com/ok?session_id={CHECKOUT_SESSION_ID}",
    }
    assert encode_query(params) == (
        "mode=subscription"
        "&line_items[0][price]=price_123&line_items[0][quantity]=1"
        "&subscription_data[trial_period_days]=14&subscription_data[metadata][plan]=pro"
        "&allow_promotion_codes=true"
        "&success_url=https%3A%2F%2Fexample.com%2Fok%3Fsession_id%3D%7BCHECKOUT_SESSION_ID%7D"
    )


def test_key_order_is_kept() -> None:
    params = {"z": "1", "a": "2", "m": {"y": "3", "b": "4"}}
    assert [k for k, _ in encode_params(params)] == ["z", "a", "m[y]", "m[b]"]
    ordered = OrderedDict([("b", 1), ("a", 2)])
    assert encode_params({"x": ordered}) == [("x[b]", "1"), ("x[a]", "2")]


def test_any_mapping_nests() -> None:
    class Params(dict[str, Any]):
        pass

    assert encode_params(Params(a=Params(b="c"))) == [("a[b]", "c")]


# --- encode_params: scalars ---------------------------------------------------------------------


def test_booleans() -> None:
    assert encode_params({"a": True, "b": False}) == [("a", "true"), ("b", "false")]
    assert encode_params({"l": [True, False]}) == [("l[0]", "true"), ("l[1]", "false")]


def test_ints() -> None:
    assert encode_params({"amount": 2000, "neg": -5, "zero": 0, "big": 10**20}) == [
        ("amount", "2000"),
        ("neg", "-5"),
        ("zero", "0"),
        ("big", "100000000000000000000"),
    ]


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (1.5, "1.5"),
        (0.1, "0.1"),
        (2.0, "2"),
        (-0.0, "0"),
        (1e-7, "0.0000001"),
        (1.5e-10, "0.00000000015"),
        (1e20, "100000000000000000000"),
        (1.23e16, "12300000000000000"),
        (-3.25, "-3.25"),
        (123456.789, "123456.789"),
    ],
)
def test_floats_never_use_an_exponent(value: float, wire: str) -> None:
    assert encode_params({"x": value}) == [("x", wire)]
    assert float(wire) == value


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (Decimal("0.0025"), "0.0025"),
        (Decimal("12.50"), "12.50"),
        (Decimal("1E+3"), "1000"),
        (Decimal("1E-7"), "0.0000001"),
        (Decimal(-4), "-4"),
    ],
)
def test_decimals(value: Decimal, wire: str) -> None:
    assert encode_params({"unit_amount_decimal": value}) == [("unit_amount_decimal", wire)]


@pytest.mark.parametrize(
    "value", [float("nan"), float("inf"), float("-inf"), Decimal("NaN"), Decimal("Infinity")]
)
def test_non_finite_numbers_are_rejected(value: object) -> None:
    with pytest.raises(InvalidParameterError, match=r"^a\[b\]: cannot send") as info:
        encode_params({"a": {"b": value}})
    assert info.value.param == "a[b]"
    assert isinstance(info.value, ValueError)


def test_datetimes_are_unix_seconds() -> None:
    aware = datetime(2024, 1, 1, tzinfo=UTC)
    assert encode_params({"t": aware}) == [("t", "1704067200")]
    # an offset is honoured
    plus_two = datetime(2024, 1, 1, 2, 0, tzinfo=timezone(timedelta(hours=2)))
    assert encode_params({"t": plus_two}) == [("t", "1704067200")]
    # naive is taken as UTC (not local time)
    assert encode_params({"t": datetime(2024, 1, 1)}) == [("t", "1704067200")]
    # sub-second parts are dropped
    assert encode_params({"t": datetime(2024, 1, 1, 0, 0, 0, 999999)}) == [("t", "1704067200")]
    # nested, as in `trial_end` of a subscription item or `created[gte]`
    assert encode_params({"created": {"gte": aware}}) == [("created[gte]", "1704067200")]


def test_dates_are_midnight_utc() -> None:
    assert encode_params({"d": date(2024, 1, 1)}) == [("d", "1704067200")]


def test_enums_send_their_value() -> None:
    class Interval(enum.Enum):
        MONTH = "month"

    class Count(enum.IntEnum):
        TWO = 2

    class Mode(enum.StrEnum):
        PAYMENT = "payment"

    assert encode_params({"i": Interval.MONTH, "c": Count.TWO, "m": Mode.PAYMENT}) == [
        ("i", "month"),
        ("c", "2"),
        ("m", "payment"),
    ]
    assert encode_params({"l": [Interval.MONTH]}) == [("l[0]", "month")]


def test_str_and_int_subclasses() -> None:
    class Id(str):
        def __str__(self) -> str:
            return "not this"

    class Amount(int):
        def __str__(self) -> str:
            return "not this"

    assert encode_params({"a": Id("cus_1"), "b": Amount(5)}) == [("a", "cus_1"), ("b", "5")]
    assert type(encode_params({"a": Id("cus_1")})[0][1]) is str


# --- None, empty values --------------------------------------------------------------------------


def test_none_is_not_sent() -> None:
    assert encode_params({"a": None, "b": "x", "c": {"d": None}}) == [("b", "x")]


def test_empty_string_is_sent_to_unset_a_field() -> None:
    assert encode_params({"description": "", "metadata": ""}) == [
        ("description", ""),
        ("metadata", ""),
    ]
    assert encode_query({"metadata": {"plan": ""}}) == "metadata[plan]="


def test_empty_dict_and_list_send_nothing_like_stripe_python() -> None:
    assert encode_params({"metadata": {}, "expand": [], "x": "1"}) == [("x", "1")]
    assert encode_params({"a": [{}]}) == []


def test_none_inside_a_list_is_an_error() -> None:
    with pytest.raises(TypeError, match=r"^expand\[1\]: None cannot be an item of a list"):
        encode_params({"expand": ["a", None]})


def test_empty_params() -> None:
    assert encode_params({}) == []
    assert encode_query({}) == ""
    assert encode_body({}) == b""


# --- keyword parameter names --------------------------------------------------------------------


def test_keyword_names_lose_their_underscore() -> None:
    assert encode_params({"from_": "a", "is_": True, "class_": "c"}) == [
        ("from", "a"),
        ("is", "true"),
        ("class", "c"),
    ]


def test_keyword_names_nested() -> None:
    assert encode_params({"filter": {"from_": 1, "items": [{"in_": "x"}]}}) == [
        ("filter[from]", "1"),
        ("filter[items][0][in]", "x"),
    ]


def test_other_trailing_underscores_are_kept() -> None:
    assert encode_params({"name_": "a", "from__": "b", "_": "c", "metadata": {"x_": "d"}}) == [
        ("name_", "a"),
        ("from__", "b"),
        ("_", "c"),
        ("metadata[x_]", "d"),
    ]


# --- errors name the parameter ------------------------------------------------------------------


def test_unsupported_value_names_the_full_path() -> None:
    with pytest.raises(TypeError) as info:
        encode_params({"items": [{"price": {"p"}}]})
    assert str(info.value).startswith(
        "items[0][price]: expected str, int, float, bool, list or dict, got set"
    )


@pytest.mark.parametrize(
    ("value", "type_name"),
    [
        (b"raw", "bytes"),
        (bytearray(b"raw"), "bytearray"),
        (frozenset({1}), "frozenset"),
        (object(), "object"),
        (Fraction(1, 3), "Fraction"),
        (iter([1]), "list_iterator"),
        (1 + 2j, "complex"),
    ],
)
def test_unsupported_types(value: object, type_name: str) -> None:
    pattern = re.escape(f"a[b][0]: expected str, int, float, bool, list or dict, got {type_name}")
    with pytest.raises(TypeError, match=f"^{pattern}"):
        encode_params({"a": {"b": [value]}})


def test_bytes_error_says_what_to_do() -> None:
    with pytest.raises(TypeError, match=r"^file: .*got bytes \(decode it to str"):
        encode_params({"file": b"\x00"})


def test_objects_are_not_sent_by_id() -> None:
    class Customer:
        id = "cus_1"

    with pytest.raises(TypeError, match=r"^customer: .* got Customer"):
        encode_params({"customer": Customer()})


def test_non_str_keys_are_rejected_with_their_path() -> None:
    with pytest.raises(TypeError, match=r"^metadata\[1\]: parameter names must be str, got int"):
        encode_params({"metadata": {1: "x"}})
    with pytest.raises(TypeError, match=r"^items\[0\]\[None\]: parameter names must be str"):
        encode_params({"items": [{None: "x"}]})
    with pytest.raises(TypeError, match=r"^b'a': parameter names must be str, got bytes"):
        encode_params({b"a": "x"})  # type: ignore[dict-item]


@pytest.mark.parametrize("key", ["", "a[b", "a]b", "[x]"])
def test_nested_names_cannot_inject_structure(key: str) -> None:
    with pytest.raises(InvalidParameterError, match=r"^metadata\[") as info:
        encode_params({"metadata": {key: "x"}})
    assert info.value.param == f"metadata[{key}]"


def test_empty_top_level_name_is_rejected() -> None:
    with pytest.raises(InvalidParameterError, match="must be non-empty"):
        encode_params({"": "x"})


def test_pre_flattened_top_level_keys_pass_through() -> None:
    # like stripe-python: raw_request users may write the bracketed form themselves
    assert encode_query({"metadata[plan]": "pro", "expand[0]": "x"}) == (
        "metadata[plan]=pro&expand[0]=x"
    )


def test_params_must_be_a_mapping() -> None:
    with pytest.raises(TypeError, match="^params: expected a dict, got list"):
        encode_params([("a", "b")])  # type: ignore[arg-type]


# --- encode_query / encode_body -----------------------------------------------------------------


def test_brackets_stay_literal_and_everything_else_is_escaped() -> None:
    params = {"metadata": {"note": "a&b=c d+e/f?g#h%i[j]"}}
    query = encode_query(params)
    assert query == "metadata[note]=a%26b%3Dc+d%2Be%2Ff%3Fg%23h%25i[j]"
    assert parse_qsl(query) == [("metadata[note]", "a&b=c d+e/f?g#h%i[j]")]


def test_unicode_is_utf8_percent_encoded() -> None:
    params = {"description": "Café ☕ 日本", "metadata": {"ключ": "значение"}}
    body = encode_body(params)
    assert body == (
        b"description=Caf%C3%A9+%E2%98%95+%E6%97%A5%E6%9C%AC"
        b"&metadata[%D0%BA%D0%BB%D1%8E%D1%87]=%D0%B7%D0%BD%D0%B0%D1%87%D0%B5%D0%BD%D0%B8%D0%B5"
    )
    assert decode_form(body) == params


def test_body_is_ascii_bytes_and_matches_query() -> None:
    params = {"a": "é", "b": [1, 2]}
    body = encode_body(params)
    assert isinstance(body, bytes)
    body.decode("ascii")
    assert body.decode() == encode_query(params)


def test_newlines_and_control_characters_are_escaped() -> None:
    assert encode_query({"d": "a\r\nb\x00"}) == "d=a%0D%0Ab%00"


# --- quote_path_param ------------------------------------------------------------------------


def test_plain_ids_are_unchanged() -> None:
    assert quote_path_param("customer", "cus_123") == "cus_123"
    assert quote_path_param("id", "ba_1-x.y~z") == "ba_1-x.y~z"


QUOTED_SEGMENTS = [  # (a path value, how it goes on the wire: within its one segment)
    ("cus_1/../../v1/charges", "cus_1%2F..%2F..%2Fv1%2Fcharges"),
    ("a?b", "a%3Fb"),
    ("a#b", "a%23b"),
    ("a b", "a%20b"),
    ("a%2Fb", "a%252Fb"),
    ("a;b,c=d&e", "a%3Bb%2Cc%3Dd%26e"),
    ("../x", "..%2Fx"),
    ("a\\b", "a%5Cb"),
    ("a\r\nb", "a%0D%0Ab"),
    ("é", "%C3%A9"),
    ("...", "..."),
]


@pytest.mark.parametrize(("value", "quoted"), QUOTED_SEGMENTS)
def test_path_injection_stays_in_one_segment(value: str, quoted: str) -> None:
    assert quote_path_param("customer", value) == quoted
    assert "/" not in quoted and "?" not in quoted and "#" not in quoted


@pytest.mark.parametrize("value", ["", " ", "\t\n", "\u3000"])
def test_empty_ids_are_rejected(value: str) -> None:
    with pytest.raises(InvalidParameterError, match=r"^customer: .*must be a non-empty id") as info:
        quote_path_param("customer", value)
    assert info.value.param == "customer"
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, StripeError)


@pytest.mark.parametrize("value", [".", ".."])
def test_dot_segments_are_rejected(value: str) -> None:
    with pytest.raises(InvalidParameterError, match="^id: .*must be a non-empty id") as info:
        quote_path_param("id", value)
    assert info.value.param == "id"


@pytest.mark.parametrize(
    ("value", "type_name"), [(None, "NoneType"), (123, "int"), (b"cus_1", "bytes")]
)
def test_non_str_ids_are_rejected(value: object, type_name: str) -> None:
    with pytest.raises(TypeError, match=f"^customer: expected a str id, got {type_name}$"):
        quote_path_param("customer", value)


def test_object_instead_of_id_gets_a_hint() -> None:
    class Customer:
        id = "cus_1"

    with pytest.raises(TypeError, match=r"got Customer; pass its id"):
        quote_path_param("customer", Customer())


# --- decode_form --------------------------------------------------------------------------------


def test_decode_nested_and_lists() -> None:
    body = b"metadata[plan]=pro&items[0][price]=p&items[0][quantity]=2&expand[0]=flow_details"
    assert decode_form(body) == {
        "metadata": {"plan": "pro"},
        "items": [{"price": "p", "quantity": "2"}],
        "expand": ["flow_details"],
    }


def test_decode_lists_in_index_order() -> None:
    assert decode_form("a[2]=z&a[0]=x&a[1]=y") == {"a": ["x", "y", "z"]}
    assert decode_form("a[10]=k&a[9]=j&a[2]=c") == {"a": ["c", "j", "k"]}


def test_decode_empty_brackets_append() -> None:
    assert decode_form("expand[]=a&expand[]=b") == {"expand": ["a", "b"]}


def test_decode_percent_brackets_and_plus() -> None:
    assert decode_form("metadata%5Bplan%5D=pro+plan") == {"metadata": {"plan": "pro plan"}}


def test_decode_blank_values_and_last_value_wins() -> None:
    assert decode_form("a=&b=1&b=2") == {"a": "", "b": "2"}


def test_decode_conflicts_are_errors() -> None:
    with pytest.raises(ValueError, match="conflicts"):
        decode_form("a=1&a[b]=2")
    with pytest.raises(ValueError, match="conflicts"):
        decode_form("a[b]=2&a=1")


def test_decode_odd_keys_are_kept_as_they_are() -> None:
    assert decode_form("a]b=1&[x]=2&c[d=3") == {"a]b": "1", "[x]": "2", "c[d": "3"}


def test_decode_mixed_digit_keys_stay_a_dict() -> None:
    assert decode_form("metadata[1]=a&metadata[b]=c") == {"metadata": {"1": "a", "b": "c"}}


def test_decode_empty() -> None:
    assert decode_form(b"") == {}


# --- round trip ----------------------------------------------------------------------------------

_KEYWORDS = {"from_": "from", "is_": "is", "class_": "class", "in_": "in"}
_MISSING = object()


def _wire(value: Any) -> Any:
    """What decode_form(encode_body(...)) gives back for `value`: strings, empties dropped."""
    if value is None:
        return _MISSING
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | str):
        return str(value)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            wired = _wire(item)
            if wired is not _MISSING:
                out[_KEYWORDS.get(key, key)] = wired
        return out or _MISSING
    if isinstance(value, list):
        items = [w for w in (_wire(item) for item in value) if w is not _MISSING]
        return items or _MISSING
    raise AssertionError(value)


def test_round_trip_example() -> None:
    params = {
        "customer": "cus_1",
        "items": [{"price": "p", "quantity": 2, "metadata": {"k": "v w"}}, {"price": "q"}],
        "expand": ["a", "b"],
        "off_session": True,
        "from_": "x",
        "description": "",
        "skip": None,
        "nested": {"deep": {"deeper": [[1, 2], [3]]}},
    }
    expected = _wire(params)
    assert decode_form(encode_body(params)) == expected
    assert decode_form(encode_query(params)) == expected


try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is a dev dependency
    HAVE_HYPOTHESIS = False
else:
    HAVE_HYPOTHESIS = True

if not HAVE_HYPOTHESIS:  # pragma: no cover

    @pytest.mark.skip(reason="hypothesis is not installed")
    def test_property_tests_need_hypothesis() -> None:
        pass

else:
    _keys = st.text(min_size=1, max_size=8).filter(
        lambda k: "[" not in k and "]" not in k and not (k.isascii() and k.isdigit())
    ) | st.sampled_from(list(_KEYWORDS))
    _scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=12)
    _values = st.recursive(
        _scalars,
        lambda children: (
            st.lists(children.filter(lambda v: v is not None), max_size=4)
            | st.dictionaries(_keys, children, max_size=4)
        ),
        max_leaves=20,
    )

    @settings(database=None, max_examples=300, deadline=None)
    @given(st.dictionaries(_keys, _values, max_size=6))
    def test_round_trip_property(params: dict[str, Any]) -> None:
        wired = _wire(params)
        expected = {} if wired is _MISSING else wired
        assert decode_form(encode_body(params)) == expected
        assert decode_form(encode_query(params)) == expected

    @settings(database=None, max_examples=300, deadline=None)
    @given(st.floats(allow_nan=False, allow_infinity=False))
    def test_floats_round_trip_exactly_without_exponent(value: float) -> None:
        (wire,) = decode_form(encode_body({"x": value})).values()
        assert "e" not in wire.lower()
        assert float(wire) == value

    @settings(database=None, max_examples=200, deadline=None)
    @given(st.text(min_size=1).filter(lambda s: not s.isspace() and s not in (".", "..")))
    def test_any_id_is_one_safe_segment(value: str) -> None:
        quoted = quote_path_param("id", value)
        assert re.fullmatch(r"[A-Za-z0-9_.~%-]+", quoted)
        assert unquote(quoted, errors="strict") == value


def test_quoting_matches_quote_plus_for_every_ascii_character() -> None:
    from urllib.parse import quote_plus

    for code in range(128):
        text = f"a{chr(code)}b"
        assert encode_query({"k": text}) == f"k={quote_plus(text, safe='[]')}", repr(text)
    assert encode_query({"k": "trxn_1-A.b~[0]"}) == "k=trxn_1-A.b~[0]"
    assert encode_query({"k": "x\n"}) == "k=x%0A"  # a trailing newline is not unreserved
