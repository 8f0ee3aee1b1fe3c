"""The aiohttp application of the fake: one handler for every URL.

A request goes through: request log, scripted latency and faults, rate limit, authentication,
routing to an operation of `ir.json`, decoding of the query and form body, idempotency, validation
against the operation's params TypedDict, and finally the operation's behaviour on the store.
Every answer carries a `Request-Id`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
import string
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import attrs
from aiohttp import BodyPartReader, web

from aiostripe._encode import decode_form
from aiostripe._generated import API_VERSION
from aiostripe.testing import errors
from aiostripe.testing.behaviours import RequestContext, http_helpers
from aiostripe.testing.errors import ParamError, StripeHTTPError
from aiostripe.testing.faults import Fault
from aiostripe.testing.keys import api_key_of, redact_key
from aiostripe.testing.log import (
    MAX_KEPT_PARAMS,
    RequestRecord,
    bearer_key,
    bound_params,
    logged_headers,
    trim,
)
from aiostripe.testing.operations import Operation
from aiostripe.testing.validate import UploadedFile, content_type_error, validate

if TYPE_CHECKING:
    from aiostripe.testing.server import FakeStripe

_ALNUM = string.ascii_letters + string.digits
MAX_BODY = 64 * 1024 * 1024
logger: logging.Logger = logging.getLogger("aiostripe.testing")


@attrs.frozen
class _Reply:
    status: int
    body: bytes
    headers: dict[str, str]
    content_type: str = "application/json"


@attrs.frozen
class _Saved:
    """An idempotent result: the fingerprint of its request and the reply to replay."""

    fingerprint: str
    reply: _Reply


def build_app(fake: FakeStripe) -> web.Application:
    """The aiohttp application serving `fake`."""
    app = web.Application(client_max_size=MAX_BODY)
    http_helpers.add_routes(app, fake)  # the fake's own `/_fake/...` test helpers
    app.router.add_route("*", "/{tail:.*}", _Server(fake).handle)
    return app


def _json(body: Any) -> bytes:
    return json.dumps(body, default=_fingerprint_default).encode()


def _fingerprint_default(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        return [value.filename, value.content_type, hashlib.sha256(value.data).hexdigest()]
    return repr(value)


class _Server:
    """The request handler, bound to one fake."""

    def __init__(self, fake: FakeStripe) -> None:
        self.fake = fake
        self.saved: dict[tuple[str, str], _Saved] = fake.idempotent_results
        self._ids = random.Random()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        fake = self.fake
        request_id = "req_" + "".join(self._ids.choices(_ALNUM, k=14))
        method = request.method.lower()
        raw_path = request.rel_url.raw_path
        match = fake.router.match(method, raw_path)
        op, path_params = match if match is not None else (None, {})
        record = RequestRecord(
            method=request.method.upper(),
            path=request.path,
            query={},
            form={},
            headers=logged_headers(request.headers),
            request_id=request_id,
            operation=op.name if op is not None else None,
            api_key=bearer_key(request.headers),
        )
        fake.requests.append(record)
        try:
            return await self._answer(request, record, op, path_params)
        finally:  # the request is answered: its record keeps a bounded copy of its parameters
            received = (request.content_length or 0) + len(request.query_string)
            if request.content_length is None and request.can_read_body:
                received = MAX_KEPT_PARAMS + 1  # (a body of unknown length: measured)
            bound_params(record, received)
            fake.logged_bytes = trim(fake.requests, fake.logged_bytes + record.size)

    async def _answer(
        self,
        request: web.Request,
        record: RequestRecord,
        op: Operation | None,
        path_params: Mapping[str, str],
    ) -> web.StreamResponse:
        fake = self.fake
        method = request.method.lower()
        request_id = record.request_id
        template = op.path if op is not None else None
        try:
            record.query, record.form = await _read_params(request)
        except ValueError as exc:
            reply = self._error(
                errors.invalid_request(f"Invalid request body: {exc}"), request_id, request
            )
            return self._send(record, reply)
        delay = fake.faults.delay(method, request.path, template)
        if delay:
            await asyncio.sleep(delay)
        fault = fake.faults.take(method, request.path, template)
        if fault is not None:
            record.fault = fault.kind
            if fault.kind == "drop" and not fault.after_handling:
                return await _drop(request)
            if fault.kind == "fail":
                return self._send(record, self._fault_reply(fault, request_id, request))
            if fault.kind == "lock_timeout":
                error = errors.rate_limited(lock_timeout=True)
                return self._send(record, self._error(error, request_id, request))
        if fake.faults.over_rate():
            record.fault = "rate_limit"
            return self._send(record, self._error(errors.rate_limited(), request_id, request))
        reply = self._process(request, record, op, path_params)
        record.status = reply.status
        if fault is not None and fault.kind == "drop":
            return await _drop(request)
        if fault is not None and fault.kind == "truncate":
            return await _truncated(request, reply)
        return _response(reply)

    def _send(self, record: RequestRecord, reply: _Reply) -> web.Response:
        record.status = reply.status
        return _response(reply)

    def _headers(self, request: web.Request, request_id: str) -> dict[str, str]:
        headers = {
            "Request-Id": request_id,
            "Stripe-Version": request.headers.get("Stripe-Version", API_VERSION),
        }
        key = request.headers.get("Idempotency-Key")
        if key and request.method == "POST":
            headers["Idempotency-Key"] = key
        return headers

    def _error(self, error: StripeHTTPError, request_id: str, request: web.Request) -> _Reply:
        headers = {**self._headers(request, request_id), **error.headers}
        return _Reply(error.status, _json(error.body()), headers)

    def _fault_reply(self, fault: Fault, request_id: str, request: web.Request) -> _Reply:
        headers = {**self._headers(request, request_id), **fault.headers}
        body = fault.body
        if body is None:
            return _Reply(
                fault.status, _json({"error": errors.default_error(fault.status)}), headers
            )
        if isinstance(body, Mapping):
            return _Reply(fault.status, _json(body), headers)
        raw = body.encode() if isinstance(body, str) else bytes(body)
        return _Reply(fault.status, raw, headers)

    def _process(
        self,
        request: web.Request,
        record: RequestRecord,
        op: Operation | None,
        path_params: Mapping[str, str],
    ) -> _Reply:
        """A v1 request's reply: key, route, idempotent replay, content type, params, then the
        operation's handler; a POST with an `Idempotency-Key` saves its reply for replays."""
        request_id = record.request_id
        if op is not None and op.path.startswith("/v2/"):
            return _v2_reply(self, request, record, op, path_params)
        try:
            api_key = api_key_of(request.headers.get("Authorization"))
            if op is None:
                raise errors.unrecognized_url(request.method, request.path)
        except StripeHTTPError as exc:
            return self._error(exc, request_id, request)
        idempotency_key = request.headers.get("Idempotency-Key")
        slot: tuple[str, str] | None = None
        fingerprint = ""
        if idempotency_key and request.method == "POST":
            slot = (api_key, idempotency_key)
            fingerprint = _json([request.method, request.rel_url.raw_path, record.params]).decode()
            saved = self.saved.get(slot)
            if saved is not None:
                return self._replayed(saved, fingerprint, idempotency_key, request, record)
        wrong_type = content_type_error(
            request.method, op.multipart, request.headers.get("Content-Type")
        )
        if wrong_type is not None:
            return self._error(errors.invalid_request(wrong_type), request_id, request)
        try:
            valid = validate(op.params_type(), record.params, listing=op.kind in ("list", "search"))
        except ParamError as exc:
            error = errors.invalid_request(exc.message, param=exc.param)
            return self._error(error, request_id, request)
        reply, keep = self._handled(request, record, op, path_params, valid, api_key)
        if slot is not None and keep:
            self.saved[slot] = _Saved(fingerprint, reply)
        return reply

    def _replayed(
        self, saved: _Saved, fingerprint: str, key: str, request: web.Request,
        record: RequestRecord,
    ) -> _Reply:
        """The saved reply of an idempotency key (Stripe's 400 when the request differs)."""
        if saved.fingerprint != fingerprint:
            return self._error(errors.idempotency_mismatch(key), record.request_id, request)
        record.replayed = True
        headers = {**saved.reply.headers, "Idempotent-Replayed": "true"}
        return attrs.evolve(saved.reply, headers=headers)

    def _handled(
        self,
        request: web.Request,
        record: RequestRecord,
        op: Operation,
        path_params: Mapping[str, str],
        valid: dict[str, Any],
        api_key: str,
    ) -> tuple[_Reply, bool]:
        """The operation's handler's answer (Stripe's error shape for its refusals; a 500 for a
        bug of the fake, which is logged), and whether an idempotency key keeps it (not a bug's)."""
        request_id = record.request_id
        livemode = "_live_" in api_key
        context = RequestContext(
            request_id=request_id,
            idempotency_key=(
                request.headers.get("Idempotency-Key") if request.method == "POST" else None
            ),
            account=request.headers.get("Stripe-Account") or None,
            livemode=livemode,
            api_key=redact_key(api_key),
        )
        try:
            answer = self.fake.handlers.handle(
                op, path_params, valid, path=request.path, livemode=livemode, context=context,
            )
        except StripeHTTPError as exc:
            return self._error(exc, request_id, request), True
        except Exception as exc:  # a bug of the fake: answered like Stripe's 500, and logged
            logger.exception("the fake Stripe failed on %s %s", request.method, request.path)
            error = StripeHTTPError(
                500, {"type": "api_error", "message": f"the fake Stripe failed: {exc!r}"}
            )
            return self._error(error, request_id, request), False
        body = answer.body if isinstance(answer.body, bytes) else _json(answer.body)
        headers = self._headers(request, request_id)
        return _Reply(answer.status, body, headers, answer.content_type), True


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Any]]:
    """The decoded query and form (or v2 JSON) body of a request."""
    query = decode_form(request.query_string) if request.query_string else {}
    if request.content_type == "multipart/form-data":
        return query, await _read_multipart(request)
    if request.content_type == "application/json" and request.can_read_body:
        body = json.loads(await request.read() or b"{}")
        if not isinstance(body, dict):
            raise ValueError("the JSON body is not an object")
        return query, body
    if not request.can_read_body:
        return query, {}
    raw = await request.read()
    try:
        return query, decode_form(raw) if raw else {}
    except UnicodeDecodeError as exc:
        raise ValueError("the body is not UTF-8 form data") from exc


def _v2_reply(self: _Server, request: web.Request, record: RequestRecord, op: Operation,
              path_params: Mapping[str, str]) -> _Reply:
    """A `/v2/` operation: bearer key (a meter event session token on the stream), an
    idempotency key on POST and DELETE, a JSON body on POST, then `fake.v2`."""
    from aiostripe.testing.v2 import V2Request
    from aiostripe.testing.v2.errors import invalid

    fake, request_id = self.fake, record.request_id
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    host = "meter_events" if sockname and sockname[1] == fake.meter_events_port else "api"
    auth = request.headers.get("Authorization", "")
    token = auth[7:].strip() if auth.startswith("Bearer ") else None
    try:
        if op.path != "/v2/billing/meter_event_stream":
            try:
                token = api_key_of(auth)
            except StripeHTTPError as exc:  # v2's errors always have a code
                exc.error.setdefault("code", "unauthorized")
                raise
        if request.method == "POST" and not (request.content_type == "application/json"
                                             or not request.can_read_body):
            raise invalid("v2 requests take a JSON body (Content-Type: application/json)",
                          "invalid_content_type")
    except StripeHTTPError as exc:
        reply = self._error(exc, request_id, request)
        record.answer = json.loads(reply.body)
        return reply
    idempotency_key = request.headers.get("Idempotency-Key")
    slot: tuple[str, str] | None = None
    fingerprint = ""
    if idempotency_key and request.method in ("POST", "DELETE"):
        slot = (token or "", idempotency_key)
        fingerprint = _json([request.method, request.rel_url.raw_path, record.params]).decode()
        saved = self.saved.get(slot)
        if saved is not None:
            if saved.fingerprint != fingerprint:
                error = errors.idempotency_mismatch(idempotency_key)
                error.error["code"] = "idempotency_key_reused"
                return self._error(error, request_id, request)
            record.replayed = True
            return attrs.evolve(saved.reply, headers={**saved.reply.headers,
                                                       "Idempotent-Replayed": "true"})
    context = V2Request(request.path, request_id, idempotency_key,
                        "_live_" in (token or ""), host, token)
    try:
        body = fake.v2.handle(op.name, context, path_params, dict(record.params))
    except StripeHTTPError as exc:
        reply = self._error(exc, request_id, request)
    except Exception as exc:  # a bug of the fake: answered like Stripe's 500, and logged
        logger.exception("the fake Stripe failed on %s %s", request.method, request.path)
        error = StripeHTTPError(500, {"type": "api_error", "code": "internal_error",
                                      "message": f"the fake Stripe failed: {exc!r}"})
        return self._error(error, request_id, request)
    else:
        reply = _Reply(200, _json(body), self._headers(request, request_id))
    if slot is not None:
        self.saved[slot] = _Saved(fingerprint, reply)
    record.answer = json.loads(reply.body)
    return reply


async def _read_multipart(request: web.Request) -> dict[str, Any]:
    reader = await request.multipart()
    pairs: list[tuple[str, str]] = []
    files: dict[str, UploadedFile] = {}
    while True:
        part = await reader.next()
        if part is None:
            break
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        if part.filename is not None:
            data = await part.read(decode=False)
            files[part.name] = UploadedFile(part.filename, part.headers.get("Content-Type"), data)
        else:
            pairs.append((part.name, await part.text()))
    form = decode_form(urlencode(pairs)) if pairs else {}
    form.update(files)
    return form


def _response(reply: _Reply) -> web.Response:
    response = web.Response(status=reply.status, body=reply.body, headers=reply.headers)
    response.content_type = reply.content_type
    return response


async def _drop(request: web.Request) -> web.StreamResponse:
    """Close the connection without an answer."""
    transport = request.transport
    if transport is not None:
        transport.abort()
    raise asyncio.CancelledError


async def _truncated(request: web.Request, reply: _Reply) -> web.StreamResponse:
    """Send the headers with the full length but only half of the body, then close."""
    response = web.StreamResponse(status=reply.status, headers=reply.headers)
    response.content_type = reply.content_type
    response.content_length = len(reply.body)
    await response.prepare(request)
    await response.write(reply.body[: len(reply.body) // 2])
    transport = request.transport
    if transport is not None:
        transport.abort()
    return response
