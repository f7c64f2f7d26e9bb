"""How every figure is framed: its canvas, faint grid, figure legend and legend-only keys.

The figures of :mod:`experiments.plots` share one look; these helpers hold it, so a
change of grid colour or legend font is made once.

Examples
--------
>>> fig = new_figure(4, 3)
>>> ax = fig.subplots()
>>> light_grid(ax)
>>> legend = outside_legend(fig, [legend_key("note", linestyle="")])
>>> fig.get_layout_engine() is not None, [t.get_text() for t in legend.get_texts()]
(True, ['note'])
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D

#: Colour of the faint grid lines behind the data.
GRID_COLOR = "#e5e5e5"
#: Neutral grey of legend keys that stand for a kind of mark, not one series.
KEY_COLOR = "#555555"


def new_figure(width: float, height: float) -> Figure:
    """A ``width`` × ``height`` inch figure with constrained layout, built without pyplot."""
    return Figure(figsize=(width, height), layout="constrained")


def light_grid(ax: Any, **kwargs: Any) -> None:
    """The faint grid behind the data; ``kwargs`` (``axis``, ``which``) go to ``ax.grid``."""
    ax.grid(color=GRID_COLOR, linewidth=0.6, **kwargs)


def legend_key(label: str, **style: Any) -> Line2D:
    """A legend entry with no data: a key for a kind of mark, or a note (``linestyle=""``)."""
    return Line2D([], [], label=label, **style)


def outside_legend(
    fig: Figure, handles: list[Any] | None = None, *, loc: str = "outside right upper",
    **kwargs: Any,
) -> Legend:
    """The figure's legend outside the axes (right by default), small and unframed."""
    if handles is not None:
        kwargs["handles"] = handles
    return fig.legend(loc=loc, fontsize=8, frameon=False, **kwargs)
