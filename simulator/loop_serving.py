"""Serving: the champion (and, during an A/B trial, the challenger) predicts a segment.

A segment is short (a batch, or less where an event cuts it), so the server reads
the stream and asks the champion for probabilities *ahead*, over
:data:`READ_AHEAD` samples at once, and serves the following segments from that
until the champion changes. Only models whose rows do not depend on the other rows
of the call in exact arithmetic (:func:`~simulator.models.predicts_rowwise`) are
predicted ahead, and a segment of one sample is predicted alone (numpy's one-row
product takes another BLAS path). On narrow data (Iris, Wine) that gives the same
floats as predicting segment by segment. On wider data (Digits, Breast Cancer) the
BLAS matrix product rounds the last bit of some probabilities differently for a
different number of rows — as it did before between batch sizes, when each segment
was one call — so probabilities may differ by ~1e-16 across batch sizes there, and
predictions, alarms and events did not differ in the checks of
``tests/test_loop_fast_paths.py``. A config and seed always give the same results.

Examples
--------
>>> from simulator.datasets import load_dataset
>>> from simulator.stream import DriftStream
>>> stream = DriftStream(load_dataset("iris"), n_samples=100)
>>> Server(stream).prediction_drift
False
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.loop_deploy import Trial
from simulator.loop_state import RunState
from simulator.models import full_proba, predicts_rowwise
from simulator.stream import Batch, DriftStream, apply_prediction_drift

__all__ = ["READ_AHEAD", "Served", "Server"]

#: Samples read from the stream, and predicted by an unchanged champion, in one call.
#: Large enough that per-call overhead (input validation in scikit-learn, slicing
#: stream blocks) vanishes, small enough that a model replaced early wastes little.
READ_AHEAD = 16_384


class Served:
    """What serving ``[start, stop)`` produced."""

    __slots__ = ("proba", "version", "y")

    def __init__(self, proba: np.ndarray, y: np.ndarray, version: np.ndarray) -> None:
        self.proba, self.y, self.version = proba, y, version


def _rows(batch: Batch, start: int, stop: int) -> Batch:
    """Samples ``[start, stop)`` of ``batch`` (views, no copies)."""
    lo, hi = start - batch.start, stop - batch.start
    noise = None if batch.noise is None else batch.noise[lo:hi]
    time = None if batch.time is None else batch.time[lo:hi]
    return Batch(start, batch.X[lo:hi], batch.y[lo:hi], batch.truth[lo:hi], noise, time)


class _Ahead:
    """Stream samples read ahead, and one model version's probabilities for some."""

    __slots__ = ("proba", "proba_start", "proba_stop", "rows", "version")

    def __init__(self, rows: Batch) -> None:
        self.rows = rows
        self.version: int | None = None
        self.proba = np.empty((0, 0))
        self.proba_start = self.proba_stop = rows.start

    def read(self, start: int, stop: int) -> Batch | None:
        """Samples ``[start, stop)``, or None if not all of them were read."""
        if self.rows.start <= start and stop <= self.rows.stop:
            return _rows(self.rows, start, stop)
        return None

    def predicted(self, version: int, start: int, stop: int) -> np.ndarray | None:
        """``version``'s probabilities for ``[start, stop)``, or None if not computed."""
        if version != self.version or start < self.proba_start or stop > self.proba_stop:
            return None
        return self.proba[start - self.proba_start : stop - self.proba_start]


class Server:
    """Predicts segments of ``stream`` and records the served features and labels.

    Parameters
    ----------
    stream
        The finite stream served.
    predict_ahead
        Whether the champion may predict samples ahead of the segment (see the
        module's docstring); off when the served model learns between segments.
    rows
        The whole stream, if the caller has rendered it already (it is not read again).
    """

    def __init__(
        self, stream: DriftStream, predict_ahead: bool = True, rows: Batch | None = None
    ) -> None:
        self.stream = stream
        self.prediction_drift = any(d.kind == "prediction" for d in stream.drifts)
        self.predict_ahead = predict_ahead
        self._ahead = _Ahead(rows if rows is not None else stream.batch(0, 0))

    def _read(self, t: int, stop: int) -> Batch:
        """Samples ``[t, stop)``, from the read-ahead (refilled from ``t`` if short)."""
        batch = self._ahead.read(t, stop)
        if batch is None:
            self._ahead = _Ahead(self.stream.batch(t, self._horizon(t, stop)))
            batch = self._ahead.read(t, stop)
            assert batch is not None
        return batch

    def _horizon(self, t: int, stop: int) -> int:
        """Where a read or prediction ahead from ``t`` for ``[t, stop)`` ends."""
        return min(max(stop, t + READ_AHEAD), int(self.stream.n_samples))

    def _champion_proba(self, champion: Any, X: np.ndarray, k: int, t: int, stop: int
                        ) -> np.ndarray:
        """The champion's probabilities for ``[t, stop)`` (a fresh array).

        Kept by registry version, not model object: a registry may hand out a fresh
        copy of the same fitted model on every look-up.
        """
        model = champion.model
        if not (self.predict_ahead and stop - t >= 2 and predicts_rowwise(model)):
            return full_proba(model, X, k, first_sample=t)
        ahead = self._ahead
        proba = ahead.predicted(champion.version, t, stop)
        if proba is None:
            # a new champion, or past what was predicted: predict ahead from here
            end = min(self._horizon(t, stop), ahead.rows.stop)
            rows = ahead.read(t, end)
            assert rows is not None  # _read covered [t, stop) and the horizon is capped
            ahead.proba = full_proba(model, rows.X, k, first_sample=t)
            ahead.version, ahead.proba_start, ahead.proba_stop = champion.version, t, end
            proba = ahead.predicted(champion.version, t, stop)
            assert proba is not None
        return proba.copy()

    def _ab_split(
        self, state: RunState, trial: Trial | None, t: int, stop: int, X: np.ndarray,
        proba: np.ndarray, version: np.ndarray,
    ) -> None:
        """Route the A/B trial's share of ``[t, stop)`` to the challenger (in place)."""
        if trial is None or trial.mode != "ab" or t >= trial.stop:
            return
        chosen = (state.labels.ab_u[t:stop] < state.config.deployment.ab_fraction) & (
            np.arange(t, stop) < trial.stop
        )
        if chosen.any():
            challenger = state.registry.get(trial.version)
            proba[chosen] = full_proba(challenger.model, X[chosen], state.k)
            version[chosen] = challenger.version

    def serve(self, state: RunState, trial: Trial | None, t: int, stop: int) -> Served:
        """Serve ``[t, stop)``; store its features and labels in ``state``."""
        batch = self._read(t, stop)
        champion: Any = state.registry.get("champion")
        proba = self._champion_proba(champion, batch.X, state.k, t, stop)
        version = np.full(stop - t, champion.version, dtype=np.int32)
        self._ab_split(state, trial, t, stop, batch.X, proba, version)
        if self.prediction_drift:
            proba = apply_prediction_drift(proba, batch.truth, self.stream.drifts, batch.noise)
        state.X[t:stop] = batch.X
        state.y[t:stop] = batch.y
        return Served(proba, batch.y, version)
