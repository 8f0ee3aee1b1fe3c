"""`pip install PATH` of a fresh clone works without `make` (issue 26, item 5): the in-tree
build backend generates the client. A real `git clone` of this repository into a temporary
directory, installed with pip into a temporary venv, then imported and used from elsewhere.

Kept fast: `--no-deps --no-build-isolation`, the dependencies and build requirements coming
from this project's venv (its site-packages put on the new venv's path by a .pth line, which
adds the directory only: the editable install of this checkout is not picked up)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

from tests.gen_helpers import REPO


def _spec() -> Path:
    pin = json.loads((REPO / "spec" / "pin.json").read_text())
    path = Path(os.environ.get("STRIPE_SPEC") or REPO.parent / "shared" / "stripe-openapi" / pin["file"])
    if not path.is_file():
        pytest.fail(f"the pinned spec {pin['file']} is not at {path}: set STRIPE_SPEC")
    return path


def test_pip_install_of_a_fresh_clone(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.fail("git is needed to clone the repository")
    started = time.perf_counter()
    clone = tmp_path / "aiostripe"
    subprocess.run(["git", "clone", "--quiet", "--depth", "1", f"file://{REPO}", str(clone)],
                   check=True)
    assert not (clone / "generated" / "__init__.py").exists()  # nothing generated: no `make`
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "project-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    env = {**os.environ, "STRIPE_SPEC": str(_spec()),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("PYTHONPATH", None)
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "--no-cache-dir", str(clone)],
        env=env, capture_output=True, text=True, check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    use = subprocess.run(
        [str(python), "-c", (
            "import aiostripe, aiostripe.models\n"
            "client = aiostripe.StripeClient('sk_test_x')\n"
            "print(aiostripe.__file__)\n"
            "print(type(client.customers).__name__, aiostripe.models.Customer.__name__)\n"
        )],
        env=env, cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    assert use.returncode == 0, use.stderr
    where, names = use.stdout.split("\n")[:2]
    assert where.startswith(str(venv)), where  # the installed copy, not this checkout
    assert names == "CustomersService Customer"
    print(f"\nfresh clone -> pip install -> import: {time.perf_counter() - started:.1f}s")
    _type_completeness(venv, env)


def _type_completeness(venv: Path, env: dict[str, str]) -> None:
    """`pyright --verifytypes aiostripe` on the installed package (it needs a real install, not
    this checkout's editable one): at least 99% of the public symbols have a known type."""
    pyright = Path(sys.executable).with_name("pyright")
    proc = subprocess.run(
        [str(pyright), "--verifytypes", "aiostripe", "--ignoreexternal", "--outputjson"],
        env={**env, "PATH": f"{venv / 'bin'}{os.pathsep}{env['PATH']}", "VIRTUAL_ENV": str(venv)},
        cwd=venv, capture_output=True, text=True, check=False,
    )
    report = json.loads(proc.stdout)["typeCompleteness"]
    assert report["packageRootDirectory"].startswith(str(venv)), report["packageRootDirectory"]
    score = report["completenessScore"]
    print(f"pyright --verifytypes aiostripe: {score:.1%} {report['exportedSymbolCounts']}")
    assert score >= 0.99, report["exportedSymbolCounts"]
