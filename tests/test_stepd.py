"""STEPD against Nishida and Yamauchi's formula: a hand-worked case, and a plain-Python
transcription of the paper (on accuracies, with scipy's normal tail) over random
streams."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from detectors.stepd import STEPD


def paper_statistic(correct_old: int, n_old: int, correct_recent: int, n_recent: int) -> float:
    """T(r_o, r_r, n_o, n_r) as printed, on numbers of correct predictions."""
    p_hat = (correct_old + correct_recent) / (n_old + n_recent)
    inv = 1 / n_old + 1 / n_recent
    num = abs(correct_old / n_old - correct_recent / n_recent) - 0.5 * inv
    return num / math.sqrt(p_hat * (1 - p_hat) * inv)


def reference_stepd(errors, window, alpha_drift, alpha_warning):
    """The paper's procedure, one sample at a time: test from the 2 * window-th sample,
    one-sided (only a recent accuracy below the older one counts), restart on drift."""
    drifts, warns = [], []
    seen: list[int] = []
    for i, e in enumerate(errors):
        seen.append(1 - int(e))  # 1 = correct prediction, as in the paper
        if len(seen) < 2 * window:
            continue
        old, recent = seen[:-window], seen[-window:]
        r_o, r_r = sum(old), sum(recent)
        worse = r_r / window < r_o / len(old)
        p_value = norm.sf(paper_statistic(r_o, len(old), r_r, window)) if worse else 1.0
        if p_value < alpha_drift:
            drifts.append(i)
            seen = []
        elif p_value < alpha_warning:
            warns.append(i)
    return drifts, warns


def test_hand_worked_case():
    """window 3, errors [0, 0, 0, 0, 1, 1]: at the 6th sample the older three are all
    correct (r_o = 3 of 3), the recent three have one correct (r_r = 1 of 3).
    p_hat = 4/6, 1/n_o + 1/n_r = 2/3, numerator = |1 - 1/3| - 1/3 = 1/3,
    denominator = sqrt(2/3 * 1/3 * 2/3) = 0.3849, T = 0.8660, p = 1 - Phi(T) = 0.1932."""
    t = paper_statistic(3, 3, 1, 3)
    assert t == pytest.approx(0.8660, abs=1e-4)
    p = norm.sf(t)
    assert p == pytest.approx(0.1932, abs=1e-4)
    xs = np.array([0, 0, 0, 0, 1, 1], dtype=float)
    # just above the p-value: drift on the 6th sample; just below: only a warning
    drifts = STEPD(window_size=3, alpha_drift=p * (1 + 1e-9), alpha_warning=0.4).update_many(xs)
    np.testing.assert_array_equal(drifts, [5])
    drifts, warns = STEPD(
        window_size=3, alpha_drift=p * (1 - 1e-9), alpha_warning=p * (1 + 1e-9)
    ).update_many(xs, warnings=True)
    assert drifts.size == 0
    np.testing.assert_array_equal(warns, [5])
    drifts, warns = STEPD(
        window_size=3, alpha_drift=p * 0.5, alpha_warning=p * (1 - 1e-9)
    ).update_many(xs, warnings=True)
    assert drifts.size == 0 and warns.size == 0


def test_no_test_before_two_windows():
    """With window 3 the first test is on the 6th sample, however bad the 5th looks."""
    xs = np.array([0, 0, 1, 1, 1], dtype=float)
    assert STEPD(window_size=3, alpha_drift=0.4, alpha_warning=0.45).update_many(xs).size == 0


def test_one_sided_an_improvement_is_not_a_drift():
    """Recent window better than before: the two-sided statistic is large, but STEPD
    looks for a fall in accuracy only."""
    xs = np.array([1] * 30 + [0] * 30, dtype=float)
    assert paper_statistic(0, 30, 30, 30) > 5
    drifts, warns = STEPD(alpha_drift=0.4, alpha_warning=0.45).update_many(xs, warnings=True)
    assert drifts.size == 0 and warns.size == 0
    np.testing.assert_array_equal(STEPD().update_many(1 - xs), [59])


@pytest.mark.parametrize(
    ("window", "alpha_drift", "alpha_warning"), [(30, 0.003, 0.05), (10, 0.02, 0.2)]
)
@pytest.mark.parametrize("seed", range(4))
def test_matches_the_paper_procedure_on_random_streams(seed, window, alpha_drift, alpha_warning):
    rng = np.random.default_rng(seed)
    p = np.repeat(rng.uniform(0.05, 0.5, size=6), 250)
    xs = (rng.random(p.size) < p).astype(float)
    want_drifts, want_warns = reference_stepd(xs, window, alpha_drift, alpha_warning)
    drifts, warns = STEPD(window, alpha_drift, alpha_warning).update_many(xs, warnings=True)
    np.testing.assert_array_equal(drifts, want_drifts)
    np.testing.assert_array_equal(warns, want_warns)
    assert len(want_warns) > 0
