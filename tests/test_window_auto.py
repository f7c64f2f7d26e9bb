"""AutoTest: the per-feature rule, and results equal to the chosen tests' own."""

from __future__ import annotations

import numpy as np
import pytest

from detectors.window import KS, AutoTest, ChiSquared, Wasserstein


def _mixed(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.column_stack(
        [
            rng.normal(size=n),  # numeric, many values
            rng.integers(0, 4, n),  # numeric codes, 4 distinct values
            rng.integers(0, 12, n),  # 12 distinct values
            rng.normal(size=n),
        ]
    ).astype(float)


def test_rule_for_a_small_reference() -> None:
    """<= 5 distinct values → chi-squared; otherwise KS for a reference of <= 1,000."""
    auto = AutoTest().fit(_mixed(1000))
    assert auto.tests_ == ("KS", "ChiSquared", "KS", "KS")


def test_rule_for_a_large_reference() -> None:
    """Above 1,000 reference rows numeric features get normalised Wasserstein (0.1)."""
    auto = AutoTest().fit(_mixed(1001))
    assert auto.tests_ == ("Wasserstein", "ChiSquared", "Wasserstein", "Wasserstein")
    pf = auto.test(_mixed(500, seed=1)).per_feature
    assert pf.threshold.tolist() == [0.1, 0.05, 0.1, 0.1]


def test_feature_kinds_force_categorical() -> None:
    kinds = ["numeric", "numeric", "categorical", "numeric"]
    assert AutoTest(feature_kinds=kinds).fit(_mixed(300)).tests_ == (
        "KS",
        "ChiSquared",
        "ChiSquared",
        "KS",
    )
    by_name = AutoTest(feature_kinds={"c": "categorical"}, feature_names=["a", "b", "c", "d"])
    assert by_name.fit(_mixed(300)).tests_ == ("KS", "ChiSquared", "ChiSquared", "KS")


def test_bad_feature_kinds() -> None:
    with pytest.raises(ValueError, match="feature_kinds has 2 entries but the reference has 4"):
        AutoTest(feature_kinds=["numeric", "numeric"]).fit(_mixed(100))
    with pytest.raises(ValueError, match=r"not in the reference: \['zz'\]"):
        AutoTest(feature_kinds={"zz": "categorical"}).fit(_mixed(100))


@pytest.mark.parametrize("n_ref", [600, 2000])
def test_per_feature_results_equal_the_chosen_tests(n_ref: int) -> None:
    """Each feature's statistic and p-value are those of the test the rule chose, run
    on that feature alone."""
    X, W = _mixed(n_ref, seed=2), _mixed(400, seed=3)
    W[:, 0] += 0.3
    auto = AutoTest().fit(X)
    pf = auto.test(W).per_feature
    make = {"KS": KS, "ChiSquared": ChiSquared, "Wasserstein": Wasserstein}
    for j, name in enumerate(auto.tests_):
        alone = make[name]().fit(X[:, j]).test(W[:, j])
        assert pf.tests[j] == name
        assert pf.statistic[j] == pytest.approx(alone.statistic, rel=1e-12)
        if alone.p_value is None:
            assert np.isnan(pf.p_value[j])
        else:
            assert pf.p_value[j] == pytest.approx(alone.p_value, rel=1e-12)
        assert bool(pf.drift[j]) == alone.drift


def test_share_is_the_default_combination() -> None:
    """Evidently's rule: drift when at least half of the features drift."""
    X, W = _mixed(800, seed=4), _mixed(400, seed=5)
    W[:, 0] += 1.0
    one = AutoTest().fit(X).test(W)
    assert (one.statistic, one.threshold, one.p_value, one.drift) == (0.25, 0.5, None, False)
    W[:, 3] += 1.0
    two = AutoTest().fit(X).test(W)
    assert (two.statistic, two.drift) == (0.5, True)


def test_p_value_corrections_mix_with_distances() -> None:
    """Bonferroni over the p-value features only; the window drifts if any feature does;
    the statistic stays the drifting share."""
    X, W = _mixed(2000, seed=6), _mixed(1000, seed=7)
    W[:, 0] += 1.0
    result = AutoTest(correction="bonferroni").fit(X).test(W)
    pf = result.per_feature
    assert pf.tests == ("Wasserstein", "ChiSquared", "Wasserstein", "Wasserstein")
    assert pf.adjusted_p_value[1] == pytest.approx(min(1.0, pf.p_value[1]), rel=1e-12)
    assert result.drift and result.threshold == 0.0
    assert result.statistic == pytest.approx(pf.drift.mean())
    assert result.p_value == pytest.approx(pf.adjusted_p_value[1])
