"""Prediction drift: what the served model outputs changes while the data does not.

The stream only records a prediction drift (its ``truth`` column and the per-sample
uniforms in ``Batch.noise``); the deployment loop calls
:func:`apply_prediction_drift` on the served probabilities. Because the uniforms come
from the stream, which is itself independent of the batch size, so is the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from driftsim.validation import check_finite_array
from simulator.drift import Drift

__all__ = ["apply_prediction_drift"]


def _check_inputs(
    proba: Any, truth: Any, drifts: Sequence[Drift], noise: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    P = check_finite_array("proba", proba, ndim=2)
    T = check_finite_array("truth", truth, ndim=2)
    if (P < 0).any():
        raise ValueError("proba must hold probabilities >= 0")
    if P.shape[0] and (P.sum(axis=1) <= 0).any():
        raise ValueError("proba must have rows with a positive sum")
    if T.shape != (P.shape[0], len(drifts)):
        raise ValueError(
            f"truth must have shape (n_samples, n_drifts) = {(P.shape[0], len(drifts))}, "
            f"got {T.shape}"
        )
    if T.size and (T.min() < 0 or T.max() > 1):
        raise ValueError("truth must hold intensities in [0, 1]")
    U = None
    if noise is not None:
        U = check_finite_array("noise", noise, ndim=2)
        if U.shape != T.shape:
            raise ValueError(f"noise must have the shape of truth {T.shape}, got {U.shape}")
    return P, T, U


def apply_prediction_drift(
    proba: Any, truth: Any, drifts: Sequence[Drift], noise: Any = None
) -> np.ndarray:
    """Apply the prediction drifts among ``drifts`` to served class probabilities.

    Each prediction drift ``j`` acts on every sample with intensity ``r = truth[:, j]``
    (0/1 for abrupt, gradual and recurring drifts, the ramp for incremental ones),
    in list order; the other kinds of drift are ignored:

    * ``bias``: a share ``severity × r`` of each row's probability mass moves to class
      ``toward``.
    * ``flip``: a sample is flipped when ``noise[:, j] < severity × r``; its
      prediction becomes a one-hot vector on a class other than its arg-max, chosen
      uniformly from the same uniform.
    * ``calibration``: probabilities are raised to the power ``1 + severity × r`` and
      renormalised (below 1 flattens, 0 gives the uniform; above 1 sharpens); the
      arg-max is kept.

    Parameters
    ----------
    proba
        Served probabilities, n × n_classes.
    truth
        The stream's per-sample intensities, n × len(drifts).
    drifts
        The stream's drifts, one per truth column.
    noise
        The stream's per-sample uniforms (``Batch.noise``), n × len(drifts); needed by
        ``flip``.

    Returns
    -------
    numpy.ndarray
        The drifted probabilities (a new array; rows sum to 1 where the input's did).

    Examples
    --------
    >>> from simulator.drift import Drift
    >>> p = np.array([[0.8, 0.2], [0.3, 0.7]])
    >>> bias = Drift(kind="prediction", start=0, transform="bias", severity=0.5, toward=1)
    >>> apply_prediction_drift(p, np.array([[1.0], [0.0]]), [bias])
    array([[0.4, 0.6],
           [0.3, 0.7]])
    >>> flip = Drift(kind="prediction", start=0, transform="flip", severity=0.5)
    >>> apply_prediction_drift(p, np.ones((2, 1)), [flip], noise=np.array([[0.1], [0.9]]))
    array([[0. , 1. ],
           [0.3, 0.7]])
    """
    P, T, U = _check_inputs(proba, truth, drifts, noise)
    out = P.copy()
    k = P.shape[1]
    for j, drift in enumerate(drifts):
        if drift.kind != "prediction":
            continue
        strength = drift.severity * T[:, j]
        if not strength.any():
            continue
        if drift.transform == "bias":
            toward = drift.options["toward"]
            if toward >= k:
                raise ValueError(
                    f"toward: drift {j} biases toward class {toward}; allowed: 0..{k - 1}"
                )
            mass = strength * out.sum(axis=1)
            out *= (1.0 - strength)[:, None]
            out[:, toward] += mass
        elif drift.transform == "flip":
            if U is None:
                raise ValueError(f"noise is required for the flip drift {j}; pass Batch.noise")
            hit = np.flatnonzero(U[:, j] < strength)
            if hit.size and k > 1:
                # Given a flip, U / strength is again uniform on [0, 1): it picks the class.
                step = np.minimum((U[hit, j] / strength[hit] * (k - 1)).astype(np.int64), k - 2)
                new = (out[hit].argmax(axis=1) + 1 + step) % k
                out[hit] = 0.0
                out[hit, new] = 1.0
        else:
            powered = out ** (1.0 + strength)[:, None]
            out = powered / powered.sum(axis=1, keepdims=True)
    return out
