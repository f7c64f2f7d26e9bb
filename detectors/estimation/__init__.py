"""Performance estimation without labels: a sibling of the detector families.

Detectors say *whether* something changed; estimators say *what the model's metric
probably is now*, before labels arrive. Both consume what a monitor sees and neither
imports the simulator, so they live side by side in ``detectors``; the simulator turns
an estimate into a monitor signal (``estimated:<metric>``).

* :class:`CBPE` — confidence-based performance estimation from calibrated
  probabilities (accuracy, precision, recall, F1, ROC AUC; binary and multiclass),
  with per-chunk bands sized on the reference.
* :class:`ImportanceWeighting` — the labelled reference re-weighted by a density ratio
  from a domain classifier.
* :func:`realised_performance` — the same metrics from labels, by the same code.
* :class:`Estimate` — what both return.

Examples
--------
>>> from detectors.estimation import CBPE
>>> CBPE(metrics=("f1",)).metrics
('f1',)
"""

from __future__ import annotations

from driftsim.lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "CBPE": "detectors.estimation.cbpe",
    "Estimate": "detectors.estimation.result",
    "ImportanceWeighting": "detectors.estimation.importance",
    "METRICS": "detectors.estimation._metrics",
    "ProbabilityCalibrator": "detectors.estimation._calibrate",
    "realised_performance": "detectors.estimation._common",
}

__getattr__, __dir__, __all__ = lazy_exports("detectors.estimation", _EXPORTS, globals())
