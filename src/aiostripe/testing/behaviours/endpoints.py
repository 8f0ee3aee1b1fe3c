"""Webhook endpoints: https://docs.stripe.com/api/webhook_endpoints/create.

A new endpoint is `enabled` and gets a signing secret (`whsec_...`), returned only by the create
call (later retrievals leave it out), with which the fake signs every delivery to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiostripe.testing.behaviours.registry import behaviour

if TYPE_CHECKING:
    from aiostripe.testing.handlers import Call


@behaviour("webhook_endpoints.create")
def create(call: Call) -> dict[str, Any]:
    params = call.params

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
