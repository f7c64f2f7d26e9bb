"""Confidence-based performance estimation (CBPE): metrics without labels.

A calibrated probability is the chance the prediction is right. So the expected
confusion matrix of a chunk is the sum of its calibrated class probabilities split by
predicted class, and every metric follows from it: accuracy is the mean calibrated
probability of the predicted class, F1 / precision / recall come from the expected
true and false positives, ROC AUC from the expected ROC curve traced in the model's
score order. This is NannyML's method; the code is ours and runs all chunks at once.

What it assumes, and so where it fails: calibration learnt on the reference must still
hold, i.e. ``P(y | x)`` is unchanged. It tracks covariate and prior shift; it is blind
to concept drift, where the labels change and the confidences do not.

Band
----
Per chunk, ``value ± band_sigmas·max(s·sqrt(r·m / n), sqrt(v / n))``: ``s`` is the
standard deviation, over ``n_draws`` random sub-chunks of ``m`` reference samples, of
*realised minus estimated* metric, with the reference's probabilities calibrated out
of fold (``n_folds`` cross-fitting) so the band holds calibration error and not only
sampling noise; ``v`` is the chunk's mean ``c(1 - c)`` (``c``: calibrated probability
of the predicted class; the binomial variance of being right) and ``r`` its ratio to
the reference's, so a chunk from a harder region gets a wider band.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> def served(n):   # a calibrated two-class model: P(y = 1) is the score
...     p1 = rng.uniform(size=n)
...     return np.c_[1 - p1, p1], (rng.uniform(size=n) < p1).astype(int)
>>> proba_ref, y_ref = served(5000)
>>> est = CBPE(metrics=("accuracy", "f1"), chunk_size=1000).fit(proba_ref, y_ref)
>>> proba, y = served(3000)
>>> result = est.estimate(proba)
>>> result.value["accuracy"].round(2)
array([0.75, 0.76, 0.75])
>>> realised_performance(y, proba, chunk_size=1000)["accuracy"]
array([0.749, 0.753, 0.74 ])
>>> bool(result.covers(realised_performance(y, proba, metrics=("accuracy", "f1"),
...                                         chunk_size=1000))["accuracy"].all())
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from detectors.estimation._calibrate import CALIBRATIONS, ProbabilityCalibrator
from detectors.estimation._common import (
    check_labels,
    check_metrics,
    check_proba,
    evaluate,
    realised_performance,
)
from detectors.estimation._metrics import AVERAGES, chunk_metrics, resolve_average
from detectors.estimation.result import Estimate
from driftsim.params import ParamsMixin
from driftsim.validation import check_choice, check_in_range, check_int

__all__ = ["CBPE", "realised_performance"]


def _spread(q: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """Per sample, the Bernoulli variance ``c(1 - c)`` of being right, where ``c`` is the
    calibrated probability of the predicted class."""
    c = np.take_along_axis(q, pred[:, None], axis=1)[:, 0]
    return c * (1.0 - c)


class CBPE(ParamsMixin):
    """Confidence-based performance estimation of a classifier's metrics.

    Parameters
    ----------
    metrics
        Any of ``"accuracy"``, ``"precision"``, ``"recall"``, ``"f1"``, ``"roc_auc"``.
    calibration
        ``"isotonic"`` (default; why: :mod:`detectors.estimation._calibrate`),
        ``"sigmoid"`` (Platt), ``None``, or ``"auto"``: whichever of the three estimates
        the requested metrics on reference sub-chunks with the lowest out-of-fold mean
        squared error (``oof_mse_`` after :meth:`fit`; the choice in ``calibration_``).
    average
        ``"auto"`` (positive class for two classes, macro otherwise), ``"binary"`` or
        ``"macro"``.
    chunk_size
        Samples per chunk in :meth:`estimate`.
    band_sigmas
        Half-width of the band in standard errors.
    n_folds, n_draws
        Cross-fitting folds and sub-chunk draws that size the band.
    seed
        Seeds the folds and draws.

    Examples
    --------
    >>> import numpy as np
    >>> proba = np.tile([[0.9, 0.1], [0.2, 0.8]], (100, 1)); y = np.tile([0, 1], 100)
    >>> CBPE(calibration=None, chunk_size=50).fit(proba, y).estimate(proba).value
    {'accuracy': array([0.85, 0.85, 0.85, 0.85])}
    """

    def __init__(
        self,
        metrics: Sequence[str] = ("accuracy",),
        calibration: str | None = "isotonic",
        average: str = "auto",
        chunk_size: int = 500,
        band_sigmas: float = 3.0,
        n_folds: int = 5,
        n_draws: int = 100,
        seed: int = 0,
    ) -> None:
        self.metrics = metrics
        self.calibration = calibration
        self.average = average
        self.chunk_size = chunk_size
        self.band_sigmas = band_sigmas
        self.n_folds = n_folds
        self.n_draws = n_draws
        self.seed = seed
        self._metrics = check_metrics(metrics)
        if calibration != "auto":
            ProbabilityCalibrator(calibration)  # raises on an unknown method
        check_choice("average", average, AVERAGES)
        check_int("chunk_size", chunk_size, low=1)
        check_in_range("band_sigmas", band_sigmas, low=0.0)
        check_int("n_folds", n_folds, low=2)
        check_int("n_draws", n_draws, low=2)

    def fit(self, proba: Any, y: Any, y_pred: Any = None) -> CBPE:
        """Calibrate on a labelled reference and size the band.

        Parameters
        ----------
        proba
            The model's class probabilities on the reference, ``(n, k)``.
        y
            True class codes.
        y_pred
            Its predictions (default: ``proba.argmax(axis=1)``).
        """
        proba = check_proba("proba", proba)
        n, k = proba.shape
        y = check_labels("y", y, n, k)
        pred = proba.argmax(axis=1) if y_pred is None else check_labels("y_pred", y_pred, n, k)
        if n < 2 * self.n_folds:
            raise ValueError(f"the reference needs at least {2 * self.n_folds} samples, got {n}")
        self.n_classes_ = k
        self.average_ = resolve_average(self.average, k)
        fold = np.random.default_rng(self.seed).permutation(n) % self.n_folds
        methods = CALIBRATIONS if self.calibration == "auto" else (self.calibration,)
        size = int(min(max(n // 4, 2), 500))
        idx = np.random.default_rng(self.seed + 1).integers(0, n, size=(self.n_draws, size))
        finals = {c: ProbabilityCalibrator(c, seed=self.seed).fit(proba, y) for c in methods}
        errors = {c: self._reference_errors(finals[c], proba, y, pred, fold, idx)
                  for c in methods}
        # The choice: the smallest out-of-fold mean squared error of the estimates.
        self.oof_mse_ = {c: float(np.mean([np.nanmean(d**2) for d in e.values()]))
                         for c, (e, _) in errors.items()}
        self.calibration_ = min(methods, key=self.oof_mse_.__getitem__)
        self.calibrator_ = finals[self.calibration_]
        diffs, self.reference_spread_ = errors[self.calibration_]
        self.band_sample_size_ = size
        self.band_sd_ = {name: float(np.nanstd(d)) for name, d in diffs.items()}
        return self

    def _reference_errors(self, final: ProbabilityCalibrator, proba: np.ndarray,
                          y: np.ndarray, pred: np.ndarray, fold: np.ndarray,
                          idx: np.ndarray) -> tuple[dict[str, np.ndarray], float]:
        """Realised minus estimated metric on the reference sub-chunks ``idx`` (rows of
        sample indices), with out-of-fold calibration; and the reference's spread."""
        q_hat = self._out_of_fold(final, proba, y, fold)
        args = (pred[idx], proba[idx], self._metrics, self.average_)
        realised = chunk_metrics(np.eye(proba.shape[1])[y[idx]], *args)
        estimated = chunk_metrics(q_hat[idx], *args)
        diffs = {name: realised[name] - estimated[name] for name in self._metrics}
        return diffs, float(np.mean(_spread(q_hat, pred)))

    def _out_of_fold(self, final: ProbabilityCalibrator, proba: np.ndarray, y: np.ndarray,
                     fold: np.ndarray) -> np.ndarray:
        """The reference's probabilities, each calibrated by maps fit without it (with
        the final calibrator's choice of which classes keep their served scores)."""
        if final.method is None:
            return proba
        out = np.empty_like(proba)
        for f in range(self.n_folds):
            test = fold == f
            out[test] = ProbabilityCalibrator(final.method, keep=final.keep_).fit(
                proba[~test], y[~test]).transform(proba[test])
        return out

    def _band(self, name: str, sizes: np.ndarray, spread: np.ndarray) -> np.ndarray:
        # The reference's spread, rescaled by how uncertain the chunk's predictions are
        # (a chunk drawn from a harder region varies more), and never below the
        # binomial spread of the chunk's own accuracy.
        ratio = spread / self.reference_spread_ if self.reference_spread_ > 0 else 1.0
        sd = self.band_sd_[name] * np.sqrt(ratio * self.band_sample_size_ / sizes)
        return self.band_sigmas * np.maximum(sd, np.sqrt(spread / sizes))

    def calibrated(self, proba: Any) -> np.ndarray:
        """The calibrated probabilities CBPE estimates from."""
        self._check_fitted()
        return self.calibrator_.transform(check_proba("proba", proba, self.n_classes_))

    def estimate(self, proba: Any, y_pred: Any = None, *, chunk_size: int | None = None
                 ) -> Estimate:
        """Estimate the metrics per chunk of ``chunk_size`` (default: the constructor's).

        Parameters
        ----------
        proba
            Served class probabilities ``(n, k)``; no labels needed.
        y_pred
            Served predictions (default: ``proba.argmax(axis=1)``).
        chunk_size
            Overrides the constructor's ``chunk_size``.
        """
        q = self.calibrated(proba)
        proba = np.asarray(proba, dtype=np.float64)
        n = len(q)
        if n == 0:
            raise ValueError("proba is empty: nothing to estimate")
        pred = proba.argmax(axis=1) if y_pred is None else check_labels(
            "y_pred", y_pred, n, self.n_classes_)
        size = check_int("chunk_size", self.chunk_size if chunk_size is None else chunk_size,
                         low=1)
        starts, stops, values = evaluate(q, pred, proba, self._metrics, self.average_, size)
        spread = np.add.reduceat(_spread(q, pred), starts) / (stops - starts)
        sizes = (stops - starts).astype(float)
        half = {m: self._band(m, sizes, spread) for m in self._metrics}
        return Estimate(
            "CBPE", starts, stops, values,
            {m: values[m] - half[m] for m in self._metrics},
            {m: values[m] + half[m] for m in self._metrics},
            details={"calibration": self.calibration_, "average": self.average_},
        )

    def _check_fitted(self) -> None:
        if not hasattr(self, "calibrator_"):
            raise RuntimeError("CBPE is not fitted: call fit(proba, y) on a reference first")
