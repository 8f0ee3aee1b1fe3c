"""`aiostripe`: list, search and fetch Stripe objects from the command line.

```
aiostripe list treasury.transactions --param financial_account=fa_1 -o tx.jsonl
aiostripe list treasury.transactions --param financial_account=fa_1 -o tx.jsonl --resume
aiostripe list customers.balance_transactions cus_123 --param created[gte]=1700000000
aiostripe search customers --query "email:'jo@example.com'" -o found.jsonl
aiostripe get customers cus_123
```

`list` and `search` stream every object of any list or search operation to JSON Lines (one
`obj.to_dict()` a line), with a progress line on stderr. With `-o FILE`, a cursor file
(`FILE.cursor`) is rewritten after each page is flushed: it holds the position in the list and the
size of the output at that point, so `--resume` after a crash truncates any half-written page and
continues right after the last object saved — no duplicates, no gaps.

Resources are the client's attributes (`treasury.transactions` is `stripe.treasury.transactions`);
path ids (`cus_123` above) come as positional arguments; `--param` values are checked against the
operation's parameters (names, integers, enums) before anything is sent. `--api-key` defaults to
$STRIPE_API_KEY, `--base-url` to $STRIPE_BASE_URL or https://api.stripe.com.

Exit status: 0 done, 1 the API or the network failed (rerun with `--resume`), 2 bad arguments,
130 interrupted.

The package's parts: `usage` (bad-argument errors, the one-line argparse), `resources`
(operations by dotted name), `params` (`--param` checked against an operation), `cursor` (the
resumable cursor file), `stream` (JSON Lines out with progress), `commands` (what each command
does), `parser` (the argument parser), `app` (`main`: logging, exit statuses).
"""

from aiostripe.cli.app import main
from aiostripe.cli.params import parse_params, path_ids
from aiostripe.cli.parser import build_parser
from aiostripe.cli.resources import Operation, _operations, _service_classes, resolve
from aiostripe.cli.usage import UsageError

__all__ = [
    "Operation",
    "UsageError",
    "_operations",
    "_service_classes",
    "build_parser",
    "main",
    "parse_params",
    "path_ids",
    "resolve",
]
