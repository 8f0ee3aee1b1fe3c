"""Bad arguments: `UsageError` (one line, exit status 2) and an argparse that reports that way."""

from __future__ import annotations

import argparse
from typing import NoReturn

PROG = "aiostripe"
ENV_API_KEY = "STRIPE_API_KEY"
ENV_BASE_URL = "STRIPE_BASE_URL"


class UsageError(Exception):
    """Bad arguments: reported on one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage dump)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")
