"""The comparison figures' frame, limits and legend keys: what ``test_plots`` leaves open.

These pin what the shared frame (:mod:`experiments.plots._style`) and each figure's
helpers put around the data: titles, axis labels and limits, the legend-only keys and
their order, the faint grid, the constrained layout.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

from experiments import plots
from experiments.plots._style import GRID_COLOR, KEY_COLOR


def _legend_labels(fig: Figure) -> list[str]:
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def _grid_colors(ax) -> set[str]:
    lines = [*ax.xaxis.get_gridlines(), *ax.yaxis.get_gridlines()]
    return {line.get_color() for line in lines if line.get_visible()}


def test_recovery_curves_title_limits_and_legend():
    t = np.arange(100)
    fig = plots.recovery_curves(
        {"oracle": (t, np.ones(100)), "never": (t, np.full(100, 0.4))},
        onset=[10, 50],
        note="window 20, mean over 3 seeds",
    )
    ax = fig.axes[0]
    assert isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
    assert ax.get_title() == "recovery after drift, per policy\n(window 20, mean over 3 seeds)"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("time (samples)", "served accuracy (rolling)")
    assert ax.get_ylim() == (0.0, 1.03)
    # the second onset line carries no legend entry of its own
    assert _legend_labels(fig) == ["never", "oracle", "drift onset"]
    assert _grid_colors(ax) == {GRID_COLOR}


def test_policy_bars_leave_room_for_the_value_labels():
    summary = pd.DataFrame(
        {
            "policy": ["never", "periodic", "oracle"],
            "accuracy_lost": [650.0, 300.0, 0.0],
            "accuracy_lost_ci": [20.0, 30.0, 0.0],
            "total_cost": [np.nan, np.nan, np.nan],
        }
    )
    lost, cost = plots.policy_bars(summary).axes
    # 18 % past the longest bar plus its error bar (650 + 20); an all-missing panel spans 1
    assert lost.get_xlim() == (0.0, 670.0 * 1.18)
    assert cost.get_xlim() == (0.0, 1.18)
    assert [t.get_text() for t in cost.texts] == ["n/a", "n/a", "n/a"]
    # vertical grid lines only, behind the bars
    assert _grid_colors(lost) == {GRID_COLOR} and not any(
        line.get_visible() for line in lost.yaxis.get_gridlines()
    )
    assert lost.get_axisbelow() is True


def test_tradeoff_ring_keys_grow_with_the_missed_rate():
    summary = pd.DataFrame(
        {
            "detector": ["A", "A"],
            "threshold": [1.0, 2.0],
            "false_alarm_rate": [1.0, 2.0],
            "detection_delay_mean": [10.0, 12.0],
            "missed_detection_rate": [0.5, 0.0],
        }
    )
    fig = plots.threshold_tradeoff(summary)
    labels = _legend_labels(fig)
    assert labels == [
        "A",
        "ring size = missed-detection rate:",
        "  25% missed",
        "  50% missed",
        "  100% missed",
    ]
    keys = fig.legends[0].legend_handles[2:]
    sizes = [key.get_markersize() for key in keys]
    assert sizes == sorted(sizes) and len(set(sizes)) == 3
    assert {key.get_color() for key in keys} == {KEY_COLOR}


def test_calibration_plot_keys_and_rate_axis_limits():
    curves = pd.DataFrame(
        {"detector": "A", "threshold": [1.0, 10.0, 100.0], "false_alarm_rate": [4.0, 0.2, 0.0]}
    )
    fig = plots.calibration_plot(curves, {"A": 10.0}, target_rate=0.5)
    assert _legend_labels(fig) == [
        "false-alarm rate on drift-free streams",
        "target: 0.5 per 1,000 (run time 2,000)",
        "calibrated threshold",
        "no false alarm (bottom edge)",
    ]
    (ax,) = [a for a in fig.axes if a.get_title()]
    # floor a decade under the lowest positive rate (0.2 -> 0.01), drawn from half of it;
    # ceiling three times the highest rate
    low, high = ax.get_ylim()
    assert np.isclose(low, 0.005) and np.isclose(high, 12.0)
    assert _grid_colors(ax) == {GRID_COLOR}
