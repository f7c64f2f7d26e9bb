"""The state of one deployment-loop run: what was served, when labels arrive, what is
scheduled, and the objects every collaborator of the loop shares.

:class:`RunState` is built once per :meth:`~simulator.loop.DeploymentLoop.run` and
handed to the loop's collaborators (serving, retraining jobs, gate, deployment), so
each of them reads and writes the same arrays, trace and event queue instead of
attributes of one large class.

Examples
--------
>>> queue = EventQueue()
>>> queue.schedule(20, "job_done", "b"); queue.schedule(10, "job_start", "a")
>>> queue.next_time(), [kind for _, kind, _ in queue.pop_due(15)]
(10, ['job_start'])
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.loop_config import LoopConfig
from simulator.monitors import Monitor, SignalHistory
from simulator.policies import Policy
from simulator.timeaxis import parse_duration, window_start
from simulator.trace import TraceBuilder

__all__ = ["NEVER", "EventQueue", "LabelSchedule", "RunState"]

#: A time after every sample: labels never revealed, no event scheduled.
NEVER = np.iinfo(np.int64).max


class EventQueue:
    """Scheduled loop events, by time, then by the order they were scheduled."""

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, str, Any]] = []
        self._counter = itertools.count()

    def schedule(self, time: int, kind: str, payload: Any = None) -> None:
        """Run event ``kind`` with ``payload`` at sample ``time``."""
        heapq.heappush(self._heap, (int(time), next(self._counter), kind, payload))

    def next_time(self) -> int:
        """Time of the earliest event, or :data:`NEVER`."""
        return self._heap[0][0] if self._heap else NEVER

    def pop_due(self, t: int) -> Iterator[tuple[int, str, Any]]:
        """Pop, in order, every event due at or before ``t`` (also those scheduled
        while iterating)."""
        while self._heap and self._heap[0][0] <= t:
            time, _, kind, payload = heapq.heappop(self._heap)
            yield time, kind, payload

    def pending(self) -> list[tuple[int, str, Any]]:
        """The events still waiting, in order."""
        return [(time, kind, payload) for time, _, kind, payload in sorted(self._heap)]


@dataclass
class LabelSchedule:
    """When each sample's label is revealed (``NEVER`` for unlabelled samples).

    Examples
    --------
    >>> s = LabelSchedule.build(5, np.random.default_rng(0), delay=2, fraction=1.0)
    >>> s.reveal_time.tolist(), s.revealed_by(4).tolist()
    ([2, 3, 4, 5, 6], [0, 1])
    """

    reveal_time: np.ndarray
    ab_u: np.ndarray
    order: np.ndarray = field(init=False)
    sorted_times: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.order = np.argsort(self.reveal_time, kind="stable")
        self.sorted_times = self.reveal_time[self.order]

    @classmethod
    def build(
        cls, n: int, rng: np.random.Generator, delay: int | tuple[int, int], fraction: float
    ) -> LabelSchedule:
        """Draw delays, which samples are labelled and the A/B coin of every sample
        once, so none of them can depend on the batch size."""
        if isinstance(delay, tuple):
            delays = rng.integers(delay[0], delay[1] + 1, size=n)
        else:
            delays = np.full(n, delay, dtype=np.int64)
        labelled = rng.random(n) < fraction
        ab_u = rng.random(n)
        reveal = np.where(labelled, np.arange(n) + delays, NEVER).astype(np.int64)
        return cls(reveal, ab_u)

    def revealed_by(self, t: int) -> np.ndarray:
        """Indices of labels revealed before boundary ``t``, in reveal order."""
        return self.order[: np.searchsorted(self.sorted_times, t, side="left")]

    def revealed_in(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Indices and reveal times of labels revealed in ``[start, stop)``."""
        lo = np.searchsorted(self.sorted_times, start, side="left")
        hi = np.searchsorted(self.sorted_times, stop, side="left")
        return self.order[lo:hi], self.sorted_times[lo:hi]


@dataclass
class RunState:
    """Everything one run shares between the loop and its collaborators.

    ``monitors`` and ``policy`` are replaced when the loop replays a segment (it
    restores them from a snapshot), so collaborators always read them from here.
    """

    config: LoopConfig
    n: int
    k: int
    monitors: list[Monitor]
    policy: Policy
    registry: Any
    labels: LabelSchedule
    truth: np.ndarray
    X: np.ndarray
    y: np.ndarray
    pred: np.ndarray
    proba: np.ndarray
    correct: np.ndarray
    version: np.ndarray
    trace: TraceBuilder = field(default_factory=TraceBuilder)
    events: EventQueue = field(default_factory=EventQueue)
    last_retrain: int | None = None
    time: np.ndarray | None = None  # per-sample timestamps of a replayed log
    references: dict[int, np.ndarray] = field(default_factory=dict)
    reference_labels: dict[int, np.ndarray] = field(default_factory=dict)
    gate_scores: dict[int, float] = field(default_factory=dict)
    _history: SignalHistory | None = field(default=None, repr=False)

    @classmethod
    def empty(
        cls, config: LoopConfig, n: int, k: int, d: int, **shared: Any
    ) -> RunState:
        """Fresh per-sample arrays for ``n`` samples, ``k`` classes, ``d`` features."""
        return cls(
            config=config, n=n, k=k, X=np.empty((n, d)), y=np.empty(n, dtype=np.int64),
            pred=np.empty(n, dtype=np.int64), proba=np.empty((n, k)),
            correct=np.empty(n, dtype=bool), version=np.empty(n, dtype=np.int32),
            trace=TraceBuilder(n_samples=n), **shared,
        )

    @property
    def history(self) -> SignalHistory:
        """The served features, predictions and probabilities, for the monitors."""
        if self._history is None:
            self._history = SignalHistory(self.X, self.pred, self.proba)
        return self._history

    def log(self, time: int, type: str, cost: float = 0.0, **details: Any) -> None:
        self.trace.log(time, type, cost=cost, **details)

    def eligible(self, idx: np.ndarray, concept: tuple[int, float] | None) -> np.ndarray:
        """Those of the sample indices ``idx`` whose true concept is ``concept``."""
        if concept is None:
            return idx
        column, value = concept
        return idx[self.truth[idx, column] == value]

    def window_size(self, t: int, after: bool = False) -> int:
        """The retraining window in samples: the count configured, or for a duration
        (``"30d"``) the samples served within it before ``t`` (``after``: from ``t``)."""
        window = self.config.retrain.window
        if not isinstance(window, str):
            return int(window)
        assert self.time is not None  # checked by the loop
        duration = parse_duration(window)
        t = min(max(t, 0), self.n - 1)
        if after:
            end = np.searchsorted(self.time, self.time[t] + duration, side="right")
            return max(int(end) - t, 2)
        return max(t + 1 - window_start(self.time, t, duration), 2)

    def in_window(self, order: np.ndarray, t: int, since: int | None) -> np.ndarray:
        """Those labelled samples ``order`` a job at ``t`` trains on: the window's most
        recent ones, or its first ones from ``since`` on; a duration window keeps the
        samples served within it."""
        window = self.config.retrain.window
        if not isinstance(window, str):
            return order[:window] if since is not None else order[-window:]
        assert self.time is not None
        duration = parse_duration(window)
        if since is not None:
            return order[self.time[order] <= self.time[since] + duration]
        return order[order >= window_start(self.time, max(t - 1, 0), duration)]

    def labels_ready(
        self, since: int, count: int, concept: tuple[int, float] | None = None
    ) -> int | None:
        """The boundary after which ``count`` labels of samples served from ``since``
        on (of the given true concept) have been revealed; None if that never happens
        in the stream."""
        labels = self.labels
        # Labels come no earlier than their sample (delays are >= 0): scan the reveal
        # order from time ``since`` on, a chunk at a time, until ``count`` of them are
        # of samples served from ``since`` (of the concept). That is the count-th
        # earliest reveal without sorting every sample after ``since``.
        lo = int(np.searchsorted(labels.sorted_times, since, side="left"))
        hi = int(np.searchsorted(labels.sorted_times, self.n, side="left"))
        step = max(4 * count, 4096)
        found = 0
        for a in range(lo, hi, step):
            idx = labels.order[a : min(a + step, hi)]
            hits = np.flatnonzero(idx >= since)
            if concept is not None:
                hits = hits[self.truth[idx[hits], concept[0]] == concept[1]]
            if found + hits.size >= count:
                return int(labels.sorted_times[a + hits[count - found - 1]]) + 1
            found += hits.size
        return None
