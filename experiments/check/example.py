"""Example files for ``driftsim baseline`` / ``driftsim check``: Iris rows drawn from a
driftsim stream, a reference before and a batch after a covariate shift of one feature.

``python -m experiments.check.example OUT`` writes ``OUT/reference.csv`` (2,000 rows)
and ``OUT/batch.csv`` (500 rows; ``petal length (cm)`` shifted by one standard
deviation), each with the label and a logistic regression's prediction.

Examples
--------
>>> import tempfile, pandas as pd
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as tmp:
...     ref, batch = write_example(tmp)
...     pd.read_csv(batch).shape
(500, 6)
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from experiments.files import atomic_write

__all__ = ["main", "write_example"]


def write_example(out: str | Path, seed: int = 0) -> tuple[Path, Path]:
    """Write ``reference.csv`` and ``batch.csv`` into ``out``; return their paths."""
    from simulator import Drift, DriftStream, load_dataset
    from simulator.models import default_model

    data = load_dataset("iris")
    stream = DriftStream(data, [Drift("covariate", 2000, features=[2], severity=1.0)],
                         n_samples=2500, seed=seed)
    X, y, _ = stream.take(2500)
    model = default_model().fit(X[:2000], y[:2000])
    frame = pd.DataFrame(X, columns=list(stream.feature_names)).assign(
        label=y, prediction=model.predict(X))
    out = Path(out)
    paths = (out / "reference.csv", out / "batch.csv")
    for path, part in zip(paths, (frame.iloc[:2000], frame.iloc[2000:]), strict=True):
        atomic_write(path, lambda tmp, part=part: part.to_csv(tmp, index=False))
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m experiments.check.example OUT``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m experiments.check.example OUT")
        return 2
    ref, batch = write_example(args[0])
    print(f"wrote {ref} and {batch}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
