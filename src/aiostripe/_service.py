"""Base class of the generated services: the call path from a method to a typed result.

A generated method passes its path already filled in (each path parameter checked and quoted
by `quote_path_param`), the operation's path template, which telemetry labels calls with, and
the `ParamNames` of its keyword arguments: a name it does not know is refused before anything
is sent (`unknown_params`), unless passed through `extra_params=`."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Self, TypedDict

from aiostripe._errors import InvalidParameterError
from aiostripe._models import parse_response, parser_named
from aiostripe._options import RequestOptions

if TYPE_CHECKING:
    from aiostripe._pagination import ListRequest, SearchRequest, V2ListRequest
    from aiostripe._requestor import RawResponse, Requestor


class ParamNames(frozenset[str]):
    """The keyword arguments one operation takes (its parameters' Python and wire names);
    `where` names the method in errors (`stripe.customers.create`)."""

    where: str

    def __new__(cls, where: str, names: Iterable[str]) -> Self:
        self = super().__new__(cls, names)
        self.where = where
        return self


NO_PARAMS = ParamNames("this method", ())


class NoParams(TypedDict, total=False):
    """The keyword arguments of an operation that takes no parameters: none (a `delete`). Typed
    as `**params: Unpack[NoParams]`, so a stray keyword (stripe-python's `options=`) is refused
    by the type checker and, with the message that shows `request_options=`, at run time."""

_SDK_HABITS = {"params", "options"}  # stripe-python 16's `create(params={...}, options={...})`


def unknown_params(params: Mapping[str, Any], allowed: ParamNames) -> InvalidParameterError:
    """The error for keyword arguments the operation does not have: each named with the
    closest valid names; stripe-python's `params=`/`options=` shown the way they are spelt here."""
    unknown = sorted(k for k in params if k not in allowed)
    where = allowed.where
    if _SDK_HABITS & set(unknown):
        inner = params.get("params")
        keys = list(inner)[:3] if isinstance(inner, Mapping) and inner else sorted(allowed)[:2]
        shown = "".join(f"{k}=..., " for k in keys)
        return InvalidParameterError(
            f"{where}() takes Stripe's parameters as keyword arguments and per-call options "
            f"as request_options: {where}({shown}request_options={{\"stripe_account\": ..., "
            f"\"idempotency_key\": ...}}), not params={{...}}, options={{...}} as in "
            "stripe-python (`**params` passes a dict you built)",
            param="params" if "params" in unknown else "options",
        )
    import difflib  # only for this error's hint: not a cost of every program's start

    parts = []
    for name in unknown:
        close = difflib.get_close_matches(name, sorted(allowed), n=3, cutoff=0.6)
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
        parts.append(f"{name!r}{hint}")
    known = ", ".join(sorted(allowed)) if len(allowed) <= 12 else f"{len(allowed)} names"
    return InvalidParameterError(
        f"{where}() got unknown parameter{'s' if len(parts) > 1 else ''} {', '.join(parts)}; "
        f"it takes {known or 'no parameters'}. A parameter the types don't know yet goes "
        "through extra_params={...} (merged into what is sent)",
        param=unknown[0],
    )


def _sent(
    params: Mapping[str, Any], allowed: ParamNames, extra: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The params a list or search call sends: known names only, plus `extra_params`."""
    if params and not allowed.issuperset(params):
        raise unknown_params(params, allowed)
    return dict(params) if extra is None else _merged(params, extra)


def _merged(params: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(extra, Mapping):
        raise InvalidParameterError(
            f"extra_params: expected a dict of parameters, got {type(extra).__name__}",
            param="extra_params",
        )
    return {**params, **extra}


def _body(response: RawResponse) -> bytes:
    """A response read as its bytes (a PDF, a CSV)."""
    return response.body


_READERS: dict[str, Callable[[RawResponse], Any]] = {}


def _reader(returns: str) -> Callable[[RawResponse], Any]:
    """How a response is read as the type `returns` names, made once per name."""
    parse = parser_named(returns)

    def read(response: RawResponse) -> Any:
        return parse_response(response.json(), parse, response, returns)

    _READERS[returns] = read
    return read


class Service:
    """One resource namespace of the API (`stripe.customers`, `stripe.treasury.transactions`)."""

    def __init__(self, requestor: Requestor) -> None:
        self._requestor = requestor

    def _request(
        self,
        method: str,
        path: str,
        template: str,
        params: Mapping[str, Any],
        options: RequestOptions | None,
        returns: str | None,
        allowed: ParamNames = NO_PARAMS,
        extra: Mapping[str, Any] | None = None,
        *,
        host: str = "api",
        multipart: bool = False,
    ) -> Coroutine[Any, Any, Any]:
        """The call of a generated method, to be awaited there: the requestor's, reading the
        response as `returns` (a model's type expression; None: the body's bytes). Not a
        coroutine itself: one frame fewer for every wake-up of the call."""
        if params and not allowed.issuperset(params):  # ~10 ns without kwargs, ~80 with
            raise unknown_params(params, allowed)
        if extra is not None:
            params = _merged(params, extra)
        return self._requestor.request(
            method, path, params, options, host=host, multipart=multipart, template=template,
            read=_body if returns is None else _READERS.get(returns) or _reader(returns),
        )

    def _list(
        self,
        path: str,
        template: str,
        params: Mapping[str, Any],
        options: RequestOptions | None,
        item_type: str,
        allowed: ParamNames = NO_PARAMS,
        extra: Mapping[str, Any] | None = None,
        *,
        paged: bool = True,
    ) -> ListRequest[Any]:
        from aiostripe._pagination import ListRequest  # loaded with the first list call

        return ListRequest(
            self._requestor,
            path,
            _sent(params, allowed, extra),
            options,
            item_type,
            paged=paged,
            template=template,
        )

    def _v2_list(
        self,
        path: str,
        template: str,
        params: Mapping[str, Any],
        options: RequestOptions | None,
        item_type: str,
        allowed: ParamNames = NO_PARAMS,
        extra: Mapping[str, Any] | None = None,
        *,
        paged: bool = True,
    ) -> V2ListRequest[Any]:
        """A v2 list: pages linked by `next_page_url` (page tokens), not cursors."""
        from aiostripe._pagination import V2ListRequest

        return V2ListRequest(
            self._requestor,
            path,
            _sent(params, allowed, extra),
            options,
            item_type,
            template=template,
        )

    def _search(
        self,
        path: str,
        template: str,
        params: Mapping[str, Any],
        options: RequestOptions | None,
        item_type: str,
        allowed: ParamNames = NO_PARAMS,
        extra: Mapping[str, Any] | None = None,
    ) -> SearchRequest[Any]:
        from aiostripe._pagination import SearchRequest

        return SearchRequest(
            self._requestor,
            path,
            _sent(params, allowed, extra),
            options,
            item_type,
            template=template,
        )
