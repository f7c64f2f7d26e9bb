"""Baseline detectors that ignore the data: never, periodically, or at random.

A real detector should beat these on equal terms: a detector that fires every k
samples can score well on detection rate, and one that never fires has no false
alarms. Every comparison table in driftsim lists them next to the real methods.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numba
import numpy as np

from detectors.base import BaseStreamingDetector
from detectors.tags import Sensitivity, log_grid
from driftsim.validation import check_in_range, check_int

__all__ = ["NoDrift", "PeriodicAlarm", "RandomAlarm"]


class NoDrift(BaseStreamingDetector):
    """A detector that never signals a drift (the "never retrain" baseline).

    It still validates its input like every other detector.

    Examples
    --------
    >>> NoDrift().update_many([0.3, 5.0, -2.0])
    array([], dtype=int64)
    """

    # what the class is: see detectors.tags
    sensitivity = None
    calibration = None
    is_baseline = True
    signal = None

    def __init__(self) -> None:
        self._reset()

    def _process(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, False


class PeriodicAlarm(BaseStreamingDetector):
    """A detector that signals a drift every ``every`` samples, whatever the data.

    The count runs across calls, so the alarms fall on samples ``every - 1``,
    ``2 * every - 1``, ... of the whole stream however it is chunked (like river's
    ``DummyDriftDetector(t_0=every)`` without warm-up).

    Parameters
    ----------
    every
        Samples between alarms, >= 1.

    Examples
    --------
    >>> detector = PeriodicAlarm(every=4)
    >>> detector.update_many(np.zeros(10))
    array([3, 7])
    >>> detector.update_many(np.zeros(5))  # samples 10..14 of the stream
    array([1])
    """

    # what the class is: see detectors.tags
    sensitivity = Sensitivity(
        "every", "decreasing", tuple(sorted({round(v) for v in log_grid(50, 20_000)}))
    )
    calibration = None
    is_baseline = True
    signal = None
    expected_failures: ClassVar[dict[str, str]] = {
        "check_no_detection_on_constant": "a baseline that fires every k samples whatever it sees",
    }

    @classmethod
    def test_params(cls) -> dict[str, Any]:
        """Constructor arguments for the conformance suite and the golden tests."""
        return {"every": 700}

    def __init__(self, every: int) -> None:
        self.every = check_int("every", every, low=1)
        self._reset()

    def _reset(self) -> None:
        super()._reset()
        self._seen = np.zeros(1, dtype=np.int64)

    def _process(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        seen = int(self._seen[0])
        first = (self.every - 1 - seen) % self.every
        self._seen[0] = (seen + xs.shape[0]) % self.every
        return np.arange(first, xs.shape[0], self.every, dtype=np.int64), _EMPTY, False


_EMPTY = np.empty(0, dtype=np.int64)

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


@numba.njit(cache=True, nogil=True)
def _random_alarm_kernel(n, start, key, threshold, out):
    # A counter-based generator (SplitMix64's output function applied to key + t *
    # golden): the draw for sample t depends only on the seed and t, so the alarms do
    # not depend on how the stream is chunked.
    n_out = 0
    for i in range(n):
        z = key + np.uint64(start + i + 1) * _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
        z = z ^ (z >> np.uint64(31))
        if (z >> np.uint64(11)) < threshold:
            out[n_out] = i
            n_out += 1
    return n_out


class RandomAlarm(BaseStreamingDetector):
    """A detector that signals a drift at each sample with probability ``rate``.

    Draws are independent across samples and reproducible: sample ``t`` of the stream
    fires or not depending only on ``seed`` and ``t``, so the alarms are the same
    however the stream is chunked, and ``reset()`` replays them.

    Parameters
    ----------
    rate
        Probability of an alarm at each sample, in [0, 1].
    seed
        Seed (a non-negative integer) of the alarm sequence.

    Examples
    --------
    >>> RandomAlarm(rate=0.01, seed=1).update_many(np.zeros(1000))
    array([ 11,  45,  62,  95, 207, 467, 482, 536, 717, 779, 854, 909, 963])
    """

    # what the class is: see detectors.tags
    sensitivity = Sensitivity("rate", "increasing", log_grid(1e-5, 0.05))
    calibration = None
    is_baseline = True
    signal = None
    expected_failures: ClassVar[dict[str, str]] = {
        "check_no_detection_on_constant": "a baseline that fires at random whatever it sees",
    }

    @classmethod
    def test_params(cls) -> dict[str, Any]:
        """Constructor arguments for the conformance suite and the golden tests."""
        return {"rate": 0.001, "seed": 3}

    def __init__(self, rate: float, seed: int) -> None:
        self.rate = check_in_range("rate", rate, low=0.0, high=1.0)
        self.seed = check_int("seed", seed, low=0)
        # 53-bit uniform draws: fire when draw < rate * 2**53
        self._threshold = np.uint64(round(float(self.rate) * 2.0**53))
        self._key = np.random.SeedSequence(self.seed).generate_state(1, dtype=np.uint64)[0]
        self._reset()

    def _reset(self) -> None:
        super()._reset()
        self._seen = np.zeros(1, dtype=np.int64)

    def _process(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        n = xs.shape[0]
        out = np.empty(n, dtype=np.int64)
        n_out = _random_alarm_kernel(n, int(self._seen[0]), self._key, self._threshold, out)
        self._seen[0] += n
        return out[:n_out].copy(), _EMPTY, False
