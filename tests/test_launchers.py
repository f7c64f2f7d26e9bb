"""The sweep launchers of the README compose and run: joblib (default), submitit.

Launcher settings live in ``conf/hydra/launcher/local.yaml``, never in the primary
config, so that selecting another launcher replaces them whole (a joblib key in
``conf/config.yaml`` broke every other launcher at compose time).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from experiments.run import CONF_DIR

SMALL = [
    "detector=adwin,page_hinkley", "drift=abrupt_concept", "policy=never",
    "n_samples=2500", "score.oracle=false", "plot=false", "seed=0",
]


def test_launcher_options_are_the_expected_files():
    options = {p.stem for p in (Path(CONF_DIR) / "hydra" / "launcher").glob("*.yaml")}
    assert options == {"local"}


def test_default_launcher_is_joblib_on_every_core():
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = hydra_compose("config", return_hydra_config=True)
    assert cfg.hydra.launcher._target_.endswith("JoblibLauncher")
    assert cfg.hydra.launcher.n_jobs == -1


@pytest.mark.parametrize("launcher", ["submitit_local", "submitit_slurm", "joblib"])
def test_other_launchers_compose(launcher):
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = hydra_compose(
            "config", overrides=[f"hydra/launcher={launcher}"], return_hydra_config=True
        )
    assert "n_jobs" not in cfg.hydra.launcher or launcher == "joblib"


def _sweep(sweep_dir: Path, *extra: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "experiments.run", "-m", *SMALL,
           f"hydra.sweep.dir={sweep_dir}", *extra]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)


def _summary(sweep_dir: Path) -> pd.DataFrame:
    frame = pd.read_csv(sweep_dir / "summary.csv")
    return frame.sort_values(list(frame.columns[:3])).reset_index(drop=True)


@pytest.mark.slow
def test_submitit_local_sweep_matches_joblib(tmp_path):
    joblib_run = _sweep(tmp_path / "joblib", "hydra.launcher.n_jobs=2")
    assert joblib_run.returncode == 0, joblib_run.stderr[-3000:]
    submitit_run = _sweep(
        tmp_path / "submitit", "hydra/launcher=submitit_local", "hydra.launcher.timeout_min=10"
    )
    assert submitit_run.returncode == 0, submitit_run.stderr[-3000:]
    pd.testing.assert_frame_equal(_summary(tmp_path / "joblib"), _summary(tmp_path / "submitit"))
    # submitit's unexpanded ``%j`` folder template is cleaned up; job logs stay.
    leftovers = sorted(p.name for p in (tmp_path / "submitit" / ".submitit").iterdir())
    assert leftovers and not [name for name in leftovers if "%" in name]


# Ray runs inside a private network namespace that has only a loopback interface:
# head, worker and driver talk over 127.0.0.1 and no packet can leave the machine
# (Ray otherwise advertises the machine's interface address).
_RAY_CLUSTER = r"""
set -euo pipefail
ip link set lo up
export RAY_USAGE_STATS_ENABLED=0
ray="$(dirname "$PY")/ray"
trap '"$ray" stop --force >/dev/null 2>&1 || true' EXIT
"$ray" start --head --node-ip-address=127.0.0.1 --port=6390 --num-cpus=1 \
    --include-dashboard=false --disable-usage-stats >/dev/null
"$ray" start --address=127.0.0.1:6390 --node-ip-address=127.0.0.1 --num-cpus=1 >/dev/null
"$PY" - <<'PY'
import ray
ray.init(address="127.0.0.1:6390")
alive = [n for n in ray.nodes() if n["Alive"]]
print("RAY_NODES", len(alive), sorted({n["NodeManagerAddress"] for n in alive}))
ray.shutdown()
PY
"$PY" -m experiments.run -m "$@"
"""


def _in_loopback_namespace(script: str, python: Path, *args: str) -> subprocess.CompletedProcess:
    from tests.optional_env import optional_env_vars

    env = optional_env_vars(PY=str(python))
    return subprocess.run(
        ["unshare", "--net", "bash", "-c", script, "ray-cluster", *args],
        capture_output=True, text=True, timeout=900, check=False, env=env,
    )


@pytest.mark.slow
def test_ray_two_node_cluster_sweep_matches_joblib(tmp_path):
    from tests.optional_env import optional_python

    python = optional_python("ray")
    joblib_run = _sweep(tmp_path / "joblib", "hydra.launcher.n_jobs=2")
    assert joblib_run.returncode == 0, joblib_run.stderr[-3000:]
    ray_run = _in_loopback_namespace(
        _RAY_CLUSTER, python, *SMALL, f"hydra.sweep.dir={tmp_path / 'ray'}",
        "hydra/launcher=ray", "hydra.launcher.ray.init.address=127.0.0.1:6390",
        "+hydra.launcher.ray.init.object_store_memory=null",
    )
    assert ray_run.returncode == 0, (ray_run.stdout + ray_run.stderr)[-4000:]
    assert "RAY_NODES 2 ['127.0.0.1']" in ray_run.stdout
    assert "Ray Launcher is launching 2 jobs" in ray_run.stdout + ray_run.stderr
    pd.testing.assert_frame_equal(_summary(tmp_path / "joblib"), _summary(tmp_path / "ray"))
