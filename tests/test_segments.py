"""Segments: a drift confined to one segment, and a monitor that tests per segment.

The teaching case (also notebooks/08_segments.py): Agrawal loan applicants, nine
zipcodes (~1/9 of the samples each). From sample 3,000 the salaries of zipcode 3 shift
by 1.5 standard deviations; nothing else changes. A KS test over all applicants sees an
eleventh of that shift and stays quiet; the same KS test per zipcode, Bonferroni-
corrected over the nine zipcodes, alarms after the onset and names zipcode 3.
"""

from __future__ import annotations

import numpy as np
import pytest

from detectors import KS, SegmentedTest
from detectors.window import SegmentResult
from simulator import (
    CallbackSink,
    DeploymentLoop,
    Drift,
    DriftStream,
    Monitor,
    Never,
    load_dataset,
)

ONSET, N = 3000, 8000
TRACES: dict = {}  # the runs' traces, by seed
ZIP = 3


def local_shift_stream(seed: int = 0, drifts=None) -> DriftStream:
    ds = load_dataset("agrawal", n_samples=2000, seed=seed)
    if drifts is None:
        drifts = [Drift("covariate", ONSET, severity=1.0, features=["salary"],
                        segment={"feature": "zipcode", "values": [ZIP]})]
    return DriftStream(ds, drifts, n_samples=N, seed=seed)


def watch(seed: int) -> tuple[list[int], list[int], list]:
    """Alert times of the global and the per-zipcode KS monitors (both at level 0.01,
    every 250 samples on the last 500), and the per-zipcode alerts as sinks get them."""
    stream = local_shift_stream(seed)
    zipcode = stream.feature_names.index("zipcode")
    monitors = [
        Monitor("features", KS(alpha=0.01), every=250, window=500, name="global KS"),
        Monitor("features", SegmentedTest(KS(), segment=zipcode, alpha=0.01), every=250,
                window=500, name="per-zipcode KS"),
    ]
    received: list = []
    trace = DeploymentLoop(stream, monitors=monitors, policy=Never(), seed=seed,
                           initial_train=2000, alert_sinks=[CallbackSink(received.extend)]).run()
    TRACES[seed] = trace
    alerts = [e for e in trace.events if e.type == "alert"]
    times = [[e.time for e in alerts if e.details["monitor"] == m]
             for m in ("global KS", "per-zipcode KS")]
    return times[0], times[1], [a for a in received if a.monitor == "per-zipcode KS"]


def test_global_test_misses_the_local_drift_and_the_per_segment_test_finds_it():
    """The notebook's run (seed 0): the global test never alarms; the per-zipcode test
    alarms at its first check after the onset, at no check before it, and every alert
    names zipcode 3 (its code, 3.0)."""
    global_alerts, segment_alerts, received = watch(0)
    assert global_alerts == []
    assert segment_alerts and min(segment_alerts) == ONSET + 499
    assert all(t >= ONSET for t in segment_alerts)
    assert received and all(a.details["segments"] == [float(ZIP)] for a in received)
    assert TRACES[0].events and all(
        e.details["segments"] == [float(ZIP)] for e in TRACES[0].events
        if e.type == "alert" and e.details["monitor"] == "per-zipcode KS"
    )


def test_over_seeds_the_per_segment_test_is_the_one_that_finds_it():
    """Seeds 1-5: the per-zipcode test finds the drift within 1,250 samples every time,
    never before the onset; the global test stays silent in at least 4 of 5 runs."""
    silent = 0
    for seed in range(1, 6):
        global_alerts, segment_alerts, received = watch(seed)
        silent += not global_alerts
        assert segment_alerts and ONSET <= min(segment_alerts) < ONSET + 1250
        assert all(a.details["segments"] == [float(ZIP)] for a in received)
    assert silent >= 4


def test_the_drift_touches_only_its_segment():
    stream = local_shift_stream()
    X, _, truth = stream.take(N)
    clean, _, _ = local_shift_stream(drifts=[]).take(N)
    zipcode = stream.feature_names.index("zipcode")
    inside = X[:, zipcode] == ZIP
    after = np.arange(N) >= ONSET
    np.testing.assert_array_equal(truth[:, 0], (inside & after).astype(float))
    moved = ~np.isclose(X, clean).all(axis=1)
    np.testing.assert_array_equal(moved, inside & after)
    # only the salary column moved, by one of its standard deviations
    salary = stream.feature_names.index("salary")
    diff = X[moved] - clean[moved]
    assert np.allclose(np.delete(diff, salary, axis=1), 0.0)
    assert np.allclose(diff[:, salary], stream.dataset.X[:, salary].std())


def test_segment_test_corrects_across_segments_under_no_drift():
    """No drift anywhere: over many windows, per-segment KS with Bonferroni across nine
    zipcodes alarms no more often than alpha (it would, uncorrected, ~9 times as often)."""
    X, _, _ = local_shift_stream(drifts=[]).take(N)
    zipcode = 5
    test = SegmentedTest(KS(), segment=zipcode, alpha=0.05).fit(X[:2000])
    uncorrected = SegmentedTest(KS(), segment=zipcode, alpha=0.05 * 9).fit(X[:2000])
    windows = [X[i : i + 500] for i in range(2000, N - 500, 100)]
    rate = np.mean([test.test(w).drift for w in windows])
    assert rate <= 0.1
    per = [test.test(w).per_segment for w in windows]
    assert all(isinstance(r, SegmentResult) and len(r.segments) == 9 for r in per)
    np.testing.assert_allclose(per[0].adjusted_p_value, np.minimum(per[0].p_value * 9, 1.0))
    assert np.mean([uncorrected.test(w).drift for w in windows]) >= rate


def test_segment_by_range_and_by_category_label():
    iris = load_dataset("iris")
    stream = DriftStream(iris, [Drift("concept", 100, segment={"feature": 2, "low": 4.0})],
                         n_samples=600, seed=0)
    X, _, truth = stream.take(600)
    np.testing.assert_array_equal(truth[100:, 0], (X[100:, 2] >= 4.0).astype(float))
    stagger = load_dataset("stagger", n_samples=300)
    s = DriftStream(stagger, [Drift("concept", 0, transform="switch",
                                    to={"classification_function": 2},
                                    segment={"feature": "color", "values": ["green"]})],
                    n_samples=2000, seed=0)
    X, y, truth = s.take(2000)
    green = X[:, 1] == 2
    np.testing.assert_array_equal(truth[:, 0], green.astype(float))
    gen = stagger.generator
    np.testing.assert_array_equal(y[green], gen.rule(X[green], {"classification_function": 2}))
    np.testing.assert_array_equal(y[~green], gen.rule(X[~green]))


@pytest.mark.parametrize(
    ("segment", "message"),
    [
        ({"feature": "zipcode"}, "exactly one of values"),
        ({"feature": "zipcode", "values": [1], "low": 0}, "exactly one of values"),
        ({"feature": 1.5, "values": [1]}, "feature name or index"),
        ({"feature": 0, "low": 3, "high": 1}, "low must be < high"),
        ({"feature": 0, "colour": 1, "values": [1]}, "unknown segment key"),
    ],
)
def test_bad_segments_name_the_problem(segment, message):
    with pytest.raises(ValueError, match=message):
        Drift("covariate", 0, segment=segment)


def test_segments_are_refused_where_they_cannot_apply():
    with pytest.raises(ValueError, match="before a sample's segment is known"):
        Drift("prior", 0, toward=0, segment={"feature": 0, "values": [1]})
    with pytest.raises(ValueError, match="not a feature; allowed"):
        DriftStream(load_dataset("iris"), [Drift("covariate", 0, segment={
            "feature": "region", "values": [1]})], n_samples=10)
    with pytest.raises(ValueError, match="not a category of 'color'"):
        DriftStream(load_dataset("stagger", n_samples=50), [Drift("concept", 0, segment={
            "feature": "color", "values": ["purple"]})], n_samples=10)
    with pytest.raises(ValueError, match="segment column and at least one feature"):
        SegmentedTest(KS(), segment=0).fit(np.zeros((50, 1)))
    with pytest.raises(ValueError, match="not a column"):
        SegmentedTest(KS(), segment="region").fit(np.zeros((50, 2)))
