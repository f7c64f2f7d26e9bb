r"""ECDD: an EWMA control chart on a 0/1 error stream (Ross, Adams, Tasoulis and Hand).

The chart's control limit $L$ depends on the error rate, because a Bernoulli stream is
skewed: Ross et al. chose $L$ for each error rate $p$ by Monte Carlo so that the chart
has a target in-control average run length (ARL0, the mean number of samples to a
false alarm), then fitted $L(p) = c_0 + c_1 p + c_3 p^3 + c_5 p^5 + c_7 p^7$ for
$\lambda = 0.2$ and ARL0 in {100, 400, 1000}.

We follow that approach. :func:`calibrate_control_limit` finds, by bisection on
simulated Bernoulli(p) streams run through this very chart (error rate estimated
online, ``warm_start=30``), the constant $L$ that gives the target ARL0;
``CALIBRATED_LIMITS`` holds the result on a grid of error rates from 0.02 to 0.70, and
the chart interpolates linearly between grid points (``control_limits="calibrated"``,
the default). A table rather than the paper's degree-7 polynomial, because the
polynomial cannot follow the steep rise of $L$ below $p \approx 0.06$ (a least-squares
fit of it to our ARL0 = 400 limits misses by up to 0.2 there).

Our calibration reproduces the paper's ARL0 = 400 polynomial to within 0.06 for
$p \in [0.1, 0.4]$, but the printed ARL0 = 100 and ARL0 = 1000 polynomials do not give
their targets: run through this chart, the ARL0 = 100 one gives 84 at $p = 0.1$ and 40
at $p = 0.3$; the ARL0 = 1000 one gives 38 to 600 (it is below the ARL0 = 400 curve for
$p < 0.25$). They look mis-printed. The printed polynomials remain available as
``control_limits="paper"`` (error rate clipped to [0, 0.5]), for comparison with MOA,
which uses the ARL0 = 400 one.

The limits are calibrated at the true error rate but looked up at the chart's estimate,
which rises with the same errors that raise the EWMA, so the realised ARL0 is close to
the target rather than on it: 0.8 to 1.13 of it for error rates from 0.02 to 0.7 (1000
simulated runs each).
Outside the calibrated range the end values are used. Above 0.7 that makes false
alarms rarer than the target. Below 0.02 it makes them more frequent: at $p = 0.01$ the
realised ARL0 is about 0.6 of the target for ARL0 = 400 and 1000 (with so few errors,
single errors decide the run).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from detectors.base import BaseStreamingDetector
from detectors.tags import Sensitivity
from driftsim.validation import check_choice, check_in_range, check_int

__all__ = [
    "CALIBRATED_LIMITS",
    "CALIBRATED_P",
    "PAPER_COEFFICIENTS",
    "EWMAChart",
    "calibrate_control_limit",
    "ecdd_control_limit",
]

#: The EWMA weight of the newest value; the control limits are calibrated for it.
LAMBDA = 0.2

#: Coefficients (c0, c1, c3, c5, c7) of L(p) printed by Ross et al. (2012), lambda = 0.2.
PAPER_COEFFICIENTS: dict[int, tuple[float, float, float, float, float]] = {
    100: (2.76, -6.23, 18.12, -312.45, 1002.18),
    400: (3.97, -6.56, 48.73, -330.13, 848.18),
    1000: (1.17, 7.56, -21.24, 112.12, -987.23),
}
#: Error-rate range of the paper's polynomials; estimates outside are clipped to it.
PAPER_P_RANGE = (0.0, 0.5)

# fmt: off
#: Error rates at which :func:`calibrate_control_limit` was run (``CALIBRATED_LIMITS``).
CALIBRATED_P: tuple[float, ...] = (
    0.02, 0.04, 0.06, 0.08, 0.10, 0.12, 0.14, 0.16, 0.18, 0.20, 0.22, 0.24, 0.26,
    0.28, 0.30, 0.32, 0.34, 0.36, 0.38, 0.40, 0.42, 0.44, 0.46, 0.48, 0.50, 0.52,
    0.54, 0.56, 0.58, 0.60, 0.62, 0.64, 0.66, 0.68, 0.70,
)
#: The calibrated limits, by ARL0, at ``CALIBRATED_P``; linearly interpolated between
#: grid points, and the end values used outside the grid. Produced by
#: ``calibrate_control_limit(p, arl0, n_runs=2000, seed=12345, iterations=18)``.
CALIBRATED_LIMITS: dict[int, tuple[float, ...]] = {
    100: (
        2.486, 2.426, 2.322, 2.285, 2.210, 2.151, 2.114, 2.060, 2.036, 2.006, 1.980, 1.941,
        1.916, 1.897, 1.880, 1.863, 1.853, 1.828, 1.812, 1.793, 1.774, 1.741, 1.727, 1.713,
        1.693, 1.667, 1.642, 1.622, 1.593, 1.564, 1.532, 1.505, 1.466, 1.433, 1.395,
    ),
    400: (
        4.519, 4.084, 3.784, 3.563, 3.407, 3.287, 3.196, 3.099, 3.026, 2.966, 2.908, 2.835,
        2.792, 2.754, 2.691, 2.644, 2.593, 2.557, 2.520, 2.475, 2.434, 2.384, 2.344, 2.295,
        2.248, 2.208, 2.164, 2.106, 2.062, 2.015, 1.960, 1.907, 1.852, 1.797, 1.737,
    ),
    1000: (
        5.697, 4.905, 4.499, 4.222, 4.005, 3.822, 3.713, 3.589, 3.498, 3.405, 3.315, 3.257,
        3.183, 3.125, 3.045, 2.977, 2.928, 2.867, 2.804, 2.752, 2.690, 2.636, 2.580, 2.521,
        2.466, 2.410, 2.351, 2.294, 2.233, 2.172, 2.108, 2.047, 1.979, 1.909, 1.839,
    ),
}
# fmt: on

_SOURCES = ("calibrated", "paper")
_ARL0S = (100, 400, 1000)

# state slots: samples, error rate, EWMA, (1 - lambda)^(2n), in warning zone
_N, _P, _Z, _DECAY, _WARN = range(5)


def _fresh_state() -> np.ndarray:
    return np.array([0.0, 0.0, 0.0, 1.0, 0.0])


@numba.njit(cache=True, nogil=True)
def _limit(p, coef, table):
    # ``table`` holds (first p, grid step, limits...) for the calibrated limits, linearly
    # interpolated and clipped at the ends; empty, it selects the paper's polynomial.
    if table.shape[0] > 0:
        last = table.shape[0] - 3
        pos = (p - table[0]) / table[1]
        if pos <= 0.0:
            return table[2]
        if pos >= last:
            return table[2 + last]
        j = int(pos)
        return table[2 + j] + (pos - j) * (table[3 + j] - table[2 + j])
    q = min(max(p, PAPER_P_RANGE[0]), PAPER_P_RANGE[1])
    q2 = q * q
    return coef[0] + q * (coef[1] + q2 * (coef[2] + q2 * (coef[3] + q2 * coef[4])))


@numba.njit(cache=True, nogil=True)
def _ecdd_kernel(xs, state, warm_start, warning_level, coef, table, drifts, warns):
    lam = LAMBDA
    shrink = (1.0 - lam) * (1.0 - lam)
    scale = lam / (2.0 - lam)
    n, p, z, decay = state[_N], state[_P], state[_Z], state[_DECAY]
    warning = state[_WARN] != 0.0
    n_drift = 0
    n_warn = 0
    for i in range(xs.shape[0]):
        x = xs[i]
        n += 1.0
        p += (1.0 / n) * (x - p)
        z += lam * (x - z)
        decay *= shrink
        if n > warm_start:
            sigma = math.sqrt(p * (1.0 - p) * scale * (1.0 - decay))
            width = _limit(p, coef, table) * sigma
            if z > p + width:
                drifts[n_drift] = i
                n_drift += 1
                n, p, z, decay, warning = 0.0, 0.0, 0.0, 1.0, False
                continue
            warning = z > p + warning_level * width
        if warning:
            warns[n_warn] = i
            n_warn += 1
    state[_N], state[_P], state[_Z], state[_DECAY] = n, p, z, decay
    state[_WARN] = 1.0 if warning else 0.0
    return n_drift, n_warn


@numba.njit(cache=True, nogil=True)
def _arl_reaches(p, limit, warm_start, n_runs, seed, max_len, target):
    # Whether the chart with a constant limit has a mean run length >= target on
    # Bernoulli(p) data. Each run has its own seed, so a run's stream does not depend on
    # the limit tried: run lengths are monotone in the limit and bisection is well posed.
    # Stops as soon as the answer is known. numba implements the legacy seeded
    # generator in compiled code, hence np.random.seed.
    xs = np.empty(1, dtype=np.float64)
    drifts = np.empty(1, dtype=np.int64)
    warns = np.empty(1, dtype=np.int64)
    coef = np.zeros(5)
    table = np.array([0.0, 1.0, limit, limit])
    needed = target * n_runs
    total = 0.0
    for r in range(n_runs):
        np.random.seed(seed + r)  # noqa: NPY002
        state = np.zeros(5)
        state[_DECAY] = 1.0
        t = 0
        while t < max_len:
            t += 1
            xs[0] = 1.0 if np.random.random() < p else 0.0  # noqa: NPY002
            n_drift, _ = _ecdd_kernel(xs, state, warm_start, 0.5, coef, table, drifts, warns)
            if n_drift:
                break
        total += t
        if total >= needed:
            return True
    return False


def _limit_args(arl0: int, control_limits: str) -> tuple[np.ndarray, np.ndarray]:
    if control_limits == "calibrated":
        first, step = CALIBRATED_P[0], CALIBRATED_P[1] - CALIBRATED_P[0]
        return np.zeros(5), np.array([first, step, *CALIBRATED_LIMITS[arl0]])
    return np.array(PAPER_COEFFICIENTS[arl0], dtype=np.float64), np.empty(0)


def ecdd_control_limit(p: float, arl0: int = 400, control_limits: str = "calibrated") -> float:
    """The control limit $L$ that ECDD uses at an estimated error rate ``p``.

    Examples
    --------
    >>> round(ecdd_control_limit(0.2, arl0=400, control_limits="paper"), 3)
    2.953
    """
    check_in_range("p", p, low=0.0, high=1.0)
    check_choice("arl0", arl0, _ARL0S)
    check_choice("control_limits", control_limits, _SOURCES)
    return float(_limit(float(p), *_limit_args(arl0, control_limits)))


def calibrate_control_limit(
    p: float,
    arl0: float,
    *,
    warm_start: int = 30,
    n_runs: int = 2000,
    seed: int = 0,
    iterations: int = 20,
) -> float:
    """The constant limit $L$ that gives ECDD an in-control ARL0 on Bernoulli(p) errors.

    The paper's method: simulate ``n_runs`` in-control streams, run the chart (error
    rate estimated online, no alarm in the first ``warm_start`` samples) and bisect on
    $L$ in [0, 10] until the mean run length equals ``arl0``. Runs are cut at
    ``50 * arl0`` samples.

    Examples
    --------
    >>> round(calibrate_control_limit(0.2, 100, n_runs=200, iterations=12), 2)
    2.02
    """
    check_in_range("p", p, low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    check_in_range("arl0", arl0, low=1.0, low_inclusive=False)
    warm_start = check_int("warm_start", warm_start, low=0)
    n_runs = check_int("n_runs", n_runs, low=1)
    iterations = check_int("iterations", iterations, low=1)
    seed = check_int("seed", seed, low=0)
    low, high = 0.0, 10.0
    for _ in range(iterations):
        mid = 0.5 * (low + high)
        if _arl_reaches(float(p), mid, float(warm_start), n_runs, seed, int(50 * arl0), arl0):
            high = mid
        else:
            low = mid
    return 0.5 * (low + high)


class EWMAChart(BaseStreamingDetector):
    r"""EWMA chart for concept drift detection (ECDD) on a stream of prediction errors [^1].

    With $X_t$ the error bits, ECDD tracks

    * the error rate since the (re)start, $\hat p_t = \hat p_{t-1} + (X_t - \hat p_{t-1}) / t$,
    * its exponentially weighted moving average, $Z_t = (1 - \lambda) Z_{t-1} + \lambda X_t$,
      $Z_0 = 0$, with $\lambda = 0.2$,
    * the standard deviation of $Z_t$ under no change,
      $\sigma_{Z_t} = \sqrt{\hat p_t (1 - \hat p_t)\, \frac{\lambda}{2 - \lambda}
      \left(1 - (1 - \lambda)^{2t}\right)}$,

    and, after ``warm_start`` samples, signals a drift when
    $Z_t > \hat p_t + L(\hat p_t)\, \sigma_{Z_t}$ and a warning when
    $Z_t > \hat p_t + w\, L(\hat p_t)\, \sigma_{Z_t}$ ($w$ = ``warning_level``, 0.5 in
    the paper). The control limit $L(\hat p)$ is a polynomial in the error rate chosen so
    that the mean time between false alarms is ``arl0`` samples; see the module
    docstring for how it was calibrated and why it is not the paper's printed one by
    default. After a drift the chart restarts and learns the new error rate.

    **Input:** 1 for an error (wrong prediction), 0 for a correct one.

    Parameters
    ----------
    arl0
        Target in-control average run length: 100, 400 or 1000 samples.
    warm_start
        Samples seen before a warning or drift may be signalled. The limits are
        calibrated for 30; other values change the false-alarm rate.
    warning_level
        Fraction of the control limit at which the warning zone starts, in (0, 1).
    control_limits
        ``"calibrated"`` (our Monte Carlo refit) or ``"paper"`` (the polynomials as
        printed by Ross et al.).

    Examples
    --------
    The error rate of a model rises from 10 % to 30 % at sample 2000. With
    ``arl0=1000`` a false alarm is expected about every 1000 samples, and there are
    three (872, 3186, 3866) beside the detection at 2031:

    >>> import numpy as np
    >>> rng = np.random.default_rng(7)
    >>> errors = np.concatenate([rng.random(2000) < 0.1, rng.random(2000) < 0.3])
    >>> drifts, warnings = EWMAChart(arl0=1000).update_many(errors, warnings=True)
    >>> drifts
    array([ 872, 2031, 3186, 3866])
    >>> warnings[warnings >= 2000][:3]
    array([2000, 2001, 2010])

    References
    ----------
    [^1]: G. J. Ross, N. M. Adams, D. K. Tasoulis and D. J. Hand (2012). Exponentially
        weighted moving average charts for detecting concept drift. Pattern Recognition
        Letters 33(2), 191-198.
    """

    binary = True
    has_warning = True

    # what the class is: see detectors.tags
    sensitivity = Sensitivity("arl0", "decreasing", _ARL0S)
    calibration = None  # arl0 takes only the tabulated values
    is_baseline = False
    signal = "error"

    def __init__(
        self,
        arl0: int = 400,
        warm_start: int = 30,
        warning_level: float = 0.5,
        control_limits: str = "calibrated",
    ) -> None:
        self.arl0 = check_choice("arl0", arl0, _ARL0S)
        self.warm_start = check_int("warm_start", warm_start, low=0)
        self.warning_level = check_in_range(
            "warning_level",
            warning_level,
            low=0.0,
            high=1.0,
            low_inclusive=False,
            high_inclusive=False,
        )
        self.control_limits = check_choice("control_limits", control_limits, _SOURCES)
        self._limit_args = _limit_args(self.arl0, self.control_limits)
        self._reset()

    def _reset(self) -> None:
        super()._reset()
        self._state = _fresh_state()

    def _process(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        drifts, warns, _ = self._run_kernel(
            _ecdd_kernel,
            xs,
            self._state,
            float(self.warm_start),
            float(self.warning_level),
            *self._limit_args,
        )
        return drifts, warns, bool(self._state[_WARN])
