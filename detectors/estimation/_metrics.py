"""Classification metrics from *soft* labels, vectorised over chunks.

Every metric here is computed from an expected confusion matrix: for chunk ``c``,
sample ``i`` and class ``k``, ``q[c, i, k]`` is the probability that the true class
is ``k``. With one-hot labels this is the realised metric; with calibrated
probabilities it is the confidence-based estimate (CBPE); with one-hot labels of a
reference set and importance weights it is the importance-weighted estimate. One code
path for the three keeps them comparable: a difference between estimate and truth is
never a difference of implementation.

Averages: ``"binary"`` reports the positive class (code 1) of a two-class problem,
``"macro"`` the mean over classes (ROC AUC one-vs-rest), as scikit-learn does;
``"auto"`` is ``"binary"`` for two classes and ``"macro"`` otherwise (NannyML's
convention). A macro average skips classes that a chunk neither contains nor
predicts, as scikit-learn's label set does.

Examples
--------
>>> import numpy as np
>>> y = np.array([[0, 1, 1, 0]]); pred = np.array([[0, 1, 0, 0]])
>>> q = np.eye(2)[y]
>>> scores = chunk_metrics(q, pred, np.eye(2)[pred] * 0.8 + 0.1, ("accuracy", "f1"), "binary")
>>> {k: v.round(3).tolist() for k, v in scores.items()}
{'accuracy': [0.75], 'f1': [0.667]}
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["AVERAGES", "METRICS", "chunk_bounds", "chunk_metrics", "resolve_average"]

METRICS = ("accuracy", "precision", "recall", "f1", "roc_auc")
AVERAGES = ("auto", "binary", "macro")


def resolve_average(average: str, n_classes: int) -> str:
    """``"auto"`` → ``"binary"`` for two classes, else ``"macro"``; check the rest.

    Examples
    --------
    >>> resolve_average("auto", 3)
    'macro'
    >>> resolve_average("binary", 3)
    Traceback (most recent call last):
    ...
    ValueError: average='binary' needs two classes, got 3
    """
    if average == "auto":
        return "binary" if n_classes == 2 else "macro"
    if average == "binary" and n_classes != 2:
        raise ValueError(f"average='binary' needs two classes, got {n_classes}")
    return average


def chunk_bounds(n: int, chunk_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Consecutive chunks of ``chunk_size`` over ``n`` samples; the last may be shorter.

    Examples
    --------
    >>> chunk_bounds(10, 4)
    (array([0, 4, 8]), array([ 4,  8, 10]))
    """
    starts = np.arange(0, n, chunk_size, dtype=np.int64)
    return starts, np.minimum(starts + chunk_size, n)


def _nanmean_rows(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Row means over the kept, finite entries; nan for a row with none."""
    keep = keep & np.isfinite(values)
    count = keep.sum(axis=1)
    total = np.where(keep, values, 0.0).sum(axis=1)
    return np.divide(total, count, out=np.full(total.shape, np.nan), where=count > 0)


def _average(per_class: np.ndarray, present: np.ndarray, average: str) -> np.ndarray:
    if average == "binary":
        return per_class[:, 1]
    return _nanmean_rows(per_class, present)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    # zero_division=0, as scikit-learn's metrics default to (with a warning).
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def _roc_auc(q: np.ndarray, scores: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Per chunk and class: one-vs-rest ROC AUC of ``scores`` against soft labels ``q``.

    The curve is traced in decreasing score; tied scores share one point (the
    trapezoid then runs diagonally across the tie, as scikit-learn's curve does).
    """
    c, m, k = q.shape
    order = np.argsort(-scores, axis=1, kind="stable")
    s = np.take_along_axis(scores, order, axis=1)
    ww = np.broadcast_to(w[:, :, None], q.shape)
    qs = np.take_along_axis(q * ww, order, axis=1)
    ws = np.take_along_axis(ww, order, axis=1)
    tps = np.cumsum(qs, axis=1)
    fps = np.cumsum(ws, axis=1) - tps
    # Each position takes the values at the end of its tie group.
    idx = np.broadcast_to(np.arange(m)[None, :, None], s.shape)
    is_end = np.ones(s.shape, dtype=bool)
    is_end[:, :-1] = s[:, :-1] != s[:, 1:]
    end = np.where(is_end, idx, m)
    end = np.minimum.accumulate(end[:, ::-1], axis=1)[:, ::-1]
    tps = np.take_along_axis(tps, end, axis=1)
    fps = np.take_along_axis(fps, end, axis=1)
    zeros = np.zeros((c, 1, k))
    tps, fps = np.concatenate([zeros, tps], axis=1), np.concatenate([zeros, fps], axis=1)
    area = np.sum(np.diff(fps, axis=1) * (tps[:, 1:] + tps[:, :-1]) / 2.0, axis=1)
    pos, neg = tps[:, -1], fps[:, -1]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((pos > 1e-12) & (neg > 1e-12), area / (pos * neg), np.nan)


def chunk_metrics(
    q: np.ndarray,
    pred: np.ndarray,
    scores: np.ndarray,
    metrics: Sequence[str],
    average: str,
    weights: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Metrics of ``c`` equal-sized chunks at once.

    Parameters
    ----------
    q
        ``(c, m, k)`` probability that sample ``i`` of chunk ``c`` has class ``k``.
    pred
        ``(c, m)`` predicted class codes.
    scores
        ``(c, m, k)`` the model's class scores (ROC AUC ranks by them).
    metrics
        Names from :data:`METRICS`.
    average
        ``"binary"`` or ``"macro"`` (resolved; see :func:`resolve_average`).
    weights
        ``(c, m)`` sample weights (default 1).

    Returns
    -------
    dict
        Metric name → ``(c,)`` values.
    """
    c, m, k = q.shape
    w = np.ones((c, m)) if weights is None else weights
    hit = np.eye(k, dtype=bool)[pred]  # (c, m, k): predicted class k
    wq = q * w[:, :, None]
    tp = np.sum(np.where(hit, wq, 0.0), axis=1)  # (c, k)
    predicted = np.sum(hit * w[:, :, None], axis=1)
    actual = np.sum(wq, axis=1)
    total = np.sum(w, axis=1)
    present = (predicted > 1e-12) | (actual > 1e-12)
    out: dict[str, np.ndarray] = {}
    for name in metrics:
        if name == "accuracy":
            out[name] = _ratio(tp.sum(axis=1), total)
        elif name == "precision":
            out[name] = _average(_ratio(tp, predicted), present, average)
        elif name == "recall":
            out[name] = _average(_ratio(tp, actual), present, average)
        elif name == "f1":
            out[name] = _average(_ratio(2.0 * tp, predicted + actual), present, average)
        else:
            auc = _roc_auc(q, scores, w)
            out[name] = auc[:, 1] if average == "binary" else _nanmean_rows(auc, present)
    return out
