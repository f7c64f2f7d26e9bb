"""Settings of the deployment loop: retraining, the validation gate, deployment, the
human approver and the cost model. Each is a small validated, frozen dataclass, so a
Hydra config (or a test) states only what differs from the defaults.

Examples
--------
>>> RetrainConfig(window=300, latency=50).window
300
>>> GateConfig(metric="auc")
Traceback (most recent call last):
...
ValueError: metric must be one of ['accuracy', 'f1', 'log_loss'], got 'auc'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Integral
from typing import Any

from driftsim.validation import check_choice, check_in_range, check_int
from simulator.timeaxis import count_or_duration

__all__ = [
    "ApprovalConfig",
    "CostModel",
    "DeploymentConfig",
    "GateConfig",
    "LoopConfig",
    "RetrainConfig",
]


@dataclass(frozen=True)
class RetrainConfig:
    """How a retraining job gets its data and how long it takes.

    Attributes
    ----------
    window
        Labelled samples a job trains on (the most recent ones, or the first ones
        after the trigger when the policy asks for data ``since`` a time): a count,
        or a duration such as ``"30d"`` (:mod:`simulator.timeaxis`) for a stream
        with timestamps: the labelled samples served in the last 30 days.
    latency
        Samples between the job's start and the new model being ready.
    min_train
        Fewer labels than this and the job is skipped (logged, not crashed).
    failure_rate
        Probability that a job fails (seeded); failed jobs are retried.
    max_retries
        Retries after a failure before the job is abandoned.
    backoff
        Samples to wait before a retry.
    strategy
        ``"retrain"``: fit a fresh model per job; ``"incremental"``: the champion
        also keeps learning (``partial_fit``) from every revealed label.

    Examples
    --------
    >>> RetrainConfig(failure_rate=1.5)
    Traceback (most recent call last):
    ...
    ValueError: failure_rate must be <= 1.0, got 1.5
    """

    window: int | str = 500
    latency: int = 0
    min_train: int = 30
    failure_rate: float = 0.0
    max_retries: int = 2
    backoff: int = 100
    strategy: str = "retrain"

    def __post_init__(self) -> None:
        count_or_duration("window", self.window, low=2)
        check_int("latency", self.latency, low=0)
        check_int("min_train", self.min_train, low=2)
        check_in_range("failure_rate", self.failure_rate, low=0.0, high=1.0)
        check_int("max_retries", self.max_retries, low=0)
        check_int("backoff", self.backoff, low=0)
        check_choice("strategy", self.strategy, ("retrain", "incremental"))


@dataclass(frozen=True)
class GateConfig:
    """The validation gate between a trained candidate and deployment.

    The most recent ``holdout`` share of the job's labelled window is held out of
    training; the candidate passes when its ``metric`` there beats the champion's by
    more than ``margin`` (for ``log_loss``, lower is better). A tie fails: replacing a
    model costs something, and a tie on a small holdout says nothing.

    Examples
    --------
    >>> GateConfig(holdout=0.0).enabled
    False
    """

    metric: str = "accuracy"
    margin: float = 0.0
    holdout: float = 0.2

    def __post_init__(self) -> None:
        check_choice("metric", self.metric, ["accuracy", "f1", "log_loss"])
        check_in_range("margin", self.margin, low=-1.0, high=1.0)
        check_in_range("holdout", self.holdout, low=0.0, high=0.9)

    @property
    def enabled(self) -> bool:
        """A zero holdout disables the gate: every candidate is deployed."""
        return self.holdout > 0


@dataclass(frozen=True)
class DeploymentConfig:
    """How a validated candidate reaches users, and when it is rolled back.

    Attributes
    ----------
    mode
        ``"replace"``: it becomes champion at once. ``"shadow"``: it predicts
        alongside the champion for ``trial_samples`` served samples, unseen, and is
        promoted only if it wins. ``"ab"``: ``ab_fraction`` of traffic goes to it for
        ``trial_samples`` samples; promotion on a fixed horizon or a significance test.
    trial_samples
        Length of a shadow or A/B trial in served samples.
    ab_fraction
        Share of traffic the challenger serves during an A/B trial.
    ab_test
        ``"fixed"``: promote if the challenger's accuracy is higher;
        ``"significance"``: only if a two-proportion z-test says so at ``ab_alpha``.
    ab_alpha
        Significance level of the A/B test.
    rollback_samples
        After a deployment, labelled samples of the new model to watch; 0 disables
        rollback.
    rollback_margin
        Roll back when the previous champion, evaluated in shadow on those samples,
        was more accurate by more than this.

    Examples
    --------
    >>> DeploymentConfig(mode="shadow", trial_samples=300).mode
    'shadow'
    >>> DeploymentConfig(mode="canary")
    Traceback (most recent call last):
    ...
    ValueError: mode must be one of ['replace', 'shadow', 'ab'], got 'canary'
    """

    mode: str = "replace"
    trial_samples: int = 500
    ab_fraction: float = 0.5
    ab_test: str = "fixed"
    ab_alpha: float = 0.05
    rollback_samples: int = 0
    rollback_margin: float = 0.02

    def __post_init__(self) -> None:
        check_choice("mode", self.mode, ("replace", "shadow", "ab"))
        check_int("trial_samples", self.trial_samples, low=1)
        check_in_range("ab_fraction", self.ab_fraction, low=0.0, high=1.0, low_inclusive=False)
        check_choice("ab_test", self.ab_test, ("fixed", "significance"))
        check_in_range("ab_alpha", self.ab_alpha, low=0.0, high=1.0, low_inclusive=False)
        check_int("rollback_samples", self.rollback_samples, low=0)
        check_in_range("rollback_margin", self.rollback_margin, low=0.0, high=1.0)


@dataclass(frozen=True)
class ApprovalConfig:
    """The simulated human approver of critical models.

    Examples
    --------
    >>> ApprovalConfig(latency=200, rejection_rate=0.1).latency
    200
    """

    latency: int = 0
    rejection_rate: float = 0.0

    def __post_init__(self) -> None:
        check_int("latency", self.latency, low=0)
        check_in_range("rejection_rate", self.rejection_rate, low=0.0, high=1.0)


@dataclass(frozen=True)
class CostModel:
    """Prices of the things a deployment does, in one currency.

    Attributes
    ----------
    error
        One wrong served prediction.
    label
        One revealed label.
    retrain_fixed
        Every retraining job (each attempt).
    retrain_per_sample
        Every sample a job trains on.

    Examples
    --------
    >>> CostModel(retrain_fixed=10.0, retrain_per_sample=0.1).retrain_cost(500)
    60.0
    """

    error: float = 1.0
    label: float = 0.0
    retrain_fixed: float = 50.0
    retrain_per_sample: float = 0.0

    def __post_init__(self) -> None:
        for name in ("error", "label", "retrain_fixed", "retrain_per_sample"):
            check_in_range(name, getattr(self, name), low=0.0)

    def retrain_cost(self, n_train: int) -> float:
        """Cost of one job training on ``n_train`` samples."""
        return float(self.retrain_fixed + self.retrain_per_sample * n_train)


def _check_label_delay(value: Any) -> int | tuple[int, int]:
    """An int >= 0, or ``(low, high)`` with ``0 <= low <= high``."""
    if isinstance(value, (tuple, list)):
        ok = len(value) == 2 and all(
            isinstance(v, Integral) and not isinstance(v, bool) for v in value
        )
        if not ok or not 0 <= int(value[0]) <= int(value[1]):
            raise ValueError(
                f"label_delay must be an int >= 0 or (low, high) with 0 <= low <= high, "
                f"got {value!r}"
            )
        return (int(value[0]), int(value[1]))
    return check_int("label_delay", value, low=0)


@dataclass(frozen=True)
class LoopConfig:
    """Every setting of a :class:`~simulator.loop.DeploymentLoop` run, validated once.

    The Hydra schema of the ``loop`` config section is generated from this class
    (:mod:`experiments.schema`), so the two cannot drift apart.

    Attributes
    ----------
    batch_size
        Samples per batch: monitors, labels and the policy advance a batch at a
        time (the champion predicts many batches in one call, see
        :mod:`simulator.loop_serving`); does not change results (on wide data, the
        last bit of some probabilities may differ, see there).
    label_delay
        Samples until a label is revealed: an int, or ``(low, high)`` for a seeded
        uniform integer delay per sample.
    label_fraction
        Share of samples whose label is ever revealed (seeded), in (0, 1].
    initial_train
        Size of the pre-drift sample the first model is trained on (drawn from the
        same dataset with no drift, before the stream starts).
    criticality
        ``"high"`` puts the simulated human approver between gate and deployment.
    alert_cooldown
        Per-monitor cooldown, in samples, of the alert router.
    seed
        Seeds the label delays and fractions, A/B traffic, job failures and approver.
    retrain, gate, deployment, approval, costs
        The sections above.

    Examples
    --------
    >>> LoopConfig(label_delay=[50, 150]).label_delay
    (50, 150)
    >>> LoopConfig(criticality="urgent")
    Traceback (most recent call last):
    ...
    ValueError: criticality must be one of ['normal', 'high'], got 'urgent'
    """

    batch_size: int = 500
    label_delay: int | tuple[int, int] = 0
    label_fraction: float = 1.0
    initial_train: int = 500
    criticality: str = "normal"
    alert_cooldown: int = 0
    seed: int = 0
    retrain: RetrainConfig = field(default_factory=RetrainConfig)
    gate: GateConfig = field(default_factory=GateConfig)
    deployment: DeploymentConfig = field(default_factory=DeploymentConfig)
    approval: ApprovalConfig = field(default_factory=ApprovalConfig)
    costs: CostModel = field(default_factory=CostModel)

    def __post_init__(self) -> None:
        check_int("batch_size", self.batch_size, low=1)
        object.__setattr__(self, "label_delay", _check_label_delay(self.label_delay))
        check_in_range(
            "label_fraction", self.label_fraction, low=0.0, high=1.0, low_inclusive=False
        )
        check_int("initial_train", self.initial_train, low=10)
        check_choice("criticality", self.criticality, ("normal", "high"))
        check_int("alert_cooldown", self.alert_cooldown, low=0)
        check_int("seed", self.seed, low=0)
        for name, cls in _SECTIONS.items():
            value = getattr(self, name)
            if value is None:
                object.__setattr__(self, name, cls())
            elif not isinstance(value, cls):
                raise ValueError(f"{name} must be a {cls.__name__}, got {value!r}")


#: The nested sections of :class:`LoopConfig` and their classes.
_SECTIONS: dict[str, type] = {
    "retrain": RetrainConfig,
    "gate": GateConfig,
    "deployment": DeploymentConfig,
    "approval": ApprovalConfig,
    "costs": CostModel,
}
