"""One model of the fleet: its stream, champion, monitors, gate and rollback.

A :class:`ModelLane` advances one tick at a time. Each tick it first carries out the
runner's commands (train a candidate and gate it against the champion; deploy or drop
an approved or rejected challenger), then serves the tick's samples with the champion
in one ``predict_proba`` call, reveals the labels of the tick ``label_delay`` ticks
back, feeds their error bits to its drift detector with ``update_many``, checks data
quality, and watches the first labelled tick of a new model for a rollback. It
returns a :class:`TickReport` of scalars; nothing is done per sample in Python.

A lane depends only on its :class:`~simulator.fleet.spec.FleetSpec` entry, its index
and the commands it receives, so it gives the same reports in any process. It
pickles without its stream (rebuilt, once per process, from the spec), which is what
lets worker processes step lanes they did not build.

Examples
--------
>>> from simulator.fleet.spec import FleetSpec, ModelSpec
>>> from simulator.drift import Drift
>>> spec = FleetSpec((ModelSpec("m", "iris", label_delay=0,
...                             drifts=(Drift("concept", 3000, classes=(0, 2)),)),),
...                  n_samples=6000, tick_size=1000)
>>> lane = ModelLane(spec, 0)
>>> [round(lane.step(t).true_accuracy, 2) for t in range(4)]
[0.98, 0.97, 0.98, 0.34]
>>> report = lane.step(4, [Command("train", job=0, data_end=4000)])
>>> report.gate, report.deployed, round(report.true_accuracy, 2)
('pass', True, 0.97)
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

from detectors import DDM
from driftsim.validation import check_choice
from simulator.datasets import load_dataset
from simulator.loop_config import GateConfig
from simulator.stream import DriftStream, _default_model

__all__ = ["Command", "ModelLane", "TickReport"]

_STREAMS: OrderedDict[tuple, DriftStream] = OrderedDict()
_MAX_STREAMS = 4096
_CONTROLLER: list[Any] = []


def single_threaded() -> Any:
    """A context limiting BLAS/OpenMP pools to one thread. The libraries are found
    once per process: ``threadpool_limits()`` scans them on every call (~10 ms)."""
    if not _CONTROLLER:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1)


def _stream(key: tuple) -> DriftStream:
    """The stream a lane's key describes, built once per process (its harm fits are
    the slow part)."""
    stream = _STREAMS.get(key)
    if stream is None:
        dataset, drifts, n_samples, seed, jitter = key
        stream = DriftStream(load_dataset(dataset), drifts, n_samples=n_samples, seed=seed,
                             jitter=jitter, harm_samples=500)
        _STREAMS[key] = stream
        if len(_STREAMS) > _MAX_STREAMS:
            _STREAMS.popitem(last=False)
    return stream


class _Linear:
    """The predictions of a fitted ``StandardScaler`` + ``LogisticRegression`` pipeline
    as one matrix product: scikit-learn's per-call input validation costs ~20x the
    arithmetic on a 1,000-sample tick, and a fleet makes ~100,000 such calls.

    Only labels are needed (the argmax of the decision function equals the argmax of
    the probabilities), so no softmax is taken.
    """

    def __init__(self, pipeline: Any) -> None:
        scaler, lr = pipeline[0], pipeline[-1]
        coef = np.asarray(lr.coef_, dtype=np.float64)
        self.weights = (coef / scaler.scale_).T
        self.bias = np.asarray(lr.intercept_, dtype=np.float64) - (
            scaler.mean_ / scaler.scale_) @ coef.T
        self.classes = np.asarray(lr.classes_, dtype=np.int64)

    def predict(self, X: np.ndarray) -> np.ndarray:
        dec = X @ self.weights + self.bias
        if dec.shape[1] == 1:
            return self.classes[(dec[:, 0] > 0).astype(np.intp)]
        return self.classes[dec.argmax(axis=1)]


@dataclass(frozen=True)
class Command:
    """What the runner asks of a lane at the start of a tick.

    ``kind`` is ``"train"`` (fit a candidate on the labelled window ending at sample
    ``data_end`` and gate it; deploy it at once unless ``review``), ``"deploy"`` (the
    held challenger was approved) or ``"drop"`` (it was rejected).

    Examples
    --------
    >>> Command("retire", job=0)
    Traceback (most recent call last):
    ...
    ValueError: kind must be one of ['train', 'deploy', 'drop'], got 'retire'
    """

    kind: str
    job: int
    data_end: int = 0
    review: bool = False

    def __post_init__(self) -> None:
        check_choice("kind", self.kind, ["train", "deploy", "drop"])


@dataclass(frozen=True)
class TickReport:
    """What a lane saw in one tick (every field a scalar).

    Attributes
    ----------
    true_accuracy
        Accuracy of the served predictions of this tick (ground truth, unseen).
    measured_accuracy
        Accuracy on the labels revealed this tick (nan when none).
    alarm
        The error detector fired on the revealed labels.
    data_quality
        Worst feature's share of out-of-range or repeated values in this tick.
    gate
        ``"pass"``, ``"fail"`` or ``"skip"`` (too few labels) for a train command,
        else ``""``.
    deployed, rolled_back
        A new champion started serving this tick; the champion was rolled back at the
        end of this tick (the previous model serves from the next tick).
    version
        Version serving this tick.
    reference_accuracy
        The serving champion's holdout accuracy when it was validated.

    Examples
    --------
    >>> TickReport(0.9, float("nan"), False, 0.0, "", False, False, 0, 0.95).version
    0
    """

    true_accuracy: float
    measured_accuracy: float
    alarm: bool
    data_quality: float
    gate: str
    deployed: bool
    rolled_back: bool
    version: int
    reference_accuracy: float


class ModelLane:
    """Model ``index`` of ``spec`` living through its stream, a tick at a time.

    Parameters
    ----------
    spec
        The :class:`~simulator.fleet.spec.FleetSpec`.
    index
        The model's position in ``spec.models``.
    detector
        A streaming detector (cloned) fed the error bits of revealed labels; default
        :class:`~detectors.DDM`.
    window
        Labelled samples a retraining job trains on (the most recent ones).
    initial_train
        Samples the first model is fitted on (the stream's first, drift-free ones).
    gate
        The champion–challenger gate (:class:`~simulator.loop_config.GateConfig`).
    rollback_margin
        Roll back when, on the first labelled tick of a new model, the previous
        champion would have been more accurate by more than this.

    Examples
    --------
    >>> from simulator.fleet.spec import FleetSpec, ModelSpec
    >>> lane = ModelLane(FleetSpec((ModelSpec("m", "wine"),), n_samples=3000), 0)
    >>> lane.sla > 0.8, lane.version
    (True, 0)
    """

    def __init__(self, spec: Any, index: int, *, detector: Any = None, window: int = 1000,
                 initial_train: int = 1000, gate: GateConfig | None = None,
                 rollback_margin: float = 0.02) -> None:
        self.index = index
        self.model_spec = spec.models[index]
        self.n_samples, self.tick_size = spec.n_samples, spec.tick_size
        # Everything the stream depends on, and nothing more: a lane travels between
        # processes every tick, so it must not carry the whole fleet.
        self._key = (self.model_spec.dataset, spec.drifts_of(index), spec.n_samples,
                     spec.model_seed(index), spec.jitter)
        self.window = window
        self.gate_config = gate if gate is not None else GateConfig()
        self.rollback_margin = rollback_margin
        self.detector = (detector if detector is not None else DDM()).clone()
        stream = self.stream
        X, y, _ = stream.take(initial_train)
        self.n_classes = stream.n_classes
        lo, hi = np.quantile(X, [0.0, 1.0], axis=0)
        span = np.maximum(hi - lo, 1e-12)
        self._range = (lo - 0.5 * span, hi + 0.5 * span)  # a data-quality envelope
        self.champion, self.reference_accuracy = self._fit_and_score(X, y)
        self.sla = self.reference_accuracy - self.model_spec.sla_tolerance
        self.version = 0
        self.previous: tuple[Any, float] | None = None
        self.challenger: tuple[int, Any, float] | None = None
        self._pending: dict[int, tuple[np.ndarray, int]] = {}
        self._watch: int | None = None  # first tick served by a new version

    def summary(self) -> dict[str, Any]:
        """The lane's fixed facts: its SLA, first validated accuracy, and its stream's
        change points as ``(onset tick, kind, harmful, is_return)``."""
        return {
            "sla": self.sla,
            "reference_accuracy": self.reference_accuracy,
            "events": [(e.onset // self.tick_size, e.kind, e.harmful, e.is_return)
                       for e in self.stream.events],
        }

    # --- the stream is not pickled: each process rebuilds it from the key --------
    @property
    def stream(self) -> DriftStream:
        return _stream(self._key)

    # --- training and the gate ------------------------------------------------------
    def _fit_and_score(self, X: np.ndarray, y: np.ndarray) -> tuple[Any, float]:
        """Fit on all but the last holdout share; score that holdout."""
        n_hold = max(1, round(len(y) * self.gate_config.holdout))
        model = self._fit(X[:-n_hold], y[:-n_hold])
        return model, self._accuracy(model, X[-n_hold:], y[-n_hold:])

    def _fit(self, X: np.ndarray, y: np.ndarray) -> Any:
        # Small fits: BLAS threads only contend on a busy machine.
        with single_threaded():
            return _Linear(_default_model(X.shape[1], self.n_classes).fit(X, y))

    def _accuracy(self, model: Any, X: np.ndarray, y: np.ndarray) -> float:
        return float(np.mean(model.predict(X) == y))

    def _train(self, t: int, cmd: Command) -> tuple[str, bool]:
        """Fit a candidate on the window ending at ``cmd.data_end`` and gate it."""
        end = min(cmd.data_end, self.n_samples)
        start = max(0, end - self.window)
        if end - start < 100:
            return "skip", False
        X, y, _ = self.stream.take(end - start, start)
        if np.unique(y).size < 2:
            return "skip", False
        candidate, score = self._fit_and_score(X, y)
        n_hold = max(1, round(len(y) * self.gate_config.holdout))
        champion_score = self._accuracy(self.champion, X[-n_hold:], y[-n_hold:])
        if score <= champion_score + self.gate_config.margin:
            return "fail", False
        self.challenger = (cmd.job, candidate, score)
        if cmd.review:
            return "pass", False
        return "pass", self._deploy(t, cmd.job)

    def _deploy(self, t: int, job: int) -> bool:
        if self.challenger is None or self.challenger[0] != job:
            return False
        _, model, score = self.challenger
        self.previous = (self.champion, self.reference_accuracy)
        self.champion, self.reference_accuracy = model, score
        self.challenger = None
        self.version += 1
        self._watch = t
        self.detector.reset()
        return True

    def _apply(self, t: int, commands: list[Command]) -> tuple[str, bool]:
        gate, deployed = "", False
        for cmd in commands:
            if cmd.kind == "train":
                gate, done = self._train(t, cmd)
                deployed |= done
            elif cmd.kind == "deploy":
                deployed |= self._deploy(t, cmd.job)
            elif self.challenger is not None and self.challenger[0] == cmd.job:
                self.challenger = None
        return gate, deployed

    # --- one tick -------------------------------------------------------------------
    def _data_quality(self, X: np.ndarray) -> float:
        lo, hi = self._range
        outside = np.mean((X < lo) | (X > hi) | ~np.isfinite(X), axis=0)
        repeats = np.mean(X[1:] == X[:-1], axis=0) if len(X) > 1 else 0.0
        return float(np.max(np.maximum(outside, repeats)))

    def _rollback_due(self, k: int, correct: np.ndarray) -> bool:
        """On the first labelled tick of a new model: was the previous one better?"""
        if self._watch is None or k < self._watch or self.previous is None:
            return False
        self._watch = None
        size = self.tick_size
        X, y, _ = self.stream.take(len(correct), k * size)
        old = self._accuracy(self.previous[0], X, y)
        return old - float(np.mean(correct)) > self.rollback_margin

    def _reveal(self, t: int) -> tuple[float, bool, bool]:
        k = t - self.model_spec.label_delay
        if k not in self._pending:
            return float("nan"), False, False
        correct, version = self._pending.pop(k)
        alarm = bool(len(self.detector.update_many((~correct).astype(np.float64))))
        rolled = version == self.version and self._rollback_due(k, correct)
        if rolled:
            self.champion, self.reference_accuracy = self.previous
            self.previous = None
            self.version += 1
            self.detector.reset()
        return float(np.mean(correct)), alarm, rolled

    def step(self, t: int, commands: list[Command] | tuple[Command, ...] = ()) -> TickReport:
        """Carry out ``commands``, serve tick ``t``, reveal due labels, and report.

        Examples
        --------
        >>> from simulator.fleet.spec import FleetSpec, ModelSpec
        >>> lane = ModelLane(FleetSpec((ModelSpec("m", label_delay=1),), n_samples=3000), 0)
        >>> [bool(np.isnan(lane.step(t).measured_accuracy)) for t in range(3)]
        [True, False, False]
        """
        gate, deployed = self._apply(t, list(commands))
        size = self.tick_size
        start = t * size
        X, y, _ = self.stream.take(min(size, self.n_samples - start), start)
        correct = self.champion.predict(X) == y
        self._pending[t] = (correct, self.version)
        served_version, served_ref = self.version, self.reference_accuracy
        measured, alarm, rolled = self._reveal(t)
        return TickReport(
            true_accuracy=float(np.mean(correct)), measured_accuracy=measured, alarm=alarm,
            data_quality=self._data_quality(X), gate=gate, deployed=deployed,
            rolled_back=rolled, version=served_version, reference_accuracy=served_ref,
        )
