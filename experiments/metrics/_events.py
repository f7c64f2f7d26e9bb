"""Ground-truth drift events as three aligned arrays, whatever form they were given in.

Scoring accepts :class:`simulator.stream.DriftEvent` objects, the dicts a trace stores in
``meta["stream_events"]`` (same keys), or bare integer onsets (harmful, abrupt). They are
read by duck typing so this module does not import the simulator's stream machinery.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from driftsim.validation import check_int


@dataclass(frozen=True, eq=False)
class EventTable:
    """Onsets, ends and harm flags of the events, in the order given.

    Examples
    --------
    >>> t = as_event_table([100, {"onset": 300, "end": 350, "harmful": False}], 1000)
    >>> t.onset, t.end, t.harmful
    (array([100, 300]), array([100, 350]), array([ True, False]))
    """

    onset: np.ndarray
    end: np.ndarray
    harmful: np.ndarray

    def __len__(self) -> int:
        return int(self.onset.shape[0])


def _field(event: Any, name: str, default: Any) -> Any:
    if isinstance(event, Mapping):
        return event.get(name, default)
    return getattr(event, name, default)


def as_event_table(events: Iterable[Any] | None, n_samples: int | None) -> EventTable:
    """Normalise ``events`` into an :class:`EventTable`, validating every field.

    Each event is a mapping or an object with at least ``onset``; ``end`` defaults to
    the onset and ``harmful`` to True (an event nobody measured is assumed to matter).
    A bare integer is an abrupt harmful event at that onset. ``n_samples`` (when given)
    bounds the onsets: an event at or past the stream's end cannot be scored.

    Examples
    --------
    >>> as_event_table([{"end": 3}], 10)
    Traceback (most recent call last):
    ...
    ValueError: events[0] has no 'onset'; give DriftEvent objects, dicts with an 'onset' ...
    """
    if events is None:
        events = ()
    if isinstance(events, (str, bytes, Mapping)) or not isinstance(events, Iterable):
        raise ValueError(f"events must be a sequence of DriftEvent, dicts or ints, got {events!r}")
    onsets: list[int] = []
    ends: list[int] = []
    harmful: list[bool] = []
    for i, event in enumerate(events):
        if isinstance(event, (int, np.integer)) and not isinstance(event, bool):
            onset, end, harm = event, event, True
        else:
            onset = _field(event, "onset", None)
            if onset is None:
                raise ValueError(
                    f"events[{i}] has no 'onset'; give DriftEvent objects, dicts with an "
                    "'onset' key, or ints"
                )
            end = _field(event, "end", onset)
            harm = _field(event, "harmful", True)
        onset = check_int(f"events[{i}] onset", onset, low=0)
        if n_samples is not None and onset >= n_samples:
            raise ValueError(
                f"events[{i}] onset must be < n_samples ({n_samples}), got {onset}; "
                "an event past the stream's end cannot be scored"
            )
        end = check_int(f"events[{i}] end", end, low=onset)
        if not isinstance(harm, (bool, np.bool_)):
            raise ValueError(f"events[{i}] harmful must be a bool, got {harm!r}")
        onsets.append(onset)
        ends.append(end)
        harmful.append(bool(harm))
    return EventTable(
        onset=np.asarray(onsets, dtype=np.int64),
        end=np.asarray(ends, dtype=np.int64),
        harmful=np.asarray(harmful, dtype=np.bool_),
    )
