"""A fleet run gives identical results in one process, on joblib workers and on a
local two-node Ray cluster (loopback only), the actors spread over both nodes."""

from __future__ import annotations

import pytest

from tests.ray_cluster import in_loopback_namespace

_CLUSTER = r"""
set -euo pipefail
ip link set lo up
export RAY_USAGE_STATS_ENABLED=0
ray="$(dirname "$PY")/ray"
trap '"$ray" stop --force >/dev/null 2>&1 || true' EXIT
"$ray" start --head --node-ip-address=127.0.0.1 --port=6391 --num-cpus=1 \
    --include-dashboard=false --disable-usage-stats >/dev/null
"$ray" start --address=127.0.0.1:6391 --node-ip-address=127.0.0.1 --num-cpus=1 >/dev/null
"$PY" - <<'PY'
import hashlib, json
import numpy as np
from simulator.fleet import (Budget, Governance, JoblibExecutor, RayExecutor,
                             SerialExecutor, SourceFault, make_fleet, run_fleet)

spec = make_fleet(8, seed=11, n_samples=15_000, n_sources=2,
                  faults=[SourceFault("src000", 6_000, 3_000)])

def fingerprint(executor):
    r = run_fleet(spec, "fleet", budget=Budget(2, 300.0),
                  governance=Governance(1, 1, 0.3), executor=executor)
    h = hashlib.sha256()
    for name in ("true_accuracy", "measured_accuracy", "alarm", "data_quality", "version",
                 "deployed", "rolled_back", "health", "loss", "spend"):
        h.update(np.ascontiguousarray(getattr(r, name)).tobytes())
    h.update(json.dumps(r.jobs, sort_keys=True).encode())
    return h.hexdigest(), len(r.jobs)

ray_ex = RayExecutor(n_actors=2, address="127.0.0.1:6391", cpus_per_actor=1)
out = {"serial": fingerprint(SerialExecutor()),
       "joblib": fingerprint(JoblibExecutor(n_jobs=2)),
       "ray": fingerprint(ray_ex)}
import ray
print("RAY_NODES", len([n for n in ray.nodes() if n["Alive"]]), len(set(ray_ex.nodes)))
print("FINGERPRINTS", json.dumps(out))
PY
"""


@pytest.mark.slow
def test_fleet_results_match_on_serial_joblib_and_a_two_node_ray_cluster():
    import json

    from tests.optional_env import optional_python

    run = in_loopback_namespace(_CLUSTER, optional_python("ray"))
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    assert "RAY_NODES 2 2" in run.stdout  # two nodes alive, one actor on each
    line = next(x for x in run.stdout.splitlines() if x.startswith("FINGERPRINTS"))
    prints = json.loads(line.split(" ", 1)[1])
    assert prints["serial"][1] > 0  # the run did retrain
    assert prints["serial"] == prints["joblib"] == prints["ray"]
