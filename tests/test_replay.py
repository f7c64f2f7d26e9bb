"""Ordered replay on a time axis: a log with a timestamp column plays row by row in time
order, drifts can be injected on top, retraining windows can be durations, and the
README's "Run it on your own data" commands run as written."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.example_log import DRIFT_DATE, PATH, make_log
from simulator import DeploymentLoop, Drift, DriftStream, Never, Periodic, RetrainConfig
from simulator.datasets import load_dataset
from simulator.loop_config import GateConfig
from simulator.timeaxis import parse_duration, window_start
from simulator.trace import Trace

ROOT = Path(__file__).resolve().parents[1]


def log(tmp_path, frame: pd.DataFrame | None = None, name: str = "log.csv") -> Path:
    frame = make_log(days=40, seed=3) if frame is None else frame
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


# ------------------------------------------------------------------ loading
def test_a_time_column_orders_the_rows_and_is_not_a_feature(tmp_path):
    frame = make_log(days=40, seed=3)
    ds = load_dataset(log(tmp_path, frame), target="label", time="timestamp")
    assert ds.feature_names == ("x0", "x1", "x2", "region")
    np.testing.assert_array_equal(ds.time, pd.to_datetime(frame["timestamp"]).to_numpy())
    np.testing.assert_array_equal(ds.X[:, 0], frame["x0"].to_numpy())


def test_an_unsorted_log_is_sorted_stably_with_a_warning(tmp_path):
    frame = make_log(days=10, seed=3)
    shuffled = frame.sample(frac=1.0, random_state=0)
    with pytest.warns(UserWarning, match="rows sorted by 'timestamp'"):
        ds = load_dataset(log(tmp_path, shuffled), target="label", time="timestamp")
    assert (np.diff(ds.time) >= np.timedelta64(0)).all()
    np.testing.assert_array_equal(np.sort(ds.X[:, 0]), np.sort(frame["x0"].to_numpy()))


def test_bad_time_columns_are_named(tmp_path):
    path = log(tmp_path)
    with pytest.raises(ValueError, match="time column 'when' not found"):
        load_dataset(path, target="label", time="when")
    with pytest.raises(ValueError, match="does not parse as dates"):
        load_dataset(path, target="label", time="region")


# ------------------------------------------------------------------ the replay stream
def test_replay_plays_every_row_in_order_whatever_the_batch_size(tmp_path):
    ds = load_dataset(log(tmp_path), target="label", time="timestamp")
    stream = DriftStream(ds, seed=5)
    assert stream.replay and stream.n_samples == ds.n_samples
    parts = list(stream.batches(97))
    np.testing.assert_array_equal(np.concatenate([b.X for b in parts]), ds.X)
    np.testing.assert_array_equal(np.concatenate([b.y for b in parts]), ds.y)
    np.testing.assert_array_equal(np.concatenate([b.time for b in parts]), ds.time)
    np.testing.assert_array_equal(stream.time, ds.time)


def test_drift_injected_on_top_of_a_replay_moves_only_later_rows(tmp_path):
    ds = load_dataset(log(tmp_path), target="label", time="timestamp")
    onset = int(np.searchsorted(ds.time, np.datetime64("2024-01-20")))
    stream = DriftStream(ds, [Drift("covariate", onset, features=["x2"], severity=1.0)])
    X, y, truth = stream.take(ds.n_samples)
    np.testing.assert_array_equal(X[:onset], ds.X[:onset])
    np.testing.assert_allclose(X[onset:, 2] - ds.X[onset:, 2], ds.X[:, 2].std())
    np.testing.assert_array_equal(y, ds.y)
    assert (truth[onset:, 0] == 1).all() and (truth[:onset, 0] == 0).all()
    assert [e.onset for e in stream.events] == [onset]


def test_replay_refuses_what_it_cannot_play(tmp_path):
    ds = load_dataset(log(tmp_path), target="label", time="timestamp")
    with pytest.raises(ValueError, match=f"n_samples must be <= {ds.n_samples}"):
        DriftStream(ds, n_samples=ds.n_samples + 1)
    with pytest.raises(ValueError, match="takes no row-selection drift"):
        DriftStream(ds, [Drift("prior", 10, toward=0)])


# ------------------------------------------------------------------ durations
def test_durations_parse_and_bad_ones_say_the_format():
    assert parse_duration("30d") == np.timedelta64(30 * 86400, "s")
    assert parse_duration("90min") == np.timedelta64(5400, "s")
    assert parse_duration(500) is None
    for bad in ("30", "30 days", "-1d", "0d"):
        with pytest.raises(ValueError, match="duration"):
            parse_duration(bad)
    with pytest.raises(ValueError, match="duration"):
        RetrainConfig(window="a month")


def test_a_duration_window_needs_timestamps():
    iris = DriftStream(load_dataset("iris"), n_samples=2000)
    with pytest.raises(ValueError, match="is a duration, but the stream has no timestamps"):
        DeploymentLoop(iris, retrain=RetrainConfig(window="30d"))


def test_a_30_day_window_trains_on_the_last_30_days_of_labels(tmp_path):
    ds = load_dataset(log(tmp_path, make_log(days=120, seed=4)), target="label",
                      time="timestamp")
    stream = DriftStream(ds)
    trace = DeploymentLoop(stream, policy=Periodic(every=700),
                           retrain=RetrainConfig(window="30d"),
                           gate=GateConfig(holdout=0.0), seed=0).run()
    starts = [e for e in trace.events if e.type == "retrain_start"]
    assert len(starts) >= 4
    for e in starts:
        t = e.time
        expected = t - window_start(ds.time, t - 1, parse_duration("30d"))
        assert e.details["n_train"] == expected
        assert 700 < expected < 1100  # ~30 applications a day


# ------------------------------------------------------------------ the example log
def test_the_shipped_log_is_what_the_documented_script_writes():
    shipped = pd.read_csv(PATH)
    pd.testing.assert_frame_equal(shipped, make_log())
    assert len(shipped) == 5289


def test_the_example_logs_drift_costs_what_the_rule_implies_and_30_days_recover_it():
    """θ 8 → 9 on 2024-04-01 with 10 % noise: a model of the first three months loses
    (81 − 64) / 200 × 0.8 = 0.068 accuracy; a retraining every 1,000 samples on the
    last 30 days brings accuracy in May and June back to about 0.9."""
    ds = load_dataset(PATH, target="label", time="timestamp")
    switch = int(np.searchsorted(ds.time, DRIFT_DATE))
    may = int(np.searchsorted(ds.time, np.datetime64("2024-05-01")))
    never = DeploymentLoop(DriftStream(ds), policy=Never(), initial_train=1500, seed=0).run()
    before = never.correct[1500:switch].mean()
    assert before - never.correct[switch:].mean() == pytest.approx(0.068, abs=0.03)
    periodic = DeploymentLoop(DriftStream(ds), policy=Periodic(every=1000),
                              retrain=RetrainConfig(window="30d"), initial_train=1500,
                              seed=0).run()
    assert periodic.correct[may:].mean() == pytest.approx(0.9, abs=0.03)
    assert periodic.correct[may:].mean() - never.correct[may:].mean() > 0.04


# ------------------------------------------------------------------ the README, as written
def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- replay-commands -->\s*```bash\n(.*?)```", text, re.S)
    assert block, "README lost its replay commands"
    return [line for line in block.group(1).splitlines() if line.strip()]


@pytest.mark.slow
def test_readme_run_it_on_your_own_data_commands_run(tmp_path):
    """Each command as the README writes it, from the project root (the venv's python
    for `.venv/bin/python`; /tmp paths moved into this test's folder)."""
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    printed = []
    for command in readme_commands():
        # /tmp first: the interpreter itself may live under /tmp (a CI clone)
        command = command.replace("/tmp/", f"{tmp_path}/")
        command = command.replace(".venv/bin/python", sys.executable)
        done = subprocess.run(command, shell=True, cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        printed.append(done.stdout + done.stderr)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "loan_log.csv"), make_log())
    result = json.loads((tmp_path / "loan_log_run" / "result.json").read_text())
    assert result["config"]["loop"]["retrain"]["window"] == "30d"
    trace = Trace.load(tmp_path / "loan_log_run" / "trace.npz")
    assert trace.n_samples == 5289
    retrains = [e for e in trace.events if e.type == "retrain_start"]
    assert [e.time for e in retrains] == [1001, 2001, 3001, 4001, 5001]
    assert all(600 < e.details["n_train"] < 1000 for e in retrains)
    # the daily KS monitor: one check a day, the shift of 1 March found on 2 March
    daily = json.loads((tmp_path / "loan_log_daily" / "result.json").read_text())
    assert daily["config"]["monitor"] == {"signal": "features", "every": "1d", "window": "7d"}
    assert daily["events"][0]["onset_timestamp"] == "2024-03-01T00:00:25"
    alerts = [e for e in daily["time_axis"]["events"] if e["type"] == "alert"]
    first_after = next(a for a in alerts if a["time"] >= 1792)
    assert first_after["timestamp"].startswith("2024-03-02")
    start = pd.Timestamp(daily["time_axis"]["start"])
    days = [(pd.Timestamp(a["timestamp"]) - start) // pd.Timedelta("1D") for a in alerts]
    assert len(set(days)) == len(days) > 100  # at most one check a day, and it keeps alarming
    (found,) = daily["time_axis"]["first_alerts"]
    assert found["alert"]["timestamp"] == first_after["timestamp"]
    hours = (pd.Timestamp(first_after["timestamp"]) - pd.Timestamp("2024-03-01T00:00:25"))
    assert found["alert"]["delay_hours"] == pytest.approx(hours / pd.Timedelta("1h"), abs=1e-3)
    assert (f"drift at 2024-03-01T00:00:25: first alert {first_after['timestamp']} (KS, "
            f"{found['alert']['delay_hours']:.3g} h later)") in printed[2]
    assert (tmp_path / "loan_log_daily" / "timeline.png").stat().st_size > 10_000


def test_a_weekly_period_retrains_at_the_first_sample_of_each_week(tmp_path):
    ds = load_dataset(log(tmp_path, make_log(days=40, seed=5)), target="label",
                      time="timestamp")
    trace = DeploymentLoop(DriftStream(ds), policy=Periodic(every="7d"), seed=0,
                           initial_train=300).run()
    requests = [e.time for e in trace.events if e.type == "retrain_start"]
    first = ds.time[0]
    weeks = [first + np.timedelta64(7 * k, "D") for k in range(1, 6)]
    expected = [int(np.searchsorted(ds.time, w)) + 1 for w in weeks]  # jobs start 1 later
    assert requests == expected
    with pytest.raises(ValueError, match="is a duration, but the stream has no timestamps"):
        DeploymentLoop(DriftStream(load_dataset("iris"), n_samples=500),
                       policy=Periodic(every="7d")).run()
