"""Multiple-testing corrections and how per-feature results combine."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from detectors.window import KS, adjust_p_values, combine_features


@pytest.mark.parametrize("seed", range(5))
def test_benjamini_hochberg_matches_scipy(seed: int) -> None:
    """``fdr_bh`` equals ``scipy.stats.false_discovery_control(p, method="bh")``."""
    rng = np.random.default_rng(seed)
    p = rng.uniform(size=int(rng.integers(1, 40))) ** 3
    expected = stats.false_discovery_control(p, method="bh")
    np.testing.assert_allclose(adjust_p_values(p, "fdr_bh"), expected, rtol=1e-12)


def test_bonferroni_and_none() -> None:
    p = np.array([0.001, 0.02, 0.5])
    np.testing.assert_allclose(adjust_p_values(p, "bonferroni"), [0.003, 0.06, 1.0])
    np.testing.assert_array_equal(adjust_p_values(p, "none"), p)
    np.testing.assert_array_equal(adjust_p_values(p, "share"), p)


def test_bad_p_values() -> None:
    with pytest.raises(ValueError, match=r"p_values must lie in \[0, 1\]"):
        adjust_p_values([0.1, 1.2], "bonferroni")
    with pytest.raises(ValueError, match="correction must be one of"):
        adjust_p_values([0.1], "holm")


def _combine(p: list[float], correction: str, share: float = 0.5):
    stat = np.linspace(0.1, 0.2, len(p))
    return combine_features(
        stat,
        np.array(p),
        np.full(len(p), 0.05),
        names=tuple(f"x{i}" for i in range(len(p))),
        tests=("KS",) * len(p),
        alpha=0.05,
        correction=correction,
        share=share,
        test="KS",
    )


def test_combined_fields_per_correction() -> None:
    p = [0.01, 0.03, 0.2, 0.9]
    bonf = _combine(p, "bonferroni")
    assert bonf.p_value == pytest.approx(0.04) and bonf.drift
    assert bonf.per_feature.drift.tolist() == [True, False, False, False]
    assert bonf.statistic == 0.2 and bonf.threshold == 0.05
    bh = _combine(p, "fdr_bh")  # adjusted: 0.04, 0.06, 0.2667, 0.9
    assert bh.p_value == pytest.approx(0.04) and bh.per_feature.drift.sum() == 1
    none = _combine(p, "none")
    assert none.p_value == 0.01 and none.per_feature.drift.sum() == 2
    share = _combine(p, "share")
    assert (share.statistic, share.p_value, share.threshold, share.drift) == (0.5, None, 0.5, True)
    assert not _combine(p, "share", share=0.75).drift


def test_bonferroni_controls_the_family_wise_rate() -> None:
    """Five independent drift-free features, 600 seeded repetitions: Bonferroni's
    family-wise false-alarm rate is at most alpha (inside the 99% interval of 0.05 or
    below), while testing each at alpha without correction alarms far more often
    (1 − 0.95⁵ ≈ 0.23 for continuous p-values; KS's discreteness lowers it a bit)."""
    rng = np.random.default_rng(0)
    reps = 600
    bonf = none = 0
    for _ in range(reps):
        X, W = rng.normal(size=(80, 5)), rng.normal(size=(70, 5))
        ks = KS().fit(X)
        bonf += ks.test(W).drift
        none += KS(correction="none").fit(X).test(W).drift
    _, hi = stats.binom.interval(0.99, reps, 0.05)
    assert bonf / reps <= hi / reps
    assert none / reps > 0.15
