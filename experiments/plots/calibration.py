"""What calibrating a detector to a target false-alarm rate means, as a figure."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogFormatterSciNotation

from driftsim.validation import check_in_range
from experiments.plots._base import _SERIES, _finish, _require
from experiments.plots._style import KEY_COLOR, legend_key, light_grid, new_figure, outside_legend

__all__ = ["calibration_plot"]


def _calibrated(value: Any) -> tuple[float, float | None, float | None]:
    """(threshold, achieved rate, target rate) from a number or a ``Calibration``."""
    if hasattr(value, "value") and hasattr(value, "target_rate"):
        return float(value.value), float(value.achieved_rate), float(value.target_rate)
    try:
        return float(value), None, None
    except (TypeError, ValueError):
        raise ValueError(
            f"calibrated values must be numbers or detectors.calibration.Calibration, got {value!r}"
        ) from None


def calibration_plot(
    curves: Any,
    calibrated: Mapping[str, Any],
    *,
    target_rate: float | None = None,
    path: str | os.PathLike[str] | None = None,
) -> Figure:
    """What calibrating a detector to a target false-alarm rate means, one panel each.

    On drift-free streams every alarm is false, so the false-alarm rate of a detector
    (alarms per 1,000 samples) is a curve over its threshold parameter. Calibration
    (:func:`detectors.calibration.calibrate`) picks the threshold where that curve meets
    the target rate (dashed line), marked with a star. Detectors calibrated to the same
    target alarm equally often on drift-free data, so their detection delays can be
    compared fairly. The right axis restates the rate as alibi-detect's *expected run
    time*: the mean number of samples between false alarms, ``1000 / rate``. Both
    axes are logarithmic; a threshold that gave no false alarm at all is drawn as a
    hollow marker on the bottom edge.

    Parameters
    ----------
    curves
        DataFrame with columns ``detector``, ``threshold``, ``false_alarm_rate`` (per
        1,000 samples, measured on drift-free streams, e.g. with
        :func:`detectors.calibration.null_alarm_rate`) and optionally
        ``threshold_param`` (the parameter's name, for the axis label).
    calibrated
        Detector → calibrated threshold, as a number or a
        :class:`detectors.calibration.Calibration`.
    target_rate
        The target false alarms per 1,000 samples (default: the ``target_rate`` of the
        ``Calibration`` objects given).
    path
        Where to save the figure.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> curves = pd.DataFrame({"detector": ["PageHinkley"] * 3, "threshold": [5.0, 20.0, 80.0],
    ...                        "false_alarm_rate": [8.0, 1.0, 0.0]})
    >>> fig = calibration_plot(curves, {"PageHinkley": 20.0}, target_rate=1.0)
    >>> ax = fig.axes[0]
    >>> ax.get_title(), ax.get_xscale(), ax.get_yscale()
    ('PageHinkley', 'log', 'log')
    >>> [t.get_text() for t in ax.texts if t.get_gid() == "calibrated"]
    ['calibrated: 20']
    """
    import pandas as pd

    _require(curves, ["detector", "threshold", "false_alarm_rate"], "curves")
    parsed = _parse_calibrated(calibrated)
    target_rate = _target_rate(parsed, target_rate)
    rates = curves["false_alarm_rate"].to_numpy(dtype=float)
    if (rates[np.isfinite(rates)] < 0).any():
        raise ValueError("false_alarm_rate must be >= 0")
    detectors = [str(d) for d in pd.unique(curves["detector"])]
    unknown = sorted(set(parsed) - set(detectors))
    if unknown:
        raise ValueError(
            f"calibrated names detectors {unknown} that curves lacks; curves has {detectors}"
        )
    floor, ceiling = _rate_limits(rates, target_rate)
    ncols = min(3, len(detectors))
    nrows = math.ceil(len(detectors) / ncols)
    fig = new_figure(4.3 * ncols + 0.8, 3.3 * nrows + 1.0)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False).ravel())
    for k, (ax, name) in enumerate(zip(axes, detectors, strict=False)):
        rows = curves[curves["detector"].astype(str) == name].sort_values("threshold")
        _panel(ax, rows, name, _SERIES[k % len(_SERIES)], parsed.get(name), target_rate,
               (floor, ceiling))
    for ax in axes[len(detectors) :]:
        ax.set_visible(False)
    handles = _calibration_keys(target_rate, bool((rates == 0).any()))
    outside_legend(fig, handles, loc="outside lower center", ncols=len(handles))
    fig.suptitle(_EXPLAINER, fontsize=9)
    return _finish(fig, path)


_EXPLAINER = (
    "calibration: each detector's threshold is set where its false-alarm rate on "
    "drift-free data meets the target,\nso all detectors alarm equally often without "
    "drift and their delays compare fairly (run time = 1000 / rate)"
)


def _parse_calibrated(
    calibrated: Mapping[str, Any],
) -> dict[str, tuple[float, float | None, float | None]]:
    """Detector name → (threshold, achieved rate, target rate), each value checked."""
    if not isinstance(calibrated, Mapping):
        raise ValueError(f"calibrated must be a mapping detector -> value, got {calibrated!r}")
    return {str(k): _calibrated(v) for k, v in calibrated.items()}


def _target_rate(
    parsed: dict[str, tuple[float, float | None, float | None]], target_rate: float | None
) -> float:
    """The target rate given, else the one target all ``Calibration`` values share."""
    if target_rate is None:
        targets = {t for _, _, t in parsed.values() if t is not None}
        if len(targets) != 1:
            raise ValueError(
                "target_rate is needed: pass it, or give Calibration objects that share one "
                f"target (got targets {sorted(targets)})"
            )
        target_rate = targets.pop()
    return float(check_in_range("target_rate", target_rate, low=0.0, low_inclusive=False))


def _rate_limits(rates: np.ndarray, target_rate: float) -> tuple[float, float]:
    """(floor, ceiling) of the rate axes; the floor, where "no false alarm" is drawn."""
    # the floor sits a decade under the lowest positive rate (or the target)
    positive = rates[np.isfinite(rates) & (rates > 0)]
    low = min([target_rate, *positive.tolist()])
    floor = 10 ** (math.floor(math.log10(low)) - 1)
    ceiling = max([target_rate, *positive.tolist()]) * 3
    return floor, ceiling


def _panel(
    ax: Any,
    rows: Any,
    name: str,
    color: str,
    calibrated: tuple[float, float | None, float | None] | None,
    target_rate: float,
    limits: tuple[float, float],
) -> None:
    """One detector's panel: its rate curve, the target, its calibrated threshold."""
    floor = limits[0]
    thr = rows["threshold"].to_numpy(dtype=float)
    rate = rows["false_alarm_rate"].to_numpy(dtype=float)
    _rate_curve(ax, thr, rate, color, floor)
    ax.axhline(target_rate, color="#333333", linestyle="--", linewidth=1, gid="target")
    if calibrated is not None:
        value, achieved, _ = calibrated
        at = achieved if achieved is not None else target_rate
        _mark_calibrated(ax, value, max(at, floor), thr, color)
    _style_panel(ax, rows, name, thr, limits)


def _rate_curve(ax: Any, thr: np.ndarray, rate: np.ndarray, color: str, floor: float) -> None:
    """The false-alarm rate over the thresholds; zero rates hollow on the floor."""
    zero = rate == 0
    ax.plot(
        thr,
        np.where(zero, floor, rate),
        color=color,
        marker="o",
        markersize=4,
        linewidth=1.3,
        gid="curve",
    )
    if zero.any():
        ax.scatter(
            thr[zero],
            np.full(zero.sum(), floor),
            marker="o",
            s=30,
            facecolors="white",
            edgecolors=color,
            zorder=3,
            gid="no-false-alarm",
        )


def _mark_calibrated(ax: Any, value: float, at: float, thr: np.ndarray, color: str) -> None:
    """The calibrated threshold: a dotted line, a star at its rate ``at``, a label."""
    ax.axvline(value, color=color, linestyle=":", linewidth=1)
    ax.scatter(
        [value],
        [at],
        marker="*",
        s=180,
        color=color,
        edgecolors="black",
        linewidths=0.6,
        zorder=4,
        gid="calibrated-point",
    )
    # label on the side with more room, away from the run-time axis on the right
    left = thr.size > 0 and value > np.sqrt(np.nanmin(thr) * np.nanmax(thr))
    ax.annotate(
        f"calibrated: {value:.3g}",
        (value, at),
        xytext=(-8 if left else 8, 6),
        textcoords="offset points",
        ha="right" if left else "left",
        fontsize=8,
        gid="calibrated",
        bbox={"facecolor": "white", "alpha": 0.8, "linewidth": 0, "pad": 1},
    )


def _style_panel(
    ax: Any, rows: Any, name: str, thr: np.ndarray, limits: tuple[float, float]
) -> None:
    """Log scales, labels, grid, and the run-time axis on the right."""
    floor, ceiling = limits
    if thr.size and np.all(thr > 0) and thr.max() / thr.min() >= 10:
        ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(floor / 2, ceiling)
    ax.set_title(name, fontsize=10)
    param = "threshold"
    if "threshold_param" in rows.columns and rows["threshold_param"].notna().any():
        param = str(rows["threshold_param"].dropna().iloc[0])
    ax.set_xlabel(param)
    ax.set_ylabel("false alarms per 1,000 samples")
    light_grid(ax, which="major")
    ert = ax.secondary_yaxis("right", functions=(_rate_to_ert, _rate_to_ert))
    ert.set_ylabel("expected run time (samples)", fontsize=8)
    ert.tick_params(labelsize=7)
    # the floor stands for "no false alarm": rate 0, an unbounded run time
    _label_tick(ax.yaxis, floor, "0")
    _label_tick(ert.yaxis, 1000.0 / floor, "∞")


def _calibration_keys(target_rate: float, any_zero: bool) -> list[Line2D]:
    """Legend keys: the rate curve, the target line, the star and (if drawn) the floor."""
    keys = [
        legend_key("false-alarm rate on drift-free streams", color=KEY_COLOR, marker="o",
                   markersize=4),
        legend_key(f"target: {target_rate:g} per 1,000 (run time {1000 / target_rate:,.0f})",
                   color="#333333", linestyle="--"),
        legend_key("calibrated threshold", linestyle="", marker="*", markersize=12,
                   color=KEY_COLOR, markeredgecolor="black"),
    ]
    if any_zero:
        keys.append(legend_key("no false alarm (bottom edge)", linestyle="", marker="o",
                               markerfacecolor="white", color=KEY_COLOR))
    return keys


def _label_tick(axis: Any, at: float, text: str) -> None:
    """Write ``text`` instead of the number at the log-axis tick ``at``."""
    base = LogFormatterSciNotation()
    base.set_axis(axis)

    def fmt(value: float, pos: int | None = None) -> str:
        return text if math.isclose(value, at, rel_tol=1e-6) else base(value, pos)

    axis.set_major_formatter(FuncFormatter(fmt))


def _rate_to_ert(values: Any) -> np.ndarray:
    """1000 / rate and back (the map is its own inverse); guarded against zero."""
    values = np.asarray(values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(values > 0, 1000.0 / np.where(values > 0, values, 1.0), np.inf)
