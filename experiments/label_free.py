"""``python -m experiments.label_free``: label-based, label-free and feature monitors
compared under label delay (the ``label_free`` experiment overlay).

Each approach is a set of overrides on ``conf/experiment/label_free.yaml``; the grid is
approach × label delay × drift × seed, one :func:`experiments.run.run` per cell (in
parallel with joblib), and the summary is, per drift, approach and delay: the mean
detection delay of the first alert (over the seeds that detected), how many seeds
missed the drift, false alarms, retrains and accuracy lost as the run scores it (the
area between the reference curve — the skyline by default, see ``score.skyline`` —
and this run's rolling accuracy, in accuracy × samples; lower is better).

Examples
--------
>>> sorted(APPROACHES)
['estimated', 'features', 'labels', 'sla']
>>> import pandas as pd
>>> runs = pd.DataFrame({"drift": ["d"] * 2, "approach": ["labels"] * 2,
...                      "label_delay": [0, 0], "seed": [0, 1],
...                      "detection_delay_mean": [100.0, None], "missed": [0, 1],
...                      "false_alarms": [0, 2], "retrains": [1, 1],
...                      "accuracy_lost": [10.0, 30.0]})
>>> summarise(runs).iloc[0].to_dict()["detection_delay"], summarise(runs).iloc[0]["missed"]
(100.0, '1/2')
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["APPROACHES", "main", "run_grid", "summarise"]

APPROACHES: dict[str, list[str]] = {
    "labels": ["policy=drift_triggered", "monitor=error", "detector=ddm"],
    "sla": ["policy=performance_sla", "monitor=error", "detector=no_drift"],
    "estimated": ["policy=performance_sla_estimated", "monitor=error", "detector=no_drift"],
    "features": ["policy=drift_triggered", "monitor=features", "detector=ks"],
}
_DESCRIPTION = {
    "labels": "error / DDM (labels)",
    "sla": "F1<0.85 x3 on labels",
    "estimated": "F1<0.85 x3 on CBPE estimate",
    "features": "features / KS (no labels)",
}
_KEEP = ("detection_delay_mean", "missed", "false_alarms", "retrains", "accuracy_lost")


def _one(approach: str, drift: str, delay: int, seed: int, n_samples: int) -> dict[str, Any]:
    import tempfile

    from experiments.metrics.runs import score_run
    from experiments.run import compose, run
    from simulator.trace import Trace

    cfg = compose(["experiment=label_free", *APPROACHES[approach], f"drift={drift}",
                   f"loop.label_delay={delay}", f"seed={seed}", f"n_samples={n_samples}",
                   "save_trace=true"])
    with tempfile.TemporaryDirectory() as tmp:
        metrics = run(cfg, output_dir=tmp)["metrics"]
        trace = Trace.load(Path(tmp) / "trace.npz")
    # Detections of every alert in the run: each approach has one monitor that can
    # alarm (the SLA policies bring their own; NoDrift beside them never fires).
    detection = score_run(trace, horizon=cfg.score.horizon)
    return {"drift": drift, "approach": approach, "label_delay": delay, "seed": seed,
            **{k: detection[k] for k in _KEEP[:3]}, **{k: metrics[k] for k in _KEEP[3:]}}


def run_grid(
    approaches: Sequence[str] = tuple(APPROACHES),
    delays: Sequence[int] = (0, 500, 5000),
    drifts: Sequence[str] = ("abrupt_covariate", "abrupt_concept"),
    seeds: Sequence[int] = (0, 1),
    n_samples: int = 10000,
    n_jobs: int = 2,
) -> Any:
    """Run every cell of the grid; one row per run (a pandas DataFrame)."""
    import pandas as pd
    from joblib import Parallel, delayed

    unknown = sorted(set(approaches) - set(APPROACHES))
    if unknown:
        raise ValueError(f"unknown approach(es) {unknown}; allowed: {sorted(APPROACHES)}")
    rows = Parallel(n_jobs=n_jobs)(
        delayed(_one)(a, d, int(delay), int(s), n_samples)
        for d in drifts for a in approaches for delay in delays for s in seeds
    )
    return pd.DataFrame(rows)


def summarise(runs: Any) -> Any:
    """Per drift, approach and delay: mean detection delay over detecting seeds, misses
    as ``k/n``, mean false alarms, retrains and accuracy lost."""
    keys = ["drift", "approach", "label_delay"]
    grouped = runs.groupby(keys, sort=False)
    out = grouped.agg(
        detection_delay=("detection_delay_mean", "mean"),
        missed=("missed", lambda m: f"{int(m.sum())}/{len(m)}"),
        false_alarms=("false_alarms", "mean"),
        retrains=("retrains", "mean"),
        accuracy_lost=("accuracy_lost", "mean"),
    ).reset_index()
    out["approach"] = out["approach"].map(lambda a: _DESCRIPTION.get(a, a))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point (``python -m experiments.label_free --help``)."""
    from experiments.files import atomic_write

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="outputs/label_free", help="output folder")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--n-samples", type=int, default=10000)
    args = parser.parse_args(argv)
    runs = run_grid(seeds=range(args.seeds), n_jobs=args.n_jobs, n_samples=args.n_samples)
    table = summarise(runs)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / "runs.csv", lambda tmp: runs.to_csv(tmp, index=False))
    text = table.to_string(index=False, float_format=lambda v: f"{v:.1f}")
    atomic_write(out / "summary.txt", lambda tmp: Path(tmp).write_text(text + "\n"))
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
