"""Throughput of ADWIN, HDDM_A, HDDM_W and KSWIN against river's, per element.

Ours runs ``update_many`` over a 1,000,000-value stream; river's same detector is fed a
shorter stream (100,000 values, 10,000 for KSWIN) element by element. Each benchmark
stores ``elements`` and ``elements_per_s`` in its ``extra_info`` (the ``ops`` column is
calls per second, and the two sides see different lengths), one benchmark group per
method. Targets: ours at least 50x river per element (10x for river's compiled ADWIN,
100x for KSWIN).

Run: ``.venv/bin/python -m pytest tests/benchmarks/test_streaming_bench_group2.py
--benchmark-enable --benchmark-only -o addopts="" -q``
"""

from __future__ import annotations

import numpy as np
import pytest
from river.drift import ADWIN as RiverADWIN
from river.drift import KSWIN as RiverKSWIN
from river.drift.binary import HDDMA as RiverHDDMA
from river.drift.binary import HDDMW as RiverHDDMW

from detectors.adwin import ADWIN
from detectors.hddm import HDDM_A, HDDM_W
from detectors.kswin import KSWIN

OURS_N = 1_000_000


def _values(n: int, binary: bool) -> np.ndarray:
    """A seeded stream with a change every 100,000 values (so detectors restart)."""
    rng = np.random.default_rng(2024)
    level = (np.arange(n) // 100_000) % 2
    if binary:
        return (rng.random(n) < np.where(level, 0.3, 0.1)).astype(np.float64)
    return rng.normal(level * 1.0, 1.0)


# method -> (our class, river class, river stream length, binary input, river kwargs)
CASES = {
    "ADWIN": (ADWIN, RiverADWIN, 100_000, False, {}),
    "HDDM_A": (HDDM_A, RiverHDDMA, 100_000, True, {}),
    "HDDM_W": (HDDM_W, RiverHDDMW, 100_000, True, {}),
    "KSWIN": (KSWIN, RiverKSWIN, 10_000, False, {"seed": 1}),
}


def _record(benchmark, n: int) -> None:
    benchmark.extra_info["elements"] = n
    benchmark.extra_info["elements_per_s"] = n / benchmark.stats.stats.mean


@pytest.mark.parametrize("method", list(CASES))
def test_ours_update_many(benchmark, method):
    ours, _, _, binary, kwargs = CASES[method]
    xs = _values(OURS_N, binary)
    ours(**kwargs).update_many(xs[:1000])  # load the compiled kernel outside the timing
    benchmark.group = method
    drifts = benchmark.pedantic(
        lambda det: det.update_many(xs),
        setup=lambda: ((ours(**kwargs),), {}),
        rounds=3,
        iterations=1,
    )
    _record(benchmark, OURS_N)
    assert drifts.size >= 1


@pytest.mark.parametrize("method", list(CASES))
def test_river_update_loop(benchmark, method):
    ours, theirs, n, binary, kwargs = CASES[method]
    xs = _values(n, binary).tolist()

    def run(det):
        hits = 0
        for x in xs:
            det.update(x)
            hits += det.drift_detected
        return hits

    benchmark.group = method
    hits = benchmark.pedantic(
        run, setup=lambda: ((theirs(**kwargs),), {}), rounds=1 if method == "KSWIN" else 3
    )
    _record(benchmark, n)
    assert hits == ours(**kwargs).update_many(np.asarray(xs)).size  # same work done
