"""Webhook endpoints: https://docs.stripe.com/api/webhook_endpoints/create.

A new endpoint is `enabled` and gets a signing secret (`whsec_...`), returned only by the create
call (later retrievals leave it out), with which the fake signs every delivery to it. Updating it
with `disabled=true` stops its deliveries (`status: "disabled"`) until `disabled=false`.

The fake sends webhooks only to loopback URLs (`127.0.0.0/8`, `::1`, `localhost`): an endpoint at
another URL is refused with Stripe's error shape (400 `invalid_request_error`, `param: "url"`), so
a fake that anyone can reach never posts to machines it should not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiostripe.testing import errors
from aiostripe.testing.behaviours.registry import behaviour
from aiostripe.testing.signed_post import is_loopback_url

if TYPE_CHECKING:
    from aiostripe.testing.handlers import Call


def _check_url(params: dict[str, Any]) -> None:
    if "url" in params and not is_loopback_url(params["url"]):
        raise errors.invalid_request(
            f"Invalid URL: {params['url']!r}. The fake Stripe delivers webhooks only to loopback "
            f"URLs (http://127.0.0.1:PORT/..., http://[::1]:PORT/..., http://localhost:PORT/...)",
            param="url",
            code="url_invalid",
        )


@behaviour("webhook_endpoints.create")
def create(call: Call) -> dict[str, Any]:
    params = call.params
    _check_url(params)

    def adjust(obj: dict[str, Any]) -> dict[str, Any]:
        return {
            **obj,
            "status": "enabled",
            "description": params.get("description"),
            "api_version": params.get("api_version"),
            "application": None,
            "secret": None,
        }

    endpoint: dict[str, Any] = call.on_create(adjust)
    secret = call.world.webhooks.new_secret(endpoint["id"])
    if params.get("connect"):
        call.world.webhooks.connect.add(endpoint["id"])
    return {**endpoint, "secret": secret}


@behaviour("webhook_endpoints.update")
def update(call: Call) -> dict[str, Any]:
    params = call.params
    _check_url(params)
    updated: dict[str, Any] = call.on_update()
    disabled = params.get("disabled")
    if disabled is not None:
        status = "disabled" if disabled in (True, "true") else "enabled"
        updated = {**updated, "status": status}
        call.store.replace(updated)
    return updated
