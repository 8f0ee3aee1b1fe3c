"""Every v2 operation of the pin is a method of `client.v2`, named as stripe-python 16.1 names it
(the `v2.` entries of ../shared/stripe-openapi/stripe-python-names.2026-05-27.json, observed from
the SDK itself), with its path ids positional and its parameters keyword arguments."""

from __future__ import annotations

import inspect
import json
import re

import pytest

import aiostripe
from tests.gen_helpers import SHARED

NAMES_FILE = SHARED / "stripe-python-names.2026-05-27.json"
SPEC_FILE = SHARED / "spec3.2026-05-27.json"


def _v2_names() -> dict[str, str]:
    names: dict[str, str] = json.loads(NAMES_FILE.read_text())
    return {k: v for k, v in names.items() if v.startswith("v2.")}


@pytest.mark.skipif(not NAMES_FILE.exists(), reason="../shared not present")
async def test_every_v2_operation_is_reachable_under_its_stripe_python_name() -> None:
    names = _v2_names()
    spec = json.loads(SPEC_FILE.read_text())
    v2_ops = {f"{verb.upper()} {path}" for path, ops in spec["paths"].items()
              if path.startswith("/v2/") for verb in ops if verb in ("get", "post", "delete")}
    assert set(names) == v2_ops and len(names) == 32
    reached = 0
    async with aiostripe.StripeClient("sk_test_x", base_url="http://127.0.0.1:9") as client:
        for key, dotted in sorted(names.items()):
            target: object = client
            for part in dotted.split("."):
                target = getattr(target, part)
            assert callable(target), key
            assert f"`{key}`" in (inspect.getdoc(target) or ""), key
            sig = inspect.signature(target)
            positional = [n for n, p in sig.parameters.items() if p.kind is p.POSITIONAL_OR_KEYWORD]
            assert positional == re.findall(r"\{(\w+)\}", key.split(" ", 1)[1]), key
            assert "request_options" in sig.parameters
            reached += 1
    assert reached == 32


def test_v2_is_not_one_of_the_v1_namespaces() -> None:
    from aiostripe._generated.services import V1Services

    assert not hasattr(V1Services, "v2")
    assert hasattr(aiostripe.StripeClient, "v2")
