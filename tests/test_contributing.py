"""CONTRIBUTING.md's promises, checked: each kind of addition is a few files, and a
test fails when one of them is missing.

The toy detector below is defined here and nowhere else. Given the three pieces a
contributor writes — its module (this file), an export and a config — it joins the
conformance suite, the detector sets, threshold sweeps, calibration and aggregation
with no other edit.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import numpy as np
import pytest

import detectors
import simulator
from detectors.base import BaseStreamingDetector
from detectors.checks import yield_checks
from detectors.tags import (
    CalibrationSpec,
    Sensitivity,
    log_grid,
    missing_tags,
    public_detectors,
    test_instance,
)
from detectors.window import _TESTS as WINDOW_TESTS
from detectors.window.base import BaseWindowTest
from driftsim.validation import check_in_range
from experiments.detector_specs import detector_options, detector_set
from experiments.run import CONF_DIR, compose, run


class Toy(BaseStreamingDetector):
    """A toy detector: alarm when the mean of the last 50 values moves ``level`` away from
    the mean of the first 50 seen since the last alarm.

    Examples
    --------
    >>> Toy(level=0.5).update_many(np.r_[np.zeros(100), np.ones(100)])
    array([125])
    """

    sensitivity = Sensitivity("level", "decreasing", log_grid(0.05, 2.0, 8))
    calibration = CalibrationSpec((0.01, 5.0))
    is_baseline = False
    signal = None

    def __init__(self, level: float = 0.5) -> None:
        self.level = check_in_range("level", level, low=0.0, low_inclusive=False)
        self._reset()

    def _reset(self) -> None:
        super()._reset()
        self._values: list[float] = []

    def _process(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        drifts = []
        for i, x in enumerate(xs):  # a toy: Python per sample is fine here
            self._values.append(float(x))
            if len(self._values) >= 100:
                reference = np.mean(self._values[:50])
                if abs(np.mean(self._values[-50:]) - reference) > self.level:
                    drifts.append(i)
                    self._values = []
        empty = np.empty(0, dtype=np.int64)
        return np.asarray(drifts, dtype=np.int64), empty, False


@pytest.fixture
def exported(monkeypatch):
    """The export line a contributor adds to ``detectors/__init__.py``."""
    monkeypatch.setattr(detectors, "__all__", [*detectors.__all__, "Toy"])
    monkeypatch.setattr(detectors, "Toy", Toy, raising=False)


@pytest.fixture
def conf_dir(tmp_path):
    """``conf/detector/toy.yaml`` beside copies of the shipped options."""
    folder = tmp_path / "conf" / "detector"
    folder.mkdir(parents=True)
    for path in (CONF_DIR / "detector").glob("*.yaml"):
        (folder / path.name).write_text(path.read_text())
    (folder / "toy.yaml").write_text(f"_target_: {__name__}.Toy\nlevel: 0.5\n")
    return tmp_path / "conf"


FAST = ["n_samples=2500", "drift=abrupt_covariate", "policy=never", "score.oracle=false",
        "plot=false", "save_trace=false", "monitor=feature", f"detector._target_={__name__}.Toy",
        "~detector.delta", "+detector.level=0.5", f"+allowed_targets=[{__name__}]"]


def test_toy_declares_everything_and_passes_every_conformance_check(exported):
    assert ("Toy", Toy) in list(public_detectors())
    assert missing_tags(Toy) == []
    checks = dict(yield_checks(test_instance(Toy)))
    assert "check_chunking_invariance" in checks
    for check in checks.values():
        check()


def test_toy_joins_the_detector_sets(conf_dir):
    assert "toy" in detector_options(conf_dir)
    assert "toy" in detector_set("streaming", conf_dir)
    assert "toy" in detector_set("calibratable", conf_dir)
    assert "toy" not in detector_set("baselines", conf_dir)


def test_toy_joins_threshold_sweeps_and_aggregation(tmp_path):
    from experiments.aggregate import collect

    run(compose([*FAST, "thresholds=grid"]), output_dir=tmp_path / "0")
    rows = collect(tmp_path)
    toy = rows[rows["detector"] == "Toy"]
    assert sorted(toy["threshold"]) == list(Toy.sensitivity.grid)
    assert set(toy["threshold_param"]) == {"level"}
    assert not toy["is_baseline"].any()
    # the grid's least sensitive end alarms no more than its most sensitive end
    alarms = toy.set_index("threshold")["alarms"]
    assert alarms[Toy.sensitivity.least_sensitive] <= alarms[Toy.sensitivity.most_sensitive]


def test_toy_is_calibrated_to_a_false_alarm_rate():
    from experiments.calibrated import calibrate_detectors

    rng = np.random.default_rng(0)
    null = [rng.normal(0, 1, 5000) for _ in range(3)]
    tuned, report = calibrate_detectors({"toy": Toy()}, null, target_rate=0.5)
    assert report["toy"]["calibrated"] and report["toy"]["param"] == "level"
    assert report["toy"]["achieved_rate"] <= 0.5
    assert tuned["toy"].level == report["toy"]["value"]
    assert 0.01 <= tuned["toy"].level <= 5.0


# ----------------------------------------------------- completeness: one test per kind


def _classes_defined_in(package, base: type) -> set[str]:
    """Public subclasses of ``base`` defined in the modules of ``package`` (its ``base``
    module holds the framework's own base classes)."""
    found = set()
    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        if info.name.rsplit(".", 1)[-1].startswith("_") or info.name.endswith(".base"):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (inspect.isclass(obj) and issubclass(obj, base) and obj.__module__ == info.name
                    and not name.startswith(("_", "Base"))):
                found.add(name)
    return found


def test_every_streaming_detector_module_class_is_exported():
    defined = _classes_defined_in(detectors, BaseStreamingDetector)
    assert defined <= set(detectors.__all__), defined - set(detectors.__all__)


def test_every_window_test_is_in_the_window_table_and_exported():
    import detectors.window

    defined = _classes_defined_in(detectors.window, BaseWindowTest)
    assert defined == set(WINDOW_TESTS)
    assert set(WINDOW_TESTS) <= set(detectors.__all__)


def test_every_public_detector_has_a_config():
    """RiverDetector wraps a river object given in code, so it has no config of its own."""
    targets = {spec["_target_"] for spec in detector_options().values()}
    missing = [name for name, _ in public_detectors()
               if f"detectors.{name}" not in targets and name != "RiverDetector"]
    assert missing == []


def test_every_policy_is_exported_and_has_a_config():
    from simulator import policies

    defined = {name for name, obj in vars(policies).items()
               if inspect.isclass(obj) and issubclass(obj, policies.Policy)
               and obj is not policies.Policy and obj.__module__ == policies.__name__
               and not name.startswith("_")}
    assert defined <= set(simulator.__all__)
    targets = {compose([f"policy={p.stem}"]).policy._target_
               for p in (CONF_DIR / "policy").glob("*.yaml")}
    assert {f"simulator.policies.{name}" for name in defined} == targets


def test_every_builtin_dataset_has_a_config():
    from simulator.datasets import available_datasets

    names = {compose([f"dataset={p.stem}"]).dataset.get("name")
             for p in (CONF_DIR / "dataset").glob("*.yaml")}
    assert set(available_datasets()) <= names


def test_every_summary_metric_has_a_label_and_a_direction():
    from experiments.aggregate import SUMMARY_METRICS
    from experiments.metrics.labels import HIGHER_IS_BETTER, LABELS

    for column in SUMMARY_METRICS:
        metric = column.removeprefix("run_")
        assert metric in HIGHER_IS_BETTER, f"{metric}: which way is better?"
        assert metric in LABELS or column in LABELS, f"{metric}: no label"


_PANELS = "timeline_"  # panels of the timeline, laid out by run_timeline


def test_every_figure_module_is_exported_and_takes_a_path():
    import experiments.plots as plots

    for info in pkgutil.iter_modules(plots.__path__, plots.__name__ + "."):
        short = info.name.rsplit(".", 1)[-1]
        if short.startswith(("_", _PANELS)):
            continue
        module = importlib.import_module(info.name)
        assert set(module.__all__) <= set(plots.__all__), (short, module.__all__)
        for name in module.__all__:
            function = getattr(module, name)
            assert "path" in inspect.signature(function).parameters, name
