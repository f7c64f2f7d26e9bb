"""A sweep killed at random moments and resumed matches an uninterrupted one exactly.

A real ``--multirun`` with two joblib workers is SIGKILLed (the launcher process,
as ``kill -9`` would) at seeded random moments, three times, then run to the end.
Every job's ``result.json`` must equal the uninterrupted sweep's (timings aside),
no temporary file may be left anywhere, and no worker of a killed sweep may
outlive it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SWEEP = ["-m", "detector=adwin,page_hinkley", "seed=0,1", "drift=abrupt_concept",
         "n_samples=2500", "policy=drift_triggered", "score.oracle=false", "timeline=now",
         "hydra.launcher.n_jobs=2"]
#: What may differ between two runs of the same job.
VOLATILE = ("timings", "versions", "skipped")


def _start(sweep_dir: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "experiments.run", *SWEEP, f"hydra.sweep.dir={sweep_dir}"],
        cwd=sweep_dir.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the workers are found by it
    )


def _alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _results(sweep_dir: Path) -> dict[str, dict]:
    out = {}
    for path in sorted(sweep_dir.glob("*/result.json")):
        result = json.loads(path.read_text())
        out[path.parent.name] = {k: v for k, v in result.items() if k not in VOLATILE}
    return out


def _files(sweep_dir: Path) -> set[str]:
    return {str(p.relative_to(sweep_dir)) for p in sweep_dir.rglob("*")
            if p.is_file() and ".hydra" not in p.parts and not p.name.endswith(".log")}


@pytest.mark.slow
def test_a_killed_and_resumed_sweep_equals_an_uninterrupted_one(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    start = time.perf_counter()
    done = _start(reference)
    assert done.wait(timeout=300) == 0, done.stderr.read().decode()[-3000:]
    duration = time.perf_counter() - start

    killed = tmp_path / "killed"
    rng = np.random.default_rng(20261205)
    kills = 0
    for moment in rng.uniform(0.3, 0.95, size=3) * duration:
        proc = _start(killed)
        try:
            proc.wait(timeout=moment)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)  # the launcher only: workers must notice
            proc.wait()
            kills += 1
        deadline = time.monotonic() + 30
        while _alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(proc.pid), "a worker of the killed sweep outlived it"
    assert kills >= 2  # the moments fell inside the sweep, not after it

    final = _start(killed)
    assert final.wait(timeout=300) == 0, final.stderr.read().decode()[-3000:]
    assert _results(killed) == _results(reference)
    assert len(_results(reference)) == 4
    assert not [p for p in killed.rglob(".tmp.*")], "temporary files left behind"
    assert _files(killed) == _files(reference)
