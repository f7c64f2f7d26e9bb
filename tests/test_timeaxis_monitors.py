"""Monitor cadences and windows written in time (``every="1d"``, ``window="7d"``) on the
shipped replay log, checked against pandas' own day arithmetic; bad cadences refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from detectors import PageHinkley
from detectors.window import KS
from experiments.example_log import PATH
from experiments.run import build, compose
from simulator import DeploymentLoop, Drift, DriftStream, Monitor, SLARule
from simulator.alerts import CallbackSink
from simulator.cadence import Cadence
from simulator.datasets import load_dataset

DAY = pd.Timedelta("1D")


@pytest.fixture(scope="module")
def log():
    return load_dataset(PATH, target="label", time="timestamp")


def day_ends(time: np.ndarray) -> pd.DataFrame:
    """Per whole day counted from the first sample (pandas, not our code): the day's
    end and the index of its last sample."""
    stamps = pd.Series(pd.to_datetime(time))
    day = (stamps - stamps.iloc[0]) // DAY
    whole = day < (stamps.iloc[-1] - stamps.iloc[0]) // DAY  # the last day is not over
    last = stamps.index[whole].to_series().groupby(day[whole]).max()
    return pd.DataFrame({"t": last.to_numpy(),
                         "end": stamps.iloc[0] + DAY * (last.index.to_numpy() + 1)})


def test_a_daily_cadence_checks_at_the_last_sample_of_every_day(log):
    t, lo = Cadence("1d", "7d").bind(log.time).checks(0, log.n_samples)
    expected = day_ends(log.time)
    stamps = pd.to_datetime(log.time)
    # a 7-day window is whole from the 7th day on: it starts at or after the first sample
    expected = expected[expected.end - 7 * DAY >= stamps[0]]
    np.testing.assert_array_equal(t, expected.t.to_numpy())
    for k, end, first in zip(t, expected.end, lo, strict=True):
        inside = np.flatnonzero((stamps >= end - 7 * DAY) & (stamps < end))
        assert (first, k) == (inside[0], inside[-1])
    assert t.size == 173  # 179 whole days in 179.9: the 7th to the 179th


def test_count_and_time_can_be_mixed(log):
    stamps = pd.to_datetime(log.time)
    t, lo = Cadence(500, "7d").bind(log.time).checks(0, log.n_samples)
    assert ((t + 1) % 500 == 0).all() and (t[0], t[-1]) == (499, 4999)
    for k, first in zip(t, lo, strict=True):
        inside = np.flatnonzero((stamps > stamps[k] - 7 * DAY) & (stamps <= stamps[k]))
        assert first == inside[0]
    t, lo = Cadence("1d", 100).bind(log.time).checks(0, log.n_samples)
    np.testing.assert_array_equal(t, day_ends(log.time).t.to_numpy()[3:])  # day 4 has 100
    np.testing.assert_array_equal(t + 1 - lo, 100)


def test_checks_after_a_deployment_only_see_the_new_models_days(log):
    cadence = Cadence("1d", "2d").bind(log.time)
    origin = 2000
    t, lo = cadence.checks(1500, 3000, origin=origin)
    assert (lo >= origin).all()
    stamps = pd.to_datetime(log.time)
    ends = day_ends(log.time).set_index("t").end
    assert all(ends[k] - 2 * DAY >= stamps[origin] for k in t)
    # the first check is the first whose whole two days follow the deployment
    all_t, _ = cadence.checks(1500, 3000)
    skipped = all_t[(all_t >= origin) & (all_t < t[0])]
    assert all(ends[k] - 2 * DAY < stamps[origin] for k in skipped) and skipped.size == 2


def run_daily(log, batch_size: int = 500, severity: float = 1.0):
    onset = int(np.searchsorted(log.time, np.datetime64("2024-03-01")))
    stream = DriftStream(log, [Drift("covariate", onset, features=["x2"], severity=severity)])
    monitor = Monitor("feature:x2", KS(), every="1d", window="7d", name="ks-daily")
    routed: list = []
    trace = DeploymentLoop(stream, monitors=[monitor], batch_size=batch_size, seed=0,
                           alert_sinks=[CallbackSink(routed.extend)]).run()
    return onset, trace, routed


def test_a_daily_window_test_finds_a_shift_at_the_first_day_end_after_it(log):
    """x2 moves by one standard deviation on 2024-03-01: the KS test of x2 on the last
    7 days alarms at the end of the first day of shifted data, and every alert lies on
    a day's last sample with the window's sample count."""
    onset, trace, routed = run_daily(log)
    checks, lows = Cadence("1d", "7d").bind(log.time).checks(0, log.n_samples)
    alerts = trace.events_of("alert")
    times = np.array([a.time for a in alerts])
    assert set(times) <= set(checks.tolist())
    after = checks[checks >= onset]
    # the day of 2024-03-01 ends at 01:12 (days count from the first sample, 01:12:48):
    # its check holds one shifted sample; the next, a day of them, alarms
    assert after[0] + 1 - onset == 1
    assert times[times >= onset][0] == after[1]
    before = (checks < onset).sum()
    assert (times < onset).sum() <= 0.1 * before  # KS at alpha 0.05 per check
    window = dict(zip(checks.tolist(), (checks + 1 - lows).tolist(), strict=True))
    assert [a.time for a in routed] == times.tolist()
    for a in routed:
        assert a.details["window"] == "7d"
        assert a.details["samples"] == window[a.time]


def test_a_monitor_snapshot_shares_the_logs_timestamps_instead_of_copying_them(log):
    """The loop deep-copies its monitors before every segment: the bound cadence's
    timestamps (read-only) are shared, its schedule is equal, and rebinding the copy
    leaves the original alone."""
    import copy

    monitor = Monitor("features", KS(), every="1d", window="7d", name="ks")
    monitor.bind(log.feature_names, log.class_names, log.time)
    snapshot = copy.deepcopy(monitor)
    assert snapshot.cadence is not monitor.cadence
    assert snapshot.cadence._time is monitor.cadence._time
    assert not monitor.cadence._time.flags.writeable
    for a, b in zip(snapshot.cadence.checks(0, 5289), monitor.cadence.checks(0, 5289),
                    strict=True):
        np.testing.assert_array_equal(a, b)
    snapshot.cadence.bind(log.time[:3000], name="ks")
    assert monitor.cadence.checks(0, 5289)[0].size == 173


def test_a_time_cadence_does_not_depend_on_the_batch_size(log):
    _, a, _ = run_daily(log, batch_size=500)
    _, b, _ = run_daily(log, batch_size=97)
    assert [e.time for e in a.events_of("alert")] == [e.time for e in b.events_of("alert")]


def test_an_estimated_signal_checks_once_a_day(log):
    rule = SLARule("accuracy", threshold=0.5, consecutive=3, check_size=100)
    monitor = Monitor("estimated:accuracy", rule, every="1d", window="3d")
    trace = DeploymentLoop(DriftStream(log, n_samples=1500), monitors=[monitor],
                           seed=0).run()
    estimates = trace.events_of("estimate")
    checks, lows = Cadence("1d", "3d").bind(log.time[:1500]).checks(0, 1500)
    assert [e.time for e in estimates] == checks.tolist()
    assert [e.details["start"] for e in estimates] == lows.tolist()
    assert all(0.5 < e.details["estimate"] <= 1.0 for e in estimates)


# ------------------------------------------------------------------ bad input
def test_a_time_cadence_needs_a_stream_with_timestamps():
    iris = DriftStream(load_dataset("iris"), n_samples=2000)
    for every, window, named in (("1d", 500, "every='1d'"), (500, "7d", "window='7d'")):
        monitor = Monitor("features", KS(), every=every, window=window, name="ks")
        with pytest.raises(ValueError, match=f"monitor 'ks' has {named}, a duration, but the "
                                             "stream has no timestamps"):
            DeploymentLoop(iris, monitors=[monitor])


@pytest.mark.parametrize("bad", ["0d", "-1d", "1 day", "1fortnight", "d", ""])
def test_unparseable_or_non_positive_durations_are_refused_naming_them(bad):
    for what in ("every", "window"):
        with pytest.raises(ValueError, match=rf"{what} must be a count of samples .* or a "
                                             rf"positive duration such as '7d' \(units s, "
                                             rf"min, h, d, w\); got '{bad}'"):
            Monitor("features", KS(), **{what: bad})
    with pytest.raises(ValueError, match="every must be >= 1, got 0"):
        Monitor("features", KS(), every=0)


def test_a_duration_longer_than_the_log_is_refused(log):
    stream = DriftStream(log)
    monitor = Monitor("features", KS(), every="1d", window="400d", name="ks")
    with pytest.raises(ValueError, match=r"window='400d', but the stream spans only 179.9 days"):
        DeploymentLoop(stream, monitors=[monitor])


def test_a_streaming_detector_takes_no_time_cadence():
    with pytest.raises(ValueError, match="every='1d' is a duration: it sets when a window "
                                         "test or an estimated: signal checks"):
        Monitor("error", PageHinkley(), every="1d")


def test_the_config_takes_a_cadence_in_time_and_refuses_one_without_timestamps():
    replay = ["dataset=loan_log", "drift=none", "monitor=features", "detector=ks",
              "monitor.every=1d", "monitor.window=7d", "n_samples=5289"]
    (monitor,) = build(compose(replay))["monitors"]
    assert (monitor.every, monitor.window) == ("1d", "7d")
    iris = build(compose(["monitor=features", "detector=ks", "monitor.every=1d"]))
    with pytest.raises(ValueError, match="every='1d', a duration, but the stream has no "
                                         "timestamps"):
        DeploymentLoop(iris["stream"], monitors=iris["monitors"])
    with pytest.raises(ValueError, match="got '1 day'"):
        build(compose([*replay, "monitor.every=1 day"]))
