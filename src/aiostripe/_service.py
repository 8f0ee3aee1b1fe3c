"""Base class of the generated services: the call path from a method to a typed result."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aiostripe._encode import format_path
from aiostripe._errors import ResponseParseError, StripeError
from aiostripe._models import StripeObject, structure
from aiostripe._options import RequestOptions
from aiostripe._pagination import ListRequest, SearchRequest

if TYPE_CHECKING:
    from aiostripe._requestor import Requestor


class Service:
    """One resource namespace of the API (`stripe.customers`, `stripe.treasury.transactions`)."""

    def __init__(self, requestor: Requestor) -> None:
        self._requestor = requestor

    async def _request(
        self,
        method: str,
        template: str,
        path_params: Mapping[str, str] | None,
        params: Mapping[str, Any],
        options: RequestOptions | None,
        returns: str | None,
        *,
        host: str = "api",
        multipart: bool = False,
    ) -> Any:
        path = format_path(template, **path_params) if path_params else template
        response = await self._requestor.request(
            method, path, params, options, host=host, multipart=multipart
        )
        if returns is None:
            return response.body
        return parse(response.json(), returns, response)

    def _list(
        self,
        template: str,
        path_params: Mapping[str, str] | None,
        params: Mapping[str, Any],
        options: RequestOptions | None,
        item_type: str,
        *,
        paged: bool = True,
    ) -> ListRequest[Any]:
        path = format_path(template, **path_params) if path_params else template
        return ListRequest(self._requestor, path, dict(params), options, item_type, paged=paged)

    def _search(
        self,
        template: str,
        path_params: Mapping[str, str] | None,
        params: Mapping[str, Any],
        options: RequestOptions | None,
        item_type: str,
    ) -> SearchRequest[Any]:
        path = format_path(template, **path_params) if path_params else template
        return SearchRequest(self._requestor, path, dict(params), options, item_type)


def parse(data: Any, returns: str, response: Any) -> Any:
    """Structure decoded JSON as `returns`, attaching the response; a clear error if it fails."""
    try:
        obj = structure(data, returns)
    except StripeError as exc:
        exc.http_status = response.status
        exc.request_id = response.request_id
        raise
    except Exception as exc:  # a body that does not fit the spec at all
        raise ResponseParseError(
            f"could not parse the {response.status} response as {returns} "
            f"(request id {response.request_id}): {exc}",
            http_status=response.status,
            request_id=response.request_id,
            headers=dict(response.headers),
        ) from exc
    if isinstance(obj, StripeObject):
        obj._meta = response.meta()
    return obj
