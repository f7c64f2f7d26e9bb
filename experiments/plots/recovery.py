"""Recovery after drift: rolling accuracy per policy around the onsets."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from experiments.plots._base import _SERIES, _finish
from experiments.plots._style import light_grid, new_figure, outside_legend

__all__ = ["recovery_curves"]


def _is_oracle(name: str) -> bool:
    """Whether policy ``name`` is the oracle (its name starts with ``oracle``, any case)."""
    return name.strip().lower().startswith("oracle")


def recovery_curves(
    curves: Mapping[str, tuple[Any, Any]],
    *,
    onset: int | float | Sequence[int | float] | None = None,
    path: str | os.PathLike[str] | None = None,
    note: str | None = None,
) -> Figure:
    """Rolling accuracy after a drift, one curve per policy; the oracle drawn dashed black.

    Parameters
    ----------
    curves
        Policy name → ``(times, rolling accuracy)`` arrays of equal length. A name
        starting with ``oracle`` (any case) is the oracle.
    onset
        The drift onset(s) to mark, every one of them, or ``None``.
    note
        What the curves average over (window, seeds), stated in the title.
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
    fig = new_figure(9, 4.8)
    ax = fig.subplots()
    # the oracle last, so it is drawn on top of the others
    names = sorted(curves, key=_is_oracle)
    k = 0
    for name in names:
        times, acc = _curve_arrays(curves, name)
        if _is_oracle(name):
            ax.plot(times, acc, color="black", linestyle="--", linewidth=2.0, label=name, zorder=4)
        else:
            ax.plot(times, acc, color=_SERIES[k % len(_SERIES)], linewidth=1.4, label=name)
            k += 1
    if onset is not None:
        _mark_onsets(ax, onset)
    ax.set_ylim(0, 1.03)
    ax.set_xlabel("time (samples)")
    ax.set_ylabel("served accuracy (rolling)")
    ax.set_title("recovery after drift, per policy" + (f"\n({note})" if note else ""),
                 fontsize=10)
    light_grid(ax)
    outside_legend(fig)
    return _finish(fig, path)


def _curve_arrays(curves: Mapping[str, Any], name: str) -> tuple[np.ndarray, np.ndarray]:
    """``curves[name]`` as two 1-d float arrays of equal length, checked."""
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
    return times, acc


def _mark_onsets(ax: Any, onset: int | float | Sequence[int | float]) -> None:
    """A dotted red line at every drift onset, one legend entry for all."""
    onsets = np.atleast_1d(np.asarray(onset, dtype=float))
    for j, t in enumerate(onsets):
        ax.axvline(
            t,
            color="#C44E52",
            linestyle=":",
            linewidth=1.5,
            label="drift onset" if j == 0 else "_nolegend_",
        )
