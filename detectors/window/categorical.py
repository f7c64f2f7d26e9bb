"""Chi-squared test of homogeneity for categorical features."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

from detectors.tags import Sensitivity, log_grid
from detectors.window.base import UnivariateWindowTest

__all__ = ["ChiSquared", "category_counts"]


def category_counts(
    X: np.ndarray, W: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Counts of every category seen in either sample, all features at once.

    The pooled columns are sorted once; each run of equal values is one category.

    Returns
    -------
    (ref_counts, win_counts, feature_of, n_categories)
        ``ref_counts[k]`` and ``win_counts[k]`` count category ``k`` (categories of
        feature 0 first, then feature 1, …); ``feature_of[k]`` is its feature;
        ``n_categories[f]`` how many categories feature ``f`` has.

    Examples
    --------
    >>> import numpy as np
    >>> r, w, f, k = category_counts(np.array([[0.0], [0.0], [1.0]]), np.array([[1.0], [2.0]]))
    >>> r, w, f, k
    (array([2, 1, 0]), array([0, 1, 1]), array([0, 0, 0]), array([3]))
    """
    n, d = X.shape
    big_n = n + W.shape[0]
    # one contiguous row per feature: sorting along rows is several times faster, and
    # the order among equal values does not matter for counting (no stable sort)
    pooled = np.concatenate([X, W], axis=0).T.copy()
    order = np.argsort(pooled, axis=1)
    values = np.take_along_axis(pooled, order, axis=1)
    # each category is a run of equal sorted values; read its counts at the run's end
    ends = np.empty(values.shape, dtype=bool)
    ends[:, :-1] = values[:, 1:] != values[:, :-1]
    ends[:, -1] = True
    flat_end = np.flatnonzero(ends)
    feature_of = flat_end // big_n
    position = flat_end - feature_of * big_n
    first = np.ones(flat_end.size, dtype=bool)
    first[1:] = feature_of[1:] != feature_of[:-1]
    seen_in_window = np.cumsum(order >= n, axis=1).ravel()[flat_end]
    total_counts = position - np.where(first, -1, np.roll(position, 1))
    win_counts = seen_in_window - np.where(first, 0, np.roll(seen_in_window, 1))
    ref_counts = total_counts - win_counts
    n_categories = np.bincount(feature_of, minlength=d)
    return ref_counts, win_counts, feature_of, n_categories


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
        self._reference = X.copy()

    def _per_feature(self, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        X = self._reference
        n, m = X.shape[0], W.shape[0]
        big_n = n + m
        ref, win, feature_of, n_cat = category_counts(X, W)
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
