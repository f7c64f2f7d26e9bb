"""The run trace: the builder, label reveals, summaries, events and the save/load round trip."""

from __future__ import annotations

import copy as copy_module
import itertools
import json
import pickle
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.trace import EVENT_TYPES, Trace, TraceBuilder, TraceEvent

ARRAYS = ("prediction", "correct", "model_version", "y_true", "label_revealed", "label_time")
DTYPES = {
    "prediction": np.int64,
    "correct": np.bool_,
    "model_version": np.int32,
    "y_true": np.int64,
    "label_revealed": np.bool_,
    "label_time": np.int64,
}


def _random_stream(n: int, k: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    pred = np.where(rng.random(n) < 0.8, y, rng.integers(0, k, n))
    version = np.repeat(np.arange(1, 5), -(-n // 4))[:n]
    proba = rng.dirichlet(np.ones(k), n)
    return pred, y, version, proba


def assert_traces_identical(a: Trace, b: Trace) -> None:
    for name in ARRAYS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype == DTYPES[name], name
        assert np.array_equal(x, y), name
    if a.proba is None:
        assert b.proba is None
    else:
        assert a.proba.dtype == b.proba.dtype == np.float32
        assert np.array_equal(a.proba, b.proba)
    assert a.events == b.events
    assert dict(a.meta) == dict(b.meta)
    assert a == b


# ------------------------------------------------------------------ builder


@pytest.mark.parametrize("capacity", [None, 1, 1000])
def test_builder_over_several_batches_equals_one_big_batch(capacity):
    pred, y, version, proba = _random_stream(1000)
    whole = TraceBuilder()
    whole.add_batch(0, pred, None, version, y, proba=proba)
    pieces = TraceBuilder(n_samples=capacity)
    bounds = [0, 1, 7, 7, 300, 301, 999, 1000]  # includes an empty batch
    for lo, hi in itertools.pairwise(bounds):
        pieces.add_batch(lo, pred[lo:hi], None, version[lo:hi], y[lo:hi], proba=proba[lo:hi])
    assert pieces.n_samples == 1000
    assert_traces_identical(pieces.build(), whole.build())
    t = whole.build()
    np.testing.assert_array_equal(t.correct, pred == y)
    np.testing.assert_array_equal(t.proba, proba.astype(np.float32))
    assert not t.label_revealed.any() and (t.label_time == -1).all()


def test_builder_takes_given_correctness_and_one_version_per_batch():
    b = TraceBuilder()
    b.add_batch(0, [0, 1], np.array([False, False]), np.int64(4), [0, 1])
    b.add_batch(2, [2], [True], 5, [0])
    t = b.build()
    np.testing.assert_array_equal(t.correct, [False, False, True])
    np.testing.assert_array_equal(t.model_version, [4, 4, 5])


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((1, [0], None, 1, [0]), {}, "batch start must be 0 (the next sample), got 1"),
        ((0, [0.5], None, 1, [0]), {}, "prediction must be a 1-d array of integer class codes"),
        ((0, [0, 1], None, 1, [0]), {}, "y_true has 1 entries; prediction has 2"),
        ((0, [0], [1], 1, [0]), {}, "correct must be 1 bools (or None)"),
        ((0, [0, 1], None, [1, 2, 3], [0, 1]), {}, "model_version must be one int or 2 ints"),
        ((0, [0], None, 1.0, [0]), {}, "model_version must be one int or 1 ints"),
        ((0, [0], None, 1, [0]), {"proba": [0.5, 0.5]}, "proba must have shape (1, n_classes)"),
    ],
)
def test_add_batch_rejects_bad_input(args, kwargs, message):
    b = TraceBuilder()
    with pytest.raises(ValueError, match=re.escape(message)):
        b.add_batch(*args, **kwargs)
    assert b.n_samples == 0


def test_proba_must_be_given_by_every_batch_or_none():
    b = TraceBuilder()
    b.add_batch(0, [0], None, 1, [0], proba=[[0.9, 0.1]])
    with pytest.raises(ValueError, match="earlier batches gave proba"):
        b.add_batch(1, [0], None, 1, [0])
    with pytest.raises(ValueError, match="proba has 3 columns; earlier batches had 2"):
        b.add_batch(1, [0], None, 1, [0], proba=[[0.8, 0.1, 0.1]])
    b2 = TraceBuilder()
    b2.add_batch(0, [0], None, 1, [0])
    with pytest.raises(ValueError, match="earlier batches did not give proba"):
        b2.add_batch(1, [0], None, 1, [0], proba=[[0.9, 0.1]])
    assert b.n_samples == b2.n_samples == 1


def test_build_copies_so_the_builder_can_go_on():
    b = TraceBuilder(n_samples=2)
    b.add_batch(0, [0, 1], None, 1, [0, 1])
    first = b.build()
    b.reveal_labels([0], time=2)
    b.add_batch(2, [1], None, 2, [0])
    assert first.n_samples == 2 and not first.label_revealed.any()
    assert b.build().n_samples == 3


# ------------------------------------------------------------- label reveal


def test_reveal_labels_marks_samples_and_times():
    b = TraceBuilder()
    b.add_batch(0, np.zeros(10, dtype=np.int64), None, 1, np.zeros(10, dtype=np.int64))
    b.reveal_labels(np.arange(0, 4), time=5)
    b.reveal_labels(np.array([6, 9]), time=np.array([9, 9]))
    b.reveal_labels([], time=9)  # nothing to reveal is fine
    t = b.build()
    np.testing.assert_array_equal(t.label_revealed, np.isin(np.arange(10), [0, 1, 2, 3, 6, 9]))
    np.testing.assert_array_equal(t.label_time, [5, 5, 5, 5, -1, -1, 9, -1, -1, 9])


@pytest.mark.parametrize(
    ("indices", "time", "message"),
    [
        ([4], 9, "sample 4 has not been served; indices must lie in 0..3"),
        ([-1], 9, "sample -1 has not been served"),
        ([1, 2], 1, "the label of sample 2 cannot be revealed at time 1, before"),
        ([0], 2.5, "time must be one int or 1 ints"),
        ([0, 1], [5, 5, 5], "time must be one int or 2 ints"),
        ([0.0], 5, "indices must be a 1-d array of ints"),
        ([3, 3], 5, "indices must not repeat a sample"),
        ([2, 0], 5, "the label of sample 0 was already revealed at time 3"),
    ],
)
def test_reveal_labels_rejects_impossible_reveals_and_changes_nothing(indices, time, message):
    b = TraceBuilder()
    b.add_batch(0, [0, 0, 0, 0], None, 1, [0, 0, 0, 0])
    b.reveal_labels([0], time=3)
    with pytest.raises(ValueError, match=re.escape(message)):
        b.reveal_labels(indices, time)
    t = b.build()
    np.testing.assert_array_equal(t.label_time, [3, -1, -1, -1])


def test_trace_checks_label_times():
    cols = {
        "prediction": [0, 0],
        "correct": [True, True],
        "model_version": [1, 1],
        "y_true": [0, 0],
    }
    with pytest.raises(
        ValueError, match=re.escape("label_time[1] = 4 for a label with revealed=False")
    ):
        Trace(**cols, label_revealed=[True, False], label_time=[0, 4])
    with pytest.raises(
        ValueError, match=re.escape("label_time[1] = 0 for a label with revealed=True")
    ):
        Trace(**cols, label_revealed=[True, True], label_time=[0, 0])
    with pytest.raises(ValueError, match=re.escape("label_time must be 1-d with 2 entries")):
        Trace(**cols, label_revealed=[True, True], label_time=[0, 1, 2])


# ---------------------------------------------------------------- summaries


@pytest.mark.parametrize("window", [1, 2, 5, 17, 60])
def test_rolling_accuracy_matches_a_naive_loop_and_pandas(window):
    """Exact agreement with a plain loop; agreement with pandas' rolling mean (float)."""
    pred, y, version, _ = _random_stream(50, seed=window)
    b = TraceBuilder()
    b.add_batch(0, pred, None, version, y)
    t = b.build()
    correct = pred == y
    naive = np.array([correct[max(0, i - window + 1) : i + 1].mean() for i in range(50)])
    np.testing.assert_array_equal(t.rolling_accuracy(window), naive)
    for min_periods in (1, window):
        expected = pd.Series(correct.astype(float)).rolling(window, min_periods=min_periods)
        np.testing.assert_allclose(
            t.rolling_accuracy(window, min_periods), expected.mean().to_numpy(), atol=1e-12
        )


def test_rolling_accuracy_validates_its_window():
    t = TraceBuilder().build()
    assert t.rolling_accuracy(3).shape == (0,)
    with pytest.raises(ValueError, match="window must be >= 1, got 0"):
        t.rolling_accuracy(0)
    with pytest.raises(ValueError, match="min_periods must be <= 3, got 4"):
        t.rolling_accuracy(3, min_periods=4)


def test_accuracy_cost_and_event_selection():
    b = TraceBuilder()
    b.add_batch(0, [0, 1, 2, 2], None, 1, [0, 1, 1, 1])
    b.log(1, "alert", detector="ddm")
    b.log(2, "retrain_start", cost=10.0)
    b.log(3, "alert", detector="adwin")
    b.log(3, "deploy", cost=2.5, version=2)
    t = b.build()
    assert t.accuracy() == 0.5
    assert t.total_cost == 12.5
    assert [e.details["detector"] for e in t.events_of("alert")] == ["ddm", "adwin"]
    assert t.events_of("rollback") == ()
    with pytest.raises(ValueError, match="type must be one of"):
        t.events_of("alarm")
    assert np.isnan(TraceBuilder().build().accuracy())
    assert TraceBuilder().build().total_cost == 0.0


def test_frames_hold_the_columns_and_the_events():
    pred, y, version, proba = _random_stream(20)
    b = TraceBuilder()
    b.add_batch(0, pred, None, version, y, proba=proba)
    b.reveal_labels(np.arange(5), time=8)
    b.log(8, "gate_pass", cost=1.0, candidate=2)
    t = b.build()
    frame = t.to_frame()
    assert list(frame.columns) == [*ARRAYS, "proba_0", "proba_1", "proba_2"]
    assert frame.index.name == "time" and len(frame) == 20
    for name in ARRAYS:
        np.testing.assert_array_equal(frame[name].to_numpy(), getattr(t, name))
    np.testing.assert_array_equal(frame[["proba_0", "proba_1", "proba_2"]].to_numpy(), t.proba)
    events = t.events_frame()
    assert events.to_dict("records") == [
        {"time": 8, "type": "gate_pass", "cost": 1.0, "details": {"candidate": 2}}
    ]
    assert list(TraceBuilder().build().events_frame().columns) == [
        "time",
        "type",
        "cost",
        "details",
    ]


def test_meta_takes_an_omegaconf_config_as_plain_json():
    from omegaconf import OmegaConf

    cfg = OmegaConf.create({"detector": {"name": "ddm", "deltas": [0.1, 0.2]}, "seed": 3})
    trace = TraceBuilder().build(meta={"config": cfg})
    assert dict(trace.meta) == {
        "config": {"detector": {"name": "ddm", "deltas": [0.1, 0.2]}, "seed": 3}
    }
    assert type(trace.meta["config"]["detector"]["deltas"]) is list
    with pytest.raises(ValueError, match=re.escape("meta['raw'] must be JSON-serialisable")):
        TraceBuilder().build(meta={"raw": b"bytes"})


def test_traces_and_events_survive_pickle_and_deepcopy():
    """Hydra's joblib launcher and multiprocessing pickle what jobs return."""
    trace = _full_trace()
    for copy in (pickle.loads(pickle.dumps(trace)), copy_module.deepcopy(trace)):
        assert_traces_identical(copy, trace)
        assert not copy.prediction.flags.writeable
    event = trace.events[0]
    assert pickle.loads(pickle.dumps(event)) == event


def test_trace_arrays_are_read_only_and_leave_the_callers_arrays_alone():
    pred = np.array([0, 1], dtype=np.int64)
    t = Trace(pred, [True, True], [1, 1], [0, 1], [False, False], [-1, -1])
    with pytest.raises(ValueError, match="read-only"):
        t.prediction[0] = 5
    pred[0] = 1  # the caller's array is still writable
    assert pred.flags.writeable


# ------------------------------------------------------------------- events


def test_event_type_is_validated_and_the_error_lists_every_allowed_type():
    with pytest.raises(ValueError) as info:
        TraceEvent(0, "retrain")
    message = str(info.value)
    assert "got 'retrain'" in message
    for name in EVENT_TYPES:
        assert repr(name) in message
    with pytest.raises(ValueError, match="type must be one of"):
        TraceBuilder().log(0, "drift")


def test_event_type_list_covers_the_issue():
    required = {
        "alert",
        "warning",
        "retrain_start",
        "retrain_end",
        "retrain_failed",
        "gate_pass",
        "gate_fail",
        "deploy",
        "rollback",
        "approval",
    }
    assert required <= set(EVENT_TYPES)
    assert len(set(EVENT_TYPES)) == len(EVENT_TYPES)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"time": -1}, "time must be >= 0, got -1"),
        ({"time": 1.5}, "time must be an integer, got 1.5"),
        ({"cost": -1.0}, "cost must be >= 0.0, got -1.0"),
        ({"cost": float("inf")}, "cost must be finite, got inf"),
        ({"cost": float("nan")}, "cost must be a number, got nan"),
        ({"details": {1: "x"}}, "details keys must be strings, got 1"),
        ({"details": {"m": object()}}, "details['m'] must be JSON-serialisable"),
        ({"details": {"m": [1, {2}]}}, "details['m'][1] must be JSON-serialisable"),
    ],
)
def test_event_fields_are_validated(kwargs, message):
    args = {"time": 0, "type": "alert", **kwargs}
    with pytest.raises(ValueError, match=re.escape(message)):
        TraceEvent(**args)


def test_numpy_values_in_details_become_plain_json_types():
    e = TraceBuilder().log(
        np.int64(7),
        "alert",
        cost=np.float32(0.5),
        p_value=np.float64(1 / 3),
        drifted=np.bool_(True),
        features=np.array([1, 3]),
        window=(np.int32(10), 20),
        nested={"score": np.float32(0.25)},
    )
    assert e.time == 7 and type(e.time) is int and type(e.cost) is float
    assert dict(e.details) == {
        "p_value": 1 / 3,
        "drifted": True,
        "features": [1, 3],
        "window": [10, 20],
        "nested": {"score": 0.25},
    }
    assert type(e.details["p_value"]) is float and type(e.details["drifted"]) is bool
    assert all(type(v) is int for v in e.details["window"] + e.details["features"])
    assert json.loads(json.dumps(e.to_dict())) == e.to_dict()
    assert TraceEvent.from_dict(e.to_dict()) == e
    with pytest.raises(TypeError):
        e.details["p_value"] = 1.0  # details are read-only


# ----------------------------------------------------------------- save/load


def _full_trace() -> Trace:
    pred, y, version, proba = _random_stream(300)
    b = TraceBuilder()
    b.add_batch(0, pred[:100], None, version[:100], y[:100], proba=proba[:100])
    b.reveal_labels(np.arange(0, 80), time=100)
    b.add_batch(100, pred[100:], None, version[100:], y[100:], proba=proba[100:])
    b.reveal_labels(np.arange(80, 250, 3), time=np.arange(80, 250, 3) + 40)
    b.log(120, "alert", detector="ddm", p=np.float64(1e-3))
    b.log(130, "retrain_start", cost=3.25, window=[50, 130])
    b.log(160, "gate_pass", accuracy=0.875, reason="beats champion by 0.05")
    b.log(161, "deploy", version=2, note="unicode ok: é ∆")
    return b.build(
        meta={
            "seed": 3,
            "config": {"detector": {"name": "ddm", "delta": 0.002}},
            "stream_events": [{"onset": 100, "kind": "concept", "harmful": True}],
        }
    )


def test_save_and_load_round_trip_exactly(tmp_path):
    trace = _full_trace()
    path = trace.save(tmp_path / "run" / "trace")
    assert path == tmp_path / "run" / "trace.npz" and path.is_file()
    assert sorted(p.name for p in path.parent.iterdir()) == ["trace.npz"]  # no temp files left
    for name in (path, tmp_path / "run" / "trace", str(path)):
        assert_traces_identical(Trace.load(name), trace)
    with np.load(path, allow_pickle=False) as data:  # plain arrays, no pickles
        assert set(data.files) == {*ARRAYS, "proba", "trace.json"}


def test_round_trip_without_events_or_proba(tmp_path):
    b = TraceBuilder()
    b.add_batch(0, [1, 0, 1], None, 1, [1, 1, 1])
    trace = b.build()
    assert trace.proba is None and trace.events == () and dict(trace.meta) == {}
    assert_traces_identical(Trace.load(trace.save(tmp_path / "t.npz")), trace)
    empty = TraceBuilder().build()
    assert_traces_identical(Trace.load(empty.save(tmp_path / "empty")), empty)


def test_save_replaces_atomically_and_a_failed_save_leaves_the_old_file(tmp_path, monkeypatch):
    old, new = _full_trace(), TraceBuilder().build(meta={"second": True})
    path = old.save(tmp_path / "trace")
    assert_traces_identical(Trace.load(new.save(path)), new)
    old.save(path)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez_compressed", broken)
    with pytest.raises(OSError, match="disk full"):
        new.save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["trace.npz"]
    assert_traces_identical(Trace.load(path), old)


def test_load_rejects_files_that_are_not_traces(tmp_path):
    np.savez(tmp_path / "other.npz", x=np.arange(3))
    with pytest.raises(ValueError, match="is not a driftsim trace"):
        Trace.load(tmp_path / "other.npz")
    payload = np.frombuffer(
        json.dumps({"format": "driftsim-trace", "version": 99}).encode(), dtype=np.uint8
    )
    np.savez(tmp_path / "future.npz", **{"trace.json": payload})
    with pytest.raises(
        ValueError, match="version 99; this driftsim reads 'driftsim-trace' version 1"
    ):
        Trace.load(tmp_path / "future.npz")


json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
details_strategy = st.dictionaries(
    # names of TraceBuilder.log's own parameters cannot be detail names
    st.text(min_size=1, max_size=6).filter(lambda s: s not in {"self", "time", "type", "cost"}),
    st.one_of(json_leaf, st.lists(json_leaf, max_size=3)),
    max_size=3,
)


@st.composite
def traces(draw):
    n = draw(st.integers(0, 30))
    k = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    pred, y = rng.integers(0, k, n), rng.integers(0, k, n)
    version = rng.integers(1, 4, n)
    proba = rng.random((n, k)) if draw(st.booleans()) else None
    cuts = np.sort(rng.integers(0, n + 1, draw(st.integers(0, 4))))
    bounds = [0, *cuts.tolist(), n]
    b = TraceBuilder(n_samples=draw(st.sampled_from([None, 0, n])))
    for lo, hi in itertools.pairwise(bounds):
        b.add_batch(
            lo,
            pred[lo:hi],
            None,
            version[lo:hi],
            y[lo:hi],
            proba=None if proba is None else proba[lo:hi],
        )
        revealed = rng.choice(hi - lo, size=rng.integers(0, hi - lo + 1), replace=False) + lo
        b.reveal_labels(revealed, time=hi + rng.integers(0, 5, revealed.size))
    for _ in range(draw(st.integers(0, 4))):
        b.log(
            draw(st.integers(0, 100)),
            draw(st.sampled_from(EVENT_TYPES)),
            cost=draw(st.floats(0, 1e6)),
            **draw(details_strategy),
        )
    return b.build(meta=draw(details_strategy))


@settings(max_examples=40, deadline=None)
@given(traces())
def test_any_trace_round_trips_exactly(trace):
    with tempfile.TemporaryDirectory() as tmp:
        loaded = Trace.load(trace.save(Path(tmp) / "trace"))
    assert_traces_identical(loaded, trace)
