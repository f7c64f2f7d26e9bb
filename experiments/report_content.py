"""What a sweep's ``report.html`` says: a headline table per question the sweep can
answer, a glossary, figure captions that say what they aggregate, links to each run.

The questions a sweep may answer, each only when the sweep varies what it needs:

* **Which detector?** — several detectors watched the same stream under the ``Never``
  policy: each one's own false-alarm rate, delay, missed share and MTR.
* **Which threshold?** — a detector ran at several values of its sensitivity
  parameter: the same scores per value.
* **Which policy, at which label delay?** — several policies (or label delays): the
  run's accuracy, accuracy lost against the skyline, retrains and cost.

Every cell is ``mean [95 % interval] n=…`` (:mod:`experiments.metrics.intervals`).

Examples
--------
>>> sorted(GLOSSARY)[:2]
['MDR (missed-detection rate)', 'MTD (mean time to detection)']
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.metrics.intervals import bootstrap_mean, format_interval

__all__ = ["GLOSSARY", "figure_captions", "headline_tables", "timeline_links"]

#: Every measure the report shows: what it is, its unit, its formula.
GLOSSARY: dict[str, str] = {
    "false-alarm rate": "alarms that detect no drift, per 1,000 drift-free samples "
    "(false alarms / drift-free samples × 1000). Interval: exact Poisson on the count "
    "pooled over seeds.",
    "detection delay": "samples from a drift's onset to the first alarm at or after it, "
    "within the detection horizon and before the next drift (t_alarm − t_onset).",
    "MTD (mean time to detection)": "mean detection delay over the detected drifts, in "
    "samples.",
    "MTFA (mean time between false alarms)": "drift-free samples per false alarm, in "
    "samples (infinite without false alarms).",
    "MDR (missed-detection rate)": "missed drifts / drifts, a share in [0, 1]. Interval: "
    "Wilson, on counts pooled over seeds (n = drifts).",
    "MTR (mean time ratio)": "MTFA / MTD × (1 − MDR), unitless; higher is better "
    "(Bifet et al., MOA).",
    "skyline": "at each sample, the expected accuracy of a model of the served class "
    "trained on ample i.i.d. data from the distribution in force there (for a gradual "
    "drift, the mixture in force), with no label delay or latency: a bound no policy "
    "beats beyond noise.",
    "oracle policy": "retrains at the true onsets of the harmful drifts with the same "
    "data budget as the other policies: the best timing, not a bound.",
    "accuracy lost": "area between the skyline's and the run's rolling accuracy, "
    "Σ max(0, skyline − run) over samples, in samples' worth of accuracy (for a 0/1 "
    "drop, the number of extra errors).",
    "time to recover": "samples from a harmful onset until the run's rolling accuracy is "
    "back within ε of the skyline's (counted from the deepest point; runs still behind "
    "at the next onset are 'not recovered').",
    "cost": "errors × error price + revealed labels × label price + each retraining "
    "job's price, in cost units (the prices are the run's config).",
    "n": "what an interval rests on: runs (seeds), or drifts for the missed share. "
    "Intervals are 95 %; for means over runs, a percentile bootstrap.",
}


def _cells(summary: pd.DataFrame, metrics: dict[str, str]) -> pd.DataFrame:
    out = {}
    for metric, name in metrics.items():
        if metric in summary:
            out[name] = [format_interval(*v) for v in zip(
                summary[metric], summary[f"{metric}_lo"], summary[f"{metric}_hi"],
                summary[f"{metric}_n"], strict=True)]
    return pd.DataFrame(out, index=summary.index)


_DETECTION = {"false_alarm_rate": "false alarms / 1,000", "detection_delay_mean":
              "delay (samples)", "missed_detection_rate": "missed share", "mtr": "MTR"}


def _which_detector(summary: pd.DataFrame) -> pd.DataFrame | None:
    own = summary[~summary["is_baseline"].astype(bool) & (summary["policy"] == "Never")]
    if own["detector"].nunique() < 2:
        return None
    # one row per detector: at its most-run threshold (the one most seeds saw)
    best = own.sort_values("runs", ascending=False, kind="stable").drop_duplicates("detector")
    best = best.sort_values("mtr", ascending=False, na_position="last")
    table = _cells(best, _DETECTION)
    table.insert(0, "threshold", [f"{p}={t:.3g}" if isinstance(t, float) and np.isfinite(t)
                                  else "–" for p, t in zip(best["threshold_param"],
                                                           best["threshold"], strict=True)])
    table.insert(0, "detector", best["detector"].to_numpy())
    return table.reset_index(drop=True)


def _which_threshold(summary: pd.DataFrame) -> pd.DataFrame | None:
    own = summary[~summary["is_baseline"].astype(bool)]
    swept = own.groupby("detector")["threshold"].nunique()
    own = own[own["detector"].isin(swept[swept > 1].index)]
    if own.empty:
        return None
    own = own.sort_values(["detector", "threshold"])
    table = _cells(own, _DETECTION)
    table.insert(0, "threshold", [f"{p}={t:.3g}" for p, t in zip(
        own["threshold_param"], own["threshold"].astype(float), strict=True)])
    table.insert(0, "detector", own["detector"].to_numpy())
    return table.reset_index(drop=True)


def _which_policy(rows: pd.DataFrame) -> pd.DataFrame | None:
    runs = rows[rows["baseline_for"].isna()].drop_duplicates("run")
    if runs["policy"].nunique() < 2 and runs["label_delay"].nunique() < 2:
        return None
    records = []
    for (policy, delay, monitors), group in runs.groupby(["policy", "label_delay", "monitors"]):
        record = {"policy": policy, "label delay": delay, "monitors": monitors}
        for column, name in (("run_accuracy", "accuracy"),
                             ("run_accuracy_lost", "accuracy lost (samples' worth)"),
                             ("run_retrains", "retrains"),
                             ("run_total_cost", "total cost (cost units)")):
            values = group[column].astype(float).to_numpy()
            values = values[np.isfinite(values)]
            mean = values.mean() if values.size else float("nan")
            record[name] = format_interval(mean, *bootstrap_mean(values), values.size)
        records.append(record)
    table = pd.DataFrame.from_records(records)
    if table["monitors"].nunique() < 2:
        table = table.drop(columns="monitors")
    return table


def headline_tables(rows: pd.DataFrame, summary: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Caption → table, one per question this sweep can answer (module docstring)."""
    out = {}
    answers = (
        ("Which detector? Each detector's own alarms on the same streams (policy Never; "
         "mean over seeds [95 % interval] n; best MTR first)", _which_detector(summary)),
        ("Which threshold? Each detector across its sensitivity values",
         _which_threshold(summary)),
        ("Which policy, at which label delay? Run-level accuracy, loss against the "
         "skyline, retrains and cost", _which_policy(rows)),
    )
    for caption, table in answers:
        if table is not None and not table.empty:
            out[caption] = table
    return out


def figure_captions(rows: pd.DataFrame) -> dict[str, str]:
    """What each standard figure aggregates, in this sweep's numbers."""
    seeds = rows["seed"].nunique()
    runs = rows["run"].nunique()
    return {
        "threshold_tradeoff": f"Detection delay against false-alarm rate, one point per "
        f"(detector, threshold), each the mean over its runs under policy Never ({seeds} "
        "seed(s)); rings show the missed share; hollow markers on the top edge: no drift "
        "detected (delay undefined); grey: data-blind baselines at the detector's rate.",
        "heatmap": f"MTR per detector and scenario, mean over {seeds} seed(s); grey: no run.",
        "heatmap_delay": f"Mean detection delay (samples) per detector and scenario, mean "
        f"over {seeds} seed(s).",
        "policies": f"Accuracy lost against the skyline (samples' worth) and total cost "
        f"(cost units) per run configuration, mean over its runs ({runs} runs in all); "
        "error bars: 95 % bootstrap intervals of the mean.",
        "recovery": f"Rolling served accuracy per policy, mean over its runs ({seeds} "
        "seed(s)); dotted lines: the harmful drift onsets; the window is in the axis label.",
    }


def timeline_links(root: str | Path, rows: pd.DataFrame) -> list[tuple[str, str]]:
    """``(run, relative path of its timeline.png)`` for every run that has one.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     (Path(d) / "a").mkdir()
    ...     _ = (Path(d) / "a" / "timeline.png").write_bytes(b"")
    ...     timeline_links(d, pd.DataFrame({"run": ["a", "b"]}))
    [('a', 'a/timeline.png')]
    """
    root = Path(root)
    return [(run, f"{run}/timeline.png") for run in sorted(rows["run"].unique())
            if (root / run / "timeline.png").exists()]
