"""What a fleet is: models with tiers, traffic, costs, shared data sources and drifts.

A :class:`FleetSpec` lists :class:`ModelSpec` objects and the :class:`SourceFault`
events of the data sources they read. Everything a model needs is derived from
``(fleet seed, model index)`` alone, so a model behaves the same whichever process
builds it and however many models share the fleet: the first 50 models of a
1,000-model fleet made by :func:`make_fleet` are the 50-model fleet of the same seed
and number of sources.

A source fault is an upstream ``pipeline`` drift (see :mod:`simulator.drift`): every
model reading the source gets the same fault at the same time, which is what makes
the incident correlated across the fleet.

Examples
--------
>>> fleet = make_fleet(6, seed=3, n_samples=20_000, n_sources=2, fault_rate=1.0)
>>> len(fleet.models), fleet.n_ticks, sorted({m.tier for m in fleet.models})
(6, 20, ['high', 'low', 'medium'])
>>> fault = fleet.faults[0]
>>> readers = fleet.readers(fault.source)
>>> all(any(d.kind == "pipeline" for d in fleet.drifts_of(i)) for i in readers)
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from driftsim.validation import check_choice, check_in_range, check_int
from simulator.drift import Drift

__all__ = ["TIERS", "FleetSpec", "ModelSpec", "SourceFault", "make_fleet", "model_seed"]

TIERS: tuple[str, ...] = ("high", "medium", "low")


def model_seed(fleet_seed: int, index: int, *key: int) -> int:
    """The seed of model ``index`` (and of a sub-stream ``key``) in fleet ``fleet_seed``.

    Examples
    --------
    >>> model_seed(0, 1) == model_seed(0, 1) != model_seed(0, 2)
    True
    """
    seq = np.random.SeedSequence([int(fleet_seed), 17, int(index), *map(int, key)])
    return int(seq.generate_state(1, dtype=np.uint32)[0])


@dataclass(frozen=True)
class SourceFault:
    """An upstream data-pipeline fault of one source, seen by every model reading it.

    Attributes
    ----------
    source
        Name of the data source.
    start
        First faulty sample (the same sample index in every reader's stream).
    duration
        Samples until the pipeline is repaired.
    transform
        The ``pipeline`` transform: ``"unit"`` (a feature re-scaled), ``"missing"``
        (imputed with 0) or ``"stuck"``.
    severity
        Share of samples hit, in (0, 1].

    Examples
    --------
    >>> SourceFault("crm", 10_000, 4_000).drift()
    Drift(kind='pipeline', start=10000, ..., transform='unit', ...)
    """

    source: str
    start: int
    duration: int
    transform: str = "unit"
    severity: float = 1.0

    def __post_init__(self) -> None:
        check_int("start", self.start, low=0)
        check_int("duration", self.duration, low=1)
        check_choice("transform", self.transform, ("unit", "missing", "stuck"))
        check_in_range("severity", self.severity, low=0.0, high=1.0, low_inclusive=False)

    def drift(self) -> Drift:
        """The fault as a recurring (once) ``pipeline`` drift of a reader's stream."""
        return Drift("pipeline", self.start, profile="recurring", duration=self.duration,
                     transform=self.transform, severity=self.severity)


@dataclass(frozen=True)
class ModelSpec:
    """One production model of the fleet.

    Attributes
    ----------
    name
        Unique name.
    dataset
        Built-in dataset its stream is drawn from (see :func:`simulator.load_dataset`).
    tier
        Business criticality: ``"high"`` (needs governance approval), ``"medium"``,
        ``"low"``.
    traffic
        Requests each simulated sample stands for (weights its business loss).
    error_cost
        Business cost of one wrong prediction served to one request.
    retrain_cost
        Money one retraining job costs.
    retrain_latency
        Ticks (simulated days) from a job's start to its candidate being ready.
    label_delay
        Ticks until a tick's labels are revealed.
    sla_tolerance
        The SLA: measured accuracy must stay within this of the accuracy the model
        had when validated.
    sources
        Data sources the model reads.
    drifts
        The model's own drifts (source faults are added by :meth:`FleetSpec.drifts_of`).

    Examples
    --------
    >>> ModelSpec("m0", "iris", tier="gold")
    Traceback (most recent call last):
    ...
    ValueError: tier must be one of ['high', 'medium', 'low'], got 'gold'
    """

    name: str
    dataset: str = "iris"
    tier: str = "medium"
    traffic: float = 1.0
    error_cost: float = 1.0
    retrain_cost: float = 100.0
    retrain_latency: int = 1
    label_delay: int = 1
    sla_tolerance: float = 0.05
    sources: tuple[str, ...] = ()
    drifts: tuple[Drift, ...] = ()

    def __post_init__(self) -> None:
        check_choice("tier", self.tier, TIERS)
        for name in ("traffic", "error_cost", "retrain_cost"):
            check_in_range(name, getattr(self, name), low=0.0)
        check_int("retrain_latency", self.retrain_latency, low=0)
        check_int("label_delay", self.label_delay, low=0)
        check_in_range("sla_tolerance", self.sla_tolerance, low=0.0, high=1.0)
        object.__setattr__(self, "sources", tuple(str(s) for s in self.sources))
        object.__setattr__(self, "drifts", tuple(_as_drift(d) for d in self.drifts))


def _as_drift(d: Any) -> Drift:
    if isinstance(d, Drift):
        return d
    if isinstance(d, Mapping):
        return Drift(**{str(k): v for k, v in dict(d).items() if k != "_target_"})
    raise ValueError(f"a model's drifts must be Drift objects or mappings, got {d!r}")


@dataclass(frozen=True)
class FleetSpec:
    """The models of a fleet, the faults of their data sources, and simulated time.

    Attributes
    ----------
    models
        The :class:`ModelSpec` objects; a model's index is its position.
    faults
        :class:`SourceFault` events.
    n_samples
        Samples per model.
    tick_size
        Samples per tick (one simulated day): models advance in lockstep, a tick at a
        time, and share the budget per tick.
    seed
        Fleet seed; model ``i`` draws everything from ``(seed, i)``.
    jitter
        Jitter of every stream (see :class:`~simulator.stream.DriftStream`).

    Examples
    --------
    >>> spec = FleetSpec((ModelSpec("a"), ModelSpec("b")), n_samples=5000, tick_size=1000)
    >>> spec.n_ticks, spec.tier_index.tolist()
    (5, [1, 1])
    """

    models: tuple[ModelSpec, ...]
    faults: tuple[SourceFault, ...] = ()
    n_samples: int = 50_000
    tick_size: int = 1000
    seed: int = 0
    jitter: float = 0.05
    _tiers: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        models = tuple(self.models)
        if not models:
            raise ValueError("models must hold at least one ModelSpec, got none")
        names = [m.name for m in models]
        if len(set(names)) != len(names):
            raise ValueError(f"model names must be unique, got duplicates in {names}")
        check_int("n_samples", self.n_samples, low=1)
        check_int("tick_size", self.tick_size, low=1)
        check_int("seed", self.seed, low=0)
        object.__setattr__(self, "models", models)
        object.__setattr__(self, "faults", tuple(self.faults))
        known = {s for m in models for s in m.sources}
        for f in self.faults:
            if f.source not in known:
                raise ValueError(f"fault source {f.source!r} is read by no model; "
                                 f"sources: {sorted(known)}")
        tiers = np.array([TIERS.index(m.tier) for m in models], dtype=np.int64)
        object.__setattr__(self, "_tiers", tiers)

    @property
    def n_models(self) -> int:
        return len(self.models)

    @property
    def n_ticks(self) -> int:
        return -(-self.n_samples // self.tick_size)

    @property
    def tier_index(self) -> np.ndarray:
        """Per model, its tier's position in :data:`TIERS` (0 = high)."""
        return self._tiers

    def readers(self, source: str) -> list[int]:
        """Indices of the models reading ``source``."""
        return [i for i, m in enumerate(self.models) if source in m.sources]

    def drifts_of(self, index: int) -> tuple[Drift, ...]:
        """Model ``index``'s drifts: its own, then its sources' faults."""
        m = self.models[index]
        faults = [f.drift() for f in self.faults if f.source in m.sources]
        return (*m.drifts, *faults)

    def model_seed(self, index: int) -> int:
        """The stream seed of model ``index``."""
        return model_seed(self.seed, index)


# --- a seeded fleet generator ------------------------------------------------------

_TIER_DEFAULTS: dict[str, dict[str, Any]] = {
    # error cost range, SLA tolerance, label delay range (ticks), traffic scale
    "high": {"cost": (5.0, 20.0), "sla": 0.03, "delay": (0, 2), "traffic": 3.0},
    "medium": {"cost": (1.0, 5.0), "sla": 0.05, "delay": (1, 3), "traffic": 1.0},
    "low": {"cost": (0.2, 1.0), "sla": 0.10, "delay": (1, 5), "traffic": 0.5},
}


def _drift_mix(rng: np.random.Generator, n_samples: int, n: int,
               earliest: int) -> tuple[Drift, ...]:
    """``n`` drifts from a mix of harmful and benign kinds at seeded onsets, none
    before ``earliest`` (the first model's training data stay drift-free)."""
    out = []
    onsets = np.maximum(np.sort(rng.uniform(0.15, 0.85, size=n)) * n_samples, earliest)
    for start in onsets.astype(np.int64):
        kind = rng.choice(5, p=[0.3, 0.2, 0.2, 0.15, 0.15])
        start = int(start)
        if kind == 0:
            out.append(Drift("concept", start, transform="swap", classes=(0, 1)))
        elif kind == 1:
            width = int(rng.integers(1, 5)) * 1000
            out.append(Drift("concept", start, width=width, profile="gradual",
                             transform="swap", classes=(0, 1)))
        elif kind == 2:
            out.append(Drift("covariate", start, severity=float(rng.uniform(1.5, 3.0))))
        elif kind == 3:  # usually benign: the data move, the model barely notices
            out.append(Drift("covariate", start, severity=float(rng.uniform(0.1, 0.4))))
        else:
            out.append(Drift("prior", start, width=2000, profile="incremental",
                             severity=0.8, toward=1))
    return tuple(out)


def _make_model(seed: int, i: int, n_samples: int, tick_size: int, datasets: Sequence[str],
                tier_shares: Sequence[float], sources: Sequence[str]) -> ModelSpec:
    rng = np.random.default_rng([seed, 7, i])
    tier = TIERS[int(rng.choice(3, p=np.asarray(tier_shares) / np.sum(tier_shares)))]
    d = _TIER_DEFAULTS[tier]
    reads = [sources[int(rng.integers(len(sources)))]]
    if len(sources) > 1 and rng.random() < 0.2:
        reads.append(sources[int(rng.integers(len(sources)))])
    return ModelSpec(
        name=f"m{i:04d}",
        dataset=str(datasets[int(rng.integers(len(datasets)))]),
        tier=tier,
        traffic=round(float(d["traffic"] * rng.lognormal(0.0, 0.75)), 3),
        error_cost=round(float(rng.uniform(*d["cost"])), 3),
        retrain_cost=round(float(rng.lognormal(np.log(150.0), 0.5)), 2),
        retrain_latency=int(rng.integers(1, 3)),
        label_delay=int(rng.integers(d["delay"][0], d["delay"][1] + 1)),
        sla_tolerance=d["sla"],
        sources=tuple(dict.fromkeys(reads)),
        drifts=_drift_mix(rng, n_samples, int(rng.integers(1, 3)), 2 * tick_size),
    )


def _make_faults(seed: int, sources: Sequence[str], n_samples: int, tick_size: int,
                 fault_rate: float) -> tuple[SourceFault, ...]:
    """One fault on each of ``round(fault_rate × sources)`` seeded sources (at least
    one when ``fault_rate > 0``)."""
    if fault_rate == 0:
        return ()
    k = max(1, round(fault_rate * len(sources)))
    picked = np.sort(np.random.default_rng([seed, 8]).choice(len(sources), k, replace=False))
    out = []
    for s in picked:
        rng = np.random.default_rng([seed, 8, int(s)])
        start = int(rng.uniform(0.2, 0.7) * n_samples)
        duration = int(rng.integers(3, 9)) * tick_size
        transform = ("unit", "missing")[int(rng.integers(2))]
        out.append(SourceFault(sources[int(s)], start, duration, transform))
    return tuple(out)


def make_fleet(
    n_models: int,
    seed: int = 0,
    *,
    n_samples: int = 50_000,
    tick_size: int = 1000,
    datasets: Sequence[str] = ("iris", "wine", "breast_cancer"),
    tier_shares: Sequence[float] = (0.2, 0.3, 0.5),
    n_sources: int | None = None,
    fault_rate: float = 0.5,
    faults: Sequence[SourceFault | Mapping[str, Any]] | None = None,
    jitter: float = 0.05,
) -> FleetSpec:
    """A seeded fleet of ``n_models`` models drawn from a mix of tiers, datasets and drifts.

    Parameters
    ----------
    n_models
        Number of models.
    seed
        Fleet seed; model ``i`` depends on ``(seed, i)`` only.
    n_samples, tick_size, jitter
        See :class:`FleetSpec`.
    datasets
        Built-in datasets the models' streams are drawn from.
    tier_shares
        Expected shares of the high, medium and low tiers.
    n_sources
        Number of shared data sources (default: one per 8 models, at least 1).
    fault_rate
        Share of sources with one upstream fault (at least one source when > 0).
    faults
        Explicit faults instead of random ones (``SourceFault`` or mappings).

    Examples
    --------
    >>> a = make_fleet(50, seed=1, n_samples=10_000, n_sources=4)
    >>> b = make_fleet(10, seed=1, n_samples=10_000, n_sources=4)
    >>> a.models[:10] == b.models
    True
    """
    n_models = check_int("n_models", n_models, low=1)
    check_in_range("fault_rate", fault_rate, low=0.0, high=1.0)
    if n_sources is None:
        n_sources = max(1, n_models // 8)
    n_sources = check_int("n_sources", n_sources, low=1)
    sources = [f"src{s:03d}" for s in range(n_sources)]
    models = tuple(_make_model(seed, i, n_samples, tick_size, datasets, tier_shares, sources)
                   for i in range(n_models))
    read = {s for m in models for s in m.sources}
    if faults is None:
        chosen = _make_faults(seed, sources, n_samples, tick_size, fault_rate)
    else:
        chosen = tuple(f if isinstance(f, SourceFault) else SourceFault(**dict(f))
                       for f in faults)
    chosen = tuple(f for f in chosen if f.source in read or faults is not None)
    return FleetSpec(models, chosen, n_samples=n_samples, tick_size=tick_size, seed=seed,
                     jitter=jitter)

