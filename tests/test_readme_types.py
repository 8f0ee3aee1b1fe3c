"""Every Python block of README.md and every example passes `mypy --strict` and pyright in
strict mode, as a user's type checkers would see them (issue 26, item 8); the package itself,
generated code included, passes pyright in its standard mode.

A block that is a fragment (a top-level `await`, `async for`, `async with`) is checked inside an
`async def`; names the README's fragments take as given (`stripe`, your `save` function, the
FastAPI `app`) are declared before it (`GIVEN`), typed as the README describes them."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.gen_helpers import REPO

# Names the README's fragments take as given, each declared as the README describes it: a block
# gets the ones it uses without defining them itself.
GIVEN: dict[str, str] = {
    "stripe": 'import aiostripe\nstripe: aiostripe.StripeClient = aiostripe.StripeClient("sk_test_x")',
    "aiostripe": "import aiostripe",
    "StripeClient": "from aiostripe import StripeClient",
    "RateLimit": "from aiostripe import RateLimit",
    "key": 'key: str = "sk_test_x"',
    "app": "from fastapi import FastAPI\napp: FastAPI = FastAPI()",
    "Request": "from fastapi import Request",
    "HTTPException": "from fastapi import HTTPException",
    "router": "from aiostripe.webhooks import WebhookRouter\nrouter: WebhookRouter = WebhookRouter()",
    "WEBHOOK_SECRET": 'WEBHOOK_SECRET: str = "whsec_x"',
    "save": "from typing import Any\n\n\nasync def save(batch: list[dict[str, Any]]) -> None:\n"
            "    pass",
    "done": "from aiostripe.models import Customer\n\n\ndef done(customer: Customer) -> bool:\n"
            "    return True",
}


def _undefined_names(block: str) -> list[str]:
    tree = ast.parse(block)
    defined: set[str] = set()
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (used if isinstance(node.ctx, ast.Load) else defined).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.alias):
            defined.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
    return sorted(n for n in used - defined if n in GIVEN)


def readme_blocks() -> list[str]:
    text = (REPO / "README.md").read_text()
    return [textwrap.dedent(b) for b in re.findall(r"```python\n(.*?)```", text, re.DOTALL)]


def as_module(block: str) -> str:
    """The block as a module, after what it takes as given; a fragment inside an `async def`."""
    lines: list[str] = []
    for name in _undefined_names(block):
        lines += [line for line in GIVEN[name].split("\n") if line not in lines or not line]
    try:
        compile(block, "<readme>", "exec")
    except SyntaxError:  # `await` outside a function: a fragment of some coroutine
        block = "async def readme_block() -> None:\n" + textwrap.indent(block, "    ")
    return "\n".join(lines) + "\n\n\n" + block + "\n"


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("readme_blocks")
    for i, block in enumerate(readme_blocks()):
        (where / f"readme_block_{i:02d}.py").write_text(as_module(block))
    return where


def test_readme_blocks_pass_mypy_strict(checked: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--no-incremental",
         "--cache-dir", str(checked / ".mypy_cache"), str(checked)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _pyright(
    paths: list[Path], cwd: Path, mode: str = "strict", **rules: bool
) -> tuple[int, str]:
    """pyright over `paths` from a config in `cwd`: the number of files it analysed, and its
    errors (empty: none). pyright ignores an absolute `include` entry outside the config's
    directory, so the paths are given relative to it; the examples import each other as
    scripts do (`from v2_api import ...`), so their directory is a search path."""
    config = {
        "typeCheckingMode": mode, "pythonVersion": "3.11",
        "include": [os.path.relpath(p, cwd) for p in paths],
        "extraPaths": [os.path.relpath(REPO / "examples", cwd)], **rules,
    }
    (cwd / "pyrightconfig.json").write_text(json.dumps(config))
    exe = Path(sys.executable).with_name("pyright")
    proc = subprocess.run(
        [str(exe), "--project", str(cwd / "pyrightconfig.json"), "--pythonpath", sys.executable,
         "--outputjson"],
        cwd=cwd, capture_output=True, text=True, check=False,
    )
    report = json.loads(proc.stdout)
    errors = [
        f"{d['file']}:{d['range']['start']['line'] + 1}: {d['message']}"
        for d in report["generalDiagnostics"] if d["severity"] == "error"
    ]
    return report["summary"]["filesAnalyzed"], "\n".join(errors)


def test_readme_blocks_pass_pyright_strict(checked: Path) -> None:
    # a README block shows a call and what it returns, not a whole program: a result or an
    # import it leaves unused is the point of the snippet, not a slip (the examples, whole
    # programs, are held to every strict rule)
    files, errors = _pyright(
        [checked], checked, reportUnusedVariable=False, reportUnusedImport=False
    )
    assert files == len(readme_blocks()) and not errors, errors


def test_examples_pass_mypy_strict_and_pyright_strict(tmp_path: Path) -> None:
    examples = sorted(str(p) for p in (REPO / "examples").glob("*.py"))
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", *examples],
        capture_output=True, text=True, check=False, cwd=REPO,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    files, errors = _pyright([Path(e) for e in examples], tmp_path)
    assert files == len(examples) and not errors, errors


def test_the_package_and_its_generated_code_pass_pyright(tmp_path: Path) -> None:
    # mypy --strict checks them in `make test` (the `typecheck` step); a pyright user's editor
    # sees the same code: no error in its standard mode, the hand-written core and the 2,000
    # generated modules alike
    package = REPO / "src" / "aiostripe"
    files, errors = _pyright([package, package / "_generated"], tmp_path, mode="standard")
    generated = sum(1 for _ in (package / "_generated").rglob("*.py"))
    assert files > generated > 2000 and not errors, errors
