"""Calibrate a run's detectors to one false-alarm rate before it runs.

Default thresholds make detectors incomparable. With ``calibration.target_rate`` set
(``experiment=calibrated``), each streaming detector's sensitivity parameter is chosen
by :func:`detectors.calibrate` so that, on drift-free error streams of the model the
run serves, it raises ``target_rate`` false alarms per 1,000 samples. Detection delays
are then compared at equal false-alarm rates.

The null streams are the served model's 0/1 errors on a long drift-free stream from
the same dataset (another seed), with the model trained as the loop trains its first
model, so the calibration sees the error rate the detectors will see before a drift.

Which parameter is searched, within which bounds, and which parameters move with it
(a warning level) is declared on each detector class: its ``sensitivity`` and
``calibration`` (see :mod:`detectors.tags`).

Examples
--------
>>> from detectors import EDDM
>>> EDDM.sensitivity.param, EDDM.calibration.bounds
('beta', (0.01, 0.999))
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from detectors import calibrate
from detectors.tags import sensitivity_of

__all__ = ["calibrate_detectors", "null_error_streams"]


def _rebuild(cls: type, params: dict[str, Any], param: str, **value: float) -> Any:
    """A detector with ``param`` set and its coupled parameters kept consistent."""
    return cls(**cls.sensitivity.params_at(params, value[param]))


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

    Detectors whose class declares no ``calibration`` (baselines, window tests, a
    detector from elsewhere) are returned unchanged and reported as such.

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
        spec = getattr(type(detector), "calibration", None)
        sensitivity = sensitivity_of(detector)
        if spec is None or sensitivity is None:
            out[name] = detector
            report[name] = {"calibrated": False}
            continue
        param = sensitivity.param
        make = functools.partial(_rebuild, type(detector), detector.get_params(), param)
        result = calibrate(make, null_streams, target_rate, param, bounds=spec.bounds,
                           log_scale=spec.log_scale)
        out[name] = make(**{param: result.value})
        report[name] = {
            "calibrated": True,
            "param": param,
            "value": result.value,
            "achieved_rate": result.achieved_rate,
            "target_rate": target_rate,
        }
    return out, report
