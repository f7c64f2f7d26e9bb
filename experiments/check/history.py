"""The performance rule's history: one row per checked batch, in SQLite."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn import metrics

__all__ = ["METRICS", "PerformanceHistory"]

METRICS = ("accuracy", "f1", "precision", "recall")


class PerformanceHistory:
    """Checks of a performance rule kept across runs, so "F1 < 0.85 on 3 consecutive
    checks" spans batches checked days apart.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     h = PerformanceHistory(Path(tmp) / "h.db")
    ...     _ = h.record("day1", "f1", 0.80, 0.85)
    ...     h.record("day2", "f1", 0.70, 0.85)["consecutive_below"]
    2
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path)
        conn.execute(
            "CREATE TABLE IF NOT EXISTS checks (id INTEGER PRIMARY KEY AUTOINCREMENT, "
            "checked_at REAL, batch TEXT, metric TEXT, value REAL, threshold REAL, "
            "below INTEGER)"
        )
        return conn

    @staticmethod
    def metric(name: str, y_true: Any, y_pred: Any) -> float:
        """``name`` of the predictions (macro average for F1/precision/recall on
        more than two classes)."""
        if name not in METRICS:
            raise ValueError(f"metric must be one of {list(METRICS)}, got {name!r}")
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        if name == "accuracy":
            return float(metrics.accuracy_score(y_true, y_pred))
        labels = np.unique(np.concatenate([y_true, y_pred]))
        average = "binary" if labels.size <= 2 else "macro"
        pos = {"pos_label": labels[-1]} if average == "binary" else {}
        fn = {"f1": metrics.f1_score, "precision": metrics.precision_score,
              "recall": metrics.recall_score}[name]
        return float(fn(y_true, y_pred, average=average, zero_division=0, **pos))

    def record(self, batch: str, metric: str, value: float, threshold: float) -> dict[str, Any]:
        """Store one check; returns it with the current run of consecutive failures."""
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO checks (checked_at, batch, metric, value, threshold, below) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (time.time(), batch, metric, value, threshold, int(value < threshold)),
            )
            rows = conn.execute(
                "SELECT below FROM checks WHERE metric = ? ORDER BY id DESC", (metric,)
            ).fetchall()
        conn.close()
        streak = 0
        for (below,) in rows:
            if not below:
                break
            streak += 1
        return {"batch": batch, "metric": metric, "value": value, "consecutive_below": streak}
