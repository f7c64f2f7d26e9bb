"""One deployment's daily retraining cycle, as plain functions an orchestrator calls.

:class:`DailyCycle` keeps its state in a folder (the registry, the baseline, each day's
batch), so each step can run in its own process, as Airflow tasks do:

``check(day)`` → ``decide`` → ``retrain(day)`` → ``validate`` (the gate) →
``approve`` (high tier: a seeded, simulated reviewer) → ``deploy`` → ``verify``
(roll back when the new champion does worse than the previous one on the freshest
labels).

The day's data is a slice of a driftsim stream composed from the Hydra config
(``conf/``): ``samples_per_day`` samples per simulated day, with the day's labels
known by the end of the day (the check runs then).

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     cycle = DailyCycle.setup(tmp, ["drift=abrupt_concept", "n_samples=6000"],
...                              samples_per_day=1000)
...     summary = cycle.check(3)
...     summary["drifted"], summary["accuracy"] < 0.5, cycle.decide(summary)
([], True, 'retrain')
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.check import check_batch, make_baseline
from experiments.files import atomic_write
from simulator.loop_config import GateConfig
from simulator.models import full_proba
from simulator.registry import InMemoryRegistry

__all__ = ["DailyCycle", "main"]

_LABEL, _PRED = "label", "prediction"


@dataclass
class DailyCycle:
    """A deployment whose state lives in ``workdir`` (see the module docstring)."""

    workdir: Path

    # ---------------------------------------------------------------- state
    @property
    def _settings(self) -> dict[str, Any]:
        return json.loads((self.workdir / "cycle.json").read_text())

    def _registry(self) -> InMemoryRegistry:
        with (self.workdir / "registry.pkl").open("rb") as f:
            return pickle.load(f)  # our own file, written by this class

    def _save_registry(self, registry: InMemoryRegistry) -> None:
        atomic_write(self.workdir / "registry.pkl",
                     lambda tmp: Path(tmp).write_bytes(pickle.dumps(registry)))

    def _stream(self) -> Any:
        from experiments.run import build, compose

        return build(compose(self._settings["overrides"]))["stream"]

    def _day(self, day: int) -> tuple[np.ndarray, np.ndarray]:
        settings = self._settings
        n = settings["samples_per_day"]
        if not 0 <= day < settings["days"]:
            raise ValueError(f"day must be in [0, {settings['days'] - 1}], got {day}")
        X, y, _ = self._stream().take(n, start=day * n)
        return X, y

    def _frame(self, X: np.ndarray, names: Sequence[str]) -> pd.DataFrame:
        return pd.DataFrame(X, columns=list(names))

    # ---------------------------------------------------------------- steps
    @classmethod
    def setup(cls, workdir: str | os.PathLike[str], overrides: Sequence[str] = (),
              *, samples_per_day: int = 1000, tier: str = "high",
              approval_rate: float = 1.0, seed: int = 0) -> DailyCycle:
        """Train the first champion on day 0 and make the baseline from its data."""
        from experiments.run import build, compose

        if tier not in ("low", "medium", "high"):
            raise ValueError(f"tier must be one of ['low', 'medium', 'high'], got {tier!r}")
        parts = build(compose(list(overrides)))
        stream, model = parts["stream"], parts["model"]
        if stream.n_samples is None or stream.n_samples < 2 * samples_per_day:
            raise ValueError(
                f"the stream needs at least 2 days of {samples_per_day} samples, "
                f"got n_samples={stream.n_samples}"
            )
        cycle = cls(Path(workdir))
        settings = {"overrides": list(overrides), "samples_per_day": samples_per_day,
                    "days": stream.n_samples // samples_per_day, "tier": tier,
                    "approval_rate": approval_rate, "seed": seed,
                    "features": list(stream.feature_names), "n_classes": stream.n_classes}
        text = json.dumps(settings, indent=2)
        atomic_write(cycle.workdir / "cycle.json", lambda tmp: Path(tmp).write_text(text))
        X, y = cycle._day(0)
        registry = InMemoryRegistry()
        registry.promote(registry.register(model.fit(X, y), created_at=0,
                                           trained_on=(0, len(y)), n_train=len(y)).version)
        cycle._save_registry(registry)
        reference = cycle._frame(X, settings["features"])
        atomic_write(cycle.workdir / "reference.csv",
                     lambda tmp: reference.to_csv(tmp, index=False))
        make_baseline(cycle.workdir / "reference.csv", cycle.workdir / "baseline")
        return cycle

    def check(self, day: int) -> dict[str, Any]:
        """The day's batch (features, the champion's predictions, labels) checked
        against the baseline: drift and data quality on the features, accuracy on
        the labels."""
        settings = self._settings
        X, y = self._day(day)
        champion = self._registry().get("champion")
        pred = full_proba(champion.model, X, settings["n_classes"]).argmax(axis=1)
        batch = self._frame(X, settings["features"]).assign(**{_PRED: pred, _LABEL: y})
        atomic_write(self.workdir / f"batch_{day}.csv", lambda tmp: batch.to_csv(tmp, index=False))
        features = batch.drop(columns=[_PRED, _LABEL])
        result = check_batch(features, self.workdir / "baseline", batch_id=f"day {day}",
                             history=self.workdir / "history.db")
        return {"day": day, "violations": len(result.violations),
                "drifted": result.drift["drifted"] if result.drift else [],
                "accuracy": float(np.mean(pred == y)), "champion": champion.version}

    def decide(self, summary: dict[str, Any], min_accuracy: float = 0.9) -> str:
        """``"retrain"`` when the features drifted or the served accuracy fell below
        ``min_accuracy``; else ``"skip"``."""
        drifted = bool(summary["drifted"])
        return "retrain" if drifted or summary["accuracy"] < min_accuracy else "skip"

    def retrain(self, day: int, gate: GateConfig | None = None) -> dict[str, Any]:
        """Fit a candidate on the day's labelled batch minus the gate's holdout."""
        from sklearn.base import clone

        gate = gate or GateConfig()
        batch = pd.read_csv(self.workdir / f"batch_{day}.csv")
        n_hold = round(gate.holdout * len(batch))
        train = batch.iloc[: len(batch) - n_hold]
        registry = self._registry()
        champion = registry.get("champion")
        X = train[self._settings["features"]].to_numpy()
        candidate = clone(champion.model).fit(X, train[_LABEL].to_numpy())
        mv = registry.register(candidate, created_at=day, trained_on=(0, len(train)),
                               n_train=len(train), parent=champion.version)
        registry.set_alias("challenger", mv.version)
        self._save_registry(registry)
        return {"day": day, "version": mv.version, "holdout": n_hold}

    def validate(self, job: dict[str, Any], gate: GateConfig | None = None) -> dict[str, Any]:
        """The gate: the candidate must beat the champion on the held-out rows by more
        than ``gate.margin`` in accuracy (a tie fails)."""
        gate = gate or GateConfig()
        batch = pd.read_csv(self.workdir / f"batch_{job['day']}.csv")
        hold = batch.iloc[len(batch) - job["holdout"]:]
        X, y = hold[self._settings["features"]].to_numpy(), hold[_LABEL].to_numpy()
        registry, k = self._registry(), self._settings["n_classes"]
        scores = {name: float(np.mean(full_proba(registry.get(v).model, X, k).argmax(1) == y))
                  for name, v in (("candidate", job["version"]), ("champion", "champion"))}
        passed = scores["candidate"] > scores["champion"] + gate.margin
        return {**job, **scores, "passed": bool(passed)}

    def approve(self, job: dict[str, Any]) -> bool:
        """Low and medium tiers deploy without review; high tiers need a reviewer, who
        approves with probability ``approval_rate`` (seeded by the day)."""
        settings = self._settings
        if settings["tier"] != "high":
            return True
        rng = np.random.default_rng([settings["seed"], job["day"], 7])
        return bool(rng.random() < settings["approval_rate"])

    def deploy(self, job: dict[str, Any]) -> int:
        """Promote the challenger; returns the new champion's version."""
        registry = self._registry()
        version = registry.promote(job["version"]).version
        self._save_registry(registry)
        return version

    def verify(self, day: int, next_day: int) -> dict[str, Any]:
        """Roll back if the new champion does worse than the previous on ``next_day``."""
        registry = self._registry()
        X, y = self._day(next_day)
        k = self._settings["n_classes"]
        acc = {name: float(np.mean(full_proba(registry.get(name).model, X, k).argmax(1) == y))
               for name in ("champion", "previous")}
        rolled_back = acc["champion"] < acc["previous"]
        if rolled_back:
            registry.rollback()
            self._save_registry(registry)
        return {"day": day, **acc, "rolled_back": bool(rolled_back),
                "champion": registry.get("champion").version}

    def champion_version(self) -> int:
        """The version serving now."""
        return self._registry().get("champion").version


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m experiments.ops.retraining WORKDIR [OVERRIDE ...] [--tier T]``: set
    up a deployment's state folder for the Airflow DAG (Hydra overrides choose the
    scenario, e.g. ``drift=abrupt_concept n_samples=6000``)."""
    parser = argparse.ArgumentParser(prog="python -m experiments.ops.retraining")
    parser.add_argument("workdir")
    parser.add_argument("overrides", nargs="*")
    parser.add_argument("--samples-per-day", type=int, default=1000)
    parser.add_argument("--tier", default="high")
    parser.add_argument("--approval-rate", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    cycle = DailyCycle.setup(args.workdir, args.overrides,
                             samples_per_day=args.samples_per_day, tier=args.tier,
                             approval_rate=args.approval_rate, seed=args.seed)
    print(f"deployment state in {cycle.workdir} "
          f"({cycle._settings['days']} days, champion v{cycle.champion_version()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
