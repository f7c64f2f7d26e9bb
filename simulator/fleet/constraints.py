"""What the fleet shares: a retraining budget and a governance board.

The :class:`Budget` caps retraining per tick (one simulated day) by money and by
concurrent job slots; jobs wait in a queue the decision engine orders. The
:class:`Governance` board reviews candidates of the tiers it covers: a limited number
of reviews start per tick, each takes ``latency`` ticks, and each is approved or
rejected by a seeded draw that depends only on ``(fleet seed, model, job)``.

Examples
--------
>>> board = GovernanceBoard(Governance(reviews_per_tick=1, latency=2), seed=0)
>>> board.submit(model=3, job=0, t=0); board.submit(model=5, job=1, t=0)
>>> [board.advance(t) for t in range(4)]
[[], [], [(3, 0, True)], [(5, 1, True)]]
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from driftsim.validation import check_in_range, check_int

__all__ = ["Budget", "Governance", "GovernanceBoard"]


@dataclass(frozen=True)
class Budget:
    """The fleet's retraining budget.

    Attributes
    ----------
    slots
        Jobs that may run at once.
    money_per_tick
        Money that may be spent on starting jobs per tick; unspent money does not
        carry over (a daily compute allowance). ``inf`` for no cap.

    Examples
    --------
    >>> Budget(slots=0)
    Traceback (most recent call last):
    ...
    ValueError: slots must be >= 1, got 0
    """

    slots: int = 4
    money_per_tick: float = float("inf")

    def __post_init__(self) -> None:
        check_int("slots", self.slots, low=1)
        if self.money_per_tick != float("inf"):  # inf: no money cap
            check_in_range("money_per_tick", self.money_per_tick, low=0.0)


@dataclass(frozen=True)
class Governance:
    """The governance board that approves candidates of critical models.

    Attributes
    ----------
    reviews_per_tick
        Reviews the board can start per tick.
    latency
        Ticks a review takes.
    rejection_rate
        Probability that a review rejects the candidate (seeded).
    tiers
        Tiers whose candidates need a review.

    Examples
    --------
    >>> Governance(rejection_rate=0.1).tiers
    ('high',)
    """

    reviews_per_tick: int = 2
    latency: int = 2
    rejection_rate: float = 0.1
    tiers: tuple[str, ...] = ("high",)

    def __post_init__(self) -> None:
        check_int("reviews_per_tick", self.reviews_per_tick, low=1)
        check_int("latency", self.latency, low=0)
        check_in_range("rejection_rate", self.rejection_rate, low=0.0, high=1.0)
        object.__setattr__(self, "tiers", tuple(self.tiers))


class GovernanceBoard:
    """The board's state: a FIFO of waiting candidates and the reviews under way.

    Parameters
    ----------
    config
        The :class:`Governance` settings.
    seed
        Fleet seed; a review's outcome is drawn from ``(seed, model, job)``.

    Examples
    --------
    >>> board = GovernanceBoard(Governance(latency=0, rejection_rate=1.0), seed=0)
    >>> board.submit(model=0, job=7, t=4)
    >>> board.advance(4)
    [(0, 7, False)]
    """

    def __init__(self, config: Governance, seed: int) -> None:
        self.config = config
        self.seed = seed
        self._waiting: deque[tuple[int, int]] = deque()
        self._reviewing: list[tuple[int, int, int]] = []  # (done tick, model, job)

    def submit(self, model: int, job: int, t: int) -> None:
        """Queue model ``model``'s candidate from job ``job`` for review at tick ``t``."""
        self._waiting.append((model, job))

    def _approved(self, model: int, job: int) -> bool:
        rng = np.random.default_rng([self.seed, 23, model, job])
        return bool(rng.random() >= self.config.rejection_rate)

    def advance(self, t: int) -> list[tuple[int, int, bool]]:
        """Start this tick's reviews; return ``(model, job, approved)`` decided at ``t``."""
        for _ in range(min(self.config.reviews_per_tick, len(self._waiting))):
            model, job = self._waiting.popleft()
            self._reviewing.append((t + self.config.latency, model, job))
        done = sorted(r for r in self._reviewing if r[0] <= t)
        self._reviewing = [r for r in self._reviewing if r[0] > t]
        return [(m, j, self._approved(m, j)) for _, m, j in done]

    @property
    def backlog(self) -> int:
        """Candidates waiting for or under review."""
        return len(self._waiting) + len(self._reviewing)
