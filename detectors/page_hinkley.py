"""Page-Hinkley test for a change in the mean of a real-valued stream."""

from __future__ import annotations

import numba
import numpy as np

from detectors._compiled import buffer_view
from detectors.base import BaseStreamingDetector
from detectors.tags import CalibrationSpec, Sensitivity, log_grid
from driftsim.validation import check_choice, check_in_range, check_int

__all__ = ["PageHinkley"]

_MODES = ("up", "down", "both")

# state slots
_N, _MEAN, _SUM_INC, _SUM_DEC, _MIN_INC, _MAX_DEC = range(6)


def _fresh_state() -> np.ndarray:
    # river starts the running maximum of the decrease sum at -1, not -inf; we keep
    # that so our alarms coincide with river's index for index.
    return np.array([0.0, 0.0, 0.0, 0.0, np.inf, -1.0])


@numba.njit(cache=True, nogil=True)
def _page_hinkley_kernel(xs, state, min_instances, delta, threshold, alpha, mode, out):
    n, mean = state[_N], state[_MEAN]
    sum_inc, sum_dec = state[_SUM_INC], state[_SUM_DEC]
    min_inc, max_dec = state[_MIN_INC], state[_MAX_DEC]
    n_out = 0
    for i in range(xs.shape[0]):
        x = xs[i]
        n += 1.0
        mean += (1.0 / n) * (x - mean)
        dev = x - mean
        sum_inc = alpha * sum_inc + dev - delta
        sum_dec = alpha * sum_dec + dev + delta
        if sum_inc < min_inc:
            min_inc = sum_inc
        if sum_dec > max_dec:
            max_dec = sum_dec
        if n >= min_instances:
            up = (sum_inc - min_inc) > threshold
            down = (max_dec - sum_dec) > threshold
            fired = up if mode == 0 else (down if mode == 1 else (up or down))
            if fired:
                out[n_out] = i
                n_out += 1
                n, mean, sum_inc, sum_dec, min_inc, max_dec = 0.0, 0.0, 0.0, 0.0, np.inf, -1.0
    state[_N], state[_MEAN] = n, mean
    state[_SUM_INC], state[_SUM_DEC] = sum_inc, sum_dec
    state[_MIN_INC], state[_MAX_DEC] = min_inc, max_dec
    return n_out


# the per-value buffer: the state slots, the five parameters, one value, one output slot
_P, _X, _OUT, _SIZE = 6, 11, 12, 13


@numba.njit(cache=True, nogil=True)
def _page_hinkley_step(x, addr):
    # the kernel itself, over one-slot views of the detector's buffer
    buf = buffer_view(addr, _SIZE)
    buf[_X] = x
    return _page_hinkley_kernel(
        buf[_X:_OUT], buf[:_P], buf[_P], buf[_P + 1], buf[_P + 2], buf[_P + 3],
        int(buf[_P + 4]), buf[_OUT:],
    )


class PageHinkley(BaseStreamingDetector):
    """Page-Hinkley test for a change in the mean [^1] [^2].

    Tracks the cumulative deviation of each value from the running mean, minus a
    tolerance ``delta``, with a fading factor ``alpha``; signals a drift when that
    sum rises (``mode="up"``), falls (``"down"``) or moves either way (``"both"``)
    by more than ``threshold`` from its extreme. Parameters, defaults and alarm
    indices are those of ``river.drift.PageHinkley``.

    Parameters
    ----------
    min_instances
        Values seen before a drift may be signalled.
    delta
        Magnitude of change tolerated without alarm.
    threshold
        The alarm threshold (lambda). Larger means fewer false alarms, later detections.
    alpha
        Fading factor of the cumulative sums, in (0, 1].
    mode
        ``"up"``, ``"down"`` or ``"both"``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(42)
    >>> xs = np.concatenate([rng.normal(0, 1, 1000), rng.normal(3, 1, 1000)])
    >>> PageHinkley().update_many(xs)
    array([1011, 1920])

    References
    ----------
    [^1]: E. S. Page (1954). Continuous inspection schemes. Biometrika 41(1/2), 100-115.
    [^2]: R. Sebastião and J. M. Fernandes (2017). Supporting the Page-Hinkley test with
        empirical mode decomposition for change detection. ISMIS, 492-498.
    """

    # what the class is: see detectors.tags
    sensitivity = Sensitivity("threshold", "decreasing", log_grid(2.0, 500.0))
    calibration = CalibrationSpec((0.1, 2000.0))
    is_baseline = False
    signal = None

    def __init__(
        self,
        min_instances: int = 30,
        delta: float = 0.005,
        threshold: float = 50.0,
        alpha: float = 1 - 0.0001,
        mode: str = "both",
    ) -> None:
        self.min_instances = check_int("min_instances", min_instances, low=1)
        self.delta = check_in_range("delta", delta, low=0.0)
        self.threshold = check_in_range("threshold", threshold, low=0.0, low_inclusive=False)
        self.alpha = check_in_range("alpha", alpha, low=0.0, high=1.0, low_inclusive=False)
        self.mode = check_choice("mode", mode, _MODES)
        self._reset()

    _step = staticmethod(_page_hinkley_step)

    def _reset(self) -> None:
        super()._reset()
        self._params = (
            float(self.min_instances),
            float(self.delta),
            float(self.threshold),
            float(self.alpha),
            _MODES.index(self.mode),
        )
        self._buf = np.concatenate([_fresh_state(), self._params, [0.0, 0.0]])
        self._bind()

    def _bind(self) -> None:
        super()._bind()
        self._state = self._buf[:_P]

    def _process(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        out = np.empty(xs.shape[0], dtype=np.int64)
        n = _page_hinkley_kernel(xs, self._state, *self._params, out)
        return out[:n].copy(), out[:0], False
