"""driftsim detectors: streaming change detectors and window two-sample tests.

Two families behind small interfaces:

* Streaming detectors consume one value per sample (``update`` / ``update_many``),
  compiled with numba: :class:`DDM`, :class:`EDDM`, :class:`HDDM_A`,
  :class:`HDDM_W`, :class:`FHDDM`, :class:`ADWIN`, :class:`PageHinkley`,
  :class:`KSWIN`, :class:`CUSUM`, :class:`STEPD`, :class:`EWMAChart`; the baselines
  :class:`NoDrift`, :class:`PeriodicAlarm`, :class:`RandomAlarm`; and
  :class:`RiverDetector`, which wraps any river detector.
* Window tests compare a window with a reference (``fit`` / ``test``): :class:`KS`,
  :class:`CramerVonMises`, :class:`AndersonDarling`, :class:`ChiSquared`,
  :class:`PSI`, :class:`Wasserstein`, :class:`JensenShannon`, :class:`Hellinger`,
  :class:`MMD`, :class:`Energy`, :class:`ClassifierTest` and :class:`AutoTest`.

:func:`calibrate` finds the threshold giving a target false-alarm rate.

A sibling family, :mod:`detectors.estimation`, estimates a classifier's metrics
without labels: :class:`CBPE` (calibrated confidences) and
:class:`ImportanceWeighting` (density-ratio re-weighting of a labelled reference).

Names are imported on first use, so ``import detectors`` stays cheap and each
detector's compiled kernel loads only when that detector is used.

Examples
--------
>>> import numpy as np
>>> import detectors
>>> xs = np.r_[np.zeros(500), np.ones(500)]
>>> detectors.ADWIN().update_many(xs)
array([511])
"""

from __future__ import annotations

from detectors.window import _TESTS as _WINDOW_TESTS
from driftsim.lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    # interfaces
    "BaseStreamingDetector": "detectors.base",
    "DriftDetector": "detectors.base",
    "StreamingDetector": "detectors.base",
    "family": "detectors.base",
    # streaming detectors
    "ADWIN": "detectors.adwin",
    "CUSUM": "detectors.cusum",
    "DDM": "detectors.ddm",
    "EDDM": "detectors.eddm",
    "EWMAChart": "detectors.ewma_chart",
    "FHDDM": "detectors.fhddm",
    "HDDM_A": "detectors.hddm",
    "HDDM_W": "detectors.hddm",
    "KSWIN": "detectors.kswin",
    "PageHinkley": "detectors.page_hinkley",
    "STEPD": "detectors.stepd",
    # baselines and river
    "NoDrift": "detectors.baselines",
    "PeriodicAlarm": "detectors.baselines",
    "RandomAlarm": "detectors.baselines",
    "RiverDetector": "detectors.river_adapter",
    "river_detections": "detectors.river_adapter",
    # window tests: one table in detectors/window/__init__.py
    **{name: "detectors.window" for name in _WINDOW_TESTS},
    "BaseWindowTest": "detectors.window",
    "FeatureResult": "detectors.window",
    "NotFittedError": "detectors.window",
    "SegmentResult": "detectors.window",
    "TestResult": "detectors.window",
    "WindowTest": "detectors.window",
    # label-free performance estimation
    "CBPE": "detectors.estimation",
    "ImportanceWeighting": "detectors.estimation",
    "realised_performance": "detectors.estimation",
    # calibration
    "Calibration": "detectors.calibration",
    "calibrate": "detectors.calibration",
    "null_alarm_rate": "detectors.calibration",
}

__getattr__, __dir__, __all__ = lazy_exports('detectors', _EXPORTS, globals())
