"""Scoring functions: every number a driftsim report shows, defined once.

* :mod:`~experiments.metrics.detection` matches alarm times to the stream's drift
  events: detections, repeat, false and benign alarms, delays, false-alarm rate, MTFA,
  MTD, MDR, MTR, precision, recall.
* :mod:`~experiments.metrics.baselines` gives the alarm times of the never /
  periodic / random / always baselines and scores a detector beside them at its own
  alarm rate.
* :mod:`~experiments.metrics.recovery` scores a run's accuracy after each harmful
  drift (drop, time to recover, accuracy lost against the oracle or the pre-drift
  baseline) and its counts and costs.
* :mod:`~experiments.metrics.runs` scores one run's trace on both.
* :mod:`~experiments.metrics.labels` names each metric for readers (with units) and
  says whether higher is better.

All of them are pure functions of arrays, events and traces, and return ``nan`` where
a measure is undefined. The definitions are in each module's docstring.

Examples
--------
>>> events = [100, {"onset": 500, "harmful": False}]
>>> s = score_detections([120, 130, 550, 900], events, 1000, horizon=200)
>>> s["detections"], s["repeat_alarms"], s["benign_alarms"], s["false_alarms"]
(1, 1, 1, 1)
"""

from experiments.metrics.baselines import BASELINE_KINDS, baseline_alarms, score_with_baselines
from experiments.metrics.detection import (
    ALARM_LABELS,
    DetectionMatch,
    check_alarm_times,
    detection_delays,
    false_alarm_rate,
    match_alarms,
    mdr,
    mtd,
    mtfa,
    mtr,
    precision,
    recall,
    score_detections,
)
from experiments.metrics.labels import HIGHER_IS_BETTER, LABELS, metric_label
from experiments.metrics.recovery import recovery, rolling_accuracy, run_costs, time_to_recover
from experiments.metrics.runs import RunScores, alert_times, score_run

__all__ = [
    "ALARM_LABELS",
    "BASELINE_KINDS",
    "HIGHER_IS_BETTER",
    "LABELS",
    "DetectionMatch",
    "RunScores",
    "alert_times",
    "baseline_alarms",
    "check_alarm_times",
    "detection_delays",
    "false_alarm_rate",
    "match_alarms",
    "mdr",
    "metric_label",
    "mtd",
    "mtfa",
    "mtr",
    "precision",
    "recall",
    "recovery",
    "rolling_accuracy",
    "run_costs",
    "score_detections",
    "score_run",
    "score_with_baselines",
    "time_to_recover",
]
