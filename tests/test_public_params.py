"""`aiostripe.params`: the request TypedDicts under stripe-python's names (issue 26, item 9).

The expected names are stripe-python 16's own (`stripe/params/__init__.py` of stripe 16.1.0),
not derived from our generator."""

from __future__ import annotations

import subprocess
import sys
import typing
from pathlib import Path

import pytest

import aiostripe.params

# name in stripe.params -> the aiostripe method whose parameters it types
STRIPE_PYTHON_NAMES = {
    "AccountCapabilityListParams": "accounts.capabilities.list",
    "AccountCreateLoginLinkParams": "accounts.create_login_link",
    "AccountExternalAccountCreateParams": "accounts.external_accounts.create",
    "AccountLinkCreateParams": "account_links.create",
    "AccountPersonCreateParams": "accounts.persons.create",
    "ApplePayDomainCreateParams": "apple_pay_domains.create",
    "ApplicationFeeRefundCreateParams": "application_fees.refunds.create",
    "BalanceTransactionListParams": "balance_transactions.list",
    "ChargeCreateParams": "charges.create",
    "ChargeSearchParams": "charges.search",
    "CouponCreateParams": "coupons.create",
    "CreditNoteCreateParams": "credit_notes.create",
    "CreditNoteLineItemListParams": "credit_notes.line_items.list",
    "CustomerBalanceTransactionCreateParams": "customers.balance_transactions.create",
    "CustomerCashBalanceTransactionListParams": "customers.cash_balance_transactions.list",
    "CustomerCreateBalanceTransactionParams": "customers.create_balance_transaction",
    "CustomerCreateParams": "customers.create",
    "CustomerFundingInstructionsCreateParams": "customers.funding_instructions.create",
    "CustomerListParams": "customers.list",
    "CustomerPaymentMethodListParams": "customers.payment_methods.list",
}


def _method_params(path: str) -> frozenset[str]:
    *service, method = path.split(".")
    module = "_".join(service)
    generated = __import__(f"aiostripe._generated.services.{module}", fromlist=["x"])
    names: frozenset[str] = getattr(generated, f"_{method.upper()}_PARAMS")
    return names


@pytest.mark.parametrize(("name", "method"), sorted(STRIPE_PYTHON_NAMES.items()))
def test_stripe_python_names(name: str, method: str) -> None:
    typed = getattr(aiostripe.params, name)
    assert typing.is_typeddict(typed)
    assert set(typed.__annotations__) <= _method_params(method)


def test_nested_and_namespaced_names() -> None:
    assert typing.is_typeddict(aiostripe.params.CustomerCreateParamsAddress)
    assert "line1" in aiostripe.params.CustomerCreateParamsAddress.__annotations__
    # stripe.params.checkout.SessionCreateParams, stripe.params.treasury.TransactionListParams
    assert "success_url" in aiostripe.params.checkout.SessionCreateParams.__annotations__
    assert "financial_account" in aiostripe.params.treasury.TransactionListParams.__annotations__
    with pytest.raises(AttributeError):
        aiostripe.params.CustomersCreateParams  # noqa: B018 - our private spelling is not public


def test_user_code_with_params_dicts_type_checks(tmp_path: Path) -> None:
    """A dict annotated with a public TypedDict and passed as `**params` is mypy --strict clean;
    a misspelt key in it is caught."""
    good = tmp_path / "good.py"
    good.write_text(
        "import aiostripe\n"
        "from aiostripe.params import CustomerCreateParams\n"
        "import aiostripe.params\n\n\n"
        "async def main(stripe: aiostripe.StripeClient) -> str:\n"
        '    params: CustomerCreateParams = {"email": "jo@example.com", "metadata": {"k": "v"}}\n'
        "    session: aiostripe.params.checkout.SessionCreateParams = {\n"
        '        "mode": "payment", "success_url": "https://example.com/ok"}\n'
        "    await stripe.checkout.sessions.create(**session)\n"
        "    return (await stripe.customers.create(**params)).id\n"
    )
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from aiostripe.params import CustomerCreateParams\n\n"
        'params: CustomerCreateParams = {"emial": "jo@example.com"}\n'
    )
    run = [sys.executable, "-m", "mypy", "--strict", "--no-error-summary"]
    ok = subprocess.run([*run, str(good)], capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stdout
    refused = subprocess.run([*run, str(bad)], capture_output=True, text=True, check=False)
    assert '"emial"' in refused.stdout
