"""Deployment-loop throughput: 100,000 Iris samples, three monitors, drift-triggered
retraining. Reports wall time and the share spent outside model fit/predict."""

from __future__ import annotations

import time

from sklearn.base import BaseEstimator, ClassifierMixin, clone

from detectors.adwin import ADWIN
from detectors.window import KS, PSI
from simulator.datasets import load_dataset
from simulator.drift import Drift
from simulator.loop import DeploymentLoop
from simulator.models import default_model
from simulator.monitors import Monitor
from simulator.policies import DriftTriggered
from simulator.stream import DriftStream


class Timed(ClassifierMixin, BaseEstimator):
    """Wraps a model and adds the seconds spent in fit and predict_proba to a tally."""

    seconds = 0.0

    def __init__(self, model=None):
        self.model = model

    def fit(self, X, y):
        t = time.perf_counter()
        self.model_ = clone(self.model).fit(X, y)
        self.classes_ = self.model_.classes_
        Timed.seconds += time.perf_counter() - t
        return self

    def predict_proba(self, X):
        t = time.perf_counter()
        out = self.model_.predict_proba(X)
        Timed.seconds += time.perf_counter() - t
        return out


def _loop():
    stream = DriftStream(
        load_dataset("iris"),
        [
            Drift("covariate", 30_000, width=5_000, profile="gradual"),
            Drift("concept", 60_000, classes=(1, 2)),
        ],
        n_samples=100_000,
        seed=0,
    )
    monitors = [
        Monitor("error", ADWIN(), name="adwin-error"),
        Monitor("features", KS(), every=500, window=500, name="ks-features"),
        Monitor("prediction", PSI(), every=500, window=500, name="psi-prediction"),
    ]
    return DeploymentLoop(
        stream,
        model=Timed(default_model()),
        monitors=monitors,
        policy=DriftTriggered(cooldown=2_000),
        batch_size=1_000,
        seed=0,
    )


def test_loop_100k_iris(benchmark):
    _loop().run()  # warm the compiled kernels and imports

    def run():
        Timed.seconds = 0.0
        start = time.perf_counter()
        trace = _loop().run()
        return trace, time.perf_counter() - start, Timed.seconds

    trace, wall, model_seconds = benchmark.pedantic(run, rounds=3, iterations=1)
    benchmark.extra_info["samples"] = trace.n_samples
    benchmark.extra_info["retrains"] = len(trace.events_of("retrain_start"))
    benchmark.extra_info["share_outside_model"] = round(1 - model_seconds / wall, 3)
    print(
        f"\nloop: {wall:.3f} s for {trace.n_samples} samples, "
        f"{len(trace.events_of('retrain_start'))} retrains, "
        f"{100 * (1 - model_seconds / wall):.0f}% outside model fit/predict"
    )
    assert trace.n_samples == 100_000
