"""The record of one simulated deployment: what was served, when labels came, what happened.

A :class:`Trace` is columnar. Per sample (time is the sample index) it holds the
served prediction, whether it was correct, the model version that served it, the true
label, whether that label was ever revealed to the loop and at what time, and
optionally the predicted class probabilities and, for a replayed log, each sample's
timestamp (``time``). Beside the columns it holds an event
log of :class:`TraceEvent` records (alerts, retrains, gate decisions, deployments,
rollbacks, approvals, … with their times, costs and details) and a JSON-able ``meta``
dict (config, stream events, seed).

The deployment loop fills a :class:`TraceBuilder` batch by batch (numpy slices, no
Python per sample) and calls :meth:`TraceBuilder.build` at the end.

:meth:`Trace.save` writes one ``.npz`` file: the columns as arrays plus the events
and meta as UTF-8 JSON in the entry ``trace.json``. It is written to a temporary
file and renamed into place, so a reader never sees half a trace. :meth:`Trace.load`
reads it back exactly.

Examples
--------
>>> import numpy as np
>>> b = TraceBuilder()
>>> b.add_batch(0, prediction=[0, 1, 1], correct=None, model_version=1, y_true=[0, 1, 0])
>>> b.reveal_labels([0, 1], time=3)
>>> _ = b.log(2, "alert", detector="ddm")
>>> trace = b.build(meta={"seed": 7})
>>> trace.correct, trace.label_time
(array([ True,  True, False]), array([ 3,  3, -1]))
>>> trace.events
(TraceEvent(time=2, type='alert', details={'detector': 'ddm'}, cost=0.0),)
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from driftsim.files import atomic_write
from driftsim.validation import check_choice, check_in_range, check_int

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EVENT_TYPES", "Trace", "TraceBuilder", "TraceEvent"]

EVENT_TYPES: tuple[str, ...] = (
    "alert",  # a monitor signalled drift
    "warning",  # a monitor entered its warning zone
    "retrain_start",
    "retrain_end",
    "retrain_failed",
    "retrain_skipped",  # the policy wanted a retrain but it was not run (cooldown, budget)
    "gate_pass",  # the validation gate accepted a candidate
    "gate_fail",
    "deploy",  # a version became champion
    "rollback",
    "promotion",  # a challenger (shadow / A/B) promoted after its trial
    "shadow_start",
    "shadow_end",
    "ab_start",
    "ab_end",
    "approval_request",  # a deploy waits for the (simulated) human approver
    "approval",
    "rejection",  # the approver rejected the deploy
    "estimate",  # an estimated: monitor's check: label-free estimate beside the realised value
)

_FORMAT = "driftsim-trace"
_FORMAT_VERSION = 1
_JSON_KEY = "trace.json"

# name -> dtype of every per-sample column, in the order they are stored
_COLUMNS: dict[str, type] = {
    "prediction": np.int64,
    "correct": np.bool_,
    "model_version": np.int32,
    "y_true": np.int64,
    "label_revealed": np.bool_,
    "label_time": np.int64,
}


def _jsonable(value: Any, where: str) -> Any:
    """``value`` as plain JSON types (numpy scalars and arrays and tuples converted).

    The conversion happens when an event or meta is created, so the in-memory trace
    equals the one read back from disk.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist(), where)
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where} keys must be strings, got {key!r}")
            out[key] = _jsonable(item, f"{where}[{key!r}]")
        return out
    # any sequence (lists, tuples, OmegaConf ListConfig) but bytes, which JSON cannot hold
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        return [_jsonable(item, f"{where}[{i}]") for i, item in enumerate(value)]
    raise ValueError(
        f"{where} must be JSON-serialisable (None, bool, int, float, str, list, dict, "
        f"numpy scalar or array), got {type(value).__name__}: {value!r}"
    )


@dataclass(frozen=True)
class TraceEvent:
    """One entry of the event log.

    Parameters
    ----------
    time
        Sample index at which it happened.
    type
        One of :data:`EVENT_TYPES`.
    details
        JSON-serialisable facts about it (numpy values are converted to Python ones).
    cost
        What it cost under the run's cost model (finite, >= 0).

    Examples
    --------
    >>> import numpy as np
    >>> TraceEvent(120, "retrain_start", {"window": np.int64(300)}, cost=5)
    TraceEvent(time=120, type='retrain_start', details={'window': 300}, cost=5.0)
    >>> TraceEvent(1, "retrain")
    Traceback (most recent call last):
    ...
    ValueError: type must be one of ['alert', 'warning', 'retrain_start', ...], got 'retrain'
    """

    time: int
    type: str
    details: Mapping[str, Any] = field(default_factory=dict)
    cost: float = 0.0

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "time", check_int("time", self.time, low=0))
        check_choice("type", self.type, EVENT_TYPES)
        cost = check_in_range("cost", self.cost, low=0.0)
        if not np.isfinite(cost):
            raise ValueError(f"cost must be finite, got {cost!r}")
        set_(self, "cost", float(cost))
        if not isinstance(self.details, Mapping):
            raise ValueError(f"details must be a mapping, got {self.details!r}")
        set_(self, "details", MappingProxyType(_jsonable(self.details, "details")))

    def __repr__(self) -> str:
        return (
            f"TraceEvent(time={self.time}, type={self.type!r}, details={dict(self.details)}, "
            f"cost={self.cost})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # mappingproxy cannot be pickled; rebuild from a plain dict (joblib, deepcopy)
        return (TraceEvent, (self.time, self.type, dict(self.details), self.cost))

    def to_dict(self) -> dict[str, Any]:
        """The event as plain JSON types.

        Examples
        --------
        >>> TraceEvent(3, "deploy", {"version": 2}).to_dict()
        {'time': 3, 'type': 'deploy', 'cost': 0.0, 'details': {'version': 2}}
        """
        return {
            "time": self.time,
            "type": self.type,
            "cost": self.cost,
            "details": dict(self.details),
        }

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> TraceEvent:
        """The inverse of :meth:`to_dict`.

        Examples
        --------
        >>> e = TraceEvent(3, "deploy", {"version": 2}, cost=1.5)
        >>> TraceEvent.from_dict(e.to_dict()) == e
        True
        """
        return cls(
            time=record["time"],
            type=record["type"],
            details=record.get("details", {}),
            cost=record.get("cost", 0.0),
        )


def _readonly(values: Any, dtype: type, name: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.size and not np.can_cast(arr.dtype, dtype, casting="same_kind"):
        raise ValueError(f"{name} must have dtype {np.dtype(dtype).name}, got {arr.dtype}")
    # a view, so making it read-only never touches the caller's array
    out = arr.astype(dtype, copy=False).view()
    out.flags.writeable = False
    return out


@dataclass(frozen=True, eq=False)
class Trace:
    """Per-sample columns and the event log of one simulated deployment.

    Build one with :class:`TraceBuilder`; the constructor checks and freezes what it
    is given (arrays become read-only views).

    Attributes
    ----------
    prediction
        Served prediction per sample (int64 class codes).
    correct
        Whether the served prediction equalled the true label (bool).
    model_version
        Registry version that served each sample (int32).
    y_true
        True label per sample (int64), known to the simulator whether or not revealed.
    label_revealed
        Whether the loop ever saw the label (bool).
    label_time
        Sample index at which the label was revealed, ``-1`` if never (int64).
    proba
        Served class probabilities (float32, n×k) or ``None``.
    events
        The event log, in logging order.
    meta
        JSON-able run metadata: config, stream drift events, seed, ….
    time
        Each sample's timestamp (``datetime64[ns]``) when the stream has a time axis
        (a replayed log), else ``None``; an event at sample ``t`` happened at
        ``time[t]`` (:meth:`timestamp`).

    Examples
    --------
    >>> import numpy as np
    >>> t = Trace(prediction=[0, 1], correct=[True, False], model_version=[1, 1],
    ...           y_true=[0, 0], label_revealed=[True, False], label_time=[5, -1])
    >>> t.n_samples, t.accuracy()
    (2, 0.5)
    """

    prediction: np.ndarray
    correct: np.ndarray
    model_version: np.ndarray
    y_true: np.ndarray
    label_revealed: np.ndarray
    label_time: np.ndarray
    proba: np.ndarray | None = None
    events: tuple[TraceEvent, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)
    time: np.ndarray | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        n = None
        for name, dtype in _COLUMNS.items():
            arr = _readonly(getattr(self, name), dtype, name)
            if arr.ndim != 1 or (n is not None and arr.shape[0] != n):
                length = "" if n is None else f" with {n} entries"
                raise ValueError(f"{name} must be 1-d{length}, got shape {arr.shape}")
            n = arr.shape[0]
            set_(self, name, arr)
        if self.proba is not None:
            proba = _readonly(self.proba, np.float32, "proba")
            if proba.ndim != 2 or proba.shape[0] != n:
                raise ValueError(f"proba must have shape ({n}, n_classes), got {proba.shape}")
            set_(self, "proba", proba)
        _check_label_times(self.label_revealed, self.label_time, np.arange(n))
        set_(self, "events", _as_events(self.events))
        if not isinstance(self.meta, Mapping):
            raise ValueError(f"meta must be a mapping, got {self.meta!r}")
        set_(self, "meta", MappingProxyType(_jsonable(self.meta, "meta")))
        if self.time is not None:
            set_(self, "time", _time_column(self.time, n))

    # --------------------------------------------------------------- summaries

    @property
    def n_samples(self) -> int:
        """Number of served samples."""
        return int(self.prediction.shape[0])

    @property
    def total_cost(self) -> float:
        """Sum of the events' costs."""
        return float(sum(e.cost for e in self.events))

    def __repr__(self) -> str:
        versions = np.unique(self.model_version).tolist()
        return (
            f"Trace(n_samples={self.n_samples}, accuracy={self.accuracy():.4f}, "
            f"versions={versions}, events={len(self.events)}, "
            f"labels_revealed={int(self.label_revealed.sum())})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Trace):
            return NotImplemented
        if (self.proba is None) != (other.proba is None) or \
                (self.time is None) != (other.time is None):
            return False
        return (
            all(np.array_equal(getattr(self, c), getattr(other, c)) for c in _COLUMNS)
            and (self.proba is None or np.array_equal(self.proba, other.proba))
            and (self.time is None or np.array_equal(self.time, other.time))
            and self.events == other.events
            and dict(self.meta) == dict(other.meta)
        )

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        # mappingproxy cannot be pickled; rebuild from plain values (joblib, deepcopy)
        columns = tuple(getattr(self, c) for c in _COLUMNS)
        return (Trace, (*columns, self.proba, self.events, dict(self.meta), self.time))

    def events_of(self, type: str) -> tuple[TraceEvent, ...]:
        """The events of one type (one of :data:`EVENT_TYPES`), in logging order.

        Examples
        --------
        >>> b = TraceBuilder()
        >>> _ = b.log(5, "alert"), b.log(9, "deploy", version=2), b.log(12, "alert")
        >>> [e.time for e in b.build().events_of("alert")]
        [5, 12]
        """
        check_choice("type", type, EVENT_TYPES)
        return tuple(e for e in self.events if e.type == type)

    def timestamp(self, t: int) -> np.datetime64 | None:
        """The timestamp of sample ``t`` (where an event at ``t`` happened); None when
        the trace has no time axis.

        Examples
        --------
        >>> b = TraceBuilder()
        >>> b.add_batch(0, [0, 1], None, 1, [0, 1])
        >>> trace = b.build(time=np.array(["2024-03-01T09:00", "2024-03-01T09:30"],
        ...                               dtype="datetime64[ns]"))
        >>> str(trace.timestamp(1)), b.build().timestamp(1)
        ('2024-03-01T09:30:00.000000000', None)
        """
        if self.time is None:
            return None
        return self.time[check_int("t", t, low=0, high=self.n_samples - 1)]

    def accuracy(self) -> float:
        """Served accuracy over the whole trace (``nan`` if it is empty).

        Examples
        --------
        >>> TraceBuilder().build().accuracy()
        nan
        """
        return float(self.correct.mean()) if self.n_samples else float("nan")

    def rolling_accuracy(self, window: int, min_periods: int = 1) -> np.ndarray:
        """Served accuracy over the trailing ``window`` samples, at every sample.

        Entry ``i`` is the mean of ``correct[max(0, i - window + 1) : i + 1]``, as
        pandas' ``rolling(window, min_periods).mean()``; ``nan`` where fewer than
        ``min_periods`` samples are in the window.

        Examples
        --------
        >>> b = TraceBuilder()
        >>> b.add_batch(0, [0, 0, 0, 0], None, 1, [0, 1, 0, 0])
        >>> b.build().rolling_accuracy(2)
        array([1. , 0.5, 0.5, 1. ])
        >>> b.build().rolling_accuracy(2, min_periods=2)
        array([nan, 0.5, 0.5, 1. ])
        """
        window = check_int("window", window, low=1)
        min_periods = check_int("min_periods", min_periods, low=1, high=window)
        # integer prefix sums: every window sum is exact, no drift from float rounding
        csum = np.concatenate(([0], np.cumsum(self.correct, dtype=np.int64)))
        end = np.arange(1, self.n_samples + 1)
        start = np.maximum(end - window, 0)
        count = end - start
        out = (csum[end] - csum[start]) / count
        out[count < min_periods] = np.nan
        return out

    def to_frame(self) -> pd.DataFrame:
        """The per-sample columns as a pandas DataFrame indexed by ``time``.

        Probabilities, if any, become columns ``proba_0``, ``proba_1``, …; a time axis
        the column ``timestamp``.

        Examples
        --------
        >>> b = TraceBuilder()
        >>> b.add_batch(0, [1, 0], None, 3, [1, 1])
        >>> b.build().to_frame()
              prediction  correct  model_version  y_true  label_revealed  label_time
        time
        0              1     True              3       1           False          -1
        1              0    False              3       1           False          -1
        """
        import pandas as pd

        columns = {c: getattr(self, c) for c in _COLUMNS}
        if self.proba is not None:
            columns.update({f"proba_{j}": self.proba[:, j] for j in range(self.proba.shape[1])})
        if self.time is not None:
            columns["timestamp"] = self.time
        return pd.DataFrame(columns, index=pd.RangeIndex(self.n_samples, name="time"))

    def events_frame(self) -> pd.DataFrame:
        """The event log as a DataFrame with columns ``time``, ``type``, ``cost``, ``details``
        (and ``timestamp``, the sample's, when the trace has a time axis).

        Examples
        --------
        >>> b = TraceBuilder()
        >>> _ = b.log(4, "retrain_start", cost=2.0, window=100)
        >>> b.build().events_frame()
           time           type  cost          details
        0     4  retrain_start   2.0  {'window': 100}
        """
        import pandas as pd

        times = np.array([e.time for e in self.events], dtype=np.int64)
        frame = pd.DataFrame(
            {
                "time": times,
                "type": [e.type for e in self.events],
                "cost": np.array([e.cost for e in self.events], dtype=np.float64),
                "details": [dict(e.details) for e in self.events],
            }
        )
        if self.time is not None:
            # events logged at the stream's end (n) happened after its last sample
            frame["timestamp"] = self.time[np.minimum(times, self.n_samples - 1)]
        return frame

    # --------------------------------------------------------------------- I/O

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the trace to one ``.npz`` file, atomically; return its path.

        ``.npz`` is appended to ``path`` unless it already ends so. The columns are
        stored as arrays under their names (``proba`` only if present) and the events
        and meta as UTF-8 JSON in the entry ``trace.json``; no pickles, so
        ``numpy.load(path)`` reads it safely.

        Examples
        --------
        >>> import tempfile
        >>> b = TraceBuilder()
        >>> b.add_batch(0, [1, 0], None, 1, [1, 1])
        >>> trace = b.build(meta={"seed": 1})
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     path = trace.save(f"{tmp}/trace")
        ...     print(path.name, Trace.load(path) == trace)
        trace.npz True
        """
        path = _npz_path(path)
        payload = {
            "format": _FORMAT,
            "version": _FORMAT_VERSION,
            "events": [e.to_dict() for e in self.events],
            "meta": dict(self.meta),
        }
        arrays = {c: np.asarray(getattr(self, c)) for c in _COLUMNS}
        if self.proba is not None:
            arrays["proba"] = np.asarray(self.proba)
        if self.time is not None:
            arrays["time"] = np.asarray(self.time)
        arrays[_JSON_KEY] = np.frombuffer(json.dumps(payload).encode("utf-8"), dtype=np.uint8)
        # np.savez keeps a name that ends in .npz, which the temporary name does
        atomic_write(path, lambda tmp: np.savez_compressed(tmp, **arrays))
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Trace:
        """Read a trace written by :meth:`save` (``.npz`` is appended as in ``save``).

        Examples
        --------
        >>> Trace.load("/nonexistent/trace")
        Traceback (most recent call last):
        ...
        FileNotFoundError: trace file '/nonexistent/trace.npz' does not exist
        """
        path = _npz_path(path)
        if not path.is_file():
            raise FileNotFoundError(f"trace file {str(path)!r} does not exist")
        try:
            return cls._read(path)
        except (ValueError, KeyError, OSError, EOFError, zipfile.BadZipFile,
                UnicodeDecodeError) as exc:
            if isinstance(exc, ValueError) and str(exc).startswith(str(path)):
                raise  # already ours
            raise ValueError(
                f"{path} is not a readable driftsim trace (.npz written by Trace.save): "
                f"{type(exc).__name__}: {exc}"
            ) from exc

    @classmethod
    def _read(cls, path: Path) -> Trace:
        with np.load(path, allow_pickle=False) as data:
            if _JSON_KEY not in data.files:
                raise ValueError(f"{path} is not a driftsim trace (no {_JSON_KEY!r} entry)")
            payload = json.loads(data[_JSON_KEY].tobytes().decode("utf-8"))
            if not isinstance(payload, dict) or payload.get("format") != _FORMAT \
                    or payload.get("version") != _FORMAT_VERSION:
                raise ValueError(
                    f"{path} holds format {payload.get('format')!r} version "
                    f"{payload.get('version')!r}; this driftsim reads {_FORMAT!r} version "
                    f"{_FORMAT_VERSION}"
                )
            columns = {c: data[c] for c in _COLUMNS}
            proba = data["proba"] if "proba" in data.files else None
            time = data["time"] if "time" in data.files else None
        return cls(
            **columns,
            proba=proba,
            events=tuple(TraceEvent.from_dict(e) for e in payload["events"]),
            meta=payload["meta"],
            time=time,
        )


def _npz_path(path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def _time_column(values: Any, n: int) -> np.ndarray:
    """The timestamps as a read-only ``datetime64[ns]`` column of ``n`` sorted entries."""
    try:
        stamps = np.asarray(values, dtype="datetime64[ns]")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"time must hold timestamps (datetime64), got {values!r:.80}") from exc
    if stamps.shape != (n,):
        raise ValueError(f"time must be 1-d with {n} entries (one per sample), got shape "
                         f"{stamps.shape}")
    if np.isnat(stamps).any() or (stamps[1:] < stamps[:-1]).any():
        raise ValueError("time must be sorted timestamps without NaT (a replay plays its "
                         "rows in time order)")
    stamps = stamps.view()
    stamps.flags.writeable = False
    return stamps


def _check_label_times(revealed: np.ndarray, label_time: np.ndarray, index: np.ndarray) -> None:
    """Raise unless hidden labels have time -1 and revealed ones a time >= their sample."""
    hidden_bad = ~revealed & (label_time != -1)
    shown_bad = revealed & (label_time < index)
    for bad, rule in ((hidden_bad, "-1 (never revealed)"), (shown_bad, ">= its sample index")):
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"label_time[{i}] = {int(label_time[i])} for a label with revealed="
                f"{bool(revealed[i])}; it must be {rule}"
            )


class TraceBuilder:
    """Collects a trace batch by batch; :meth:`build` freezes it into a :class:`Trace`.

    Columns live in numpy arrays that grow by doubling (or are preallocated when
    ``n_samples`` is known), and every method works on whole slices, so the cost per
    batch does not depend on Python work per sample.

    Parameters
    ----------
    n_samples
        Expected trace length, to preallocate; ``None`` to grow as needed. It is a
        hint, not a limit.

    Examples
    --------
    >>> b = TraceBuilder(n_samples=4)
    >>> b.add_batch(0, [0, 1], None, 1, [0, 0])
    >>> b.add_batch(2, [1, 1], [True, True], [1, 2], [1, 1])
    >>> b.n_samples
    4
    >>> b.build().model_version
    array([1, 1, 1, 2], dtype=int32)
    """

    def __init__(self, n_samples: int | None = None) -> None:
        capacity = 1024 if n_samples is None else check_int("n_samples", n_samples, low=0)
        self._n = 0
        self._cols = {name: np.empty(capacity, dtype=dtype) for name, dtype in _COLUMNS.items()}
        self._proba: np.ndarray | None = None
        self._has_proba: bool | None = None  # decided by the first non-empty batch
        self._events: list[TraceEvent] = []

    @property
    def n_samples(self) -> int:
        """Samples added so far (the ``start`` the next batch must have)."""
        return self._n

    @property
    def events(self) -> tuple[TraceEvent, ...]:
        """Events logged so far."""
        return tuple(self._events)

    def add_batch(
        self,
        start: int,
        prediction: Any,
        correct: Any,
        model_version: Any,
        y_true: Any,
        proba: Any = None,
    ) -> None:
        """Append the samples ``start, start + 1, …`` served in one batch.

        Parameters
        ----------
        start
            Index of the batch's first sample; must equal :attr:`n_samples`
            (batches are contiguous and in order).
        prediction, y_true
            Integer class codes, one per sample.
        correct
            Bools, one per sample, or ``None`` to use ``prediction == y_true``.
        model_version
            The serving version: one int for the batch, or one per sample.
        proba
            Served class probabilities (m×k) or ``None``; every batch of a trace must
            give them or none may.

        Examples
        --------
        >>> b = TraceBuilder()
        >>> b.add_batch(1, [0], None, 1, [0])
        Traceback (most recent call last):
        ...
        ValueError: batch start must be 0 (the next sample), got 1
        """
        start = check_int("start", start, low=0)
        if start != self._n:
            raise ValueError(f"batch start must be {self._n} (the next sample), got {start}")
        pred = _int_column("prediction", prediction)
        m = pred.shape[0]
        truth = _int_column("y_true", y_true, m)
        if correct is None:
            ok = pred == truth
        else:
            ok = np.asarray(correct)
            if ok.dtype != np.bool_ or ok.shape != (m,):
                raise ValueError(
                    f"correct must be {m} bools (or None), got dtype {ok.dtype}, shape {ok.shape}"
                )
        version = np.asarray(model_version)
        if not np.issubdtype(version.dtype, np.integer) or version.shape not in ((), (m,)):
            raise ValueError(
                f"model_version must be one int or {m} ints, got {version.dtype} "
                f"with shape {version.shape}"
            )
        proba_arr = None if proba is None else np.asarray(proba, dtype=np.float32)
        if proba_arr is not None and (proba_arr.ndim != 2 or proba_arr.shape[0] != m):
            raise ValueError(f"proba must have shape ({m}, n_classes), got {proba_arr.shape}")
        if m == 0:
            return
        self._check_proba_presence(proba_arr)
        self._reserve(self._n + m, None if proba_arr is None else proba_arr.shape[1])
        end = self._n + m
        cols = self._cols
        cols["prediction"][self._n : end] = pred
        cols["correct"][self._n : end] = ok
        cols["model_version"][self._n : end] = version
        cols["y_true"][self._n : end] = truth
        cols["label_revealed"][self._n : end] = False
        cols["label_time"][self._n : end] = -1
        if proba_arr is not None:
            self._proba[self._n : end] = proba_arr
        self._n = end

    def reveal_labels(self, indices: Any, time: Any) -> None:
        """Mark the labels of samples ``indices`` as revealed at ``time``.

        ``time`` is one sample index or one per index. A label is revealed once, and
        not before its sample was served: both are checked, and a violation raises
        ``ValueError`` naming the first offending sample.

        Examples
        --------
        >>> b = TraceBuilder()
        >>> b.add_batch(0, [0, 1, 1], None, 1, [0, 1, 1])
        >>> b.reveal_labels([0, 2], time=[4, 6])
        >>> b.build().label_time
        array([ 4, -1,  6])
        >>> b.reveal_labels([2], time=7)
        Traceback (most recent call last):
        ...
        ValueError: the label of sample 2 was already revealed at time 6
        """
        idx = np.asarray(indices)
        if idx.size == 0:
            return
        if not np.issubdtype(idx.dtype, np.integer) or idx.ndim != 1:
            raise ValueError(f"indices must be a 1-d array of ints, got {idx.dtype} {idx.shape}")
        bad = (idx < 0) | (idx >= self._n)
        if bad.any():
            raise ValueError(
                f"sample {int(idx[bad][0])} has not been served; indices must lie in "
                f"0..{self._n - 1}"
            )
        t = np.asarray(time)
        if not np.issubdtype(t.dtype, np.integer) or t.shape not in ((), idx.shape):
            raise ValueError(f"time must be one int or {idx.size} ints, got {t.dtype} {t.shape}")
        t = np.broadcast_to(t, idx.shape)
        early = t < idx
        if early.any():
            i = int(np.flatnonzero(early)[0])
            raise ValueError(
                f"the label of sample {int(idx[i])} cannot be revealed at time {int(t[i])}, "
                "before the sample was served"
            )
        revealed, label_time = self._cols["label_revealed"], self._cols["label_time"]
        seen = revealed[idx]
        if seen.any():
            i = int(idx[seen][0])
            raise ValueError(
                f"the label of sample {i} was already revealed at time {int(label_time[i])}"
            )
        # the loop reveals increasing runs of samples; only other orders need the sort
        if idx.size > 1 and not (idx[1:] > idx[:-1]).all() and np.unique(idx).size != idx.size:
            raise ValueError("indices must not repeat a sample")
        revealed[idx] = True
        label_time[idx] = t

    def log(self, time: int, type: str, cost: float = 0.0, **details: Any) -> TraceEvent:
        """Append an event (``type`` one of :data:`EVENT_TYPES`) and return it.

        Examples
        --------
        >>> b = TraceBuilder()
        >>> b.log(40, "gate_fail", cost=1.0, candidate=3, accuracy=0.71)
        TraceEvent(time=40, type='gate_fail', details={'candidate': 3, 'accuracy': 0.71}, cost=1.0)
        """
        event = TraceEvent(time=time, type=type, details=details, cost=cost)
        self._events.append(event)
        return event

    def build(self, meta: Mapping[str, Any] | None = None, time: Any = None) -> Trace:
        """Freeze what was collected into a :class:`Trace` (copies; the builder goes on).

        ``time``: the samples' timestamps (one per sample), for a stream with a time
        axis; else None.

        Examples
        --------
        >>> TraceBuilder().build(meta={"seed": 0})
        Trace(n_samples=0, accuracy=nan, versions=[], events=0, labels_revealed=0)
        """
        n = self._n
        cols = {name: arr[:n].copy() for name, arr in self._cols.items()}
        proba = None if self._proba is None else self._proba[:n].copy()
        return Trace(**cols, proba=proba, events=tuple(self._events), meta=meta or {},
                     time=None if time is None else np.array(time[:n]))

    def _check_proba_presence(self, proba: np.ndarray | None) -> None:
        has = proba is not None
        if self._has_proba is None:
            self._has_proba = has
        elif has != self._has_proba:
            said = "gave" if self._has_proba else "did not give"
            raise ValueError(f"earlier batches {said} proba; every batch must give it or none may")
        elif has and proba.shape[1] != self._proba.shape[1]:
            raise ValueError(
                f"proba has {proba.shape[1]} columns; earlier batches had {self._proba.shape[1]}"
            )

    def _reserve(self, needed: int, n_classes: int | None) -> None:
        capacity = self._cols["prediction"].shape[0]
        if n_classes is not None and self._proba is None:
            self._proba = np.empty((capacity, n_classes), dtype=np.float32)
        if needed <= capacity:
            return
        new = max(needed, 2 * capacity)
        for name, arr in self._cols.items():
            grown = np.empty(new, dtype=arr.dtype)
            grown[: self._n] = arr[: self._n]
            self._cols[name] = grown
        if self._proba is not None:
            grown = np.empty((new, self._proba.shape[1]), dtype=np.float32)
            grown[: self._n] = self._proba[: self._n]
            self._proba = grown


def _int_column(name: str, values: Any, length: int | None = None) -> np.ndarray:
    arr = np.asarray(values)
    if arr.size == 0 and arr.ndim == 1:
        arr = arr.astype(np.int64)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(
            f"{name} must be a 1-d array of integer class codes, got {arr.dtype} "
            f"with shape {arr.shape}"
        )
    if length is not None and arr.shape[0] != length:
        raise ValueError(f"{name} has {arr.shape[0]} entries; prediction has {length}")
    return arr


def _as_events(events: Iterable[TraceEvent | Mapping[str, Any]]) -> tuple[TraceEvent, ...]:
    return tuple(e if isinstance(e, TraceEvent) else TraceEvent.from_dict(e) for e in events)
