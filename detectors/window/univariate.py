"""ECDF-based two-sample tests per feature: Kolmogorov–Smirnov, Cramér–von Mises,
Anderson–Darling.

Each test sorts the reference once at ``fit`` and, per window, sorts the window and
runs one compiled merge over all features (:mod:`detectors.window._ecdf`). The
statistics and p-values follow scipy's ``ks_2samp``, ``cramervonmises_2samp`` and
``anderson_ksamp``; where a p-value is computed differently it says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import special, stats

from detectors.tags import Sensitivity, log_grid
from detectors.window._ecdf import ad_a2kn, cvm_u, ks_lattice_distance, sorted_rows
from detectors.window._kolmogorov import ks_pvalues
from detectors.window.base import UnivariateWindowTest
from driftsim.validation import check_choice

__all__ = ["KS", "AndersonDarling", "CramerVonMises"]


def _single_valued(ref_sorted: np.ndarray, win_sorted: np.ndarray) -> np.ndarray:
    """Features whose pooled values are all equal (both samples one and the same constant)."""
    # the rows end in a +inf sentinel: the largest value is the one before it
    lo = np.minimum(ref_sorted[:, 0], win_sorted[:, 0])
    hi = np.maximum(ref_sorted[:, -2], win_sorted[:, -2])
    return lo == hi


class KS(UnivariateWindowTest):
    """Two-sample Kolmogorov–Smirnov test per feature (two-sided).

    The statistic is the largest distance between the two empirical CDFs. It is
    computed for all features in one compiled merge of the sorted samples, as an
    exact integer multiple of ``1/lcm(n, m)``; p-values are exact for samples of at
    most 10,000 (scipy's ``method="auto"``) and use the asymptotic Kolmogorov
    distribution beyond. Statistic and p-value equal ``scipy.stats.ks_2samp``.

    Parameters
    ----------
    alpha
        Significance level: a feature drifts when its (corrected) p-value is below it.
    correction
        How features combine: ``"bonferroni"`` (default), ``"fdr_bh"``, ``"share"``
        or ``"none"`` (see :mod:`detectors.window.corrections`).
    share
        With ``correction="share"``: drift when at least this share of features drift.
    method
        ``"auto"``, ``"exact"`` or ``"asymp"``, as in ``scipy.stats.ks_2samp``.
    feature_names
        Names carried into ``TestResult.per_feature`` (default: the reference's
        DataFrame columns, else ``x0, x1, ...``).

    Notes
    -----
    A feature that is one and the same constant in both samples has statistic 0 and
    p-value 1. With several features, ``statistic`` is the largest per-feature
    statistic and ``p_value`` the smallest corrected p-value.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(7)
    >>> ks = KS().fit(rng.normal(size=(500, 3)))
    >>> window = rng.normal(size=(200, 3))
    >>> window[:, 2] += 0.5
    >>> result = ks.test(window)
    >>> result.drift, result.per_feature.drifted
    (True, ('x2',))
    >>> np.round(result.per_feature.statistic, 3)
    array([0.05 , 0.075, 0.259])
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
        method: str = "auto",
        feature_names: Sequence[str] | None = None,
    ) -> None:
        self._init_p_value(alpha, correction, share)
        self.method = check_choice("method", method, ("auto", "exact", "asymp"))
        self.feature_names = feature_names

    def _fit(self, X: np.ndarray) -> None:
        self._ref_sorted = sorted_rows(X)

    def _per_feature(self, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ref = self._ref_sorted
        n1, n2 = ref.shape[1] - 1, W.shape[0]
        g = math.gcd(n1, n2)
        lcm = (n1 // g) * n2
        h = np.empty(ref.shape[0], dtype=np.int64)
        ks_lattice_distance(ref, sorted_rows(W), lcm // n1, lcm // n2, h)
        return ks_pvalues(h, n1, n2, self.method)


def _cdf_cvm_inf(x: np.ndarray) -> np.ndarray:
    # Limiting CDF of the Cramér–von Mises statistic (Csörgő & Faraway 1996, eq. 1.2);
    # the series is summed term by term until a term drops below 1e-7, as scipy does
    tot = np.zeros_like(x)
    todo = np.ones(x.shape, dtype=bool)
    k = 0
    while todo.any():
        xs = x[todo]
        u = math.exp(special.gammaln(k + 0.5) - special.gammaln(k + 1)) / (np.pi**1.5 * np.sqrt(xs))
        y = 4 * k + 1
        q = y**2 / (16 * xs)
        z = u * math.sqrt(y) * np.exp(-q) * special.kv(0.25, q)
        tot[todo] += z
        todo[todo] = np.abs(z) >= 1e-7
        k += 1
    return tot


def _cvm_pvalue_asymptotic(t: np.ndarray, nx: int, ny: int) -> np.ndarray:
    # Anderson (1962): standardise T by its exact mean and variance, then use the
    # limiting one-sample distribution
    big_n, k = nx + ny, nx * ny
    et = (1 + 1 / big_n) / 6
    vt = (big_n + 1) * (4 * k * big_n - 3 * (nx**2 + ny**2) - 2 * k)
    vt = vt / (45 * big_n**2 * 4 * k)
    tn = 1 / 6 + (t - et) / math.sqrt(45 * vt)
    p = np.ones_like(tn)
    # below 0.003 the limiting CDF is under 1.3e-18: the p-value is 1
    far = tn >= 0.003
    p[far] = np.clip(1.0 - _cdf_cvm_inf(tn[far]), 0.0, None)
    return p


class CramerVonMises(UnivariateWindowTest):
    """Two-sample Cramér–von Mises test per feature.

    The statistic ``T`` integrates the squared difference of the two ECDFs over the
    pooled sample (midranks for ties). It equals
    ``scipy.stats.cramervonmises_2samp``; so does the p-value: exact when both
    samples have at most 20 values (``method="auto"``), otherwise the asymptotic
    distribution, computed here for all features at once. The exact p-value comes
    from scipy's routine, called once per feature; it costs 20 ms to 1 s per
    feature depending on ``lcm(n, m)`` (20 vs 20: 60 ms, 19 vs 20: 0.7 s), so pass
    ``method="asymptotic"`` when tiny samples must be fast.

    Parameters
    ----------
    alpha, correction, share, feature_names
        As for :class:`KS`.
    method
        ``"auto"``, ``"exact"`` or ``"asymptotic"``, as in scipy.

    Notes
    -----
    Needs at least 2 samples in the reference and in each window. A feature that is
    one and the same constant in both samples gets statistic 0 and p-value 1 (scipy
    returns a positive ``T`` there, an artefact of the midrank formula).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(3)
    >>> cvm = CramerVonMises().fit(rng.normal(size=400))
    >>> result = cvm.test(rng.normal(0.0, 1.6, size=300))
    >>> result.drift, round(result.statistic, 3), round(result.p_value, 4)
    (True, 1.398, 0.0003)
    """

    min_samples = 2

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
        method: str = "auto",
        feature_names: Sequence[str] | None = None,
    ) -> None:
        self._init_p_value(alpha, correction, share)
        self.method = check_choice("method", method, ("auto", "exact", "asymptotic"))
        self.feature_names = feature_names

    def _fit(self, X: np.ndarray) -> None:
        self._ref_sorted = sorted_rows(X)

    def _per_feature(self, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ref = self._ref_sorted
        win = sorted_rows(W)
        nx, ny = ref.shape[1] - 1, win.shape[1] - 1
        u = np.empty(ref.shape[0])
        cvm_u(ref, win, u)
        k, big_n = nx * ny, nx + ny
        t = u / (k * big_n) - (4 * k - 1) / (6 * big_n)
        method = self.method
        if method == "auto":
            method = "exact" if max(nx, ny) <= 20 else "asymptotic"
        if method == "exact":
            p = np.array(
                [
                    stats.cramervonmises_2samp(ref[c, :-1], win[c, :-1], method="exact").pvalue
                    for c in range(ref.shape[0])
                ],
                dtype=np.float64,
            )
        else:
            p = _cvm_pvalue_asymptotic(t, nx, ny)
        flat = _single_valued(ref, win)
        t[flat] = 0.0
        p[flat] = 1.0
        return t, p


# Interpolation table of Scholz & Stephens (1987, Table 2) for k = 2 samples (m = k − 1
# = 1): critical values of the standardised statistic at these significance levels
_AD_SIG = np.array([0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001])
_AD_CRITICAL = (
    np.array([0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085])
    + np.array([-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615]) / math.sqrt(1)
    + np.array([-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154]) / 1
)
_AD_FIT = np.polyfit(_AD_CRITICAL, np.log(_AD_SIG), 2)


def _ad_sigma(n1: int, n2: int) -> float:
    # standard deviation of A²kN under the null (Scholz & Stephens 1987, eq. 4), k = 2
    k = 2
    n = np.array([n1, n2])
    big_n = n1 + n2
    h_sum = (1.0 / n).sum()
    hs_cs = (1.0 / np.arange(big_n - 1, 1, -1)).cumsum()
    h = hs_cs[-1] + 1
    g = (hs_cs / np.arange(2, big_n)).sum()
    a = (4 * g - 6) * (k - 1) + (10 - 6 * g) * h_sum
    b = (2 * g - 4) * k**2 + 8 * h * k + (2 * g - 14 * h - 4) * h_sum - 8 * h + 4 * g - 6
    c = (6 * h + 2 * g - 2) * k**2 + (4 * h - 4 * g + 6) * k + (2 * h - 6) * h_sum + 4 * h
    d = (2 * h + 6) * k**2 - 4 * h * k
    var = (a * big_n**3 + b * big_n**2 + c * big_n + d) / (
        (big_n - 1.0) * (big_n - 2.0) * (big_n - 3.0)
    )
    return math.sqrt(var)


class AndersonDarling(UnivariateWindowTest):
    """Two-sample (k-sample, k = 2) Anderson–Darling test per feature.

    Like Cramér–von Mises, but weights the squared ECDF difference by
    ``1 / (F(1 − F))``, so it is more sensitive in the tails. The statistic is the
    standardised midrank ``A²akN`` of Scholz & Stephens (1987), equal to
    ``scipy.stats.anderson_ksamp(..., variant="midrank").statistic``.

    The p-value follows scipy's semantics: it is interpolated (quadratic in the
    log-significance) from the Scholz–Stephens table of critical values and
    **capped to [0.001, 0.25]** — a statistic below the 25% critical value reports
    0.25, one above the 0.1% critical value reports 0.001. Decisions at the usual
    levels (0.01–0.1) are unaffected; scipy also warns at the caps, this class does
    not.

    Parameters
    ----------
    alpha, correction, share, feature_names
        As for :class:`KS`.

    Notes
    -----
    Needs at least 2 samples in the reference and in each window. A feature with a
    single distinct pooled value (scipy raises there) gets ``A²akN = 0``, i.e. a
    standardised statistic of ``−1/σ``, and p-value 1.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(5)
    >>> ad = AndersonDarling().fit(rng.normal(size=400))
    >>> result = ad.test(rng.standard_t(2, size=400))
    >>> result.drift, round(result.statistic, 3), result.p_value  # p at scipy's floor
    (True, 11.617, 0.001)
    """

    min_samples = 2

    # what the class is: see detectors.tags
    sensitivity = Sensitivity("alpha", "increasing", log_grid(1e-3, 0.25))
    calibration = None
    is_baseline = False
    signal = "features"

    def __init__(
        self,
        alpha: float = 0.05,
        correction: str = "bonferroni",
        share: float = 0.5,
        feature_names: Sequence[str] | None = None,
    ) -> None:
        self._init_p_value(alpha, correction, share)
        self.feature_names = feature_names

    def _fit(self, X: np.ndarray) -> None:
        self._ref_sorted = sorted_rows(X)

    def _per_feature(self, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ref = self._ref_sorted
        win = sorted_rows(W)
        a2kn = np.empty(ref.shape[0])
        ad_a2kn(ref, win, a2kn)
        stat = (a2kn - 1.0) / _ad_sigma(ref.shape[1] - 1, win.shape[1] - 1)
        # interpolate inside the table (clipping keeps exp from overflowing far out)
        inside = np.clip(stat, _AD_CRITICAL.min(), _AD_CRITICAL.max())
        p = np.exp(np.polyval(_AD_FIT, inside))
        p = np.where(stat < _AD_CRITICAL.min(), _AD_SIG.max(), p)
        p = np.where(stat > _AD_CRITICAL.max(), _AD_SIG.min(), p)
        p[_single_valued(ref, win)] = 1.0
        return stat, p
