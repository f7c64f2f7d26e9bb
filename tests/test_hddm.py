"""Unit tests of HDDM_A and HDDM_W (agreement with river: test_river_agreement_group2)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from detectors.hddm import HDDM_A, HDDM_W

CLASSES = [HDDM_A, HDDM_W]


def _errors(seed: int, rates=(0.1, 0.3, 0.1, 0.45), each: int = 4000) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.random(each * len(rates)) < np.repeat(rates, each)).astype(np.float64)


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"drift_confidence": 0.0}, "drift_confidence"),
        ({"drift_confidence": 1.0}, "drift_confidence"),
        ({"warning_confidence": -0.1}, "warning_confidence"),
        ({"warning_confidence": 1.5}, "warning_confidence"),
        ({"two_sided_test": "yes"}, "two_sided_test"),
    ],
)
def test_invalid_parameters_name_the_parameter(cls, kwargs, name):
    with pytest.raises(ValueError, match=name):
        cls(**kwargs)


@pytest.mark.parametrize("lambda_val", [0.0, -0.5, 1.5, float("nan")])
def test_hddm_w_lambda_range(lambda_val):
    with pytest.raises(ValueError, match="lambda_val"):
        HDDM_W(lambda_val=lambda_val)


@pytest.mark.parametrize("cls", CLASSES)
def test_non_binary_input_rejected_with_position(cls):
    xs = _errors(0)[:100]
    xs[42] = 0.5
    det = cls()
    with pytest.raises(ValueError, match="position 42"):
        det.update_many(xs)
    with pytest.raises(ValueError, match="binary"):
        det.update(2.0)


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_inf_rejected_with_position(cls, bad):
    xs = _errors(1)[:300]
    xs[250] = bad
    with pytest.raises(ValueError, match="position 250"):
        cls().update_many(xs)


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("two_sided", [False, True])
def test_chunking_does_not_change_detections_or_warnings(cls, two_sided):
    """One call, random chunks and per-element ``update`` agree on drifts, warnings, flags."""
    xs = _errors(2)
    whole = cls(two_sided_test=two_sided)
    drifts, warns = whole.update_many(xs, warnings=True)
    assert drifts.size >= 2 and warns.size >= 2

    rng = np.random.default_rng(3)
    cuts = np.sort(rng.choice(np.arange(1, xs.size), size=80, replace=False))
    chunked = cls(two_sided_test=two_sided)
    got_d, got_w = [], []
    for start, stop in zip(np.r_[0, cuts], np.r_[cuts, xs.size], strict=True):
        d, w = chunked.update_many(xs[start:stop], warnings=True)
        got_d += (d + start).tolist()
        got_w += (w + start).tolist()
    assert got_d == drifts.tolist()
    assert got_w == warns.tolist()
    assert chunked.drift_detected == whole.drift_detected
    assert chunked.warning_detected == whole.warning_detected

    single = cls(two_sided_test=two_sided)
    one_d, one_w = [], []
    for i, x in enumerate(xs):
        if single.update(float(x)):
            one_d.append(i)
        if single.warning_detected:
            one_w.append(i)
    assert one_d == drifts.tolist()
    assert one_w == warns.tolist()


@pytest.mark.parametrize("cls", CLASSES)
def test_warning_zone_precedes_an_abrupt_increase(cls):
    xs = _errors(4, rates=(0.05, 0.5), each=5000)
    drifts, warns = cls().update_many(xs, warnings=True)
    assert drifts.size >= 1
    first = int(drifts[0])
    assert 5000 <= first < 5300
    assert np.any((warns >= 5000) & (warns < first))
    assert not np.intersect1d(drifts, warns).size


@pytest.mark.parametrize("cls", CLASSES)
def test_only_the_two_sided_test_sees_a_decrease(cls):
    xs = _errors(5, rates=(0.5, 0.05), each=5000)
    one_sided = cls().update_many(xs)
    two_sided = cls(two_sided_test=True).update_many(xs)
    assert not np.any((one_sided >= 5000) & (one_sided < 5300))
    assert np.any((two_sided >= 5000) & (two_sided < 5300))


@pytest.mark.parametrize("cls", CLASSES)
def test_no_alarm_on_a_constant_stream(cls):
    assert cls().update_many(np.zeros(50_000)).size == 0
    assert cls(two_sided_test=True).update_many(np.ones(50_000)).size == 0


@pytest.mark.parametrize("cls", CLASSES)
def test_reset_clone_and_pickle(cls):
    xs = _errors(6)
    fresh = cls().update_many(xs).tolist()
    assert any(i >= 8000 for i in fresh)
    used = cls()
    used.update_many(xs[:8000])
    copy = pickle.loads(pickle.dumps(used))
    assert copy.update_many(xs[8000:]).tolist() == [i - 8000 for i in fresh if i >= 8000]
    used.reset()
    assert not used.drift_detected and not used.warning_detected
    assert used.update_many(xs).tolist() == fresh
    assert used.clone().update_many(xs).tolist() == fresh
    assert cls.binary and cls.has_warning


def test_params_and_repr():
    assert HDDM_A().get_params() == {
        "drift_confidence": 0.001,
        "warning_confidence": 0.005,
        "two_sided_test": False,
    }
    assert HDDM_W(lambda_val=0.1).get_params()["lambda_val"] == 0.1
    assert repr(HDDM_W()).startswith("HDDM_W(drift_confidence=0.001, warning_confidence=0.005")
