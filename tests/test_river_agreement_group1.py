"""DDM, EDDM and FHDDM flag exactly the steps river 0.26.1's do, warnings included.

Each case runs our detector (one ``update_many`` call) and river's (element by element,
through ``detectors.river_adapter.river_detections``) with the same parameters on the
same seeded Bernoulli streams: 5 without drift, 5 with an abrupt change and 5 with a
gradual one, 20,000 samples each. The changes go up on odd seeds and down on even ones,
because FHDDM (in river as in the paper) fires when the share of ones falls.
"""

from __future__ import annotations

import numpy as np
import pytest
from river.drift import PageHinkley as RiverPageHinkley
from river.drift import binary as river_binary

from detectors.base import StreamingDetector
from detectors.ddm import DDM
from detectors.eddm import EDDM
from detectors.fhddm import FHDDM
from detectors.page_hinkley import PageHinkley
from detectors.river_adapter import RiverDetector, river_detections

N = 20_000
SEEDS = range(5)


def _stream(kind: str, seed: int) -> np.ndarray:
    rng = np.random.default_rng([2024, seed, ("none", "abrupt", "gradual").index(kind)])
    base = (0.05, 0.1, 0.2, 0.3, 0.45)[seed]
    if kind == "none":
        return (rng.random(N) < base).astype(np.float64)
    new = min(base + 0.25, 0.9) if seed % 2 else base / 3
    if kind == "abrupt":
        p = np.where(np.arange(N) < N // 2, base, new)
    else:
        # gradual: each sample comes from the new concept with a probability that ramps
        # from 0 to 1 over 4,000 samples
        share = np.clip((np.arange(N) - 8_000) / 4_000, 0.0, 1.0)
        p = np.where(rng.random(N) < share, new, base)
    return (rng.random(N) < p).astype(np.float64)


STREAMS = {
    f"{kind}-{seed}": _stream(kind, seed)
    for kind in ("none", "abrupt", "gradual")
    for seed in SEEDS
}

CASES = [
    pytest.param(DDM, river_binary.DDM, {}, id="DDM-defaults"),
    pytest.param(
        DDM,
        river_binary.DDM,
        {"warm_start": 100, "warning_threshold": 1.5, "drift_threshold": 2.5},
        id="DDM-custom",
    ),
    pytest.param(EDDM, river_binary.EDDM, {}, id="EDDM-defaults"),
    pytest.param(
        EDDM, river_binary.EDDM, {"warm_start": 50, "alpha": 0.8, "beta": 0.75}, id="EDDM-custom"
    ),
    pytest.param(FHDDM, river_binary.FHDDM, {}, id="FHDDM-defaults"),
    pytest.param(
        FHDDM,
        river_binary.FHDDM,
        {"sliding_window_size": 50, "confidence_level": 1e-4, "short_window_size": 20},
        id="FHDDM-stacking",
    ),
]


@pytest.mark.parametrize(("ours_cls", "river_cls", "params"), CASES)
def test_same_drifts_and_warnings_as_river(ours_cls, river_cls, params):
    """Same drift indices and the same warning flag at every step, on all 15 streams."""
    n_drifting_detections = 0
    for name, xs in STREAMS.items():
        ours_drift, ours_warn = ours_cls(**params).update_many(xs, warnings=True)
        river_drift, river_warn = river_detections(river_cls(**params), xs, warnings=True)
        np.testing.assert_array_equal(ours_drift, river_drift, err_msg=f"drifts on {name}")
        np.testing.assert_array_equal(ours_warn, river_warn, err_msg=f"warnings on {name}")
        if not name.startswith("none"):
            n_drifting_detections += ours_drift.size
    # the comparison is not vacuous: the drifting streams do trigger the detector
    assert n_drifting_detections >= 5


@pytest.mark.parametrize(
    ("ours_cls", "river_cls", "params"), [c for c in CASES if c.values[0] is not FHDDM]
)
def test_raw_river_warning_flags_differ_only_on_drift_steps(ours_cls, river_cls, params):
    """Read river's ``warning_detected`` directly: it equals our warning flag on every
    step that does not signal a drift. (river's EDDM can leave the flag up on a drift
    step; driftsim's convention, and ``river_detections``, count a drift step as a
    drift only.)"""
    xs = STREAMS["gradual-1"]
    river_det = river_cls(**params)
    raw_warning = np.empty(N, dtype=bool)
    raw_drift = np.empty(N, dtype=bool)
    for i, x in enumerate(xs.tolist()):
        river_det.update(x)
        raw_warning[i] = river_det.warning_detected
        raw_drift[i] = river_det.drift_detected
    drifts, warns = ours_cls(**params).update_many(xs, warnings=True)
    ours_warning = np.zeros(N, dtype=bool)
    ours_warning[warns] = True
    np.testing.assert_array_equal(np.flatnonzero(raw_drift), drifts)
    np.testing.assert_array_equal(ours_warning[~raw_drift], raw_warning[~raw_drift])
    assert not ours_warning[raw_drift].any()


@pytest.mark.parametrize(("ours_cls", "river_cls", "params"), CASES)
def test_agreement_survives_chunking_and_flags_match_after_each_chunk(ours_cls, river_cls, params):
    """Fed in chunks, our detector still matches river, and after each chunk our
    ``drift_detected`` equals river's flag (warnings normalised as above)."""
    xs = STREAMS["abrupt-1"]
    ours, theirs = ours_cls(**params), river_cls(**params)
    rng = np.random.default_rng(11)
    cuts = np.sort(rng.choice(np.arange(1, N), size=40, replace=False))
    got, want = [], []
    for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, N], strict=True):
        got.append(ours.update_many(xs[lo:hi]) + lo)
        want.append(river_detections(theirs, xs[lo:hi]) + lo)
        assert ours.drift_detected == theirs.drift_detected
        river_warning = getattr(theirs, "warning_detected", False) and not theirs.drift_detected
        assert ours.warning_detected == river_warning
    np.testing.assert_array_equal(np.concatenate(got), np.concatenate(want))


# --- RiverDetector: river's detectors behind our interface -------------------------------


def test_river_detector_wraps_page_hinkley_and_matches_ours():
    """river's PageHinkley through the wrapper flags the same samples as our compiled
    PageHinkley (same parameters, same stream)."""
    rng = np.random.default_rng(42)
    xs = np.concatenate([rng.normal(0, 1, 3000), rng.normal(2, 1, 3000)])
    wrapped = RiverDetector(RiverPageHinkley(threshold=30.0))
    assert isinstance(wrapped, StreamingDetector)
    got = wrapped.update_many(xs)
    assert got.size >= 1
    np.testing.assert_array_equal(got, PageHinkley(threshold=30.0).update_many(xs))
    assert not wrapped.warning_detected  # PageHinkley has no warning zone
    assert not wrapped.has_warning and not wrapped.binary


def test_river_detector_forwards_warnings_and_flags():
    xs = STREAMS["abrupt-1"]
    wrapped = RiverDetector(river_binary.DDM())
    assert wrapped.binary and wrapped.has_warning
    drifts, warns = wrapped.update_many(xs, warnings=True)
    want = DDM().update_many(xs, warnings=True)
    np.testing.assert_array_equal(drifts, want[0])
    np.testing.assert_array_equal(warns, want[1])
    # single updates return and expose river's flag
    wrapped.reset()
    flags = [wrapped.update(float(x)) for x in xs[: drifts[0] + 1]]
    assert flags[-1] and wrapped.drift_detected and not any(flags[:-1])


def test_river_detector_reset_clone_params_repr():
    xs = 1.0 - STREAMS["abrupt-1"]
    wrapped = RiverDetector(river_binary.FHDDM(sliding_window_size=50))
    first = wrapped.update_many(xs)
    assert first.size >= 1
    # river's FHDDM._reset leaves its drift flag up; the wrapper clears it
    wrapped.update_many(xs[: first[0] + 1])
    assert wrapped.drift_detected
    wrapped.reset()
    assert not wrapped.drift_detected
    np.testing.assert_array_equal(wrapped.update_many(xs), first)
    clone = wrapped.clone()
    assert isinstance(clone, RiverDetector) and clone.river_detector is not wrapped.river_detector
    np.testing.assert_array_equal(clone.update_many(xs), first)
    params = wrapped.get_params()
    assert params == wrapped.river_detector._get_params()
    assert params["sliding_window_size"] == 50
    assert repr(wrapped) == f"RiverDetector({wrapped.river_detector!r})"


def test_river_detector_validates_input():
    with pytest.raises(ValueError, match="position 2"):
        RiverDetector(RiverPageHinkley()).update_many([0.0, 1.0, np.nan])
    with pytest.raises(ValueError, match="position 0"):
        RiverDetector(RiverPageHinkley()).update(np.inf)
    with pytest.raises(ValueError, match=r"binary input \(0 or 1\); got 0\.5 at position 1"):
        RiverDetector(river_binary.EDDM()).update_many([1.0, 0.5])
    with pytest.raises(ValueError, match="must be a river drift detector"):
        RiverDetector(object())


def test_river_detections_carries_state_across_calls():
    xs = STREAMS["abrupt-3"]
    det = river_binary.DDM()
    first = river_detections(det, xs[:10_500])
    second = river_detections(det, xs[10_500:]) + 10_500
    np.testing.assert_array_equal(
        np.concatenate([first, second]), river_detections(river_binary.DDM(), xs)
    )
