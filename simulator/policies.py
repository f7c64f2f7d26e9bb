"""Retraining policies: what to do when monitors alert, or when the clock says so.

A policy sees the alerts raised at one moment and a read-only view of the loop's
state, and answers with a :class:`Decision`: ``none``, ``retrain`` (optionally on data
since a given time), ``background`` (train a model now but hold it until a drift),
or ``rollback``. Policies that act on the clock rather than on alerts (``Periodic``,
``Oracle``, ``CostAware``'s checks) say when in :meth:`Policy.scheduled`, so the loop
asks them at exactly those samples whatever its batch size.

Provided: :class:`Never`, :class:`Periodic`, :class:`DriftTriggered`,
:class:`PerformanceSLA`, :class:`WarningBackground`, :class:`CostAware` and
:class:`Oracle` (retrains at each true harmful onset: the upper bound the others are
compared with).

Examples
--------
>>> from simulator.alerts import Alert
>>> policy = DriftTriggered(cooldown=1000)
>>> alert = Alert(700, "err", "ADWIN", "error", None, 0.5)
>>> policy.decide(700, [alert], LoopStateView(time=700)).action
'retrain'
>>> later = Alert(900, "err", "ADWIN", "error", None, 0.5)
>>> policy.decide(900, [later], LoopStateView(time=900, last_retrain=700)).action
'none'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np

from driftsim.params import ParamsMixin
from driftsim.validation import check_choice, check_in_range, check_int
from simulator.alerts import Alert
from simulator.timeaxis import count_or_duration, parse_duration, period_ends

__all__ = [
    "CostAware",
    "Decision",
    "DriftTriggered",
    "GateFailure",
    "LoopStateView",
    "Never",
    "Oracle",
    "PerformanceSLA",
    "Periodic",
    "Policy",
    "WarningBackground",
]

Action = Literal["none", "retrain", "background", "rollback"]
_ACTIONS = ("none", "retrain", "background", "rollback")


@dataclass(frozen=True)
class Decision:
    """What a policy wants done at one moment.

    Attributes
    ----------
    action
        ``"none"``, ``"retrain"``, ``"background"`` (train now, deploy on the next
        drift) or ``"rollback"``.
    since
        For a retrain: train on labelled samples served at or after this time (the
        job waits for enough of them); ``None`` means the most recent labels.
    reason
        A short human-readable reason, logged in the trace.
    concept
        ``(drift column, intensity)``: train only on samples whose ground-truth
        intensity for that drift equals this value — the oracle's privilege of knowing
        which concept each sample came from (``None`` for every realistic policy).
    retry
        How many gate failures this decision follows: 0 for a fresh decision, ``r``
        for the ``r``-th retry (see :meth:`Policy.after_gate_failure`).

    Examples
    --------
    >>> Decision("retrain", since=2000, reason="true drift onset").since
    2000
    """

    action: Action = "none"
    since: int | None = None
    reason: str = ""
    concept: tuple[int, float] | None = None
    retry: int = 0

    def __post_init__(self) -> None:
        check_choice("action", self.action, _ACTIONS)
        check_int("retry", self.retry, low=0)


NONE = Decision()


@dataclass(frozen=True)
class GateFailure:
    """A candidate the validation gate rejected, as the loop reports it to the policy.

    Attributes
    ----------
    time
        When the gate rejected the candidate.
    trigger
        When the decision that started the job was taken.
    since
        The job's ``since`` (``None``: it trained on the most recent labels).
    retry
        The failed decision's :attr:`Decision.retry`.
    reason
        The failed decision's reason.

    Examples
    --------
    >>> GateFailure(time=2300, trigger=2231, since=None).retry
    0
    """

    time: int
    trigger: int
    since: int | None
    retry: int = 0
    reason: str = ""


@dataclass
class LoopStateView:
    """What a policy may know about the loop at decision time (no ground truth).

    The loop fills this in before each call; tests build it by hand.

    Attributes
    ----------
    time
        The current sample index.
    last_retrain
        Time of the last retrain trigger, or ``None``.
    job_running
        Whether a retraining job is in flight.
    background_ready
        Whether a background model is trained and waiting.
    background_age
        Samples since the waiting background model was trained (``None`` if none).
    champion_accuracy
        The champion's accuracy when it was validated (gate holdout or training data).
    recent_accuracy
        ``recent_accuracy(n)``: served accuracy over the last ``n`` revealed labels
        (``nan`` when there are none).
    champion_version
        The serving champion's registry version (``None`` when unknown).
    champion_recent_accuracy
        ``champion_recent_accuracy(n)``: accuracy of the champion's own predictions
        over the last ``n`` revealed labels of samples it served (``nan`` until
        there are ``n``).
    labels_available
        Revealed labels so far.
    retrain_cost
        Expected cost of one retraining job under the run's cost model.
    error_cost
        Cost of one wrong prediction under the run's cost model.

    Examples
    --------
    >>> state = LoopStateView(time=500, champion_accuracy=0.95)
    >>> state.recent_accuracy(100)  # no labels yet
    nan
    """

    time: int = 0
    last_retrain: int | None = None
    job_running: bool = False
    background_ready: bool = False
    background_age: int | None = None
    champion_accuracy: float = float("nan")
    recent_accuracy: Callable[[int], float] = field(default=lambda n: float("nan"))
    champion_version: int | None = None
    champion_recent_accuracy: Callable[[int], float] = field(default=lambda n: float("nan"))
    labels_available: int = 0
    retrain_cost: float = 0.0
    error_cost: float = 1.0


class Policy(ParamsMixin):
    """Base class: never acts. Subclasses override :meth:`decide` and maybe
    :meth:`scheduled`, :meth:`reset` and :meth:`own_monitors`.

    Examples
    --------
    >>> Policy().decide(0, [], LoopStateView()).action
    'none'
    """

    def reset(
        self,
        *,
        events: Sequence[Any] = (),
        n_samples: int | None = None,
        monitor_names: Sequence[str] = (),
    ) -> None:
        """Prepare for a new run; ``events`` are the stream's drift events (only the
        oracle may look at them), ``monitor_names`` the run's monitors."""

    def scheduled(self, start: int, stop: int) -> np.ndarray:
        """Times in ``[start, stop)`` at which the policy wants to be asked even
        without alerts."""
        return np.empty(0, dtype=np.int64)

    def own_monitors(self) -> list[Any]:
        """Monitors the policy brings with it (e.g. an SLA rule); none by default."""
        return []

    def monitor_references(self) -> tuple[str, ...]:
        """Names of the run's monitors this policy listens to by name (the loop checks
        they exist); none by default."""
        return ()

    def decide(self, time: int, alerts: Sequence[Alert], state: LoopStateView) -> Decision:
        """The decision at ``time`` given the alerts raised then."""
        return NONE

    def after_gate_failure(self, failure: GateFailure) -> Decision:
        """What to do when the gate rejects a candidate of a (non-background) job this
        policy started; the loop acts on the answer at ``failure.time``. Never retries
        by default."""
        return NONE


class LabelDrivenRecovery:
    """Mixin of the label-driven policies: a retrain that did not fix things is not
    the end.

    Two situations left such a policy stuck with a bad model, since no monitor alerts
    again on an error rate that no longer changes:

    * **The gate rejected the candidate.** It was usually trained on the wrong data:
      when the alert came, the most recent labels were still mostly from before the
      drift (labels arrive late), or a gradual drift had only begun. The policy
      retrains again, up to ``gate_retries`` times, on labels of samples served after
      the failed job's data: the first retry of a job that trained on the most recent
      labels uses labels since its trigger (the alert), a later one labels since the
      failure. The job waits until a training window of such labels exists. A
      candidate that still loses means the champion is as good as anything the new
      data teaches: the policy stops there.
    * **The gate passed a candidate that serves badly.** Trained while a drift was
      still unfolding, it won a holdout that was half old data, and the monitors,
      re-baselined on it, see nothing new. Every ``check_every`` samples after the
      policy's first retrain, the policy compares the champion's accuracy on the last
      ``shortfall_labels`` labels of samples it served with the accuracy it was
      validated at; a drop of more than ``shortfall`` triggers one retrain on labels
      of samples served from then on (the world the champion fails in now), once per
      episode (from one alert-driven retrain to the next), so a problem no model can
      fix, such as corrupted outputs, does not start a job every check.

    Examples
    --------
    >>> failure = GateFailure(time=20232, trigger=20231, since=None)
    >>> DriftTriggered().after_gate_failure(failure)  # doctest: +NORMALIZE_WHITESPACE
    Decision(action='retrain', since=20231,
             reason='retry 1 after gate failure: labels since 20231', concept=None, retry=1)
    >>> DriftTriggered(gate_retries=0).after_gate_failure(failure).action
    'none'
    >>> p = DriftTriggered()
    >>> short = LoopStateView(time=3000, last_retrain=2200, champion_version=2,
    ...                       champion_accuracy=0.87, champion_recent_accuracy=lambda n: 0.45)
    >>> p.decide(3000, [], short).reason
    'champion v2 serves 0.450, validated at 0.870'
    >>> p.decide(3250, [], short).action  # once per episode
    'none'
    """

    gate_retries: int
    shortfall: float | None
    shortfall_labels: ClassVar[int] = 200
    check_every: ClassVar[int] = 250

    def after_gate_failure(self, failure: GateFailure) -> Decision:
        if failure.retry >= self.gate_retries:
            return NONE
        since = failure.trigger if failure.since is None else failure.time
        retry = failure.retry + 1
        return Decision(
            "retrain",
            since=since,
            reason=f"retry {retry} after gate failure: labels since {since}",
            retry=retry,
        )

    def _reset_recovery(self) -> None:
        self._watched: set[int] = set()
        self._shortfall_spent = False

    def reset(
        self,
        *,
        events: Sequence[Any] = (),
        n_samples: int | None = None,
        monitor_names: Sequence[str] = (),
    ) -> None:
        self._reset_recovery()
        super().reset(events=events, n_samples=n_samples, monitor_names=monitor_names)  # type: ignore[misc]

    def _decide_on_alerts(
        self, time: int, alerts: Sequence[Alert], state: LoopStateView
    ) -> Decision:
        return NONE

    def decide(self, time: int, alerts: Sequence[Alert], state: LoopStateView) -> Decision:
        """The policy's own decision on the alerts; failing that, the shortfall check."""
        decision = self._decide_on_alerts(time, alerts, state)
        if decision.action != "none":
            self._shortfall_spent = False  # a new episode
            return decision
        return self._shortfall_decision(state)

    def scheduled(self, start: int, stop: int) -> np.ndarray:
        if self.shortfall is None:
            return np.empty(0, dtype=np.int64)
        return Periodic(self.check_every).scheduled(start, stop)

    def _shortfall_decision(self, state: LoopStateView) -> Decision:
        """A retrain when the champion serves well below its validated accuracy."""
        version = state.champion_version
        if (
            self.shortfall is None
            or state.last_retrain is None  # only models after the policy's own retrain
            or state.job_running
            or version is None
            or version in self._watched
            or self._shortfall_spent
        ):
            return NONE
        served = state.champion_recent_accuracy(self.shortfall_labels)
        validated = state.champion_accuracy
        if not (np.isfinite(served) and np.isfinite(validated)):
            return NONE
        if validated - served <= self.shortfall:
            return NONE
        self._watched.add(version)
        self._shortfall_spent = True
        return Decision(
            "retrain",
            since=state.time,
            reason=f"champion v{version} serves {served:.3f}, validated at {validated:.3f}",
        )


def _check_shortfall(shortfall: float | None) -> float | None:
    if shortfall is None:
        return None
    return float(check_in_range("shortfall", shortfall, low=0.0, high=1.0))


def _cooled(state: LoopStateView, cooldown: int) -> bool:
    return state.last_retrain is None or state.time - state.last_retrain >= cooldown


class Never(Policy):
    """Never retrain: the model deployed first serves the whole stream.

    Examples
    --------
    >>> Never().decide(10, [], LoopStateView()).action
    'none'
    """

    def __init__(self) -> None:
        pass


class Periodic(Policy):
    """Retrain every ``every`` samples, whatever the monitors say.

    Parameters
    ----------
    every
        Samples between retrains; the first happens at ``offset + every``. Or a
        duration such as ``"7d"`` (:mod:`simulator.timeaxis`) for a stream with
        timestamps (a replayed log): a retrain at the first sample of each period,
        periods counted from the first sample's time.
    offset
        Shift of the schedule, in samples (count periods only).

    Examples
    --------
    >>> Periodic(every=1000).scheduled(0, 3500).tolist()
    [1000, 2000, 3000]
    >>> weekly = Periodic(every="7d")
    >>> weekly.bind_time(np.arange("2024-01-01", "2024-01-31", dtype="datetime64[D]"))
    >>> weekly.scheduled(0, 30).tolist()
    [7, 14, 21, 28]
    """

    def __init__(self, every: int | str = 1000, offset: int = 0) -> None:
        self.every = count_or_duration("every", every, low=1)
        self.offset = check_int("offset", offset, low=0)
        self._times: np.ndarray | None = None

    def bind_time(self, time: np.ndarray | None) -> None:
        """The stream's timestamps (None: it has none); a duration period needs them."""
        if time is None:
            if isinstance(self.every, str):
                raise ValueError(
                    f"every={self.every!r} is a duration, but the stream has no timestamps; "
                    "replay a log loaded with time=<column>, or give a count"
                )
            self._times = None
            return
        if not isinstance(self.every, str):
            return
        stamps = np.asarray(time, dtype="datetime64[ns]")
        ends = period_ends(stamps, parse_duration(self.every))
        self._times = np.unique(np.searchsorted(stamps, ends, side="left"))

    def scheduled(self, start: int, stop: int) -> np.ndarray:
        if isinstance(self.every, str):
            times = self._times if self._times is not None else np.empty(0, dtype=np.int64)
            return times[(times >= start) & (times < stop)].astype(np.int64)
        first = self.offset + self.every
        k_lo = max(0, -(-(start - first) // self.every))  # ceil division
        k_hi = -(-(stop - first) // self.every)
        return (first + self.every * np.arange(k_lo, max(k_lo, k_hi))).astype(np.int64)

    def decide(self, time: int, alerts: Sequence[Alert], state: LoopStateView) -> Decision:
        if isinstance(self.every, str):
            due = self.scheduled(time, time + 1).size > 0
        else:
            due = time >= self.offset + self.every and (time - self.offset) % self.every == 0
        if due:
            return Decision("retrain", reason=f"periodic every {self.every}")
        return NONE


def _drift_alerts(alerts: Sequence[Alert], monitors: str | Sequence[str]) -> list[Alert]:
    drifts = [a for a in alerts if a.kind == "drift"]
    if isinstance(monitors, str):
        return drifts
    return [a for a in drifts if a.monitor in monitors]


class DriftTriggered(LabelDrivenRecovery, Policy):
    """Retrain when monitors raise a drift alert.

    Parameters
    ----------
    monitors
        ``"any"``: a drift alert from any monitor triggers; ``"all"``: every monitor
        must have alerted since the last retrain; or a list of monitor names, any
        of which triggers.
    cooldown
        Samples after a retrain during which alerts are ignored (one drift should
        not start a job per detector).
    data
        ``"recent"``: train on the most recent labels; ``"since_alert"``: on labels of
        samples served after the alert (the job waits for them).
    gate_retries, shortfall
        Retrains after a gate failure, and the drop below its validated accuracy at
        which a deployed model is retrained (``None``: never); see
        :class:`LabelDrivenRecovery`.

    Examples
    --------
    >>> from simulator.alerts import Alert
    >>> p = DriftTriggered(monitors="all")
    >>> p.reset(monitor_names=["a", "b"])
    >>> p.decide(5, [Alert(5, "a", "KS", "features", None, 1.0)], LoopStateView(time=5)).action
    'none'
    >>> p.decide(9, [Alert(9, "b", "KS", "features", None, 1.0)], LoopStateView(time=9)).action
    'retrain'
    """

    def __init__(
        self,
        monitors: str | Sequence[str] = "any",
        cooldown: int = 0,
        data: str = "recent",
        gate_retries: int = 1,
        shortfall: float | None = 0.05,
    ) -> None:
        if isinstance(monitors, str):
            check_choice("monitors", monitors, ("any", "all"))
        else:
            monitors = tuple(str(m) for m in monitors)
            if not monitors:
                raise ValueError("monitors must be 'any', 'all' or a non-empty list of names")
        self.monitors = monitors
        self.cooldown = check_int("cooldown", cooldown, low=0)
        self.data = check_choice("data", data, ("recent", "since_alert"))
        self.gate_retries = check_int("gate_retries", gate_retries, low=0)
        self.shortfall = _check_shortfall(shortfall)
        self.reset()

    def reset(
        self,
        *,
        events: Sequence[Any] = (),
        n_samples: int | None = None,
        monitor_names: Sequence[str] = (),
    ) -> None:
        super().reset(events=events, n_samples=n_samples, monitor_names=monitor_names)
        self._names = tuple(monitor_names)
        self._seen: set[str] = set()

    def monitor_references(self) -> tuple[str, ...]:
        return () if isinstance(self.monitors, str) else self.monitors

    def _decide_on_alerts(
        self, time: int, alerts: Sequence[Alert], state: LoopStateView
    ) -> Decision:
        fired = _drift_alerts(alerts, "any" if self.monitors == "all" else self.monitors)
        if not fired:
            return NONE
        if self.monitors == "all":
            self._seen.update(a.monitor for a in fired)
            if not self._names or not set(self._names) <= self._seen:
                return NONE
        if not _cooled(state, self.cooldown) or state.job_running:
            return NONE
        self._seen.clear()
        names = ", ".join(sorted({a.monitor for a in fired}))
        since = time if self.data == "since_alert" else None
        return Decision("retrain", since=since, reason=f"drift alert from {names}")


class PerformanceSLA(LabelDrivenRecovery, Policy):
    """Retrain when an SLA on a labelled metric breaks.

    The policy brings its own monitor: an :class:`~simulator.monitors.SLARule` on
    revealed labels (e.g. "F1 below 0.85 on 3 consecutive checks of 200 labelled
    samples"), which the loop runs beside the other monitors; its breaches trigger
    a retrain.

    With ``source="estimated"`` the rule watches a label-free estimate of the metric
    instead (``estimated:<metric>``, CBPE on the served probabilities, one check per
    ``check_size`` served samples), so it can act before the labels arrive, and is
    blind where the estimate is (concept drift).

    Parameters
    ----------
    metric, threshold, consecutive, check_size
        The SLA rule (see :class:`~simulator.monitors.SLARule`).
    source
        ``"labels"`` (revealed labels) or ``"estimated"`` (label-free estimate).
    cooldown
        Samples after a retrain during which breaches are ignored.
    gate_retries, shortfall
        Retrains after a gate failure, and the drop below its validated accuracy at
        which a deployed model is retrained (``None``: never); see
        :class:`LabelDrivenRecovery`.

    Examples
    --------
    >>> policy = PerformanceSLA("f1", threshold=0.85, consecutive=3)
    >>> [m.name for m in policy.own_monitors()]
    ['sla:f1']
    >>> from simulator.alerts import Alert
    >>> breach = Alert(800, "sla:f1", "SLARule", "metric:f1", 0.81, 1.0)
    >>> policy.decide(800, [breach], LoopStateView(time=800)).reason
    'SLA breach: f1 0.810 < 0.85'
    >>> [m.signal for m in PerformanceSLA("f1", source="estimated").own_monitors()]
    ['estimated:f1']
    """

    def __init__(
        self,
        metric: str = "f1",
        threshold: float = 0.85,
        consecutive: int = 3,
        check_size: int = 200,
        source: str = "labels",
        cooldown: int = 0,
        gate_retries: int = 1,
        shortfall: float | None = 0.05,
    ) -> None:
        from simulator.estimated import ESTIMATED_METRICS
        from simulator.monitors import SLARule

        self._rule = SLARule(metric, threshold, consecutive, check_size)  # validates
        self.source = check_choice("source", source, ("labels", "estimated"))
        if source == "estimated":
            check_choice("metric (estimated)", metric, ESTIMATED_METRICS)
        self.metric = metric
        self.threshold = threshold
        self.consecutive = consecutive
        self.check_size = check_size
        self.cooldown = check_int("cooldown", cooldown, low=0)
        self.gate_retries = check_int("gate_retries", gate_retries, low=0)
        self.shortfall = _check_shortfall(shortfall)
        self._reset_recovery()

    @property
    def monitor_name(self) -> str:
        return f"sla:{self.metric}" if self.source == "labels" else f"sla:estimated:{self.metric}"

    def own_monitors(self) -> list[Any]:
        from simulator.monitors import Monitor

        signal = "metric" if self.source == "labels" else "estimated"
        return [Monitor(f"{signal}:{self.metric}", self._rule.clone(), name=self.monitor_name)]

    def _decide_on_alerts(
        self, time: int, alerts: Sequence[Alert], state: LoopStateView
    ) -> Decision:
        breaches = [a for a in alerts if a.kind == "drift" and a.monitor == self.monitor_name]
        if not breaches or state.job_running or not _cooled(state, self.cooldown):
            return NONE
        value = breaches[0].statistic
        return Decision(
            "retrain", reason=f"SLA breach{'' if self.source == 'labels' else ' (estimated)'}: "
                              f"{self.metric} {value:.3f} < {self.threshold}"
        )


class WarningBackground(LabelDrivenRecovery, Policy):
    """Train a background model on a warning; swap it in on the drift that follows.

    river's ``DriftRetrainingClassifier`` idea, with driftsim's validation gate in
    between. A background model older than ``max_age`` samples when the drift comes
    describes the world before the warning faded, not after the drift: it is dropped,
    and the policy retrains on data from the drift on instead (as it does when no
    background model is ready).

    Parameters
    ----------
    max_age
        Samples a background model stays usable after it was trained.
    cooldown
        Samples after a retrain during which drifts are ignored.
    gate_retries, shortfall
        Retrains after a gate failure, and the drop below its validated accuracy at
        which a deployed model is retrained (``None``: never); see
        :class:`LabelDrivenRecovery`.

    Examples
    --------
    >>> from simulator.alerts import Alert
    >>> p = WarningBackground(max_age=300)
    >>> warn = Alert(400, "err", "DDM", "error", None, 0.2, kind="warning")
    >>> p.decide(400, [warn], LoopStateView(time=400)).action
    'background'
    >>> drift = Alert(450, "err", "DDM", "error", None, 0.9)
    >>> p.decide(450, [drift], LoopStateView(time=450, background_ready=True,
    ...                                       background_age=50)).reason
    'drift after warning: swap'
    >>> p.decide(950, [drift], LoopStateView(time=950, background_ready=True,
    ...                                       background_age=550)).since
    950
    """

    def __init__(
        self,
        max_age: int = 500,
        cooldown: int = 0,
        gate_retries: int = 1,
        shortfall: float | None = 0.05,
    ) -> None:
        self.max_age = check_int("max_age", max_age, low=0)
        self.cooldown = check_int("cooldown", cooldown, low=0)
        self.gate_retries = check_int("gate_retries", gate_retries, low=0)
        self.shortfall = _check_shortfall(shortfall)
        self._reset_recovery()

    def _decide_on_alerts(
        self, time: int, alerts: Sequence[Alert], state: LoopStateView
    ) -> Decision:
        if any(a.kind == "drift" for a in alerts):
            if not _cooled(state, self.cooldown):
                return NONE
            fresh = state.background_ready and (state.background_age or 0) <= self.max_age
            if fresh:
                return Decision("retrain", reason="drift after warning: swap")
            if state.job_running:
                return NONE
            return Decision("retrain", since=time, reason="drift, no fresh background model")
        if any(a.kind == "warning" for a in alerts) and not state.job_running:
            if not state.background_ready or (state.background_age or 0) > self.max_age:
                return Decision("background", reason="warning zone entered")
        return NONE


class CostAware(LabelDrivenRecovery, Policy):
    """Retrain when the expected cost of staying exceeds the cost of retraining.

    At each check (every ``check_every`` samples, and on every drift alert) the policy
    estimates the accuracy lost since the champion was validated from revealed labels
    only — ``max(0, champion_accuracy - recent_accuracy(window))`` — and prices it
    over the next ``horizon`` samples: ``loss = drop × horizon × error_cost ×
    impact``. It retrains when ``loss`` exceeds the run's retraining cost. Drift alerts
    add evidence by lowering the bar in proportion to their severity
    (``alert_weight``).

    Parameters
    ----------
    horizon
        Samples over which degraded accuracy would keep costing.
    impact
        Business impact multiplier on the cost of an error.
    window
        Revealed labels used to estimate the recent accuracy.
    check_every
        Samples between scheduled checks.
    alert_weight
        How much a severity-1 alert lowers the retraining bar (0 = alerts ignored).
    cooldown
        Samples after a retrain during which no retrain starts.
    gate_retries
        Retrains after a gate failure (see :class:`LabelDrivenRecovery`; the
        shortfall check is this policy's own ``decide``, so it has no other).

    Examples
    --------
    >>> state = LoopStateView(time=3000, champion_accuracy=0.95,
    ...                       recent_accuracy=lambda n: 0.70, retrain_cost=50.0)
    >>> CostAware(horizon=1000).decide(3000, [], state).action
    'retrain'
    >>> state.recent_accuracy = lambda n: 0.94
    >>> CostAware(horizon=1000).decide(3000, [], state).action
    'none'
    """

    def __init__(
        self,
        horizon: int = 2000,
        impact: float = 1.0,
        window: int = 200,
        check_every: int = 250,
        alert_weight: float = 0.5,
        cooldown: int = 0,
        gate_retries: int = 1,
    ) -> None:
        self.horizon = check_int("horizon", horizon, low=1)
        self.impact = check_in_range("impact", impact, low=0.0)
        self.window = check_int("window", window, low=1)
        self.check_every = check_int("check_every", check_every, low=1)
        self.alert_weight = check_in_range("alert_weight", alert_weight, low=0.0, high=1.0)
        self.cooldown = check_int("cooldown", cooldown, low=0)
        self.gate_retries = check_int("gate_retries", gate_retries, low=0)
        self.shortfall = None  # decide() weighs the accuracy drop itself
        self._reset_recovery()

    def scheduled(self, start: int, stop: int) -> np.ndarray:
        return Periodic(self.check_every).scheduled(start, stop)

    def expected_loss(self, state: LoopStateView) -> float:
        """Cost of keeping the champion for ``horizon`` more samples, from evidence."""
        recent = state.recent_accuracy(self.window)
        if not np.isfinite(recent) or not np.isfinite(state.champion_accuracy):
            return 0.0
        drop = max(0.0, state.champion_accuracy - recent)
        return drop * self.horizon * state.error_cost * self.impact

    def decide(self, time: int, alerts: Sequence[Alert], state: LoopStateView) -> Decision:
        if state.job_running or not _cooled(state, self.cooldown):
            return NONE
        severity = max((a.severity for a in alerts if a.kind == "drift"), default=0.0)
        bar = state.retrain_cost * (1.0 - self.alert_weight * float(severity))
        loss = self.expected_loss(state)
        if loss > bar and loss > 0:
            return Decision("retrain", reason=f"expected loss {loss:.1f} > cost {bar:.1f}")
        return NONE


class Oracle(Policy):
    """Retrain at each true harmful drift onset, on samples of the new concept only.

    It knows the ground truth (the stream's events, and which concept each sample
    came from) and nothing else: retraining still waits for labels, takes the same
    latency and obeys the same window, so it is the upper bound every realistic policy
    is compared with. During a gradual drift it trains on the samples already drawn
    from the new concept; for an incremental one, on samples at full intensity (after
    the ramp); at a recurring drift's return, on samples of the old concept.

    Parameters
    ----------
    harmful_only
        Retrain only at events flagged harmful (default) or at every onset.

    Examples
    --------
    >>> from types import SimpleNamespace as E
    >>> oracle = Oracle()
    >>> oracle.reset(events=[E(onset=2000, drift_index=0, is_return=False, harmful=True),
    ...                      E(onset=3000, drift_index=1, is_return=False, harmful=False)])
    >>> oracle.scheduled(0, 5000).tolist()
    [2000]
    >>> oracle.decide(2000, [], LoopStateView(time=2000)).concept
    (0, 1.0)
    """

    def __init__(self, harmful_only: bool = True) -> None:
        self.harmful_only = bool(harmful_only)
        self._targets: dict[int, tuple[int, float] | None] = {}
        self._times = np.empty(0, dtype=np.int64)

    def reset(
        self,
        *,
        events: Sequence[Any] = (),
        n_samples: int | None = None,
        monitor_names: Sequence[str] = (),
    ) -> None:
        self._targets = {}
        for e in events:
            if e.harmful or not self.harmful_only:
                column = getattr(e, "drift_index", None)
                target = None if column is None else (
                    int(column), 0.0 if getattr(e, "is_return", False) else 1.0
                )
                self._targets[int(e.onset)] = target
        self._times = np.asarray(sorted(self._targets), dtype=np.int64)

    def scheduled(self, start: int, stop: int) -> np.ndarray:
        return self._times[(self._times >= start) & (self._times < stop)]

    def decide(self, time: int, alerts: Sequence[Alert], state: LoopStateView) -> Decision:
        if time in self._targets:
            return Decision("retrain", since=time, reason="true drift onset",
                            concept=self._targets[time])
        return NONE
