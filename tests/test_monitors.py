"""Monitors: signals, cadence, warnings, re-baselining and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from detectors.ddm import DDM
from detectors.page_hinkley import PageHinkley
from detectors.window import KS
from simulator.monitors import Monitor, Reference, SignalHistory, SLARule


def history(n=3000, shift_at=None, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    if shift_at is not None:
        X[shift_at:, 1] += 3.0
    proba = np.column_stack([np.full(n, 0.7), np.full(n, 0.3)])
    return SignalHistory(X, np.zeros(n, dtype=np.int64), proba)


def reference(seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(500, 2))
    proba = np.column_stack([np.full(500, 0.7), np.full(500, 0.3)])
    return Reference(X, np.zeros(500, dtype=np.int64), proba)


def test_window_tests_run_at_fixed_sample_indices_whatever_the_split():
    h = history(shift_at=1000)
    whole = Monitor("feature:x1", KS(), every=200, window=200).bind(["x0", "x1"], ["a", "b"])
    whole.rebaseline(reference(), 0)
    split = Monitor("feature:x1", KS(), every=200, window=200).bind(["x0", "x1"], ["a", "b"])
    split.rebaseline(reference(), 0)
    a = whole.observe_data(0, 3000, h)
    b = [x for lo in range(0, 3000, 123) for x in split.observe_data(lo, min(lo + 123, 3000), h)]
    assert [x.time for x in a] == [x.time for x in b]
    assert all((x.time + 1) % 200 == 0 for x in a)
    assert min(x.time for x in a) == 1199  # first window that holds shifted samples: (1000, 1200]
    assert all(x.signal == "feature:x1" and 0 <= x.severity <= 1 for x in a)


def test_model_output_windows_start_after_the_deployment():
    h = history()
    m = Monitor("confidence", KS(), every=100, window=300).bind(["x0", "x1"], ["a", "b"])
    m.rebaseline(reference(), 1000)
    tested = []
    m.detector.test = lambda data, _orig=m.detector.test: tested.append(len(data)) or _orig(data)
    m.observe_data(1000, 1500, h)
    assert len(tested) == 3  # at 1299, 1399, 1499: windows lie after the deploy at 1000


def test_streaming_feature_monitor_has_sample_resolution():
    h = history(shift_at=1500)
    m = Monitor("feature:1", PageHinkley(threshold=100.0)).bind(["x0", "x1"], ["a", "b"])
    alerts = m.observe_data(0, 3000, h)
    assert alerts and 1500 <= alerts[0].time < 1600
    assert alerts[0].detector == "PageHinkley"


def test_one_warning_alert_per_entry_into_the_warning_zone():
    rng = np.random.default_rng(3)
    errors = np.r_[rng.random(3000) < 0.05, rng.random(3000) < 0.2].astype(float)
    times = np.arange(errors.size)
    whole = Monitor("error", DDM())
    split = Monitor("error", DDM())
    y = np.zeros(errors.size, dtype=np.int64)
    pred = errors.astype(np.int64)
    a = whole.observe_labels(times, y, pred, np.ones(errors.size))
    b = []
    for lo in range(0, errors.size, 250):
        sl = slice(lo, lo + 250)
        b += split.observe_labels(times[sl], y[sl], pred[sl], np.ones(250))
    assert [(x.time, x.kind) for x in a] == [(x.time, x.kind) for x in b]
    warnings = [x for x in a if x.kind == "warning"]
    _, warn_idx = DDM().update_many(errors, warnings=True)
    runs = warn_idx[np.r_[True, np.diff(warn_idx) > 1]]
    assert [x.time for x in warnings] == runs.tolist()


def test_label_signals_use_reveal_times():
    m = Monitor("loss", PageHinkley(threshold=5.0, min_instances=5))
    reveal = np.arange(100, 200)
    y = np.zeros(100, dtype=np.int64)
    p_true = np.r_[np.full(50, 0.9), np.full(50, 0.01)]
    alerts = m.observe_labels(reveal, y, y, p_true)
    assert alerts and alerts[0].time >= 150 and alerts[0].time in reveal


def test_signal_and_detector_validation():
    with pytest.raises(ValueError, match="signal must be one of"):
        Monitor("temperature", PageHinkley())
    with pytest.raises(ValueError, match="streaming detector"):
        Monitor("error", KS())
    with pytest.raises(ValueError, match="multivariate"):
        Monitor("features", PageHinkley())
    with pytest.raises(ValueError, match="SLARule"):
        Monitor("metric:f1", PageHinkley())
    with pytest.raises(ValueError, match="computes 'accuracy'"):
        Monitor("metric:f1", SLARule("accuracy"))
    with pytest.raises(ValueError, match="unknown feature 'x9'"):
        Monitor("feature:x9", PageHinkley()).bind(["x0", "x1"], ["a", "b"])
    with pytest.raises(ValueError, match="detector must be"):
        Monitor("error", object())
    with pytest.raises(ValueError, match="metric must be one of"):
        SLARule("auc")


def test_sla_rule_checks_carry_across_calls():
    rule = SLARule("f1", threshold=0.9, consecutive=2, check_size=50)
    y = np.tile([0, 1], 100)
    bad = y.copy()
    bad[::5] = 1 - bad[::5]  # f1 0.8 in every check
    fired = [
        i + lo
        for lo in range(0, 200, 30)
        for i in rule.update_many(y[lo : lo + 30], bad[lo : lo + 30])
    ]
    assert fired == [99, 199]
    assert rule.clone().get_params() == rule.get_params()


def test_fhddm_watches_correctness_not_errors():
    """river's FHDDM fires when the share of ones falls: it must watch ``correct``.
    Fed the error bits instead it misses a rising error rate."""
    from detectors import FHDDM

    rng = np.random.default_rng(5)
    wrong = np.r_[rng.random(2000) < 0.05, rng.random(2000) < 0.4]
    times = np.arange(wrong.size)
    y = np.zeros(wrong.size, dtype=np.int64)
    pred = wrong.astype(np.int64)
    on_correct = Monitor("correct", FHDDM()).observe_labels(times, y, pred, np.ones(wrong.size))
    on_error = Monitor("error", FHDDM()).observe_labels(times, y, pred, np.ones(wrong.size))
    assert on_correct and 2000 <= on_correct[0].time < 2300
    assert not [a for a in on_error if a.time >= 2000]


def test_labels_of_the_previous_model_are_dropped_after_a_rebaseline():
    """After a deployment at 1000, a late label of a sample served at 900 judged the old
    model: it must not reach the new model's error monitor."""
    m = Monitor("error", PageHinkley(threshold=1.0, min_instances=1))
    m.rebaseline(reference(), 1000)
    old = np.arange(900, 950)
    y = np.zeros(50, dtype=np.int64)
    pred = np.r_[np.zeros(25), np.ones(25)].astype(np.int64)  # right, then wrong
    assert m.observe_labels(old + 200, y, pred, np.ones(50), samples=old) == []
    new = np.arange(1000, 1050)
    assert m.observe_labels(new + 200, y, pred, np.ones(50), samples=new)


def test_sla_rule_is_a_rule_not_a_detector():
    # one way to sort detectors: the protocols; an SLA rule is in neither family, so
    # the conformance suite (over detectors.__all__) rightly leaves it out
    import detectors
    from detectors.base import family

    rule = SLARule("accuracy", 0.9, 1, 50)
    assert family(rule) is None and family(SLARule) is None
    assert "SLARule" not in detectors.__all__
    assert Monitor("metric:accuracy", rule).kind == "rule"
    with pytest.raises(ValueError, match=r"streaming detector .*window test .*SLARule"):
        Monitor("error", object())
