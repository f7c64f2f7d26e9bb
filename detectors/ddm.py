"""DDM: the Drift Detection Method of Gama et al. on a 0/1 error stream."""

from __future__ import annotations

import math

import numba
import numpy as np

from detectors._compiled import buffer_view
from detectors.base import BaseStreamingDetector
from detectors.tags import CalibrationSpec, Coupled, Sensitivity, log_grid
from driftsim.validation import check_in_range, check_int

__all__ = ["DDM"]

# state slots: samples, error rate, p_min, s_min, p_min + s_min, in warning zone
_N, _P, _P_MIN, _S_MIN, _PS_MIN, _WARN = range(6)


def _fresh_state() -> np.ndarray:
    return np.array([0.0, 0.0, 0.0, 0.0, np.inf, 0.0])


@numba.njit(cache=True, nogil=True)
def _ddm_kernel(xs, state, warm_start, warning_threshold, drift_threshold, drifts, warns):
    n, p = state[_N], state[_P]
    p_min, s_min, ps_min = state[_P_MIN], state[_S_MIN], state[_PS_MIN]
    warning = state[_WARN] != 0.0
    n_drift = 0
    n_warn = 0
    for i in range(xs.shape[0]):
        # river's stats.Mean update and DDM's formulas, operation for operation, so the
        # alarms match exactly
        n += 1.0
        p += (1.0 / n) * (xs[i] - p)
        s = math.sqrt(p * (1.0 - p) / n)
        if n > warm_start:
            if p + s <= ps_min:
                p_min = p
                s_min = s
                ps_min = p_min + s_min
            warning = p + s > p_min + warning_threshold * s_min
            if p + s > p_min + drift_threshold * s_min:
                drifts[n_drift] = i
                n_drift += 1
                n, p, p_min, s_min, ps_min, warning = 0.0, 0.0, 0.0, 0.0, np.inf, False
                continue
        if warning:
            warns[n_warn] = i
            n_warn += 1
    state[_N], state[_P] = n, p
    state[_P_MIN], state[_S_MIN], state[_PS_MIN] = p_min, s_min, ps_min
    state[_WARN] = 1.0 if warning else 0.0
    return n_drift, n_warn


# the per-value buffer: the state slots, the three parameters, one value, the drift and
# warning output slots
_PAR, _X, _OUT_D, _OUT_W, _SIZE = 6, 9, 10, 11, 12


@numba.njit(cache=True, nogil=True)
def _ddm_step(x, addr):
    # the kernel itself, over one-slot views of the detector's buffer
    buf = buffer_view(addr, _SIZE)
    buf[_X] = x
    n_drift, n_warn = _ddm_kernel(
        buf[_X:_OUT_D], buf[:_PAR], buf[_PAR], buf[_PAR + 1], buf[_PAR + 2],
        buf[_OUT_D:_OUT_W], buf[_OUT_W:],
    )
    return 1 if n_drift else (2 if n_warn else 0)


class DDM(BaseStreamingDetector):
    r"""Drift Detection Method for a stream of prediction errors [^1].

    DDM follows the error rate $p_i$ of a classifier and its binomial standard
    deviation $s_i = \sqrt{p_i (1 - p_i) / i}$, remembers the point where
    $p_i + s_i$ was lowest ($p_{min}$, $s_{min}$), and signals

    * a warning when $p_i + s_i > p_{min} + w \cdot s_{min}$,
    * a drift when $p_i + s_i > p_{min} + d \cdot s_{min}$,

    once more than ``warm_start`` values have been seen. After a drift it starts
    over. Parameters, defaults, warning flags and alarm indices are those of
    ``river.drift.binary.DDM`` (river 0.26.1), which the test suite checks.

    **Input:** 1 for an error (wrong prediction), 0 for a correct one.

    Parameters
    ----------
    warm_start
        Values seen before a warning or drift may be signalled.
    warning_threshold
        $w$: how many $s_{min}$ above the best level the warning zone starts
        (2 is about 95 % confidence).
    drift_threshold
        $d$: how many $s_{min}$ above the best level a drift is signalled
        (3 is about 99 % confidence). Must be at least ``warning_threshold``.

    Examples
    --------
    The error rate of a model rises from 10 % to 30 % at sample 2000:

    >>> import numpy as np
    >>> rng = np.random.default_rng(7)
    >>> errors = np.concatenate([rng.random(2000) < 0.1, rng.random(2000) < 0.3])
    >>> drifts, warnings = DDM().update_many(errors, warnings=True)
    >>> drifts
    array([2226])
    >>> warnings[warnings >= 2000][:3]  # the warning zone before the drift
    array([2069, 2070, 2071])

    References
    ----------
    [^1]: J. Gama, P. Medas, G. Castillo and P. Rodrigues (2004). Learning with drift
        detection. SBIA 2004, LNCS 3171, 286-295.
    """

    binary = True
    has_warning = True

    # what the class is: see detectors.tags
    sensitivity = Sensitivity("drift_threshold", "decreasing", log_grid(1.5, 10.0),
                              coupled=(Coupled("warning_threshold", "at_most"),))
    calibration = CalibrationSpec((1.0, 30.0))
    is_baseline = False
    signal = "error"

    def __init__(
        self,
        warm_start: int = 30,
        warning_threshold: float = 2.0,
        drift_threshold: float = 3.0,
    ) -> None:
        self.warm_start = check_int("warm_start", warm_start, low=0)
        self.warning_threshold = check_in_range(
            "warning_threshold", warning_threshold, low=0.0, low_inclusive=False
        )
        self.drift_threshold = check_in_range(
            "drift_threshold", drift_threshold, low=warning_threshold
        )
        self._reset()

    _step = staticmethod(_ddm_step)

    def _reset(self) -> None:
        super()._reset()
        self._params = (
            float(self.warm_start),
            float(self.warning_threshold),
            float(self.drift_threshold),
        )
        self._buf = np.concatenate([_fresh_state(), self._params, [0.0, 0.0, 0.0]])
        self._bind()

    def _bind(self) -> None:
        super()._bind()
        self._state = self._buf[:_PAR]

    def _process(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        drifts, warns, _ = self._run_kernel(_ddm_kernel, xs, self._state, *self._params)
        return drifts, warns, bool(self._state[_WARN])
