"""The pytest plugin's fixtures under the name a conftest enables them with:
`pytest_plugins = ["aiostripe.testing.pytest_plugin"]` (they live in the top-level module
`aiostripe_pytest`, which the `pytest11` entry point loads without importing aiostripe)."""

from aiostripe_pytest import (
    fake_stripe,
    pytest_configure,
    pytest_pycollect_makeitem,
    stripe_client,
)

__all__ = ["fake_stripe", "pytest_configure", "pytest_pycollect_makeitem", "stripe_client"]
