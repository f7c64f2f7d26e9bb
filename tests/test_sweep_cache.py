"""A sweep's jobs share what depends only on the stream (the skyline) through its cache.

Unit checks of :func:`experiments.sweep_cache.cached_array`, and a real two-worker
``--multirun`` whose two jobs (two detectors, one stream) store one skyline, read the
same values, and score exactly as the same configs run alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from experiments.run import compose, run
from experiments.sweep_cache import CACHE_DIR, array_digest, cached_array, clear_stale_temps

ROOT = Path(__file__).resolve().parents[1]


class _Counter:
    def __init__(self, value: np.ndarray) -> None:
        self.value, self.calls = value, 0

    def __call__(self) -> np.ndarray:
        self.calls += 1
        return self.value


def test_a_value_is_computed_once_per_kind_and_inputs(tmp_path: Path) -> None:
    compute = _Counter(np.linspace(0, 1, 5))
    first = cached_array(tmp_path, "skyline", {"seed": 1}, compute)
    again = cached_array(tmp_path, "skyline", {"seed": 1}, compute)
    assert compute.calls == 1 and np.array_equal(first, again)
    cached_array(tmp_path, "skyline", {"seed": 2}, compute)
    cached_array(tmp_path, "other", {"seed": 1}, compute)
    assert compute.calls == 3
    assert len(list((tmp_path / CACHE_DIR).glob("*.npy"))) == 3


def test_without_a_sweep_folder_nothing_is_stored(tmp_path: Path) -> None:
    compute = _Counter(np.zeros(2))
    cached_array(None, "skyline", {}, compute)
    cached_array(None, "skyline", {}, compute)
    assert compute.calls == 2


def test_an_unreadable_cached_file_is_computed_again_with_a_warning(tmp_path: Path) -> None:
    compute = _Counter(np.arange(4.0))
    cached_array(tmp_path, "skyline", [1], compute)
    (path,) = (tmp_path / CACHE_DIR).glob("*.npy")
    path.write_bytes(b"not an array")
    with pytest.warns(RuntimeWarning, match="unreadable"):
        value = cached_array(tmp_path, "skyline", [1], compute)
    assert compute.calls == 2 and value.tolist() == [0, 1, 2, 3]
    assert np.load(path).tolist() == [0, 1, 2, 3]  # replaced


def test_data_of_other_content_has_another_digest() -> None:
    X = np.arange(12.0).reshape(4, 3)
    edited = X.copy()
    edited[2, 1] += 1e-12
    assert array_digest(X, np.zeros(4)) != array_digest(edited, np.zeros(4))
    assert array_digest(X, None) != array_digest(X, np.zeros(0))


def test_stale_temporary_files_are_cleared(tmp_path: Path) -> None:
    (tmp_path / CACHE_DIR).mkdir()
    (tmp_path / CACHE_DIR / ".tmp.skyline-ab.x1.npy").write_bytes(b"")
    assert [p.name for p in clear_stale_temps(tmp_path)] == [".tmp.skyline-ab.x1.npy"]
    assert clear_stale_temps(tmp_path / "no-sweep-here") == []


def test_two_workers_share_one_skyline_and_score_as_single_runs(tmp_path: Path) -> None:
    overrides = ["drift=abrupt_concept", "n_samples=3000", "seed=4", "policy=drift_triggered",
                 "score.oracle=false"]
    sweep = tmp_path / "sweep"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "experiments.run", "-m", "detector=adwin,ddm",
                    *overrides, f"hydra.sweep.dir={sweep}", "hydra.launcher.n_jobs=2"],
                   cwd=tmp_path, env=env, check=True, capture_output=True, timeout=600)
    assert len(list((sweep / CACHE_DIR).glob("skyline-*.npy"))) == 1
    skylines = [np.load(sweep / job / "skyline.npy") for job in ("0", "1")]
    assert np.array_equal(skylines[0], skylines[1])
    for job, detector in (("0", "adwin"), ("1", "ddm")):
        alone = run(compose([f"detector={detector}", *overrides]), output_dir=None)
        swept = json.loads((sweep / job / "result.json").read_text())
        assert swept["metrics"] == json.loads(json.dumps(alone["metrics"]))
        assert swept["monitors"] == json.loads(json.dumps(alone["monitors"]))
