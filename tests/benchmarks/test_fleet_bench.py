"""Fleet throughput: the 50-model mixed fleet × 50,000 samples each, lockstep, under the
fleet engine and a shared budget; and how time and memory grow with the number of
models.

The reference in the same run is the bare serving work any fleet simulation must do:
every model's 50,000 samples generated and predicted tick by tick by one fitted model.
``extra_info`` holds the wall times, the ratio, samples per second and peak memory.

Run: ``python -m pytest tests/benchmarks/test_fleet_bench.py --benchmark-enable -s``;
``FLEET_SCALE=50,200,1000`` sets the fleet sizes of the growth measurement.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from simulator.fleet import Budget, make_fleet, run_fleet
from simulator.fleet import lane as lane_module

N_SAMPLES = 50_000


def _bare_serving(spec) -> float:
    """Seconds to generate and predict every sample of ``spec`` tick by tick."""
    start = time.perf_counter()
    for i in range(spec.n_models):
        lane = lane_module.ModelLane(spec, i)
        for t in range(spec.n_ticks):
            X, y, _ = lane.stream.take(spec.tick_size, t * spec.tick_size)
            _ = lane.champion.predict(X) == y
    return time.perf_counter() - start


def test_fleet_50_models_50k_samples(benchmark):
    spec = make_fleet(50, seed=0, n_samples=N_SAMPLES, n_sources=6)
    budget = Budget(slots=4, money_per_tick=400.0)
    run_fleet(make_fleet(2, seed=9, n_samples=5000), "fleet")  # imports, kernels

    def run():
        lane_module._STREAMS.clear()  # every round builds its streams (harm fits)
        start = time.perf_counter()
        result = run_fleet(spec, "fleet", budget=budget)
        return result, time.perf_counter() - start

    result, wall = benchmark.pedantic(run, rounds=2, iterations=1)
    lane_module._STREAMS.clear()
    bare = _bare_serving(spec)
    samples = spec.n_models * spec.n_samples
    benchmark.extra_info.update(
        samples=samples, wall_s=round(wall, 2), bare_serving_s=round(bare, 2),
        ratio_to_bare_serving=round(wall / bare, 2), samples_per_s=round(samples / wall),
        retraining_jobs=len(result.jobs), deployments=int(result.deployed.sum()),
    )
    assert result.true_accuracy.shape == (50, 50)


_CHILD = r"""
import json, resource, sys, time
from simulator.fleet import Budget, make_fleet, run_fleet
n = int(sys.argv[1])
run_fleet(make_fleet(2, seed=9, n_samples=5000), "fleet")
start = time.perf_counter()
spec = make_fleet(n, seed=0, n_samples=50_000, datasets=("iris", "wine"),
                  n_sources=max(1, n // 8), fault_rate=0.2)
r = run_fleet(spec, "fleet", budget=Budget(slots=max(4, n // 12), money_per_tick=8.0 * n))
wall = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"n_models": n, "wall_s": round(wall, 1), "peak_rss_mb": round(rss),
                  "jobs": len(r.jobs)}))
"""


def _measure(n: int) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(n)], capture_output=True,
                         text=True, check=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_fleet_growth_with_the_number_of_models(benchmark):
    sizes = [int(s) for s in os.environ.get("FLEET_SCALE", "50,100,200").split(",")]
    rows = benchmark.pedantic(lambda: [_measure(n) for n in sizes], rounds=1, iterations=1)
    benchmark.extra_info["growth"] = rows
    per_model = [r["wall_s"] / r["n_models"] for r in rows]
    benchmark.extra_info["seconds_per_model"] = [round(p, 3) for p in per_model]
    print(json.dumps(rows))
    assert [r["n_models"] for r in rows] == sizes
