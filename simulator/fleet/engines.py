"""Decision engines: who asks to retrain, and in which order the shared budget serves.

Each tick the runner hands the engine a :class:`FleetView` (one array per signal,
one entry per model). :meth:`Engine.requests` returns the models asking for a
retraining job now; :meth:`Engine.rank` orders the whole queue (and may drop
requests); the runner then starts jobs in that order while slots and money last,
skipping a job the money left cannot pay for.

* :class:`PeriodicAll` — every model, every ``period`` ticks; first come, first served.
* :class:`DriftFCFS` — a model asks when its detector fires or its data quality
  breaks; first come, first served.
* :class:`CostAwareModel` — each model on its own asks when its estimated loss over
  ``horizon`` exceeds its retraining cost; first come, first served.
* :class:`FleetEngine` — the fleet view: every tick it ranks the queue by expected
  loss avoided (severity × error cost × traffic × horizon) minus cost, drops what is
  not worth its cost, and fills the budget from the top.
* :class:`OracleEngine` — the same ranking with the *true* accuracy drop (no label
  delay, no estimate): the best a ranking could do with perfect knowledge.

Examples
--------
>>> view = FleetView.example()
>>> FleetEngine().requests(view).tolist()
[False, True, False]
>>> PeriodicAll(period=5).requests(view).tolist()
[True, True, False]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from driftsim.validation import check_choice, check_in_range, check_int

__all__ = [
    "ENGINES", "CostAwareModel", "DriftFCFS", "Engine", "FleetEngine", "FleetView",
    "OracleEngine", "PeriodicAll", "make_engine",
]


@dataclass
class FleetView:
    """What an engine may see at the end of tick ``t`` (arrays over models).

    ``estimated_accuracy`` is the last measured accuracy (labels come late);
    ``true_accuracy`` and ``fault_active`` (an upstream fault hit the data a job
    started now would train on) are ground truth, for the oracle only;
    ``recent_quality`` is the worst data-quality share over those ticks. ``since_job``
    counts ticks since the model's last job started (since deployment if none).

    Examples
    --------
    >>> FleetView.example().n_models
    3
    """

    t: int
    tick_size: int
    tier: np.ndarray
    traffic: np.ndarray
    error_cost: np.ndarray
    retrain_cost: np.ndarray
    reference_accuracy: np.ndarray
    estimated_accuracy: np.ndarray
    true_accuracy: np.ndarray
    alarm: np.ndarray
    quality: np.ndarray
    since_job: np.ndarray
    busy: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    fault_active: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    recent_quality: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def n_models(self) -> int:
        return len(self.tier)

    @classmethod
    def example(cls) -> FleetView:
        """Three models: a healthy one, one with a large measured drop, one busy."""
        return cls(
            t=10, tick_size=1000, tier=np.array([0, 1, 2]), traffic=np.ones(3),
            error_cost=np.array([5.0, 2.0, 1.0]), retrain_cost=np.full(3, 100.0),
            reference_accuracy=np.full(3, 0.95),
            estimated_accuracy=np.array([0.95, 0.70, 0.60]),
            true_accuracy=np.array([0.94, 0.60, 0.60]), alarm=np.array([False, True, True]),
            quality=np.zeros(3), since_job=np.array([6, 8, 1]),
            busy=np.array([False, False, True]), fault_active=np.zeros(3, bool),
            recent_quality=np.zeros(3),
        )


def _fcfs(queue_models: np.ndarray, queue_since: np.ndarray) -> np.ndarray:
    return np.lexsort((queue_models, queue_since))


class Engine:
    """Base engine: subclasses write :meth:`requests`; the default rank is FCFS.

    Examples
    --------
    >>> Engine().rank(FleetView.example(), np.array([2, 0]), np.array([5, 3]))
    (array([1, 0]), array([False, False]))
    """

    name = "engine"

    def requests(self, view: FleetView) -> np.ndarray:
        """Boolean mask: models asking for a job now (busy models are ignored)."""
        return np.zeros(view.n_models, dtype=bool)

    def rank(self, view: FleetView, queue_models: np.ndarray,
             queue_since: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Order of the queue (positions, first served first) and a mask of requests
        to drop."""
        return _fcfs(queue_models, queue_since), np.zeros(len(queue_models), dtype=bool)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class PeriodicAll(Engine):
    """Every model asks for a job every ``period`` ticks.

    Examples
    --------
    >>> PeriodicAll(period=7).requests(FleetView.example()).tolist()
    [False, True, False]
    """

    name = "periodic"

    def __init__(self, period: int = 7) -> None:
        self.period = check_int("period", period, low=1)

    def requests(self, view: FleetView) -> np.ndarray:
        return (view.since_job >= self.period) & ~view.busy


class DriftFCFS(Engine):
    """A model asks when its detector fires or its data quality is broken.

    Examples
    --------
    >>> DriftFCFS(cooldown=2).requests(FleetView.example()).tolist()
    [False, True, False]
    """

    name = "drift_fcfs"

    def __init__(self, cooldown: int = 2, quality_threshold: float = 0.05) -> None:
        self.cooldown = check_int("cooldown", cooldown, low=0)
        self.quality_threshold = check_in_range("quality_threshold", quality_threshold,
                                                low=0.0, high=1.0)

    def requests(self, view: FleetView) -> np.ndarray:
        signal = view.alarm | (view.quality > self.quality_threshold)
        return signal & (view.since_job >= self.cooldown) & ~view.busy


def _expected_gain(view: FleetView, severity: np.ndarray, horizon: int) -> np.ndarray:
    """Loss avoided over ``horizon`` ticks if the drop ``severity`` is repaired."""
    return severity * view.error_cost * view.traffic * view.tick_size * horizon


class CostAwareModel(Engine):
    """Each model weighs its own measured drop against its own retraining cost.

    Examples
    --------
    >>> CostAwareModel(horizon=1).requests(FleetView.example()).tolist()
    [False, True, False]
    """

    name = "cost_aware"

    def __init__(self, horizon: int = 10) -> None:
        self.horizon = check_int("horizon", horizon, low=1)

    def requests(self, view: FleetView) -> np.ndarray:
        drop = np.maximum(0.0, view.reference_accuracy - view.estimated_accuracy)
        gain = _expected_gain(view, drop, self.horizon)
        return (gain > view.retrain_cost) & ~view.busy


class FleetEngine(Engine):
    """Rank every request by expected loss avoided minus cost; fill the budget.

    Severity is the measured accuracy drop, raised to ``alarm_prior`` when the
    detector has just fired (labels may not show the drop yet). While a model's data
    quality is broken it holds: a broken pipeline is fixed upstream, and a model
    retrained on faulty data breaks again when the pipeline is repaired.

    Examples
    --------
    >>> view = FleetView.example()
    >>> FleetEngine().rank(view, np.array([0, 1]), np.array([3, 9]))
    (array([1, 0]), array([ True, False]))
    """

    name = "fleet"

    def __init__(self, horizon: int = 10, alarm_prior: float = 0.05,
                 quality_threshold: float = 0.05) -> None:
        self.horizon = check_int("horizon", horizon, low=1)
        self.alarm_prior = check_in_range("alarm_prior", alarm_prior, low=0.0, high=1.0)
        self.quality_threshold = check_in_range("quality_threshold", quality_threshold,
                                                low=0.0, high=1.0)

    def severity(self, view: FleetView) -> np.ndarray:
        drop = np.maximum(0.0, view.reference_accuracy - view.estimated_accuracy)
        return np.where(view.alarm, np.maximum(drop, self.alarm_prior), drop)

    def hold(self, view: FleetView) -> np.ndarray:
        """Models that should not retrain now (the data a job would train on passed
        through a broken pipeline)."""
        return view.recent_quality > self.quality_threshold

    def value(self, view: FleetView) -> np.ndarray:
        """Expected loss avoided over the horizon minus the job's cost, per model
        (-inf while the model holds)."""
        gain = _expected_gain(view, self.severity(view), self.horizon) - view.retrain_cost
        return np.where(self.hold(view), -np.inf, gain)

    def requests(self, view: FleetView) -> np.ndarray:
        return (self.value(view) > 0) & ~view.busy

    def rank(self, view: FleetView, queue_models: np.ndarray,
             queue_since: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        value = self.value(view)[queue_models]
        return np.lexsort((queue_models, -value)), value <= 0


class OracleEngine(FleetEngine):
    """The fleet ranking fed the true accuracy drop of this very tick; it holds while
    an upstream fault is truly active.

    Examples
    --------
    >>> OracleEngine().severity(FleetView.example()).round(2).tolist()
    [0.01, 0.35, 0.35]
    """

    name = "oracle"

    def __init__(self, horizon: int = 10) -> None:
        super().__init__(horizon=horizon, alarm_prior=0.0)

    def severity(self, view: FleetView) -> np.ndarray:
        return np.maximum(0.0, view.reference_accuracy - view.true_accuracy)

    def hold(self, view: FleetView) -> np.ndarray:
        return view.fault_active


ENGINES: dict[str, type[Engine]] = {
    cls.name: cls for cls in (PeriodicAll, DriftFCFS, CostAwareModel, FleetEngine, OracleEngine)
}


def make_engine(name: str, **params: object) -> Engine:
    """An engine by name (``periodic``, ``drift_fcfs``, ``cost_aware``, ``fleet``,
    ``oracle``) with its parameters.

    Examples
    --------
    >>> make_engine("fleet", horizon=5)
    FleetEngine(horizon=5, alarm_prior=0.05, quality_threshold=0.05)
    """
    check_choice("engine", name, sorted(ENGINES))
    return ENGINES[name](**params)
