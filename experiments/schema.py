"""Structured-config schema of a driftsim run, registered in Hydra's ConfigStore.

``conf/config.yaml`` lists ``schema`` first in its defaults, so every composed config
is checked against :class:`RunConfig`: an unknown key (``loop.batchsize=5``) or a
wrong type (``seed=abc``) fails at compose time with Hydra's message naming the key.
Values are then checked once more, before anything runs, by the simulator's own
validated dataclasses (:func:`validate`), which name the field and its allowed range.

The loop's sections reuse the fields of :mod:`simulator.loop_config` instead of
restating them, so the schema and the simulator cannot drift apart.

Examples
--------
>>> from omegaconf import OmegaConf
>>> cfg = OmegaConf.structured(RunConfig)
>>> cfg.loop.retrain.window, cfg.monitor.signal
(500, 'error')
>>> cfg.loop.batchsize = 5
Traceback (most recent call last):
...
omegaconf.errors.ConfigAttributeError: Key 'batchsize' not in 'LoopSchema'
...
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf

from driftsim.validation import check_choice, check_int
from simulator.loop_config import (
    ApprovalConfig,
    CostModel,
    DeploymentConfig,
    GateConfig,
    LoopConfig,
    RetrainConfig,
)

__all__ = ["LoopSchema", "MonitorSchema", "RunConfig", "register", "validate"]


def _mutable_twin(
    cls: type, sections: dict[str, type] | None = None, *, exclude: tuple[str, ...] = ()
) -> type:
    """A plain (non-frozen) dataclass with ``cls``'s fields, types and defaults.

    OmegaConf makes configs built from frozen dataclasses read-only, which would
    forbid command-line overrides; the validated frozen class is built at run time.
    ``sections`` maps nested fields to their own (twin) schema; a field whose type
    OmegaConf cannot hold (``int | tuple[int, int]``) becomes ``Any``.
    """
    sections = sections or {}
    hints = typing.get_type_hints(cls)
    fields = []
    for f in dataclasses.fields(cls):
        if f.name in exclude:
            continue
        if f.name in sections:
            fields.append((f.name, Any, field(default_factory=sections[f.name])))
            continue
        kind = hints[f.name]
        if typing.get_origin(kind) in (typing.Union, types.UnionType) and any(
            typing.get_origin(a) is tuple for a in typing.get_args(kind)
        ):
            kind = Any
        fields.append((f.name, kind, field(default=f.default)))
    return dataclasses.make_dataclass(f"{cls.__name__.removesuffix('Config')}Schema", fields)


RetrainSchema = _mutable_twin(RetrainConfig)
GateSchema = _mutable_twin(GateConfig)
DeploymentSchema = _mutable_twin(DeploymentConfig)
ApprovalSchema = _mutable_twin(ApprovalConfig)
CostSchema = _mutable_twin(CostModel)


@dataclass
class MonitorSchema:
    """How the run's detectors are bound: the signal and, for window tests, cadence."""

    signal: str = "error"
    every: int | str | None = None  # a count of samples, or a duration ("1d") for a replay
    window: int | str | None = None  # a count of samples, or a duration ("7d") for a replay


#: Settings of :class:`simulator.loop.DeploymentLoop`: the fields of
#: :class:`~simulator.loop_config.LoopConfig` but ``seed``, which is the run's top-level
#: ``seed``. ``label_delay`` is an int, or ``[low, high]`` for a uniform random delay.
LoopSchema = _mutable_twin(
    LoopConfig,
    {"retrain": RetrainSchema, "gate": GateSchema, "deployment": DeploymentSchema,
     "approval": ApprovalSchema, "costs": CostSchema},
    exclude=("seed",),
)


@dataclass
class ScoreSchema:
    """How a run is scored."""

    horizon: int = 1000
    oracle: bool = True  # also run the oracle policy (best timing, same data budget)
    skyline: bool = True  # the bound recovery is measured against (simulator.skyline)
    window: int = 100
    epsilon: float = 0.02


@dataclass
class CalibrationSchema:
    """Calibrate every detector to ``target_rate`` false alarms per 1,000 samples on
    ``null_samples`` drift-free samples of the served model's errors."""

    target_rate: float = 0.5
    null_samples: int = 40000
    streams: int = 4


@dataclass
class RunConfig:
    """One simulated deployment: what to stream, serve, watch and do; how to score it.

    ``detector`` is the detector bound to ``monitor.signal``; ``detectors`` (a list of
    ``conf/detector`` option names or the sets ``streaming``, ``calibratable``,
    ``baselines``) replaces it by several; ``extra_detectors`` (name → detector config)
    adds more. All are scored one by one, so one job compares many detectors on one
    stream; ``thresholds`` (``grid`` or a list) runs each at several thresholds
    (see :mod:`experiments.detector_specs`).
    """

    dataset: Any = None
    drift: Any = None
    model: Any = None
    detector: Any = None
    policy: Any = None
    monitor: MonitorSchema = field(default_factory=MonitorSchema)
    extra_detectors: dict[str, Any] = field(default_factory=dict)
    detectors: list[str] | None = None
    thresholds: Any = None  # null, "grid" or a list of values
    loop: LoopSchema = field(default_factory=LoopSchema)
    score: ScoreSchema = field(default_factory=ScoreSchema)
    calibration: CalibrationSchema | None = None
    seed: int = 0
    n_samples: int = 5000
    jitter: float = 0.05
    plot: bool = True
    # When to draw timeline.png: "auto" (at once in a single run, later in a sweep:
    # experiments.timelines), "now" or "lazy"
    timeline: str = "auto"
    save_trace: bool = True
    resume: bool = True
    registry: str = "memory"  # or "mlflow": versions and aliases in <output>/mlflow/mlflow.db
    # "jsonl" and/or "sqlite" files in the output folder, and webhook URLs; failed
    # deliveries wait in <output>/alerts_outbox.db and are retried
    alert_sinks: list[str] = field(default_factory=list)
    # More ``_target_`` module prefixes or names to trust (experiments.safe_config).
    allowed_targets: list[str] = field(default_factory=list)


def register() -> None:
    """Store the schema as ``schema`` (idempotent); ``experiments.run`` calls it. Also
    registers the ``${project:}`` resolver (the project's root folder), which configs
    use for files shipped with the project."""
    ConfigStore.instance().store(name="schema", node=RunConfig)
    OmegaConf.register_new_resolver("project", lambda: str(_ROOT), replace=True)


_ROOT = Path(__file__).resolve().parents[1]


def _section(cls: type, cfg: Any) -> Any:
    return cls(**OmegaConf.to_container(cfg, resolve=True))


#: Sections whose keys are the constructor arguments of their ``_target_``.
_OPEN_SECTIONS = ("dataset", "drift", "model", "detector", "policy", "extra_detectors")
_SECTION_SCHEMAS = {
    "monitor": MonitorSchema, "loop": LoopSchema, "score": ScoreSchema,
    "calibration": CalibrationSchema, "loop.retrain": RetrainSchema, "loop.gate": GateSchema,
    "loop.deployment": DeploymentSchema, "loop.approval": ApprovalSchema,
    "loop.costs": CostSchema,
}


def _check_known_keys(cfg: Any, schema: type, prefix: str) -> None:
    """Refuse keys the schema does not have: Hydra's ``+key=value`` adds a key even to
    a structured config (``+loop.batchsize=5`` would be accepted and ignored)."""
    if not OmegaConf.is_dict(cfg):
        return
    known = [f.name for f in dataclasses.fields(schema)]
    for key in cfg:
        where = f"{prefix}{key}"
        if where in _OPEN_SECTIONS:
            continue
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f" (did you mean {prefix}{close[0]}?)" if close else ""
            raise ValueError(
                f"unknown config key {where!r}{hint}; "
                f"{prefix.rstrip('.') or 'the top level'} allows {sorted(known)}"
            )
        sub = _SECTION_SCHEMAS.get(where)
        if sub is not None:
            _check_known_keys(cfg[key], sub, f"{where}.")


def validate(cfg: DictConfig) -> dict[str, Any]:
    """Build the simulator's validated settings from ``cfg.loop``; raise on bad values.

    Returns the keyword arguments of :class:`~simulator.loop.DeploymentLoop` that come
    from the config (everything but the stream, model, monitors and policy).

    Examples
    --------
    >>> from omegaconf import OmegaConf
    >>> cfg = OmegaConf.structured(RunConfig)
    >>> validate(cfg)["retrain"].window
    500
    >>> cfg.loop.gate.holdout = 2.0
    >>> validate(cfg)
    Traceback (most recent call last):
    ...
    ValueError: holdout must be <= 0.9, got 2.0
    """
    _check_known_keys(cfg, RunConfig, "")
    check_int("n_samples", cfg.n_samples, low=1)
    check_int("seed", cfg.seed, low=0)
    check_int("score.horizon", cfg.score.horizon, low=1)
    check_choice("registry", cfg.registry, ("memory", "mlflow"))
    check_choice("timeline", cfg.timeline, ("auto", "now", "lazy"))
    for sink in cfg.alert_sinks:
        if sink not in ("jsonl", "sqlite") and not str(sink).startswith(("http://", "https://")):
            raise ValueError(
                f"alert_sinks[] must be one of ['jsonl', 'sqlite'] or a webhook URL "
                f"(http:// or https://), got {sink!r}"
            )
    config = _loop_config(cfg.loop, cfg.seed)
    return {f.name: getattr(config, f.name) for f in dataclasses.fields(LoopConfig)}


def _loop_config(loop: Any, seed: int) -> LoopConfig:
    """The validated :class:`LoopConfig` of the ``loop`` section (errors name the key)."""
    sections = {
        "retrain": _section(RetrainConfig, loop.retrain),
        "gate": _section(GateConfig, loop.gate),
        "deployment": _section(DeploymentConfig, loop.deployment),
        "approval": _section(ApprovalConfig, loop.approval),
        "costs": _section(CostModel, loop.costs),
    }
    settings = OmegaConf.to_container(loop, resolve=True)
    settings = {k: v for k, v in settings.items() if k not in sections}
    try:
        return LoopConfig(**settings, seed=seed, **sections)
    except ValueError as exc:
        # LoopConfig names the field; the user wrote it under loop.
        raise ValueError(f"loop.{exc}") from exc
