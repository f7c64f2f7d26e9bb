"""Side by side: our CBPE and NannyML 0.13.1's on the same arrays, NannyML in its own env.

Shared by ``tests/test_estimation_nannyml.py`` (accuracy) and
``tests/benchmarks/test_estimation_bench.py`` (speed). The NannyML side runs
``tests/nannyml_cbpe.py`` under the optional ``nannyml`` environment's python; data go
through an ``.npz`` file in ``workdir``.

Examples
--------
>>> best_of(lambda: None, repeat=2) >= 0.0
True
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from tests.optional_env import ROOT, optional_env_vars, optional_python

__all__ = ["best_of", "run_nannyml"]


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """The fastest of ``repeat`` wall-clock timings of ``fn()``, in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def run_nannyml(workdir: Path, data: dict[str, np.ndarray], metrics: tuple[str, ...],
                chunk_size: int, repeat: int = 1) -> dict[str, np.ndarray]:
    """NannyML's per-chunk CBPE estimates (plus ``fit_s``/``estimate_s``) for ``data``."""
    src, dst = Path(workdir) / "nml_in.npz", Path(workdir) / "nml_out.npz"
    np.savez(src, proba_ref=data["proba_ref"], y_ref=data["y_ref"], proba=data["proba"],
             chunk_size=chunk_size, repeat=repeat)
    done = subprocess.run(
        [str(optional_python("nannyml")), str(ROOT / "tests" / "nannyml_cbpe.py"),
         str(src), str(dst), *metrics],
        env=optional_env_vars(NML_DISABLE_USAGE_LOGGING="1"),
        capture_output=True, text=True, timeout=900, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"NannyML run failed:\n{done.stderr[-4000:]}")
    with np.load(dst) as f:
        return {k: f[k] for k in f.files}
