"""A sweep killed at random moments and resumed matches an uninterrupted one exactly.

A real ``--multirun`` with two joblib workers is SIGKILLed (the launcher process,
as ``kill -9`` would) three times, then run to the end. Each kill falls at a seeded
random moment after a job is seen mid-run (its ``job.json`` written, no
``result.json`` yet), so it lands inside the sweep however fast or loaded the machine
is: a moment drawn from the first run's duration could fall after a resumed sweep,
which skips finished jobs, had already ended.
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


def _job_files(sweep_dir: Path) -> set[tuple[str, int, int]]:
    """Each job.json as (path, inode, mtime): a job (re)started writes a new one."""
    out = set()
    for job in sweep_dir.glob("*/job.json"):
        try:
            stat = job.stat()
        except FileNotFoundError:  # being replaced right now
            continue
        out.add((str(job), stat.st_ino, stat.st_mtime_ns))
    return out


def _job_running(sweep_dir: Path, before: set[tuple[str, int, int]]) -> bool:
    """A job this launcher started (a job.json not seen before) has no result yet."""
    return any(not (Path(path).parent / "result.json").exists()
               for path, *_ in _job_files(sweep_dir) - before)


def _kill_mid_job(proc: subprocess.Popen, sweep_dir: Path, before: set, delay: float) -> bool:
    """SIGKILL the launcher ``delay`` s after a job is seen running; False if it ended."""
    while proc.poll() is None and not _job_running(sweep_dir, before):
        time.sleep(0.02)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)  # the launcher only: workers must notice
        proc.wait()
        return True
    return False


def _files(sweep_dir: Path) -> set[str]:
    return {str(p.relative_to(sweep_dir)) for p in sweep_dir.rglob("*")
            if p.is_file() and ".hydra" not in p.parts and not p.name.endswith(".log")}


@pytest.mark.slow
def test_a_killed_and_resumed_sweep_equals_an_uninterrupted_one(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    done = _start(reference)
    assert done.wait(timeout=300) == 0, done.stderr.read().decode()[-3000:]

    killed = tmp_path / "killed"
    rng = np.random.default_rng(20261205)
    kills = 0
    for delay in rng.uniform(0.0, 0.5, size=3):
        before = _job_files(killed)
        proc = _start(killed)
        kills += _kill_mid_job(proc, killed, before, float(delay))
        deadline = time.monotonic() + 30
        while _alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(proc.pid), "a worker of the killed sweep outlived it"
    assert kills >= 2  # the kills fell inside the sweep, not after it
    assert len(_results(killed)) < 4  # and left work for the resumed sweep

    final = _start(killed)
    assert final.wait(timeout=300) == 0, final.stderr.read().decode()[-3000:]
    assert _results(killed) == _results(reference)
    assert len(_results(reference)) == 4
    assert not [p for p in killed.rglob(".tmp.*")], "temporary files left behind"
    assert _files(killed) == _files(reference)
