"""Start-up: what `import aiostripe` and a client's creation load, and a first call that does not
stall the event loop (issue 26: importing aiohttp in the first call held every other task of the
loop for 60-200 ms).

Both run in a fresh interpreter, where nothing is imported yet. The loop's stalls are read by a
5 ms ticker task as the longest gap between two of its ticks, in the loop thread's CPU time (the
work that held the loop: imports are CPU) and in wall time (also what the machine's other load
adds, so it is shown, not asserted).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from typing import Any

from aiostripe.testing import FakeStripe
from tests.gen_helpers import REPO

LAZY = ("aiohttp", "yarl", "email.utils", "aiostripe._pagination", "opentelemetry")

GAPS = """
async def gaps(call):
    # the longest gaps between the ticks of a 5 ms ticker while `call` runs: (cpu, wall) in ms
    ticks = []
    done = False

    async def ticker():
        while not done:
            ticks.append((time.thread_time(), time.perf_counter()))
            await asyncio.sleep(0.005)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.02)
    await call()
    await asyncio.sleep(0.02)
    done = True
    await task
    pairs = list(zip(ticks, ticks[1:]))
    return (max(b[0] - a[0] for a, b in pairs) * 1000, max(b[1] - a[1] for a, b in pairs) * 1000)
"""

FIRST_CALLS = """
import asyncio, json, sys, time
LAZY = %(lazy)r
import aiostripe
loaded = {"import": [m for m in LAZY if m in sys.modules]}
generated = [m for m in sys.modules if m.startswith("aiostripe._generated")]
modules = len(sys.modules)
client = aiostripe.StripeClient("sk_test_startup", base_url=%(url)r, max_retries=0)
loaded["client"] = [m for m in LAZY if m in sys.modules]

%(gaps)s
async def main():
    async with client:
        first = await gaps(lambda: client.customers.create(email="jo@example.com"))
        first_list = await gaps(lambda: client.charges.list(limit=3))
    loaded["calls"] = [m for m in LAZY if m in sys.modules]
    print(json.dumps({"first": first, "first_list": first_list, "loaded": loaded,
                      "generated": generated, "modules": modules}))

asyncio.run(main())
"""


def test_import_is_light_the_client_loads_the_http_stack_and_no_first_call_stalls_the_loop(
    fake: FakeStripe,
) -> None:
    result = _run(FIRST_CALLS % {"lazy": LAZY, "url": fake.url, "gaps": GAPS})
    loaded = result["loaded"]
    # `import aiostripe`: no HTTP stack, no pagination, no generated module
    assert loaded["import"] == [], loaded
    assert result["generated"] == [], result["generated"]
    assert result["modules"] < 260, result["modules"]
    # creating the client loads what calls need; OpenTelemetry (installed here) only once the
    # program itself imports it
    assert loaded["client"] == ["aiohttp", "yarl", "email.utils", "aiostripe._pagination"], loaded
    assert loaded["calls"] == loaded["client"], loaded
    # the first call (a POST) and the first list call each hold the loop at most 20 ms at once
    for name in ("first", "first_list"):
        cpu, wall = result[name]
        assert cpu <= 20.0, f"{name} call held the event loop {cpu:.1f} ms (wall {wall:.1f} ms)"


TLS = REPO / "tests" / "tls"

TLS_CALLS = """
import asyncio, json, ssl, sys, time
import aiostripe
MODE, TLS, BODY = %(mode)r, %(tls)r, %(body)r.encode()
%(gaps)s


async def serve(name):
    # an HTTPS server on loopback answering every request with BODY, its certificate `name`.pem
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(f"{TLS}/{name}.pem", f"{TLS}/{name}.key")

    async def answer(reader, writer):
        try:
            while True:
                await reader.readuntil(b"\\r\\n\\r\\n")
                writer.write(b"HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\n"
                             b"Content-Length: %%d\\r\\n\\r\\n%%s" %% (len(BODY), BODY))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)
    return server, "https://127.0.0.1:%%d" %% server.sockets[0].getsockname()[1]


async def main():
    out = {}
    plain = aiostripe.StripeClient("sk_test_tls", base_url="http://127.0.0.1:9")
    import aiohttp
    import aiohttp.connector
    # the client on http:// imported aiohttp: its verifying context has not loaded the CAs yet
    out["deferred"] = type(aiohttp.connector._SSL_CONTEXT_VERIFIED).__name__
    trusted, trusted_url = await serve("server")
    unknown, unknown_url = await serve("other")
    if MODE == "theirs":  # another library's aiohttp session, with aiohttp's default verification
        async with aiohttp.ClientSession() as session:
            async with session.get(trusted_url) as r:
                out["trusted"] = (await r.json())["id"]
            try:
                async with session.get(unknown_url) as r:
                    out["unknown"] = r.status
            except aiohttp.ClientConnectorCertificateError as exc:
                out["unknown"] = type(exc.certificate_error).__name__
    else:  # our client of an https:// API: it loads the CAs when it is created
        async with aiostripe.StripeClient("sk_test_tls", base_url=trusted_url, max_retries=0) as ours:
            out["loaded"] = type(aiohttp.connector._SSL_CONTEXT_VERIFIED).__name__
            out["gaps"] = await gaps(lambda: ours.customers.retrieve("cus_1"))
            out["trusted"] = (await ours.customers.retrieve("cus_1")).id
        async with aiostripe.StripeClient("sk_test_tls", base_url=unknown_url, max_retries=0) as ours:
            try:
                out["unknown"] = (await ours.customers.retrieve("cus_1")).id
            except aiostripe.APIConnectionError as exc:
                out["unknown"] = str(exc)
    await plain.close()
    print(json.dumps(out))

asyncio.run(main())
"""


def test_tls_contexts_load_their_cas_when_first_needed_and_still_verify(fake: FakeStripe) -> None:
    # aiohttp builds two TLS contexts at import, each loading the system's CAs (~20 ms each);
    # imported by a client, their CAs load on first use (another library's session) or when a
    # client of an https:// API is created, and verification is what it was: the CA of
    # SSL_CERT_FILE (the only one trusted here) vouches for one server and not for the other
    body = _a_customer(fake)
    env = {**os.environ, "SSL_CERT_FILE": str(TLS / "ca.pem"), "SSL_CERT_DIR": str(TLS)}
    for mode in ("theirs", "ours"):
        result = _run(TLS_CALLS % {"mode": mode, "tls": str(TLS), "body": body, "gaps": GAPS}, env)
        assert result["deferred"] == "_LoadsCAOnFirstUse", result
        assert result["trusted"] == json.loads(body)["id"], result
        if mode == "theirs":
            assert result["unknown"] == "SSLCertVerificationError", result
        else:
            assert "certificate verify failed" in result["unknown"], result
            assert result["loaded"] == "SSLContext", result  # by the client's creation
            cpu, wall = result["gaps"]
            assert cpu <= 20.0, f"the first https call held the loop {cpu:.1f} ms (wall {wall:.1f})"


def _a_customer(fake: FakeStripe) -> str:
    """A customer as the fake (on the pinned API version) returns it, as JSON."""
    request = urllib.request.Request(
        f"{fake.url}/v1/customers",
        data=b"email=jo%40example.com",
        headers={"Authorization": "Bearer sk_test_tls"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode()


def _run(code: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run `code` in a fresh interpreter; what it printed, as JSON."""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result: dict[str, Any] = json.loads(out.stdout)
    return result
