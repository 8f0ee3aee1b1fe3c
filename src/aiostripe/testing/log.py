"""The request log of the fake: one record per request received, for assertions in tests."""

from __future__ import annotations

from typing import Any

import attrs


@attrs.define
class RequestRecord:
    """A request as the fake received it, and what it answered.

    `query` and `form` are decoded into nested dicts and lists (values stay strings, uploaded
    files are `UploadedFile`s); `params` is both merged. `operation` is the client method the
    request maps to (`"customers.create"`), None for an unknown URL. `fault` names the injected
    fault that answered it, if any.
    """

    method: str
    path: str
    query: dict[str, Any]
    form: dict[str, Any]
    headers: dict[str, str]
    request_id: str
    operation: str | None = None
    status: int | None = None
    fault: str | None = None
    replayed: bool = False
    answer: Any = None
    """The JSON body answered to a `/v2/` request (for checks against the spec)."""

    @property
    def params(self) -> dict[str, Any]:
        return {**self.query, **self.form}

    @property
    def api_key(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        return auth[7:] if auth.startswith("Bearer ") else None

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("Idempotency-Key")
