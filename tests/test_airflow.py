"""The example Airflow DAG, run for real (Airflow in its own environment)."""

from __future__ import annotations

import json
import subprocess

import pytest

from experiments.ops import DAGS_DIR
from experiments.ops.retraining import DailyCycle
from tests.optional_env import ROOT, optional_env_vars, optional_python

SCENARIO = ["drift=abrupt_concept", "n_samples=6000"]


def test_daily_cycle_recovers_from_a_concept_drift(tmp_path):
    """Without Airflow: the same steps, day by day, retrain after the drift (day 2)."""
    cycle = DailyCycle.setup(tmp_path, SCENARIO, samples_per_day=1000, tier="low")
    log = []
    for day in range(1, 5):
        summary = cycle.check(day)
        action = cycle.decide(summary)
        if action == "retrain":
            job = cycle.validate(cycle.retrain(day))
            if job["passed"] and cycle.approve(job):
                cycle.deploy(job)
                cycle.verify(day, day + 1)
        log.append((day, action, round(summary["accuracy"], 2), cycle.champion_version()))
    assert [a for _, a, _, _ in log] == ["skip", "retrain", "skip", "skip"]
    assert log[1][2] < 0.5 and log[2][2] > 0.9 and log[-1][3] == 2


def test_rejected_approval_keeps_the_champion(tmp_path):
    cycle = DailyCycle.setup(tmp_path, SCENARIO, samples_per_day=1000, tier="high",
                             approval_rate=0.0)
    job = cycle.validate(cycle.retrain(cycle.check(3)["day"]))
    assert job["passed"] and not cycle.approve(job)
    assert cycle.champion_version() == 1


def test_verify_rolls_back_a_regression(tmp_path):
    cycle = DailyCycle.setup(tmp_path, SCENARIO, samples_per_day=1000, tier="low")
    cycle.check(3)
    job = cycle.retrain(3)  # trained after the drift ...
    cycle.deploy(job)
    result = cycle.verify(0, 1)  # ... judged on pre-drift data, where it is worse
    assert result["rolled_back"] and cycle.champion_version() == 1


@pytest.mark.slow
def test_dag_loads_and_runs_one_simulated_day(tmp_path):
    python = optional_python("airflow")
    workdir = tmp_path / "cycle"
    DailyCycle.setup(workdir, SCENARIO, samples_per_day=1000, tier="high", approval_rate=1.0)
    env = optional_env_vars(
        AIRFLOW_HOME=str(tmp_path / "airflow"), AIRFLOW__CORE__DAGS_FOLDER=str(DAGS_DIR),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
    )
    airflow = python.parent / "airflow"
    for cmd in ([str(airflow), "db", "migrate"], [str(airflow), "dags", "reserialize"]):
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600,
                              check=False)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    script = ROOT / "tests" / "external" / "airflow_day.py"
    done = subprocess.run([str(python), str(script), str(workdir), "3"], capture_output=True,
                          text=True, env=env, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["import_errors"] == {}
    assert report["state"] == "success"
    states = report["task_states"]
    ran = {t for t, s in states.items() if s == "success"}
    assert ran == {"check", "decide", "retrain", "validate", "approve", "deploy", "verify"}
    assert {states["no_retrain"], states["not_deployed"]} == {"skipped"}
    assert DailyCycle(workdir).champion_version() == 2
