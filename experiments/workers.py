"""Sweep workers that do not outlive their sweep.

joblib's loky workers finish the job they are running even when the launcher
process is killed (``kill -9``): they notice only when they next read their task
queue. A worker orphaned like that keeps computing, and a resumed sweep could run
the same job beside it. :func:`exit_with_parent`, called at the start of every job,
makes a loky worker end itself as soon as its parent is gone.

Examples
--------
>>> exit_with_parent()  # in the main process: nothing to watch
False
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time

__all__ = ["exit_with_parent"]

_watching = False
#: Seconds between two looks at the parent.
POLL = 0.2


def _watch(parent: int) -> None:
    while True:
        time.sleep(POLL)
        if os.getppid() != parent:  # re-parented: the launcher died
            os._exit(70)  # no cleanup: the job's atomic writes leave no partial file


def exit_with_parent() -> bool:
    """In a worker process (not ``MainProcess``), start a daemon thread that ends the
    process when its parent dies; return whether one is watching. Idempotent.

    A worker whose parent is already gone ends at once: loky queues a job or two ahead,
    and a worker orphaned before it read one would otherwise run it beside a resumed
    sweep. The parent is the one recorded when the worker was spawned
    (``multiprocessing.parent_process()``), since ``os.getppid()`` of an orphan already
    names whichever process adopted it.
    """
    global _watching
    if _watching or multiprocessing.current_process().name == "MainProcess":
        return _watching
    spawned_by = multiprocessing.parent_process()
    parent = spawned_by.pid if spawned_by is not None else os.getppid()
    if os.getppid() != parent:
        os._exit(70)
    threading.Thread(target=_watch, args=(parent,), daemon=True,
                     name="driftsim-exit-with-parent").start()
    _watching = True
    return True
