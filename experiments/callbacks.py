"""Hydra callbacks: gather a sweep's results when the last job has finished.

``conf/config.yaml`` registers :class:`AggregateOnMultirunEnd`, so every
``--multirun`` ends with ``summary.csv``, ``summary.md``, the figures and
``report.html`` in its sweep folder.

Examples
--------
>>> AggregateOnMultirunEnd(figures=False).figures
False
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

__all__ = ["AggregateOnMultirunEnd"]

log = logging.getLogger(__name__)


class AggregateOnMultirunEnd(Callback):
    """Run :func:`experiments.aggregate.aggregate` on the sweep folder at its end.

    A failure to aggregate is logged, never raised: the jobs' results are safe on
    disk, and ``python -m experiments.aggregate DIR`` can be rerun by hand.
    """

    def __init__(self, figures: bool = True) -> None:
        self.figures = figures

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        from experiments.aggregate import aggregate

        sweep_dir = config.hydra.sweep.dir
        _remove_submitit_placeholders(Path(sweep_dir))
        try:
            path = aggregate(sweep_dir, figures=self.figures, report=self.figures)
        except Exception as exc:  # never lose a finished sweep to a plotting error
            log.error("aggregating %s failed: %s: %s", sweep_dir, type(exc).__name__, exc)
            return
        log.info("sweep summary: %s", path)
        print(f"[driftsim] sweep summary: {path} (report: {path.with_name('report.html')})")


def _remove_submitit_placeholders(sweep_dir: Path) -> None:
    """Remove the empty ``.submitit/%j`` folder the submitit launcher creates from its
    unexpanded folder template; job folders with logs are kept."""
    for folder in sweep_dir.glob(".submitit/*%*"):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
