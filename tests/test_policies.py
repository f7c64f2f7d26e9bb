"""Retraining policies, alone and inside the loop."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hydra.utils import instantiate
from omegaconf import OmegaConf
from river.linear_model import SoftmaxRegression
from river.preprocessing import StandardScaler as RiverScaler

from detectors.page_hinkley import PageHinkley
from simulator.alerts import Alert
from simulator.datasets import load_dataset
from simulator.drift import Drift
from simulator.loop import DeploymentLoop
from simulator.loop_config import CostModel, RetrainConfig
from simulator.models import RiverClassifier
from simulator.monitors import Monitor
from simulator.policies import (
    CostAware,
    Decision,
    DriftTriggered,
    LoopStateView,
    Never,
    Oracle,
    Periodic,
    Policy,
    WarningBackground,
)
from simulator.stream import DriftStream

IRIS = load_dataset("iris")
CONF_POLICY = Path(__file__).resolve().parents[1] / "conf" / "policy"


def alert(t, monitor="m", kind="drift", severity=1.0):
    return Alert(t, monitor, "PageHinkley", "error", None, severity, kind=kind)


def test_periodic_schedule_is_exact_across_any_split():
    p = Periodic(every=300, offset=100)
    whole = p.scheduled(0, 2000).tolist()
    assert whole == [400, 700, 1000, 1300, 1600, 1900]
    pieces = [t for lo in range(0, 2000, 77) for t in p.scheduled(lo, min(lo + 77, 2000))]
    assert pieces == whole
    assert p.decide(700, [], LoopStateView(time=700)).action == "retrain"
    assert p.decide(701, [], LoopStateView(time=701)).action == "none"


def test_drift_triggered_any_all_names_and_cooldown():
    any_ = DriftTriggered(cooldown=500)
    assert any_.decide(10, [alert(10, kind="warning")], LoopStateView(time=10)).action == "none"
    assert any_.decide(10, [alert(10)], LoopStateView(time=10)).action == "retrain"
    cooling = LoopStateView(time=400, last_retrain=10)
    assert any_.decide(400, [alert(400)], cooling).action == "none"
    assert any_.decide(510, [alert(510)], LoopStateView(time=510, last_retrain=10)).action == (
        "retrain"
    )
    busy = LoopStateView(time=900, job_running=True)
    assert any_.decide(900, [alert(900)], busy).action == "none"

    named = DriftTriggered(monitors=["b"])
    assert named.decide(5, [alert(5, "a")], LoopStateView(time=5)).action == "none"
    assert named.decide(5, [alert(5, "b")], LoopStateView(time=5)).action == "retrain"

    since = DriftTriggered(data="since_alert").decide(42, [alert(42)], LoopStateView(time=42))
    assert since.since == 42


def test_oracle_uses_only_harmful_onsets():
    events = [SimpleNamespace(onset=100, end=100, harmful=True),
              SimpleNamespace(onset=300, end=300, harmful=False)]
    oracle = Oracle()
    oracle.reset(events=events)
    assert oracle.scheduled(0, 1000).tolist() == [100]
    every = Oracle(harmful_only=False)
    every.reset(events=events)
    assert every.scheduled(0, 1000).tolist() == [100, 300]
    assert every.scheduled(101, 300).tolist() == []


def test_cost_aware_weighs_loss_against_cost():
    base = dict(time=5000, champion_accuracy=0.95, retrain_cost=100.0, error_cost=1.0)
    policy = CostAware(horizon=1000, window=100, alert_weight=0.5)
    # a 5-point drop over 1,000 samples costs 50 < 100: stay
    assert (
        policy.decide(5000, [], LoopStateView(recent_accuracy=lambda n: 0.90, **base)).action
        == "none"
    )
    # a severe alert halves the bar to 50; 60 > 50: retrain
    state = LoopStateView(recent_accuracy=lambda n: 0.89, **base)
    assert policy.decide(5000, [], state).action == "none"
    assert policy.decide(5000, [alert(5000, severity=1.0)], state).action == "retrain"
    # no labels yet: no evidence, no retrain
    nan_state = LoopStateView(recent_accuracy=lambda n: float("nan"), **base)
    assert policy.expected_loss(nan_state) == 0.0


def test_warning_background_trains_on_warning_and_swaps_on_drift():
    policy = WarningBackground()
    assert policy.decide(1, [alert(1, kind="warning")], LoopStateView(time=1)).action == (
        "background"
    )
    ready = LoopStateView(time=2, background_ready=True)
    assert policy.decide(2, [alert(2, kind="warning")], ready).action == "none"
    assert policy.decide(2, [alert(2)], ready).action == "retrain"


@pytest.mark.parametrize("path", sorted(CONF_POLICY.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_policy_config_instantiates_through_its_target(path):
    # conf/policy/ is the one registry of policies: each file names its class
    policy = instantiate(OmegaConf.load(path))
    assert isinstance(policy, Policy)
    assert OmegaConf.load(path)._target_ == f"simulator.policies.{type(policy).__name__}"


def test_policy_and_decision_validation():
    assert DriftTriggered(cooldown=5).cooldown == 5
    with pytest.raises(ValueError, match="cooldown must be >= 0"):
        DriftTriggered(cooldown=-1)
    with pytest.raises(ValueError, match="action must be one of"):
        Decision("explode")
    with pytest.raises(ValueError, match="monitors must be one of"):
        DriftTriggered(monitors="some")


# --- inside the loop ----------------------------------------------------------------


def stream():
    return DriftStream(IRIS, [Drift("concept", 2000, classes=(1, 2))], n_samples=5000, seed=1)


def test_periodic_retrains_on_schedule_in_the_loop():
    trace = DeploymentLoop(stream(), policy=Periodic(every=1000), seed=1).run()
    starts = [e.time for e in trace.events if e.type == "retrain_start"]
    assert starts == [1001, 2001, 3001, 4001]


def test_cost_aware_in_the_loop_retrains_after_harmful_drift_only():
    trace = DeploymentLoop(
        stream(),
        policy=CostAware(horizon=2000, window=200, check_every=100),
        costs=CostModel(retrain_fixed=100.0),
        seed=1,
    ).run()
    starts = [e.time for e in trace.events if e.type == "retrain_start"]
    assert starts and all(t > 2000 for t in starts)


def test_warning_background_in_the_loop():
    from detectors.ddm import DDM

    monitor = Monitor("error", DDM(), name="ddm")
    trace = DeploymentLoop(
        stream(),
        monitors=[monitor],
        policy=WarningBackground(),
        retrain=RetrainConfig(window=200),
        seed=1,
    ).run()
    kinds = [e.type for e in trace.events]
    assert "warning" in kinds
    background = [e for e in trace.events if e.type == "retrain_start" and e.details["background"]]
    assert background
    assert trace.correct[4000:].mean() > 0.85


def test_incremental_river_model_keeps_learning():
    """The 'keep learning' strategy with a river model recovers without any retrain."""
    model = RiverClassifier(RiverScaler() | SoftmaxRegression(), n_classes=3)
    small = DriftStream(IRIS, [Drift("concept", 1000, classes=(1, 2))], n_samples=2500, seed=1)
    trace = DeploymentLoop(
        small,
        model=model,
        policy=Never(),
        retrain=RetrainConfig(strategy="incremental"),
        batch_size=100,
        seed=1,
    ).run()
    assert not [e for e in trace.events if e.type == "retrain_start"]
    assert set(trace.model_version.tolist()) == {1}
    just_after = trace.correct[1000:1200].mean()
    later = trace.correct[2000:2500].mean()
    assert later > just_after + 0.1


def test_error_monitor_with_page_hinkley_and_drift_triggered_recovers():
    trace = DeploymentLoop(
        stream(),
        monitors=[Monitor("error", PageHinkley(threshold=10.0))],
        policy=DriftTriggered(cooldown=300, data="since_alert"),
        retrain=RetrainConfig(window=300),
        seed=1,
    ).run()
    deploys = [e.time for e in trace.events if e.type == "deploy"]
    assert len(deploys) >= 2 and 2000 < deploys[1] < 2500
    assert np.mean(trace.correct[deploys[1] : deploys[1] + 1000]) > 0.85
