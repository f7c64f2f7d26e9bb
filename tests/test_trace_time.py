"""Timestamps of a replayed log carried through the trace (saved and loaded), the alerts
sent to sinks, result.json and the timeline figure; none of it for a stream without a
time axis."""

from __future__ import annotations

import dataclasses
import json
import pickle

import numpy as np
import pandas as pd
import pytest

from detectors.window import KS
from experiments.example_log import PATH
from experiments.plots import timeline
from experiments.run import compose, run
from simulator import DeploymentLoop, Drift, DriftStream, Monitor, Periodic, RetrainConfig
from simulator.alerts import CallbackSink
from simulator.datasets import load_dataset
from simulator.trace import Trace, TraceBuilder


@pytest.fixture(scope="module")
def log():
    return load_dataset(PATH, target="label", time="timestamp")


@pytest.fixture(scope="module")
def replay_run(log):
    """The shipped log with x2 shifted from 2024-03-01, a daily 7-day KS on x2, and a
    retrain every 1,000 samples on the last 30 days."""
    onset = int(np.searchsorted(log.time, np.datetime64("2024-03-01")))
    stream = DriftStream(log, [Drift("covariate", onset, features=["x2"], severity=1.0)])
    routed: list = []
    trace = DeploymentLoop(
        stream, monitors=[Monitor("feature:x2", KS(), every="1d", window="7d", name="ks")],
        policy=Periodic(every=1000), retrain=RetrainConfig(window="30d"), seed=0,
        alert_sinks=[CallbackSink(routed.extend)],
    ).run()
    return trace, routed


def test_a_replay_trace_carries_the_logs_timestamps_through_save_and_load(log, replay_run,
                                                                            tmp_path):
    trace, _ = replay_run
    np.testing.assert_array_equal(trace.time, log.time)
    assert trace.time.dtype == np.dtype("datetime64[ns]") and not trace.time.flags.writeable
    loaded = Trace.load(trace.save(tmp_path / "trace"))
    assert loaded == trace and pickle.loads(pickle.dumps(trace)) == trace
    assert dataclasses.replace(trace, time=None) != trace  # the time axis is part of it
    np.testing.assert_array_equal(loaded.time, log.time)
    with np.load(tmp_path / "trace.npz", allow_pickle=False) as raw:  # no pickles
        assert raw["time"].dtype == np.dtype("datetime64[ns]")


def test_events_and_frames_say_when_in_the_log_they_happened(log, replay_run):
    trace, _ = replay_run
    frame = trace.events_frame()
    for row in frame.itertuples():
        assert row.timestamp == pd.Timestamp(log.time[min(row.time, log.n_samples - 1)])
    deploys = frame[frame.type == "deploy"]
    assert len(deploys) >= 4
    assert trace.timestamp(int(deploys.time.iloc[1])) == log.time[deploys.time.iloc[1]]
    samples = trace.to_frame()
    np.testing.assert_array_equal(samples.timestamp.to_numpy(), log.time)


def test_alerts_sent_to_sinks_carry_their_samples_timestamp(log, replay_run):
    trace, routed = replay_run
    assert len(routed) >= 10
    assert [a.time for a in routed] == [e.time for e in trace.events_of("alert")]
    for alert in routed:
        expected = np.datetime_as_string(log.time[alert.time], unit="s")
        assert alert.details["timestamp"] == expected


def test_a_stream_without_a_time_axis_gets_no_timestamps():
    received: list = []
    stream = DriftStream(load_dataset("iris"), [Drift("covariate", 600)], n_samples=1500)
    trace = DeploymentLoop(stream, monitors=[Monitor("features", KS(), window=300)],
                           alert_sinks=[CallbackSink(received.extend)], seed=0).run()
    assert trace.time is None and trace.timestamp(10) is None
    assert "timestamp" not in trace.events_frame() and "timestamp" not in trace.to_frame()
    assert received and all("timestamp" not in a.details for a in received)


def test_bad_time_columns_are_refused_naming_the_rule():
    b = TraceBuilder()
    b.add_batch(0, [0, 1, 1], None, 1, [0, 1, 1])
    with pytest.raises(ValueError, match=r"time must be 1-d with 3 entries \(one per sample\)"):
        b.build(time=np.array(["2024-01-01", "2024-01-02"], dtype="datetime64[ns]"))
    with pytest.raises(ValueError, match="time must be sorted timestamps without NaT"):
        b.build(time=np.array(["2024-01-03", "2024-01-01", "2024-01-02"],
                              dtype="datetime64[ns]"))
    with pytest.raises(ValueError, match="time must hold timestamps"):
        b.build(time=np.array(["monday", "tuesday", "wednesday"]))


def test_result_json_dates_the_runs_events_and_alerts(log, tmp_path):
    cfg = compose(["dataset=loan_log", "drift=none", "monitor=features", "detector=ks",
                   "monitor.every=1d", "monitor.window=7d", "policy=periodic",
                   "policy.every=1000", "loop.retrain.window=30d", "n_samples=5289",
                   "score.oracle=false", "plot=false", "save_trace=true"])
    run(cfg, output_dir=tmp_path)
    result = json.loads((tmp_path / "result.json").read_text())
    axis = result["time_axis"]
    assert (axis["start"], axis["end"]) == ("2024-01-01T01:12:48", "2024-06-28T22:35:27")
    trace = Trace.load(tmp_path / "trace.npz")
    listed = [e for e in trace.events if e.type in ("alert", "retrain_start", "deploy")]
    assert [(r["type"], r["time"]) for r in axis["events"]
            if r["type"] != "warning"] == [(e.type, e.time) for e in listed]
    for record in axis["events"]:
        assert record["timestamp"] == np.datetime_as_string(log.time[record["time"]], unit="s")
    assert [r["time"] for r in axis["events"] if r["type"] == "retrain_start"] == [
        1001, 2001, 3001, 4001, 5001]
    assert all(r["monitor"] == "KS" for r in axis["events"] if r["type"] == "alert")
    iris = run(compose(["n_samples=1000", "drift=none", "score.oracle=false",
                        "score.skyline=false"]),
               output_dir=None)
    assert iris["time_axis"] is None


def test_drift_events_in_result_json_carry_their_onset_date(log):
    onset = int(np.searchsorted(log.time, np.datetime64("2024-03-01")))
    cfg = compose(["dataset=loan_log", "drift=abrupt_covariate", f"drift.drifts.0.start={onset}",
                   "n_samples=5289", "score.oracle=false", "score.skyline=false",
                   "policy=never"])
    result = run(cfg, output_dir=None)
    (event,) = result["events"]
    assert event["onset"] == onset
    # the default monitor (ADWIN on the error) alarms after the onset; its delay in log
    # time is the difference of the two samples' timestamps
    (found,) = result["time_axis"]["first_alerts"]
    alert = found["alert"]
    adwin = [e["time"] for e in result["time_axis"]["events"] if e["type"] == "alert"]
    assert alert["time"] == min(t for t in adwin if t >= onset)
    hours = (log.time[alert["time"]] - log.time[onset]) / np.timedelta64(1, "h")
    assert alert["delay_hours"] == pytest.approx(hours, abs=1e-3) and alert["monitor"] == "ADWIN"
    assert event["onset_timestamp"] == np.datetime_as_string(log.time[onset], unit="s")
    assert event["onset_timestamp"].startswith("2024-03-01")


def test_the_timeline_of_a_replay_reads_in_dates(log, replay_run):
    trace, _ = replay_run
    fig = timeline(trace)
    bottom = fig.axes[-1]
    labels = [t.get_text() for t in bottom.get_xticklabels()]
    assert labels[:3] == ["2024-02-01", "2024-03-01", "2024-04-01"]
    expected = np.searchsorted(log.time, np.array(labels, dtype="datetime64[ns]"))
    np.testing.assert_array_equal(bottom.get_xticks(), expected)
    assert bottom.get_xlabel().startswith("date")
    iris = TraceBuilder()
    iris.add_batch(0, [0] * 50, None, 1, [0] * 50)
    assert timeline(iris.build()).axes[-1].get_xlabel() == "time (sample index)"
