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
* multivariate: :class:`MMD` (all pairs with a permutation p-value, or the linear-time
  block and pair estimators for large windows), :class:`Energy`, :class:`ClassifierTest`;
* :class:`AutoTest` picks a per-feature test by kind and sample size;
* :class:`SegmentedTest` runs a test per segment of a segment column, corrected
  across segments, and says which segment drifted.

Per-feature tests combine features by ``correction`` (:func:`adjust_p_values`,
:mod:`detectors.window.corrections`); results are :class:`TestResult` with a
:class:`FeatureResult` inside.
"""

from driftsim.lazy import lazy_exports

#: The window tests: name -> module. Each is exported from ``detectors`` too, so a new
#: test is one line here (CONTRIBUTING.md).
_TESTS: dict[str, str] = {
    "AndersonDarling": "detectors.window.univariate",
    "AutoTest": "detectors.window.auto",
    "ChiSquared": "detectors.window.categorical",
    "ClassifierTest": "detectors.window.classifier",
    "CramerVonMises": "detectors.window.univariate",
    "Energy": "detectors.window.kernel",
    "Hellinger": "detectors.window.distance",
    "JensenShannon": "detectors.window.distance",
    "KS": "detectors.window.univariate",
    "MMD": "detectors.window.kernel",
    "PSI": "detectors.window.distance",
    "SegmentedTest": "detectors.window.segmented",
    "Wasserstein": "detectors.window.distance",
}
_EXPORTS: dict[str, str] = {
    **_TESTS,
    "BaseWindowTest": "detectors.window.base",
    "NotFittedError": "detectors.window.base",
    "UnivariateWindowTest": "detectors.window.base",
    "WindowTest": "detectors.window.base",
    "CORRECTIONS": "detectors.window.corrections",
    "adjust_p_values": "detectors.window.corrections",
    "combine_features": "detectors.window.corrections",
    "FeatureResult": "detectors.window.results",
    "SegmentResult": "detectors.window.results",
    "TestResult": "detectors.window.results",
}

__getattr__, __dir__, __all__ = lazy_exports("detectors.window", _EXPORTS, globals())
