"""One run's timeline: three panels on a shared time axis.

The panels live in their own modules: :mod:`~experiments.plots.timeline_accuracy`
(served accuracy, true drift, deployments), :mod:`~experiments.plots.timeline_events`
(alerts per monitor, retraining, gate) and :mod:`~experiments.plots.timeline_versions`
(the serving model version); this module lays them out.
"""

from __future__ import annotations

import os
from typing import Any

from matplotlib.figure import Figure

from driftsim.validation import check_int
from experiments.plots._base import _finish
from experiments.plots.timeline_accuracy import (
    draw_accuracy,
    draw_changes,
    draw_drifts,
    stream_events,
)
from experiments.plots.timeline_dates import draw_dates
from experiments.plots.timeline_events import draw_events, event_rows
from experiments.plots.timeline_versions import draw_versions
from simulator.trace import Trace

__all__ = ["timeline"]


def timeline(
    trace: Trace,
    *,
    oracle: Trace | None = None,
    path: str | os.PathLike[str] | None = None,
    title: str | None = None,
    window: int = 100,
    skyline: Any = None,
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

    The axis is the sample index; for a trace with timestamps (a replayed log) it is
    labelled with dates (:mod:`~experiments.plots.timeline_dates`).

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
    skyline
        The skyline's expected accuracy per sample (:func:`simulator.skyline.skyline`),
        drawn averaged over the same window, or ``None``.

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
    window = _checked_window(trace, oracle, window)
    events = stream_events(trace)
    fig, (ax, ax_ev, ax_ver) = _panels(trace)
    handles: list[Any] = draw_accuracy(ax, trace, oracle, window=window, skyline=skyline)
    handles += draw_drifts(ax, events, trace.n_samples)
    handles += draw_changes([ax, ax_ev, ax_ver], trace)
    handles += draw_events(ax_ev, trace)
    draw_versions(ax_ver, trace)
    draw_dates(ax_ver, trace)  # a replayed log: the shared axis in the log's dates
    fig.suptitle(_default_title(trace) if title is None else title, fontsize=11)
    fig.legend(handles=handles, loc="outside right upper", fontsize=8, frameon=False)
    return _finish(fig, path)


def _checked_window(trace: Any, oracle: Any, window: Any) -> int:
    """Refuse a trace or oracle that is not a :class:`Trace`; return ``window`` checked."""
    if not isinstance(trace, Trace):
        raise ValueError(f"trace must be a simulator.trace.Trace, got {type(trace).__name__}")
    if oracle is not None and not isinstance(oracle, Trace):
        raise ValueError(f"oracle must be a Trace or None, got {type(oracle).__name__}")
    return check_int("window", window, low=1)


def _panels(trace: Trace) -> tuple[Figure, Any]:
    """The figure and its accuracy, events and version axes; the events strip grows per row."""
    strip_height = 0.35 * max(len(event_rows(trace)), 1) + 0.3
    fig = Figure(figsize=(12, 4.6 + strip_height), layout="constrained")
    axes = fig.subplots(3, 1, sharex=True, height_ratios=[3.6, strip_height, 0.8])
    return fig, axes


def _default_title(trace: Trace) -> str:
    """``run timeline``, naming the policy in ``trace.meta`` when there is one."""
    policy = trace.meta.get("policy")
    return f"run timeline — policy {policy}" if policy else "run timeline"
