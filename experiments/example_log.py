"""Write the example production log shipped in ``experiments/data/loan_log.csv``.

``python -m experiments.example_log [PATH]`` (default: that file) writes 180 days of
a credit-scoring model's traffic, one row per application, in time order:

* ``timestamp``: arrival time; 30 applications a day on average (Poisson), at
  uniformly random times of day, from 2024-01-01;
* ``x0``, ``x1``, ``x2``: the applicant's three scores, uniform on [0, 10] (SEA's
  features, rounded to 3 decimals), and ``region``: north, south, east or west (equally
  likely);
* ``label``: 1 when ``x0 + x1 > θ``, flipped for 10 % of rows (label noise).

**The documented drift**: θ is 8 until 2024-04-01 and 9 from then on (SEA's concept
switch 8 → 9), so a model of the first three months is wrong on applicants with
``8 < x0 + x1 <= 9``, about 8.5 % of them. Retraining on a recent window (e.g. the
last 30 days) recovers. Everything is seeded (seed 0): the file is reproducible.

Examples
--------
>>> frame = make_log(days=3, seed=1)
>>> list(frame.columns), frame["timestamp"].is_monotonic_increasing
(['timestamp', 'x0', 'x1', 'x2', 'region', 'label'], True)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

from experiments.files import atomic_write

__all__ = ["DRIFT_DATE", "PATH", "main", "make_log"]

PATH = Path(__file__).resolve().parent / "data" / "loan_log.csv"
START = np.datetime64("2024-01-01T00:00:00", "s")
DRIFT_DATE = np.datetime64("2024-04-01T00:00:00", "s")
REGIONS = ("north", "south", "east", "west")


def make_log(days: int = 180, per_day: float = 30.0, seed: int = 0) -> Any:
    """The log as a pandas DataFrame, in time order."""
    import pandas as pd

    rng = np.random.default_rng([seed, 12])
    counts = rng.poisson(per_day, size=days)
    day = np.repeat(np.arange(days), counts)
    seconds = np.sort(day * 86400 + rng.integers(0, 86400, size=day.size))
    time = START + seconds.astype("timedelta64[s]")
    n = time.size
    x = np.round(rng.random((n, 3)) * 10.0, 3)
    theta = np.where(time < DRIFT_DATE, 8.0, 9.0)
    label = (x[:, 0] + x[:, 1] > theta) ^ (rng.random(n) < 0.1)
    return pd.DataFrame({
        "timestamp": pd.to_datetime(time).strftime("%Y-%m-%d %H:%M:%S"),
        "x0": x[:, 0], "x1": x[:, 1], "x2": x[:, 2],
        "region": np.array(REGIONS)[rng.integers(0, 4, size=n)],
        "label": label.astype(int),
    })


def main(argv: list[str] | None = None) -> Path:
    """Write the log to ``argv[0]`` (default :data:`PATH`), atomically."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else PATH
    frame = make_log()
    return atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False))


if __name__ == "__main__":
    print(main())
