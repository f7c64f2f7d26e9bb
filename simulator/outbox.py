"""A durable outbox: alert batches a sink could not take, kept in SQLite until a later
delivery attempt gets them through.

:class:`~simulator.alerts.AlertRouter` puts a batch here when a sink still fails
after its immediate retries, and at each later delivery (each ``route`` call, or
``flush``) sends again every batch whose wait is over. The wait doubles with every
failed attempt (``backoff``, ``2 × backoff``, ... up to ``max_backoff`` seconds of
wall-clock time), so a sink that stays down is not hammered. The file survives the
process: a run that ends with batches still pending leaves them for the next run
(or a ``flush``) that uses the same outbox and the same sink.

A batch is keyed by the sink's ``repr`` (a webhook's URL, an SMTP server and its
recipients; never a password), so only the sink it failed on receives it again.

Examples
--------
>>> import tempfile
>>> from simulator.alerts import Alert
>>> with tempfile.TemporaryDirectory() as d:
...     box = Outbox(f"{d}/outbox.db", backoff=0.0)
...     box.put("sink-a", [Alert(5, "m", "PH", "error", None, 0.5)], "ConnectionError: down")
...     [(row.sink, row.attempts, [a.time for a in row.alerts]) for row in box.due("sink-a")]
[('sink-a', 1, [5])]
"""

from __future__ import annotations

import json
import sqlite3
import time as _time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from driftsim.validation import check_in_range

if TYPE_CHECKING:
    from simulator.alerts import Alert

__all__ = ["Outbox", "Pending"]

_SCHEMA = """CREATE TABLE IF NOT EXISTS pending (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sink TEXT NOT NULL,
    alerts TEXT NOT NULL,
    n_alerts INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    next_try REAL NOT NULL,
    error TEXT NOT NULL
)"""


@dataclass(frozen=True)
class Pending:
    """One batch waiting in the outbox: for which sink, how often tried, last error."""

    id: int
    sink: str
    alerts: tuple[Alert, ...]
    attempts: int
    error: str


class Outbox:
    """Failed alert batches in a SQLite file, retried with exponential backoff.

    Parameters
    ----------
    path
        The SQLite file (created with its folder).
    backoff
        Seconds to wait before the first retry from the outbox; doubled after each
        failed one. 0 retries at every delivery attempt.
    max_backoff
        The longest wait, in seconds.
    clock
        Returns the current time in seconds (``time.time``).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        backoff: float = 1.0,
        max_backoff: float = 300.0,
        clock: Callable[[], float] = _time.time,
    ) -> None:
        self.path = Path(path)
        self.backoff = float(check_in_range("backoff", backoff, low=0.0))
        self.max_backoff = float(check_in_range("max_backoff", max_backoff, low=0.0))
        self.clock = clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as con, con:
            con.execute(_SCHEMA)

    def __repr__(self) -> str:
        return f"Outbox({str(self.path)!r})"

    def _connect(self) -> sqlite3.Connection:
        # One short connection per operation: nothing stays open between deliveries,
        # and a committed row is on disk before the call returns.
        try:
            return sqlite3.connect(self.path, timeout=30)
        except sqlite3.Error as exc:
            raise ValueError(f"alert outbox {str(self.path)!r} cannot be opened: {exc}") from exc

    def _wait(self, attempts: int) -> float:
        return min(self.backoff * 2.0 ** max(attempts - 1, 0), self.max_backoff)

    def put(self, sink: str, alerts: Sequence[Alert], error: str, attempts: int = 1) -> None:
        """Keep ``alerts`` for ``sink`` after ``attempts`` failed tries."""
        text = json.dumps([a.to_dict() for a in alerts])
        with closing(self._connect()) as con, con:
            con.execute(
                "INSERT INTO pending (sink, alerts, n_alerts, attempts, next_try, error) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (sink, text, len(alerts), attempts, self.clock() + self._wait(1), error),
            )

    def due(self, sink: str) -> list[Pending]:
        """The batches for ``sink`` whose wait is over, oldest first."""
        from simulator.alerts import Alert

        with closing(self._connect()) as con:
            rows = con.execute(
                "SELECT id, alerts, attempts, error FROM pending WHERE sink = ? "
                "AND next_try <= ? ORDER BY id", (sink, self.clock()),
            ).fetchall()
        return [
            Pending(int(i), sink, tuple(Alert.from_dict(a) for a in json.loads(text)),
                    int(attempts), str(error))
            for i, text, attempts, error in rows
        ]

    def delivered(self, pending: Pending) -> None:
        """Remove a batch that got through."""
        with closing(self._connect()) as con, con:
            con.execute("DELETE FROM pending WHERE id = ?", (pending.id,))

    def failed_again(self, pending: Pending, error: str) -> None:
        """Count one more failed attempt and push the next one back."""
        attempts = pending.attempts + 1
        with closing(self._connect()) as con, con:
            con.execute(
                "UPDATE pending SET attempts = ?, next_try = ?, error = ? WHERE id = ?",
                (attempts, self.clock() + self._wait(attempts), error, pending.id),
            )

    def pending_alerts(self, sink: str | None = None) -> int:
        """How many alerts wait (for ``sink``, or for any sink)."""
        query, args = "SELECT COALESCE(SUM(n_alerts), 0) FROM pending", ()
        if sink is not None:
            query, args = query + " WHERE sink = ?", (sink,)
        with closing(self._connect()) as con:
            return int(con.execute(query, args).fetchone()[0])
