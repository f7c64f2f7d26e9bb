"""The package map: ``driftsim`` ← ``detectors`` ← ``simulator`` ← ``experiments``.

Each package may import only the packages to its left: ``driftsim`` (neutral utilities)
imports none of the other three, ``detectors`` imports neither ``simulator`` nor
``experiments``, ``simulator`` does not import ``experiments``, and nothing in the
library imports ``experiments``. Checked twice: statically (every ``import`` statement,
including those inside functions) and dynamically (importing every module of a package
in a fresh interpreter loads none of the forbidden packages).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("driftsim", "detectors", "simulator", "experiments")
FORBIDDEN: dict[str, set[str]] = {
    "driftsim": {"detectors", "simulator", "experiments"},
    "detectors": {"simulator", "experiments"},
    "simulator": {"experiments"},
    "experiments": set(),
}


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _imported_packages(path: Path) -> set[str]:
    """Top-level package names imported anywhere in ``path`` (absolute imports only;
    a relative import stays inside its own package)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # lazy-export tables and importlib calls name modules as strings
            head = node.value.split(".")[0]
            if head in PACKAGES and node.value.count(".") >= 1 and " " not in node.value:
                found.add(head)
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_static_imports_follow_the_package_map(package: str) -> None:
    bad = {
        str(path.relative_to(ROOT)): sorted(_imported_packages(path) & FORBIDDEN[package])
        for path in _modules(package)
    }
    bad = {path: pkgs for path, pkgs in bad.items() if pkgs}
    assert bad == {}, f"{package} must not import {sorted(FORBIDDEN[package])}: {bad}"


def test_the_static_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    # the scanner is what the test above relies on: prove it catches each form
    source = tmp_path / "m.py"
    source.write_text(
        "import simulator.loop\n"
        "def f():\n    from experiments.run import run\n"
        "_EXPORTS = {'x': 'detectors.adwin'}\n"
    )
    assert _imported_packages(source) >= {"simulator", "experiments", "detectors"}


@pytest.mark.parametrize("package", ["driftsim", "detectors", "simulator"])
def test_importing_every_module_loads_no_forbidden_package(package: str) -> None:
    names = [
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in _modules(package)
    ]
    code = (
        "import importlib, json, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert loaded & FORBIDDEN[package] == set(), f"{package} loaded {loaded & FORBIDDEN[package]}"
    assert package in loaded
