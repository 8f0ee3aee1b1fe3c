"""Bad input, tried as a new user would: each gets a clear error naming the argument, before
anything is sent (client), or one line and exit status 2 (command line)."""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from aiostripe import InvalidParameterError, StripeClient, cli
from tests.fault_server import API_KEY, FaultServer, status


@pytest.mark.parametrize(
    ("kwargs", "error", "needle"),
    [
        ({"api_key": API_KEY + "\n"}, ValueError, "api_key: contains a trailing whitespace"),
        ({"api_key": " " + API_KEY}, ValueError, "api_key: contains a whitespace"),
        ({"api_key": "sk_test_\x00x"}, ValueError, "api_key: contains"),
        ({"api_key": 123}, TypeError, "api_key: expected a Stripe secret key string"),
        ({"base_url": "127.0.0.1:41647"}, ValueError, "base_url: .*no scheme"),
        ({"base_url": "ftp://files.example.com"}, ValueError, "base_url: expected an http"),
        ({"base_url": "https://"}, ValueError, "base_url: expected an http"),
        ({"base_url": "http:///v1"}, ValueError, "base_url: expected an http.* with a host"),
        ({"base_url": "http://127.0.0.1:99999"}, ValueError, "base_url: .*Port out of range"),
        ({"base_url": "http://127.0.0.1:abc"}, ValueError, "base_url: expected an http"),
        ({"base_url": "http://[::1"}, ValueError, "base_url: .*Invalid IPv6 URL"),
        ({"base_url": " https://api.stripe.com"}, ValueError, "base_url: has leading"),
        ({"files_base_url": "files.stripe.com"}, ValueError, "files_base_url: .*no scheme"),
        ({"timeout": "10"}, TypeError, "timeout: expected a number of seconds > 0, got str"),
        ({"timeout": 0}, ValueError, "timeout: expected seconds > 0"),
        ({"connect_timeout": float("inf")}, ValueError, "connect_timeout"),
        ({"read_timeout": "5"}, TypeError, "read_timeout"),
        ({"max_connections": 0}, ValueError, "max_connections"),
        ({"stripe_account": "acct_1\r\nX: y"}, ValueError, "stripe_account: contains"),
    ],
)
def test_bad_client_settings_are_named(
    kwargs: dict[str, Any], error: type[Exception], needle: str
) -> None:
    args = {"api_key": API_KEY, **kwargs}
    with pytest.raises(error, match=needle):
        StripeClient(**args)


@pytest.mark.parametrize(
    ("options", "error", "needle"),
    [
        ({"api_key": 123}, TypeError, r"request_options\['api_key'\]: expected"),
        ({"api_key": "sk_test_x\n"}, ValueError, r"request_options\['api_key'\]: contains"),
        ({"timeout": "10"}, TypeError, r"request_options\['timeout'\]: expected a number"),
        ({"max_retries": -1}, ValueError, r"request_options\['max_retries'\]"),
        ({"max_retries": "2"}, TypeError, r"request_options\['max_retries'\]"),
        ({"idempotency_key": ""}, ValueError, r"request_options\['idempotency_key'\]"),
        ({"idempotency_key": 42}, TypeError, r"request_options\['idempotency_key'\]"),
        ({"headers": {"X-A": "1\n"}}, ValueError, r"request_options\['headers'\]\['X-A'\]"),
    ],
)
async def test_bad_request_options_are_refused_before_sending(
    server: FaultServer, options: dict[str, Any], error: type[Exception], needle: str
) -> None:
    async with StripeClient(API_KEY, base_url=server.url) as client:
        with pytest.raises(error, match=needle):
            await client.customers.create(email="a@b.c", request_options=options)  # type: ignore[arg-type]
        assert (client.stats.requests, client.stats.attempts) == (0, 0)  # a refused call is none
    assert server.attempts == []


async def test_params_that_cannot_be_encoded_are_refused_before_sending(server: FaultServer) -> None:
    async with StripeClient(API_KEY, base_url=server.url) as client:
        with pytest.raises(TypeError, match=r"^metadata\[tags\]: expected str, int, .* got set"):
            await client.customers.create(metadata={"tags": {"a", "b"}})  # type: ignore[dict-item]
        with pytest.raises(TypeError, match=r"^expand\[0\]: expected str, int, .* got bytes"):
            await client.raw_request("get", "/v1/customers", expand=[b"x"])
        assert (client.stats.requests, client.stats.attempts) == (0, 0)
    assert server.attempts == []


@pytest.mark.parametrize("limit", [0, -1, 101, "10", True])
async def test_auto_paging_with_a_bad_limit_is_refused(server: FaultServer, limit: Any) -> None:
    async with StripeClient(API_KEY, base_url=server.url) as client:
        with pytest.raises(InvalidParameterError, match="limit: expected an integer from 1 to 100") as info:
            client.customers.list(limit=limit).auto_paging_iter()
    assert info.value.param == "limit"
    assert server.attempts == []


async def test_a_large_body_goes_out_without_warnings() -> None:
    bodies: list[bytes] = []

    async def handle(request: web.Request) -> web.Response:
        bodies.append(await request.read())
        if len(bodies) == 2:  # the second call is retried once
            return web.json_response({"error": {"type": "api_error"}}, status=503)
        return web.json_response({"id": "thing_1", "object": "thing"})

    app = web.Application(client_max_size=8 << 20)
    app.router.add_post("/v1/customers", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    big = "x" * (2 << 20)  # 2 MiB of form data
    try:
        async with StripeClient(API_KEY, base_url=url) as client:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                for _ in range(2):
                    await client.raw_request("post", "/v1/customers", description=big)
    finally:
        await runner.cleanup()
    assert len(bodies) == 3 and all(len(b) > 2 << 20 for b in bodies)
    assert bodies[1] == bodies[2]  # the retry sent the whole body again


# --- command line ----------------------------------------------------------------------------


async def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = await asyncio.to_thread(cli.main, list(argv))
    return code, capsys.readouterr().err


def one_line(err: str, *needles: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("aiostripe: error: "), err
    for needle in needles:
        assert needle in lines[0], err


@pytest.mark.parametrize(
    ("argv", "needles"),
    [
        (["--api-key", API_KEY + "\n"], ["--api-key", "trailing whitespace"]),
        (["--base-url", "localhost:12111"], ["--base-url", "no scheme"]),
        (["--base-url", "ftp://x.example"], ["--base-url", "http:// or https://"]),
    ],
)
async def test_cli_bad_connection_settings_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], needles: list[str]
) -> None:
    args = ["--api-key", API_KEY, "--base-url", "http://127.0.0.1:9", *argv, "get", "customers", "cus_1"]
    code, err = await run(capsys, *args)
    assert code == 2
    one_line(err, *needles)


@pytest.mark.parametrize("where", ["missing", "dir", "cursor_missing"])
async def test_cli_bad_output_path_one_line_before_sending(
    server: FaultServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    conn = ["--api-key", API_KEY, "--base-url", server.url]
    if where == "missing":
        extra, needle = ["-o", str(tmp_path / "nope" / "out.jsonl")], "does not exist"
    elif where == "dir":
        extra, needle = ["-o", str(tmp_path)], "is a directory"
    else:
        extra = ["-o", str(tmp_path / "out.jsonl"), "--cursor-file", str(tmp_path / "x" / "c")]
        needle = "does not exist"
    code, err = await run(capsys, *conn, "list", "customers", *extra)
    assert code == 2
    one_line(err, needle)
    if where != "cursor_missing":  # `get` writes no cursor file
        code, err = await run(capsys, *conn, "get", "customers", "cus_1", *extra)
        assert code == 2
        one_line(err, needle)
    assert server.attempts == []


async def test_cli_verbose_after_the_subcommand(
    server: FaultServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script.append(status(503))
    conn = ["--api-key", API_KEY, "--base-url", server.url]
    code = await asyncio.to_thread(cli.main, [*conn, "get", "customers", "cus_1", "-v"])
    err = capsys.readouterr().err
    assert code == 0
    assert "retrying in" in err  # the retry was logged
