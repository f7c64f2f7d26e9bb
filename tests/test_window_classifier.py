"""ClassifierTest: AUC on held-out rows, exact permutation p-value, binomial option."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.dummy import DummyClassifier
from sklearn.metrics import roc_auc_score
from sklearn.naive_bayes import GaussianNB

from detectors.window import ClassifierTest

SCORED: list[np.ndarray] = []


class FirstFeatureScorer(ClassifierMixin, BaseEstimator):
    """Scores a row by a logistic of its first feature and records what it scored."""

    def fit(self, X: np.ndarray, y: np.ndarray) -> FirstFeatureScorer:
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        SCORED.append(X.copy())
        p = 1.0 / (1.0 + np.exp(-X[:, 0]))
        return np.column_stack([1.0 - p, p])


def test_statistic_is_the_auc_of_the_held_out_rows() -> None:
    """The AUC equals ``sklearn.metrics.roc_auc_score`` on the rows the model scored
    (identified by their values), and the split keeps half of each sample out."""
    rng = np.random.default_rng(0)
    X, W = rng.normal(size=(80, 2)), rng.normal(0.5, 1.0, size=(60, 2))
    SCORED.clear()
    result = ClassifierTest(classifier=FirstFeatureScorer()).fit(X).test(W)
    held_out = SCORED[-1]
    labels = np.array([1 if (W == row).all(axis=1).any() else 0 for row in held_out])
    assert (labels == 0).sum() == 40 and (labels == 1).sum() == 30
    assert result.statistic == pytest.approx(roc_auc_score(labels, held_out[:, 0]), rel=1e-12)


def test_separable_samples_reach_the_smallest_p_value() -> None:
    rng = np.random.default_rng(1)
    test = ClassifierTest(classifier=FirstFeatureScorer(), n_permutations=199)
    result = test.fit(rng.normal(size=(50, 2))).test(
        rng.normal(size=(50, 2)) + np.array([20.0, 0.0])
    )
    assert result.statistic == 1.0
    assert result.p_value == pytest.approx(1 / 200) and result.drift


def test_uninformative_classifier_gives_auc_half_and_p_one() -> None:
    """Constant scores tie everywhere: midranks give AUC 0.5, every shuffle ties."""
    rng = np.random.default_rng(2)
    test = ClassifierTest(classifier=DummyClassifier(strategy="prior"))
    result = test.fit(rng.normal(size=(40, 2))).test(rng.normal(3.0, 1.0, size=(40, 2)))
    assert (result.statistic, result.p_value, result.drift) == (0.5, 1.0, False)


@pytest.mark.slow
def test_permutation_false_positive_rate() -> None:
    """Under no drift (50 vs 50 rows, GaussianNB), 200 seeded repetitions with 199
    permutations reject at a rate inside the binomial 99% interval around the exact
    size 9/200 = 0.045 (fewer repetitions: each one fits a model)."""
    rng = np.random.default_rng(3)
    reps = 200
    rejections = 0
    for r in range(reps):
        X, W = rng.normal(size=(50, 2)), rng.normal(size=(50, 2))
        test = ClassifierTest(classifier=GaussianNB(), n_permutations=199, seed=r)
        rejections += test.fit(X).test(W).p_value < 0.05
    lo, hi = stats.binom.interval(0.99, reps, 0.045)
    assert lo / reps <= rejections / reps <= hi / reps


def test_binomial_p_value_counts_correct_held_out_predictions() -> None:
    """The binomial p-value is scipy's one-sided binomtest of the held-out rows
    classified correctly against the majority share."""
    rng = np.random.default_rng(4)
    X, W = rng.normal(size=(60, 2)), rng.normal(0.8, 1.0, size=(40, 2))
    SCORED.clear()
    test = ClassifierTest(classifier=FirstFeatureScorer(), p_value_method="binomial")
    result = test.fit(X).test(W)
    held_out = SCORED[-1]
    labels = np.array([1 if (W == row).all(axis=1).any() else 0 for row in held_out])
    correct = int(np.sum((1.0 / (1.0 + np.exp(-held_out[:, 0])) > 0.5) == (labels == 1)))
    expected = stats.binomtest(correct, 50, 30 / 50, alternative="greater").pvalue
    assert result.p_value == pytest.approx(expected, rel=1e-12)


def test_default_classifier_detects_a_nonlinear_change() -> None:
    """The default random forest sees a change in spread that leaves the mean alone."""
    rng = np.random.default_rng(5)
    result = ClassifierTest().fit(rng.normal(size=(200, 2))).test(rng.normal(0, 3.0, (200, 2)))
    assert result.drift and result.statistic > 0.7


def test_seed_makes_results_reproducible() -> None:
    rng = np.random.default_rng(6)
    X, W = rng.normal(size=(60, 2)), rng.normal(0.3, 1.0, size=(60, 2))
    a = ClassifierTest(classifier=GaussianNB(), seed=3).fit(X).test(W)
    b = ClassifierTest(classifier=GaussianNB(), seed=3).fit(X).test(W)
    c = ClassifierTest(classifier=GaussianNB(), seed=4).fit(X).test(W)
    assert (a.statistic, a.p_value) == (b.statistic, b.p_value)
    assert (a.statistic, a.p_value) != (c.statistic, c.p_value)


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_non_finite_probabilities_are_reported() -> None:
    """GaussianNB on constant features returns NaN probabilities: a clear error."""
    with pytest.raises(ValueError, match="returned non-finite probabilities"):
        ClassifierTest(classifier=GaussianNB()).fit(np.ones((20, 1))).test(np.ones((20, 1)))
