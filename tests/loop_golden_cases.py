"""Deployment-loop runs whose traces are pinned by digest in tests/data/loop_golden.json.

The digests were made by the loop as it was before its fast paths (commit 6ce9f97:
one ``predict_proba`` and one stream read per segment, deep-copied snapshots, trace
columns written per segment), so tests/test_loop_fast_paths.py checks that the fast
loop gives the same traces bit for bit: columns, probabilities, events and meta.

Regenerate (only when a change of results is intended, and say so in the commit)::

    PYTHONPATH=<checkout of the loop to pin> python tests/loop_golden_cases.py --write

The cases cover retraining policies, shadow and A/B trials, rollback, the human
approver, failing jobs, label delays and fractions, prediction drift, several models
(row-wise ones that are predicted ahead and one that is not) and the ``incremental``
strategy, each at several batch sizes (1, 137, the default 500, and one larger than
the stream's chunks).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

GOLDEN = Path(__file__).parent / "data" / "loop_golden.json"

#: Batch sizes every case runs at; ``1`` only where the case is small enough.
BATCH_SIZES = (137, 500, 5000)


def _stream(drifts: list[Any], n: int, seed: int = 0) -> Any:
    from simulator.datasets import load_dataset
    from simulator.stream import DriftStream

    return DriftStream(load_dataset("iris"), drifts, n_samples=n, seed=seed)


def _three_monitors() -> list[Any]:
    from detectors.adwin import ADWIN
    from detectors.window import KS, PSI
    from simulator.monitors import Monitor

    return [
        Monitor("error", ADWIN(), name="adwin-error"),
        Monitor("features", KS(), every=250, window=250, name="ks-features"),
        Monitor("prediction", PSI(), every=250, window=250, name="psi-prediction"),
    ]


def _drift_triggered(batch_size: int) -> Any:
    from simulator.drift import Drift
    from simulator.loop import DeploymentLoop
    from simulator.loop_config import RetrainConfig
    from simulator.policies import DriftTriggered

    stream = _stream([Drift("covariate", 1500, width=500, profile="gradual"),
                      Drift("concept", 3000, classes=(1, 2))], 6000)
    return DeploymentLoop(stream, monitors=_three_monitors(),
                          policy=DriftTriggered(cooldown=300, data="since_alert"),
                          retrain=RetrainConfig(window=300), label_delay=(5, 80),
                          batch_size=batch_size, seed=3)


def _periodic_rollback(batch_size: int) -> Any:
    from simulator.drift import Drift
    from simulator.loop import DeploymentLoop
    from simulator.loop_config import DeploymentConfig, GateConfig, RetrainConfig
    from simulator.policies import Periodic

    stream = _stream([Drift("concept", 2000, classes=(0, 1))], 5000, seed=2)
    # tiny windows and no gate: some candidates are worse than their parent, rolled back
    return DeploymentLoop(stream, policy=Periodic(every=700, offset=50),
                          retrain=RetrainConfig(window=12, min_train=10, latency=40),
                          gate=GateConfig(holdout=0.0),
                          deployment=DeploymentConfig(rollback_samples=100,
                                                      rollback_margin=0.0),
                          label_delay=30, label_fraction=0.6, batch_size=batch_size, seed=1)


def _shadow_oracle(batch_size: int) -> Any:
    from simulator.drift import Drift
    from simulator.loop import DeploymentLoop
    from simulator.loop_config import DeploymentConfig, RetrainConfig
    from simulator.policies import Oracle

    stream = _stream([Drift("concept", 1200, classes=(1, 2)),
                      Drift("prior", 3000, toward=2, severity=0.5)], 5000, seed=4)
    return DeploymentLoop(stream, policy=Oracle(harmful_only=False),
                          retrain=RetrainConfig(window=300, latency=25),
                          deployment=DeploymentConfig(mode="shadow", trial_samples=300),
                          label_delay=(0, 20), batch_size=batch_size, seed=2)


def _ab_approval(batch_size: int) -> Any:
    from sklearn.naive_bayes import GaussianNB

    from simulator.drift import Drift
    from simulator.loop import DeploymentLoop
    from simulator.loop_config import ApprovalConfig, DeploymentConfig, RetrainConfig
    from simulator.policies import Oracle

    stream = _stream([Drift("concept", 1000, classes=(0, 2)),
                      Drift("concept", 3000, classes=(1, 2))], 5000, seed=5)
    return DeploymentLoop(stream, model=GaussianNB(), policy=Oracle(),
                          retrain=RetrainConfig(window=250, failure_rate=0.3, backoff=30),
                          deployment=DeploymentConfig(mode="ab", trial_samples=400,
                                                      ab_fraction=0.3),
                          approval=ApprovalConfig(latency=60, rejection_rate=0.2),
                          criticality="high", batch_size=batch_size, seed=6)


def _sla_forest(batch_size: int) -> Any:
    from sklearn.ensemble import RandomForestClassifier

    from simulator.drift import Drift
    from simulator.loop import DeploymentLoop
    from simulator.loop_config import RetrainConfig
    from simulator.policies import PerformanceSLA

    stream = _stream([Drift("concept", 1500, classes=(1, 2))], 4000, seed=7)
    model = RandomForestClassifier(n_estimators=8, max_depth=4, random_state=0)
    return DeploymentLoop(stream, model=model,
                          policy=PerformanceSLA("accuracy", 0.9, consecutive=2,
                                                check_size=100),
                          retrain=RetrainConfig(window=200), label_delay=(0, 50),
                          batch_size=batch_size, seed=4)


def _background_knn(batch_size: int) -> Any:
    from sklearn.neighbors import KNeighborsClassifier

    from detectors.ddm import DDM
    from simulator.drift import Drift
    from simulator.loop import DeploymentLoop
    from simulator.loop_config import RetrainConfig
    from simulator.monitors import Monitor
    from simulator.policies import WarningBackground

    stream = _stream([Drift("concept", 1500, classes=(0, 1))], 4000, seed=8)
    return DeploymentLoop(stream, model=KNeighborsClassifier(5),
                          monitors=[Monitor("error", DDM(), name="ddm")],
                          policy=WarningBackground(max_age=400),
                          retrain=RetrainConfig(window=200, latency=20), label_delay=10,
                          batch_size=batch_size, seed=5)


def _cost_aware_prediction_drift(batch_size: int) -> Any:
    from detectors.page_hinkley import PageHinkley
    from simulator.drift import Drift
    from simulator.loop import DeploymentLoop
    from simulator.loop_config import RetrainConfig
    from simulator.monitors import Monitor
    from simulator.policies import CostAware

    stream = _stream([Drift("prediction", 1000, transform="flip", severity=0.3),
                      Drift("concept", 2500, classes=(1, 2))], 5000, seed=9)
    return DeploymentLoop(stream, monitors=[Monitor("loss", PageHinkley(threshold=20.0),
                                                    name="ph-loss")],
                          policy=CostAware(horizon=1500, window=150, check_every=120),
                          retrain=RetrainConfig(window=200), label_delay=(0, 30),
                          batch_size=batch_size, seed=7)


def _incremental_river(batch_size: int) -> Any:
    from river.linear_model import SoftmaxRegression
    from river.preprocessing import StandardScaler

    from simulator.drift import Drift
    from simulator.loop import DeploymentLoop
    from simulator.loop_config import RetrainConfig
    from simulator.models import RiverClassifier
    from simulator.policies import Periodic

    stream = _stream([Drift("concept", 800, classes=(1, 2))], 2000, seed=10)
    model = RiverClassifier(StandardScaler() | SoftmaxRegression(), n_classes=3)
    return DeploymentLoop(stream, model=model, policy=Periodic(every=900),
                          retrain=RetrainConfig(window=200, strategy="incremental"),
                          label_delay=15, batch_size=batch_size, seed=8)


#: name -> (loop builder taking a batch size, batch sizes it runs at)
CASES: dict[str, tuple[Callable[[int], Any], tuple[int, ...]]] = {
    "drift_triggered_three_monitors": (_drift_triggered, (1, *BATCH_SIZES)),
    "periodic_rollback_partial_labels": (_periodic_rollback, BATCH_SIZES),
    "oracle_shadow_prior_drift": (_shadow_oracle, BATCH_SIZES),
    "oracle_ab_approval_failures_gaussian_nb": (_ab_approval, (1, *BATCH_SIZES)),
    "sla_random_forest": (_sla_forest, BATCH_SIZES),
    "warning_background_knn": (_background_knn, BATCH_SIZES),
    "cost_aware_prediction_flip": (_cost_aware_prediction_drift, BATCH_SIZES),
    # incremental learning happens at segment ends: results depend on the batch size
    "incremental_river": (_incremental_river, (137, 500)),
}


def digest(trace: Any) -> str:
    """SHA-256 of every column's bytes, the probabilities, the events and the meta."""
    h = hashlib.sha256()
    for name in ("prediction", "correct", "model_version", "y_true", "label_revealed",
                 "label_time", "proba"):
        column = np.ascontiguousarray(getattr(trace, name))
        h.update(f"{name}:{column.dtype}:{column.shape}".encode())
        h.update(column.tobytes())
    events = [e.to_dict() for e in trace.events]
    h.update(json.dumps(events, sort_keys=True).encode())
    h.update(json.dumps(dict(trace.meta), sort_keys=True).encode())
    return h.hexdigest()


def run_case(name: str, batch_size: int) -> Any:
    """The trace of case ``name`` at ``batch_size``."""
    build, _ = CASES[name]
    return build(batch_size).run()


def all_digests() -> dict[str, dict[str, str]]:
    """``{case: {batch_size: digest}}`` for every case and batch size."""
    return {name: {str(bs): digest(run_case(name, bs)) for bs in sizes}
            for name, (_, sizes) in CASES.items()}


if __name__ == "__main__":
    import subprocess

    import simulator

    checkout = Path(simulator.__file__).parent
    commit = subprocess.run(["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True, check=True).stdout.strip()
    out = {"made_by": f"python tests/loop_golden_cases.py --write, loop at commit {commit}",
           "digests": all_digests()}
    text = json.dumps(out, indent=1, sort_keys=True) + "\n"
    if "--write" in sys.argv:
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text)
    print(text)
