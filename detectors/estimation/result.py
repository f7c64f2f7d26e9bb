"""What a performance estimator returns: per-chunk estimates with their bands."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Estimate"]


@dataclass(frozen=True)
class Estimate:
    """Per-chunk estimates of one or more metrics, each with a band.

    Attributes
    ----------
    method
        Which estimator produced it (``"CBPE"``, ``"ImportanceWeighting"``).
    starts, stops
        Sample range ``[start, stop)`` of each chunk (positions in the estimated array).
    value
        Metric name → estimated value per chunk.
    lower, upper
        Metric name → band edges per chunk: where the *realised* metric of the chunk is
        expected to fall (``band_sigmas`` standard errors, derived from the reference).

    Examples
    --------
    >>> import numpy as np
    >>> e = Estimate("CBPE", np.array([0]), np.array([10]), {"accuracy": np.array([0.9])},
    ...              {"accuracy": np.array([0.8])}, {"accuracy": np.array([1.0])})
    >>> e.covers({"accuracy": np.array([0.85])})
    {'accuracy': array([ True])}
    >>> e.to_frame().columns.tolist()
    ['start', 'stop', 'metric', 'estimate', 'lower', 'upper']
    """

    method: str
    starts: np.ndarray
    stops: np.ndarray
    value: dict[str, np.ndarray]
    lower: dict[str, np.ndarray]
    upper: dict[str, np.ndarray]
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def metrics(self) -> tuple[str, ...]:
        """The estimated metrics, in the order asked for."""
        return tuple(self.value)

    def covers(self, realised: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Per metric and chunk: whether the realised value lies inside the band."""
        return {
            m: (self.lower[m] <= realised[m]) & (realised[m] <= self.upper[m])
            for m in self.metrics
        }

    def to_frame(self, realised: dict[str, np.ndarray] | None = None) -> Any:
        """A long pandas table: one row per chunk and metric (plus ``realised``)."""
        import pandas as pd

        frames = []
        for m in self.metrics:
            cols = {"start": self.starts, "stop": self.stops, "metric": m,
                    "estimate": self.value[m], "lower": self.lower[m], "upper": self.upper[m]}
            if realised is not None:
                cols["realised"] = realised[m]
            frames.append(pd.DataFrame(cols))
        return pd.concat(frames, ignore_index=True)
