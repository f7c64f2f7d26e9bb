"""KSWIN: a Kolmogorov-Smirnov test of a sliding window's newest values against older ones."""

from __future__ import annotations

import functools
import math
import random
import warnings
from collections.abc import Iterable
from typing import Any

import numba
import numpy as np
from scipy import stats

from detectors.base import BaseStreamingDetector, _bad_value, _not_a_number
from detectors.tags import CalibrationSpec, Sensitivity, log_grid
from driftsim.validation import check_finite_array, check_in_range, check_int

__all__ = ["KSWIN"]

# int state slots: ring-buffer start and fill, Mersenne Twister position
_START, _LENGTH, _MT_POS = range(3)
_MT_N = 624


# --- Python's random.Random, reproduced in the kernel ------------------------------------
# river draws the older sample with ``random.Random(seed).sample``. Python's generator is
# MT19937 (Matsumoto & Nishimura 1998) and ``sample`` is a short, stable algorithm, so the
# kernel runs both itself, starting from the exact state Python's seeding produces: the
# draws, and hence the alarms, are river's, with no Python call per value. Words are kept
# in int64 with 32-bit masks.


@numba.njit(cache=True, nogil=True, inline="always")
def _mt_twist(mt):
    # word kk mixes words kk, kk + 1 and kk + 397 (indices mod 624), in place, in order
    for kk in range(_MT_N):
        nxt = kk + 1 if kk + 1 < _MT_N else 0
        far = kk + 397 if kk + 397 < _MT_N else kk + 397 - _MT_N
        y = (mt[kk] & 0x80000000) | (mt[nxt] & 0x7FFFFFFF)
        v = mt[far] ^ (y >> 1)
        if y & 1:
            v ^= 0x9908B0DF
        mt[kk] = v


@numba.njit(cache=True, nogil=True, inline="always")
def _mt_next(mt, ints):
    pos = ints[_MT_POS]
    if pos >= _MT_N:
        _mt_twist(mt)
        pos = 0
    y = mt[pos]
    ints[_MT_POS] = pos + 1
    y ^= y >> 11
    y ^= (y << 7) & 0x9D2C5680
    y ^= (y << 15) & 0xEFC60000
    y ^= y >> 18
    return y


@numba.njit(cache=True, nogil=True)
def _bit_shifts(n):
    # shifts[m] = 32 - m.bit_length(): getrandbits(m.bit_length()) is the top bits of a word
    shifts = np.empty(n + 1, dtype=np.int64)
    for m in range(n + 1):
        k = 0
        v = m
        while v:
            v >>= 1
            k += 1
        shifts[m] = 32 - k
    return shifts


@numba.njit(cache=True, nogil=True, inline="always")
def _randbelow(mt, ints, n, shifts):
    # random.Random._randbelow_with_getrandbits: rejection on n.bit_length() top bits
    shift = shifts[n]
    r = _mt_next(mt, ints) >> shift
    while r >= n:
        r = _mt_next(mt, ints) >> shift
    return r


@numba.njit(cache=True, nogil=True, inline="always")
def _sample(mt, ints, n, k, use_pool, shifts, pool, selected, out):
    # random.Random.sample(range(n), k): a partial Fisher-Yates over a pool when the
    # population is small, rejection against the already selected otherwise
    if use_pool:
        for i in range(n):
            pool[i] = i
        for i in range(k):
            j = _randbelow(mt, ints, n - i, shifts)
            out[i] = pool[j]
            pool[j] = pool[n - i - 1]
    else:
        for i in range(k):
            j = _randbelow(mt, ints, n, shifts)
            while selected[j]:
                j = _randbelow(mt, ints, n, shifts)
            selected[j] = True
            out[i] = j
        for i in range(k):
            selected[out[i]] = False


def _sample_uses_pool(n: int, k: int) -> bool:
    """Which branch ``random.Random.sample`` takes (the same expression as CPython's)."""
    setsize = 21
    if k > 5:
        setsize += 4 ** math.ceil(math.log(k * 3, 4))
    return n <= setsize


def _python_random_state(seed: int | None) -> np.ndarray:
    """The 624 Mersenne Twister words and the position of ``random.Random(seed)``."""
    return np.array(random.Random(seed).getstate()[1], dtype=np.int64)


# --- the two-sample KS test --------------------------------------------------------------


@numba.njit(cache=True, nogil=True, inline="always")
def _sort_small(a):
    # insertion sort: for a few dozen values it beats numba's general sort 2-3x
    if a.shape[0] > 64:
        a.sort()
        return
    for i in range(1, a.shape[0]):
        v = a[i]
        j = i - 1
        while j >= 0 and a[j] > v:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = v


@numba.njit(cache=True, nogil=True, inline="always")
def _ks_count(a, b):
    """max_x |#{a <= x} - #{b <= x}| over sorted samples of equal size (ties counted)."""
    n = a.shape[0]
    i = 0
    j = 0
    best = 0
    while i < n and j < n:
        v = a[i] if a[i] <= b[j] else b[j]
        while i < n and a[i] == v:
            i += 1
        while j < n and b[j] == v:
            j += 1
        d = i - j if i > j else j - i
        if d > best:
            best = d
    return best


@functools.lru_cache(maxsize=64)
def _critical_count(stat_size: int, alpha: float) -> int:
    """Smallest count ``k`` (statistic ``k / stat_size``) at which river signals drift.

    river signals when ``ks_2samp(...).pvalue <= alpha`` and the statistic exceeds 0.1.
    For two samples of size n, scipy's exact p-value and returned statistic depend only
    on that integer count (it rounds ``D * n``), so asking scipy once per candidate count,
    on samples built to have it, reproduces river's decision. Both conditions are
    monotone in the count, so a binary search suffices. Returns ``stat_size + 1`` when no
    count can fire. (Above 10,000 values per sample scipy switches to the asymptotic
    p-value of the unrounded statistic, which can differ from ``k / n`` in the last bit;
    only a p-value within that rounding of ``alpha`` could then decide differently.)
    """
    base = np.arange(stat_size, dtype=np.float64)

    def fires(k: int) -> bool:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=RuntimeWarning)
            result = stats.ks_2samp(base, base + k, method="auto")
        return bool(result.pvalue <= alpha and result.statistic > 0.1)

    low, high = 1, stat_size + 1  # answer in [low, high]; high means never
    while low < high:
        mid = (low + high) // 2
        if fires(mid):
            high = mid
        else:
            low = mid + 1
    return low


# --- the kernel --------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True)
def _kswin_kernel(xs, buf, ints, mt, mt_initial, stat_size, k_crit, use_pool, out):
    w = buf.shape[0]
    n_pop = w - stat_size
    shifts = _bit_shifts(n_pop)
    pool = np.empty(n_pop, dtype=np.int64)
    selected = np.zeros(n_pop, dtype=np.bool_)
    idx = np.empty(stat_size, dtype=np.int64)
    older = np.empty(stat_size)
    recent = np.empty(stat_size)
    start, length = ints[_START], ints[_LENGTH]
    n_out = 0
    for i in range(xs.shape[0]):
        # ring buffer: the window's j-th oldest value sits at buf[(start + j) % w]
        if length < w:
            at = start + length
            buf[at if at < w else at - w] = xs[i]
            length += 1
        else:
            buf[start] = xs[i]
            start = start + 1 if start + 1 < w else 0
        if length < w:
            continue
        _sample(mt, ints, n_pop, stat_size, use_pool, shifts, pool, selected, idx)
        for t in range(stat_size):
            at = start + idx[t]
            older[t] = buf[at if at < w else at - w]
            at = start + n_pop + t
            recent[t] = buf[at if at < w else at - w]
        _sort_small(older)
        _sort_small(recent)
        if _ks_count(older, recent) >= k_crit:
            out[n_out] = i
            n_out += 1
            # river restarts from scratch: empty window, generator re-seeded
            start, length = 0, 0
            for word in range(_MT_N):
                mt[word] = mt_initial[word]
            ints[_MT_POS] = mt_initial[_MT_N]
    ints[_START], ints[_LENGTH] = start, length
    return n_out


@numba.njit(cache=True, nogil=True)
def _kswin_step(x, buf, ints, mt, mt_initial, aux):
    # the kernel itself, over one-slot views of aux (stat_size, critical count, pool
    # flag, the value, the output slot)
    aux[3] = x
    return _kswin_kernel(
        aux[3:4], buf, ints, mt, mt_initial, int(aux[0]), int(aux[1]), aux[2] != 0.0, aux[4:]
    )


class KSWIN(BaseStreamingDetector):
    r"""Kolmogorov-Smirnov windowing (KSWIN) change detector [^1].

    KSWIN keeps a sliding window of the last ``window_size`` values. Once it is full,
    at every value it draws ``stat_size`` values at random from the older
    ``window_size - stat_size`` and runs a two-sample Kolmogorov-Smirnov test against
    the newest ``stat_size``; a drift is signalled when the p-value is at most
    ``alpha`` and the statistic exceeds 0.1, and the detector restarts.

    Parameters, defaults and alarm indices are those of ``river.drift.KSWIN`` (river
    0.26.1), exactly, index for index, for the same ``seed``: the random draws are
    Python's ``random.Random(seed).sample``, reproduced inside the compiled kernel,
    and the p-value test is scipy's ``ks_2samp`` decision, turned once at construction
    into a critical value of the statistic. As in river, a restart empties the window
    and re-seeds the generator. The generator's state is part of the detector's
    state, so chunking the stream does not change the draws.

    Parameters
    ----------
    alpha
        Significance level of the KS test, in [0, 1]; river advises below 0.01.
    window_size
        Length of the sliding window.
    stat_size
        Size of the two samples compared; at most ``window_size // 2`` so the older
        part of the window can supply them.
    seed
        Seed of the sampling (a non-negative integer). ``None`` draws one from the
        operating system at construction, as river does; ``reset`` then replays it.
    window
        Values that pre-fill the window, to avoid a cold start (the last
        ``window_size`` are kept). Used at construction and by ``reset``; a restart
        after a drift starts empty, as in river.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(5)
    >>> xs = np.concatenate([rng.normal(0.0, 1.0, 1000), rng.normal(1.5, 1.0, 1000)])
    >>> KSWIN(alpha=0.0001, seed=42).update_many(xs)
    array([1024])

    References
    ----------
    [^1]: C. Raab, M. Heusinger and F.-M. Schleif (2020). Reactive soft prototype
        computing for concept drift streams. Neurocomputing 416, 340-351.
    """

    # what the class is: see detectors.tags
    sensitivity = Sensitivity("alpha", "increasing", log_grid(1e-8, 0.2))
    calibration = CalibrationSpec((1e-12, 0.49))
    is_baseline = False
    signal = None

    @classmethod
    def test_params(cls) -> dict[str, Any]:
        """A seed: river draws an unseeded KSWIN's sample from the OS, and the checks
        need reproducible clones."""
        return {"seed": 7}

    def __init__(
        self,
        alpha: float = 0.005,
        window_size: int = 100,
        stat_size: int = 30,
        seed: int | None = None,
        window: Iterable[float] | None = None,
    ) -> None:
        self.alpha = check_in_range("alpha", alpha, low=0.0, high=1.0)
        self.window_size = check_int("window_size", window_size, low=2)
        self.stat_size = check_int("stat_size", stat_size, low=1)
        if self.stat_size > self.window_size // 2:
            raise ValueError(
                f"stat_size must be <= window_size // 2 = {self.window_size // 2} (the "
                f"older part of the window supplies the sample), got {self.stat_size}"
            )
        self.seed = None if seed is None else check_int("seed", seed, low=0)
        if window is not None:
            try:
                values = list(window)
            except TypeError:
                raise ValueError(f"window must be a sequence of numbers, got {window!r}") from None
            window = tuple(float(v) for v in check_finite_array("window", values, ndim=1))
        self.window = window
        self._k_crit = _critical_count(self.stat_size, float(self.alpha))
        self._use_pool = _sample_uses_pool(self.window_size - self.stat_size, self.stat_size)
        self._mt_initial = _python_random_state(self.seed)
        self._reset()

    def _reset(self) -> None:
        super()._reset()
        self._buf = np.zeros(self.window_size)
        self._ints = np.zeros(3, dtype=np.int64)
        self._mt = self._mt_initial[:_MT_N].copy()
        self._ints[_MT_POS] = self._mt_initial[_MT_N]
        if self.window:
            kept = np.asarray(self.window[-self.window_size :])
            self._buf[: kept.size] = kept
            self._ints[_LENGTH] = kept.size
        self._aux = np.array([self.stat_size, self._k_crit, self._use_pool, 0.0, 0.0], dtype=float)

    def update(self, x: float) -> bool:
        """Feed one value; return whether it triggered a drift (also in ``drift_detected``).

        The same kernel as :meth:`update_many`, over a one-value view: no allocation.
        """
        try:
            value = float(x)
        except (TypeError, ValueError) as exc:
            raise _not_a_number(self, x) from exc
        if value - value != 0.0:  # 0.0 for every finite float, NaN otherwise
            raise _bad_value(self, value)
        fired = _kswin_step(value, self._buf, self._ints, self._mt, self._mt_initial, self._aux)
        self._drift_detected = drift = fired == 1
        return drift

    def _process(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        out = np.empty(xs.shape[0], dtype=np.int64)
        n = _kswin_kernel(
            xs,
            self._buf,
            self._ints,
            self._mt,
            self._mt_initial,
            self.stat_size,
            self._k_crit,
            self._use_pool,
            out,
        )
        return out[:n].copy(), out[:0], False
