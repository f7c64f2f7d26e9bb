"""STEPD: the statistical test of equal proportions of Nishida and Yamauchi."""

from __future__ import annotations

from statistics import NormalDist

import numba
import numpy as np

from detectors.base import BaseStreamingDetector
from detectors.tags import CalibrationSpec, Coupled, Sensitivity, log_grid
from driftsim.validation import check_in_range, check_int

__all__ = ["STEPD"]

# state slots: samples, errors in all, errors in the recent window, ring-buffer
# position, in warning zone; the recent window lives in a separate array
_N, _ERR_ALL, _ERR_RECENT, _POS, _WARN = range(5)


@numba.njit(cache=True, nogil=True)
def _stepd_kernel(xs, state, window, z_drift_sq, z_warning_sq, drifts, warns):
    # p-value < alpha  <=>  T > z_alpha = Phi^-1(1 - alpha) > 0 (alpha < 0.5), and with
    # T = num / sqrt(var): num > 0 and num^2 > z_alpha^2 * var. Comparing squares spares
    # the normal tail, a square root and a division at every sample.
    size = window.shape[0]
    inv_size = 1.0 / size
    n, err_all, err_recent = state[_N], state[_ERR_ALL], state[_ERR_RECENT]
    pos = int(state[_POS])
    warning = state[_WARN] != 0.0
    n_drift = 0
    n_warn = 0
    for i in range(xs.shape[0]):
        x = xs[i]
        if n >= size:
            err_recent -= window[pos]
        window[pos] = x
        err_recent += x
        err_all += x
        n += 1.0
        pos = pos + 1 if pos + 1 < size else 0
        if n >= 2 * size:
            n_old = n - size
            err_old = err_all - err_recent
            warning = False
            # one-sided: only a recent error rate above the older one counts (the
            # counts are integers, so the cross-multiplied comparison is exact)
            if err_recent * n_old > err_old * size:
                inv_old = 1.0 / n_old
                inv = inv_old + inv_size
                num = err_recent * inv_size - err_old * inv_old - 0.5 * inv
                if num > 0.0:
                    pooled = err_all / n
                    var = pooled * (1.0 - pooled) * inv
                    num_sq = num * num
                    if num_sq > z_drift_sq * var:
                        drifts[n_drift] = i
                        n_drift += 1
                        n, err_all, err_recent, pos = 0.0, 0.0, 0.0, 0
                        continue
                    warning = num_sq > z_warning_sq * var
        if warning:
            warns[n_warn] = i
            n_warn += 1
    state[_N], state[_ERR_ALL], state[_ERR_RECENT] = n, err_all, err_recent
    state[_POS] = float(pos)
    state[_WARN] = 1.0 if warning else 0.0
    return n_drift, n_warn


def _critical_value(alpha: float) -> float:
    """z with 1 - Phi(z) = alpha."""
    return -NormalDist().inv_cdf(alpha)


class STEPD(BaseStreamingDetector):
    r"""Statistical Test of Equal Proportions drift detector [^1].

    STEPD compares the error rate on the ``window_size`` most recent samples with the
    error rate on everything seen before them (since the last restart). With $r_o$, $n_o$
    the errors and samples before the window and $r_r$, $n_r$ those in it, and
    $\hat p = (r_o + r_r) / (n_o + n_r)$, the test statistic is

    $$T = \frac{|r_o/n_o - r_r/n_r| - \frac{1}{2}\left(\frac{1}{n_o} + \frac{1}{n_r}\right)}
             {\sqrt{\hat p (1 - \hat p) \left(\frac{1}{n_o} + \frac{1}{n_r}\right)}},$$

    the two-proportion z-test with continuity correction. Its one-sided p-value,
    $1 - \Phi(T)$, counted only when the recent error rate is the higher one (a model
    that gets better is not a drift), is compared with ``alpha_drift`` (drift) and
    ``alpha_warning`` (warning zone); in practice $T$ is compared with the matching
    critical values $\Phi^{-1}(1 - \alpha)$, which spares the normal tail at every
    sample. The test runs once $n_o \ge n_r$, i.e. from the
    ``2 * window_size``-th sample (as in MOA); after a drift the detector starts over.

    **Input:** 1 for an error (wrong prediction), 0 for a correct one.

    Parameters
    ----------
    window_size
        Length $n_r$ of the recent window (30 in the paper).
    alpha_drift
        Significance level for a drift (0.003 in the paper), in (0, 0.5).
    alpha_warning
        Significance level for the warning zone (0.05 in the paper), in
        [``alpha_drift``, 0.5).

    Examples
    --------
    The error rate of a model rises from 10 % to 30 % at sample 2000 (sample 877 is a
    false alarm):

    >>> import numpy as np
    >>> rng = np.random.default_rng(7)
    >>> errors = np.concatenate([rng.random(2000) < 0.1, rng.random(2000) < 0.3])
    >>> drifts, warnings = STEPD().update_many(errors, warnings=True)
    >>> drifts
    array([ 877, 2032])
    >>> warnings[warnings >= 2000][:3]
    array([2014, 2026, 2027])

    References
    ----------
    [^1]: K. Nishida and K. Yamauchi (2007). Detecting concept drift using statistical
        testing. Discovery Science 2007, LNCS 4755, 264-269.
    """

    binary = True
    has_warning = True

    # what the class is: see detectors.tags
    sensitivity = Sensitivity("alpha_drift", "increasing", log_grid(1e-10, 0.2),
                              coupled=(Coupled("alpha_warning", "at_least"),))
    calibration = CalibrationSpec((1e-15, 0.49))
    is_baseline = False
    signal = "error"

    def __init__(
        self, window_size: int = 30, alpha_drift: float = 0.003, alpha_warning: float = 0.05
    ) -> None:
        self.window_size = check_int("window_size", window_size, low=1)
        self.alpha_drift = check_in_range(
            "alpha_drift",
            alpha_drift,
            low=0.0,
            high=0.5,
            low_inclusive=False,
            high_inclusive=False,
        )
        self.alpha_warning = check_in_range(
            "alpha_warning", alpha_warning, low=alpha_drift, high=0.5, high_inclusive=False
        )
        self._reset()

    def _reset(self) -> None:
        super()._reset()
        self._state = np.zeros(5)
        self._window = np.zeros(self.window_size)

    def _process(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        drifts, warns, _ = self._run_kernel(
            _stepd_kernel,
            xs,
            self._state,
            self._window,
            _critical_value(self.alpha_drift) ** 2,
            _critical_value(self.alpha_warning) ** 2,
        )
        return drifts, warns, bool(self._state[_WARN])
