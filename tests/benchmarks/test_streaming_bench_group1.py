"""Throughput of our compiled streaming detectors against river's, pair by pair.

Each group holds two benchmarks: ``ours`` feeds a 1,000,000-element stream to
``update_many`` in one call; ``river`` feeds a 100,000-element stream from the same
generator (change half-way, as in ours) to river's detector element by element. Compare
*per-element* throughput: ``extra_info["elements"]`` gives the stream length, so
updates per second = elements * ops. The targets: every method at least 50x river's
per-element throughput; PageHinkley, DDM and CUSUM above 100 million updates per second.

Run with ``python -m pytest tests/benchmarks/test_streaming_bench_group1.py
--benchmark-enable --benchmark-only -o addopts="" -q``.
"""

from __future__ import annotations

import numpy as np
import pytest
from river.drift import PageHinkley as RiverPageHinkley
from river.drift import binary as river_binary

from detectors.baselines import NoDrift, PeriodicAlarm, RandomAlarm
from detectors.cusum import CUSUM
from detectors.ddm import DDM
from detectors.eddm import EDDM
from detectors.ewma_chart import EWMAChart
from detectors.fhddm import FHDDM
from detectors.page_hinkley import PageHinkley
from detectors.stepd import STEPD

N_OURS = 1_000_000
N_RIVER = 100_000


def _errors(n: int) -> np.ndarray:
    """Bernoulli errors at 10 %, rising to 30 % for the second half."""
    rng = np.random.default_rng(0)
    p = np.where(np.arange(n) < n // 2, 0.1, 0.3)
    return (rng.random(n) < p).astype(np.float64)


def _reals(n: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.normal(size=n) + np.where(np.arange(n) < n // 2, 0.0, 1.0)


STREAMS = {
    "errors": (_errors(N_OURS), _errors(N_RIVER)),
    "correct": (1.0 - _errors(N_OURS), 1.0 - _errors(N_RIVER)),
    "reals": (_reals(N_OURS), _reals(N_RIVER)),
}

# name -> (our factory, river factory or None, stream kind); FHDDM watches for a fall in
# the share of ones, so it gets correct-prediction bits
PAIRS = {
    "PageHinkley": (PageHinkley, RiverPageHinkley, "reals"),
    "DDM": (DDM, river_binary.DDM, "errors"),
    "EDDM": (EDDM, river_binary.EDDM, "errors"),
    "FHDDM": (FHDDM, river_binary.FHDDM, "correct"),
    "CUSUM": (CUSUM, None, "reals"),
    "STEPD": (STEPD, None, "errors"),
    "EWMAChart": (EWMAChart, None, "errors"),
    "NoDrift": (NoDrift, None, "reals"),
    "PeriodicAlarm": (lambda: PeriodicAlarm(every=1000), None, "reals"),
    "RandomAlarm": (lambda: RandomAlarm(rate=0.001, seed=0), None, "reals"),
}


@pytest.mark.parametrize("name", list(PAIRS))
def test_ours(benchmark, name):
    factory, _, kind = PAIRS[name]
    xs = STREAMS[kind][0]
    benchmark.group = name
    benchmark.extra_info["elements"] = xs.size
    factory().update_many(xs[:1000])  # compile / load the kernel outside the timing

    def run():
        return factory().update_many(xs)

    result = benchmark(run)
    assert result.dtype == np.int64


@pytest.mark.parametrize("name", [n for n, (_, r, _) in PAIRS.items() if r is not None])
def test_river(benchmark, name):
    _, river_factory, kind = PAIRS[name]
    values = STREAMS[kind][1].tolist()
    benchmark.group = name
    benchmark.extra_info["elements"] = len(values)

    def run():
        # the plainest loop, so river is not charged for any bookkeeping of ours
        det = river_factory()
        n_drifts = 0
        for x in values:
            det.update(x)
            n_drifts += det.drift_detected
        return n_drifts

    n_drifts = benchmark.pedantic(run, rounds=3, iterations=1)
    assert n_drifts >= 0
