"""Agreement with river 0.26.1: ADWIN, HDDM_A, HDDM_W and KSWIN flag exactly river's indices.

river's detector is fed the same seeded stream element by element, with the same
parameters (river's defaults and at least one other set), and must flag drift, and warn
where the method has a warning zone, at exactly the same indices as our compiled kernel.

Where river's behaviour is questionable we match it, and say so here:

* ADWIN: at a detection river's Rust core shrinks the window (drops the oldest buckets
  until no cut fires), but ``river.drift.ADWIN.update`` then calls ``_reset()`` on the
  next value, so the shrunk window is thrown away and the detector starts empty (its
  ``n_detections`` also returns to 0). ADWIN's adaptive window therefore never carries
  over a detection in river; ours does the same.
* HDDM_A / HDDM_W with ``two_sided_test=True``: when one side signals drift and the
  other a warning at the same step, river reports ``warning_detected`` and
  ``drift_detected`` together. Our warning indices leave out drift steps (the base
  class's ``warning_detected`` is false at a drift), so we compare with river's
  "warning and not drift".
* KSWIN: at a detection river keeps the newest ``stat_size`` values as the new window,
  but the next ``update`` calls ``_reset()``, which empties the window and re-seeds the
  generator, so the kept values are discarded and every restart replays the same random
  draws. Ours restarts the same way.
"""

from __future__ import annotations

import numpy as np
import pytest
from river.drift import ADWIN as RiverADWIN
from river.drift import KSWIN as RiverKSWIN
from river.drift.binary import HDDMA as RiverHDDMA
from river.drift.binary import HDDMW as RiverHDDMW

from detectors.adwin import ADWIN
from detectors.hddm import HDDM_A, HDDM_W
from detectors.kswin import KSWIN
from detectors.river_adapter import river_detections

_SEEDS = {"none": 11, "abrupt": 12, "gradual": 13, "several": 14, "decrease": 15, "variance": 16}


def _river_indices(detector, xs: np.ndarray) -> tuple[list[int], list[int]]:
    """Drift indices and warning-without-drift indices of a river detector."""
    drifts, warns = river_detections(detector, xs, warnings=True)
    return drifts.tolist(), warns.tolist()


def _ramp(n: int, before: float, after: float, start: int, width: int) -> np.ndarray:
    weight = np.clip((np.arange(n) - start) / width, 0.0, 1.0)
    return before + (after - before) * weight


def _pieces(n: int, levels: list[float]) -> np.ndarray:
    """``levels`` in equal consecutive pieces over ``n`` values."""
    return np.asarray(levels)[np.arange(n) * len(levels) // n]


def _bernoulli(name: str, n: int = 20_000) -> np.ndarray:
    """Seeded error streams: no drift, abrupt, gradual (mixture), several, decrease."""
    rng = np.random.default_rng(_SEEDS[name])
    half = n // 2
    if name == "none":
        p = np.full(n, 0.2)
    elif name == "abrupt":
        p = np.where(np.arange(n) < half, 0.2, 0.45)
    elif name == "gradual":
        # each value comes from the new concept with a probability rising over 6000 values
        new = rng.random(n) < _ramp(n, 0.0, 1.0, half - 3000, 6000)
        p = np.where(new, 0.4, 0.1)
    elif name == "several":
        p = _pieces(n, [0.1, 0.3, 0.1, 0.5, 0.2, 0.35])
    else:  # decrease
        p = np.where(np.arange(n) < half, 0.4, 0.1)
    return (rng.random(n) < p).astype(np.float64)


def _gaussian(name: str, n: int = 20_000) -> np.ndarray:
    """Seeded real-valued streams: no drift, abrupt, gradual (ramping mean), several,
    variance change."""
    rng = np.random.default_rng(_SEEDS[name] + 100)
    half = n // 2
    if name == "none":
        return rng.normal(0.0, 1.0, n)
    if name == "abrupt":
        return rng.normal(np.where(np.arange(n) < half, 0.0, 0.5), 1.0)
    if name == "gradual":
        return rng.normal(_ramp(n, 0.0, 1.0, half - 3000, 6000), 1.0)
    if name == "several":
        return rng.normal(_pieces(n, [0.0, 1.0, -0.5, 0.5, 2.0, 0.0]), 1.0)
    return rng.normal(0.0, np.where(np.arange(n) < half, 1.0, 3.0))  # variance


BERNOULLI = ["none", "abrupt", "gradual", "several", "decrease"]
GAUSSIAN = ["none", "abrupt", "gradual", "several", "variance"]

ADWIN_PARAMS = [
    {},
    {"delta": 0.05, "clock": 1, "max_buckets": 3, "min_window_length": 10, "grace_period": 50},
    {"delta": 0.0001, "clock": 8, "max_buckets": 8},
]


@pytest.mark.parametrize("params", ADWIN_PARAMS, ids=["default", "eager", "strict"])
def test_adwin_matches_river(params):
    """ADWIN on 5 Bernoulli and 5 Gaussian streams of 20,000 values: same drift indices."""
    total = 0
    for name in BERNOULLI:
        xs = _bernoulli(name)
        expected, _ = _river_indices(RiverADWIN(**params), xs)
        assert ADWIN(**params).update_many(xs).tolist() == expected, name
        total += len(expected)
    for name in GAUSSIAN:
        xs = _gaussian(name)
        expected, _ = _river_indices(RiverADWIN(**params), xs)
        assert ADWIN(**params).update_many(xs).tolist() == expected, name
        total += len(expected)
    assert total >= 10  # the comparison covered many detections, not only silence


HDDM_CASES = [
    (HDDM_A, RiverHDDMA, {}),
    (
        HDDM_A,
        RiverHDDMA,
        {"drift_confidence": 0.0005, "warning_confidence": 0.01, "two_sided_test": True},
    ),
    (HDDM_W, RiverHDDMW, {}),
    (
        HDDM_W,
        RiverHDDMW,
        {
            "drift_confidence": 0.0005,
            "warning_confidence": 0.01,
            "lambda_val": 0.1,
            "two_sided_test": True,
        },
    ),
]


@pytest.mark.parametrize(
    ("ours", "theirs", "params"),
    HDDM_CASES,
    ids=["HDDM_A-default", "HDDM_A-two-sided", "HDDM_W-default", "HDDM_W-two-sided"],
)
def test_hddm_matches_river(ours, theirs, params):
    """HDDM_A / HDDM_W on 5 Bernoulli streams of 20,000 values: same drift and warning
    indices (river's warnings counted where it does not also signal drift)."""
    n_drifts = n_warns = 0
    for name in BERNOULLI:
        xs = _bernoulli(name)
        expected_drifts, expected_warns = _river_indices(theirs(**params), xs)
        drifts, warns = ours(**params).update_many(xs, warnings=True)
        assert drifts.tolist() == expected_drifts, name
        assert warns.tolist() == expected_warns, name
        n_drifts += len(expected_drifts)
        n_warns += len(expected_warns)
    assert n_drifts >= 4 and n_warns >= 50


def test_hddm_final_flags_match_river():
    """After each of several pieces of a stream, ``drift_detected`` and
    ``warning_detected`` are river's (with river's warning counted only without drift)."""
    xs = _bernoulli("several")[:6000]
    for ours, theirs, params in HDDM_CASES:
        river_det, det = theirs(**params), ours(**params)
        start = 0
        for stop in (1017, 2340, 3100, 3403, 5050, xs.size):
            _river_indices(river_det, xs[start:stop])
            det.update_many(xs[start:stop])
            assert det.drift_detected == river_det.drift_detected
            assert det.warning_detected == (
                river_det.warning_detected and not river_det.drift_detected
            )
            start = stop


KSWIN_CASES = [
    ({"seed": 1}, 1200, ["gaussian-several"]),
    # 0/1 values: the KS statistic with heavy ties
    ({"seed": 1}, 1200, ["abrupt"]),
    ({"seed": 7, "alpha": 0.01, "window_size": 60, "stat_size": 20}, 1200, ["gaussian-none"]),
    # a population of 140 > CPython's set-size threshold: random.sample's other branch
    ({"seed": 3, "alpha": 0.02, "window_size": 150, "stat_size": 10}, 1200, ["gaussian-abrupt"]),
]


def _kswin_stream(name: str, n: int) -> np.ndarray:
    if name.startswith("gaussian-"):
        xs = _gaussian(name.removeprefix("gaussian-"))
        return np.concatenate([xs[: n // 2], xs[-(n - n // 2) :] + 0.5])
    xs = _bernoulli(name)
    return np.concatenate([xs[: n // 2], xs[-(n - n // 2) :]])


@pytest.mark.parametrize(
    ("params", "n", "names"), KSWIN_CASES, ids=["default", "binary", "small", "set"]
)
def test_kswin_matches_river_exactly(params, n, names):
    """KSWIN with the same seed flags exactly river's indices: the kernel reproduces
    Python's ``random.Random(seed).sample`` draws and scipy's ``ks_2samp`` decision.
    (Streams are short because river's KSWIN costs ~0.5 ms per value.)"""
    total = 0
    for name in names:
        xs = _kswin_stream(name, n)
        expected, _ = _river_indices(RiverKSWIN(**params), xs)
        assert KSWIN(**params).update_many(xs).tolist() == expected, name
        total += len(expected)
    assert total >= 1


def test_kswin_prefilled_window_matches_river():
    """A pre-filled ``window`` (longer than ``window_size``: the last values are kept)."""
    rng = np.random.default_rng(21)
    history = rng.normal(0.0, 1.0, 130).tolist()
    xs = rng.normal(np.repeat([0.0, 1.2], 300), 1.0)
    expected, _ = _river_indices(RiverKSWIN(seed=9, window=history), xs)
    assert KSWIN(seed=9, window=history).update_many(xs).tolist() == expected
    assert expected


def test_hddm_a_step_with_both_drift_and_warning():
    """river's two-sided HDDMA can report drift and warning at one step (see the module
    docstring); we flag the drift there, not the warning, and agree everywhere else."""
    rng = np.random.default_rng(8)
    p = np.repeat(rng.choice([0.05, 0.5, 0.95], size=20), 150)
    xs = (rng.random(p.size) < p).astype(np.float64)
    params = {"two_sided_test": True, "warning_confidence": 0.2, "drift_confidence": 0.001}
    river_det = RiverHDDMA(**params)
    both = []
    for i, x in enumerate(xs.tolist()):
        river_det.update(x)
        if river_det.drift_detected and river_det.warning_detected:
            both.append(i)
    assert both  # the case exists on this stream
    expected_drifts, expected_warns = _river_indices(RiverHDDMA(**params), xs)
    drifts, warns = HDDM_A(**params).update_many(xs, warnings=True)
    assert drifts.tolist() == expected_drifts
    assert warns.tolist() == expected_warns
    assert set(both) <= set(drifts.tolist()) and not set(both) & set(warns.tolist())
