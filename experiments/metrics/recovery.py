"""Recovery scoring: how much accuracy a run lost to each harmful drift, and what it cost.

Definitions (DESIGN.md, "Metrics"), with ``r`` the run's rolling accuracy over
``window`` samples (:func:`rolling_accuracy`), ``s`` the skyline's
(:func:`simulator.skyline.skyline`: at each sample, the expected accuracy of a model
of the served class trained on ample i.i.d. data from the distribution in force; a
bound no policy beats beyond noise), averaged over the same window, and ``o`` the
oracle policy's (retrains at the true onsets with the same data budget: the best
timing, not a bound):

* Each harmful event with onset ``t0`` is followed over its **span** ``[t0, stop)``,
  ``stop`` = the next harmful onset, the stream's end, or ``t0 + horizon``, whichever
  comes first. Benign events are not scored here.
* **Baseline**: the rolling accuracy just before the onset, ``r[t0 - 1]`` (the mean
  of the ``window`` samples before ``t0``; ``nan`` at ``t0 = 0``).
  ``baseline_accuracy`` is that of the first harmful event.
* **Max drop**: ``baseline - min(r over the span)``, floored at 0.
* **Time to recover** against a reference curve ``ref`` (the oracle's ``o``, or the
  constant baseline): find the span's deepest point ``t*``, the first ``argmin`` of
  ``r - ref``. If there ``r >= ref - epsilon`` the run never fell behind: 0.
  Otherwise it is ``t - t0`` for the first ``t >= t*`` with ``r[t] >= ref[t] -
  epsilon``; a run still behind at the span's end is *not recovered* (``nan``, and
  counted). Starting from the deepest point, not the onset, keeps the rolling
  window's lag (``r`` at ``t0`` still averages pre-drift samples) and noise on the way
  down from counting as a recovery. The time includes that lag: up to ``window``.
* **Accuracy lost** (in samples of accuracy: 1.0 = one sample's worth): against the
  oracle, ``sum(max(0, o - r))`` over the whole stream, and per event over its span;
  against the baseline, ``sum(max(0, baseline - r))`` over each span, summed over
  events. For a 0/1 drop and recovery this area equals the number of extra errors.
* The skyline is a reference like the oracle: ``time_to_recover_skyline`` and
  ``accuracy_lost_skyline = sum(max(0, s - r))``.
* Aggregates: ``time_to_recover`` is the mean over recovered events (``nan`` if none)
  beside ``not_recovered``; an event at onset 0 has no baseline, so its baseline
  measures are ``nan`` and it counts neither way. ``max_drop`` is the largest
  over events. Unsuffixed ``time_to_recover``, ``not_recovered`` and
  ``accuracy_lost`` are against the skyline when one is given, else the oracle when
  one is given, else the baseline (``reference`` says which); the ``_skyline`` /
  ``_oracle`` / ``_baseline`` keys give each.
* **Costs**: ``total_cost = errors × costs["error"] + labels × costs["label"] +`` the
  event log's costs (the loop prices each ``retrain_start``). ``labels`` counts
  revealed labels, ``retrains`` the ``retrain_start`` events (every attempt).

Examples
--------
>>> from simulator.trace import Trace
>>> correct = np.r_[np.ones(10), np.zeros(5), np.ones(15)].astype(bool)
>>> run = Trace(prediction=np.zeros(30, dtype=int), correct=correct,
...             model_version=np.ones(30, dtype=int), y_true=np.zeros(30, dtype=int),
...             label_revealed=np.zeros(30, dtype=bool), label_time=np.full(30, -1))
>>> r = recovery(run, [10], window=5, epsilon=0.1)
>>> r["baseline_accuracy"], r["max_drop"], r["time_to_recover"], r["accuracy_lost"]
(1.0, 1.0, 9.0, 5.0)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from driftsim.validation import check_in_range, check_int
from experiments.metrics._events import as_event_table
from simulator.trace import Trace

__all__ = ["recovery", "rolling_accuracy", "run_costs", "time_to_recover"]

_NAN = float("nan")


def rolling_accuracy(correct: Any, window: int, min_periods: int = 1) -> np.ndarray:
    """Mean of ``correct`` over the trailing ``window`` samples, at every sample.

    Entry ``i`` is the mean of ``correct[max(0, i - window + 1) : i + 1]`` (pandas'
    ``rolling(window, min_periods).mean()``; the same as
    :meth:`simulator.trace.Trace.rolling_accuracy`), ``nan`` where the window holds
    fewer than ``min_periods`` samples. Sums are exact (integer prefix sums).

    Examples
    --------
    >>> rolling_accuracy([True, False, True, True], 2)
    array([1. , 0.5, 0.5, 1. ])
    >>> rolling_accuracy([1, 0, 2], 2)
    Traceback (most recent call last):
    ...
    ValueError: correct must hold bools (or 0/1), got the value 2 at position 2
    """
    window = check_int("window", window, low=1)
    min_periods = check_int("min_periods", min_periods, low=1, high=window)
    arr = np.asarray(correct)
    if arr.ndim != 1:
        raise ValueError(f"correct must be 1-d, got shape {arr.shape}")
    if arr.dtype != np.bool_:
        ok = (arr == 0) | (arr == 1)
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            raise ValueError(
                f"correct must hold bools (or 0/1), got the value {arr[i].item()!r} at position {i}"
            )
    csum = np.concatenate(([0], np.cumsum(arr != 0, dtype=np.int64)))
    end = np.arange(1, arr.shape[0] + 1)
    start = np.maximum(end - window, 0)
    count = end - start
    out = (csum[end] - csum[start]) / count
    out[count < min_periods] = np.nan
    return out


def time_to_recover(run: Any, reference: Any, epsilon: float) -> float:
    """Samples from a span's start until ``run`` is back within ``epsilon`` of ``reference``.

    ``run`` and ``reference`` are the rolling accuracies over one span (``reference``
    may be a scalar). From the deepest point of ``run - reference``: 0 if the run
    never fell more than ``epsilon`` behind, ``nan`` if it is still behind at the end
    (module docstring).

    Examples
    --------
    >>> time_to_recover([1.0, 0.5, 0.0, 0.5, 1.0], 1.0, epsilon=0.1)
    4.0
    >>> time_to_recover([1.0, 0.95, 1.0], 1.0, epsilon=0.1)
    0.0
    >>> time_to_recover([1.0, 0.5, 0.0], 1.0, epsilon=0.1)
    nan
    """
    epsilon = float(check_in_range("epsilon", epsilon, low=0.0))
    run = np.asarray(run, dtype=np.float64)
    gap = run - np.broadcast_to(np.asarray(reference, dtype=np.float64), run.shape)
    if gap.size == 0 or np.isnan(gap).all():
        return _NAN
    deepest = int(np.nanargmin(gap))
    if gap[deepest] >= -epsilon:
        return 0.0
    back = np.flatnonzero(gap[deepest:] >= -epsilon)
    return float(deepest + back[0]) if back.size else _NAN


def run_costs(trace: Trace, costs: Mapping[str, float] | None = None) -> dict[str, Any]:
    """Counts and costs of a run under its cost model.

    ``costs`` (keys ``error``, ``label``) defaults to ``trace.meta["costs"]``; without
    prices the error and label costs, and so the total, are ``nan``. Retraining is
    priced by the loop in the event log, whose costs are summed as ``event_cost``.

    Examples
    --------
    >>> from simulator.trace import TraceBuilder
    >>> b = TraceBuilder()
    >>> b.add_batch(0, [0, 1, 1, 0], None, 1, [0, 1, 0, 1])
    >>> b.reveal_labels([0, 1, 2], time=3)
    >>> _ = b.log(3, "retrain_start", cost=10.0)
    >>> c = run_costs(b.build(meta={"costs": {"error": 2.0, "label": 0.5}}))
    >>> c["retrains"], c["labels"], c["errors"], c["event_cost"], c["total_cost"]
    (1, 3, 2, 10.0, 15.5)
    """
    prices = costs if costs is not None else trace.meta.get("costs")
    errors = int(trace.n_samples - np.count_nonzero(trace.correct))
    labels = int(np.count_nonzero(trace.label_revealed))
    if prices is None:
        error_price = label_price = _NAN
    else:
        if not isinstance(prices, Mapping) or not {"error", "label"} <= set(prices):
            raise ValueError(
                f"costs must be a mapping with keys 'error' and 'label', got {prices!r}"
            )
        error_price = float(check_in_range("costs['error']", prices["error"], low=0.0))
        label_price = float(check_in_range("costs['label']", prices["label"], low=0.0))
    event_cost = trace.total_cost
    error_cost, label_cost = errors * error_price, labels * label_price
    return {
        "retrains": len(trace.events_of("retrain_start")),
        "labels": labels,
        "errors": errors,
        "error_cost": error_cost,
        "label_cost": label_cost,
        "event_cost": event_cost,
        "total_cost": error_cost + label_cost + event_cost,
    }


def _events_of(trace: Trace, events: Iterable[Any] | None) -> Iterable[Any]:
    """The events given, else the trace's own ``meta["stream_events"]``."""
    if events is not None:
        return events
    if "stream_events" not in trace.meta:
        raise ValueError(
            "events not given and trace.meta has no 'stream_events'; pass the stream's events"
        )
    return trace.meta["stream_events"]


def _mean_recovered(per_event: list[dict[str, Any]], key: str) -> tuple[float, int]:
    """Mean time to recover over recovered events, and how many were not recovered.

    Events where the measure is undefined (``recovered_*`` is None: no oracle, or no
    baseline at onset 0) count neither way.
    """
    flag = key.replace("time_to_recover", "recovered")
    times = [e[key] for e in per_event if e[flag]]
    missed = sum(1 for e in per_event if e[flag] is False)
    return (float(np.mean(times)) if times else _NAN), missed


def _recovered(t: float, defined: bool) -> bool | None:
    """Whether a time to recover ``t`` was reached; ``None`` where it is undefined."""
    return bool(not np.isnan(t)) if defined else None


def _rolling_skyline(skyline: Any, n: int, window: int) -> np.ndarray | None:
    """The skyline averaged over the trailing ``window`` samples, as the run's accuracy
    is, so the two compare like for like; ``None`` without a skyline."""
    if skyline is None:
        return None
    values = np.asarray(skyline, dtype=float)
    if values.shape != (n,) or not np.isfinite(values).all():
        raise ValueError(f"skyline must hold {n} finite accuracies (one per sample), got "
                         f"shape {values.shape}")
    csum = np.concatenate(([0.0], np.cumsum(values)))
    end = np.arange(1, n + 1)
    start = np.maximum(end - window, 0)
    return (csum[end] - csum[start]) / (end - start)


def recovery(
    trace: Trace,
    events: Iterable[Any] | None = None,
    *,
    oracle: Trace | None = None,
    window: int = 100,
    epsilon: float = 0.02,
    horizon: int | None = None,
    costs: Mapping[str, float] | None = None,
    skyline: Any = None,
) -> dict[str, Any]:
    """Recovery of one run from each harmful drift, plus its counts and costs.

    Parameters
    ----------
    trace
        The run.
    events
        The stream's events (as for :func:`~experiments.metrics.detection.match_alarms`);
        default ``trace.meta["stream_events"]``.
    oracle
        The oracle policy's run on the same stream (same length), the reference for
        time to recover and accuracy lost; without it the pre-drift baseline is.
    window
        Rolling-accuracy window, in samples.
    epsilon
        How close to the reference counts as recovered, in accuracy (>= 0).
    horizon
        Longest span followed after an onset (``None``: to the next harmful onset or
        the end).
    costs
        Prices (keys ``error``, ``label``); default ``trace.meta["costs"]``.
    skyline
        The skyline's expected accuracy at every sample (same length as the run), the
        first-choice reference (:func:`simulator.skyline.skyline`), or ``None``.

    Returns
    -------
    dict
        Scalars (module docstring): ``accuracy``, ``oracle_accuracy``, ``reference``,
        ``baseline_accuracy``, ``max_drop``, ``time_to_recover``, ``not_recovered``,
        ``accuracy_lost`` and their ``_oracle`` / ``_baseline`` variants, then the
        keys of :func:`run_costs`; and ``per_event``, one dict per harmful event in
        onset order (``onset``, ``end``, ``stop``, ``baseline``, ``min_accuracy``,
        ``max_drop``, ``time_to_recover_oracle``, ``recovered_oracle``,
        ``time_to_recover_baseline``, ``recovered_baseline``, ``accuracy_lost_oracle``,
        ``accuracy_lost_baseline``; ``recovered_*`` is None where the measure is
        undefined).

    Examples
    --------
    >>> from simulator.trace import Trace
    >>> def trace(correct):
    ...     n = len(correct)
    ...     return Trace(prediction=np.zeros(n, dtype=int), correct=np.array(correct, bool),
    ...                  model_version=np.ones(n, dtype=int), y_true=np.zeros(n, dtype=int),
    ...                  label_revealed=np.zeros(n, dtype=bool), label_time=np.full(n, -1))
    >>> run = trace([1] * 10 + [0] * 6 + [1] * 14)
    >>> best = trace([1] * 10 + [0] * 2 + [1] * 18)
    >>> r = recovery(run, [10], oracle=best, window=4, epsilon=0.1)
    >>> r["reference"], r["time_to_recover"], r["accuracy_lost"], r["time_to_recover_baseline"]
    ('oracle', 9.0, 4.0, 9.0)
    """
    n = _check_runs(trace, oracle)
    window = check_int("window", window, low=1)
    epsilon = float(check_in_range("epsilon", epsilon, low=0.0))
    h = None if horizon is None else check_int("horizon", horizon, low=1)
    ev = as_event_table(_events_of(trace, events), n)
    curves = _Curves(
        run=rolling_accuracy(trace.correct, window),
        oracle=None if oracle is None else rolling_accuracy(oracle.correct, window),
        skyline=_rolling_skyline(skyline, n, window),
    )
    per_event = [
        _score_event(curves, t0, end, stop, epsilon) for t0, end, stop in _harmful_spans(ev, n, h)
    ]
    return {
        "accuracy": trace.accuracy(),
        "oracle_accuracy": _NAN if oracle is None else oracle.accuracy(),
        "skyline_accuracy": _NAN if skyline is None else float(np.mean(skyline)),
        **_aggregate(curves, per_event),
        **run_costs(trace, costs),
        "per_event": per_event,
    }


def _check_runs(trace: Trace, oracle: Trace | None) -> int:
    """The run's length, once ``trace`` and ``oracle`` are checked to be runs of one stream."""
    if not isinstance(trace, Trace):
        raise ValueError(f"trace must be a simulator.trace.Trace, got {type(trace).__name__}")
    if oracle is not None and not isinstance(oracle, Trace):
        raise ValueError(f"oracle must be a Trace or None, got {type(oracle).__name__}")
    n = trace.n_samples
    if oracle is not None and oracle.n_samples != n:
        raise ValueError(
            f"oracle has {oracle.n_samples} samples but the run has {n}; score runs of "
            "the same stream"
        )
    return n


@dataclass(frozen=True)
class _Curves:
    """Rolling accuracies of the run and of its references (``None`` when not given)."""

    run: np.ndarray
    oracle: np.ndarray | None
    skyline: np.ndarray | None


def _harmful_spans(ev: Any, n: int, horizon: int | None) -> list[tuple[int, int, int]]:
    """(onset, end, stop) of each harmful event in onset order (module docstring: span)."""
    onsets = np.sort(ev.onset[ev.harmful], kind="stable")
    ends = ev.end[ev.harmful][np.argsort(ev.onset[ev.harmful], kind="stable")]
    distinct = np.unique(onsets)
    spans = []
    for t0, end in zip(onsets.tolist(), ends.tolist(), strict=True):
        later = distinct[distinct > t0]
        reach = t0 + horizon if horizon is not None else n
        spans.append((t0, end, min(int(later[0]) if later.size else n, n, reach)))
    return spans


def _score_event(curves: _Curves, t0: int, end: int, stop: int, epsilon: float) -> dict[str, Any]:
    """The per-event record of one harmful span ``[t0, stop)`` (module docstring)."""
    r, o, sky = curves.run, curves.oracle, curves.skyline
    span = r[t0:stop]
    # at onset 0 there is no pre-drift accuracy to compare with
    has_base = t0 > 0
    base = float(r[t0 - 1]) if has_base else _NAN
    low = float(span.min())
    ttr_o = _NAN if o is None else time_to_recover(span, o[t0:stop], epsilon)
    ttr_b = time_to_recover(span, base, epsilon) if has_base else _NAN
    ttr_s = _NAN if sky is None else time_to_recover(span, sky[t0:stop], epsilon)
    return {
        "onset": t0,
        "end": end,
        "stop": stop,
        "baseline": base,
        "min_accuracy": low,
        "max_drop": max(0.0, base - low) if has_base else _NAN,
        "time_to_recover_oracle": ttr_o,
        "recovered_oracle": _recovered(ttr_o, o is not None),
        "time_to_recover_baseline": ttr_b,
        "recovered_baseline": _recovered(ttr_b, has_base),
        "time_to_recover_skyline": ttr_s,
        "recovered_skyline": _recovered(ttr_s, sky is not None),
        "accuracy_lost_skyline": (
            _NAN if sky is None else float(np.maximum(sky[t0:stop] - span, 0.0).sum())
        ),
        "accuracy_lost_oracle": (
            _NAN if o is None else float(np.maximum(o[t0:stop] - span, 0.0).sum())
        ),
        "accuracy_lost_baseline": (
            float(np.maximum(base - span, 0.0).sum()) if has_base else _NAN
        ),
    }


def _aggregate(curves: _Curves, per_event: list[dict[str, Any]]) -> dict[str, Any]:
    """The run's recovery scalars; unsuffixed ones against skyline, else oracle, else baseline."""
    r, o, sky = curves.run, curves.oracle, curves.skyline
    ttr_o, miss_o = _mean_recovered(per_event, "time_to_recover_oracle")
    ttr_b, miss_b = _mean_recovered(per_event, "time_to_recover_baseline")
    ttr_s, miss_s = _mean_recovered(per_event, "time_to_recover_skyline")
    lost_sky = _NAN if sky is None else float(np.maximum(sky - r, 0.0).sum())
    lost_oracle = _NAN if o is None else float(np.maximum(o - r, 0.0).sum())
    with_base = [e for e in per_event if e["recovered_baseline"] is not None]
    # an empty sum (no harmful events) is 0; events none of which has a baseline: nan
    lost_baseline = (
        float(sum(e["accuracy_lost_baseline"] for e in with_base))
        if with_base or not per_event
        else _NAN
    )
    reference = "skyline" if sky is not None else "oracle" if o is not None else "baseline"
    pick = {"skyline": (ttr_s, miss_s, lost_sky), "oracle": (ttr_o, miss_o, lost_oracle),
            "baseline": (ttr_b, miss_b, lost_baseline)}[reference]
    return {
        "reference": reference,
        "baseline_accuracy": per_event[0]["baseline"] if per_event else _NAN,
        "max_drop": max((e["max_drop"] for e in with_base), default=_NAN),
        "time_to_recover": pick[0],
        "not_recovered": pick[1],
        "accuracy_lost": pick[2],
        "time_to_recover_skyline": ttr_s,
        "not_recovered_skyline": miss_s,
        "accuracy_lost_skyline": lost_sky,
        "time_to_recover_oracle": ttr_o,
        "not_recovered_oracle": miss_o,
        "time_to_recover_baseline": ttr_b,
        "not_recovered_baseline": miss_b,
        "accuracy_lost_oracle": lost_oracle,
        "accuracy_lost_baseline": lost_baseline,
    }
