"""RBF kernel sums on unit rows, and MMD²'s sub-quadratic estimators (B-test, linear).

Rows here are already centred and scaled by ``1 / (σ√2)`` (see :class:`~detectors.window.MMD`),
so the kernel is ``k(u, v) = exp(−‖u − v‖²)``. The block (B-test) and linear-time
estimators average independent, identically distributed terms — one unbiased MMD² per
block of rows, or one ``h`` per pair of rows — so their p-value is the normal
approximation with the variance estimated from the terms themselves, in time linear in
the number of rows (for a fixed block size) instead of quadratic.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["augment", "block_terms", "linear_terms", "normal_p_value"]

# kernel values per matrix product (16 MB in float64): bounds the work arrays
_ENTRIES = 1 << 21


def augment(U: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``[2u, −‖u‖², −1]`` and ``[u, 1, ‖u‖²]`` of the unit rows ``U``.

    The product of one left and one right row is ``2u·v − ‖u‖² − ‖v‖² = −‖u − v‖²``,
    so one matrix product gives a whole block of RBF exponents (rows are centred, which
    keeps the cancellation small).

    Examples
    --------
    >>> import numpy as np
    >>> left, right = augment(np.array([[0.0, 1.0], [2.0, 1.0]]))
    >>> left @ right.T  # −‖u − v‖² for every pair
    array([[ 0., -4.],
           [-4.,  0.]])
    """
    sq = np.einsum("ij,ij->i", U, U)[:, None]
    ones = np.ones_like(sq)
    return np.hstack([2.0 * U, -sq, -ones]), np.hstack([U, ones, sq])


def _stacked_sums(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """``Σ_ij exp(left[b, i] · right[b, j])`` for each block ``b`` of the stacks
    ``left`` (k, a, d + 2) and ``right`` (k, c, d + 2), in products of at most
    ``_ENTRIES`` kernel values (several small blocks per product, or row slices of
    a large one)."""
    k, a, _ = left.shape
    c = right.shape[1]
    rows = max(1, min(a, _ENTRIES // c))
    per = max(1, _ENTRIES // (rows * c))
    right_t = right.transpose(0, 2, 1)
    sums = np.zeros(k)
    for b in range(0, k, per):
        for r in range(0, a, rows):
            E = np.matmul(left[b : b + per, r : r + rows], right_t[b : b + per])
            np.exp(E, out=E)
            sums[b : b + per] += E.sum(axis=(1, 2))
    return sums


def _stacks(U: np.ndarray, k: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``k · size`` rows of ``U`` augmented and cut into ``k`` blocks of ``size``."""
    left, right = augment(U[: k * size])
    return left.reshape(k, size, -1), right.reshape(k, size, -1)


def block_self_sums(U: np.ndarray, k: int) -> np.ndarray:
    """Σ k(u, v) over ordered pairs of distinct rows within each of the ``k`` blocks of
    ``⌊len(U) / k⌋`` consecutive rows of ``U`` (the diagonal, k(u, u) = 1, left out).

    Examples
    --------
    >>> import numpy as np
    >>> block_self_sums(np.zeros((5, 2)), 2)  # two blocks of 2 equal rows; row 5 unused
    array([2., 2.])
    """
    size = len(U) // k
    left, right = _stacks(U, k, size)
    return _stacked_sums(left, right) - size


def block_terms(
    U: np.ndarray, V: np.ndarray, block_size: int, ref_self: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Unbiased MMD² of each block (the B-test's terms), rows taken in their given order.

    The window ``V`` is cut into ``k = ⌊m / B⌋`` blocks of ``B = block_size``
    consecutive rows and the reference ``U`` into ``k`` blocks of ``r = ⌊n / k⌋``
    rows; block ``i`` is the unbiased MMD² (Gretton et al. 2012) between the ``i``-th
    reference and window blocks. Rows left over (fewer than ``k`` of the reference,
    fewer than ``B`` of the window) are not used.

    Parameters
    ----------
    U, V
        Unit rows of the reference (n, d) and the window (m, d); ``r >= 2``, ``B >= 2``.
    block_size
        Window rows per block.
    ref_self
        :func:`block_self_sums` of ``U`` for the same ``k``, if already known (it does
        not depend on the window).

    Returns
    -------
    (terms, ref_self)
        The ``k`` block statistics and the reference's block sums (to reuse).

    Examples
    --------
    >>> import numpy as np
    >>> U = np.array([[0.0], [0.1], [1.0], [1.1]])
    >>> terms, _ = block_terms(U, U + 0.5, 2)  # 2 blocks of 2 rows on each side
    >>> terms.round(4)
    array([0.4264, 0.4264])
    """
    n, m = len(U), len(V)
    k = m // block_size
    r = n // k
    if ref_self is None:
        ref_self = block_self_sums(U, k)
    win_self = block_self_sums(V[: k * block_size], k)
    left, _ = _stacks(U, k, r)
    _, right = _stacks(V, k, block_size)
    cross = _stacked_sums(left, right)
    b = block_size
    terms = ref_self / (r * (r - 1)) + win_self / (b * (b - 1)) - 2.0 * cross / (r * b)
    return terms, ref_self


def linear_terms(U: np.ndarray, V: np.ndarray) -> np.ndarray:
    """Gretton et al.'s (2012) linear-time terms ``h_i`` over consecutive pairs of rows.

    With ``p = ⌊min(n, m) / 2⌋`` pairs, ``x = U[2i], x' = U[2i + 1]``,
    ``y = V[2i], y' = V[2i + 1]``:
    ``h_i = k(x, x') + k(y, y') − k(x, y') − k(x', y)``; their mean is MMD²_l.

    Examples
    --------
    >>> import numpy as np
    >>> U = np.array([[0.0], [0.1], [1.0], [1.1]])
    >>> linear_terms(U, U).round(4)  # equal samples: cross terms cancel the rest
    array([0., 0.])
    """
    p = min(len(U), len(V)) // 2
    x, x2 = U[0 : 2 * p : 2], U[1 : 2 * p : 2]
    y, y2 = V[0 : 2 * p : 2], V[1 : 2 * p : 2]

    def k(A: np.ndarray, B: np.ndarray) -> np.ndarray:
        D = A - B
        return np.exp(-np.einsum("ij,ij->i", D, D))

    return k(x, x2) + k(y, y2) - k(x, y2) - k(x2, y)


def normal_p_value(terms: np.ndarray) -> tuple[float, float]:
    """Mean of i.i.d. ``terms`` and the one-sided normal p-value of ``mean > 0``.

    ``z = mean / (s / √t)`` with ``s`` the terms' sample standard deviation (``t − 1``
    degrees of freedom) and ``p = P(Z ≥ z)``. If all terms are equal (``s = 0``),
    ``p`` is 0 for a positive mean and 1 otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> mean, p = normal_p_value(np.array([0.1, 0.3, 0.2, 0.4]))
    >>> round(mean, 3), round(p, 6)  # z = 0.25 / (0.129 / 2) = 3.87
    (0.25, 5.4e-05)
    """
    mean = float(terms.mean())
    sd = float(terms.std(ddof=1))
    if sd == 0.0:
        return mean, 0.0 if mean > 0.0 else 1.0
    z = mean / (sd / math.sqrt(terms.size))
    return mean, 0.5 * math.erfc(z / math.sqrt(2.0))
