"""The lockstep fleet runner: every model advances one tick, then the fleet decides.

Per tick ``t``:

1. every lane carries out its commands (train and gate, deploy or drop after
   review) and serves, monitors and reports tick ``t`` (:mod:`simulator.fleet.lane`);
2. gate passes of governed tiers go to the :class:`~simulator.fleet.constraints.GovernanceBoard`;
   its decisions become commands for tick ``t + 1``;
3. the engine sees a :class:`~simulator.fleet.engines.FleetView`, adds requests to the
   queue and ranks it; jobs start at ``t + 1`` in that order while slots and the
   tick's money last, train on the labels revealed by the end of ``t``, and hand their
   candidate to the lane at ``t + 1 + retrain_latency``.

Decisions are made in this process only, from reports combined in model order, so a
run gives the same :class:`FleetResult` on any executor.

Examples
--------
>>> from simulator.fleet.spec import make_fleet
>>> result = run_fleet(make_fleet(8, seed=2, n_samples=20_000), "fleet", seed=2)
>>> result.true_accuracy.shape, round(float(result.spend.sum()), 1) > 0
((8, 20), True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.fleet.constraints import Budget, Governance, GovernanceBoard
from simulator.fleet.engines import Engine, FleetView, make_engine
from simulator.fleet.executors import SerialExecutor
from simulator.fleet.health import HealthWeights, forward_fill, health_scores
from simulator.fleet.lane import Command, TickReport
from simulator.fleet.spec import FleetSpec

__all__ = ["FleetResult", "FleetRunner", "run_fleet"]

_FIELDS = ("true_accuracy", "measured_accuracy", "alarm", "data_quality", "version",
           "reference_accuracy")


@dataclass
class FleetResult:
    """Everything a fleet run recorded: arrays of models × ticks, jobs and incidents.

    Attributes
    ----------
    spec, engine, budget, governance
        What ran.
    true_accuracy, measured_accuracy, alarm, data_quality, version, reference_accuracy
        Per model and tick, from the lanes' reports.
    deployed, rolled_back
        Per model and tick.
    health
        Health scores (:mod:`simulator.fleet.health`).
    loss
        Business loss per model and tick: errors × error cost × traffic.
    spend, slots_busy
        Retraining money spent and job slots busy, per tick.
    sla
        Per model.
    jobs
        One dict per retraining request: model, job, requested, started, ready, gate,
        submitted, decided, approved, deployed (ticks, or None), cost, dropped.
    events
        Per model, its stream's change points ``(onset tick, kind, harmful, is_return)``.

    Examples
    --------
    >>> from simulator.fleet.spec import make_fleet
    >>> r = run_fleet(make_fleet(4, seed=1, n_samples=10_000), "periodic", seed=1)
    >>> r.n_models, r.n_ticks, bool(r.health.min() >= 0), bool(r.health.max() <= 100)
    (4, 10, True, True)
    """

    spec: FleetSpec
    engine: str
    budget: Budget
    governance: Governance
    true_accuracy: np.ndarray
    measured_accuracy: np.ndarray
    alarm: np.ndarray
    data_quality: np.ndarray
    version: np.ndarray
    reference_accuracy: np.ndarray
    deployed: np.ndarray
    rolled_back: np.ndarray
    health: np.ndarray
    loss: np.ndarray
    spend: np.ndarray
    slots_busy: np.ndarray
    sla: np.ndarray
    jobs: list[dict[str, Any]] = field(default_factory=list)
    events: list[list[tuple[int, str, bool, bool]]] = field(default_factory=list)

    @property
    def n_models(self) -> int:
        return self.true_accuracy.shape[0]

    @property
    def n_ticks(self) -> int:
        return self.true_accuracy.shape[1]


class _Recorder:
    """Per-tick arrays, filled as reports arrive."""

    def __init__(self, n: int, ticks: int) -> None:
        self.arrays = {
            "true_accuracy": np.zeros((n, ticks)),
            "measured_accuracy": np.full((n, ticks), np.nan),
            "alarm": np.zeros((n, ticks), bool),
            "data_quality": np.zeros((n, ticks)),
            "version": np.zeros((n, ticks), np.int64),
            "reference_accuracy": np.zeros((n, ticks)),
            "deployed": np.zeros((n, ticks), bool),
            "rolled_back": np.zeros((n, ticks), bool),
        }
        self.spend = np.zeros(ticks)
        self.slots_busy = np.zeros(ticks, np.int64)

    def record(self, t: int, reports: list[TickReport]) -> None:
        for name in (*_FIELDS, "deployed", "rolled_back"):
            self.arrays[name][:, t] = [getattr(r, name) for r in reports]


class FleetRunner:
    """Run a fleet in lockstep under one engine, budget and governance board.

    Parameters
    ----------
    spec
        The :class:`~simulator.fleet.spec.FleetSpec`.
    engine
        An :class:`~simulator.fleet.engines.Engine` or its name.
    budget, governance
        The shared constraints (defaults: 4 slots and no money cap; the default board).
    executor
        Where lanes run (:mod:`simulator.fleet.executors`); default in this process.
    lane_options
        Keyword arguments of every :class:`~simulator.fleet.lane.ModelLane`.
    health
        :class:`~simulator.fleet.health.HealthWeights`.

    Examples
    --------
    >>> from simulator.fleet.spec import make_fleet
    >>> runner = FleetRunner(make_fleet(3, n_samples=5000), "drift_fcfs", Budget(slots=1))
    >>> int(runner.run().slots_busy.max()) <= 1
    True
    """

    def __init__(self, spec: FleetSpec, engine: Engine | str = "fleet",
                 budget: Budget | None = None, governance: Governance | None = None, *,
                 executor: Any = None, lane_options: Mapping[str, Any] | None = None,
                 health: HealthWeights | None = None) -> None:
        self.spec = spec
        self.engine = make_engine(engine) if isinstance(engine, str) else engine
        self.budget = budget if budget is not None else Budget()
        self.governance = governance if governance is not None else Governance()
        self.executor = executor if executor is not None else SerialExecutor()
        self.lane_options = dict(lane_options or {})
        self.health = health

    # --- static per-model arrays -------------------------------------------------------
    def _static(self) -> dict[str, np.ndarray]:
        ms = self.spec.models
        return {
            "tier": self.spec.tier_index,
            "traffic": np.array([m.traffic for m in ms]),
            "error_cost": np.array([m.error_cost for m in ms]),
            "retrain_cost": np.array([m.retrain_cost for m in ms]),
            "latency": np.array([m.retrain_latency for m in ms]),
            "delay": np.array([m.label_delay for m in ms]),
            "review": np.array([m.tier in self.governance.tiers for m in ms]),
        }

    def run(self) -> FleetResult:
        """Run every tick and score health and loss."""
        spec, n, ticks = self.spec, self.spec.n_models, self.spec.n_ticks
        summaries = self.executor.start(spec, range(n), self.lane_options)
        try:
            state = _State(self, summaries)
            for t in range(ticks):
                state.tick(t, self.executor.step(t, state.commands.pop(t, {})))
        finally:
            self.executor.close()
        return state.result()


class _State:
    """The fleet's mutable state during a run: queue, jobs, board, records."""

    def __init__(self, runner: FleetRunner, summaries: list[dict[str, Any]]) -> None:
        self.runner = runner
        self.spec = runner.spec
        n, ticks = self.spec.n_models, self.spec.n_ticks
        self.static = runner._static()
        self.sla = np.array([s["sla"] for s in summaries])
        self.first_reference = np.array([s["reference_accuracy"] for s in summaries])
        self.events = [s["events"] for s in summaries]
        self.rec = _Recorder(n, ticks)
        self.board = GovernanceBoard(runner.governance, self.spec.seed)
        self.commands: dict[int, dict[int, list[Command]]] = {}
        self.jobs: list[dict[str, Any]] = []
        self.queue: list[int] = []  # job ids waiting for a slot
        self.busy = np.zeros(n, bool)
        self.last_job = np.zeros(n, np.int64)
        self.running: list[int] = []
        self.faulty = _fault_ticks(self.spec)

    def _command(self, t: int, model: int, cmd: Command) -> None:
        self.commands.setdefault(t, {}).setdefault(model, []).append(cmd)

    def _close(self, job: dict[str, Any]) -> None:
        self.busy[job["model"]] = False

    def _gates(self, t: int, reports: list[TickReport]) -> None:
        """Route this tick's gate outcomes: deployed, to review, or closed."""
        for job in self.jobs:
            if job["ready"] != t or job["gate"] is not None:
                continue
            r = reports[job["model"]]
            job["gate"] = r.gate
            if r.deployed and r.gate == "pass":
                job["deployed"] = t
                self._close(job)
            elif r.gate == "pass":
                job["submitted"] = t
                self.board.submit(job["model"], job["job"], t)
            else:
                self._close(job)

    def _reviews(self, t: int) -> None:
        for model, job_id, approved in self.board.advance(t):
            job = self.jobs[job_id]
            job["decided"], job["approved"] = t, approved
            self._command(t + 1, model, Command("deploy" if approved else "drop", job_id))
            if approved:
                job["deployed"] = t + 1
            self._close(job)

    def _view(self, t: int) -> FleetView:
        a = self.rec.arrays
        measured = forward_fill(a["measured_accuracy"][:, : t + 1], self.first_reference)
        s = self.static
        return FleetView(
            t=t, tick_size=self.spec.tick_size, tier=s["tier"], traffic=s["traffic"],
            error_cost=s["error_cost"], retrain_cost=s["retrain_cost"],
            reference_accuracy=a["reference_accuracy"][:, t],
            estimated_accuracy=measured[:, t], true_accuracy=a["true_accuracy"][:, t],
            alarm=a["alarm"][:, t], quality=a["data_quality"][:, t],
            since_job=t - self.last_job, busy=self.busy.copy(),
            fault_active=self._recent(self.faulty, t).any(axis=1),
            recent_quality=self._recent(a["data_quality"], t).max(axis=1),
        )

    def _recent(self, values: np.ndarray, t: int) -> np.ndarray:
        """Per model, ``values`` over the ticks a job started now would train on (its
        label delay plus one tick back), masked to the tick's minimum elsewhere."""
        lookback = self.static["delay"] + 1
        ticks = np.arange(t + 1)
        keep = ticks[None, :] >= (t - lookback)[:, None]
        low = values.min() if values.dtype != bool else False
        return np.where(keep, values[:, : t + 1], low)

    def _enqueue(self, t: int, view: FleetView) -> None:
        for model in np.flatnonzero(self.runner.engine.requests(view)):
            job = {"model": int(model), "job": len(self.jobs), "requested": t,
                   "started": None, "ready": None, "gate": None, "submitted": None,
                   "decided": None, "approved": None, "deployed": None, "cost": 0.0,
                   "dropped": None}
            self.jobs.append(job)
            self.queue.append(job["job"])
            self.busy[model] = True

    def _start_jobs(self, t: int, view: FleetView) -> None:
        """Start queued jobs at ``t + 1`` in the engine's order, within the budget."""
        if not self.queue or t + 1 >= self.spec.n_ticks:
            return  # nothing waits, or no tick is left to run a job in
        ids = np.array(self.queue)
        models = np.array([self.jobs[j]["model"] for j in ids])
        since = np.array([self.jobs[j]["requested"] for j in ids])
        order, drop = self.runner.engine.rank(view, models, since)
        for j in ids[drop]:
            self.jobs[j]["dropped"] = t
            self._close(self.jobs[j])
        self.running = [j for j in self.running if self.jobs[j]["ready"] > t + 1]
        free = self.runner.budget.slots - len(self.running)
        money = self.runner.budget.money_per_tick
        started = set(int(j) for j in ids[drop])
        for j in ids[order]:
            job = self.jobs[int(j)]
            cost = self.static["retrain_cost"][job["model"]]
            if free <= 0 or job["dropped"] is not None or cost > money:
                continue
            self._launch(t, job, cost)
            free, money = free - 1, money - cost
            started.add(int(j))
        self.queue = [int(j) for j in ids if int(j) not in started]

    def _launch(self, t: int, job: dict[str, Any], cost: float) -> None:
        m = job["model"]
        ready = t + 1 + int(self.static["latency"][m])
        data_end = (t + 1 - int(self.static["delay"][m])) * self.spec.tick_size
        job.update(started=t + 1, ready=ready, cost=float(cost))
        self._command(ready, m, Command("train", job["job"], data_end=max(data_end, 0),
                                        review=bool(self.static["review"][m])))
        self.rec.spend[t + 1] += cost
        self.last_job[m] = t + 1
        self.running.append(job["job"])

    def tick(self, t: int, reports: list[TickReport]) -> None:
        self.rec.record(t, reports)
        self.rec.slots_busy[t] = sum(1 for j in self.running if self.jobs[j]["ready"] > t)
        deployed = self.rec.arrays["deployed"][:, t] | self.rec.arrays["rolled_back"][:, t]
        self.last_job[deployed] = np.maximum(self.last_job[deployed], t)
        self._gates(t, reports)
        self._reviews(t)
        view = self._view(t)
        self._enqueue(t, view)
        self._start_jobs(t, view)

    def result(self) -> FleetResult:
        a = self.rec.arrays
        ticks = a["true_accuracy"].shape[1]
        measured = forward_fill(a["measured_accuracy"], self.first_reference)
        changed = a["deployed"] | a["rolled_back"]
        changed[:, 0] = True
        last = np.maximum.accumulate(np.where(changed, np.arange(ticks), 0), axis=1)
        health = health_scores(measured, self.sla[:, None], a["alarm"], a["data_quality"],
                               np.arange(ticks) - last, self.runner.health)
        size = np.full(ticks, self.spec.tick_size)
        size[-1] = self.spec.n_samples - (ticks - 1) * self.spec.tick_size
        errors = (1.0 - a["true_accuracy"]) * size
        loss = errors * (self.static["error_cost"] * self.static["traffic"])[:, None]
        return FleetResult(
            spec=self.spec, engine=self.runner.engine.name, budget=self.runner.budget,
            governance=self.runner.governance, **a, health=health, loss=loss,
            spend=self.rec.spend, slots_busy=self.rec.slots_busy, sla=self.sla,
            jobs=self.jobs, events=self.events,
        )


def _fault_ticks(spec: FleetSpec) -> np.ndarray:
    """Models × ticks: an upstream fault hits some of the tick's samples."""
    out = np.zeros((spec.n_models, spec.n_ticks), bool)
    for f in spec.faults:
        first, stop = f.start // spec.tick_size, -(-(f.start + f.duration) // spec.tick_size)
        out[spec.readers(f.source), first:stop] = True
    return out


def run_fleet(spec: FleetSpec, engine: Engine | str = "fleet", *, seed: int | None = None,
              budget: Budget | None = None, governance: Governance | None = None,
              executor: Any = None, **lane_options: Any) -> FleetResult:
    """Run ``spec`` under ``engine``; ``seed`` (if given) must equal ``spec.seed``.

    Examples
    --------
    >>> from simulator.fleet.spec import make_fleet
    >>> r = run_fleet(make_fleet(5, seed=4, n_samples=20_000), "oracle", seed=4)
    >>> r.engine, r.loss.shape
    ('oracle', (5, 20))
    """
    if seed is not None and seed != spec.seed:
        raise ValueError(f"seed ({seed}) must equal the fleet's seed ({spec.seed}); "
                         "build the fleet with make_fleet(..., seed=seed)")
    return FleetRunner(spec, engine, budget, governance, executor=executor,
                       lane_options=lane_options).run()
