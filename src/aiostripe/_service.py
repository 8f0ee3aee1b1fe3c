"""Base class of the generated services: the call path from a method to a typed result.

A generated method passes its path already filled in (each path parameter checked and quoted
by `quote_path_param`) and the operation's path template, which telemetry labels calls with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aiostripe._models import parse_response, parser_named
from aiostripe._options import RequestOptions

if TYPE_CHECKING:
    from aiostripe._pagination import ListRequest, SearchRequest, V2ListRequest
    from aiostripe._requestor import Requestor


class Service:
    """One resource namespace of the API (`stripe.customers`, `stripe.treasury.transactions`)."""

    def __init__(self, requestor: Requestor) -> None:
        self._requestor = requestor

    async def _request(
        self,
        method: str,
        path: str,
        template: str,
        params: Mapping[str, Any],
        options: RequestOptions | None,
        returns: str | None,
        *,
        host: str = "api",
        multipart: bool = False,
    ) -> Any:
        response = await self._requestor.request(
            method, path, params, options, host=host, multipart=multipart, template=template
        )
        if returns is None:
            return response.body
        return parse_response(response.json(), parser_named(returns), response, returns)

    def _list(
        self,
        path: str,
        template: str,
        params: Mapping[str, Any],
        options: RequestOptions | None,
        item_type: str,
        *,
        paged: bool = True,
    ) -> ListRequest[Any]:
        from aiostripe._pagination import ListRequest  # loaded with the first list call

        return ListRequest(
            self._requestor, path, dict(params), options, item_type, paged=paged, template=template
        )

    def _v2_list(
        self,
        path: str,
        template: str,
        params: Mapping[str, Any],
        options: RequestOptions | None,
        item_type: str,
    ) -> V2ListRequest[Any]:
        """A v2 list: pages linked by `next_page_url` (page tokens), not cursors."""
        from aiostripe._pagination import V2ListRequest

        return V2ListRequest(
            self._requestor, path, dict(params), options, item_type, template=template
        )

    def _search(
        self,
        path: str,
        template: str,
        params: Mapping[str, Any],
        options: RequestOptions | None,
        item_type: str,
    ) -> SearchRequest[Any]:
        from aiostripe._pagination import SearchRequest

        return SearchRequest(
            self._requestor, path, dict(params), options, item_type, template=template
        )
