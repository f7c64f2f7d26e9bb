"""Load the driftsim DAG with Airflow's DagBag and run one simulated day with dag.test().

Run with the python of the ``airflow`` optional environment, with AIRFLOW_HOME and
AIRFLOW__CORE__DAGS_FOLDER set and the database migrated:
``python tests/airflow_day.py WORKDIR DAY``. Prints one JSON line. Not a test module.
"""

import json
import os
import sys

from airflow.models.dagbag import DagBag


def main(workdir: str, day: str) -> None:
    bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    dag = bag.get_dag("driftsim_retraining")
    run = dag.test(run_conf={"workdir": workdir, "day": int(day)})
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    print(json.dumps({"import_errors": {k: str(v) for k, v in bag.import_errors.items()},
                      "tasks": sorted(dag.task_ids), "state": str(run.state),
                      "task_states": states}))


if __name__ == "__main__":
    main(*sys.argv[1:3])
