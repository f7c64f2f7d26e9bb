"""When a monitor checks, and on which samples: a cadence in samples or in time.

A window test (or an ``estimated:`` signal) checks every ``every`` and tests the last
``window``. Each may be a count of samples or, for a stream with timestamps (a
replayed log), a duration such as ``"1d"`` or ``"7d"`` (:mod:`simulator.timeaxis`):

* ``every=500``: a check at each sample ``t`` with ``(t + 1) % 500 == 0``;
  ``every="1d"``: a check at the last sample of each day, days counted from the first
  sample's time (a day with no sample has no check).
* ``window=500``: the check tests samples ``(t - 500, t]``; ``window="7d"``: the samples
  of the last 7 days before the check's clock, which is the end of the period for a
  time cadence (``[end - 7d, end)``) and sample ``t``'s timestamp for a count cadence
  (``(time[t] - 7d, time[t]]``).

A check runs only once its window is whole and lies after ``origin`` (the stream's
start, or for signals of the served model its deployment): a count window starts at
or after ``origin``, a duration window's clock start is not before ``origin``'s
timestamp; a duration window holding fewer than two samples is not tested.

Examples
--------
Samples every 6 hours over four days, a check each day on the last two: the first
day's window would start before the stream, and the fourth day is not over.

>>> daily = Cadence(every="1d", window="2d")
>>> times = np.datetime64("2024-01-01") + np.arange(0, 96, 6).astype("timedelta64[h]")
>>> t, lo = daily.bind(times, name="ks").checks(0, times.size)
>>> t.tolist(), lo.tolist()
([7, 11], [0, 4])
>>> Cadence(every=200, window=500).checks(0, 1000)[0].tolist()
[599, 799, 999]
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from simulator.timeaxis import count_or_duration, parse_duration, period_ends

__all__ = ["Cadence"]


class Cadence:
    """A monitor's check schedule (module docstring).

    Parameters
    ----------
    every
        Samples between checks (an int >= 1) or a duration such as ``"1d"``; default
        ``window``.
    window
        Samples per check (an int >= 2) or a duration such as ``"7d"``.

    Examples
    --------
    >>> Cadence(every="1d", window=500).timed
    True
    >>> Cadence(every="-1d", window=500)
    Traceback (most recent call last):
    ...
    ValueError: every must be a count of samples (an int >= 1) or a positive duration ...
    """

    def __init__(self, every: int | str | None, window: int | str) -> None:
        self.window = count_or_duration("window", window, low=2)
        self.every = count_or_duration("every", self.window if every is None else every, low=1)
        self._time: np.ndarray | None = None
        self._t = self._clock = np.empty(0, dtype=np.int64)

    @property
    def timed(self) -> bool:
        """Whether ``every`` or ``window`` is a duration (the stream needs timestamps)."""
        return isinstance(self.every, str) or isinstance(self.window, str)

    def __repr__(self) -> str:
        return f"Cadence(every={self.every!r}, window={self.window!r})"

    def __deepcopy__(self, memo: dict[int, Any]) -> Cadence:
        # The loop snapshots its monitors before every segment; a bound cadence holds
        # the log's timestamps, which bind() replaces but nothing writes (they are
        # read-only), so a copy shares them instead of copying a long log each time.
        clone = copy.copy(self)
        memo[id(self)] = clone
        return clone

    def bind(self, time: np.ndarray | None, *, name: str = "monitor") -> Cadence:
        """The stream's timestamps (None: it has none); returns ``self``.

        Raises
        ------
        ValueError
            A duration on a stream without timestamps, or one longer than the stream.

        Examples
        --------
        >>> Cadence(every="1d", window=500).bind(None, name="ks")
        Traceback (most recent call last):
        ...
        ValueError: monitor 'ks' has every='1d', a duration, but the stream has no ...
        """
        if not self.timed:
            self._time = None
            return self
        for what in ("every", "window"):
            value = getattr(self, what)
            if isinstance(value, str) and time is None:
                raise ValueError(
                    f"monitor {name!r} has {what}={value!r}, a duration, but the stream has "
                    "no timestamps; replay a log loaded with time=<column>, or give a count "
                    "of samples"
                )
        stamps = np.asarray(time, dtype="datetime64[ns]").view()
        stamps.flags.writeable = False
        self._check_span(stamps, name)
        self._time = stamps
        if isinstance(self.every, str):
            ends = period_ends(stamps, parse_duration(self.every))
            last = np.searchsorted(stamps, ends, side="left") - 1
            # a period with no sample repeats the one before: no new data, no new check
            self._t, first = np.unique(last, return_index=True)
            self._clock = ends[first]
            self._t.flags.writeable = self._clock.flags.writeable = False
        return self

    def _check_span(self, stamps: np.ndarray, name: str) -> None:
        span = stamps[-1] - stamps[0] if stamps.size else np.timedelta64(0, "s")
        for what in ("every", "window"):
            value = getattr(self, what)
            if isinstance(value, str) and parse_duration(value) > span:
                days = span / np.timedelta64(1, "D")
                raise ValueError(
                    f"monitor {name!r} has {what}={value!r}, but the stream spans only "
                    f"{days:.1f} days; it must fit in the stream, or the monitor never tests"
                )

    def checks(self, start: int, stop: int, origin: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """The checks in ``[start, stop)`` whose window is whole and after ``origin``:
        ``(t, lo)``, each testing samples ``lo .. t``.

        Examples
        --------
        >>> t, lo = Cadence(every=100, window=300).checks(250, 700, origin=150)
        >>> t.tolist(), lo.tolist()
        ([499, 599, 699], [200, 300, 400])
        """
        if isinstance(self.every, str):
            i, j = np.searchsorted(self._t, [start, stop], side="left")
            t, clock = self._t[i:j], self._clock[i:j]
        else:
            first = start + (-(start + 1)) % self.every
            t = np.arange(first, stop, self.every, dtype=np.int64)
            clock = None
        if isinstance(self.window, str):
            return self._duration_windows(t, clock, origin)
        lo = t + 1 - self.window
        keep = lo >= origin
        return t[keep], lo[keep]

    def _duration_windows(
        self, t: np.ndarray, clock: Any, origin: int
    ) -> tuple[np.ndarray, np.ndarray]:
        assert self._time is not None  # bound: checked in bind
        duration = parse_duration(self.window)
        if clock is None:  # a count cadence: the window ends at sample t, inclusive
            since = self._time[t] - duration
            lo = np.searchsorted(self._time, since, side="right").astype(np.int64)
        else:  # a time cadence: the window ends at the period's end, exclusive
            since = clock - duration
            lo = np.searchsorted(self._time, since, side="left").astype(np.int64)
        keep = (lo >= origin) & (since >= self._time[origin]) & (t + 1 - lo >= 2)
        return t[keep], lo[keep]
