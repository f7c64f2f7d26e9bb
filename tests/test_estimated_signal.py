"""``estimated:<metric>`` monitor signals and the SLA policy on an estimated metric."""

from __future__ import annotations

import numpy as np
import pytest

from detectors import PageHinkley
from detectors.estimation import CBPE, ImportanceWeighting
from simulator.datasets import load_dataset
from simulator.demo import load_scenario
from simulator.loop import DeploymentLoop
from simulator.monitors import Monitor, Reference, SignalHistory, SLARule
from simulator.policies import PerformanceSLA
from simulator.stream import DriftStream

DELAY = 1500


def _covariate_loop(policy, monitors=(), delay=DELAY, n=5000):
    stream = DriftStream(load_dataset("iris"), load_scenario("abrupt_covariate"), n, seed=0)
    return DeploymentLoop(stream, monitors=monitors, policy=policy, label_delay=delay, seed=0)


def test_sla_acts_on_the_estimated_metric_before_the_first_drifted_label_arrives():
    loop = _covariate_loop(PerformanceSLA("f1", threshold=0.85, consecutive=3,
                                          check_size=200, source="estimated"))
    trace = loop.run()
    onset = 2000
    first_drifted_label = onset + DELAY
    # The labels of the drifted period reach nobody before onset + delay ...
    assert trace.label_time[onset] == first_drifted_label
    alerts = [e for e in trace.events_of("alert") if e.time >= onset]
    retrains = [e for e in trace.events_of("retrain_start") if e.time >= onset]
    assert alerts and retrains
    # ... yet three failing checks of the estimate (200 samples each) set the policy off.
    assert onset + 3 * 200 - 1 <= alerts[0].time < first_drifted_label
    assert retrains[0].time < first_drifted_label
    assert "estimated" in retrains[0].details["reason"]
    # The label-based SLA on the same run waits for labels.
    labelled = _covariate_loop(PerformanceSLA("f1", threshold=0.85, consecutive=3,
                                              check_size=200)).run()
    first = min(e.time for e in labelled.events_of("retrain_start") if e.time >= onset)
    assert first >= first_drifted_label


def test_the_trace_records_estimate_beside_realised():
    loop = _covariate_loop(PerformanceSLA("accuracy", threshold=0.85, source="estimated"),
                           n=4000)
    trace = loop.run()
    records = trace.events_of("estimate")
    assert len(records) >= 15
    keys = {"monitor", "start", "stop", "metric", "estimate", "lower", "upper", "realised"}
    assert all(keys <= set(e.details) for e in records)
    # One record per check, in time order (a segment the loop re-runs is not logged twice).
    stops = [e.details["stop"] for e in records]
    assert stops == sorted(set(stops))
    before = [e.details for e in records if e.details["stop"] <= 2000]
    after = [e.details for e in records if e.details["start"] >= 2000
             and e.details["stop"] <= 2600]
    # Before the shift the estimate is close to the truth ...
    assert np.mean([abs(d["estimate"] - d["realised"]) for d in before]) < 0.03
    # ... after it both fall, the truth further and out of the band: this "covariate"
    # shift keeps each label with its row, so P(y | x) moves as the model sees it.
    assert np.mean([d["estimate"] for d in after]) < np.mean([d["estimate"] for d in before])
    assert all(d["realised"] < d["lower"] for d in after)


def test_an_estimated_signal_feeds_a_streaming_detector():
    monitor = Monitor("estimated:accuracy", PageHinkley(threshold=0.05, min_instances=3,
                                                        delta=0.001, mode="down"),
                      window=100)
    trace = _covariate_loop(PerformanceSLA(source="labels", metric="accuracy", threshold=0.0),
                            monitors=[monitor], n=4000).run()
    alerts = [e for e in trace.events_of("alert") if e.details.get("monitor") == monitor.name]
    assert alerts and 2000 <= alerts[0].time < 2600


def test_importance_weighting_can_back_the_signal():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1600, 2))
    y = (X[:, 0] > 0).astype(int)
    proba = np.c_[1 - (X[:, 0] > 0) * 0.9 - 0.05, (X[:, 0] > 0) * 0.9 + 0.05]
    m = Monitor("estimated:accuracy", SLARule("accuracy", 0.5, 1, check_size=400),
                estimator=ImportanceWeighting(chunk_size=400))
    m.rebaseline(Reference(X[:800], proba[:800].argmax(1), proba[:800], y[:800]), 0)
    m.observe_data(0, 1600, SignalHistory(X, proba.argmax(1), proba))
    records = m.estimated.pop_records()
    assert [r["stop"] for r in records] == [400, 800, 1200, 1600]
    assert all(r["estimate"] == pytest.approx(1.0) for r in records)
    assert m.estimated.pop_records() == []


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("estimated:f1", SLARule("accuracy")), "names metric 'f1', but the rule computes"),
        (("estimated:mape", PageHinkley()), "estimated metric must be one of"),
        (("estimated:f1", PageHinkley()), None),
    ],
)
def test_estimated_signal_arguments_are_checked(args, match):
    if match is None:
        assert Monitor(*args).window == 500
        return
    with pytest.raises(ValueError, match=match):
        Monitor(*args)


def test_estimated_signal_refuses_window_tests_and_estimators_of_other_metrics():
    from detectors import KS

    with pytest.raises(ValueError, match="not a window test"):
        Monitor("estimated:accuracy", KS())
    with pytest.raises(ValueError, match="does not estimate 'f1'"):
        Monitor("estimated:f1", PageHinkley(), estimator=CBPE(metrics=("accuracy",)))
    with pytest.raises(ValueError, match="source must be one of"):
        PerformanceSLA(source="guess")
    with pytest.raises(ValueError, match="metric \\(estimated\\) must be one of"):
        PerformanceSLA("balanced_accuracy", source="estimated")
