"""Per-segment window testing: one test per segment, corrected across segments.

A drift confined to one segment (a region, a device type, a cohort) moves a small
share of the pooled data, so a test on all samples dilutes it. :class:`SegmentedTest`
splits the reference and each window by a segment column, runs a copy of an inner
p-value test on every segment, and corrects the per-segment p-values across segments
(Bonferroni or Benjamini–Hochberg, :func:`~detectors.window.corrections.adjust_p_values`),
so testing many segments does not raise the false-alarm rate. The result says which
segments drifted (:attr:`TestResult.per_segment`).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from detectors.tags import Sensitivity, log_grid
from detectors.window.base import BaseWindowTest
from detectors.window.corrections import _adjust
from detectors.window.results import SegmentResult, TestResult
from driftsim.validation import check_choice, check_in_range, check_int

__all__ = ["SegmentedTest"]


class SegmentedTest(BaseWindowTest):
    """Test each segment of the data with its own copy of ``base_test``.

    Parameters
    ----------
    base_test
        A window test with p-values (KS, Cramér–von Mises, Anderson–Darling,
        chi-squared, MMD, ...); cloned once per segment, unfitted. None: ``KS()``.
    segment
        The segment column: its index, or its name among ``feature_names`` (or the
        reference DataFrame's columns). It is left out of the features tested.
    correction
        ``"bonferroni"`` (default: family-wise error rate ``alpha`` across segments)
        or ``"fdr_bh"`` (false discovery rate).
    alpha
        Level of the corrected per-segment p-values.
    min_samples_segment
        Segments with fewer window (or reference) samples are not tested this time.
    feature_names
        Names of the columns, as for every window test.

    Examples
    --------
    Segment 1 of the second column shifts; segment 0 does not:

    >>> import numpy as np
    >>> from detectors.window import KS
    >>> rng = np.random.default_rng(0)
    >>> ref = np.column_stack([rng.normal(size=2000), rng.integers(0, 2, 2000)])
    >>> win = np.column_stack([rng.normal(size=400), rng.integers(0, 2, 400)])
    >>> win[win[:, 1] == 1, 0] += 1.0
    >>> result = SegmentedTest(KS(), segment=1).fit(ref).test(win)
    >>> result.drift, result.per_segment.drifted
    (True, (1.0,))
    """

    # what the class is: see detectors.tags
    sensitivity = Sensitivity("alpha", "increasing", log_grid(1e-6, 0.2))
    calibration = None
    is_baseline = False
    signal = "features"
    expected_failures: ClassVar[dict[str, str]] = {
        "check_window_test_result": "the check shifts every column, the segment column "
        "too, so no window segment matches a reference segment and nothing is tested",
    }
    min_samples = 2

    def __init__(
        self,
        base_test: Any = None,
        segment: int | str = 0,
        correction: str = "bonferroni",
        alpha: float = 0.05,
        min_samples_segment: int = 20,
        feature_names: Any = None,
    ) -> None:
        if base_test is not None and not all(
            hasattr(base_test, a) for a in ("fit", "test", "clone")
        ):
            raise ValueError(
                "base_test must be a window test (fit/test/clone), "
                f"got {type(base_test).__name__}"
            )
        if isinstance(segment, bool) or not isinstance(segment, int | str):
            raise ValueError(f"segment must be a column index or name, got {segment!r}")
        check_choice("correction", correction, ("bonferroni", "fdr_bh"))
        check_in_range("alpha", alpha, low=0.0, high=1.0, low_inclusive=False)
        check_int("min_samples_segment", min_samples_segment, low=2)
        self.base_test = base_test
        self.segment = segment
        self.correction = correction
        self.alpha = alpha
        self.min_samples_segment = min_samples_segment
        self.feature_names = feature_names

    def _column(self, names: tuple[str, ...]) -> int:
        if isinstance(self.segment, str):
            if self.segment not in names:
                raise ValueError(
                    f"segment {self.segment!r} is not a column; columns: {list(names)}"
                )
            return names.index(self.segment)
        if not 0 <= self.segment < len(names):
            raise ValueError(
                f"segment must be a column index in 0..{len(names) - 1}, got {self.segment}"
            )
        return self.segment

    def _fit_named(self, X: np.ndarray, names: tuple[str, ...]) -> None:
        if X.shape[1] < 2:
            raise ValueError("SegmentedTest needs the segment column and at least one feature")
        col = self._column(names)
        keep = np.arange(X.shape[1]) != col
        values = X[:, col]
        self.segment_column_ = col
        self.tests_: dict[float, Any] = {}
        if self.base_test is None:
            from detectors.window.univariate import KS

            inner: Any = KS()
        else:
            inner = self.base_test
        for value in np.unique(values).tolist():
            rows = values == value
            if rows.sum() >= self.min_samples_segment:
                self.tests_[value] = inner.clone().fit(X[rows][:, keep])
        if not self.tests_:
            raise ValueError(
                f"no segment has min_samples_segment={self.min_samples_segment} reference "
                "samples"
            )

    def _test(self, W: np.ndarray) -> TestResult:
        col = self.segment_column_
        keep = np.arange(W.shape[1]) != col
        values = W[:, col]
        tested, counts, stats, pvals = [], [], [], []
        for value, inner in self.tests_.items():
            rows = values == value
            n = int(rows.sum())
            if n < self.min_samples_segment:
                continue
            result = inner.test(W[rows][:, keep])
            if result.p_value is None:
                raise ValueError(
                    f"SegmentedTest needs a test with p-values; {type(inner).__name__} "
                    "returned none (a distance test)"
                )
            tested.append(value)
            counts.append(n)
            stats.append(result.statistic)
            pvals.append(result.p_value)
        p = np.array(pvals, dtype=np.float64)
        adjusted = _adjust(p, self.correction)
        drift = adjusted < self.alpha
        per_segment = SegmentResult(
            tuple(tested), np.array(counts, dtype=np.int64), np.array(stats, dtype=np.float64),
            p, adjusted, drift,
        )
        return TestResult(
            statistic=float(max(stats)) if stats else 0.0,
            p_value=float(adjusted.min()) if adjusted.size else 1.0,
            threshold=float(self.alpha),
            drift=bool(drift.any()),
            test="SegmentedTest",
            correction=self.correction,
            per_segment=per_segment,
        )
