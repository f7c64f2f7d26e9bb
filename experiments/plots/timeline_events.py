"""The timeline's middle panel: alerts per monitor, retraining jobs, gate decisions.

One row per monitor with its alerts (markers) and warnings (small light dots below
them); a ``retraining`` row with retrain starts, failures and skips and the shadow and
A/B trials as bars; a ``gate / approval`` row with the rejected candidates.

Examples
--------
>>> from simulator.trace import TraceBuilder
>>> b = TraceBuilder()
>>> b.add_batch(0, [0] * 10, None, 1, [1] * 10)
>>> _ = b.log(3, "alert", monitor="ddm"), b.log(4, "retrain_start")
>>> event_rows(b.build(meta={"monitors": ["ddm", "adwin"]}))
['ddm', 'adwin', 'retraining']
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.lines import Line2D

from experiments.plots._base import _MARKERS, _SERIES
from simulator.trace import Trace

__all__ = ["draw_events", "event_rows", "monitor_rows"]

_GATE_ROW = "gate / approval"
_JOB_MARKS: dict[str, dict[str, Any]] = {
    "retrain_start": {"marker": ">", "color": "#333333", "label": "retrain started",
                      "row": "retraining"},
    "retrain_failed": {"marker": "X", "color": "#b30000", "label": "retrain failed",
                       "row": "retraining"},
    "retrain_skipped": {"marker": "|", "color": "#999999", "label": "retrain skipped",
                        "row": "retraining"},
    "gate_fail": {"marker": "x", "color": "#e6550d", "label": "gate rejected the candidate",
                  "row": _GATE_ROW},
    "rejection": {"marker": "s", "color": "#e6550d", "label": "approver rejected a deploy",
                  "row": _GATE_ROW},
}
_LINE_MARKERS = ("x", "|", "+", "_")
_TRIAL_COLORS = {"shadow": "#9ecae1", "ab": "#fdae6b"}


def _monitor_of(event: Any) -> str:
    d = event.details
    return str(d.get("monitor") or d.get("detector") or "alerts")


def monitor_rows(trace: Trace) -> list[str]:
    """Monitor names: those the run declared, then any others that raised alerts."""
    names = [str(m) for m in trace.meta.get("monitors", ()) or () if isinstance(m, str)]
    for e in trace.events:
        if e.type in ("alert", "warning"):
            name = _monitor_of(e)
            if name not in names:
                names.append(name)
    return names


def _trials(trace: Trace) -> list[Any]:
    return [e for e in trace.events if e.type in ("shadow_start", "ab_start")]


def event_rows(trace: Trace) -> list[str]:
    """The rows of the panel, top to bottom: monitors, then retraining and gate rows."""
    job_types = [t for t in _JOB_MARKS if trace.events_of(t)]
    has_jobs = any(_JOB_MARKS[t]["row"] == "retraining" for t in job_types) or _trials(trace)
    has_gate = any(_JOB_MARKS[t]["row"] == _GATE_ROW for t in job_types)
    return [*monitor_rows(trace), *(["retraining"] if has_jobs else []),
            *([_GATE_ROW] if has_gate else [])]


def _draw_monitor(ax: Any, trace: Trace, i: int, name: str) -> Any | None:
    """Draw one monitor's row; its legend entry, or None when it never alerted (the
    row's label still names it: no legend entry for what did not happen)."""
    color = _SERIES[(i + 1) % len(_SERIES)]
    marker = _MARKERS[i % len(_MARKERS)] if i else "v"
    alerts = [e.time for e in trace.events_of("alert") if _monitor_of(e) == name]
    warnings = [e.time for e in trace.events_of("warning") if _monitor_of(e) == name]
    if warnings:
        ax.scatter(warnings, np.full(len(warnings), i + 0.22), s=12, marker="o", color=color,
                   alpha=0.35, linewidths=0, gid=f"warnings:{name}")
    if alerts:
        ax.scatter(alerts, np.full(len(alerts), i), s=36, marker=marker, color=color,
                   edgecolors="black", linewidths=0.4, gid=f"alerts:{name}", zorder=3)
    if not alerts:
        return None
    return Line2D([], [], linestyle="", marker=marker, color=color, markeredgecolor="black",
                  markeredgewidth=0.4, label=f"alert: {name} ({len(alerts)})")


def _draw_jobs(ax: Any, trace: Trace, row_of: dict[str, int]) -> list[Any]:
    handles: list[Any] = []
    for t in (t for t in _JOB_MARKS if trace.events_of(t)):
        spec = _JOB_MARKS[t]
        times = [e.time for e in trace.events_of(t)]
        hollow = t == "rejection"
        if spec["marker"] in _LINE_MARKERS:  # line markers have no face to fill
            colors: dict[str, Any] = {"color": spec["color"]}
        else:
            colors = {"facecolors": "none" if hollow else spec["color"],
                      "edgecolors": spec["color"]}
        size = 80 if spec["marker"] in _LINE_MARKERS else 40  # thin marks need more room
        ax.scatter(times, np.full(len(times), row_of[spec["row"]]), s=size,
                   marker=spec["marker"], linewidths=1.2, gid=t, zorder=3, **colors)
        handles.append(Line2D([], [], linestyle="", marker=spec["marker"], color=spec["color"],
                              markerfacecolor="none" if hollow else spec["color"],
                              label=f"{spec['label']} ({len(times)})"))
    trials = _trials(trace)
    for e in trials:
        mode = e.type.removesuffix("_start")
        y = row_of["retraining"] - 0.25
        ax.plot([e.time, e.details.get("until", e.time)], [y, y], linewidth=3,
                color=_TRIAL_COLORS[mode], solid_capstyle="butt", gid=f"trial:{mode}")
    for mode, color in _TRIAL_COLORS.items():
        if any(e.type == f"{mode}_start" for e in trials):
            handles.append(Line2D([], [], color=color, linewidth=3,
                                  label=f"{'shadow' if mode == 'shadow' else 'A/B'} trial"))
    return handles


def draw_events(ax: Any, trace: Trace) -> list[Any]:
    """Draw the panel of :func:`event_rows` on ``ax``; return the legend handles."""
    rows = event_rows(trace)
    monitors = monitor_rows(trace)
    drawn = [_draw_monitor(ax, trace, i, name) for i, name in enumerate(monitors)]
    handles = [h for h in drawn if h is not None]
    if trace.events_of("warning"):
        handles.append(Line2D([], [], linestyle="", marker="o", markersize=4, color="#555555",
                              alpha=0.35, label="warning (small, light, below its alerts)"))
    handles += _draw_jobs(ax, trace, {name: i for i, name in enumerate(rows)})
    ax.set_yticks(range(len(rows)), labels=rows, fontsize=8)
    ax.set_ylim(len(rows) - 0.5, -0.6)  # first monitor on top
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="y", color="#eeeeee", linewidth=0.6)
    if not rows:
        ax.text(0.5, 0.5, "no monitors", transform=ax.transAxes, ha="center", va="center",
                fontsize=8, color="#777777")
    return handles
