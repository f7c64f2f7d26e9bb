"""Alarm times of the data-blind baselines, and scores with the baselines beside them.

A detection score means little alone: a detector that fires every k samples can
beat a real one on recall, and one that never fires has no false alarms. So every
score comes with the never / periodic / random baselines, the last two firing at the
scored detector's own alarm rate.

The alarm times are computed here with numpy rather than by running
``detectors.baselines`` (so ``experiments.metrics`` stays light), but they are the
same: ``"periodic"`` fires on samples ``every - 1, 2 * every - 1, …`` like
``PeriodicAlarm(every)``, and ``"random"`` uses the same counter-based draws as
``RandomAlarm(rate, seed)`` (SplitMix64's output function of the seed's key plus
``t`` times the golden-ratio constant; fire when the top 53 bits fall below
``rate * 2**53``), so sample ``t`` fires or not depending only on ``seed`` and ``t``.

Examples
--------
>>> baseline_alarms("periodic", 20, every=6)
array([ 5, 11, 17])
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from driftsim.validation import check_choice, check_in_range, check_int
from experiments.metrics.detection import check_alarm_times, score_detections

__all__ = ["BASELINE_KINDS", "baseline_alarms", "score_with_baselines"]

BASELINE_KINDS: tuple[str, ...] = ("never", "periodic", "random", "always")

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_CHUNK = 1 << 20  # bounds the temporaries of the random draws to a few MB


def _random_alarms(n: int, rate: float, seed: int) -> np.ndarray:
    threshold = np.uint64(round(float(rate) * 2.0**53))
    key = np.random.SeedSequence(seed).generate_state(1, dtype=np.uint64)[0]
    parts = []
    for lo in range(0, n, _CHUNK):
        t = np.arange(lo + 1, min(n, lo + _CHUNK) + 1, dtype=np.uint64)
        # uint64 array arithmetic wraps modulo 2**64, as the hash needs
        z = key + t * _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
        z = z ^ (z >> np.uint64(31))
        parts.append(np.flatnonzero((z >> np.uint64(11)) < threshold) + lo)
    return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, dtype=np.int64)


def baseline_alarms(
    kind: str,
    n_samples: int,
    *,
    rate: float | None = None,
    every: int | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Alarm times (int64, sorted) of a data-blind baseline detector on ``n_samples``.

    Parameters
    ----------
    kind
        ``"never"`` (no alarms; ``NoDrift``), ``"periodic"`` (samples ``every - 1,
        2 * every - 1, …``; ``PeriodicAlarm``), ``"random"`` (each sample with
        probability ``rate``, independently; ``RandomAlarm``) or ``"always"`` (every
        sample).
    n_samples
        Stream length, >= 0.
    rate
        Alarm probability per sample, in [0, 1]: required for ``"random"``; for
        ``"periodic"`` an alternative to ``every`` (``every`` = the nearest integer
        to ``1 / rate``, no alarms when ``rate`` is 0).
    every
        Samples between periodic alarms, >= 1 (``"periodic"`` only).
    seed
        Seed of the random baseline, a non-negative integer.

    Examples
    --------
    >>> baseline_alarms("never", 100)
    array([], dtype=int64)
    >>> baseline_alarms("periodic", 10, rate=0.3)
    array([2, 5, 8])
    >>> baseline_alarms("random", 1000, rate=0.01, seed=1)
    array([ 11,  45,  62,  95, 207, 467, 482, 536, 717, 779, 854, 909, 963])
    >>> baseline_alarms("periodic", 10)
    Traceback (most recent call last):
    ...
    ValueError: the periodic baseline needs exactly one of every= or rate=, got neither
    """
    check_choice("kind", kind, BASELINE_KINDS)
    n = check_int("n_samples", n_samples, low=0)
    seed = check_int("seed", seed, low=0)
    if rate is not None:
        rate = float(check_in_range("rate", rate, low=0.0, high=1.0))
    if every is not None:
        every = check_int("every", every, low=1)
    if kind == "never":
        return np.empty(0, dtype=np.int64)
    if kind == "always":
        return np.arange(n, dtype=np.int64)
    if kind == "random":
        if rate is None or every is not None:
            raise ValueError(
                f"the random baseline needs rate= (and no every=), got rate={rate}, every={every}"
            )
        return _random_alarms(n, rate, seed)
    if (rate is None) == (every is None):
        given = "neither" if rate is None else "both"
        raise ValueError(f"the periodic baseline needs exactly one of every= or rate=, got {given}")
    if every is None:
        # a rate so low its period passes the end (or overflows: 1 / 5e-324) fires never
        if rate == 0.0 or 1.0 / rate >= n + 1:
            return np.empty(0, dtype=np.int64)
        every = max(1, int(np.floor(1.0 / rate + 0.5)))
    return np.arange(every - 1, n, every, dtype=np.int64)


def score_with_baselines(
    alarm_times: Any,
    events: Iterable[Any],
    n_samples: int,
    horizon: int | None = None,
    seed: int = 0,
) -> dict[str, dict[str, Any]]:
    """Score a detector and the baselines at its alarm rate, on equal terms.

    With ``k`` alarms on ``n`` samples, ``"periodic"`` fires every ``round(n / k)``
    samples (halves round up) and ``"random"`` with probability ``k / n`` per sample
    (seeded by ``seed``); ``"never"`` fires never. With no alarms the periodic and
    random baselines are silent too.

    Returns
    -------
    dict
        ``{"detector": …, "never": …, "periodic": …, "random": …}``, each the dict of
        :func:`~experiments.metrics.detection.score_detections`.

    Examples
    --------
    >>> scores = score_with_baselines([105, 310, 620], [100, 600], 1000, horizon=100)
    >>> {name: s["alarms"] for name, s in scores.items()}
    {'detector': 3, 'never': 0, 'periodic': 3, 'random': 4}
    >>> [scores[name]["recall"] for name in ("detector", "never", "periodic", "random")]
    [1.0, 0.0, 0.5, 0.5]
    """
    n = check_int("n_samples", n_samples, low=0)
    alarms = check_alarm_times(alarm_times, n)
    events = list(events)
    k = alarms.shape[0]
    if k == 0:
        periodic = random = np.empty(0, dtype=np.int64)
    else:
        periodic = baseline_alarms("periodic", n, every=max(1, (2 * n + k) // (2 * k)))
        random = baseline_alarms("random", n, rate=k / n, seed=seed)
    return {
        "detector": score_detections(alarms, events, n, horizon),
        "never": score_detections(baseline_alarms("never", n), events, n, horizon),
        "periodic": score_detections(periodic, events, n, horizon),
        "random": score_detections(random, events, n, horizon),
    }
