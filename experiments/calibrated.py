"""Calibrate a run's detectors to one false-alarm rate before it runs.

Default thresholds make detectors incomparable. With ``calibration.target_rate`` set
(``experiment=calibrated``), each streaming detector's sensitivity parameter is chosen
by :func:`detectors.calibrate` so that, on drift-free error streams of the model the
run serves, it raises ``target_rate`` false alarms per 1,000 samples. Detection delays
are then compared at equal false-alarm rates.

The null streams are the served model's 0/1 errors on a long drift-free stream from
the same dataset (another seed), with the model trained as the loop trains its first
model, so the calibration sees the error rate the detectors will see before a drift.

Examples
--------
>>> CALIBRATION["ADWIN"]
('delta', (1e-12, 0.99), True)
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from detectors import calibrate

__all__ = ["CALIBRATION", "calibrate_detectors", "null_error_streams"]

#: class name -> (parameter, search bounds, bisect on a log scale)
CALIBRATION: dict[str, tuple[str, tuple[float, float], bool]] = {
    "ADWIN": ("delta", (1e-12, 0.99), True),
    "DDM": ("drift_threshold", (1.0, 30.0), True),
    "EDDM": ("beta", (0.01, 0.999), False),
    "HDDM_A": ("drift_confidence", (1e-15, 0.49), True),
    "HDDM_W": ("drift_confidence", (1e-15, 0.49), True),
    "FHDDM": ("confidence_level", (1e-20, 0.49), True),
    "PageHinkley": ("threshold", (0.1, 2000.0), True),
    "CUSUM": ("h", (0.1, 200.0), True),
    "KSWIN": ("alpha", (1e-12, 0.49), True),
    "STEPD": ("alpha_drift", (1e-15, 0.49), True),
}


def _coupled(cls_name: str, params: dict[str, Any], param: str, value: float) -> dict[str, Any]:
    """Parameters with ``param = value`` and any warning level kept consistent with it."""
    out = {**params, param: value}
    if cls_name == "EDDM":
        out["alpha"] = max(float(out.get("alpha", 0.95)), value)
    if cls_name == "DDM":
        out["warning_threshold"] = min(float(out.get("warning_threshold", 2.0)), value)
    if cls_name == "STEPD":
        out["alpha_warning"] = max(float(out.get("alpha_warning", 0.05)), value)
    return out


def _rebuild(cls: type, params: dict[str, Any], param: str, **value: float) -> Any:
    return cls(**_coupled(cls.__name__, params, param, value[param]))


def null_error_streams(
    dataset: Any, model: Any, *, n_samples: int, initial_train: int, seed: int, streams: int = 4
) -> list[np.ndarray]:
    """The served model's 0/1 errors on drift-free streams (``streams`` pieces).

    Examples
    --------
    >>> from simulator import default_model, load_dataset
    >>> streams = null_error_streams(load_dataset("iris"), default_model(), n_samples=2000,
    ...                              initial_train=300, seed=0)
    >>> len(streams), streams[0].size, set(streams[0].tolist()) <= {0.0, 1.0}
    (4, 500, True)
    """
    from sklearn.base import clone

    from simulator.models import full_proba
    from simulator.stream import DriftStream

    train = DriftStream(dataset, (), n_samples=initial_train, seed=seed + 104_729)
    X0, y0, _ = train.take(initial_train)
    fitted = clone(model).fit(X0, y0)
    null = DriftStream(dataset, (), n_samples=n_samples, seed=seed + 130_363)
    X, y, _ = null.take(n_samples)
    errors = (full_proba(fitted, X, dataset.n_classes).argmax(axis=1) != y).astype(float)
    return list(np.array_split(errors, streams))


def calibrate_detectors(
    detectors: dict[str, Any], null_streams: list[np.ndarray], target_rate: float
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Recalibrated copies of ``detectors`` and a report per detector.

    Detectors with no entry in :data:`CALIBRATION` (baselines, window tests) are
    returned unchanged and reported as such.

    Examples
    --------
    >>> import numpy as np
    >>> from detectors import NoDrift, PageHinkley
    >>> rng = np.random.default_rng(0)
    >>> null = [(rng.random(10_000) < 0.1).astype(float) for _ in range(4)]
    >>> tuned, report = calibrate_detectors({"ph": PageHinkley(), "off": NoDrift()}, null, 1.0)
    >>> report["ph"]["achieved_rate"] <= 1.0, report["off"]
    (True, {'calibrated': False})
    """
    out: dict[str, Any] = {}
    report: dict[str, dict[str, Any]] = {}
    for name, detector in detectors.items():
        cls_name = type(detector).__name__
        spec = CALIBRATION.get(cls_name)
        if spec is None:
            out[name] = detector
            report[name] = {"calibrated": False}
            continue
        param, bounds, log_scale = spec
        make = functools.partial(_rebuild, type(detector), detector.get_params(), param)

        result = calibrate(make, null_streams, target_rate, param, bounds=bounds,
                           log_scale=log_scale)
        out[name] = make(**{param: result.value})
        report[name] = {
            "calibrated": True,
            "param": param,
            "value": result.value,
            "achieved_rate": result.achieved_rate,
            "target_rate": target_rate,
        }
    return out, report
