"""Every config in every group composes and instantiates; bad values fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
from hydra.errors import ConfigCompositionException
from hydra.utils import instantiate
from omegaconf.errors import ConfigAttributeError, ValidationError

from experiments.run import CONF_DIR, build, compose
from experiments.schema import validate
from simulator.policies import Policy

GROUPS = ("dataset", "drift", "model", "detector", "monitor", "policy")


def _options(group: str) -> list[str]:
    return sorted(p.stem for p in (CONF_DIR / group).glob("*.yaml"))


@pytest.mark.parametrize(
    "group,option", [(g, o) for g in ("model", "detector", "policy") for o in _options(g)]
)
def test_every_leaf_instantiates(group, option):
    cfg = compose([f"{group}={option}"])
    obj = instantiate(cfg[group])
    if group == "model":
        assert hasattr(obj, "fit") and hasattr(obj, "predict_proba")
    elif group == "policy":
        assert isinstance(obj, Policy)
    else:
        assert type(obj).__name__ == str(cfg[group]._target_).rsplit(".", 1)[-1]


@pytest.mark.parametrize("option", _options("monitor"))
def test_every_monitor_binds_a_matching_detector(option):
    streaming = ("error", "correct", "loss", "feature", "confidence")
    detector = "page_hinkley" if option in streaming else "ks"
    overrides = [f"monitor={option}", f"detector={detector}", "n_samples=600", "drift=none"]
    parts = build(compose(overrides))
    assert parts["monitors"][0].signal == compose(overrides).monitor.signal


@pytest.mark.parametrize("option", _options("experiment"))
def test_every_experiment_overlay_composes_and_builds(option):
    cfg = compose([f"experiment={option}"])
    parts = build(cfg)
    assert parts["monitors"]
    assert validate(cfg)["retrain"].window >= 2


def test_all_groups_are_covered():
    """A new folder under conf/ must be added to the tests above."""
    folders = {p.name for p in Path(CONF_DIR).iterdir() if p.is_dir()}
    # conf/hydra/ (launchers) is covered by tests/test_launchers.py, conf/scenario/
    # (literature generator scenarios) by tests/test_scenario_configs.py, conf/fleet/
    # (the fleet app's fleets) by tests/test_fleet_experiment.py, conf/calibration/
    # (switched on with +calibration=on) by tests/test_bad_inputs_experiments.py.
    assert folders == {*GROUPS, "experiment", "hydra", "scenario", "fleet", "calibration"}
    for group in GROUPS:
        assert _options(group), group


def test_typo_in_a_key_fails_at_compose_time():
    # compose() re-raises Hydra's error at our boundary, the reason in the message
    with pytest.raises(ValueError, match=r"Key 'batchsize' not in 'LoopSchema'") as info:
        compose(["loop.batchsize=5"])
    assert isinstance(info.value.__cause__, ConfigCompositionException)


def test_wrong_type_fails_at_compose_time():
    with pytest.raises(ValueError, match=r"'abc'.*could not be converted to Integer") as info:
        compose(["seed=abc"])
    assert isinstance(info.value.__cause__, (ConfigCompositionException, ValidationError))


def test_out_of_range_value_fails_before_anything_runs():
    with pytest.raises(ValueError, match=r"loop\.label_fraction must be > 0\.0"):
        validate(compose(["loop.label_fraction=0"]))
    with pytest.raises(ValueError, match=r"failure_rate must be <= 1\.0"):
        validate(compose(["loop.retrain.failure_rate=2"]))


def test_unknown_option_names_the_choices():
    with pytest.raises(ValueError, match=r"detector/adwinn(.|\n)*adwin") as info:
        compose(["detector=adwinn"])
    assert isinstance(info.value.__cause__, Exception)


def test_nested_typo_fails():
    with pytest.raises(ValueError, match=r"loop\.retrain\.windw") as info:
        compose(["loop.retrain.windw=3"])
    assert isinstance(info.value.__cause__, (ConfigCompositionException, ConfigAttributeError))
