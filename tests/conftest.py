pytest_plugins = ["aiostripe.testing.pytest_plugin"]
