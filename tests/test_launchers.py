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
from tests.optional_env import ROOT, optional_env_vars, optional_python

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


def test_default_launcher_keeps_the_plugins_keys_and_ends_idle_workers():
    """local.yaml writes out hydra-joblib-launcher's schema (to add a key it lacks): each
    of the plugin's keys is there with the plugin's default, n_jobs aside."""
    from dataclasses import asdict

    from hydra_plugins.hydra_joblib_launcher.config import JobLibLauncherConf
    from omegaconf import OmegaConf

    ours = OmegaConf.to_container(OmegaConf.load(Path(CONF_DIR) / "hydra/launcher/local.yaml"))
    plugin = asdict(JobLibLauncherConf())
    assert {k: v for k, v in ours.items() if k in plugin and k != "n_jobs"} == {
        k: v for k, v in plugin.items() if k != "n_jobs"}
    assert set(ours) - set(plugin) == {"idle_worker_timeout"}
    assert 0 < ours["idle_worker_timeout"] <= 30


@pytest.mark.parametrize("launcher", ["submitit_local", "submitit_slurm", "joblib"])
def test_other_launchers_compose(launcher):
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = hydra_compose(
            "config", overrides=[f"hydra/launcher={launcher}"], return_hydra_config=True
        )
    assert "n_jobs" not in cfg.hydra.launcher or launcher == "joblib"


def _readme_lines() -> list[str]:
    """The command lines of the README's launcher block, comments dropped."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("- Three ways to run a sweep", 1)[1].split("```bash\n", 1)[1]
    block = block.split("```", 1)[0]
    return [line.strip() for line in block.splitlines()
            if line.strip() and not line.strip().startswith("#")]


def _as_small(line: str, sweep_dir: Path) -> str:
    """A README command with the benchmark swapped for the two-job sweep."""
    assert "experiment=benchmark" in line, line
    small = " ".join(f"'{a}'" for a in [*SMALL, f"hydra.sweep.dir={sweep_dir}"])
    return line.replace("experiment=benchmark", small).replace(
        ".venv/bin/python", sys.executable)


def _run(script: str, *, namespace: bool = False) -> subprocess.CompletedProcess:
    cmd = ["bash", "-c", "set -euo pipefail\n" + script]
    if namespace:
        cmd = ["unshare", "--net", *cmd]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900,
                          check=False, env=optional_env_vars(RAY_USAGE_STATS_ENABLED="0"))


def _summary(sweep_dir: Path) -> pd.DataFrame:
    frame = pd.read_csv(sweep_dir / "summary.csv")
    return frame.sort_values(list(frame.columns[:3])).reset_index(drop=True)


def _line(word: str) -> str:
    return next(line for line in _readme_lines() if word in line)


def test_readme_slurm_command_composes():
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    overrides = _line("submitit_slurm").rsplit(" -m ", 1)[1].split()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = hydra_compose("config", overrides=overrides, return_hydra_config=True)
    assert cfg.hydra.launcher._target_.endswith("SlurmLauncher")
    assert cfg.hydra.launcher.partition == "gpu"


@pytest.fixture(scope="module")
def joblib_summary(tmp_path_factory):
    """The README's joblib command on the two-job sweep: the reference summary."""
    sweep_dir = tmp_path_factory.mktemp("launchers") / "joblib"
    joblib_run = _run(_as_small(_line("n_jobs=2"), sweep_dir))
    assert joblib_run.returncode == 0, joblib_run.stderr[-3000:]
    return _summary(sweep_dir)


@pytest.mark.slow
def test_readme_joblib_and_submitit_commands_give_the_same_summary(joblib_summary, tmp_path):
    submitit_run = _run(_as_small(_line("submitit_local"), tmp_path / "submitit"))
    assert submitit_run.returncode == 0, submitit_run.stderr[-3000:]
    pd.testing.assert_frame_equal(joblib_summary, _summary(tmp_path / "submitit"))
    # submitit's unexpanded ``%j`` folder template is cleaned up; job logs stay.
    leftovers = sorted(p.name for p in (tmp_path / "submitit" / ".submitit").iterdir())
    assert leftovers and not [name for name in leftovers if "%" in name]


@pytest.mark.slow
def test_readme_ray_commands_on_a_two_node_loopback_cluster(joblib_summary, tmp_path):
    """The README's Ray lines, in a private network namespace that has only a loopback
    interface: head, worker and driver talk over 127.0.0.1 and no packet can leave."""
    optional_python("ray")  # built (or found) before the network goes away
    lines = _readme_lines()
    ray_lines = lines[lines.index(_line("RAY_PY=")):]
    check_nodes = (
        '"$RAY_PY" -c "import ray; ray.init(address=\'127.0.0.1:6379\'); '
        "print('RAY_NODES', sorted(n['NodeManagerAddress'] for n in ray.nodes() "
        "if n['Alive']))\""
    )
    script = "\n".join([
        "ip link set lo up",
        *ray_lines[:3],
        check_nodes,
        _as_small(ray_lines[3], tmp_path / "ray"),
        ray_lines[4],
    ])
    ray_run = _run(script, namespace=True)
    assert ray_run.returncode == 0, (ray_run.stdout + ray_run.stderr)[-4000:]
    assert "RAY_NODES ['127.0.0.1', '127.0.0.1']" in ray_run.stdout
    assert "Ray Launcher is launching 2 jobs" in ray_run.stdout + ray_run.stderr
    pd.testing.assert_frame_equal(joblib_summary, _summary(tmp_path / "ray"))
