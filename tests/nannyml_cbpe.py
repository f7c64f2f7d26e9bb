"""Run NannyML's CBPE on arrays from an .npz file; write its per-chunk estimates.

Runs inside the optional ``nannyml`` environment (``.ci/optional-env nannyml``), never
in the main one: ``python tests/nannyml_cbpe.py IN.npz OUT.npz METRIC [METRIC ...]``.
``IN`` holds ``proba_ref, y_ref, proba`` (and ``chunk_size``); ``OUT`` gets one array
per metric of estimates per chunk, plus ``fit_s`` and ``estimate_s`` (wall seconds,
best of ``repeat``).

Examples
--------
>>> _columns(3)
{'c0': 'p0', 'c1': 'p1', 'c2': 'p2'}
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import numpy as np


def _columns(k: int) -> dict[str, str]:
    return {f"c{j}": f"p{j}" for j in range(k)}


def _frame(proba: np.ndarray, y: np.ndarray | None) -> Any:
    import pandas as pd

    k = proba.shape[1]
    df = pd.DataFrame({f"p{j}": proba[:, j] for j in range(k)})
    pred = proba.argmax(axis=1)
    if k == 2:
        df["y_pred"] = pred
        if y is not None:
            df["y_true"] = y
    else:
        df["y_pred"] = np.array([f"c{j}" for j in pred])
        if y is not None:
            df["y_true"] = np.array([f"c{j}" for j in y])
    return df


def run(data: dict, metrics: list[str], repeat: int = 3) -> dict[str, np.ndarray]:
    """Fit NannyML's CBPE on the reference and estimate ``proba`` per chunk."""
    os.environ.setdefault("NML_DISABLE_USAGE_LOGGING", "1")
    import nannyml as nml

    proba_ref, proba = data["proba_ref"], data["proba"]
    k = proba.shape[1]
    ref, ana = _frame(proba_ref, data["y_ref"]), _frame(proba, None)
    kwargs = dict(
        problem_type="classification_binary" if k == 2 else "classification_multiclass",
        y_pred_proba="p1" if k == 2 else _columns(k),
        y_pred="y_pred", y_true="y_true", metrics=metrics,
        chunk_size=int(data["chunk_size"]),
    )
    fit_s = estimate_s = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        est = nml.CBPE(**kwargs).fit(ref)
        t1 = time.perf_counter()
        table = est.estimate(ana).filter(period="analysis").to_df()
        t2 = time.perf_counter()
        fit_s, estimate_s = min(fit_s, t1 - t0), min(estimate_s, t2 - t1)
    out = {m: table[(m, "value")].to_numpy(dtype=float) for m in metrics}
    out["fit_s"], out["estimate_s"] = np.float64(fit_s), np.float64(estimate_s)
    return out


def main(argv: list[str]) -> int:
    src, dst, *metrics = argv
    with np.load(src) as f:
        data = {key: f[key] for key in f.files}
    np.savez(dst, **run(data, metrics, repeat=int(data.get("repeat", 3))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
