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
from experiments.files import atomic_write
from experiments.metrics.intervals import (
    bootstrap_mean,
    format_interval,
    poisson_rate,
    sig3,
    wilson,
)
from experiments.metrics.labels import metric_label

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


def _detector_specs(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    specs = {_short(config["detector"]["_target_"]): config["detector"]}
    for name, spec in (config.get("extra_detectors") or {}).items():
        if spec is not None:
            specs[str(name)] = spec
    return specs


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
    base["monitors"] = "+".join(result["monitors"])
    specs = _detector_specs(config)
    for name, scores in result["monitors"].items():
        spec = specs.get(name, {})
        cls = _detector_class(spec)
        used = scores.get("params")  # what the run used (calibrated or configured)
        if used is not None:
            param, value = used["threshold_param"], used["threshold"]
        else:  # a result written before runs recorded it
            sensitivity = sensitivity_of(cls)  # declared on the class: detectors/tags.py
            param = sensitivity.param if sensitivity else None
            value = _threshold(spec, cls, param)
        yield {
            **base,
            "detector": name,
            "detector_class": _short(spec.get("_target_")),
            "threshold_param": param,
            "threshold": value,
            "is_baseline": is_baseline(cls),
            **{k: scores["detector"].get(k) for k in DETECTION_COLUMNS},
            **run_metrics,
        }
        for kind in ("never", "periodic", "random"):
            yield {
                **base,
                "detector": f"baseline:{kind}",
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
    mask = frame["detector"].str.startswith("baseline:") & frame["baseline_for"].notna()
    if "baseline_for" in frame and frame.loc[mask, "baseline_for"].nunique() > 1:
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


def _interval(name: str, values: pd.DataFrame) -> tuple[float, float, float, int]:
    """(mean, low, high, n) of metric ``name`` over one configuration's rows, with the
    interval that fits the metric (:mod:`experiments.metrics.intervals`)."""
    column = values[name].astype(float)
    finite = column[np.isfinite(column)]
    mean = float(finite.mean()) if finite.size else float("nan")
    if name == "missed_detection_rate" and {"missed", "detections"} <= set(values):
        missed = int(values["missed"].fillna(0).sum())
        trials = missed + int(values["detections"].fillna(0).sum())
        return (missed / trials if trials else float("nan"), *wilson(missed, trials), trials)
    if name == "false_alarm_rate" and {"false_alarms", "drift_free_samples"} <= set(values):
        count = int(values["false_alarms"].fillna(0).sum())
        exposure = float(values["drift_free_samples"].fillna(0).sum())
        rate = 1000.0 * count / exposure if exposure > 0 else float("nan")
        return (rate, *poisson_rate(count, exposure), len(values))
    return (mean, *bootstrap_mean(finite.to_numpy()), int(finite.size))


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
    records = []
    # dropna=False: a configuration with no threshold (a baseline) is still a group.
    for key, group in rows.groupby(keys, sort=True, dropna=False):
        record = dict(zip(keys, key, strict=True))
        record["runs"] = len(group)
        for metric in metrics:
            mean, low, high, n = _interval(metric, group)
            record.update({metric: mean, f"{metric}_lo": low, f"{metric}_hi": high,
                           f"{metric}_n": n})
        records.append(record)
    return pd.DataFrame.from_records(records)


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


def _figures(rows: pd.DataFrame, summary: pd.DataFrame, root: Path) -> dict[str, Any]:
    from experiments import plots

    figures: dict[str, Any] = {}
    tradeoff = _tradeoff_rows(rows)
    if tradeoff is not None:
        figures["threshold_tradeoff"] = plots.threshold_tradeoff(
            tradeoff, path=root / "threshold_tradeoff.png"
        )
    if summary["drift"].nunique() > 1 and summary["detector"].nunique() > 1:
        detectors = summary[~summary["detector"].str.startswith("baseline:")]
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
                curves[0], onset=curves[1], path=root / "recovery.png"
            )
    return figures


#: What a policy bar is: the run-level configuration (no detector-row columns).
_RUN_KEYS = ("dataset", "drift", "model", "policy", "signal", "label_delay", "monitors")


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
    keys = [c for c in _RUN_KEYS if c in runs] + [c for c in runs if "." in c]
    varying = [k for k in keys if k != "policy" and runs[k].astype(str).nunique() > 1]
    records = []
    for key, group in runs.groupby(keys, sort=True, dropna=False):
        record = dict(zip(keys, key, strict=True))
        words = [f"{k.replace('_', ' ')} {record[k]}" for k in varying]
        record["label"] = " · ".join([str(record["policy"]), *words])
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
    picked = picked[~picked["detector"].str.startswith("baseline:never")].copy()
    if picked.empty or not picked["false_alarm_rate"].notna().any():
        return None
    picked["detector"] = picked["detector"].str.replace(r" \(.*\)$", "", regex=True)
    baseline = picked["detector"].str.startswith("baseline:")
    # A matched baseline's "threshold" is the detector it is matched to.
    picked["threshold"] = picked["threshold"].astype(object)
    picked.loc[baseline, "threshold"] = picked.loc[baseline, "baseline_for"]
    summary = summarise(picked)
    summary["threshold"] = pd.to_numeric(summary["threshold"], errors="coerce")
    summary["is_baseline"] = summary["detector"].str.startswith("baseline:")
    if summary["runs"].min() < 5:  # intervals on fewer seeds would only clutter the chart
        summary = summary[[c for c in summary if not c.endswith(("_lo", "_hi"))]]
    return summary


def _recovery_curves(rows: pd.DataFrame, root: Path) -> tuple[dict, int] | None:
    """Mean rolling accuracy per policy around the first harmful onset, from traces."""
    from simulator.trace import Trace

    curves: dict[str, list[np.ndarray]] = {}
    onset = None
    for run, policy in rows.drop_duplicates("run")[["run", "policy"]].itertuples(index=False):
        path = root / run / "trace.npz"
        if not path.exists():
            continue
        trace = Trace.load(path)
        harmful = [e["onset"] for e in trace.meta.get("stream_events", []) if e["harmful"]]
        if not harmful:
            continue
        onset = harmful[0] if onset is None else onset
        curves.setdefault(policy, []).append(trace.rolling_accuracy(100))
    if not curves or onset is None:
        return None
    length = min(len(c) for runs in curves.values() for c in runs)
    times = np.arange(length)
    return {p: (times, np.mean([c[:length] for c in runs], axis=0))
            for p, runs in curves.items()}, int(onset)


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
    summary = summarise(rows)
    atomic_write(root / "summary.csv", lambda tmp: rows.to_csv(tmp, index=False))
    text = _markdown(summary)
    atomic_write(root / "summary.md", lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    made = _figures(rows, summary, root) if figures else {}
    if report:
        from experiments.report import write_report

        write_report(
            root / "report.html",
            title=f"driftsim sweep: {root.name}",
            tables={"Summary (mean ± 95 % CI over seeds)": summary},
            figures=made,
            notes=[
                f"{rows['run'].nunique()} runs, {len(rows)} rows; baselines fire at each "
                "detector's own alarm rate.",
                "False-alarm rate: false alarms per 1,000 drift-free samples. Delay: samples "
                "from onset to the first alarm inside the detection horizon.",
                *_skipped_note(rows),
            ],
        )
    return root / "summary.csv"


def main(argv: list[str] | None = None) -> None:
    """``python -m experiments.aggregate DIR``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sweep_dir", help="a sweep folder (multirun/<date>/<time>)")
    parser.add_argument("--no-figures", action="store_true")
    args = parser.parse_args(argv)
    path = aggregate(args.sweep_dir, figures=not args.no_figures,
                     report=not args.no_figures)
    print(f"wrote {path}, {path.with_name('summary.md')}"
          + ("" if args.no_figures else f" and {path.with_name('report.html')}"))


aggregate_sweep = aggregate  # the package-level name (``experiments.aggregate_sweep``)


if __name__ == "__main__":
    main()
