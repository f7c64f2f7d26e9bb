"""P-values of the two-sided two-sample Kolmogorov–Smirnov test.

The exact null distribution counts monotone lattice paths from (0, 0) to (m, n)
that leave the band ``|x/m − y/n| < d`` (Hodges 1958): for equal sizes a closed
alternating sum, otherwise a dynamic programme over the band, carried as
probabilities (not counts) so that nothing overflows. These are the computations
behind ``scipy.stats.ks_2samp(method="exact")``, compiled so that all features are
done in one call; large samples use the same asymptotic formula as scipy.
"""

from __future__ import annotations

import functools
import math

import numba
import numpy as np
from scipy import stats

__all__ = ["MAX_EXACT_N", "ks_pvalues"]

# scipy's method="auto" computes exact p-values while both samples have at most this many
MAX_EXACT_N = 10_000


@numba.njit(cache=True, nogil=True)
def _prob_outside_square(n, h):
    # P(D_{n,n} >= h/n) = 2 Σ_k (-1)^(k+1) C(2n, n − kh) / C(2n, n), evaluated from the
    # innermost term outwards (Horner-like) to avoid cancellation
    total = 0.0
    k = n // h
    while k >= 0:
        p1 = 1.0
        for j in range(h):
            p1 = (n - k * h - j) * p1 / (n + k * h + j + 1)
        total = p1 * (1.0 - total)
        k -= 1
    return 2.0 * total


@numba.njit(cache=True, nogil=True)
def _floor_div(a, b):
    # floor division for a possibly negative numerator and a positive divisor
    if a >= 0:
        return a // b
    return -((-a + b - 1) // b)


@numba.njit(cache=True, nogil=True)
def _prob_outside_band(m, n, g, h, prev, cur):
    # P(some point of a random path has |x·ng − y·mg| >= h), x ∈ 0..m, y ∈ 0..n.
    # B(x, y), the probability for paths ending at (x, y), is 1 outside the band and
    # mixes its two predecessors by their numbers of paths inside it:
    # B(x, y) = (x·B(x−1, y) + y·B(x, y−1)) / (x + y).
    # Sweeping anti-diagonals s = x + y (indexed by y) makes the divisor constant and
    # the points of a diagonal independent, so the inner loop has no serial chain.
    if m < n:
        m, n = n, m
    mg = m // g
    ng = n // g
    step = mg + ng
    prev[:] = 1.0
    cur[:] = 1.0
    prev[0] = 0.0
    for s in range(1, m + n + 1):
        # inside: s·ng − h < y·(mg + ng) < s·ng + h, and on the grid
        lo = _floor_div(s * ng - h, step) + 1
        hi = (s * ng + h - 1) // step
        lo = max(lo, 0, s - m)
        hi = min(hi, n, s)
        if lo > hi:
            return 1.0
        sf = float(s)
        first = lo
        if lo == 0:
            cur[0] = (sf * prev[0]) / sf
            first = 1
        for y in range(first, hi + 1):
            yf = float(y)
            cur[y] = ((sf - yf) * prev[y] + yf * prev[y - 1]) / sf
        # the neighbours of the band are outside it: probability 1
        if lo > 0:
            cur[lo - 1] = 1.0
        if hi < n:
            cur[hi + 1] = 1.0
        prev, cur = cur, prev
    return prev[n]


@numba.njit(cache=True, nogil=True)
def _exact_pvalues(h, n1, n2, g, out):
    prev = np.empty(min(n1, n2) + 1)
    cur = np.empty(min(n1, n2) + 1)
    for c in range(h.shape[0]):
        hc = h[c]
        if hc == 0:
            out[c] = 1.0
        elif n1 == n2:
            out[c] = _prob_outside_square(n1, hc)
        else:
            out[c] = _prob_outside_band(n1, n2, g, hc, prev, cur)


@functools.lru_cache(maxsize=65536)
def _asymptotic_pvalue(h: int, n1: int, n2: int) -> float:
    """scipy's asymptotic p-value (``kstwo.sf``) at lattice distance ``h``.

    scipy evaluates it in Python, about 100 µs a value at a few hundred samples, while
    it depends only on three integers: a monitor testing windows of one size against
    one reference meets the same few hundred values of ``h`` again and again.
    """
    lcm = (n1 // math.gcd(n1, n2)) * n2
    m, n = sorted([float(n1), float(n2)], reverse=True)
    return float(stats.kstwo.sf(h / lcm, np.round(m * n / (m + n))))


def ks_pvalues(h: np.ndarray, n1: int, n2: int, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Statistics and two-sided p-values from the lattice distances ``h``.

    Parameters
    ----------
    h
        int64 array: the KS statistic of each feature times ``lcm(n1, n2)``.
    n1, n2
        Sample sizes.
    method
        ``"auto"`` (exact while ``max(n1, n2) <= 10000``), ``"exact"`` or ``"asymp"``,
        as in ``scipy.stats.ks_2samp``.

    Returns
    -------
    (statistic, p_value)
        float64 arrays.
    """
    g = math.gcd(n1, n2)
    lcm = (n1 // g) * n2
    d = h / lcm
    if method == "auto":
        method = "exact" if max(n1, n2) <= MAX_EXACT_N else "asymp"
    p = np.full(h.shape[0], np.nan)
    if method == "exact":
        _exact_pvalues(h, n1, n2, g, p)
    # like scipy, fall back to the asymptotic formula where the exact one failed
    bad = ~((p >= 0.0) & (p <= 1.0))
    for c in np.flatnonzero(bad):
        p[c] = _asymptotic_pvalue(int(h[c]), n1, n2)
    return d, np.clip(p, 0.0, 1.0)
