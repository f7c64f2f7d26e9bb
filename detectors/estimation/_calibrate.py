"""Calibrate a served model's class probabilities on a labelled reference set.

CBPE is only as good as the calibration: its estimate of accuracy is the mean
calibrated probability of the predicted class. We calibrate each class one-vs-rest
and renormalise the rows (a two-class model needs one map, for class 1).

Isotonic regression is the default (as in NannyML). It assumes only that the map from score to
probability is monotone, so it repairs the distortions driftsim's models show that a
sigmoid cannot (naive Bayes pushes scores to 0 and 1; forests pull them inward), and
the reference sets here hold thousands of labelled samples, enough for its
step function to settle. Platt scaling (``"sigmoid"``, a logistic regression on the
score's logit) is there for small references, where isotonic overfits; ``None`` trusts
the model's probabilities as served.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> p1 = rng.uniform(size=2000); y = (rng.uniform(size=2000) < p1 ** 2).astype(int)
>>> proba = np.c_[1 - p1, p1]          # over-confident in class 1
>>> cal = ProbabilityCalibrator("isotonic").fit(proba, y)
>>> round(float(proba[:, 1].mean()), 2), round(float(cal.transform(proba)[:, 1].mean()), 2)
(0.5, 0.33)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["CALIBRATIONS", "ProbabilityCalibrator"]

CALIBRATIONS = ("isotonic", "sigmoid", None)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _ece(p: np.ndarray, target: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error over ``bins`` equal-count bins of ``p``."""
    order = np.argsort(p, kind="stable")
    parts = np.array_split(order, min(bins, max(p.size // 2, 1)))
    return float(sum(len(b) * abs(p[b].mean() - target[b].mean()) for b in parts) / p.size)


def _separates(score: np.ndarray, target: np.ndarray) -> bool:
    """Whether ``score`` ranks every positive above every negative."""
    return bool(score[target == 1].min() > score[target == 0].max())


class _Sigmoid:
    """Platt scaling of one class's probability."""

    def fit(self, p: np.ndarray, y: np.ndarray) -> _Sigmoid:
        from sklearn.linear_model import LogisticRegression

        self._lr = LogisticRegression(C=1e4).fit(_logit(p)[:, None], y)
        return self

    def predict(self, p: np.ndarray) -> np.ndarray:
        return self._lr.predict_proba(_logit(p)[:, None])[:, 1]


class ProbabilityCalibrator:
    """One-vs-rest calibration of class probabilities, rows renormalised to sum 1.

    Parameters
    ----------
    method
        ``"isotonic"`` (default), ``"sigmoid"`` (Platt) or ``None`` (no calibration).
    keep
        Per calibrated class (class 1 only for two classes): True keeps the served
        score. Default: decided in :meth:`fit` (kept when the class is perfectly ranked
        already, or when the map does not lower the out-of-fold expected calibration
        error); ``keep_`` holds the decision.
    seed
        Seeds the folds of that decision.

    Examples
    --------
    >>> import numpy as np
    >>> proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    >>> ProbabilityCalibrator(None).fit(proba, np.array([0, 1, 0, 1])).transform(proba)[0]
    array([0.9, 0.1])
    """

    def __init__(self, method: str | None = "isotonic", keep: Sequence[bool] | None = None,
                 seed: int = 0) -> None:
        if method not in CALIBRATIONS:
            raise ValueError(f"calibration must be one of {list(CALIBRATIONS)}, got {method!r}")
        self.method = method
        self.keep = keep
        self.seed = seed

    def _helps(self, score: np.ndarray, target: np.ndarray) -> bool:
        """Whether the map lowers the expected calibration error out of fold (5 folds)."""
        fold = np.random.default_rng(self.seed).permutation(score.size) % 5
        out = np.empty_like(score)
        for f in range(5):
            test = fold == f
            train = ~test
            if target[train].min() == target[train].max():
                return False
            out[test] = self._one().fit(score[train], target[train]).predict(score[test])
        return _ece(out, target) < _ece(score, target)

    def _one(self) -> Any:
        if self.method == "sigmoid":
            return _Sigmoid()
        from sklearn.isotonic import IsotonicRegression

        return IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")

    def fit(self, proba: np.ndarray, y: np.ndarray) -> ProbabilityCalibrator:
        """Fit one map per class (one for a two-class model) on labelled ``proba``."""
        k = proba.shape[1]
        self.n_classes_ = k
        self.maps_: list[Any] = []
        if self.method is None:
            return self
        classes = [1] if k == 2 else list(range(k))
        keep = self.keep
        if keep is None:
            keep = []
            for j in classes:
                target = (y == j).astype(np.float64)
                # Nothing to learn, a score that already ranks the class perfectly (a
                # step fit would make it hard 0/1), or a map that does not help out of
                # fold: the served scores stay (NannyML decides the same way).
                keep.append(bool(target.min() == target.max()
                                 or _separates(proba[:, j], target)
                                 or not self._helps(proba[:, j], target)))
        self.keep_ = [bool(v) for v in keep]
        for j, raw in zip(classes, self.keep_, strict=True):
            target = (y == j).astype(np.float64)
            fit = not raw and target.min() < target.max()
            self.maps_.append(self._one().fit(proba[:, j], target) if fit else None)
        return self

    def transform(self, proba: np.ndarray) -> np.ndarray:
        """Calibrated probabilities, same shape as ``proba``."""
        if self.method is None:
            return np.asarray(proba, dtype=np.float64)
        if self.n_classes_ == 2:
            f = self.maps_[0]
            p1 = proba[:, 1] if f is None else f.predict(proba[:, 1])
            return np.c_[1.0 - p1, p1]
        out = np.column_stack([
            proba[:, j] if f is None else f.predict(proba[:, j]) for j, f in enumerate(self.maps_)
        ])
        total = out.sum(axis=1, keepdims=True)
        uniform = np.full_like(out, 1.0 / self.n_classes_)
        return np.divide(out, total, out=uniform, where=total > 0)
