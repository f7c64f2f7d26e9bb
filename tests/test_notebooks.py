"""Every teaching notebook runs top to bottom in a real Jupyter kernel, and imports
only the packages' public, top-level names.

The notebooks are jupytext percent-format ``.py`` files (reviewable diffs); this test
converts each to a notebook in memory and executes it with nbclient in a python3
kernel, so a notebook that raises fails ``make test``.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9]*.py"))
PACKAGES = {"simulator", "detectors", "experiments"}


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 6, [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_imports_only_public_names(path):
    """``from simulator import X`` with X in ``simulator.__all__``; no submodules, no
    private names."""
    import importlib

    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            root = node.module.split(".")[0]
            if root in PACKAGES:
                assert node.module == root, f"{path.name}: imports from {node.module}"
                public = set(importlib.import_module(root).__all__)
                for alias in node.names:
                    assert alias.name in public, f"{path.name}: {root}.{alias.name} is private"
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PACKAGES:
                    assert "." not in alias.name, f"{path.name}: imports {alias.name}"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, tmp_path):
    import jupytext
    from nbclient import NotebookClient

    notebook = jupytext.read(path)
    os.environ.setdefault("MPLBACKEND", "Agg")
    client = NotebookClient(notebook, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [
        out for cell in notebook.cells if cell.cell_type == "code"
        for out in cell.get("outputs", []) if out.get("output_type") == "error"
    ]
    assert not errors
