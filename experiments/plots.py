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

Examples
--------
>>> import pandas as pd
>>> summary = pd.DataFrame({"detector": ["ADWIN", "DDM"], "drift": ["abrupt", "abrupt"],
...                         "mtr": [12.0, float("nan")]})
>>> fig = heatmap(summary)
>>> [t.get_text() for t in fig.axes[0].texts]
['12', 'n/a']
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import LogNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, LogFormatterSciNotation, MaxNLocator

from driftsim.validation import check_in_range, check_int
from experiments.files import atomic_write
from simulator.trace import Trace

__all__ = [
    "DRIFT_COLORS",
    "HIGHER_IS_BETTER",
    "calibration_plot",
    "heatmap",
    "policy_bars",
    "recovery_curves",
    "save_figure",
    "threshold_tradeoff",
    "timeline",
]

#: Colour of each drift kind, in every figure.
DRIFT_COLORS: dict[str, str] = {
    "covariate": "#4C72B0",
    "concept": "#C44E52",
    "prior": "#55A868",
    "prediction": "#8172B2",
    "pipeline": "#CCB974",
}
_OTHER_DRIFT = "#7f7f7f"

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

_LABELS: dict[str, str] = {
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
    "total_cost": "total cost",
    "time_to_recover": "time to recover (samples)",
}

_SERIES = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
)
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h")
_BASELINE_MARKS = {"periodic": "s", "random": "D", "always": "*"}


def _label(column: str) -> str:
    return _LABELS.get(column, column.replace("_", " "))


# ---------------------------------------------------------------------- saving


def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: int = 110) -> Path:
    """Save ``fig`` to ``path`` atomically (temporary file, then rename); return the path.

    The format follows the suffix (``.png``, ``.svg``, ``.pdf``); missing folders are
    created.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from matplotlib.figure import Figure
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = save_figure(Figure(), Path(tmp) / "sub" / "empty.png")
    ...     out.name, out.stat().st_size > 0, len(list(out.parent.iterdir()))
    ('empty.png', True, 1)
    """
    # savefig infers the format from the suffix, which the temporary name keeps.
    return atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=dpi))


def _finish(fig: Figure, path: str | os.PathLike[str] | None) -> Figure:
    if path is not None:
        save_figure(fig, path)
    return fig


def _require(frame: Any, columns: Iterable[str], what: str) -> None:
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks the column(s) {missing}; it has {list(frame.columns)}")


def _auto_scale(ax: Any, axis: str, values: np.ndarray) -> None:
    """Use a log scale (symlog when zeros occur) where positive values span decades."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    positive = values[values > 0]
    if positive.size < 2 or positive.max() / positive.min() < 30 or (values < 0).any():
        return
    setter = ax.set_xscale if axis == "x" else ax.set_yscale
    if (values == 0).any():
        # linear below the smallest positive value, so 0 sits one decade-width under it
        setter("symlog", linthresh=10 ** math.floor(math.log10(positive.min())), linscale=0.5)
    else:
        setter("log")


def _better_hint(ax: Any, x_higher: bool | None, y_higher: bool | None) -> None:
    """An arrow-and-word hint in the corner where the better results lie."""
    if x_higher is None or y_higher is None:
        return
    arrows = {(False, False): "↙", (True, False): "↘", (False, True): "↖", (True, True): "↗"}
    ax.text(
        0.99 if x_higher else 0.01,
        0.99 if y_higher else 0.01,
        f"{arrows[(x_higher, y_higher)]} better",
        transform=ax.transAxes,
        ha="right" if x_higher else "left",
        va="top" if y_higher else "bottom",
        fontsize=8,
        color="#555555",
        gid="better-hint",
    )


# -------------------------------------------------------------------- timeline

_GATE_ROW = "gate / approval"
_JOB_MARKS: dict[str, dict[str, Any]] = {
    "retrain_start": {
        "marker": ">",
        "color": "#333333",
        "label": "retrain started",
        "row": "retraining",
    },
    "retrain_failed": {
        "marker": "X",
        "color": "#b30000",
        "label": "retrain failed",
        "row": "retraining",
    },
    "retrain_skipped": {
        "marker": "|",
        "color": "#999999",
        "label": "retrain skipped",
        "row": "retraining",
    },
    "gate_fail": {
        "marker": "x",
        "color": "#e6550d",
        "label": "gate rejected the candidate",
        "row": _GATE_ROW,
    },
    "rejection": {
        "marker": "s",
        "color": "#e6550d",
        "label": "approver rejected a deploy",
        "row": _GATE_ROW,
    },
}
_DEPLOY_COLOR = "#1a1a1a"
_LINE_MARKERS = ("x", "|", "+", "_")
_ROLLBACK_COLOR = "#e6550d"


def _stream_events(trace: Trace) -> list[Mapping[str, Any]]:
    events = trace.meta.get("stream_events", ()) or ()
    out = []
    for i, e in enumerate(events):
        if not isinstance(e, Mapping) or "onset" not in e:
            raise ValueError(
                f"trace.meta['stream_events'][{i}] must be a dict with an 'onset', got {e!r}"
            )
        out.append(e)
    return out


def _monitor_rows(trace: Trace) -> list[str]:
    """Monitor names: those the run declared, then any others that raised alerts."""
    names = [str(m) for m in trace.meta.get("monitors", ()) or () if isinstance(m, str)]
    for e in trace.events:
        if e.type in ("alert", "warning"):
            name = _monitor_of(e)
            if name not in names:
                names.append(name)
    return names


def _monitor_of(event: Any) -> str:
    d = event.details
    return str(d.get("monitor") or d.get("detector") or "alerts")


def _drift_label(event: Mapping[str, Any]) -> str:
    text = str(event.get("kind", "drift"))
    if event.get("is_return", False):
        text += " ↺ return"
    if not event.get("harmful", True):
        text += " (benign)"
    return text


def _draw_drifts(ax: Any, events: list[Mapping[str, Any]], n: int) -> set[str]:
    """Shade each true drift event on ``ax`` (one artist per event, gid ``drift:i``)
    and label it above the axes. Returns the kinds drawn."""
    kinds: set[str] = set()
    # right end of the last label on each of three text rows above the axes, in data units
    row_ends = [-np.inf] * 3
    for i, e in enumerate(events):
        kind = str(e.get("kind", "drift"))
        kinds.add(kind)
        color = DRIFT_COLORS.get(kind, _OTHER_DRIFT)
        harmful = bool(e.get("harmful", True))
        is_return = bool(e.get("is_return", False))
        onset, end = int(e["onset"]), int(e.get("end", e["onset"]))
        alpha = 0.28 if harmful else 0.12
        if end > onset:
            hatch = ".." if is_return else (None if harmful else "///")
            artist = ax.axvspan(
                onset, end, facecolor=color, alpha=alpha, hatch=hatch, edgecolor=color, linewidth=0
            )
        else:
            style = ":" if is_return else ("-" if harmful else "--")
            artist = ax.axvline(
                onset, color=color, linewidth=2.4, linestyle=style, alpha=0.8 if harmful else 0.45
            )
        artist.set_gid(f"drift:{i}")
        # put the label on the lowest text row where it does not overlap the previous one
        # (a 7-pt character is about 0.6 % of the 12-inch figure's axis width)
        label = _drift_label(e)
        width = (0.006 * len(label) + 0.01) * max(n, 1)
        level = next(
            (k for k, end_ in enumerate(row_ends) if end_ < onset), int(np.argmin(row_ends))
        )
        row_ends[level] = onset + width
        ax.text(
            onset,
            1.0 + 0.07 * level,
            label,
            transform=ax.get_xaxis_transform(),
            fontsize=7,
            color=color,
            ha="left",
            va="bottom",
            clip_on=False,
            gid=f"drift-label:{i}",
        )
    return kinds


def _version_changes(versions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sample indices where the serving version changes (0 first) and the versions there."""
    if versions.size == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=versions.dtype)
    idx = np.flatnonzero(np.r_[True, versions[1:] != versions[:-1]])
    return idx, versions[idx]


def timeline(
    trace: Trace,
    *,
    oracle: Trace | None = None,
    path: str | os.PathLike[str] | None = None,
    title: str | None = None,
    window: int = 100,
) -> Figure:
    """One run over time: accuracy, true drift, alerts, retraining and deployments.

    Three panels share the time axis:

    * **accuracy** — the served accuracy over the trailing ``window`` samples (solid),
      the oracle run's (dashed, when ``oracle`` is given); the stream's true drift
      events shaded in their kind's colour (:data:`DRIFT_COLORS`): a band from onset
      to end for gradual and incremental drifts, a line for abrupt ones; benign
      (not harmful) drifts lighter and hatched or dashed; returns of an old concept
      dotted. Each event is named above the panel. Deployments are dark vertical lines
      marked ``vN`` with the version deployed; rollbacks orange dash-dotted lines
      marked ``↶vN`` with the version restored.
    * **events** — one row per monitor: its alerts (triangles) and warnings (small
      light dots below them); a ``retraining`` row with retrain starts, failures,
      skips, gate rejections and approver rejections; shadow and A/B trials as bars.
    * **model version** — the version that served each sample.

    Parameters
    ----------
    trace
        The run.
    oracle
        The oracle policy's run on the same stream, or ``None``.
    path
        Where to save the figure (``None``: not saved).
    title
        Figure title (default: the policy in ``trace.meta``).
    window
        Rolling-accuracy window in samples.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from simulator.trace import TraceBuilder
    >>> b = TraceBuilder()
    >>> b.add_batch(0, [0] * 300, None, 1, [0] * 150 + [1] * 150)
    >>> _ = b.log(0, "deploy", version=1), b.log(170, "alert", monitor="ddm")
    >>> trace = b.build(meta={"stream_events": [{"onset": 150, "kind": "concept"}]})
    >>> fig = timeline(trace, window=20)
    >>> [a.get_ylabel() for a in fig.axes]
    ['served accuracy\\n(rolling 20)', '', 'model\\nversion']
    >>> [a.get_gid() for a in fig.axes[0].lines]
    ['accuracy', 'drift:0']
    """
    if not isinstance(trace, Trace):
        raise ValueError(f"trace must be a simulator.trace.Trace, got {type(trace).__name__}")
    if oracle is not None and not isinstance(oracle, Trace):
        raise ValueError(f"oracle must be a Trace or None, got {type(oracle).__name__}")
    window = check_int("window", window, low=1)
    n = trace.n_samples
    events = _stream_events(trace)
    monitors = _monitor_rows(trace)
    job_types = [t for t in _JOB_MARKS if trace.events_of(t)]
    trials = [e for e in trace.events if e.type in ("shadow_start", "ab_start")]
    has_jobs = any(_JOB_MARKS[t]["row"] == "retraining" for t in job_types) or trials
    has_gate = any(_JOB_MARKS[t]["row"] == _GATE_ROW for t in job_types)
    rows = [*monitors, *(["retraining"] if has_jobs else []), *([_GATE_ROW] if has_gate else [])]

    strip_height = 0.35 * max(len(rows), 1) + 0.3
    fig = Figure(figsize=(12, 4.6 + strip_height), layout="constrained")
    ax, ax_ev, ax_ver = fig.subplots(3, 1, sharex=True, height_ratios=[3.6, strip_height, 0.8])
    handles: list[Any] = []

    # ---- accuracy panel
    step = max(1, n // 6000)  # thin very long runs: the plot cannot show more points
    times = np.arange(n)[::step]
    if n:
        line = ax.plot(
            times,
            trace.rolling_accuracy(window)[::step],
            color="black",
            linewidth=1.3,
            label="this run",
            gid="accuracy",
            zorder=3,
        )[0]
        handles.append(line)
    if oracle is not None and oracle.n_samples:
        o_times = np.arange(oracle.n_samples)[::step]
        handles.append(
            ax.plot(
                o_times,
                oracle.rolling_accuracy(window)[::step],
                color="#7f7f7f",
                linestyle="--",
                linewidth=1.2,
                label="oracle (retrains at the true onset)",
                gid="oracle",
            )[0]
        )
    if not n:
        ax.text(0.5, 0.5, "empty trace", transform=ax.transAxes, ha="center", va="center")
    ax.set_ylim(0, 1.03)
    ax.set_ylabel(f"served accuracy\n(rolling {window})")
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)

    kinds = _draw_drifts(ax, events, n)
    for kind in [k for k in DRIFT_COLORS if k in kinds] + sorted(kinds - set(DRIFT_COLORS)):
        handles.append(
            Patch(
                facecolor=DRIFT_COLORS.get(kind, _OTHER_DRIFT),
                alpha=0.5,
                label=f"{kind} drift (true)",
            )
        )
    if any(not e.get("harmful", True) for e in events):
        handles.append(
            Patch(
                facecolor="#bbbbbb",
                alpha=0.4,
                hatch="///",
                label="benign drift: lighter, hatched / dashed",
            )
        )
    if any(e.get("is_return", False) for e in events):
        handles.append(
            Line2D(
                [],
                [],
                color="#555555",
                linestyle=":",
                linewidth=2,
                label="return of the old concept: dotted",
            )
        )

    deploys = trace.events_of("deploy")
    rollbacks = trace.events_of("rollback")
    for axis in (ax, ax_ev, ax_ver):
        if deploys:
            axis.vlines(
                [e.time for e in deploys],
                0,
                1,
                transform=axis.get_xaxis_transform(),
                colors=_DEPLOY_COLOR,
                linewidths=1.0,
                alpha=0.75,
                gid="deploy",
            )
        if rollbacks:
            axis.vlines(
                [e.time for e in rollbacks],
                0,
                1,
                transform=axis.get_xaxis_transform(),
                colors=_ROLLBACK_COLOR,
                linewidths=1.6,
                linestyles="-.",
                gid="rollback",
            )
    label_every = max(1, math.ceil(len(deploys) / 30))  # keep a crowded axis readable
    for j, e in enumerate(deploys):
        if j % label_every == 0 and "version" in e.details:
            ax.text(
                e.time,
                0.02,
                f" v{e.details['version']}",
                transform=ax.get_xaxis_transform(),
                fontsize=7,
                ha="left",
                va="bottom",
                color=_DEPLOY_COLOR,
                bbox={"facecolor": "white", "alpha": 0.7, "linewidth": 0, "pad": 0.5},
                gid="deploy-label",
            )
    for e in rollbacks:
        ax.text(
            e.time,
            0.12,
            f" ↶v{e.details.get('version', '?')}",
            transform=ax.get_xaxis_transform(),
            fontsize=7,
            ha="left",
            va="bottom",
            color=_ROLLBACK_COLOR,
            gid="rollback-label",
            bbox={"facecolor": "white", "alpha": 0.7, "linewidth": 0, "pad": 0.5},
        )
    if deploys:
        handles.append(
            Line2D(
                [], [], color=_DEPLOY_COLOR, linewidth=1, label="deployment (vN: version deployed)"
            )
        )
    if rollbacks:
        handles.append(
            Line2D(
                [],
                [],
                color=_ROLLBACK_COLOR,
                linewidth=1.6,
                linestyle="-.",
                label="rollback (↶vN: version restored)",
            )
        )

    # ---- event strip: one row per monitor, then retraining
    row_of = {name: i for i, name in enumerate(rows)}
    for i, name in enumerate(monitors):
        color = _SERIES[(i + 1) % len(_SERIES)]
        marker = _MARKERS[i % len(_MARKERS)] if i else "v"
        alerts = [e.time for e in trace.events_of("alert") if _monitor_of(e) == name]
        warnings = [e.time for e in trace.events_of("warning") if _monitor_of(e) == name]
        if warnings:
            ax_ev.scatter(
                warnings,
                np.full(len(warnings), i + 0.22),
                s=12,
                marker="o",
                color=color,
                alpha=0.35,
                linewidths=0,
                gid=f"warnings:{name}",
            )
        if alerts:
            ax_ev.scatter(
                alerts,
                np.full(len(alerts), i),
                s=36,
                marker=marker,
                color=color,
                edgecolors="black",
                linewidths=0.4,
                gid=f"alerts:{name}",
                zorder=3,
            )
        handles.append(
            Line2D(
                [],
                [],
                linestyle="",
                marker=marker,
                color=color,
                markeredgecolor="black",
                markeredgewidth=0.4,
                label=f"alert: {name} ({len(alerts)})",
            )
        )
    if trace.events_of("warning"):
        handles.append(
            Line2D(
                [],
                [],
                linestyle="",
                marker="o",
                markersize=4,
                color="#555555",
                alpha=0.35,
                label="warning (small, light, below its alerts)",
            )
        )
    if job_types or trials:
        for t in job_types:
            spec = _JOB_MARKS[t]
            y = row_of[spec["row"]]
            times_t = [e.time for e in trace.events_of(t)]
            hollow = t == "rejection"
            if spec["marker"] in _LINE_MARKERS:  # line markers have no face to fill
                colors: dict[str, Any] = {"color": spec["color"]}
            else:
                colors = {
                    "facecolors": "none" if hollow else spec["color"],
                    "edgecolors": spec["color"],
                }
            size = 80 if spec["marker"] in _LINE_MARKERS else 40  # thin marks need more room
            ax_ev.scatter(
                times_t,
                np.full(len(times_t), y),
                s=size,
                marker=spec["marker"],
                linewidths=1.2,
                gid=t,
                zorder=3,
                **colors,
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="",
                    marker=spec["marker"],
                    color=spec["color"],
                    markerfacecolor="none" if hollow else spec["color"],
                    label=f"{spec['label']} ({len(times_t)})",
                )
            )
        for e in trials:
            y = row_of["retraining"]
            mode = e.type.removesuffix("_start")
            stop = e.details.get("until", e.time)
            ax_ev.plot(
                [e.time, stop],
                [y - 0.25, y - 0.25],
                linewidth=3,
                color="#9ecae1" if mode == "shadow" else "#fdae6b",
                solid_capstyle="butt",
                gid=f"trial:{mode}",
            )
        for mode, color in (("shadow", "#9ecae1"), ("ab", "#fdae6b")):
            if any(e.type == f"{mode}_start" for e in trials):
                handles.append(
                    Line2D(
                        [],
                        [],
                        color=color,
                        linewidth=3,
                        label=f"{'shadow' if mode == 'shadow' else 'A/B'} trial",
                    )
                )
    ax_ev.set_yticks(range(len(rows)), labels=rows, fontsize=8)
    ax_ev.set_ylim(len(rows) - 0.5, -0.6)  # first monitor on top
    ax_ev.tick_params(axis="y", length=0)
    ax_ev.grid(axis="y", color="#eeeeee", linewidth=0.6)
    if not rows:
        ax_ev.text(
            0.5,
            0.5,
            "no monitors",
            transform=ax_ev.transAxes,
            ha="center",
            va="center",
            fontsize=8,
            color="#777777",
        )

    # ---- model version strip
    idx, ver = _version_changes(np.asarray(trace.model_version))
    if idx.size:
        ax_ver.step(
            np.r_[idx, n],
            np.r_[ver, ver[-1]],
            where="post",
            color="#333333",
            linewidth=1.2,
            gid="model-version",
        )
        lo, hi = int(ver.min()), int(ver.max())
        ax_ver.set_ylim(lo - 0.6, hi + 0.6)
        if hi - lo <= 4:
            ax_ver.set_yticks(range(lo, hi + 1))
        else:
            ax_ver.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    ax_ver.set_ylabel("model\nversion", fontsize=8)
    ax_ver.tick_params(axis="y", labelsize=8)
    ax_ver.set_xlabel("time (sample index)")
    ax_ver.set_xlim(0, max(n, 1))

    if title is None:
        policy = trace.meta.get("policy")
        title = f"run timeline — policy {policy}" if policy else "run timeline"
    fig.suptitle(title, fontsize=11)
    fig.legend(handles=handles, loc="outside right upper", fontsize=8, frameon=False)
    return _finish(fig, path)


# ---------------------------------------------------------- threshold trade-off


def _baseline_kind(name: str) -> str:
    return name.split(":", 1)[1] if name.startswith("baseline:") else name


def _ci(frame: Any, column: str) -> np.ndarray | None:
    col = f"{column}_ci"
    return frame[col].to_numpy(dtype=float) if col in frame.columns else None


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
    note. Axes whose values span decades are logarithmic (symlog where zeros occur).
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
    ['0.002', '0.05']
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
            for xv, yv, thr, bad in zip(xs, ys, rows["threshold"], undefined, strict=True):
                if not np.isfinite(xv) or not (np.isfinite(yv) or bad) or pd.isna(thr):
                    continue
                where = (xv, 1.0) if bad else (xv, yv)
                # each detector labels on its own side, so labels of nearby curves do not collide
                dx, dy, ha = _LABEL_SIDES[i % len(_LABEL_SIDES)]
                ax.annotate(
                    f"{float(thr):g}",
                    where,
                    xycoords=top if bad else "data",
                    xytext=(dx, -10 if bad else dy),
                    textcoords="offset points",
                    ha=ha,
                    fontsize=7,
                    color=color,
                    gid="threshold",
                    annotation_clip=False,
                )

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
            linestyle=":" if ok.sum() > 1 else "",
            linewidth=0.9,
            capsize=2,
            elinewidth=0.8,
            label=f"baseline: {kind}",
        )
        line[0].set_gid(f"baseline:{kind}")
        handles.append(line)

    _auto_scale(ax, "x", frame[x].to_numpy(dtype=float))
    _auto_scale(ax, "y", frame[y].to_numpy(dtype=float))
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
                label="no detection (delay undefined):\nhollow, on the top edge",
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
    return _finish(fig, path)


def _masked(values: np.ndarray | None, keep: np.ndarray) -> np.ndarray | None:
    return None if values is None else values[keep]


def _baseline_note(kind: str, rows: Any) -> str:
    mdr = ""
    if "missed_detection_rate" in rows.columns and rows["missed_detection_rate"].notna().any():
        mdr = f"\n(missed-detection rate {float(rows['missed_detection_rate'].mean()):.2f})"
    if kind == "never":
        return f"baseline: never — no alarms,\nso none false and no detections{mdr}"
    return f"baseline: {kind} — not placed\n(undefined values){mdr}"


# ------------------------------------------------------------------- recovery


def _is_oracle(name: str) -> bool:
    return name.strip().lower().startswith("oracle")


def recovery_curves(
    curves: Mapping[str, tuple[Any, Any]],
    *,
    onset: int | float | Sequence[int | float] | None = None,
    path: str | os.PathLike[str] | None = None,
) -> Figure:
    """Rolling accuracy after a drift, one curve per policy; the oracle drawn dashed black.

    Parameters
    ----------
    curves
        Policy name → ``(times, rolling accuracy)`` arrays of equal length. A name
        starting with ``oracle`` (any case) is the oracle.
    onset
        The drift onset(s) to mark, or ``None``.
    path
        Where to save the figure.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(100)
    >>> fig = recovery_curves({"oracle": (t, np.ones(100)), "never": (t, np.full(100, 0.4))},
    ...                       onset=10)
    >>> [(line.get_label(), line.get_linestyle()) for line in fig.axes[0].get_lines()]
    [('never', '-'), ('oracle', '--'), ('drift onset', ':')]
    """
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError(
            f"curves must be a non-empty mapping name -> (times, accuracy), got {curves!r}"
        )
    fig = Figure(figsize=(9, 4.8), layout="constrained")
    ax = fig.subplots()
    # the oracle last, so it is drawn on top of the others
    names = sorted(curves, key=_is_oracle)
    k = 0
    for name in names:
        try:
            times, acc = curves[name]
        except (TypeError, ValueError):
            raise ValueError(
                f"curves[{name!r}] must be a pair (times, accuracy), got {curves[name]!r}"
            ) from None
        times = np.asarray(times, dtype=float)
        acc = np.asarray(acc, dtype=float)
        if times.ndim != 1 or times.shape != acc.shape:
            raise ValueError(
                f"curves[{name!r}]: times and accuracy must be 1-d of equal "
                f"length, got shapes {times.shape} and {acc.shape}"
            )
        if _is_oracle(name):
            ax.plot(times, acc, color="black", linestyle="--", linewidth=2.0, label=name, zorder=4)
        else:
            ax.plot(times, acc, color=_SERIES[k % len(_SERIES)], linewidth=1.4, label=name)
            k += 1
    if onset is not None:
        onsets = np.atleast_1d(np.asarray(onset, dtype=float))
        for j, t in enumerate(onsets):
            ax.axvline(
                t,
                color="#C44E52",
                linestyle=":",
                linewidth=1.5,
                label="drift onset" if j == 0 else "_nolegend_",
            )
    ax.set_ylim(0, 1.03)
    ax.set_xlabel("time (samples)")
    ax.set_ylabel("served accuracy (rolling)")
    ax.set_title("recovery after drift, per policy", fontsize=10)
    ax.grid(color="#e5e5e5", linewidth=0.6)
    fig.legend(loc="outside right upper", fontsize=8, frameon=False)
    return _finish(fig, path)


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
    ["accuracy lost (samples' worth)", 'total cost']
    >>> [t.get_text() for t in fig.axes[1].texts]
    ['400', 'n/a']
    """
    _require(summary, ["policy", "accuracy_lost", "total_cost"], "summary")
    frame = summary.reset_index(drop=True)
    if frame["policy"].duplicated().any():
        dup = frame.loc[frame["policy"].duplicated(), "policy"].tolist()
        raise ValueError(f"summary has several rows for policy {dup}; average over seeds first")
    names = frame["policy"].astype(str).tolist()
    fig = Figure(figsize=(10, 1.2 + 0.42 * len(names)), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    ypos = np.arange(len(names))
    for ax, column, color in zip(
        axes, ("accuracy_lost", "total_cost"), ("#4C72B0", "#DD8452"), strict=True
    ):
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
        reach = np.nan_to_num(values) + (0.0 if ci is None else np.nan_to_num(ci))
        for yv, v, end in zip(ypos, values, reach, strict=True):
            # the label goes past the error bar, so the two never overlap
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
        finite = reach[np.isfinite(reach)]
        span = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
        ax.set_xlim(0, span * 1.18)
        ax.set_axisbelow(True)
        ax.set_xlabel(_label(column))
        ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    axes[0].set_yticks(ypos, labels=names)
    axes[0].invert_yaxis()
    fig.suptitle(
        "per policy: accuracy lost against the oracle and total cost "
        "(lower is better; oracle hatched)",
        fontsize=10,
    )
    return _finish(fig, path)


def _number(value: float) -> str:
    """A short label for a value: thousands separated, three significant digits below."""
    if not np.isfinite(value):
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


# --------------------------------------------------------------------- heat map


def heatmap(
    summary: Any,
    *,
    value: str = "mtr",
    row: str = "detector",
    col: str = "drift",
    path: str | os.PathLike[str] | None = None,
    higher_is_better: bool | None = None,
    fmt: str = "{:.3g}",
) -> Figure:
    """A metric over two factors (detector × scenario), every cell annotated.

    Colours always run dark → bright from worse to better: ``viridis`` for a metric
    where higher is better (MTR, MTFA, recall, accuracy, …), reversed for one where
    lower is better (delay, false-alarm rate, missed-detection rate, accuracy lost,
    cost, …), so the bright cells are the good ones whatever the metric. The
    direction comes from :data:`HIGHER_IS_BETTER` unless ``higher_is_better`` is
    given (it must be for a metric not listed there). Positive values spanning more
    than two decades get a logarithmic colour scale. Missing combinations (``NaN``)
    are grey, hatched and labelled ``n/a``.

    Parameters
    ----------
    summary
        DataFrame with one row per (``row``, ``col``) pair and a ``value`` column.
    value, row, col
        The metric column and the two factor columns.
    path
        Where to save the figure.
    higher_is_better
        Direction of the colour map (default from :data:`HIGHER_IS_BETTER`).
    fmt
        Format of the cell annotations.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({"detector": ["ADWIN", "ADWIN", "DDM"],
    ...                         "drift": ["abrupt", "gradual", "abrupt"],
    ...                         "detection_delay_mean": [40.0, 210.0, 55.0]})
    >>> fig = heatmap(summary, value="detection_delay_mean")
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['40', '210', '55', 'n/a']
    >>> fig.axes[1].get_ylabel()
    'mean detection delay (samples)\\n(lower is better: bright)'
    >>> heatmap(summary, value="detector")
    Traceback (most recent call last):
    ...
    ValueError: value must name a numeric column, got 'detector' (dtype ...)
    """
    import pandas as pd

    _require(summary, [row, col, value], "summary")
    if not pd.api.types.is_numeric_dtype(summary[value]) or summary[value].dtype == bool:
        raise ValueError(
            f"value must name a numeric column, got {value!r} (dtype {summary[value].dtype})"
        )
    if higher_is_better is None:
        if value not in HIGHER_IS_BETTER:
            raise ValueError(
                f"is a higher {value!r} better or worse? pass higher_is_better=True or False "
                f"(known metrics: {sorted(HIGHER_IS_BETTER)})"
            )
        higher_is_better = HIGHER_IS_BETTER[value]
    dup = summary.duplicated([row, col])
    if dup.any():
        first = summary.loc[dup, [row, col]].iloc[0].tolist()
        raise ValueError(
            f"summary has several rows for ({row}, {col}) = {first}; average over seeds first"
        )
    rows = list(pd.unique(summary[row]))
    cols = list(pd.unique(summary[col]))
    grid = (
        summary.set_index([row, col])[value]
        .astype(float)
        .unstack(col)
        .reindex(index=rows, columns=cols)
    )
    data = grid.to_numpy(dtype=float)
    finite = data[np.isfinite(data)]

    cmap = colormaps["viridis" if higher_is_better else "viridis_r"]
    if finite.size and finite.min() > 0 and finite.max() / finite.min() > 100:
        norm: Normalize = LogNorm(finite.min(), finite.max())
    elif finite.size:
        lo, hi = float(finite.min()), float(finite.max())
        norm = Normalize(lo, hi if hi > lo else lo + 1.0)
    else:
        norm = Normalize(0.0, 1.0)

    fig = Figure(figsize=(2.2 + 1.15 * len(cols), 1.4 + 0.5 * len(rows)), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(np.ma.masked_invalid(data), cmap=cmap, norm=norm, aspect="auto")
    for i in range(len(rows)):
        for j in range(len(cols)):
            v = data[i, j]
            if np.isfinite(v):
                r, g, b, _ = cmap(norm(v))
                dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
                ax.text(
                    j,
                    i,
                    fmt.format(v),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if dark else "black",
                    gid="cell",
                )
            else:
                ax.add_patch(
                    Rectangle(
                        (j - 0.5, i - 0.5),
                        1,
                        1,
                        facecolor="#dddddd",
                        edgecolor="#aaaaaa",
                        hatch="//",
                        linewidth=0,
                        gid="cell-na",
                    )
                )
                ax.text(
                    j,
                    i,
                    "n/a",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="#555555",
                    gid="cell",
                    bbox={"facecolor": "#dddddd", "linewidth": 0, "pad": 1},
                )
    ax.set_xticks(range(len(cols)), labels=[str(c) for c in cols], rotation=30, ha="right")
    ax.set_yticks(range(len(rows)), labels=[str(r) for r in rows])
    ax.set_xlabel(col)
    ax.set_ylabel(row)
    bar = fig.colorbar(image, ax=ax, shrink=0.9)
    bar.set_label(
        f"{_label(value)}\n({'higher' if higher_is_better else 'lower'} is better: bright)",
        fontsize=8,
    )
    ax.set_title(f"{_label(value)} by {row} and {col}", fontsize=10)
    return _finish(fig, path)


# ------------------------------------------------------------------ calibration


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
        :func:`detectors.calibration.false_alarm_rate`) and optionally
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
    if not isinstance(calibrated, Mapping):
        raise ValueError(f"calibrated must be a mapping detector -> value, got {calibrated!r}")
    parsed = {str(k): _calibrated(v) for k, v in calibrated.items()}
    if target_rate is None:
        targets = {t for _, _, t in parsed.values() if t is not None}
        if len(targets) != 1:
            raise ValueError(
                "target_rate is needed: pass it, or give Calibration objects that share one "
                f"target (got targets {sorted(targets)})"
            )
        target_rate = targets.pop()
    target_rate = float(check_in_range("target_rate", target_rate, low=0.0, low_inclusive=False))
    rates = curves["false_alarm_rate"].to_numpy(dtype=float)
    if (rates[np.isfinite(rates)] < 0).any():
        raise ValueError("false_alarm_rate must be >= 0")
    detectors = [str(d) for d in pd.unique(curves["detector"])]
    unknown = sorted(set(parsed) - set(detectors))
    if unknown:
        raise ValueError(
            f"calibrated names detectors {unknown} that curves lacks; curves has {detectors}"
        )

    positive = rates[np.isfinite(rates) & (rates > 0)]
    low = min([target_rate, *positive.tolist()])
    floor = 10 ** (math.floor(math.log10(low)) - 1)  # where "no false alarm" is drawn
    ceiling = max([target_rate, *positive.tolist()]) * 3

    ncols = min(3, len(detectors))
    nrows = math.ceil(len(detectors) / ncols)
    fig = Figure(figsize=(4.3 * ncols + 0.8, 3.3 * nrows + 1.0), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False).ravel())
    for k, (ax, name) in enumerate(zip(axes, detectors, strict=False)):
        rows = curves[curves["detector"].astype(str) == name].sort_values("threshold")
        thr = rows["threshold"].to_numpy(dtype=float)
        rate = rows["false_alarm_rate"].to_numpy(dtype=float)
        color = _SERIES[k % len(_SERIES)]
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
        ax.axhline(target_rate, color="#333333", linestyle="--", linewidth=1, gid="target")
        if name in parsed:
            value, achieved, _ = parsed[name]
            at = achieved if achieved is not None else target_rate
            ax.axvline(value, color=color, linestyle=":", linewidth=1)
            ax.scatter(
                [value],
                [max(at, floor)],
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
                (value, max(at, floor)),
                xytext=(-8 if left else 8, 6),
                textcoords="offset points",
                ha="right" if left else "left",
                fontsize=8,
                gid="calibrated",
                bbox={"facecolor": "white", "alpha": 0.8, "linewidth": 0, "pad": 1},
            )
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
        ax.grid(color="#e5e5e5", linewidth=0.6, which="major")
        ert = ax.secondary_yaxis("right", functions=(_rate_to_ert, _rate_to_ert))
        ert.set_ylabel("expected run time (samples)", fontsize=8)
        ert.tick_params(labelsize=7)
        # the floor stands for "no false alarm": rate 0, an unbounded run time
        _label_tick(ax.yaxis, floor, "0")
        _label_tick(ert.yaxis, 1000.0 / floor, "∞")
    for ax in axes[len(detectors) :]:
        ax.set_visible(False)
    handles = [
        Line2D(
            [],
            [],
            color="#555555",
            marker="o",
            markersize=4,
            label="false-alarm rate on drift-free streams",
        ),
        Line2D(
            [],
            [],
            color="#333333",
            linestyle="--",
            label=f"target: {target_rate:g} per 1,000 (run time {1000 / target_rate:,.0f})",
        ),
        Line2D(
            [],
            [],
            linestyle="",
            marker="*",
            markersize=12,
            color="#555555",
            markeredgecolor="black",
            label="calibrated threshold",
        ),
    ]
    if (rates == 0).any():
        handles.append(
            Line2D(
                [],
                [],
                linestyle="",
                marker="o",
                markerfacecolor="white",
                color="#555555",
                label="no false alarm (bottom edge)",
            )
        )
    fig.legend(
        handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8, frameon=False
    )
    fig.suptitle(
        "calibration: each detector's threshold is set where its false-alarm rate on "
        "drift-free data meets the target,\nso all detectors alarm equally often without "
        "drift and their delays compare fairly (run time = 1000 / rate)",
        fontsize=9,
    )
    return _finish(fig, path)


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
