"""NoDrift, PeriodicAlarm and RandomAlarm: alarm positions, rates, chunking invariance
and the shared interface."""

from __future__ import annotations

import math

import numpy as np
import pytest
from river.drift import DummyDriftDetector

from detectors.base import StreamingDetector
from detectors.baselines import NoDrift, PeriodicAlarm, RandomAlarm
from detectors.river_adapter import river_detections

BASELINES = [
    pytest.param(NoDrift, {}, id="NoDrift"),
    pytest.param(PeriodicAlarm, {"every": 37}, id="PeriodicAlarm"),
    pytest.param(RandomAlarm, {"rate": 0.02, "seed": 5}, id="RandomAlarm"),
]


def test_no_drift_never_fires():
    det = NoDrift()
    xs = np.random.default_rng(0).normal(size=10_000) * 1e6
    assert det.update_many(xs).size == 0
    assert not det.update(1e12)
    assert not det.drift_detected and not det.warning_detected
    assert det.get_params() == {}


def test_periodic_alarm_positions_match_river_dummy():
    """river's DummyDriftDetector(t_0=k) without warm-up fires on samples k-1, 2k-1, ..."""
    xs = np.zeros(2_000)
    np.testing.assert_array_equal(
        PeriodicAlarm(every=300).update_many(xs), river_detections(DummyDriftDetector(t_0=300), xs)
    )
    np.testing.assert_array_equal(PeriodicAlarm(every=1).update_many(np.zeros(3)), [0, 1, 2])


def test_random_alarm_rate_and_independence():
    """Over 200,000 samples the alarm count is Binomial(n, rate): within 4 standard
    deviations of n * rate; gaps between alarms are geometric (mean 1 / rate)."""
    n, rate = 200_000, 0.01
    idx = RandomAlarm(rate=rate, seed=3).update_many(np.zeros(n))
    assert abs(idx.size - n * rate) < 4 * math.sqrt(n * rate * (1 - rate))
    gaps = np.diff(idx)
    assert gaps.mean() == pytest.approx(1 / rate, rel=0.05)
    # geometric: P(gap = 1) = rate, so about rate * #gaps back-to-back alarms
    assert abs((gaps == 1).sum() - rate * gaps.size) < 4 * math.sqrt(rate * gaps.size)


def test_random_alarm_is_seeded():
    xs = np.zeros(5_000)
    a = RandomAlarm(rate=0.01, seed=1).update_many(xs)
    np.testing.assert_array_equal(a, RandomAlarm(rate=0.01, seed=1).update_many(xs))
    assert not np.array_equal(a, RandomAlarm(rate=0.01, seed=2).update_many(xs))
    assert RandomAlarm(rate=0.0, seed=1).update_many(xs).size == 0
    np.testing.assert_array_equal(RandomAlarm(rate=1.0, seed=1).update_many(xs[:7]), np.arange(7))


@pytest.mark.parametrize(("cls", "params"), BASELINES)
def test_chunks_and_single_updates_agree(cls, params):
    rng = np.random.default_rng(1)
    xs = rng.normal(size=3_000)
    whole_det = cls(**params)
    whole = whole_det.update_many(xs)
    chunk_det = cls(**params)
    cuts = np.sort(rng.choice(np.arange(1, xs.size), size=40, replace=False))
    chunked = np.concatenate(
        [
            chunk_det.update_many(xs[lo:hi]) + lo
            for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, xs.size], strict=True)
        ]
    )
    single_det = cls(**params)
    flags = np.array([single_det.update(float(x)) for x in xs])
    np.testing.assert_array_equal(chunked, whole)
    np.testing.assert_array_equal(np.flatnonzero(flags), whole)
    assert chunk_det.drift_detected == single_det.drift_detected == whole_det.drift_detected
    if cls is not NoDrift:
        assert whole.size > 10


@pytest.mark.parametrize(("cls", "params"), BASELINES)
def test_interface_reset_replays_and_clone(cls, params):
    det = cls(**params)
    assert isinstance(det, StreamingDetector)
    assert det.get_params() == params
    xs = np.zeros(1_000)
    first, warns = det.update_many(xs, warnings=True)
    assert warns.size == 0
    det.reset()
    np.testing.assert_array_equal(det.update_many(xs), first)
    np.testing.assert_array_equal(det.clone().update_many(xs), first)


@pytest.mark.parametrize(("cls", "params"), BASELINES)
def test_baselines_validate_input(cls, params):
    with pytest.raises(ValueError, match="position 1"):
        cls(**params).update_many([0.0, math.nan])


@pytest.mark.parametrize(
    ("cls", "kwargs", "message"),
    [
        (PeriodicAlarm, {"every": 0}, "every must be >= 1"),
        (PeriodicAlarm, {"every": 2.5}, "every must be an integer"),
        (RandomAlarm, {"rate": 1.5, "seed": 0}, "rate must be <= 1.0"),
        (RandomAlarm, {"rate": -0.1, "seed": 0}, "rate must be >= 0.0"),
        (RandomAlarm, {"rate": 0.1, "seed": -1}, "seed must be >= 0"),
    ],
)
def test_invalid_parameters(cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls(**kwargs)
