"""The simulated deployment loop: a model living through a drifting stream.

Time is the sample index. The champion serves every sample; labels come back after a
delay (and only for a fraction of samples); monitors watch features, outputs and
errors and raise alerts; a policy decides to retrain or roll back; retraining jobs
take time, can fail, and pass a validation gate, an optional human approver and a
deployment mode (replace, shadow, A/B) before a new model serves. Everything lands in
a :class:`~simulator.trace.Trace`.

How time advances
-----------------
The loop works in segments: from the current sample to the next batch boundary or
the next scheduled event (a job finishing, an approval, the end of a trial, a
rollback check), whichever comes first. Within a segment it serves with one model
(two during an A/B trial), reveals the labels due, feeds the monitors and asks the
policy at every alert and at every time the policy scheduled. When the policy acts at
sample ``t`` the segment is cut right after ``t`` (monitors and policy are restored to
their state at the segment's start and replayed up to ``t``), so a decision takes
effect at the same sample whatever the batch size. Retraining on data available at
``t`` starts at ``t + 1``; the new model serves from ``t + 1 + latency`` (plus the
approver's latency for critical models).

Results therefore do not depend on ``batch_size``, with one exception: the
``incremental`` strategy's model learns from revealed labels at segment ends, so
what it serves depends on how often that happens.

Examples
--------
>>> from detectors import PageHinkley
>>> from simulator.datasets import load_dataset
>>> from simulator.drift import Drift
>>> from simulator.monitors import Monitor
>>> from simulator.loop_config import RetrainConfig
>>> from simulator.policies import DriftTriggered
>>> from simulator.stream import DriftStream
>>> stream = DriftStream(load_dataset("iris"), [Drift("concept", 2000, classes=(1, 2))],
...                      n_samples=5000, seed=1)
>>> loop = DeploymentLoop(stream, monitors=[Monitor("error", PageHinkley(threshold=10.0))],
...                       policy=DriftTriggered(data="since_alert", cooldown=500),
...                       retrain=RetrainConfig(window=200), seed=1)
>>> trace = loop.run()
>>> [(e.time, e.type) for e in trace.events if e.type in ("alert", "gate_pass", "deploy")][:5]
[(0, 'deploy'), (2012, 'alert'), (2092, 'alert'), (2212, 'gate_pass'), (2212, 'deploy')]
>>> round(float(trace.correct[1000:2000].mean()), 2), round(float(trace.correct[2212:].mean()), 2)
(0.97, 0.97)
"""

from __future__ import annotations

import copy
import heapq
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from driftsim.validation import check_choice, check_in_range, check_int
from simulator.alerts import Alert, AlertRouter
from simulator.estimated import realised_value
from simulator.loop_config import (
    ApprovalConfig,
    CostModel,
    DeploymentConfig,
    GateConfig,
    RetrainConfig,
)
from simulator.models import default_model, full_proba
from simulator.monitors import Monitor, Reference, SignalHistory
from simulator.policies import Decision, GateFailure, LoopStateView, Never, Policy
from simulator.registry import InMemoryRegistry
from simulator.stream import DriftStream, apply_prediction_drift
from simulator.trace import Trace, TraceBuilder

__all__ = ["DeploymentLoop"]

_NEVER = np.iinfo(np.int64).max


@dataclass
class _Job:
    """One retraining job, from trigger to gate."""

    id: int
    trigger: int
    since: int | None
    background: bool
    reason: str
    concept: tuple[int, float] | None = None
    retry: int = 0
    attempt: int = 0
    started: bool = False
    cancelled: bool = False
    train_idx: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    holdout_idx: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))


@dataclass
class _Trial:
    """A shadow or A/B trial of a challenger."""

    mode: str
    version: int
    start: int
    stop: int


@dataclass
class _Segment:
    """What one pass over ``[start, stop)`` produced, before it is committed."""

    start: int
    stop: int
    prediction: np.ndarray
    proba: np.ndarray
    correct: np.ndarray
    version: np.ndarray
    revealed: np.ndarray
    reveal_times: np.ndarray
    alerts: list[Alert]
    decision: Decision | None = None
    decision_time: int | None = None


def _metric(name: str, y: np.ndarray, proba: np.ndarray) -> float:
    """Gate metric, oriented so that larger is better."""
    if name == "accuracy":
        return float(np.mean(proba.argmax(axis=1) == y))
    if name == "f1":
        from sklearn.metrics import f1_score

        return float(f1_score(y, proba.argmax(axis=1), average="macro", zero_division=0))
    p = np.clip(proba[np.arange(y.size), y], 1e-15, 1.0)
    return float(np.mean(np.log(p)))  # negative log loss


class DeploymentLoop:
    """Serve a model over a drifting stream, monitor it, and retrain it by a policy.

    Parameters
    ----------
    stream
        A finite :class:`~simulator.stream.DriftStream`.
    model
        An unfitted scikit-learn classifier or pipeline (cloned for every training),
        or a :class:`~simulator.models.RiverClassifier`; default a standardising
        logistic regression.
    monitors
        :class:`~simulator.monitors.Monitor` objects (names must be unique).
    policy
        A :class:`~simulator.policies.Policy`; default :class:`~simulator.policies.Never`.
    batch_size
        Samples per batch (one ``predict_proba`` call each); does not change results.
    label_delay
        Samples until a label is revealed: an int, or ``(low, high)`` for a seeded
        uniform integer delay per sample.
    label_fraction
        Share of samples whose label is ever revealed (seeded).
    initial_train
        Size of the pre-drift sample the first model is trained on (drawn from the
        same dataset with no drift, before the stream starts).
    retrain, gate, deployment, approval, costs
        See :mod:`simulator.loop_config`.
    criticality
        ``"high"`` puts the simulated human approver between gate and deployment.
    registry
        Where versions are recorded; default a fresh
        :class:`~simulator.registry.InMemoryRegistry`.
    alert_sinks
        Sinks the monitors' alerts are routed to (see :mod:`simulator.alerts`), or an
        :class:`~simulator.alerts.AlertRouter` to use as it is (with its outbox).
    alert_cooldown
        Per-monitor cooldown, in samples, of the alert router.
    seed
        Seeds the label delays and fractions, A/B traffic, job failures and the
        approver.

    Examples
    --------
    >>> from simulator import Drift, DriftStream, Oracle, load_dataset
    >>> stream = DriftStream(load_dataset("iris"), [Drift("concept", 600)], n_samples=1500)
    >>> trace = DeploymentLoop(stream, policy=Oracle(), retrain=RetrainConfig(window=200)).run()
    >>> [(e.time, e.type) for e in trace.events if e.type == "deploy"]
    [(0, 'deploy'), (800, 'deploy')]
    """

    def __init__(
        self,
        stream: DriftStream,
        model: Any = None,
        monitors: Sequence[Monitor] = (),
        policy: Policy | None = None,
        *,
        batch_size: int = 500,
        label_delay: int | tuple[int, int] = 0,
        label_fraction: float = 1.0,
        initial_train: int = 500,
        retrain: RetrainConfig | None = None,
        gate: GateConfig | None = None,
        deployment: DeploymentConfig | None = None,
        approval: ApprovalConfig | None = None,
        costs: CostModel | None = None,
        criticality: str = "normal",
        registry: Any = None,
        alert_sinks: Sequence[Any] | AlertRouter = (),
        alert_cooldown: int = 0,
        seed: int = 0,
    ) -> None:
        if not isinstance(stream, DriftStream):
            raise ValueError(f"stream must be a DriftStream, got {type(stream).__name__}")
        if stream.n_samples is None:
            raise ValueError("stream must be finite: build it with n_samples=<int>")
        self.stream = stream
        self.model = default_model() if model is None else model
        self.policy = Never() if policy is None else policy
        self.monitors = list(monitors) + list(self.policy.own_monitors())
        names = [m.name for m in self.monitors]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"monitor names must be unique; repeated: {duplicated}")
        self.batch_size = check_int("batch_size", batch_size, low=1)
        if isinstance(label_delay, (tuple, list)):
            if len(label_delay) != 2 or not 0 <= int(label_delay[0]) <= int(label_delay[1]):
                raise ValueError(
                    f"label_delay must be an int >= 0 or (low, high) with 0 <= low <= high, "
                    f"got {label_delay!r}"
                )
            self.label_delay: int | tuple[int, int] = (int(label_delay[0]), int(label_delay[1]))
        else:
            self.label_delay = check_int("label_delay", label_delay, low=0)
        self.label_fraction = check_in_range(
            "label_fraction", label_fraction, low=0.0, high=1.0, low_inclusive=False
        )
        self.initial_train = check_int("initial_train", initial_train, low=10)
        self.retrain = retrain or RetrainConfig()
        self.gate = gate or GateConfig()
        self.deployment = deployment or DeploymentConfig()
        self.approval = approval or ApprovalConfig()
        self.costs = costs or CostModel()
        self.criticality = check_choice("criticality", criticality, ("normal", "high"))
        self.registry = registry
        # An AlertRouter given as alert_sinks is used as it is (its cooldown, outbox).
        self.alert_router = alert_sinks if isinstance(alert_sinks, AlertRouter) else None
        self.alert_sinks = tuple(
            alert_sinks.sinks if isinstance(alert_sinks, AlertRouter) else alert_sinks
        )
        self.alert_cooldown = check_int("alert_cooldown", alert_cooldown, low=0)
        self.seed = check_int("seed", seed, low=0)
        if self.retrain.strategy == "incremental" and not hasattr(self.model, "partial_fit"):
            raise ValueError(
                f"strategy 'incremental' needs a model with partial_fit; "
                f"{type(self.model).__name__} has none"
            )

    # ------------------------------------------------------------------ set-up
    def _rng(self, *key: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, *key])

    def _setup(self) -> None:
        stream = self.stream
        n = self.n = int(stream.n_samples)
        k = self.k = stream.n_classes
        d = stream.n_features
        self.registry_ = self.registry if self.registry is not None else InMemoryRegistry()
        if self.alert_router is not None:
            self.router_ = self.alert_router
            self.router_.reset()
        elif self.alert_sinks:
            self.router_ = AlertRouter(self.alert_sinks, cooldown=self.alert_cooldown)
        else:
            self.router_ = None
        # Per-sample randomness drawn once, so it cannot depend on the batch size.
        rng = self._rng(1)
        if isinstance(self.label_delay, tuple):
            delay = rng.integers(self.label_delay[0], self.label_delay[1] + 1, size=n)
        else:
            delay = np.full(n, self.label_delay, dtype=np.int64)
        labelled = rng.random(n) < self.label_fraction
        self.ab_u_ = rng.random(n)
        self.reveal_time_ = np.where(labelled, np.arange(n) + delay, _NEVER).astype(np.int64)
        self.reveal_order_ = np.argsort(self.reveal_time_, kind="stable")
        self.reveal_sorted_ = self.reveal_time_[self.reveal_order_]
        # Ground truth of every sample, for the oracle's choice of training data only.
        self.truth_ = stream.batch(0, n).truth if stream.drifts else np.empty((n, 0))
        self.job_rng_ = self._rng(2)
        self.approval_rng_ = self._rng(3)

        self.X_ = np.empty((n, d))
        self.y_ = np.empty(n, dtype=np.int64)
        self.pred_ = np.empty(n, dtype=np.int64)
        self.proba_ = np.empty((n, k))
        self.correct_ = np.empty(n, dtype=bool)
        self.version_ = np.empty(n, dtype=np.int32)
        self.history_ = SignalHistory(self.X_, self.pred_, self.proba_)
        self.trace_ = TraceBuilder(n_samples=n)
        self.events_: list[tuple[int, int, str, Any]] = []
        self.counter_ = itertools.count()
        self.job_ids_ = itertools.count(1)
        self.job_: _Job | None = None
        self.background_: int | None = None
        self.trial_: _Trial | None = None
        self.last_retrain_: int | None = None
        self.references_: dict[int, np.ndarray] = {}
        self.reference_labels_: dict[int, np.ndarray] = {}
        self.gate_scores_: dict[int, float] = {}

        for m in self.monitors:
            m.bind(stream.feature_names, stream.dataset.class_names)
        self.policy.reset(
            events=stream.events, n_samples=n, monitor_names=[m.name for m in self.monitors]
        )

        # The first model: trained on pre-drift data drawn before the stream starts.
        twin = DriftStream(
            stream.dataset, (), n_samples=self.initial_train * 2, seed=stream.seed + 7919
        )
        X0, y0, _ = twin.take(self.initial_train * 2)
        X_train, y_train = X0[: self.initial_train], y0[: self.initial_train]
        model = self._fit(X_train, y_train)
        score = _metric("accuracy", y0[self.initial_train :],
                        full_proba(model, X0[self.initial_train :], k))
        mv = self.registry_.register(
            model, created_at=0, trained_on=(0, 0), n_train=self.initial_train,
            metrics={"accuracy": score}, tags={"origin": "initial"},
        )
        self.references_[mv.version] = X_train
        self.reference_labels_[mv.version] = y_train
        self.gate_scores_[mv.version] = score
        self._make_champion(mv.version, 0, initial=True)

    def _fit(self, X: np.ndarray, y: np.ndarray) -> Any:
        from sklearn.base import clone

        model = clone(self.model)
        model.fit(X, y)
        return model

    # ------------------------------------------------------------------ events
    def _schedule(self, time: int, kind: str, payload: Any = None) -> None:
        heapq.heappush(self.events_, (int(time), next(self.counter_), kind, payload))

    def _next_event_time(self) -> int:
        return self.events_[0][0] if self.events_ else _NEVER

    def _fire_due(self, t: int) -> None:
        while self.events_ and self.events_[0][0] <= t:
            _, _, kind, payload = heapq.heappop(self.events_)
            getattr(self, f"_on_{kind}")(t, payload)

    def _log(self, time: int, type: str, cost: float = 0.0, **details: Any) -> None:
        self.trace_.log(time, type, cost=cost, **details)

    # ------------------------------------------------------------------ models
    @property
    def champion(self) -> Any:
        return self.registry_.get("champion").model

    def _reference(self, version: int) -> Reference:
        X = self.references_[version]
        proba = full_proba(self.registry_.get(version).model, X, self.k)
        return Reference(X, proba.argmax(axis=1), proba, self.reference_labels_[version])

    def _make_champion(self, version: int, t: int, *, initial: bool = False) -> None:
        previous = self.registry_.alias("champion")
        self.registry_.promote(version)
        self._log(t, "deploy", version=version,
                  previous=None if previous is None else previous.version)
        reference = self._reference(version)
        for m in self.monitors:
            m.rebaseline(reference, t)
        if not initial and previous is not None and self.deployment.rollback_samples:
            check_at = self._labels_ready(t, self.deployment.rollback_samples)
            if check_at is not None:
                self._schedule(check_at, "rollback_check", (version, previous.version, t))

    def _eligible(self, idx: np.ndarray, concept: tuple[int, float] | None) -> np.ndarray:
        """Those of the sample indices ``idx`` whose true concept is ``concept``."""
        if concept is None:
            return idx
        column, value = concept
        return idx[self.truth_[idx, column] == value]

    def _labels_ready(
        self, since: int, count: int, concept: tuple[int, float] | None = None
    ) -> int | None:
        """The boundary after which ``count`` labels of samples served from ``since``
        on (of the given true concept) have been revealed; None if that never happens
        in the stream."""
        times = np.sort(self.reveal_time_[self._eligible(np.arange(since, self.n), concept)])
        times = times[times < self.n]
        if times.size < count:
            return None
        return int(times[count - 1]) + 1

    def _revealed_by(self, t: int) -> np.ndarray:
        """Indices of labels revealed before boundary ``t``, in reveal order."""
        return self.reveal_order_[: np.searchsorted(self.reveal_sorted_, t, side="left")]

    # ------------------------------------------------------------------ the run
    def run(self) -> Trace:
        """Run the whole stream; return the trace.

        BLAS runs single-threaded meanwhile: the models are small, threads only add
        contention, and sweeps already run one job per core.
        """
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            return self._run()

    def _run(self) -> Trace:
        self._setup()
        t = 0
        while t < self.n:
            self._fire_due(t)
            stop = min((t // self.batch_size + 1) * self.batch_size, self.n,
                       self._next_event_time())
            snapshot = copy.deepcopy((self.monitors, self.policy))
            segment = self._segment(t, stop)
            if segment.decision_time is not None and segment.decision_time + 1 < stop:
                self.monitors, self.policy = snapshot
                stop = segment.decision_time + 1
                segment = self._segment(t, stop)
            self._commit(segment)
            self._log_estimates()  # of the committed segment only, not a discarded pass
            t = stop
        for _, _, kind, payload in sorted(self.events_):
            if kind == "job_start" and isinstance(payload, _Job) and not payload.cancelled:
                self._log(self.n - 1, "retrain_skipped", job=payload.id,
                          reason="stream ended before the job could run")
        return self.trace_.build(meta=self._meta())

    def _meta(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "n_samples": self.n,
            "batch_size": self.batch_size,
            "label_delay": list(self.label_delay) if isinstance(self.label_delay, tuple)
            else self.label_delay,
            "label_fraction": self.label_fraction,
            "policy": repr(self.policy),
            "monitors": [m.name for m in self.monitors],
            "costs": {
                "error": self.costs.error,
                "label": self.costs.label,
                "retrain_fixed": self.costs.retrain_fixed,
                "retrain_per_sample": self.costs.retrain_per_sample,
            },
            "stream_events": [
                {
                    "drift_index": e.drift_index, "onset": e.onset, "end": e.end,
                    "kind": e.kind, "profile": e.profile, "transform": e.transform,
                    "severity": e.severity, "is_return": e.is_return, "harmful": e.harmful,
                    "accuracy_drop": e.accuracy_drop,
                }
                for e in self.stream.events
            ],
        }

    def _serve(self, t: int, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        batch = self.stream.batch(t, stop)
        champion = self.registry_.get("champion")
        proba = full_proba(champion.model, batch.X, self.k)
        version = np.full(stop - t, champion.version, dtype=np.int32)
        trial = self.trial_
        if trial is not None and trial.mode == "ab" and t < trial.stop:
            chosen = (self.ab_u_[t:stop] < self.deployment.ab_fraction) & (
                np.arange(t, stop) < trial.stop
            )
            if chosen.any():
                challenger = self.registry_.get(trial.version)
                proba[chosen] = full_proba(challenger.model, batch.X[chosen], self.k)
                version[chosen] = challenger.version
        if any(d.kind == "prediction" for d in self.stream.drifts):
            proba = apply_prediction_drift(proba, batch.truth, self.stream.drifts, batch.noise)
        self.X_[t:stop] = batch.X
        self.y_[t:stop] = batch.y
        return proba, batch.y, version

    def _log_estimates(self) -> None:
        """Each ``estimated:`` check goes to the trace with the realised value beside it."""
        for m in self.monitors:
            if m.estimated is None:
                continue
            for rec in m.estimated.pop_records():
                window = slice(rec["start"], rec["stop"])
                rec["realised"] = realised_value(rec["metric"], self.y_[window],
                                                 self.proba_[window], self.pred_[window])
                self._log(rec.pop("time"), "estimate", monitor=m.name, **rec)

    def _segment(self, t: int, stop: int) -> _Segment:
        proba, y, version = self._serve(t, stop)
        prediction = proba.argmax(axis=1)
        self.pred_[t:stop] = prediction
        self.proba_[t:stop] = proba
        self.correct_[t:stop] = prediction == y
        self.version_[t:stop] = version

        lo = np.searchsorted(self.reveal_sorted_, t, side="left")
        hi = np.searchsorted(self.reveal_sorted_, stop, side="left")
        revealed = self.reveal_order_[lo:hi]
        times = self.reveal_sorted_[lo:hi]
        alerts: list[Alert] = []
        p_true = self.proba_[revealed, self.y_[revealed]]
        for m in self.monitors:
            alerts += m.observe_data(t, stop, self.history_)
            alerts += m.observe_labels(times, self.y_[revealed], self.pred_[revealed], p_true,
                                       samples=revealed)
        alerts.sort(key=lambda a: a.time)

        segment = _Segment(t, stop, prediction, proba, prediction == y, version, revealed,
                           times, alerts)
        by_time: dict[int, list[Alert]] = {}
        for a in alerts:
            by_time.setdefault(a.time, []).append(a)
        moments = sorted(set(by_time) | set(self.policy.scheduled(t, stop).tolist()))
        for moment in moments:
            decision = self.policy.decide(moment, by_time.get(moment, []),
                                          self._state_view(moment))
            if decision.action != "none":
                segment.decision, segment.decision_time = decision, moment
                break
        return segment

    def _state_view(self, t: int) -> LoopStateView:
        order = self._revealed_by(t + 1)
        correct = self.correct_

        def recent_accuracy(n: int) -> float:
            idx = order[-n:]
            return float(correct[idx].mean()) if idx.size else float("nan")

        champion = self.registry_.get("champion")

        def champion_recent_accuracy(n: int) -> float:
            # Labels arrive roughly in serving order: the champion's latest labelled
            # samples lie in the tail of the reveal order.
            tail = order[-4 * n :]
            own = tail[self.version_[tail] == champion.version][-n:]
            return float(correct[own].mean()) if own.size == n else float("nan")

        return LoopStateView(
            time=t,
            last_retrain=self.last_retrain_,
            job_running=self.job_ is not None,
            background_ready=self.background_ is not None,
            background_age=None if self.background_ is None
            else t - self.registry_.get(self.background_).created_at,
            champion_accuracy=self.gate_scores_.get(champion.version, float("nan")),
            recent_accuracy=recent_accuracy,
            champion_version=champion.version,
            champion_recent_accuracy=champion_recent_accuracy,
            labels_available=int(order.size),
            retrain_cost=self.costs.retrain_cost(self.retrain.window),
            error_cost=self.costs.error,
        )

    def _commit(self, s: _Segment) -> None:
        self.trace_.add_batch(s.start, s.prediction, s.correct, s.version, self.y_[s.start:s.stop],
                              proba=s.proba)
        if s.revealed.size:
            self.trace_.reveal_labels(s.revealed, s.reveal_times)
            if self.retrain.strategy == "incremental":
                champion = self.champion
                champion.partial_fit(self.X_[s.revealed], self.y_[s.revealed])
        for a in s.alerts:
            self._log(a.time, "alert" if a.kind == "drift" else "warning", monitor=a.monitor,
                      detector=a.detector, signal=a.signal, statistic=a.statistic,
                      severity=a.severity)
        if self.router_ is not None and s.alerts:
            self.router_.route(s.alerts)
        if s.decision is not None:
            self._act(s.decision_time, s.decision)

    # ------------------------------------------------------------------ actions
    def _act(self, t: int, decision: Decision) -> None:
        if decision.action == "rollback":
            if self.registry_.alias("previous") is None:
                self._log(t, "retrain_skipped", reason="rollback asked, no previous version")
            else:
                self._schedule(t + 1, "rollback", decision.reason)
            return
        if decision.action == "retrain" and self.background_ is not None:
            version, self.background_ = self.background_, None
            if decision.since is None:
                self._log(t, "retrain_end", version=version, background=True,
                          reason=decision.reason)
                self._schedule(t + 1, "validated", version)
                return
            # The policy wants fresh data: the waiting background model is dropped.
        if decision.action == "background":
            self.background_ = None  # a newer background model replaces a stale one
        if self.job_ is not None and not self.job_.started:
            # Still waiting for its data: the newer decision (newer data) supersedes it.
            self.job_.cancelled = True
            self._log(t, "retrain_skipped", job=self.job_.id,
                      reason=f"superseded before it started ({decision.reason})")
            self.job_ = None
        if self.job_ is not None:
            self._log(t, "retrain_skipped", reason=f"a job is running ({decision.reason})")
            return
        job = _Job(next(self.job_ids_), t, decision.since, decision.action == "background",
                   decision.reason, decision.concept, decision.retry)
        self.job_ = job
        self.last_retrain_ = t
        if decision.since is None:
            self._schedule(t + 1, "job_start", job)
            return
        ready = self._labels_ready(decision.since, self.retrain.window, decision.concept)
        if ready is None:
            # Not enough labels will ever come: train on what there is at stream end.
            ready = self.n
        self._schedule(max(ready, t + 1), "job_start", job)

    def _on_job_start(self, t: int, job: _Job) -> None:
        if job.cancelled:
            return
        job.started = True
        order = self._revealed_by(t)
        if job.since is not None:
            order = self._eligible(order[order >= job.since], job.concept)[: self.retrain.window]
        else:
            order = order[-self.retrain.window :]
        if order.size < self.retrain.min_train:
            self._log(t, "retrain_skipped", job=job.id, labels=int(order.size),
                      reason=f"fewer than min_train={self.retrain.min_train} labels")
            self.job_ = None
            return
        n_hold = round(order.size * self.gate.holdout) if self.gate.enabled else 0
        if n_hold and order.size - n_hold < 2:
            n_hold = 0
        # The most recent labels are held out: the gate asks how the candidate does now.
        job.train_idx = order[: order.size - n_hold] if n_hold else order
        job.holdout_idx = order[order.size - n_hold :] if n_hold else order[:0]
        cost = self.costs.retrain_cost(job.train_idx.size)
        self._log(t, "retrain_start", cost=cost, job=job.id, attempt=job.attempt,
                  n_train=int(job.train_idx.size), background=job.background,
                  reason=job.reason)
        self._schedule(t + self.retrain.latency, "job_done", job)

    def _on_job_done(self, t: int, job: _Job) -> None:
        failed = self.job_rng_.random() < self.retrain.failure_rate
        error = "simulated infrastructure failure" if failed else None
        candidate = None
        if not failed:
            try:
                candidate = self._fit(self.X_[job.train_idx], self.y_[job.train_idx])
            except Exception as exc:  # a user model may fail in any way: log, go on
                error = f"{type(exc).__name__}: {exc}"
        if candidate is None:
            retry = job.attempt < self.retrain.max_retries
            self._log(t, "retrain_failed", job=job.id, attempt=job.attempt, error=error,
                      retry=retry)
            if retry:
                job.attempt += 1
                self._schedule(t + self.retrain.backoff, "job_start", job)
            else:
                self.job_ = None
            return
        self.job_ = None
        self._log(t, "retrain_end", job=job.id, n_train=int(job.train_idx.size))
        self._gate(t, job, candidate)

    def _gate(self, t: int, job: _Job, candidate: Any) -> None:
        champion = self.registry_.get("champion")
        hold = job.holdout_idx
        X_hold, y_hold = self.X_[hold], self.y_[hold]
        metric = self.gate.metric
        if hold.size:
            new = _metric(metric, y_hold, full_proba(candidate, X_hold, self.k))
            old = _metric(metric, y_hold, full_proba(champion.model, X_hold, self.k))
            passed = new > old + self.gate.margin
        else:
            new = old = float("nan")
            passed = True
        train = job.train_idx
        mv = self.registry_.register(
            candidate, created_at=t, trained_on=(int(train.min()), int(train.max()) + 1),
            n_train=int(train.size), parent=champion.version,
            metrics={} if math.isnan(new) else {metric: new, f"champion_{metric}": old},
            tags={"job": str(job.id), "gate": "pass" if passed else "fail"},
        )
        self.references_[mv.version] = self.X_[train]
        self.reference_labels_[mv.version] = self.y_[train]
        accuracy = (
            _metric("accuracy", y_hold, full_proba(candidate, X_hold, self.k))
            if hold.size else float("nan")
        )
        self.gate_scores_[mv.version] = accuracy
        self._log(t, "gate_pass" if passed else "gate_fail", job=job.id, version=mv.version,
                  metric=metric, candidate=new, champion=old, margin=self.gate.margin)
        if not passed:
            if not job.background:
                self._after_gate_failure(t, job)
            return
        if job.background:
            self.background_ = mv.version
            return
        self._on_validated(t, mv.version)

    def _after_gate_failure(self, t: int, job: _Job) -> None:
        """Let the policy retry (on fresher labels) after the gate rejected its job."""
        failure = GateFailure(t, job.trigger, job.since, job.retry, job.reason)
        decision = self.policy.after_gate_failure(failure)
        if decision.action != "none":
            self._act(t, decision)

    def _on_validated(self, t: int, version: int) -> None:
        if self.criticality == "high":
            self._log(t, "approval_request", version=version)
            self._schedule(t + self.approval.latency, "approval", version)
        else:
            self._deploy(t, version)

    def _on_approval(self, t: int, version: int) -> None:
        if self.approval_rng_.random() < self.approval.rejection_rate:
            self._log(t, "rejection", version=version)
            return
        self._log(t, "approval", version=version)
        self._deploy(t, version)

    def _deploy(self, t: int, version: int) -> None:
        mode = self.deployment.mode
        if mode == "replace" or self.trial_ is not None:
            self._make_champion(version, t)
            return
        stop = min(t + self.deployment.trial_samples, self.n)
        self.trial_ = _Trial(mode, version, t, stop)
        self.registry_.set_alias("challenger", version)
        self._log(t, f"{mode}_start", version=version, until=stop)
        times = self.reveal_time_[t:stop]
        times = times[times < self.n]
        end = int(times.max()) + 1 if times.size else stop
        self._schedule(max(end, stop), "trial_end", self.trial_)

    def _on_trial_end(self, t: int, trial: _Trial) -> None:
        self.trial_ = None
        self.registry_.remove_alias("challenger")
        idx = np.arange(trial.start, trial.stop)
        idx = idx[self.reveal_time_[idx] < t]
        challenger = self.registry_.get(trial.version)
        if trial.mode == "shadow":
            champ_ok = self.correct_[idx]
            chall_ok = full_proba(challenger.model, self.X_[idx], self.k).argmax(1) == self.y_[idx]
        else:
            served_by = self.version_[idx]
            champ_ok = self.correct_[idx][served_by != trial.version]
            chall_ok = self.correct_[idx][served_by == trial.version]
        acc_champ = float(champ_ok.mean()) if champ_ok.size else float("nan")
        acc_chall = float(chall_ok.mean()) if chall_ok.size else float("nan")
        promote = bool(acc_chall > acc_champ + self.gate.margin)
        p_value = None
        if trial.mode == "ab" and self.deployment.ab_test == "significance":
            p_value = _two_proportion_p(chall_ok, champ_ok)
            promote = promote and p_value < self.deployment.ab_alpha
        self._log(t, f"{trial.mode}_end", version=trial.version, promoted=promote,
                  challenger_accuracy=acc_chall, champion_accuracy=acc_champ,
                  labels=int(idx.size), p_value=p_value)
        if promote:
            self._log(t, "promotion", version=trial.version)
            self._make_champion(trial.version, t)

    def _on_rollback_check(self, t: int, payload: tuple[int, int, int]) -> None:
        version, previous, deployed_at = payload
        champion = self.registry_.alias("champion")
        if champion is None or champion.version != version:
            return  # replaced since: nothing to check
        idx = self._revealed_by(t)
        idx = idx[idx >= deployed_at][: self.deployment.rollback_samples]
        X, y = self.X_[idx], self.y_[idx]
        acc_new = float(np.mean(full_proba(champion.model, X, self.k).argmax(1) == y))
        acc_old = float(np.mean(
            full_proba(self.registry_.get(previous).model, X, self.k).argmax(1) == y
        ))
        if acc_old - acc_new > self.deployment.rollback_margin:
            self._on_rollback(t, f"new model {acc_new:.3f} < previous {acc_old:.3f}")

    def _on_rollback(self, t: int, reason: str) -> None:
        current = self.registry_.get("champion").version
        restored = self.registry_.rollback()
        self._log(t, "rollback", version=restored.version, replaced=current, reason=reason)
        reference = self._reference(restored.version)
        for m in self.monitors:
            m.rebaseline(reference, t)


def _two_proportion_p(a: np.ndarray, b: np.ndarray) -> float:
    """One-sided p-value that ``a``'s success rate exceeds ``b``'s (z-test)."""
    from scipy.stats import norm

    if a.size == 0 or b.size == 0:
        return 1.0
    p1, p2 = a.mean(), b.mean()
    pooled = (a.sum() + b.sum()) / (a.size + b.size)
    se = math.sqrt(pooled * (1 - pooled) * (1 / a.size + 1 / b.size))
    if se == 0:
        return 0.0 if p1 > p2 else 1.0
    return float(norm.sf((p1 - p2) / se))
