"""How a validated model reaches users: the human approver, the deployment strategies
(replace, shadow trial, A/B trial) and rollback.

:class:`Approver` sits between the gate and deployment for critical models;
:class:`Deployer` changes the champion, runs shadow and A/B trials and rolls back a
new champion that serves worse than the one it replaced. Both act on a shared
:class:`~simulator.loop_state.RunState`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simulator.loop_state import RunState
from simulator.models import full_proba
from simulator.monitors import Reference

__all__ = ["Approver", "Deployer", "Trial", "two_proportion_p"]


@dataclass
class Trial:
    """A shadow or A/B trial of a challenger over samples ``[start, stop)``."""

    mode: str
    version: int
    start: int
    stop: int


def two_proportion_p(a: np.ndarray, b: np.ndarray) -> float:
    """One-sided p-value that ``a``'s success rate exceeds ``b``'s (z-test).

    Examples
    --------
    >>> round(two_proportion_p(np.array([1] * 90 + [0] * 10), np.array([1] * 70 + [0] * 30)), 4)
    0.0002
    """
    from scipy.stats import norm

    if a.size == 0 or b.size == 0:
        return 1.0
    p1, p2 = a.mean(), b.mean()
    pooled = (a.sum() + b.sum()) / (a.size + b.size)
    se = math.sqrt(pooled * (1 - pooled) * (1 / a.size + 1 / b.size))
    if se == 0:
        return 0.0 if p1 > p2 else 1.0
    return float(norm.sf((p1 - p2) / se))


class Deployer:
    """Champion changes, shadow and A/B trials, rollback checks and rollbacks."""

    def __init__(self, state: RunState) -> None:
        self.state = state
        self.trial: Trial | None = None

    def _accuracy(self, model: object, idx: np.ndarray) -> np.ndarray:
        s = self.state
        return full_proba(model, s.X[idx], s.k).argmax(1) == s.y[idx]

    def reference(self, version: int) -> Reference:
        """What the monitors compare against once ``version`` serves."""
        s = self.state
        X = s.references[version]
        proba = full_proba(s.registry.get(version).model, X, s.k)
        return Reference(X, proba.argmax(axis=1), proba, s.reference_labels[version])

    def _rebaseline(self, version: int, t: int) -> None:
        reference = self.reference(version)
        for m in self.state.monitors:
            m.rebaseline(reference, t)

    def make_champion(self, version: int, t: int, *, initial: bool = False) -> None:
        """Serve ``version`` from ``t``; schedule its rollback check if configured."""
        s = self.state
        previous = s.registry.alias("champion")
        s.registry.promote(version)
        s.log(t, "deploy", version=version,
              previous=None if previous is None else previous.version)
        self._rebaseline(version, t)
        rollback_samples = s.config.deployment.rollback_samples
        if not initial and previous is not None and rollback_samples:
            check_at = s.labels_ready(t, rollback_samples)
            if check_at is not None:
                s.events.schedule(check_at, "rollback_check", (version, previous.version, t))

    def deploy(self, t: int, version: int) -> None:
        """Deploy a validated (and approved) ``version`` by the configured mode."""
        s = self.state
        mode = s.config.deployment.mode
        if mode == "replace" or self.trial is not None:
            self.make_champion(version, t)
            return
        stop = min(t + s.config.deployment.trial_samples, s.n)
        self.trial = Trial(mode, version, t, stop)
        s.registry.set_alias("challenger", version)
        s.log(t, f"{mode}_start", version=version, until=stop)
        times = s.labels.reveal_time[t:stop]
        times = times[times < s.n]
        end = int(times.max()) + 1 if times.size else stop
        s.events.schedule(max(end, stop), "trial_end", self.trial)

    def _trial_outcomes(self, t: int, trial: Trial) -> tuple[np.ndarray, np.ndarray, int]:
        """Per labelled trial sample: champion right, challenger right; and the count."""
        s = self.state
        idx = np.arange(trial.start, trial.stop)
        idx = idx[s.labels.reveal_time[idx] < t]
        if trial.mode == "shadow":
            challenger = s.registry.get(trial.version)
            return s.correct[idx], self._accuracy(challenger.model, idx), int(idx.size)
        served_by = s.version[idx]
        ok = s.correct[idx]
        return ok[served_by != trial.version], ok[served_by == trial.version], int(idx.size)

    def end_trial(self, t: int, trial: Trial) -> None:
        """Promote the challenger if it won its trial."""
        s = self.state
        self.trial = None
        s.registry.remove_alias("challenger")
        champ_ok, chall_ok, labels = self._trial_outcomes(t, trial)
        acc_champ = float(champ_ok.mean()) if champ_ok.size else float("nan")
        acc_chall = float(chall_ok.mean()) if chall_ok.size else float("nan")
        promote = bool(acc_chall > acc_champ + s.config.gate.margin)
        p_value = None
        deployment = s.config.deployment
        if trial.mode == "ab" and deployment.ab_test == "significance":
            p_value = two_proportion_p(chall_ok, champ_ok)
            promote = promote and p_value < deployment.ab_alpha
        s.log(t, f"{trial.mode}_end", version=trial.version, promoted=promote,
              challenger_accuracy=acc_chall, champion_accuracy=acc_champ,
              labels=labels, p_value=p_value)
        if promote:
            s.log(t, "promotion", version=trial.version)
            self.make_champion(trial.version, t)

    def check_rollback(self, t: int, payload: tuple[int, int, int]) -> None:
        """Roll back when the previous champion would have served the new one's first
        labelled samples better by more than the margin."""
        s = self.state
        version, previous, deployed_at = payload
        champion = s.registry.alias("champion")
        if champion is None or champion.version != version:
            return  # replaced since: nothing to check
        idx = s.labels.revealed_by(t)
        idx = idx[idx >= deployed_at][: s.config.deployment.rollback_samples]
        acc_new = float(np.mean(self._accuracy(champion.model, idx)))
        acc_old = float(np.mean(self._accuracy(s.registry.get(previous).model, idx)))
        if acc_old - acc_new > s.config.deployment.rollback_margin:
            self.rollback(t, f"new model {acc_new:.3f} < previous {acc_old:.3f}")

    def rollback(self, t: int, reason: str) -> None:
        """Restore the previous champion."""
        s = self.state
        current = s.registry.get("champion").version
        restored = s.registry.rollback()
        s.log(t, "rollback", version=restored.version, replaced=current, reason=reason)
        self._rebaseline(restored.version, t)


class Approver:
    """The simulated human approver of critical models (seeded)."""

    def __init__(
        self, state: RunState, rng: np.random.Generator, deploy: Callable[[int, int], None]
    ) -> None:
        self.state = state
        self.rng = rng
        self.deploy = deploy

    def validated(self, t: int, version: int) -> None:
        """A candidate passed the gate: ask for approval, or deploy it."""
        s = self.state
        if s.config.criticality == "high":
            s.log(t, "approval_request", version=version)
            s.events.schedule(t + s.config.approval.latency, "approval", version)
        else:
            self.deploy(t, version)

    def decide(self, t: int, version: int) -> None:
        """The approver's answer arrives."""
        s = self.state
        if self.rng.random() < s.config.approval.rejection_rate:
            s.log(t, "rejection", version=version)
            return
        s.log(t, "approval", version=version)
        self.deploy(t, version)
