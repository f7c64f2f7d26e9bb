"""AutoTest: a test per feature, chosen by its kind and the reference's size."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from detectors.tags import Sensitivity, log_grid
from detectors.window.base import BaseWindowTest
from detectors.window.categorical import ChiSquared
from detectors.window.corrections import P_VALUE_CORRECTIONS, combine_features
from detectors.window.distance import Wasserstein
from detectors.window.results import TestResult
from detectors.window.univariate import KS
from driftsim.validation import check_choice, check_in_range, check_int

__all__ = ["AutoTest"]

_KINDS = ("numeric", "categorical")


class AutoTest(BaseWindowTest):
    """Pick a test per feature the way Evidently's defaults do, and combine them.

    The rule, applied per feature at ``fit`` (so a monitor keeps its tests across
    windows):

    1. categorical (by ``feature_kinds``), or numeric with at most
       ``max_categories`` (5) distinct values in the reference → :class:`ChiSquared`
       (p-value, ``alpha``);
    2. numeric with a reference of at most ``small_reference`` (1,000) rows →
       :class:`KS` (p-value, ``alpha``);
    3. numeric with a larger reference → normalised :class:`Wasserstein`
       (distance in reference standard deviations, ``wasserstein_threshold`` 0.1).

    The chosen test per feature is in ``tests_`` after ``fit`` and in
    ``per_feature.tests`` of each result. Features sharing a test are tested
    together (vectorised).

    Combining: with the default ``correction="share"`` the window drifts when at
    least ``share`` (0.5) of the features drift — Evidently's dataset-drift rule;
    ``statistic`` is the drifting share. With ``"bonferroni"``, ``"fdr_bh"`` or
    ``"none"`` the p-values (chi-squared and KS features) are adjusted among
    themselves and the window drifts when any feature drifts; when p-values and
    distances are mixed, ``statistic`` is then the drifting share, ``threshold`` 0
    and ``p_value`` the smallest adjusted p-value (see :class:`TestResult`).

    Parameters
    ----------
    alpha
        Significance level of the chi-squared and KS features.
    correction
        ``"share"`` (default), ``"bonferroni"``, ``"fdr_bh"`` or ``"none"``.
    share
        With ``correction="share"``: drift when at least this share of features drift.
    feature_kinds
        ``"numeric"`` or ``"categorical"`` per feature (a sequence, or a mapping
        from feature name to kind; unnamed features are numeric). Default: all numeric.
    max_categories
        A numeric feature with at most this many distinct reference values is
        tested as categorical.
    small_reference
        Largest reference (rows) for which numeric features use KS.
    wasserstein_threshold
        Threshold of the normalised Wasserstein distance.
    feature_names
        As for :class:`~detectors.window.univariate.KS`.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(13)
    >>> reference = np.column_stack([rng.normal(size=800), rng.integers(0, 3, 800)])
    >>> auto = AutoTest(feature_names=["price", "colour"]).fit(reference)
    >>> auto.tests_
    ('KS', 'ChiSquared')
    >>> window = np.column_stack([rng.normal(0.5, 1.0, 400), rng.integers(0, 3, 400)])
    >>> result = auto.test(window)
    >>> result.drift, result.statistic, result.per_feature.drifted
    (True, 0.5, ('price',))
    """

    # what the class is: see detectors.tags
    sensitivity = Sensitivity("alpha", "increasing", log_grid(1e-6, 0.2))
    calibration = None
    is_baseline = False
    signal = "features"

    def __init__(
        self,
        alpha: float = 0.05,
        correction: str = "share",
        share: float = 0.5,
        feature_kinds: Sequence[str] | Mapping[str, str] | None = None,
        max_categories: int = 5,
        small_reference: int = 1000,
        wasserstein_threshold: float = 0.1,
        feature_names: Sequence[str] | None = None,
    ) -> None:
        self.alpha = check_in_range("alpha", alpha, low=0.0, high=1.0, low_inclusive=False)
        self.correction = check_choice("correction", correction, P_VALUE_CORRECTIONS)
        self.share = check_in_range("share", share, low=0.0, high=1.0, low_inclusive=False)
        if feature_kinds is not None:
            kinds = feature_kinds.values() if isinstance(feature_kinds, Mapping) else feature_kinds
            for kind in kinds:
                check_choice("feature kind", kind, _KINDS)
        self.feature_kinds = feature_kinds
        self.max_categories = check_int("max_categories", max_categories, low=1)
        self.small_reference = check_int("small_reference", small_reference, low=1)
        self.wasserstein_threshold = check_in_range(
            "wasserstein_threshold", wasserstein_threshold, low=0.0
        )
        self.feature_names = feature_names

    def _kinds(self, names: tuple[str, ...]) -> tuple[str, ...]:
        kinds = self.feature_kinds
        if kinds is None:
            return ("numeric",) * len(names)
        if isinstance(kinds, Mapping):
            unknown = set(kinds) - set(names)
            if unknown:
                raise ValueError(
                    f"feature_kinds names features that are not in the reference: "
                    f"{sorted(unknown)}; features: {list(names)}"
                )
            return tuple(kinds.get(name, "numeric") for name in names)
        kinds = tuple(kinds)
        if len(kinds) != len(names):
            raise ValueError(
                f"feature_kinds has {len(kinds)} entries but the reference has "
                f"{len(names)} features"
            )
        return kinds

    def _fit_named(self, X: np.ndarray, names: tuple[str, ...]) -> None:
        kinds = self._kinds(names)
        sorted_cols = np.sort(X, axis=0)
        n_distinct = 1 + (sorted_cols[1:] != sorted_cols[:-1]).sum(axis=0)
        chosen = []
        for kind, distinct in zip(kinds, n_distinct, strict=True):
            if kind == "categorical" or distinct <= self.max_categories:
                chosen.append("ChiSquared")
            elif X.shape[0] <= self.small_reference:
                chosen.append("KS")
            else:
                chosen.append("Wasserstein")
        self.tests_ = tuple(chosen)
        self._groups = []
        for name in ("ChiSquared", "KS", "Wasserstein"):
            cols = np.array([i for i, t in enumerate(chosen) if t == name], dtype=np.intp)
            if cols.size == 0:
                continue
            if name == "ChiSquared":
                sub = ChiSquared(alpha=self.alpha, correction="none")
            elif name == "KS":
                sub = KS(alpha=self.alpha, correction="none")
            else:
                sub = Wasserstein(threshold=self.wasserstein_threshold)
            self._groups.append((cols, sub.fit(X[:, cols])))

    def _test(self, W: np.ndarray) -> TestResult:
        d = W.shape[1]
        statistic = np.empty(d)
        p_value = np.full(d, np.nan)
        threshold = np.empty(d)
        for cols, sub in self._groups:
            pf = sub.test(W[:, cols]).per_feature
            statistic[cols] = pf.statistic
            threshold[cols] = pf.threshold
            if pf.p_value is not None:
                p_value[cols] = pf.p_value
        has_any_p = not np.isnan(p_value).all()
        return combine_features(
            statistic,
            p_value if has_any_p else None,
            threshold,
            names=self.feature_names_in_,
            tests=self.tests_,
            alpha=float(self.alpha),
            correction=self.correction,
            share=float(self.share),
            test="AutoTest",
            summary="share",
        )
