"""MMD's block (B-test) and linear-time estimators: their formulas against direct numpy
references, the B-test with one block against the quadratic statistic, p-values under no
drift, power, the parameter checks, and the option through the Hydra config."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hydra.errors import InstantiationException
from hydra.utils import instantiate
from scipy import stats
from scipy.spatial.distance import cdist

from detectors.window import MMD
from detectors.window._mmd_estimators import block_terms, linear_terms, normal_p_value
from experiments.run import compose


def _k(A: np.ndarray, B: np.ndarray, sigma: float) -> np.ndarray:
    return np.exp(-cdist(A, B, "sqeuclidean") / (2.0 * sigma**2))


def _unbiased(X: np.ndarray, Y: np.ndarray, sigma: float) -> float:
    """Gretton et al.'s unbiased MMD², written from its definition."""
    n, m = len(X), len(Y)
    kxx, kyy = _k(X, X, sigma), _k(Y, Y, sigma)
    return (
        (kxx.sum() - np.trace(kxx)) / (n * (n - 1))
        + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
        - 2.0 * _k(X, Y, sigma).mean()
    )


def _block_reference(X: np.ndarray, Y: np.ndarray, b: int, sigma: float) -> np.ndarray:
    """B-test terms: k = m // b window blocks of b rows, reference blocks of n // k rows."""
    k = len(Y) // b
    r = len(X) // k
    return np.array(
        [_unbiased(X[i * r : (i + 1) * r], Y[i * b : (i + 1) * b], sigma) for i in range(k)]
    )


def _linear_reference(X: np.ndarray, Y: np.ndarray, sigma: float) -> np.ndarray:
    """h((x, y), (x', y')) = k(x, x') + k(y, y') − k(x, y') − k(x', y) per disjoint pair."""

    def k(a: np.ndarray, b: np.ndarray) -> float:
        return math.exp(-float(np.sum((a - b) ** 2)) / (2.0 * sigma**2))

    h = []
    for i in range(min(len(X), len(Y)) // 2):
        x, x2, y, y2 = X[2 * i], X[2 * i + 1], Y[2 * i], Y[2 * i + 1]
        h.append(k(x, x2) + k(y, y2) - k(x, y2) - k(x2, y))
    return np.array(h)


def _units(X: np.ndarray, sigma: float) -> np.ndarray:
    # the estimators take rows scaled so that k(u, v) = exp(−‖u − v‖²)
    return X / (sigma * math.sqrt(2.0))


@pytest.mark.parametrize(("n", "m", "b"), [(40, 40, 5), (97, 30, 4), (23, 61, 6), (12, 8, 2)])
def test_block_terms_match_the_formula(n: int, m: int, b: int) -> None:
    rng = np.random.default_rng(n + m)
    X, Y, sigma = rng.normal(size=(n, 3)), rng.normal(0.3, 1.2, size=(m, 3)), 1.7
    terms, _ = block_terms(_units(X, sigma), _units(Y, sigma), b)
    np.testing.assert_allclose(terms, _block_reference(X, Y, b, sigma), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize(("n", "m"), [(40, 40), (97, 30), (23, 61), (4, 5)])
def test_linear_terms_match_the_formula(n: int, m: int) -> None:
    rng = np.random.default_rng(n * m)
    X, Y, sigma = rng.normal(size=(n, 2)), rng.normal(0.5, 1.0, size=(m, 2)), 0.9
    terms = linear_terms(_units(X, sigma), _units(Y, sigma))
    np.testing.assert_allclose(terms, _linear_reference(X, Y, sigma), rtol=1e-12, atol=1e-13)


def test_one_block_is_the_quadratic_statistic() -> None:
    """With B = n = m the B-test has one block: the quadratic unbiased MMD² itself."""
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(150, 4)), rng.normal(0.2, 1.0, size=(150, 4))
    quadratic = MMD(n_permutations=1).fit(X)
    terms, _ = block_terms(quadratic._ref_units, (Y - quadratic._center) * quadratic._unit, 150)
    assert terms.shape == (1,)
    assert terms[0] == pytest.approx(quadratic.test(Y).statistic, rel=1e-12)


def test_normal_p_value_is_scipys_normal_tail() -> None:
    terms = np.random.default_rng(4).normal(0.05, 0.3, size=25)
    mean, p = normal_p_value(terms)
    z = terms.mean() / (terms.std(ddof=1) / math.sqrt(25))
    assert mean == terms.mean()
    assert p == pytest.approx(stats.norm.sf(z), rel=1e-12)


@pytest.mark.parametrize("estimator", ["block", "linear"])
def test_whole_test_is_the_formula_on_seeded_orders(estimator: str) -> None:
    """End to end: the median-heuristic σ of the quadratic path, the rows in the order
    ``rng.permutation(n)`` then ``rng.permutation(m)`` of ``default_rng(seed)``, the
    mean of the terms, and the normal p-value from their sample variance."""
    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(300, 3)), rng.normal(0.15, 1.0, size=(200, 3))
    kwargs = {"block_size": 10} if estimator == "block" else {}
    mmd = MMD(estimator=estimator, seed=11, **kwargs).fit(X)
    assert mmd.bandwidth_ == MMD().fit(X).bandwidth_
    order = np.random.default_rng(11)
    Xo, Yo = X[order.permutation(300)], Y[order.permutation(200)]
    if estimator == "block":
        terms = _block_reference(Xo, Yo, 10, mmd.bandwidth_)
    else:
        terms = _linear_reference(Xo, Yo, mmd.bandwidth_)
    z = terms.mean() / (terms.std(ddof=1) / math.sqrt(terms.size))
    result = mmd.test(Y)
    assert result.statistic == pytest.approx(terms.mean(), rel=1e-10, abs=1e-13)
    assert result.p_value == pytest.approx(stats.norm.sf(z), rel=1e-9)
    assert result.drift == (result.p_value < 0.05) and result.test == "MMD"


def test_default_block_size_is_the_root_of_the_window() -> None:
    rng = np.random.default_rng(6)
    X, Y = rng.normal(size=(500, 2)), rng.normal(size=(110, 2))
    default = MMD(estimator="block", seed=1).fit(X).test(Y)
    explicit = MMD(estimator="block", block_size=10, seed=1).fit(X).test(Y)  # ⌊√110⌋
    assert (default.statistic, default.p_value) == (explicit.statistic, explicit.p_value)


@pytest.mark.parametrize(
    ("estimator", "kwargs"), [("block", {"block_size": 20}), ("linear", {})]
)
def test_no_drift_p_values_are_uniform_and_false_alarms_near_alpha(
    estimator: str, kwargs: dict
) -> None:
    """1,000 seeded no-drift pairs (1,000 vs 1,000 rows, 3 features; 50 blocks for the
    B-test): the false-alarm rate at 0.05 lies in the binomial 99.9% interval around
    0.05, and the p-values pass a KS test of uniformity at level 0.001 (the B-test's
    normal approximation is slightly conservative, p-values a little large)."""
    rng = np.random.default_rng(20)
    reps = 1000
    p = np.array([
        MMD(estimator=estimator, bandwidth=math.sqrt(6.0), seed=r, **kwargs)
        .fit(rng.normal(size=(1000, 3)))
        .test(rng.normal(size=(1000, 3)))
        .p_value
        for r in range(reps)
    ])
    lo, hi = stats.binom.interval(0.999, reps, 0.05)
    assert lo <= np.count_nonzero(p < 0.05) <= hi
    assert stats.kstest(p, "uniform").pvalue > 1e-3


@pytest.mark.parametrize(("estimator", "shift"), [("block", 0.3), ("linear", 0.6)])
def test_a_clear_shift_is_detected(estimator: str, shift: float) -> None:
    """A mean shift in every feature (1,000 vs 1,000 rows): at least 95 of 100 seeded
    repetitions alarm (the linear estimator, less powerful, gets a larger shift)."""
    rng = np.random.default_rng(21)
    alarms = sum(
        MMD(estimator=estimator, seed=r)
        .fit(rng.normal(size=(1000, 3)))
        .test(rng.normal(shift, 1.0, size=(1000, 3)))
        .drift
        for r in range(100)
    )
    assert alarms >= 95


@pytest.mark.parametrize("estimator", ["block", "linear"])
def test_seed_fixes_the_order(estimator: str) -> None:
    rng = np.random.default_rng(8)
    X, Y = rng.normal(size=(200, 2)), rng.normal(0.1, 1.0, size=(150, 2))
    runs = [MMD(estimator=estimator, seed=s).fit(X).test(Y) for s in (0, 1, 2)]
    assert len({r.p_value for r in runs}) == 3  # another seed, another block/pair order
    again = MMD(estimator=estimator, seed=0).fit(X).test(Y)
    assert (again.statistic, again.p_value) == (runs[0].statistic, runs[0].p_value)
    fresh = MMD(estimator=estimator, seed=None).fit(X).test(Y)
    assert np.isfinite(fresh.statistic) and 0.0 <= fresh.p_value <= 1.0


def test_block_reference_sums_reused_across_tests() -> None:
    """With a fixed seed the reference blocks' own sums are kept per number of blocks;
    later tests and tests after a refit equal a fresh instance's."""
    rng = np.random.default_rng(12)
    X = rng.normal(size=(3000, 3))
    windows = [rng.normal(shift, 1.0, size=(400, 3)) for shift in (0.0, 0.2, 0.0)]
    mmd = MMD(estimator="block", seed=4).fit(X)
    for W in windows:
        got, fresh = mmd.test(W), MMD(estimator="block", seed=4).fit(X).test(W)
        assert (got.statistic, got.p_value) == (fresh.statistic, fresh.p_value)
    assert list(mmd._block_refs) == [400 // 20]
    X2 = rng.normal(0.5, 1.0, size=(500, 3))
    mmd.fit(X2)
    assert mmd.test(windows[1]).p_value == MMD(estimator="block", seed=4).fit(X2).test(
        windows[1]
    ).p_value


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"estimator": "fast"}, r"estimator must be one of \['quadratic', 'block', 'linear'\]"),
        ({"estimator": "block", "block_size": 1}, "block_size must be >= 2, got 1"),
        ({"estimator": "block", "block_size": 2.5}, "block_size must be an integer"),
        ({"block_size": 10}, "block_size applies to estimator='block' only"),
        ({"estimator": "linear", "block_size": 10}, "with estimator='linear'"),
    ],
)
def test_bad_parameters_name_the_value(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MMD(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "n", "m", "message"),
    [
        ({"block_size": 50}, 100, 40, r"block_size=50 is larger than the window \(40 rows\)"),
        ({"block_size": 25}, 100, 40, r"holds 1 block of block_size=25: use block_size <= 20"),
        ({}, 100, 3, "needs at least 2 blocks.*window of at least 4 rows"),
        ({"block_size": 2}, 10, 40, r"reference \(10 rows\) is too small for 20 blocks"),
    ],
)
def test_windows_too_small_for_the_blocks(kwargs: dict, n: int, m: int, message: str) -> None:
    rng = np.random.default_rng(9)
    mmd = MMD(estimator="block", **kwargs).fit(rng.normal(size=(n, 2)))
    with pytest.raises(ValueError, match=message):
        mmd.test(rng.normal(size=(m, 2)))


def test_reference_too_small_error_names_a_block_size_that_works() -> None:
    rng = np.random.default_rng(10)
    X, Y = rng.normal(size=(10, 2)), rng.normal(size=(40, 2))
    with pytest.raises(ValueError, match="use block_size >= 7 or a larger reference"):
        MMD(estimator="block", block_size=2).fit(X).test(Y)
    # 7 is the smallest size leaving 2 reference rows per block: 5 blocks, not 6
    assert 40 // 7 <= 10 // 2 < 40 // 6
    assert np.isfinite(MMD(estimator="block", block_size=7).fit(X).test(Y).p_value)
    with pytest.raises(ValueError, match="too small for 6 blocks"):
        MMD(estimator="block", block_size=6).fit(X).test(Y)


@pytest.mark.parametrize("estimator", ["block", "linear"])
def test_too_few_rows_for_a_variance(estimator: str) -> None:
    rng = np.random.default_rng(11)
    with pytest.raises(ValueError, match=f"estimator='{estimator}' needs at least 4 reference"):
        MMD(estimator=estimator).fit(rng.normal(size=(3, 2)))
    if estimator == "linear":
        mmd = MMD(estimator="linear").fit(rng.normal(size=(20, 2)))
        with pytest.raises(ValueError, match=r"needs at least 4 window rows .* got 3"):
            mmd.test(rng.normal(size=(3, 2)))


def test_estimator_reachable_from_the_config() -> None:
    cfg = compose(["detector=mmd", "detector.estimator=block", "detector.block_size=16"])
    mmd = instantiate(cfg.detector)
    assert (mmd.estimator, mmd.block_size, mmd.seed) == ("block", 16, 0)
    rng = np.random.default_rng(13)
    assert mmd.fit(rng.normal(size=(200, 2))).test(rng.normal(2.0, 1.0, size=(64, 2))).drift
    assert instantiate(compose(["detector=mmd"]).detector).estimator == "quadratic"
    with pytest.raises(InstantiationException, match="estimator must be one of"):
        instantiate(compose(["detector=mmd", "detector.estimator=cubic"]).detector)
