"""Checks of the references between a loop's objects, made before anything runs.

Each names the bad value and what is allowed: a policy that listens to a monitor the
run does not have, a window test whose window the stream cannot fill, a label delay
that reveals no label, one detector object shared by two monitors (their alerts
would change each other's state: refused, not silently cloned).

Examples
--------
>>> check_label_delay((100, 300), n_samples=5000)
>>> check_label_delay(5000, n_samples=5000)
Traceback (most recent call last):
...
ValueError: label_delay 5000 reveals no label in a stream of 5000 samples; it must be < n_samples
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "check_distinct_detectors",
    "check_label_delay",
    "check_monitor_references",
    "check_windows",
]


def check_monitor_references(policy: Any, names: Sequence[str]) -> None:
    """Every monitor name the policy refers to is one of the run's monitors.

    Examples
    --------
    >>> from simulator.policies import DriftTriggered
    >>> check_monitor_references(DriftTriggered(monitors=["ADWN"]), ["ADWIN", "KS"])
    Traceback (most recent call last):
    ...
    ValueError: DriftTriggered refers to monitor 'ADWN', ... known monitors: ['ADWIN', 'KS']
    """
    for name in policy.monitor_references():
        if name not in names:
            raise ValueError(
                f"{type(policy).__name__} refers to monitor {name!r}, which the run does not "
                f"have; known monitors: {list(names)}"
            )


def check_windows(monitors: Sequence[Any], n_samples: int, time: Any = None) -> None:
    """A window test's window fits in the stream (else it would never run a test), and
    a cadence written in time has timestamps to run on (``time``: the stream's, or
    None) and fits in the span they cover.

    Examples
    --------
    >>> from detectors.window import KS
    >>> from simulator.monitors import Monitor
    >>> check_windows([Monitor("features", KS(), window=800, name="ks")], 500)
    Traceback (most recent call last):
    ...
    ValueError: monitor 'ks' has window=800 but the stream has 500 samples; ...
    >>> check_windows([Monitor("features", KS(), every="1d", name="ks")], 500)
    Traceback (most recent call last):
    ...
    ValueError: monitor 'ks' has every='1d', a duration, but the stream has no timestamps; ...
    """
    for m in monitors:
        m.cadence.bind(time, name=m.name)
        if m.kind == "window" and isinstance(m.window, int) and m.window > n_samples:
            raise ValueError(
                f"monitor {m.name!r} has window={m.window} but the stream has {n_samples} "
                "samples; its window must be <= n_samples, or it never tests"
            )


def check_label_delay(delay: int | tuple[int, int], n_samples: int) -> None:
    """At least one label can arrive before the stream ends."""
    low = delay[0] if isinstance(delay, tuple) else delay
    if low >= n_samples:
        raise ValueError(
            f"label_delay {delay!r} reveals no label in a stream of {n_samples} samples; "
            "it must be < n_samples"
        )


def check_distinct_detectors(monitors: Sequence[Any]) -> None:
    """No detector object serves two monitors: refused, since cloning would hide that
    the caller expected one shared state.

    Examples
    --------
    >>> from detectors import ADWIN
    >>> from simulator.monitors import Monitor
    >>> shared = ADWIN()
    >>> check_distinct_detectors([Monitor("error", shared, name="a"),
    ...                           Monitor("loss", shared, name="b")])
    Traceback (most recent call last):
    ...
    ValueError: monitors 'a' and 'b' share one detector object (ADWIN(...)); give each ...
    """
    owner: dict[int, str] = {}
    for m in monitors:
        first = owner.setdefault(id(m.detector), m.name)
        if first != m.name:
            raise ValueError(
                f"monitors {first!r} and {m.name!r} share one detector object "
                f"({type(m.detector).__name__}(...)); give each its own, e.g. detector.clone()"
            )
