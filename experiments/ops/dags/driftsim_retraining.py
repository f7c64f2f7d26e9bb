"""Airflow DAG: one simulated day of a deployment's retraining cycle.

check → decide → retrain → validate (the gate) → approve (high tier) → deploy →
verify (roll back on regression), each task calling
:class:`experiments.ops.retraining.DailyCycle`. The run's configuration names the
state folder and the day: ``{"workdir": "...", "day": 3}`` (make the folder once with
``DailyCycle.setup``). Put this file in Airflow's ``dags_folder``, or point
``AIRFLOW__CORE__DAGS_FOLDER`` at ``experiments/ops/dags``.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, get_current_context, task


def _cycle():  # driftsim is imported inside tasks, so the DAG file parses fast
    from pathlib import Path

    from experiments.ops.retraining import DailyCycle

    params = get_current_context()["params"]
    return DailyCycle(Path(params["workdir"])), int(params["day"])


@dag(
    dag_id="driftsim_retraining",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    params={"workdir": "", "day": 1},
    tags=["driftsim"],
)
def driftsim_retraining():
    @task
    def check() -> dict:
        cycle, day = _cycle()
        return cycle.check(day)

    @task.branch
    def decide(summary: dict) -> str:
        cycle, _ = _cycle()
        return "retrain" if cycle.decide(summary) == "retrain" else "no_retrain"

    @task
    def retrain() -> dict:
        cycle, day = _cycle()
        return cycle.retrain(day)

    @task
    def validate(job: dict) -> dict:
        cycle, _ = _cycle()
        return cycle.validate(job)

    @task.branch
    def approve(job: dict) -> str:
        cycle, _ = _cycle()
        return "deploy" if job["passed"] and cycle.approve(job) else "not_deployed"

    @task
    def deploy(job: dict) -> int:
        cycle, _ = _cycle()
        return cycle.deploy(job)

    @task
    def verify(version: int) -> dict:
        cycle, day = _cycle()
        return cycle.verify(day, day + 1)

    @task
    def no_retrain() -> int:
        cycle, _ = _cycle()
        return cycle.champion_version()

    @task
    def not_deployed() -> int:
        cycle, _ = _cycle()
        return cycle.champion_version()

    choice = decide(check())
    job = retrain()
    checked = validate(job)
    gate = approve(checked)
    deployed = deploy(checked)
    choice >> [job, no_retrain()]
    gate >> [deployed, not_deployed()]
    verify(deployed)


driftsim_retraining()
