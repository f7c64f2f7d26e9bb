"""Input checks and chunked evaluation shared by the estimators."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from detectors.estimation._metrics import (
    AVERAGES,
    METRICS,
    chunk_bounds,
    chunk_metrics,
    resolve_average,
)
from driftsim.validation import check_choice, check_finite_array

__all__ = ["check_labels", "check_metrics", "check_proba", "evaluate", "realised_performance"]


def check_metrics(metrics: Any) -> tuple[str, ...]:
    """A non-empty sequence of names from :data:`METRICS`, as a tuple."""
    names = (metrics,) if isinstance(metrics, str) else tuple(metrics)
    if not names:
        raise ValueError(f"metrics must name at least one of {list(METRICS)}")
    for m in names:
        check_choice("metric", m, METRICS)
    return names


def check_proba(name: str, proba: Any, n_classes: int | None = None) -> np.ndarray:
    """An ``(n, k)`` array of finite probabilities with ``k >= 2`` (and ``k == n_classes``)."""
    arr = check_finite_array(name, proba, ndim=2)
    if arr.shape[1] < 2:
        raise ValueError(f"{name} needs one column per class (at least 2), got {arr.shape}")
    if n_classes is not None and arr.shape[1] != n_classes:
        raise ValueError(f"{name} has {arr.shape[1]} classes; the reference had {n_classes}")
    if arr.min() < 0.0 or arr.max() > 1.0:
        raise ValueError(f"{name} must hold probabilities in [0, 1]")
    return arr


def check_labels(name: str, y: Any, n: int, n_classes: int) -> np.ndarray:
    """Class codes ``0..n_classes-1``, one per row."""
    arr = np.asarray(y)
    if arr.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {arr.shape}")
    if not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"{name} must hold integer class codes, got dtype {arr.dtype}")
    if n and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(f"{name} must hold class codes in 0..{n_classes - 1}")
    return arr.astype(np.int64)


def evaluate(
    q: np.ndarray,
    pred: np.ndarray,
    scores: np.ndarray,
    metrics: Sequence[str],
    average: str,
    chunk_size: int,
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Metrics per consecutive chunk: the full chunks in one vectorised call, then the
    shorter last chunk. Returns ``(starts, stops, values)``."""
    n, k = q.shape
    starts, stops = chunk_bounds(n, chunk_size)
    full = n // chunk_size
    parts = []
    if full:
        cut = full * chunk_size
        parts.append(chunk_metrics(
            q[:cut].reshape(full, chunk_size, k), pred[:cut].reshape(full, chunk_size),
            scores[:cut].reshape(full, chunk_size, k), metrics, average,
        ))
    if n > full * chunk_size:
        lo = full * chunk_size
        parts.append(chunk_metrics(q[None, lo:], pred[None, lo:], scores[None, lo:],
                                   metrics, average))
    values = {m: np.concatenate([p[m] for p in parts]) for m in metrics}
    return starts, stops, values


def realised_performance(
    y_true: Any,
    proba: Any,
    y_pred: Any = None,
    *,
    metrics: Sequence[str] = ("accuracy",),
    average: str = "auto",
    chunk_size: int | None = None,
) -> dict[str, np.ndarray]:
    """The realised metrics per chunk, computed exactly as the estimators compute theirs.

    Parameters
    ----------
    y_true
        True class codes.
    proba
        The served class probabilities ``(n, k)``.
    y_pred
        Served predictions (default: ``proba.argmax(axis=1)``).
    metrics, average
        As for :class:`~detectors.estimation.CBPE`.
    chunk_size
        Samples per chunk (default: one chunk).

    Examples
    --------
    >>> import numpy as np
    >>> proba = np.array([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.1, 0.9]])
    >>> realised_performance([0, 1, 1, 1], proba, metrics=("accuracy", "roc_auc"))
    {'accuracy': array([0.75]), 'roc_auc': array([1.])}
    """
    metrics = check_metrics(metrics)
    check_choice("average", average, AVERAGES)
    proba = check_proba("proba", proba)
    n, k = proba.shape
    y = check_labels("y_true", np.asarray(y_true), n, k)
    pred = proba.argmax(axis=1) if y_pred is None else check_labels("y_pred", y_pred, n, k)
    avg = resolve_average(average, k)
    size = n if chunk_size is None else int(chunk_size)
    return evaluate(np.eye(k)[y], pred, proba, metrics, avg, max(size, 1))[2]
