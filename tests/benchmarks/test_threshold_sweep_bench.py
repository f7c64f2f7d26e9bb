"""The threshold comparison as one command, timed end to end: every shipped streaming
detector x its 20-value threshold grid x 10 seeds on one scenario (Iris, abrupt concept
drift, 5,000 samples), one real ``--multirun`` (10 jobs on the joblib launcher, then
the aggregation callback: tables, figures, report). Target: under 60 s on two cores.

Reference in the same run: the same sweep with each detector at its default threshold
only (``thresholds=null``): the ratio says what 20 thresholds per detector cost over
one. The trade-off chart is copied to ``outputs/benchmarks/threshold_tradeoff.png``.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

FIGURE = Path("outputs/benchmarks/threshold_tradeoff.png")


def _sweep(sweep_dir: Path, *extra: str) -> tuple[float, float]:
    """Run the sweep; return its wall and CPU seconds (the children's user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "experiments.run", "-m", "experiment=threshold_sweep",
         "detectors=[streaming]", f"hydra.sweep.dir={sweep_dir}", *extra],
        capture_output=True, text=True, timeout=900, check=False,
    )
    wall = time.perf_counter() - start
    assert done.returncode == 0, done.stderr[-3000:]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def test_all_streaming_detectors_20_thresholds_10_seeds(benchmark, tmp_path):
    load = os.getloadavg()[0]
    ref_wall, ref_cpu = _sweep(tmp_path / "reference", "thresholds=null")
    runs: list[tuple[float, float]] = []

    def grid() -> None:
        runs.append(_sweep(tmp_path / f"grid{len(runs)}"))

    benchmark.pedantic(grid, rounds=1, iterations=1)
    wall, cpu = runs[-1]
    sweep = tmp_path / "grid0"
    rows = pd.read_csv(sweep / "summary.csv")
    detectors = rows[~rows["is_baseline"]]
    pairs = detectors[["detector", "threshold"]].drop_duplicates()
    assert detectors["seed"].nunique() == 10
    assert len(pairs) == len(detectors) // 10  # every pair scored on every seed
    FIGURE.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sweep / "threshold_tradeoff.png", FIGURE)
    benchmark.extra_info.update({
        "detectors": int(pairs["detector"].nunique()), "pairs": len(pairs), "seeds": 10,
        "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
        "reference_wall_s": round(ref_wall, 1), "reference_cpu_s": round(ref_cpu, 1),
        "ratio_to_one_threshold": round(wall / ref_wall, 2),
        "load_average_at_start": round(load, 1), "figure": str(FIGURE.resolve()),
    })
    print(f"\n{pairs['detector'].nunique()} detectors, {len(pairs)} (detector, threshold) "
          f"pairs x 10 seeds: {wall:.1f} s wall, {cpu:.1f} s CPU (reference, one "
          f"threshold each: {ref_wall:.1f} s wall, {ref_cpu:.1f} s CPU; load average at "
          f"start {load:.1f} on {os.cpu_count()} cores); figure: {FIGURE.resolve()}")
