"""What a user reads names what it shows: no pooled or mislabelled numbers, intervals
inside each metric's domain with their ``n``, every swept parameter kept apart
(issue 9, items 1, 3 and 8)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from experiments.aggregate import aggregate, collect, policy_summary, summarise
from experiments.metrics import RunScores, score_run
from experiments.run import _console_lines, _title, compose, run

EXTRAS = ["+extra_detectors.DDM={_target_: detectors.DDM}",
          "+extra_detectors.PH={_target_: detectors.PageHinkley, threshold: 1.0}"]
COMMON = ["dataset=iris", "drift=abrupt_concept", "n_samples=3000", "plot=false"]


@pytest.fixture(scope="module")
def multi_monitor():
    cfg = compose([*COMMON, "detector=adwin", "policy=never", "score.oracle=false",
                   "seed=1", *EXTRAS])
    return cfg, run(cfg, output_dir=None)


def test_extra_detectors_are_scored_each_on_its_own(multi_monitor):
    _, result = multi_monitor
    # per-monitor scores are the primary record; the top level holds no detection score
    assert set(result["monitors"]) == {"ADWIN", "DDM", "PH"}
    assert "false_alarm_rate" not in result["metrics"]
    pooled = result["any_monitor"]
    assert pooled["name"] == "any of 3 monitors"
    assert pooled["monitors"] == ["ADWIN", "DDM", "PH"]
    own = {name: m["detector"]["alarms"] for name, m in result["monitors"].items()}
    # the hair-trigger Page-Hinkley alarms far more than ADWIN: pooling would hide it
    assert own["PH"] > own["ADWIN"]
    assert pooled["alarms"] >= max(own.values())


def test_console_and_title_name_every_monitor(multi_monitor):
    cfg, result = multi_monitor
    lines = _console_lines(cfg, {**result, "skipped": False})
    assert lines[0].startswith("[driftsim] iris / abrupt_concept / policy Never / "
                               "monitors ADWIN, DDM, PH / seed 1")
    rates = {line.split(":")[0].strip(): line for line in lines[1:]}
    assert set(rates) == {"ADWIN", "DDM", "PH", "any of 3 monitors", "run"}
    adwin = result["monitors"]["ADWIN"]["detector"]["false_alarm_rate"]
    assert f"false alarms/1k = {adwin:.3g}" in rates["ADWIN"]
    assert "ADWIN" in _title(cfg) and "PH" in _title(cfg)


def test_threshold_is_the_value_the_run_used(tmp_path):
    cfg = compose([*COMMON, "experiment=calibrated", "detector=page_hinkley",
                   "extra_detectors={}", "calibration.target_rate=2.0",
                   "calibration.null_samples=20000", "calibration.streams=2"])
    result = run(cfg, output_dir=tmp_path / "run")
    used = result["detectors"]["PageHinkley"]
    calibrated = result["calibration"]["PageHinkley"]["value"]
    assert used["threshold"] == pytest.approx(calibrated)
    assert calibrated != pytest.approx(50.0)  # not the class default
    rows = collect(tmp_path)
    own = rows[rows["detector"] == "PageHinkley"]
    assert own["threshold"].iloc[0] == pytest.approx(calibrated)
    aggregate(tmp_path, figures=False, report=False)
    assert "nan" not in (tmp_path / "summary.md").read_text()


def _write(root, name, config, monitors, metrics):
    (root / name).mkdir(parents=True)
    payload = {"config": config, "monitors": monitors, "metrics": metrics}
    (root / name / "result.json").write_text(json.dumps(payload))


def _config(policy, label_delay, seed, detector="detectors.DDM", extra=None):
    return {"dataset": {"name": "iris"}, "drift": {"name": "mixed"},
            "model": {"_target_": "m.M"}, "policy": {"_target_": f"p.{policy}"},
            "monitor": {"signal": "error"}, "loop": {"label_delay": label_delay},
            "detector": {"_target_": detector}, "extra_detectors": extra or {},
            "seed": seed, "score": {"oracle": True}}


def _monitor(alarms, missed):
    scores = {"alarms": alarms, "detections": 1 - missed, "missed": missed,
              "false_alarms": alarms, "drift_free_samples": 3000.0,
              "false_alarm_rate": alarms / 3.0, "missed_detection_rate": float(missed),
              "detection_delay_mean": None if missed else 100.0 + alarms}
    return {"detector": scores, "never": scores, "periodic": scores, "random": scores}


def test_every_swept_parameter_keeps_its_own_group(tmp_path):
    # policies x label delay x seeds, plus a detector study under Never with extras
    for policy in ("Never", "DriftTriggered"):
        for delay in (0, 1000):
            for seed in (0, 1):
                lost = {"Never": 900.0, "DriftTriggered": 20.0}[policy] + delay / 10 + seed
                _write(tmp_path, f"{policy}-{delay}-{seed}", _config(policy, delay, seed),
                       {"DDM": _monitor(seed, 0)},
                       {"accuracy_lost": lost, "total_cost": 10.0 * lost})
    extra = {"KSWIN": {"_target_": "detectors.KSWIN"}}
    _write(tmp_path, "study-0", _config("Never", 0, 0, extra=extra),
           {"DDM": _monitor(0, 0), "KSWIN": _monitor(0, 1)},
           {"accuracy_lost": 5000.0, "total_cost": 1.0})
    rows = collect(tmp_path)
    bars = policy_summary(rows)
    # 2 policies x 2 label delays, and the detector study apart: nothing folded into Never
    assert len(bars) == 5
    never0 = bars[(bars["policy"] == "Never") & (bars["label_delay"] == "0")
                  & (bars["monitors"] == "DDM")]
    assert never0["accuracy_lost"].iloc[0] == pytest.approx(900.5)
    assert "label delay 1000" in " ".join(bars["label"])
    summary = summarise(rows[rows["detector"] == "DDM"])
    assert len(summary) == 5  # the same split for the detector rows


def test_sweep_parameters_come_from_the_configs(tmp_path):
    for cost in (1.0, 5.0):
        config = {**_config("Never", 0, 0), "costs": {"label": cost}}
        _write(tmp_path, f"c{cost}", config, {"DDM": _monitor(0, 0)},
               {"accuracy_lost": cost, "total_cost": cost})
    rows = collect(tmp_path)
    assert "costs.label" in rows  # a parameter no list names
    assert len(summarise(rows[rows["detector"] == "DDM"])) == 2


def test_intervals_stay_inside_the_domain(tmp_path):
    for seed, (alarms, missed) in enumerate([(0, 0), (0, 0), (3, 1)]):
        _write(tmp_path, f"s{seed}", _config("Never", 0, seed), {"DDM": _monitor(alarms, missed)},
               {"accuracy_lost": 55.6 + 1e-13 * seed, "total_cost": 1.0})
    rows = collect(tmp_path)
    summary = summarise(rows)
    own = summary[summary["detector"] == "DDM"].iloc[0]
    assert 0.0 <= own["missed_detection_rate_lo"] <= own["missed_detection_rate"] == 1 / 3
    assert own["missed_detection_rate_hi"] <= 1.0 and own["missed_detection_rate_n"] == 3
    assert own["false_alarm_rate_lo"] >= 0.0 and own["false_alarm_rate_hi"] > 0.0
    assert own["detection_delay_mean_lo"] >= 100.0  # inside the values seen
    aggregate(tmp_path, figures=False, report=False)
    md = (tmp_path / "summary.md").read_text()
    assert "±" not in md and "nan" not in md and "e-14" not in md
    assert "0.333 [0.0615, 0.792] n=3" in md  # Wilson, three significant digits


def test_error_bars_never_reach_below_zero():
    from experiments import plots

    summary = pd.DataFrame({"policy": ["a", "b"], "accuracy_lost": [1.0, 50.0],
                            "accuracy_lost_lo": [0.0, 10.0], "accuracy_lost_hi": [9.0, 80.0],
                            "total_cost": [2.0, 3.0], "total_cost_ci": [40.0, 1.0]})
    fig = plots.policy_bars(summary)
    for ax in fig.axes:
        for collection in ax.collections:  # the error bars
            for segment in collection.get_segments():
                assert np.min(segment[:, 0]) >= 0.0


def test_score_run_reads_as_a_short_table():
    from detectors import ADWIN
    from simulator import DeploymentLoop, Drift, DriftStream, Monitor, Never, load_dataset

    stream = DriftStream(load_dataset("iris"), [Drift("concept", 1500)], n_samples=3000, seed=0)
    trace = DeploymentLoop(stream, monitors=[Monitor("error", ADWIN())], policy=Never(),
                           seed=0).run()
    scores = score_run(trace, horizon=1000)
    assert isinstance(scores, RunScores) and isinstance(scores, dict)
    text = repr(scores)
    assert text.startswith("RunScores(alerts of monitor error/ADWIN: accuracy ")
    assert len(text) < 200 and "\n" not in text
    frame = scores.to_frame()
    assert list(frame.columns) == ["metric", "value"]
    assert frame.loc["false_alarm_rate", "metric"] == "false alarms per 1,000 drift-free samples"


def test_vectorised_intervals_agree_with_scipy():
    from scipy.stats import binomtest

    from experiments.metrics.intervals import poisson_rate, poisson_rates, wilson_arrays

    k = np.array([0, 1, 2, 5, 7, 10])
    n = np.array([3, 3, 9, 10, 20, 10])
    low, high = wilson_arrays(k, n)
    assert low[0] == 0.0 and high[-1] == 1.0  # exactly, no rounding dust
    for i in range(k.size):
        ci = binomtest(int(k[i]), int(n[i])).proportion_ci(method="wilson")
        assert (low[i], high[i]) == pytest.approx((ci.low, ci.high), abs=1e-12)
    counts, exposure = np.array([0, 1, 4]), np.array([2500.0, 3000.0, 12000.0])
    lows, highs = poisson_rates(counts, exposure)
    for i in range(counts.size):
        assert (lows[i], highs[i]) == pytest.approx(poisson_rate(int(counts[i]), exposure[i]))


def test_figures_read_right():
    from experiments import plots

    t = np.arange(400)
    fig = plots.recovery_curves({"Never · label delay 0": (t, np.full(400, 0.5))},
                                onset=[100, 200, 300],
                                note="rolling window 100 samples; mean over seed(s) 0, 1")
    ax = fig.axes[0]
    onsets = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
    assert sorted(line.get_xdata()[0] for line in onsets) == [100, 200, 300]
    assert "window 100" in ax.get_title() and "seed(s) 0, 1" in ax.get_title()

    summary = pd.DataFrame({
        "detector": ["A", "A", "baseline:random", "baseline:random"],
        "threshold": [1.0, 2.0, np.nan, np.nan],
        "false_alarm_rate": [0.5, 2.0, 0.4, 3.0],
        "detection_delay_mean": [300.0, 100.0, 500.0, 90.0],
        "missed_detection_rate": [0.5, 0.0, 0.0, 0.0],
        "is_baseline": [False, False, True, True]})
    ax = plots.threshold_tradeoff(summary).axes[0]
    baseline = ax.containers[1].lines[0]
    assert baseline.get_linestyle() == "None"  # matched to different detectors: not joined
    assert ax.get_xscale() == ax.get_yscale() == "log"
