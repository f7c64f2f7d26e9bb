"""driftsim simulator: datasets, drifting streams, and the simulated deployment loop.

* :func:`load_dataset` and :class:`Dataset` — the base data.
* :class:`Drift`, :class:`Scenario`, :class:`DriftStream` — drift injected with exact
  ground truth (:class:`Batch`, :class:`DriftEvent`).
* :class:`DeploymentLoop` — a model served, monitored (:class:`Monitor`,
  :class:`SLARule`) and retrained by a policy (:class:`Never`, :class:`Periodic`,
  :class:`DriftTriggered`, :class:`PerformanceSLA`, :class:`WarningBackground`,
  :class:`CostAware`, :class:`Oracle`), recorded in a :class:`Trace`.
* :func:`make_fleet`, :func:`run_fleet` — many models in lockstep under a shared
  :class:`Budget` and :class:`Governance` board, decided by an engine
  (:func:`make_engine`), scored with health scores (:mod:`simulator.fleet`).

Names are imported on first use, so ``import simulator`` stays cheap.

Examples
--------
>>> import simulator
>>> stream = simulator.DriftStream(simulator.load_dataset("iris"),
...                                [simulator.Drift("concept", 300)], n_samples=600)
>>> [(e.onset, e.kind, e.harmful) for e in stream.events]
[(300, 'concept', True)]
"""

from __future__ import annotations

from driftsim.lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "Dataset": "simulator.datasets",
    "available_datasets": "simulator.datasets",
    "load_dataset": "simulator.datasets",
    "Drift": "simulator.drift",
    "Scenario": "simulator.drift",
    "Batch": "simulator.stream",
    "DriftEvent": "simulator.stream",
    "DriftStream": "simulator.stream",
    "apply_prediction_drift": "simulator.stream",
    "DeploymentLoop": "simulator.loop",
    "ApprovalConfig": "simulator.loop_config",
    "CostModel": "simulator.loop_config",
    "DeploymentConfig": "simulator.loop_config",
    "GateConfig": "simulator.loop_config",
    "LoopConfig": "simulator.loop_config",
    "RetrainConfig": "simulator.loop_config",
    "Monitor": "simulator.monitors",
    "SLARule": "simulator.monitors",
    "RiverClassifier": "simulator.models",
    "default_model": "simulator.models",
    "CostAware": "simulator.policies",
    "Decision": "simulator.policies",
    "DriftTriggered": "simulator.policies",
    "GateFailure": "simulator.policies",
    "LabelDrivenRecovery": "simulator.policies",
    "LoopStateView": "simulator.policies",
    "Never": "simulator.policies",
    "Oracle": "simulator.policies",
    "Periodic": "simulator.policies",
    "PerformanceSLA": "simulator.policies",
    "Policy": "simulator.policies",
    "WarningBackground": "simulator.policies",
    "InMemoryRegistry": "simulator.registry",
    "MLflowRegistry": "simulator.registry",
    "ModelVersion": "simulator.registry",
    "make_registry": "simulator.registry",
    "EVENT_TYPES": "simulator.trace",
    "Trace": "simulator.trace",
    "TraceBuilder": "simulator.trace",
    "TraceEvent": "simulator.trace",
    "Alert": "simulator.alerts",
    "AlertRouter": "simulator.alerts",
    "CallbackSink": "simulator.alerts",
    "JsonlSink": "simulator.alerts",
    "SmtpSink": "simulator.alerts",
    "SqliteSink": "simulator.alerts",
    "WebhookSink": "simulator.alerts",
}
for _name in (
    "Budget", "FleetEngine", "FleetResult", "FleetRunner", "FleetSpec", "Governance",
    "HealthWeights", "ModelSpec", "SourceFault", "health_scores", "make_engine",
    "make_executor", "make_fleet", "run_fleet",
):
    _EXPORTS[_name] = "simulator.fleet"

__getattr__, __dir__, __all__ = lazy_exports('simulator', _EXPORTS, globals())
