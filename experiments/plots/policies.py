"""What each policy lost and cost, as bars."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from experiments.plots._base import _ci, _finish, _label, _number, _require
from experiments.plots._style import light_grid, new_figure
from experiments.plots.recovery import _is_oracle

__all__ = ["policy_bars"]


def policy_bars(summary: Any, *, path: str | os.PathLike[str] | None = None) -> Figure:
    """Accuracy lost and total cost per policy, as two horizontal bar panels.

    The oracle's bars are hatched (it is the reference, not a contender). Bars carry
    their values; a missing value is written ``n/a``. ``accuracy_lost_ci`` and
    ``total_cost_ci`` columns (95 % CI half-widths), when present, become error bars.

    Parameters
    ----------
    summary
        DataFrame with columns ``policy``, ``accuracy_lost``, ``total_cost`` (one row
        per policy) and optional ``*_ci``.
    path
        Where to save the figure.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({"policy": ["never", "oracle"], "accuracy_lost": [120.0, 0.0],
    ...                         "total_cost": [400.0, float("nan")]})
    >>> fig = policy_bars(summary)
    >>> [ax.get_xlabel() for ax in fig.axes]
    ["accuracy lost (samples' worth)", 'total cost (cost units)']
    >>> [t.get_text() for t in fig.axes[1].texts]
    ['400', 'n/a']
    """
    _require(summary, ["policy", "accuracy_lost", "total_cost"], "summary")
    frame = summary.reset_index(drop=True)
    if frame["policy"].duplicated().any():
        dup = frame.loc[frame["policy"].duplicated(), "policy"].tolist()
        raise ValueError(f"summary has several rows for policy {dup}; average over seeds first")
    names = frame["policy"].astype(str).tolist()
    fig = new_figure(10, 1.2 + 0.42 * len(names))
    axes = fig.subplots(1, 2, sharey=True)
    ypos = np.arange(len(names))
    for ax, column, color in zip(
        axes, ("accuracy_lost", "total_cost"), ("#4C72B0", "#DD8452"), strict=True
    ):
        _bar_panel(ax, frame, column, color, names)
    axes[0].set_yticks(ypos, labels=names)
    axes[0].invert_yaxis()
    fig.suptitle(
        "per policy: accuracy lost against the skyline and total cost, mean over runs; "
        "error bars: 95 % bootstrap interval of the mean\n(lower is better; the oracle "
        "policy, hatched, has the best timing with the same data budget)",
        fontsize=10,
    )
    return _finish(fig, path)


def _bar_panel(ax: Any, frame: Any, column: str, color: str, names: list[str]) -> None:
    """One panel: ``column`` per policy as labelled horizontal bars, the oracle's hatched."""
    ypos = np.arange(len(names))
    values = frame[column].to_numpy(dtype=float)
    ci = _ci(frame, column)
    bars = ax.barh(
        ypos,
        np.nan_to_num(values),
        xerr=ci,
        color=color,
        alpha=0.85,
        error_kw={"elinewidth": 0.8, "capsize": 2},
        gid=column,
    )
    for bar, name in zip(bars, names, strict=True):
        if _is_oracle(name):
            bar.set_hatch("//")
            bar.set_edgecolor("black")
    reach = np.nan_to_num(values) + (0.0 if ci is None else ci[1])
    _value_labels(ax, ypos, values, reach)
    finite = reach[np.isfinite(reach)]
    span = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    ax.set_xlim(0, span * 1.18)
    ax.set_axisbelow(True)
    ax.set_xlabel(_label(column))
    light_grid(ax, axis="x")


def _value_labels(ax: Any, ypos: np.ndarray, values: np.ndarray, reach: np.ndarray) -> None:
    """Write each bar's value just past its error bar (``reach``), so the two never overlap."""
    for yv, v, end in zip(ypos, values, reach, strict=True):
        ax.annotate(
            _number(v),
            (max(end, 0.0), yv),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            ha="left",
            fontsize=8,
            color="#333333",
        )
