"""The standard figures of driftsim: one run's timeline and the sweep comparisons.

Every function builds a :class:`matplotlib.figure.Figure` directly (never through
``pyplot``, so no global state is touched and parallel sweep jobs cannot disturb one
another), returns it, and saves it when ``path`` is given (written to a temporary
file and renamed into place, so a reader never sees half an image).

* :func:`timeline` — one run: served rolling accuracy (and the oracle's), the true
  drift events, alerts and warnings per monitor, retraining, deployments, rollbacks.
* :func:`threshold_tradeoff` — detection delay against false-alarm rate, one curve
  per detector across its thresholds, with the data-blind baselines.
* :func:`recovery_curves` and :func:`policy_bars` — how policies recover after a
  drift, and what each lost and cost.
* :func:`heatmap` — a metric over detectors × scenarios.
* :func:`calibration_plot` — what "calibrated to a target false-alarm rate" means.

Which direction is "better" for each metric is in :data:`HIGHER_IS_BETTER`.

The package holds one module per figure family (:mod:`~experiments.plots.tradeoff`,
:mod:`~experiments.plots.recovery`, :mod:`~experiments.plots.policies`,
:mod:`~experiments.plots.heatmaps`, :mod:`~experiments.plots.calibration`) and one per
panel of the timeline (``timeline_accuracy``, ``timeline_events``,
``timeline_versions``, laid out by :mod:`~experiments.plots.run_timeline`; its axis in
dates for a replayed log by ``timeline_dates``). Metric
names and directions come from :mod:`experiments.metrics.labels`.

Examples
--------
>>> import pandas as pd
>>> summary = pd.DataFrame({"detector": ["ADWIN", "DDM"], "drift": ["abrupt", "abrupt"],
...                         "mtr": [12.0, float("nan")]})
>>> fig = heatmap(summary)
>>> [t.get_text() for t in fig.axes[0].texts]
['12', 'n/a']
"""

from experiments.metrics.labels import HIGHER_IS_BETTER
from experiments.plots._base import DRIFT_COLORS, save_figure
from experiments.plots.calibration import calibration_plot
from experiments.plots.fleet import fleet_health_map, fleet_pareto, fleet_tier_bars
from experiments.plots.heatmaps import heatmap
from experiments.plots.policies import policy_bars
from experiments.plots.recovery import recovery_curves
from experiments.plots.run_timeline import timeline
from experiments.plots.tradeoff import threshold_tradeoff

__all__ = [
    "DRIFT_COLORS",
    "HIGHER_IS_BETTER",
    "calibration_plot",
    "fleet_health_map",
    "fleet_pareto",
    "fleet_tier_bars",
    "heatmap",
    "policy_bars",
    "recovery_curves",
    "save_figure",
    "threshold_tradeoff",
    "timeline",
]
