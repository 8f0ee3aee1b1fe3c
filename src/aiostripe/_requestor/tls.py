"""Loading the HTTP stack when a client is created, aiohttp imported without loading the
system's CA certificates twice at import.

`load_http_stack`, called by a client's creation, imports aiohttp (and yarl with it): ~60 ms of
CPU, paid then rather than by the client's first call, where it would stall every other task of
the event loop (`import aiostripe` alone loads neither).

aiohttp (3.10+) builds two default TLS contexts when it is imported, a verifying one and a
non-verifying one, and each loads the whole system CA bundle (`set_default_verify_paths`): ~20 ms
of CPU each, 40 of the ~100 ms aiohttp's import costs, paid by a process that may never open a
TLS connection (a client of a local fake or proxy on `http://`) and, for the non-verifying one,
by every process.

`import_aiohttp` imports it with that load deferred: while aiohttp is imported (and only when
this module is the first to import it), `ssl.SSLContext.set_default_verify_paths` records the
contexts instead of loading, and those contexts then load their CA certificates the first time
they are used (`wrap_bio` / `wrap_socket`, which asyncio calls for every TLS connection, or a
look at their certificates), once, under a lock, and become plain `ssl.SSLContext`s again. What
they verify is unchanged; only when the loading happens moves. A client whose API is on
`https://` calls `load_deferred_ca_certificates()` when it is created, so its first call does not
pay for the loading inside the event loop either.
"""

from __future__ import annotations

import ssl
import sys
import threading
from typing import Any

_lock = threading.Lock()
_deferred: list[ssl.SSLContext] = []
"""The contexts built while aiohttp was imported, their CA certificates not loaded yet."""


def load_http_stack(tls: bool) -> None:
    """Import aiohttp if not yet done, its TLS contexts' CA certificates loaded now if `tls`
    (the client talks to an `https://` URL), else on their first use."""
    import_aiohttp()
    if tls:
        load_deferred_ca_certificates()


def import_aiohttp() -> None:
    """Import aiohttp, its default TLS contexts' CA certificates deferred to their first use."""
    if "aiohttp" in sys.modules:
        return
    built: list[ssl.SSLContext] = []

    def record(self: ssl.SSLContext) -> None:
        built.append(self)

    own = ssl.SSLContext.__dict__.get("set_default_verify_paths")  # none: it is inherited
    ssl.SSLContext.set_default_verify_paths = record  # type: ignore[method-assign]
    try:
        import aiohttp  # noqa: F401
    finally:
        if own is None:
            del ssl.SSLContext.set_default_verify_paths  # the inherited method again
        else:
            ssl.SSLContext.set_default_verify_paths = own  # type: ignore[method-assign]
        with _lock:
            for context in {id(c): c for c in built}.values():
                if type(context) is ssl.SSLContext:
                    context.__class__ = _LoadsCAOnFirstUse
                    _deferred.append(context)
                else:  # a subclass built meanwhile by another thread: not ours to defer
                    _load(context)


def load_deferred_ca_certificates() -> None:
    """Load the deferred CA certificates now (a client of an `https://` API, when created)."""
    with _lock:
        while _deferred:
            _become_loaded(_deferred.pop())


def _ensure_loaded(context: ssl.SSLContext) -> None:
    with _lock:
        if type(context) is _LoadsCAOnFirstUse:
            _deferred.remove(context)
            _become_loaded(context)


def _become_loaded(context: ssl.SSLContext) -> None:
    _load(context)
    context.__class__ = ssl.SSLContext


def _load(context: ssl.SSLContext) -> None:
    """The loading itself, by the method `ssl.SSLContext` has outside `import_aiohttp`."""
    ssl.SSLContext.set_default_verify_paths(context)


class _LoadsCAOnFirstUse(ssl.SSLContext):
    """A context whose `set_default_verify_paths()` is still to do: done before it is used."""

    __slots__ = ()

    def wrap_socket(self, *args: Any, **kwargs: Any) -> Any:
        _ensure_loaded(self)
        return ssl.SSLContext.wrap_socket(self, *args, **kwargs)

    def wrap_bio(self, *args: Any, **kwargs: Any) -> Any:
        _ensure_loaded(self)
        return ssl.SSLContext.wrap_bio(self, *args, **kwargs)

    def get_ca_certs(self, *args: Any, **kwargs: Any) -> Any:
        _ensure_loaded(self)
        return ssl.SSLContext.get_ca_certs(self, *args, **kwargs)

    def cert_store_stats(self) -> Any:
        _ensure_loaded(self)
        return ssl.SSLContext.cert_store_stats(self)

    def set_default_verify_paths(self) -> None:
        _ensure_loaded(self)
