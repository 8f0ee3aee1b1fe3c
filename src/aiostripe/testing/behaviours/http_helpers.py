"""The fake's own test helpers over HTTP, for a fake run on its own (`python -m aiostripe.testing`)
and driven from another process or language: what the customer does in a browser.

    POST /_fake/payment_intents/{id}/authenticate   [succeed=false]   3D Secure (also seti_...)
    POST /_fake/setup_intents/{id}/authenticate     [succeed=false]
    POST /_fake/checkout/sessions/{id}/complete     [payment_method=pm_card_visa]
    POST /_fake/payouts/{id}/settle                 [status=in_transit]   pending -> paid
    POST /_fake/payouts/{id}/fail                   [failure_code=...]
    POST /_fake/webhooks/wait                                          every delivery done

They answer the object as JSON (the `/v1` API's error shape on failure) and are not part of
Stripe's API: `/_fake/` keeps them apart from it. In Python, call `fake.authenticate`,
`fake.complete_checkout`, `fake.settle_payout`, `fake.fail_payout` and `await fake.webhooks.wait()`
instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from aiostripe._encode import decode_form

if TYPE_CHECKING:
    from aiostripe.testing.server import FakeStripe


def add_routes(app: web.Application, fake: FakeStripe) -> None:
    """Serve the helpers on `app` (before its catch-all route)."""

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

    app.router.add_post("/_fake/payment_intents/{id}/authenticate", authenticate)
    app.router.add_post("/_fake/setup_intents/{id}/authenticate", authenticate)
    app.router.add_post("/_fake/checkout/sessions/{id}/complete", complete)
    app.router.add_post("/_fake/payouts/{id}/settle", settle_payout)
    app.router.add_post("/_fake/payouts/{id}/fail", fail_payout)
    app.router.add_post("/_fake/webhooks/wait", wait)


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


def _error(status: int, message: str) -> web.Response:
    return web.json_response(
        {"error": {"type": "invalid_request_error", "message": message}}, status=status
    )
