"""Public names of the request-parameter TypedDicts, as stripe-python spells them.

stripe-python's `stripe.params` names the params of `stripe.customers.create` `CustomerCreateParams`
and the TypedDict of its `address` `CustomerCreateParamsAddress`: each service segment in the
singular, then the method. Namespaces (services with no operations of their own, such as
`treasury` or `test_helpers.treasury`) are modules: `stripe.params.treasury.TransactionListParams`.
This module decides those names; `aiostripe.params` exposes them (imported lazily).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from codegen import ir, naming

_IRREGULAR = {"people": "person", "statuses": "status", "addresses": "address",
              # resources whose class name is plural (`FundingInstructions`, `BalanceSettings`)
              "instructions": "instructions", "settings": "settings", "details": "details"}


def singular(word: str) -> str:
    """`balance_transactions` -> `balance_transaction`, `entries` -> `entry` (the last word)."""
    head, _, last = word.rpartition("_")
    if last in _IRREGULAR:
        last = _IRREGULAR[last]
    elif last.endswith("ies"):
        last = last[:-3] + "y"
    elif last.endswith(("sses", "xes")):
        last = last[:-2]
    elif last.endswith("s") and not last.endswith(("ss", "us")):
        last = last[:-1]
    return f"{head}_{last}" if head else last


@dataclass
class Namespace:
    path: tuple[str, ...]
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # public -> (module, private)
    children: list[str] = field(default_factory=list)

    @property
    def module(self) -> str:
        return "__init__" if not self.path else "_".join(self.path)


def _namespace_depth(service: ir.Service, root: ir.Service) -> int:
    """How many leading segments of `service.path` are namespaces (no operations of their own)."""
    node, depth = root, 0
    for part in service.path[:-1]:
        node = node.children[part]
        if node.operations:
            break
        depth += 1
    return depth


def namespaces(api: ir.API, params_module: dict[str, str]) -> list[Namespace]:
    """Every namespace with its public names; `params_module` maps a primary TypedDict name to
    the params module that defines it. The first operation (in sorted order) to claim a name
    keeps it."""
    out: dict[tuple[str, ...], Namespace] = {(): Namespace(())}
    for service in api.services.walk():
        depth = _namespace_depth(service, api.services)
        ns_path = service.path[:depth]
        for i in range(1, depth + 1):
            if ns_path[:i] not in out:
                out[ns_path[:i]] = Namespace(ns_path[:i])
                out[ns_path[: i - 1]].children.append(ns_path[i - 1])
        ns = out[ns_path]
        stem = "".join(naming.pascal(singular(p)) for p in service.path[depth:])
        for op in sorted(service.operations, key=lambda o: o.method):
            if op.params is None:
                continue
            private = op.params.name
            public = f"{stem}{naming.pascal(op.method)}Params"
            module = params_module[private]
            ns.names.setdefault(public, (module, private))
            if op.alias_of:
                continue
            for td in service.typed_dicts:  # the nested TypedDicts of this operation
                if td.name.startswith(private) and td.name != private:
                    ns.names.setdefault(public + td.name[len(private):], (module, td.name))
    return [out[k] for k in sorted(out)]
