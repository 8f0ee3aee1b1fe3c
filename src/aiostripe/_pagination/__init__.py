"""Pages of list and search results, and iteration over every object across pages.

`stripe.customers.list(limit=10)` returns a `ListRequest`. `await` it for the first page (a
`ListPage`, which is a `ListObject`), or walk the whole list:

```python
async for tx in stripe.treasury.transactions.list(financial_account="fa_1").auto_paging_iter():
    ...
```

* **Directions.** Lists page forward with `starting_after`; a request that sets `ending_before`
  (and not `starting_after`) pages backward, yielding objects in reverse order like stripe-python.
  Searches page with `page`/`next_page`; v2 lists (`V2ListRequest`) follow `next_page_url`.
* **Page size.** Auto-paging asks for 100 objects a page unless the call sets `limit`.
* **Bounded read-ahead.** A background task fetches up to `prefetch` pages (default 1) ahead of the
  page being consumed, so a fast consumer overlaps the next round trip with its work and a slow one
  never holds more than `prefetch + 1` pages. Objects are dropped by the iterator as they are
  yielded, so listing a million objects runs in flat memory.
* **Clean stop.** `break`, `aclose()` or leaving `async with it:` cancels the read-ahead: no further
  request is sent and no task is left pending.
* **Resumable.** `it.cursor` is a string naming the position after the last object yielded (the
  object id for lists, `"<offset>:<page token>"` for searches). Save it; pass it back as
  `auto_paging_iter(resume_from=cursor)` to get exactly the objects not yet yielded.
* **Helpers.** `await req.to_list(max_items=...)`, `await req.first(n)`, page by page with
  `req.pages()`, and `req.parallel_iter(created_gte=..., created_lt=..., windows=8,
  concurrency=4)` which lists half-open time windows `[gte, lt)` concurrently.
"""

from aiostripe._pagination.pages import (
    ListPage,
    ListRequest,
    SearchPage,
    SearchRequest,
    V2ListPage,
    V2ListRequest,
)
from aiostripe._pagination.parallel import ParallelIterator, parallel_list, split_windows
from aiostripe._pagination.pump import ItemIterator, PageIterator
from aiostripe._pagination.walks import DEFAULT_PAGE_SIZE, PageMeta

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "ItemIterator",
    "ListPage",
    "ListRequest",
    "PageIterator",
    "PageMeta",
    "ParallelIterator",
    "SearchPage",
    "SearchRequest",
    "V2ListPage",
    "V2ListRequest",
    "parallel_list",
    "split_windows",
]
