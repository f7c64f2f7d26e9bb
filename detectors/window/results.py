"""What a window test returns: :class:`TestResult`, with :class:`FeatureResult` inside."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["FeatureResult", "SegmentResult", "TestResult"]


@dataclass(frozen=True, eq=False)
class SegmentResult:
    """Per-segment outcome of a :class:`~detectors.window.segmented.SegmentedTest`.

    Attributes
    ----------
    segments
        The segment values tested (the segment column's values present in the
        reference and, with enough samples, in the window).
    n_window
        int64 array: window samples per segment.
    statistic
        float64 array: the inner test's statistic per segment.
    p_value
        float64 array: the inner test's p-value per segment (already combined over
        features by the inner test's own correction).
    adjusted_p_value
        float64 array: ``p_value`` corrected across segments.
    drift
        bool array: ``adjusted_p_value < alpha``.

    Examples
    --------
    >>> import numpy as np
    >>> r = SegmentResult((0.0, 1.0), np.array([50, 50]), np.array([0.1, 0.5]),
    ...                   np.array([0.4, 0.001]), np.array([0.8, 0.002]),
    ...                   np.array([False, True]))
    >>> r.drifted
    (1.0,)
    """

    __test__ = False

    segments: tuple[float, ...]
    n_window: np.ndarray
    statistic: np.ndarray
    p_value: np.ndarray
    adjusted_p_value: np.ndarray
    drift: np.ndarray

    @property
    def drifted(self) -> tuple[float, ...]:
        """The segments flagged as drifting."""
        return tuple(s for s, d in zip(self.segments, self.drift, strict=True) if d)


@dataclass(frozen=True, eq=False)
class FeatureResult:
    """Per-feature outcome of a univariate window test (one entry per feature).

    Attributes
    ----------
    names
        Feature names (``feature_names`` of the test, the reference's DataFrame
        columns, or ``x0, x1, ...``).
    tests
        The test applied to each feature (e.g. ``"KS"``; differs by feature only in
        :class:`~detectors.window.auto.AutoTest`).
    statistic
        float64 array, the statistic per feature.
    p_value
        float64 array of raw p-values, or ``None`` for distance tests. In
        ``AutoTest`` features judged by a distance have ``nan`` here.
    adjusted_p_value
        The p-values after the correction (Bonferroni or Benjamini–Hochberg; equal
        to ``p_value`` under ``"none"`` and ``"share"``), or ``None``.
    threshold
        float64 array: what each feature is compared with (``alpha`` for a p-value,
        the distance threshold otherwise).
    drift
        bool array: ``adjusted_p_value < alpha``, or ``statistic > threshold``.

    Examples
    --------
    >>> import numpy as np
    >>> from detectors.window import KS
    >>> rng = np.random.default_rng(0)
    >>> ks = KS(feature_names=["age", "income"]).fit(rng.normal(size=(200, 2)))
    >>> window = np.column_stack([rng.normal(size=150), rng.normal(1.0, 1.0, 150)])
    >>> pf = ks.test(window).per_feature
    >>> pf.drifted
    ('income',)
    >>> pf.to_records()[1]["drift"]
    True
    """

    names: tuple[str, ...]
    tests: tuple[str, ...]
    statistic: np.ndarray
    p_value: np.ndarray | None
    adjusted_p_value: np.ndarray | None
    threshold: np.ndarray
    drift: np.ndarray

    def __len__(self) -> int:
        return len(self.names)

    @property
    def drifted(self) -> tuple[str, ...]:
        """Names of the features flagged as drifting."""
        return tuple(n for n, d in zip(self.names, self.drift, strict=True) if d)

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per feature (e.g. for ``pandas.DataFrame(records)``)."""
        records = []
        for i, name in enumerate(self.names):
            records.append(
                {
                    "feature": name,
                    "test": self.tests[i],
                    "statistic": float(self.statistic[i]),
                    "p_value": None if self.p_value is None else float(self.p_value[i]),
                    "adjusted_p_value": (
                        None if self.adjusted_p_value is None else float(self.adjusted_p_value[i])
                    ),
                    "threshold": float(self.threshold[i]),
                    "drift": bool(self.drift[i]),
                }
            )
        return records


@dataclass(frozen=True, eq=False)
class TestResult:
    """Outcome of one window test.

    How the fields relate, by kind of test:

    * **p-value tests** (KS, CvM, AD, chi-squared, MMD, energy with permutations,
      classifier): ``threshold`` is ``alpha`` and ``drift = p_value < alpha``. For
      several features ``statistic`` is the largest per-feature statistic and
      ``p_value`` the smallest *corrected* p-value (Bonferroni: ``min(1, d·min p)``;
      Benjamini–Hochberg: the smallest BH-adjusted p-value, i.e. Simes' global
      p-value; ``"none"``: the smallest raw p-value).
    * **distance tests** (PSI, Wasserstein, Jensen–Shannon, Hellinger, energy
      without permutations): ``p_value`` is ``None`` and
      ``drift = statistic > threshold``, with ``statistic`` the largest per-feature
      distance.
    * **correction="share"** (any univariate test): ``statistic`` is the share of
      drifting features, ``threshold`` is ``share``, ``p_value`` is ``None`` and
      ``drift = statistic >= share``.
    * **AutoTest** tests features on different scales, so its ``statistic`` is always
      the share of drifting features. Under ``"share"`` as above; under the other
      corrections ``threshold`` is 0, ``drift = statistic > 0`` (any feature
      drifts) and ``p_value`` is the smallest corrected p-value among the
      features tested by p-value (``None`` if there are none).

    ``per_feature`` is ``None`` for the multivariate tests (MMD, energy,
    classifier), which compare whole rows and have no per-feature answer.

    Examples
    --------
    >>> import numpy as np
    >>> from detectors.window import KS
    >>> rng = np.random.default_rng(1)
    >>> result = KS().fit(rng.normal(size=300)).test(rng.normal(0.5, 1.0, size=300))
    >>> result.drift, round(result.statistic, 3), result.p_value < 0.05
    (True, 0.3, True)
    """

    __test__ = False  # a result class, not a pytest test class

    statistic: float
    p_value: float | None
    threshold: float
    drift: bool
    per_feature: FeatureResult | None = None
    test: str = ""
    correction: str | None = None
    per_segment: SegmentResult | None = None

    @property
    def drift_share(self) -> float | None:
        """Share of features flagged as drifting (``None`` for multivariate tests)."""
        if self.per_feature is None:
            return None
        return float(np.mean(self.per_feature.drift))
