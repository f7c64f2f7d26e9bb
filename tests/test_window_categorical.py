"""ChiSquared: agreement with scipy's chi2_contingency, size, category counting."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from detectors.window import ChiSquared
from detectors.window.categorical import category_counts

REPS = 2000


def _table(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    values = np.union1d(x, y)
    return np.array([[np.sum(x == v) for v in values], [np.sum(y == v) for v in values]])


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("yates", [True, False])
def test_matches_scipy_chi2_contingency(seed: int, yates: bool) -> None:
    """Statistic and p-value equal ``scipy.stats.chi2_contingency(table, correction=yates)``
    on the 2 × K table of category counts, to 1e-9; the seeds cover K = 1 (zero degrees
    of freedom), 4, 5, 6 and categories missing from one sample (2 × 2 tables, where
    Yates applies, are checked below)."""
    rng = np.random.default_rng(seed)
    k_ref, k_win = int(rng.integers(1, 7)), int(rng.integers(1, 7))
    x = rng.integers(0, k_ref, size=int(rng.integers(5, 200))).astype(float)
    y = rng.integers(0, k_win, size=int(rng.integers(5, 200))).astype(float)
    ours = ChiSquared(yates=yates).fit(x).test(y)
    ref = stats.chi2_contingency(_table(x, y), correction=yates)
    assert ours.statistic == pytest.approx(ref.statistic, rel=1e-9, abs=1e-12)
    assert ours.p_value == pytest.approx(ref.pvalue, rel=1e-9)


def test_two_by_two_tables_get_yates() -> None:
    """With two categories the table has one degree of freedom and Yates' correction
    lowers the statistic; scipy's result with and without it is reproduced."""
    x = np.array([0.0] * 30 + [1.0] * 10)
    y = np.array([0.0] * 15 + [1.0] * 20)
    with_yates = ChiSquared().fit(x).test(y).statistic
    without = ChiSquared(yates=False).fit(x).test(y).statistic
    table = _table(x, y)
    assert with_yates == pytest.approx(stats.chi2_contingency(table).statistic, rel=1e-12)
    assert without == pytest.approx(
        stats.chi2_contingency(table, correction=False).statistic, rel=1e-12
    )
    assert with_yates < without


def test_features_are_vectorised_not_mixed() -> None:
    """Several features with different category sets give each feature's own result."""
    rng = np.random.default_rng(5)
    X = np.column_stack([rng.integers(0, k, 150) for k in (2, 3, 7)]).astype(float)
    W = np.column_stack([rng.integers(0, k, 90) for k in (3, 3, 5)]).astype(float)
    pf = ChiSquared(correction="none").fit(X).test(W).per_feature
    for j in range(3):
        alone = ChiSquared().fit(X[:, j]).test(W[:, j])
        assert pf.statistic[j] == pytest.approx(alone.statistic, rel=1e-12)
        assert pf.p_value[j] == pytest.approx(alone.p_value, rel=1e-12)


def test_false_positive_rate_is_alpha() -> None:
    """Under no drift (4 categories, 100 vs 100 values), the rejection rate at 0.05 over
    2,000 seeded repetitions lies in alpha's binomial 99% interval."""
    rng = np.random.default_rng(6)
    probs = [0.4, 0.3, 0.2, 0.1]
    X = rng.choice(4, size=(100, REPS), p=probs).astype(float)
    W = rng.choice(4, size=(100, REPS), p=probs).astype(float)
    p = ChiSquared(correction="none").fit(X).test(W).per_feature.p_value
    lo, hi = stats.binom.interval(0.99, REPS, 0.05)
    assert lo / REPS <= np.mean(p < 0.05) <= hi / REPS


def test_detects_a_changed_category_mix() -> None:
    rng = np.random.default_rng(7)
    chi = ChiSquared().fit(rng.choice(3, 400, p=[0.6, 0.3, 0.1]))
    assert chi.test(rng.choice(3, 300, p=[0.3, 0.3, 0.4])).drift
    assert chi.test(np.array([5.0] * 50)).drift  # a category never seen before


def test_single_category_is_zero_with_p_one() -> None:
    result = ChiSquared().fit(np.ones(20)).test(np.ones(10))
    assert (result.statistic, result.p_value, result.drift) == (0.0, 1.0, False)


def test_category_counts_matches_numpy_unique() -> None:
    """Counts per category and feature agree with a per-column ``numpy.unique``."""
    rng = np.random.default_rng(8)
    X = rng.integers(0, 5, size=(60, 3)).astype(float)
    W = rng.integers(2, 8, size=(40, 3)).astype(float)
    ref, win, feature_of, n_cat = category_counts(X, W)
    start = 0
    for j in range(3):
        values = np.union1d(X[:, j], W[:, j])
        assert n_cat[j] == values.size
        stop = start + values.size
        assert (feature_of[start:stop] == j).all()
        assert ref[start:stop].tolist() == [int(np.sum(X[:, j] == v)) for v in values]
        assert win[start:stop].tolist() == [int(np.sum(W[:, j] == v)) for v in values]
        start = stop
