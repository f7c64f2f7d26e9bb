"""Bad configs, unsafe targets, stale or corrupt sweep folders and write faults at the
experiments' entry points: ``compose``/``run``, the Hydra CLI and aggregation.

Each case asserts the exception (or exit status) and that the message names the bad
value and what is allowed; for legal inputs, the documented behaviour.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from experiments.aggregate import aggregate, collect
from experiments.resume import ConfigMismatchError
from experiments.run import build, compose, run
from experiments.safe_config import UnsafeTargetError, check_targets, is_allowed

FAST = ["n_samples=2500", "drift=abrupt_concept", "policy=never", "score.oracle=false",
        "plot=false", "save_trace=false"]

# overrides -> (error type, fragments of its message)
CONFIG_CASES = {
    "plus-loop-batchsize": (["+loop.batchsize=5"], ValueError,
                            ("'loop.batchsize'", "did you mean loop.batch_size", "allows")),
    "plus-score-typo": (["+score.horizn=5"], ValueError, ("'score.horizn'", "score.horizon")),
    "plus-top-level-typo": (["+sed=1"], ValueError, ("'sed'", "seed", "the top level")),
    "plus-nested-typo": (["+loop.gate.holdut=0.1"], ValueError,
                         ("'loop.gate.holdut'", "loop.gate.holdout")),
    "plus-monitor-typo": (["+monitor.windw=50"], ValueError, ("'monitor.windw'", "window")),
    "seed-not-int": (["seed=abc"], ValueError, ("seed=abc", "could not be converted to Integer")),
    "unknown-detector-group": (["detector=adwn"], ValueError, ("detector/adwn", "adwin")),
    "loop-key-without-plus": (["loop.batchsize=5"], ValueError,
                              ("loop.batchsize", "not in 'LoopSchema'")),
    "calibration-null-section": (["calibration.target_rate=-1"], ValueError,
                                 ("calibration.target_rate=-1", "'+calibration=on'")),
    # OmegaConf fails inside its merge (AttributeError) on a dict into the null section.
    "calibration-dict-into-null": (["calibration={target_rate:0.5}"], ValueError,
                                   ("calibration={target_rate:0.5}", "'+calibration=on'")),
    "batch-size-zero": (["loop.batch_size=0"], ValueError, ("loop.batch_size", ">= 1", "0")),
    "label-fraction": (["loop.label_fraction=2"], ValueError,
                       ("loop.label_fraction", "<= 1.0", "2.0")),
    "n-samples-negative": (["n_samples=-5"], ValueError, ("n_samples", ">= 1", "-5")),
    "registry-kind": (["registry=redis"], ValueError, ("'redis'", "memory", "mlflow")),
    "alert-sink-kind": (["alert_sinks=[kafka]"], ValueError, ("'kafka'", "jsonl", "webhook URL")),
    "score-horizon": (["score.horizon=0"], ValueError, ("score.horizon", ">= 1")),
    "criticality": (["loop.criticality=urgent"], ValueError, ("'urgent'", "normal", "high")),
    "gate-holdout": (["loop.gate.holdout=2.0"], ValueError, ("holdout", "<= 0.9", "2.0")),
    "signal": (["monitor.signal=errors"], ValueError, ("'errors'", "error", "feature:<name>")),
    "policy-argument": (["policy=drift_triggered", "policy.cooldown=-1"], ValueError,
                        ("policy (simulator.policies.DriftTriggered)", "cooldown", "-1")),
    "drift-start": (["drift.drifts.0.start=-5"], ValueError,
                    ("drift (simulator.drift.Scenario)", "start", "-5")),
    "detector-argument": (["detector.delta=-1"], ValueError,
                          ("detector (detectors.ADWIN)", "delta", "-1")),
    "detector-target-typo": (["detector._target_=detectors.ADWN"], ValueError,
                             ("detector (detectors.ADWN)", "ADWN")),
    "dataset-name": (["dataset.name=irs"], ValueError, ("'irs'", "allowed", "iris")),
    "target-os-system": (["model._target_=os.system", "+model._args_=[ls]"], UnsafeTargetError,
                         ("model._target_", "'os.system'", "allowlist", "sklearn")),
    "target-io-in-allowed-library": (["model._target_=numpy.save", "+model._args_=[x,0]"],
                                     UnsafeTargetError, ("'numpy.save'", "file and network")),
    "target-nested-in-a-section": (
        ["+dataset.extra={_target_: subprocess.run, args: [ls]}"], UnsafeTargetError,
        ("dataset.extra._target_", "'subprocess.run'")),
    "target-in-extra-detectors": (
        ["+extra_detectors.X={_target_: shutil.rmtree, path: /nonexistent}"],
        UnsafeTargetError, ("extra_detectors.X._target_", "'shutil.rmtree'")),
    "target-in-policy-list": (
        ["+policy.extra=[{_target_: builtins.exec, _args_: ['1']}]"], UnsafeTargetError,
        ("policy.extra[0]._target_", "'builtins.exec'")),
}


@pytest.mark.parametrize("name", sorted(CONFIG_CASES))
def test_bad_config_is_refused_before_anything_runs(name: str) -> None:
    overrides, error, says = CONFIG_CASES[name]
    with pytest.raises(error) as info:
        build(compose([*FAST, *overrides]))
    for fragment in says:
        assert fragment in str(info.value), f"{fragment!r} not in {info.value}"


def test_builtins_open_in_a_config_is_refused_and_the_file_kept(tmp_path: Path) -> None:
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me")
    cfg = compose([*FAST, "model._target_=builtins.open", f"+model._args_=[{victim},w]"])
    with pytest.raises(UnsafeTargetError, match=r"model\._target_ = 'builtins\.open'.*allowlist"):
        run(cfg, output_dir=tmp_path / "run")
    assert victim.read_text() == "keep me"
    assert not (tmp_path / "run").exists()  # refused before the folder was touched


def test_a_target_the_user_allows_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = {"model": {"_target_": "builtins.dict"}}
    with pytest.raises(UnsafeTargetError):
        check_targets(spec)
    check_targets(spec, extra=["builtins.dict"])  # from the config's allowed_targets
    monkeypatch.setenv("DRIFTSIM_ALLOWED_TARGETS", "mypkg, builtins.dict")
    check_targets(spec)
    assert is_allowed("mypkg.models.Net") and not is_allowed("mypkgx.Net")


def test_calibration_switched_on_as_the_message_says() -> None:
    cfg = compose(["+calibration=on", "calibration.target_rate=1.0"])
    assert cfg.calibration.target_rate == 1.0
    shipped = compose(["experiment=calibrated"]).calibration
    assert cfg.calibration.null_samples == shipped.null_samples


def test_sinks_without_an_output_folder() -> None:
    with pytest.raises(ValueError, match=r"alert_sinks need an output folder"):
        run(compose([*FAST, "alert_sinks=[jsonl]"]), output_dir=None)


# ---- sweeps: resume, unreadable results, aggregation, write faults


def _job(folder: Path, *extra: str) -> dict:
    return run(compose([*FAST, *extra]), output_dir=folder)


def test_resuming_into_a_folder_of_another_config_is_refused(tmp_path: Path) -> None:
    _job(tmp_path, "detector=adwin")
    before = (tmp_path / "result.json").read_bytes()
    with pytest.raises(ConfigMismatchError) as info:
        _job(tmp_path, "detector=kswin")
    message = str(info.value)
    assert str(tmp_path) in message and "detector._target_: detectors.ADWIN there" in message
    assert "choose another output folder" in message
    assert (tmp_path / "result.json").read_bytes() == before  # nothing overwritten


def test_a_different_config_is_refused_even_with_resume_off(tmp_path: Path) -> None:
    _job(tmp_path, "seed=1")
    with pytest.raises(ConfigMismatchError, match=r"seed: 1 there, 2 here"):
        _job(tmp_path, "seed=2", "resume=false")


def test_an_interrupted_job_of_another_config_is_refused(tmp_path: Path) -> None:
    # job.json written, result.json never (the job was killed): still that config's folder
    _job(tmp_path, "seed=9")
    (tmp_path / "result.json").unlink()
    with pytest.raises(ConfigMismatchError, match=r"\(seed: 9 there, 0 here\)"):
        _job(tmp_path)
    assert json.loads((tmp_path / "job.json").read_text())["config"]["seed"] == 9


@pytest.mark.parametrize("content", ["", '{"config": {', "[]", "\x00\x01"],
                         ids=["empty", "truncated", "not-an-object", "binary"])
def test_an_unreadable_result_is_run_again(tmp_path: Path, content: str) -> None:
    first = _job(tmp_path)
    (tmp_path / "result.json").write_text(content)
    with pytest.warns(UserWarning, match=r"result\.json.*running the job again"):
        again = _job(tmp_path)
    assert again["skipped"] is False and again["metrics"] == first["metrics"]
    assert json.loads((tmp_path / "result.json").read_text())["metrics"] == first["metrics"]
    assert _job(tmp_path)["skipped"] is True


def test_a_killed_jobs_temporary_files_are_removed(tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    stale = [tmp_path / ".tmp.timeline.k2j4.png", tmp_path / ".tmp.trace.npz.77.ab"]
    for p in stale:
        p.write_bytes(b"")  # what SIGKILL during savefig / np.savez leaves
    _job(tmp_path)
    assert not any(p.exists() for p in stale)
    assert not list(tmp_path.glob(".tmp.*"))


def _sweep_of_three(root: Path) -> None:
    for seed in (0, 1, 2):
        _job(root / str(seed), f"seed={seed}")


def test_aggregation_names_unreadable_results_and_goes_on(tmp_path: Path) -> None:
    _sweep_of_three(tmp_path)
    broken = tmp_path / "1" / "result.json"
    broken.write_text('{"config": {"dataset"')
    with pytest.warns(UserWarning, match=r"skipped 1 of 3 result\.json \(unreadable\): .*1/result"):
        rows = collect(tmp_path)
    assert sorted(rows["seed"].unique()) == [0, 2]
    assert rows.attrs["unreadable"] == [str(broken)]
    with pytest.warns(UserWarning, match="skipped 1 of 3"):
        aggregate(tmp_path, figures=False, report=True)
    assert "Skipped 1 unreadable result.json" in (tmp_path / "report.html").read_text()


def test_aggregation_with_only_unreadable_results_says_so(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "result.json").write_text("{")
    with pytest.raises(ValueError, match=r"none of the 1 result\.json .* readable: .*a/result"):
        collect(tmp_path)


def test_a_result_of_another_shape_is_skipped(tmp_path: Path) -> None:
    _job(tmp_path / "0")
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "result.json").write_text('{"foo": 1}')
    with pytest.warns(UserWarning, match=r"skipped 1 of 2"):
        assert set(collect(tmp_path)["run"]) == {"0"}


_FAULT = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit raises EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (600, 600))
from experiments.aggregate import aggregate
aggregate(sys.argv[1], figures=False, report=False)
"""


def test_a_write_fault_leaves_the_previous_summary_whole(tmp_path: Path) -> None:
    _sweep_of_three(tmp_path)
    aggregate(tmp_path, figures=False, report=False)
    good = {n: (tmp_path / n).read_bytes() for n in ("summary.csv", "summary.md")}
    assert len(good["summary.csv"]) > 600
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run([sys.executable, "-c", _FAULT, str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode != 0 and "File too large" in done.stderr
    assert {n: (tmp_path / n).read_bytes() for n in good} == good
    assert not list(tmp_path.glob(".tmp.*"))
    assert len(pd.read_csv(tmp_path / "summary.csv")) == 12


# ---- the Hydra CLI


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    flags = [a for a in args if a == "-m"]
    rest = [a for a in args if a != "-m"]
    return subprocess.run([sys.executable, "-m", "experiments.run", *flags, *FAST, *rest],
                          cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300, check=False)


def test_cli_refuses_a_misspelt_key_hydra_itself_suggests(tmp_path: Path) -> None:
    done = _cli("+loop.batchsize=5", f"hydra.run.dir={tmp_path}/run", cwd=tmp_path)
    assert done.returncode != 0
    assert "unknown config key 'loop.batchsize' (did you mean loop.batch_size?)" in done.stderr
    assert not (tmp_path / "run" / "result.json").exists()


def test_cli_refuses_a_config_that_opens_a_file(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("data")
    done = _cli("model._target_=builtins.open", f"+model._args_=[{victim},w]",
                f"hydra.run.dir={tmp_path}/run", cwd=tmp_path)
    assert done.returncode != 0 and "'builtins.open' is outside the allowlist" in done.stderr
    assert victim.read_text() == "data"


@pytest.mark.slow
def test_cli_sweep_into_another_sweeps_folder_fails_and_keeps_it(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    first = _cli("-m", "detector=adwin,ddm", f"hydra.sweep.dir={sweep}",
                 "hydra.launcher.n_jobs=1", cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    kept = {p: p.read_bytes() for p in sorted(sweep.glob("*/result.json"))}
    second = _cli("-m", "detector=kswin,cusum", f"hydra.sweep.dir={sweep}",
                  "hydra.launcher.n_jobs=1", cwd=tmp_path)
    assert second.returncode != 0
    assert "holds a run of a different config" in second.stderr
    assert {p: p.read_bytes() for p in kept} == kept
