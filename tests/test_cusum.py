"""CUSUM: Montgomery's tabular formulas on hand-worked cases, warm-up estimation,
average run length against Siegmund's approximation (and Page-Hinkley's too), input
validation and chunking invariance."""

from __future__ import annotations

import math

import numpy as np
import pytest

from detectors.base import StreamingDetector
from detectors.cusum import CUSUM
from detectors.page_hinkley import PageHinkley


def siegmund_arl(k: float, h: float, shift: float = 0.0) -> float:
    """Siegmund's (1985) approximation of a one-sided CUSUM's ARL on N(shift, 1) data:
    ARL = (exp(-2 D b) + 2 D b - 1) / (2 D^2), D = shift - k, b = h + 1.166."""
    d = shift - k
    b = h + 1.166
    return (math.exp(-2 * d * b) + 2 * d * b - 1) / (2 * d * d)


def run_lengths(detector, xs: np.ndarray) -> np.ndarray:
    """Samples from each (re)start to its alarm: the detector restarts after an alarm,
    so on in-control data the gaps between alarms are independent run lengths."""
    idx = detector.update_many(xs)
    return np.diff(np.r_[-1, idx])


# --- the formulas, by hand ----------------------------------------------------------


def test_tabular_sums_by_hand():
    """mu=0, sigma=2, k=0.5, so z = x / 2 = [1, 1, 0, -2, -2] and
    C+ = 0.5, 1.0, 0.5, 0, 0 and C- = 0, 0, 0, 1.5, then 1.5 after a restart on
    sample 3 or 3.0 without one."""
    xs = np.array([2.0, 2.0, 0.0, -4.0, -4.0])
    # C+ peaks at exactly 1.0 on sample 1: an alarm needs C+ > h
    assert CUSUM(k=0.5, h=1.0, mu=0.0, sigma=2.0, mode="up").update_many(xs).size == 0
    np.testing.assert_array_equal(
        CUSUM(k=0.5, h=0.99, mu=0.0, sigma=2.0, mode="up").update_many(xs), [1]
    )
    # C- reaches 1.5 on sample 3, restarts, and reaches 1.5 again on sample 4
    np.testing.assert_array_equal(
        CUSUM(k=0.5, h=1.0, mu=0.0, sigma=2.0, mode="down").update_many(xs), [3, 4]
    )
    np.testing.assert_array_equal(
        CUSUM(k=0.5, h=1.49, mu=0.0, sigma=2.0, mode="both").update_many(xs), [3, 4]
    )
    # h = 1.5: C- = 1.5 on sample 3 is not above it, and keeps growing: 3.0 on sample 4
    np.testing.assert_array_equal(
        CUSUM(k=0.5, h=1.5, mu=0.0, sigma=2.0, mode="both").update_many(xs), [4]
    )
    assert CUSUM(k=0.5, h=3.0, mu=0.0, sigma=2.0, mode="both").update_many(xs).size == 0


def test_reference_value_is_subtracted_every_step():
    """With k = 1 a constant z = 1 never accumulates; with k = 0.75 it adds 0.25 a step
    and crosses h = 1 on the 5th value (C+ = 1.25)."""
    xs = np.ones(10)
    assert CUSUM(k=1.0, h=1.0, mu=0.0, sigma=1.0).update_many(xs).size == 0
    np.testing.assert_array_equal(CUSUM(k=0.75, h=1.0, mu=0.0, sigma=1.0).update_many(xs), [4, 9])


def test_warm_up_estimates_mean_and_sd():
    """Warm-up [1, 3]: mean 2, sample sd sqrt(2). Then x = 4 gives z = sqrt(2) and
    C+ = sqrt(2) - 0.5 = 0.9142: an alarm for h = 0.914, none for h = 0.915."""
    xs = np.array([1.0, 3.0, 4.0])
    np.testing.assert_array_equal(CUSUM(h=0.914, warm_start=2).update_many(xs), [2])
    assert CUSUM(h=0.915, warm_start=2).update_many(xs).size == 0
    # a given mu is kept, only sigma is estimated: z = (4 - 0) / sqrt(2) = 2.83
    np.testing.assert_array_equal(CUSUM(h=2.32, mu=0.0, warm_start=2).update_many(xs), [2])
    assert CUSUM(h=2.34, mu=0.0, warm_start=2).update_many(xs).size == 0


def test_estimates_are_learned_again_after_an_alarm():
    """After the alarm on sample 2, samples 3-4 are a new warm-up (mean 11, sd sqrt(2)),
    so sample 5 (x = 14, z = 3 / sqrt(2)) is judged against the new level."""
    xs = np.array([1.0, 3.0, 4.0, 10.0, 12.0, 14.0])
    np.testing.assert_array_equal(CUSUM(h=0.914, warm_start=2).update_many(xs), [2, 5])
    # with a fixed target the new level keeps alarming from sample 3 on
    np.testing.assert_array_equal(
        CUSUM(h=0.914, mu=2.0, sigma=math.sqrt(2)).update_many(xs), [2, 3, 4, 5]
    )


def test_warm_up_without_spread_alarms_on_any_departure():
    xs = np.array([5.0, 5.0, 5.0, 5.0, 5.0, 5.0001])
    np.testing.assert_array_equal(CUSUM(warm_start=3).update_many(xs), [5])


# --- average run length ----------------------------------------------------------------


@pytest.mark.parametrize(("h", "mode"), [(4.0, "up"), (5.0, "up"), (5.0, "both")])
def test_in_control_arl_matches_siegmund(h, mode):
    """ARL0 on N(0, 1) data with k = 0.5 against Siegmund's approximation (two-sided:
    1/ARL = 1/ARL+ + 1/ARL-, i.e. half the one-sided value by symmetry). Siegmund is
    within about 1 % of the exact ARL here (338 vs 336 for h = 4, 938 vs 930 for h = 5,
    Montgomery's tables); with at least 2,000 simulated runs the standard error of the
    mean is about 2.2 %, so a 10 % tolerance is more than 4 standard errors."""
    expected = siegmund_arl(0.5, h) / (2 if mode == "both" else 1)
    xs = np.random.default_rng(7).normal(size=int(2_000 * expected))
    rl = run_lengths(CUSUM(k=0.5, h=h, mu=0.0, sigma=1.0, mode=mode), xs)
    assert rl.size >= 1_800
    assert rl.mean() == pytest.approx(expected, rel=0.10)


def test_out_of_control_arl_matches_siegmund():
    """After a one-sigma shift the one-sided CUSUM (k = 0.5, h = 5) alarms after about
    10.4 samples (Siegmund; Montgomery's table gives 10.4)."""
    expected = siegmund_arl(0.5, 5.0, shift=1.0)
    xs = np.random.default_rng(8).normal(loc=1.0, size=20_000)
    rl = run_lengths(CUSUM(k=0.5, h=5.0, mu=0.0, sigma=1.0, mode="up"), xs)
    assert rl.mean() == pytest.approx(expected, rel=0.05)


def test_page_hinkley_arl_matches_the_cusum_approximation():
    """Page-Hinkley with alpha = 1 is a one-sided CUSUM on the series centred on its
    running mean, with delta as k and threshold as h. On N(0, 1) data its ARL0 is
    therefore close to Siegmund's value for k = delta = 0.5, h = 5 (938): the running
    mean absorbs part of each excursion early in a run, which lengthens runs by a few
    percent (3-4 % in long simulations). Tolerance 12 %: that bias plus 4 standard
    errors of 2,000 runs."""
    expected = siegmund_arl(0.5, 5.0)
    xs = np.random.default_rng(9).normal(size=int(2_000 * expected))
    ph = PageHinkley(min_instances=1, delta=0.5, threshold=5.0, alpha=1.0, mode="up")
    rl = run_lengths(ph, xs)
    assert rl.size >= 1_800
    assert rl.mean() == pytest.approx(expected, rel=0.12)


# --- interface ---------------------------------------------------------------------


def test_chunking_and_element_wise_updates_agree():
    rng = np.random.default_rng(3)
    xs = np.concatenate([rng.normal(0, 1, 1500), rng.normal(0.8, 1.5, 1500)])
    whole = CUSUM(h=4.0).update_many(xs)
    assert whole.size >= 3
    chunked_det = CUSUM(h=4.0)
    cuts = np.sort(rng.choice(np.arange(1, xs.size), size=30, replace=False))
    chunked = np.concatenate(
        [
            chunked_det.update_many(xs[lo:hi]) + lo
            for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, xs.size], strict=True)
        ]
    )
    single_det = CUSUM(h=4.0)
    flags = np.array([single_det.update(float(x)) for x in xs])
    np.testing.assert_array_equal(chunked, whole)
    np.testing.assert_array_equal(np.flatnonzero(flags), whole)
    assert chunked_det.drift_detected == single_det.drift_detected


def test_interface_reset_clone_params():
    det = CUSUM(k=0.25, h=8.0, mode="up")
    assert isinstance(det, StreamingDetector)
    assert det.get_params() == {
        "k": 0.25,
        "h": 8.0,
        "mu": None,
        "sigma": None,
        "warm_start": 30,
        "mode": "up",
    }
    assert repr(det).startswith("CUSUM(k=0.25, h=8.0")
    xs = np.random.default_rng(4).normal(size=3000) + np.repeat([0.0, 1.0], 1500)
    first = det.update_many(xs)
    det.reset()
    np.testing.assert_array_equal(det.update_many(xs), first)
    np.testing.assert_array_equal(det.clone().update_many(xs), first)
    assert det.clone(h=3.0).h == 3.0
    assert not det.warning_detected


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": -0.1}, "k must be >= 0.0"),
        ({"h": 0.0}, "h must be > 0.0"),
        ({"sigma": 0.0}, "sigma must be > 0.0"),
        ({"sigma": math.inf}, "sigma must be finite"),
        ({"mu": math.nan}, "mu must be a number"),
        ({"warm_start": 1}, "warm_start must be >= 2"),
        ({"mode": "sideways"}, "mode must be one of"),
    ],
)
def test_invalid_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CUSUM(**kwargs)


def test_no_warm_up_needed_when_mu_and_sigma_given():
    CUSUM(mu=0.0, sigma=1.0, warm_start=0)  # does not raise


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_input_names_the_position(bad):
    with pytest.raises(ValueError, match="position 2"):
        CUSUM().update_many([0.0, 1.0, bad, 0.5])
