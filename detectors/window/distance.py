"""Distance-based drift scores per feature: PSI, Wasserstein, Jensen–Shannon, Hellinger.

These report how far the window's distribution is from the reference's, with no
p-value: a feature drifts when its distance exceeds ``threshold``. A distance
threshold does not account for sample size — small windows score high by chance
alone (see :class:`PSI`) — so calibrate thresholds on drift-free data, or use a
p-value test, when windows are small.
"""

from __future__ import annotations

from collections.abc import Sequence

import numba
import numpy as np
from scipy import special

from detectors.tags import Sensitivity, log_grid
from detectors.window._ecdf import cdf_integrals, sorted_rows
from detectors.window.base import UnivariateWindowTest
from driftsim.validation import check_in_range, check_int

__all__ = ["PSI", "Hellinger", "JensenShannon", "Wasserstein", "shared_histograms"]

# Below this reference standard deviation a feature counts as constant; the floor keeps
# normalised distances finite (it is Evidently's)
_MIN_SCALE = 1e-3


@numba.njit(cache=True, nogil=True)
def _bin_counts(X, edges, counts):
    # counts[j, b] += 1 for each value of feature j in bin b, the number of the feature's
    # edges at or below it: one pass over X, no temporaries. For the usual few bins a
    # branch-free count of the edges beats a binary search (no mispredicted branches).
    n_edges = edges.shape[0]
    linear = n_edges <= 64
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            v = X[i, j]
            if linear:
                b = 0
                for k in range(n_edges):
                    b += edges[k, j] <= v
            else:
                b, hi = 0, n_edges
                while b < hi:
                    mid = (b + hi) >> 1
                    if edges[mid, j] <= v:
                        b = mid + 1
                    else:
                        hi = mid
            counts[j, b] += 1


class PSI(UnivariateWindowTest):
    """Population Stability Index per feature, on quantile bins of the reference.

    The reference's quantiles cut each feature into ``bins`` bins holding equal
    shares of the reference (ties can leave some bins empty); a value equal to an
    edge goes to the upper bin, and the outer bins are open-ended. With ``r`` and
    ``w`` the reference's and the window's share of a bin,
    ``PSI = Σ (w − r) · ln(w / r)``. An empty bin would make that infinite, so both
    shares are floored at ``eps`` (default 1e-4, Evidently's value) before the sum;
    shares are not renormalised.

    Rule of thumb: PSI < 0.1 no significant change, 0.1–0.25 moderate change,
    > 0.25 major change. The default ``threshold`` is 0.1; pass ``threshold=0.25``
    to flag only major changes.

    **The trap.** Without any drift, PSI ≈ (1/N + 1/M) · χ²(B − 1) for samples of N
    and M values and B bins. On windows of 100 against a reference of 100 with 10
    bins, the mean is already 0.18 and PSI exceeds 0.1 about 84 % of the time: the
    rule of thumb assumes thousands of values. Scale the threshold with the sample
    sizes, e.g. ``(1/N + 1/M) · chi2.ppf(0.95, B − 1)``, or use a p-value test.

    Parameters
    ----------
    bins
        Number of quantile bins (>= 2).
    threshold
        A feature drifts when its PSI exceeds this.
    eps
        Floor for bin shares, in (0, 1).
    correction
        ``"none"`` (default: drift when any feature drifts) or ``"share"``.
    share
        With ``correction="share"``: drift when at least this share of features drift.
    feature_names
        As for :class:`~detectors.window.univariate.KS`.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(2)
    >>> psi = PSI().fit(rng.normal(size=5000))
    >>> round(psi.test(rng.normal(size=5000)).statistic, 4)
    0.0031
    >>> result = psi.test(rng.normal(0.5, 1.0, size=5000))
    >>> result.drift, round(result.statistic, 3)
    (True, 0.263)
    """

    has_p_value = False

    # what the class is: see detectors.tags
    sensitivity = Sensitivity("threshold", "decreasing", log_grid(0.01, 2.0))
    calibration = None
    is_baseline = False
    signal = "features"

    def __init__(
        self,
        bins: int = 10,
        threshold: float = 0.1,
        eps: float = 1e-4,
        correction: str = "none",
        share: float = 0.5,
        feature_names: Sequence[str] | None = None,
    ) -> None:
        self.bins = check_int("bins", bins, low=2)
        self._init_distance(threshold, correction, share)
        self.eps = check_in_range(
            "eps", eps, low=0.0, high=1.0, low_inclusive=False, high_inclusive=False
        )
        self.feature_names = feature_names

    def _bin_shares(self, X: np.ndarray) -> np.ndarray:
        # bin index = number of edges at or below the value, found by binary search
        counts = np.zeros((X.shape[1], self.bins), dtype=np.int64)
        _bin_counts(X, self._edges, counts)
        return counts / X.shape[0]

    def _fit(self, X: np.ndarray) -> None:
        self._edges = np.quantile(X, np.arange(1, self.bins) / self.bins, axis=0)
        self._ref_shares = np.maximum(self._bin_shares(X), self.eps)

    def _per_feature(self, W: np.ndarray) -> tuple[np.ndarray, None]:
        r = self._ref_shares
        w = np.maximum(self._bin_shares(W), self.eps)
        return ((w - r) * np.log(w / r)).sum(axis=1), None


class Wasserstein(UnivariateWindowTest):
    """1-Wasserstein (earth mover's) distance per feature, optionally normalised.

    The area between the two empirical CDFs, computed for all features in one
    compiled merge of the sorted samples; without normalisation it equals
    ``scipy.stats.wasserstein_distance``. With ``normalize=True`` (the default) it
    is divided by the reference's standard deviation (floored at 1e-3 so constant
    features stay finite), which makes one threshold fit every feature: 0.1 means
    "moved by a tenth of a standard deviation", Evidently's default for large samples.

    Parameters
    ----------
    normalize
        Divide by the reference's standard deviation (ddof=0).
    threshold
        A feature drifts when its distance exceeds this (in standard deviations when
        normalised, in data units otherwise).
    correction, share, feature_names
        As for :class:`PSI`.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(4)
    >>> wd = Wasserstein().fit(rng.normal(10.0, 2.0, size=(2000, 2)))
    >>> result = wd.test(rng.normal([10.0, 10.6], 2.0, size=(2000, 2)))
    >>> result.per_feature.drifted, np.round(result.per_feature.statistic, 3)
    (('x1',), array([0.037, 0.348]))
    """

    has_p_value = False

    # what the class is: see detectors.tags
    sensitivity = Sensitivity("threshold", "decreasing", log_grid(0.01, 2.0))
    calibration = None
    is_baseline = False
    signal = "features"

    def __init__(
        self,
        normalize: bool = True,
        threshold: float = 0.1,
        correction: str = "none",
        share: float = 0.5,
        feature_names: Sequence[str] | None = None,
    ) -> None:
        if not isinstance(normalize, (bool, np.bool_)):
            raise ValueError(f"normalize must be True or False, got {normalize!r}")
        self.normalize = normalize
        self._init_distance(threshold, correction, share)
        self.feature_names = feature_names

    def _fit(self, X: np.ndarray) -> None:
        self._ref_sorted = sorted_rows(X)
        self._scale = np.maximum(X.std(axis=0), _MIN_SCALE) if self.normalize else None

    def _per_feature(self, W: np.ndarray) -> tuple[np.ndarray, None]:
        d = W.shape[1]
        l1, l2 = np.empty(d), np.empty(d)
        cdf_integrals(self._ref_sorted, sorted_rows(W), l1, l2)
        if self._scale is not None:
            l1 /= self._scale
        return l1, None


def shared_histograms(X: np.ndarray, W: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Histograms of both samples on shared equal-width bins, all features at once.

    Per feature, ``bins`` equal-width bins span the pooled range (a zero range is
    widened by 0.5 each side); bin membership follows ``numpy.histogram`` exactly
    (the last bin is closed).

    Returns
    -------
    (ref_counts, win_counts)
        int arrays of shape (d, bins).

    Examples
    --------
    >>> import numpy as np
    >>> r, w = shared_histograms(np.array([[0.0], [1.0], [1.0]]), np.array([[3.0], [4.0]]), 2)
    >>> r, w
    (array([[3, 0]]), array([[0, 2]]))
    """
    d = X.shape[1]
    ref_counts = np.zeros((d, bins), dtype=np.int64)
    win_counts = np.zeros((d, bins), dtype=np.int64)
    _shared_histograms(X, W, ref_counts, win_counts)
    return ref_counts, win_counts


@numba.njit(cache=True, nogil=True)
def _shared_histograms(X, W, ref_counts, win_counts):
    # compiled because numpy reduces a (n, d) array along axis 0 slowly when d is small
    bins = ref_counts.shape[1]
    edges = np.empty(bins + 1)
    for c in range(X.shape[1]):
        lo = min(X[:, c].min(), W[:, c].min())
        hi = max(X[:, c].max(), W[:, c].max())
        if lo == hi:
            lo -= 0.5
            hi += 0.5
        # the edges numpy.linspace(lo, hi, bins + 1) gives, as numpy.histogram uses them
        step = (hi - lo) / bins
        for k in range(bins):
            edges[k] = k * step + lo
        edges[bins] = hi
        _count_into(X[:, c], lo, hi, edges, ref_counts[c])
        _count_into(W[:, c], lo, hi, edges, win_counts[c])


@numba.njit(cache=True, nogil=True)
def _count_into(values, lo, hi, edges, counts):
    # numpy.histogram's rule for equal-width bins: scale and truncate, then correct the
    # floating-point rounding against the exact edges; the last bin is closed
    bins = counts.shape[0]
    width = hi - lo
    for x in values:
        k = int((x - lo) / width * bins)
        if k == bins:
            k -= 1
        if x < edges[k]:
            k -= 1
        elif x >= edges[k + 1] and k != bins - 1:
            k += 1
        counts[k] += 1


class _HistogramDistance(UnivariateWindowTest):
    """Shared parameters of the distances between shared-bin histograms."""

    has_p_value = False

    def __init__(
        self,
        bins: int = 10,
        threshold: float = 0.1,
        correction: str = "none",
        share: float = 0.5,
        feature_names: Sequence[str] | None = None,
    ) -> None:
        self.bins = check_int("bins", bins, low=1)
        self._init_distance(threshold, correction, share)
        self.feature_names = feature_names

    def _fit(self, X: np.ndarray) -> None:
        # bins span the pooled range, so they are drawn per window
        self._reference = X.copy()

    def _shares(self, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r, w = shared_histograms(self._reference, W, self.bins)
        return r / self._reference.shape[0], w / W.shape[0]


class JensenShannon(_HistogramDistance):
    """Jensen–Shannon distance per feature, on shared histogram bins.

    Both samples are binned on ``bins`` equal-width bins over their pooled range
    (:func:`shared_histograms`); the statistic is the square root of the
    Jensen–Shannon divergence of the two histograms, in natural-log units (in
    [0, √ln 2] ≈ [0, 0.83]), equal to ``scipy.spatial.distance.jensenshannon`` on
    them. Empty bins need no floor.

    Parameters
    ----------
    bins
        Number of equal-width bins.
    threshold
        A feature drifts when its distance exceeds this (default 0.1, Evidently's).
    correction, share, feature_names
        As for :class:`PSI`.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(6)
    >>> js = JensenShannon().fit(rng.normal(size=3000))
    >>> result = js.test(rng.normal(0.4, 1.0, size=3000))
    >>> result.drift, round(result.statistic, 3)
    (True, 0.139)
    """

    # what the class is: see detectors.tags
    sensitivity = Sensitivity("threshold", "decreasing", log_grid(0.01, 0.8))
    calibration = None
    is_baseline = False
    signal = "features"

    def _per_feature(self, W: np.ndarray) -> tuple[np.ndarray, None]:
        p, q = self._shares(W)
        mid = (p + q) / 2.0
        js = (special.rel_entr(p, mid).sum(axis=1) + special.rel_entr(q, mid).sum(axis=1)) / 2.0
        return np.sqrt(np.maximum(js, 0.0)), None


class Hellinger(_HistogramDistance):
    """Hellinger distance per feature, on shared histogram bins.

    ``H = sqrt(Σ (√p − √q)² / 2)`` for the two histograms' bin shares ``p`` and ``q``
    (bins as in :class:`JensenShannon`); 0 for identical histograms, 1 for disjoint
    ones.

    Parameters
    ----------
    bins, threshold, correction, share, feature_names
        As for :class:`JensenShannon` (default threshold 0.1, Evidently's).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(8)
    >>> hd = Hellinger().fit(rng.normal(size=3000))
    >>> result = hd.test(rng.normal(0.4, 1.0, size=3000))
    >>> result.drift, round(result.statistic, 3)
    (True, 0.145)
    """

    # what the class is: see detectors.tags
    sensitivity = Sensitivity("threshold", "decreasing", log_grid(0.01, 0.8))
    calibration = None
    is_baseline = False
    signal = "features"

    def _per_feature(self, W: np.ndarray) -> tuple[np.ndarray, None]:
        p, q = self._shares(W)
        return np.sqrt(((np.sqrt(p) - np.sqrt(q)) ** 2).sum(axis=1) / 2.0), None
