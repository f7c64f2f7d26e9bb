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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from simulator.alerts import Alert, AlertRouter
from simulator.estimated import realised_value
from simulator.loop_checks import (
    check_distinct_detectors,
    check_label_delay,
    check_monitor_references,
    check_windows,
)
from simulator.loop_config import (
    ApprovalConfig,
    CostModel,
    DeploymentConfig,
    GateConfig,
    LoopConfig,
    RetrainConfig,
)
from simulator.loop_deploy import Approver, Deployer
from simulator.loop_gate import gate_metric
from simulator.loop_jobs import Job, RetrainingJobs
from simulator.loop_serving import Server
from simulator.loop_snapshot import Snapshots
from simulator.loop_state import LabelSchedule, RunState
from simulator.models import default_model, full_proba
from simulator.monitors import Monitor
from simulator.policies import Decision, LoopStateView, Never, Policy
from simulator.registry import InMemoryRegistry
from simulator.stream import DriftStream
from simulator.timeaxis import stamp_alerts
from simulator.trace import Trace

__all__ = ["DeploymentLoop"]

_CONFIG_FIELDS = frozenset(f.name for f in fields(LoopConfig))


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
    batch_size, label_delay, label_fraction, initial_train, criticality, seed
        The run's settings, validated as one
        :class:`~simulator.loop_config.LoopConfig` (each is documented there, once),
        available as :attr:`config` and each as an attribute of the loop;
        :meth:`from_config` builds a loop from one.
    retrain, gate, deployment, approval, costs, alert_cooldown
        Settings of the same :class:`~simulator.loop_config.LoopConfig`.
    registry
        Where versions are recorded; default a fresh
        :class:`~simulator.registry.InMemoryRegistry`.
    alert_sinks
        Sinks the monitors' alerts are routed to (see :mod:`simulator.alerts`), or an
        :class:`~simulator.alerts.AlertRouter` to use as it is (with its outbox).

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
        config = LoopConfig(
            batch_size=batch_size, label_delay=label_delay, label_fraction=label_fraction,
            initial_train=initial_train, criticality=criticality,
            alert_cooldown=alert_cooldown, seed=seed, retrain=retrain, gate=gate,
            deployment=deployment, approval=approval, costs=costs,
        )
        self._init(stream, model, monitors, policy, config, registry, alert_sinks)

    @classmethod
    def from_config(
        cls,
        stream: DriftStream,
        model: Any = None,
        monitors: Sequence[Monitor] = (),
        policy: Policy | None = None,
        config: LoopConfig | None = None,
        *,
        registry: Any = None,
        alert_sinks: Sequence[Any] | AlertRouter = (),
    ) -> DeploymentLoop:
        """A loop whose settings are one :class:`~simulator.loop_config.LoopConfig`.

        Examples
        --------
        >>> from simulator import DriftStream, load_dataset
        >>> stream = DriftStream(load_dataset("iris"), n_samples=600)
        >>> DeploymentLoop.from_config(stream, config=LoopConfig(batch_size=100)).batch_size
        100
        """
        loop = cls.__new__(cls)
        loop._init(stream, model, monitors, policy, config or LoopConfig(), registry,
                   alert_sinks)
        return loop

    def _init(
        self, stream: DriftStream, model: Any, monitors: Sequence[Monitor],
        policy: Policy | None, config: LoopConfig, registry: Any,
        alert_sinks: Sequence[Any] | AlertRouter,
    ) -> None:
        if not isinstance(stream, DriftStream):
            raise ValueError(f"stream must be a DriftStream, got {type(stream).__name__}")
        if stream.n_samples is None:
            raise ValueError("stream must be finite: build it with n_samples=<int>")
        self.stream = stream
        self.config = config
        if isinstance(config.retrain.window, str) and stream.time is None:
            raise ValueError(
                f"retrain window {config.retrain.window!r} is a duration, but the stream has "
                "no timestamps; replay a log loaded with time=<column>, or give a count"
            )
        self.model = default_model() if model is None else model
        self.policy = Never() if policy is None else policy
        self.monitors = list(monitors) + list(self.policy.own_monitors())
        names = [m.name for m in self.monitors]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"monitor names must be unique; repeated: {duplicated}")
        check_monitor_references(self.policy, names)
        check_distinct_detectors(self.monitors)
        check_windows(self.monitors, stream.n_samples, stream.time)
        check_label_delay(config.label_delay, stream.n_samples)
        self.registry = registry
        # An AlertRouter given as alert_sinks is used as it is (its cooldown, outbox).
        self.alert_router = alert_sinks if isinstance(alert_sinks, AlertRouter) else None
        self.alert_sinks = tuple(
            alert_sinks.sinks if isinstance(alert_sinks, AlertRouter) else alert_sinks
        )
        if config.retrain.strategy == "incremental" and not hasattr(self.model, "partial_fit"):
            raise ValueError(
                f"strategy 'incremental' needs a model with partial_fit; "
                f"{type(self.model).__name__} has none"
            )

    def __getattr__(self, name: str) -> Any:
        # The settings read as attributes of the loop: loop.batch_size, loop.gate, ...
        if name in _CONFIG_FIELDS and "config" in self.__dict__:
            return getattr(self.__dict__["config"], name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # ------------------------------------------------------------------ set-up
    def _rng(self, *key: int) -> np.random.Generator:
        return np.random.default_rng([self.config.seed, *key])

    def _make_router(self) -> AlertRouter | None:
        if self.alert_router is not None:
            self.alert_router.reset()
            return self.alert_router
        if self.alert_sinks:
            return AlertRouter(self.alert_sinks, cooldown=self.config.alert_cooldown)
        return None

    def _setup(self) -> RunState:
        stream, cfg = self.stream, self.config
        n = int(stream.n_samples)
        self.registry_ = self.registry if self.registry is not None else InMemoryRegistry()
        self.router_ = self._make_router()
        # Per-sample randomness drawn once, so it cannot depend on the batch size.
        labels = LabelSchedule.build(n, self._rng(1), cfg.label_delay, cfg.label_fraction)
        # Ground truth of every sample, for the oracle's choice of training data only.
        # Rendering it renders the whole stream: the server serves from that copy.
        whole = stream.batch(0, n) if stream.drifts else None
        truth = whole.truth if whole is not None else np.empty((n, 0))
        state = RunState.empty(
            cfg, n, stream.n_classes, stream.n_features, monitors=self.monitors,
            policy=self.policy, registry=self.registry_, labels=labels, truth=truth,
            time=stream.time,
        )
        self.deployer_ = Deployer(state)
        self.approver_ = Approver(state, self._rng(3), self.deployer_.deploy)
        self.jobs_ = RetrainingJobs(state, self._fit, self._rng(2), self.approver_.validated)
        # A model that learns between segments must predict each one as it comes.
        self.server_ = Server(stream, predict_ahead=cfg.retrain.strategy != "incremental",
                              rows=whole)
        # Every event kind and who handles it.
        self._handlers: dict[str, Callable[[int, Any], None]] = {
            "job_start": self.jobs_.start,
            "job_done": self.jobs_.done,
            "validated": self.approver_.validated,
            "approval": self.approver_.decide,
            "trial_end": self.deployer_.end_trial,
            "rollback_check": self.deployer_.check_rollback,
            "rollback": self.deployer_.rollback,
        }
        for m in state.monitors:
            m.bind(stream.feature_names, stream.dataset.class_names, stream.time)
        state.policy.reset(
            events=stream.events, n_samples=n, monitor_names=[m.name for m in state.monitors]
        )
        if hasattr(state.policy, "bind_time"):  # periods written in time ("7d")
            state.policy.bind_time(stream.time)
        self._deploy_initial_model(state)
        self.snapshots_ = Snapshots(state.monitors, state.policy)
        return state

    def _deploy_initial_model(self, state: RunState) -> None:
        """Train the first model on pre-drift data drawn before the stream starts."""
        size = self.config.initial_train
        twin = DriftStream(self.stream.dataset, (), n_samples=size * 2,
                           seed=self.stream.seed + 7919)
        X0, y0, _ = twin.take(size * 2)
        X_train, y_train = X0[:size], y0[:size]
        try:
            model = self._fit(X_train, y_train)
        except Exception as exc:  # a user model may fail in any way: say where, keep why
            raise RuntimeError(
                f"model {type(self.model).__name__} failed on the initial training set "
                f"({size} samples of {self.stream.dataset.name!r}, classes "
                f"{np.unique(y_train).tolist()}): {type(exc).__name__}: {exc}; it must fit "
                "(X, y) arrays like a scikit-learn classifier"
            ) from exc
        score = gate_metric("accuracy", y0[size:], full_proba(model, X0[size:], state.k))
        mv = state.registry.register(
            model, created_at=0, trained_on=(0, 0), n_train=size,
            metrics={"accuracy": score}, tags={"origin": "initial"},
        )
        state.references[mv.version] = X_train
        state.reference_labels[mv.version] = y_train
        state.gate_scores[mv.version] = score
        self.deployer_.make_champion(mv.version, 0, initial=True)

    def _fit(self, X: np.ndarray, y: np.ndarray) -> Any:
        from sklearn.base import clone

        model = clone(self.model)
        model.fit(X, y)
        return model

    @property
    def champion(self) -> Any:
        """The model serving now (during or after a run)."""
        return self.registry_.get("champion").model

    def _fire_due(self, state: RunState, t: int) -> None:
        for _, kind, payload in state.events.pop_due(t):
            self._handlers[kind](t, payload)

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
        state = self._setup()
        batch_size, t = self.config.batch_size, 0
        while t < state.n:
            self._fire_due(state, t)
            stop = min((t // batch_size + 1) * batch_size, state.n, state.events.next_time())
            snapshot = self.snapshots_.take((state.monitors, state.policy))
            segment = self._segment(state, t, stop)
            if segment.decision_time is not None and segment.decision_time + 1 < stop:
                # The policy acted mid-segment: replay up to the decision, so it takes
                # effect at the same sample whatever the batch size.
                state.monitors, state.policy = snapshot
                stop = segment.decision_time + 1
                segment = self._segment(state, t, stop)
            self._commit(state, segment)
            self._log_estimates(state)  # of the committed segment only, not a discarded pass
            t = stop
        self.monitors, self.policy = state.monitors, state.policy
        for _, kind, payload in state.events.pending():
            if kind == "job_start" and isinstance(payload, Job) and not payload.cancelled:
                state.log(state.n - 1, "retrain_skipped", job=payload.id,
                          reason="stream ended before the job could run")
        self._write_columns(state)
        return state.trace.build(meta=self._meta(state), time=state.time)

    @staticmethod
    def _write_columns(state: RunState) -> None:
        """Hand the trace every sample's columns in one write each.

        Every segment ends committed, so the run's arrays hold what was served; a
        segment's label reveals are those of the schedule in its span, so the run's
        are the schedule's before the stream ends. One call each instead of one per
        segment: the builder's checks and the float32 cast run once (and the reveals,
        in sample order, need no check for repeated samples).
        """
        state.trace.add_batch(0, state.pred, state.correct, state.version, state.y,
                              proba=state.proba)
        reveal_time = state.labels.reveal_time
        samples = np.flatnonzero(reveal_time < state.n)
        state.trace.reveal_labels(samples, reveal_time[samples])

    def _meta(self, state: RunState) -> dict[str, Any]:
        cfg = self.config
        costs = cfg.costs
        return {
            "seed": cfg.seed,
            "n_samples": state.n,
            "batch_size": cfg.batch_size,
            "label_delay": list(cfg.label_delay) if isinstance(cfg.label_delay, tuple)
            else cfg.label_delay,
            "label_fraction": cfg.label_fraction,
            "policy": repr(state.policy),
            "monitors": [m.name for m in state.monitors],
            "costs": {
                "error": costs.error,
                "label": costs.label,
                "retrain_fixed": costs.retrain_fixed,
                "retrain_per_sample": costs.retrain_per_sample,
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

    # ------------------------------------------------------------------ segments
    def _segment(self, state: RunState, t: int, stop: int) -> _Segment:
        served = self.server_.serve(state, self.deployer_.trial, t, stop)
        prediction = served.proba.argmax(axis=1)
        correct = prediction == served.y
        state.pred[t:stop] = prediction
        state.proba[t:stop] = served.proba
        state.correct[t:stop] = correct
        state.version[t:stop] = served.version
        revealed, times = state.labels.revealed_in(t, stop)
        alerts = self._observe(state, t, stop, revealed, times)
        segment = _Segment(t, stop, prediction, served.proba, correct, served.version,
                           revealed, times, alerts)
        segment.decision_time, segment.decision = self._decide(state, t, stop, alerts)
        return segment

    def _observe(
        self, state: RunState, t: int, stop: int, revealed: np.ndarray, times: np.ndarray
    ) -> list[Alert]:
        """Feed the segment's data and revealed labels to every monitor."""
        alerts: list[Alert] = []
        y, pred = state.y[revealed], state.pred[revealed]
        p_true = state.proba[revealed, y]
        for m in state.monitors:
            alerts += m.observe_data(t, stop, state.history)
            alerts += m.observe_labels(times, y, pred, p_true, samples=revealed)
        alerts.sort(key=lambda a: a.time)
        return alerts

    @staticmethod
    def _log_estimates(state: RunState) -> None:
        """Each ``estimated:`` check goes to the trace with the realised value beside it."""
        for m in state.monitors:
            if m.estimated is None:
                continue
            for rec in m.estimated.pop_records():
                window = slice(rec["start"], rec["stop"])
                rec["realised"] = realised_value(rec["metric"], state.y[window],
                                                 state.proba[window], state.pred[window])
                state.log(rec.pop("time"), "estimate", monitor=m.name, **rec)

    def _decide(
        self, state: RunState, t: int, stop: int, alerts: list[Alert]
    ) -> tuple[int | None, Decision | None]:
        """Ask the policy at every alert and scheduled time; the first action wins."""
        by_time: dict[int, list[Alert]] = {}
        for a in alerts:
            by_time.setdefault(a.time, []).append(a)
        moments = sorted(set(by_time) | set(state.policy.scheduled(t, stop).tolist()))
        for moment in moments:
            decision = state.policy.decide(moment, by_time.get(moment, []),
                                           self._state_view(state, moment))
            if decision.action != "none":
                return moment, decision
        return None, None

    def _state_view(self, state: RunState, t: int) -> LoopStateView:
        order = state.labels.revealed_by(t + 1)
        correct = state.correct
        champion = state.registry.get("champion")

        def recent_accuracy(n: int) -> float:
            idx = order[-n:]
            return float(correct[idx].mean()) if idx.size else float("nan")

        def champion_recent_accuracy(n: int) -> float:
            # Labels arrive roughly in serving order: the champion's latest labelled
            # samples lie in the tail of the reveal order.
            tail = order[-4 * n :]
            own = tail[state.version[tail] == champion.version][-n:]
            return float(correct[own].mean()) if own.size == n else float("nan")

        jobs = self.jobs_
        return LoopStateView(
            time=t,
            last_retrain=state.last_retrain,
            job_running=jobs.job is not None,
            background_ready=jobs.background is not None,
            background_age=None if jobs.background is None
            else t - state.registry.get(jobs.background).created_at,
            champion_accuracy=state.gate_scores.get(champion.version, float("nan")),
            recent_accuracy=recent_accuracy,
            champion_version=champion.version,
            champion_recent_accuracy=champion_recent_accuracy,
            labels_available=int(order.size),
            retrain_cost=self.config.costs.retrain_cost(state.window_size(t)),
            error_cost=self.config.costs.error,
        )

    def _commit(self, state: RunState, s: _Segment) -> None:
        # The served columns are in state's arrays already; the trace takes them whole
        # at the end of the run (_write_columns).
        if s.revealed.size and self.config.retrain.strategy == "incremental":
            self.champion.partial_fit(state.X[s.revealed], state.y[s.revealed])
        for a in s.alerts:
            # a per-segment test's alert says which segments drifted
            where = {"segments": a.details["segments"]} if "segments" in a.details else {}
            state.log(a.time, "alert" if a.kind == "drift" else "warning", monitor=a.monitor,
                      detector=a.detector, signal=a.signal, statistic=a.statistic,
                      severity=a.severity, **where)
        if self.router_ is not None and s.alerts:
            # alerts of a replayed log say when they happened in the log's time
            self.router_.route(stamp_alerts(s.alerts, state.time))
        if s.decision is not None:
            self.jobs_.act(s.decision_time, s.decision)
