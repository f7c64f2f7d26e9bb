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


