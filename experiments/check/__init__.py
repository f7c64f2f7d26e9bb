"""Monitoring real batches: baseline statistics and constraints, then checks.

The same decisions the simulator studies, taken on a user's own files — in the manner
of SageMaker Model Monitor's ``statistics.json`` / ``constraints.json``:

1. :func:`make_baseline` reads a reference table (CSV or Parquet) and writes a baseline
   folder: ``statistics.json`` (types, completeness, ranges, category sets,
   distribution summaries), ``constraints.json`` (what a batch must satisfy; edit it
   by hand) and ``reference.parquet`` (the rows the drift tests compare against).
2. :func:`check_batch` checks a new batch against it: data-quality violations,
   per-feature drift (:class:`detectors.AutoTest` — Evidently's default rules — or a
   chosen test, with a correction), and, when labels and predictions are given, the
   performance rule (e.g. F1 < 0.85 on 3 consecutive checks, history in SQLite).

``driftsim baseline`` / ``driftsim check`` (:mod:`experiments.cli`) wrap them; the exit
code is 0 (no violation), 1 (violations) or 2 (bad input).

Examples
--------
>>> import tempfile, numpy as np, pandas as pd
>>> from pathlib import Path
>>> rng = np.random.default_rng(0)
>>> ref = pd.DataFrame({"x": rng.normal(size=500), "c": rng.choice(["a", "b"], 500)})
>>> with tempfile.TemporaryDirectory() as tmp:
...     _ = ref.to_csv(Path(tmp) / "ref.csv", index=False)
...     base = make_baseline(Path(tmp) / "ref.csv", Path(tmp) / "base")
...     new = ref.assign(x=ref.x + 2.0)
...     _ = new.to_csv(Path(tmp) / "new.csv", index=False)
...     result = check_batch(Path(tmp) / "new.csv", Path(tmp) / "base")
>>> result.exit_code, [v.check for v in result.violations]
(1, ['baseline_drift_check'])
"""

from experiments.check.baseline import Baseline, make_baseline, read_table
from experiments.check.checks import CheckResult, Violation, check_batch

__all__ = ["Baseline", "CheckResult", "Violation", "check_batch", "make_baseline", "read_table"]
