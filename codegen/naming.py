"""Names: Python identifiers, class and module names, and service/method names for operations.

Service and method names are derived from an operation's path and verb, the way stripe-python names
them (`POST /v1/customers/{customer}/balance_transactions` -> `customers.balance_transactions.create`);
every name the rules do not give is in `OVERRIDES`, the one table of exceptions.
"""

from __future__ import annotations

import keyword
import re

_SPLIT = re.compile(r"[._\-\s/]+")
_NON_IDENT = re.compile(r"\W")


def pascal(name: str) -> str:
    """`treasury.transaction` -> `TreasuryTransaction`; `3d_secure` -> `N3dSecure`."""
    out = "".join(part[:1].upper() + part[1:] for part in _SPLIT.split(name) if part)
    out = _NON_IDENT.sub("", out)
    return out if out and not out[0].isdigit() else f"N{out}"


def snake_module(name: str) -> str:
    """A module name for a schema id or service path: `treasury.transaction` -> `treasury_transaction`."""
    out = _NON_IDENT.sub("_", name.replace(".", "_").replace("-", "_")).lower()
    if out[:1].isdigit() or keyword.iskeyword(out):
        out = f"m_{out}"
    return out


def identifier(name: str) -> str:
    """The one maker of Python attribute, method and parameter names from wire names.

    Every name the generated code defines with `def`, as a class attribute or as a keyword
    argument comes from here: characters that cannot be in a name become `_`, a leading digit
    gets `n_` (`3d_secure` -> `n_3d_secure`), a leading `__` (mangled inside a class) gets `n`,
    keywords and the names the generated methods use themselves get a trailing `_`.
    """
    out = _NON_IDENT.sub("_", name) or "_"
    if out[:1].isdigit():
        out = f"n_{out}"
    elif out.startswith("__"):
        out = f"n{out}"
    if keyword.iskeyword(out) or out in ("self", "request_options", "params"):
        out = f"{out}_"
    return out


def param_key(wire: str) -> str:
    """The key of a request parameter in its TypedDict: its Python name (`identifier`: `from`
    -> `from_`, which the encoder sends back as `from`) when the wire name is a Python name, else
    the wire name itself (`3d-secure`): such a TypedDict is written in functional form, and a
    caller passes the key as it is sent (`**{"3d-secure": ...}`), never under a name the encoder
    would not map back."""
    return identifier(wire) if wire.isidentifier() else wire


def unique(name: str, taken: set[str]) -> str:
    """`name`, or `name_` (`name__`, ...) when two wire names give the same Python name."""
    while name in taken:
        name += "_"
    taken.add(name)
    return name


def unique_class(name: str, taken: set[str]) -> str:
    """`name`, or `name2` (`name3`, ...) when a class of that name is already made: the members
    of a union (`anyOf: [map of object, array of object]`) each get their own class."""
    out, n = name, 2
    while out in taken:
        out, n = f"{name}{n}", n + 1
    return out


# Wire segment -> service attribute, where stripe-python's name is not the path segment.
SEGMENT_NAMES: dict[str, str] = {
    "invoiceitems": "invoice_items",
    "3d_secure": "three_d_secure",  # /v1/3d_secure of 2019-2020 specs (stripe-python's name)
}

# "VERB /path" -> "service.path.method": every operation whose name the rules in
# `derive_name` do not give. Filled from the official SDK's names (stripe-python-names.json and
# stripe-python-names.2026-05-27.json, without its `v1.` prefix), with
# names of our own for the routes that SDK has dropped and for preview endpoints.
OVERRIDES: dict[str, str] = {
    # the official SDK's names
    "DELETE /v1/apple_pay/domains/{domain}": "apple_pay_domains.delete",
    "DELETE /v1/customers/{customer}/sources/{id}": "customers.payment_sources.delete",
    "DELETE /v1/subscriptions/{subscription_exposed_id}": "subscriptions.cancel",
    "GET /v1/account": "accounts.retrieve_current",
    "GET /v1/apple_pay/domains": "apple_pay_domains.list",
    "GET /v1/apple_pay/domains/{domain}": "apple_pay_domains.retrieve",
    "GET /v1/credit_notes/preview/lines": "credit_notes.preview_lines.list",
    "GET /v1/credit_notes/{credit_note}/lines": "credit_notes.line_items.list",
    "GET /v1/customers/{customer}/sources": "customers.payment_sources.list",
    "GET /v1/customers/{customer}/sources/{id}": "customers.payment_sources.retrieve",
    "GET /v1/invoices/{invoice}/lines": "invoices.line_items.list",
    "GET /v1/sources/{source}/source_transactions": "sources.transactions.list",
    "POST /v1/accounts/{account}/login_links": "accounts.login_links.create",
    "POST /v1/apple_pay/domains": "apple_pay_domains.create",
    "POST /v1/apps/secrets/delete": "apps.secrets.delete_where",
    "POST /v1/billing/credit_grants/{id}/void": "billing.credit_grants.void_grant",
    "POST /v1/credit_notes/{id}/void": "credit_notes.void_credit_note",
    "POST /v1/customers/{customer}/funding_instructions": "customers.funding_instructions.create",
    "POST /v1/customers/{customer}/sources": "customers.payment_sources.create",
    "POST /v1/customers/{customer}/sources/{id}": "customers.payment_sources.update",
    "POST /v1/customers/{customer}/sources/{id}/verify": "customers.payment_sources.verify",
    "POST /v1/invoices/{invoice}/finalize": "invoices.finalize_invoice",
    "POST /v1/invoices/{invoice}/lines/{line_item_id}": "invoices.line_items.update",
    "POST /v1/invoices/{invoice}/send": "invoices.send_invoice",
    "POST /v1/invoices/{invoice}/void": "invoices.void_invoice",
    "GET /v1/tax/associations/find": "tax.associations.find",
    "POST /v1/payment_records/report_payment": "payment_records.report_payment",
    "POST /v1/quotes/{quote}/finalize": "quotes.finalize_quote",
    "POST /v1/tax/transactions/create_from_calculation": "tax.transactions.create_from_calculation",
    "POST /v1/tax/transactions/create_reversal": "tax.transactions.create_reversal",
    "POST /v1/test_helpers/issuing/cards/{card}/shipping/deliver": "test_helpers.issuing.cards.deliver_card",
    "POST /v1/test_helpers/issuing/cards/{card}/shipping/fail": "test_helpers.issuing.cards.fail_card",
    "POST /v1/test_helpers/issuing/cards/{card}/shipping/return": "test_helpers.issuing.cards.return_card",
    "POST /v1/test_helpers/issuing/cards/{card}/shipping/ship": "test_helpers.issuing.cards.ship_card",
    "POST /v1/test_helpers/issuing/cards/{card}/shipping/submit": "test_helpers.issuing.cards.submit_card",
    "POST /v1/test_helpers/issuing/authorizations/{authorization}/fraud_challenges/respond":
        "test_helpers.issuing.authorizations.respond",
    "POST /v1/test_helpers/issuing/transactions/create_force_capture": "test_helpers.issuing.transactions.create_force_capture",
    "POST /v1/test_helpers/issuing/transactions/create_unlinked_refund": "test_helpers.issuing.transactions.create_unlinked_refund",
    "POST /v1/test_helpers/treasury/inbound_transfers/{id}/return": "test_helpers.treasury.inbound_transfers.return_inbound_transfer",
    "POST /v1/test_helpers/treasury/outbound_payments/{id}/return": "test_helpers.treasury.outbound_payments.return_outbound_payment",
    "POST /v1/test_helpers/treasury/outbound_transfers/{outbound_transfer}/return": "test_helpers.treasury.outbound_transfers.return_outbound_transfer",
    # routes the official SDK has dropped: our names, in the SDK's style
    "GET /v1/customers/{customer}/discount": "customers.retrieve_discount",
    "GET /v1/customers/{customer}/subscriptions/{subscription_exposed_id}/discount": "customers.subscriptions.retrieve_discount",
    "GET /v1/invoices/upcoming/lines": "invoices.upcoming_lines.list",
    "POST /v1/subscription_items/{subscription_item}/usage_records": "subscription_items.usage_records.create",
}


def _is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


class RouteTable:
    """What the rules need to know about the other routes of the spec."""

    def __init__(self, routes: dict[str, dict[str, bool]]) -> None:
        # path -> {verb: returns a list object}
        self.routes = routes
        self._prefixes = {p.rsplit("/", 1)[0] for p in routes if _is_param(p.rsplit("/", 1)[1])}

    def is_collection(self, path: str) -> bool:
        return self.routes.get(path, {}).get("get", False) or path in self._prefixes

    def has_singleton_get(self, path: str) -> bool:
        verbs = self.routes.get(path, {})
        return "get" in verbs and not verbs["get"]


def derive_name(verb: str, path: str, table: RouteTable) -> tuple[tuple[str, ...], str]:
    """(service path, method name) of an operation by the rules; see `name_operation`."""
    version, *segments = [s for s in path.split("/") if s]  # "v1" is dropped, "v2" leads
    verb = verb.lower()
    ends_with_param = _is_param(segments[-1])
    service = ["v2"] if version == "v2" else []
    service += [SEGMENT_NAMES.get(s, s) for s in segments[:-1] if not _is_param(s)]
    if ends_with_param:
        method = {"get": "retrieve", "post": "update", "delete": "delete"}[verb]
        return tuple(service), method
    last = SEGMENT_NAMES.get(segments[-1], segments[-1])
    parent = path.rsplit("/", 1)[0]
    if last == "search" and verb == "get":
        return tuple(service), "search"
    collection = table.is_collection(path)
    both = {"get", "post"} <= table.routes.get(path, {}).keys()
    parent_known = parent in table.routes or (len(segments) > 1 and _is_param(segments[-2]))
    if not collection and not both and parent_known:
        # an action on an object or collection: /v1/payment_intents/{intent}/confirm
        method = f"delete_{last}" if verb == "delete" else last
        return tuple(service), identifier(method)
    service.append(last)
    if verb == "get":
        method = "list" if table.routes[path]["get"] else "retrieve"
    elif verb == "post":
        method = "update" if table.has_singleton_get(path) else "create"
    else:
        method = "delete"
    return tuple(service), method


def name_operation(verb: str, path: str, table: RouteTable) -> tuple[tuple[str, ...], str]:
    """(service path, method name): the override table first, then the rules."""
    key = f"{verb.upper()} {path}"
    if key in OVERRIDES:
        *parts, method = OVERRIDES[key].split(".")
        service: tuple[str, ...] = tuple(parts)
    else:
        service, method = derive_name(verb, path, table)
    return tuple(identifier(part) for part in service), identifier(method)
