"""The README's pytest example works as shown, in a fresh project.

The example is read from README.md and run by pytest in a temporary directory with no
configuration at all (no pytest.ini, no pyproject, no conftest): pytest-asyncio in its default
strict mode, the aiostripe plugin loaded through its entry point as a user's install would.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.gen_helpers import REPO

ANCHOR = "its fixtures `asyncio`, so this file runs as it is in a fresh project with `pytest`:"


def _readme_example() -> str:
    text = (REPO / "README.md").read_text()
    start = text.index(ANCHOR)
    match = re.search(r"```python\n(.*?)```", text[start:], re.DOTALL)
    assert match, "no python block after the pytest paragraph of README.md"
    return match.group(1)


def test_readme_pytest_example_runs_in_a_fresh_project(tmp_path: Path) -> None:
    example = _readme_example()
    assert "async def test_" in example and "stripe_client" in example
    (tmp_path / "test_readme_example.py").write_text(example)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    proc = subprocess.run(
        [sys.executable, "-W", "error", "-m", "pytest", "-p", "no:cacheprovider", "-W", "error"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180, check=False,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "1 passed" in out, out
    assert f"rootdir: {tmp_path}" in out, out  # no configuration file of ours was used
    assert "warning" not in out.lower(), out  # pytest-asyncio's loop-scope nag included


def test_the_testing_extra_the_readme_names_installs_pytest_asyncio() -> None:
    import tomllib

    assert 'pip install "/path/to/aiostripe[testing]"' in (REPO / "README.md").read_text()
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert any(dep.startswith("pytest-asyncio") for dep in extras["testing"])


def test_the_plugin_imports_nothing_of_aiostripe_until_used(tmp_path: Path) -> None:
    """Every pytest run wherever aiostripe is installed loads the plugin: a project whose tests
    use none of its fixtures pays for no aiostripe module (the fake, aiohttp, the models)."""
    (tmp_path / "test_other.py").write_text(
        "import sys\n\n\n"
        "def test_nothing_of_aiostripe_loaded():\n"
        "    assert 'aiostripe_pytest' in sys.modules  # the plugin itself is loaded\n"
        "    loaded = [m for m in sys.modules if m == 'aiostripe' or m.startswith('aiostripe.')]\n"
        "    assert loaded == []\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-W", "error"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
