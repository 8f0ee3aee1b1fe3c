"""Which server an operation is sent to: the `servers` of Stripe's spec, honoured.

An operation's `servers` (else its path's, else the document's) name its base URL. Each server
Stripe uses is one setting of `StripeClient`, the runtime's side of this table
(`_Building._server_url`): `api` -> `base_url`, `files` -> `files_base_url`, `meter_events` ->
`meter_events_base_url`. Any other server is a `GenerationError` naming where the spec says it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from codegen.location import GenerationError, pointer

# host name of a Stripe server -> the name the generated code passes (`host="files"`)
HOSTS: dict[str, str] = {
    "api.stripe.com": "api",
    "files.stripe.com": "files",
    "meter-events.stripe.com": "meter_events",
}
DEFAULT_SERVER = "https://api.stripe.com"


def server_of(doc: dict[str, Any], path: str, verb: str) -> tuple[str, str]:
    """(base URL, host name) of the operation `verb path` of `doc`."""
    item = doc["paths"][path]
    candidates = [
        (item[verb].get("servers"), ("paths", path, verb, "servers")),
        (item.get("servers"), ("paths", path, "servers")),
        (doc.get("servers"), ("servers",)),
    ]
    for servers, where in candidates:
        if servers:
            return _host(servers[0].get("url", ""), pointer(*where, 0, "url"))
    return DEFAULT_SERVER, "api"


def _host(url: str, where: str) -> tuple[str, str]:
    parts = urlsplit(url)
    host = HOSTS.get(parts.hostname or "")
    if host is None or parts.scheme != "https" or parts.path.strip("/"):
        known = ", ".join(f"https://{h}" for h in HOSTS)
        raise GenerationError(
            f"{where}: server {url!r} is not one the client can send to (known: {known}); "
            "add it to codegen/servers.py and a base URL setting to StripeClient"
        )
    return url.rstrip("/"), host
