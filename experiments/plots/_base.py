"""What every figure shares: colours, markers, atomic saving and small axis helpers.

Figures are built on :class:`matplotlib.figure.Figure` directly, never through
``pyplot``, so parallel sweep jobs cannot disturb one another's global state.

Examples
--------
>>> sorted(DRIFT_COLORS)
['concept', 'covariate', 'pipeline', 'prediction', 'prior']
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from experiments.files import atomic_write
from experiments.metrics.labels import metric_label

__all__ = ["DRIFT_COLORS", "save_figure"]


#: Colour of each drift kind, in every figure.
DRIFT_COLORS: dict[str, str] = {
    "covariate": "#4C72B0",
    "concept": "#C44E52",
    "prior": "#55A868",
    "prediction": "#8172B2",
    "pipeline": "#CCB974",
}
_OTHER_DRIFT = "#7f7f7f"

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

_label = metric_label


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


def _log_scale(ax: Any, axis: str, values: np.ndarray) -> None:
    """A logarithmic ``axis`` whenever it has positive values, symlog when zeros occur
    too (linear below the smallest positive decade, so 0 sits just under it): the
    trade-off chart's two axes always read the same way."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    positive = values[values > 0]
    if positive.size == 0 or (values < 0).any():
        return
    setter = ax.set_xscale if axis == "x" else ax.set_yscale
    if (values == 0).any():
        setter("symlog", linthresh=10 ** math.floor(math.log10(positive.min())), linscale=0.5)
    else:
        setter("log")


def _declutter(fig: Figure, texts: list[Any], step: float = 9.0, tries: int = 8) -> None:
    """Move offset-point annotations up or down until none overlaps an earlier one."""
    if len(texts) < 2:
        return
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if hasattr(fig.canvas, "get_renderer") else FigureCanvasAgg(fig)
    fig.draw_without_rendering()  # settle the constrained layout first
    renderer = canvas.get_renderer()
    placed: list[Any] = []
    for text in texts:
        dx, dy = text.xyann
        for k in range(tries):
            box = text.get_window_extent(renderer).expanded(1.02, 1.1)
            if not any(box.overlaps(other) for other in placed):
                break
            # alternate above and below the point, further each time
            shift = step * (k // 2 + 1) * (1 if k % 2 == 0 else -1)
            text.xyann = (dx, dy + shift)
        placed.append(text.get_window_extent(renderer))


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


def _ci(frame: Any, column: str) -> np.ndarray | None:
    """Error-bar lengths (2 × n: below, above) of ``column`` from its interval columns:
    ``<column>_lo`` / ``<column>_hi`` (bounds), else ``<column>_ci`` (a half-width).
    Every metric drawn with error bars is >= 0, so no bar reaches below zero."""
    values = frame[column].to_numpy(dtype=float)
    if f"{column}_lo" in frame.columns and f"{column}_hi" in frame.columns:
        below = values - frame[f"{column}_lo"].to_numpy(dtype=float)
        above = frame[f"{column}_hi"].to_numpy(dtype=float) - values
    elif f"{column}_ci" in frame.columns:
        below = above = frame[f"{column}_ci"].to_numpy(dtype=float)
    else:
        return None
    floor = np.clip(np.nan_to_num(values), 0, None)  # a bar reaches down to zero at most
    below = np.minimum(np.clip(np.nan_to_num(below), 0, None), floor)
    return np.vstack([below, np.clip(np.nan_to_num(above), 0, None)])


def _number(value: float) -> str:
    """A short label for a value: thousands separated, three significant digits below."""
    if not np.isfinite(value):
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"
