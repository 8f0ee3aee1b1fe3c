"""Every generated model class: `from aiostripe.models import Customer, TreasuryTransaction`.

Classes are imported on first access, so importing this module costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiostripe._generated.model_names import *


def __getattr__(name: str) -> Any:
    from aiostripe._generated import models

    return getattr(models, name)
