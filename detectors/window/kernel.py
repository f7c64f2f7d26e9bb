"""Multivariate two-sample tests on pairwise similarities: MMD and energy distance.

Both compare whole rows, so they see changes in the joint distribution (e.g. a
correlation flip) that per-feature tests miss, and both have no per-feature result
(``TestResult.per_feature`` is ``None``).

Their p-values come from a permutation test on the pooled sample: the statistic is
a quadratic form ``aᵀMa`` in the window-membership indicator ``a`` of a fixed pooled
matrix ``M`` (kernel values or distances), so all permutations are evaluated with
one matrix product. The p-value ``(1 + #{permuted >= observed}) / (1 + P)`` is
valid at any number of permutations P: its false-alarm rate is at most
``alpha`` — exactly ``(⌈alpha·(P+1)⌉ − 1) / (P+1)``, 0.0498 for the default P = 200.
Cost grows as ``(n + m)²`` (memory does not: the kernel matrix is computed in blocks of
2,048 rows, spread over as many threads as BLAS may use). For large windows MMD also
offers linear-time estimators, ``estimator="block"`` (the B-test) and ``"linear"``, with
a normal p-value instead of permutations (:mod:`detectors.window._mmd_estimators`).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numba
import numpy as np
from scipy.spatial.distance import cdist
from threadpoolctl import ThreadpoolController

from detectors.tags import Sensitivity, log_grid
from detectors.window._ecdf import cdf_integrals, sorted_rows
from detectors.window._mmd_estimators import (
    augment,
    block_terms,
    linear_terms,
    normal_p_value,
)
from detectors.window.base import BaseWindowTest
from detectors.window.results import TestResult
from driftsim.validation import check_choice, check_in_range, check_int

__all__ = ["ESTIMATORS", "MMD", "Energy", "permutation_p_value"]

T = TypeVar("T")

_MIN_SCALE = 1e-3
# rows of the reference used for the median heuristic (seeded subsample beyond it)
_MAX_BANDWIDTH_ROWS = 2000
# permutations per matrix product: bounds the (n + m) × chunk work arrays
_CHUNK = 256


# reassociation lets the sums vectorise; it changes only the order of additions
_FAST = {"reassoc", "nsz", "contract"}


@numba.njit(cache=True, nogil=True, fastmath=_FAST)
def _sum_distances(A, BT):
    # Σ_ij ‖a_i − b_j‖ without materialising the (n, m) matrix; BT is B transposed,
    # (d, m), so the innermost loop runs along contiguous memory
    m = BT.shape[1]
    sq = np.empty(m)
    total = 0.0
    for i in range(A.shape[0]):
        sq[:] = 0.0
        for k in range(A.shape[1]):
            a = A[i, k]
            for j in range(m):
                diff = a - BT[k, j]
                sq[j] += diff * diff
        row = 0.0
        for j in range(m):
            row += math.sqrt(sq[j])
        total += row
    return total


@numba.njit(cache=True, nogil=True, fastmath=_FAST)
def _sum_distances_within(AT):
    # Σ_ij ‖a_i − a_j‖ over all ordered pairs, from the pairs i < j; AT is (d, n)
    n = AT.shape[1]
    sq = np.empty(n)
    total = 0.0
    for i in range(n - 1):
        sq[i + 1 :] = 0.0
        for k in range(AT.shape[0]):
            a = AT[k, i]
            for j in range(i + 1, n):
                diff = a - AT[k, j]
                sq[j] += diff * diff
        row = 0.0
        for j in range(i + 1, n):
            row += math.sqrt(sq[j])
        total += row
    return 2.0 * total


def permutation_p_value(
    M: np.ndarray,
    m: int,
    statistic: Callable[[np.ndarray, np.ndarray], np.ndarray],
    n_permutations: int,
    rng: np.random.Generator,
) -> tuple[float, float]:
    """Observed statistic and permutation p-value of a quadratic-form two-sample statistic.

    Parameters
    ----------
    M
        Symmetric (N, N) pooled matrix; the reference is rows ``0..N−m−1``, the
        window the last ``m``.
    m
        Window size.
    statistic
        ``statistic(q, s)`` → array of statistics, where for a window indicator
        ``a``, ``q = aᵀMa`` and ``s = aᵀM1`` (vectorised over permutations).
    n_permutations
        Random relabellings P.
    rng
        Source of the permutations.

    Returns
    -------
    (observed, p_value)

    Examples
    --------
    >>> import numpy as np
    >>> M = np.abs(np.subtract.outer(np.arange(6.0), np.arange(6.0)))
    >>> stat = lambda q, s: s - q  # sum of reference-window distances
    >>> obs, p = permutation_p_value(M, 3, stat, 99, np.random.default_rng(0))
    >>> obs, p  # the split {0,1,2} | {3,4,5} is the most extreme of all
    (27.0, 0.1)
    """
    big_n = M.shape[0]
    row_sums = M.sum(axis=1)
    a = np.zeros(big_n)
    a[big_n - m :] = 1.0
    observed = float(statistic(np.array([a @ M @ a]), np.array([a @ row_sums]))[0])
    # permuted statistics are computed along another path (a matrix product), so a
    # relabelling that ties with the observed one may differ from it by rounding;
    # count it as a tie (scipy's permutation_test does the same)
    tol = 1e-10 * float(np.abs(M).mean())
    exceed = 0
    done = 0
    while done < n_permutations:
        size = min(_CHUNK, n_permutations - done)
        labels = np.tile(a, (size, 1))
        A = rng.permuted(labels, axis=1).T  # (N, size)
        q = np.einsum("ij,ij->j", A, M @ A)
        s = row_sums @ A
        exceed += int(np.count_nonzero(statistic(q, s) >= observed - tol))
        done += size
    return observed, (1.0 + exceed) / (1.0 + n_permutations)


# rows per block of the kernel matrix: a block of _BLOCK x _BLOCK values is 32 MB in
# float64, and the whole (n + m)² matrix is never held
_BLOCK = 2048


def _blocks(n: int, m: int) -> list[slice]:
    """Row blocks of the pooled sample that never straddle reference and window."""
    return [slice(i, min(i + _BLOCK, n)) for i in range(0, n, _BLOCK)] + [
        slice(i, min(i + _BLOCK, n + m)) for i in range(n, n + m, _BLOCK)
    ]


class _Scratch:
    """Work arrays reused by every block of one pass: fresh 16-32 MB arrays per block
    cost page faults comparable to the arithmetic."""

    def __init__(self, size: int, width: int) -> None:
        self._f64 = np.empty(size * size)
        self._f32 = np.empty(size * size, dtype=np.float32)
        self._out = np.empty(size * width, dtype=np.float32)
        self.width = width

    def f64(self, r: int, c: int) -> np.ndarray:
        return self._f64[: r * c].reshape(r, c)

    def f32(self, r: int, c: int) -> np.ndarray:
        return self._f32[: r * c].reshape(r, c)

    def out(self, r: int) -> np.ndarray:
        return self._out[: r * self.width].reshape(r, self.width)


def _rbf_into(left: np.ndarray, right_t: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``exp(−‖u − v‖²)`` for rows of :func:`augment`'s halves (right transposed), in ``out``."""
    np.matmul(left, right_t, out=out)
    np.exp(out, out=out)
    return out


_CONTROLLER: list[ThreadpoolController] = []
_LIMIT_LOCK = threading.Lock()
# at most this many block workers (each holds ~50 MB of work arrays)
_MAX_WORKERS = 8


def _blas_controller() -> ThreadpoolController:
    """One controller per process: building one scans the loaded libraries (~10 ms)."""
    if not _CONTROLLER:
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0]


def _map_blocks(
    fn: Callable[[tuple[slice, slice], _Scratch], T], tasks: list[tuple[slice, slice]],
    size: int, width: int,
) -> list[T]:
    """``[fn(task, scratch) for task in tasks]``, in order, with BLAS single-threaded
    inside, spread over as many threads as BLAS may use (one scratch per thread) when
    there is at least one full block of work. Whole blocks per thread scale better than
    BLAS's own threads inside each product, which wait on each other when the machine
    is busy (a 400-row test took 6-20 times longer with two BLAS threads than with one
    on a loaded 2-core machine). Results come back in task order, so sums over them do
    not depend on the scheduling. The BLAS limit is process-wide: one pass at a time
    sets and restores it (a lock), so that concurrent tests cannot leave it at 1."""
    controller = _blas_controller()
    blas = controller.select(user_api="blas").lib_controllers
    threads = max((lib.num_threads for lib in blas), default=1)
    if threads <= 1:  # already single-threaded (e.g. inside a worker): nothing to set
        scratch = _Scratch(size, width)
        return [fn(task, scratch) for task in tasks]
    work = sum((r.stop - r.start) * (c.stop - c.start) for r, c in tasks)
    # below one full block of work, a thread pool costs more than it saves
    workers = min(len(tasks), _MAX_WORKERS, threads) if work >= _BLOCK * _BLOCK else 1
    with _LIMIT_LOCK, controller.limit(limits=1, user_api="blas"):
        if workers <= 1:
            scratch = _Scratch(size, width)
            return [fn(task, scratch) for task in tasks]
        local = threading.local()

        def run(task: tuple[slice, slice]) -> T:
            if not hasattr(local, "scratch"):
                local.scratch = _Scratch(size, width)
            return fn(task, local.scratch)

        with ThreadPoolExecutor(workers) as pool:
            return list(pool.map(run, tasks))


def _pairs(parts: list[slice]) -> list[tuple[slice, slice]]:
    """The upper triangle of blocks (K is symmetric)."""
    return [(rows, cols) for a, rows in enumerate(parts) for cols in parts[a:]]


def _self_sum(U: np.ndarray) -> float:
    """Σ k(u, v) over ordered pairs of distinct rows (float64): the reference's part."""
    left, right = augment(U)

    def block_sum(pair: tuple[slice, slice], scratch: _Scratch) -> float:
        rows, cols = pair
        out = scratch.f64(rows.stop - rows.start, cols.stop - cols.start)
        block = _rbf_into(left[rows], right[cols].T, out)
        return block.sum() - np.trace(block) if rows == cols else 2.0 * block.sum()

    sums = _map_blocks(block_sum, _pairs(_blocks(len(U), 0)), min(_BLOCK, len(U)), 1)
    return float(sum(sums, 0.0))


def _window_block(
    left: np.ndarray, right: np.ndarray, rows: slice, cols: slice, scratch: _Scratch
) -> tuple[float, np.ndarray, np.ndarray | None, np.ndarray]:
    """A block of K touching the window, in double precision: its share of the statistic
    (distinct pairs on the diagonal, both triangles off it), its row and column sums
    with k(u, u) = 1, and the block in single precision for the label products."""
    r, c = rows.stop - rows.start, cols.stop - cols.start
    E = _rbf_into(left[rows], right[cols].T, scratch.f64(r, c))
    row_sums = E.sum(axis=1)
    if rows == cols:
        diagonal = E.diagonal().copy()
        share = float(row_sums.sum() - diagonal.sum())
        row_sums += 1.0 - diagonal
        np.fill_diagonal(E, 1.0)
        col_sums = None
    else:
        share = float(row_sums.sum())
        col_sums = E.sum(axis=0)
    K = scratch.f32(r, c)
    np.copyto(K, E, casting="same_kind")
    return share, row_sums, col_sums, K


def _reference_block(
    left32: np.ndarray, right32: np.ndarray, rows: slice, cols: slice, scratch: _Scratch
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """A reference x reference block, in single precision only (it enters the
    permutation sums, never the statistic): row and column sums, and the block."""
    K = _rbf_into(
        left32[rows], right32[cols].T, scratch.f32(rows.stop - rows.start, cols.stop - cols.start)
    )
    if rows == cols:
        np.fill_diagonal(K, 1.0)
        return K.sum(axis=1, dtype=np.float64), None, K
    return K.sum(axis=1, dtype=np.float64), K.sum(axis=0, dtype=np.float64), K


def _window_pass(
    U: np.ndarray,
    V: np.ndarray,
    labels: np.ndarray,
    ref_part: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[float, float, np.ndarray, np.ndarray, float, tuple[np.ndarray, np.ndarray]]:
    """One pass over the pooled kernel matrix K of reference ``U`` and window ``V``.

    Returns ``Σ_ww k`` (distinct pairs) and ``Σ_rw k`` in double precision, for the
    statistic, and for the label columns ``labels`` (N, P), ``aᵀKa``, ``aᵀK1`` and
    ``1ᵀK1`` for the permutation test. Each block of K is computed once, from the upper
    triangle of blocks (K is symmetric), and multiplied by all label columns at once in
    single precision, which halves the cost of the products; the relative error of
    those sums, about 1e-6, is far below the spread of the permuted statistics.

    The reference x reference blocks' share of ``aᵀKa`` and of ``K1`` depends on the
    labels and the reference only; it is returned last, and given back as ``ref_part``
    (for the same labels) it replaces those blocks, a quarter of the work at n = m.
    """
    n, m = len(U), len(V)
    left, right = augment(np.concatenate([U, V], axis=0))
    lab32 = labels.astype(np.float32)
    single = (left[:n].astype(np.float32), right[:n].astype(np.float32))

    def block(pair: tuple[slice, slice], scratch: _Scratch) -> tuple:
        rows, cols = pair
        if cols.start < n:  # reference x reference: single precision only
            share = 0.0
            row_sums, col_sums, K = _reference_block(*single, rows, cols, scratch)
        else:
            share, row_sums, col_sums, K = _window_block(left, right, rows, cols, scratch)
        KL = np.matmul(K, lab32[cols], out=scratch.out(rows.stop - rows.start))
        return share, row_sums, col_sums, np.einsum("ij,ij->j", lab32[rows], KL, dtype=np.float64)

    parts = _blocks(n, m)
    pairs = [(r, c) for r, c in _pairs(parts) if ref_part is None or c.start >= n]
    done = _map_blocks(block, pairs, max(p.stop - p.start for p in parts), labels.shape[1])
    q_rr, rows_rr = ref_part if ref_part is not None else (np.zeros(labels.shape[1]), np.zeros(n))
    q, rows_sum = np.zeros(labels.shape[1]), np.zeros(n + m)
    s_ww = s_rw = 0.0
    for (rows, cols), (share, row_sums, col_sums, q_block) in zip(pairs, done, strict=True):
        # each off-diagonal block stands for itself and its transpose
        weight = 1.0 if rows == cols else 2.0
        if cols.start < n:
            qs, sums = q_rr, rows_rr
        else:
            qs, sums = q, rows_sum
            if rows.start >= n:
                s_ww += weight * share
            else:
                s_rw += share
        qs += weight * q_block
        sums[rows] += row_sums
        if col_sums is not None:
            sums[cols] += col_sums
    q += q_rr
    rows_sum[:n] += rows_rr
    return s_ww, s_rw, q, rows_sum @ labels, float(rows_sum.sum()), (q_rr, rows_rr)


def _permuted_labels(
    big_n: int, m: int, n_permutations: int, rng: np.random.Generator
) -> np.ndarray:
    """(N, 1 + P) window indicators: the observed split, then P random relabellings
    (drawn in chunks of _CHUNK, as :func:`permutation_p_value` draws them)."""
    a = np.zeros(big_n)
    a[big_n - m :] = 1.0
    columns = [a[:, None]]
    done = 0
    while done < n_permutations:
        size = min(_CHUNK, n_permutations - done)
        columns.append(rng.permuted(np.tile(a, (size, 1)), axis=1).T)
        done += size
    return np.concatenate(columns, axis=1)



class _PairwiseTest(BaseWindowTest):
    """Shared parameters and input scaling of MMD and Energy."""

    seed: int | None
    standardize: bool

    def _check_common(self, seed: int | None, standardize: bool) -> None:
        if seed is not None:
            check_int("seed", seed, low=0)
        if not isinstance(standardize, (bool, np.bool_)):
            raise ValueError(f"standardize must be True or False, got {standardize!r}")

    def _fit_scale(self, X: np.ndarray) -> np.ndarray:
        self._scale = np.maximum(X.std(axis=0), _MIN_SCALE) if self.standardize else None
        return self._scaled(X)

    def _scaled(self, X: np.ndarray) -> np.ndarray:
        return X / self._scale if self._scale is not None else X


ESTIMATORS = ("quadratic", "block", "linear")


class MMD(_PairwiseTest):
    """Maximum Mean Discrepancy test with an RBF kernel.

    The kernel is ``k(x, y) = exp(−‖x − y‖² / (2σ²))``. ``σ`` is set at ``fit`` by the
    median heuristic, whatever the estimator: σ² is the median squared distance
    between reference rows (at most 2,000 of them, a seeded subsample beyond), as
    alibi-detect does by default. Keeping σ fixed per reference keeps the permutation
    test exact. If that median is 0 (mostly tied rows), the mean nonzero squared
    distance is used, and 1 if all rows are equal.

    Three estimators of MMD² (``estimator``), each an unbiased estimate that can be
    slightly negative when there is no drift:

    * ``"quadratic"`` (default): the unbiased MMD² over all pairs (Gretton et al.
      2012) with a permutation p-value; time grows as ``(n + m)²·P``.
    * ``"block"``: the B-test (Zaremba, Gretton & Blaschko 2013). The window is cut
      into ``k = ⌊m / B⌋`` blocks of ``B = block_size`` rows and the reference into
      ``k`` blocks of ``⌊n / k⌋`` rows (rows left over are unused); the statistic is
      the mean of the blocks' unbiased MMD², and the p-value the one-sided normal
      approximation with the variance estimated across the blocks. Time grows as
      ``(n + m)·B``; more blocks make the normal approximation better (with tens of
      blocks it is slightly conservative), larger blocks give more power.
    * ``"linear"``: the linear-time MMD²_l (Gretton et al. 2012, Lemma 14), the mean
      of ``h = k(x, x') + k(y, y') − k(x, y') − k(x', y)`` over ``⌊min(n, m) / 2⌋``
      disjoint pairs, with the same normal p-value over the ``h`` terms. Fastest,
      least powerful.

    For ``"block"`` and ``"linear"`` the rows of both samples are taken in a random
    order drawn from ``seed`` at each test (``rng.permutation(n)`` for the reference,
    then ``rng.permutation(m)`` for the window), so that blocks and pairs are
    exchangeable even when the samples are ordered in time.

    Parameters
    ----------
    alpha
        Significance level: drift when the p-value is below it.
    n_permutations
        Permutations for the quadratic estimator's p-value (>= 1). Its resolution is
        ``1 / (P + 1)``. Unused by ``"block"`` and ``"linear"``.
    bandwidth
        σ, to skip the median heuristic.
    standardize
        Divide each feature by its reference standard deviation first (floored at
        1e-3), so that features on large scales do not dominate the distance.
    seed
        Seed of the bandwidth subsample, of the permutations and of the block/pair
        order; every ``test`` starts from it, so a result depends only on the data.
        ``None``: fresh entropy.
    estimator
        ``"quadratic"``, ``"block"`` or ``"linear"`` (see above).
    block_size
        Window rows per block of the ``"block"`` estimator (>= 2, and at most half
        the window so that there are at least 2 blocks); ``None``: ``⌊√m⌋`` (at
        least 2), as Zaremba et al. suggest. Only for ``estimator="block"``.
    feature_names
        Accepted for a uniform interface; MMD has no per-feature result.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(9)
    >>> cov = [[1.0, 0.8], [0.8, 1.0]]
    >>> mmd = MMD(seed=1).fit(rng.multivariate_normal([0, 0], cov, size=300))
    >>> flipped = rng.multivariate_normal([0, 0], [[1.0, -0.8], [-0.8, 1.0]], size=300)
    >>> result = mmd.test(flipped)  # same marginals, correlation flipped
    >>> result.drift, round(result.statistic, 4), round(result.p_value, 4)
    (True, 0.0813, 0.005)

    Larger samples in linear time: the B-test (70 blocks of 70 rows here) sees a small
    shift that the linear-time estimator, with less power, misses:

    >>> X, Y = rng.normal(size=(5000, 3)), rng.normal(0.1, 1.0, size=(5000, 3))
    >>> for estimator in ("block", "linear"):
    ...     r = MMD(estimator=estimator, seed=1).fit(X).test(Y)
    ...     print(estimator, r.drift, round(r.statistic, 4), round(r.p_value, 4))
    block True 0.0041 0.0002
    linear False 0.0048 0.234
    """

    min_samples = 2

    # what the class is: see detectors.tags
    sensitivity = Sensitivity("alpha", "increasing", log_grid(0.005, 0.2))
    calibration = None
    is_baseline = False
    signal = "features"

    def __init__(
        self,
        alpha: float = 0.05,
        n_permutations: int = 200,
        bandwidth: float | None = None,
        standardize: bool = False,
        seed: int | None = 0,
        estimator: str = "quadratic",
        block_size: int | None = None,
        feature_names: list[str] | None = None,
    ) -> None:
        self.alpha = check_in_range("alpha", alpha, low=0.0, high=1.0, low_inclusive=False)
        self.n_permutations = check_int("n_permutations", n_permutations, low=1)
        if bandwidth is not None:
            check_in_range("bandwidth", bandwidth, low=0.0, low_inclusive=False)
        self.bandwidth = bandwidth
        self._check_common(seed, standardize)
        self.standardize = standardize
        self.seed = seed
        self.estimator = check_choice("estimator", estimator, ESTIMATORS)
        if block_size is not None:
            check_int("block_size", block_size, low=2)
            if estimator != "block":
                raise ValueError(
                    f"block_size applies to estimator='block' only; got block_size="
                    f"{block_size!r} with estimator={estimator!r}"
                )
        self.block_size = block_size
        self.feature_names = feature_names

    def _fit(self, X: np.ndarray) -> None:
        if self.estimator != "quadratic" and len(X) < 4:
            raise ValueError(
                f"MMD with estimator={self.estimator!r} needs at least 4 reference rows "
                f"(2 blocks or pairs of 2, to estimate its variance), got {len(X)}"
            )
        Xs = self._fit_scale(X)
        sigma2 = self._median_sigma2(Xs) if self.bandwidth is None else self.bandwidth**2
        self.bandwidth_ = float(np.sqrt(sigma2))
        # rows centred on the reference mean (so the squared distances computed from
        # norms and dot products lose no precision to a far-off origin) and scaled by
        # 1 / (σ√2), so that k(x, y) = exp(−‖u − v‖²)
        self._center = Xs.mean(axis=0)
        self._unit = 1.0 / math.sqrt(2.0 * sigma2)
        self._ref_units = (Xs - self._center) * self._unit
        # the reference's own kernel sum does not depend on the window (quadratic only:
        # the other estimators never look at all pairs)
        self._sum_rr = _self_sum(self._ref_units) if self.estimator == "quadratic" else None
        # with a fixed seed every test draws the same relabellings (or reference order):
        # the reference's share is kept per (window size, permutations), or per blocks
        self._ref_parts: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        self._block_refs: dict[int, np.ndarray] = {}

    def _median_sigma2(self, Xs: np.ndarray) -> float:
        rows = Xs
        if rows.shape[0] > _MAX_BANDWIDTH_ROWS:
            pick = np.random.default_rng(self.seed).choice(
                rows.shape[0], _MAX_BANDWIDTH_ROWS, replace=False
            )
            rows = rows[pick]
        sq = cdist(rows, rows, "sqeuclidean")[np.triu_indices(rows.shape[0], k=1)]
        sigma2 = float(np.median(sq)) if sq.size else 0.0
        if sigma2 == 0.0:
            nonzero = sq[sq > 0.0]
            sigma2 = float(nonzero.mean()) if nonzero.size else 1.0
        return sigma2

    def _test(self, W: np.ndarray) -> TestResult:
        V = (self._scaled(W) - self._center) * self._unit
        if self.estimator == "quadratic":
            stat, p = self._quadratic(V)
        else:
            stat, p = self._normal(V)
        return TestResult(float(stat), p, float(self.alpha), p < self.alpha, None, "MMD", None)

    def _quadratic(self, V: np.ndarray) -> tuple[float, float]:
        U = self._ref_units
        n, m = U.shape[0], V.shape[0]
        rng = np.random.default_rng(self.seed)
        labels = _permuted_labels(n + m, m, self.n_permutations, rng)
        key = (m, self.n_permutations) if self.seed is not None else None
        sum_ww, sum_rw, q, s, total, ref_part = _window_pass(
            U, V, labels, self._ref_parts.get(key)
        )
        if key is not None:
            self._ref_parts[key] = ref_part
        # the reported statistic, in double precision
        stat = self._sum_rr / (n * (n - 1)) + sum_ww / (m * (m - 1)) - 2.0 * sum_rw / (n * m)
        s_ww, s_wr, s_rr = q, s - q, total - 2.0 * s + q
        mmd2 = (s_rr - n) / (n * (n - 1)) + (s_ww - m) / (m * (m - 1)) - 2.0 * s_wr / (n * m)
        # the observed split went through the same single-precision path as the
        # relabellings; within its rounding they tie (counted, as scipy does)
        tol = 1e-5 * total / (n + m) ** 2
        exceed = int(np.count_nonzero(mmd2[1:] >= mmd2[0] - tol))
        return stat, (1.0 + exceed) / (1.0 + self.n_permutations)

    def _normal(self, V: np.ndarray) -> tuple[float, float]:
        U = self._ref_units
        n, m = U.shape[0], V.shape[0]
        block_size = self._checked_block_size(n, m) if self.estimator == "block" else 0
        if self.estimator == "linear" and m < 4:
            raise ValueError(
                f"MMD with estimator='linear' needs at least 4 window rows (2 pairs, to "
                f"estimate its variance), got {m}"
            )
        rng = np.random.default_rng(self.seed)
        U, V = U[rng.permutation(n)], V[rng.permutation(m)]
        if self.estimator == "linear":
            return normal_p_value(linear_terms(U, V))
        # the reference order, hence its blocks' own sums, repeat when the seed is fixed
        key = m // block_size if self.seed is not None else None
        terms, ref_self = block_terms(U, V, block_size, self._block_refs.get(key))
        if key is not None:
            self._block_refs[key] = ref_self
        return normal_p_value(terms)

    def _checked_block_size(self, n: int, m: int) -> int:
        """``block_size`` (or its default) for a window of ``m`` rows, if it leaves at
        least 2 blocks with at least 2 reference rows each."""
        size = max(2, math.isqrt(m)) if self.block_size is None else self.block_size
        if size > m:
            raise ValueError(f"block_size={size} is larger than the window ({m} rows)")
        if m // size < 2:
            raise ValueError(
                f"MMD with estimator='block' needs at least 2 blocks to estimate its "
                f"variance; a window of {m} rows holds 1 block of block_size={size}: use "
                f"block_size <= {m // 2}" + (" or a window of at least 4 rows" if m < 4 else "")
            )
        if n // (m // size) < 2:
            raise ValueError(
                f"the reference ({n} rows) is too small for {m // size} blocks of at "
                f"least 2 rows: use block_size >= {m // (n // 2 + 1) + 1} or a larger reference"
            )
        return size


class Energy(_PairwiseTest):
    """Energy-distance two-sample test (Székely & Rizzo), multivariate.

    The statistic is ``sqrt(2·E‖X − Y‖ − E‖X − X'‖ − E‖Y − Y'‖)`` with Euclidean
    norms and means over all pairs (a V-statistic); for one feature it equals
    ``scipy.stats.energy_distance`` (computed then from the sorted samples in
    O(n log n); several features need all pairwise distances).

    With ``n_permutations > 0`` (default 200) the decision is ``p_value < alpha``
    from a permutation test. With ``n_permutations=0`` there is no p-value and the
    decision is ``statistic > threshold``; the statistic's no-drift level shrinks
    like ``sqrt(1/n + 1/m)``, so such a threshold must be chosen for the window
    size, and ``threshold`` is then required.

    Parameters
    ----------
    alpha
        Significance level of the permutation test.
    n_permutations
        Permutations (0: no p-value, decide by ``threshold``).
    threshold
        Distance above which a window drifts when ``n_permutations=0``.
    standardize
        Divide each feature by its reference standard deviation first (floored at 1e-3).
    seed
        Seed of the permutations (every ``test`` starts from it); ``None``: fresh entropy.
    feature_names
        Accepted for a uniform interface; energy has no per-feature result.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(10)
    >>> energy = Energy(seed=2).fit(rng.normal(size=(300, 3)))
    >>> result = energy.test(rng.normal(0.3, 1.0, size=(200, 3)))
    >>> result.drift, round(result.statistic, 4), round(result.p_value, 4)
    (True, 0.3938, 0.005)
    """

    # what the class is: see detectors.tags
    sensitivity = Sensitivity("alpha", "increasing", log_grid(0.005, 0.2))
    calibration = None
    is_baseline = False
    signal = "features"

    def __init__(
        self,
        alpha: float = 0.05,
        n_permutations: int = 200,
        threshold: float | None = None,
        standardize: bool = False,
        seed: int | None = 0,
        feature_names: list[str] | None = None,
    ) -> None:
        self.alpha = check_in_range("alpha", alpha, low=0.0, high=1.0, low_inclusive=False)
        self.n_permutations = check_int("n_permutations", n_permutations, low=0)
        if threshold is not None:
            check_in_range("threshold", threshold, low=0.0)
        elif self.n_permutations == 0:
            raise ValueError(
                "Energy with n_permutations=0 has no p-value and needs a threshold "
                "on the distance; got threshold=None"
            )
        self.threshold = threshold
        self._check_common(seed, standardize)
        self.standardize = standardize
        self.seed = seed
        self.feature_names = feature_names

    def _fit(self, X: np.ndarray) -> None:
        Xs = self._fit_scale(X)
        self._reference = Xs
        if Xs.shape[1] == 1:
            self._ref_sorted = sorted_rows(Xs)
        else:
            # E‖X − X'‖ depends on the reference alone
            self._ref_mean_dist = _sum_distances_within(np.ascontiguousarray(Xs.T)) / len(Xs) ** 2

    def _statistic(self, W: np.ndarray) -> float:
        X = self._reference
        if X.shape[1] == 1:
            l1, l2 = np.empty(1), np.empty(1)
            cdf_integrals(self._ref_sorted, sorted_rows(W), l1, l2)
            return float(np.sqrt(2.0 * l2[0]))
        n, m = X.shape[0], W.shape[0]
        WT = np.ascontiguousarray(W.T)
        e2 = (
            2.0 * _sum_distances(X, WT) / (n * m)
            - self._ref_mean_dist
            - _sum_distances_within(WT) / m**2
        )
        return float(np.sqrt(max(e2, 0.0)))

    def _test(self, W: np.ndarray) -> TestResult:
        Ws = self._scaled(W)
        stat = self._statistic(Ws)
        if self.n_permutations == 0:
            thr = float(self.threshold)
            return TestResult(stat, None, thr, stat > thr, None, "Energy", None)
        Z = np.concatenate([self._reference, Ws], axis=0)
        n, m = self._reference.shape[0], Ws.shape[0]
        D = cdist(Z, Z)
        total = D.sum()

        def energy2(q: np.ndarray, s: np.ndarray) -> np.ndarray:
            s_ww, s_wr = q, s - q
            s_rr = total - 2.0 * s + q
            return 2.0 * s_wr / (n * m) - s_rr / n**2 - s_ww / m**2

        rng = np.random.default_rng(self.seed)
        _, p = permutation_p_value(D, m, energy2, self.n_permutations, rng)
        return TestResult(stat, p, float(self.alpha), p < self.alpha, None, "Energy", None)
