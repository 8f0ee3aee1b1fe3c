"""`python -m aiostripe`: the `aiostripe` command line (see `aiostripe.cli`)."""

from aiostripe.cli import main

raise SystemExit(main())
