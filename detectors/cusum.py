"""CUSUM: Page's two-sided tabular cumulative-sum chart for a change in the mean."""

from __future__ import annotations

import math

import numba
import numpy as np

from detectors.base import BaseStreamingDetector
from detectors.tags import CalibrationSpec, Sensitivity, log_grid
from driftsim.validation import check_choice, check_in_range, check_int

__all__ = ["CUSUM"]

_MODES = ("up", "down", "both")

# state slots: samples since (re)start, warm-up mean, warm-up sum of squares,
# target mean, 1 / sigma (0 when the warm-up had no spread), upper sum, lower sum
_N, _W_MEAN, _W_SS, _MU, _INV_SIGMA, _UP, _DOWN = range(7)


@numba.njit(cache=True, nogil=True)
def _cusum_kernel(xs, state, k, h, mu0, sigma0, warm, mode, drifts):
    # mu0 / sigma0 are nan when they are to be estimated over the first `warm` samples.
    n, w_mean, w_ss = state[_N], state[_W_MEAN], state[_W_SS]
    mu, inv_sigma = state[_MU], state[_INV_SIGMA]
    up, down = state[_UP], state[_DOWN]
    n_drift = 0
    for i in range(xs.shape[0]):
        x = xs[i]
        n += 1.0
        if n <= warm:
            delta = x - w_mean
            w_mean += delta / n
            w_ss += delta * (x - w_mean)
            if n == warm:
                mu = w_mean if math.isnan(mu0) else mu0
                if math.isnan(sigma0):
                    sd = math.sqrt(w_ss / (n - 1.0))
                    # no spread: any later departure from mu is an infinite shift
                    inv_sigma = 1.0 / sd if sd > 0.0 else np.inf
                else:
                    inv_sigma = 1.0 / sigma0
            continue
        dev = x - mu
        z = 0.0 if dev == 0.0 else dev * inv_sigma
        up = max(0.0, up + z - k)
        down = max(0.0, down - z - k)
        fired = (mode != 1 and up > h) or (mode != 0 and down > h)
        if fired:
            drifts[n_drift] = i
            n_drift += 1
            n, w_mean, w_ss, up, down = 0.0, 0.0, 0.0, 0.0, 0.0
            if warm > 0:
                mu, inv_sigma = 0.0, 0.0
    state[_N], state[_W_MEAN], state[_W_SS] = n, w_mean, w_ss
    state[_MU], state[_INV_SIGMA] = mu, inv_sigma
    state[_UP], state[_DOWN] = up, down
    return n_drift


class CUSUM(BaseStreamingDetector):
    r"""Page's cumulative-sum test for a shift in the mean, in Montgomery's tabular form [^1] [^2].

    Each value is standardised, $z_i = (x_i - \mu_0) / \sigma$, and two one-sided sums
    accumulate evidence of a shift of more than ``k`` standard deviations:

    $$C^+_i = \max(0,\ C^+_{i-1} + z_i - k), \qquad C^-_i = \max(0,\ C^-_{i-1} - z_i - k),$$

    $C^\pm_0 = 0$. A drift is signalled when $C^+_i > h$ (``mode="up"``), $C^-_i > h$
    (``"down"``) or either (``"both"``); the sums then restart from zero. ``k`` is the
    reference value (slack: half the shift to detect, in standard deviations) and ``h``
    the decision interval, both in units of $\sigma$; Montgomery recommends $k = 0.5$,
    $h = 4$ or $5$. With $k = 0.5$, $h = 5$ the in-control average run length on normal
    data is about 930 samples one-sided and 465 two-sided.

    The target mean $\mu_0$ and the standard deviation $\sigma$ are given (``mu``,
    ``sigma``) or, when ``None``, estimated from the first ``warm_start`` values (sample
    mean; sample standard deviation, ``ddof=1``), which are then not monitored. After a
    drift, estimated values are estimated again on the next ``warm_start`` values, so
    the chart re-learns the new level (given values stay). A warm-up with no spread
    makes any later value different from the mean an immediate alarm.

    Parameters
    ----------
    k
        Reference value (slack), in standard deviations, >= 0.
    h
        Decision interval (threshold), in standard deviations, > 0.
    mu
        In-control mean, or ``None`` to estimate it over the warm-up.
    sigma
        In-control standard deviation (> 0), or ``None`` to estimate it over the warm-up.
    warm_start
        Values used to estimate ``mu`` and/or ``sigma``; ignored when both are given.
    mode
        ``"up"``, ``"down"`` or ``"both"``.

    Examples
    --------
    The mean moves up by one standard deviation at sample 1000; the level and the
    spread are learned from the first 200 values:

    >>> import numpy as np
    >>> rng = np.random.default_rng(42)
    >>> xs = np.concatenate([rng.normal(0, 1, 1000), rng.normal(1, 1, 1000)])
    >>> CUSUM(h=8.0, warm_start=200).update_many(xs)
    array([1006])

    With a fixed target, every run after the shift ends in an alarm:

    >>> CUSUM(h=8.0, mu=0.0, sigma=1.0, mode="up").update_many(xs)[:4]
    array([1009, 1033, 1049, 1059])

    References
    ----------
    [^1]: E. S. Page (1954). Continuous inspection schemes. Biometrika 41(1/2), 100-115.
    [^2]: D. C. Montgomery (2009). Introduction to Statistical Quality Control, 6th ed.,
        section 9.1 (the tabular CUSUM). Wiley.
    """

    binary = False
    has_warning = False

    # what the class is: see detectors.tags
    sensitivity = Sensitivity("h", "decreasing", log_grid(1.0, 100.0))
    calibration = CalibrationSpec((0.1, 200.0))
    is_baseline = False
    signal = None

    def __init__(
        self,
        k: float = 0.5,
        h: float = 5.0,
        mu: float | None = None,
        sigma: float | None = None,
        warm_start: int = 30,
        mode: str = "both",
    ) -> None:
        self.k = check_in_range("k", k, low=0.0)
        self.h = check_in_range("h", h, low=0.0, low_inclusive=False)
        if mu is not None:
            check_in_range("mu", mu)
            if math.isinf(mu):
                raise ValueError(f"mu must be finite or None, got {mu!r}")
        self.mu = mu
        if sigma is not None:
            check_in_range("sigma", sigma, low=0.0, low_inclusive=False)
            if math.isinf(sigma):
                raise ValueError(f"sigma must be finite or None, got {sigma!r}")
        self.sigma = sigma
        self.warm_start = check_int("warm_start", warm_start, low=0)
        if (mu is None or sigma is None) and self.warm_start < 2:
            raise ValueError(
                f"warm_start must be >= 2 when mu or sigma is estimated, got {warm_start!r}"
            )
        self.mode = check_choice("mode", mode, _MODES)
        self._reset()

    def _reset(self) -> None:
        super()._reset()
        self._state = np.zeros(7)
        if self._warm == 0:
            self._state[_MU] = self.mu
            self._state[_INV_SIGMA] = 1.0 / self.sigma

    @property
    def _warm(self) -> int:
        return 0 if (self.mu is not None and self.sigma is not None) else self.warm_start

    def _process(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        drifts = np.empty(xs.shape[0], dtype=np.int64)
        n_drift = _cusum_kernel(
            xs,
            self._state,
            float(self.k),
            float(self.h),
            np.nan if self.mu is None else float(self.mu),
            np.nan if self.sigma is None else float(self.sigma),
            float(self._warm),
            _MODES.index(self.mode),
            drifts,
        )
        return drifts[:n_drift].copy(), drifts[:0], False
