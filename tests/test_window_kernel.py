"""MMD and Energy: statistics against direct formulas and scipy, permutation p-values."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats
from scipy.spatial.distance import cdist, pdist

from detectors.window import MMD, Energy
from detectors.window.kernel import permutation_p_value


@pytest.mark.parametrize("seed", range(8))
def test_energy_one_feature_matches_scipy(seed: int) -> None:
    """For one feature the statistic equals ``scipy.stats.energy_distance`` to 1e-9."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=int(rng.integers(1, 300)))
    y = rng.normal(0.5, 1.5, size=int(rng.integers(1, 300)))
    if seed % 2:
        x, y = np.round(x), np.round(y)
    ours = Energy(n_permutations=0, threshold=1.0).fit(x).test(y).statistic
    assert ours == pytest.approx(stats.energy_distance(x, y), rel=1e-9, abs=1e-15)


def test_energy_multivariate_is_the_v_statistic() -> None:
    """For several features: sqrt(2·mean‖x−y‖ − mean‖x−x'‖ − mean‖y−y'‖), all pairs."""
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(70, 3)), rng.normal(0.2, 1.0, size=(50, 3))
    direct = math.sqrt(2 * cdist(X, Y).mean() - cdist(X, X).mean() - cdist(Y, Y).mean())
    ours = Energy(n_permutations=0, threshold=1.0).fit(X).test(Y).statistic
    assert ours == pytest.approx(direct, rel=1e-12)


def test_energy_threshold_mode_has_no_p_value() -> None:
    rng = np.random.default_rng(2)
    energy = Energy(n_permutations=0, threshold=0.2).fit(rng.normal(size=(200, 2)))
    result = energy.test(rng.normal(1.0, 1.0, size=(100, 2)))
    assert result.p_value is None and result.threshold == 0.2
    assert result.drift == (result.statistic > 0.2) and result.drift


def _mmd2_unbiased(X: np.ndarray, Y: np.ndarray, sigma: float) -> float:
    k = lambda A, B: np.exp(-cdist(A, B, "sqeuclidean") / (2 * sigma**2))  # noqa: E731
    n, m = len(X), len(Y)
    kxx, kyy = k(X, X), k(Y, Y)
    return (
        (kxx.sum() - np.trace(kxx)) / (n * (n - 1))
        + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
        - 2 * k(X, Y).mean()
    )


def test_mmd_is_the_unbiased_estimate_with_the_median_bandwidth() -> None:
    """σ² is the median squared distance between reference rows; the statistic is
    Gretton's unbiased MMD², recomputed here from its definition."""
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(60, 2)), rng.normal(0.3, 1.0, size=(45, 2))
    mmd = MMD(n_permutations=10).fit(X)
    assert mmd.bandwidth_ == pytest.approx(math.sqrt(np.median(pdist(X, "sqeuclidean"))))
    expected = _mmd2_unbiased(X, Y, mmd.bandwidth_)
    assert mmd.test(Y).statistic == pytest.approx(expected, rel=1e-10)
    fixed = MMD(bandwidth=0.7, n_permutations=10).fit(X)
    assert fixed.test(Y).statistic == pytest.approx(_mmd2_unbiased(X, Y, 0.7), rel=1e-10)


def test_mmd_standardize_scales_features() -> None:
    rng = np.random.default_rng(4)
    X, Y = rng.normal(size=(40, 2)) * [1.0, 100.0], rng.normal(size=(30, 2)) * [1.0, 100.0]
    scale = X.std(axis=0)
    mmd = MMD(standardize=True, n_permutations=10).fit(X)
    expected = _mmd2_unbiased(X / scale, Y / scale, mmd.bandwidth_)
    assert mmd.test(Y).statistic == pytest.approx(expected, rel=1e-10)


def test_mmd_constant_reference_falls_back_to_unit_bandwidth() -> None:
    mmd = MMD(n_permutations=10).fit(np.ones((20, 2)))
    assert mmd.bandwidth_ == 1.0
    assert mmd.test(np.ones((10, 2))).statistic == pytest.approx(0.0, abs=1e-12)


def test_permutation_p_value_matches_full_enumeration() -> None:
    """On 8 points split 4 | 4, the Monte Carlo p-value with 20,000 permutations is
    within 0.01 of the exact enumeration over all 70 splits (binomial sd ≈ 0.003)."""
    rng = np.random.default_rng(5)
    Z = np.concatenate([rng.normal(size=(4, 1)), rng.normal(1.0, 1.0, size=(4, 1))])
    D = cdist(Z, Z)
    total = D.sum()

    def energy2(q: np.ndarray, s: np.ndarray) -> np.ndarray:
        return 2 * (s - q) / 16 - (total - 2 * s + q) / 16 - q / 16

    observed, p = permutation_p_value(D, 4, energy2, 20_000, np.random.default_rng(0))
    splits = []
    for window in itertools.combinations(range(8), 4):
        a = np.zeros(8)
        a[list(window)] = 1.0
        splits.append(energy2(np.array([a @ D @ a]), np.array([a @ D.sum(axis=1)]))[0])
    exact = np.mean(np.array(splits) >= observed - 1e-12)
    assert observed == pytest.approx(splits[-1], rel=1e-12)  # the last split is the window
    assert abs(p - exact) < 0.01


@pytest.mark.parametrize("cls", [MMD, Energy])
def test_permutation_false_positive_rate(cls: type) -> None:
    """Under no drift (30 vs 30 rows, 2 features), 400 seeded repetitions with 99
    permutations each reject at a rate inside the binomial 99% interval around the
    test's exact size, (⌈0.05·100⌉ − 1)/100 = 0.04 (fewer repetitions than the
    closed-form tests, because each one runs 99 permutations)."""
    rng = np.random.default_rng(6)
    reps = 400
    rejections = 0
    for r in range(reps):
        X, Y = rng.normal(size=(30, 2)), rng.normal(size=(30, 2))
        rejections += cls(n_permutations=99, seed=r).fit(X).test(Y).p_value < 0.05
    lo, hi = stats.binom.interval(0.99, reps, 0.04)
    assert lo / reps <= rejections / reps <= hi / reps


@pytest.mark.parametrize("cls", [MMD, Energy])
def test_detects_a_correlation_flip_that_marginals_miss(cls: type) -> None:
    """Same marginals, correlation +0.8 → −0.8: the multivariate tests see it."""
    rng = np.random.default_rng(7)
    X = rng.multivariate_normal([0, 0], [[1, 0.8], [0.8, 1]], size=300)
    Y = rng.multivariate_normal([0, 0], [[1, -0.8], [-0.8, 1]], size=200)
    result = cls(seed=0).fit(X).test(Y)
    assert result.drift and result.p_value < 0.01
    assert result.per_feature is None


@pytest.mark.parametrize("cls", [MMD, Energy])
def test_seed_controls_the_permutations(cls: type) -> None:
    rng = np.random.default_rng(8)
    X, Y = rng.normal(size=(40, 2)), rng.normal(0.3, 1.0, size=(40, 2))
    p = [cls(seed=seed).fit(X).test(Y).p_value for seed in (0, 1, 2)]
    assert len(set(p)) > 1  # different seeds, different Monte Carlo draws
    assert cls(seed=0).fit(X).test(Y).p_value == p[0]


def test_mmd_reference_share_reused_across_tests() -> None:
    """With a fixed seed the reference's share of the permutation sums is kept after
    the first test; later tests, and tests after a refit, equal a fresh instance's."""
    rng = np.random.default_rng(12)
    X = rng.normal(size=(2500, 3))  # more than one block of reference rows
    windows = [rng.normal(shift, 1.0, size=(300, 3)) for shift in (0.0, 0.15, 0.0)]
    mmd = MMD(n_permutations=50, seed=4).fit(X)
    for W in windows:
        got, fresh = mmd.test(W), MMD(n_permutations=50, seed=4).fit(X).test(W)
        assert (got.statistic, got.p_value) == (fresh.statistic, fresh.p_value)
    assert len(mmd._ref_parts) == 1
    X2 = rng.normal(0.5, 1.0, size=(400, 3))
    mmd.fit(X2)
    assert mmd.test(windows[1]).p_value == MMD(n_permutations=50, seed=4).fit(X2).test(
        windows[1]
    ).p_value


def test_mmd_results_do_not_depend_on_the_thread_count() -> None:
    """Blocks are spread over as many threads as BLAS may use and summed in block order:
    one thread and four give bit-identical statistics and p-values (2,600 rows: more than
    one 2048-row block, so the threaded path runs)."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(13)
    X, Y = rng.normal(size=(2200, 3)), rng.normal(0.05, 1.0, size=(400, 3))
    results = []
    for threads in (1, 4):
        with threadpool_limits(limits=threads, user_api="blas"):
            mmd = MMD(n_permutations=60, seed=3).fit(X)
            results.append([(r.statistic, r.p_value) for r in (mmd.test(Y), mmd.test(Y))])
    assert results[0] == results[1]


def test_concurrent_mmd_tests_leave_the_blas_threads_as_they_were() -> None:
    """Each pass limits BLAS to one thread (process-wide) and restores it; tests run
    from several threads at once give the serial results and leave the limit as set."""
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_info, threadpool_limits

    rng = np.random.default_rng(14)
    X = rng.normal(size=(300, 3))
    windows = [rng.normal(0.1 * i, 1.0, size=(100, 3)) for i in range(8)]

    def p_value(W: np.ndarray) -> float:
        return MMD(n_permutations=30, seed=1).fit(X).test(W).p_value

    serial = [p_value(W) for W in windows]
    with threadpool_limits(limits=2, user_api="blas"):
        with ThreadPoolExecutor(4) as pool:
            concurrent = list(pool.map(p_value, windows))
        after = {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}
    assert concurrent == serial
    assert after == {2}
