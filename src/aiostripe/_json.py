"""The one JSON decoder and encoder of the package: msgspec, with the standard library behind it.

msgspec decodes Stripe's pretty-printed bodies about twice as fast as `json.loads` (measured in
docs/decisions.md), integers of any size included (orjson turns those beyond 64 bits into
floats). What it refuses and the standard library accepts (`NaN`, lone surrogates) goes to
`json`, so the results and the errors are those of `json`, only sooner.
"""

from __future__ import annotations

import json
import re
from typing import Any

import msgspec

_decode = msgspec.json.Decoder().decode
_encode = msgspec.json.Encoder().encode


def loads(data: bytes | str) -> Any:
    """Decoded JSON; raises `ValueError` (`json.JSONDecodeError`) for what is not JSON, and for
    JSON nested too deep for the interpreter's stack (`TooDeep`, never a `RecursionError`)."""
    try:
        return _decode(data)
    except msgspec.DecodeError:
        try:
            return json.loads(data)
        except RecursionError:
            raise TooDeep() from None
    except RecursionError:
        raise TooDeep() from None


class TooDeep(ValueError):
    """JSON nested deeper than can be decoded (Stripe's objects nest a dozen levels at most)."""

    def __init__(self) -> None:
        super().__init__("JSON nested too deep to decode")


def dumps(value: Any) -> str:
    """Compact JSON text with non-ASCII characters as they are: `json.dumps(value,
    separators=(",", ":"), ensure_ascii=False)`, except that floats may be written in another
    form of the same number (`1e16` for `1e+16`) and NaN and infinities, which JSON lacks, as
    `null`. A lone surrogate (`"\\ud800"`, which `loads` accepts as `json` does) is written as
    its `\\uXXXX` escape, so the text always encodes to UTF-8."""
    try:
        return _encode(value).decode()
    except (TypeError, msgspec.EncodeError, UnicodeEncodeError):  # what msgspec cannot encode
        return escape_surrogates(json.dumps(value, separators=(",", ":"), ensure_ascii=False))


_SURROGATE = re.compile("[\ud800-\udfff]")


def escape_surrogates(text: str) -> str:
    """JSON text with its lone surrogates (not UTF-8 encodable) as `\\uXXXX` escapes: the same
    JSON value, text that can be written out."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
