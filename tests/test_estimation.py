"""Label-free performance estimation: CBPE and importance weighting.

Realised metrics agree with scikit-learn's; the estimates track the truth on
calibrated data and on shipped scenarios where ``P(y | x)`` holds (covariate
subpopulation shift, prior shift) and, as expected, miss the abrupt concept swap.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from detectors.estimation import CBPE, METRICS, ImportanceWeighting, realised_performance
from tests.estimation_data import served_scenario


def _served(rng, n, k=2):
    """A perfectly calibrated k-class model: labels drawn from its probabilities."""
    proba = rng.dirichlet(np.full(k, 0.7), size=n)
    y = (rng.uniform(size=(n, 1)) > proba.cumsum(axis=1)).sum(axis=1)
    return proba, np.minimum(y, k - 1)


@pytest.mark.parametrize("k", [2, 3])
def test_realised_metrics_agree_with_scikit_learn(k):
    rng = np.random.default_rng(k)
    proba = np.round(rng.dirichlet(np.ones(k), size=900), 1)  # rounding makes ties
    proba /= proba.sum(axis=1, keepdims=True)
    y = rng.integers(0, k, size=900)
    got = realised_performance(y, proba, metrics=METRICS, chunk_size=300)
    avg = "binary" if k == 2 else "macro"
    for c in range(3):
        yy, pp = y[c * 300:(c + 1) * 300], proba[c * 300:(c + 1) * 300]
        pred = pp.argmax(axis=1)
        auc = (skm.roc_auc_score(yy, pp[:, 1]) if k == 2
               else skm.roc_auc_score(yy, pp, multi_class="ovr"))
        want = {
            "accuracy": skm.accuracy_score(yy, pred),
            "precision": skm.precision_score(yy, pred, average=avg, zero_division=0),
            "recall": skm.recall_score(yy, pred, average=avg, zero_division=0),
            "f1": skm.f1_score(yy, pred, average=avg, zero_division=0),
            "roc_auc": auc,
        }
        for m in METRICS:
            assert got[m][c] == pytest.approx(want[m], abs=1e-12), (m, c)


@pytest.mark.parametrize("k", [2, 4])
def test_cbpe_tracks_a_calibrated_model_within_its_band(k):
    rng = np.random.default_rng(10 + k)
    proba_ref, y_ref = _served(rng, 4000, k)
    est = CBPE(metrics=METRICS, chunk_size=500).fit(proba_ref, y_ref)
    proba, y = _served(rng, 10000, k)
    result = est.estimate(proba)
    realised = realised_performance(y, proba, metrics=METRICS, chunk_size=500)
    covered = result.covers(realised)
    for m in METRICS:
        assert covered[m].mean() >= 0.9, m
        assert np.mean(np.abs(result.value[m] - realised[m])) < 0.03, m


def test_cbpe_repairs_a_miscalibrated_model_and_plain_confidence_does_not():
    rng = np.random.default_rng(5)
    proba, y = _served(rng, 12000)
    sharp = proba ** 3 / (proba ** 3).sum(axis=1, keepdims=True)  # over-confident
    realised = realised_performance(y[4000:], sharp[4000:], chunk_size=1000)["accuracy"]
    for calibration in ("isotonic", "sigmoid"):
        est = CBPE(calibration=calibration, chunk_size=1000).fit(sharp[:4000], y[:4000])
        assert est.calibrator_.keep_ == [False]  # the map helps out of fold, so it is used
        error = np.abs(est.estimate(sharp[4000:]).value["accuracy"] - realised)
        assert error.mean() < 0.015, calibration
    raw = CBPE(calibration=None, chunk_size=1000).fit(sharp[:4000], y[:4000])
    assert np.abs(raw.estimate(sharp[4000:]).value["accuracy"] - realised).mean() > 0.05
    auto = CBPE(calibration="auto").fit(sharp[:4000], y[:4000])
    assert auto.calibration_ in ("isotonic", "sigmoid")
    assert auto.oof_mse_[None] > auto.oof_mse_[auto.calibration_]


def test_cbpe_estimates_are_chunking_invariant_and_the_last_chunk_may_be_short():
    rng = np.random.default_rng(2)
    proba, y = _served(rng, 3000, 3)
    est = CBPE(metrics=("accuracy", "f1"), chunk_size=700).fit(proba[:1000], y[:1000])
    whole = est.estimate(proba[1000:])
    assert whole.stops.tolist() == [700, 1400, 2000]
    last = est.estimate(proba[2400:])
    assert last.value["f1"][0] == pytest.approx(whole.value["f1"][-1])
    # Narrower band for a bigger chunk.
    assert (whole.upper["accuracy"] - whole.value["accuracy"])[0] < (
        last.upper["accuracy"] - last.value["accuracy"])[0]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"metrics": ("accuracy", "mape")}, "metric must be one of"),
        ({"metrics": ()}, "at least one"),
        ({"calibration": "beta"}, "calibration must be one of"),
        ({"average": "weighted"}, "average must be one of"),
        ({"chunk_size": 0}, "chunk_size must be >= 1"),
    ],
)
def test_bad_parameters_name_the_value_and_what_is_allowed(kwargs, match):
    with pytest.raises(ValueError, match=match):
        CBPE(**kwargs)


def test_bad_inputs_are_refused_at_the_boundary():
    proba = np.array([[0.2, 0.8], [0.6, 0.4]] * 10)
    y = np.array([1, 0] * 10)
    with pytest.raises(ValueError, match=r"class codes in 0\.\.1"):
        CBPE().fit(proba, y + 1)
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        CBPE().fit(proba * 2, y)
    est = CBPE().fit(proba, y)
    with pytest.raises(ValueError, match="has 3 classes; the reference had 2"):
        est.estimate(np.full((4, 3), 1 / 3))
    with pytest.raises(RuntimeError, match="not fitted"):
        CBPE().estimate(proba)
    with pytest.raises(ValueError, match="needs two classes"):
        CBPE(average="binary").fit(np.full((20, 3), 1 / 3), np.zeros(20, dtype=int))


def test_importance_weighting_follows_a_covariate_shift():
    rng = np.random.default_rng(3)
    X_ref = rng.normal(size=(4000, 2))
    y_ref = (X_ref[:, 0] + 0.3 * rng.normal(size=4000) > 0).astype(int)
    pred_ref = (X_ref[:, 0] > 0).astype(int)
    est = ImportanceWeighting(metrics=("accuracy", "f1"), chunk_size=1000)
    est.fit(X_ref, y_ref, y_pred=pred_ref)
    X = rng.normal(loc=[1.2, 0.5], size=(3000, 2))  # away from the boundary
    y = (X[:, 0] + 0.3 * rng.normal(size=3000) > 0).astype(int)
    truth = np.mean((X[:, 0] > 0).astype(int) == y)
    result = est.estimate(X)
    reference_accuracy = np.mean(pred_ref == y_ref)
    assert truth > reference_accuracy + 0.03  # the shift matters
    assert np.all(np.abs(result.value["accuracy"] - truth) < 0.015)
    assert np.all(result.details["n_eff"] < 4000)


def test_importance_weighting_needs_model_outputs_and_matching_features():
    X = np.random.default_rng(0).normal(size=(50, 2))
    with pytest.raises(ValueError, match="proba or y_pred"):
        ImportanceWeighting().fit(X, np.zeros(50, dtype=int))
    est = ImportanceWeighting().fit(X, np.zeros(50, dtype=int), y_pred=np.zeros(50, dtype=int))
    with pytest.raises(ValueError, match="X has 3 features; the reference had 2"):
        est.estimate(np.zeros((10, 3)))


# --- where it works and where it fails: shipped scenarios ------------------------------
@pytest.mark.parametrize("scenario", ["subpopulation", "prior_shift"])
def test_cbpe_tracks_iris_under_covariate_and_prior_shift(scenario):
    data = served_scenario(scenario, "iris", n_samples=9000, seed=1)
    est = CBPE(metrics=("accuracy", "f1"), chunk_size=500).fit(data["proba_ref"], data["y_ref"])
    result = est.estimate(data["proba"])
    realised = realised_performance(data["y"], data["proba"], metrics=("accuracy", "f1"),
                                    chunk_size=500)
    covered = result.covers(realised)
    assert covered["accuracy"].mean() >= 0.9
    assert np.mean(np.abs(result.value["accuracy"] - realised["accuracy"])) < 0.015


def test_cbpe_misses_the_abrupt_concept_swap_as_expected():
    """Classes 0 and 1 exchange labels; the inputs, and so the confidences, do not move.

    CBPE assumes P(y | x) holds, so it keeps reporting the pre-drift accuracy: the
    realised accuracy falls far below the band in every drifted chunk.
    """
    data = served_scenario("abrupt_concept", "iris", n_samples=9000, seed=1)
    est = CBPE(chunk_size=500).fit(data["proba_ref"], data["y_ref"])
    result = est.estimate(data["proba"])
    realised = realised_performance(data["y"], data["proba"], chunk_size=500)["accuracy"]
    reference = realised_performance(data["y_ref"], data["proba_ref"])["accuracy"][0]
    assert np.all(realised < 0.5)
    assert np.all(result.lower["accuracy"] > realised + 0.3)
    assert np.all(np.abs(result.value["accuracy"] - reference) < 0.03)
