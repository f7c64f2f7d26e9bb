"""The deployment loop: serving, label delay, policies, gate, deployment modes, rollback,
approval, failures, determinism and batch-size invariance."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from detectors.page_hinkley import PageHinkley
from detectors.window import KS
from simulator.alerts import CallbackSink
from simulator.datasets import load_dataset
from simulator.drift import Drift
from simulator.loop import DeploymentLoop
from simulator.loop_config import (
    ApprovalConfig,
    DeploymentConfig,
    GateConfig,
    RetrainConfig,
)
from simulator.models import full_proba
from simulator.monitors import Monitor, SLARule
from simulator.policies import DriftTriggered, Never, Oracle, PerformanceSLA, Periodic
from simulator.stream import DriftStream
from simulator.trace import Trace

IRIS = load_dataset("iris")
SWAP = Drift("concept", 2000, classes=(1, 2))


def stream(drifts=(SWAP,), n=5000, seed=1):
    return DriftStream(IRIS, drifts, n_samples=n, seed=seed)


def error_monitor():
    return Monitor("error", PageHinkley(threshold=10.0), name="err")


class FitCounter(ClassifierMixin, BaseEstimator):
    """Logistic regression for its first fit in a test, a constant for later ones
    (``mode="constant"``), or an exception (``mode="raise"``)."""

    fits = itertools.count()

    def __init__(self, mode: str = "constant") -> None:
        self.mode = mode

    def fit(self, X, y):
        first = next(FitCounter.fits) == 0
        if not first and self.mode == "raise":
            raise RuntimeError("disk full")
        self.classes_ = np.unique(y)
        self.lr_ = LogisticRegression(max_iter=1000).fit(X, y) if first else None
        return self

    def predict_proba(self, X):
        if self.lr_ is not None:
            return self.lr_.predict_proba(X)
        proba = np.zeros((len(X), self.classes_.size))
        proba[:, 0] = 1.0
        return proba


@pytest.fixture(autouse=True)
def _fresh_counter():
    FitCounter.fits = itertools.count()


def types(trace: Trace, *wanted: str) -> list[tuple[int, str]]:
    return [(e.time, e.type) for e in trace.events if e.type in wanted]


def test_no_drift_never_serves_the_initial_model():
    """Served accuracy equals the first model's accuracy on the stream's own samples."""
    s = stream(drifts=(), n=3000)
    loop = DeploymentLoop(s, policy=Never(), seed=3)
    trace = loop.run()
    X, y, _ = s.take(3000)
    model = loop.registry_.get(1).model
    expected = full_proba(model, X, 3).argmax(axis=1)
    np.testing.assert_array_equal(trace.prediction, expected)
    assert trace.accuracy() == pytest.approx(float(np.mean(expected == y)))
    assert set(trace.model_version.tolist()) == {1}
    assert types(trace, "deploy") == [(0, "deploy")]


def test_oracle_recovers_right_after_onset_plus_window():
    """Zero latency and delay: the oracle trains on the first ``window`` post-drift labels
    and the new model serves from onset + window on."""
    window = 300
    loop = DeploymentLoop(
        stream(),
        policy=Oracle(),
        retrain=RetrainConfig(window=window),
        gate=GateConfig(holdout=0.0),
        seed=1,
    )
    trace = loop.run()
    assert (2000 + window, "deploy") in types(trace, "deploy")
    assert trace.model_version[2000 + window - 1] == 1
    assert trace.model_version[2000 + window] == 2
    before = trace.correct[1000:2000].mean()
    broken = trace.correct[2000 : 2000 + window].mean()
    after = trace.correct[2000 + window : 2000 + window + 1000].mean()
    assert broken < before - 0.2
    assert after > before - 0.05


@pytest.mark.parametrize("delay", [0, 150, 600])
def test_label_delay_holds_back_error_monitors_only(delay):
    """An error monitor cannot alert before onset + delay; a feature monitor can."""
    s = stream(
        drifts=(
            Drift("concept", 2000, classes=(1, 2)),
            Drift("covariate", 2000, features=[2], severity=2.0),
        )
    )
    feature = Monitor("feature:2", KS(alpha=0.001), every=100, window=200, name="feat")
    loop = DeploymentLoop(
        s, monitors=[error_monitor(), feature], policy=Never(), label_delay=delay, seed=1
    )
    trace = loop.run()
    alerts = [e for e in trace.events if e.type == "alert"]
    first_error = min(e.time for e in alerts if e.details["monitor"] == "err")
    first_feature = min(e.time for e in alerts if e.details["monitor"] == "feat")
    assert first_error >= 2000 + delay
    assert 2000 <= first_feature < 2000 + 200
    if delay >= 150:
        assert first_feature < first_error


def test_label_delay_and_fraction_reveal_what_they_say():
    loop = DeploymentLoop(
        stream(drifts=(), n=2000), label_delay=(10, 50), label_fraction=0.3, seed=4
    )
    trace = loop.run()
    revealed = trace.label_revealed
    lag = trace.label_time[revealed] - np.flatnonzero(revealed)
    assert lag.min() >= 10 and lag.max() <= 50
    assert 0.25 < revealed.mean() < 0.35
    assert not revealed[-10:].any()  # never revealed before the stream ends


def test_sla_rule_fires_on_third_consecutive_failing_check():
    """Hand-built: checks of 100 labels; checks 1-2 pass, 3-5 fail -> fires at the end of
    check 5; a passing check resets the count."""
    rule = SLARule("accuracy", threshold=0.85, consecutive=3, check_size=100)
    y = np.zeros(800, dtype=int)
    pred = y.copy()
    pred[200:500:4] = 1  # checks 3, 4, 5 at accuracy 0.75
    pred[600:700:4] = 1  # check 7 fails alone
    assert rule.update_many(y[:450], pred[:450]).tolist() == []
    assert rule.update_many(y[450:], pred[450:]).tolist() == [499 - 450]
    assert rule.last_value == 1.0


def test_sla_policy_retrains_on_breach():
    policy = PerformanceSLA("accuracy", 0.85, consecutive=3, check_size=100)
    loop = DeploymentLoop(stream(), policy=policy, seed=1)
    trace = loop.run()
    alerts = types(trace, "alert")
    assert alerts and alerts[0][0] == 2299  # third failing check of 100 ends at 2299
    assert (2300, "retrain_start") in types(trace, "retrain_start")


def test_gate_rejects_a_worse_candidate():
    loop = DeploymentLoop(
        stream(drifts=(), n=3000), model=FitCounter(), policy=Periodic(every=1000), seed=1
    )
    trace = loop.run()
    assert len(types(trace, "gate_fail")) == 2
    assert types(trace, "deploy") == [(0, "deploy")]
    assert set(trace.model_version.tolist()) == {1}


def test_rollback_restores_the_previous_version():
    loop = DeploymentLoop(
        stream(drifts=(), n=3000),
        model=FitCounter(),
        policy=Periodic(every=1000),
        gate=GateConfig(holdout=0.0),
        deployment=DeploymentConfig(rollback_samples=100, rollback_margin=0.05),
        seed=1,
    )
    trace = loop.run()
    rollbacks = types(trace, "rollback")
    # the periodic trigger at 1000 deploys v2 at 1001; its 100th label is revealed at 1100
    assert rollbacks[0] == (1101, "rollback")
    assert trace.model_version[1000] == 1
    assert trace.model_version[1001:1101].tolist() == [2] * 100
    assert trace.model_version[1101] == 1
    assert loop.registry_.alias("champion").version == 1


def test_shadow_promotes_only_a_winner():
    shadow = DeploymentConfig(mode="shadow", trial_samples=300)
    good = DeploymentLoop(
        stream(), policy=Oracle(), retrain=RetrainConfig(window=300), deployment=shadow, seed=1
    ).run()
    ends = [e for e in good.events if e.type == "shadow_end"]
    assert ends and ends[0].details["promoted"] is True
    promoted_at = ends[0].time
    assert good.model_version[promoted_at - 1] == 1 and good.model_version[promoted_at] == 2

    bad = DeploymentLoop(
        stream(drifts=(), n=3000),
        model=FitCounter(),
        policy=Periodic(every=1000),
        gate=GateConfig(holdout=0.0),
        deployment=shadow,
        seed=1,
    ).run()
    ends = [e for e in bad.events if e.type == "shadow_end"]
    assert ends and not any(e.details["promoted"] for e in ends)
    assert set(bad.model_version.tolist()) == {1}


def test_ab_trial_splits_traffic_and_decides():
    ab = DeploymentConfig(mode="ab", trial_samples=400, ab_fraction=0.25)
    loop = DeploymentLoop(
        stream(), policy=Oracle(), retrain=RetrainConfig(window=300), deployment=ab, seed=1
    )
    trace = loop.run()
    start = types(trace, "ab_start")[0][0]
    share = (trace.model_version[start : start + 400] == 2).mean()
    assert 0.15 < share < 0.35
    assert [e.details["promoted"] for e in trace.events if e.type == "ab_end"] == [True]


def test_approval_latency_delays_deployment_exactly():
    def run(criticality):
        return DeploymentLoop(
            stream(),
            policy=Oracle(),
            retrain=RetrainConfig(window=300),
            criticality=criticality,
            approval=ApprovalConfig(latency=250),
            seed=1,
        ).run()

    normal, critical = run("normal"), run("high")
    deploy_normal = types(normal, "deploy")[1][0]
    assert types(critical, "approval_request")[0][0] == deploy_normal
    assert types(critical, "deploy")[1][0] == deploy_normal + 250


def test_rejected_approval_keeps_the_champion():
    trace = DeploymentLoop(
        stream(),
        policy=Oracle(),
        criticality="high",
        approval=ApprovalConfig(latency=10, rejection_rate=1.0),
        seed=1,
    ).run()
    assert len(types(trace, "rejection")) == 1
    assert set(trace.model_version.tolist()) == {1}


def test_failures_are_retried_logged_and_survived():
    trace = DeploymentLoop(
        stream(),
        monitors=[error_monitor()],
        policy=DriftTriggered(),
        retrain=RetrainConfig(failure_rate=1.0, max_retries=2, backoff=50),
        seed=1,
    ).run()
    failed = [e for e in trace.events if e.type == "retrain_failed"]
    assert len(failed) >= 3
    first = failed[:3]
    assert [e.details["attempt"] for e in first] == [0, 1, 2]
    assert [e.details["retry"] for e in first] == [True, True, False]
    assert first[1].time - first[0].time == 50
    assert trace.n_samples == 5000


def test_a_model_whose_fit_raises_is_logged():
    trace = DeploymentLoop(
        stream(),
        model=FitCounter(mode="raise"),
        monitors=[error_monitor()],
        policy=DriftTriggered(),
        retrain=RetrainConfig(max_retries=0),
        seed=1,
    ).run()
    failed = types(trace, "retrain_failed")
    assert failed
    first = next(e for e in trace.events if e.type == "retrain_failed")
    assert "disk full" in first.details["error"]
    assert trace.n_samples == 5000


def test_too_few_labels_skips_the_job():
    trace = DeploymentLoop(
        stream(),
        monitors=[error_monitor()],
        policy=DriftTriggered(),
        label_fraction=0.01,
        retrain=RetrainConfig(window=100, min_train=50),
        seed=1,
    ).run()
    skipped = [e for e in trace.events if e.type == "retrain_skipped"]
    assert not types(trace, "retrain_start") or skipped
    assert all(
        "min_train" in e.details["reason"] or "running" in e.details["reason"] for e in skipped
    )


@pytest.mark.parametrize("batch_size", [1, 97, 1000])
def test_results_do_not_depend_on_batch_size(batch_size):
    def run(bs):
        monitors = [error_monitor(), Monitor("features", KS(), every=250, window=250, name="ks")]
        return DeploymentLoop(
            stream(n=3000),
            monitors=monitors,
            policy=DriftTriggered(),
            label_delay=(0, 40),
            batch_size=bs,
            seed=5,
        ).run()

    reference = run(500)
    other = run(batch_size)
    np.testing.assert_array_equal(reference.prediction, other.prediction)
    np.testing.assert_array_equal(reference.model_version, other.model_version)
    np.testing.assert_array_equal(reference.label_time, other.label_time)
    assert [(e.time, e.type) for e in reference.events] == [(e.time, e.type) for e in other.events]


def test_same_seed_same_trace_and_save_load(tmp_path):
    def run(seed):
        return DeploymentLoop(
            stream(),
            monitors=[error_monitor()],
            policy=DriftTriggered(),
            label_delay=(0, 100),
            label_fraction=0.7,
            seed=seed,
        ).run()

    a, b, c = run(1), run(1), run(2)
    assert a == b
    assert not np.array_equal(a.label_time, c.label_time)
    loaded = Trace.load(a.save(tmp_path / "trace"))
    assert loaded == a


def test_alerts_reach_the_sinks():
    received = []
    trace = DeploymentLoop(
        stream(),
        monitors=[error_monitor()],
        policy=Never(),
        alert_sinks=[CallbackSink(received.extend)],
        seed=1,
    ).run()
    assert [a.time for a in received] == [t for t, _ in types(trace, "alert")]
    assert all(a.monitor == "err" and a.signal == "error" for a in received)


def test_monitors_rebaseline_after_deployment():
    """After the oracle's deploy, a feature monitor compares with the new training data,
    so the shifted feature stops alerting."""
    shift = Drift("covariate", 1500, features=[0], severity=3.0)
    feature = Monitor("feature:0", KS(), every=200, window=200, name="feat")
    trace = DeploymentLoop(
        stream(drifts=(shift,)),
        monitors=[feature],
        policy=Oracle(),
        retrain=RetrainConfig(window=400),
        gate=GateConfig(holdout=0.0),
        seed=1,
    ).run()
    deploy = types(trace, "deploy")[1][0]
    alert_times = [t for t, _ in types(trace, "alert")]
    assert any(1500 <= t < deploy for t in alert_times)
    late = [t for t in alert_times if t > deploy + 400]
    assert len(late) <= 2  # the odd false alarm, not one per test


def test_bad_arguments():
    s = stream()
    with pytest.raises(ValueError, match="label_fraction"):
        DeploymentLoop(s, label_fraction=0.0)
    with pytest.raises(ValueError, match="label_delay"):
        DeploymentLoop(s, label_delay=(5, 1))
    with pytest.raises(ValueError, match="finite"):
        DeploymentLoop(DriftStream(IRIS, (), seed=1))
    with pytest.raises(ValueError, match="unique"):
        DeploymentLoop(s, monitors=[error_monitor(), error_monitor()])
    with pytest.raises(ValueError, match="partial_fit"):
        DeploymentLoop(s, retrain=RetrainConfig(strategy="incremental"))
    with pytest.raises(ValueError, match="criticality"):
        DeploymentLoop(s, criticality="extreme")


def test_oracle_trains_on_the_new_concept_only_during_a_gradual_drift():
    """During a gradual swap the oracle waits for ``window`` labels of samples drawn
    from the new concept (the stream's truth) and trains on exactly those."""
    s = DriftStream(IRIS, [Drift("concept", 2000, width=1000, profile="gradual")],
                    n_samples=5000, seed=2)
    loop = DeploymentLoop(s, policy=Oracle(), retrain=RetrainConfig(window=200),
                          gate=GateConfig(holdout=0.0), seed=2)
    trace = loop.run()
    _, _, truth = s.take(5000)
    new_concept = np.flatnonzero((truth[:, 0] == 1.0) & (np.arange(5000) >= 2000))
    start = types(trace, "retrain_start")[0][0]
    assert start == new_concept[199] + 1  # the 200th new-concept label arrives at its sample
    version = loop.registry_.get(2)
    assert version.trained_on == (int(new_concept[0]), int(new_concept[199]) + 1)
    assert version.n_train == 200
