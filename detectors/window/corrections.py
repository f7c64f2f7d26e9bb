"""Combining per-feature results into one decision: multiple-testing corrections.

Testing d features at level ``alpha`` each raises the chance of at least one false
alarm to up to ``1 - (1 - alpha)^d``. The corrections:

* ``"bonferroni"`` — each p-value is multiplied by d (capped at 1); controls the
  family-wise error rate at ``alpha`` under any dependence between features.
* ``"fdr_bh"`` — Benjamini–Hochberg adjusted p-values; controls the false discovery
  rate. Drift when any adjusted p-value is below ``alpha``, which is Simes' global
  test: its false-alarm rate is ``alpha`` for independent features.
* ``"share"`` — no adjustment; drift when at least ``share`` of the features
  drift individually (the rule of Evidently's dataset drift, ``share=0.5``).
* ``"none"`` — no adjustment; drift when any feature drifts. For distance tests,
  which have no p-values, this is the default: drift when the largest distance
  exceeds the threshold.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from detectors.window.results import FeatureResult, TestResult
from driftsim.validation import check_choice

__all__ = [
    "CORRECTIONS",
    "DISTANCE_CORRECTIONS",
    "P_VALUE_CORRECTIONS",
    "adjust_p_values",
    "combine_features",
]

P_VALUE_CORRECTIONS = ("bonferroni", "fdr_bh", "share", "none")
DISTANCE_CORRECTIONS = ("none", "share")
CORRECTIONS = P_VALUE_CORRECTIONS


def adjust_p_values(p_values: Sequence[float] | np.ndarray, correction: str) -> np.ndarray:
    """Adjusted p-values: Bonferroni, Benjamini–Hochberg, or unchanged.

    Parameters
    ----------
    p_values
        1-d array of p-values in [0, 1].
    correction
        ``"bonferroni"``, ``"fdr_bh"``, or ``"none"`` / ``"share"`` (returned unchanged).

    Returns
    -------
    numpy.ndarray
        float64 array, same order as ``p_values``. The BH values equal
        ``scipy.stats.false_discovery_control(p, method="bh")``.

    Examples
    --------
    >>> adjust_p_values([0.01, 0.04, 0.03, 0.5], "bonferroni")
    array([0.04, 0.16, 0.12, 1.  ])
    >>> adjust_p_values([0.01, 0.04, 0.03, 0.5], "fdr_bh")
    array([0.04     , 0.0533..., 0.0533..., 0.5      ])
    """
    check_choice("correction", correction, P_VALUE_CORRECTIONS)
    p = np.array(p_values, dtype=np.float64)
    if p.ndim != 1:
        raise ValueError(f"p_values must be 1-d, got shape {p.shape}")
    if p.size and not ((p >= 0.0) & (p <= 1.0)).all():
        raise ValueError(f"p_values must lie in [0, 1], got {p!r}")
    return _adjust(p, correction)


def _adjust(p: np.ndarray, correction: str) -> np.ndarray:
    # adjust_p_values without the checks, for p-values the tests computed themselves
    k = p.size
    if correction == "bonferroni":
        return np.minimum(p * k, 1.0)
    if correction == "fdr_bh":
        order = np.argsort(p, kind="stable")
        scaled = p[order] * (k / np.arange(1, k + 1))
        # the step-up rule: each adjusted value is the smallest scaled one at or above it
        scaled = np.minimum.accumulate(scaled[::-1])[::-1]
        out = np.empty(k)
        out[order] = np.minimum(scaled, 1.0)
        return out
    return p


def combine_features(
    statistic: np.ndarray,
    p_value: np.ndarray | None,
    threshold: np.ndarray,
    *,
    names: tuple[str, ...],
    tests: tuple[str, ...],
    alpha: float,
    correction: str,
    share: float,
    test: str,
    summary: str = "max",
) -> TestResult:
    """Per-feature statistics and p-values → one :class:`TestResult`.

    Features with a p-value (``p_value`` not ``None`` and not ``nan``) drift when
    their *adjusted* p-value is below ``alpha``; the others when their statistic
    exceeds their ``threshold``. The p-values are adjusted among themselves. How the
    combined fields are formed is described in :class:`TestResult`; with
    ``summary="share"`` (for features tested on different scales) the combined
    ``statistic`` is always the share of drifting features.

    Examples
    --------
    >>> import numpy as np
    >>> r = combine_features(np.array([0.3, 0.1]), np.array([0.01, 0.4]), np.full(2, 0.05),
    ...                      names=("a", "b"), tests=("KS", "KS"), alpha=0.05,
    ...                      correction="bonferroni", share=0.5, test="KS")
    >>> r.statistic, r.p_value, r.drift, r.per_feature.drifted
    (0.3, 0.02, True, ('a',))
    """
    statistic = np.asarray(statistic, dtype=np.float64)
    if p_value is None:
        adjusted = None
        has_p = np.zeros(statistic.shape[0], dtype=bool)
        drift = statistic > threshold
    else:
        p_value = np.asarray(p_value, dtype=np.float64)
        has_p = ~np.isnan(p_value)
        if has_p.all():
            adjusted = _adjust(p_value, correction)
            drift = adjusted < alpha
        else:
            adjusted = p_value.copy()
            adjusted[has_p] = _adjust(p_value[has_p], correction)
            drift = np.where(has_p, adjusted < alpha, statistic > threshold)
    per_feature = FeatureResult(
        names=names,
        tests=tests,
        statistic=statistic,
        p_value=p_value,
        adjusted_p_value=adjusted,
        threshold=np.asarray(threshold, dtype=np.float64),
        drift=drift,
    )
    if correction == "share":
        frac = float(drift.mean())
        return TestResult(frac, None, share, frac >= share, per_feature, test, correction)
    if summary == "share":
        # the features' statistics are on different scales: only the share of
        # drifting features summarises them
        frac = float(drift.mean())
        p = float(adjusted[has_p].min()) if has_p.any() else None
        return TestResult(frac, p, 0.0, frac > 0.0, per_feature, test, correction)
    if has_p.all():
        p = float(adjusted.min())
        return TestResult(
            float(statistic.max()), p, alpha, p < alpha, per_feature, test, correction
        )
    stat = float(statistic.max())
    thr = float(threshold[0])
    return TestResult(stat, None, thr, stat > thr, per_feature, test, correction)
