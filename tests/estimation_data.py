"""Served data from a shipped drift scenario, split the way a label-free monitor sees it.

A model is trained on the stream's first ``n_train`` samples, its probabilities on the
next ``n_reference`` (labelled, pre-drift) are the reference, and everything after is
the analysis period. Shared by the estimation tests and benchmarks.

Examples
--------
>>> d = served_scenario("subpopulation", n_samples=3000)
>>> d["proba_ref"].shape, d["proba"].shape, int(d["onset"])
((1000, 3), (1000, 3), 2000)
"""

from __future__ import annotations

import numpy as np

from simulator.datasets import load_dataset
from simulator.demo import load_scenario
from simulator.models import default_model, full_proba
from simulator.stream import DriftStream

__all__ = ["served_scenario"]


def served_scenario(
    scenario: str,
    dataset: str = "iris",
    *,
    n_samples: int = 8000,
    n_train: int = 1000,
    n_reference: int = 1000,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Arrays ``X_ref, y_ref, proba_ref, X, y, proba`` (+ ``onset`` of the first drift)."""
    stream = DriftStream(load_dataset(dataset), load_scenario(scenario), n_samples, seed=seed)
    batch = stream.batch(0, n_samples)
    model = default_model().fit(batch.X[:n_train], batch.y[:n_train])
    proba = full_proba(model, batch.X, stream.n_classes)
    ref = slice(n_train, n_train + n_reference)
    rest = slice(n_train + n_reference, n_samples)
    onset = stream.events[0].onset if stream.events else n_samples
    return {
        "X_ref": batch.X[ref], "y_ref": batch.y[ref], "proba_ref": proba[ref],
        "X": batch.X[rest], "y": batch.y[rest], "proba": proba[rest],
        "onset": np.int64(onset),
    }
