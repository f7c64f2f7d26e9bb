"""The threshold comparison as one command (``experiment=threshold_sweep``), and the
shipped detector lists read from the detector classes (``experiments/detector_specs``).
"""

from __future__ import annotations

import itertools
import re
import shlex
import subprocess
import sys

import pandas as pd
import pytest
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import OmegaConf

from experiments.detector_specs import (
    detector_options,
    expand_names,
    run_detectors,
    thresholds_for,
)
from experiments.run import CONF_DIR, compose, run

FAST = ["n_samples=2500", "drift=abrupt_concept", "policy=never", "score.oracle=false",
        "plot=false", "save_trace=false"]


def _documented_commands() -> list[list[str]]:
    """The commands the overlay's header documents, as argument lists."""
    text = (CONF_DIR / "experiment" / "threshold_sweep.yaml").read_text()
    commands = re.findall(r"^#\s+python -m experiments\.run -m (.*?)(?:\s+#.*)?$", text, re.M)
    assert len(commands) >= 3
    return [shlex.split(c) for c in commands]


def _jobs(args: list[str]) -> list[list[str]]:
    """The jobs a ``--multirun`` with ``args`` launches: the overlay's sweeper params,
    overridden by the command line, expanded as Hydra's basic sweeper does (the old
    documented command fails here with LexerNoViableAltException)."""
    parser = OverridesParser.create()
    cli = parser.parse_overrides(args)
    experiment = next(o.value() for o in cli if o.key_or_group == "experiment")
    overlay = OmegaConf.load(CONF_DIR / "experiment" / f"{experiment}.yaml")
    params = overlay.get("hydra", {}).get("sweeper", {}).get("params", {}) or {}
    cli_keys = {o.key_or_group for o in cli}
    sweep = [o for o in parser.parse_overrides(
        [f"{k}={v}" for k, v in params.items() if k not in cli_keys]) if o.is_sweep_override()]
    sweep += [o for o in cli if o.is_sweep_override()]
    fixed = [o.input_line for o in cli if not o.is_sweep_override()]
    choices = [[f"{o.get_key_element()}={v}" for v in o.sweep_string_iterator()] for o in sweep]
    return [fixed + list(combo) for combo in itertools.product(*choices)]


def test_documented_commands_compose_into_one_job_per_seed():
    for args in _documented_commands():
        jobs = _jobs(args)
        assert len(jobs) == 10, (args, len(jobs))  # seeds only: thresholds run inside a job
        cfg = compose(jobs[0])
        assert cfg.thresholds is not None and thresholds_for(cfg, jobs[0]) is not None
        monitors = run_detectors(cfg)
        assert len(monitors) > len({spec.label for spec in monitors.values()})
        assert "delta" not in " ".join(jobs[0])  # no leftover ADWIN grid in the overlay


def test_sweeping_a_threshold_by_hand_sweeps_only_that_threshold():
    """The issue's spelling: PageHinkley's thresholds as Hydra jobs, no ADWIN delta grid
    (it launched 60 jobs before), and each job runs the value it was given."""
    jobs = _jobs(["experiment=threshold_sweep", "detector=page_hinkley",
                  "detector.threshold=10,25,50", "seed=0,1,2,3"])
    assert len(jobs) == 12
    job = jobs[0]
    cfg = compose(job)
    cfg.thresholds = thresholds_for(cfg, job)
    assert list(run_detectors(cfg)) == ["PageHinkley"]
    assert run_detectors(cfg)["PageHinkley"].config["threshold"] == 10


def test_both_spellings_of_the_thresholds_at_once_are_refused():
    job = ["experiment=threshold_sweep", "detector=page_hinkley", "detector.threshold=10",
           "thresholds=[10,20]"]
    with pytest.raises(ValueError, match="both set PageHinkley's threshold"):
        thresholds_for(compose(job), job)


def test_one_job_over_thresholds_equals_one_job_per_threshold():
    """Under policy=never the stream does not depend on the detector: scoring every
    threshold in one job gives exactly the scores of separate jobs."""
    together = run(compose([*FAST, "detector=page_hinkley", "thresholds=[10,40]"]),
                   output_dir=None)
    assert sorted(together["monitors"]) == ["PageHinkley[threshold=10]",
                                            "PageHinkley[threshold=40]"]
    for value in (10, 40):
        alone = run(compose([*FAST, "detector=page_hinkley", f"detector.threshold={value}"]),
                    output_dir=None)
        assert together["monitors"][f"PageHinkley[threshold={value}]"] == \
            alone["monitors"]["PageHinkley"]
        record = together["detectors"][f"PageHinkley[threshold={value}]"]
        assert (record["label"], record["threshold_param"], record["threshold"]) == \
            ("PageHinkley", "threshold", value)


def test_a_grid_keeps_coupled_parameters_consistent():
    cfg = compose([*FAST, "detectors=[ddm,eddm]", "thresholds=grid"])
    built = {name: spec.config for name, spec in run_detectors(cfg).items()}
    assert len(built) == 40
    ddm = built["DDM[drift_threshold=1.5]"]
    assert ddm["warning_threshold"] == 1.5  # moved down to stay below the drift level
    eddm = built["EDDM[beta=0.99]"]
    assert eddm["alpha"] == 0.99


def test_thresholds_need_the_never_policy():
    cfg = compose(["detector=page_hinkley", "thresholds=grid", "policy=drift_triggered"])
    with pytest.raises(ValueError, match="use policy=never"):
        run(cfg, output_dir=None)


def test_thresholds_reject_bad_values():
    for bad in ("'thresholds=[]'", "thresholds=coarse"):
        cfg = compose([*FAST, bad.strip("'")])
        with pytest.raises(ValueError, match="thresholds must be null, 'grid' or a list"):
            run_detectors(cfg)
    cfg = compose([*FAST, "detectors=[adwin,cusum]", "thresholds=[1,2]"])
    with pytest.raises(ValueError, match="values for one detector"):
        run_detectors(cfg)


def test_unknown_detector_names_are_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"unknown name 'pagehinkley'.*page_hinkley"):
        expand_names(["pagehinkley"])


# The shipped lists, as they were written out before they came from the classes.
BENCHMARK = {
    "ADWIN": {}, "DDM": {}, "EDDM": {}, "HDDM_A": {}, "HDDM_W": {}, "PageHinkley": {},
    "CUSUM": {}, "KSWIN": {"seed": 0}, "STEPD": {}, "EWMAChart": {}, "NoDrift": {},
    "PeriodicAlarm": {"every": 1000}, "RandomAlarm": {"rate": 0.001, "seed": 0},
}
CALIBRATED = {"ADWIN", "DDM", "EDDM", "HDDM_A", "HDDM_W", "PageHinkley", "CUSUM", "KSWIN",
              "STEPD"}


def test_shipped_detector_lists_come_from_the_classes():
    benchmark = run_detectors(compose(["experiment=benchmark"]))
    assert set(benchmark) == set(BENCHMARK)
    for name, params in BENCHMARK.items():
        config = benchmark[name].config
        assert config["_target_"] == f"detectors.{name}"
        assert {k: config[k] for k in params} == params
    assert set(run_detectors(compose(["experiment=calibrated"]))) == CALIBRATED
    from experiments.main import DETECTORS

    assert set(DETECTORS) <= set(detector_options())


@pytest.mark.slow
def test_two_detector_threshold_comparison_is_one_command(tmp_path):
    """The README's command, for real: one --multirun, one job per seed, one chart with
    a curve per detector (kept small: two seeds, a short stream)."""
    sweep_dir = tmp_path / "sweep"
    cmd = [sys.executable, "-m", "experiments.run", "-m", "experiment=threshold_sweep",
           "detectors=[adwin,page_hinkley]", "seed=0,1", "n_samples=3000",
           f"hydra.sweep.dir={sweep_dir}", "hydra.launcher.n_jobs=2"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(list(sweep_dir.glob("*/result.json"))) == 2
    rows = pd.read_csv(sweep_dir / "summary.csv")
    detectors = rows[~rows["is_baseline"]]
    assert set(detectors["detector"]) == {"ADWIN", "PageHinkley"}
    assert detectors.groupby("detector")["threshold"].nunique().to_dict() == \
        {"ADWIN": 20, "PageHinkley": 20}
    assert (sweep_dir / "threshold_tradeoff.png").stat().st_size > 10_000


def test_alert_times_of_all_monitors_at_once_match_one_by_one():
    from experiments.metrics.runs import alert_times, alert_times_by_monitor
    from experiments.run import build
    from simulator.loop import DeploymentLoop

    parts = build(compose([*FAST, "detector=page_hinkley", "thresholds=[5,10,40]"]))
    trace = DeploymentLoop(parts["stream"], parts["model"], parts["monitors"],
                           parts["policy"], **parts["settings"]).run()
    together = alert_times_by_monitor(trace)
    assert len(together) == 3
    for monitor in parts["monitors"]:
        assert together[monitor.name].tolist() == alert_times(trace, monitor.name).tolist()
