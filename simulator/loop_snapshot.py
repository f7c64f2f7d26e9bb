"""Snapshots of the loop's monitors and policy, taken before every segment.

The loop restores monitors and policy to their state at a segment's start when the
policy acts mid-segment (see :mod:`simulator.loop`), so it deep-copies them before
every segment. A plain :func:`copy.deepcopy` of a detector that keeps a compiled
numba kernel as an attribute pickles the kernel with cloudpickle (about 1 ms each
time, most of a run's cost at the default batch size). A kernel holds no state of
the run, so a snapshot shares it instead of copying it.

Examples
--------
>>> from detectors import ADWIN
>>> from simulator.monitors import Monitor
>>> monitors = [Monitor("error", ADWIN())]
>>> snap = Snapshots(monitors)
>>> copied = snap.take(monitors)
>>> copied[0] is monitors[0], copied[0].detector is monitors[0].detector
(False, False)
"""

from __future__ import annotations

import copy
import sys
from typing import Any, TypeVar

__all__ = ["Snapshots"]

T = TypeVar("T")

#: How deep the search for kernels goes (monitor → detector → attribute is 3).
_DEPTH = 6


def _kernel_types() -> tuple[type, ...]:
    """numba's dispatcher type, if numba is loaded (nothing can hold one otherwise)."""
    if "numba" not in sys.modules:
        return ()
    from numba.core.dispatcher import Dispatcher

    return (Dispatcher,)


def _find_kernels(obj: Any, kinds: tuple[type, ...], found: dict[int, Any],
                  seen: set[int], depth: int) -> None:
    """Collect the kernels reachable from ``obj`` through attributes and containers."""
    if depth > _DEPTH or id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, kinds):
        found[id(obj)] = obj
        return
    if isinstance(obj, dict):
        children: Any = obj.values()
    elif isinstance(obj, (list, tuple, set, frozenset)):
        children = obj
    else:
        children = getattr(obj, "__dict__", {}).values()
    for child in children:
        _find_kernels(child, kinds, found, seen, depth + 1)


class Snapshots:
    """Deep copies of ``roots`` (and what they hold later) that share their kernels.

    Parameters
    ----------
    roots
        The objects whose snapshots will be taken; their compiled kernels are found
        once, here. A kernel created later is copied the slow way, still correctly.
    """

    def __init__(self, *roots: Any) -> None:
        found: dict[int, Any] = {}
        kinds = _kernel_types()
        if kinds:
            _find_kernels(roots, kinds, found, set(), 0)
        self._shared = found

    def take(self, obj: T) -> T:
        """A deep copy of ``obj`` in which every known kernel is the same object."""
        # deepcopy's memo maps id -> copy; seeding it with id -> itself shares the object
        return copy.deepcopy(obj, dict(self._shared))
