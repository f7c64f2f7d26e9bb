"""The deployment loop's fast paths change no result.

The loop predicts ahead of the segment while the champion is unchanged, shares numba
kernels between its snapshots and writes the trace's columns once at the end. Three
kinds of check:

* pinned traces: every case of tests/loop_golden_cases.py, at every batch size it
  lists, has the SHA-256 digest (columns, probabilities, events, meta) that the loop
  before these fast paths produced (commit 6ce9f97; tests/data/loop_golden.json says
  how it was made);
* batch-size invariance: a case's trace is the same at batch sizes 1, 137, 500 and
  5000 (but the ``incremental`` strategy, which learns at segment ends);
* the assumptions the fast paths rest on: the models predicted ahead give the same
  floats for a row whatever rows share the call, and a snapshot is a deep copy that
  shares only the compiled kernels.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json

import numpy as np
import pytest
from numba.core.dispatcher import Dispatcher
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from detectors.adwin import ADWIN
from simulator.datasets import load_dataset
from simulator.drift import Drift
from simulator.loop import DeploymentLoop
from simulator.loop_config import RetrainConfig
from simulator.loop_serving import READ_AHEAD
from simulator.loop_snapshot import Snapshots
from simulator.models import RiverClassifier, default_model, full_proba, predicts_rowwise
from simulator.monitors import Monitor
from simulator.policies import Oracle
from simulator.registry import InMemoryRegistry
from simulator.stream import DriftStream
from tests.loop_golden_cases import CASES, GOLDEN, digest, run_case

PINNED = json.loads(GOLDEN.read_text())["digests"]


@functools.cache
def _run(case, batch_size):
    """Each run once per session: the digest and the invariance tests share it."""
    return run_case(case, batch_size)


@pytest.mark.parametrize(
    ("case", "batch_size"),
    [(case, bs) for case, (_, sizes) in CASES.items() for bs in sizes],
)
def test_trace_matches_the_pinned_digest(case, batch_size):
    assert digest(_run(case, batch_size)) == PINNED[case][str(batch_size)]


def test_every_case_and_batch_size_is_pinned():
    assert {c: sorted(map(int, d)) for c, d in PINNED.items()} == {
        c: sorted(sizes) for c, (_, sizes) in CASES.items()
    }


def _without_batch_size(trace):
    """The trace's content, JSON-comparable (events with NaN scores compare equal)."""
    meta = {k: v for k, v in trace.meta.items() if k != "batch_size"}
    columns = {c: getattr(trace, c).tolist() for c in
               ("prediction", "correct", "model_version", "y_true", "label_time")}
    return json.dumps([columns, trace.proba.tolist(), [e.to_dict() for e in trace.events],
                       meta], sort_keys=True)


@pytest.mark.parametrize("case", [c for c in CASES if c != "incremental_river"])
def test_batch_size_does_not_change_the_trace(case):
    _, sizes = CASES[case]
    traces = [_without_batch_size(_run(case, bs)) for bs in sizes]
    assert traces[1:] == traces[:-1]


@pytest.mark.parametrize("name", ["digits", "breast_cancer"])
def test_wide_data_gives_the_same_trace_across_batch_sizes(name):
    """On wide data a BLAS product of another number of rows may round the last bit of
    a float64 probability differently (see simulator.loop_serving); the trace, which
    keeps probabilities in float32, predictions, alarms and events, does not change."""
    traces = []
    for batch_size in (1, 137, 500):
        stream = DriftStream(load_dataset(name), [Drift("concept", 3000, transform="swap",
                                                        classes=(0, 1))],
                             n_samples=6000, seed=5)
        traces.append(_without_batch_size(DeploymentLoop(
            stream, None, [Monitor("error", ADWIN())], Oracle(), batch_size=batch_size,
            label_delay=50).run()))
    assert traces[1:] == traces[:-1]


def test_incremental_strategy_is_predicted_segment_by_segment():
    # the champion learns at every segment end, so batch sizes differ: predicting
    # ahead would serve a stale model (the pinned digests check the exact values)
    a, b = _run("incremental_river", 137), _run("incremental_river", 500)
    assert not np.array_equal(a.proba, b.proba)


ROWWISE_MODELS = {
    "default": default_model,
    "logistic": lambda: LogisticRegression(max_iter=500),
    "gaussian_nb": GaussianNB,
    "tree": lambda: DecisionTreeClassifier(max_depth=5, random_state=0),
    "forest": lambda: RandomForestClassifier(n_estimators=10, max_depth=5, random_state=0),
    "river": lambda: RiverClassifier(_river_model(), n_classes=3),
}


def _river_model():
    from river.linear_model import SoftmaxRegression
    from river.preprocessing import StandardScaler as RiverScaler

    return RiverScaler() | SoftmaxRegression()


@pytest.mark.parametrize("name", ROWWISE_MODELS)
def test_rowwise_models_give_the_same_floats_in_any_chunking(name):
    model = ROWWISE_MODELS[name]()
    assert predicts_rowwise(model)
    stream = DriftStream(load_dataset("iris"), [Drift("covariate", 1000, severity=2.0)],
                         n_samples=3000, seed=11)
    batch = stream.batch(0, 3000)
    model.fit(batch.X[:400], batch.y[:400])
    whole = full_proba(model, batch.X, 3)
    for size in (2, 3, 137, 500, 2048):
        chunks = [full_proba(model, batch.X[i : i + size], 3) for i in range(0, 3000, size)]
        if chunks[-1].shape[0] == 1:  # one-row calls are never predicted ahead
            chunks[-1] = whole[-1:]
        np.testing.assert_array_equal(np.concatenate(chunks), whole, err_msg=f"size {size}")


def test_only_listed_exact_classes_are_rowwise():
    class MyLogistic(LogisticRegression):
        """A user's subclass: it may override how it predicts."""

    assert predicts_rowwise(make_pipeline(StandardScaler(), GaussianNB()))
    assert not predicts_rowwise(KNeighborsClassifier())
    assert not predicts_rowwise(MyLogistic())  # a subclass may predict otherwise
    assert not predicts_rowwise(make_pipeline(MinMaxScaler(), LogisticRegression()))


def test_an_unchanged_champion_is_predicted_once_per_read_ahead():
    stream = DriftStream(load_dataset("iris"), n_samples=READ_AHEAD + 3000, seed=2)
    loop = DeploymentLoop(stream, batch_size=500)
    trace = loop.run()
    ahead = loop.server_._ahead
    # the first read-ahead ran out in the segment from `start`; the second began there
    # and was predicted in one call, although the batch size cut it into many segments
    start = READ_AHEAD - READ_AHEAD % 500
    assert (ahead.rows.start, ahead.rows.stop) == (start, READ_AHEAD + 3000)
    assert (ahead.proba_start, ahead.proba_stop) == (start, READ_AHEAD + 3000)
    assert ahead.version == loop.registry_.get("champion").version
    np.testing.assert_array_equal(trace.proba[start:], ahead.proba.astype(np.float32))


def test_a_stream_with_drifts_is_rendered_once_and_predicted_in_spans():
    n = 3 * READ_AHEAD
    stream = DriftStream(load_dataset("iris"), [Drift("covariate", 1000)], n_samples=n)
    loop = DeploymentLoop(stream, batch_size=500)
    trace = loop.run()
    ahead = loop.server_._ahead
    # the loop rendered the whole stream for its ground truth; serving reused it
    assert (ahead.rows.start, ahead.rows.stop) == (0, n)
    np.testing.assert_array_equal(ahead.rows.truth, loop.stream.batch(0, n).truth)
    # predictions ahead stop READ_AHEAD on (rounded to a segment), not at the end
    assert ahead.proba_stop == n and 0 < n - ahead.proba_start <= READ_AHEAD + 500
    np.testing.assert_array_equal(trace.proba[ahead.proba_start :],
                                  ahead.proba.astype(np.float32))


class CopyingRegistry(InMemoryRegistry):
    """A registry that hands out a fresh copy of the fitted model on every look-up,
    as one that loads models from storage would."""

    def get(self, version_or_alias):
        mv = super().get(version_or_alias)
        return dataclasses.replace(mv, model=copy.deepcopy(mv.model))


def test_predictions_ahead_are_kept_by_version_not_model_object():
    def run(registry):
        stream = DriftStream(load_dataset("iris"), [Drift("concept", 6000, classes=(1, 2))],
                             n_samples=2 * READ_AHEAD, seed=3)
        loop = DeploymentLoop(stream, policy=Oracle(), retrain=RetrainConfig(window=300),
                              registry=registry, seed=1)
        return loop, loop.run()

    plain_loop, plain = run(None)
    loop, trace = run(CopyingRegistry())
    assert trace == plain and len(trace.events_of("deploy")) == 2
    # predicted ahead over the same spans although every look-up gave a new object
    ahead, plain_ahead = loop.server_._ahead, plain_loop.server_._ahead
    assert (ahead.proba_start, ahead.proba_stop) == (plain_ahead.proba_start,
                                                     plain_ahead.proba_stop)
    assert ahead.proba_start < 2 * READ_AHEAD - 500  # before the last segment began


def test_snapshot_is_deep_but_shares_the_compiled_kernel():
    monitor = Monitor("error", ADWIN(), name="adwin")
    monitor.detector.update_many(np.r_[np.zeros(300), np.ones(40)])
    snaps = Snapshots([monitor])
    (copied,) = snaps.take([monitor])
    assert copied.detector is not monitor.detector
    kernels = {k: v for k, v in vars(monitor.detector).items() if isinstance(v, Dispatcher)}
    assert kernels, "ADWIN no longer keeps a compiled kernel: Snapshots may be moot"
    assert all(vars(copied.detector)[k] is v for k, v in kernels.items())
    values = np.random.default_rng(0).random(2000) < 0.4
    fired = monitor.detector.update_many(values)
    # the copy starts from the state at the snapshot, as a plain deep copy would
    reference = copy.deepcopy(copied)
    np.testing.assert_array_equal(copied.detector.update_many(values), fired)
    np.testing.assert_array_equal(reference.detector.update_many(values), fired)
