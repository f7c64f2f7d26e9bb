"""Checking a batch against a baseline: data quality, drift, performance."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from detectors.window import AutoTest
from detectors.window.corrections import combine_features
from detectors.window.results import TestResult
from experiments.check.baseline import Baseline, read_table
from experiments.check.history import PerformanceHistory

__all__ = ["CHECK_TYPES", "CheckResult", "Violation", "check_batch"]

#: Every kind of violation, as SageMaker Model Monitor names its constraint checks.
CHECK_TYPES = (
    "missing_column_check",
    "extra_column_check",
    "data_type_check",
    "completeness_check",
    "range_check",
    "categorical_values_check",
    "baseline_drift_check",
    "performance_check",
)


@dataclass(frozen=True)
class Violation:
    """One failed constraint: which feature, which check, and why.

    Examples
    --------
    >>> Violation("age", "range_check", "3 values above 120.0").check
    'range_check'
    """

    feature: str
    check: str
    description: str


@dataclass
class CheckResult:
    """What :func:`check_batch` found.

    ``exit_code`` is 0 with no violation and 1 with at least one (of the kinds in
    ``fail_on``), for a scheduler to act on.

    Examples
    --------
    >>> CheckResult(rows=10, violations=[]).exit_code
    0
    """

    rows: int
    violations: list[Violation]
    drift: dict[str, Any] | None = None
    performance: dict[str, Any] | None = None
    fail_on: tuple[str, ...] = CHECK_TYPES
    features: list[dict[str, Any]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return int(any(v.check in self.fail_on for v in self.violations))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record (the ``check.json`` report)."""
        return {
            "rows": self.rows,
            "exit_code": self.exit_code,
            "violations": [vars(v) for v in self.violations],
            "drift": self.drift,
            "performance": self.performance,
            "features": self.features,
        }


def _quality(frame: pd.DataFrame, spec: dict[str, Any]) -> list[Violation]:
    name = spec["name"]
    column = frame[name]
    out = []
    completeness = float(column.notna().mean())
    if completeness < spec["completeness"]:
        out.append(Violation(name, "completeness_check",
                             f"completeness {completeness:.3g} below the baseline's "
                             f"{spec['completeness']:.3g}"))
    present = column.dropna()
    if "min" in spec:
        values = pd.to_numeric(present, errors="coerce")
        if values.isna().any():
            out.append(Violation(name, "data_type_check",
                                 f"{int(values.isna().sum())} non-numeric values in a "
                                 "numeric column"))
        low, high = int((values < spec["min"]).sum()), int((values > spec["max"]).sum())
        if low or high:
            out.append(Violation(name, "range_check",
                                 f"{low} values below {spec['min']:.6g}, {high} above "
                                 f"{spec['max']:.6g}"))
    if spec["kind"] == "categorical":
        unseen = sorted(set(present.astype(str)) - set(spec["categories"]))
        if unseen:
            out.append(Violation(name, "categorical_values_check",
                                 f"values outside the baseline's categories: {unseen[:10]}"))
    return out


def _codes(reference: pd.Series, batch: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Category codes shared by both samples (batch-only values get new codes)."""
    ref, new = reference.dropna().astype(str), batch.dropna().astype(str)
    levels = {v: i for i, v in enumerate(sorted(set(ref) | set(new)))}
    return (ref.map(levels).to_numpy(float), new.map(levels).to_numpy(float))


def _feature_drift(
    reference: pd.Series, batch: pd.Series, kind: str, drift: dict[str, Any]
) -> TestResult | None:
    if kind == "categorical":
        ref, new = _codes(reference, batch)
    else:
        ref = pd.to_numeric(reference, errors="coerce").dropna().to_numpy(float)
        new = pd.to_numeric(batch, errors="coerce").dropna().to_numpy(float)
    if ref.size < 2 or new.size < 2:
        return None
    test = AutoTest(alpha=drift["alpha"], correction="none",
                    feature_kinds=[kind], wasserstein_threshold=drift["wasserstein_threshold"],
                    feature_names=[str(reference.name)])
    return test.fit(ref[:, None]).test(new[:, None])


def _drift(frame: pd.DataFrame, base: Baseline) -> tuple[dict[str, Any], list[Violation]]:
    drift = base.constraints["drift"]
    if drift.get("test", "auto") != "auto":
        raise ValueError(f"drift test {drift['test']!r} is not supported; allowed: 'auto'")
    results = {}
    for spec in base.constraints["features"]:
        name = spec["name"]
        result = _feature_drift(base.reference[name], frame[name], spec["kind"], drift)
        if result is not None:
            results[name] = result.per_feature
    names = tuple(results)
    if not names:
        return {"drift": False, "tested": 0, "features": []}, []
    pf = [results[n] for n in names]
    combined = combine_features(
        np.array([p.statistic[0] for p in pf]),
        np.array([np.nan if p.p_value is None else p.p_value[0] for p in pf]),
        np.array([p.threshold[0] for p in pf]),
        names=names, tests=tuple(p.tests[0] for p in pf), alpha=drift["alpha"],
        correction=drift["correction"], share=drift["share"], test="AutoTest",
        summary="share",
    )
    # NaN p-values (features judged by a distance) become None: strict JSON.
    records = [
        {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
        for r in combined.per_feature.to_records()
    ]
    summary = {"drift": bool(combined.drift), "tested": len(names),
               "drifted": list(combined.per_feature.drifted),
               "correction": drift["correction"], "share": combined.drift_share,
               "features": records}
    # One violation per drifting feature (SageMaker's baseline_drift_check); the
    # dataset-level decision (e.g. Evidently's share rule) is reported in "drift".
    violations = [
        Violation(r["feature"], "baseline_drift_check",
                  f"{r['test']} statistic {r['statistic']:.4g} "
                  + (f"(p = {r['p_value']:.3g}) " if r["p_value"] is not None else "")
                  + f"past its threshold {r['threshold']:.3g}")
        for r in records if r["drift"]
    ]
    return summary, violations


def _performance(
    frame: pd.DataFrame, base: Baseline, history: PerformanceHistory, batch_id: str
) -> tuple[dict[str, Any] | None, list[Violation]]:
    target, prediction = base.constraints.get("target"), base.constraints.get("prediction")
    if not target or not prediction or target not in frame or prediction not in frame:
        return None, []
    rule = base.constraints["performance"]
    value = history.metric(rule["metric"], frame[target], frame[prediction])
    record = history.record(batch_id, rule["metric"], value, rule["threshold"])
    streak = record["consecutive_below"]
    summary = {**rule, "value": value, "consecutive_below": streak,
               "violated": streak >= rule["consecutive"]}
    if not summary["violated"]:
        return summary, []
    return summary, [Violation(
        prediction, "performance_check",
        f"{rule['metric']} {value:.3g} < {rule['threshold']} on {streak} consecutive checks "
        f"(rule: {rule['consecutive']})",
    )]


def check_batch(
    batch: str | os.PathLike[str] | pd.DataFrame,
    baseline: str | os.PathLike[str] | Baseline,
    *,
    history: str | os.PathLike[str] | None = None,
    batch_id: str | None = None,
    fail_on: tuple[str, ...] = CHECK_TYPES,
) -> CheckResult:
    """Check ``batch`` against ``baseline``.

    Parameters
    ----------
    batch
        A CSV/Parquet file or a DataFrame.
    baseline
        A baseline folder (see :func:`~experiments.check.make_baseline`) or a loaded
        :class:`~experiments.check.Baseline`.
    history
        SQLite file keeping the performance checks (default: ``history.db`` in the
        baseline folder).
    batch_id
        Name of this batch in the history (default: the file name).
    fail_on
        The violation kinds that make ``exit_code`` 1 (default: all of
        :data:`CHECK_TYPES`).

    Returns
    -------
    CheckResult
    """
    unknown = sorted(set(fail_on) - set(CHECK_TYPES))
    if unknown:
        raise ValueError(f"fail_on has unknown checks {unknown}; allowed: {list(CHECK_TYPES)}")
    base = baseline if isinstance(baseline, Baseline) else Baseline.load(baseline)
    frame = batch if isinstance(batch, pd.DataFrame) else read_table(batch)
    specs = base.constraints["features"]
    expected = {s["name"] for s in specs}
    special = {base.constraints.get("target"), base.constraints.get("prediction")}
    violations = [Violation(n, "missing_column_check", "column missing from the batch")
                  for n in sorted(expected - set(frame.columns))]
    violations += [Violation(str(n), "extra_column_check", "column not in the baseline")
                   for n in frame.columns if n not in expected and n not in special]
    present = [s for s in specs if s["name"] in frame.columns]
    for spec in present:
        violations += _quality(frame, spec)
    subset = Baseline(base.folder, base.statistics,
                      {**base.constraints, "features": present}, base.reference)
    drift, drift_violations = _drift(frame, subset)
    history_db = PerformanceHistory(history or base.folder / "history.db")
    label = batch_id or (str(batch) if not isinstance(batch, pd.DataFrame) else "batch")
    performance, perf_violations = _performance(frame, base, history_db, label)
    return CheckResult(
        rows=len(frame), violations=violations + drift_violations + perf_violations,
        drift=drift, performance=performance, fail_on=tuple(fail_on),
        features=[{"name": s["name"], "kind": s["kind"]} for s in present],
    )
