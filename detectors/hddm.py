"""HDDM_A and HDDM_W: drift detection on an error stream with Hoeffding/McDiarmid bounds."""

from __future__ import annotations

import math

import numba
import numpy as np

from detectors._compiled import buffer_view
from detectors.base import BaseStreamingDetector
from detectors.tags import CalibrationSpec, Sensitivity, log_grid
from driftsim.validation import check_choice, check_in_range

__all__ = ["HDDM_A", "HDDM_W"]


def _check_confidence(name: str, value: float) -> float:
    return check_in_range(name, value, low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)


# --- HDDM_A ----------------------------------------------------------------------------

# state slots: running mean of everything (z), and the two cut points (x_min, x_max),
# each a (count, mean) pair as river's ``stats.Mean`` keeps them
_Z_N, _Z_MEAN, _MIN_N, _MIN_MEAN, _MAX_N, _MAX_MEAN = range(6)


@numba.njit(cache=True, nogil=True)
def _hddm_a_kernel(xs, state, log_inv_drift, log2_drift, log2_warn, two_sided, drifts, warns):
    z_n, z_mean = state[_Z_N], state[_Z_MEAN]
    min_n, min_mean = state[_MIN_N], state[_MIN_MEAN]
    max_n, max_mean = state[_MAX_N], state[_MAX_MEAN]
    n_drift = 0
    n_warn = 0
    in_warning = False
    for i in range(xs.shape[0]):
        z_n += 1.0
        z_mean += (1.0 / z_n) * (xs[i] - z_mean)
        if min_n == 0.0:
            min_n, min_mean = z_n, z_mean
        if max_n == 0.0:
            max_n, max_mean = z_n, z_mean

        eps_z = math.sqrt(1.0 / (2.0 * z_n) * log_inv_drift)
        eps_x = math.sqrt(1.0 / (2.0 * min_n) * log_inv_drift)
        if min_mean + eps_x >= z_mean + eps_z:
            min_n, min_mean = z_n, z_mean
        eps_x = math.sqrt(1.0 / (2.0 * max_n) * log_inv_drift)
        if max_mean - eps_x <= z_mean - eps_z:
            max_n, max_mean = z_n, z_mean

        drift = False
        warning = False
        if min_n != z_n:
            m = (z_n - min_n) / min_n * (1.0 / z_n)
            gap = z_mean - min_mean
            if gap >= math.sqrt(m / 2.0 * log2_drift):
                drift = True
            elif gap >= math.sqrt(m / 2.0 * log2_warn):
                warning = True
        if two_sided and max_n != z_n:
            m = (z_n - max_n) / max_n * (1.0 / z_n)
            gap = max_mean - z_mean
            if gap >= math.sqrt(m / 2.0 * log2_drift):
                drift = True
            elif gap >= math.sqrt(m / 2.0 * log2_warn):
                warning = True

        in_warning = warning and not drift
        if drift:
            drifts[n_drift] = i
            n_drift += 1
            z_n, z_mean, min_n, min_mean, max_n, max_mean = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
        elif warning:
            warns[n_warn] = i
            n_warn += 1
    state[_Z_N], state[_Z_MEAN] = z_n, z_mean
    state[_MIN_N], state[_MIN_MEAN] = min_n, min_mean
    state[_MAX_N], state[_MAX_MEAN] = max_n, max_mean
    return n_drift, n_warn, in_warning


# the per-value buffer: the state slots, the four parameters, one value, the drift and
# warning output slots
_A_PAR, _A_X, _A_OUT_D, _A_OUT_W, _A_SIZE = 6, 10, 11, 12, 13


@numba.njit(cache=True, nogil=True)
def _hddm_a_step(x, addr):
    # the kernel itself, over one-slot views of the detector's buffer
    buf = buffer_view(addr, _A_SIZE)
    buf[_A_X] = x
    n_drift, _, in_warning = _hddm_a_kernel(
        buf[_A_X:_A_OUT_D], buf[:_A_PAR], buf[_A_PAR], buf[_A_PAR + 1], buf[_A_PAR + 2],
        buf[_A_PAR + 3] != 0.0, buf[_A_OUT_D:_A_OUT_W], buf[_A_OUT_W:],
    )
    return 1 if n_drift else (2 if in_warning else 0)


class HDDM_A(BaseStreamingDetector):
    r"""Drift detection with Hoeffding's bound on moving averages (HDDM_A) [^1].

    Fed an error stream (1 = the model erred, 0 = it was right), HDDM_A compares the
    mean of everything seen so far with the mean up to a cut point, the point where
    the Hoeffding upper bound of the running mean was lowest: when the later values
    are significantly worse, by Hoeffding's inequality at level ``drift_confidence``,
    a drift is signalled and the detector restarts; at level ``warning_confidence`` it
    is in its warning zone. With ``two_sided_test`` decreases of the error rate are
    detected too. Parameters, defaults, alarm and warning indices are those of
    ``river.drift.binary.HDDMA`` (river 0.26.1), itself a port of MOA's [^2].

    Parameters
    ----------
    drift_confidence
        Confidence level of the drift test, in (0, 1). Smaller means fewer alarms.
    warning_confidence
        Confidence level of the warning test, in (0, 1).
    two_sided_test
        Also detect decreases of the mean.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(3)
    >>> errors = (rng.random(4000) < np.repeat([0.1, 0.4], 2000)).astype(float)
    >>> drifts, warnings = HDDM_A().update_many(errors, warnings=True)
    >>> drifts
    array([2103])
    >>> warnings[:3]
    array([2077, 2078, 2081])

    References
    ----------
    [^1]: I. Frías-Blanco, J. del Campo-Ávila, G. Ramos-Jiménez, R. Morales-Bueno,
        A. Ortiz-Díaz and Y. Caballero-Mota (2015). Online and non-parametric drift
        detection methods based on Hoeffding's bounds. IEEE Transactions on Knowledge
        and Data Engineering 27(3), 810-823.
    [^2]: A. Bifet, G. Holmes, R. Kirkby and B. Pfahringer (2010). MOA: Massive Online
        Analysis. Journal of Machine Learning Research 11, 1601-1604.
    """

    binary = True
    has_warning = True

    # what the class is: see detectors.tags
    sensitivity = Sensitivity("drift_confidence", "increasing", log_grid(1e-10, 0.2))
    calibration = CalibrationSpec((1e-15, 0.49))
    is_baseline = False
    signal = "error"

    def __init__(
        self,
        drift_confidence: float = 0.001,
        warning_confidence: float = 0.005,
        two_sided_test: bool = False,
    ) -> None:
        self.drift_confidence = _check_confidence("drift_confidence", drift_confidence)
        self.warning_confidence = _check_confidence("warning_confidence", warning_confidence)
        self.two_sided_test = check_choice("two_sided_test", two_sided_test, (False, True))
        self._reset()

    _step = staticmethod(_hddm_a_step)

    def _reset(self) -> None:
        super()._reset()
        # the logarithms are river's own Python expressions, evaluated once here
        self._params = (
            math.log(1.0 / self.drift_confidence),
            math.log(2.0 / self.drift_confidence),
            math.log(2.0 / self.warning_confidence),
            bool(self.two_sided_test),
        )
        self._buf = np.concatenate([np.zeros(_A_PAR), self._params, [0.0, 0.0, 0.0]])
        self._bind()

    def _bind(self) -> None:
        super()._bind()
        self._state = self._buf[:_A_PAR]

    def _process(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        drifts, warns, (in_warning,) = self._run_kernel(
            _hddm_a_kernel, xs, self._state, *self._params
        )
        return drifts, warns, bool(in_warning)


# --- HDDM_W ----------------------------------------------------------------------------

# A "sample" is river's ``SampleInfo``: an exponentially weighted mean, whether it has
# seen a value (1.0 or 0.0), and its independent bound condition (ibc). Five samples,
# three slots each, then the two cut points.
_TOTAL, _S1_INCR, _S2_INCR, _S1_DECR, _S2_DECR = (3 * k for k in range(5))
_INCR_CUT, _DECR_CUT = 15, 16


def _fresh_hddm_w_state() -> np.ndarray:
    state = np.zeros(17)
    state[2:15:3] = 1.0  # every ibc starts at 1
    state[_INCR_CUT] = np.inf
    state[_DECR_CUT] = -np.inf
    return state


@numba.njit(cache=True, nogil=True, inline="always")
def _sample_step(ewma, seen, ibc, x, lam, one_minus_lam, lam_sq, c_lam_sq):
    # river's SampleInfo.update: the first value sets the weighted mean
    if seen:
        ewma = lam * x + one_minus_lam * ewma
    else:
        ewma = x
    return ewma, True, lam_sq + c_lam_sq * ibc


@numba.njit(cache=True, nogil=True, inline="always")
def _store_sample(state, at, ewma, seen, ibc):
    state[at] = ewma
    state[at + 1] = 1.0 if seen else 0.0
    state[at + 2] = ibc


@numba.njit(cache=True, nogil=True, inline="always")
def _mean_changed(ewma1, seen1, ibc1, ewma2, seen2, ibc2, log_inv_conf):
    # river's _has_mean_changed: sample 2's weighted mean exceeds sample 1's by more
    # than McDiarmid's bound
    if not (seen1 and seen2):
        return False
    return ewma2 - ewma1 > math.sqrt((ibc1 + ibc2) * log_inv_conf / 2.0)


@numba.njit(cache=True, nogil=True)
def _hddm_w_kernel(xs, state, lam, c_lam_sq, log_inv_drift, log_inv_warn, two_sided, drifts, warns):
    # river's EWMean keeps 1 - lambda precomputed; SampleInfo squares lambda itself
    one_minus_lam = 1.0 - lam
    lam_sq = lam * lam
    # the state lives in locals inside the loop (each sample: ewma, seen, ibc)
    t_e, t_s, t_c = state[_TOTAL], state[_TOTAL + 1] != 0.0, state[_TOTAL + 2]
    i1_e, i1_s, i1_c = state[_S1_INCR], state[_S1_INCR + 1] != 0.0, state[_S1_INCR + 2]
    i2_e, i2_s, i2_c = state[_S2_INCR], state[_S2_INCR + 1] != 0.0, state[_S2_INCR + 2]
    d1_e, d1_s, d1_c = state[_S1_DECR], state[_S1_DECR + 1] != 0.0, state[_S1_DECR + 2]
    d2_e, d2_s, d2_c = state[_S2_DECR], state[_S2_DECR + 1] != 0.0, state[_S2_DECR + 2]
    incr_cut, decr_cut = state[_INCR_CUT], state[_DECR_CUT]
    n_drift = 0
    n_warn = 0
    in_warning = False
    for i in range(xs.shape[0]):
        x = xs[i]
        t_e, t_s, t_c = _sample_step(t_e, t_s, t_c, x, lam, one_minus_lam, lam_sq, c_lam_sq)
        eps = math.sqrt(t_c * log_inv_drift / 2.0)

        if t_e + eps < incr_cut:
            incr_cut = t_e + eps
            i1_e, i1_s, i1_c = t_e, t_s, t_c
            i2_e, i2_s, i2_c = 0.0, False, 1.0
        else:
            i2_e, i2_s, i2_c = _sample_step(
                i2_e, i2_s, i2_c, x, lam, one_minus_lam, lam_sq, c_lam_sq
            )
        drift = False
        warning = False
        if _mean_changed(i1_e, i1_s, i1_c, i2_e, i2_s, i2_c, log_inv_drift):
            drift = True
        elif _mean_changed(i1_e, i1_s, i1_c, i2_e, i2_s, i2_c, log_inv_warn):
            warning = True

        # the decrease statistics are kept up to date even when only increases are tested
        if t_e - eps > decr_cut:
            decr_cut = t_e - eps
            d1_e, d1_s, d1_c = t_e, t_s, t_c
            d2_e, d2_s, d2_c = 0.0, False, 1.0
        else:
            d2_e, d2_s, d2_c = _sample_step(
                d2_e, d2_s, d2_c, x, lam, one_minus_lam, lam_sq, c_lam_sq
            )
        if two_sided:
            if _mean_changed(d2_e, d2_s, d2_c, d1_e, d1_s, d1_c, log_inv_drift):
                drift = True
            elif _mean_changed(d2_e, d2_s, d2_c, d1_e, d1_s, d1_c, log_inv_warn):
                warning = True

        in_warning = warning and not drift
        if drift:
            drifts[n_drift] = i
            n_drift += 1
            t_e, t_s, t_c = 0.0, False, 1.0
            i1_e, i1_s, i1_c = 0.0, False, 1.0
            i2_e, i2_s, i2_c = 0.0, False, 1.0
            d1_e, d1_s, d1_c = 0.0, False, 1.0
            d2_e, d2_s, d2_c = 0.0, False, 1.0
            incr_cut, decr_cut = np.inf, -np.inf
        elif warning:
            warns[n_warn] = i
            n_warn += 1
    _store_sample(state, _TOTAL, t_e, t_s, t_c)
    _store_sample(state, _S1_INCR, i1_e, i1_s, i1_c)
    _store_sample(state, _S2_INCR, i2_e, i2_s, i2_c)
    _store_sample(state, _S1_DECR, d1_e, d1_s, d1_c)
    _store_sample(state, _S2_DECR, d2_e, d2_s, d2_c)
    state[_INCR_CUT], state[_DECR_CUT] = incr_cut, decr_cut
    return n_drift, n_warn, in_warning


# the per-value buffer: the 17 state slots, the five parameters, one value, the drift
# and warning output slots
_W_PAR, _W_X, _W_OUT_D, _W_OUT_W, _W_SIZE = 17, 22, 23, 24, 25


@numba.njit(cache=True, nogil=True)
def _hddm_w_step(x, addr):
    # the kernel itself, over one-slot views of the detector's buffer
    buf = buffer_view(addr, _W_SIZE)
    buf[_W_X] = x
    n_drift, _, in_warning = _hddm_w_kernel(
        buf[_W_X:_W_OUT_D], buf[:_W_PAR], buf[_W_PAR], buf[_W_PAR + 1], buf[_W_PAR + 2],
        buf[_W_PAR + 3], buf[_W_PAR + 4] != 0.0, buf[_W_OUT_D:_W_OUT_W], buf[_W_OUT_W:],
    )
    return 1 if n_drift else (2 if in_warning else 0)


class HDDM_W(BaseStreamingDetector):
    r"""Drift detection with McDiarmid's bound on weighted moving averages (HDDM_W) [^1].

    Like :class:`HDDM_A`, but the statistics are exponentially weighted moving
    averages (weight ``lambda_val`` on the newest value), compared with McDiarmid's
    inequality: a drift is signalled when the weighted error rate since the cut point
    exceeds the one before it by more than the bound at level ``drift_confidence``,
    a warning at level ``warning_confidence``. Parameters, defaults, alarm and
    warning indices are those of ``river.drift.binary.HDDMW`` (river 0.26.1), itself a
    port of MOA's [^2].

    Parameters
    ----------
    drift_confidence
        Confidence level of the drift test, in (0, 1). Smaller means fewer alarms.
    warning_confidence
        Confidence level of the warning test, in (0, 1).
    lambda_val
        Weight of the newest value in the moving averages, in (0, 1].
    two_sided_test
        Also detect decreases of the mean.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(3)
    >>> errors = (rng.random(4000) < np.repeat([0.1, 0.4], 2000)).astype(float)
    >>> drifts, warnings = HDDM_W().update_many(errors, warnings=True)
    >>> drifts
    array([2053, 2773, 3217])
    >>> warnings[:3]
    array([2021, 2022, 2023])

    References
    ----------
    [^1]: I. Frías-Blanco, J. del Campo-Ávila, G. Ramos-Jiménez, R. Morales-Bueno,
        A. Ortiz-Díaz and Y. Caballero-Mota (2015). Online and non-parametric drift
        detection methods based on Hoeffding's bounds. IEEE Transactions on Knowledge
        and Data Engineering 27(3), 810-823.
    [^2]: A. Bifet, G. Holmes, R. Kirkby and B. Pfahringer (2010). MOA: Massive Online
        Analysis. Journal of Machine Learning Research 11, 1601-1604.
    """

    binary = True
    has_warning = True

    # what the class is: see detectors.tags
    sensitivity = Sensitivity("drift_confidence", "increasing", log_grid(1e-10, 0.2))
    calibration = CalibrationSpec((1e-15, 0.49))
    is_baseline = False
    signal = "error"

    def __init__(
        self,
        drift_confidence: float = 0.001,
        warning_confidence: float = 0.005,
        lambda_val: float = 0.05,
        two_sided_test: bool = False,
    ) -> None:
        self.drift_confidence = _check_confidence("drift_confidence", drift_confidence)
        self.warning_confidence = _check_confidence("warning_confidence", warning_confidence)
        self.lambda_val = check_in_range(
            "lambda_val", lambda_val, low=0.0, high=1.0, low_inclusive=False
        )
        self.two_sided_test = check_choice("two_sided_test", two_sided_test, (False, True))
        self._reset()

    _step = staticmethod(_hddm_w_step)

    def _reset(self) -> None:
        super()._reset()
        lam = float(self.lambda_val)
        # river's expressions, evaluated once here in Python so every rounding matches
        self._params = (
            lam,
            (1 - lam) ** 2,
            math.log(1 / self.drift_confidence),
            math.log(1 / self.warning_confidence),
            bool(self.two_sided_test),
        )
        self._buf = np.concatenate([_fresh_hddm_w_state(), self._params, [0.0, 0.0, 0.0]])
        self._bind()

    def _bind(self) -> None:
        super()._bind()
        self._state = self._buf[:_W_PAR]

    def _process(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        drifts, warns, (in_warning,) = self._run_kernel(
            _hddm_w_kernel, xs, self._state, *self._params
        )
        return drifts, warns, bool(in_warning)
