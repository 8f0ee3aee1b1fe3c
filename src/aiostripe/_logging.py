"""`AIOSTRIPE_LOG=info|debug`: the library's logging turned on from the environment, no code.

Read once per process, when the first client is created (by then an app has usually set up its
own logging). It sets the level of the `aiostripe` logger and, when the app has configured no
logging at all (the root logger has no handler), adds a handler printing to stderr. What is
logged at each level is in the README ("Logging"): method, path, status, attempt, request id,
delays; never a key, a body, a query string or a parameter.
"""

from __future__ import annotations

import logging
import os
import sys

LOG_SWITCH = "AIOSTRIPE_LOG"
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
FORMAT = "%(asctime)s aiostripe %(levelname)s %(message)s"

_done = False


def configure_from_env() -> None:
    """Apply `AIOSTRIPE_LOG` (once: later calls do nothing)."""
    global _done
    if _done:
        return
    _done = True
    value = os.environ.get(LOG_SWITCH, "").strip()
    if not value:
        return
    logger = logging.getLogger("aiostripe")
    level = LEVELS.get(value.lower())
    if level is None:
        logger.warning(
            "%s: expected one of %s, got %r; logging left as it is",
            LOG_SWITCH, ", ".join(LEVELS), value,
        )
        return
    logger.setLevel(level)
    if not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        logger.addHandler(handler)
