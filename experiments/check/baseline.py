"""Baseline statistics and constraints from a reference table."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.files import atomic_write

__all__ = ["Baseline", "make_baseline", "read_table"]

FORMAT_VERSION = 1
_PARQUET = (".parquet", ".pq")
_TABLES = (".csv", *_PARQUET)
#: A numeric column with at most this many distinct values is treated as categorical.
MAX_CATEGORIES = 5


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a CSV or Parquet file, with errors that name the file.

    Examples
    --------
    >>> read_table("batch.xlsx")
    Traceback (most recent call last):
    ...
    ValueError: batch.xlsx: a table must be a .csv, .parquet or .pq file
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _TABLES:
        raise ValueError(f"{path}: a table must be a .csv, .parquet or .pq file")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        frame = pd.read_parquet(path) if suffix in _PARQUET else pd.read_csv(path)
    except Exception as exc:  # pandas/pyarrow say little about which file
        raise ValueError(f"{path}: cannot be read as {suffix[1:]}: {exc}") from exc
    if frame.empty:
        raise ValueError(f"{path}: the table has no rows")
    return frame


def _kind(column: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
        return "categorical"
    if column.dropna().nunique() <= MAX_CATEGORIES:
        return "categorical"
    return "numeric"


def _feature_statistics(name: str, column: pd.Series) -> dict[str, Any]:
    kind = _kind(column)
    present = column.dropna()
    stats: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "dtype": str(column.dtype),
        "completeness": float(len(present) / len(column)),
    }
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        values = present.to_numpy(dtype=float)
        qs = np.quantile(values, [0.01, 0.25, 0.5, 0.75, 0.99]) if values.size else []
        stats["numeric"] = {
            "mean": float(values.mean()) if values.size else None,
            "std": float(values.std()) if values.size else None,
            "min": float(values.min()) if values.size else None,
            "max": float(values.max()) if values.size else None,
            "quantiles": dict(zip(["p01", "p25", "p50", "p75", "p99"], map(float, qs),
                                  strict=False)),
        }
    if kind == "categorical":
        counts = present.astype(str).value_counts().sort_index()
        stats["categories"] = {str(k): int(v) for k, v in counts.items()}
    return stats


def _feature_constraints(stats: dict[str, Any], range_margin: float) -> dict[str, Any]:
    out: dict[str, Any] = {"name": stats["name"], "kind": stats["kind"],
                           "completeness": stats["completeness"]}
    numeric = stats.get("numeric")
    if numeric and numeric["min"] is not None:
        span = numeric["max"] - numeric["min"]
        out["min"] = numeric["min"] - range_margin * span
        out["max"] = numeric["max"] + range_margin * span
        out["non_negative"] = numeric["min"] >= 0
    if stats["kind"] == "categorical":
        out["categories"] = sorted(stats["categories"])
    return out


@dataclass(frozen=True)
class Baseline:
    """A baseline folder read back: statistics, constraints and the reference rows.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = pd.DataFrame({"x": range(10)}).to_csv(Path(tmp) / "r.csv", index=False)
    ...     base = Baseline.load(make_baseline(Path(tmp) / "r.csv", Path(tmp) / "b"))
    >>> base.constraints["features"][0]["name"], len(base.reference)
    ('x', 10)
    """

    folder: Path
    statistics: dict[str, Any]
    constraints: dict[str, Any]
    reference: pd.DataFrame

    @classmethod
    def load(cls, folder: str | os.PathLike[str]) -> Baseline:
        """Read ``statistics.json``, ``constraints.json`` and ``reference.parquet``."""
        folder = Path(folder)
        parts = {}
        for name in ("statistics.json", "constraints.json"):
            path = folder / name
            try:
                parts[name] = json.loads(path.read_text())
            except FileNotFoundError:
                raise FileNotFoundError(
                    f"{path}: missing; make a baseline first (driftsim baseline REF OUT)"
                ) from None
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}: not valid JSON ({exc})") from exc
        version = parts["constraints.json"].get("version")
        if version != FORMAT_VERSION:
            raise ValueError(
                f"{folder / 'constraints.json'}: version {version!r} is not supported; "
                f"allowed: {FORMAT_VERSION}"
            )
        reference = pd.read_parquet(folder / "reference.parquet")
        return cls(folder, parts["statistics.json"], parts["constraints.json"], reference)

    @property
    def target(self) -> str | None:
        """The label column named at baseline time, if any."""
        return self.constraints.get("target")


def _check_settings(max_rows: int, range_margin: float, drift: dict[str, Any] | None) -> None:
    from detectors.window.corrections import P_VALUE_CORRECTIONS

    if max_rows < 1:
        raise ValueError(f"max_rows must be >= 1, got {max_rows}")
    if not 0.0 <= range_margin <= 10.0:
        raise ValueError(f"range_margin must be in [0, 10], got {range_margin}")
    correction = (drift or {}).get("correction", "share")
    if correction not in P_VALUE_CORRECTIONS:
        raise ValueError(
            f"drift correction must be one of {list(P_VALUE_CORRECTIONS)}, got {correction!r}"
        )


def _feature_columns(frame: pd.DataFrame, special: list[str], reference: Any) -> list[str]:
    """The feature columns: all but the label, prediction and excluded ones."""
    missing = [c for c in special if c not in frame.columns]
    if missing:
        raise ValueError(
            f"column(s) {missing} not in {reference}; columns: {list(frame.columns)}"
        )
    features = [c for c in frame.columns if c not in special]
    if not features:
        raise ValueError(f"{reference}: no feature columns left after {special}")
    return features


def make_baseline(
    reference: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    target: str | None = None,
    prediction: str | None = None,
    exclude: tuple[str, ...] = (),
    max_rows: int = 100_000,
    range_margin: float = 0.5,
    drift: dict[str, Any] | None = None,
    performance: dict[str, Any] | None = None,
    seed: int = 0,
) -> Path:
    """Compute statistics and constraints of ``reference`` and write them to ``out``.

    Parameters
    ----------
    reference
        CSV or Parquet file.
    out
        The baseline folder (created; files written atomically).
    target, prediction
        Label and prediction columns: kept out of the feature checks, used by the
        performance rule.
    exclude
        Other columns to leave out (ids, timestamps).
    max_rows
        At most this many reference rows are kept for the drift tests (a seeded sample).
    range_margin
        Allowed excursion beyond the reference range, as a share of that range
        (default 0.5: a fresh sample of the same distribution often exceeds the
        reference's extremes a little; a unit or scale fault exceeds them a lot).
    drift
        Drift-test settings stored in the constraints: ``test`` (``"auto"`` or a
        detector class name), ``alpha``, ``correction``, ``share``,
        ``wasserstein_threshold``.
    performance
        The performance rule: ``metric`` (accuracy, f1, precision, recall),
        ``threshold``, ``consecutive``.
    seed
        Seed of the row sample.

    Returns
    -------
    Path
        The baseline folder.
    """
    _check_settings(max_rows, range_margin, drift)
    frame = read_table(reference)
    special = [c for c in (target, prediction, *exclude) if c is not None]
    features = _feature_columns(frame, special, reference)
    stats = [_feature_statistics(str(c), frame[c]) for c in features]
    statistics = {"version": FORMAT_VERSION, "source": str(reference),
                  "rows": len(frame), "features": stats}
    constraints = {
        "version": FORMAT_VERSION,
        "target": target,
        "prediction": prediction,
        "features": [_feature_constraints(s, range_margin) for s in stats],
        "drift": {"test": "auto", "alpha": 0.05, "correction": "share", "share": 0.5,
                  "wasserstein_threshold": 0.1, **(drift or {})},
        "performance": {"metric": "f1", "threshold": 0.85, "consecutive": 3,
                        **(performance or {})},
    }
    sample = frame if len(frame) <= max_rows else frame.sample(max_rows, random_state=seed)
    out = Path(out)
    for name, payload in (("statistics.json", statistics), ("constraints.json", constraints)):
        text = json.dumps(payload, indent=2)
        atomic_write(out / name, lambda tmp, text=text: Path(tmp).write_text(text))
    atomic_write(out / "reference.parquet", lambda tmp: sample.to_parquet(tmp, index=False))
    return out
