"""KS, Cramér–von Mises and Anderson–Darling: agreement with scipy, size, edge cases."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats

from detectors.window import KS, AndersonDarling, CramerVonMises
from detectors.window._kolmogorov import ks_pvalues

RTOL = 1e-9
REPS = 2000  # no-drift repetitions, run as that many features in one call


def _samples(seed: int, n: int, m: int, shift: float, ties: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=n), rng.normal(shift, 1.0, size=m)
    if ties:  # coarse rounding makes many ties within and across samples
        x, y = np.round(x * 2) / 2, np.round(y * 2) / 2
    return x, y


# sizes: equal (closed-form exact p), unequal with small and large gcd, tiny samples
SIZES = [(1, 1), (1, 7), (5, 5), (13, 29), (40, 40), (100, 80), (150, 150), (301, 199)]


@pytest.mark.parametrize(("n", "m"), SIZES)
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("shift", [0.0, 0.4, 1.5])
def test_ks_matches_scipy_exact(n: int, m: int, ties: bool, shift: float) -> None:
    """Statistic and p-value equal ``scipy.stats.ks_2samp(method="exact")`` to 1e-9.

    Covers the closed-form equal-size case, the lattice-path case for unequal sizes,
    ties, and p-values down to ~1e-60 (shift 1.5).
    """
    x, y = _samples(n * 1000 + m, n, m, shift, ties)
    ours = KS(method="exact").fit(x).test(y)
    with warnings.catch_warnings():
        # scipy falls back to the asymptotic formula (with a warning) when the exact
        # p-value rounds above 1; ours does the same
        warnings.simplefilter("ignore", RuntimeWarning)
        ref = stats.ks_2samp(x, y, method="exact")
    assert ours.statistic == pytest.approx(ref.statistic, rel=RTOL)
    assert ours.p_value == pytest.approx(ref.pvalue, rel=RTOL)


@pytest.mark.parametrize(("n", "m"), [(200, 150), (10_001, 300)])
def test_ks_auto_and_asymp_match_scipy(n: int, m: int) -> None:
    """``method="auto"`` (exact up to 10,000, asymptotic beyond) and ``"asymp"`` agree
    with scipy's methods of the same name to 1e-9."""
    x, y = _samples(3, n, m, 0.1, False)
    for method in ("auto", "asymp"):
        ours = KS(method=method).fit(x).test(y)
        ref = stats.ks_2samp(x, y, method=method)
        assert ours.statistic == pytest.approx(ref.statistic, rel=RTOL)
        assert ours.p_value == pytest.approx(ref.pvalue, rel=RTOL)


def test_ks_features_are_vectorised_not_mixed() -> None:
    """Several features in one call give exactly each feature's own result."""
    rng = np.random.default_rng(4)
    X, W = rng.normal(size=(120, 5)), rng.normal(0.3, 1.0, size=(90, 5))
    pf = KS(correction="none").fit(X).test(W).per_feature
    for j in range(5):
        alone = KS().fit(X[:, j]).test(W[:, j])
        assert (pf.statistic[j], pf.p_value[j]) == (alone.statistic, alone.p_value)


@pytest.mark.parametrize(("n", "m"), [(5, 5), (7, 12), (20, 20), (20, 21), (60, 45), (250, 90)])
@pytest.mark.parametrize("ties", [False, True])
def test_cvm_matches_scipy(n: int, m: int, ties: bool) -> None:
    """Statistic and p-value equal ``scipy.stats.cramervonmises_2samp`` (method "auto":
    exact up to 20 per sample, asymptotic beyond) to 1e-9."""
    x, y = _samples(n * 1000 + m + 7, n, m, 0.3, ties)
    if np.ptp(np.concatenate([x, y])) == 0:
        pytest.fail("degenerate sample: choose another seed")
    ours = CramerVonMises().fit(x).test(y)
    ref = stats.cramervonmises_2samp(x, y)
    assert ours.statistic == pytest.approx(ref.statistic, rel=RTOL)
    assert ours.p_value == pytest.approx(ref.pvalue, rel=RTOL)


@pytest.mark.parametrize(("n", "m"), [(2, 2), (9, 30), (50, 50), (200, 120), (500, 700)])
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("shift", [0.0, 0.3, 2.0])
def test_ad_matches_scipy(n: int, m: int, ties: bool, shift: float) -> None:
    """Statistic equals ``scipy.stats.anderson_ksamp(variant="midrank")`` to 1e-9, and so
    does the p-value, including scipy's caps at 0.25 and 0.001 (shift 0 and 2 reach
    them); scipy's cap warnings are silenced here, ours emits none."""
    x, y = _samples(n * 1000 + m + 11, n, m, shift, ties)
    if np.unique(np.concatenate([x, y])).size < 2:
        pytest.fail("degenerate sample: choose another seed")
    ours = AndersonDarling().fit(x).test(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ref = stats.anderson_ksamp([x, y], variant="midrank")
    assert ours.statistic == pytest.approx(ref.statistic, rel=RTOL)
    assert ours.p_value == pytest.approx(ref.pvalue, rel=RTOL)


def test_ad_p_value_caps_follow_scipy() -> None:
    """Far apart samples report 0.001 and identical-distribution samples up to 0.25."""
    rng = np.random.default_rng(0)
    ad = AndersonDarling().fit(rng.normal(size=300))
    assert ad.test(rng.normal(5.0, 1.0, 300)).p_value == 0.001
    assert ad.test(rng.normal(size=300)).p_value <= 0.25


def _binomial_interval(rate: float) -> tuple[float, float]:
    lo, hi = stats.binom.interval(0.99, REPS, rate)
    return lo / REPS, hi / REPS


def _no_drift(seed: int, n: int = 60, m: int = 50) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, REPS)), rng.normal(size=(m, REPS))


def test_ks_false_positive_rate_is_its_exact_size() -> None:
    """Under no drift, KS's rejection rate over 2,000 repetitions (one feature each,
    60 vs 50 values) lies in the binomial 99% interval around the test's exact size.

    KS is discrete: its p-value takes only the values p(h), h = 0..lcm(n, m), so the
    probability of ``p < alpha`` is the largest attainable p-value below alpha, which
    can sit under alpha (here it is computed from the exact distribution, itself
    checked against scipy above). It must not exceed alpha.
    """
    X, W = _no_drift(0)
    p = KS(correction="none").fit(X).test(W).per_feature.p_value
    lcm = math.lcm(60, 50)
    _, attainable = ks_pvalues(np.arange(lcm + 1), 60, 50, "exact")
    size = attainable[attainable < 0.05].max()
    assert 0.03 < size <= 0.05
    lo, hi = _binomial_interval(size)
    assert lo <= np.mean(p < 0.05) <= hi


@pytest.mark.parametrize("cls", [CramerVonMises, AndersonDarling])
def test_false_positive_rate_is_alpha(cls: type) -> None:
    """Under no drift, the rejection rate at alpha = 0.05 over 2,000 seeded repetitions
    (one feature each, 60 vs 50 values) lies in alpha's binomial 99% interval."""
    X, W = _no_drift(1)
    p = cls(correction="none").fit(X).test(W).per_feature.p_value
    lo, hi = _binomial_interval(0.05)
    assert lo <= np.mean(p < 0.05) <= hi


@pytest.mark.parametrize("cls", [KS, CramerVonMises, AndersonDarling])
def test_detects_a_shift(cls: type) -> None:
    rng = np.random.default_rng(2)
    result = cls().fit(rng.normal(size=(300, 2))).test(rng.normal([0.0, 0.6], 1.0, (200, 2)))
    assert result.drift and result.per_feature.drifted == ("x1",)


def test_constant_features_have_documented_results() -> None:
    """Equal constants: KS 0 / p 1, CvM 0 / p 1, AD −1/σ (negative) / p 1; a moved
    constant: full distance for KS and a tiny p-value."""
    same = np.full(30, 2.0)
    ks = KS().fit(same).test(same)
    assert (ks.statistic, ks.p_value, ks.drift) == (0.0, 1.0, False)
    cvm = CramerVonMises().fit(same).test(same)
    assert (cvm.statistic, cvm.p_value) == (0.0, 1.0)
    ad = AndersonDarling().fit(same).test(same)
    assert ad.p_value == 1.0 and np.isfinite(ad.statistic) and ad.statistic < 0.0
    moved = KS().fit(same).test(same + 1.0)
    assert moved.statistic == 1.0 and moved.p_value < 1e-15 and moved.drift
