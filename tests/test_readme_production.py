"""The README's "In production" commands, executed as written (``prod/`` → a temporary
folder), from the repository root."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from experiments.ops.retraining import DailyCycle
from tests.optional_env import ROOT, optional_python


def _block() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## In production", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```bash\n(.*?)```", section, re.S).group(1)


def test_the_section_has_the_four_parts():
    block = _block()
    for command in ("driftsim check", "promtool test rules", "experiments.ops.grafana",
                    "airflow\" dags test"):
        assert command in block


@pytest.mark.slow
def test_production_commands_run_as_written(tmp_path):
    optional_python("airflow")  # built (or found) before the block runs
    # `make test` runs this with .venv/bin/python; elsewhere, the running interpreter's
    # environment stands in for .venv (it holds the same install).
    script = "set -euo pipefail\n" + _block().replace(
        ".venv/bin/", f"{Path(sys.executable).parent}/").replace(
        "prod/", f"{tmp_path}/").replace(" prod\n", f" {tmp_path}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    done = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True,
                          timeout=1200, check=False, env=env)
    assert done.returncode == 0, (done.stdout[-3000:] + done.stderr[-3000:])
    report = json.loads((tmp_path / "report" / "check.json").read_text())
    assert report["exit_code"] == 1 and "petal length (cm)" in report["drift"]["drifted"]
    assert (tmp_path / "alerts.jsonl").read_text().count("\n") == 1
    assert any((tmp_path / "tsdb").iterdir())
    assert json.loads((tmp_path / "grafana" / "dashboards" / "driftsim.json").read_text())
    assert DailyCycle(tmp_path / "cycle").champion_version() == 2
