"""Argument checks shared by every driftsim package.

Each check raises a ``ValueError`` that names the bad value and says what is allowed,
so a typo in a config fails loudly instead of producing a silent wrong result.

Examples
--------
>>> check_choice("mode", "both", ("up", "down", "both"))
'both'
>>> check_in_range("delta", -1.0, low=0.0)
Traceback (most recent call last):
...
ValueError: delta must be >= 0.0, got -1.0
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = [
    "check_choice",
    "check_finite_array",
    "check_in_range",
    "check_int",
]


def check_choice(name: str, value: Any, allowed: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``allowed``, else raise ``ValueError``.

    Examples
    --------
    >>> check_choice("kind", "x", ["a", "b"])
    Traceback (most recent call last):
    ...
    ValueError: kind must be one of ['a', 'b'], got 'x'
    """
    allowed = list(allowed)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value


def check_in_range(
    name: str,
    value: float,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """Return ``value`` if it is a finite number within the bounds, else raise ``ValueError``.

    Examples
    --------
    >>> check_in_range("severity", 0.5, low=0.0, high=1.0)
    0.5
    >>> check_in_range("alpha", 1.0, low=0.0, high=1.0, high_inclusive=False)
    Traceback (most recent call last):
    ...
    ValueError: alpha must be < 1.0, got 1.0
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if math.isnan(value):
        raise ValueError(f"{name} must be a number, got nan")
    if low is not None:
        if low_inclusive and value < low:
            raise ValueError(f"{name} must be >= {low}, got {value!r}")
        if not low_inclusive and value <= low:
            raise ValueError(f"{name} must be > {low}, got {value!r}")
    if high is not None:
        if high_inclusive and value > high:
            raise ValueError(f"{name} must be <= {high}, got {value!r}")
        if not high_inclusive and value >= high:
            raise ValueError(f"{name} must be < {high}, got {value!r}")
    return value


def check_int(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as ``int`` if it is an integer within the bounds, else raise.

    Examples
    --------
    >>> check_int("min_instances", 30, low=1)
    30
    >>> check_int("min_instances", 2.5, low=1)
    Traceback (most recent call last):
    ...
    ValueError: min_instances must be an integer, got 2.5
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    check_in_range(name, int(value), low=low, high=high)
    return int(value)


def check_finite_array(name: str, values: Any, *, ndim: int | None = None) -> np.ndarray:
    """Return ``values`` as a float64 array, raising ``ValueError`` on NaN or inf.

    The error names the first bad position, so the caller can find it in their data.

    Examples
    --------
    >>> check_finite_array("xs", [0.0, 1.0])
    array([0., 1.])
    >>> check_finite_array("xs", [0.0, float("nan")])
    Traceback (most recent call last):
    ...
    ValueError: xs contains a non-finite value (nan) at position 1; all values must be finite
    """
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        # numpy's "could not convert string to float" names neither the argument nor
        # what it takes
        shown = repr(values) if len(repr(values)) <= 60 else repr(values)[:57] + "..."
        raise ValueError(
            f"{name} must be numbers (a numeric array); got {shown}: {exc}"
        ) from exc
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-d array, got shape {arr.shape}")
    finite = np.isfinite(arr)
    if not finite.all():
        pos = np.argwhere(~finite)[0]
        where = int(pos[0]) if arr.ndim == 1 else tuple(int(p) for p in pos)
        bad = arr[tuple(pos)] if arr.ndim else arr
        raise ValueError(
            f"{name} contains a non-finite value ({bad}) at position {where}; "
            "all values must be finite"
        )
    return arr
