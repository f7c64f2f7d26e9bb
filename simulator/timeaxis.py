"""Durations on a stream's time axis: ``"30d"``, ``"12h"``, ``"2w"``.

A replayed log (:class:`~simulator.stream.DriftStream` over a dataset loaded with a
``time`` column) carries a timestamp per sample, so windows can be written in time as
well as in samples: ``RetrainConfig(window="30d")`` trains on the labelled samples of
the last 30 days.

Examples
--------
>>> parse_duration("30d")
np.timedelta64(2592000,'s')
>>> parse_duration(500) is None
True
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from driftsim.validation import check_int

__all__ = [
    "UNITS",
    "count_or_duration",
    "is_duration",
    "iso",
    "parse_duration",
    "period_ends",
    "stamp_alerts",
    "window_start",
]

UNITS: dict[str, int] = {"s": 1, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|min|h|d|w)\s*$")


def is_duration(value: Any) -> bool:
    """True for a duration string such as ``"30d"``.

    Examples
    --------
    >>> is_duration("1d"), is_duration(30), is_duration("30")
    (True, False, False)
    """
    return isinstance(value, str) and _PATTERN.match(value) is not None


def parse_duration(value: Any) -> np.timedelta64 | None:
    """A duration string as a ``numpy.timedelta64`` (seconds); None for a sample count.

    Raises
    ------
    ValueError
        A string that is not ``<number><unit>`` with unit s, min, h, d or w, or a
        duration that is not positive.

    Examples
    --------
    >>> parse_duration("1.5h")
    np.timedelta64(5400,'s')
    >>> parse_duration("30 days")
    Traceback (most recent call last):
    ...
    ValueError: a duration must be a number and a unit (s, min, h, d, w), e.g. '30d'; got '30 days'
    """
    if not isinstance(value, str):
        return None
    match = _PATTERN.match(value)
    if match is None:
        raise ValueError(
            f"a duration must be a number and a unit ({', '.join(UNITS)}), e.g. '30d'; "
            f"got {value!r}"
        )
    seconds = float(match.group(1)) * UNITS[match.group(2)]
    if seconds <= 0:
        raise ValueError(f"a duration must be positive, got {value!r}")
    return np.timedelta64(round(seconds), "s")


def window_start(times: np.ndarray, t: int, duration: np.timedelta64) -> int:
    """The first sample index whose timestamp is within ``duration`` before sample
    ``t``'s (``times`` sorted, one per sample).

    Examples
    --------
    >>> times = np.array(["2024-01-01", "2024-01-10", "2024-01-20", "2024-02-05"],
    ...                  dtype="datetime64[ns]")
    >>> window_start(times, 3, parse_duration("30d"))
    1
    """
    return int(np.searchsorted(times, times[t] - duration, side="right"))


def count_or_duration(name: str, value: Any, *, low: int = 1) -> int | str:
    """``value`` checked as a count of samples (an int >= ``low``) or a duration string.

    Raises
    ------
    ValueError
        Naming ``name``, the value and both allowed forms.

    Examples
    --------
    >>> count_or_duration("every", "1d"), count_or_duration("every", 200)
    ('1d', 200)
    >>> count_or_duration("window", "0d", low=2)
    Traceback (most recent call last):
    ...
    ValueError: window must be a count of samples (an int >= 2) or a positive ... got '0d'
    """
    if isinstance(value, str):
        try:
            parse_duration(value)
        except ValueError:
            raise ValueError(
                f"{name} must be a count of samples (an int >= {low}) or a positive duration "
                f"such as '7d' (units {', '.join(UNITS)}); got {value!r}"
            ) from None
        return value
    return check_int(name, value, low=low)


def period_ends(times: np.ndarray, period: np.timedelta64) -> np.ndarray:
    """The ends of the whole periods within ``times`` (sorted), counted from its first
    timestamp: ``times[0] + k * period`` for ``k = 1, 2, ...`` up to ``times[-1]``.

    The first sample of period ``k + 1`` is ``searchsorted(times, ends[k], "left")``;
    the last sample of period ``k`` the one before it.

    Examples
    --------
    >>> times = np.arange("2024-01-01", "2024-01-20", dtype="datetime64[D]")
    >>> period_ends(times, parse_duration("7d")).astype("datetime64[D]").tolist()
    [datetime.date(2024, 1, 8), datetime.date(2024, 1, 15)]
    """
    stamps = np.asarray(times, dtype="datetime64[ns]")
    if stamps.size == 0:
        return stamps
    count = (stamps[-1] - stamps[0]) // period
    return stamps[0] + period * np.arange(1, int(count) + 1)


def iso(stamp: Any) -> str:
    """A timestamp as ISO 8601 text to the second, as results and alerts write it.

    Examples
    --------
    >>> iso(np.datetime64("2024-03-02T01:10:33.250"))
    '2024-03-02T01:10:33'
    """
    return str(np.datetime_as_string(np.datetime64(stamp, "ns"), unit="s"))


def stamp_alerts(alerts: Sequence[Any], time: np.ndarray | None) -> list[Any]:
    """The alerts, each with its sample's timestamp in ``details["timestamp"]`` (ISO
    8601) when the stream has a time axis (``time``); unchanged when ``time`` is None.

    Examples
    --------
    >>> from simulator.alerts import Alert
    >>> times = np.array(["2024-03-01T09:00", "2024-03-01T10:00"], dtype="datetime64[ns]")
    >>> stamp_alerts([Alert(1, "ks", "KS", "features", 0.3, 1.0)], times)[0].details
    mappingproxy({'timestamp': '2024-03-01T10:00:00'})
    """
    if time is None:
        return list(alerts)
    return [dataclasses.replace(a, details={**a.details, "timestamp": iso(time[a.time])})
            for a in alerts]
