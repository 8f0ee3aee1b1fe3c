"""Result types narrower than the spec says, for the calls where Stripe documents more.

For the type checker only: the objects are the models themselves at run time (a
`CreatedWebhookEndpoint` is a `WebhookEndpoint` whose `secret` is set), so `isinstance` checks
go against the model. `codegen/ir.py` (`NARROWED_RESULTS`) names the operations that return them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiostripe._generated.models.webhook_endpoint import WebhookEndpoint

    class CreatedWebhookEndpoint(WebhookEndpoint):
        """The endpoint `stripe.webhook_endpoints.create` returns: Stripe sends its signing
        `secret` (`whsec_...`) in that answer only (retrieve and list leave it out)."""

        secret: str  # pyright: ignore[reportIncompatibleVariableOverride]
