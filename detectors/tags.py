"""What a detector *is*, declared on its class (as river's ``_unit_test_params`` and
scikit-learn's tags do), and read by aggregation, calibration, sweeps and the tests.

Every public detector class declares, as class attributes:

``sensitivity``
    A :class:`Sensitivity`: the parameter that sets how readily it alarms, which way
    it moves the alarm rate, the default grid a threshold sweep walks, and any
    parameter that must stay consistent with it (a warning level). ``None`` for a
    method with no such parameter (:class:`~detectors.NoDrift`, a river wrapper).
``calibration``
    A :class:`CalibrationSpec` (search bounds for :func:`detectors.calibrate`) or
    ``None`` when the method is not calibrated to a false-alarm rate.
``is_baseline``
    Whether the method ignores the data (never, periodic, random alarms).
``signal``
    The monitor signal the method is meant to watch: ``"error"`` (0/1 errors),
    ``"correct"`` (0/1 correctness), ``"features"`` (window tests) or ``None`` (any
    scalar stream).

and may override two hooks the base classes give defaults for:

``test_params()``
    A classmethod returning constructor arguments for the conformance suite and the
    golden tests (default ``{}``: every parameter has a default).
``expected_failures``
    ``{check name: reason}`` for conformance checks the method fails by design; they
    run as strict xfails.

``tests/test_tags.py`` fails when a public detector lacks any of it.

Examples
--------
>>> from detectors import DDM
>>> DDM.sensitivity.param, DDM.sensitivity.direction
('drift_threshold', 'decreasing')
>>> DDM.sensitivity.params_at({"warning_threshold": 2.0, "drift_threshold": 3.0}, 1.5)
{'warning_threshold': 1.5, 'drift_threshold': 1.5}
>>> sensitivity_of(DDM()) is DDM.sensitivity, is_baseline(DDM)
(True, False)
"""

from __future__ import annotations

import copy
import inspect
import itertools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar, Literal

import numpy as np

__all__ = [
    "TAGS",
    "CalibrationSpec",
    "Coupled",
    "Sensitivity",
    "TagDefaults",
    "is_baseline",
    "log_grid",
    "missing_tags",
    "public_detectors",
    "sensitivity_of",
    "test_instance",
]

#: The class attributes every public detector declares itself (no base class does).
TAGS = ("sensitivity", "calibration", "is_baseline", "signal")

Direction = Literal["increasing", "decreasing"]


def log_grid(low: float, high: float, n: int = 20) -> tuple[float, ...]:
    """``n`` values from ``low`` to ``high``, evenly spaced on a log scale, each
    rounded to 3 significant digits (so they read well in tables and legends).

    Examples
    --------
    >>> log_grid(0.001, 0.1, 3)
    (0.001, 0.01, 0.1)
    """
    values = np.geomspace(low, high, n)
    return tuple(float(f"{v:.3g}") for v in values)


@dataclass(frozen=True)
class Coupled:
    """A parameter kept consistent with the sensitivity parameter when that moves.

    ``rule="at_least"`` keeps ``param >= value`` (EDDM's warning ``alpha`` above its
    drift ``beta``); ``"at_most"`` keeps ``param <= value`` (DDM's warning threshold
    below its drift threshold).

    Examples
    --------
    >>> Coupled("alpha", "at_least").apply({"alpha": 0.95}, 0.99)
    {'alpha': 0.99}
    """

    param: str
    rule: Literal["at_least", "at_most"]

    def __post_init__(self) -> None:
        if self.rule not in ("at_least", "at_most"):
            raise ValueError(f"rule must be 'at_least' or 'at_most', got {self.rule!r}")

    def apply(self, params: dict[str, Any], value: float) -> dict[str, Any]:
        """``params`` with this parameter moved just enough to respect the rule."""
        current = params.get(self.param)
        if current is None:
            return params
        pick = max if self.rule == "at_least" else min
        return {**params, self.param: pick(current, value)}


@dataclass(frozen=True)
class Sensitivity:
    """The parameter that sets how readily a detector alarms.

    Parameters
    ----------
    param
        The constructor argument.
    direction
        ``"increasing"`` when a larger value raises more alarms (a significance
        level such as ADWIN's ``delta``), ``"decreasing"`` when it raises fewer (a
        threshold such as Page-Hinkley's).
    grid
        The values a threshold sweep walks by default, ascending.
    coupled
        Parameters to keep consistent with ``param`` (see :class:`Coupled`).

    Examples
    --------
    >>> s = Sensitivity("threshold", "decreasing", (10.0, 50.0, 100.0))
    >>> s.most_sensitive, s.least_sensitive
    (10.0, 100.0)
    >>> Sensitivity("threshold", "down", (1.0,))
    Traceback (most recent call last):
    ...
    ValueError: direction must be 'increasing' or 'decreasing', got 'down'
    """

    param: str
    direction: Direction
    grid: tuple[float, ...]
    coupled: tuple[Coupled, ...] = ()

    def __post_init__(self) -> None:
        if self.direction not in ("increasing", "decreasing"):
            raise ValueError(
                f"direction must be 'increasing' or 'decreasing', got {self.direction!r}"
            )
        grid = tuple(self.grid)
        if not grid or any(not math.isfinite(v) for v in grid):
            raise ValueError(f"grid must be non-empty and finite, got {grid!r}")
        if any(b <= a for a, b in itertools.pairwise(grid)):
            raise ValueError(f"grid must be strictly ascending, got {grid!r}")
        object.__setattr__(self, "grid", grid)
        object.__setattr__(self, "coupled", tuple(self.coupled))

    @property
    def most_sensitive(self) -> float:
        """The grid value that raises the most alarms."""
        return self.grid[-1] if self.direction == "increasing" else self.grid[0]

    @property
    def least_sensitive(self) -> float:
        """The grid value that raises the fewest alarms."""
        return self.grid[0] if self.direction == "increasing" else self.grid[-1]

    def params_at(self, params: Mapping[str, Any], value: Any) -> dict[str, Any]:
        """``params`` with the sensitivity parameter set to ``value`` and the coupled
        parameters kept consistent with it."""
        out = {**params, self.param: value}
        for coupled in self.coupled:
            out = coupled.apply(out, value)
        return out


@dataclass(frozen=True)
class CalibrationSpec:
    """How :func:`detectors.calibrate` searches a detector's sensitivity parameter.

    Parameters
    ----------
    bounds
        The search interval ``(low, high)``; every value in it must be accepted.
    log_scale
        Bisect on a log scale (for parameters spanning orders of magnitude).

    Examples
    --------
    >>> CalibrationSpec((1e-12, 0.99)).log_scale
    True
    >>> CalibrationSpec((5.0, 1.0))
    Traceback (most recent call last):
    ...
    ValueError: bounds must be (low, high) with low < high, got (5.0, 1.0)
    """

    bounds: tuple[float, float]
    log_scale: bool = True

    def __post_init__(self) -> None:
        low, high = self.bounds
        if not low < high:
            raise ValueError(f"bounds must be (low, high) with low < high, got {self.bounds!r}")
        object.__setattr__(self, "bounds", (float(low), float(high)))


def _class(obj: Any) -> type:
    return obj if isinstance(obj, type) else type(obj)


def sensitivity_of(obj: Any) -> Sensitivity | None:
    """The :class:`Sensitivity` a detector (class or instance) declares, else ``None``
    (a detector from elsewhere that declares nothing).

    Examples
    --------
    >>> from detectors import ADWIN, NoDrift
    >>> sensitivity_of(ADWIN).param, sensitivity_of(NoDrift()) is None
    ('delta', True)
    """
    return getattr(_class(obj), "sensitivity", None)


def is_baseline(obj: Any) -> bool:
    """Whether a detector (class or instance) is a baseline that ignores the data.

    Examples
    --------
    >>> from detectors import ADWIN, PeriodicAlarm
    >>> is_baseline(ADWIN), is_baseline(PeriodicAlarm)
    (False, True)
    """
    return bool(getattr(_class(obj), "is_baseline", False))


def test_instance(cls: type) -> Any:
    """An instance built from the class's ``test_params()`` (copied, so instances never
    share mutable arguments).

    Examples
    --------
    >>> from detectors import PeriodicAlarm
    >>> test_instance(PeriodicAlarm)
    PeriodicAlarm(every=700)
    """
    params = cls.test_params() if hasattr(cls, "test_params") else {}
    return cls(**copy.deepcopy(dict(params)))


test_instance.__test__ = False  # a helper, not a pytest test


_SIGNALS = (None, "error", "correct", "features")


def _init_params(cls: type) -> set[str]:
    return set(inspect.signature(cls.__init__).parameters) - {"self"}


def _problems_of_sensitivity(cls: type) -> list[str]:
    sensitivity, spec = cls.sensitivity, cls.calibration
    if sensitivity is None:
        return ["calibration without a sensitivity"] if spec is not None else []
    if not isinstance(sensitivity, Sensitivity):
        return [f"sensitivity is {sensitivity!r}, not a Sensitivity or None"]
    params = _init_params(cls)
    wanted = [sensitivity.param, *(c.param for c in sensitivity.coupled)]
    problems = [f"sensitivity names {p!r}, not an __init__ argument"
                for p in wanted if p not in params]
    if spec is not None and not isinstance(spec, CalibrationSpec):
        problems.append(f"calibration is {spec!r}, not a CalibrationSpec or None")
    return problems


def missing_tags(cls: type) -> list[str]:
    """What a detector class fails to declare, in words (empty when complete).

    Examples
    --------
    >>> from detectors import ADWIN
    >>> missing_tags(ADWIN)
    []
    >>> class Toy:
    ...     is_baseline = False
    >>> missing_tags(Toy)
    ['no sensitivity', 'no calibration', 'no signal']
    """
    problems = [f"no {tag}" for tag in TAGS if not hasattr(cls, tag)]
    if problems:
        return problems
    if not isinstance(cls.is_baseline, bool):
        problems.append(f"is_baseline is {cls.is_baseline!r}, not a bool")
    if cls.signal not in _SIGNALS:
        problems.append(f"signal is {cls.signal!r}, not one of {list(_SIGNALS)}")
    return problems + _problems_of_sensitivity(cls)


def _is_detector_class(obj: Any) -> bool:
    if not inspect.isclass(obj) or inspect.isabstract(obj) or getattr(obj, "_is_protocol", False):
        return False
    if obj.__name__.startswith("Base"):
        return False
    from detectors.base import family

    return family(obj) is not None


def public_detectors() -> Iterator[tuple[str, type]]:
    """``(name, class)`` of every detector class in ``detectors.__all__``, sorted by name
    (protocols, bases, results and errors left out).

    Examples
    --------
    >>> names = [name for name, _ in public_detectors()]
    >>> "ADWIN" in names and "KS" in names and "StreamingDetector" not in names
    True
    """
    import detectors

    for name in sorted(detectors.__all__):
        obj = getattr(detectors, name)
        if _is_detector_class(obj):
            yield name, obj


class TagDefaults:
    """Defaults of the two optional hooks, inherited by both detector base classes.

    Examples
    --------
    >>> TagDefaults.test_params(), dict(TagDefaults.expected_failures)
    ({}, {})
    """

    #: ``{check name: reason}`` for conformance checks failed by design.
    expected_failures: ClassVar[Mapping[str, str]] = MappingProxyType({})

    @classmethod
    def test_params(cls) -> dict[str, Any]:
        """Constructor arguments for the conformance suite and the golden tests."""
        return {}
