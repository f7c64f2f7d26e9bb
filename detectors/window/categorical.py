"""Chi-squared test of homogeneity for categorical features."""

from __future__ import annotations

from collections.abc import Sequence

import numba
import numpy as np
from scipy import stats

from detectors.tags import Sensitivity, log_grid
from detectors.window.base import UnivariateWindowTest

__all__ = ["ChiSquared", "category_counts"]


@numba.njit(cache=True, nogil=True)
def _count_known(W, values, offsets, win_counts, unseen):
    # win_counts[k] += 1 for each window value equal to reference category k of its
    # feature (binary search among the feature's sorted categories); unseen[i, j] marks
    # the values no reference row has. One pass over the window.
    for i in range(W.shape[0]):
        for j in range(W.shape[1]):
            v = W[i, j]
            lo, end = offsets[j], offsets[j + 1]
            hi = end
            while lo < hi:
                mid = (lo + hi) >> 1
                if values[mid] < v:
                    lo = mid + 1
                else:
                    hi = mid
            if lo < end and values[lo] == v:
                win_counts[lo] += 1
            else:
                unseen[i, j] = True


class _ReferenceCategories:
    """The reference's categories and counts per feature, kept so that counting a
    window costs one pass over it."""

    def __init__(self, X: np.ndarray) -> None:
        uniques = [np.unique(X[:, j], return_counts=True) for j in range(X.shape[1])]
        sizes = np.array([u.size for u, _ in uniques])
        self.values = np.concatenate([u for u, _ in uniques])
        self.counts = np.concatenate([c for _, c in uniques]).astype(np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.feature_of = np.repeat(np.arange(X.shape[1]), sizes)
        self.n_categories = sizes

    def with_window(
        self, W: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(ref_counts, win_counts, feature_of, n_categories)``, as :func:`category_counts`."""
        win = np.zeros(self.values.size, dtype=np.int64)
        unseen = np.zeros(W.shape, dtype=bool)
        _count_known(W, self.values, self.offsets, win, unseen)
        if not unseen.any():
            return self.counts, win, self.feature_of, self.n_categories
        # categories only the window has: reference count 0, merged in value order
        new = [(j, *np.unique(W[unseen[:, j], j], return_counts=True))
               for j in np.flatnonzero(unseen.any(axis=0))]
        values = np.concatenate([self.values, *(u for _, u, _ in new)])
        feature_of = np.concatenate(
            [self.feature_of, *(np.full(u.size, j) for j, u, _ in new)]
        )
        ref = np.concatenate([self.counts, np.zeros(values.size - self.values.size, np.int64)])
        win = np.concatenate([win, *(c for _, _, c in new)])
        order = np.lexsort((values, feature_of))
        n_categories = np.bincount(feature_of, minlength=W.shape[1])
        return ref[order], win[order], feature_of[order], n_categories


def category_counts(
    X: np.ndarray, W: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Counts of every category seen in either sample, all features at once.

    Returns
    -------
    (ref_counts, win_counts, feature_of, n_categories)
        ``ref_counts[k]`` and ``win_counts[k]`` count category ``k`` (categories of
        feature 0 first, then feature 1, …, each feature's in increasing order);
        ``feature_of[k]`` is its feature; ``n_categories[f]`` how many categories
        feature ``f`` has.

    Examples
    --------
    >>> import numpy as np
    >>> r, w, f, k = category_counts(np.array([[0.0], [0.0], [1.0]]), np.array([[1.0], [2.0]]))
    >>> r, w, f, k
    (array([2, 1, 0]), array([0, 1, 1]), array([0, 0, 0]), array([3]))
    """
    return _ReferenceCategories(X).with_window(W)


class ChiSquared(UnivariateWindowTest):
    """Chi-squared test of homogeneity per categorical feature.

    For each feature, the counts of each category in the reference and the window
    form a 2 × K contingency table (K = categories seen in either sample); the test
    asks whether both rows come from the same distribution. Statistic, degrees of
    freedom (K − 1) and p-value equal ``scipy.stats.chi2_contingency`` on that table,
    including Yates' continuity correction when K = 2 (scipy's default; turn it off
    with ``yates=False``). All features are counted in one vectorised pass.

    Each distinct value is a category, so use it on integer codes (as
    ``simulator.datasets`` stores categorical features) or on numeric features
    with few values.

    Parameters
    ----------
    alpha, correction, share, feature_names
        As for :class:`~detectors.window.univariate.KS`.
    yates
        Apply Yates' continuity correction to 2 × 2 tables.

    Notes
    -----
    A feature with a single category in both samples has statistic 0 and p-value 1
    (zero degrees of freedom), as in scipy. The chi-squared approximation needs
    expected counts of about 5 or more per cell; with rare categories, prefer
    larger windows.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(11)
    >>> chi = ChiSquared().fit(rng.choice(3, size=500, p=[0.5, 0.3, 0.2]))
    >>> result = chi.test(rng.choice(3, size=300, p=[0.3, 0.3, 0.4]))
    >>> result.drift, round(result.statistic, 2), result.p_value < 1e-6
    (True, 38.82, True)
    """

    # what the class is: see detectors.tags
    sensitivity = Sensitivity("alpha", "increasing", log_grid(1e-6, 0.2))
    calibration = None
    is_baseline = False
    signal = "features"

    def __init__(
        self,
        alpha: float = 0.05,
        correction: str = "bonferroni",
        share: float = 0.5,
        yates: bool = True,
        feature_names: Sequence[str] | None = None,
    ) -> None:
        self._init_p_value(alpha, correction, share)
        if not isinstance(yates, (bool, np.bool_)):
            raise ValueError(f"yates must be True or False, got {yates!r}")
        self.yates = yates
        self.feature_names = feature_names

    def _fit(self, X: np.ndarray) -> None:
        # the reference's categories and counts, once: a test counts the window only
        self._categories = _ReferenceCategories(X)
        self._n_reference = X.shape[0]

    def _per_feature(self, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n, m = self._n_reference, W.shape[0]
        big_n = n + m
        ref, win, feature_of, n_cat = self._categories.with_window(W)
        cat_total = ref + win
        exp_ref = n * cat_total / big_n
        exp_win = m * cat_total / big_n
        obs_ref = ref.astype(np.float64)
        obs_win = win.astype(np.float64)
        dof = n_cat - 1
        if self.yates:
            # scipy moves each observed count half a unit towards its expectation
            # (never past it) when the table has one degree of freedom
            two = (dof == 1)[feature_of]
            for obs, exp in ((obs_ref, exp_ref), (obs_win, exp_win)):
                diff = exp - obs
                obs += two * np.sign(diff) * np.minimum(0.5, np.abs(diff))
        cells = (obs_ref - exp_ref) ** 2 / exp_ref + (obs_win - exp_win) ** 2 / exp_win
        d = n_cat.shape[0]
        stat = np.bincount(feature_of, weights=cells, minlength=d)
        p = np.ones(d)
        some = dof > 0
        p[some] = stats.chi2.sf(stat[some], dof[some])
        stat[~some] = 0.0
        return stat, p
