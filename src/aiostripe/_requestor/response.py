"""`RawResponse`: a response's status, headers and body before parsing, its JSON decoded once;
and whether the body of a 2xx can be read."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import attrs

from aiostripe import _json
from aiostripe._errors import (
    ResponseParseError,
)

logger = logging.getLogger("aiostripe")

_UNREAD: Any = object()


@attrs.define(slots=True)
class RawResponse:
    """A response's status, headers and body, before parsing."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    _data: Any = attrs.field(default=_UNREAD, init=False, eq=False, repr=False)

    @property
    def request_id(self) -> str | None:
        return self.headers.get("Request-Id")

    def json(self) -> Any:
        """The decoded JSON body (decoded once); ResponseParseError if it is not JSON."""
        if self._data is not _UNREAD:
            return self._data
        try:
            self._data = _json.loads(self.body)
            return self._data
        except ValueError as exc:
            what = "JSON nested too deep" if isinstance(exc, _json.TooDeep) else "invalid JSON"
            raise ResponseParseError(
                f"{what} in a {self.status} response (request id {self.request_id}): "
                f"{self.body[:200]!r}",
                http_status=self.status,
                http_body=self.body.decode("utf-8", "replace"),
                headers=dict(self.headers),
                request_id=self.request_id,
            ) from None


def _unreadable(response: RawResponse) -> ResponseParseError | None:
    """Why the body of a 2xx cannot be read (JSON that does not decode), None if it can;
    bodies of other content types (a PDF) are taken as they are."""
    if "json" not in response.headers.get("Content-Type", "application/json"):
        return None
    try:
        response.json()
    except ResponseParseError as exc:
        return exc
    return None


