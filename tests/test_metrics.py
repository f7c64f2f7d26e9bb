"""The scoring functions: hand-worked detection, recovery and cost cases, baselines, errors.

Every expected number below is worked out by hand from the definitions in the module
docstrings of ``experiments.metrics.detection`` and ``experiments.metrics.recovery``;
the working is in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from experiments.metrics import (
    ALARM_LABELS,
    BASELINE_KINDS,
    alert_times,
    baseline_alarms,
    detection_delays,
    false_alarm_rate,
    match_alarms,
    mdr,
    mtd,
    mtfa,
    mtr,
    precision,
    recall,
    recovery,
    rolling_accuracy,
    run_costs,
    score_detections,
    score_run,
    score_with_baselines,
    time_to_recover,
)
from simulator.stream import DriftEvent
from simulator.trace import Trace, TraceBuilder

nan = math.nan

DETECTION_KEYS = [
    "events",
    "benign_events",
    "alarms",
    "detections",
    "detection_alarms",
    "missed",
    "repeat_alarms",
    "false_alarms",
    "benign_alarms",
    "drift_free_samples",
    "false_alarm_rate",
    "detection_delay_mean",
    "detection_delay_median",
    "detection_delay_from_end_mean",
    "missed_detection_rate",
    "mtfa",
    "mtd",
    "mtr",
    "precision",
    "recall",
    "f1",
]


def same(a: float, b: float) -> bool:
    """Equal, with nan equal to nan (the measures use nan for 'undefined')."""
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b)


def benign(onset: int, end: int | None = None) -> dict:
    return {"onset": onset, "end": onset if end is None else end, "harmful": False}


# ------------------------------------------------------------ detection: edge cases


def test_alarm_exactly_at_onset_is_a_detection_with_zero_delay():
    m = match_alarms([100], [100], n_samples=1000, horizon=50)
    assert m.alarm_labels.tolist() == ["detection"]
    assert m.detection_time.tolist() == [100]
    assert detection_delays(m).tolist() == [0]
    assert mtd(m) == 0.0


def test_alarm_one_before_onset_is_false():
    m = match_alarms([99], [100], n_samples=1000, horizon=50)
    assert m.alarm_labels.tolist() == ["false"]
    assert m.n_missed == 1


def test_alarm_exactly_at_the_horizon_is_not_a_detection():
    # window [100, 150): 150 is outside, 149 is the last sample inside
    late = match_alarms([150], [100], n_samples=1000, horizon=50)
    assert late.alarm_labels.tolist() == ["false"]
    assert late.detection_time.tolist() == [-1]
    last = match_alarms([149], [100], n_samples=1000, horizon=50)
    assert last.alarm_labels.tolist() == ["detection"]
    assert detection_delays(last).tolist() == [49]


def test_alarm_at_next_onset_minus_one_detects_the_first_event():
    # no horizon: windows [100, 300) and [300, 1000)
    m = match_alarms([299], [100, 300], n_samples=1000)
    assert m.window_stop.tolist() == [300, 1000]
    assert m.detection_time.tolist() == [299, -1]
    assert detection_delays(m).tolist() == [199]
    # one sample later it is the second event's detection
    m = match_alarms([300], [100, 300], n_samples=1000)
    assert m.detection_time.tolist() == [-1, 300]


def test_two_drifts_close_together_cut_the_first_window():
    # horizon 100, onsets 100 and 130: windows [100, 130) and [130, 230)
    m = match_alarms([110, 120, 135, 240], [100, 130], n_samples=1000, horizon=100)
    assert m.window_stop.tolist() == [130, 230]
    assert m.alarm_labels.tolist() == ["detection", "repeat", "detection", "false"]
    assert m.alarm_event.tolist() == [0, 0, 1, -1]
    assert detection_delays(m).tolist() == [10, 5]
    # drift-free = 1000 - 30 - 100 = 870; 1 false alarm
    assert m.drift_free_samples == 870
    assert false_alarm_rate(m) == pytest.approx(1000 / 870)
    assert mtfa(m) == 870.0
    assert mtd(m) == 7.5
    assert mdr(m) == 0.0
    assert mtr(m) == pytest.approx(870 / 7.5)
    # 2 detection alarms out of 4 scored alarms
    assert precision(m) == 0.5
    assert recall(m) == 1.0


def test_no_drifts_at_all():
    s = score_detections([99, 499, 899], [], n_samples=1000, horizon=100)
    assert s["events"] == 0 and s["detections"] == 0 and s["missed"] == 0
    assert s["false_alarms"] == 3
    assert s["drift_free_samples"] == 1000
    assert s["false_alarm_rate"] == 3.0
    assert s["mtfa"] == pytest.approx(1000 / 3)
    for key in ("mtd", "detection_delay_mean", "missed_detection_rate", "recall", "mtr", "f1"):
        assert math.isnan(s[key]), key
    assert s["precision"] == 0.0


def test_no_alarms_at_all():
    s = score_detections([], [100, 600], n_samples=1000, horizon=100)
    assert s["alarms"] == 0 and s["detections"] == 0
    assert s["missed"] == 2
    assert s["missed_detection_rate"] == 1.0
    assert s["recall"] == 0.0
    assert s["false_alarms"] == 0
    assert s["false_alarm_rate"] == 0.0
    # drift-free = 1000 - 2 * 100
    assert s["drift_free_samples"] == 800
    for key in ("precision", "mtfa", "mtd", "mtr", "f1"):
        assert math.isnan(s[key]), key


def test_benign_drift_with_an_alarm_is_a_benign_alarm():
    # benign event at 200, horizon 100: window [200, 300)
    s = score_detections([250, 700], [benign(200)], n_samples=1000, horizon=100)
    assert s["benign_alarms"] == 1
    assert s["false_alarms"] == 1
    assert s["detections"] == 0 and s["events"] == 0 and s["benign_events"] == 1
    # the benign window is not drift-free: 1 false alarm on 900 samples
    assert s["drift_free_samples"] == 900
    assert s["false_alarm_rate"] == pytest.approx(1000 / 900)
    # precision ignores benign alarms: 0 detections of 1 scored alarm
    assert s["precision"] == 0.0


def test_benign_drift_inside_a_harmful_window_does_not_cut_it():
    # harmful 100 (no horizon, so window [100, 1000)), benign at 150 with window [150, 1000)
    m = match_alarms([160, 170], [100, benign(150)], n_samples=1000)
    assert m.window_stop.tolist() == [1000, 1000]
    assert m.alarm_labels.tolist() == ["detection", "repeat"]
    assert m.detection_time.tolist() == [160, -1]
    assert m.alarm_event.tolist() == [0, 0]


def test_benign_drift_before_a_harmful_one_is_cut_at_its_onset():
    # benign 100 -> window [100, 150); harmful 150 -> [150, 350)
    m = match_alarms([120, 160], [benign(100), 150], n_samples=1000, horizon=200)
    assert m.window_stop.tolist() == [150, 350]
    assert m.alarm_labels.tolist() == ["benign", "detection"]
    assert m.alarm_event.tolist() == [0, 1]
    assert m.drift_free_samples == 1000 - 250


def test_harmful_window_is_cut_by_the_next_harmful_onset_not_by_a_benign_one():
    # harmful 100, benign 200, harmful 300; horizon none
    events = [100, benign(200), 300]
    m = match_alarms([250, 260, 310], events, n_samples=1000)
    assert m.window_stop.tolist() == [300, 300, 1000]
    assert m.alarm_labels.tolist() == ["detection", "repeat", "detection"]


def test_recurring_drift_onset_and_return_are_separate_events():
    # a recurring drift: onset at 1000, return at 2000; each change point is an event
    events = [
        {"drift_index": 0, "onset": 1000, "end": 1000, "is_return": False, "harmful": True},
        {"drift_index": 0, "onset": 2000, "end": 2000, "is_return": True, "harmful": True},
    ]
    s = score_detections([1040, 2100, 2200], events, n_samples=3000, horizon=500)
    assert s["events"] == 2 and s["detections"] == 2 and s["repeat_alarms"] == 1
    assert s["detection_delay_mean"] == 70.0  # (40 + 100) / 2


def test_a_benign_return_is_not_a_target():
    events = [
        {"onset": 1000, "harmful": True},
        {"onset": 2000, "is_return": True, "harmful": False},
    ]
    s = score_detections([2010], events, n_samples=3000, horizon=500)
    assert s["events"] == 1 and s["benign_events"] == 1
    assert s["benign_alarms"] == 1 and s["missed"] == 1


def test_events_sharing_an_onset_are_detected_by_one_alarm():
    s = score_detections([105, 110], [100, 100], n_samples=1000, horizon=50)
    assert s["detections"] == 2 and s["detection_alarms"] == 1 and s["repeat_alarms"] == 1
    assert s["missed"] == 0 and s["recall"] == 1.0
    assert s["precision"] == 0.5


def test_delay_from_the_end_of_a_gradual_drift():
    # gradual drift ramping from 1000 to 1400; detections at 1100 and (second event) 3050
    events = [{"onset": 1000, "end": 1400}, {"onset": 3000, "end": 3000}]
    s = score_detections([1100, 3050], events, n_samples=5000)
    assert s["detection_delay_mean"] == 75.0  # (100 + 50) / 2
    assert s["detection_delay_from_end_mean"] == -125.0  # (-300 + 50) / 2
    assert s["detection_delay_median"] == 75.0


def test_mtr_is_infinite_when_every_detection_is_at_its_onset():
    m = match_alarms([100, 500], [100], n_samples=1000, horizon=100)
    assert mtd(m) == 0.0
    assert mtr(m) == math.inf


def test_overlapping_windows_count_once_in_the_drift_free_samples():
    # benign 100 (window [100, 200) cut by the next onset), harmful 200 ([200, 500)),
    # benign 300 overlapping it ([300, 600)): union [100, 600) = 500 samples
    m = match_alarms([], [benign(100), 200, benign(300)], n_samples=1000, horizon=300)
    assert m.window_stop.tolist() == [200, 500, 600]
    assert m.drift_free_samples == 500


def test_duplicate_and_unsorted_alarms():
    m = match_alarms([120, 50, 120], [100], n_samples=1000, horizon=100)
    assert m.alarm_times.tolist() == [50, 120, 120]
    assert m.alarm_labels.tolist() == ["false", "detection", "repeat"]


def test_the_worked_example_of_the_module_docstring():
    # horizon 200; harmful 100 -> [100, 300), benign 400 -> [400, 600), harmful 600 ->
    # [600, 800). Alarms: 50 F, 100 D, 150 R, 320 F, 450 B, 650 D, 900 F.
    events = [100, benign(400), 600]
    s = score_detections([50, 100, 150, 320, 450, 650, 900], events, 1000, horizon=200)
    assert s == pytest.approx(
        {
            "events": 2,
            "benign_events": 1,
            "alarms": 7,
            "detections": 2,
            "detection_alarms": 2,
            "missed": 0,
            "repeat_alarms": 1,
            "false_alarms": 3,
            "benign_alarms": 1,
            "drift_free_samples": 400,
            "false_alarm_rate": 7.5,  # 3 / 400 * 1000
            "detection_delay_mean": 25.0,  # (0 + 50) / 2
            "detection_delay_median": 25.0,
            "detection_delay_from_end_mean": 25.0,
            "missed_detection_rate": 0.0,
            "mtfa": 400 / 3,
            "mtd": 25.0,
            "mtr": 400 / 3 / 25,
            "precision": 2 / 6,  # benign alarm left out
            "recall": 1.0,
            "f1": 2 * (1 / 3) / (1 / 3 + 1),
        }
    )
    assert list(s) == DETECTION_KEYS


def test_counts_are_ints_and_labels_are_the_documented_ones():
    s = score_detections([1, 2], [1], n_samples=10)
    for key in DETECTION_KEYS[:10]:
        assert type(s[key]) is int, key
    m = match_alarms([0, 1, 2, 5], [1, benign(5)], n_samples=10, horizon=2)
    assert set(m.alarm_labels.tolist()) == set(ALARM_LABELS)


def test_events_as_drift_event_objects_dicts_and_ints_agree():
    obj = DriftEvent(
        drift_index=0,
        onset=100,
        end=300,
        kind="covariate",
        profile="gradual",
        transform="shift",
        severity=0.5,
        is_return=False,
        harmful=True,
        accuracy_drop=0.2,
        accuracy_before=0.9,
        accuracy_after=0.7,
    )
    as_dict = {"onset": 100, "end": 300, "harmful": True, "kind": "covariate"}
    alarms = [120, 500]
    a = score_detections(alarms, [obj], 1000, horizon=100)
    b = score_detections(alarms, [as_dict], 1000, horizon=100)
    assert a == b
    # an int is an abrupt harmful event: same but for the delay from the end
    c = score_detections(alarms, [100], 1000, horizon=100)
    assert {k: v for k, v in c.items() if k != "detection_delay_from_end_mean"} == {
        k: v for k, v in a.items() if k != "detection_delay_from_end_mean"
    }
    assert a["detection_delay_from_end_mean"] == -180.0
    assert c["detection_delay_from_end_mean"] == 20.0


def test_match_arrays_are_read_only():
    m = match_alarms([5], [1], n_samples=10)
    with pytest.raises(ValueError):
        m.detection_time[0] = 3


@pytest.mark.parametrize(
    ("alarms", "events", "n", "horizon", "message"),
    [
        ([10], [], 10, None, r"alarm_times must lie in \[0, 10\).*got 10"),
        ([-1], [], 10, None, r"alarm_times must lie in \[0, 10\).*got -1"),
        ([1.5], [], 10, None, "alarm_times must be integer sample indices"),
        ([[1]], [], 10, None, "alarm_times must be a 1-d sequence"),
        ([], [10], 10, None, r"events\[0\] onset must be < n_samples \(10\), got 10"),
        ([], [{"onset": 5, "end": 4}], 10, None, r"events\[0\] end must be >= 5, got 4"),
        ([], [{"onset": 5, "harmful": "yes"}], 10, None, r"events\[0\] harmful must be a bool"),
        ([], [{"start": 5}], 10, None, r"events\[0\] has no 'onset'"),
        ([], [-3], 10, None, r"events\[0\] onset must be >= 0"),
        ([], {"onset": 3}, 10, None, "events must be a sequence"),
        ([], [], 10, 0, "horizon must be >= 1, got 0"),
        ([], [], 10, 2.5, "horizon must be an integer"),
        ([], [], -1, None, "n_samples must be >= 0"),
    ],
)
def test_bad_input_names_the_value(alarms, events, n, horizon, message):
    with pytest.raises(ValueError, match=message):
        match_alarms(alarms, events, n, horizon)


def test_integral_float_alarm_times_are_accepted():
    assert match_alarms(np.array([3.0, 7.0]), [], 10).alarm_times.tolist() == [3, 7]


def test_false_alarm_rate_per_other_units():
    m = match_alarms([10, 20], [], n_samples=400)
    assert false_alarm_rate(m, per=100) == 0.5
    with pytest.raises(ValueError, match="per must be >= 1"):
        false_alarm_rate(m, per=0)


# ------------------------------------------------------------ baselines


def test_periodic_baseline_equals_the_periodic_alarm_detector():
    """``baseline_alarms("periodic")`` = ``detectors.baselines.PeriodicAlarm``'s alarms."""
    from detectors.baselines import PeriodicAlarm

    for every, n in [(1, 7), (4, 10), (4, 3), (250, 1000), (333, 1000), (7, 1)]:
        expected = PeriodicAlarm(every).update_many(np.zeros(n))
        assert np.array_equal(baseline_alarms("periodic", n, every=every), expected)
    # and by hand
    assert baseline_alarms("periodic", 10, every=4).tolist() == [3, 7]


def test_random_baseline_equals_the_random_alarm_detector():
    """``baseline_alarms("random")`` = ``detectors.baselines.RandomAlarm``'s alarms.

    The stream is longer than the chunk the numpy version works in, so chunk borders
    are covered.
    """
    from detectors.baselines import RandomAlarm

    for rate, seed, n in [(0.01, 1, 1000), (0.3, 7, 5000), (0.001, 0, (1 << 20) + 5000)]:
        expected = RandomAlarm(rate=rate, seed=seed).update_many(np.zeros(n))
        got = baseline_alarms("random", n, rate=rate, seed=seed)
        assert got.dtype == np.int64
        assert np.array_equal(got, expected)


def test_random_baseline_fires_at_its_rate_and_depends_on_the_seed():
    n, rate = 200_000, 0.01
    a = baseline_alarms("random", n, rate=rate, seed=3)
    # binomial: mean 2000, sd ~ 44.5; 6 sd is far beyond chance
    assert abs(a.size - n * rate) < 6 * math.sqrt(n * rate * (1 - rate))
    assert np.array_equal(a, baseline_alarms("random", n, rate=rate, seed=3))
    assert not np.array_equal(a, baseline_alarms("random", n, rate=rate, seed=4))
    # a prefix of the stream has a prefix of the alarms
    assert np.array_equal(baseline_alarms("random", 5000, rate=rate, seed=3), a[a < 5000])
    assert baseline_alarms("random", 100, rate=0.0).size == 0
    assert baseline_alarms("random", 100, rate=1.0).tolist() == list(range(100))


def test_never_always_and_periodic_by_rate():
    assert baseline_alarms("never", 50).tolist() == []
    assert baseline_alarms("always", 4).tolist() == [0, 1, 2, 3]
    # 1 / 0.3 = 3.33 -> every 3; 1 / 0.4 = 2.5 -> rounds up to 3; 1 / 0.6 = 1.67 -> 2
    assert baseline_alarms("periodic", 10, rate=0.3).tolist() == [2, 5, 8]
    assert baseline_alarms("periodic", 10, rate=0.4).tolist() == [2, 5, 8]
    assert baseline_alarms("periodic", 10, rate=0.6).tolist() == [1, 3, 5, 7, 9]
    assert baseline_alarms("periodic", 10, rate=0.0).tolist() == []
    assert set(BASELINE_KINDS) == {"never", "periodic", "random", "always"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "sometimes", "n_samples": 5}, "kind must be one of"),
        ({"kind": "periodic", "n_samples": 5}, "exactly one of every= or rate=, got neither"),
        (
            {"kind": "periodic", "n_samples": 5, "every": 2, "rate": 0.5},
            "exactly one of every= or rate=, got both",
        ),
        ({"kind": "random", "n_samples": 5}, "the random baseline needs rate="),
        ({"kind": "random", "n_samples": 5, "rate": 1.5}, "rate must be <= 1.0"),
        ({"kind": "periodic", "n_samples": 5, "every": 0}, "every must be >= 1"),
        ({"kind": "never", "n_samples": 5, "seed": -1}, "seed must be >= 0"),
    ],
)
def test_baseline_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        baseline_alarms(**kwargs)


def test_score_with_baselines_uses_the_detectors_alarm_rate():
    alarms = [105, 310, 620, 900]
    events = [100, 600]
    scores = score_with_baselines(alarms, events, 1000, horizon=100, seed=5)
    assert list(scores) == ["detector", "never", "periodic", "random"]
    assert scores["detector"] == score_detections(alarms, events, 1000, horizon=100)
    # 4 alarms on 1000 samples: periodic every 250 -> 249, 499, 749, 999
    periodic = score_detections([249, 499, 749, 999], events, 1000, horizon=100)
    assert scores["periodic"] == periodic
    random = baseline_alarms("random", 1000, rate=4 / 1000, seed=5)
    assert scores["random"] == score_detections(random, events, 1000, horizon=100)
    assert scores["never"]["alarms"] == 0 and scores["never"]["missed"] == 2


def test_score_with_baselines_with_no_alarms_has_silent_baselines():
    scores = score_with_baselines([], [100], 1000)
    assert all(s["alarms"] == 0 for s in scores.values())


def test_periodic_rate_rounds_half_up():
    # 3 alarms on 1000 samples: 1000 / 3 = 333.3 -> every 333 -> 332, 665, 998
    scores = score_with_baselines([1, 2, 3], [], 1000)
    assert scores["periodic"]["alarms"] == 3
    # 4 alarms on 10 samples: 10 / 4 = 2.5 -> every 3 -> 2, 5, 8
    scores = score_with_baselines([1, 2, 3, 4], [], 10)
    assert scores["periodic"]["alarms"] == 3


# ------------------------------------------------------------ rolling accuracy


def test_rolling_accuracy_agrees_with_pandas_and_the_trace():
    """Same as ``pandas.Series.rolling(window, min_periods).mean()`` and ``Trace``'s."""
    rng = np.random.default_rng(0)
    correct = rng.random(500) < 0.7
    trace = Trace(
        prediction=np.zeros(500, dtype=int),
        correct=correct,
        model_version=np.ones(500, dtype=int),
        y_true=np.zeros(500, dtype=int),
        label_revealed=np.zeros(500, dtype=bool),
        label_time=np.full(500, -1),
    )
    for window, min_periods in [(1, 1), (7, 1), (50, 50), (600, 3)]:
        ours = rolling_accuracy(correct, window, min_periods)
        theirs = pd.Series(correct.astype(float)).rolling(window, min_periods).mean().to_numpy()
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12, equal_nan=True)
        np.testing.assert_array_equal(ours, trace.rolling_accuracy(window, min_periods))
    assert rolling_accuracy([1, 0, 1], 2).tolist() == [1.0, 0.5, 0.5]


def test_rolling_accuracy_bad_input():
    with pytest.raises(ValueError, match="window must be >= 1"):
        rolling_accuracy([True], 0)
    with pytest.raises(ValueError, match="correct must be 1-d"):
        rolling_accuracy([[True]], 1)


# ------------------------------------------------------------ recovery


def make_trace(correct, *, revealed=None, events=(), meta=None) -> Trace:
    correct = np.asarray(correct, dtype=bool)
    n = correct.size
    revealed = np.zeros(n, dtype=bool) if revealed is None else np.asarray(revealed, bool)
    label_time = np.where(revealed, np.arange(n) + 2, -1)
    return Trace(
        prediction=np.where(correct, 0, 1),
        correct=correct,
        model_version=np.ones(n, dtype=int),
        y_true=np.zeros(n, dtype=int),
        label_revealed=revealed,
        label_time=label_time,
        events=events,
        meta=meta or {},
    )


def steps(*runs: tuple[int, int]) -> np.ndarray:
    """``steps((1, 10), (0, 5))`` = ten Trues then five Falses."""
    return np.concatenate([np.full(k, bool(v)) for v, k in runs])


# The hand-built case: 40 samples, window 4, epsilon 0.1, one harmful drift at 10.
# run:    correct except [10, 20)   -> r[10..23] = .75 .5 .25 0 0 0 0 0 0 0 .25 .5 .75 1
# oracle: correct except [10, 12)   -> o[10..15] = .75 .5 .5 .5 .75 1, then 1
RUN = steps((1, 10), (0, 10), (1, 20))
ORACLE = steps((1, 10), (0, 2), (1, 28))
COSTS = {"error": 1.0, "label": 0.5, "retrain_fixed": 5.0, "retrain_per_sample": 0.0}


def hand_trace() -> Trace:
    events = [
        {"time": 12, "type": "alert", "details": {"monitor": "err"}},
        {"time": 15, "type": "retrain_start", "cost": 5.0},
        {"time": 30, "type": "alert", "details": {"monitor": "other"}},
    ]
    meta = {
        "costs": COSTS,
        "monitors": ["err", "other"],
        "stream_events": [{"onset": 10, "end": 10, "harmful": True}],
    }
    revealed = np.arange(40) < 30
    return make_trace(RUN, revealed=revealed, events=events, meta=meta)


def test_recovery_hand_built_against_the_baseline():
    r = recovery(hand_trace(), window=4, epsilon=0.1)
    assert r["reference"] == "baseline"
    assert r["baseline_accuracy"] == 1.0  # r[9]: the window [6, 10) is all correct
    assert r["max_drop"] == 1.0  # r falls to 0 at 13..19
    # deepest point of r - 1 is t = 13; first t >= 13 with r >= 0.9 is 23: 23 - 10
    assert r["time_to_recover"] == 13.0 and r["time_to_recover_baseline"] == 13.0
    assert r["not_recovered"] == 0
    # sum over [10, 40) of 1 - r = .25+.5+.75 + 7 + .75+.5+.25 = 10 (= the 10 errors)
    assert r["accuracy_lost"] == 10.0 and r["accuracy_lost_baseline"] == 10.0
    assert math.isnan(r["time_to_recover_oracle"]) and math.isnan(r["accuracy_lost_oracle"])
    assert r["not_recovered_oracle"] == 0
    assert r["accuracy"] == 0.75  # 30 of 40
    (event,) = r["per_event"]
    assert event["onset"] == 10 and event["stop"] == 40 and event["min_accuracy"] == 0.0
    assert event["recovered_baseline"] is True and event["recovered_oracle"] is None


def test_recovery_hand_built_against_the_oracle():
    oracle = make_trace(ORACLE)
    r = recovery(hand_trace(), oracle=oracle, window=4, epsilon=0.1)
    assert r["reference"] == "oracle"
    # r - o over 10..23: 0 0 -.25 -.5 -.75 -1 -1 -1 -1 -1 -.75 -.5 -.25 0: deepest at 15,
    # back within 0.1 at 23: 23 - 10
    assert r["time_to_recover"] == 13.0 and r["time_to_recover_oracle"] == 13.0
    # area: .25 + .5 + .75 + 5 * 1 + .75 + .5 + .25 = 8 (= 10 errors - the oracle's 2)
    assert r["accuracy_lost"] == 8.0 and r["accuracy_lost_oracle"] == 8.0
    assert r["accuracy_lost_baseline"] == 10.0
    assert r["oracle_accuracy"] == 38 / 40
    assert r["per_event"][0]["accuracy_lost_oracle"] == 8.0


def test_recovery_costs_by_hand():
    r = recovery(hand_trace(), window=4)
    # 10 errors x 1.0 + 30 labels x 0.5 + one retrain costing 5.0
    assert r["errors"] == 10 and r["labels"] == 30 and r["retrains"] == 1
    assert r["error_cost"] == 10.0 and r["label_cost"] == 15.0 and r["event_cost"] == 5.0
    assert r["total_cost"] == 30.0
    # other prices given explicitly win over the trace's
    assert run_costs(hand_trace(), {"error": 2.0, "label": 0.0})["total_cost"] == 25.0


def test_costs_without_prices_are_nan():
    c = run_costs(make_trace(RUN))
    assert c["errors"] == 10
    assert math.isnan(c["error_cost"]) and math.isnan(c["total_cost"])
    assert c["event_cost"] == 0.0
    with pytest.raises(ValueError, match="costs must be a mapping with keys 'error' and 'label'"):
        run_costs(make_trace(RUN), {"error": 1.0})
    with pytest.raises(ValueError, match=r"costs\['label'\] must be >= 0.0"):
        run_costs(make_trace(RUN), {"error": 1.0, "label": -1.0})


def test_a_run_that_never_recovers():
    correct = steps((1, 10), (0, 30))
    r = recovery(make_trace(correct), [10], window=4, epsilon=0.1)
    assert math.isnan(r["time_to_recover"])
    assert r["not_recovered"] == 1
    # 1 - r over [10, 40): .25 + .5 + .75 + 27 * 1
    assert r["accuracy_lost"] == 28.5


def test_the_horizon_bounds_the_recovery_span():
    # recovery happens at 23 (13 after onset); a 12-sample span ends before it
    r = recovery(make_trace(RUN), [10], window=4, epsilon=0.1, horizon=12)
    assert r["per_event"][0]["stop"] == 22
    assert r["not_recovered"] == 1
    assert (
        recovery(make_trace(RUN), [10], window=4, epsilon=0.1, horizon=14)["time_to_recover"]
        == 13.0
    )


def test_two_harmful_drifts_each_with_its_span():
    # drift at 10 recovers at 23 (as above); drift at 40: errors [40, 45), window 4:
    # r[40..48] = .75 .5 .25 0 0 .25 .5 .75 1 -> deepest 43, back at 48: 8
    correct = np.r_[RUN, steps((0, 5), (1, 15))]
    r = recovery(make_trace(correct), [10, {"onset": 40}], window=4, epsilon=0.1)
    assert [e["stop"] for e in r["per_event"]] == [40, 60]
    assert [e["time_to_recover_baseline"] for e in r["per_event"]] == [13.0, 8.0]
    assert r["time_to_recover"] == 10.5
    # 10 + 5 errors, each worth one sample of accuracy
    assert r["accuracy_lost"] == 15.0
    assert r["max_drop"] == 1.0


def test_benign_events_are_not_scored_for_recovery():
    r = recovery(make_trace(RUN), [benign(10)], window=4)
    assert r["per_event"] == []
    assert math.isnan(r["time_to_recover"]) and r["not_recovered"] == 0
    assert math.isnan(r["max_drop"]) and math.isnan(r["baseline_accuracy"])
    assert r["accuracy_lost_baseline"] == 0.0


def test_an_event_at_onset_zero_has_no_baseline():
    r = recovery(make_trace(steps((0, 5), (1, 20))), [0], window=4, epsilon=0.1)
    (event,) = r["per_event"]
    assert math.isnan(event["baseline"]) and event["recovered_baseline"] is None
    assert r["not_recovered"] == 0 and math.isnan(r["time_to_recover"])
    assert math.isnan(r["accuracy_lost"])


def test_a_run_scored_against_itself_loses_nothing():
    trace = hand_trace()
    r = recovery(trace, oracle=trace, window=4, epsilon=0.0)
    assert r["accuracy_lost"] == 0.0
    assert r["time_to_recover"] == 0.0


def test_recovery_reads_the_events_from_the_trace_or_complains():
    assert recovery(hand_trace(), window=4)["per_event"][0]["onset"] == 10
    with pytest.raises(ValueError, match="no 'stream_events'"):
        recovery(make_trace(RUN))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"oracle": "best"}, "oracle must be a Trace or None"),
        ({"oracle": make_trace(RUN[:30])}, "oracle has 30 samples but the run has 40"),
        ({"window": 0}, "window must be >= 1"),
        ({"epsilon": -0.1}, "epsilon must be >= 0.0"),
        ({"horizon": 0}, "horizon must be >= 1"),
    ],
)
def test_recovery_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        recovery(hand_trace(), **kwargs)
    with pytest.raises(ValueError, match=r"trace must be a simulator\.trace\.Trace"):
        recovery(RUN, [10])


def test_time_to_recover_cases():
    assert time_to_recover([1.0, 0.5, 0.0, 0.5, 1.0], 1.0, epsilon=0.1) == 4.0
    # never more than epsilon behind
    assert time_to_recover([1.0, 0.95, 1.0], 1.0, epsilon=0.1) == 0.0
    # a noisy bounce before the deepest point does not count as recovery
    assert time_to_recover([1.0, 0.5, 0.95, 0.2, 0.95], 1.0, epsilon=0.1) == 4.0
    # against a moving reference
    assert time_to_recover([0.5, 0.5, 0.9], [0.5, 1.0, 1.0], epsilon=0.1) == 2.0
    assert math.isnan(time_to_recover([], 1.0, epsilon=0.1))


# ------------------------------------------------------------ score_run


def test_score_run_hand_built():
    s = score_run(hand_trace(), horizon=10, window=4, epsilon=0.1)
    # window [10, 20): alert 12 detects (delay 2), alert 30 is false;
    # drift-free = 40 - 10 = 30
    assert s["detections"] == 1 and s["false_alarms"] == 1
    assert s["detection_delay_mean"] == 2.0
    assert s["false_alarm_rate"] == pytest.approx(1000 / 30)
    assert s["mtfa"] == 30.0 and s["mtd"] == 2.0 and s["missed_detection_rate"] == 0.0
    assert s["mtr"] == 15.0  # 30 / 2 * (1 - 0)
    assert s["accuracy"] == 0.75 and s["accuracy_lost"] == 10.0 and s["time_to_recover"] == 13.0
    assert s["retrains"] == 1 and s["labels"] == 30 and s["total_cost"] == 30.0
    required = [
        "false_alarm_rate",
        "detection_delay_mean",
        "missed_detection_rate",
        "mtfa",
        "mtd",
        "mtr",
        "accuracy",
        "accuracy_lost",
        "time_to_recover",
        "retrains",
        "labels",
        "total_cost",
    ]
    assert set(required) <= set(s)
    assert "per_event" not in s
    assert list(s)[: len(DETECTION_KEYS)] == DETECTION_KEYS
    # flat: no nested containers
    assert all(isinstance(v, (int, float, str)) for v in s.values())


def test_score_run_filters_by_monitor():
    s = score_run(hand_trace(), horizon=10, monitor="other", window=4)
    # only the alert at 30: a false alarm, the drift missed
    assert s["alarms"] == 1 and s["false_alarms"] == 1 and s["missed"] == 1
    both = score_run(hand_trace(), horizon=10, monitor=["err", "other"], window=4)
    assert both["alarms"] == 2
    with pytest.raises(ValueError, match="monitor 'errr' is not one of this run's monitors"):
        score_run(hand_trace(), horizon=10, monitor="errr")


def test_score_run_with_an_oracle_and_explicit_events():
    s = score_run(hand_trace(), [10], 40, 10, oracle=make_trace(ORACLE), window=4, epsilon=0.1)
    assert s["reference"] == "oracle" and s["accuracy_lost"] == 8.0


def test_score_run_checks_the_length():
    with pytest.raises(ValueError, match="n_samples is 50 but the trace has 40 samples"):
        score_run(hand_trace(), n_samples=50)


def test_alert_times_deduplicates_across_monitors():
    b = TraceBuilder()
    b.add_batch(0, [0] * 10, None, 1, [0] * 10)
    for t, m in [(5, "a"), (5, "b"), (2, "b")]:
        b.log(t, "alert", monitor=m)
    b.log(7, "warning", monitor="a")
    trace = b.build()
    assert alert_times(trace).tolist() == [2, 5]
    assert alert_times(trace, "a").tolist() == [5]
    # no monitor list in meta: an unknown name simply has no alerts
    assert alert_times(trace, "z").tolist() == []


def test_score_run_on_a_real_deployment_loop():
    """End to end: the loop's trace carries everything score_run needs."""
    from detectors.page_hinkley import PageHinkley
    from simulator.datasets import load_dataset
    from simulator.drift import Drift
    from simulator.loop import DeploymentLoop
    from simulator.monitors import Monitor
    from simulator.policies import Never, Oracle
    from simulator.stream import DriftStream

    stream = DriftStream(
        load_dataset("iris"), [Drift("concept", 1500, classes=(1, 2))], n_samples=3000, seed=1
    )

    def run(policy):
        monitor = Monitor("error", PageHinkley(threshold=10.0))
        return DeploymentLoop(stream, monitors=[monitor], policy=policy, seed=1).run()

    never, oracle = run(Never()), run(Oracle())
    s = score_run(never, horizon=500, oracle=oracle, window=100, epsilon=0.05)
    assert s["events"] == 1
    alerts = [e.time for e in never.events_of("alert")]
    assert s["alarms"] == len(set(alerts))
    first_in_window = min(t for t in alerts if 1500 <= t < 2000)
    assert s["detection_delay_mean"] == first_in_window - 1500
    # never retraining leaves the run behind the oracle for good
    assert s["retrains"] == 0 and s["not_recovered"] == 1
    assert s["accuracy_lost"] > 0
    prices = never.meta["costs"]
    errors = int((~never.correct).sum())
    labels = int(never.label_revealed.sum())
    assert s["total_cost"] == pytest.approx(errors * prices["error"] + labels * prices["label"])
    # the oracle against itself
    o = score_run(oracle, horizon=500, oracle=oracle)
    assert o["accuracy_lost"] == 0.0 and o["time_to_recover"] == 0.0
    assert o["retrains"] == len(oracle.events_of("retrain_start")) >= 1
    assert o["total_cost"] == pytest.approx(
        int((~oracle.correct).sum()) * prices["error"]
        + int(oracle.label_revealed.sum()) * prices["label"]
        + oracle.total_cost
    )
