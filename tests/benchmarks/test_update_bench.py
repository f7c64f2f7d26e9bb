"""Per-value ``update(x)`` against river's ``update(x)``, detector by detector.

Streaming users, and the river adapter, feed one value at a time, so this is the loop
they run: ``det.update(x)`` then a read of ``det.drift_detected``, over a Python list.
Both sides see the same seeded stream (a change every 20,000 values; 2,000-value
streams for KSWIN, whose river version is slow) and must raise their alarms at the same
indices. The target: ours at least as fast as river for every detector. The ratio
table at the end of ``make bench`` gives the per-value times side by side.

Run: ``.venv/bin/python -m pytest tests/benchmarks/test_update_bench.py
--benchmark-enable --benchmark-only -o addopts="" -q``
"""

from __future__ import annotations

import numpy as np
import pytest
from river.drift import ADWIN as RiverADWIN
from river.drift import KSWIN as RiverKSWIN
from river.drift import PageHinkley as RiverPageHinkley
from river.drift import binary as river_binary

from detectors import ADWIN, DDM, EDDM, FHDDM, HDDM_A, HDDM_W, KSWIN, PageHinkley

N = 50_000

# name -> (ours, river, stream length, stream kind, keyword arguments for both)
CASES = {
    "PageHinkley": (PageHinkley, RiverPageHinkley, N, "reals", {}),
    "DDM": (DDM, river_binary.DDM, N, "errors", {}),
    "EDDM": (EDDM, river_binary.EDDM, N, "errors", {}),
    "ADWIN": (ADWIN, RiverADWIN, N, "reals", {}),
    "HDDM_A": (HDDM_A, river_binary.HDDMA, N, "errors", {}),
    "HDDM_W": (HDDM_W, river_binary.HDDMW, N, "errors", {}),
    "KSWIN": (KSWIN, RiverKSWIN, 2_000, "reals", {"seed": 1}),
    "FHDDM": (FHDDM, river_binary.FHDDM, N, "correct", {}),
}


def _stream(n: int, kind: str) -> list[float]:
    rng = np.random.default_rng(0)
    level = (np.arange(n) // 20_000) % 2
    if kind == "reals":
        return rng.normal(level * 1.0, 1.0).tolist()
    errors = (rng.random(n) < np.where(level, 0.3, 0.1)).astype(np.float64)
    return (1.0 - errors if kind == "correct" else errors).tolist()


def _loop(det, xs: list[float]) -> list[int]:
    hits = []
    for i, x in enumerate(xs):
        det.update(x)
        if det.drift_detected:
            hits.append(i)
    return hits


@pytest.mark.parametrize(
    ("name", "side"), [(name, side) for name in CASES for side in ("ours", "river")]
)
def test_update(benchmark, name, side):
    # ours and river's run one after the other, so both see the same machine load
    ours, theirs, n, kind, kwargs = CASES[name]
    factory = ours if side == "ours" else theirs
    xs = _stream(n, kind)
    _loop(factory(**kwargs), xs[:200])  # load the compiled step outside the timing
    benchmark.group = f"update {name}"
    benchmark.extra_info["side"] = side
    benchmark.extra_info["elements"] = len(xs)
    hits = benchmark.pedantic(
        _loop, setup=lambda: ((factory(**kwargs), xs), {}), rounds=5, iterations=1
    )
    assert hits == _loop((theirs if side == "ours" else ours)(**kwargs), xs)
