"""The README's single-run command lines compose into valid configs as written.

(Sweeps are run by tests/test_launchers.py and tests/test_sweep.py; the production
and replay blocks by their own tests.)
"""

from __future__ import annotations

import shlex

import pytest

from experiments.run import compose
from experiments.schema import validate
from tests.optional_env import ROOT

PREFIX = ".venv/bin/python -m experiments.run "


def _single_runs() -> list[str]:
    lines = (ROOT / "README.md").read_text().splitlines()
    return [line.split("#", 1)[0].strip() for line in lines
            if line.startswith(PREFIX) and " -m " not in line[len(PREFIX) - 1:]]


def test_the_readme_has_single_run_lines() -> None:
    assert len(_single_runs()) >= 2


@pytest.mark.parametrize("line", _single_runs())
def test_a_readme_run_line_composes(line: str) -> None:
    overrides = [o for o in shlex.split(line[len(PREFIX):]) if not o.startswith("hydra.")]
    cfg = compose(overrides)
    validate(cfg)
