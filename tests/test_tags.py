"""Every public detector declares what it is on its class (``detectors/tags.py``), and
what it declares is true: the parameter exists, every grid value builds a detector,
the direction is the way the alarm count really moves, calibration bounds are valid
and expected failures name real checks."""

from __future__ import annotations

import numpy as np
import pytest

from detectors.base import BaseStreamingDetector
from detectors.checks import is_streaming, yield_checks
from detectors.tags import (
    TAGS,
    CalibrationSpec,
    Sensitivity,
    TagDefaults,
    missing_tags,
    public_detectors,
    test_instance,
)
from detectors.window.base import BaseWindowTest

DETECTORS = dict(public_detectors())


def test_no_base_class_declares_tags_for_its_subclasses():
    """Declarations are per class: a subclass that forgets one is caught below."""
    for base in (BaseStreamingDetector, BaseWindowTest, TagDefaults):
        assert [tag for tag in TAGS if hasattr(base, tag)] == []


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_every_public_detector_declares_its_tags(name):
    assert missing_tags(DETECTORS[name]) == []


def test_an_incomplete_detector_is_reported():
    class Forgetful(BaseStreamingDetector):
        is_baseline = False
        signal = None
        calibration = CalibrationSpec((0.1, 1.0))

    assert missing_tags(Forgetful) == ["no sensitivity"]
    Forgetful.sensitivity = Sensitivity("level", "increasing", (0.1, 1.0))
    assert missing_tags(Forgetful) == ["sensitivity names 'level', not an __init__ argument"]
    Forgetful.sensitivity = None
    assert missing_tags(Forgetful) == ["calibration without a sensitivity"]


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_every_grid_value_builds_a_detector(name):
    cls = DETECTORS[name]
    base = test_instance(cls)
    if cls.sensitivity is None:
        return
    params = base.get_params()
    for value in cls.sensitivity.grid:
        built = cls(**cls.sensitivity.params_at(params, value))
        assert getattr(built, cls.sensitivity.param) == value
    if cls.calibration is not None:
        for bound in cls.calibration.bounds:
            cls(**cls.sensitivity.params_at(params, bound))


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_expected_failures_name_real_checks(name):
    cls = DETECTORS[name]
    checks = {check_name for check_name, _ in yield_checks(test_instance(cls))}
    for check_name, reason in cls.expected_failures.items():
        assert check_name in checks, check_name
        assert len(reason) > 10, reason


def _stream(detector, seed: int = 0) -> np.ndarray:
    """A noisy stream with two changes (so both ends of a grid have something to find)."""
    rng = np.random.default_rng(seed)
    if getattr(detector, "binary", False):
        p = np.r_[np.full(4000, 0.1), np.full(2000, 0.3), np.full(2000, 0.15)]
        xs = (rng.random(p.size) < p).astype(float)
        return 1.0 - xs if detector.signal == "correct" else xs
    return np.r_[rng.normal(0, 1, 4000), rng.normal(0.7, 1, 2000), rng.normal(0.2, 1, 2000)]


def _alarms(cls, value) -> int:
    base = test_instance(cls)
    detector = cls(**cls.sensitivity.params_at(base.get_params(), value))
    if is_streaming(detector):
        return len(detector.update_many(_stream(detector)))
    rng = np.random.default_rng(1)
    detector.fit(np.round(rng.normal(size=(200, 2)) * 2))
    windows = [np.round(rng.normal(0.15, 1, size=(100, 2)) * 2) for _ in range(40)]
    return sum(bool(detector.test(w).drift) for w in windows)


@pytest.mark.parametrize(
    "name", sorted(n for n, c in DETECTORS.items() if c.sensitivity is not None)
)
def test_direction_is_the_way_the_alarm_count_moves(name):
    """The grid's most sensitive end raises more alarms than its least sensitive end."""
    cls = DETECTORS[name]
    most = _alarms(cls, cls.sensitivity.most_sensitive)
    least = _alarms(cls, cls.sensitivity.least_sensitive)
    assert most > least, (most, least)


def test_sensitivity_validates_its_grid():
    with pytest.raises(ValueError, match="strictly ascending"):
        Sensitivity("alpha", "increasing", (0.1, 0.01))
    with pytest.raises(ValueError, match="non-empty"):
        Sensitivity("alpha", "increasing", ())
