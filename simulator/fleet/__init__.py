"""A fleet of models under shared cost controls, advancing in lockstep.

* :mod:`~simulator.fleet.spec` — :class:`FleetSpec`, :class:`ModelSpec`,
  :class:`SourceFault` and the seeded generator :func:`make_fleet`.
* :mod:`~simulator.fleet.constraints` — the retraining :class:`Budget` and the
  :class:`Governance` board.
* :mod:`~simulator.fleet.lane` — one model's loop (serve, monitor, gate, rollback).
* :mod:`~simulator.fleet.engines` — decision engines (periodic, drift FCFS,
  cost-aware per model, the fleet ranking, the oracle).
* :mod:`~simulator.fleet.health` — the health score formula.
* :mod:`~simulator.fleet.executors` — serial, joblib and Ray execution of the lanes.
* :mod:`~simulator.fleet.runner` — :func:`run_fleet`, the lockstep runner.

Examples
--------
>>> from simulator.fleet import make_fleet, run_fleet
>>> result = run_fleet(make_fleet(4, seed=0, n_samples=8000), "drift_fcfs")
>>> result.health.shape
(4, 8)
"""

from __future__ import annotations

from simulator.fleet.constraints import Budget, Governance, GovernanceBoard
from simulator.fleet.engines import (
    ENGINES,
    CostAwareModel,
    DriftFCFS,
    Engine,
    FleetEngine,
    FleetView,
    OracleEngine,
    PeriodicAll,
    make_engine,
)
from simulator.fleet.executors import JoblibExecutor, RayExecutor, SerialExecutor, make_executor
from simulator.fleet.health import HealthWeights, health_scores
from simulator.fleet.lane import Command, ModelLane, TickReport
from simulator.fleet.runner import FleetResult, FleetRunner, run_fleet
from simulator.fleet.spec import TIERS, FleetSpec, ModelSpec, SourceFault, make_fleet

__all__ = [
    "ENGINES", "TIERS", "Budget", "Command", "CostAwareModel", "DriftFCFS", "Engine",
    "FleetEngine", "FleetResult", "FleetRunner", "FleetSpec", "FleetView", "Governance",
    "GovernanceBoard", "HealthWeights", "JoblibExecutor", "ModelLane", "ModelSpec",
    "OracleEngine", "PeriodicAll", "RayExecutor", "SerialExecutor", "SourceFault",
    "TickReport", "health_scores", "make_engine", "make_executor", "make_fleet", "run_fleet",
]
