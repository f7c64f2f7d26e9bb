"""The timeline's top panel: served accuracy, the true drift events, deployments.

The served accuracy over a trailing window (solid), the oracle run's (dashed) when
given; the stream's true drift events shaded in their kind's colour; deployments and
rollbacks as vertical lines through every panel (:func:`draw_changes`).

Examples
--------
>>> from matplotlib.figure import Figure
>>> from simulator.trace import TraceBuilder
>>> b = TraceBuilder()
>>> b.add_batch(0, [0] * 200, None, 1, [1] * 200)
>>> ax = Figure().subplots()
>>> [h.get_label() for h in draw_accuracy(ax, b.build(), None, window=50)]
['this run']
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from experiments.plots._base import _OTHER_DRIFT, DRIFT_COLORS
from simulator.trace import Trace

__all__ = ["draw_accuracy", "draw_changes", "draw_drifts", "stream_events"]

_DEPLOY_COLOR = "#1a1a1a"
_ROLLBACK_COLOR = "#e6550d"


def stream_events(trace: Trace) -> list[Mapping[str, Any]]:
    """The true drift events recorded in ``trace.meta['stream_events']``, checked.

    Examples
    --------
    >>> from simulator.trace import TraceBuilder
    >>> stream_events(TraceBuilder().build(meta={"stream_events": [{"onset": 5}]}))
    [{'onset': 5}]
    """
    events = trace.meta.get("stream_events", ()) or ()
    out = []
    for i, e in enumerate(events):
        if not isinstance(e, Mapping) or "onset" not in e:
            raise ValueError(
                f"trace.meta['stream_events'][{i}] must be a dict with an 'onset', got {e!r}"
            )
        out.append(e)
    return out


def draw_accuracy(ax: Any, trace: Trace, oracle: Trace | None, *, window: int,
                  skyline: Any = None) -> list[Any]:
    """Rolling served accuracy of ``trace`` (and ``oracle``, and the ``skyline``
    averaged over the same window) on ``ax``; returns the legend handles."""
    n = trace.n_samples
    handles: list[Any] = []
    step = max(1, n // 6000)  # thin very long runs: the plot cannot show more points
    if n:
        acc = trace.rolling_accuracy(window)[::step]
        handles += ax.plot(np.arange(n)[::step], acc, color="black", linewidth=1.3,
                           label="this run", gid="accuracy", zorder=3)
    if oracle is not None and oracle.n_samples:
        acc = oracle.rolling_accuracy(window)[::step]
        handles += ax.plot(np.arange(oracle.n_samples)[::step], acc, color="#7f7f7f",
                           linestyle="--", linewidth=1.2, gid="oracle",
                           label="oracle policy (best timing, same data budget)")
    if skyline is not None and n:
        sky = np.convolve(np.asarray(skyline, dtype=float), np.ones(window), "full")[:n]
        sky /= np.minimum(np.arange(1, n + 1), window)  # trailing mean, as the run's
        handles += ax.plot(np.arange(n)[::step], sky[::step], color="#2ca02c", linewidth=1.2,
                           linestyle="-.", gid="skyline",
                           label="skyline (best model of this class for the data in force)")
    if not n:
        ax.text(0.5, 0.5, "empty trace", transform=ax.transAxes, ha="center", va="center")
    ax.set_ylim(0, 1.03)
    ax.set_ylabel(f"served accuracy\n(rolling {window})")
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    return handles


def _drift_label(event: Mapping[str, Any]) -> str:
    text = str(event.get("kind", "drift"))
    if event.get("is_return", False):
        text += " ↺ return"
    if not event.get("harmful", True):
        text += " (benign)"
    return text


def _shade(ax: Any, e: Mapping[str, Any], color: str) -> Any:
    harmful = bool(e.get("harmful", True))
    is_return = bool(e.get("is_return", False))
    onset, end = int(e["onset"]), int(e.get("end", e["onset"]))
    if end > onset:
        hatch = ".." if is_return else (None if harmful else "///")
        return ax.axvspan(onset, end, facecolor=color, alpha=0.28 if harmful else 0.12,
                          hatch=hatch, edgecolor=color, linewidth=0)
    style = ":" if is_return else ("-" if harmful else "--")
    return ax.axvline(onset, color=color, linewidth=2.4, linestyle=style,
                      alpha=0.8 if harmful else 0.45)


def draw_drifts(ax: Any, events: list[Mapping[str, Any]], n: int) -> list[Any]:
    """Shade each true drift event on ``ax`` (one artist per event, gid ``drift:i``),
    label it above the axes, and return the legend handles that explain the shading."""
    kinds: set[str] = set()
    # right end of the last label on each of three text rows above the axes, in data units
    row_ends = [-np.inf] * 3
    for i, e in enumerate(events):
        kind = str(e.get("kind", "drift"))
        kinds.add(kind)
        color = DRIFT_COLORS.get(kind, _OTHER_DRIFT)
        _shade(ax, e, color).set_gid(f"drift:{i}")
        onset = int(e["onset"])
        # put the label on the lowest text row where it does not overlap the previous one
        # (a 7-pt character is about 0.6 % of the 12-inch figure's axis width)
        label = _drift_label(e)
        width = (0.006 * len(label) + 0.01) * max(n, 1)
        level = next(
            (k for k, end_ in enumerate(row_ends) if end_ < onset), int(np.argmin(row_ends))
        )
        row_ends[level] = onset + width
        ax.text(onset, 1.0 + 0.07 * level, label, transform=ax.get_xaxis_transform(),
                fontsize=7, color=color, ha="left", va="bottom", clip_on=False,
                gid=f"drift-label:{i}")
    return _drift_handles(kinds, events)


def _drift_handles(kinds: set[str], events: list[Mapping[str, Any]]) -> list[Any]:
    handles: list[Any] = [
        Patch(facecolor=DRIFT_COLORS.get(kind, _OTHER_DRIFT), alpha=0.5,
              label=f"{kind} drift (true)")
        for kind in [k for k in DRIFT_COLORS if k in kinds] + sorted(kinds - set(DRIFT_COLORS))
    ]
    if any(not e.get("harmful", True) for e in events):
        handles.append(Patch(facecolor="#bbbbbb", alpha=0.4, hatch="///",
                             label="benign drift: lighter, hatched / dashed"))
    if any(e.get("is_return", False) for e in events):
        handles.append(Line2D([], [], color="#555555", linestyle=":", linewidth=2,
                              label="return of the old concept: dotted"))
    return handles


def draw_changes(axes: list[Any], trace: Trace) -> list[Any]:
    """Deployments and rollbacks as vertical lines on every one of ``axes``, labelled
    with their versions on the first; returns the legend handles."""
    deploys = trace.events_of("deploy")
    rollbacks = trace.events_of("rollback")
    for axis in axes:
        if deploys:
            axis.vlines([e.time for e in deploys], 0, 1, transform=axis.get_xaxis_transform(),
                        colors=_DEPLOY_COLOR, linewidths=1.0, alpha=0.75, gid="deploy")
        if rollbacks:
            axis.vlines([e.time for e in rollbacks], 0, 1, transform=axis.get_xaxis_transform(),
                        colors=_ROLLBACK_COLOR, linewidths=1.6, linestyles="-.", gid="rollback")
    ax = axes[0]
    box = {"facecolor": "white", "alpha": 0.7, "linewidth": 0, "pad": 0.5}
    label_every = max(1, math.ceil(len(deploys) / 30))  # keep a crowded axis readable
    for j, e in enumerate(deploys):
        if j % label_every == 0 and "version" in e.details:
            ax.text(e.time, 0.02, f" v{e.details['version']}", transform=ax.get_xaxis_transform(),
                    fontsize=7, ha="left", va="bottom", color=_DEPLOY_COLOR, bbox=box,
                    gid="deploy-label")
    for e in rollbacks:
        ax.text(e.time, 0.12, f" ↶v{e.details.get('version', '?')}",
                transform=ax.get_xaxis_transform(), fontsize=7, ha="left", va="bottom",
                color=_ROLLBACK_COLOR, gid="rollback-label", bbox=box)
    handles: list[Any] = []
    if deploys:
        handles.append(Line2D([], [], color=_DEPLOY_COLOR, linewidth=1,
                              label="deployment (vN: version deployed)"))
    if rollbacks:
        handles.append(Line2D([], [], color=_ROLLBACK_COLOR, linewidth=1.6, linestyle="-.",
                              label="rollback (↶vN: version restored)"))
    return handles
