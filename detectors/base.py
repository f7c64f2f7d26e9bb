"""The streaming-detector interface and the base class every compiled detector builds on.

Two protocols describe what the rest of driftsim relies on:

* :class:`DriftDetector` — the minimal, river-compatible surface (``update`` and
  ``drift_detected``). river's own detectors satisfy it unchanged.
* :class:`StreamingDetector` — the full driftsim surface: ``update_many`` (the fast
  path), ``reset``, ``clone`` and ``get_params``.

:class:`BaseStreamingDetector` implements everything but the method itself. A subclass
stores its constructor arguments under their own names, builds its mutable state in
``_reset`` (numpy arrays that a numba kernel updates in place) and implements
``_process(xs)``, which runs the kernel over a float64 array and returns the drift
indices, the warning indices and whether the last element left the detector in its
warning zone. ``update(x)`` goes through the same kernel, so there is exactly one
implementation of each method.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, Protocol, Self, runtime_checkable

import numpy as np

from detectors.tags import TagDefaults
from driftsim.params import ParamsMixin
from driftsim.validation import check_finite_array

__all__ = [
    "BaseStreamingDetector",
    "DriftDetector",
    "StreamingDetector",
]

_EMPTY = np.empty(0, dtype=np.int64)


@runtime_checkable
class DriftDetector(Protocol):
    """The river-compatible core: anything with ``update(x)`` and ``drift_detected``.

    Examples
    --------
    >>> from river.drift import PageHinkley as RiverPH
    >>> isinstance(RiverPH(), DriftDetector)
    True
    """

    def update(self, x: float) -> Any: ...

    @property
    def drift_detected(self) -> bool: ...


@runtime_checkable
class StreamingDetector(DriftDetector, Protocol):
    """A driftsim streaming detector: river's surface plus the array fast path.

    Examples
    --------
    >>> from detectors.page_hinkley import PageHinkley
    >>> isinstance(PageHinkley(), StreamingDetector)
    True
    """

    def update_many(self, xs: Any, *, warnings: bool = False) -> Any: ...

    def reset(self) -> None: ...

    def clone(self) -> Self: ...

    def get_params(self) -> dict[str, Any]: ...


class BaseStreamingDetector(ParamsMixin, TagDefaults):
    """Shared machinery of the compiled streaming detectors.

    Subclasses set the class attributes ``binary`` (input must be 0/1) and
    ``has_warning`` (the method has a warning zone), store every ``__init__`` argument
    under its own name, call ``self._reset()`` at the end of ``__init__``, and
    implement ``_reset`` (calling ``super()._reset()``) and ``_process``.

    After a detection the detector restarts, as river's detectors do, so the indices
    returned by ``update_many`` do not depend on how the stream is chunked.

    Examples
    --------
    >>> from detectors import DDM
    >>> isinstance(DDM(), BaseStreamingDetector), DDM.binary, DDM.has_warning
    (True, True, True)
    """

    binary: ClassVar[bool] = False
    has_warning: ClassVar[bool] = False

    # --- state -------------------------------------------------------------------
    def _reset(self) -> None:
        self._drift_detected = False
        self._warning_detected = False

    def reset(self) -> None:
        """Forget everything seen so far: the detector equals a freshly built one."""
        self._reset()

    @property
    def drift_detected(self) -> bool:
        """Whether the last update signalled a drift."""
        return self._drift_detected

    @property
    def warning_detected(self) -> bool:
        """Whether the detector was in its warning zone after the last update.

        Always ``False`` for methods without a warning zone.
        """
        return self._warning_detected

    # --- the method ----------------------------------------------------------------
    def _process(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        """Consume ``xs`` (validated float64, non-empty); return drift indices,
        warning indices and whether the last element ended in the warning zone."""
        raise NotImplementedError

    @staticmethod
    def _run_kernel(
        kernel: Any, xs: np.ndarray, *args: Any
    ) -> tuple[np.ndarray, np.ndarray, tuple]:
        """Call ``kernel(xs, *args, drift_out, warning_out)``, which writes indices into
        the two preallocated arrays and returns ``(n_drift, n_warn, *extra)``; return
        the filled parts and ``extra``."""
        drifts = np.empty(xs.shape[0], dtype=np.int64)
        warns = np.empty(xs.shape[0], dtype=np.int64)
        n_drift, n_warn, *extra = kernel(xs, *args, drifts, warns)
        return drifts[:n_drift].copy(), warns[:n_warn].copy(), tuple(extra)

    def update_many(
        self, xs: Any, *, warnings: bool = False
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Feed a whole array; return the indices (into ``xs``) where drift was detected.

        State carries across calls, so feeding a stream in one call, in chunks, or
        element by element through :meth:`update` gives the same detections.

        Parameters
        ----------
        xs
            One-dimensional array of finite values (0/1 for binary detectors).
        warnings
            Also return the indices at which the detector was in its warning zone.

        Returns
        -------
        numpy.ndarray or tuple of numpy.ndarray
            int64 drift indices, or ``(drift_indices, warning_indices)``.
        """
        arr = check_finite_array("xs", xs)
        if arr.ndim != 1:
            raise ValueError(f"xs must be one-dimensional, got shape {arr.shape}")
        if self.binary:
            bad = np.flatnonzero((arr != 0.0) & (arr != 1.0))
            if bad.size:
                raise ValueError(
                    f"{type(self).__name__} takes binary input (0 or 1); "
                    f"got {float(arr[bad[0]])!r} at position {int(bad[0])}"
                )
        if arr.size == 0:
            return (_EMPTY, _EMPTY) if warnings else _EMPTY
        drifts, warns, in_warning = self._process(arr)
        self._drift_detected = bool(drifts.size) and int(drifts[-1]) == arr.size - 1
        self._warning_detected = bool(in_warning) and not self._drift_detected
        return (drifts, warns) if warnings else drifts

    def update(self, x: float) -> bool:
        """Feed one value; return whether it triggered a drift (also in ``drift_detected``).

        The same kernel as :meth:`update_many`, without the array checks: a scalar is
        validated directly.
        """
        try:
            value = float(x)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"{type(self).__name__}.update takes one number, got {x!r}"
            ) from exc
        if not math.isfinite(value):
            raise ValueError(
                f"xs contains a non-finite value ({value}) at position 0; all values must be finite"
            )
        if self.binary and value != 0.0 and value != 1.0:
            raise ValueError(
                f"{type(self).__name__} takes binary input (0 or 1); got {value!r} at position 0"
            )
        drifts, _, in_warning = self._process(np.array([value]))
        self._drift_detected = bool(drifts.size)
        self._warning_detected = bool(in_warning) and not self._drift_detected
        return self._drift_detected
