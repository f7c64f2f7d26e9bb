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

Per-value speed: a detector may also set ``_step``, a compiled function that feeds one
value to that same kernel through one-slot views of a preallocated buffer (no
allocation; the buffer is passed by address, see :mod:`detectors._compiled`), so that
``update`` costs a few hundred nanoseconds instead of a kernel call over a fresh array.
Detectors whose next values provably cannot fire (ADWIN between clock ticks, FHDDM far
from its bound, EDDM on correct predictions) queue them and feed the queue with the next
value that can, which is the same computation in a different grouping;
:meth:`BaseStreamingDetector._sync` feeds the queue before anything reads the state.
"""

from __future__ import annotations

import array
from typing import Any, ClassVar, Protocol, Self, runtime_checkable

import numpy as np

from detectors.tags import TagDefaults
from driftsim.params import ParamsMixin
from driftsim.validation import check_finite_array

__all__ = [
    "BaseStreamingDetector",
    "DriftDetector",
    "QueueingDetector",
    "StreamingDetector",
    "family",
]

_EMPTY = np.empty(0, dtype=np.int64)


def _not_a_number(detector: BaseStreamingDetector, x: object) -> ValueError:
    return ValueError(f"{type(detector).__name__}.update takes one number, got {x!r}")


def _bad_value(detector: BaseStreamingDetector, value: float) -> ValueError:
    if value - value != 0.0:
        return ValueError(
            f"xs contains a non-finite value ({value}) at position 0; all values must be finite"
        )
    return ValueError(
        f"{type(detector).__name__} takes binary input (0 or 1); got {value!r} at position 0"
    )


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


def family(obj: Any) -> str | None:
    """The detector family of ``obj`` (an object or a class), by protocol.

    ``"streaming"`` for a :class:`StreamingDetector`, ``"window"`` for a
    :class:`~detectors.window.base.WindowTest`, ``None`` for anything else. This is
    the one way driftsim sorts detectors (the conformance suite, the tags, monitors).

    Examples
    --------
    >>> from detectors import ADWIN, KS
    >>> family(ADWIN()), family(KS), family(object())
    ('streaming', 'window', None)
    """
    from detectors.window.base import WindowTest  # the window package imports this one

    if isinstance(obj, StreamingDetector):
        return "streaming"
    if isinstance(obj, WindowTest):
        return "window"
    return None


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
    #: compiled ``(value, address of self._buf) -> code``: 1 the value triggered a
    #: drift, 2 it left the detector in its warning zone, 0 neither (``None``: update
    #: runs ``_process`` on a one-value array)
    _step: ClassVar[Any] = None

    # --- state -------------------------------------------------------------------
    def _reset(self) -> None:
        self._drift_detected = False
        self._warning_detected = False
        # instance copies of class attributes: cheaper to read on every update
        self._binary_input = self.binary
        self._step_fn = self._step

    def _bind(self) -> None:
        """Point the views of ``self._buf`` and its address at the current buffer.

        Detectors with a ``_step`` build ``_buf`` in ``_reset`` and then call this; a
        subclass extends it with its own views (e.g. ``_state``) of the buffer.
        """
        buf = self._buf
        if buf.dtype != np.float64 or buf.ndim != 1 or not buf.flags.c_contiguous:
            raise TypeError("a step buffer must be a contiguous 1-d float64 array")
        self._addr = int(buf.ctypes.data)

    def __setstate__(self, state: dict[str, Any]) -> None:
        # pickling and deep copies rebuild arrays one by one: views of the buffer come
        # back as separate copies, and the stored address is stale
        self.__dict__.update(state)
        if "_addr" in state:
            self._bind()

    def _sync(self) -> None:
        """Feed values queued by a deferring ``update`` (none by default)."""

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
        self._sync()
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
            raise _not_a_number(self, x) from exc
        if self._binary_input:
            if value != 0.0 and value != 1.0:  # NaN and ±inf included
                raise _bad_value(self, value)
        elif value - value != 0.0:  # 0.0 for every finite float, NaN otherwise
            raise _bad_value(self, value)
        step = self._step_fn
        if step is None:
            self._sync()
            drifts, _, in_warning = self._process(np.array([value]))
            self._drift_detected = drift = bool(drifts.size)
            self._warning_detected = bool(in_warning) and not drift
            return drift
        code = step(value, self._addr)
        self._drift_detected = drift = code == 1
        self._warning_detected = code == 2
        return drift


class QueueingDetector(BaseStreamingDetector):
    """A detector that queues values which provably cannot trigger a drift.

    Some methods can tell, from their state, how many more values may arrive before
    one could possibly fire (ADWIN tests only every ``clock`` values; FHDDM's gap
    between the best and the current share of ones grows by at most ``1 / n`` per
    value). ``update`` appends those values to a queue and returns ``False`` at once;
    the value that could fire is fed together with the queue, through the same
    compiled kernel as :meth:`update_many`. Feeding a stream in a different grouping
    gives the same result, so the detections are those of one call over the stream.

    A subclass sets ``_feed``, compiled ``(queue, *self._feed_args) -> fired + 2 * due``,
    where ``due`` is how many values, counting the one that may fire, the next feed
    should wait for; it has no warning zone. State read-outs call :meth:`_sync` first.

    Examples
    --------
    >>> from detectors import ADWIN
    >>> isinstance(ADWIN(), QueueingDetector)
    True
    """

    _feed: ClassVar[Any] = None

    def _reset(self) -> None:
        super()._reset()
        self._pending = array.array("d")
        self._due = 1
        self._feed_fn = self._feed

    def _sync(self) -> None:
        """Feed the queued values; none of them fires, by construction."""
        if self._pending:
            drifts, _, _ = self._process(np.array(self._pending))
            if drifts.size:  # pragma: no cover - would be a bug in a subclass's ``due``
                raise AssertionError(f"a queued value fired at {drifts}")
            del self._pending[:]
        self._due = 1  # whatever runs next changes the state: feed the next value

    def update(self, x: float) -> bool:
        """Feed one value; return whether it triggered a drift (also in ``drift_detected``).

        Queued when it provably cannot fire; otherwise fed, with the queue, to the
        same kernel as :meth:`update_many`.
        """
        try:
            value = float(x)
        except (TypeError, ValueError) as exc:
            raise _not_a_number(self, x) from exc
        if self._binary_input:
            if value != 0.0 and value != 1.0:  # NaN and ±inf included
                raise _bad_value(self, value)
        elif value - value != 0.0:  # 0.0 for every finite float, NaN otherwise
            raise _bad_value(self, value)
        pending = self._pending
        pending.append(value)
        if len(pending) < self._due:
            self._drift_detected = False
            return False
        code = self._feed_fn(pending, *self._feed_args)
        del pending[:]
        self._due = code >> 1
        self._drift_detected = drift = (code & 1) == 1
        return drift
