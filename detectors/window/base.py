"""The window-test interface: the protocol and the shared base classes.

A window (two-sample) test is fitted once on a reference sample and then compares
windows against it::

    test = KS().fit(reference)          # reference: (n, d) array, or 1-d for one feature
    result = test.test(window)          # window: (m, d) array
    result.drift, result.p_value, result.per_feature

Everything here is independent of the method:

* :class:`TestResult` and :class:`FeatureResult` (in ``results``) — what ``test``
  returns;
* :class:`WindowTest` — the protocol the rest of driftsim relies on;
* :class:`BaseWindowTest` — input checks, the fitted-state contract, and the
  ``get_params`` / ``clone`` / ``repr`` conventions of ``driftsim.params`` (through
  :class:`~driftsim.params.ParamsMixin`);
* :class:`UnivariateWindowTest` — the base of the per-feature tests, which combines
  the features' results by a multiple-testing correction (see
  :func:`detectors.window.corrections.combine_features`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Protocol, Self, runtime_checkable

import numpy as np

from detectors.tags import TagDefaults
from detectors.window.corrections import (
    DISTANCE_CORRECTIONS,
    P_VALUE_CORRECTIONS,
    combine_features,
)
from detectors.window.results import TestResult
from driftsim.params import ParamsMixin
from driftsim.validation import check_choice, check_finite_array, check_in_range

__all__ = [
    "BaseWindowTest",
    "NotFittedError",
    "UnivariateWindowTest",
    "WindowTest",
]


class NotFittedError(ValueError, AttributeError):
    """``test`` was called before ``fit``.

    A ``ValueError`` (and an ``AttributeError``, as scikit-learn's ``NotFittedError``)
    so that code catching either keeps working.

    Examples
    --------
    >>> from detectors.window import KS
    >>> KS().test([1.0, 2.0])
    Traceback (most recent call last):
    ...
    detectors.window.base.NotFittedError: KS is not fitted: call fit(reference) before test(window)
    """


@runtime_checkable
class WindowTest(Protocol):
    """What driftsim relies on in a window test: fit on a reference, test windows.

    Examples
    --------
    >>> from detectors.window import PSI
    >>> isinstance(PSI(), WindowTest)
    True
    """

    def fit(self, reference: Any) -> Self: ...

    def test(self, window: Any) -> TestResult: ...

    def get_params(self) -> dict[str, Any]: ...

    def clone(self, **overrides: Any) -> Self: ...


def as_2d(name: str, values: Any) -> np.ndarray:
    """``values`` as a C-contiguous float64 (n, d) array; 1-d input is one feature.

    Examples
    --------
    >>> as_2d("window", [1.0, 2.0]).shape
    (2, 1)
    >>> as_2d("window", [])
    Traceback (most recent call last):
    ...
    ValueError: window is empty (0 samples); a window test needs data
    """
    arr = check_finite_array(name, values)
    if arr.ndim == 1:
        arr = arr[:, None]
    elif arr.ndim != 2:
        raise ValueError(
            f"{name} must be a 1-d array (one feature) or a 2-d (n_samples, n_features) "
            f"array, got shape {arr.shape}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty (0 samples); a window test needs data")
    if arr.shape[1] == 0:
        raise ValueError(f"{name} has no features (shape {arr.shape})")
    return np.ascontiguousarray(arr)


class BaseWindowTest(ParamsMixin, TagDefaults):
    """Shared machinery of every window test.

    Subclasses store their ``__init__`` arguments under their own names (validated),
    and implement ``_fit(X)`` (X: validated (n, d) float64 reference) and
    ``_test(W)`` (W: validated (m, d) window with the reference's width). Fitted
    state ends in ``_``; fitting again replaces the reference.

    Class attributes: ``min_samples`` — the fewest rows the method accepts in the
    reference and in a window.

    Examples
    --------
    A multivariate test of the distance between the two samples' means:

    >>> import numpy as np
    >>> class MeanShift(BaseWindowTest):
    ...     def __init__(self, threshold: float = 0.5) -> None:
    ...         self.threshold = threshold
    ...         self.feature_names = None
    ...     def _fit(self, X):
    ...         self._mean = X.mean(axis=0)
    ...     def _test(self, W):
    ...         stat = float(np.linalg.norm(W.mean(axis=0) - self._mean))
    ...         return TestResult(stat, None, self.threshold, stat > self.threshold)
    >>> test = MeanShift().fit(np.zeros((10, 2)))
    >>> test.test(np.ones((5, 2))).drift, test.n_features_in_
    (True, 2)
    """

    min_samples: ClassVar[int] = 1
    feature_names: Sequence[str] | None

    def fit(self, reference: Any) -> Self:
        """Store (a summary of) the reference sample; a new call replaces the old one.

        Parameters
        ----------
        reference
            (n, d) array of finite values (a DataFrame works and names the
            features), or a 1-d array for a single feature.

        Returns
        -------
        self
        """
        X = as_2d("reference", reference)
        self._check_size("reference", X)
        names = self._resolve_feature_names(reference, X.shape[1])
        self._fit_named(X, names)
        # set last, so a failed fit leaves no half-fitted state behind
        self.feature_names_in_ = names
        self.n_features_in_ = X.shape[1]
        self.n_reference_ = X.shape[0]
        return self

    def test(self, window: Any) -> TestResult:
        """Compare ``window`` with the reference.

        Parameters
        ----------
        window
            (m, d) array with the reference's number of features, or 1-d when the
            reference has one feature.

        Returns
        -------
        TestResult
        """
        if not hasattr(self, "n_features_in_"):
            raise NotFittedError(
                f"{type(self).__name__} is not fitted: call fit(reference) before test(window)"
            )
        W = as_2d("window", window)
        d = self.n_features_in_
        if W.shape[1] != d:
            relation = "narrower than" if W.shape[1] < d else "wider than"
            raise ValueError(
                f"window has {W.shape[1]} features but the reference has {d} "
                f"(window {relation} the reference)"
            )
        self._check_size("window", W)
        return self._test(W)

    # --- to implement --------------------------------------------------------------
    def _fit(self, X: np.ndarray) -> None:
        raise NotImplementedError

    def _fit_named(self, X: np.ndarray, names: tuple[str, ...]) -> None:
        # for methods whose fit depends on the feature names
        self._fit(X)

    def _test(self, W: np.ndarray) -> TestResult:
        raise NotImplementedError

    # --- helpers -------------------------------------------------------------------
    def _check_size(self, name: str, arr: np.ndarray) -> None:
        if arr.shape[0] < self.min_samples:
            raise ValueError(
                f"{type(self).__name__} needs at least {self.min_samples} samples in the "
                f"{name}, got {arr.shape[0]}"
            )

    def _resolve_feature_names(self, reference: Any, d: int) -> tuple[str, ...]:
        given = self.feature_names
        if given is None:
            columns = getattr(reference, "columns", None)
            if columns is not None and len(columns) == d:
                return tuple(str(c) for c in columns)
            return tuple(f"x{i}" for i in range(d))
        names = tuple(given)
        if len(names) != d:
            raise ValueError(
                f"feature_names has {len(names)} names but the reference has {d} features"
            )
        if not all(isinstance(n, str) for n in names):
            raise ValueError(f"feature_names must be strings, got {list(names)!r}")
        return names


class UnivariateWindowTest(BaseWindowTest):
    """Base of the tests that compare each feature on its own, vectorised over features.

    Subclasses set ``has_p_value`` and implement ``_fit(X)`` and
    ``_per_feature(W) -> (statistic, p_value or None)`` (float64 arrays, one entry
    per feature). This class turns them into a :class:`TestResult` with the
    correction (see :class:`TestResult` for how the fields relate).

    Subclasses with ``has_p_value`` call ``_init_p_value(alpha, correction, share)``;
    distance tests call ``_init_distance(threshold, correction, share)``.

    Examples
    --------
    A per-feature distance: the absolute difference of the medians.

    >>> import numpy as np
    >>> class MedianShift(UnivariateWindowTest):
    ...     has_p_value = False
    ...     def __init__(self, threshold=1.0, correction="none", share=0.5,
    ...                  feature_names=None):
    ...         self._init_distance(threshold, correction, share)
    ...         self.feature_names = feature_names
    ...     def _fit(self, X):
    ...         self._median = np.median(X, axis=0)
    ...     def _per_feature(self, W):
    ...         return np.abs(np.median(W, axis=0) - self._median), None
    >>> test = MedianShift().fit(np.zeros((10, 2)))
    >>> test.test(np.array([[0.0, 3.0], [0.0, 3.0]])).per_feature.drifted
    ('x1',)
    """

    has_p_value: ClassVar[bool] = True
    alpha: float
    threshold: float
    correction: str
    share: float

    def _init_p_value(self, alpha: float, correction: str, share: float) -> None:
        self.alpha = check_in_range("alpha", alpha, low=0.0, high=1.0, low_inclusive=False)
        self.correction = check_choice("correction", correction, P_VALUE_CORRECTIONS)
        self.share = check_in_range("share", share, low=0.0, high=1.0, low_inclusive=False)

    def _init_distance(self, threshold: float, correction: str, share: float) -> None:
        self.threshold = check_in_range("threshold", threshold, low=0.0)
        if correction in P_VALUE_CORRECTIONS and correction not in DISTANCE_CORRECTIONS:
            raise ValueError(
                f"{type(self).__name__} gives no p-values, so correction={correction!r} "
                f"does not apply; correction must be one of {list(DISTANCE_CORRECTIONS)}"
            )
        self.correction = check_choice("correction", correction, DISTANCE_CORRECTIONS)
        self.share = check_in_range("share", share, low=0.0, high=1.0, low_inclusive=False)

    def _per_feature(self, W: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        raise NotImplementedError

    def _test(self, W: np.ndarray) -> TestResult:
        statistic, p_value = self._per_feature(W)
        d = statistic.shape[0]
        if self.has_p_value:
            threshold = np.full(d, float(self.alpha))
            alpha = float(self.alpha)
        else:
            threshold = np.full(d, float(self.threshold))
            alpha = 0.0  # unused: no feature has a p-value
        return combine_features(
            statistic,
            p_value,
            threshold,
            names=self.feature_names_in_,
            tests=(type(self).__name__,) * d,
            alpha=alpha,
            correction=self.correction,
            share=float(self.share),
            test=type(self).__name__,
        )
