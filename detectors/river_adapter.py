"""Run river's drift detectors through driftsim's streaming-detector interface.

:func:`river_detections` feeds an array to a river detector one value at a time and
collects the steps that signalled a drift (and a warning); it is the reference loop
the agreement tests compare our compiled detectors with. :class:`RiverDetector` wraps
any river drift detector so that it can stand wherever a driftsim detector does.

river is imported only when a river detector is wrapped, so importing
:mod:`detectors` stays cheap.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

import numpy as np

from driftsim.validation import check_finite_array

__all__ = ["RiverDetector", "river_detections"]


def _validated(xs: Any, binary: bool, who: str) -> np.ndarray:
    arr = check_finite_array("xs", xs)
    if arr.ndim != 1:
        raise ValueError(f"xs must be one-dimensional, got shape {arr.shape}")
    if binary:
        bad = np.flatnonzero((arr != 0.0) & (arr != 1.0))
        if bad.size:
            raise ValueError(
                f"{who} takes binary input (0 or 1); got {float(arr[bad[0]])!r} at position "
                f"{int(bad[0])}"
            )
    return arr


def river_detections(
    detector: Any, xs: Any, *, warnings: bool = False
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Feed ``xs`` to a river drift detector element by element; return the drift steps.

    The detector's state carries over (it is not reset first). Warning steps are those
    after which ``warning_detected`` is true and ``drift_detected`` is not, driftsim's
    convention (river's EDDM can leave its warning flag up on the step that signals a
    drift). Detectors without ``warning_detected`` have no warning steps.

    Parameters
    ----------
    detector
        A river drift detector (anything with ``update(x)`` and ``drift_detected``).
    xs
        One-dimensional array of finite values; they are passed to river as Python
        floats.
    warnings
        Also return the warning steps.

    Returns
    -------
    numpy.ndarray or tuple of numpy.ndarray
        int64 drift indices, or ``(drift_indices, warning_indices)``.

    Examples
    --------
    >>> import numpy as np
    >>> from river.drift.binary import DDM as RiverDDM
    >>> rng = np.random.default_rng(7)
    >>> errors = np.concatenate([rng.random(2000) < 0.1, rng.random(2000) < 0.3])
    >>> river_detections(RiverDDM(), errors)
    array([2226])
    """
    arr = _validated(xs, False, type(detector).__name__)
    has_warning = hasattr(detector, "warning_detected")
    drifts: list[int] = []
    warns: list[int] = []
    for i, x in enumerate(arr.tolist()):
        detector.update(x)
        if detector.drift_detected:
            drifts.append(i)
        elif has_warning and detector.warning_detected:
            warns.append(i)
    drift_idx = np.array(drifts, dtype=np.int64)
    if warnings:
        return drift_idx, np.array(warns, dtype=np.int64)
    return drift_idx


class RiverDetector:
    """Any river drift detector behind driftsim's streaming-detector interface.

    ``update_many`` is a Python loop over river's ``update`` (about a microsecond per
    value), so this is the reference and the comparison point, not the fast path.
    Input is validated as for driftsim's own detectors: NaN or inf raise
    ``ValueError`` naming the position, and river's binary detectors (subclasses of
    ``river.base.BinaryDriftDetector``) accept only 0 and 1.

    Parameters
    ----------
    river_detector
        A river drift detector, e.g. ``river.drift.ADWIN()``.

    Examples
    --------
    >>> import numpy as np
    >>> from river.drift import PageHinkley as RiverPageHinkley
    >>> detector = RiverDetector(RiverPageHinkley())
    >>> detector
    RiverDetector(PageHinkley (...))
    >>> rng = np.random.default_rng(42)
    >>> xs = np.concatenate([rng.normal(0, 1, 1000), rng.normal(3, 1, 1000)])
    >>> detector.update_many(xs)
    array([1011, 1920])
    """

    # what the class is: see detectors.tags
    sensitivity = None  # depends on the wrapped river detector
    calibration = None
    is_baseline = False
    signal = None
    expected_failures: ClassVar[dict[str, str]] = {
        "check_params_roundtrip": (
            "get_params forwards the wrapped river detector's own parameters, which "
            "rebuild the river object, not the wrapper"
        ),
    }

    @classmethod
    def test_params(cls) -> dict[str, Any]:
        """Constructor arguments for the conformance suite: river's Page-Hinkley."""
        from river.drift import PageHinkley as RiverPageHinkley

        return {"river_detector": RiverPageHinkley()}

    def __init__(self, river_detector: Any) -> None:
        from river.base import BinaryDriftDetector

        if not (hasattr(river_detector, "update") and hasattr(river_detector, "drift_detected")):
            raise ValueError(
                "river_detector must be a river drift detector (with update() and "
                f"drift_detected), got {river_detector!r}"
            )
        self.river_detector = river_detector
        self.binary = isinstance(river_detector, BinaryDriftDetector)
        self.has_warning = hasattr(river_detector, "warning_detected")

    @property
    def drift_detected(self) -> bool:
        """Whether the last update signalled a drift (river's flag)."""
        return bool(self.river_detector.drift_detected)

    @property
    def warning_detected(self) -> bool:
        """Whether the detector is in its warning zone (``False`` when river has none).

        As in :func:`river_detections`, a step that signals a drift is not a warning step.
        """
        if not self.has_warning or self.drift_detected:
            return False
        return bool(self.river_detector.warning_detected)

    def update(self, x: float) -> bool:
        """Feed one value; return whether it triggered a drift."""
        self.update_many(np.array([x], dtype=np.float64))
        return self.drift_detected

    def update_many(
        self, xs: Any, *, warnings: bool = False
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Feed a whole array, one value at a time; return the drift indices.

        See :meth:`detectors.base.BaseStreamingDetector.update_many`.
        """
        arr = _validated(xs, self.binary, type(self.river_detector).__name__)
        return river_detections(self.river_detector, arr, warnings=warnings)

    def reset(self) -> None:
        """Reset the river detector (its ``_reset()``) and clear both flags."""
        self.river_detector._reset()
        # river's FHDDM._reset leaves _drift_detected as it was; clear the flags so the
        # wrapper looks fresh whatever the detector.
        for flag in ("_drift_detected", "_warning_detected"):
            if hasattr(self.river_detector, flag):
                setattr(self.river_detector, flag, False)

    def clone(self) -> Self:
        """A fresh wrapper around river's ``clone()`` of the detector."""
        return type(self)(self.river_detector.clone())

    def get_params(self) -> dict[str, Any]:
        """The river detector's parameters (river's ``_get_params()``)."""
        return self.river_detector._get_params()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.river_detector!r})"
