"""v2 core: accounts, persons, tokens, account links, events and event destinations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aiostripe.testing.v2.delivery import check_url
from aiostripe.testing.v2.errors import invalid, missing

if TYPE_CHECKING:
    from aiostripe.testing.v2.state import FakeV2, V2Request

_URLS = {
    "v2.core.account": "/v2/core/accounts/{id}",
    "v2.core.event_destination": "/v2/core/event_destinations/{id}",
    "v2.billing.meter_event_adjustment": "/v2/billing/meter_event_adjustments/{id}",
    "v2.commerce.product_catalog_import": "/v2/commerce/product_catalog/imports/{id}",
}
_ACCOUNT_FIELDS = ("contact_email", "contact_phone", "dashboard", "display_name", "metadata")
_PERSON_FIELDS = ("address", "email", "given_name", "legal_gender", "metadata", "nationalities",
                  "phone", "political_exposure", "relationship", "surname")
_LATER = 15 * 60  # seconds tokens and links stay valid


def url_of(obj: Mapping[str, Any]) -> str:
    if obj["object"] == "v2.core.account_person":
        return f"/v2/core/accounts/{obj['account']}/persons/{obj['id']}"
    return _URLS.get(obj["object"], "/v2/unknown/{id}").format(id=obj["id"])


def _merge(target: dict[str, Any], params: Mapping[str, Any], fields: tuple[str, ...]) -> None:
    """Apply an update: nested objects merged, `null` clears (v2's way to unset)."""
    for key in fields:
        if key not in params:
            continue
        value = params[key]
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            merged = dict(target[key])
            for k, v in value.items():
                if v is None:
                    merged.pop(k, None)
                else:
                    merged[k] = v
            target[key] = merged
        else:
            target[key] = value


# --- accounts ---------------------------------------------------------------------------------


def _account_view(account: dict[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """The account as answered: `configuration`, `identity`, `defaults` only when included."""
    include = params.get("include") or []
    stored = account["_hidden"]
    out = {k: v for k, v in account.items() if k != "_hidden"}
    for key in ("configuration", "identity", "defaults"):
        if any(i == key or i.startswith(key + ".") for i in include) and key in stored:
            out[key] = stored[key]
    return out


def _hidden_fields(params: Mapping[str, Any], hidden: dict[str, Any]) -> None:
    configuration = params.get("configuration")
    if isinstance(configuration, dict):
        current = hidden.setdefault("configuration", {})
        for name in ("customer", "merchant", "recipient"):
            if name in configuration:
                current[name] = {"applied": configuration[name] is not None}
    identity = params.get("identity")
    if isinstance(identity, dict):
        current = hidden.setdefault("identity", {})
        for name in ("country", "entity_type"):
            if isinstance(identity.get(name), str):
                current[name] = identity[name]
    defaults = params.get("defaults")
    if isinstance(defaults, dict):
        current = hidden.setdefault(
            "defaults", {"responsibilities": {"requirements_collector": "stripe"}})
        for name in ("currency", "locales"):
            if name in defaults:
                current[name] = defaults[name]


def _applied(hidden: dict[str, Any]) -> list[str]:
    return sorted(k for k, v in hidden.get("configuration", {}).items() if v.get("applied"))


def accounts_create(fake: FakeV2, request: V2Request, _: Mapping[str, str],
                    params: dict[str, Any]) -> Any:
    state = fake.state
    hidden: dict[str, Any] = {}
    _hidden_fields(params, hidden)
    account: dict[str, Any] = {
        "id": state.new_id("acct"), "object": "v2.core.account",
        "applied_configurations": _applied(hidden), "closed": False,
        "created": state.now(), "livemode": request.livemode,
    }
    _merge(account, params, _ACCOUNT_FIELDS)
    account["_hidden"] = hidden
    state.put("account", account)
    fake.emit(request, "v2.core.account.created", account)
    return _account_view(account, params)


def accounts_retrieve(fake: FakeV2, request: V2Request, path: Mapping[str, str],
                      params: dict[str, Any]) -> Any:
    return _account_view(fake.state.get("account", path["id"], "account"), params)


def accounts_update(fake: FakeV2, request: V2Request, path: Mapping[str, str],
                    params: dict[str, Any]) -> Any:
    account = fake.state.get("account", path["id"], "account")
    if account["closed"]:
        raise invalid(f"Account {account['id']} is closed and cannot be updated.",
                      "account_closed")
    _merge(account, params, _ACCOUNT_FIELDS)
    _hidden_fields(params, account["_hidden"])
    account["applied_configurations"] = _applied(account["_hidden"])
    fake.emit(request, "v2.core.account.updated", account)
    return _account_view(account, params)


def accounts_close(fake: FakeV2, request: V2Request, path: Mapping[str, str],
                   params: dict[str, Any]) -> Any:
    account = fake.state.get("account", path["id"], "account")
    account["closed"] = True
    fake.emit(request, "v2.core.account.closed", account)
    return _account_view(account, params)


def accounts_list(fake: FakeV2, request: V2Request, _: Mapping[str, str],
                  params: dict[str, Any]) -> Any:
    def select(filters: dict[str, Any]) -> list[dict[str, Any]]:
        found = fake.state.newest_first("account")
        closed = filters.get("closed")
        if closed in (True, "true"):
            pass  # closed ones too
        else:
            found = [a for a in found if not a["closed"]]
        wanted = filters.get("applied_configurations")
        if wanted:
            found = [a for a in found if set(wanted) & set(a["applied_configurations"])]
        return [_account_view(a, {}) for a in found]

    return fake.list_page(request, params, select)


# --- persons and tokens -----------------------------------------------------------------------


def _account_of(fake: FakeV2, path: Mapping[str, str]) -> dict[str, Any]:
    return fake.state.get("account", path["account_id"], "account")


def persons_create(fake: FakeV2, request: V2Request, path: Mapping[str, str],
                   params: dict[str, Any]) -> Any:
    account = _account_of(fake, path)
    now = fake.state.now()
    person: dict[str, Any] = {
        "id": fake.state.new_id("person"), "object": "v2.core.account_person",
        "account": account["id"], "created": now, "updated": now, "livemode": request.livemode,
    }
    _merge(person, params, _PERSON_FIELDS)
    fake.state.put("person", person)
    fake.emit(request, "v2.core.account_person.created", person, context=account["id"])
    return person


def _person(fake: FakeV2, path: Mapping[str, str]) -> dict[str, Any]:
    person = fake.state.get("person", path["id"], "person")
    if person["account"] != _account_of(fake, path)["id"]:
        return fake.state.get("person", "", "person")  # (raises: not this account's)
    return person


def persons_retrieve(fake: FakeV2, request: V2Request, path: Mapping[str, str],
                     params: dict[str, Any]) -> Any:
    return _person(fake, path)


def persons_update(fake: FakeV2, request: V2Request, path: Mapping[str, str],
                   params: dict[str, Any]) -> Any:
    person = _person(fake, path)
    _merge(person, params, _PERSON_FIELDS)
    person["updated"] = fake.state.now()
    fake.emit(request, "v2.core.account_person.updated", person, context=person["account"])
    return person


def persons_delete(fake: FakeV2, request: V2Request, path: Mapping[str, str],
                   params: dict[str, Any]) -> Any:
    person = _person(fake, path)
    del fake.state.objects["person"][person["id"]]
    fake.emit(request, "v2.core.account_person.deleted", person, context=person["account"])
    return {"id": person["id"], "object": "v2.core.account_person"}


def persons_list(fake: FakeV2, request: V2Request, path: Mapping[str, str],
                 params: dict[str, Any]) -> Any:
    account = _account_of(fake, path)
    return fake.list_page(request, params, lambda _: [
        p for p in fake.state.newest_first("person") if p["account"] == account["id"]])


def _token(kind: str, prefix: str) -> Any:
    def create(fake: FakeV2, request: V2Request, path: Mapping[str, str],
               params: dict[str, Any]) -> Any:
        if "account_id" in path:
            _account_of(fake, path)
        state = fake.state
        return state.put(kind, {
            "id": state.new_id(prefix), "object": f"v2.core.{kind}", "created": state.now(),
            "expires_at": _later(fake), "livemode": request.livemode, "used": False,
        })

    def retrieve(fake: FakeV2, request: V2Request, path: Mapping[str, str],
                 params: dict[str, Any]) -> Any:
        if "account_id" in path:
            _account_of(fake, path)
        return fake.state.get(kind, path["id"], kind.replace("_", " "))

    return create, retrieve


def _later(fake: FakeV2) -> str:
    from aiostripe.testing.v2.state import iso

    return iso(fake.state.clock() + _LATER)


def account_links_create(fake: FakeV2, request: V2Request, _: Mapping[str, str],
                         params: dict[str, Any]) -> Any:
    account_id = params.get("account")
    if not account_id:
        raise missing("account")
    fake.state.get("account", account_id, "account")
    use_case = params.get("use_case")
    if not isinstance(use_case, dict) or "type" not in use_case:
        raise missing("use_case.type")
    return {
        "object": "v2.core.account_link", "account": account_id, "created": fake.state.now(),
        "expires_at": _later(fake), "livemode": request.livemode, "use_case": use_case,
        "url": f"https://connect.stripe.com/setup/{fake.state.new_id('link')}",
    }


# --- events -----------------------------------------------------------------------------------


def events_list(fake: FakeV2, request: V2Request, _: Mapping[str, str],
                params: dict[str, Any]) -> Any:
    def select(filters: dict[str, Any]) -> list[dict[str, Any]]:
        found = fake.state.newest_first("event")
        types = filters.get("types")
        if types:
            found = [e for e in found if e["type"] in types]
        object_id = filters.get("object_id")
        if object_id:
            found = [e for e in found if e["related_object"]["id"] == object_id]
        return [{k: v for k, v in e.items() if k != "data"} for e in found]

    return fake.list_page(request, params, select)


def events_retrieve(fake: FakeV2, request: V2Request, path: Mapping[str, str],
                    params: dict[str, Any]) -> Any:
    return fake.state.get("event", path["id"], "event")


# --- event destinations -------------------------------------------------------------------------


def _destination_view(destination: dict[str, Any], params: Mapping[str, Any],
                      secret: str | None = None) -> dict[str, Any]:
    include = params.get("include") or []
    out = dict(destination)
    hook = dict(out.pop("webhook_endpoint", None) or {})
    shown: dict[str, Any] = {}
    if "webhook_endpoint.url" in include and "url" in hook:
        shown["url"] = hook["url"]
    if "webhook_endpoint.signing_secret" in include and secret is not None:
        shown["signing_secret"] = secret
    if shown:
        out["webhook_endpoint"] = shown
    return out


def destinations_create(fake: FakeV2, request: V2Request, _: Mapping[str, str],
                        params: dict[str, Any]) -> Any:
    for name in ("name", "type", "enabled_events", "event_payload"):
        if name not in params:
            raise missing(name)
    if params["type"] != "webhook_endpoint":
        raise invalid("the fake models webhook_endpoint destinations only", "unsupported_type")
    url = check_url((params.get("webhook_endpoint") or {}).get("url"))
    state = fake.state
    now = state.now()
    destination: dict[str, Any] = {
        "id": state.new_id("ed"), "object": "v2.core.event_destination",
        "created": now, "updated": now, "livemode": request.livemode,
        "name": params["name"], "description": params.get("description") or "",
        "enabled_events": list(params["enabled_events"]),
        "event_payload": params["event_payload"], "status": "enabled",
        "type": "webhook_endpoint", "webhook_endpoint": {"url": url},
        "metadata": params.get("metadata") or {},
    }
    if params.get("events_from"):
        destination["events_from"] = list(params["events_from"])
    if params.get("snapshot_api_version"):
        destination["snapshot_api_version"] = params["snapshot_api_version"]
    state.put("event_destination", destination)
    secret = state.secrets[destination["id"]] = "whsec_" + state.new_id("sec")[4:]
    return _destination_view(destination, params, secret)


def _destination(fake: FakeV2, path: Mapping[str, str]) -> dict[str, Any]:
    return fake.state.get("event_destination", path["id"], "event destination")


def destinations_retrieve(fake: FakeV2, request: V2Request, path: Mapping[str, str],
                          params: dict[str, Any]) -> Any:
    return _destination_view(_destination(fake, path), params)


def destinations_update(fake: FakeV2, request: V2Request, path: Mapping[str, str],
                        params: dict[str, Any]) -> Any:
    destination = _destination(fake, path)
    if "webhook_endpoint" in params:
        check_url((params["webhook_endpoint"] or {}).get("url"))
    _merge(destination, params, ("description", "enabled_events", "metadata", "name",
                                 "webhook_endpoint"))
    destination["updated"] = fake.state.now()
    return _destination_view(destination, params)


def destinations_delete(fake: FakeV2, request: V2Request, path: Mapping[str, str],
                        params: dict[str, Any]) -> Any:
    destination = _destination(fake, path)
    del fake.state.objects["event_destination"][destination["id"]]
    return {"id": destination["id"], "object": "v2.core.event_destination"}


def destinations_list(fake: FakeV2, request: V2Request, _: Mapping[str, str],
                      params: dict[str, Any]) -> Any:
    include = params.get("include") or []
    return fake.list_page(request, params, lambda _: [
        _destination_view(d, {"include": include})
        for d in fake.state.newest_first("event_destination")])


def _status(status: str) -> Any:
    def move(fake: FakeV2, request: V2Request, path: Mapping[str, str],
             params: dict[str, Any]) -> Any:
        destination = _destination(fake, path)
        destination["status"] = status
        if status == "disabled":
            destination["status_details"] = {"disabled": {"reason": "user"}}
        else:
            destination.pop("status_details", None)
        destination["updated"] = fake.state.now()
        return _destination_view(destination, params)

    return move


def destinations_ping(fake: FakeV2, request: V2Request, path: Mapping[str, str],
                      params: dict[str, Any]) -> Any:
    """A `v2.core.event_destination.ping` event, sent to this destination only (if enabled)."""
    destination = _destination(fake, path)
    state = fake.state
    event: dict[str, Any] = {
        "id": state.new_id("evt"), "object": "v2.core.event",
        "type": "v2.core.event_destination.ping", "livemode": destination["livemode"],
        "created": state.now(),
        "related_object": {"id": destination["id"], "type": destination["object"],
                           "url": url_of(destination)},
        "data": {},
    }
    state.put("event", event)
    if destination["status"] == "enabled":
        fake.deliver(event, destination)
    return event


_ACCOUNT_TOKEN = _token("account_token", "accttok")
_PERSON_TOKEN = _token("account_person_token", "perstok")

BEHAVIOURS: dict[str, Any] = {
    "v2.core.accounts.create": accounts_create,
    "v2.core.accounts.retrieve": accounts_retrieve,
    "v2.core.accounts.update": accounts_update,
    "v2.core.accounts.close": accounts_close,
    "v2.core.accounts.list": accounts_list,
    "v2.core.accounts.persons.create": persons_create,
    "v2.core.accounts.persons.retrieve": persons_retrieve,
    "v2.core.accounts.persons.update": persons_update,
    "v2.core.accounts.persons.delete": persons_delete,
    "v2.core.accounts.persons.list": persons_list,
    "v2.core.account_tokens.create": _ACCOUNT_TOKEN[0],
    "v2.core.account_tokens.retrieve": _ACCOUNT_TOKEN[1],
    "v2.core.accounts.person_tokens.create": _PERSON_TOKEN[0],
    "v2.core.accounts.person_tokens.retrieve": _PERSON_TOKEN[1],
    "v2.core.account_links.create": account_links_create,
    "v2.core.events.list": events_list,
    "v2.core.events.retrieve": events_retrieve,
    "v2.core.event_destinations.create": destinations_create,
    "v2.core.event_destinations.retrieve": destinations_retrieve,
    "v2.core.event_destinations.update": destinations_update,
    "v2.core.event_destinations.delete": destinations_delete,
    "v2.core.event_destinations.list": destinations_list,
    "v2.core.event_destinations.enable": _status("enabled"),
    "v2.core.event_destinations.disable": _status("disabled"),
    "v2.core.event_destinations.ping": destinations_ping,
}
