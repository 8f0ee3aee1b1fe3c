"""The generated client is typed for users: mypy --strict rejects a misspelt parameter, a wrong
enum value and a misspelt request option, and infers the models a call returns."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.gen_helpers import REPO

USER_CODE = '''\
import aiostripe


async def main() -> None:
    async with aiostripe.StripeClient("sk_test_x") as stripe:
        c = await stripe.customers.create(email="a@b.c", metadata={"k": "v"})
        reveal_type(c)
        page = await stripe.treasury.transactions.list(financial_account="fa_1", limit=100)
        reveal_type(page.data)
        async for tx in stripe.treasury.transactions.list(financial_account="fa_1"):
            reveal_type(tx.flow_type)
        await stripe.customers.update("cus_1", description="", tax_exempt="none")
        await stripe.customers.create(emial="typo")
        await stripe.customers.create(tax_exempt="sometimes")
        await stripe.customers.create(request_options={"stripe_acount": "acct_1"})
        reveal_type(stripe.with_options(stripe_account="acct_1", max_retries=3))
        stripe.with_options(stripe_acount="acct_1")
'''


def test_mypy_checks_calls_and_infers_results(tmp_path: Path) -> None:
    source = tmp_path / "user_code.py"
    source.write_text(USER_CODE)
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", str(source)],
        check=False, capture_output=True, text=True, cwd=REPO, timeout=300,
        env={**os.environ, "MYPYPATH": str(REPO / "src")},
    )
    out = proc.stdout
    by_line: dict[int, list[str]] = {}
    for line in out.splitlines():
        parts = line.split(":", 3)
        if len(parts) == 4 and parts[1].isdigit():
            by_line.setdefault(int(parts[1]), []).append(parts[3])
    lines = USER_CODE.splitlines()

    def at(text: str) -> str:
        return " ".join(by_line.get(lines.index(text) + 1, []))

    assert "models.customer.Customer" in at("        reveal_type(c)"), out
    assert "list[aiostripe._generated.models.treasury_transaction.TreasuryTransaction]" in at(
        "        reveal_type(page.data)"
    ), out
    assert "Literal['credit_reversal']" in at("            reveal_type(tx.flow_type)"), out
    assert 'Unexpected keyword argument "emial"' in at(
        '        await stripe.customers.create(emial="typo")'
    ), out
    assert "tax_exempt" in at('        await stripe.customers.create(tax_exempt="sometimes")'), out
    assert "request_options" in at(
        '        await stripe.customers.create(request_options={"stripe_acount": "acct_1"})'
    ), out
    assert not at('        await stripe.customers.update("cus_1", description="", tax_exempt="none")')
    assert "aiostripe._client.StripeClient" in at(
        '        reveal_type(stripe.with_options(stripe_account="acct_1", max_retries=3))'
    ), out
    assert 'Unexpected keyword argument "stripe_acount"' in at(
        '        stripe.with_options(stripe_acount="acct_1")'
    ), out
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert len(errors) == 4, out


# Issue #12: return types and params that fit user code, typed webhook handlers.
USER_CODE_12 = '''\
import aiostripe
from aiostripe.models import Invoice, PaymentIntent, Subscription
from aiostripe.webhooks import Event, WebhookRouter

router = WebhookRouter()


@router.on("payment_intent.succeeded")
async def paid(event: Event[PaymentIntent]) -> None:
    reveal_type(event.data.object)
    print(event.data.object.created + 1)  # (required: an int, not None)


@router.on("customer.subscription.updated", "customer.subscription.deleted")
async def subscription_changed(event: Event[Subscription]) -> None:
    print(event.data.object.status)


@router.on("payment_intent.payment_failed", "charge.failed")
async def any_object(event: Event) -> None:
    print(event.data.object["id"])


@router.on("payment_intent.succeeded")
async def mismatched(event: Event[Invoice]) -> None: ...


async def on_invoice(event: Event[Invoice]) -> None: ...
router.add("invoice.paid", on_invoice)
router.add("charge.refunded", on_invoice)


async def main(stripe: aiostripe.StripeClient) -> None:
    customer = await stripe.customers.retrieve("cus_1")
    print(customer.email, customer.deleted)
    reader = await stripe.terminal.readers.update("tmr_1", label="front")
    print(reader.label)
    gone = await stripe.customers.delete("cus_1")
    reveal_type(gone)
    await stripe.customers.update("cus_1", description=None, email=None, metadata=None)
    await stripe.customers.create(address={"city": None, "line1": "1 Main St"})
    await stripe.customers.update("cus_1", description="")
    await stripe.customers.retrieve(None)
'''


def _mypy_strict(tmp_path: Path, code: str) -> tuple[str, dict[int, list[str]]]:
    source = tmp_path / "user_code.py"
    source.write_text(code)
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", str(source)],
        check=False, capture_output=True, text=True, cwd=REPO, timeout=300,
        env={**os.environ, "MYPYPATH": str(REPO / "src")},
    )
    by_line: dict[int, list[str]] = {}
    for line in proc.stdout.splitlines():
        parts = line.split(":", 3)
        if len(parts) == 4 and parts[1].isdigit():
            by_line.setdefault(int(parts[1]), []).append(parts[3])
    return proc.stdout, by_line


def test_mypy_accepts_retrieve_results_none_params_and_typed_handlers(tmp_path: Path) -> None:
    out, by_line = _mypy_strict(tmp_path, USER_CODE_12)
    lines = USER_CODE_12.splitlines()

    def at(text: str, after: str | None = None) -> str:
        start = lines.index(after) + 1 if after else 0
        return " ".join(by_line.get(lines.index(text, start) + 1, []))

    assert "DeletedCustomer" in at("    reveal_type(gone)"), out
    assert "models.payment_intent.PaymentIntent" in at("    reveal_type(event.data.object)"), out
    assert "retrieve" in at('    await stripe.customers.retrieve(None)'), out
    assert 'expected "Callable[[Event[PaymentIntent]], Awaitable[None]]"' in at(
        '@router.on("payment_intent.succeeded")',
        after="async def paid(event: Event[PaymentIntent]) -> None:",
    ), out
    assert 'No overload variant of "add"' in at('router.add("charge.refunded", on_invoice)'), out
    errors = [line for line in out.splitlines() if ": error:" in line]
    # the only errors: a mismatched handler (decorator and `add`) and an id of None
    assert len(errors) == 3, out


def test_readme_webhook_example_type_checks(tmp_path: Path) -> None:
    """The README's typed-handler example passes mypy --strict as written."""
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Webhooks"):]
    code = section[section.index("```python\n") + len("```python\n"):]
    code = code[: code.index("```")]
    assert "Event[PaymentIntent]" in code
    out, _ = _mypy_strict(tmp_path, code)
    assert ": error:" not in out, out
