"""Operations: the simulator's runs in the tools people run in production.

* :mod:`experiments.ops.prometheus` — metrics of a run for Prometheus: OpenMetrics
  files with timestamps (backfilled with ``promtool tsdb create-blocks-from
  openmetrics``) or a live ``/metrics`` endpoint that advances at wall-clock pace;
  ``rules.yml`` holds the alerting rules (checked and unit-tested with ``promtool``).
* :mod:`experiments.ops.grafana` — a dashboard and its provisioning files whose every
  panel queries those metrics.
* ``dags/driftsim_retraining.py`` — an Airflow DAG: check → decide → retrain → validate
  → approve → deploy or roll back, calling driftsim's functions.

Examples
--------
>>> from experiments.ops import RULES_FILE
>>> RULES_FILE.name
'rules.yml'
"""

from pathlib import Path

__all__ = ["DAGS_DIR", "RULES_FILE", "RULES_TEST_FILE"]

_HERE = Path(__file__).resolve().parent
RULES_FILE = _HERE / "rules.yml"
RULES_TEST_FILE = _HERE / "rules_test.yml"
DAGS_DIR = _HERE / "dags"
