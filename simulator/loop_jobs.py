"""Retraining jobs: from a policy's decision to a gated candidate.

A decision starts a :class:`Job`; the job waits for its data, trains (possibly
failing and retrying), and hands the candidate to the validation gate. A candidate
that passes goes on to approval and deployment (or waits as a background model); one
that fails is reported to the policy, which may retry on fresher labels.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.loop_gate import judge
from simulator.loop_state import RunState
from simulator.policies import Decision, GateFailure

__all__ = ["Job", "RetrainingJobs"]


@dataclass
class Job:
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


class RetrainingJobs:
    """Runs at most one job at a time, and keeps the waiting background model.

    Parameters
    ----------
    state
        The run's shared state.
    fit
        ``fit(X, y)`` → a freshly fitted clone of the served model class.
    rng
        Seeds simulated infrastructure failures.
    validated
        Called with ``(time, version)`` when a foreground candidate passes the gate.
    """

    def __init__(
        self,
        state: RunState,
        fit: Callable[[np.ndarray, np.ndarray], Any],
        rng: np.random.Generator,
        validated: Callable[[int, int], None],
    ) -> None:
        self.state = state
        self.fit = fit
        self.rng = rng
        self.validated = validated
        self.job: Job | None = None
        self.background: int | None = None
        self._ids = itertools.count(1)

    # ------------------------------------------------------------------ decisions
    def act(self, t: int, decision: Decision) -> None:
        """Carry out a ``retrain``, ``background`` or ``rollback`` decision taken at ``t``."""
        s = self.state
        if decision.action == "rollback":
            if s.registry.alias("previous") is None:
                s.log(t, "retrain_skipped", reason="rollback asked, no previous version")
            else:
                s.events.schedule(t + 1, "rollback", decision.reason)
            return
        if decision.action == "retrain" and self._swap_background(t, decision):
            return
        if decision.action == "background":
            self.background = None  # a newer background model replaces a stale one
        if not self._make_room(t, decision):
            return
        self._start_job(t, decision)

    def _swap_background(self, t: int, decision: Decision) -> bool:
        """Deploy the waiting background model, if any and the decision allows it."""
        if self.background is None:
            return False
        version, self.background = self.background, None
        if decision.since is not None:
            return False  # the policy wants fresh data: the waiting model is dropped
        self.state.log(t, "retrain_end", version=version, background=True,
                       reason=decision.reason)
        self.state.events.schedule(t + 1, "validated", version)
        return True

    def _make_room(self, t: int, decision: Decision) -> bool:
        """Cancel a job still waiting for data; refuse while one is running."""
        s = self.state
        if self.job is not None and not self.job.started:
            # Still waiting for its data: the newer decision (newer data) supersedes it.
            self.job.cancelled = True
            s.log(t, "retrain_skipped", job=self.job.id,
                  reason=f"superseded before it started ({decision.reason})")
            self.job = None
        if self.job is not None:
            s.log(t, "retrain_skipped", reason=f"a job is running ({decision.reason})")
            return False
        return True

    def _start_job(self, t: int, decision: Decision) -> None:
        s = self.state
        job = Job(next(self._ids), t, decision.since, decision.action == "background",
                  decision.reason, decision.concept, decision.retry)
        self.job = job
        s.last_retrain = t
        if decision.since is None:
            s.events.schedule(t + 1, "job_start", job)
            return
        ready = s.labels_ready(decision.since, s.window_size(decision.since, after=True),
                               decision.concept)
        if ready is None:
            # Not enough labels will ever come: train on what there is at stream end.
            ready = s.n
        s.events.schedule(max(ready, t + 1), "job_start", job)

    # ------------------------------------------------------------------ the job
    def _training_labels(self, t: int, job: Job) -> np.ndarray:
        s = self.state
        order = s.labels.revealed_by(t)
        if job.since is not None:
            return s.in_window(s.eligible(order[order >= job.since], job.concept), t, job.since)
        return s.in_window(order, t, None)

    def start(self, t: int, job: Job) -> None:
        """The job's data is there: split it into training and gate holdout."""
        if job.cancelled:
            return
        s = self.state
        retrain, gate = s.config.retrain, s.config.gate
        job.started = True
        order = self._training_labels(t, job)
        if order.size < retrain.min_train:
            s.log(t, "retrain_skipped", job=job.id, labels=int(order.size),
                  reason=f"fewer than min_train={retrain.min_train} labels")
            self.job = None
            return
        n_hold = round(order.size * gate.holdout) if gate.enabled else 0
        if n_hold and order.size - n_hold < 2:
            n_hold = 0
        # The most recent labels are held out: the gate asks how the candidate does now.
        job.train_idx = order[: order.size - n_hold] if n_hold else order
        job.holdout_idx = order[order.size - n_hold :] if n_hold else order[:0]
        cost = s.config.costs.retrain_cost(job.train_idx.size)
        s.log(t, "retrain_start", cost=cost, job=job.id, attempt=job.attempt,
              n_train=int(job.train_idx.size), background=job.background, reason=job.reason)
        s.events.schedule(t + retrain.latency, "job_done", job)

    def _train(self, job: Job) -> tuple[Any, str | None]:
        """The candidate, or ``None`` and why training failed."""
        if self.rng.random() < self.state.config.retrain.failure_rate:
            return None, "simulated infrastructure failure"
        s = self.state
        try:
            return self.fit(s.X[job.train_idx], s.y[job.train_idx]), None
        except Exception as exc:  # a user model may fail in any way: log, go on
            return None, f"{type(exc).__name__}: {exc}"

    def done(self, t: int, job: Job) -> None:
        """Training finished: retry a failure, or gate the candidate."""
        s = self.state
        candidate, error = self._train(job)
        if candidate is None:
            retry = job.attempt < s.config.retrain.max_retries
            s.log(t, "retrain_failed", job=job.id, attempt=job.attempt, error=error,
                  retry=retry)
            if retry:
                job.attempt += 1
                s.events.schedule(t + s.config.retrain.backoff, "job_start", job)
            else:
                self.job = None
            return
        self.job = None
        s.log(t, "retrain_end", job=job.id, n_train=int(job.train_idx.size))
        self._gate(t, job, candidate)

    # ------------------------------------------------------------------ the gate
    def _gate(self, t: int, job: Job, candidate: Any) -> None:
        s = self.state
        gate = s.config.gate
        champion = s.registry.get("champion")
        hold, train = job.holdout_idx, job.train_idx
        verdict = judge(gate, candidate, champion.model, s.X[hold], s.y[hold], s.k)
        metric = gate.metric
        mv = s.registry.register(
            candidate, created_at=t, trained_on=(int(train.min()), int(train.max()) + 1),
            n_train=int(train.size), parent=champion.version,
            metrics={metric: verdict.candidate, f"champion_{metric}": verdict.champion}
            if verdict.metrics else {},
            tags={"job": str(job.id), "gate": "pass" if verdict.passed else "fail"},
        )
        s.references[mv.version] = s.X[train]
        s.reference_labels[mv.version] = s.y[train]
        s.gate_scores[mv.version] = verdict.accuracy
        s.log(t, "gate_pass" if verdict.passed else "gate_fail", job=job.id,
              version=mv.version, metric=metric, candidate=verdict.candidate,
              champion=verdict.champion, margin=gate.margin)
        if not verdict.passed:
            if not job.background:
                self._after_gate_failure(t, job)
            return
        if job.background:
            self.background = mv.version
            return
        self.validated(t, mv.version)

    def _after_gate_failure(self, t: int, job: Job) -> None:
        """Let the policy retry (on fresher labels) after the gate rejected its job."""
        failure = GateFailure(t, job.trigger, job.since, job.retry, job.reason)
        decision = self.state.policy.after_gate_failure(failure)
        if decision.action != "none":
            self.act(t, decision)
