"""Score one simulated run: its alerts against the drift events, and its recovery.

Examples
--------
>>> from simulator.trace import TraceBuilder
>>> b = TraceBuilder()
>>> b.add_batch(0, [0] * 100, None, 1, [0] * 50 + [1] * 50)
>>> _ = b.log(60, "alert", monitor="error")
>>> trace = b.build(meta={"stream_events": [{"onset": 50, "end": 50, "harmful": True}]})
>>> alert_times(trace)
array([60])
>>> s = score_run(trace, horizon=20, window=10)
>>> s["detection_delay_mean"], s["false_alarms"], s["accuracy"], s["not_recovered"]
(10.0, 0, 0.5, 1)
>>> s
RunScores(alerts of any monitor: accuracy 0.5, false alarms/1k 0, mean delay 10,
          missed 0/1, accuracy lost 45.5, retrains 0)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from driftsim.validation import check_int
from experiments.metrics.detection import score_detections
from experiments.metrics.recovery import _events_of, recovery
from simulator.trace import Trace

__all__ = ["RunScores", "alert_times", "alert_times_by_monitor", "score_run"]

#: What the short repr of :class:`RunScores` shows: key, reader's name, format.
_HEADLINE = (
    ("accuracy", "accuracy", "{:.3g}"),
    ("false_alarm_rate", "false alarms/1k", "{:.3g}"),
    ("detection_delay_mean", "mean delay", "{:.3g}"),
    ("accuracy_lost", "accuracy lost", "{:.3g}"),
    ("retrains", "retrains", "{:d}"),
)


class RunScores(dict):
    """The scores of one run: a plain ``dict`` (every key of :func:`score_run`, so it
    serialises to JSON as is) that says what it scored in its short repr and turns
    into a small table with :meth:`to_frame`.

    Parameters
    ----------
    scores
        Metric name to value.
    alerts_of
        Whose alerts the detection scores count, e.g. ``"monitor ADWIN"`` or
        ``"any of 3 monitors"``.

    Examples
    --------
    >>> s = RunScores({"accuracy": 0.91234, "retrains": 2, "detections": 1, "missed": 1},
    ...               alerts_of="monitor DDM")
    >>> s
    RunScores(alerts of monitor DDM: accuracy 0.912, missed 1/2, retrains 2)
    >>> s.to_frame().loc[["accuracy", "retrains"], "value"].tolist()
    [0.91234, 2.0]
    """

    def __init__(self, scores: Mapping[str, Any], *, alerts_of: str = "any monitor") -> None:
        super().__init__(scores)
        self.alerts_of = str(alerts_of)

    def __repr__(self) -> str:
        parts = []
        for key, name, fmt in _HEADLINE:
            value = self.get(key)
            if key == "accuracy_lost" and "missed" in self and "detections" in self:
                total = int(self["missed"]) + int(self["detections"])
                parts.append(f"missed {int(self['missed'])}/{total}")
            if value is None or (isinstance(value, float) and not np.isfinite(value)):
                continue
            parts.append(f"{name} {fmt.format(value)}")
        return f"RunScores(alerts of {self.alerts_of}: {', '.join(parts)})"

    def to_frame(self) -> Any:
        """One row per metric (index: metric key) with its value and its reader's name.

        Examples
        --------
        >>> RunScores({"false_alarm_rate": 0.5}).to_frame()
                                                   metric  value
        false_alarm_rate  false alarms per 1,000 drift-free samples    0.5
        """
        import pandas as pd

        from experiments.metrics.labels import metric_label

        keys = [k for k, v in self.items() if isinstance(v, (int, float, np.number))]
        return pd.DataFrame(
            {"metric": [metric_label(k) for k in keys], "value": [self[k] for k in keys]},
            index=pd.Index(keys),
        )


def alert_times(trace: Trace, monitor: str | Sequence[str] | None = None) -> np.ndarray:
    """Sorted distinct times of the trace's ``alert`` events, optionally of some monitors.

    Several monitors alerting at one sample are one alarm of the system, so times are
    deduplicated. ``monitor`` is a name or a list of names; when the trace's meta lists
    its ``monitors``, an unknown name is an error (a typo would silently score
    nothing).

    Examples
    --------
    >>> from simulator.trace import TraceBuilder
    >>> b = TraceBuilder()
    >>> for t, m in [(30, "ks"), (10, "ddm"), (30, "ddm")]:
    ...     _ = b.log(t, "alert", monitor=m)
    >>> trace = b.build(meta={"monitors": ["ddm", "ks"]})
    >>> alert_times(trace), alert_times(trace, "ks")
    (array([10, 30]), array([30]))
    >>> alert_times(trace, "kswin")
    Traceback (most recent call last):
    ...
    ValueError: monitor 'kswin' is not one of this run's monitors ['ddm', 'ks']
    """
    if not isinstance(trace, Trace):
        raise ValueError(f"trace must be a simulator.trace.Trace, got {type(trace).__name__}")
    names = None if monitor is None else [monitor] if isinstance(monitor, str) else list(monitor)
    known = trace.meta.get("monitors")
    if names is not None and known is not None:
        for name in names:
            if name not in known:
                raise ValueError(
                    f"monitor {name!r} is not one of this run's monitors {list(known)}"
                )
    times = [
        e.time
        for e in trace.events_of("alert")
        if names is None or e.details.get("monitor") in names
    ]
    return np.unique(np.asarray(times, dtype=np.int64))


def alert_times_by_monitor(trace: Trace) -> dict[str, np.ndarray]:
    """:func:`alert_times` of every monitor at once, in one pass over the events (a
    threshold sweep runs hundreds of monitors in one trace). Monitors that never
    alerted have no entry.

    Examples
    --------
    >>> from simulator.trace import TraceBuilder
    >>> b = TraceBuilder()
    >>> for t, m in [(30, "ks"), (10, "ddm"), (30, "ddm")]:
    ...     _ = b.log(t, "alert", monitor=m)
    >>> alert_times_by_monitor(b.build())
    {'ks': array([30]), 'ddm': array([10, 30])}
    """
    if not isinstance(trace, Trace):
        raise ValueError(f"trace must be a simulator.trace.Trace, got {type(trace).__name__}")
    times: dict[str, list[int]] = {}
    for event in trace.events_of("alert"):
        times.setdefault(event.details.get("monitor"), []).append(event.time)
    return {name: np.unique(np.asarray(t, dtype=np.int64)) for name, t in times.items()}


def score_run(
    trace: Trace,
    events: Iterable[Any] | None = None,
    n_samples: int | None = None,
    horizon: int | None = None,
    *,
    oracle: Trace | None = None,
    monitor: str | Sequence[str] | None = None,
    window: int = 100,
    epsilon: float = 0.02,
    recovery_horizon: int | None = None,
    costs: Mapping[str, float] | None = None,
    skyline: Any = None,
) -> RunScores:
    """Detection and recovery scores of one run, as one flat :class:`RunScores` dict.

    The keys of :func:`~experiments.metrics.detection.score_detections` for the
    trace's alerts (:func:`alert_times`, filtered by ``monitor``), followed by those of
    :func:`~experiments.metrics.recovery.recovery` without ``per_event``.

    Parameters
    ----------
    trace
        The run.
    events
        The stream's events; default ``trace.meta["stream_events"]``.
    n_samples
        Stream length; default (and it must equal) ``trace.n_samples``: a guard
        against scoring a trace against another stream's events.
    horizon
        Detection horizon (``None``: unbounded).
    oracle, window, epsilon, costs, skyline
        As for :func:`~experiments.metrics.recovery.recovery`.
    monitor
        Score only these monitors' alerts (default: all of them).
    recovery_horizon
        ``horizon`` of :func:`~experiments.metrics.recovery.recovery`: recovery usually
        takes longer than a useful detection, so it has its own bound.

    Examples
    --------
    >>> from simulator.trace import TraceBuilder
    >>> trace = TraceBuilder().build()
    >>> score_run(trace, [], n_samples=10)
    Traceback (most recent call last):
    ...
    ValueError: n_samples is 10 but the trace has 0 samples
    """
    if not isinstance(trace, Trace):
        raise ValueError(f"trace must be a simulator.trace.Trace, got {type(trace).__name__}")
    n = trace.n_samples
    if n_samples is not None and check_int("n_samples", n_samples, low=0) != n:
        raise ValueError(f"n_samples is {n_samples} but the trace has {n} samples")
    events = list(_events_of(trace, events))
    detection = score_detections(alert_times(trace, monitor), events, n, horizon)
    rec = recovery(
        trace,
        events,
        oracle=oracle,
        window=window,
        epsilon=epsilon,
        horizon=recovery_horizon,
        costs=costs,
        skyline=skyline,
    )
    rec.pop("per_event")
    return RunScores({**detection, **rec}, alerts_of=_whose(trace, monitor))


def _whose(trace: Trace, monitor: str | Sequence[str] | None) -> str:
    """Whose alerts were scored, in words: one monitor's, or any of several."""
    names = trace.meta.get("monitors") if monitor is None else monitor
    if isinstance(names, str):
        return f"monitor {names}"
    if names is None:
        return "any monitor"
    names = list(names)
    return f"monitor {names[0]}" if len(names) == 1 else f"any of {len(names)} monitors"
