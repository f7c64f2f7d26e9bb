"""Properties of the scoring functions on random alarms, events and runs (hypothesis).

The detection matching is also compared with a slow, literal reading of the
definitions (per-sample masks, one Python loop per alarm), written independently of
the vectorised implementation.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from experiments.metrics import (
    baseline_alarms,
    detection_delays,
    match_alarms,
    mtfa,
    precision,
    recall,
    recovery,
    rolling_accuracy,
    score_detections,
    time_to_recover,
)
from simulator.trace import Trace

SETTINGS = settings(max_examples=80, deadline=None)


@st.composite
def scenarios(draw):
    n = draw(st.integers(1, 600))
    n_events = draw(st.integers(0, 6))
    events = []
    for _ in range(n_events):
        onset = draw(st.integers(0, n - 1))
        events.append(
            {
                "onset": onset,
                "end": onset + draw(st.integers(0, 80)),
                "harmful": draw(st.booleans()),
            }
        )
    alarms = draw(st.lists(st.integers(0, n - 1), max_size=40))
    horizon = draw(st.none() | st.integers(1, 300))
    return alarms, events, n, horizon


def reference_match(alarms, events, n, horizon):
    """The definitions read literally: per-sample masks and a loop over alarms."""
    onsets = sorted({e["onset"] for e in events})
    harm_onsets = sorted({e["onset"] for e in events if e["harmful"]})

    def stop_of(onset, cuts):
        later = [t for t in cuts if t > onset]
        stop = min(later[0] if later else n, n)
        return stop if horizon is None else min(stop, onset + horizon)

    windows = [
        (e["onset"], stop_of(e["onset"], harm_onsets if e["harmful"] else onsets), e["harmful"])
        for e in events
    ]
    covered = np.zeros(n, dtype=bool)
    for start, stop, _ in windows:
        covered[start:stop] = True
    labels = []
    first_alarm: dict[int, int] = {}
    for a in sorted(alarms):
        harm = [start for start, stop, h in windows if h and start <= a < stop]
        if harm:
            cp = harm[0]
            if cp in first_alarm:
                labels.append("repeat")
            else:
                first_alarm[cp] = a
                labels.append("detection")
        elif any(start <= a < stop for start, stop, h in windows if not h):
            labels.append("benign")
        else:
            labels.append("false")
    detection = [first_alarm.get(e["onset"], -1) if e["harmful"] else -1 for e in events]
    return labels, detection, int(n - covered.sum())


@given(scenarios())
@SETTINGS
def test_matching_agrees_with_a_literal_reading_of_the_definitions(scenario):
    alarms, events, n, horizon = scenario
    m = match_alarms(alarms, events, n, horizon)
    labels, detection, drift_free = reference_match(alarms, events, n, horizon)
    assert m.alarm_labels.tolist() == labels
    assert m.detection_time.tolist() == detection
    assert m.drift_free_samples == drift_free


@given(scenarios())
@SETTINGS
def test_counts_add_up_and_measures_stay_in_range(scenario):
    alarms, events, n, horizon = scenario
    m = match_alarms(alarms, events, n, horizon)
    s = score_detections(alarms, events, n, horizon)
    harmful = sum(e["harmful"] for e in events)
    assert s["detections"] + s["missed"] == harmful == s["events"]
    assert (
        s["detection_alarms"] + s["repeat_alarms"] + s["false_alarms"] + s["benign_alarms"]
        == len(alarms)
        == s["alarms"]
    )
    assert s["false_alarms"] <= s["alarms"]
    assert s["detection_alarms"] <= s["detections"]
    assert 0 <= s["drift_free_samples"] <= n
    delays = detection_delays(m)
    assert (delays >= 0).all()
    if horizon is not None:
        assert (delays < horizon).all()
    # each detection lies inside its event's window
    hit = m.detection_time >= 0
    assert (m.detection_time[hit] >= m.onset[hit]).all()
    assert (m.detection_time[hit] < m.window_stop[hit]).all()
    for key in ("precision", "recall", "f1", "missed_detection_rate"):
        value = s[key]
        assert math.isnan(value) or 0.0 <= value <= 1.0, key
    if harmful:
        assert math.isclose(s["recall"], 1.0 - s["missed_detection_rate"])
    else:
        assert math.isnan(s["recall"]) and math.isnan(s["mtd"])
    assert math.isnan(s["false_alarm_rate"]) or s["false_alarm_rate"] >= 0
    if s["false_alarms"]:
        assert mtfa(m) == s["drift_free_samples"] / s["false_alarms"]
        assert math.isclose(s["false_alarm_rate"] * s["mtfa"], 1000.0)
    else:
        assert math.isnan(s["mtfa"])
    if not alarms:
        assert math.isnan(precision(m))
    assert recall(m) == s["recall"] or math.isnan(s["recall"])


@given(scenarios(), st.randoms(use_true_random=False))
@SETTINGS
def test_order_of_alarms_and_events_does_not_matter(scenario, rnd):
    alarms, events, n, horizon = scenario
    a = score_detections(alarms, events, n, horizon)
    shuffled_alarms, order = list(alarms), list(range(len(events)))
    rnd.shuffle(shuffled_alarms)
    rnd.shuffle(order)
    b = score_detections(shuffled_alarms, [events[i] for i in order], n, horizon)
    assert a.keys() == b.keys()
    for key in a:
        assert (math.isnan(a[key]) and math.isnan(b[key])) or math.isclose(a[key], b[key]), key
    m1 = match_alarms(alarms, events, n, horizon)
    m2 = match_alarms(alarms, [events[i] for i in order], n, horizon)
    assert m1.detection_time[order].tolist() == m2.detection_time.tolist()


@given(scenarios())
@SETTINGS
def test_more_horizon_never_loses_a_detection(scenario):
    alarms, events, n, horizon = scenario
    if horizon is None:
        return
    short = match_alarms(alarms, events, n, horizon)
    long = match_alarms(alarms, events, n, horizon + 50)
    assert long.n_detected >= short.n_detected
    assert long.n_false <= short.n_false


@given(
    st.sampled_from(["periodic", "random"]),
    st.integers(0, 3000),
    st.floats(0.0, 1.0),
    st.integers(0, 2**32),
)
@settings(max_examples=40, deadline=None)
def test_baselines_match_the_detector_classes(kind, n, rate, seed):
    """The numpy baselines equal ``detectors.baselines.PeriodicAlarm`` / ``RandomAlarm``."""
    from detectors.baselines import PeriodicAlarm, RandomAlarm

    got = baseline_alarms(kind, n, rate=rate, seed=seed)
    assert got.dtype == np.int64
    assert ((got >= 0) & (got < n)).all() and (np.diff(got) > 0).all()
    if kind == "random":
        expected = RandomAlarm(rate=rate, seed=seed).update_many(np.zeros(n))
    elif rate == 0.0 or not math.isfinite(1.0 / rate) or math.floor(1.0 / rate + 0.5) > n:
        # the period is longer than the stream
        expected = np.empty(0, dtype=np.int64)
    else:
        every = max(1, math.floor(1.0 / rate + 0.5))
        expected = PeriodicAlarm(every).update_many(np.zeros(n))
    assert np.array_equal(got, expected)


@st.composite
def runs(draw):
    n = draw(st.integers(2, 300))
    correct = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    oracle = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    onsets = draw(st.lists(st.integers(0, n - 1), max_size=4))
    window = draw(st.integers(1, 50))
    epsilon = draw(st.floats(0.0, 0.3))
    return correct, oracle, onsets, window, epsilon


def as_trace(correct) -> Trace:
    n = correct.size
    return Trace(
        prediction=np.zeros(n, dtype=int),
        correct=correct,
        model_version=np.ones(n, dtype=int),
        y_true=np.zeros(n, dtype=int),
        label_revealed=np.zeros(n, dtype=bool),
        label_time=np.full(n, -1),
    )


@given(runs())
@SETTINGS
def test_recovery_measures_are_in_range(run):
    correct, oracle, onsets, window, epsilon = run
    r = recovery(as_trace(correct), onsets, oracle=as_trace(oracle), window=window, epsilon=epsilon)
    for key in ("time_to_recover_oracle", "time_to_recover_baseline"):
        assert math.isnan(r[key]) or r[key] >= 0, key
    for key in ("accuracy_lost_oracle", "accuracy_lost_baseline", "max_drop"):
        assert math.isnan(r[key]) or r[key] >= 0, key
    assert r["accuracy_lost_oracle"] <= correct.size
    for e in r["per_event"]:
        span = e["stop"] - e["onset"]
        if not math.isnan(e["time_to_recover_oracle"]):
            assert e["time_to_recover_oracle"] < span
    recovered = [e for e in r["per_event"] if e["recovered_oracle"]]
    assert r["not_recovered_oracle"] + len(recovered) == len(r["per_event"])
    # against itself nothing is lost and every event is recovered at once
    same = recovery(as_trace(correct), onsets, oracle=as_trace(correct), window=window)
    assert same["accuracy_lost_oracle"] == 0.0
    assert all(e["time_to_recover_oracle"] == 0.0 for e in same["per_event"])


@given(
    st.lists(st.floats(0, 1), min_size=1, max_size=50),
    st.floats(0, 1),
    st.floats(0, 0.5),
)
@SETTINGS
def test_time_to_recover_lands_on_a_recovered_point(run, reference, epsilon):
    t = time_to_recover(run, reference, epsilon)
    arr = np.asarray(run)
    if math.isnan(t):
        # still behind at the end
        assert arr[-1] < reference - epsilon
    else:
        assert arr[int(t)] >= reference - epsilon
        # and from the deepest point on, no earlier sample was back
        deepest = int(np.argmin(arr - reference))
        if t > 0:
            assert deepest <= t
            assert (arr[deepest : int(t)] < reference - epsilon).all()


@given(st.lists(st.booleans(), max_size=200), st.integers(1, 60))
@SETTINGS
def test_rolling_accuracy_is_a_windowed_mean(correct, window):
    out = rolling_accuracy(correct, window)
    arr = np.asarray(correct, dtype=float)
    assert out.shape == arr.shape
    for i in range(arr.size):
        assert out[i] == arr[max(0, i - window + 1) : i + 1].mean()
