"""The fake's own test helpers over HTTP, for a fake run on its own (`python -m aiostripe.testing`)
and driven from another process or language: what the customer does in a browser.

    POST /_fake/payment_intents/{id}/authenticate   [succeed=false]   3D Secure (also seti_...)
    POST /_fake/setup_intents/{id}/authenticate     [succeed=false]
    POST /_fake/checkout/sessions/{id}/complete     [payment_method=pm_card_visa]
    POST /_fake/payouts/{id}/settle                 [status=in_transit]   pending -> paid
    POST /_fake/payouts/{id}/fail                   [failure_code=...]
    POST /_fake/webhooks/wait                                          every delivery done

They answer the object as JSON (the `/v1` API's error shape on failure) and are not part of
Stripe's API: `/_fake/` keeps them apart from it. Like the API, they need a key, a test one
(`Authorization: Bearer sk_test_...`): 401 without a valid key, 403 with a live one. In Python, call `fake.authenticate`,
`fake.complete_checkout`, `fake.settle_payout`, `fake.fail_payout` and `await fake.webhooks.wait()`
instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from aiostripe._encode import decode_form
from aiostripe.testing.errors import StripeHTTPError
from aiostripe.testing.keys import api_key_of

if TYPE_CHECKING:
    from aiostripe.testing.server import FakeStripe


Handler = Callable[[web.Request], Awaitable[web.Response]]


def _test_key_only(handler: Handler) -> Handler:
    """`handler` behind the API's authentication, test keys only."""

    async def authorized(request: web.Request) -> web.Response:
        try:
            key = api_key_of(request.headers.get("Authorization"))
        except StripeHTTPError as exc:
            return web.json_response(exc.body(), status=exc.status)
        if "_test_" not in key:
            return _error(
                403, "The fake's test helpers (/_fake/...) need a test key (sk_test_...)",
                "permission_error",
            )
        return await handler(request)

    return authorized


def add_routes(app: web.Application, fake: FakeStripe) -> None:
    """Serve the helpers on `app` (before its catch-all route), each behind a test key."""

    async def authenticate(request: web.Request) -> web.Response:
        form = await _form(request)
        succeed = str(form.get("succeed", "true")).lower() != "false"
        return _answer(lambda: fake.authenticate(request.match_info["id"], succeed=succeed))

    async def complete(request: web.Request) -> web.Response:
        form = await _form(request)
        pm = str(form.get("payment_method") or "pm_card_visa")
        return _answer(lambda: fake.complete_checkout(request.match_info["id"], payment_method=pm))

    async def settle_payout(request: web.Request) -> web.Response:
        status = str((await _form(request)).get("status") or "paid")
        return _answer(lambda: fake.settle_payout(request.match_info["id"], status=status))

    async def fail_payout(request: web.Request) -> web.Response:
        code = str((await _form(request)).get("failure_code") or "could_not_process")
        return _answer(lambda: fake.fail_payout(request.match_info["id"], code))

    async def wait(request: web.Request) -> web.Response:
        await fake.webhooks.wait()
        return web.json_response({"attempts": len(fake.webhooks.attempts)})

    routes: list[tuple[str, Handler]] = [
        ("/_fake/payment_intents/{id}/authenticate", authenticate),
        ("/_fake/setup_intents/{id}/authenticate", authenticate),
        ("/_fake/checkout/sessions/{id}/complete", complete),
        ("/_fake/payouts/{id}/settle", settle_payout),
        ("/_fake/payouts/{id}/fail", fail_payout),
        ("/_fake/webhooks/wait", wait),
    ]
    for path, handler in routes:
        app.router.add_post(path, _test_key_only(handler))


async def _form(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    return decode_form(raw) if raw else {}


def _answer(run: Any) -> web.Response:
    try:
        return web.json_response(run())
    except KeyError as exc:
        return _error(404, f"No such object: {exc.args[0]!r}")
    except ValueError as exc:
        return _error(400, str(exc))


def _error(status: int, message: str, kind: str = "invalid_request_error") -> web.Response:
    return web.json_response({"error": {"type": kind, "message": message}}, status=status)
