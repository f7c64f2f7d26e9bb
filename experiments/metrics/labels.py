"""What each metric column is called in a figure or table, and which way is better.

The scoring functions in :mod:`experiments.metrics` define the numbers; this module
says how a reader should see them: :data:`HIGHER_IS_BETTER` decides colour-map
directions and "better" hints, :data:`LABELS` the axis and column titles (with their
units), and :func:`metric_label` falls back to the column name for anything else.

Examples
--------
>>> metric_label("false_alarm_rate")
'false alarms per 1,000 drift-free samples'
>>> metric_label("run_retrains")
'run retrains'
>>> HIGHER_IS_BETTER["mtr"], HIGHER_IS_BETTER["detection_delay_mean"]
(True, False)
"""

from __future__ import annotations

__all__ = ["HIGHER_IS_BETTER", "LABELS", "metric_label"]

#: Whether a larger value of a metric is better; decides colour-map direction and the
#: "better" hints. Metrics not listed need ``higher_is_better`` passed explicitly.
HIGHER_IS_BETTER: dict[str, bool] = {
    "mtr": True,
    "mtfa": True,
    "precision": True,
    "recall": True,
    "f1": True,
    "detections": True,
    "accuracy": True,
    "baseline_accuracy": True,
    "mtd": False,
    "detection_delay_mean": False,
    "detection_delay_median": False,
    "detection_delay_from_end_mean": False,
    "false_alarm_rate": False,
    "false_alarms": False,
    "benign_alarms": False,
    "missed": False,
    "missed_detection_rate": False,
    "mdr": False,
    "max_drop": False,
    "time_to_recover": False,
    "not_recovered": False,
    "accuracy_lost": False,
    "total_cost": False,
    "retrains": False,
    "labels": False,
}

#: Axis and column titles, with units, of the metrics that have one.
LABELS: dict[str, str] = {
    "false_alarm_rate": "false alarms per 1,000 drift-free samples",
    "detection_delay_mean": "mean detection delay (samples)",
    "detection_delay_median": "median detection delay (samples)",
    "detection_delay_from_end_mean": "mean delay from the end of the drift (samples)",
    "missed_detection_rate": "missed-detection rate",
    "mtr": "MTR (MTFA / MTD × (1 − MDR))",
    "mtfa": "MTFA (samples between false alarms)",
    "mtd": "MTD (mean detection delay, samples)",
    "mdr": "MDR (missed-detection rate)",
    "accuracy_lost": "accuracy lost (samples' worth)",
    "total_cost": "total cost (cost units)",
    "time_to_recover": "time to recover (samples)",
    "accuracy": "served accuracy (share of samples right)",
    "retrains": "retrains (count)",
}


def metric_label(column: str) -> str:
    """The reader's name of a metric column: :data:`LABELS`, else the column spaced out.

    Examples
    --------
    >>> metric_label("mtd")
    'MTD (mean detection delay, samples)'
    """
    return LABELS.get(column, column.replace("_", " "))
