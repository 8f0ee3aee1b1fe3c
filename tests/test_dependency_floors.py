"""The floors in pyproject.toml stay above every release with a published advisory.

Each entry: the first release without a known advisory, and the advisories that set it (their
fixed versions, as published in the GitHub Advisory Database / PyPA advisory-db). How floors are
chosen: docs/decisions.md, "Dependency floors".
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"

SAFE_FROM: dict[str, tuple[str, str]] = {
    # package: (first release without a known advisory, the advisories behind it)
    "aiohttp": ("3.14.3", "the advisories fixed up to 3.14.3 (zip bomb, request smuggling, ...)"),
    "jinja2": ("3.1.6", "CVE-2025-27516 (sandbox escape via |attr), fixed in 3.1.6"),
    "setuptools": ("78.1.1", "CVE-2025-47273 (path traversal in PackageIndex), fixed in 78.1.1"),
    "pyyaml": ("5.4", "CVE-2020-14343 (code execution through full_load), fixed in 5.4"),
}


def _requirements() -> list[tuple[str, Requirement]]:
    data = tomllib.loads(PYPROJECT.read_text())
    found = [("build-system", Requirement(r)) for r in data["build-system"]["requires"]]
    project = data["project"]
    found += [("dependencies", Requirement(r)) for r in project["dependencies"]]
    for extra, reqs in project["optional-dependencies"].items():
        found += [(f"[{extra}]", Requirement(r)) for r in reqs]
    return found


def _floor(req: Requirement) -> Version | None:
    floors = [Version(s.version) for s in req.specifier if s.operator in (">=", "==", "~=")]
    return max(floors) if floors else None


@pytest.mark.parametrize("package", sorted(SAFE_FROM))
def test_floor_is_above_every_release_with_an_advisory(package: str) -> None:
    safe, why = SAFE_FROM[package]
    reqs = [(where, r) for where, r in _requirements() if r.name.lower() == package]
    assert reqs, f"{package} is no longer required: drop it from SAFE_FROM"
    for where, req in reqs:
        floor = _floor(req)
        assert floor is not None and floor >= Version(safe), (
            f"{where} {req}: allows releases before {safe} ({why})"
        )
