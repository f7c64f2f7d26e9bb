"""Window tests at sizes where users wait: MMD at 10,000 × 20, PSI and chi-squared at
10,000 × 20, KS's asymptotic p-value against its exact one.

Each group pairs ours with a reference timed in the same run (``extra_info["side"]``):
a plain numpy/scipy computation of the same statistic, or, for KS, our exact method.
Targets (issue 16): MMD's statistic faster than the plain reference, the 200-permutation
p-value in under 2 s; MMD's block (B-test) and linear-time estimators, each against a
plain numpy version of its formula (the B-test well under 2 s); PSI and chi-squared
``test`` one pass over the window; KS ``method="asymp"`` no slower than ``"exact"``.

Run: ``.venv/bin/python -m pytest tests/benchmarks/test_window_large_bench.py
--benchmark-enable --benchmark-only -o addopts="" -q``
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from scipy.spatial.distance import cdist

from detectors.window import KS, MMD, PSI, ChiSquared

_rng = np.random.default_rng(0)
N, D = 10_000, 20
REFERENCE = _rng.normal(size=(N, D))
WINDOW = _rng.normal(0.02, 1.0, size=(N, D))
REFERENCE_CAT = _rng.integers(0, 8, size=(N, D)).astype(float)
WINDOW_CAT = _rng.integers(0, 8, size=(N, D)).astype(float)


def _mmd2_reference(X: np.ndarray, W: np.ndarray, sigma: float) -> float:
    """The unbiased MMD² from three full kernel matrices, as frouros computes it."""
    gamma = 1.0 / (2.0 * sigma**2)
    n, m = len(X), len(W)

    def total(A, B):
        K = cdist(A, B, "sqeuclidean")
        K *= -gamma
        np.exp(K, out=K)
        return K.sum()

    return (
        (total(X, X) - n) / (n * (n - 1))
        + (total(W, W) - m) / (m * (m - 1))
        - 2.0 * total(X, W) / (n * m)
    )


def _side(benchmark, group: str, side: str) -> None:
    benchmark.group = group
    benchmark.extra_info["side"] = side


def test_mmd_statistic(benchmark):
    """Ours computes the statistic and one relabelling; the reference the statistic."""
    _side(benchmark, "MMD 10k×20 statistic", "ours")
    mmd = MMD(n_permutations=1).fit(REFERENCE)
    result = benchmark.pedantic(mmd.test, args=(WINDOW,), rounds=2, iterations=1)
    expected = _mmd2_reference(REFERENCE, WINDOW, mmd.bandwidth_)
    assert result.statistic == pytest.approx(expected, rel=1e-9)


def test_mmd_statistic_numpy(benchmark):
    _side(benchmark, "MMD 10k×20 statistic", "numpy")
    sigma = MMD().fit(REFERENCE).bandwidth_
    stat = benchmark.pedantic(
        _mmd2_reference, args=(REFERENCE, WINDOW, sigma), rounds=2, iterations=1
    )
    assert stat > 0.0


def test_mmd_p_value_200_permutations(benchmark):
    """Absolute time of the default test (target: under 2 s); no reference."""
    benchmark.group = "MMD 10k×20 p-value, 200 permutations"
    mmd = MMD().fit(REFERENCE)
    result = benchmark.pedantic(mmd.test, args=(WINDOW,), rounds=2, iterations=1)
    assert result.p_value == pytest.approx(1 / 201)  # a 0.02 shift on 20 features


def _orders(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The block/linear estimators' row orders (see ``MMD``'s docstring)."""
    rng = np.random.default_rng(seed)
    return REFERENCE[rng.permutation(N)], WINDOW[rng.permutation(N)]


def _normal_p(terms: np.ndarray) -> tuple[float, float]:
    z = terms.mean() / (terms.std(ddof=1) / math.sqrt(terms.size))
    return float(terms.mean()), float(stats.norm.sf(z))


def _block_numpy(sigma: float, seed: int = 0) -> tuple[float, float]:
    """The B-test in plain numpy: shuffle, ⌊√m⌋-row blocks, three kernel sums per
    block from ``cdist``, normal p-value."""
    X, W = _orders(seed)
    b = math.isqrt(len(W))
    k = len(W) // b
    r = len(X) // k
    gamma = 1.0 / (2.0 * sigma**2)

    def total(a, c):
        return np.exp(-gamma * cdist(a, c, "sqeuclidean")).sum()

    terms = []
    for i in range(k):
        x, w = X[i * r : (i + 1) * r], W[i * b : (i + 1) * b]
        terms.append(
            (total(x, x) - r) / (r * (r - 1))
            + (total(w, w) - b) / (b * (b - 1))
            - 2.0 * total(x, w) / (r * b)
        )
    return _normal_p(np.array(terms))


def _linear_numpy(sigma: float, seed: int = 0) -> tuple[float, float]:
    """The linear-time MMD² in plain numpy over consecutive pairs of the shuffled rows."""
    X, W = _orders(seed)
    gamma = 1.0 / (2.0 * sigma**2)

    def k(a, b):
        return np.exp(-gamma * ((a - b) ** 2).sum(axis=1))

    x, x2, w, w2 = X[0::2], X[1::2], W[0::2], W[1::2]
    return _normal_p(k(x, x2) + k(w, w2) - k(x, w2) - k(x2, w))


@pytest.mark.parametrize("estimator", ["block", "linear"])
def test_mmd_estimator(benchmark, estimator):
    """One ``test`` (after ``fit``; the B-test's reference blocks are summed once)."""
    _side(benchmark, f"MMD 10k×20 {estimator} estimator p-value", "ours")
    mmd = MMD(estimator=estimator).fit(REFERENCE)
    result = benchmark.pedantic(mmd.test, args=(WINDOW,), rounds=5, iterations=1)
    numpy_version = _block_numpy if estimator == "block" else _linear_numpy
    stat, p = numpy_version(mmd.bandwidth_)
    assert result.statistic == pytest.approx(stat, rel=1e-9, abs=1e-15)
    assert result.p_value == pytest.approx(p, rel=1e-6, abs=1e-300)


@pytest.mark.parametrize("estimator", ["block", "linear"])
def test_mmd_estimator_numpy(benchmark, estimator):
    _side(benchmark, f"MMD 10k×20 {estimator} estimator p-value", "numpy")
    sigma = MMD().fit(REFERENCE).bandwidth_
    numpy_version = _block_numpy if estimator == "block" else _linear_numpy
    benchmark.pedantic(numpy_version, args=(sigma,), rounds=5, iterations=1)


def _psi_reference(edges: np.ndarray, W: np.ndarray, ref_shares: np.ndarray) -> np.ndarray:
    bins = ref_shares.shape[1]
    shares = np.stack(
        [
            np.bincount(np.searchsorted(edges[:, j], W[:, j], side="right"), minlength=bins)
            for j in range(W.shape[1])
        ]
    ) / len(W)
    w = np.maximum(shares, 1e-4)
    return ((w - ref_shares) * np.log(w / ref_shares)).sum(axis=1)


def test_psi(benchmark):
    _side(benchmark, "PSI 10k×20 test", "ours")
    psi = PSI().fit(REFERENCE)
    result = benchmark(psi.test, WINDOW)
    expected = _psi_reference(psi._edges, WINDOW, psi._ref_shares)
    np.testing.assert_allclose(result.per_feature.statistic, expected, rtol=1e-12)


def test_psi_numpy(benchmark):
    _side(benchmark, "PSI 10k×20 test", "numpy")
    psi = PSI().fit(REFERENCE)
    benchmark(_psi_reference, psi._edges, WINDOW, psi._ref_shares)


def _chi2_scipy(X: np.ndarray, W: np.ndarray) -> list:
    out = []
    for j in range(X.shape[1]):
        values = np.union1d(X[:, j], W[:, j])
        counts = [np.bincount(np.searchsorted(values, s[:, j]), minlength=values.size)
                  for s in (X, W)]
        out.append(stats.chi2_contingency(np.array(counts)))
    return out


def test_chi_squared(benchmark):
    _side(benchmark, "ChiSquared 10k×20 test", "ours")
    chi = ChiSquared().fit(REFERENCE_CAT)
    result = benchmark(chi.test, WINDOW_CAT)
    expected = [r.statistic for r in _chi2_scipy(REFERENCE_CAT, WINDOW_CAT)]
    np.testing.assert_allclose(result.per_feature.statistic, expected, rtol=1e-9)


def test_chi_squared_scipy(benchmark):
    _side(benchmark, "ChiSquared 10k×20 test", "scipy")
    benchmark(_chi2_scipy, REFERENCE_CAT, WINDOW_CAT)


KS_REFERENCE = _rng.normal(size=(1000, 4))
KS_WINDOWS = [_rng.normal(0.05, 1.0, size=(1000, 4)) for _ in range(50)]


@pytest.mark.parametrize("method", ["asymp", "exact"])
def test_ks_methods(benchmark, method):
    """50 different windows per round; asymp's p-values are memoised per lattice
    distance, so the first round pays scipy's Python evaluation and later rounds hit."""
    _side(benchmark, "KS 1000×4, 50 windows", "ours" if method == "asymp" else "exact")
    ks = KS(method=method).fit(KS_REFERENCE)
    results = benchmark.pedantic(
        lambda: [ks.test(w) for w in KS_WINDOWS], rounds=5, iterations=1
    )
    assert len(results) == 50
