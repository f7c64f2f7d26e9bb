"""The threshold trade-off: detection delay against false-alarm rate, per detector."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from experiments.metrics.labels import HIGHER_IS_BETTER
from experiments.plots._base import (
    _MARKERS,
    _SERIES,
    _better_hint,
    _ci,
    _declutter,
    _finish,
    _label,
    _log_scale,
    _require,
)

__all__ = ["threshold_tradeoff"]

_BASELINE_MARKS = {"periodic": "s", "random": "D", "always": "*"}


def _baseline_kind(name: str) -> str:
    return name.split(":", 1)[1] if name.startswith("baseline:") else name



# offset (points) and alignment of the threshold labels, per detector in turn
_LABEL_SIDES = ((5, 4, "left"), (-5, -10, "right"), (5, -10, "left"), (-5, 4, "right"))


def _ring_size(mdr: np.ndarray) -> np.ndarray:
    """Scatter size (points²) of the missed-detection ring: grows with the rate."""
    return (7.0 + 16.0 * np.clip(mdr, 0, 1)) ** 2


def threshold_tradeoff(
    summary: Any,
    *,
    path: str | os.PathLike[str] | None = None,
    x: str = "false_alarm_rate",
    y: str = "detection_delay_mean",
) -> Figure:
    """Detection delay against false-alarm rate across thresholds: how to pick one.

    One curve per detector: its points (one per threshold value, each annotated with
    that value) joined in threshold order. A ring around a point grows with its
    missed-detection rate (no ring: every drift detected). A point whose detector
    detected nothing has no delay: it is drawn hollow at the top edge. The data-blind
    baselines (``baseline:periodic``, ``baseline:random``, …) are grey markers;
    ``baseline:never`` raises no alarm, so it cannot be placed and is stated as a
    note; baseline points matched to different detectors are not joined. Both axes are
    logarithmic (symlog where zeros occur). Each point's label gives its threshold
    and, where drifts were missed, the missed share ("never detected" at 100 %);
    labels are moved apart until none overlaps another.
    ``<column>_ci`` columns (95 % CI half-widths), when present, become error bars.

    Parameters
    ----------
    summary
        DataFrame, one row per configuration averaged over seeds, with columns
        ``detector``, ``x``, ``y`` and, optionally, ``threshold_param``,
        ``threshold``, ``missed_detection_rate``, ``is_baseline`` (default: the
        detector name starts with ``baseline:``) and ``*_ci``.
    path
        Where to save the figure.
    x, y
        The columns to plot.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({
    ...     "detector": ["ADWIN", "ADWIN", "baseline:periodic", "baseline:never"],
    ...     "threshold_param": ["delta", "delta", "every", "none"],
    ...     "threshold": [0.002, 0.05, 500.0, float("nan")],
    ...     "false_alarm_rate": [0.1, 0.9, 2.0, 0.0],
    ...     "detection_delay_mean": [150.0, 60.0, 250.0, float("nan")],
    ...     "missed_detection_rate": [0.2, 0.0, 0.0, 1.0],
    ...     "is_baseline": [False, False, True, True]})
    >>> fig = threshold_tradeoff(summary)
    >>> ax = fig.axes[0]
    >>> [c.get_label() for c in ax.containers]
    ['ADWIN (delta)', 'baseline: periodic']
    >>> [t.get_text() for t in ax.texts if t.get_gid() == "threshold"]
    ['0.002 · 20% missed', '0.05']
    """
    import pandas as pd

    _require(summary, ["detector", x, y], "summary")
    frame = summary.reset_index(drop=True)
    if "is_baseline" in frame.columns:
        is_base = frame["is_baseline"].astype(bool).to_numpy()
    else:
        is_base = frame["detector"].astype(str).str.startswith("baseline:").to_numpy()

    fig = Figure(figsize=(9.5, 6), layout="constrained")
    ax = fig.subplots()
    top = ax.get_xaxis_transform()  # x in data, y in axes: the top edge for undefined delays
    notes: list[str] = []
    any_missed = False
    any_undefined = False
    handles: list[Any] = []
    labels: list[Any] = []

    detectors = frame.loc[~is_base, "detector"].astype(str)
    for i, name in enumerate(pd.unique(detectors)):
        rows = frame[~is_base & (frame["detector"].astype(str) == name)]
        if "threshold" in rows.columns:
            rows = rows.sort_values("threshold", kind="stable")
        color = _SERIES[i % len(_SERIES)]
        marker = _MARKERS[i % len(_MARKERS)]
        xs = rows[x].to_numpy(dtype=float)
        ys = rows[y].to_numpy(dtype=float)
        param = ""
        if "threshold_param" in rows.columns and rows["threshold_param"].notna().any():
            param = f" ({', '.join(map(str, pd.unique(rows['threshold_param'].dropna())))})"
        line = ax.errorbar(
            xs,
            ys,
            xerr=_ci(rows, x),
            yerr=_ci(rows, y),
            color=color,
            marker=marker,
            markersize=6,
            linewidth=1.4,
            capsize=2,
            elinewidth=0.8,
            label=f"{name}{param}",
        )
        line[0].set_gid(f"detector:{name}")
        handles.append(line)
        undefined = np.isfinite(xs) & ~np.isfinite(ys)
        if undefined.any():
            any_undefined = True
            ax.scatter(
                xs[undefined],
                np.ones(undefined.sum()),
                transform=top,
                marker=marker,
                s=40,
                facecolors="none",
                edgecolors=color,
                clip_on=False,
                zorder=3,
                gid=f"undefined:{name}",
            )
        if "missed_detection_rate" in rows.columns:
            mdr = rows["missed_detection_rate"].to_numpy(dtype=float)
            missed = np.isfinite(mdr) & (mdr > 0) & np.isfinite(xs) & np.isfinite(ys)
            if missed.any():
                any_missed = True
                ax.scatter(
                    xs[missed],
                    ys[missed],
                    s=_ring_size(mdr[missed]),
                    marker="o",
                    facecolors="none",
                    edgecolors=color,
                    linewidths=0.9,
                    alpha=0.8,
                    gid=f"missed:{name}",
                )
        if "threshold" in rows.columns:
            missed_share = (rows["missed_detection_rate"].to_numpy(dtype=float)
                            if "missed_detection_rate" in rows.columns
                            else np.full(len(rows), np.nan))
            for xv, yv, thr, bad, share in zip(xs, ys, rows["threshold"], undefined,
                                               missed_share, strict=True):
                if not np.isfinite(xv) or not (np.isfinite(yv) or bad) or pd.isna(thr):
                    continue
                where = (xv, 1.0) if bad else (xv, yv)
                # each detector labels on its own side, so labels of nearby curves do not collide
                dx, dy, ha = _LABEL_SIDES[i % len(_LABEL_SIDES)]
                text = f"{float(thr):g}"
                if bad:
                    text += " · never detected"
                elif np.isfinite(share) and share > 0:
                    text += f" · {share:.0%} missed"
                labels.append(ax.annotate(
                    text,
                    where,
                    xycoords=top if bad else "data",
                    xytext=(dx, -10 if bad else dy),
                    textcoords="offset points",
                    ha=ha,
                    fontsize=7,
                    color=color,
                    gid="threshold",
                    annotation_clip=False,
                ))

    base_names = pd.unique(frame.loc[is_base, "detector"].astype(str))
    for name in base_names:
        rows = frame[is_base & (frame["detector"].astype(str) == name)].sort_values(x)
        kind = _baseline_kind(name)
        xs = rows[x].to_numpy(dtype=float)
        ys = rows[y].to_numpy(dtype=float)
        ok = np.isfinite(xs) & np.isfinite(ys)
        if kind == "never" or not ok.any():
            notes.append(_baseline_note(kind, rows))
            continue
        line = ax.errorbar(
            xs[ok],
            ys[ok],
            xerr=_masked(_ci(rows, x), ok),
            yerr=_masked(_ci(rows, y), ok),
            color="#555555",
            marker=_BASELINE_MARKS.get(kind, "p"),
            markersize=8,
            markerfacecolor="white",
            markeredgewidth=1.4,
            linestyle="",  # points matched to different detectors: nothing to join
            linewidth=0.9,
            capsize=2,
            elinewidth=0.8,
            label=f"baseline: {kind}",
        )
        line[0].set_gid(f"baseline:{kind}")
        handles.append(line)

    _log_scale(ax, "x", frame[x].to_numpy(dtype=float))
    _log_scale(ax, "y", frame[y].to_numpy(dtype=float))
    ax.set_xlabel(_label(x))
    ax.set_ylabel(_label(y))
    ax.grid(color="#e5e5e5", linewidth=0.6)
    ax.set_title(
        "detection delay vs false alarms across thresholds (labels: threshold values)", fontsize=10
    )
    _better_hint(ax, HIGHER_IS_BETTER.get(x), HIGHER_IS_BETTER.get(y))
    for note in notes:
        # a handle-less legend entry: the note sits with the baselines, over no data
        handles.append(Line2D([], [], linestyle="", label=note, gid="baseline-note"))
    if any_undefined:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="",
                marker="o",
                markerfacecolor="none",
                color="#555555",
                label="never detected (no delay to plot):\nhollow, on the top edge",
            )
        )
    if any_missed:
        handles.append(Line2D([], [], linestyle="", label="ring size = missed-detection rate:"))
        for rate in (0.25, 0.5, 1.0):
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="",
                    marker="o",
                    markerfacecolor="none",
                    color="#555555",
                    markersize=float(_ring_size(rate)) ** 0.5,
                    label=f"  {rate:.0%} missed",
                )
            )
    fig.legend(
        handles=handles, loc="outside right upper", fontsize=8, frameon=False, labelspacing=0.9
    )
    _declutter(fig, labels)  # after the layout is known: labels never overlap
    return _finish(fig, path)


def _masked(values: np.ndarray | None, keep: np.ndarray) -> np.ndarray | None:
    return None if values is None else values[:, keep]


def _baseline_note(kind: str, rows: Any) -> str:
    mdr = ""
    if "missed_detection_rate" in rows.columns and rows["missed_detection_rate"].notna().any():
        mdr = f"\n(missed-detection rate {float(rows['missed_detection_rate'].mean()):.2f})"
    if kind == "never":
        return f"baseline: never — no alarms,\nso none false and no detections{mdr}"
    return f"baseline: {kind} — not placed\n(undefined values){mdr}"


# ------------------------------------------------------------------- recovery
