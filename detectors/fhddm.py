"""FHDDM: the Fast Hoeffding Drift Detection Method of Pesaranghader and Viktor."""

from __future__ import annotations

import math

import numba
import numpy as np

from detectors._compiled import buffer_view
from detectors.base import QueueingDetector
from detectors.tags import CalibrationSpec, Sensitivity, log_grid
from driftsim.validation import check_in_range, check_int

__all__ = ["FHDDM"]

# state slots: values in the window, ones in the window, ones in the short window,
# best long-window mean, best short-window mean, ring-buffer position; the window
# itself lives in a separate array
_FILL, _ONES, _ONES_SHORT, _U_MAX, _U_SHORT_MAX, _POS = range(6)


@numba.njit(cache=True, nogil=True)
def _fhddm_kernel(xs, state, window, short, eps, eps_short, drifts):
    size = window.shape[0]
    fill, ones, ones_short = state[_FILL], state[_ONES], state[_ONES_SHORT]
    u_max, u_short_max = state[_U_MAX], state[_U_SHORT_MAX]
    pos = int(state[_POS])
    n_drift = 0
    for i in range(xs.shape[0]):
        x = xs[i]
        # Running sums of 0/1 values are exact integers, so they equal river's sum().
        if short > 0:
            if fill >= short:
                ones_short -= window[(pos - short + size) % size]
            ones_short += x
        if fill == size:
            ones -= window[pos]
        else:
            fill += 1.0
        window[pos] = x
        ones += x
        pos = pos + 1 if pos + 1 < size else 0
        if fill == size:
            u = ones / size
            if u_max < u:
                u_max = u
            fired = u_max - u > eps
            if short > 0:
                u_s = ones_short / short
                if u_short_max < u_s:
                    u_short_max = u_s
                fired = fired or (u_short_max - u_s > eps_short)
            if fired:
                drifts[n_drift] = i
                n_drift += 1
                fill, ones, ones_short, u_max, u_short_max, pos = 0.0, 0.0, 0.0, 0.0, 0.0, 0
    state[_FILL], state[_ONES], state[_ONES_SHORT] = fill, ones, ones_short
    state[_U_MAX], state[_U_SHORT_MAX], state[_POS] = u_max, u_short_max, float(pos)
    return n_drift


# the per-value buffer: the state slots, the parameters (window size, short window size
# or 0, and the two epsilons), one value, one output slot, then the window itself
_PAR, _X, _OUT, _WIN = 6, 10, 11, 12
# margin on the gaps (absolute, in shares of ones) for their last-bit rounding
_MARGIN = 1e-9


@numba.njit(cache=True, nogil=True, inline="always")
def _safe_values(gap, eps, size):
    # values that cannot make a gap exceed eps: each value moves a window's share of
    # ones by at most 1 / size, and the best share only follows the current one up,
    # so after k values the gap is at most gap + k / size
    k = math.floor((eps - gap - _MARGIN) * size)
    return k if k > 0 else 0


@numba.njit(cache=True, nogil=True)
def _fhddm_feed(pending, addr):
    head = buffer_view(addr, _WIN)
    size = int(head[_PAR])
    buf = buffer_view(addr, _WIN + size)
    state, window, short = buf[:_PAR], buf[_WIN:], int(buf[_PAR + 1])
    eps, eps_short = buf[_PAR + 2], buf[_PAR + 3]
    fired = 0
    last = len(pending) - 1
    for i in range(len(pending)):
        # the kernel itself, value by value, over one-slot views of the buffer
        buf[_X] = pending[i]
        fired = _fhddm_kernel(buf[_X:_OUT], state, window, short, eps, eps_short, buf[_OUT:_WIN])
        if fired and i < last:
            raise AssertionError("FHDDM: a queued value fired")
    fill = state[_FILL]
    if fill < size:
        due = size - int(fill)  # no test before the window is full
    else:
        safe = _safe_values(state[_U_MAX] - state[_ONES] / size, eps, size)
        if short > 0:
            safe = min(safe, _safe_values(
                state[_U_SHORT_MAX] - state[_ONES_SHORT] / short, eps_short, short
            ))
        due = safe + 1
    return fired + 2 * due


class FHDDM(QueueingDetector):
    r"""Fast Hoeffding Drift Detection Method [^1], with the stacking variant [^2].

    FHDDM slides a window of ``sliding_window_size`` bits, remembers the largest
    proportion of ones it has seen in a full window, $\mu_{max}$, and signals a drift
    when the current proportion falls more than
    $\varepsilon = \sqrt{\ln(1/\delta) / (2n)}$ below it (Hoeffding's inequality, with
    $\delta$ = ``confidence_level`` and $n$ the window size). With
    ``short_window_size`` set, the same test also runs on the newest
    ``short_window_size`` bits of the window (stacking FHDDM), and either firing is a
    drift. After a drift it starts over with an empty window. There is no warning zone.

    Parameters, defaults and alarm indices are those of ``river.drift.binary.FHDDM``
    (river 0.26.1), which the test suite checks.

    **Input:** FHDDM fires when the share of ones *falls*, so, as in the paper (and in
    MOA), feed it 1 for a *correct* prediction and 0 for an error: ``1 - errors``.
    river's docstring says 1 marks an error, but its code, like this one, detects a
    fall in the share of ones, so an error stream only triggers it when the error rate
    drops.

    Parameters
    ----------
    sliding_window_size
        Length $n$ of the window; no drift is signalled before it is full.
    confidence_level
        $\delta$ in Hoeffding's bound, in (0, 1): the smaller, the fewer false alarms.
    short_window_size
        Length of the stacked short window (at most ``sliding_window_size``), or
        ``None`` for the plain method.

    Examples
    --------
    The error rate of a model rises from 10 % to 30 % at sample 2000:

    >>> import numpy as np
    >>> rng = np.random.default_rng(7)
    >>> errors = np.concatenate([rng.random(2000) < 0.1, rng.random(2000) < 0.3])
    >>> correct = 1 - errors
    >>> FHDDM().update_many(correct)
    array([2080])
    >>> FHDDM(short_window_size=20).update_many(correct)
    array([2080])
    >>> FHDDM().update_many(errors)  # the error stream itself: no alarm
    array([], dtype=int64)

    References
    ----------
    [^1]: A. Pesaranghader and H. L. Viktor (2016). Fast Hoeffding drift detection method
        for evolving data streams. ECML PKDD 2016, LNCS 9852, 96-111.
    [^2]: A. Pesaranghader, H. L. Viktor and E. Paquet (2018). Reservoir of diverse
        adaptive learners and stacking fast Hoeffding drift detection methods for
        evolving data streams. Machine Learning 107, 1711-1743.
    """

    binary = True
    has_warning = False

    # what the class is: see detectors.tags
    sensitivity = Sensitivity("confidence_level", "increasing", log_grid(1e-12, 0.1))
    calibration = CalibrationSpec((1e-20, 0.49))
    is_baseline = False
    signal = "correct"

    def __init__(
        self,
        sliding_window_size: int = 100,
        confidence_level: float = 0.000001,
        short_window_size: int | None = None,
    ) -> None:
        self.sliding_window_size = check_int("sliding_window_size", sliding_window_size, low=1)
        self.confidence_level = check_in_range(
            "confidence_level",
            confidence_level,
            low=0.0,
            high=1.0,
            low_inclusive=False,
            high_inclusive=False,
        )
        if short_window_size is not None:
            short_window_size = check_int(
                "short_window_size", short_window_size, low=1, high=self.sliding_window_size
            )
        self.short_window_size = short_window_size
        self._reset()

    _feed = staticmethod(_fhddm_feed)

    def _reset(self) -> None:
        super()._reset()
        size = self.sliding_window_size
        short = self.short_window_size or 0
        params = [size, short, self._epsilon(size), self._epsilon(short) if short else 0.0]
        self._buf = np.concatenate([np.zeros(_PAR), params, np.zeros(2 + size)])
        self._bind()

    def _bind(self) -> None:
        super()._bind()
        self._state = self._buf[:_PAR]
        self._window = self._buf[_WIN:]
        self._feed_args = (self._addr,)

    def _epsilon(self, size: int) -> float:
        # river's expression, term for term
        return math.sqrt((math.log(1 / self.confidence_level)) / (2 * size))

    def _process(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        drifts = np.empty(xs.shape[0], dtype=np.int64)
        short = self.short_window_size or 0
        n_drift = _fhddm_kernel(
            xs,
            self._state,
            self._window,
            short,
            self._epsilon(self.sliding_window_size),
            self._epsilon(short) if short else 0.0,
            drifts,
        )
        return drifts[:n_drift].copy(), drifts[:0], False
