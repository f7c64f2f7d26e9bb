"""Window (two-sample) drift tests: fit on a reference sample, then test windows.

>>> import numpy as np
>>> from detectors.window import KS
>>> rng = np.random.default_rng(0)
>>> KS().fit(rng.normal(size=(500, 2))).test(rng.normal(size=(100, 2))).drift
False

The tests, by family (see each class for its defaults):

* per feature, with p-values: :class:`KS`, :class:`CramerVonMises`,
  :class:`AndersonDarling`, :class:`ChiSquared` (categorical);
* per feature, distances with a threshold: :class:`PSI`, :class:`Wasserstein`,
  :class:`JensenShannon`, :class:`Hellinger`;
* multivariate: :class:`MMD`, :class:`Energy`, :class:`ClassifierTest`;
* :class:`AutoTest` picks a per-feature test by kind and sample size;
* :class:`SegmentedTest` runs a test per segment of a segment column, corrected
  across segments, and says which segment drifted.

Per-feature tests combine features by ``correction`` (:func:`adjust_p_values`,
:mod:`detectors.window.corrections`); results are :class:`TestResult` with a
:class:`FeatureResult` inside.
"""

from detectors.window.auto import AutoTest
from detectors.window.base import (
    BaseWindowTest,
    NotFittedError,
    UnivariateWindowTest,
    WindowTest,
)
from detectors.window.categorical import ChiSquared
from detectors.window.classifier import ClassifierTest
from detectors.window.corrections import CORRECTIONS, adjust_p_values, combine_features
from detectors.window.distance import PSI, Hellinger, JensenShannon, Wasserstein
from detectors.window.kernel import MMD, Energy
from detectors.window.results import FeatureResult, SegmentResult, TestResult
from detectors.window.segmented import SegmentedTest
from detectors.window.univariate import KS, AndersonDarling, CramerVonMises

__all__ = [
    "CORRECTIONS",
    "KS",
    "MMD",
    "PSI",
    "AndersonDarling",
    "AutoTest",
    "BaseWindowTest",
    "ChiSquared",
    "ClassifierTest",
    "CramerVonMises",
    "Energy",
    "FeatureResult",
    "Hellinger",
    "JensenShannon",
    "NotFittedError",
    "SegmentResult",
    "SegmentedTest",
    "TestResult",
    "UnivariateWindowTest",
    "Wasserstein",
    "WindowTest",
    "adjust_p_values",
    "combine_features",
]
