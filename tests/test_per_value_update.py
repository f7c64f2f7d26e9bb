"""The per-value ``update`` paths: compiled one-value steps, queued values, copies.

``update`` runs each detector's array kernel through a one-slot view of a buffer passed
by address, and some detectors queue values that provably cannot fire (ADWIN between
clock ticks, FHDDM far from its bound, EDDM on correct predictions). Both must give
exactly the detections and warnings of ``update_many`` over the same stream, for
parameters that make the queues short, long and empty, and must survive pickling and
copying (the buffer address is re-read).
"""

from __future__ import annotations

import copy
import math
import pickle

import numpy as np
import pytest

from detectors import ADWIN, DDM, EDDM, FHDDM, HDDM_A, HDDM_W, KSWIN, PageHinkley

DETECTORS = [
    PageHinkley(),
    PageHinkley(mode="up", threshold=10.0, min_instances=5),
    DDM(),
    DDM(warm_start=5, warning_threshold=1.0, drift_threshold=1.5),
    EDDM(),
    EDDM(warm_start=5, alpha=0.8, beta=0.75),
    HDDM_A(two_sided_test=True),
    HDDM_W(two_sided_test=True, lambda_val=0.2),
    KSWIN(alpha=0.001, seed=3),
    FHDDM(),
    FHDDM(short_window_size=20),
    FHDDM(sliding_window_size=25, confidence_level=0.01),
    FHDDM(sliding_window_size=7, short_window_size=3, confidence_level=0.3),
    FHDDM(sliding_window_size=1, confidence_level=0.5),
    ADWIN(),
    ADWIN(clock=1),
    ADWIN(clock=5, delta=0.05, grace_period=0),
    ADWIN(clock=7, grace_period=100, min_window_length=1),
]
IDS = [repr(d) for d in DETECTORS]


def _stream(detector, n: int, seed: int) -> np.ndarray:
    """Several changes, so every detector fires and restarts more than once."""
    rng = np.random.default_rng(seed)
    segment = (np.arange(n) * 6) // n
    if detector.binary:
        # FHDDM watches the share of ones fall; the others a rising error rate
        p = np.array([0.1, 0.5, 0.05, 0.6, 0.2, 0.9])[segment]
        if isinstance(detector, FHDDM):
            p = 1.0 - p
        return (rng.random(n) < p).astype(np.float64)
    return rng.normal(np.array([0.0, 2.0, -1.0, 3.0, 0.0, 1.0])[segment], 1.0)


def _one_by_one(det, xs) -> tuple[list[int], list[int]]:
    drifts, warnings = [], []
    for i, x in enumerate(xs):
        fired = det.update(x)
        assert fired == det.drift_detected
        if fired:
            drifts.append(i)
        if det.warning_detected:
            warnings.append(i)
    return drifts, warnings


@pytest.mark.parametrize("detector", DETECTORS, ids=IDS)
@pytest.mark.parametrize("seed", [0, 1])
def test_update_equals_update_many(detector, seed):
    xs = _stream(detector, 6000, seed)
    drifts, warnings = detector.clone().update_many(xs, warnings=True)
    got_drifts, got_warnings = _one_by_one(detector.clone(), xs.tolist())
    assert len(got_drifts) >= 2, "the stream should make the detector fire"
    assert got_drifts == drifts.tolist()
    assert got_warnings == warnings.tolist()


@pytest.mark.parametrize("detector", DETECTORS, ids=IDS)
def test_mixing_update_and_update_many(detector):
    """Alternating per-value updates and array chunks gives one call's detections."""
    xs = _stream(detector, 5000, seed=2)
    expected = detector.clone().update_many(xs).tolist()
    det = detector.clone()
    rng = np.random.default_rng(3)
    got, start = [], 0
    while start < xs.size:
        stop = min(xs.size, start + int(rng.integers(1, 200)))
        if rng.random() < 0.5:
            got.extend(start + i for i, x in enumerate(xs[start:stop]) if det.update(x))
        else:
            got.extend((start + det.update_many(xs[start:stop])).tolist())
        start = stop
    assert got == expected


@pytest.mark.parametrize("detector", DETECTORS, ids=IDS)
@pytest.mark.parametrize(
    "duplicate",
    [lambda d: pickle.loads(pickle.dumps(d)), copy.deepcopy, copy.copy],
    ids=["pickle", "deepcopy", "copy"],
)
def test_copies_resume_per_value(detector, duplicate):
    """A copy taken mid-stream (values possibly queued) continues exactly as the original."""
    xs = _stream(detector, 4000, seed=4).tolist()
    original = detector.clone()
    for x in xs[:2011]:  # not a multiple of any clock above: ADWIN has values queued
        original.update(x)
    twin = duplicate(original)
    rest = xs[2011:]
    if duplicate is copy.copy:
        # a shallow copy shares the state arrays: continue it alone
        expected = _one_by_one(detector.clone(), xs)[0]
        assert [2011 + i for i in _one_by_one(twin, rest)[0]] == [
            i for i in expected if i >= 2011
        ]
    else:
        assert _one_by_one(twin, rest) == _one_by_one(original, rest)


def test_adwin_readouts_include_queued_values():
    xs = _stream(ADWIN(), 1000, seed=5)
    per_value = ADWIN()
    for x in xs:
        per_value.update(x)
    whole = ADWIN()
    whole.update_many(xs)
    assert (per_value.width, per_value.total, per_value.variance) == (
        whole.width,
        whole.total,
        whole.variance,
    )
    assert per_value.estimation == whole.estimation


@pytest.mark.parametrize("detector", DETECTORS, ids=IDS)
def test_bad_values_rejected_without_state_change(detector):
    xs = _stream(detector, 3000, seed=6).tolist()
    expected = _one_by_one(detector.clone(), xs)
    det = detector.clone()
    bad = [math.nan, math.inf, -math.inf] + ([0.5, 2.0] if detector.binary else [])
    got_drifts, got_warnings = [], []
    for i, x in enumerate(xs):
        if i % 500 == 17:
            for value in bad:
                with pytest.raises(ValueError, match="position 0") as err:
                    det.update(value)
                assert repr(value) in str(err.value) or str(value) in str(err.value)
        if det.update(x):
            got_drifts.append(i)
        if det.warning_detected:
            got_warnings.append(i)
    assert (got_drifts, got_warnings) == expected


def test_fhddm_queue_is_used():
    """FHDDM far from its bound queues values: fewer compiled calls than values."""
    det = FHDDM()
    xs = _stream(det, 2000, seed=7)
    queued = 0
    for x in xs:
        det.update(x)
        queued += len(det._pending) > 0
    assert queued > 1000
