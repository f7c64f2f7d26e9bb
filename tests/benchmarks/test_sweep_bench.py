"""Sweep throughput: the README's kind of sweep (16 jobs: ``detector=adwin,ddm
seed='range(8)'`` on the default mixed-drift Iris run, oracle and figures on) through
the real Hydra CLI with the joblib launcher, on 1 and 2 workers.

Side by side in one run: per-run ``timeline.png`` drawn inside each job
(``timeline=now``, what every job did before) against the default (drawn later, from
the saved traces: ``experiments.timelines``). Jobs per minute count the whole command:
Hydra start-up, cold workers, the jobs and the aggregation callback (tables, sweep
figures, report).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
JOBS = 16


def _sweep(folder: Path, n_jobs: int, *extra: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "experiments.run", "-m", "detector=adwin,ddm", "seed=range(8)",
         f"hydra.sweep.dir={folder}", f"hydra.launcher.n_jobs={n_jobs}", *extra],
        cwd=folder.parent, env=env, check=True, capture_output=True, timeout=1200,
    )
    return time.perf_counter() - start


def test_sweep_jobs_per_minute(benchmark, tmp_path: Path) -> None:
    rates: dict[str, float] = {}
    for n_jobs in (1, 2):
        for label, extra in (("figures in each job", ("timeline=now",)), ("deferred", ())):
            key = f"{label}, {n_jobs} worker(s)"
            seconds = _sweep(tmp_path / key.replace(" ", "_").replace(",", ""), n_jobs, *extra)
            rates[key] = JOBS * 60 / seconds
    benchmark.extra_info.update({f"jobs/min, {k}": round(v, 1) for k, v in rates.items()})
    for k, v in rates.items():
        print(f"{k:<36} {v:6.1f} jobs/min")
    benchmark.pedantic(_sweep, args=(tmp_path / "timed", 2), rounds=1, iterations=1)
    assert all(v > 0 for v in rates.values())
