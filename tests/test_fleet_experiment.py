"""Fleet metrics, the engine comparison, its figures, report and Hydra entry point."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hydra import compose, initialize_config_dir
from hydra.utils import instantiate

from experiments.fleet import compare_engines
from experiments.metrics.fleet import fleet_metrics, wilson_interval
from simulator.fleet import FleetSpec, make_fleet, run_fleet

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "conf"


@pytest.mark.parametrize("name", sorted(p.stem for p in (CONF / "fleet").glob("*.yaml")))
def test_every_shipped_fleet_composes_and_builds(name):
    with initialize_config_dir(str(CONF), version_base="1.3"):
        cfg = compose("fleet_app", [f"fleet={name}"])
    spec = instantiate(cfg.fleet, seed=3)
    assert isinstance(spec, FleetSpec) and spec.seed == 3
    assert spec.n_models == cfg.fleet.n_models and spec.faults


def test_wilson_agrees_with_the_closed_form():
    k, n, z = 7, 40, 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    np.testing.assert_allclose(wilson_interval(k, n), (centre - half, centre + half))


def test_metrics_count_what_the_run_recorded():
    r = run_fleet(make_fleet(6, seed=4, n_samples=15_000), "drift_fcfs")
    m = fleet_metrics(r)
    assert m["total_loss"] == pytest.approx(r.loss.sum())
    assert m["spend"] == pytest.approx(sum(j["cost"] for j in r.jobs))
    below = (r.true_accuracy < r.sla[:, None]).sum()
    assert sum(m[f"sla_violation_ticks_{t}"] for t in ("high", "medium", "low")) == below
    harmful = sum(h and not ret for ev in r.events for _, _, h, ret in ev)
    assert sum(m[f"incidents_{t}"] for t in ("high", "medium", "low")) == harmful
    assert 0 <= m["slot_utilisation"] <= 1


def test_comparison_writes_a_report_with_intervals_over_seeds(tmp_path):
    table = compare_engines(lambda s: make_fleet(4, seed=s, n_samples=8000),
                            ["drift_fcfs", "fleet"], [100.0, 400.0], [0, 1, 2],
                            out_dir=tmp_path)
    assert len(table) == 4 and set(table["n_seeds"]) == {3}
    assert (table["total_loss_low"] <= table["total_loss"]).all()
    assert (table["total_loss"] <= table["total_loss_high"]).all()
    runs = pd.read_csv(tmp_path / "runs.csv")
    assert len(runs) == 12
    for name in ("health_map.png", "pareto.png", "tiers.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
    assert "bootstrap" in (tmp_path / "report.html").read_text()


@pytest.mark.slow
def test_the_entry_point_runs_from_the_command_line(tmp_path):
    cmd = [sys.executable, "-m", "experiments.fleet", "fleet.n_models=3",
           "fleet.n_samples=6000", "seeds=[0,1]", "budgets=[200.0]",
           "engines=[periodic,fleet]", f"hydra.run.dir={tmp_path}"]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert (tmp_path / "report.html").exists()
    assert len(pd.read_csv(tmp_path / "summary.csv")) == 2
