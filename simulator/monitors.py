"""Monitors: a detector bound to a signal and a cadence.

A :class:`Monitor` turns what the deployment loop records into the input its
detector expects, and the detector's output into :class:`~simulator.alerts.Alert`
records stamped with the sample index at which they fired.

Signals
-------
``error``, ``correct``, ``loss``
    Label-based: the 0/1 error, its complement (1 = right: what FHDDM watches, as
    river's does) and the log loss of each served prediction. They only
    reach the monitor when the label is revealed (after the label delay), in reveal
    order, and alerts carry the reveal time. Streaming detectors only.
``metric:<name>``
    An SLA rule (:class:`SLARule`) over revealed labels, e.g. "F1 below 0.85 on 3
    consecutive checks of 200 labelled samples"; ``<name>`` is the rule's metric.
``feature:<name>``
    One input feature as served, seen at once.
``features``
    All input features: a multivariate (or per-feature, corrected) window test.
``prediction``
    The predicted class code.
``proba``
    The served class probabilities (window tests); ``proba:<class>`` one class's
    probability (any detector).
``confidence``
    The largest served probability.
``estimated:<metric>``
    A label-free estimate of ``accuracy``, ``precision``, ``recall``, ``f1`` or
    ``roc_auc`` (CBPE by default; :mod:`simulator.estimated`), one value per check of
    ``window`` samples, fed to a streaming detector or an :class:`SLARule`.

Cadence
-------
Streaming detectors see every value, so their alerts have sample resolution.
Window tests run every ``every`` samples (default: ``window``) on the last ``window``
samples, at fixed sample indices — neither depends on the loop's batch size. On a
stream with timestamps (a replayed log) either may be a duration instead: ``every="1d"``
checks at the last sample of each day, ``window="7d"`` tests the samples of the last
seven days (:class:`~simulator.cadence.Cadence`). A window test on ``prediction``,
``proba`` or ``confidence`` only uses samples served since the model was deployed,
since the old model's outputs say nothing about the new one.

Examples
--------
>>> from detectors import PageHinkley
>>> m = Monitor("feature:x1", PageHinkley(threshold=5.0)).bind(["x0", "x1"], ["a", "b"])
>>> m.name, m.needs_labels
('feature:x1/PageHinkley', False)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from detectors.base import family
from driftsim.params import ParamsMixin
from driftsim.validation import check_choice, check_in_range, check_int
from simulator.alerts import Alert
from simulator.cadence import Cadence
from simulator.estimated import EstimatedSignal

__all__ = ["Monitor", "Reference", "SLARule", "SignalHistory"]

_LABEL_SIGNALS = ("error", "correct", "loss")
_DATA_SIGNALS = ("features", "prediction", "proba", "confidence")
_MODEL_OUTPUT_SIGNALS = ("prediction", "proba", "confidence")
_METRICS = ("accuracy", "f1", "precision", "recall", "balanced_accuracy")
_ALLOWED_SIGNALS = (
    "error, correct, loss, features, prediction, proba, confidence, "
    "feature:<name>, proba:<class>, metric:<name>, estimated:<metric>"
)


@dataclass(frozen=True)
class Reference:
    """A model's training data and its outputs on them: what monitors re-baseline on.

    Attributes
    ----------
    X
        Training features (n×d).
    prediction
        The model's predicted class codes on ``X``.
    proba
        The model's class probabilities on ``X`` (n×k).
    y
        The labels of ``X`` (what ``estimated:`` signals calibrate on), or None.
    """

    X: np.ndarray
    prediction: np.ndarray
    proba: np.ndarray
    y: np.ndarray | None = None


@dataclass(frozen=True)
class SignalHistory:
    """The loop's served arrays, up to the current time (views, not copies).

    Attributes
    ----------
    X, prediction, proba
        Per served sample, from time 0.
    """

    X: np.ndarray
    prediction: np.ndarray
    proba: np.ndarray


class SLARule(ParamsMixin):
    """An SLA rule on a labelled metric: fires on the ``consecutive``-th consecutive
    failing check.

    Revealed labels are cut into consecutive, non-overlapping checks of ``check_size``
    samples; a check fails when its metric is below ``threshold``. After firing the
    count restarts, so a lasting breach fires again every ``consecutive`` checks.

    It is a monitor *rule*, not a detector: it reads ``(y_true, y_pred)`` pairs (or
    metric values), not one value of a signal per sample, so it has no ``update(x)``,
    satisfies neither detector protocol (:func:`detectors.base.family` is ``None``),
    is not exported by :mod:`detectors`, and the conformance suite does not apply to it.
    :class:`Monitor` runs it as its own kind, ``"rule"``.

    Parameters
    ----------
    metric
        ``"accuracy"``, ``"f1"``, ``"precision"``, ``"recall"`` (macro averages over
        the classes present) or ``"balanced_accuracy"``.
    threshold
        The SLA level.
    consecutive
        Failing checks in a row that break the SLA.
    check_size
        Labelled samples per check.

    Examples
    --------
    >>> import numpy as np
    >>> rule = SLARule("accuracy", threshold=0.85, consecutive=3, check_size=10)
    >>> y = np.zeros(50, dtype=int)
    >>> pred = y.copy(); pred[10:50:3] = 1          # checks 2..5 have accuracy < 0.85
    >>> rule.update_many(y, pred)
    array([39])
    >>> rule.last_value
    0.7
    """

    binary = False
    has_warning = False

    def __init__(
        self,
        metric: str = "f1",
        threshold: float = 0.85,
        consecutive: int = 3,
        check_size: int = 200,
    ) -> None:
        self.metric = check_choice("metric", metric, _METRICS)
        self.threshold = check_in_range("threshold", threshold, low=0.0, high=1.0)
        self.consecutive = check_int("consecutive", consecutive, low=1)
        self.check_size = check_int("check_size", check_size, low=1)
        self.reset()

    def reset(self) -> None:
        """Forget all checks."""
        self._true = np.empty(0, dtype=np.int64)
        self._pred = np.empty(0, dtype=np.int64)
        self._failing = 0
        self._drift_detected = False
        self.last_value = float("nan")

    @property
    def drift_detected(self) -> bool:
        """Whether the last update broke the SLA."""
        return self._drift_detected

    def _score(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        from sklearn import metrics

        if self.metric == "accuracy":
            return float(np.mean(y_true == y_pred))
        if self.metric == "balanced_accuracy":
            return float(metrics.balanced_accuracy_score(y_true, y_pred))
        scorer = {
            "f1": metrics.f1_score,
            "precision": metrics.precision_score,
            "recall": metrics.recall_score,
        }[self.metric]
        return float(scorer(y_true, y_pred, average="macro", zero_division=0))

    def update_many(self, y_true: Any, y_pred: Any) -> np.ndarray:
        """Feed revealed (label, prediction) pairs; return indices where the rule fired.

        An index points at the pair that completed the breaking check.
        """
        y_true = np.asarray(y_true, dtype=np.int64)
        y_pred = np.asarray(y_pred, dtype=np.int64)
        if y_true.shape != y_pred.shape or y_true.ndim != 1:
            raise ValueError(
                f"y_true and y_pred must be 1-d of equal length, got {y_true.shape} "
                f"and {y_pred.shape}"
            )
        carried = self._true.size
        true = np.concatenate([self._true, y_true])
        pred = np.concatenate([self._pred, y_pred])
        n_checks = true.size // self.check_size
        scores = np.array([
            self._score(true[c * self.check_size:(c + 1) * self.check_size],
                        pred[c * self.check_size:(c + 1) * self.check_size])
            for c in range(n_checks)
        ])
        checks = self.update_values(scores)
        used = n_checks * self.check_size
        self._true, self._pred = true[used:], pred[used:]
        out = (checks + 1) * self.check_size - 1 - carried
        self._drift_detected = bool(out.size) and int(out[-1]) == y_true.size - 1
        return out

    def update_values(self, values: Any) -> np.ndarray:
        """Feed already computed check values (e.g. label-free estimates); return the
        indices of the checks where the rule fired.

        Examples
        --------
        >>> rule = SLARule("f1", threshold=0.85, consecutive=2)
        >>> rule.update_values([0.9, 0.8, 0.84, 0.83, 0.95])
        array([2])
        """
        fired: list[int] = []
        self._drift_detected = False
        for c, value in enumerate(np.asarray(values, dtype=np.float64).ravel()):
            self.last_value = float(value)
            self._failing = self._failing + 1 if self.last_value < self.threshold else 0
            if self._failing >= self.consecutive:
                fired.append(c)
                self._failing = 0
        out = np.asarray(fired, dtype=np.int64)
        self._drift_detected = bool(out.size) and int(out[-1]) == np.size(values) - 1
        return out


def _severity(result: Any, detector: Any) -> float:
    """Map a window test's result onto [0, 1]: how far past its threshold it is."""
    if result.p_value is not None:
        alpha = float(getattr(detector, "alpha", result.threshold or 0.05))
        return float(np.clip(1.0 - result.p_value / alpha, 0.0, 1.0)) if alpha > 0 else 1.0
    if result.threshold:
        return float(np.clip(result.statistic / result.threshold - 1.0, 0.0, 1.0))
    return 1.0


class Monitor:
    """A detector bound to a signal and a cadence.

    Parameters
    ----------
    signal
        What to watch (see the module docstring for the list).
    detector
        A streaming detector (``update_many``), a window test (``fit``/``test``), or
        an :class:`SLARule` for ``metric:`` and ``estimated:`` signals.
    every
        Window tests and ``estimated:`` signals: samples between checks (default
        ``window``), or a duration such as ``"1d"`` on a stream with timestamps.
    window
        Window tests and ``estimated:`` signals: samples per check (default 500; an
        SLA rule on an estimate: the rule's ``check_size``), or a duration such as
        ``"7d"`` on a stream with timestamps.
    name
        Unique name in a run (default ``"<signal>/<detector class>"``).
    estimator
        ``estimated:`` signals: the estimator (default: macro-averaged CBPE); see
        :class:`~simulator.estimated.EstimatedSignal`.

    Examples
    --------
    >>> from detectors import PageHinkley
    >>> Monitor("loss", PageHinkley()).needs_labels
    True
    >>> Monitor("temperature", PageHinkley())
    Traceback (most recent call last):
    ...
    ValueError: signal must be one of error, correct, loss, ...; got 'temperature'
    >>> sla = Monitor("estimated:f1", SLARule("f1", 0.85, consecutive=3, check_size=200))
    >>> sla.needs_labels, sla.window
    (False, 200)
    >>> from detectors.window import KS
    >>> Monitor("features", KS(), every="1d", window="7d").cadence
    Cadence(every='1d', window='7d')
    >>> Monitor("error", PageHinkley(), every="1d")
    Traceback (most recent call last):
    ...
    ValueError: every='1d' is a duration: it sets when a window test or an estimated: ...
    """

    def __init__(
        self,
        signal: str,
        detector: Any,
        *,
        every: int | str | None = None,
        window: int | str | None = None,
        name: str | None = None,
        estimator: Any = None,
    ) -> None:
        base, _, arg = str(signal).partition(":")
        if not (
            (base in _LABEL_SIGNALS + _DATA_SIGNALS and not arg)
            or (base in ("feature", "metric", "estimated") and arg)
            or (base == "proba" and arg)
        ):
            raise ValueError(f"signal must be one of {_ALLOWED_SIGNALS}; got {signal!r}")
        self.signal = str(signal)
        self.detector = detector
        self._base, self._arg = base, arg
        self.kind = self._detector_kind(detector)
        if base == "metric":
            if self.kind != "rule":
                raise ValueError(
                    f"signal {signal!r} needs an SLARule detector, got {type(detector).__name__}"
                )
            if arg != detector.metric:
                raise ValueError(f"signal {signal!r} names metric {arg!r}, but the rule "
                                 f"computes {detector.metric!r}")
        elif base == "estimated":
            self._check_estimated(signal, arg, detector)
        elif self.kind == "rule":
            raise ValueError(f"an SLARule watches a metric: or estimated: signal; got signal "
                             f"{signal!r}")
        if base in _LABEL_SIGNALS and self.kind != "streaming":
            raise ValueError(f"signal {signal!r} takes a streaming detector (update_many)")
        if base in ("features", "proba") and not arg and self.kind != "window":
            raise ValueError(f"signal {signal!r} is multivariate: it takes a window test")
        if window is None:
            window = detector.check_size if base == "estimated" and self.kind == "rule" else 500
        self.cadence = Cadence(every, window)
        self.window, self.every = self.cadence.window, self.cadence.every
        self.estimated = EstimatedSignal(arg, estimator) if base == "estimated" else None
        if self.cadence.timed and self.kind != "window" and base != "estimated":
            what = "every" if isinstance(self.every, str) else "window"
            raise ValueError(
                f"{what}={getattr(self, what)!r} is a duration: it sets when a window test "
                f"or an estimated: signal checks, but signal {signal!r} with "
                f"{type(detector).__name__} sees every value; drop it"
            )
        self.name = name or f"{signal}/{type(detector).__name__}"
        self._column: int | None = None
        self._baseline_time = 0
        self._in_warning = False

    def _check_estimated(self, signal: str, metric: str, detector: Any) -> None:
        if self.kind == "window":
            raise ValueError(f"signal {signal!r} gives one value per check: it takes a "
                             "streaming detector or an SLARule, not a window test")
        if self.kind == "rule" and metric != detector.metric:
            raise ValueError(f"signal {signal!r} names metric {metric!r}, but the rule "
                             f"computes {detector.metric!r}")

    @staticmethod
    def _detector_kind(detector: Any) -> str:
        if isinstance(detector, SLARule):
            return "rule"
        kind = family(detector)
        if kind is None:
            raise ValueError(
                f"detector must be a streaming detector (update, update_many, reset, clone, "
                f"get_params, drift_detected), a window test (fit, test, clone, get_params) "
                f"or an SLARule; got {type(detector).__name__}"
            )
        return kind

    def __repr__(self) -> str:
        return f"Monitor({self.signal!r}, {self.detector!r}, name={self.name!r})"

    @property
    def needs_labels(self) -> bool:
        """Whether the signal waits for revealed labels."""
        return self._base in _LABEL_SIGNALS or self._base == "metric"

    @property
    def detector_name(self) -> str:
        return type(self.detector).__name__

    def bind(
        self, feature_names: Sequence[str], class_names: Sequence[str],
        time: np.ndarray | None = None,
    ) -> Monitor:
        """Resolve feature and class names against the run's dataset, and a cadence in
        time against the stream's timestamps ``time`` (None: it has none); returns
        ``self``."""
        self.cadence.bind(time, name=self.name)
        if self._base == "feature":
            self._column = self._resolve(self._arg, feature_names, "feature")
        elif self._base == "proba" and self._arg:
            self._column = self._resolve(self._arg, class_names, "class")
        return self

    @staticmethod
    def _resolve(arg: str, names: Sequence[str], what: str) -> int:
        names = [str(n) for n in names]
        if arg in names:
            return names.index(arg)
        if arg.isdigit() and int(arg) < len(names):
            return int(arg)
        raise ValueError(f"unknown {what} {arg!r}; allowed: {names} or an index")

    # --- signals ------------------------------------------------------------------
    def _data_signal(self, X: np.ndarray, prediction: np.ndarray, proba: np.ndarray) -> np.ndarray:
        base = self._base
        if base == "feature":
            return X[:, self._column]
        if base == "features":
            return X
        if base == "prediction":
            return prediction.astype(np.float64)
        if base == "confidence":
            return proba.max(axis=1)
        if self._arg:  # proba:<class>
            return proba[:, self._column]
        return proba

    # --- lifecycle ----------------------------------------------------------------
    def rebaseline(self, reference: Reference, time: int) -> None:
        """A new model is deployed at ``time``: restart on its training data."""
        self._baseline_time = int(time)
        self._in_warning = False
        if self.estimated is not None:
            self.estimated.fit(reference)
        if self.kind == "window":
            self.detector.fit(
                self._data_signal(reference.X, reference.prediction, reference.proba)
            )
        else:
            self.detector.reset()

    def observe_data(self, start: int, stop: int, history: SignalHistory) -> list[Alert]:
        """Feed the samples served in ``[start, stop)``; return alerts stamped in it."""
        if self.needs_labels or stop <= start:
            return []
        if self.estimated is not None:
            return self._estimated_alerts(start, stop, history)
        if self.kind == "streaming":
            values = self._data_signal(
                history.X[start:stop], history.prediction[start:stop], history.proba[start:stop]
            )
            return self._streaming_alerts(values, np.arange(start, stop, dtype=np.int64))
        return self._window_alerts(start, stop, history)

    def observe_labels(
        self,
        times: np.ndarray,
        y_true: np.ndarray,
        y_pred: np.ndarray,
        p_true: np.ndarray,
        *,
        samples: np.ndarray | None = None,
    ) -> list[Alert]:
        """Feed labels revealed at ``times`` (sorted) for served predictions ``y_pred``
        with probability ``p_true`` on the true class.

        ``samples`` are the indices of the labelled samples; labels of samples served
        before the last re-baseline are dropped, since they judge the previous model
        (a late label of the old model would otherwise read as a change of the new
        one).
        """
        if not self.needs_labels or times.size == 0:
            return []
        if samples is not None:
            keep = samples >= self._baseline_time
            if not keep.all():
                times, y_true = times[keep], y_true[keep]
                y_pred, p_true = y_pred[keep], p_true[keep]
            if times.size == 0:
                return []
        if self.kind == "rule":
            fired = self.detector.update_many(y_true, y_pred)
            return [
                Alert(int(times[i]), self.name, self.detector_name, self.signal,
                      self.detector.last_value, 1.0,
                      details={"threshold": self.detector.threshold})
                for i in fired
            ]
        if self._base == "error":
            values = (y_true != y_pred).astype(np.float64)
        elif self._base == "correct":
            values = (y_true == y_pred).astype(np.float64)
        else:
            values = -np.log(np.clip(p_true, 1e-15, 1.0))
        return self._streaming_alerts(values, times)

    def _streaming_alerts(self, values: np.ndarray, times: np.ndarray) -> list[Alert]:
        if getattr(self.detector, "has_warning", False):
            drifts, warns = self.detector.update_many(values, warnings=True)
        else:
            drifts, warns = self.detector.update_many(values), np.empty(0, dtype=np.int64)
        alerts = [
            Alert(int(times[i]), self.name, self.detector_name, self.signal, None, 1.0)
            for i in drifts
        ]
        if warns.size:
            # One warning alert per entry into the warning zone, not one per sample.
            previous = np.r_[-2, warns[:-1]]
            starts = warns[warns != previous + 1]
            if self._in_warning and starts.size and starts[0] == 0:
                starts = starts[1:]
            alerts += [
                Alert(int(times[i]), self.name, self.detector_name, self.signal, None, 0.5,
                      kind="warning")
                for i in starts
            ]
            alerts.sort(key=lambda a: a.time)
        n = values.size
        self._in_warning = bool(warns.size) and int(warns[-1]) == n - 1
        return alerts

    def _estimated_alerts(self, start: int, stop: int, history: SignalHistory) -> list[Alert]:
        assert self.estimated is not None
        times, lows = self.cadence.checks(start, stop, self._baseline_time)
        values = self.estimated.estimate_at(times, lows, history)
        if self.kind == "streaming":
            return self._streaming_alerts(values, times)
        return [
            Alert(int(times[i]), self.name, self.detector_name, self.signal,
                  float(values[i]), 1.0,
                  details={"threshold": self.detector.threshold, "estimated": True})
            for i in self.detector.update_values(values)
        ]

    def _window_alerts(self, start: int, stop: int, history: SignalHistory) -> list[Alert]:
        # The cadence's checks in [start, stop): each tests samples lo .. t.
        origin = self._baseline_time if self._base in _MODEL_OUTPUT_SIGNALS else 0
        checks, lows = self.cadence.checks(start, stop, origin)
        alerts = []
        for t, lo in zip(checks.tolist(), lows.tolist(), strict=True):
            data = self._data_signal(
                history.X[lo : t + 1], history.prediction[lo : t + 1], history.proba[lo : t + 1]
            )
            result = self.detector.test(data)
            if result.drift:
                details: dict[str, Any] = {"p_value": result.p_value, "window": self.window}
                if isinstance(self.window, str):  # a duration: say how many samples it held
                    details["samples"] = t + 1 - lo
                if getattr(result, "per_segment", None) is not None:
                    # a per-segment test says which segments drifted
                    details["segments"] = list(result.per_segment.drifted)
                alerts.append(
                    Alert(t, self.name, self.detector_name, self.signal,
                          float(result.statistic), _severity(result, self.detector),
                          details=details)
                )
        return alerts
