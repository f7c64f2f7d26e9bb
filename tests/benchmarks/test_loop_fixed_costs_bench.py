"""The deployment loop's fixed costs per segment: the default batch size against a
ten times larger one.

Both runs serve the same 200,000 Iris samples through the default model with three
monitors (ADWIN on errors, KS on features, PSI on predictions), drift-triggered
retraining and random label delays, and give the same trace (asserted). At
``batch_size=5000`` the loop cuts a tenth as many segments, so it pays a tenth of the
per-segment costs (a snapshot of monitors and policy, serving, bookkeeping), but a
decision mid-segment discards and replays longer stretches of monitoring. Issue 16
measured the default batch size 3.5x slower than 5000 before the loop's fast paths
(``predict_proba`` and ``DriftStream.batch`` per segment, deep-copied numba kernels);
the ratio table prints this pair as reference ``batch-5000``: a speed-up of 1 or more
means the default batch size no longer pays for its segments.
(``batch_size=n_samples`` is no floor: every decision then replays the monitoring of
everything up to the next event.)
"""

from __future__ import annotations

import numpy as np
import pytest

from detectors.adwin import ADWIN
from detectors.window import KS, PSI
from simulator.datasets import load_dataset
from simulator.drift import Drift
from simulator.loop import DeploymentLoop
from simulator.monitors import Monitor
from simulator.policies import DriftTriggered
from simulator.stream import DriftStream

N_SAMPLES = 200_000
GROUP = "loop 200k Iris, 3 monitors: batch_size=500 vs 5000"


def _loop(batch_size: int) -> DeploymentLoop:
    n = N_SAMPLES
    stream = DriftStream(
        load_dataset("iris"),
        [Drift("covariate", int(0.3 * n), width=n // 20, profile="gradual"),
         Drift("concept", int(0.6 * n), classes=(1, 2))],
        n_samples=n,
        seed=0,
    )
    monitors = [
        Monitor("error", ADWIN(), name="adwin-error"),
        Monitor("features", KS(), every=500, window=500, name="ks-features"),
        Monitor("prediction", PSI(), every=500, window=500, name="psi-prediction"),
    ]
    return DeploymentLoop(stream, monitors=monitors, policy=DriftTriggered(cooldown=2_000),
                          label_delay=(10, 200), batch_size=batch_size, seed=0)


@pytest.fixture(scope="module")
def default_trace():
    _loop(500).run()  # warm the compiled kernels and imports
    return _loop(500).run()


def test_loop_default_batch_size(benchmark, default_trace):
    benchmark.group = GROUP  # read when the timing starts
    trace = benchmark.pedantic(lambda: _loop(500).run(), rounds=3, iterations=1)
    benchmark.extra_info["samples"] = trace.n_samples
    benchmark.extra_info["retrains"] = len(trace.events_of("retrain_start"))
    assert trace == default_trace


def test_loop_batch_size_5000(benchmark, default_trace):
    benchmark.group = GROUP
    benchmark.extra_info["side"] = "batch-5000"
    trace = benchmark.pedantic(lambda: _loop(5000).run(), rounds=3, iterations=1)
    # the same run: only the meta's batch_size differs
    assert trace.events == default_trace.events
    for column in ("prediction", "model_version", "label_time", "proba"):
        np.testing.assert_array_equal(getattr(trace, column), getattr(default_trace, column))
