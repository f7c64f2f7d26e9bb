"""Every scenario in conf/drift/ composes with Hydra, instantiates and drives a stream."""

from __future__ import annotations

from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hydra.utils import instantiate

from simulator.datasets import load_dataset
from simulator.drift import Scenario
from simulator.stream import DriftStream

CONF = Path(__file__).resolve().parents[1] / "conf"
SCENARIOS = sorted(p.stem for p in (CONF / "drift").glob("*.yaml"))
REQUIRED = {
    "none",
    "abrupt_covariate",
    "gradual_covariate",
    "incremental_covariate",
    "subpopulation",
    "abrupt_concept",
    "gradual_concept",
    "recurring_concept",
    "prior_shift",
    "prediction_bias",
    "pipeline_stuck_feature",
    "benign_covariate",
    "mixed",
}
IRIS = load_dataset("iris")
N = 5000  # the stream length the scenarios assume


def scenario(name: str) -> Scenario:
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        cfg = compose(overrides=[f"+drift={name}"])
    return instantiate(cfg.drift)


def test_every_required_scenario_exists():
    assert REQUIRED <= set(SCENARIOS)


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_instantiates_and_builds_an_iris_stream(name):
    s = scenario(name)
    assert isinstance(s, Scenario)
    assert s.name == name
    stream = DriftStream(IRIS, s, n_samples=N, harm_samples=300)
    points = sorted(p for d in s.drifts for p, _ in d.change_points())
    assert [e.onset for e in stream.events] == points
    assert all(0 < e.onset < N for e in stream.events)
    X, y, truth = stream.take(N)
    assert X.shape == (N, IRIS.n_features) and y.shape == (N,)
    assert truth.shape == (N, len(s.drifts))
    assert (truth[:1000] == 0).all()  # every scenario leaves a drift-free start


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_uses_only_the_first_two_features(name):
    """Features are given by index (< 2) or left to the default, so any dataset works."""
    for d in scenario(name).drifts:
        assert d.features is None or all(isinstance(f, int) and f < 2 for f in d.features)


def test_benign_covariate_is_not_harmful_on_iris():
    for seed in range(3):
        stream = DriftStream(IRIS, scenario("benign_covariate"), n_samples=N, seed=seed)
        assert stream.drifts[0].kind == "covariate"
        assert not stream.events[0].harmful
        assert abs(stream.events[0].accuracy_drop) < 0.03


@pytest.mark.parametrize(
    "name", ["abrupt_covariate", "abrupt_concept", "prediction_bias", "pipeline_stuck_feature"]
)
def test_headline_scenarios_are_harmful_on_iris(name):
    stream = DriftStream(IRIS, scenario(name), n_samples=N)
    assert [e.harmful for e in stream.events] == [True]
