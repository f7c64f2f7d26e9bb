"""``make run``: the default comparison on Iris, with a table, figures and a report.

Two small studies on one mixed drift scenario (a benign covariate shift, a gradual
class swap, a prior shift), three seeds each:

1. detectors — ADWIN, DDM, HDDM-A, Page-Hinkley and KSWIN watch the same served
   model's errors (no retraining), scored against the ground truth next to the
   baselines that fire at the same rate;
2. policies — never, drift-triggered (DDM on errors) and the oracle, scored on
   accuracy, accuracy lost against the oracle, retrains and cost.

Everything goes under ``outputs/main/<timestamp>/``: one folder per run with its
``result.json`` and ``timeline.png``, then ``summary.csv``, ``summary.md``, the figures
and ``report.html`` for the whole comparison.

Examples
--------
>>> jobs = plan(seeds=1)
>>> [name for name, _ in jobs]  # doctest: +NORMALIZE_WHITESPACE
['detectors/seed0', 'policies/drift_triggered/seed0', 'policies/never/seed0',
 'policies/oracle/seed0']
"""

from __future__ import annotations

import argparse
import math
import time
from datetime import datetime
from pathlib import Path

import pandas as pd

from experiments.metrics.intervals import format_interval

__all__ = ["main", "plan"]

#: conf/detector options compared in the detector study (specs come from conf/detector).
DETECTORS = ("adwin", "ddm", "hddm_a", "page_hinkley", "kswin")
POLICIES = ("never", "drift_triggered", "oracle")


def plan(seeds: int = 3) -> list[tuple[str, list[str]]]:
    """The runs of the comparison: ``(folder name, Hydra overrides)``."""
    common = ["dataset=iris", "drift=mixed", "n_samples=5000"]
    jobs = []
    for seed in range(seeds):
        jobs.append((f"detectors/seed{seed}", [*common, f"detectors=[{','.join(DETECTORS)}]",
                                               "policy=never", "score.oracle=false",
                                               f"seed={seed}"]))
    for policy in POLICIES:
        for seed in range(seeds):
            jobs.append((f"policies/{policy}/seed{seed}",
                         [*common, "detector=ddm", f"policy={policy}", f"seed={seed}"]))
    return sorted(jobs, key=lambda job: (job[0].split("/seed")[1], job[0]))


def _fmt(value: object, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def _table(frame: pd.DataFrame, columns: dict[str, str]) -> str:
    header = [columns[c] for c in columns]
    rows = [[_fmt(row[c]) for c in columns] for _, row in frame.iterrows()]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    body = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join([line, "-" * len(line), *body])


def _detector_table(rows: pd.DataFrame) -> str:
    """The detector study: each detector's own scores (and its matched baselines)."""
    from experiments.aggregate import summarise

    studied = rows[rows["run"].str.startswith("detectors")]
    studied = studied[studied["baseline_for"].isna() | (studied["baseline_for"] == "ADWIN")]
    s = summarise(studied)
    for m in ("false_alarm_rate", "detection_delay_mean", "missed_detection_rate"):
        s[m] = [format_interval(*v) for v in zip(s[m], s[f"{m}_lo"], s[f"{m}_hi"],
                                                 s[f"{m}_n"], strict=True)]
    return ("\nDetectors on the served model's errors, each scored on its own alarms (mean "
            "over seeds [95 % interval] n=runs, or n=drifts for missed; baselines fire at "
            "ADWIN's rate):\n" + _table(s, {
                "detector": "detector", "false_alarm_rate": "false alarms/1k",
                "detection_delay_mean": "delay (samples)",
                "missed_detection_rate": "missed share", "mtr": "MTR"}))


def _policy_table(rows: pd.DataFrame) -> str:
    """The policy study: run-level accuracy, loss, retrains and cost per policy."""
    from experiments.metrics.intervals import bootstrap_mean

    runs = rows[rows["baseline_for"].isna() & rows["run"].str.startswith("pol")]
    records = []
    for policy, group in runs.drop_duplicates("run").groupby("policy"):
        record = {"policy": policy}
        for column in ("run_accuracy", "run_accuracy_lost", "run_retrains", "run_total_cost"):
            values = group[column].astype(float).to_numpy()
            record[column] = format_interval(values.mean(), *bootstrap_mean(values),
                                             len(values))
        records.append(record)
    return ("\nRetraining policies (DDM on errors; mean over seeds [95 % interval] n=runs; "
            "accuracy lost in samples' worth against the skyline, cost in cost units):\n"
            + _table(pd.DataFrame.from_records(records), {
                "policy": "policy", "run_accuracy": "accuracy",
                "run_accuracy_lost": "accuracy lost", "run_retrains": "retrains",
                "run_total_cost": "total cost"}))


def main(argv: list[str] | None = None) -> Path:
    """Run the comparison, print the tables and say where the report is."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="outputs/main", help="parent folder of the results")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per configuration")
    args = parser.parse_args(argv)

    from experiments.aggregate import aggregate, collect
    from experiments.run import compose, run

    out = Path(args.out) / datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    jobs = plan(args.seeds)
    print(f"driftsim: {len(jobs)} runs on Iris (mixed drift), results in {out}/", flush=True)
    start = time.perf_counter()
    for k, (name, overrides) in enumerate(jobs, 1):
        t = time.perf_counter()
        run(compose(overrides), output_dir=out / name)
        print(f"  [{k:2d}/{len(jobs)}] {name:<34} {time.perf_counter() - t:5.1f} s", flush=True)
    print("aggregating: tables, figures, report ...", flush=True)
    aggregate(out)

    rows = collect(out)
    print(_detector_table(rows))
    print(_policy_table(rows))
    print(f"\ndone in {time.perf_counter() - start:.0f} s")
    print(f"report:  {out / 'report.html'}")
    print(f"tables:  {out / 'summary.csv'}, {out / 'summary.md'}")
    print(f"figures: {', '.join(sorted(p.name for p in out.glob('*.png')))}")
    print(f"per run: {out}/<study>/.../timeline.png and result.json")
    return out


if __name__ == "__main__":
    main()
