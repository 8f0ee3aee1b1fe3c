"""A FastAPI app with one aiostripe client for the whole app: made in the lifespan (so it lives on
the app's event loop), shared by every request, closed on shutdown.

    pip install aiostripe fastapi uvicorn
    STRIPE_API_KEY=sk_test_... uvicorn examples.fastapi_app:app

`STRIPE_BASE_URL` points it elsewhere (the fake Stripe: `python -m aiostripe.testing --port 12111`
and `STRIPE_BASE_URL=http://127.0.0.1:12111`).
"""

from __future__ import annotations

import os
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request

import aiostripe


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncGenerator[None, None]:
    async with aiostripe.StripeClient(
        os.environ["STRIPE_API_KEY"],
        base_url=os.environ.get("STRIPE_BASE_URL", "https://api.stripe.com"),
        max_connections=50,
    ) as stripe:
        app.state.stripe = stripe
        yield  # the app serves requests; leaving the block closes the client's session


app = FastAPI(lifespan=lifespan)


def get_stripe(request: Request) -> aiostripe.StripeClient:
    stripe: aiostripe.StripeClient = request.app.state.stripe
    return stripe


Stripe = Annotated[aiostripe.StripeClient, Depends(get_stripe)]


@app.post("/customers")
async def create_customer(email: str, stripe: Stripe) -> dict[str, str]:
    customer = await stripe.customers.create(email=email)
    return {"id": customer.id}


@app.post("/accounts/{account_id}/customers")
async def create_connected_customer(account_id: str, email: str, stripe: Stripe) -> dict[str, str]:
    tenant = stripe.with_options(stripe_account=account_id)  # shares the app client's pool
    customer = await tenant.customers.create(email=email)
    return {"id": customer.id}
