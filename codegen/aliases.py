"""Second names of operations, the ones stripe-python users also know them by, from one table.

`client.sources.detach(customer, id)` is stripe-python's `SourceService.detach` for
`DELETE /v1/customers/{customer}/sources/{id}`, which we name `customers.payment_sources.delete`;
`client.customers.create_balance_transaction(customer, ...)` is the name of its resource classes
(`stripe.Customer.create_balance_transaction`). An alias is the same operation of the IR rendered
once more under another name (same template, same `_request`, same params TypedDict), so it can
never behave differently from its primary; it is not in `api.operations`, so the operation table,
the fake and the CLI see each operation once.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codegen import ir

# "service.path.alias": "VERB /path" of the operation it names.
ALIASES: dict[str, str] = {
    "sources.detach": "DELETE /v1/customers/{customer}/sources/{id}",
    "customers.create_source": "POST /v1/customers/{customer}/sources",
    "customers.list_sources": "GET /v1/customers/{customer}/sources",
    "customers.retrieve_source": "GET /v1/customers/{customer}/sources/{id}",
    "customers.modify_source": "POST /v1/customers/{customer}/sources/{id}",
    "customers.delete_source": "DELETE /v1/customers/{customer}/sources/{id}",
    "customers.create_balance_transaction": "POST /v1/customers/{customer}/balance_transactions",
    "customers.list_balance_transactions": "GET /v1/customers/{customer}/balance_transactions",
    "customers.retrieve_balance_transaction":
        "GET /v1/customers/{customer}/balance_transactions/{transaction}",
    "customers.modify_balance_transaction":
        "POST /v1/customers/{customer}/balance_transactions/{transaction}",
    "customers.create_tax_id": "POST /v1/customers/{customer}/tax_ids",
    "customers.list_tax_ids": "GET /v1/customers/{customer}/tax_ids",
    "customers.retrieve_tax_id": "GET /v1/customers/{customer}/tax_ids/{id}",
    "customers.delete_tax_id": "DELETE /v1/customers/{customer}/tax_ids/{id}",
    "customers.list_payment_methods": "GET /v1/customers/{customer}/payment_methods",
    "customers.retrieve_payment_method":
        "GET /v1/customers/{customer}/payment_methods/{payment_method}",
    "accounts.create_external_account": "POST /v1/accounts/{account}/external_accounts",
    "accounts.list_external_accounts": "GET /v1/accounts/{account}/external_accounts",
    "accounts.retrieve_external_account": "GET /v1/accounts/{account}/external_accounts/{id}",
    "accounts.modify_external_account": "POST /v1/accounts/{account}/external_accounts/{id}",
    "accounts.delete_external_account": "DELETE /v1/accounts/{account}/external_accounts/{id}",
    "accounts.create_person": "POST /v1/accounts/{account}/persons",
    "accounts.list_persons": "GET /v1/accounts/{account}/persons",
    "accounts.retrieve_person": "GET /v1/accounts/{account}/persons/{person}",
    "accounts.modify_person": "POST /v1/accounts/{account}/persons/{person}",
    "accounts.delete_person": "DELETE /v1/accounts/{account}/persons/{person}",
    "accounts.create_login_link": "POST /v1/accounts/{account}/login_links",
    "transfers.create_reversal": "POST /v1/transfers/{id}/reversals",
    "transfers.list_reversals": "GET /v1/transfers/{id}/reversals",
    "transfers.retrieve_reversal": "GET /v1/transfers/{transfer}/reversals/{id}",
    "transfers.modify_reversal": "POST /v1/transfers/{transfer}/reversals/{id}",
    "application_fees.create_refund": "POST /v1/application_fees/{id}/refunds",
    "application_fees.list_refunds": "GET /v1/application_fees/{id}/refunds",
    "application_fees.retrieve_refund": "GET /v1/application_fees/{fee}/refunds/{id}",
    "application_fees.modify_refund": "POST /v1/application_fees/{fee}/refunds/{id}",
    "invoices.list_lines": "GET /v1/invoices/{invoice}/lines",
    "credit_notes.list_lines": "GET /v1/credit_notes/{credit_note}/lines",
    "quotes.list_line_items": "GET /v1/quotes/{quote}/line_items",
    "quotes.list_computed_upfront_line_items":
        "GET /v1/quotes/{quote}/computed_upfront_line_items",
    "checkout.sessions.list_line_items": "GET /v1/checkout/sessions/{session}/line_items",
    "payment_links.list_line_items": "GET /v1/payment_links/{payment_link}/line_items",
}


def add_aliases(root: ir.Service, operations: list[ir.Operation]) -> None:
    """Render each alias of `ALIASES` in its service, as a copy of its operation. An alias whose
    operation or service a spec lacks (an older spec, a test spec) is left out; the tests check
    that the pinned spec has every one."""
    by_key = {op.key: op for op in operations}
    for name, key in ALIASES.items():
        *path, method = name.split(".")
        primary = by_key.get(key)
        service: ir.Service | None = root
        for part in path:
            service = service.children.get(part) if service is not None else None
        if primary is None or service is None:
            continue
        alias = dataclasses.replace(
            primary, service=service.path, method=method,
            alias_of=".".join((*primary.service, primary.method)),
        )
        service.operations.append(alias)
