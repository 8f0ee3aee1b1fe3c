"""Parity between the fake Stripe and Stripe's own mock server (stripe-mock).

One corpus of requests goes to both, through the generated client methods: for every public
operation its minimal valid request, and where the operation has such a parameter, one request
each with a required parameter left out, an unknown parameter, a value of the wrong type, a value
outside an enum, and a string one character over the spec's `maxLength`. The two must agree on
accepted/refused and, when both refuse, on the parameter the error names (stripe-mock names it in
its message: `object property 'amount' is required`; it does not name unknown parameters).

Every disagreement must be a known one, listed in `KNOWN` with its reason; the test prints the
agreement figure. The fake holds the objects the path names (it is stateful, stripe-mock is not).
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from typing import Any, Literal, get_args, get_origin

import attrs
import pytest

import aiostripe
from aiostripe.testing import FakeStripe
from aiostripe.testing.limits import spec_limits
from aiostripe.testing.operations import Operation, operations
from aiostripe.testing.validate import Param, param_fields, union_members
from tests.op_calls import method, params, store_path_objects
from tests.stripe_mock import StripeMock, report

PUBLIC = [op for op in operations() if not op.preview and op.path.startswith("/v1/")]  # v1: stripe-mock reads no /v2/ path; v2 has its own tests (tests/test_v2_*.py)
CaseKind = Literal["minimal", "missing", "unknown", "wrong_type", "bad_enum", "too_long"]

KNOWN: dict[CaseKind, str] = {
    "too_long": (
        "stripe-mock does not check maxLength (its README lists what it validates: path, method, "
        "Content-Type, required and unknown parameters, types, enum values); Stripe does, and so "
        "does the fake ('Invalid string: ...; must be at most 5000 characters')"
    ),
}
"""Kinds of requests on which the two servers are known to disagree, and why."""

_LIFECYCLE = (
    "the fake's lifecycles (testing/behaviours/) refuse, as Stripe does, what the state of the "
    "stored example object or an id the fake does not hold does not allow (refunding an "
    "uncaptured charge, capturing an intent that is not requires_capture, moving treasury money "
    "into a financial account that does not exist, transferring to an account it does not "
    "hold); stateless stripe-mock accepts any request that fits the spec"
)
KNOWN_OPERATIONS: dict[tuple[str, CaseKind], str] = {
    (key, "minimal"): _LIFECYCLE
    for key in (
        "POST /v1/charges/{charge}/refunds",
        "POST /v1/invoices/{invoice}/mark_uncollectible",
        "POST /v1/invoices/{invoice}/pay",
        "POST /v1/invoices/{invoice}/void",
        "POST /v1/subscriptions",
        "POST /v1/test_helpers/test_clocks/{test_clock}/advance",
        "POST /v1/payment_intents/{intent}/capture",
        "POST /v1/payment_intents/{intent}/confirm",
        "POST /v1/payment_methods/{payment_method}/attach",
        "POST /v1/payouts/{payout}/cancel",
        "POST /v1/refunds",
        "POST /v1/transfers",
        "POST /v1/setup_intents/{intent}/confirm",
        "POST /v1/test_helpers/treasury/inbound_transfers/{id}/return",
        "POST /v1/test_helpers/treasury/outbound_payments/{id}/return",
        "POST /v1/test_helpers/treasury/outbound_transfers/{outbound_transfer}/return",
        "POST /v1/test_helpers/treasury/received_credits",
        "POST /v1/test_helpers/treasury/received_debits",
        "POST /v1/treasury/inbound_transfers",
        "POST /v1/treasury/outbound_payments",
        "POST /v1/treasury/outbound_transfers",
    )
} | {
    ("POST /v1/webhook_endpoints", "minimal"): (
        "the fake sends webhooks only to loopback URLs (issue 25): the spec's example URL "
        "(https://example.com) is refused with url_invalid, which Stripe and stripe-mock accept"
    ),
}
"""Single requests on which they are known to disagree, and why."""

_PROPERTY = re.compile(r"object property '([^']+)'")


@attrs.frozen
class Case:
    op: Operation
    kind: CaseKind
    params: dict[str, Any]
    param: str | None  # the wire name of the parameter the case is about


@attrs.frozen
class Outcome:
    accepted: bool
    param: str | None  # the top-level parameter a refusal names, None if it names none

    def agrees_with(self, other: Outcome) -> bool:
        if self.accepted != other.accepted:
            return False
        return self.param is None or other.param is None or self.param == other.param


def _python_key(td: type, wire: str) -> str:
    return wire if wire in td.__annotations__ else f"{wire}_"


def _members(param: Param) -> list[Any]:
    return [m for m in union_members(param.type) if m is not type(None)]


def _is_enum(param: Param) -> bool:
    members = _members(param)
    has_values = any(
        get_origin(m) is Literal and any(v != "" for v in get_args(m)) for m in members
    )
    return has_values and str not in members


def _is_non_string(param: Param) -> bool:
    return all(
        m is not str and m is not bytes and get_origin(m) is not Literal and m is not Any
        for m in _members(param)
    ) and "IO" not in repr(param.type)


def corpus() -> list[Case]:
    cases: list[Case] = []
    for op in PUBLIC:
        minimal = params(op)
        cases.append(Case(op, "minimal", minimal, None))
        td = op.params_type()
        if td is None:  # the method takes no keyword parameters: Python refuses any
            continue
        cases.append(Case(op, "unknown", {**minimal, "zz_unknown": "1"}, "zz_unknown"))
        fields = sorted(param_fields(td).values(), key=lambda p: (not p.required, p.name))
        required = [p for p in fields if p.required]
        if required:
            dropped = dict(minimal)
            del dropped[_python_key(td, required[0].name)]
            cases.append(Case(op, "missing", dropped, required[0].name))
        special = {
            "wrong_type": (_is_non_string, "not_a_number_or_list"),
            "bad_enum": (_is_enum, "zz_not_an_option"),
        }
        for kind, (fits, value) in special.items():
            fitting = [p for p in fields if fits(p)]  # `expand` (every op has it) comes last
            fitting.sort(key=lambda p: p.name == "expand")
            target = fitting[0] if fitting else None
            if target is not None:
                bad = {**minimal, _python_key(td, target.name): value}
                cases.append(Case(op, kind, bad, target.name))  # type: ignore[arg-type]
        limits = spec_limits(td)
        long = next(
            (p for p in fields if "maxLength" in limits.get(p.name, {}) and str in _members(p)),
            None,
        )
        if long is not None:
            text = "x" * (int(limits[long.name]["maxLength"]) + 1)
            cases.append(Case(op, "too_long", {**minimal, _python_key(td, long.name): text},
                              long.name))
    return cases


def _mock_param(error: aiostripe.StripeError) -> str | None:
    """The top-level parameter a stripe-mock error names in its message, if any."""
    names = _PROPERTY.findall(str(error))
    return names[0] if names else None


def _fake_param(error: aiostripe.StripeError) -> str | None:
    return error.param.split("[", 1)[0] if error.param else None


async def _outcome(client: Any, case: Case, ids: list[str], *, mock: bool) -> Outcome:
    try:
        # every name goes to the server, known to the types or not (the client refuses an
        # unknown keyword itself: extra_params is how one is sent)
        await method(client, case.op)(*ids, extra_params=case.params)
    except aiostripe.StripeError as exc:
        return Outcome(False, _mock_param(exc) if mock else _fake_param(exc))
    return Outcome(True, None)


async def _run(stripe_mock: StripeMock) -> list[tuple[Case, Outcome, Outcome]]:
    cases = corpus()
    slots = asyncio.Semaphore(16)
    url = stripe_mock.url
    async with (
        FakeStripe(seed=11) as fake,
        fake.client(max_retries=0) as fake_client,
        aiostripe.StripeClient(
            "sk_test_parity", base_url=url, files_base_url=url, max_retries=0
        ) as mock_client,
    ):

        async def both(case: Case) -> tuple[Case, Outcome, Outcome]:
            ids = store_path_objects(fake, case.op)
            mock_ids = [f"{name}_123" for name in case.op.path_params]
            async with slots:
                return (
                    case,
                    await _outcome(fake_client, case, ids, mock=False),
                    await _outcome(mock_client, case, mock_ids, mock=True),
                )

        return await asyncio.gather(*(both(case) for case in cases))


async def test_the_fake_and_stripe_mock_agree(
    stripe_mock: StripeMock, request: pytest.FixtureRequest
) -> None:
    results = await _run(stripe_mock)
    agreed = [r for r in results if r[1].agrees_with(r[2])]
    differ = [r for r in results if not r[1].agrees_with(r[2])]
    known = [
        r for r in differ if r[0].kind in KNOWN or (r[0].op.key, r[0].kind) in KNOWN_OPERATIONS
    ]
    unexplained = [r for r in differ if r not in known]
    total = len(results)
    comparable = total - len(known)
    kinds = Counter(case.kind for case, _, _ in results)
    named = sum(1 for _, fake, mock in results if fake.param and mock.param)
    report(
        request,
        f"parity fake/stripe-mock: {len(agreed)}/{total} requests agree "
        f"({100 * len(agreed) / total:.1f}%); {len(known)} known disagreements "
        f"({', '.join(f'{k}: {v}' for k, v in Counter(r[0].kind for r in known).items())}); "
        f"agreement without them {100 * (comparable - len(unexplained)) / comparable:.2f}% "
        f"of {comparable}; the error's param compared on {named} refusals; "
        f"corpus: {dict(kinds)}"
    )
    lines = [
        f"{case.op.key} [{case.kind} {case.param}]: fake {fake}, stripe-mock {mock}"
        for case, fake, mock in unexplained
    ]
    assert (comparable - len(unexplained)) / comparable >= 0.99, "\n".join(lines)
    assert not unexplained, "\n".join(lines)
    for case, fake, _ in results:  # the fake itself: every bad request refused, naming its param
        if case.kind != "minimal":
            assert not fake.accepted and fake.param == case.param, (case.op.key, case.kind)


def test_the_corpus_covers_every_kind() -> None:
    kinds = Counter(case.kind for case in corpus())
    assert kinds["minimal"] == len(PUBLIC)
    assert kinds["unknown"] == sum(1 for op in PUBLIC if op.params_type() is not None)
    for kind in ("missing", "wrong_type", "bad_enum", "too_long"):
        assert kinds[kind] > 50, kinds


@pytest.mark.parametrize("kind", sorted(KNOWN))
def test_known_disagreements_have_reasons(kind: str) -> None:
    assert len(KNOWN[kind]) > 40  # type: ignore[index]
