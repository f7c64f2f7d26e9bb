"""A metric over two factors (detector × scenario) as an annotated heat map."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import LogNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from experiments.metrics.labels import HIGHER_IS_BETTER
from experiments.plots._base import _finish, _label, _require
from experiments.plots._style import KEY_COLOR, new_figure

__all__ = ["heatmap"]


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
    _require(summary, [row, col, value], "summary")
    higher_is_better = _direction(summary, value, higher_is_better)
    data, rows, cols = _value_grid(summary, value, row, col)
    cmap = colormaps["viridis" if higher_is_better else "viridis_r"]
    norm = _colour_norm(data)
    fig = new_figure(2.2 + 1.15 * len(cols), 1.4 + 0.5 * len(rows))
    ax = fig.subplots()
    image = ax.imshow(np.ma.masked_invalid(data), cmap=cmap, norm=norm, aspect="auto")
    for (i, j), v in np.ndenumerate(data):
        if np.isfinite(v):
            _value_cell(ax, i, j, fmt.format(v), cmap(norm(v)))
        else:
            _missing_cell(ax, i, j)
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


def _direction(summary: Any, value: str, higher_is_better: bool | None) -> bool:
    """Whether a higher ``value`` (a numeric column) is better: as given, else as listed."""
    import pandas as pd

    if not pd.api.types.is_numeric_dtype(summary[value]) or summary[value].dtype == bool:
        raise ValueError(
            f"value must name a numeric column, got {value!r} (dtype {summary[value].dtype})"
        )
    if higher_is_better is not None:
        return higher_is_better
    if value not in HIGHER_IS_BETTER:
        raise ValueError(
            f"is a higher {value!r} better or worse? pass higher_is_better=True or False "
            f"(known metrics: {sorted(HIGHER_IS_BETTER)})"
        )
    return HIGHER_IS_BETTER[value]


def _value_grid(summary: Any, value: str, row: str, col: str) -> tuple[np.ndarray, list, list]:
    """The rows × cols values (NaN where missing) and both labels in order of appearance."""
    import pandas as pd

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
    return grid.to_numpy(dtype=float), rows, cols


def _colour_norm(data: np.ndarray) -> Normalize:
    """Logarithmic colours where positive values span more than two decades, else linear."""
    finite = data[np.isfinite(data)]
    if finite.size and finite.min() > 0 and finite.max() / finite.min() > 100:
        return LogNorm(finite.min(), finite.max())
    if finite.size:
        lo, hi = float(finite.min()), float(finite.max())
        return Normalize(lo, hi if hi > lo else lo + 1.0)
    return Normalize(0.0, 1.0)


def _value_cell(ax: Any, i: int, j: int, text: str, rgba: tuple[float, ...]) -> None:
    """Write ``text`` in cell (``i``, ``j``), white on a dark colour ``rgba``, else black."""
    r, g, b, _ = rgba
    dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
    ax.text(
        j,
        i,
        text,
        ha="center",
        va="center",
        fontsize=8,
        color="white" if dark else "black",
        gid="cell",
    )


def _missing_cell(ax: Any, i: int, j: int) -> None:
    """Grey out cell (``i``, ``j``), hatched and labelled ``n/a``."""
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
        color=KEY_COLOR,
        gid="cell",
        bbox={"facecolor": "#dddddd", "linewidth": 0, "pad": 1},
    )
