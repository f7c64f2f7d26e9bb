"""PSI, Wasserstein, Jensen–Shannon, Hellinger: hand-computed cases and scipy agreement."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from detectors.window import PSI, Hellinger, JensenShannon, Wasserstein
from detectors.window.distance import shared_histograms


def _psi(ref_shares: list[float], win_shares: list[float]) -> float:
    return sum((w - r) * math.log(w / r) for r, w in zip(ref_shares, win_shares, strict=True))


def test_psi_hand_computed_two_bins() -> None:
    """Reference 1..10, two bins: the median edge is 5.5, so the reference splits
    5 | 5; the window [1, 2, 3, 7, 8, 9, 10, 11] splits 3 | 5."""
    result = PSI(bins=2).fit(np.arange(1.0, 11.0)).test([1.0, 2, 3, 7, 8, 9, 10, 11])
    expected = _psi([0.5, 0.5], [3 / 8, 5 / 8])
    assert result.statistic == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.0638532, abs=1e-7)
    assert not result.drift  # below the 0.1 default


def test_psi_hand_computed_empty_bins_use_eps() -> None:
    """Reference 1..8, four bins: linear-interpolated quartile edges 2.75, 4.5, 6.25
    give 2 values per bin. The window [1, 1, 2, 8] leaves bins 2 and 3 empty; their
    share is floored at eps = 1e-4 (not renormalised)."""
    result = PSI(bins=4).fit(np.arange(1.0, 9.0)).test([1.0, 1.0, 2.0, 8.0])
    expected = _psi([0.25] * 4, [0.75, 1e-4, 1e-4, 0.25])
    assert result.statistic == pytest.approx(expected, rel=1e-12)
    assert result.drift


def test_psi_value_on_an_edge_goes_to_the_upper_bin() -> None:
    psi = PSI(bins=4).fit(np.arange(1.0, 9.0))
    on_edge = psi.test([4.5, 4.5, 4.5, 4.5]).statistic  # all in bin 3 of 4
    assert on_edge == pytest.approx(_psi([0.25] * 4, [1e-4, 1e-4, 1.0, 1e-4]), rel=1e-12)


def test_psi_no_drift_trap_on_small_windows() -> None:
    """ECOSYSTEM.md's trap: without drift, PSI ≈ (1/N + 1/M)·χ²(B − 1). On 100 vs 100
    with 10 bins it exceeds the 0.1 rule of thumb about 84 % of the time (χ²
    prediction 0.834); 2,000 repetitions land within 0.05 of it (the χ² form is an
    approximation; the binomial noise alone is ±0.02), and the mean is near 0.18."""
    rng = np.random.default_rng(0)
    X, W = rng.normal(size=(100, 2000)), rng.normal(size=(100, 2000))
    psi = PSI(correction="none").fit(X).test(W).per_feature.statistic
    predicted = stats.chi2.sf(0.1 / (1 / 100 + 1 / 100), 9)
    assert predicted == pytest.approx(0.834, abs=1e-3)
    assert abs(np.mean(psi > 0.1) - predicted) < 0.05
    assert np.mean(psi) == pytest.approx(0.18, rel=0.15)


def test_psi_large_samples_stay_quiet() -> None:
    """With 20,000 values per sample and no drift, PSI is far below 0.1."""
    rng = np.random.default_rng(1)
    assert PSI().fit(rng.normal(size=20_000)).test(rng.normal(size=20_000)).statistic < 0.01


@pytest.mark.parametrize("seed", range(10))
def test_wasserstein_matches_scipy(seed: int) -> None:
    """Unnormalised, equals ``scipy.stats.wasserstein_distance`` to 1e-9 (ties included)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=int(rng.integers(1, 300)))
    y = rng.normal(0.3, 2.0, size=int(rng.integers(1, 300)))
    if seed % 2:
        x, y = np.round(x), np.round(y)
    ours = Wasserstein(normalize=False).fit(x).test(y).statistic
    assert ours == pytest.approx(stats.wasserstein_distance(x, y), rel=1e-9, abs=1e-15)


def test_wasserstein_normalised_by_reference_std() -> None:
    rng = np.random.default_rng(2)
    X = rng.normal(5.0, [1.0, 10.0], size=(3000, 2))
    W = rng.normal([5.5, 5.0], [1.0, 10.0], size=(2000, 2))
    pf = Wasserstein().fit(X).test(W).per_feature
    for j in range(2):
        raw = stats.wasserstein_distance(X[:, j], W[:, j])
        assert pf.statistic[j] == pytest.approx(raw / X[:, j].std(), rel=1e-9)
    assert pf.drift.tolist() == [True, False]  # moved by 0.5 sd vs not at all


def test_wasserstein_constant_reference_is_finite() -> None:
    """A constant reference has std 0; the 1e-3 floor keeps the distance finite."""
    result = Wasserstein().fit(np.zeros(50)).test(np.full(20, 0.01))
    assert result.statistic == pytest.approx(0.01 / 1e-3)


@pytest.mark.parametrize("seed", range(8))
def test_shared_histograms_match_numpy(seed: int) -> None:
    """Bin counts equal ``numpy.histogram`` on the pooled range, including values that
    sit exactly on bin edges (integer data) and a zero range."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 11, size=(50, 3)).astype(float)
    if seed % 2:
        W = rng.normal(5.0, 3.0, size=(40, 3))
    else:  # integers on [0, 10]: with 2, 5 or 10 bins many values sit on edges
        W = rng.integers(0, 11, size=(40, 3)).astype(float)
        W[0], W[1] = 0.0, 10.0
    if seed == 0:
        X[:, 2], W[:, 2] = 4.0, 4.0
    bins = [2, 7, 5, 1, 10, 12, 3, 4][seed]
    ref, win = shared_histograms(X, W, bins)
    for j in range(3):
        lo, hi = min(X[:, j].min(), W[:, j].min()), max(X[:, j].max(), W[:, j].max())
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        assert ref[j].tolist() == np.histogram(X[:, j], bins, range=(lo, hi))[0].tolist()
        assert win[j].tolist() == np.histogram(W[:, j], bins, range=(lo, hi))[0].tolist()


def _numpy_histograms(x: np.ndarray, y: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = min(x.min(), y.min()), max(x.max(), y.max())
    return np.histogram(x, bins, range=(lo, hi))[0], np.histogram(y, bins, range=(lo, hi))[0]


@pytest.mark.parametrize("seed", range(6))
def test_jensen_shannon_matches_scipy(seed: int) -> None:
    """Equals ``scipy.spatial.distance.jensenshannon`` of the two numpy histograms."""
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=300), rng.normal(0.2 * seed, 1.0, size=200)
    p, q = _numpy_histograms(x, y, 10)
    ours = JensenShannon().fit(x).test(y).statistic
    assert ours == pytest.approx(jensenshannon(p, q), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_hellinger_matches_its_definition(seed: int) -> None:
    """Equals sqrt(1 − Σ sqrt(p·q)) of the two numpy histograms' shares."""
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=300), rng.normal(0.2 * seed, 1.0, size=200)
    p, q = _numpy_histograms(x, y, 10)
    expected = math.sqrt(max(1.0 - np.sum(np.sqrt(p / p.sum() * q / q.sum())), 0.0))
    assert Hellinger().fit(x).test(y).statistic == pytest.approx(expected, rel=1e-7, abs=1e-9)


@pytest.mark.parametrize("cls", [JensenShannon, Hellinger])
def test_histogram_distances_bounds(cls: type) -> None:
    """0 for identical samples; the maximum for disjoint ones (√ln 2 for JS, 1 for H)."""
    x = np.arange(100.0)
    assert cls().fit(x).test(x).statistic == 0.0
    disjoint = cls().fit(np.zeros(50)).test(np.ones(50)).statistic
    top = math.sqrt(math.log(2)) if cls is JensenShannon else 1.0
    assert disjoint == pytest.approx(top, rel=1e-12)


def test_share_correction_counts_features() -> None:
    """``correction="share"``: statistic is the drifting share, drift at >= share."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(3000, 4))
    W = rng.normal([0.0, 0.0, 1.0, 1.0], 1.0, size=(3000, 4))
    half = Wasserstein(correction="share", share=0.5).fit(X).test(W)
    assert (half.statistic, half.threshold, half.p_value, half.drift) == (0.5, 0.5, None, True)
    most = Wasserstein(correction="share", share=0.75).fit(X).test(W)
    assert (most.statistic, most.drift) == (0.5, False)
    anyf = Wasserstein().fit(X).test(W)
    assert anyf.drift and anyf.statistic == anyf.per_feature.statistic.max()


@pytest.mark.parametrize("bins", [2, 10, 65, 66, 200])
def test_psi_bins_match_searchsorted(bins: int) -> None:
    """The one-pass binning (edge counting up to 64 edges, binary search beyond)
    equals numpy's ``searchsorted(side="right")``, ties on edges included."""
    rng = np.random.default_rng(bins)
    X = np.round(rng.normal(size=(3000, 3)), 1)  # many ties, values on the edges
    W = np.round(rng.normal(0.2, 1.0, size=(700, 3)), 1)
    psi = PSI(bins=bins, eps=1e-4).fit(X)
    edges = np.quantile(X, np.arange(1, bins) / bins, axis=0)
    for sample, got in ((X, psi._ref_shares), (W, np.maximum(psi._bin_shares(W), 1e-4))):
        shares = np.stack(
            [
                np.bincount(np.searchsorted(edges[:, j], sample[:, j], side="right"),
                            minlength=bins)
                for j in range(3)
            ]
        ) / len(sample)
        np.testing.assert_array_equal(got, np.maximum(shares, 1e-4))
