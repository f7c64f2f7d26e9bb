"""EDDM: the Early Drift Detection Method of Baena-García et al. on a 0/1 error stream."""

from __future__ import annotations

import math

import numba
import numpy as np

from detectors._compiled import buffer_view
from detectors.base import BaseStreamingDetector, _bad_value, _not_a_number
from detectors.tags import CalibrationSpec, Coupled, Sensitivity, log_grid
from driftsim.validation import check_in_range, check_int

__all__ = ["EDDM"]

# state slots: samples, errors, index of the last error, then river's stats.Var of the
# distances between errors (count, mean, sum of squares), the best p' + 2 s', warning
_N, _N_ERR, _LAST_ERR, _VAR_N, _VAR_MEAN, _VAR_S, _P2S_MAX, _WARN = range(8)


# a relative margin far wider than the one-ulp gap between pow(x, 0.5) and sqrt(x)
_HAIR = 1e-12
_NEAR = 1.0 - _HAIR


def _fresh_state() -> np.ndarray:
    return np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0])


@numba.njit(cache=True, nogil=True)
def _eddm_kernel(xs, state, warm_start, alpha, beta, half, drifts, warns):
    n, n_err, last_err = state[_N], state[_N_ERR], state[_LAST_ERR]
    var_n, var_mean, var_s = state[_VAR_N], state[_VAR_MEAN], state[_VAR_S]
    p2s_max = state[_P2S_MAX]
    warning = state[_WARN] != 0.0
    n_drift = 0
    n_warn = 0
    for i in range(xs.shape[0]):
        n += 1.0
        if xs[i] == 1.0:
            n_err += 1.0
            # river's stats.Var (Welford, ddof=1), operation for operation
            dist = n - last_err
            mean_old = var_mean
            var_n += 1.0
            var_mean += (1.0 / var_n) * (dist - var_mean)
            var_s += (dist - mean_old) * (dist - var_mean)
            last_err = n
            if n > warm_start:
                var = var_s / (var_n - 1.0) if var_n > 1.0 else 0.0
                # river takes the root as ``var ** 0.5``, libm's pow, which differs from
                # the correctly rounded sqrt in the last bit for about 1 value in 1000.
                # Both are within one unit in the last place of the true root, so the
                # fast sqrt settles every comparison not within a hair of its boundary,
                # and the slow pow runs only near one. (``half`` comes in as an argument
                # because a literal 0.5 exponent would be compiled into a sqrt.)
                p2s = var_mean + 2.0 * math.sqrt(var)
                exact = p2s > p2s_max * _NEAR
                if exact:
                    p2s = var_mean + 2.0 * var**half
                if p2s > p2s_max:
                    p2s_max = p2s
                elif n_err > warm_start:
                    level = p2s / p2s_max
                    if not exact and (abs(level - beta) < _HAIR or abs(level - alpha) < _HAIR):
                        level = (var_mean + 2.0 * var**half) / p2s_max
                    if level < beta:
                        drifts[n_drift] = i
                        n_drift += 1
                        n, n_err, last_err = 0.0, 0.0, 0.0
                        var_n, var_mean, var_s = 0.0, 0.0, 0.0
                        p2s_max = -1.0
                        warning = False
                        continue
                    warning = level < alpha
        if warning:
            warns[n_warn] = i
            n_warn += 1
    state[_N], state[_N_ERR], state[_LAST_ERR] = n, n_err, last_err
    state[_VAR_N], state[_VAR_MEAN], state[_VAR_S] = var_n, var_mean, var_s
    state[_P2S_MAX] = p2s_max
    state[_WARN] = 1.0 if warning else 0.0
    return n_drift, n_warn


# the per-value buffer: the state slots, the parameters (warm_start, alpha, beta, 0.5),
# one value, the drift and warning output slots
_PAR, _X, _OUT_D, _OUT_W, _SIZE = 8, 12, 13, 14, 15


@numba.njit(cache=True, nogil=True)
def _eddm_error_step(zeros, addr):
    # the kernel itself, over one-slot views of the buffer: the queued correct
    # predictions first, then the error
    buf = buffer_view(addr, _SIZE)
    state, xs, drifts, warns = buf[:_PAR], buf[_X:_OUT_D], buf[_OUT_D:_OUT_W], buf[_OUT_W:]
    warm_start, alpha, beta, half = buf[_PAR], buf[_PAR + 1], buf[_PAR + 2], buf[_PAR + 3]
    xs[0] = 0.0
    for _ in range(zeros):
        _eddm_kernel(xs, state, warm_start, alpha, beta, half, drifts, warns)
    xs[0] = 1.0
    n_drift, n_warn = _eddm_kernel(xs, state, warm_start, alpha, beta, half, drifts, warns)
    return 1 if n_drift else (2 if n_warn else 0)


class EDDM(BaseStreamingDetector):
    r"""Early Drift Detection Method for a stream of prediction errors [^1].

    EDDM follows the distance (in samples) between consecutive errors rather than the
    error rate, which reacts earlier to gradual drift. With $p'_i$ and $s'_i$ the mean
    and standard deviation of those distances, it remembers the largest
    $p'_{max} + 2 s'_{max}$ and, once more than ``warm_start`` errors have been seen,
    signals

    * a warning when $(p'_i + 2 s'_i) / (p'_{max} + 2 s'_{max}) < \alpha$,
    * a drift when that ratio falls below $\beta$.

    The statistics change only when an error arrives; between errors the detector keeps
    its last state, warning included. Parameters, defaults, warning flags and alarm
    indices are those of ``river.drift.binary.EDDM`` (river 0.26.1), which the test
    suite checks. (river leaves ``warning_detected`` set on the step that signals a
    drift when the detector was in its warning zone just before; here, as everywhere in
    driftsim, a drift step is never also a warning step.)

    **Input:** 1 for an error (wrong prediction), 0 for a correct one.

    Parameters
    ----------
    warm_start
        Values, and errors, seen before a warning or drift may be signalled.
    alpha
        Warning level of the ratio, in (0, 1]; at least ``beta``.
    beta
        Drift level of the ratio, in (0, 1].

    Examples
    --------
    The error rate of a model rises from 10 % to 30 % at sample 2000 (the defaults
    are quick to fire at such error rates, hence lower levels):

    >>> import numpy as np
    >>> rng = np.random.default_rng(7)
    >>> errors = np.concatenate([rng.random(2000) < 0.1, rng.random(2000) < 0.3])
    >>> EDDM(alpha=0.8, beta=0.75).update_many(errors)
    array([2748, 2969])

    References
    ----------
    [^1]: M. Baena-García, J. del Campo-Ávila, R. Fidalgo, A. Bifet, R. Gavaldà and
        R. Morales-Bueno (2006). Early drift detection method. Fourth International
        Workshop on Knowledge Discovery from Data Streams.
    """

    binary = True
    has_warning = True

    # what the class is: see detectors.tags
    sensitivity = Sensitivity("beta", "increasing", log_grid(0.3, 0.99),
                              coupled=(Coupled("alpha", "at_least"),))
    calibration = CalibrationSpec((0.01, 0.999), log_scale=False)
    is_baseline = False
    signal = "error"

    def __init__(self, warm_start: int = 30, alpha: float = 0.95, beta: float = 0.9) -> None:
        self.warm_start = check_int("warm_start", warm_start, low=0)
        self.beta = check_in_range("beta", beta, low=0.0, high=1.0, low_inclusive=False)
        self.alpha = check_in_range("alpha", alpha, low=beta, high=1.0)
        self._reset()

    def _reset(self) -> None:
        super()._reset()
        self._params = (float(self.warm_start), float(self.alpha), float(self.beta), 0.5)
        self._buf = np.concatenate([_fresh_state(), self._params, [0.0, 0.0, 0.0]])
        self._bind()
        # correct predictions not yet fed: they only count samples, so they wait for
        # the next error (or anything that reads the state)
        self._zeros = 0

    def _bind(self) -> None:
        super()._bind()
        self._state = self._buf[:_PAR]

    def _sync(self) -> None:
        if self._zeros:
            self._process(np.zeros(self._zeros))
            self._zeros = 0

    def update(self, x: float) -> bool:
        """Feed one value (1 an error, 0 a correct prediction); return whether it
        triggered a drift (also in ``drift_detected``).

        A correct prediction cannot trigger a drift nor change the warning zone (EDDM's
        statistics move only on errors), so it is counted and fed with the next error.
        """
        try:
            value = float(x)
        except (TypeError, ValueError) as exc:
            raise _not_a_number(self, x) from exc
        if value == 0.0:
            self._zeros += 1
            self._drift_detected = False
            return False
        if value != 1.0:
            raise _bad_value(self, value)
        code = _eddm_error_step(self._zeros, self._addr)
        self._zeros = 0
        self._drift_detected = drift = code == 1
        self._warning_detected = code == 2
        return drift

    def _process(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        drifts, warns, _ = self._run_kernel(_eddm_kernel, xs, self._state, *self._params)
        return drifts, warns, bool(self._state[_WARN])
