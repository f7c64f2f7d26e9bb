"""Threshold calibration to a target false-alarm rate (``detectors.calibrate``)."""

from __future__ import annotations

import numpy as np
import pytest

from detectors.calibration import calibrate, null_alarm_rate
from detectors.page_hinkley import PageHinkley


def _null_streams(seed: int, count: int = 40, n: int = 10_000) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=n) for _ in range(count)]


@pytest.mark.parametrize("target", [0.5, 2.0])
def test_calibrated_rate_holds_on_fresh_null_streams(target):
    """Calibrate on one set of drift-free streams, check the rate on another.

    400,000 samples per set: at 0.5 per 1,000 that is ~200 alarms, Poisson sd ~7 %;
    with the calibration's own sampling error the fresh rate should land within 30 %.
    """
    cal = calibrate(
        PageHinkley, _null_streams(1), target, "threshold", bounds=(0.5, 500.0), rtol=0.0
    )
    assert cal.achieved_rate <= target
    assert cal.achieved_rate >= 0.8 * target  # the search got close, not just "quiet"
    fresh = null_alarm_rate(lambda: PageHinkley(threshold=cal.value), _null_streams(2))
    assert 0.7 * target <= fresh <= 1.3 * target, (cal, fresh)


def test_direction_is_found_from_the_bounds():
    """PH's ``threshold`` quietens as it grows, its fading ``alpha`` as it shrinks: the
    search handles both without being told."""
    streams = _null_streams(3, count=10, n=20_000)
    cal = calibrate(
        lambda alpha: PageHinkley(threshold=30.0, alpha=alpha),
        streams, 1.0, "alpha", bounds=(0.9, 1.0), log_scale=False,
    )
    assert 0.8 <= cal.achieved_rate <= 1.0
    louder = null_alarm_rate(lambda: PageHinkley(threshold=30.0, alpha=1.0), streams)
    quieter = null_alarm_rate(lambda: PageHinkley(threshold=30.0, alpha=0.9), streams)
    assert quieter < cal.achieved_rate < louder


def test_unreachable_target_names_the_bounds():
    with pytest.raises(ValueError, match="widen the bounds"):
        calibrate(PageHinkley, _null_streams(4, count=2), 1e-9, "threshold", bounds=(0.5, 1.0))


def test_bad_arguments():
    streams = _null_streams(5, count=1, n=100)
    with pytest.raises(ValueError, match="target_false_alarm_rate"):
        calibrate(PageHinkley, streams, 0.0, "threshold", bounds=(1.0, 2.0))
    with pytest.raises(ValueError, match="low < high"):
        calibrate(PageHinkley, streams, 1.0, "threshold", bounds=(2.0, 1.0))
    with pytest.raises(ValueError, match="null_streams is empty"):
        calibrate(PageHinkley, [], 1.0, "threshold", bounds=(1.0, 2.0))
    with pytest.raises(ValueError, match="non-finite"):
        calibrate(PageHinkley, [np.array([0.0, np.nan])], 1.0, "threshold", bounds=(1.0, 2.0))
