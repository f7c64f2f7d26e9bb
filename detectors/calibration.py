"""Calibrate a detector's threshold to a target false-alarm rate on drift-free streams.

Default thresholds make detectors incomparable: one method's default may alarm ten
times as often as another's. Comparing detection delays is only fair at equal
false-alarm rates, as alibi-detect does with its expected run time. :func:`calibrate`
finds the value of one threshold parameter that gives a target number of false alarms
per 1,000 samples on streams known to be drift-free.

The false-alarm rate of a detector is monotone in its threshold parameter (a larger
Page-Hinkley ``threshold`` alarms less; a larger ADWIN ``delta`` alarms more), so the
search is a bisection in that parameter, on a log scale by default. The direction is
found from the two bounds. Because alarm counts are integers the achievable rates
are a step function: the result is the most sensitive value whose rate does not
exceed the target (within ``rtol``), and ``achieved_rate`` says what it gives.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from driftsim.validation import check_finite_array, check_in_range, check_int

__all__ = ["Calibration", "calibrate", "null_alarm_rate"]


@dataclass(frozen=True)
class Calibration:
    """Result of :func:`calibrate`.

    Attributes
    ----------
    param
        The name of the calibrated parameter.
    value
        The chosen value.
    achieved_rate
        False alarms per 1,000 samples that ``value`` gives on the calibration streams.
    target_rate
        The requested rate.
    n_samples
        Total samples in the calibration streams.
    iterations
        Detector evaluations the search used.

    Examples
    --------
    >>> Calibration("threshold", 20.0, 0.4, 0.5, 10_000, 12).achieved_rate <= 0.5
    True
    """

    param: str
    value: float
    achieved_rate: float
    target_rate: float
    n_samples: int
    iterations: int


def null_alarm_rate(make_detector: Callable[[], Any], null_streams: Sequence[np.ndarray]) -> float:
    """Alarms per 1,000 samples of a fresh detector on each drift-free stream.

    Every alarm on a drift-free stream is false by construction. (Not to be confused
    with :func:`experiments.metrics.false_alarm_rate`, which scores one run's alarms
    against its stream's ground truth.)

    Examples
    --------
    >>> import numpy as np
    >>> from detectors.baselines import PeriodicAlarm
    >>> streams = [np.zeros(1000), np.zeros(1000)]
    >>> null_alarm_rate(lambda: PeriodicAlarm(every=100), streams)
    10.0
    """
    alarms = 0
    total = 0
    for stream in null_streams:
        alarms += len(make_detector().update_many(stream))
        total += len(stream)
    if total == 0:
        raise ValueError("null_streams is empty; give at least one non-empty drift-free stream")
    return 1000.0 * alarms / total


def calibrate(
    make_detector: Callable[..., Any],
    null_streams: Sequence[np.ndarray],
    target_false_alarm_rate: float,
    param: str,
    *,
    bounds: tuple[float, float],
    log_scale: bool = True,
    rtol: float = 0.0,
    max_iter: int = 40,
) -> Calibration:
    """Find the value of ``param`` giving ``target_false_alarm_rate`` on drift-free streams.

    Parameters
    ----------
    make_detector
        Called as ``make_detector(**{param: value})``; returns a fresh detector with
        ``update_many``. A detector class, or ``detector.clone``, both work.
    null_streams
        Drift-free streams (1-d arrays) of the signal the detector will watch.
    target_false_alarm_rate
        False alarms per 1,000 samples, > 0.
    param
        The threshold parameter to search.
    bounds
        ``(low, high)`` search range for the parameter; the target must lie between
        the rates at the two ends.
    log_scale
        Bisect on the logarithm of the parameter (needs ``low > 0``).
    rtol
        Accept a rate up to ``target * (1 + rtol)``.
    max_iter
        Bisection steps.

    Returns
    -------
    Calibration

    Examples
    --------
    >>> import numpy as np
    >>> from detectors.page_hinkley import PageHinkley
    >>> rng = np.random.default_rng(0)
    >>> streams = [rng.normal(size=5_000) for _ in range(4)]
    >>> cal = calibrate(PageHinkley, streams, 0.5, "threshold", bounds=(1.0, 200.0))
    >>> cal.param, cal.achieved_rate <= 0.5
    ('threshold', True)
    """
    streams, low, high = _checked_args(
        null_streams, target_false_alarm_rate, bounds, log_scale, rtol, max_iter
    )
    iterations = 0

    def rate_at(value: float) -> float:
        nonlocal iterations
        iterations += 1
        return null_alarm_rate(lambda: make_detector(**{param: value}), streams)

    accept = target_false_alarm_rate * (1.0 + rtol)
    rate_low, rate_high = rate_at(low), rate_at(high)
    if rate_low <= accept and rate_high <= accept:
        # Both ends are quiet enough: the more sensitive end is the answer.
        value, rate = (low, rate_low) if rate_low >= rate_high else (high, rate_high)
        return Calibration(param, value, rate, target_false_alarm_rate, _total(streams), iterations)
    if rate_low > accept and rate_high > accept:
        raise ValueError(
            f"no value of {param} in bounds {bounds!r} reaches {target_false_alarm_rate} false "
            f"alarms per 1,000 samples (rates at the bounds: {rate_low:.4g}, {rate_high:.4g}); "
            "widen the bounds"
        )
    # ``quiet`` meets the target, ``loud`` does not; move them together.
    quiet, loud = (low, high) if rate_low <= accept else (high, low)
    quiet, quiet_rate = _bisect(
        rate_at, (quiet, min(rate_low, rate_high)), loud, accept, log_scale, max_iter
    )
    return Calibration(
        param, quiet, quiet_rate, target_false_alarm_rate, _total(streams), iterations
    )


def _checked_args(
    null_streams: Sequence[np.ndarray],
    target_false_alarm_rate: float,
    bounds: tuple[float, float],
    log_scale: bool,
    rtol: float,
    max_iter: int,
) -> tuple[list[np.ndarray], float, float]:
    """Check :func:`calibrate`'s arguments; return the streams and ``(low, high)``."""
    check_in_range(
        "target_false_alarm_rate", target_false_alarm_rate, low=0.0, low_inclusive=False
    )
    check_int("max_iter", max_iter, low=1)
    check_in_range("rtol", rtol, low=0.0)
    streams = [check_finite_array("null_streams[i]", s, ndim=1) for s in null_streams]
    if not streams or sum(len(s) for s in streams) == 0:
        raise ValueError("null_streams is empty; give at least one non-empty drift-free stream")
    low, high = float(bounds[0]), float(bounds[1])
    if not low < high:
        raise ValueError(f"bounds must be (low, high) with low < high, got {bounds!r}")
    if log_scale and low <= 0:
        raise ValueError(f"log_scale needs bounds > 0, got {bounds!r}; pass log_scale=False")
    return streams, low, high


def _bisect(
    rate_at: Callable[[float], float],
    quiet: tuple[float, float],
    loud: float,
    accept: float,
    log_scale: bool,
    max_iter: int,
) -> tuple[float, float]:
    """Bisect between a ``quiet`` (value, rate) within ``accept`` and a ``loud`` value."""
    value, rate = quiet
    for _ in range(max_iter):
        mid = math.sqrt(value * loud) if log_scale else 0.5 * (value + loud)
        if mid in (value, loud):
            break
        mid_rate = rate_at(mid)
        if mid_rate <= accept:
            value, rate = mid, mid_rate
        else:
            loud = mid
    return value, rate


def _total(streams: Sequence[np.ndarray]) -> int:
    """Samples in all the streams."""
    return int(sum(len(s) for s in streams))
