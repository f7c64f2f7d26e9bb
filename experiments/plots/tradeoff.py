"""The threshold trade-off: detection delay against false-alarm rate, per detector."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from experiments.metrics.labels import HIGHER_IS_BETTER
from experiments.plots._base import (
    _BASELINE_MARKS,
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
from experiments.plots._style import KEY_COLOR, legend_key, light_grid, new_figure, outside_legend

__all__ = ["threshold_tradeoff"]


def _baseline_kind(name: str) -> str:
    """``periodic`` from ``baseline:periodic``; other names unchanged."""
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
    is_base = _baseline_mask(frame)
    fig = new_figure(9.5, 6)
    ax = fig.subplots()
    handles: list[Any] = []
    labels: list[Any] = []
    any_missed = any_undefined = False
    detectors = frame.loc[~is_base, "detector"].astype(str)
    for i, name in enumerate(pd.unique(detectors)):
        rows = frame[~is_base & (frame["detector"].astype(str) == name)]
        curve = _detector_curve(ax, rows, name, i, x, y)
        handles.append(curve.handle)
        labels += curve.labels
        any_undefined |= curve.undefined
        any_missed |= curve.missed
    notes = _baseline_points(ax, frame, is_base, x, y, handles)
    _style_tradeoff_axes(ax, frame, x, y)
    handles += _legend_notes(notes, any_undefined, any_missed)
    outside_legend(fig, handles, labelspacing=0.9)
    _declutter(fig, labels)  # after the layout is known: labels never overlap
    return _finish(fig, path)


def _baseline_mask(frame: Any) -> np.ndarray:
    """Which rows are data-blind baselines: ``is_baseline``, else the ``baseline:`` prefix."""
    if "is_baseline" in frame.columns:
        return frame["is_baseline"].astype(bool).to_numpy()
    return frame["detector"].astype(str).str.startswith("baseline:").to_numpy()


@dataclass
class _Curve:
    """A drawn detector curve: legend handle, threshold labels, undefined/missed marks drawn."""

    handle: Any
    labels: list[Any]
    undefined: bool
    missed: bool


def _detector_curve(ax: Any, rows: Any, name: str, i: int, x: str, y: str) -> _Curve:
    """Draw detector ``name`` (the ``i``-th) across its thresholds, in threshold order."""
    if "threshold" in rows.columns:
        rows = rows.sort_values("threshold", kind="stable")
    color = _SERIES[i % len(_SERIES)]
    marker = _MARKERS[i % len(_MARKERS)]
    xs = rows[x].to_numpy(dtype=float)
    ys = rows[y].to_numpy(dtype=float)
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
        label=f"{name}{_param_suffix(rows)}",
    )
    line[0].set_gid(f"detector:{name}")
    undefined = np.isfinite(xs) & ~np.isfinite(ys)
    if undefined.any():
        _undefined_points(ax, xs[undefined], name, color, marker)
    missed = _missed_rings(ax, rows, xs, ys, name, color)
    side = _LABEL_SIDES[i % len(_LABEL_SIDES)]
    labels = _threshold_labels(ax, rows, xs, ys, undefined, color, side)
    return _Curve(line, labels, bool(undefined.any()), missed)


def _param_suffix(rows: Any) -> str:
    """`` (delta)``: the threshold parameter(s) of a detector's rows, or nothing."""
    import pandas as pd

    if "threshold_param" in rows.columns and rows["threshold_param"].notna().any():
        return f" ({', '.join(map(str, pd.unique(rows['threshold_param'].dropna())))})"
    return ""


def _undefined_points(ax: Any, xs: np.ndarray, name: str, color: str, marker: str) -> None:
    """Hollow markers on the top edge for thresholds that detected nothing (no delay)."""
    ax.scatter(
        xs,
        np.ones(xs.size),
        transform=ax.get_xaxis_transform(),
        marker=marker,
        s=40,
        facecolors="none",
        edgecolors=color,
        clip_on=False,
        zorder=3,
        gid=f"undefined:{name}",
    )


def _missed_rings(
    ax: Any, rows: Any, xs: np.ndarray, ys: np.ndarray, name: str, color: str
) -> bool:
    """Rings sized by the missed-detection rate around placed points; whether any was drawn."""
    if "missed_detection_rate" not in rows.columns:
        return False
    mdr = rows["missed_detection_rate"].to_numpy(dtype=float)
    missed = np.isfinite(mdr) & (mdr > 0) & np.isfinite(xs) & np.isfinite(ys)
    if not missed.any():
        return False
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
    return True


def _threshold_labels(
    ax: Any,
    rows: Any,
    xs: np.ndarray,
    ys: np.ndarray,
    undefined: np.ndarray,
    color: str,
    side: tuple[int, int, str],
) -> list[Any]:
    """Label each placed point with its threshold (and missed share); return the labels."""
    import pandas as pd

    if "threshold" not in rows.columns:
        return []
    top = ax.get_xaxis_transform()  # x in data, y in axes: the top edge for undefined delays
    missed_share = (rows["missed_detection_rate"].to_numpy(dtype=float)
                    if "missed_detection_rate" in rows.columns
                    else np.full(len(rows), np.nan))
    # each detector labels on its own side, so labels of nearby curves do not collide
    dx, dy, ha = side
    labels = []
    for xv, yv, thr, bad, share in zip(xs, ys, rows["threshold"], undefined,
                                       missed_share, strict=True):
        if not np.isfinite(xv) or not (np.isfinite(yv) or bad) or pd.isna(thr):
            continue
        labels.append(ax.annotate(
            _threshold_text(float(thr), bool(bad), share),
            (xv, 1.0) if bad else (xv, yv),
            xycoords=top if bad else "data",
            xytext=(dx, -10 if bad else dy),
            textcoords="offset points",
            ha=ha,
            fontsize=7,
            color=color,
            gid="threshold",
            annotation_clip=False,
        ))
    return labels


def _threshold_text(threshold: float, undefined: bool, missed_share: float) -> str:
    """``0.002 · 20% missed``: a threshold and what its point does not show."""
    text = f"{threshold:g}"
    if undefined:
        return text + " · never detected"
    if np.isfinite(missed_share) and missed_share > 0:
        return text + f" · {missed_share:.0%} missed"
    return text


def _baseline_points(
    ax: Any, frame: Any, is_base: np.ndarray, x: str, y: str, handles: list[Any]
) -> list[str]:
    """Draw placeable baselines as grey markers (into ``handles``); return notes on the rest."""
    import pandas as pd

    notes: list[str] = []
    for name in pd.unique(frame.loc[is_base, "detector"].astype(str)):
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
            color=KEY_COLOR,
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
    return notes


def _style_tradeoff_axes(ax: Any, frame: Any, x: str, y: str) -> None:
    """Log scales, axis labels, grid, title and the better-corner hint."""
    _log_scale(ax, "x", frame[x].to_numpy(dtype=float))
    _log_scale(ax, "y", frame[y].to_numpy(dtype=float))
    ax.set_xlabel(_label(x))
    ax.set_ylabel(_label(y))
    light_grid(ax)
    ax.set_title(
        "detection delay vs false alarms across thresholds (labels: threshold values)", fontsize=10
    )
    _better_hint(ax, HIGHER_IS_BETTER.get(x), HIGHER_IS_BETTER.get(y))


def _legend_notes(notes: list[str], any_undefined: bool, any_missed: bool) -> list[Line2D]:
    """Legend entries without data: baseline notes and the keys of hollow and ring marks."""
    # a handle-less legend entry: the note sits with the baselines, over no data
    keys = [legend_key(note, linestyle="", gid="baseline-note") for note in notes]
    hollow = {"linestyle": "", "marker": "o", "markerfacecolor": "none", "color": KEY_COLOR}
    if any_undefined:
        keys.append(legend_key("never detected (no delay to plot):\nhollow, on the top edge",
                               **hollow))
    if any_missed:
        keys.append(legend_key("ring size = missed-detection rate:", linestyle=""))
        keys += [
            legend_key(f"  {rate:.0%} missed", markersize=float(_ring_size(rate)) ** 0.5,
                       **hollow)
            for rate in (0.25, 0.5, 1.0)
        ]
    return keys


def _masked(values: np.ndarray | None, keep: np.ndarray) -> np.ndarray | None:
    """The error-bar columns of the kept points (``None`` stays ``None``)."""
    return None if values is None else values[:, keep]


def _baseline_note(kind: str, rows: Any) -> str:
    """The legend note for a baseline that cannot be placed, and why."""
    mdr = ""
    if "missed_detection_rate" in rows.columns and rows["missed_detection_rate"].notna().any():
        mdr = f"\n(missed-detection rate {float(rows['missed_detection_rate'].mean()):.2f})"
    if kind == "never":
        return f"baseline: never — no alarms,\nso none false and no detections{mdr}"
    return f"baseline: {kind} — not placed\n(undefined values){mdr}"
