"""The timeline's x axis in dates, for a run over a replayed log (a trace with timestamps).

The panels draw on the sample index (rolling windows and version steps are counted in
samples); for a log with timestamps the shared axis is labelled with round dates
chosen by matplotlib's :class:`~matplotlib.dates.AutoDateLocator`, each tick at the
first sample at or after its date.

Examples
--------
>>> import numpy as np
>>> time = np.datetime64("2024-01-01T06:00") + np.arange(0, 90 * 24, 8).astype(
...     "timedelta64[h]")
>>> positions, labels = date_ticks(time)
>>> labels[:2], positions[:2].tolist()
(['2024-01-15', '2024-02-01'], [42, 93])
"""

from __future__ import annotations

from typing import Any

import matplotlib.dates as mdates
import numpy as np

from simulator.trace import Trace

__all__ = ["date_ticks", "draw_dates"]


def date_ticks(time: np.ndarray, *, max_ticks: int = 10) -> tuple[np.ndarray, list[str]]:
    """Sample positions and ``YYYY-MM-DD`` labels of round dates across ``time``.

    Examples
    --------
    >>> date_ticks(np.array(["2024-03-01T10:00"], dtype="datetime64[ns]"))
    (array([], dtype=int64), [])
    """
    stamps = np.asarray(time, dtype="datetime64[ns]")
    if stamps.size < 2 or stamps[0] == stamps[-1]:
        return np.empty(0, dtype=np.int64), []
    locator = mdates.AutoDateLocator(minticks=4, maxticks=max_ticks)
    first, last = (s.astype("datetime64[us]").item() for s in (stamps[0], stamps[-1]))
    days = locator.tick_values(first, last)
    dates = np.array([d.replace(tzinfo=None) for d in mdates.num2date(days)],
                     dtype="datetime64[ns]")
    dates = dates[(dates >= stamps[0]) & (dates <= stamps[-1])]
    positions = np.searchsorted(stamps, dates, side="left").astype(np.int64)
    labels = [str(d) for d in np.datetime_as_string(dates, unit="D")]
    return positions, labels


def draw_dates(ax: Any, trace: Trace) -> None:
    """Label ``ax``'s (shared) x axis with dates when ``trace`` has timestamps.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from simulator.trace import TraceBuilder
    >>> b = TraceBuilder()
    >>> b.add_batch(0, [0] * 60, None, 1, [0] * 60)
    >>> ax = Figure().subplots()
    >>> draw_dates(ax, b.build(time=np.datetime64("2024-01-30") + np.arange(60).astype(
    ...     "timedelta64[D]")))
    >>> [t.get_text() for t in ax.get_xticklabels()][:2], ax.get_xticks()[:2].tolist()
    (['2024-02-01', '2024-02-08'], [2, 9])
    """
    if trace.time is None:
        return
    positions, labels = date_ticks(trace.time)
    ax.set_xticks(positions, labels, fontsize=8)
    ax.set_xlabel("date (each tick at the first sample of that day; samples evenly spaced)")
