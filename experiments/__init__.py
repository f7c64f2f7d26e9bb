"""driftsim experiments: scoring, the Hydra app, sweeps, aggregation, figures, reports.

* :mod:`experiments.metrics` — pure scoring functions (detection delay, false-alarm
  rate, MTFA/MTD/MDR/MTR, recovery against the oracle, cost).
* :func:`run_experiment` / :func:`compose` — one simulated deployment from a Hydra
  config (``python -m experiments.run``); :func:`aggregate_sweep` — a sweep folder into
  tables, figures and an HTML report (``python -m experiments.aggregate DIR``). They are
  ``experiments.run.run`` and ``experiments.aggregate.aggregate`` under names that do not
  collide with their modules (a submodule import would rebind a package attribute of
  the same name).
* :mod:`experiments.plots` and :func:`write_report` — the standard figures and report.

Names are imported on first use, so ``import experiments`` stays cheap.

Examples
--------
>>> import experiments
>>> experiments.score_detections([2100], [{"onset": 2000, "harmful": True}], 5000,
...                              horizon=500)["detection_delay_mean"]
100.0
"""

from __future__ import annotations

from driftsim.lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "compose": "experiments.run",
    "run_experiment": "experiments.run",
    "build": "experiments.run",
    "aggregate_sweep": "experiments.aggregate",
    "collect": "experiments.aggregate",
    "summarise": "experiments.aggregate",
    "calibrate_detectors": "experiments.calibrated",
    "null_error_streams": "experiments.calibrated",
    "write_report": "experiments.report",
    "timeline": "experiments.plots",
    "threshold_tradeoff": "experiments.plots",
    "recovery_curves": "experiments.plots",
    "policy_bars": "experiments.plots",
    "heatmap": "experiments.plots",
    "calibration_plot": "experiments.plots",
}
for _name in (
    "DetectionMatch", "alert_times", "baseline_alarms", "detection_delays",
    "false_alarm_rate", "match_alarms", "mdr", "mtd", "mtfa", "mtr", "precision", "recall",
    "recovery", "rolling_accuracy", "run_costs", "score_detections", "score_run",
    "score_with_baselines", "time_to_recover",
):
    _EXPORTS[_name] = "experiments.metrics"

for _name in ("compare_engines",):
    _EXPORTS[_name] = "experiments.fleet"
for _name in ("fleet_metrics", "summarise_fleet", "wilson_interval"):
    _EXPORTS[_name] = "experiments.metrics.fleet"
for _name in ("fleet_health_map", "fleet_pareto", "fleet_tier_bars"):
    _EXPORTS[_name] = "experiments.plots.fleet"

__getattr__, __dir__, __all__ = lazy_exports('experiments', _EXPORTS, globals())
