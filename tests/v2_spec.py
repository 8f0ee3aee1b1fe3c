"""An independent check of the v2 wire against Stripe's spec: openapi-schema-validator (OpenAPI
3.0 schemas, `nullable` included) over `spec3.2026-05-27.json` itself, not our IR. Every v2
request the fake logged is checked: its JSON body against the operation's `requestBody`, its
answer against the operation's response schema (200, else `default`: the v2 error shapes)."""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from openapi_schema_validator import OAS30Validator

from aiostripe.testing import FakeStripe
from tests.gen_helpers import SHARED

SPEC_FILE = SHARED / "spec3.2026-05-27.json"


@functools.cache
def _spec() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(SPEC_FILE.read_text())
    return spec


@functools.cache
def _routes() -> list[tuple[str, re.Pattern[str], str]]:
    out = []
    for path, ops in _spec()["paths"].items():
        if path.startswith("/v2/"):
            pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")
            out.extend((verb.upper(), pattern, path) for verb in ops if verb in ("get", "post", "delete"))
    return out


def _operation(method: str, path: str) -> dict[str, Any]:
    for verb, pattern, template in _routes():
        if verb == method and pattern.match(path):
            op: dict[str, Any] = _spec()["paths"][template][method.lower()]
            return op
    raise AssertionError(f"{method} {path} is no v2 operation of the spec")


def _validator(schema: dict[str, Any]) -> OAS30Validator:
    return OAS30Validator({**schema, "components": _spec()["components"]})


def check_v2_traffic(fake: FakeStripe) -> int:
    """Validate every logged v2 request body and answer; returns how many were checked."""
    checked = 0
    for record in fake.requests:
        if not record.path.startswith("/v2/") or record.answer is None:
            continue
        op = _operation(record.method, record.path)
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if record.method == "POST" and body is not None and record.status == 200:
            errors = list(_validator(body["schema"]).iter_errors(record.form))
            assert not errors, f"{record.method} {record.path} body: {errors[0].message}"
        status = "200" if record.status == 200 else "default"
        schema = op["responses"][status]["content"]["application/json"]["schema"]
        if status == "default" and "oneOf" in schema:
            # the spec's error answers are `oneOf: [v2.error.<code>, v2.error]`, but `v2.error`
            # (any code) matches every specific one too: read as "any of them"
            schema = {"anyOf": schema["oneOf"]}
        errors = list(_validator(schema).iter_errors(record.answer))
        assert not errors, (
            f"{record.method} {record.path} -> {record.status}: {errors[0].message} "
            f"at {list(errors[0].absolute_path)}"
        )
        checked += 1
    return checked
