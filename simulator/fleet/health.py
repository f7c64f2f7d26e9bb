r"""A model's health score in [0, 100], from the signals a fleet owner has.

For model :math:`i` at tick :math:`t`:

.. math::

    H = 100\,(w_A A + w_D D + w_Q Q + w_S S), \qquad w_A + w_D + w_Q + w_S = 1

* **Accuracy vs SLA** :math:`A = \mathrm{clip}\big((\hat a - s + m) / m, 0, 1\big)`:
  :math:`\hat a` is the last *measured* accuracy (labels arrive late; before any
  arrive, the accuracy the model was validated with), :math:`s` its SLA and
  :math:`m` the ``sla_margin``: 1 at or above the SLA, 0 at ``sla_margin`` below it.
* **Drift alarms** :math:`D = 2^{-k}`, :math:`k` the detector's alarms in the last
  ``alarm_window`` ticks.
* **Data quality** :math:`Q = 1 - \min(1, q / q_{\max})`, :math:`q` the worst
  feature's share of out-of-range or repeated values this tick.
* **Staleness** :math:`S = \max(0, 1 - \text{age} / \text{stale\_ticks})`, age in ticks
  since the serving model was deployed.

Default weights: 0.5, 0.2, 0.15, 0.15. The score uses no ground truth: it is what a
dashboard would show, and the fleet metrics show how far it is from the truth.

Examples
--------
>>> import numpy as np
>>> ones = np.ones((1, 3))
>>> health_scores(np.array([[0.95, 0.90, 0.80]]), 0.9 * ones, np.zeros((1, 3), bool),
...               np.zeros((1, 3)), np.zeros((1, 3))).round(1).tolist()
[[100.0, 100.0, 50.0]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from driftsim.validation import check_in_range, check_int

__all__ = ["HealthWeights", "forward_fill", "health_scores"]


@dataclass(frozen=True)
class HealthWeights:
    """Weights and scales of the health score (module docstring has the formula).

    Examples
    --------
    >>> HealthWeights(accuracy=0.9)
    Traceback (most recent call last):
    ...
    ValueError: health weights must sum to 1, got 1.4
    """

    accuracy: float = 0.5
    alarms: float = 0.2
    quality: float = 0.15
    staleness: float = 0.15
    sla_margin: float = 0.10
    alarm_window: int = 3
    quality_max: float = 0.10
    stale_ticks: int = 60

    def __post_init__(self) -> None:
        parts = (self.accuracy, self.alarms, self.quality, self.staleness)
        for name, w in zip(("accuracy", "alarms", "quality", "staleness"), parts, strict=True):
            check_in_range(name, w, low=0.0, high=1.0)
        if abs(sum(parts) - 1.0) > 1e-9:
            raise ValueError(f"health weights must sum to 1, got {round(sum(parts), 6)}")
        check_in_range("sla_margin", self.sla_margin, low=0.0, low_inclusive=False)
        check_int("alarm_window", self.alarm_window, low=1)
        check_in_range("quality_max", self.quality_max, low=0.0, low_inclusive=False)
        check_int("stale_ticks", self.stale_ticks, low=1)


def forward_fill(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Replace each nan along axis 1 by the last non-nan before it (``first`` before any).

    Examples
    --------
    >>> forward_fill(np.array([[np.nan, 0.5, np.nan, 0.7]]), np.array([0.9])).tolist()
    [[0.9, 0.5, 0.5, 0.7]]
    """
    n, m = values.shape
    have = ~np.isnan(values)
    idx = np.where(have, np.arange(m), -1)
    np.maximum.accumulate(idx, axis=1, out=idx)
    out = values[np.arange(n)[:, None], np.maximum(idx, 0)]
    return np.where(idx >= 0, out, np.asarray(first, dtype=float)[:, None])


def health_scores(
    accuracy: np.ndarray,
    sla: np.ndarray,
    alarms: np.ndarray,
    quality: np.ndarray,
    age: np.ndarray,
    weights: HealthWeights | None = None,
) -> np.ndarray:
    """Health scores (models × ticks) from arrays of the same shape.

    Parameters
    ----------
    accuracy
        Measured accuracy known at each tick (forward-filled; see :func:`forward_fill`).
    sla
        Each model's SLA (broadcast along ticks).
    alarms
        Whether the drift detector fired at each tick.
    quality
        Data-quality share at each tick.
    age
        Ticks since the serving model was deployed.
    weights
        The :class:`HealthWeights`.

    Examples
    --------
    >>> z = np.zeros((1, 4))
    >>> health_scores(np.ones((1, 4)), z, np.array([[0, 1, 0, 0]], bool), z, z).tolist()
    [[100.0, 90.0, 90.0, 90.0]]
    """
    w = weights if weights is not None else HealthWeights()
    a = np.clip((accuracy - sla + w.sla_margin) / w.sla_margin, 0.0, 1.0)
    counts = np.cumsum(alarms, axis=1, dtype=np.int64)
    shifted = np.zeros_like(counts)
    shifted[:, w.alarm_window:] = counts[:, :-w.alarm_window]
    d = 0.5 ** (counts - shifted)
    q = 1.0 - np.minimum(1.0, quality / w.quality_max)
    s = np.maximum(0.0, 1.0 - age / w.stale_ticks)
    return 100.0 * (w.accuracy * a + w.alarms * d + w.quality * q + w.staleness * s)
