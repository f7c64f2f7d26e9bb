"""``estimated:<metric>`` monitor signals: a label-free estimate of the served model's
metric, fed to a streaming detector or an SLA rule before any label arrives.

At each check (every ``every`` samples, on the last ``window`` served by the current
model, the cadence of window tests) the estimator (default:
:class:`~detectors.estimation.CBPE` with macro averages, as :class:`SLARule` uses)
estimates the metric from the served probabilities. The estimator is refitted at each
re-baseline on the new model's reference (its training data, labels included: an
in-sample calibration, a little optimistic for flexible models). Each check is kept
as a record (time, window, estimate, band) that the loop writes to the trace beside
the realised value, so a run shows estimate against truth.

Examples
--------
>>> import numpy as np
>>> from simulator.monitors import Reference, SignalHistory
>>> rng = np.random.default_rng(0)
>>> p1 = rng.uniform(size=3000); proba = np.c_[1 - p1, p1]
>>> y = (rng.uniform(size=3000) < p1).astype(int)
>>> signal = EstimatedSignal("accuracy")
>>> signal.fit(Reference(np.zeros((1000, 1)), proba[:1000].argmax(1), proba[:1000], y[:1000]))
>>> history = SignalHistory(np.zeros((3000, 1)), proba.argmax(1), proba)
>>> times, values = signal.checks(0, 3000, history, window=1000, every=1000, baseline=0)
>>> times.tolist(), values.round(2).tolist()
([999, 1999, 2999], [0.73, 0.74, 0.73])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.cadence import Cadence

__all__ = ["ESTIMATED_METRICS", "EstimatedSignal", "realised_value"]

ESTIMATED_METRICS = ("accuracy", "precision", "recall", "f1", "roc_auc")


class EstimatedSignal:
    """The estimate behind an ``estimated:<metric>`` monitor.

    Parameters
    ----------
    metric
        One of :data:`ESTIMATED_METRICS`.
    estimator
        A :class:`~detectors.estimation.CBPE` or
        :class:`~detectors.estimation.ImportanceWeighting` (cloned at each fit);
        default ``CBPE(metrics=(metric,), average="macro")``.

    Examples
    --------
    >>> EstimatedSignal("f1").estimator.get_params()["average"]
    'macro'
    """

    def __init__(self, metric: str, estimator: Any = None) -> None:
        from detectors.estimation import CBPE

        if metric not in ESTIMATED_METRICS:
            raise ValueError(f"estimated metric must be one of {list(ESTIMATED_METRICS)}, "
                             f"got {metric!r}")
        self.metric = metric
        self.estimator = (CBPE(metrics=(metric,), average="macro") if estimator is None
                          else estimator)
        if metric not in self.estimator.get_params()["metrics"]:
            raise ValueError(f"the estimator does not estimate {metric!r}")
        self.records: list[dict[str, Any]] = []
        self._fitted: Any = None

    @property
    def uses_features(self) -> bool:
        """Whether the estimator reads features (importance weighting) or probabilities."""
        return type(self.estimator).__name__ == "ImportanceWeighting"

    def fit(self, reference: Any) -> None:
        """Refit on a new model's reference (needs its labels ``reference.y``)."""
        if reference.y is None:
            raise ValueError(f"estimated:{self.metric} needs the reference's labels")
        est = self.estimator.clone()
        if self.uses_features:
            est.fit(reference.X, reference.y, reference.proba)
        else:
            est.fit(reference.proba, reference.y)
        self._fitted = est

    def checks(self, start: int, stop: int, history: Any, *, window: int | str,
               every: int | str, baseline: int) -> tuple[np.ndarray, np.ndarray]:
        """Estimates at the check times in ``[start, stop)``: ``(times, values)``.

        Checks run at ``t`` with ``(t + 1) % every == 0`` on ``(t - window, t]``, and
        only once the window lies after ``baseline`` (the current model's deployment);
        see :class:`~simulator.cadence.Cadence` (a cadence in time needs one bound to
        the stream's timestamps: use :meth:`estimate_at` with its checks).
        """
        times, lows = Cadence(every, window).checks(start, stop, baseline)
        return times, self.estimate_at(times, lows, history)

    def estimate_at(self, times: np.ndarray, lows: np.ndarray, history: Any) -> np.ndarray:
        """One estimate per check: samples ``lows[i] .. times[i]`` of ``history``.

        Examples
        --------
        >>> signal = EstimatedSignal("accuracy")
        >>> signal.estimate_at(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), None)
        array([], dtype=float64)
        """
        values = np.empty(times.size)
        data = None if history is None else (history.X if self.uses_features else history.proba)
        for i, (t, lo) in enumerate(zip(times.tolist(), lows.tolist(), strict=True)):
            est = self._fitted.estimate(data[lo:t + 1], chunk_size=t + 1 - lo)
            values[i] = est.value[self.metric][0]
            self.records.append({
                "time": t, "start": lo, "stop": t + 1, "metric": self.metric,
                "estimate": float(values[i]), "lower": float(est.lower[self.metric][0]),
                "upper": float(est.upper[self.metric][0]),
            })
        return values

    def pop_records(self) -> list[dict[str, Any]]:
        """The checks made since the last call (oldest first), then forget them."""
        out, self.records = self.records, []
        return out


def realised_value(metric: str, y: np.ndarray, proba: np.ndarray, pred: np.ndarray) -> float:
    """The metric realised on labelled samples, computed as the estimate is (macro).

    Examples
    --------
    >>> proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    >>> realised_value("accuracy", np.array([0, 1, 1]), proba, proba.argmax(1))
    0.6666666666666666
    """
    from detectors.estimation import realised_performance

    return float(realised_performance(y, proba, pred, metrics=(metric,), average="macro")
                 [metric][0])
