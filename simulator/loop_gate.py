"""The validation gate: does a trained candidate beat the champion on recent labels?

Examples
--------
>>> import numpy as np
>>> y = np.array([0, 1, 1])
>>> proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
>>> round(gate_metric("accuracy", y, proba), 3), round(gate_metric("log_loss", y, proba), 3)
(0.667, -0.415)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.loop_config import GateConfig
from simulator.models import full_proba

__all__ = ["GateVerdict", "gate_metric", "judge"]


def gate_metric(name: str, y: np.ndarray, proba: np.ndarray) -> float:
    """Gate metric, oriented so that larger is better (``log_loss`` is negated)."""
    if name == "accuracy":
        return float(np.mean(proba.argmax(axis=1) == y))
    if name == "f1":
        from sklearn.metrics import f1_score

        return float(f1_score(y, proba.argmax(axis=1), average="macro", zero_division=0))
    p = np.clip(proba[np.arange(y.size), y], 1e-15, 1.0)
    return float(np.mean(np.log(p)))  # negative log loss


@dataclass(frozen=True)
class GateVerdict:
    """The gate's scores of one candidate (``nan`` when nothing was held out)."""

    passed: bool
    candidate: float
    champion: float
    accuracy: float

    @property
    def metrics(self) -> dict[str, float]:
        return {} if math.isnan(self.candidate) else {"candidate": self.candidate}


def judge(
    gate: GateConfig, candidate: Any, champion: Any, X: np.ndarray, y: np.ndarray, k: int
) -> GateVerdict:
    """Score ``candidate`` and ``champion`` on the held-out ``(X, y)``.

    The candidate passes when its metric beats the champion's by more than the
    margin; with nothing held out (gate disabled) it passes unscored.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> X, y = np.zeros((4, 1)), np.array([1, 1, 1, 0])
    >>> good = DummyClassifier(strategy="most_frequent").fit(X, y)
    >>> bad = DummyClassifier(strategy="constant", constant=0).fit(X, y)
    >>> judge(GateConfig(), good, bad, X, y, 2).passed
    True
    """
    if not y.size:
        return GateVerdict(True, float("nan"), float("nan"), float("nan"))
    proba = full_proba(candidate, X, k)
    new = gate_metric(gate.metric, y, proba)
    old = gate_metric(gate.metric, y, full_proba(champion, X, k))
    return GateVerdict(new > old + gate.margin, new, old, gate_metric("accuracy", y, proba))
