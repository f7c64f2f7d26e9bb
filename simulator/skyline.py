"""The skyline: the best accuracy any model of the served class could have, per sample.

At every sample, the expected accuracy of a model of the served class trained on
ample i.i.d. data from the distribution in force at that sample (for a gradual drift,
the mixture in force), with no label delay and no retraining latency. No policy can
do better than that beyond sampling noise, so it is the reference that "accuracy lost"
and "time to recover" are measured against. (The *oracle policy* is something else: it
retrains at the true onsets with the same data budget as the others — the best
timing, not a bound.)

The stream is cut into :meth:`~simulator.stream.DriftStream.segments` (runs of samples
whose drift intensities, rounded to ``resolution``, agree); per distinct state one
model is trained on ``n_train`` samples of that state and scored on ``n_test`` fresh
ones (:meth:`~simulator.stream.DriftStream.sample_state`), with prediction drift
applied to its outputs as the loop applies it to the served model's.

A replayed log (:attr:`~simulator.stream.DriftStream.replay`) has no generator to draw
fresh samples from, and its distribution may change on its own: there the skyline at
sample ``t`` is the cross-fitted accuracy of the model class on the ``neighbourhood``
log rows centred on ``t`` (with the injected drifts at their state): trained on every
other row, tested on the rest, and the other way round. It is computed per block of
``neighbourhood // 4`` samples (cut where an injected drift's state changes).

Examples
--------
>>> from simulator.datasets import load_dataset
>>> from simulator.drift import Drift
>>> from simulator.stream import DriftStream
>>> stream = DriftStream(load_dataset("iris"), [Drift("concept", 1000)], n_samples=2000)
>>> sky = skyline(stream)
>>> sky.shape, bool(sky.min() > 0.9)
((2000,), True)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from driftsim.validation import check_int
from simulator.models import default_model, full_proba
from simulator.stream import DriftStream, apply_prediction_drift

__all__ = ["skyline", "state_accuracy"]


def _fresh(model: Any) -> Any:
    """An unfitted copy of ``model`` (scikit-learn ``clone``, or the model's own)."""
    if hasattr(model, "get_params"):
        from sklearn.base import clone

        return clone(model)
    return model.clone() if hasattr(model, "clone") else model


def state_accuracy(
    stream: DriftStream, state: np.ndarray, model: Any = None, *, n_train: int = 4000,
    n_test: int = 4000, seed: int = 0, at: int = 0,
) -> float:
    """Expected accuracy of ``model`` (default: the served default) trained on
    ``n_train`` samples of the distribution ``state`` and tested on ``n_test`` others.

    Examples
    --------
    >>> from simulator.datasets import load_dataset
    >>> from simulator.drift import Drift
    >>> stream = DriftStream(load_dataset("iris"), [Drift("concept", 100)], n_samples=200)
    >>> 0.9 < state_accuracy(stream, np.array([1.0])) <= 1.0
    True
    """
    model = default_model() if model is None else model
    X, y, _, _ = stream.sample_state(state, n_train, seed=2 * seed, at=at)
    X_test, y_test, truth, noise = stream.sample_state(state, n_test, seed=2 * seed + 1, at=at)
    if np.unique(y).size < 2:  # one class seen: the only sensible model predicts it
        proba = np.zeros((len(y_test), stream.n_classes))
        proba[:, int(y[0])] = 1.0
    else:
        proba = full_proba(_fresh(model).fit(X, y), X_test, stream.n_classes)
    if any(d.kind == "prediction" for d in stream.drifts):
        proba = apply_prediction_drift(proba, truth, stream.drifts, noise)
    return float(np.mean(proba.argmax(axis=1) == y_test))


def skyline(
    stream: DriftStream, model: Any = None, *, n_train: int = 4000, n_test: int = 4000,
    resolution: float = 0.05, seed: int = 0, stop: int | None = None,
    neighbourhood: int = 1000,
) -> np.ndarray:
    """The skyline accuracy at every sample of ``stream`` (module docstring).

    Parameters
    ----------
    stream
        The stream (bounded, or give ``stop``).
    model
        An unfitted model of the served class (default: the served default model).
    n_train, n_test
        Samples per state to train and to test on ("ample": the skyline's own noise is
        about ``sqrt(a (1 - a) / n_test)``).
    resolution
        How finely drift intensities are told apart (states per ramp ≈ 1/resolution).
    seed
        Seed of the training and test draws.
    stop
        Length (default: the stream's).
    neighbourhood
        A replayed log: the rows around each sample the skyline is cross-fitted on
        (module docstring); other streams ignore it.

    Returns
    -------
    numpy.ndarray
        One expected accuracy per sample.
    """
    n_train = check_int("n_train", n_train, low=10)
    n_test = check_int("n_test", n_test, low=10)
    out = np.empty(stream.n_samples if stop is None else stop)
    done: dict[tuple[float, ...], float] = {}
    if stream.replay:
        neighbourhood = check_int("neighbourhood", neighbourhood, low=20)
    # Small fits: BLAS threads only contend (about 10x slower on two busy cores).
    with threadpool_limits(limits=1):
        for start, end, state in stream.segments(resolution, stop=stop):
            if stream.replay:
                _fill_replay(out, stream, model, start, end, state,
                             neighbourhood=neighbourhood, seed=seed)
            else:
                _fill(out, done, stream, model, start, end, state,
                      n_train=n_train, n_test=n_test, seed=seed)
    return out


def _fill_replay(out: np.ndarray, stream: DriftStream, model: Any, start: int, end: int,
                 state: np.ndarray, *, neighbourhood: int, seed: int) -> None:
    """Write the skyline of a replay's segment, block by block (module docstring)."""
    rows = min(neighbourhood, stream.dataset.n_samples)
    block = max(neighbourhood // 4, 1)
    for a in range(start, end, block):
        b = min(a + block, end)
        lo = min(max((a + b) // 2 - rows // 2, 0), stream.dataset.n_samples - rows)
        X, y, truth, noise = stream.replay_rows(state, lo, lo + rows, seed=seed)
        out[a:b] = np.mean([_cross_fit(stream, model, X, y, truth, noise, half)
                            for half in (0, 1)])


def _cross_fit(stream: DriftStream, model: Any, X: np.ndarray, y: np.ndarray,
               truth: np.ndarray, noise: np.ndarray, half: int) -> float:
    """Accuracy on the rows of one parity of a model fit on the other's: both halves
    span the whole neighbourhood, so neither is older than the other."""
    train, test = slice(1 - half, None, 2), slice(half, None, 2)
    model = default_model() if model is None else model
    if np.unique(y[train]).size < 2:  # one class seen: the only sensible model predicts it
        proba = np.zeros((y[test].size, stream.n_classes))
        proba[:, int(y[train][0])] = 1.0
    else:
        proba = full_proba(_fresh(model).fit(X[train], y[train]), X[test], stream.n_classes)
    if any(d.kind == "prediction" for d in stream.drifts):
        proba = apply_prediction_drift(proba, truth[test], stream.drifts, noise[test])
    return float(np.mean(proba.argmax(axis=1) == y[test]))


def _fill(out: np.ndarray, done: dict[tuple[float, ...], float], stream: DriftStream,
          model: Any, start: int, end: int, state: np.ndarray, **how: int) -> None:
    """Write the skyline of one segment into ``out``, reusing a state already scored."""
    key = tuple(np.round(state, 6).tolist())
    if key not in done or stream.dataset.generator is not None:
        # a moving generator concept is read at the segment's middle
        done[key] = state_accuracy(stream, state, model, at=(start + end) // 2, **how)
    out[start:end] = done[key]
