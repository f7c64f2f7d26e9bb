"""DDM, EDDM, FHDDM, STEPD and EWMAChart: the interface every streaming detector keeps.

Chunking invariance (one call, random chunks, element by element), warnings, restart
after a drift, reset / clone / get_params, and input and parameter validation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from detectors.base import StreamingDetector
from detectors.ddm import DDM
from detectors.eddm import EDDM
from detectors.ewma_chart import EWMAChart
from detectors.fhddm import FHDDM
from detectors.stepd import STEPD

DETECTORS = [
    pytest.param(DDM, {}, id="DDM"),
    pytest.param(DDM, {"warm_start": 50, "warning_threshold": 1.5}, id="DDM-custom"),
    pytest.param(EDDM, {"alpha": 0.8, "beta": 0.75}, id="EDDM"),
    pytest.param(FHDDM, {}, id="FHDDM"),
    pytest.param(FHDDM, {"short_window_size": 20}, id="FHDDM-stacking"),
    pytest.param(STEPD, {}, id="STEPD"),
    pytest.param(EWMAChart, {}, id="EWMAChart"),
    pytest.param(EWMAChart, {"arl0": 100, "control_limits": "paper"}, id="EWMAChart-paper"),
]


def _errors(seed: int = 0, n: int = 3000) -> np.ndarray:
    """An error stream whose rate changes every 500 samples, up and down."""
    rng = np.random.default_rng(seed)
    rates = np.resize(np.repeat([0.05, 0.3, 0.1, 0.5, 0.15, 0.4], 500), n)
    return (rng.random(n) < rates).astype(np.float64)


def _chunked(detector, xs, rng):
    cuts = np.sort(rng.choice(np.arange(1, xs.size), size=25, replace=False))
    drifts, warns = [], []
    for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, xs.size], strict=True):
        d, w = detector.update_many(xs[lo:hi], warnings=True)
        drifts.append(d + lo)
        warns.append(w + lo)
    return np.concatenate(drifts), np.concatenate(warns)


@pytest.mark.parametrize(("cls", "params"), DETECTORS)
@pytest.mark.parametrize("seed", [0, 1])
def test_one_call_chunks_and_single_updates_agree(cls, params, seed):
    xs = _errors(seed)
    if cls is FHDDM:
        xs = 1.0 - xs  # FHDDM watches for a fall in the share of ones
    whole_det = cls(**params)
    drifts, warns = whole_det.update_many(xs, warnings=True)
    assert drifts.size >= 1

    chunk_det = cls(**params)
    chunked = _chunked(chunk_det, xs, np.random.default_rng(seed))

    single_det = cls(**params)
    drift_flags, warning_flags = [], []
    for x in xs:
        drift_flags.append(single_det.update(float(x)))
        warning_flags.append(single_det.warning_detected)

    np.testing.assert_array_equal(chunked[0], drifts)
    np.testing.assert_array_equal(chunked[1], warns)
    np.testing.assert_array_equal(np.flatnonzero(drift_flags), drifts)
    np.testing.assert_array_equal(np.flatnonzero(warning_flags), warns)
    for det in (chunk_det, single_det):
        assert det.drift_detected == whole_det.drift_detected
        assert det.warning_detected == whole_det.warning_detected


@pytest.mark.parametrize(("cls", "params"), DETECTORS)
def test_warnings_only_where_the_method_has_them(cls, params):
    xs = _errors(3, 6000)
    if cls is FHDDM:
        xs = 1.0 - xs
    drifts, warns = cls(**params).update_many(xs, warnings=True)
    assert np.intersect1d(drifts, warns).size == 0
    if cls.has_warning:
        assert warns.size > 0
    else:
        assert warns.size == 0


@pytest.mark.parametrize(("cls", "params"), DETECTORS)
def test_drift_flag_lasts_one_step_then_restarts(cls, params):
    xs = _errors(1)
    if cls is FHDDM:
        xs = 1.0 - xs
    det = cls(**params)
    first = int(det.update_many(xs)[0])
    det.reset()
    det.update_many(xs[: first + 1])
    assert det.drift_detected and not det.warning_detected
    det.update(float(xs[first + 1]))
    assert not det.drift_detected
    # after the restart the detector behaves like a fresh one fed the rest
    rest = cls(**params).update_many(xs[first + 1 :])
    det.reset()
    np.testing.assert_array_equal(det.update_many(xs)[1:], rest + first + 1)


@pytest.mark.parametrize(("cls", "params"), DETECTORS)
def test_reset_clone_and_params(cls, params):
    det = cls(**params)
    assert isinstance(det, StreamingDetector)
    assert cls.binary
    got = det.get_params()
    assert {k: got[k] for k in params} == params
    assert repr(det) == f"{cls.__name__}({', '.join(f'{k}={v!r}' for k, v in got.items())})"
    xs = _errors(2)
    first = det.update_many(xs, warnings=True)
    det.reset()
    again = det.update_many(xs, warnings=True)
    fresh = det.clone().update_many(xs, warnings=True)
    for a, b, c in zip(first, again, fresh, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize(("cls", "params"), DETECTORS)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_input_names_the_position(cls, params, bad):
    with pytest.raises(ValueError, match="position 3"):
        cls(**params).update_many([0.0, 1.0, 0.0, bad, 1.0])


@pytest.mark.parametrize(("cls", "params"), DETECTORS)
def test_non_binary_input_is_rejected(cls, params):
    with pytest.raises(ValueError, match=r"binary input.*got \S*0\.5\)? at position 2"):
        cls(**params).update_many([0.0, 1.0, 0.5, 1.0])
    with pytest.raises(ValueError, match="binary input"):
        cls(**params).update(2.0)


def test_empty_input():
    drifts, warns = DDM().update_many(np.empty(0), warnings=True)
    assert drifts.size == 0 and warns.size == 0 and drifts.dtype == np.int64


def test_bool_input_is_accepted():
    xs = _errors(0)
    np.testing.assert_array_equal(DDM().update_many(xs.astype(bool)), DDM().update_many(xs))


@pytest.mark.parametrize(
    ("cls", "kwargs", "message"),
    [
        (DDM, {"warm_start": -1}, "warm_start must be >= 0"),
        (DDM, {"warm_start": 2.5}, "warm_start must be an integer"),
        (DDM, {"warning_threshold": 0.0}, "warning_threshold must be > 0.0"),
        (DDM, {"drift_threshold": 1.0}, "drift_threshold must be >= 2.0"),
        (EDDM, {"beta": 0.0}, "beta must be > 0.0"),
        (EDDM, {"alpha": 0.8, "beta": 0.9}, "alpha must be >= 0.9"),
        (EDDM, {"alpha": 1.5}, "alpha must be <= 1.0"),
        (FHDDM, {"sliding_window_size": 0}, "sliding_window_size must be >= 1"),
        (FHDDM, {"confidence_level": 1.0}, "confidence_level must be < 1.0"),
        (FHDDM, {"confidence_level": 0.0}, "confidence_level must be > 0.0"),
        (FHDDM, {"short_window_size": 200}, "short_window_size must be <= 100"),
        (STEPD, {"window_size": 0}, "window_size must be >= 1"),
        (STEPD, {"alpha_drift": 0.0}, "alpha_drift must be > 0.0"),
        (STEPD, {"alpha_warning": 0.001}, "alpha_warning must be >= 0.003"),
        (STEPD, {"alpha_warning": 0.5}, "alpha_warning must be < 0.5"),
        (EWMAChart, {"arl0": 500}, r"arl0 must be one of \[100, 400, 1000\]"),
        (EWMAChart, {"warning_level": 1.0}, "warning_level must be < 1.0"),
        (EWMAChart, {"control_limits": "moa"}, "control_limits must be one of"),
        (EWMAChart, {"warm_start": -3}, "warm_start must be >= 0"),
    ],
)
def test_invalid_parameters(cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls(**kwargs)


# --- method-specific behaviour --------------------------------------------------------


def test_ddm_needs_more_than_warm_start_samples():
    """All errors after all-correct would be a drift at once, but not inside warm-up."""
    xs = np.r_[np.zeros(20), np.ones(20)]
    assert DDM(warm_start=40).update_many(xs).size == 0
    assert DDM(warm_start=10).update_many(xs).size == 1


def test_eddm_state_changes_only_on_errors():
    """EDDM's statistics move only when an error arrives: appending correct predictions
    to a stream ending in warning keeps the detector in warning, and adds no alarm."""
    xs = _errors(5, 6000)
    det = EDDM(alpha=0.95, beta=0.5)
    _, warns = det.update_many(xs, warnings=True)
    cut = int(warns[len(warns) // 2])
    det.reset()
    det.update_many(xs[: cut + 1])
    assert det.warning_detected
    drifts, warns_after = det.update_many(np.zeros(500), warnings=True)
    assert drifts.size == 0
    np.testing.assert_array_equal(warns_after, np.arange(500))


def test_fhddm_epsilon_and_window():
    """Window 10, delta 0.01: eps = sqrt(ln(100) / 20) = 0.4799. A fall of the share of
    ones from 1.0 to 0.5 (5 zeros) is above eps: the 5th zero fires; to 0.6 is not."""
    assert math.sqrt(math.log(100) / 20) == pytest.approx(0.4799, abs=1e-4)
    det = FHDDM(sliding_window_size=10, confidence_level=0.01)
    np.testing.assert_array_equal(det.update_many(np.r_[np.ones(10), np.zeros(5)]), [14])
    det = FHDDM(sliding_window_size=10, confidence_level=0.01)
    assert det.update_many(np.r_[np.ones(10), np.zeros(4), np.ones(10)]).size == 0
    # nothing is tested until the window is full
    det = FHDDM(sliding_window_size=10, confidence_level=0.01)
    assert det.update_many(np.r_[np.ones(4), np.zeros(5)]).size == 0
