"""ADWIN: adaptive windowing over an exponential histogram of buckets."""

from __future__ import annotations

import math

import numba
import numpy as np

from detectors.base import QueueingDetector
from detectors.tags import CalibrationSpec, Sensitivity, log_grid
from driftsim.validation import check_in_range, check_int

__all__ = ["ADWIN"]

# Row ``i`` of the bucket table holds buckets that summarise 2**i values, so a row can
# only exist once the window holds at least 2**i values. A window is a count of
# samples (< 2**63), hence 64 rows can never overflow and the table never needs to grow.
_MAX_ROWS = 64
_POW2 = np.array([math.ldexp(1.0, i) for i in range(_MAX_ROWS)])
# x / 2**i == x * 2**-i exactly (both are the correctly rounded x scaled by a power of
# two), and a multiplication is several times cheaper than a division.
_INV_POW2 = np.array([math.ldexp(1.0, -i) for i in range(_MAX_ROWS)])

# float state slots
_TOTAL, _VARIANCE, _WIDTH = range(3)
# int state slots: values seen modulo clock, number of bucket rows in use, "detected on
# the last element" (river restarts lazily, on the element after a detection)
_TICK, _N_ROWS, _PENDING_RESET = range(3)


@numba.njit(cache=True, nogil=True)
def _clear(floats, ints, counts, totals, variances):
    # out of line on purpose: runs once per detection, and inlined it slows every value
    for r in range(ints[_N_ROWS]):
        counts[r] = 0
        totals[r, :] = 0.0
        variances[r, :] = 0.0
    floats[:] = 0.0
    ints[_TICK] = 0
    ints[_N_ROWS] = 1
    ints[_PENDING_RESET] = 0


@numba.njit(cache=True, nogil=True, inline="always")
def _add_bucket(value, ints, counts, totals, variances, max_buckets):
    c = counts[0]
    totals[0, c] = value
    variances[0, c] = 0.0
    counts[0] = c + 1

    # Merge the two oldest buckets of a full row into the next row, cascading.
    row = 0
    while counts[row] == max_buckets + 1:
        n1 = _POW2[row]
        t0, t1 = totals[row, 0], totals[row, 1]
        v0, v1 = variances[row, 0], variances[row, 1]
        mu1 = t0 * _INV_POW2[row]
        mu2 = t1 * _INV_POW2[row]
        merged_variance = v0 + v1 + n1 * 0.5 * (mu1 - mu2) * (mu1 - mu2)
        if row + 1 >= ints[_N_ROWS]:
            ints[_N_ROWS] = row + 2
        c = counts[row + 1]
        totals[row + 1, c] = t0 + t1
        variances[row + 1, c] = merged_variance
        counts[row + 1] = c + 1
        _drop_oldest(row, 2, counts, totals, variances)
        if counts[row + 1] <= max_buckets:
            break
        row += 1


@numba.njit(cache=True, nogil=True, inline="always")
def _drop_oldest(row, n_drop, counts, totals, variances):
    # river also zeroes the vacated slots; nothing reads a slot at or past the count
    c = counts[row]
    for j in range(c - n_drop):
        totals[row, j] = totals[row, j + n_drop]
        variances[row, j] = variances[row, j + n_drop]
    counts[row] = c - n_drop


@numba.njit(cache=True, nogil=True, inline="always")
def _delete_oldest_bucket(floats, ints, counts, totals, variances):
    last = ints[_N_ROWS] - 1
    n = _POW2[last]
    u = totals[last, 0]
    v = variances[last, 0]
    mu = u * _INV_POW2[last]
    width = floats[_WIDTH] - n
    total = floats[_TOTAL] - u
    mu_window = total / width
    floats[_WIDTH] = width
    floats[_TOTAL] = total
    floats[_VARIANCE] -= v + n * width * (mu - mu_window) * (mu - mu_window) / (n + width)
    _drop_oldest(last, 1, counts, totals, variances)
    if counts[last] == 0:
        ints[_N_ROWS] = last


@numba.njit(cache=True, nogil=True, inline="always")
def _cut_fires(n0, n1, u0, u1, width, variance_per_value, delta_prime, min_len):
    # river's test of one cut, operation for operation
    delta_mean = (u0 / n0) - (u1 / n1)
    m_recip = 1.0 / (n0 - min_len + 1.0) + 1.0 / (n1 - min_len + 1.0)
    epsilon = (
        math.sqrt(2.0 * m_recip * variance_per_value * delta_prime)
        + 2.0 / 3.0 * delta_prime * m_recip
    )
    return n1 >= min_len and n0 >= min_len and abs(delta_mean) > epsilon


@numba.njit(cache=True, nogil=True, inline="always")
def _cut_may_fire(n0, n1, u0, u1, scale, min_len):
    """A division-free screen, true whenever :func:`_cut_fires` is (``scale`` is
    ``2 * variance_per_value * delta_prime``).

    A cut fires only if |u0/n0 - u1/n1| > sqrt(2 m v d'), with m = (a + b) / (a b),
    a = n0 - min_len + 1, b = n1 - min_len + 1; multiplied out, only if
    (u0 n1 - u1 n0)^2 a b > scale (a + b) (n0 n1)^2. The rounding of river's divisions and
    of these products is a few units of 2**-53, relative, except for the cancellation in
    u0 n1 - u1 n0, bounded by 2**-52 (|u0| n1 + |u1| n0); the screen adds 1e-12 times
    that, and rejects only when the left side is below the right by a factor 1 - 1e-9.
    Outside the ranges where that analysis holds (overflow, underflow, NaN) it passes.
    """
    a = n0 - min_len + 1.0
    b = n1 - min_len + 1.0
    x = u0 * n1 - u1 * n0
    g = abs(x) + 1e-12 * (abs(u0) * n1 + abs(u1) * n0)
    lhs = g * g * a * b
    nn = n0 * n1
    rhs = scale * (a + b) * nn * nn
    clearly_not = (lhs < rhs * (1.0 - 1e-9)) & (rhs > 1e-250) & (rhs < 1e300) & (scale > 1e-250)
    return (n1 >= min_len) & (n0 >= min_len) & ~clearly_not


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _cut_test(floats, ints, counts, totals, variances, delta, min_len, scratch, maybe):
    # Runs once every ``clock`` values, out of line (inlined, it slows the per-value
    # path several-fold). river walks the cuts from the oldest bucket on and stops at
    # the first that fires. Here the running sums of every cut are gathered first (same
    # additions, same order), then a vectorised, division-free screen marks the cuts
    # that may fire, and only those get river's exact test; the screen never rejects a
    # cut that fires, so the outcome is river's. If any cut fires, the oldest bucket is
    # dropped (whichever cut fired) and the test repeats on the shorter window.
    detected = False
    while True:
        width = floats[_WIDTH]
        n0 = 0.0
        n1 = width
        u0 = 0.0
        u1 = floats[_TOTAL]
        n_cuts = 0
        for row in range(ints[_N_ROWS] - 1, -1, -1):
            size = _POW2[row]
            c = counts[row]
            for k in range(c):
                n0 += size
                n1 -= size
                t = totals[row, k]
                u0 += t
                u1 -= t
                if row == 0 and k == c - 1:
                    break
                scratch[0, n_cuts] = n0
                scratch[1, n_cuts] = n1
                scratch[2, n_cuts] = u0
                scratch[3, n_cuts] = u1
                n_cuts += 1
        if n_cuts == 0:
            return detected
        delta_prime = math.log(2.0 * math.log(width) / delta)
        variance_per_value = floats[_VARIANCE] / width
        scale = 2.0 * variance_per_value * delta_prime
        for j in range(n_cuts):
            maybe[j] = _cut_may_fire(
                scratch[0, j], scratch[1, j], scratch[2, j], scratch[3, j], scale, min_len
            )
        fired = False
        for j in range(n_cuts):
            if maybe[j] and _cut_fires(
                scratch[0, j],
                scratch[1, j],
                scratch[2, j],
                scratch[3, j],
                width,
                variance_per_value,
                delta_prime,
                min_len,
            ):
                fired = True
                break
        if not fired:
            return detected
        detected = True
        _delete_oldest_bucket(floats, ints, counts, totals, variances)


@numba.njit(cache=True, nogil=True)
def _adwin_kernel(
    xs, floats, ints, counts, totals, variances, delta, clock, max_buckets, min_len, grace, out
):
    n_slots = counts.shape[0] * totals.shape[1]
    scratch = np.empty((4, n_slots))
    maybe = np.empty(n_slots, dtype=np.bool_)
    # the window's sums live in locals, stored for the cut test and reloaded after it
    width, total, variance = floats[_WIDTH], floats[_TOTAL], floats[_VARIANCE]
    phase, pending = ints[_TICK], ints[_PENDING_RESET]
    n_out = 0
    for i in range(xs.shape[0]):
        if pending:
            _clear(floats, ints, counts, totals, variances)
            width, total, variance, phase, pending = 0.0, 0.0, 0.0, 0, 0
        value = xs[i]
        # Welford-style update; the operation order is river's, so every rounding matches.
        width += 1.0
        increment = 0.0
        if width > 1.0:
            dv = value - total / (width - 1.0)
            increment = (width - 1.0) * dv * dv / width
        variance += increment
        total += value
        _add_bucket(value, ints, counts, totals, variances, max_buckets)
        # river tests when its tick count is a multiple of clock; the count is kept
        # modulo clock, which avoids an integer division per value
        phase += 1
        if phase == clock:
            phase = 0
        if phase != 0 or width <= grace:
            continue
        floats[_WIDTH], floats[_TOTAL], floats[_VARIANCE] = width, total, variance
        if _cut_test(floats, ints, counts, totals, variances, delta, min_len, scratch, maybe):
            out[n_out] = i
            n_out += 1
            pending = 1
            width, total, variance = floats[_WIDTH], floats[_TOTAL], floats[_VARIANCE]
    floats[_WIDTH], floats[_TOTAL], floats[_VARIANCE] = width, total, variance
    ints[_TICK], ints[_PENDING_RESET] = phase, pending
    return n_out


@numba.njit(cache=True, nogil=True)
def _adwin_feed(pending, floats, ints, counts, totals, variances, params):
    # the kernel itself over the queued values; only the last one can reach a clock tick
    n = len(pending)
    xs = np.empty(n)
    for i in range(n):
        xs[i] = pending[i]
    out = np.empty(n, dtype=np.int64)
    clock = int(params[1])
    fired = _adwin_kernel(
        xs, floats, ints, counts, totals, variances, params[0], clock, int(params[2]),
        params[3], params[4], out,
    )
    if fired and out[0] != n - 1:
        raise AssertionError("ADWIN: a queued value fired")
    # the next test is at the next multiple of clock
    return fired + 2 * (clock - ints[_TICK])


class ADWIN(QueueingDetector):
    r"""ADaptive WINdowing (ADWIN) change detector [^1].

    ADWIN keeps a window of recent values, compressed into an exponential histogram
    of buckets (the ADWIN2 variant [^1]), and every ``clock`` values checks each cut of
    the window into an older part :math:`W_0` and a newer part :math:`W_1`: a drift is
    signalled when :math:`|\hat\mu_{W_0} - \hat\mu_{W_1}|` exceeds a bound derived from
    ``delta`` and the window variance. Parameters, defaults and alarm indices are those
    of ``river.drift.ADWIN`` (river 0.26.1), whose floating-point operation order this
    kernel follows so both agree index for index.

    After a detection river drops the oldest buckets until no cut fires (visible in
    ``width`` at the detection step) and then, on the next value, restarts with an
    empty window; this detector does the same.

    Parameters
    ----------
    delta
        Significance value of the cut test, in (0, 1). Smaller means fewer false alarms.
    clock
        Test for a change every ``clock`` values.
    max_buckets
        Buckets of each size kept before the two oldest are merged; at least 2.
    min_window_length
        Shortest sub-window a cut may leave on either side.
    grace_period
        Values seen before a change may be signalled.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(7)
    >>> xs = np.concatenate([rng.normal(0.0, 1.0, 2000), rng.normal(1.0, 1.0, 2000)])
    >>> ADWIN().update_many(xs)
    array([2047])

    References
    ----------
    [^1]: A. Bifet and R. Gavaldà (2007). Learning from time-changing data with adaptive
        windowing. Proceedings of the 2007 SIAM International Conference on Data
        Mining, 443-448.
    """

    # what the class is: see detectors.tags
    sensitivity = Sensitivity("delta", "increasing", log_grid(1e-8, 0.5))
    calibration = CalibrationSpec((1e-12, 0.99))
    is_baseline = False
    signal = None

    def __init__(
        self,
        delta: float = 0.002,
        clock: int = 32,
        max_buckets: int = 5,
        min_window_length: int = 5,
        grace_period: int = 10,
    ) -> None:
        self.delta = check_in_range(
            "delta", delta, low=0.0, high=1.0, low_inclusive=False, high_inclusive=False
        )
        self.clock = check_int("clock", clock, low=1)
        # With one bucket per size a merge empties a row; dropping buckets at a detection
        # can then reach an empty row, which makes river 0.26.1 panic. Two or more keep
        # every row non-empty.
        self.max_buckets = check_int("max_buckets", max_buckets, low=2)
        self.min_window_length = check_int("min_window_length", min_window_length, low=1)
        self.grace_period = check_int("grace_period", grace_period, low=0)
        self._reset()

    _feed = staticmethod(_adwin_feed)

    def _reset(self) -> None:
        super()._reset()
        self._floats = np.zeros(3)
        self._ints = np.array([0, 1, 0], dtype=np.int64)
        self._counts = np.zeros(_MAX_ROWS, dtype=np.int64)
        self._totals = np.zeros((_MAX_ROWS, self.max_buckets + 1))
        self._variances = np.zeros((_MAX_ROWS, self.max_buckets + 1))
        params = [
            self.delta,
            self.clock,
            self.max_buckets,
            self.min_window_length,
            self.grace_period,
        ]
        self._feed_args = (
            self._floats,
            self._ints,
            self._counts,
            self._totals,
            self._variances,
            np.array(params, dtype=np.float64),
        )

    def _process(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        out = np.empty(xs.shape[0], dtype=np.int64)
        n = _adwin_kernel(
            xs,
            self._floats,
            self._ints,
            self._counts,
            self._totals,
            self._variances,
            float(self.delta),
            self.clock,
            self.max_buckets,
            float(self.min_window_length),
            float(self.grace_period),
            out,
        )
        return out[:n].copy(), out[:0], False

    # --- river's read-outs of the window -----------------------------------------
    @property
    def width(self) -> float:
        """Number of values in the current window."""
        self._sync()
        return float(self._floats[_WIDTH])

    @property
    def total(self) -> float:
        """Sum of the values in the current window."""
        self._sync()
        return float(self._floats[_TOTAL])

    @property
    def variance(self) -> float:
        """Sum of squared deviations from the mean over the window (river's ``variance``)."""
        self._sync()
        return float(self._floats[_VARIANCE])

    @property
    def estimation(self) -> float:
        """Mean of the current window (0 when it is empty)."""
        width = self.width
        return self.total / width if width else 0.0
