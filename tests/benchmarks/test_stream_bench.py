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


def _sea_switch_stream() -> DriftStream:
    """SEA θ 8 → 9 (MOA sigmoid, width 10,000) then → 7 (abrupt), 10 % label noise."""
    drifts = [
        Drift("concept", 250_000, width=10_000, profile="sigmoid", transform="switch",
              to={"variant": 1}),
        Drift("concept", 600_000, transform="switch", to={"variant": 2}),
    ]
    ds = load_dataset("sea", n_samples=1000, noise=0.1)
    return DriftStream(ds, drifts, n_samples=N_SAMPLES, seed=0)


def _agrawal_switch_stream() -> DriftStream:
    drifts = [Drift("concept", 500_000, width=10_000, profile="sigmoid", transform="switch",
                    to={"classification_function": 2})]
    ds = load_dataset("agrawal", n_samples=1000, perturbation=0.05)
    return DriftStream(ds, drifts, n_samples=N_SAMPLES, seed=0)


def test_generator_switch_stream_throughput(benchmark):
    """A generator concept-switch stream (fresh SEA samples, two switches) against the
    Iris resampling stream above, in the same run. Target: > 5 million samples/s."""
    stream, iris = _sea_switch_stream(), _stream()
    reference = min(_timed(iris) for _ in range(3))
    n = benchmark.pedantic(_consume, args=(stream,), rounds=5, iterations=1, warmup_rounds=1)
    assert n == N_SAMPLES
    rate = N_SAMPLES / benchmark.stats.stats.median
    benchmark.extra_info["samples_per_second"] = rate
    benchmark.extra_info["iris_samples_per_second"] = N_SAMPLES / reference
    print(f"\nSEA switch stream: {rate / 1e6:.1f} million samples/s (median of 5 rounds); "
          f"Iris stream in the same run: {N_SAMPLES / reference / 1e6:.1f} million samples/s")


def test_agrawal_switch_stream_throughput(benchmark):
    """The widest generator (nine features, ten rules, perturbation), one sigmoid switch."""
    stream = _agrawal_switch_stream()
    n = benchmark.pedantic(_consume, args=(stream,), rounds=3, iterations=1, warmup_rounds=1)
    assert n == N_SAMPLES
    rate = N_SAMPLES / benchmark.stats.stats.median
    benchmark.extra_info["samples_per_second"] = rate
    print(f"\nAgrawal switch stream: {rate / 1e6:.1f} million samples/s (median of 3 rounds)")


def _timed(stream: DriftStream) -> float:
    import time

    t0 = time.perf_counter()
    _consume(stream)
    return time.perf_counter() - t0
