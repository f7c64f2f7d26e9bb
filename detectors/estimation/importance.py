"""Importance-weighted performance estimation: re-weight the labelled reference.

Under covariate shift, ``P(y | x)`` holds, so a chunk's expected metric is the
reference's metric with each reference sample weighted by the density ratio
``w(x) = p_chunk(x) / p_ref(x)``. A domain classifier told to separate reference from
chunk gives it: ``w(x) = P(chunk | x) / P(ref | x) · n_ref / n_chunk``. Unlike CBPE this
needs the features, not the model's confidences, and it uses the reference's labels
directly, so it needs no calibration; it does need the chunk to lie where the
reference has support (weights are clipped at ``clip`` times their mean).

Band: ``band_sigmas·s·sqrt(m/n_chunk + m/n_eff)``, where ``s`` is the standard
deviation of the metric over random reference sub-chunks of ``m`` samples (the
chunk's own sampling noise) and ``n_eff = (Σw)² / Σw²`` is the effective size of the
weighted reference (the estimate's noise).

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> X_ref = rng.normal(size=(3000, 1)); y_ref = (X_ref[:, 0] > 0).astype(int)
>>> pred_ref = np.where(np.abs(X_ref[:, 0]) < 0.5, 1 - y_ref, y_ref)  # wrong near 0
>>> est = ImportanceWeighting(chunk_size=1000).fit(X_ref, y_ref, y_pred=pred_ref)
>>> round(float((pred_ref == y_ref).mean()), 2)
0.63
>>> X = rng.normal(loc=2.0, size=(1000, 1))   # the chunk moved away from the errors
>>> round(float(est.estimate(X).value["accuracy"][0]), 2)
0.93
>>> round(float(1 - np.mean(np.abs(X[:, 0]) < 0.5)), 2)   # the truth
0.94
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from detectors.estimation._common import check_labels, check_metrics, check_proba
from detectors.estimation._metrics import AVERAGES, chunk_bounds, chunk_metrics, resolve_average
from detectors.estimation.result import Estimate
from driftsim.params import ParamsMixin
from driftsim.validation import check_choice, check_finite_array, check_in_range, check_int

__all__ = ["ImportanceWeighting"]


def _default_classifier() -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=500))


class ImportanceWeighting(ParamsMixin):
    """Estimate a classifier's metrics on unlabelled chunks by density-ratio weighting.

    Parameters
    ----------
    metrics, average, chunk_size, band_sigmas, seed
        As for :class:`~detectors.estimation.CBPE`.
    classifier
        The domain classifier (any scikit-learn classifier with ``predict_proba``);
        default: standardised logistic regression, a log-linear density ratio.
    max_reference
        Reference samples used per chunk (a seeded subsample when larger).
    clip
        Weights are capped at ``clip`` times their mean.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(1).normal(size=(400, 2)); y = (X[:, 0] > 0).astype(int)
    >>> est = ImportanceWeighting(chunk_size=200).fit(X, y, y_pred=y)
    >>> est.estimate(X[:200]).value["accuracy"]
    array([1.])
    """

    def __init__(
        self,
        metrics: Sequence[str] = ("accuracy",),
        average: str = "auto",
        chunk_size: int = 500,
        classifier: Any = None,
        max_reference: int = 2000,
        clip: float = 20.0,
        band_sigmas: float = 3.0,
        seed: int = 0,
    ) -> None:
        self.metrics = metrics
        self.average = average
        self.chunk_size = chunk_size
        self.classifier = classifier
        self.max_reference = max_reference
        self.clip = clip
        self.band_sigmas = band_sigmas
        self.seed = seed
        self._metrics = check_metrics(metrics)
        check_choice("average", average, AVERAGES)
        check_int("chunk_size", chunk_size, low=1)
        check_int("max_reference", max_reference, low=10)
        check_in_range("clip", clip, low=1.0)
        check_in_range("band_sigmas", band_sigmas, low=0.0)

    def fit(self, X: Any, y: Any, proba: Any = None, y_pred: Any = None) -> ImportanceWeighting:
        """Store the labelled reference: features, labels and the model's outputs on it.

        ``proba`` is needed for ROC AUC and to derive ``y_pred`` when that is not given.
        """
        X = check_finite_array("X", X, ndim=2)
        n = len(X)
        if proba is None and y_pred is None:
            raise ValueError("fit needs the model's outputs on the reference: proba or y_pred")
        y = np.asarray(y)
        k = int(max(np.max(y), np.max(y_pred) if y_pred is not None else 0)) + 1
        if proba is not None:
            proba = check_proba("proba", proba)
            k = proba.shape[1]
        elif "roc_auc" in self._metrics:
            raise ValueError("roc_auc needs the reference's proba")
        y = check_labels("y", y, n, max(k, 2))
        k = max(k, 2)
        pred = proba.argmax(axis=1) if y_pred is None else check_labels("y_pred", y_pred, n, k)
        rng = np.random.default_rng(self.seed)
        keep = np.sort(rng.permutation(n)[: self.max_reference])
        self.n_classes_ = k
        self.average_ = resolve_average(self.average, k)
        self.X_ref_, self.pred_ref_ = X[keep], pred[keep]
        self.q_ref_ = np.eye(k)[y[keep]]
        self.scores_ref_ = self.q_ref_ if proba is None else proba[keep]
        m = int(min(max(len(keep) // 4, 2), 1000))
        idx = rng.integers(0, len(keep), size=(200, m))
        realised = chunk_metrics(self.q_ref_[idx], self.pred_ref_[idx], self.scores_ref_[idx],
                                 self._metrics, self.average_)
        self.band_sample_size_ = m
        self.band_sd_ = {name: float(np.nanstd(realised[name])) for name in self._metrics}
        return self

    def weights(self, X: Any) -> np.ndarray:
        """Density-ratio weights of the (subsampled) reference for the chunk ``X``, mean 1."""
        if not hasattr(self, "X_ref_"):
            raise RuntimeError("ImportanceWeighting is not fitted: call fit on a reference")
        X = check_finite_array("X", X, ndim=2)
        if X.shape[1] != self.X_ref_.shape[1]:
            raise ValueError(f"X has {X.shape[1]} features; the reference had "
                             f"{self.X_ref_.shape[1]}")
        from sklearn.base import clone

        clf = clone(self.classifier) if self.classifier is not None else _default_classifier()
        both = np.vstack([self.X_ref_, X])
        domain = np.r_[np.zeros(len(self.X_ref_)), np.ones(len(X))]
        p = clf.fit(both, domain).predict_proba(self.X_ref_)[:, 1]
        p = np.clip(p, 1e-6, 1 - 1e-6)
        w = p / (1 - p)
        w /= w.mean()
        w = np.minimum(w, self.clip)
        return w / w.mean()

    def estimate(self, X: Any, *, chunk_size: int | None = None) -> Estimate:
        """Estimate the metrics per chunk of the unlabelled features ``X``."""
        X = check_finite_array("X", X, ndim=2)
        if len(X) == 0:
            raise ValueError("X is empty: nothing to estimate")
        size = check_int("chunk_size", self.chunk_size if chunk_size is None else chunk_size,
                         low=1)
        starts, stops = chunk_bounds(len(X), size)
        w = np.stack([self.weights(X[a:b]) for a, b in zip(starts, stops, strict=True)])
        c = len(starts)
        values = chunk_metrics(
            np.broadcast_to(self.q_ref_, (c, *self.q_ref_.shape)),
            np.broadcast_to(self.pred_ref_, (c, len(self.pred_ref_))),
            np.broadcast_to(self.scores_ref_, (c, *self.scores_ref_.shape)),
            self._metrics, self.average_, weights=w,
        )
        n_eff = w.sum(axis=1) ** 2 / np.sum(w**2, axis=1)
        m = self.band_sample_size_
        scale = np.sqrt(m / (stops - starts) + m / n_eff)
        half = {k: self.band_sigmas * self.band_sd_[k] * scale for k in self._metrics}
        return Estimate(
            "ImportanceWeighting", starts, stops, values,
            {k: values[k] - half[k] for k in self._metrics},
            {k: values[k] + half[k] for k in self._metrics},
            details={"n_eff": n_eff, "average": self.average_},
        )
