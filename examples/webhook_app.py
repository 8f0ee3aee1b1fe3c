"""A Stripe webhook endpoint with aiohttp: verified, typed events routed to async callbacks.

Run it (it listens on 127.0.0.1 only)::

    STRIPE_WEBHOOK_SECRET=whsec_... python examples/webhook_app.py [port]

and forward events to it, e.g. with the Stripe CLI (which prints the `whsec_...` secret to use)::

    stripe listen --forward-to localhost:8000/stripe/webhook
    stripe trigger payment_intent.succeeded

The port comes from the first argument, else from `PORT`, else 8000.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping, Sequence

from aiohttp import web

from aiostripe.models import PaymentIntent
from aiostripe.webhooks import Event, WebhookRouter, aiohttp_handler

log = logging.getLogger("webhook_app")

router = WebhookRouter()


@router.on("payment_intent.succeeded")
async def payment_succeeded(event: Event[PaymentIntent]) -> None:
    intent = event.data.object  # a PaymentIntent, for mypy and at run time
    log.info(
        "%s: payment %s of %s %s succeeded", event.id, intent.id, intent.amount, intent.currency
    )


@router.on("payment_intent.payment_failed", "charge.failed")
async def payment_failed(event: Event) -> None:
    log.warning("%s: %s for %s", event.id, event.type, event.data.object["id"])


@router.catch_all
async def log_every_event(event: Event) -> None:
    log.info("%s: received %s", event.id, event.type)


def build_app(secret: str | Sequence[str]) -> web.Application:
    """The application: Stripe posts events to `/stripe/webhook`."""
    app = web.Application()
    app.router.add_post("/stripe/webhook", aiohttp_handler(secret, router))
    return app


def port_from(argv: Sequence[str], environ: Mapping[str, str]) -> int:
    """The port: first command-line argument, else `PORT`, else 8000."""
    if len(argv) > 1:
        return int(argv[1])
    return int(environ.get("PORT", "8000"))


def main(argv: Sequence[str] = sys.argv) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    secret = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
    if not secret:
        print(
            "set STRIPE_WEBHOOK_SECRET to the endpoint's signing secret (whsec_...)",
            file=sys.stderr,
        )
        return 2
    # several secrets while rolling the endpoint's secret: "whsec_new,whsec_old"
    secrets = [s.strip() for s in secret.split(",") if s.strip()]
    web.run_app(build_app(secrets), host="127.0.0.1", port=port_from(argv, os.environ))
    return 0


if __name__ == "__main__":
    sys.exit(main())
