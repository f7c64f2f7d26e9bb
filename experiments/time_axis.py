"""A run's results on the log's own time axis: when (in the log's time) things happened.

For a replayed log (a trace with timestamps) ``result.json`` gains the dates of its
events beside their sample indices: each stream drift event's onset and end
(:func:`stamp_stream_events`) and, in ``time_axis`` (:func:`time_axis`), the span of
the log, every alert, warning, retrain, deployment and rollback with the timestamp
of the sample where it happened, and per drift event the first alert after its onset
(any monitor, before the next onset) with the delay in hours of log time
(:func:`first_alerts`). Streams without a time axis get ``None``.

Examples
--------
>>> from simulator.trace import TraceBuilder
>>> b = TraceBuilder()
>>> b.add_batch(0, [0, 1, 1], None, 1, [0, 1, 0])
>>> _ = b.log(2, "alert", monitor="ks")
>>> trace = b.build(time=np.array(["2024-03-01", "2024-03-02", "2024-03-04"],
...                               dtype="datetime64[ns]"))
>>> time_axis(trace)["events"]
[{'type': 'alert', 'time': 2, 'timestamp': '2024-03-04T00:00:00', 'monitor': 'ks'}]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from simulator.timeaxis import iso
from simulator.trace import Trace

__all__ = ["TIMED_EVENTS", "first_alerts", "stamp_stream_events", "time_axis"]

#: The trace events ``time_axis`` lists with their timestamps.
TIMED_EVENTS = ("alert", "warning", "retrain_start", "deploy", "rollback")


def time_axis(trace: Trace) -> dict[str, Any] | None:
    """The log's span and :data:`TIMED_EVENTS` with their timestamps; None when the
    trace has no time axis.

    Examples
    --------
    >>> from simulator.trace import TraceBuilder
    >>> time_axis(TraceBuilder().build()) is None
    True
    """
    if trace.time is None or trace.n_samples == 0:
        return None
    last = trace.n_samples - 1
    events = []
    for e in trace.events:
        if e.type not in TIMED_EVENTS:
            continue
        # an event logged at the stream's end happened after its last sample
        record = {"type": e.type, "time": e.time, "timestamp": iso(trace.time[min(e.time, last)])}
        if "monitor" in e.details:
            record["monitor"] = e.details["monitor"]
        if "version" in e.details:
            record["version"] = e.details["version"]
        events.append(record)
    return {"start": iso(trace.time[0]), "end": iso(trace.time[last]), "events": events,
            "first_alerts": first_alerts(trace)}


def first_alerts(trace: Trace) -> list[dict[str, Any]]:
    """Per drift event of the stream (``trace.meta["stream_events"]``), the first alert
    at or after its onset and before the next onset (any monitor): sample, timestamp,
    monitor and ``delay_hours``, the log time from the onset's sample to the alert's;
    ``alert`` None when no alert came. Empty without a time axis.

    Examples
    --------
    >>> from simulator.trace import TraceBuilder
    >>> b = TraceBuilder()
    >>> b.add_batch(0, [0] * 4, None, 1, [0] * 4)
    >>> _ = b.log(3, "alert", monitor="ks")
    >>> trace = b.build(meta={"stream_events": [{"onset": 1}]}, time=np.array(
    ...     ["2024-03-01T00:00", "2024-03-01T06:00", "2024-03-01T12:00", "2024-03-02T00:00"],
    ...     dtype="datetime64[ns]"))
    >>> (found,) = first_alerts(trace)
    >>> found["onset_timestamp"], found["alert"]["timestamp"], found["alert"]["delay_hours"]
    ('2024-03-01T06:00:00', '2024-03-02T00:00:00', 18.0)
    """
    if trace.time is None or trace.n_samples == 0:
        return []
    last = trace.n_samples - 1
    onsets = sorted({int(e["onset"]) for e in trace.meta.get("stream_events", [])})
    alerts = sorted((e.time, e.details.get("monitor")) for e in trace.events_of("alert"))
    out = []
    for onset, following in zip(onsets, [*onsets[1:], None][: len(onsets)], strict=True):
        hit = next(((t, m) for t, m in alerts
                    if t >= onset and (following is None or t < following)), None)
        record: dict[str, Any] = {"onset": onset,
                                  "onset_timestamp": iso(trace.time[min(onset, last)]),
                                  "alert": None}
        if hit is not None:
            t, monitor = hit
            delay = (trace.time[min(t, last)] - trace.time[min(onset, last)])
            record["alert"] = {"time": t, "timestamp": iso(trace.time[min(t, last)]),
                               "monitor": monitor,
                               "delay_hours": round(float(delay / np.timedelta64(1, "h")), 3)}
        out.append(record)
    return out


def stamp_stream_events(
    events: Iterable[Mapping[str, Any]], trace: Trace
) -> list[dict[str, Any]]:
    """The stream's drift events (``trace.meta["stream_events"]`` records) with
    ``onset_timestamp`` and ``end_timestamp`` when the trace has a time axis.

    Examples
    --------
    >>> import numpy as np
    >>> from simulator.trace import TraceBuilder
    >>> b = TraceBuilder()
    >>> b.add_batch(0, [0, 1], None, 1, [0, 1])
    >>> trace = b.build(time=np.array(["2024-03-01", "2024-03-02"], dtype="datetime64[ns]"))
    >>> stamp_stream_events([{"onset": 1, "end": None}], trace)
    [{'onset': 1, 'end': None, 'onset_timestamp': '2024-03-02T00:00:00'}]
    """
    out = [dict(e) for e in events]
    if trace.time is None or trace.n_samples == 0:
        return out
    last = trace.n_samples - 1
    for record in out:
        for key in ("onset", "end"):
            if record.get(key) is not None:
                record[f"{key}_timestamp"] = iso(trace.time[min(int(record[key]), last)])
    return out
