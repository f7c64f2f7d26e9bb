"""Gather a sweep's results into tidy tables, the standard figures and a report.

``python -m experiments.aggregate DIR`` (also run by a Hydra callback at the end of
every ``--multirun``) reads every ``result.json`` below ``DIR`` and writes:

* ``summary.csv`` — one tidy row per run and detector: the detector's scores, the
  baselines' scores at the same alarm rate (rows named ``baseline:never``,
  ``baseline:periodic``, ``baseline:random``), and the run's recovery and cost;
* ``summary.md`` — per configuration, the mean over seeds with a 95 % interval that
  stays inside the metric's domain and the ``n`` it rests on
  (:mod:`experiments.metrics.intervals`);
* figures — the threshold trade-off (delay against false-alarm rate), a detector ×
  scenario heat map, recovery per policy; and ``report.html`` with all of it.

Examples
--------
>>> import tempfile
>>> from experiments.run import compose, run
>>> with tempfile.TemporaryDirectory() as d:
...     for seed in (0, 1):
...         cfg = compose(["drift=abrupt_concept", "n_samples=3000", "policy=never",
...                        f"seed={seed}", "score.oracle=false", "plot=false"])
...         _ = run(cfg, output_dir=f"{d}/{seed}")
...     rows = collect(d)
>>> sorted(rows["detector"].unique())
['ADWIN', 'baseline:never', 'baseline:periodic', 'baseline:random']
"""

from __future__ import annotations

import argparse
import json
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from detectors.tags import is_baseline, sensitivity_of
from experiments.files import atomic_write, remove_stale_temps
from experiments.metrics.intervals import (
    bootstrap_mean,
    bootstrap_means,
    format_interval,
    poisson_rates,
    sig3,
    wilson_arrays,
)
from experiments.metrics.labels import metric_label
from experiments.sweep_cache import clear_stale_temps

__all__ = [
    "aggregate",
    "aggregate_sweep",
    "collect",
    "main",
    "summarise",
]

#: Detector scores kept per row (from ``experiments.metrics.score_detections``).
DETECTION_COLUMNS = (
    "alarms", "detections", "missed", "false_alarms", "repeat_alarms", "benign_alarms",
    "drift_free_samples",
    "false_alarm_rate", "detection_delay_mean", "detection_delay_from_end_mean",
    "missed_detection_rate", "mtfa", "mtd", "mtr", "precision", "recall", "f1",
)
#: Run-level scores kept per row, prefixed ``run_``.
RUN_COLUMNS = (
    "accuracy", "accuracy_lost", "time_to_recover", "not_recovered", "max_drop",
    "retrains", "labels", "errors", "total_cost",
)
#: What identifies a configuration (everything but the seed). Any other config value
#: that varies across the sweep's runs within these groups becomes a column of its own,
#: named by its dotted config key (:func:`sweep_parameters`), and groups too.
CONFIG_COLUMNS = (
    "dataset", "drift", "model", "policy", "signal", "label_delay", "monitors", "detector",
    "threshold_param", "threshold", "is_baseline",
)
#: Config keys never treated as sweep parameters: the seed (aggregated over), where
#: results go, and the detector specs (the ``detector``/``threshold`` columns say them).
_NOT_PARAMETERS = ("seed", "resume", "plot", "save_trace", "detector", "extra_detectors",
                   "hydra", "dataset.name", "drift.name")
SUMMARY_METRICS = (
    "false_alarm_rate", "detection_delay_mean", "missed_detection_rate", "mtfa", "mtd",
    "mtr", "run_accuracy", "run_accuracy_lost", "run_time_to_recover", "run_retrains",
    "run_total_cost",
)


def _short(target: Any) -> str:
    return str(target or "").rsplit(".", 1)[-1]


def _monitor_records(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Monitor name → what the run recorded about its detector (label, config,
    sensitivity parameter, the value used, baseline or not: see
    :func:`experiments.detector_specs.describe`). What older results did not record is
    read from their config and the detector classes."""
    if "detectors" in result:
        recorded = {n: (d["label"], d["config"], d) for n, d in result["detectors"].items()}
    else:
        config = result["config"]
        specs = {_short(config["detector"]["_target_"]): config["detector"]}
        specs.update({str(n): s for n, s in (config.get("extra_detectors") or {}).items()
                      if s is not None})
        recorded = {name: (name, spec, {}) for name, spec in specs.items()}
    records = {}
    for name, (label, spec, known) in recorded.items():
        if "is_baseline" in known:
            records[name] = known
            continue
        cls = _detector_class(spec)
        sensitivity = sensitivity_of(cls)  # declared on the class: detectors/tags.py
        param = sensitivity.param if sensitivity else None
        records[name] = {"label": label, "config": spec, "threshold_param": param,
                         "threshold": _threshold(spec, cls, param),
                         "is_baseline": is_baseline(cls)}
    return records


def _detector_class(spec: dict[str, Any]) -> type | None:
    """The class a detector config builds (``None`` when it cannot be imported)."""
    from hydra.utils import get_class

    try:
        return get_class(spec["_target_"])
    except (KeyError, ImportError, ValueError):
        return None


def _threshold(spec: dict[str, Any], cls: type | None, param: str | None) -> Any:
    """The detector's sensitivity value: as configured, else its class default."""
    if not param or cls is None:
        return None
    if param in spec:
        return spec[param]
    import inspect

    try:
        default = inspect.signature(cls).parameters[param].default
    except (KeyError, ValueError):
        return None
    return None if default is inspect.Parameter.empty else default


def _rows_of(result: dict[str, Any], run: str) -> Iterable[dict[str, Any]]:
    config = result["config"]
    base = {
        "run": run,
        "dataset": config["dataset"].get("name", _short(config["dataset"].get("_target_"))),
        "drift": config["drift"].get("name", "drift"),
        "model": _short(config["model"].get("_target_")),
        "policy": _short(config["policy"].get("_target_")),
        "signal": config["monitor"]["signal"],
        "label_delay": json.dumps(config["loop"]["label_delay"]),
        "seed": config["seed"],
    }
    run_metrics = {f"run_{k}": result["metrics"].get(k) for k in RUN_COLUMNS}
    records = _monitor_records(result)
    # what the run watched with, by detector label (a threshold sweep's many monitors of
    # one detector are one entry): runs with other monitors are other configurations
    labels = [records.get(n, {}).get("label", n) for n in result["monitors"]]
    base["monitors"] = "+".join(dict.fromkeys(labels))
    for name, scores in result["monitors"].items():
        record = records.get(name) or {"label": name, "config": {}, "is_baseline": False}
        yield {
            **base,
            "detector": record["label"],
            "monitor": name,
            "detector_class": _short(record["config"].get("_target_")),
            "threshold_param": record.get("threshold_param"),
            "threshold": record.get("threshold"),
            "is_baseline": bool(record["is_baseline"]),
            **{k: scores["detector"].get(k) for k in DETECTION_COLUMNS},
            **run_metrics,
        }
        for kind in ("never", "periodic", "random"):
            yield {
                **base,
                "detector": f"baseline:{kind}",
                "monitor": name,
                "detector_class": kind,
                "threshold_param": "matched_to",
                "threshold": None,
                "baseline_for": name,
                "is_baseline": True,
                **{k: scores[kind].get(k) for k in DETECTION_COLUMNS},
                **{k: None for k in run_metrics},
            }


def _read_result(path: Path) -> dict[str, Any] | None:
    """A run's result, or None when the file is truncated, not JSON or not a result."""
    try:
        result = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    needed = ("config", "metrics", "monitors")
    if not isinstance(result, dict) or not all(isinstance(result.get(k), dict) for k in needed):
        return None
    return result


def collect(sweep_dir: str | Path) -> pd.DataFrame:
    """One tidy row per run and detector (baselines included) from every
    ``result.json`` below ``sweep_dir``.

    Raises ``ValueError`` naming the folder when there is no result in it. An
    unreadable ``result.json`` (truncated, not JSON) is skipped with a ``UserWarning``
    naming each such file and how many were skipped; their paths are in
    ``frame.attrs["unreadable"]``.

    Examples
    --------
    >>> collect("/nonexistent")
    Traceback (most recent call last):
    ...
    ValueError: no result.json below '/nonexistent': is it a sweep folder?
    """
    root = Path(sweep_dir)
    paths = sorted(root.rglob("result.json"))
    if not paths:
        raise ValueError(f"no result.json below {str(root)!r}: is it a sweep folder?")
    rows: list[dict[str, Any]] = []
    configs: dict[str, dict[str, Any]] = {}
    unreadable: list[str] = []
    for path in paths:
        result = _read_result(path)
        if result is None:
            unreadable.append(str(path))
            continue
        run = str(path.parent.relative_to(root))
        configs[run] = _flatten(result["config"])
        rows.extend(_rows_of(result, run))
    if not rows:
        raise ValueError(
            f"none of the {len(paths)} result.json below {str(root)!r} is readable: "
            f"{', '.join(unreadable)}"
        )
    if unreadable:
        warnings.warn(
            f"skipped {len(unreadable)} of {len(paths)} result.json (unreadable): "
            f"{', '.join(unreadable)}; rerun the sweep to redo those jobs",
            UserWarning, stacklevel=2,
        )
    frame = pd.DataFrame(rows)
    for key in sweep_parameters(frame, configs):
        frame[key] = frame["run"].map(lambda run, key=key: configs[run].get(key))
    frame.attrs["unreadable"] = unreadable
    # Baselines at a matched rate are one per detector: name them apart in the summary.
    mask = frame["baseline_for"].notna()
    if frame.loc[mask, "baseline_for"].nunique() > 1:
        frame.loc[mask, "detector"] = (
            frame.loc[mask, "detector"] + " (" + frame.loc[mask, "baseline_for"] + ")"
        )
    return frame


def _flatten(config: Any, prefix: str = "") -> dict[str, Any]:
    """A nested config as ``{dotted key: value}`` (list items keyed by position)."""
    if isinstance(config, dict):
        items: Iterable[tuple[Any, Any]] = config.items()
    elif isinstance(config, list):
        items = enumerate(config)
    else:
        return {prefix: json.dumps(config) if isinstance(config, (dict, list)) else config}
    out: dict[str, Any] = {}
    for key, value in items:
        out.update(_flatten(value, f"{prefix}{key}."))
    return {k.rstrip("."): v for k, v in out.items()}


def sweep_parameters(rows: pd.DataFrame, configs: dict[str, dict[str, Any]]) -> list[str]:
    """Dotted config keys that vary across the sweep's runs *within* the groups that
    :data:`CONFIG_COLUMNS` already make (so ``policy.cooldown`` does not repeat what
    ``policy`` says): each becomes a column and a grouping key.

    Examples
    --------
    >>> rows = pd.DataFrame({"run": ["a", "b", "c"], "policy": ["P", "P", "Q"]})
    >>> configs = {"a": {"seed": 0, "loop.cost": 1, "policy.k": 1},
    ...            "b": {"seed": 1, "loop.cost": 2, "policy.k": 1},
    ...            "c": {"seed": 0, "loop.cost": 1, "policy.k": 5}}
    >>> sweep_parameters(rows, configs)
    ['loop.cost']
    """
    keys = sorted({k for config in configs.values() for k in config
                   if not any(k == x or k.startswith(f"{x}.") for x in _NOT_PARAMETERS)})
    runs = rows.drop_duplicates("run")
    groups = [c for c in CONFIG_COLUMNS if c in runs and c not in ("detector", "threshold",
                                                                    "threshold_param",
                                                                    "is_baseline")]
    found = []
    for key in keys:
        values = runs["run"].map(lambda run, key=key: json.dumps(configs[run].get(key)))
        split = values.groupby([runs[g].astype(str) for g in groups]).nunique() > 1
        if split.any():
            found.append(key)
    return found


def _grouping(rows: pd.DataFrame) -> list[str]:
    """The configuration columns of ``rows``: the fixed ones, then sweep parameters."""
    return [c for c in CONFIG_COLUMNS if c in rows] + [c for c in rows if "." in c]


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    """Per configuration: the mean of each key metric over seeds, its 95 % interval
    (``<metric>_lo``, ``<metric>_hi``) and the ``<metric>_n`` it rests on.

    Missed-detection rates are pooled shares (missed / drifts over all seeds) with
    Wilson intervals; false-alarm rates pooled counts over pooled drift-free samples
    with exact Poisson intervals; every other metric a percentile bootstrap of the
    mean over runs. None of them leaves the metric's domain.

    Examples
    --------
    >>> rows = pd.DataFrame({"detector": ["a", "a"], "seed": [0, 1],
    ...                      "detection_delay_mean": [100.0, 300.0]})
    >>> s = summarise(rows)
    >>> s[["detector", "runs", "detection_delay_mean", "detection_delay_mean_n"]]
      detector  runs  detection_delay_mean  detection_delay_mean_n
    0        a     2                 200.0                       2
    >>> float(s["detection_delay_mean_lo"].iloc[0]), float(s["detection_delay_mean_hi"].iloc[0])
    (100.0, 300.0)
    """
    keys = _grouping(rows)
    metrics = [m for m in SUMMARY_METRICS if m in rows]
    # dropna=False: a configuration with no threshold (a baseline) is still a group.
    grouped = rows.groupby(keys, sort=True, dropna=False)
    out = grouped.size().rename("runs").to_frame()
    gid = grouped.ngroup().to_numpy()
    order = np.argsort(gid, kind="stable")
    cuts = np.cumsum(np.bincount(gid, minlength=len(out)))[:-1]
    # Intervals for every group at once: a threshold sweep has thousands of groups.
    for metric in metrics:
        values = rows[metric].to_numpy(dtype=float)
        parts = np.split(values[order], cuts)
        finite = np.array([np.isfinite(p).sum() for p in parts])
        with np.errstate(invalid="ignore"):
            mean = np.array([p[np.isfinite(p)].mean() if n else np.nan
                             for p, n in zip(parts, finite, strict=True)])
        low, high = bootstrap_means(parts)
        n = finite
        if metric in _POOLED:
            mean, low, high, n = _POOLED[metric](rows, gid, len(out), mean, low, high, n)
        out[metric], out[f"{metric}_lo"], out[f"{metric}_hi"] = mean, low, high
        out[f"{metric}_n"] = n
    return out.reset_index()


Interval = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _pooled_share(rows: pd.DataFrame, gid: np.ndarray, groups: int,
                  *fallback: np.ndarray) -> Interval:
    """Missed-detection rate: missed / drifts pooled over seeds, Wilson interval."""
    if not {"missed", "detections"} <= set(rows):
        return fallback  # type: ignore[return-value]
    missed = np.bincount(gid, rows["missed"].fillna(0).to_numpy(float), minlength=groups)
    found = np.bincount(gid, rows["detections"].fillna(0).to_numpy(float), minlength=groups)
    trials = missed + found
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(trials > 0, missed / trials, np.nan)
    return (share, *wilson_arrays(missed, trials), trials.astype(int))


def _pooled_rate(rows: pd.DataFrame, gid: np.ndarray, groups: int,
                 *fallback: np.ndarray) -> Interval:
    """False alarms per 1,000 drift-free samples pooled over seeds, exact Poisson."""
    if not {"false_alarms", "drift_free_samples"} <= set(rows):
        return fallback  # type: ignore[return-value]
    count = np.bincount(gid, rows["false_alarms"].fillna(0).to_numpy(float), minlength=groups)
    exposure = np.bincount(gid, rows["drift_free_samples"].fillna(0).to_numpy(float),
                           minlength=groups)
    low, high = poisson_rates(count, exposure)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(exposure > 0, 1000.0 * count / exposure, np.nan)
    return rate, low, high, np.bincount(gid, minlength=groups)


#: Metrics whose interval comes from counts pooled over seeds (not a bootstrap).
_POOLED = {"missed_detection_rate": _pooled_share, "false_alarm_rate": _pooled_rate}


def _readable(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary as the report shows it: configuration columns that vary, then each
    metric as ``mean [low, high] n=…``."""
    keys = [c for c in _grouping(summary) if summary[c].astype(str).nunique() > 1]
    out = summary[keys or ["detector"]].copy()
    out["runs"] = summary["runs"]
    for m in SUMMARY_METRICS:
        if m in summary:
            out[metric_label(m)] = [format_interval(*v) for v in zip(
                summary[m], summary[f"{m}_lo"], summary[f"{m}_hi"], summary[f"{m}_n"],
                strict=True)]
    return out


def _cell(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        return sig3(float(value))
    return "–" if value is None else str(value)


def _markdown(summary: pd.DataFrame) -> str:
    keys = [c for c in _grouping(summary) if summary[c].astype(str).nunique() > 1]
    keys = keys or ["detector"]
    metrics = [m for m in SUMMARY_METRICS[:6] if m in summary]
    lines = ["Each cell: mean over seeds [95 % interval] n=runs (drifts, for the "
             "missed-detection rate); – where undefined.", "",
             "| " + " | ".join([*keys, "runs", *(metric_label(m) for m in metrics)]) + " |",
             "|" + "---|" * (len(keys) + 1 + len(metrics))]
    for _, row in summary.iterrows():
        cells = [_cell(row[k]) for k in keys] + [str(row["runs"])]
        cells += [format_interval(row[m], row[f"{m}_lo"], row[f"{m}_hi"], row[f"{m}_n"])
                  for m in metrics]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


#: The file each standard figure of :func:`_figures` is saved to.
_FIGURE_FILES = {
    "threshold_tradeoff": "threshold_tradeoff.png", "heatmap": "heatmap_mtr.png",
    "heatmap_delay": "heatmap_delay.png", "policies": "policies.png",
    "recovery": "recovery.png",
}


def _saved(root: Path, name: str, figure: Any) -> Any:
    """The PNG file a figure was just saved to (the report embeds it instead of
    drawing the figure a second time), else the figure."""
    path = root / _FIGURE_FILES.get(name, "")
    return path if name in _FIGURE_FILES and path.is_file() else figure


def _figures(rows: pd.DataFrame, summary: pd.DataFrame, root: Path) -> dict[str, Any]:
    from experiments import plots

    figures: dict[str, Any] = {}
    tradeoff = _tradeoff_rows(rows)
    if tradeoff is not None:
        figures["threshold_tradeoff"] = plots.threshold_tradeoff(
            tradeoff, path=root / "threshold_tradeoff.png"
        )
    if summary["drift"].nunique() > 1 and summary["detector"].nunique() > 1:
        detectors = summary[~summary["is_baseline"].astype(bool)]
        figures["heatmap"] = plots.heatmap(
            detectors.groupby(["detector", "drift"], as_index=False)["mtr"].mean(),
            value="mtr", path=root / "heatmap_mtr.png",
        )
        figures["heatmap_delay"] = plots.heatmap(
            detectors.groupby(["detector", "drift"], as_index=False)[
                "detection_delay_mean"].mean(),
            value="detection_delay_mean", higher_is_better=False,
            path=root / "heatmap_delay.png",
        )
    if rows["policy"].nunique() > 1:
        bars = policy_summary(rows)
        figures["policies"] = plots.policy_bars(
            bars.rename(columns={"label": "policy", "policy": "policy_class"}),
            path=root / "policies.png")
        curves = _recovery_curves(rows, root)
        if curves:
            figures["recovery"] = plots.recovery_curves(
                curves[0], onset=curves[1], note=curves[2], path=root / "recovery.png"
            )
    return figures


#: What a policy bar is: the run-level configuration (no detector-row columns).
_RUN_KEYS = ("dataset", "drift", "model", "policy", "signal", "label_delay", "monitors")


def _run_keys(runs: pd.DataFrame) -> list[str]:
    return [c for c in _RUN_KEYS if c in runs] + [c for c in runs if "." in c]


def _run_labels(rows: pd.DataFrame) -> dict[str, str]:
    """Run → the name of its configuration: the policy, then every run-level value
    that varies across the sweep (``DriftTriggered · label delay 100``)."""
    runs = rows.drop_duplicates("run")
    keys = _run_keys(runs)
    varying = [k for k in keys if k != "policy" and runs[k].astype(str).nunique() > 1]
    return {row["run"]: " · ".join([str(row["policy"]),
                                    *(f"{k.replace('_', ' ')} {row[k]}" for k in varying)])
            for _, row in runs.iterrows()}


def policy_summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Accuracy lost and total cost per run configuration (policy × label delay × the
    monitors × every other swept parameter), each with its bootstrap interval and
    ``n``; ``label`` names the bar with what varies, so nothing is pooled unnamed.

    Examples
    --------
    >>> rows = pd.DataFrame({"run": ["a", "b", "c"], "policy": ["Never", "Never", "Oracle"],
    ...                      "label_delay": ["0", "100", "0"], "detector": ["D"] * 3,
    ...                      "is_baseline": [False] * 3, "run_accuracy_lost": [5.0, 9.0, 1.0],
    ...                      "run_total_cost": [50.0, 60.0, 70.0]})
    >>> policy_summary(rows)["label"].tolist()
    ['Never · label delay 0', 'Never · label delay 100', 'Oracle · label delay 0']
    """
    runs = rows[~rows["is_baseline"].astype(bool)].drop_duplicates("run")
    keys = _run_keys(runs)
    labels = _run_labels(rows)
    records = []
    for key, group in runs.groupby(keys, sort=True, dropna=False):
        record = dict(zip(keys, key, strict=True))
        record["label"] = labels[group["run"].iloc[0]]
        for metric in ("accuracy_lost", "total_cost"):
            values = group[f"run_{metric}"].astype(float).to_numpy()
            finite = values[np.isfinite(values)]
            low, high = bootstrap_mean(finite)
            record.update({metric: finite.mean() if finite.size else float("nan"),
                           f"{metric}_lo": low, f"{metric}_hi": high,
                           f"{metric}_n": int(finite.size)})
        records.append(record)
    return pd.DataFrame.from_records(records)


def _tradeoff_rows(rows: pd.DataFrame) -> pd.DataFrame | None:
    """Rows for the delay-vs-false-alarm chart: detector runs under the ``Never`` policy
    when there are any (other policies retrain, which changes what detectors see),
    baselines pooled by kind (one legend entry each, one point per matched rate), and
    confidence intervals only when there are enough seeds to make them informative."""
    picked = rows[rows["policy"] == "Never"] if (rows["policy"] == "Never").any() else rows
    matched = picked["baseline_for"].notna()
    picked = picked[~(matched & (picked["detector_class"] == "never"))].copy()
    # Under Never a detector's alarms do not depend on the other monitors of its run:
    # the same (detector, threshold, stream) seen in two studies is one point, once.
    same = [c for c in ("dataset", "drift", "signal", "label_delay", "seed", "detector",
                        "threshold", "baseline_for") if c in picked]
    picked = picked.astype({"threshold": object}).drop_duplicates(same)
    picked = picked.drop(columns=["monitors"], errors="ignore")
    if picked.empty or not picked["false_alarm_rate"].notna().any():
        return None
    picked["detector"] = picked["detector"].str.replace(r" \(.*\)$", "", regex=True)
    baseline = picked["baseline_for"].notna()
    # A matched baseline's "threshold" is the detector it is matched to.
    picked["threshold"] = picked["threshold"].astype(object)
    picked.loc[baseline, "threshold"] = picked.loc[baseline, "baseline_for"]
    summary = summarise(picked)
    summary["threshold"] = pd.to_numeric(summary["threshold"], errors="coerce")
    summary["is_baseline"] = summary["is_baseline"].astype(bool)
    if summary["runs"].min() < 5:  # intervals on fewer seeds would only clutter the chart
        summary = summary[[c for c in summary if not c.endswith(("_lo", "_hi"))]]
    return summary


def _recovery_curves(rows: pd.DataFrame, root: Path,
                     window: int = 100) -> tuple[dict, list[int], str] | None:
    """Mean rolling accuracy per run configuration (the labels of
    :func:`policy_summary`: policy × label delay × …) from the runs' traces, every
    harmful onset, and what the curves average over (seeds, window)."""
    from simulator.trace import Trace

    labels = _run_labels(rows)
    curves: dict[str, list[np.ndarray]] = {}
    onsets: set[int] = set()
    seeds: set[int] = set()
    runs = rows.drop_duplicates("run")
    for run, seed in runs[["run", "seed"]].itertuples(index=False):
        path = root / run / "trace.npz"
        if not path.exists():
            continue
        trace = Trace.load(path)
        harmful = [e["onset"] for e in trace.meta.get("stream_events", []) if e["harmful"]]
        if not harmful:
            continue
        onsets.update(int(t) for t in harmful)
        seeds.add(int(seed))
        curves.setdefault(labels[run], []).append(trace.rolling_accuracy(window))
    if not curves:
        return None
    length = min(len(c) for runs in curves.values() for c in runs)
    times = np.arange(length)
    note = (f"rolling window {window} samples; mean over seed(s) "
            f"{', '.join(map(str, sorted(seeds)))}")
    return ({label: (times, np.mean([c[:length] for c in runs], axis=0))
             for label, runs in curves.items()}, sorted(onsets), note)


def _skipped_note(rows: pd.DataFrame) -> list[str]:
    unreadable = rows.attrs.get("unreadable", [])
    if not unreadable:
        return []
    return [f"Skipped {len(unreadable)} unreadable result.json: {', '.join(unreadable)}."]


def aggregate(sweep_dir: str | Path, *, figures: bool = True, report: bool = True) -> Path:
    """Write ``summary.csv``, ``summary.md``, figures and ``report.html`` into
    ``sweep_dir``; return the path of ``summary.csv``.

    Examples
    --------
    >>> import tempfile
    >>> from experiments.run import compose, run
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = run(compose(["n_samples=3000", "drift=abrupt_concept", "policy=never",
    ...                      "score.oracle=false", "plot=false"]), output_dir=f"{d}/0")
    ...     path = aggregate(d, figures=False, report=False)
    ...     path.name, path.with_name("summary.md").exists()
    ('summary.csv', True)
    """
    root = Path(sweep_dir)
    rows = collect(root)
    remove_stale_temps(root)  # left by an aggregation that was killed mid-write
    clear_stale_temps(root)  # and by a job killed while it wrote to the sweep's cache
    summary = summarise(rows)
    atomic_write(root / "summary.csv", lambda tmp: rows.to_csv(tmp, index=False))
    text = _markdown(summary)
    atomic_write(root / "summary.md", lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    made = _figures(rows, summary, root) if figures else {}
    if report:
        from experiments.report import write_report
        from experiments.report_content import (
            GLOSSARY,
            figure_captions,
            headline_tables,
            timeline_links,
        )

        write_report(
            root / "report.html",
            title=f"driftsim sweep: {root.name}",
            tables=headline_tables(rows, summary),
            figures={name: _saved(root, name, fig) for name, fig in made.items()},
            notes=[
                f"{rows['run'].nunique()} runs over {rows['seed'].nunique()} seed(s); every "
                "detector is scored on its own alarms, beside data-blind baselines that "
                "fire at its rate; accuracy lost and time to recover are measured against "
                "the skyline (glossary below).",
                *_skipped_note(rows),
            ],
            glossary=GLOSSARY,
            captions=figure_captions(rows),
            appendix={"All configurations (mean [95 % interval] n over seeds)":
                      _readable(summary)},
            links=timeline_links(root, rows),
        )
    return root / "summary.csv"


def main(argv: list[str] | None = None) -> None:
    """``python -m experiments.aggregate DIR``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sweep_dir", help="a sweep folder (multirun/<date>/<time>)")
    parser.add_argument("--no-figures", action="store_true")
    parser.add_argument("--timelines", action="store_true",
                        help="also draw every run's deferred timeline.png (in parallel)")
    args = parser.parse_args(argv)
    if args.timelines:
        from experiments.timelines import render_missing

        print(f"drew {len(render_missing(args.sweep_dir))} timeline.png")
    path = aggregate(args.sweep_dir, figures=not args.no_figures,
                     report=not args.no_figures)
    print(f"wrote {path}, {path.with_name('summary.md')}"
          + ("" if args.no_figures else f" and {path.with_name('report.html')}"))


aggregate_sweep = aggregate  # the package-level name (``experiments.aggregate_sweep``)


if __name__ == "__main__":
    main()
