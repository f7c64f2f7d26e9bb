"""Serving: the champion (and, during an A/B trial, the challenger) predicts a segment.

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
from simulator.models import full_proba
from simulator.stream import DriftStream, apply_prediction_drift

__all__ = ["Served", "Server"]


class Served:
    """What serving ``[start, stop)`` produced."""

    __slots__ = ("proba", "version", "y")

    def __init__(self, proba: np.ndarray, y: np.ndarray, version: np.ndarray) -> None:
        self.proba, self.y, self.version = proba, y, version


class Server:
    """Predicts segments of ``stream`` and records the served features and labels."""

    def __init__(self, stream: DriftStream) -> None:
        self.stream = stream
        self.prediction_drift = any(d.kind == "prediction" for d in stream.drifts)

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
        batch = self.stream.batch(t, stop)
        champion: Any = state.registry.get("champion")
        proba = full_proba(champion.model, batch.X, state.k, first_sample=t)
        version = np.full(stop - t, champion.version, dtype=np.int32)
        self._ab_split(state, trial, t, stop, batch.X, proba, version)
        if self.prediction_drift:
            proba = apply_prediction_drift(proba, batch.truth, self.stream.drifts, batch.noise)
        state.X[t:stop] = batch.X
        state.y[t:stop] = batch.y
        return Served(proba, batch.y, version)
