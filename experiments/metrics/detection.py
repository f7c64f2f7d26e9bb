"""Detection scoring: match a detector's alarm times to the stream's drift events.

Definitions (DESIGN.md, "Metrics"; the concept-drift measures of MOA's CD-MOA):

* Each event ``e`` has onset ``t0``. Its **window** is ``[t0, min(t0 + horizon,
  t_next, n_samples))``. For a *harmful* event ``t_next`` is the next harmful onset
  after ``t0``; for a *benign* event it is the next onset of any event. A benign drift
  does not cut a harmful drift's window: the harmful change is still in effect, and
  an alarm a few samples after a harmless covariate wobble is still an answer to it.
  ``horizon=None`` means no bound (the window runs to ``t_next``).
* Only harmful events are detection targets. The first alarm inside a harmful
  window **detects** it (delay ``t - t0``; also ``t - end`` from the end of a gradual
  or incremental drift, which may be negative); later alarms in the same window are
  **repeat** alarms. An alarm outside every harmful window but inside a benign one is
  a **benign** alarm: neither a detection nor a false alarm. Any other alarm is
  **false**.
* Events sharing an onset share a window, so one alarm detects all of them (a change
  point is a change point). ``detections`` counts detected events and
  ``detection_alarms`` the alarms that detected something; they differ only then.
* **Drift-free samples** are those outside every event's window (harmful or benign):
  exactly the samples where an alarm would be false, so the false-alarm rate is false
  alarms per 1,000 samples *at risk of one*. Samples after a window closes count as
  drift-free: the stream is stationary again and an alarm there answers nothing.
* **MTFA** (mean time between false alarms) = drift-free samples / false alarms: the
  exposure-based estimate (``1000 / false_alarm_rate``). It uses all the drift-free
  time rather than only the gaps between alarms, whose ends are censored; with one
  false alarm it is the drift-free length, with none it is ``nan`` (no finite run
  can show an infinite mean time; ``false_alarm_rate`` = 0 carries that news).
* **MTD** = mean detection delay; **MDR** = missed harmful events / harmful events;
  **MTR** = MTFA / MTD × (1 − MDR), ``inf`` when every detection came at its onset.
* **Precision** = detection alarms / (alarms − benign alarms): repeat alarms count
  against it (one change, one useful alarm); **recall** = detected / harmful events.

Every measure is ``nan`` where it is undefined (no harmful events: MTD, MDR, recall;
no scored alarms: precision; no drift-free samples: false-alarm rate).

Examples
--------
>>> events = [100, {"onset": 400, "harmful": False}, 600]
>>> s = score_detections([50, 100, 150, 320, 450, 650, 900], events, 1000, horizon=200)
>>> s["detections"], s["repeat_alarms"], s["false_alarms"], s["benign_alarms"]
(2, 1, 3, 1)
>>> s["false_alarm_rate"], s["mtd"], s["mtr"]
(7.5, 25.0, 5.333...)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from driftsim.validation import check_int
from experiments.metrics._events import as_event_table

__all__ = [
    "ALARM_LABELS",
    "DetectionMatch",
    "check_alarm_times",
    "detection_delays",
    "false_alarm_rate",
    "match_alarms",
    "mdr",
    "mtd",
    "mtfa",
    "mtr",
    "precision",
    "recall",
    "score_detections",
]

ALARM_LABELS: tuple[str, ...] = ("detection", "repeat", "false", "benign")
_NAN = float("nan")


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False)
class DetectionMatch:
    """Which alarm detected which event: the result of :func:`match_alarms`.

    Per-event arrays are in the order the events were given; per-alarm arrays in
    time order.

    Attributes
    ----------
    n_samples, horizon
        The stream length and the detection horizon (``None``: unbounded).
    onset, end, harmful
        Each event's onset, end (``end > onset`` for gradual and incremental drifts)
        and whether it is a detection target.
    window_stop
        Each event's window is ``[onset, window_stop)`` (module docstring).
    detection_time
        The alarm that detected each harmful event; ``-1`` if it was missed and for
        every benign event.
    alarm_times
        The alarms, sorted.
    alarm_labels
        Each alarm's label, one of :data:`ALARM_LABELS`.
    alarm_event
        Index of the event whose window holds each alarm (for a detection or repeat,
        the first harmful event at that onset; for a benign alarm, the first benign
        one); ``-1`` for false alarms.
    drift_free_samples
        Samples outside every event's window.

    Examples
    --------
    >>> m = match_alarms([5, 12, 40], [10], n_samples=100, horizon=20)
    >>> m.alarm_labels.tolist(), m.detection_time.tolist(), m.drift_free_samples
    (['false', 'detection', 'false'], [12], 80)
    >>> m.n_detected, m.n_missed, m.n_false
    (1, 0, 2)
    """

    n_samples: int
    horizon: int | None
    onset: np.ndarray
    end: np.ndarray
    harmful: np.ndarray
    window_stop: np.ndarray
    detection_time: np.ndarray
    alarm_times: np.ndarray
    alarm_labels: np.ndarray
    alarm_event: np.ndarray
    drift_free_samples: int

    def _count(self, label: str) -> int:
        return int(np.count_nonzero(self.alarm_labels == label))

    @property
    def n_events(self) -> int:
        """Harmful events (the detection targets)."""
        return int(np.count_nonzero(self.harmful))

    @property
    def n_benign_events(self) -> int:
        """Benign events."""
        return int(self.harmful.shape[0]) - self.n_events

    @property
    def n_detected(self) -> int:
        """Harmful events detected within their window."""
        return int(np.count_nonzero(self.harmful & (self.detection_time >= 0)))

    @property
    def n_missed(self) -> int:
        """Harmful events with no alarm in their window."""
        return self.n_events - self.n_detected

    @property
    def n_alarms(self) -> int:
        """All alarms."""
        return int(self.alarm_times.shape[0])

    @property
    def n_detection_alarms(self) -> int:
        """Alarms that detected at least one event."""
        return self._count("detection")

    @property
    def n_repeat(self) -> int:
        """Later alarms inside an already-detected harmful window."""
        return self._count("repeat")

    @property
    def n_false(self) -> int:
        """Alarms outside every event's window."""
        return self._count("false")

    @property
    def n_benign(self) -> int:
        """Alarms inside a benign event's window and no harmful one."""
        return self._count("benign")


def check_alarm_times(alarm_times: Any, n_samples: int) -> np.ndarray:
    """Return ``alarm_times`` as a sorted int64 array, checking each lies in ``[0, n_samples)``.

    Repeated times are kept: two monitors alarming at one sample are two alarms (the
    second is a repeat or another false alarm); deduplicate first to score the system.

    Examples
    --------
    >>> check_alarm_times([30, 4, 4], 50)
    array([ 4,  4, 30])
    >>> check_alarm_times([3, 50], 50)
    Traceback (most recent call last):
    ...
    ValueError: alarm_times must lie in [0, 50) (sample indices of the stream), got 50
    """
    n = check_int("n_samples", n_samples, low=0)
    arr = np.asarray(alarm_times)
    if arr.size == 0:
        return np.empty(0, dtype=np.int64)
    if arr.ndim != 1:
        raise ValueError(f"alarm_times must be a 1-d sequence of ints, got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.integer):
        if not np.issubdtype(arr.dtype, np.floating) or not np.all(arr == np.round(arr)):
            raise ValueError(
                f"alarm_times must be integer sample indices, got dtype {arr.dtype} "
                f"(first value {arr[0]!r})"
            )
    arr = np.sort(arr.astype(np.int64))
    if arr[0] < 0 or arr[-1] >= n:
        bad = arr[0] if arr[0] < 0 else arr[-1]
        raise ValueError(
            f"alarm_times must lie in [0, {n}) (sample indices of the stream), got {bad}"
        )
    return arr


def _windows(onset: np.ndarray, cut_onsets: np.ndarray, n: int, horizon: int | None) -> np.ndarray:
    """Window stops: the next of ``cut_onsets`` after each onset, the horizon, the end."""
    ahead = np.append(cut_onsets, n)[np.searchsorted(cut_onsets, onset, side="right")]
    stop = np.minimum(ahead, n)
    if horizon is not None:
        stop = np.minimum(stop, onset + horizon)
    return stop


def _locate(alarms: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Index of the window (disjoint, sorted by start) holding each alarm, -1 if none."""
    k = np.searchsorted(starts, alarms, side="right") - 1
    inside = k >= 0
    inside[inside] = alarms[inside] < stops[k[inside]]
    return np.where(inside, k, -1)


def _union_length(starts: np.ndarray, stops: np.ndarray) -> int:
    # few events, so a Python merge over intervals is cheaper than a per-sample mask
    total, cur_start, cur_stop = 0, -1, -1
    for s, e in sorted(zip(starts.tolist(), stops.tolist(), strict=True)):
        if s > cur_stop:
            total += cur_stop - cur_start
            cur_start, cur_stop = s, e
        else:
            cur_stop = max(cur_stop, e)
    return total + cur_stop - cur_start


def match_alarms(
    alarm_times: Any,
    events: Iterable[Any],
    n_samples: int,
    horizon: int | None = None,
) -> DetectionMatch:
    """Label every alarm and find each harmful event's detection (module docstring).

    Parameters
    ----------
    alarm_times
        Sample indices at which a detector alarmed, in ``[0, n_samples)``; any order.
    events
        The stream's events: :class:`~simulator.stream.DriftEvent` objects, dicts with
        the same keys (a trace's ``meta["stream_events"]``; ``end`` defaults to the
        onset and ``harmful`` to True) or bare int onsets. Each change point is an
        event, so every return of a recurring drift is one too.
    n_samples
        Length of the scored stream.
    horizon
        Latest useful detection, in samples after the onset (>= 1); ``None`` for no
        bound.

    Returns
    -------
    DetectionMatch

    Examples
    --------
    Two harmful drifts close together: the first's window is cut at the second's
    onset, so the alarm at 130 detects the second, not the first.

    >>> m = match_alarms([130], [100, 130], n_samples=500, horizon=100)
    >>> m.window_stop.tolist(), m.detection_time.tolist(), m.n_missed
    ([130, 230], [-1, 130], 1)
    """
    n = check_int("n_samples", n_samples, low=0)
    h = None if horizon is None else check_int("horizon", horizon, low=1)
    ev = as_event_table(events, n)
    alarms = check_alarm_times(alarm_times, n)

    harm_onsets = np.unique(ev.onset[ev.harmful])
    all_onsets = np.unique(ev.onset)
    stop = np.where(
        ev.harmful, _windows(ev.onset, harm_onsets, n, h), _windows(ev.onset, all_onsets, n, h)
    )
    # harmful change points (distinct onsets): their windows are disjoint and sorted
    k_harm = _locate(alarms, harm_onsets, _windows(harm_onsets, harm_onsets, n, h))
    first, cp_detect = _first_alarms(alarms, k_harm, harm_onsets.shape[0])
    benign_onsets = np.unique(ev.onset[~ev.harmful])
    benign_stops = _windows(benign_onsets, all_onsets, n, h)
    k_benign = np.where(k_harm >= 0, -1, _locate(alarms, benign_onsets, benign_stops))
    alarm_event = np.full(alarms.shape[0], -1, dtype=np.int64)
    alarm_event[k_harm >= 0] = _first_event_at(ev, ev.harmful, harm_onsets)[k_harm[k_harm >= 0]]
    benign_event = _first_event_at(ev, ~ev.harmful, benign_onsets)
    alarm_event[k_benign >= 0] = benign_event[k_benign[k_benign >= 0]]
    return DetectionMatch(
        n_samples=n,
        horizon=h,
        onset=_frozen(ev.onset),
        end=_frozen(ev.end),
        harmful=_frozen(ev.harmful),
        window_stop=_frozen(stop.astype(np.int64)),
        detection_time=_frozen(_detection_times(ev, harm_onsets, cp_detect)),
        alarm_times=_frozen(alarms),
        alarm_labels=_frozen(_alarm_labels(k_harm >= 0, first, k_benign >= 0)),
        alarm_event=_frozen(alarm_event),
        drift_free_samples=n - _union_length(ev.onset, stop),
    )


def _first_alarms(
    alarms: np.ndarray, k_harm: np.ndarray, n_points: int
) -> tuple[np.ndarray, np.ndarray]:
    """Which alarms come first in their change point's window; each point's first (-1: none)."""
    in_harm = k_harm >= 0
    first = np.zeros(alarms.shape[0], dtype=bool)
    cp_detect = np.full(n_points, -1, dtype=np.int64)
    if in_harm.any():
        # alarms are sorted, so the first index of each window among them is its first alarm
        cps, pos = np.unique(k_harm[in_harm], return_index=True)
        hit = np.flatnonzero(in_harm)[pos]
        first[hit] = True
        cp_detect[cps] = alarms[hit]
    return first, cp_detect


def _alarm_labels(in_harm: np.ndarray, first: np.ndarray, benign: np.ndarray) -> np.ndarray:
    """``detection``, ``repeat``, ``benign`` or ``false`` for each alarm."""
    labels = np.full(in_harm.shape[0], "false", dtype="<U9")
    labels[in_harm] = "repeat"
    labels[first] = "detection"
    labels[benign] = "benign"
    return labels


def _first_event_at(ev: Any, mask: np.ndarray, onsets: np.ndarray) -> np.ndarray:
    """For each onset, the first event (in the given order) among ``mask`` starting there."""
    return np.array(
        [int(np.flatnonzero(mask & (ev.onset == t))[0]) for t in onsets], dtype=np.int64
    )


def _detection_times(ev: Any, harm_onsets: np.ndarray, cp_detect: np.ndarray) -> np.ndarray:
    """Each event's detection time: its change point's first alarm (-1: none or benign)."""
    detection_time = np.full(len(ev), -1, dtype=np.int64)
    if harm_onsets.size:
        cp_of_event = np.searchsorted(harm_onsets, ev.onset[ev.harmful])
        detection_time[ev.harmful] = cp_detect[cp_of_event]
    return detection_time


def detection_delays(match: DetectionMatch, *, from_end: bool = False) -> np.ndarray:
    """Delays of the detected harmful events, in event order.

    ``t - onset`` (never negative), or with ``from_end=True`` ``t - end``: the delay
    counted from the end of a gradual or incremental drift's ramp, negative when the
    detector fired while the ramp was still going.

    Examples
    --------
    >>> m = match_alarms([150, 620], [{"onset": 100, "end": 200}, 600, 800], 1000)
    >>> detection_delays(m), detection_delays(m, from_end=True)
    (array([50, 20]), array([-50,  20]))
    """
    hit = match.harmful & (match.detection_time >= 0)
    ref = match.end if from_end else match.onset
    return match.detection_time[hit] - ref[hit]


def false_alarm_rate(match: DetectionMatch, per: int = 1000) -> float:
    """False alarms per ``per`` drift-free samples; ``nan`` if there are none.

    Examples
    --------
    >>> false_alarm_rate(match_alarms([10, 500], [400], 1000, horizon=200))
    1.25
    >>> false_alarm_rate(match_alarms([], [0], 100))  # the whole stream is one window
    nan
    """
    per = check_int("per", per, low=1)
    if match.drift_free_samples == 0:
        return _NAN
    return per * match.n_false / match.drift_free_samples


def mtfa(match: DetectionMatch) -> float:
    """Mean time between false alarms: drift-free samples / false alarms (``nan`` if none).

    Examples
    --------
    >>> mtfa(match_alarms([10, 20, 30, 40], [], 1000))
    250.0
    >>> mtfa(match_alarms([], [], 1000))
    nan
    """
    n_false = match.n_false
    return match.drift_free_samples / n_false if n_false else _NAN


def mtd(match: DetectionMatch) -> float:
    """Mean time to detection over the detected harmful events (``nan`` if none).

    Examples
    --------
    >>> mtd(match_alarms([110, 530], [100, 500], 1000))
    20.0
    >>> mtd(match_alarms([50], [], 1000))
    nan
    """
    delays = detection_delays(match)
    return float(delays.mean()) if delays.size else _NAN


def mdr(match: DetectionMatch) -> float:
    """Missed detection rate: missed harmful events / harmful events (``nan`` if none).

    Examples
    --------
    >>> mdr(match_alarms([110], [100, 500], 1000))
    0.5
    """
    n_events = match.n_events
    return match.n_missed / n_events if n_events else _NAN


def mtr(match: DetectionMatch) -> float:
    """Mean time ratio MTFA / MTD × (1 − MDR): higher is better.

    ``nan`` when a part is undefined; ``inf`` when every detection came at its onset
    (MTD = 0) and there were false alarms to time.

    Examples
    --------
    >>> m = match_alarms([110, 300, 700], [100, 500], 1000, horizon=100)
    >>> mtfa(m), mtd(m), mdr(m), mtr(m)
    (400.0, 10.0, 0.5, 20.0)
    """
    a, d, r = mtfa(match), mtd(match), mdr(match)
    if np.isnan(a) or np.isnan(d) or np.isnan(r):
        return _NAN
    if d == 0:
        return float("inf")
    return a / d * (1.0 - r)


def precision(match: DetectionMatch) -> float:
    """Detection alarms / scored alarms (all but benign ones); ``nan`` with none.

    Examples
    --------
    >>> precision(match_alarms([110, 120, 300, 700], [100], 1000, horizon=100))
    0.25
    >>> precision(match_alarms([], [100], 1000))
    nan
    """
    scored = match.n_alarms - match.n_benign
    return match.n_detection_alarms / scored if scored else _NAN


def recall(match: DetectionMatch) -> float:
    """Detected harmful events / harmful events (= 1 − MDR); ``nan`` with none.

    Examples
    --------
    >>> recall(match_alarms([110], [100, 500], 1000))
    0.5
    """
    n_events = match.n_events
    return match.n_detected / n_events if n_events else _NAN


def _f1(p: float, r: float) -> float:
    if np.isnan(p) or np.isnan(r):
        return _NAN
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def score_detections(
    alarm_times: Any,
    events: Iterable[Any],
    n_samples: int,
    horizon: int | None = None,
) -> dict[str, Any]:
    """Every detection measure of one detector on one stream, as a flat dict.

    Keys (stable, in this order): ``events`` (harmful), ``benign_events``, ``alarms``,
    ``detections`` (events detected), ``detection_alarms``, ``missed``,
    ``repeat_alarms``, ``false_alarms``, ``benign_alarms``, ``drift_free_samples``,
    ``false_alarm_rate`` (per 1,000 drift-free samples), ``detection_delay_mean``,
    ``detection_delay_median``, ``detection_delay_from_end_mean``,
    ``missed_detection_rate``, ``mtfa``, ``mtd``, ``mtr``, ``precision``, ``recall``,
    ``f1``. Counts are ints, the rest floats (``nan`` where undefined).

    Parameters are those of :func:`match_alarms`.

    Examples
    --------
    No drifts and no alarms: nothing to detect, nothing false.

    >>> s = score_detections([], [], 1000)
    >>> s["false_alarms"], s["false_alarm_rate"], s["missed_detection_rate"], s["precision"]
    (0, 0.0, nan, nan)
    """
    m = match_alarms(alarm_times, events, n_samples, horizon)
    delays = detection_delays(m)
    from_end = detection_delays(m, from_end=True)
    p, r = precision(m), recall(m)
    return {
        "events": m.n_events,
        "benign_events": m.n_benign_events,
        "alarms": m.n_alarms,
        "detections": m.n_detected,
        "detection_alarms": m.n_detection_alarms,
        "missed": m.n_missed,
        "repeat_alarms": m.n_repeat,
        "false_alarms": m.n_false,
        "benign_alarms": m.n_benign,
        "drift_free_samples": m.drift_free_samples,
        "false_alarm_rate": false_alarm_rate(m),
        "detection_delay_mean": mtd(m),
        "detection_delay_median": float(np.median(delays)) if delays.size else _NAN,
        "detection_delay_from_end_mean": float(from_end.mean()) if from_end.size else _NAN,
        "missed_detection_rate": mdr(m),
        "mtfa": mtfa(m),
        "mtd": mtd(m),
        "mtr": mtr(m),
        "precision": p,
        "recall": r,
        "f1": _f1(p, r),
    }
