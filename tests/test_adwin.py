"""Unit tests of the compiled ADWIN detector (agreement with river: test_river_agreement_group2)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from river.drift import ADWIN as RiverADWIN

from detectors.adwin import ADWIN, _cut_fires, _cut_may_fire


def _stream(seed: int, n: int = 12_000) -> np.ndarray:
    rng = np.random.default_rng(seed)
    means = np.repeat([0.0, 1.0, -0.5, 1.5], n // 4)
    return rng.normal(means, 1.0)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"delta": 0.0}, "delta"),
        ({"delta": 1.0}, "delta"),
        ({"delta": "0.1"}, "delta"),
        ({"clock": 0}, "clock"),
        ({"clock": 2.5}, "clock"),
        ({"max_buckets": 0}, "max_buckets"),
        ({"max_buckets": 1}, "max_buckets"),
        ({"min_window_length": 0}, "min_window_length"),
        ({"grace_period": -1}, "grace_period"),
    ],
)
def test_invalid_parameters_name_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        ADWIN(**kwargs)


def test_detects_mean_shifts_and_not_noise():
    rng = np.random.default_rng(0)
    quiet = rng.normal(0.0, 1.0, 20_000)
    assert ADWIN().update_many(quiet).size == 0
    shifted = np.concatenate([quiet[:5000], quiet[5000:10_000] + 2.0])
    drifts = ADWIN().update_many(shifted)
    assert drifts.size >= 1
    assert 5000 <= drifts[0] < 5200


@pytest.mark.parametrize("kwargs", [{}, {"clock": 1, "max_buckets": 2, "grace_period": 40}])
def test_chunking_does_not_change_detections(kwargs):
    """One call, random chunks and per-element ``update`` give the same indices and flags."""
    xs = _stream(1)
    whole = ADWIN(**kwargs)
    expected = whole.update_many(xs).tolist()
    assert len(expected) >= 3

    rng = np.random.default_rng(2)
    cuts = np.sort(rng.choice(np.arange(1, xs.size), size=60, replace=False))
    chunked = ADWIN(**kwargs)
    got = []
    for start, stop in zip(np.r_[0, cuts], np.r_[cuts, xs.size], strict=True):
        got += [int(i) + int(start) for i in chunked.update_many(xs[start:stop])]
    assert got == expected

    single = ADWIN(**kwargs)
    assert [i for i, x in enumerate(xs) if single.update(float(x))] == expected
    for det in (chunked, single):
        assert det.drift_detected == whole.drift_detected
        assert (det.width, det.total, det.variance) == (whole.width, whole.total, whole.variance)


def test_chunk_boundary_right_after_a_detection():
    """The restart is deferred to the next value, also when that value is in the next call."""
    xs = _stream(3)
    expected = ADWIN().update_many(xs)
    first = int(expected[0])
    det = ADWIN()
    assert det.update_many(xs[: first + 1]).tolist() == [first]
    assert det.drift_detected
    rest = det.update_many(xs[first + 1 :]) + first + 1
    assert rest.tolist() == expected[1:].tolist()


def test_window_readouts_match_river_at_every_step():
    """``width``, ``total`` and ``variance`` equal river's bit for bit after every value,
    including the shrunk window at a detection step and the restart after it."""
    xs = _stream(4, n=4000)
    ours, theirs = ADWIN(clock=4), RiverADWIN(clock=4)
    n_drifts = 0
    for x in xs.tolist():
        ours.update(x)
        theirs.update(x)
        n_drifts += theirs.drift_detected
        assert ours.drift_detected == theirs.drift_detected
        assert (ours.width, ours.total, ours.variance) == (
            theirs.width,
            theirs.total,
            theirs.variance,
        )
        assert ours.estimation == theirs.estimation
    assert n_drifts >= 2


def test_restart_after_detection():
    xs = _stream(5)
    det = ADWIN()
    first = int(det.update_many(xs)[0])
    det = ADWIN()
    before = det.update_many(xs[:first])
    assert before.size == 0
    width_before = det.width
    assert det.update(float(xs[first]))
    assert 0 < det.width < width_before + 1  # the oldest buckets were dropped
    det.update(float(xs[first + 1]))
    assert det.width == 1.0 and not det.drift_detected


def test_long_stream_without_drift_keeps_every_value():
    det = ADWIN()
    assert det.update_many(np.full(300_000, 0.25)).size == 0
    assert det.width == 300_000.0
    assert det.estimation == 0.25


def test_nan_and_inf_rejected_with_position():
    xs = _stream(6, n=400)
    for bad in (np.nan, np.inf, -np.inf):
        data = xs.copy()
        data[123] = bad
        det = ADWIN()
        with pytest.raises(ValueError, match="position 123"):
            det.update_many(data)
        assert det.width == 0.0  # rejected before any value was consumed


def test_reset_clone_pickle_and_params():
    xs = _stream(7)
    fresh = ADWIN(delta=0.01).update_many(xs).tolist()
    assert any(i >= 5000 for i in fresh)
    used = ADWIN(delta=0.01)
    used.update_many(xs[:5000])
    copy = pickle.loads(pickle.dumps(used))
    assert copy.update_many(xs[5000:]).tolist() == [i - 5000 for i in fresh if i >= 5000]
    used.reset()
    assert used.width == 0.0 and not used.drift_detected
    assert used.update_many(xs).tolist() == fresh
    assert used.clone().update_many(xs).tolist() == fresh
    assert used.get_params() == {
        "delta": 0.01,
        "clock": 32,
        "max_buckets": 5,
        "min_window_length": 5,
        "grace_period": 10,
    }
    assert repr(used).startswith("ADWIN(delta=0.01, clock=32")


def test_cut_screen_never_rejects_a_cut_that_fires():
    """The division-free screen is a necessary condition for river's cut test: checked
    on random cuts and on cuts placed within a few ulps of the threshold."""
    rng = np.random.default_rng(11)
    min_len, delta = 5.0, 0.002
    n_fire = n_screened_out = 0
    for _ in range(20_000):
        width = float(rng.integers(12, 10**7))
        n0 = float(rng.integers(1, width))
        n1 = width - n0
        scale_u = 10.0 ** rng.uniform(-6, 6)
        mean = rng.normal(0, scale_u)
        variance_per_value = (scale_u * 10.0 ** rng.uniform(-3, 1)) ** 2
        delta_prime = np.log(2.0 * np.log(width) / delta)
        u1 = n1 * (mean + rng.normal(0, scale_u) / np.sqrt(n1))
        # place u0 so the mean gap sits near river's bound (a few ulps either side)
        m_recip = 1.0 / (n0 - min_len + 1.0) + 1.0 / (n1 - min_len + 1.0)
        eps = np.sqrt(2.0 * m_recip * variance_per_value * delta_prime) + (
            2.0 / 3.0 * delta_prime * m_recip
        )
        gap = eps * (1.0 + rng.integers(-8, 9) * 2.0**-52) * rng.choice([-1.0, 1.0])
        if rng.random() < 0.5:
            gap = rng.normal(0, 2 * eps)  # and anywhere around it
        u0 = n0 * (u1 / n1 + gap)
        scale = 2.0 * variance_per_value * delta_prime
        fires = _cut_fires(n0, n1, u0, u1, width, variance_per_value, delta_prime, min_len)
        may = _cut_may_fire(n0, n1, u0, u1, scale, min_len)
        assert may or not fires, (n0, n1, u0, u1, variance_per_value)
        n_fire += fires
        n_screened_out += not may
    assert n_fire > 1000 and n_screened_out > 1000
