"""Window tests on a 1,000 × 4 window against a 1,000 × 4 reference, next to scipy.

Each benchmark group holds our ``test(window)`` (reference fitted beforehand, as a
monitor would) and, where scipy has the same test, a loop of the scipy function over
the four features. Run with::

    .venv/bin/python -m pytest tests/benchmarks/test_window_bench.py \\
        --benchmark-enable --benchmark-only -o addopts="" -q
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from detectors.window import (
    KS,
    MMD,
    PSI,
    AndersonDarling,
    AutoTest,
    ChiSquared,
    ClassifierTest,
    CramerVonMises,
    Energy,
    Hellinger,
    JensenShannon,
    Wasserstein,
)

N, D = 1000, 4
_rng = np.random.default_rng(0)
REFERENCE = _rng.normal(size=(N, D))
WINDOW = _rng.normal(0.05, 1.0, size=(N, D))
REFERENCE_CAT = _rng.integers(0, 5, size=(N, D)).astype(float)
WINDOW_CAT = _rng.integers(0, 5, size=(N, D)).astype(float)


def _scipy_loop(fn: Callable[[np.ndarray, np.ndarray], object], X: np.ndarray, W: np.ndarray):
    return [fn(X[:, j], W[:, j]) for j in range(X.shape[1])]


def _contingency(x: np.ndarray, w: np.ndarray):
    values = np.union1d(x, w)
    table = np.array([[np.sum(x == v) for v in values], [np.sum(w == v) for v in values]])
    return stats.chi2_contingency(table)


def _anderson(x: np.ndarray, w: np.ndarray):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return stats.anderson_ksamp([x, w], variant="midrank")


def _jensenshannon(x: np.ndarray, w: np.ndarray):
    lo, hi = min(x.min(), w.min()), max(x.max(), w.max())
    p = np.histogram(x, 10, range=(lo, hi))[0]
    q = np.histogram(w, 10, range=(lo, hi))[0]
    return jensenshannon(p, q)


CASES = [
    ("KS", KS(), stats.ks_2samp, False),
    ("CramerVonMises", CramerVonMises(), stats.cramervonmises_2samp, False),
    ("AndersonDarling", AndersonDarling(), _anderson, False),
    ("ChiSquared", ChiSquared(), _contingency, True),
    ("Wasserstein", Wasserstein(normalize=False), stats.wasserstein_distance, False),
    ("Energy", Energy(n_permutations=0, threshold=0.1), stats.energy_distance, False),
    ("JensenShannon", JensenShannon(), _jensenshannon, False),
    ("PSI", PSI(), None, False),
    ("Hellinger", Hellinger(), None, False),
    ("AutoTest", AutoTest(), None, False),
    ("MMD", MMD(), None, False),
    ("EnergyPermutation", Energy(), None, False),
    ("ClassifierTest", ClassifierTest(), None, False),
]


@pytest.mark.parametrize(
    ("group", "test", "scipy_fn", "categorical"), CASES, ids=[c[0] for c in CASES]
)
def test_ours(benchmark, group: str, test, scipy_fn, categorical: bool) -> None:
    benchmark.group = group
    X, W = (REFERENCE_CAT, WINDOW_CAT) if categorical else (REFERENCE, WINDOW)
    test.fit(X)
    test.test(W)  # warm up: load compiled kernels before timing
    result = benchmark(test.test, W)
    assert np.isfinite(result.statistic)


@pytest.mark.parametrize(
    ("group", "test", "scipy_fn", "categorical"),
    [c for c in CASES if c[2] is not None],
    ids=[c[0] for c in CASES if c[2] is not None],
)
def test_scipy_loop(benchmark, group: str, test, scipy_fn, categorical: bool) -> None:
    benchmark.group = group
    X, W = (REFERENCE_CAT, WINDOW_CAT) if categorical else (REFERENCE, WINDOW)
    _scipy_loop(scipy_fn, X, W)
    out = benchmark(_scipy_loop, scipy_fn, X, W)
    assert len(out) == D
