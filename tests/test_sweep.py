"""A real ``--multirun`` sweep with the joblib launcher, aggregation, and resuming."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from experiments.aggregate import aggregate, collect
from experiments.run import compose, run
from simulator import Trace


def _sweep(sweep_dir, *extra):
    cmd = [
        sys.executable, "-m", "experiments.run", "-m",
        "detector=adwin,page_hinkley", "drift=abrupt_concept", "policy=never",
        "n_samples=2500", "score.oracle=false", "plot=false", "seed=0",
        f"hydra.sweep.dir={sweep_dir}", "hydra.launcher.n_jobs=2", *extra,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.slow
def test_multirun_sweep_aggregates_and_resumes(tmp_path):
    sweep_dir = tmp_path / "sweep"
    first = _sweep(sweep_dir)
    assert first.returncode == 0, first.stderr[-3000:]
    results = sorted(sweep_dir.glob("*/result.json"))
    assert len(results) == 2
    assert "Joblib" in first.stdout + first.stderr  # the joblib launcher ran the jobs

    # The callback aggregated at the end of the sweep.
    summary = pd.read_csv(sweep_dir / "summary.csv")
    assert set(summary["detector"]) == {
        "ADWIN", "PageHinkley", "baseline:never (ADWIN)", "baseline:periodic (ADWIN)",
        "baseline:random (ADWIN)", "baseline:never (PageHinkley)",
        "baseline:periodic (PageHinkley)", "baseline:random (PageHinkley)",
    }
    assert (sweep_dir / "summary.md").read_text().count("\n") >= 4
    assert (sweep_dir / "report.html").exists()

    # Rerunning the same sweep skips both jobs and leaves their results untouched.
    stamps = [p.stat().st_mtime_ns for p in results]
    second = _sweep(sweep_dir)
    assert second.returncode == 0, second.stderr[-3000:]
    assert second.stdout.count("skipped (result.json exists)") == 2
    assert [p.stat().st_mtime_ns for p in results] == stamps


def test_run_is_skipped_when_its_result_exists(tmp_path):
    cfg = compose(["n_samples=2600", "policy=never", "score.oracle=false", "plot=false",
                   "drift=abrupt_covariate"])
    first = run(cfg, output_dir=tmp_path)
    assert first["skipped"] is False
    written = json.loads((tmp_path / "result.json").read_text())
    assert written["metrics"] == first["metrics"]
    assert run(cfg, output_dir=tmp_path)["skipped"] is True
    cfg.resume = False
    assert run(cfg, output_dir=tmp_path)["skipped"] is False


def test_same_config_same_result(tmp_path):
    overrides = ["n_samples=3000", "drift=gradual_concept", "seed=4", "plot=false"]
    a = run(compose(overrides), output_dir=None)
    b = run(compose(overrides), output_dir=None)
    assert a["metrics"] == b["metrics"] and a["monitors"] == b["monitors"]


def test_collect_names_an_empty_folder(tmp_path):
    with pytest.raises(ValueError, match=r"no result\.json"):
        collect(tmp_path)


def test_aggregate_without_figures(tmp_path):
    for seed in (0, 1, 2):
        cfg = compose(["n_samples=2600", "policy=never", "score.oracle=false",
                       "plot=false", f"seed={seed}", "drift=abrupt_concept"])
        run(cfg, output_dir=tmp_path / str(seed))
    path = aggregate(tmp_path, figures=False, report=False)
    rows = pd.read_csv(path)
    assert len(rows) == 3 * 4  # three runs x (ADWIN + three baselines)
    md = (tmp_path / "summary.md").read_text()
    assert "n=3" in md and "±" not in md and "nan" not in md  # intervals with their n


@pytest.mark.slow
def test_mlflow_registry_and_alert_sinks_from_config(tmp_path):
    """registry=mlflow records every deployed version in a SQLite MLflow store in the
    run folder; alert_sinks write every alert to a JSON-lines file and a SQLite table."""
    import sqlite3

    from mlflow import MlflowClient

    cfg = compose(["drift=abrupt_concept", "n_samples=3000", "policy=drift_triggered",
                   "detector=page_hinkley", "score.oracle=false", "plot=false",
                   "registry=mlflow", "alert_sinks=[jsonl,sqlite]"])
    result = run(cfg, output_dir=tmp_path)
    client = MlflowClient(tracking_uri=f"sqlite:///{tmp_path / 'mlflow' / 'mlflow.db'}")
    trace = Trace.load(tmp_path / "trace.npz")
    gated = trace.events_of("gate_pass") + trace.events_of("gate_fail")
    versions = client.search_model_versions("name='driftsim-model'")
    assert result["metrics"]["retrains"] >= 1
    assert len(versions) == 1 + len(gated)  # the first model, then every gated candidate
    champion = client.get_model_version_by_alias("driftsim-model", "champion")
    assert int(champion.version) == trace.events_of("deploy")[-1].details["version"]
    lines = (tmp_path / "alerts.jsonl").read_text().splitlines()
    rows = sqlite3.connect(tmp_path / "alerts.db").execute("SELECT COUNT(*) FROM alerts")
    assert len(lines) == rows.fetchone()[0] >= 1
    assert all(json.loads(line)["monitor"] == "PageHinkley" for line in lines)


def test_registry_and_sink_values_are_checked():
    from experiments.schema import validate

    with pytest.raises(ValueError, match="registry must be one of"):
        validate(compose(["registry=redis"]))
    with pytest.raises(ValueError, match=r"alert_sinks\[\] must be one of"):
        validate(compose(["alert_sinks=[email]"]))
