"""Stream throughput: an Iris stream of 1,000,000 samples, one gradual covariate and
one abrupt concept drift, read in batches of 1,000. Target: > 5 million samples/s."""

from __future__ import annotations

from simulator.datasets import load_dataset
from simulator.drift import Drift
from simulator.stream import DriftStream

N_SAMPLES = 1_000_000
BATCH = 1_000


def _stream() -> DriftStream:
    drifts = [
        Drift("covariate", 200_000, width=100_000, profile="gradual", severity=1.0),
        Drift("concept", 500_000),
    ]
    return DriftStream(load_dataset("iris"), drifts, n_samples=N_SAMPLES, seed=0)


def _consume(stream: DriftStream) -> int:
    # A fresh cache each round: every block is generated, none is reused.
    stream._cache.clear()
    n = 0
    for batch in stream.batches(BATCH):
        n += len(batch)
    return n


def test_iris_stream_throughput(benchmark):
    stream = _stream()
    n = benchmark.pedantic(_consume, args=(stream,), rounds=5, iterations=1, warmup_rounds=1)
    assert n == N_SAMPLES
    rate = N_SAMPLES / benchmark.stats.stats.median
    benchmark.extra_info["samples_per_second"] = rate
    print(f"\nIris stream: {rate / 1e6:.1f} million samples/s (median of 5 rounds)")


def test_stream_construction(benchmark):
    """Building the stream, harm measurement included (two events, two fits)."""
    stream = benchmark.pedantic(_stream, rounds=5, iterations=1, warmup_rounds=1)
    assert len(stream.events) == 2
