"""The one JSON decoder and encoder of the package: msgspec, with the standard library behind it.

msgspec decodes Stripe's pretty-printed bodies about twice as fast as `json.loads` (measured in
docs/decisions.md), integers of any size included (orjson turns those beyond 64 bits into
floats). What it refuses and the standard library accepts (`NaN`, lone surrogates) goes to
`json`, so the results and the errors are those of `json`, only sooner.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

_decode = msgspec.json.Decoder().decode
_encode = msgspec.json.Encoder().encode


def loads(data: bytes | str) -> Any:
    """Decoded JSON; raises `ValueError` (`json.JSONDecodeError`) for what is not JSON."""
    try:
        return _decode(data)
    except msgspec.DecodeError:
        return json.loads(data)


def dumps(value: Any) -> str:
    """Compact JSON text with non-ASCII characters as they are: `json.dumps(value,
    separators=(",", ":"), ensure_ascii=False)`, except that floats may be written in another
    form of the same number (`1e16` for `1e+16`) and NaN and infinities, which JSON lacks, as
    `null`."""
    try:
        return _encode(value).decode()
    except (TypeError, msgspec.EncodeError):  # what msgspec cannot encode
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
