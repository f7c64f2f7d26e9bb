"""95 % intervals that stay inside each metric's domain, and how to print them.

A mean ± t-interval over three seeds can leave the possible range (a missed-detection
rate of "0.333 ± 1.4", a delay interval below zero). Each kind of number gets the
interval that fits it:

* **shares** (a count of successes out of trials: missed drifts out of drifts) —
  Wilson's score interval on the pooled counts (:func:`wilson`), always inside [0, 1]
  and informative even at 0 of 3;
* **rates of rare events** (false alarms per 1,000 drift-free samples) — the exact
  Poisson (Garwood) interval on the pooled count and exposure (:func:`poisson_rate`),
  never below zero;
* everything else (delays, costs, accuracies, MTFA, MTR) — a seeded percentile
  bootstrap of the mean over runs (:func:`bootstrap_mean`), which stays inside the
  range of the values it resamples.

Every interval is reported with ``n`` (the runs, or the trials, it rests on) and
printed to three significant digits by :func:`format_interval`.

Examples
--------
>>> lo, hi = wilson(0, 3)
>>> round(lo, 3), round(hi, 3)
(0.0, 0.561)
>>> format_interval(0.0, lo, hi, 3)
'0 [0, 0.561] n=3'
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from driftsim.validation import check_int

__all__ = [
    "bootstrap_mean",
    "bootstrap_means",
    "format_interval",
    "poisson_rate",
    "poisson_rates",
    "sig3",
    "wilson",
    "wilson_arrays",
]

_NAN = float("nan")


def wilson(successes: int, trials: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a share ``successes / trials`` (``nan`` for 0 trials).

    Examples
    --------
    >>> [round(v, 3) for v in wilson(3, 3)]
    [0.439, 1.0]
    """
    from scipy.stats import binomtest

    trials = check_int("trials", trials, low=0)
    successes = check_int("successes", successes, low=0, high=trials)
    if trials == 0:
        return _NAN, _NAN
    ci = binomtest(successes, trials).proportion_ci(confidence_level=level, method="wilson")
    return float(ci.low), float(ci.high)


def wilson_arrays(
    successes: np.ndarray, trials: np.ndarray, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`wilson` for arrays of counts at once (``nan`` where ``trials`` is 0); the
    closed form, so thousands of configurations cost one vector operation.

    Examples
    --------
    >>> low, high = wilson_arrays(np.array([0, 3]), np.array([3, 3]))
    >>> np.round(low, 3).tolist(), np.round(high, 3).tolist()
    ([0.0, 0.439], [0.561, 1.0])
    """
    from scipy.stats import norm

    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    z = norm.ppf(0.5 + level / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        scale = 1.0 + z * z / n
        center = (p + z * z / (2 * n)) / scale
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / scale
    # exactly 0 (or 1) at the edge: the closed form leaves rounding dust like 5.6e-17
    low = np.where(k == 0, 0.0, np.clip(center - half, 0.0, 1.0))
    high = np.where(k == n, 1.0, np.clip(center + half, 0.0, 1.0))
    return np.where(n > 0, low, np.nan), np.where(n > 0, high, np.nan)


def poisson_rate(
    count: int, exposure: float, *, per: float = 1000.0, level: float = 0.95
) -> tuple[float, float]:
    """Exact (Garwood) interval for a rate of ``count`` events over ``exposure`` samples,
    expressed per ``per`` samples (``nan`` without exposure).

    Examples
    --------
    >>> [round(v, 3) for v in poisson_rate(0, 3000)]
    [0.0, 1.23]
    """
    from scipy.stats import chi2

    count = check_int("count", count, low=0)
    if not exposure > 0:
        return _NAN, _NAN
    alpha = 1.0 - level
    low = 0.0 if count == 0 else chi2.ppf(alpha / 2, 2 * count) / 2
    high = chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    return float(low * per / exposure), float(high * per / exposure)


def poisson_rates(
    counts: np.ndarray, exposures: np.ndarray, *, per: float = 1000.0, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`poisson_rate` for arrays of counts and exposures at once.

    Examples
    --------
    >>> low, high = poisson_rates(np.array([0, 2]), np.array([3000.0, 0.0]))
    >>> np.round(low, 3).tolist(), np.round(high, 3).tolist()
    ([0.0, nan], [1.23, nan])
    """
    from scipy.stats import chi2

    k = np.asarray(counts, dtype=float)
    t = np.asarray(exposures, dtype=float)
    alpha = 1.0 - level
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(k > 0, chi2.ppf(alpha / 2, 2 * np.maximum(k, 1)) / 2, 0.0) * per / t
        high = chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2 * per / t
    return np.where(t > 0, low, np.nan), np.where(t > 0, high, np.nan)


def bootstrap_mean(
    values: Sequence[float] | np.ndarray, *, level: float = 0.95, seed: int = 0,
    resamples: int = 2000,
) -> tuple[float, float]:
    """Seeded percentile-bootstrap interval of the mean of the finite ``values``.

    One value (or all equal) gives a zero-width interval at it; none gives ``nan``.

    Examples
    --------
    >>> lo, hi = bootstrap_mean([100.0, 150.0, 400.0])
    >>> 100.0 <= lo < hi <= 400.0
    True
    >>> bootstrap_mean([7.0])
    (7.0, 7.0)
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return _NAN, _NAN
    if x.size == 1 or np.all(x == x[0]):
        return float(x[0]), float(x[0])
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, x.size, size=(resamples, x.size))].mean(axis=1)
    alpha = (1.0 - level) / 2
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    return float(low), float(high)


def bootstrap_means(
    groups: Sequence[np.ndarray], *, level: float = 0.95, seed: int = 0,
    resamples: int = 2000,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`bootstrap_mean` of many groups at once: groups of equal size share one
    resampling plan, so a sweep of thousands of configurations costs a few array
    operations.

    Examples
    --------
    >>> low, high = bootstrap_means([np.array([1.0, 2.0, 3.0]), np.array([5.0]),
    ...                              np.array([])])
    >>> float(low[1]), float(high[1]), bool(np.isnan(low[2]))
    (5.0, 5.0, True)
    >>> bool(1.0 <= low[0] < high[0] <= 3.0)
    True
    """
    finite = [np.asarray(g, dtype=float)[np.isfinite(np.asarray(g, dtype=float))]
              for g in groups]
    low = np.full(len(finite), np.nan)
    high = np.full(len(finite), np.nan)
    sizes = np.array([g.size for g in finite])
    alpha = (1.0 - level) / 2
    for size in np.unique(sizes[sizes > 0]):
        members = np.flatnonzero(sizes == size)
        values = np.stack([finite[i] for i in members])
        plan = np.random.default_rng([seed, int(size)]).integers(0, size, (resamples, size))
        means = values[:, plan].mean(axis=2)  # groups x resamples
        low[members], high[members] = np.quantile(means, [alpha, 1.0 - alpha], axis=1)
        # one value, or all equal: a zero-width interval exactly at it
        flat = np.ptp(values, axis=1) == 0
        low[members[flat]] = high[members[flat]] = values[flat, 0]
    return low, high


def sig3(value: float | None) -> str:
    """A number to three significant digits (``–`` when undefined, ``∞`` kept).

    Examples
    --------
    >>> sig3(55.6000000001), sig3(1234.5), sig3(0.000123456), sig3(None)
    ('55.6', '1.23e+03', '0.000123', '–')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    value = float(value)
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return f"{value:.3g}"


def format_interval(mean: float | None, low: float | None, high: float | None,
                    n: int | None) -> str:
    """``mean [low, high] n=N`` to three significant digits; the interval is left out
    where it is undefined, and ``–`` stands for an undefined mean.

    Examples
    --------
    >>> format_interval(55.6, 55.6, 55.6, 3)
    '55.6 [55.6, 55.6] n=3'
    >>> format_interval(float("nan"), None, None, 0)
    '– n=0'
    """
    count = "" if n is None else f" n={int(n)}"
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return f"–{count}"
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return f"{sig3(mean)}{count}"
    return f"{sig3(mean)} [{sig3(low)}, {sig3(high)}]{count}"
