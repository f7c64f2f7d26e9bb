"""Sweep workers end with their launcher (experiments.workers.exit_with_parent).

Real processes: a spawned child starts a "job" (calls ``exit_with_parent``) after its
parent has died — as a loky worker does that reads a job queued before the launcher
was killed — and must end at once instead of running it; with its parent alive it runs
the job, and ends within a poll or two once the parent dies.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: A parent that spawns one worker, then lives ``parent_lives`` seconds and dies
#: without joining it (as ``kill -9`` would leave it).
PARENT = textwrap.dedent("""
    import multiprocessing, os, sys, time
    from pathlib import Path

    def job(folder, wait):
        time.sleep(wait)  # the parent may die meanwhile
        from experiments.workers import exit_with_parent
        exit_with_parent()
        Path(folder, "started").write_text(str(os.getpid()))
        for _ in range(100):
            time.sleep(0.1)
        Path(folder, "finished").write_text("")

    if __name__ == "__main__":
        folder, wait, parent_lives = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
        worker = multiprocessing.get_context("spawn").Process(target=job, args=(folder, wait))
        worker.start()
        Path(folder, "worker").write_text(str(worker.pid))
        time.sleep(parent_lives)
        os._exit(0)
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead but not yet reaped: read its state.
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state != "Z"


def _run_parent(tmp_path: Path, wait: float, parent_lives: float) -> int:
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, str(script), str(tmp_path), str(wait), str(parent_lives)],
                   env=env, check=True, timeout=60)
    return int((tmp_path / "worker").read_text())


def _wait_until_dead(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _alive(pid)


def test_a_worker_orphaned_before_its_job_does_not_run_it(tmp_path: Path) -> None:
    worker = _run_parent(tmp_path, wait=1.5, parent_lives=0.0)
    assert _wait_until_dead(worker, 30)
    assert not (tmp_path / "started").exists()


def test_a_worker_running_a_job_ends_soon_after_its_parent(tmp_path: Path) -> None:
    worker = _run_parent(tmp_path, wait=0.0, parent_lives=4.0)
    assert (tmp_path / "started").exists()  # the parent lived while the job started
    assert _wait_until_dead(worker, 5)
    assert not (tmp_path / "finished").exists()
