"""The table ``make bench`` prints last: driftsim against its reference, group by group.

Every benchmark group pairs our implementation with a reference timed in the same run
(river, scipy, a plain numpy version of the same statistic, ...). A benchmark names its
side in ``extra_info["side"]``, or through its test name (``test_river_...``,
``test_scipy_...``, ``test_numpy_...``; anything else is ours), and may give
``extra_info["elements"]``, the values it processed, so that sides fed streams of
different lengths compare per value. Times are each benchmark's minimum over its rounds,
the figure least disturbed by other load on the machine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Timing", "format_table", "ratio_rows", "side_of"]

_REFERENCES = ("river", "scipy", "numpy", "frouros", "moa", "sklearn")


@dataclass(frozen=True)
class Timing:
    """One benchmark's result: its group, side, best time and number of values."""

    group: str
    side: str
    seconds: float
    elements: int = 1

    @property
    def per_element(self) -> float:
        return self.seconds / max(self.elements, 1)


def side_of(test_name: str, extra_info: Mapping[str, Any]) -> str:
    """Which implementation a benchmark timed.

    Examples
    --------
    >>> side_of("test_river_update[ADWIN]", {}), side_of("test_ours[KS]", {})
    ('river', 'ours')
    >>> side_of("test_reference[MMD]", {"side": "numpy"})
    'numpy'
    """
    if "side" in extra_info:
        return str(extra_info["side"])
    base = test_name.split("[", 1)[0].lower()
    for ref in _REFERENCES:
        if f"_{ref}" in base:
            return ref
    return "ours"


def ratio_rows(timings: Iterable[Timing]) -> list[tuple[str, str, float, float, float, bool]]:
    """``(group, reference, ours, reference time, speed-up, per value)`` per group.

    ``ours`` and the reference time are per value when the benchmarks say how many
    values they processed, per call otherwise; the speed-up is reference / ours (above
    1: we are faster). Groups without both sides are left out.

    Examples
    --------
    >>> rows = ratio_rows([Timing("ADWIN", "ours", 2.0, 10), Timing("ADWIN", "river", 1.0, 1)])
    >>> rows
    [('ADWIN', 'river', 0.2, 1.0, 5.0, True)]
    """
    by_group: dict[str, dict[str, Timing]] = {}
    for t in timings:
        by_group.setdefault(t.group, {})[t.side] = t
    rows = []
    for group in sorted(by_group):
        sides = by_group[group]
        if "ours" not in sides:
            continue
        ours = sides["ours"]
        for ref, theirs in sorted(sides.items()):
            if ref == "ours":
                continue
            per_value = ours.elements > 1 or theirs.elements > 1
            a = ours.per_element if per_value else ours.seconds
            b = theirs.per_element if per_value else theirs.seconds
            rows.append((group, ref, a, b, b / a, per_value))
    return rows


def _time(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e3), ("µs", 1e6)):
        if seconds * scale >= 1.0:
            return f"{seconds * scale:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"


def format_table(rows: list[tuple[str, str, float, float, float, bool]]) -> str:
    """The rows as an aligned text table.

    Examples
    --------
    >>> print(format_table([("ADWIN", "river", 2e-7, 1e-6, 5.0, True)]))
    group  reference  driftsim          reference        speed-up
    ADWIN  river      200 ns per value  1 µs per value   5.00x
    """
    head = ("group", "reference", "driftsim", "reference", "speed-up")
    lines = [
        (g, ref, _time(a) + (" per value" if pv else " per call"),
         _time(b) + (" per value" if pv else " per call"), f"{s:.2f}x")
        for g, ref, a, b, s, pv in rows
    ]
    widths = [max(len(r[i]) for r in [head, *lines]) for i in range(5)]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
        for r in [head, *lines]
    )
