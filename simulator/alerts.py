"""Alerts from drift monitors, and the sinks that deliver them.

The deployment loop collects the :class:`Alert` records its monitors raise in each
batch and hands them to an :class:`AlertRouter`. The router drops repeats (a
cooldown and de-duplication per monitor, so one drift does not send a flood) and
delivers the rest to its sinks: durable records first (:class:`JsonlSink`,
:class:`SqliteSink`), then notifications (:class:`SmtpSink`, :class:`WebhookSink`,
:class:`CallbackSink`). A failing sink is retried and reported in
``router.failures``; it never raises into the simulation.

Every sink has one method, ``send(alerts)``, which takes a whole batch.

Examples
--------
>>> received = []
>>> router = AlertRouter([CallbackSink(received.extend)], cooldown=100)
>>> router.route([Alert(500, "err", "ADWIN", "error", 0.12, 0.8),
...               Alert(550, "err", "ADWIN", "error", 0.10, 0.6)])
[Alert(time=500, monitor='err', detector='ADWIN', signal='error', statistic=0.12,
       severity=0.8, kind='drift', details={})]
>>> router.delivered, router.suppressed, [a.time for a in received]
(1, 1, [500])
"""

from __future__ import annotations

import email.policy
import json
import logging
import math
import re
import smtplib
import sqlite3
import time as _time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

import numpy as np

from driftsim.validation import check_choice, check_in_range, check_int
from simulator.outbox import Outbox

__all__ = [
    "Alert",
    "AlertRouter",
    "AlertSink",
    "CallbackSink",
    "JsonlSink",
    "Outbox",
    "SinkFailure",
    "SmtpSink",
    "SqliteSink",
    "WebhookSink",
]

logger = logging.getLogger(__name__)

AlertKind = Literal["drift", "warning"]
_KINDS = ("drift", "warning")
_FIELDS = ("time", "monitor", "detector", "signal", "statistic", "severity", "kind", "details")


def _plain(value: Any) -> Any:
    """numpy scalars and arrays to Python values, so details serialise as JSON."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Alert:
    """One alert raised by a monitor.

    Parameters
    ----------
    time
        Sample index at which the monitor fired (``>= 0``).
    monitor
        The monitor's name, unique within a run; cooldown and de-duplication are
        kept per monitor.
    detector
        The detector's name, e.g. ``"ADWIN"`` or ``"KS"``.
    signal
        What the monitor watches, e.g. ``"error"`` or ``"feature:petal length (cm)"``.
    statistic
        The detector's test statistic at the alert, or ``None`` when it has none.
        NaN is stored as ``None``; ±inf is kept (``to_dict`` writes it as the string
        ``"inf"`` / ``"-inf"`` so the JSON stays strict).
    severity
        A float in [0, 1] on one scale across monitors: 0 = just past the threshold,
        1 = as strong as the monitor can report. Monitors map their own statistic
        onto it (clipping), so policies and sinks can rank alerts from different
        detectors.
    kind
        ``"drift"`` (default) or ``"warning"``.
    details
        Extra JSON-serialisable context (p-value, threshold, window, …); numpy values
        are converted to Python ones.

    Examples
    --------
    >>> a = Alert(523, "err-adwin", "ADWIN", "error", 0.25, 0.9, details={"window": 200})
    >>> a.to_dict()["details"]
    {'window': 200}
    >>> Alert.from_dict(a.to_dict()) == a
    True
    >>> Alert(1, "m", "KS", "feature:x", None, 1.5)
    Traceback (most recent call last):
    ...
    ValueError: severity must be <= 1.0, got 1.5
    """

    time: int
    monitor: str
    detector: str
    signal: str
    statistic: float | None
    severity: float
    kind: AlertKind = "drift"
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        time = check_int("time", self.time, low=0)
        for name in ("monitor", "detector", "signal"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise ValueError(f"{name} must be a non-empty string, got {value!r}")
        statistic = self.statistic
        if statistic is not None:
            if isinstance(statistic, bool) or not isinstance(
                statistic, (int, float, np.integer, np.floating)
            ):
                raise ValueError(f"statistic must be a number or None, got {statistic!r}")
            statistic = None if math.isnan(statistic) else float(statistic)
        severity = float(check_in_range("severity", self.severity, low=0.0, high=1.0))
        check_choice("kind", self.kind, _KINDS)
        if not isinstance(self.details, Mapping):
            raise ValueError(f"details must be a mapping, got {self.details!r}")
        details = _plain(self.details)
        try:
            json.dumps(details, allow_nan=True)
        except TypeError as err:
            raise ValueError(f"details must be JSON-serialisable: {err}") from None
        object.__setattr__(self, "time", time)
        object.__setattr__(self, "statistic", statistic)
        object.__setattr__(self, "severity", severity)
        object.__setattr__(self, "details", MappingProxyType(details))

    def __repr__(self) -> str:
        # a plain dict reads better than mappingproxy({...}) in logs and doctests
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in _FIELDS[:-1])
        return f"Alert({fields}, details={dict(self.details)!r})"

    def to_dict(self) -> dict[str, Any]:
        """The alert as a JSON-ready dict (field order as in the class).

        Examples
        --------
        >>> Alert(7, "m", "PH", "error", float("inf"), 1.0).to_dict()["statistic"]
        'inf'
        """
        statistic: float | str | None = self.statistic
        if statistic is not None and math.isinf(statistic):
            statistic = "inf" if statistic > 0 else "-inf"
        return {
            "time": self.time,
            "monitor": self.monitor,
            "detector": self.detector,
            "signal": self.signal,
            "statistic": statistic,
            "severity": self.severity,
            "kind": self.kind,
            "details": dict(self.details),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Alert:
        """Rebuild an alert from :meth:`to_dict` output; unknown keys are an error.

        Examples
        --------
        >>> Alert.from_dict({"time": 3, "monitor": "m", "detector": "DDM",
        ...                  "signal": "error", "statistic": None, "severity": 0.5}).kind
        'drift'
        >>> Alert.from_dict({"time": 3, "colour": "red"})
        Traceback (most recent call last):
        ...
        ValueError: unknown alert field 'colour'; allowed: ['time', 'monitor', ...]
        """
        for key in data:
            if key not in _FIELDS:
                raise ValueError(f"unknown alert field {key!r}; allowed: {list(_FIELDS)}")
        missing = [k for k in _FIELDS[:6] if k not in data]
        if missing:
            raise ValueError(
                f"alert record {dict(data)!r} lacks field(s) {missing}; required: "
                f"{list(_FIELDS[:6])}"
            )
        values = dict(data)
        if isinstance(values.get("statistic"), str):
            values["statistic"] = float(values["statistic"])
        return cls(**values)


def _dumps(alert: Alert) -> str:
    return json.dumps(alert.to_dict(), allow_nan=False, ensure_ascii=False)


def _summary(alert: Alert) -> str:
    stat = "n/a" if alert.statistic is None else f"{alert.statistic:.6g}"
    return (
        f"t={alert.time} {alert.kind} monitor={alert.monitor} detector={alert.detector} "
        f"signal={alert.signal} statistic={stat} severity={alert.severity:.3g}"
    )


# --------------------------------------------------------------------------- sinks


@runtime_checkable
class AlertSink(Protocol):
    """Anything that takes a batch of alerts. Set ``durable = True`` on a sink that
    keeps a record (a file, a table): the router delivers to durable sinks first.

    Examples
    --------
    >>> isinstance(CallbackSink(print), AlertSink)
    True
    """

    def send(self, alerts: Sequence[Alert]) -> None: ...


class JsonlSink:
    """Append each alert as one JSON line to a file (created with its folders).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     sink = JsonlSink(pathlib.Path(folder) / "alerts.jsonl")
    ...     sink.send([Alert(10, "m", "PH", "error", 3.5, 0.4)])
    ...     print([a.time for a in sink.read()])
    [10]
    """

    durable: ClassVar[bool] = True

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise ValueError(f"JsonlSink path {str(self.path)!r} is a folder; give a file path")

    def __repr__(self) -> str:
        return f"JsonlSink({str(self.path)!r})"

    def send(self, alerts: Sequence[Alert]) -> None:
        if not alerts:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # one write per batch, so a crash leaves whole lines behind, not half a batch
        text = "".join(_dumps(a) + "\n" for a in alerts)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(text)

    def read(self) -> list[Alert]:
        """All alerts in the file, oldest first (empty if the file does not exist)."""
        if not self.path.exists():
            return []
        alerts = []
        with self.path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    alerts.append(Alert.from_dict(json.loads(line)))
                except (json.JSONDecodeError, ValueError, TypeError) as exc:
                    raise ValueError(
                        f"{self.path}: line {number} is not an alert record ({exc}); each "
                        "line must be one JSON object written by JsonlSink"
                    ) from exc
        return alerts


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class SqliteSink:
    """One row per alert in an SQLite table (created if absent); stdlib ``sqlite3``.

    Values go in through query parameters. The table name cannot be a parameter, so
    it must be a plain identifier (letters, digits, underscore), and is quoted.

    Parameters
    ----------
    path
        Database file (``":memory:"`` for a throw-away database).
    table
        Table name.

    Examples
    --------
    >>> sink = SqliteSink(":memory:")
    >>> sink.send([Alert(10, "m", "PH", "error", 3.5, 0.4), Alert(12, "m2", "KS", "x", None, 1.0)])
    >>> [(a.time, a.monitor) for a in sink.read()]
    [(10, 'm'), (12, 'm2')]
    >>> SqliteSink(":memory:", table="alerts; DROP TABLE x")
    Traceback (most recent call last):
    ...
    ValueError: table must be a plain identifier (...), got 'alerts; DROP TABLE x'
    """

    durable: ClassVar[bool] = True
    _COLUMNS = (
        "time INTEGER NOT NULL, monitor TEXT NOT NULL, detector TEXT NOT NULL, "
        "signal TEXT NOT NULL, statistic REAL, severity REAL NOT NULL, "
        "kind TEXT NOT NULL, details TEXT NOT NULL"
    )

    def __init__(self, path: str | Path, table: str = "alerts") -> None:
        if not isinstance(table, str) or not _IDENTIFIER.fullmatch(table):
            raise ValueError(
                "table must be a plain identifier (letters, digits, _; not starting with a "
                f"digit), got {table!r}"
            )
        self.path = str(path)
        self.table = table
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path)
        try:
            with self._conn:
                self._conn.execute(
                    f'CREATE TABLE IF NOT EXISTS "{table}" '
                    f"(id INTEGER PRIMARY KEY AUTOINCREMENT, {self._COLUMNS})"
                )
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise ValueError(
                f"SqliteSink path {self.path!r} is not a usable SQLite database ({exc}); "
                "give a new file or an SQLite file"
            ) from exc

    def __repr__(self) -> str:
        return f"SqliteSink({self.path!r}, table={self.table!r})"

    def send(self, alerts: Sequence[Alert]) -> None:
        rows = [
            (
                a.time,
                a.monitor,
                a.detector,
                a.signal,
                a.statistic,
                a.severity,
                a.kind,
                json.dumps(dict(a.details), allow_nan=False),
            )
            for a in alerts
        ]
        with self._conn:  # one transaction per batch
            self._conn.executemany(
                f'INSERT INTO "{self.table}" '
                "(time, monitor, detector, signal, statistic, severity, kind, details) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def read(self) -> list[Alert]:
        """All alerts in the table, in insertion order."""
        cursor = self._conn.execute(
            "SELECT time, monitor, detector, signal, statistic, severity, kind, details "
            f'FROM "{self.table}" ORDER BY id'
        )
        return [
            Alert(t, m, d, s, stat, sev, k, json.loads(det))
            for t, m, d, s, stat, sev, k, det in cursor
        ]

    def close(self) -> None:
        """Close the database connection."""
        self._conn.close()

    def __enter__(self) -> SqliteSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# Fold only at the RFC 5322 limit: the stdlib folds some long subjects by moving the whole
# value to a continuation line, which readers then show with a leading space. Subjects stay
# short (at most three monitors are named), far below the 998-character line limit.
_MAIL_POLICY = email.policy.default.clone(max_line_length=998)


class SmtpSink:
    """Email each batch of alerts as one message through an SMTP server (stdlib ``smtplib``).

    The subject names the kind, the monitor(s) (at most three, then ``+N more``) and
    the time range; the body has one line per alert, then the alerts as JSON lines.

    Parameters
    ----------
    host, port
        The SMTP server.
    sender
        The ``From`` address.
    recipients
        One address or a list of them.
    subject_prefix
        Put in front of every subject.
    timeout
        Seconds to wait for the server.
    starttls
        Upgrade the connection with STARTTLS before sending.
    username, password
        Log in when given (after STARTTLS, if enabled). The password is never shown
        in ``repr`` or failure reports.

    Examples
    --------
    >>> sink = SmtpSink("127.0.0.1", 8025, "driftsim@localhost", "ops@localhost")
    >>> msg = sink.message([Alert(523, "err-adwin", "ADWIN", "error", 0.2, 0.9)])
    >>> msg["Subject"]
    '[driftsim] drift: err-adwin at t=523'
    >>> sink
    SmtpSink(host='127.0.0.1', port=8025, sender='driftsim@localhost', recipients=['ops@localhost'])
    """

    durable: ClassVar[bool] = False

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        recipients: str | Sequence[str],
        *,
        subject_prefix: str = "[driftsim]",
        timeout: float = 10.0,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.host = host
        self.port = check_int("port", port, low=1, high=65535)
        self.sender = sender
        self.recipients = [recipients] if isinstance(recipients, str) else list(recipients)
        if not self.recipients:
            raise ValueError("recipients must name at least one address, got []")
        self.subject_prefix = subject_prefix
        self.timeout = check_in_range("timeout", timeout, low=0.0, low_inclusive=False)
        self.starttls = starttls
        self.username = username
        self._password = password

    def __repr__(self) -> str:
        return (
            f"SmtpSink(host={self.host!r}, port={self.port}, sender={self.sender!r}, "
            f"recipients={self.recipients!r})"
        )

    def message(self, alerts: Sequence[Alert]) -> EmailMessage:
        """The email :meth:`send` would send for ``alerts``."""
        monitors = sorted({a.monitor for a in alerts})
        if len(monitors) > 3:
            monitors = [*monitors[:3], f"+{len(monitors) - 3} more"]
        times = [a.time for a in alerts]
        when = f"t={times[0]}" if min(times) == max(times) else f"t={min(times)}..{max(times)}"
        kinds = sorted({a.kind for a in alerts})
        what = kinds[0] if len(alerts) == 1 else f"{len(alerts)} alerts ({', '.join(kinds)})"
        msg = EmailMessage(policy=_MAIL_POLICY)
        msg["Subject"] = f"{self.subject_prefix} {what}: {', '.join(monitors)} at {when}".strip()
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.recipients)
        body = [_summary(a) for a in alerts]
        body += ["", "JSON:", *(_dumps(a) for a in alerts)]
        msg.set_content("\n".join(body) + "\n")
        return msg

    def send(self, alerts: Sequence[Alert]) -> None:
        if not alerts:
            return
        msg = self.message(alerts)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username is not None:
                smtp.login(self.username, self._password or "")
            smtp.send_message(msg)


class WebhookSink:
    """POST each batch as JSON ``{"alerts": [alert.to_dict(), ...]}`` (stdlib ``urllib``).

    Any response other than 2xx, or no response within ``timeout`` seconds, raises,
    so the router retries and reports it.

    Examples
    --------
    >>> WebhookSink("http://127.0.0.1:9000/hooks/drift", timeout=2.0)
    WebhookSink('http://127.0.0.1:9000/hooks/drift', timeout=2.0)
    >>> WebhookSink("ftp://example.org")
    Traceback (most recent call last):
    ...
    ValueError: url must start with http:// or https://, got 'ftp://example.org'
    """

    durable: ClassVar[bool] = False

    def __init__(
        self, url: str, *, timeout: float = 5.0, headers: Mapping[str, str] | None = None
    ) -> None:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError(f"url must start with http:// or https://, got {url!r}")
        self.url = url
        self.timeout = check_in_range("timeout", timeout, low=0.0, low_inclusive=False)
        self.headers = dict(headers or {})

    def __repr__(self) -> str:
        # headers may carry tokens; leave them out
        return f"WebhookSink({self.url!r}, timeout={self.timeout!r})"

    def send(self, alerts: Sequence[Alert]) -> None:
        if not alerts:
            return
        body = json.dumps({"alerts": [a.to_dict() for a in alerts]}, allow_nan=False)
        request = urllib.request.Request(
            self.url,
            data=body.encode("utf-8"),
            headers={"Content-Type": "application/json", **self.headers},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            if not 200 <= response.status < 300:
                raise urllib.error.HTTPError(
                    self.url, response.status, response.reason, response.headers, None
                )


class CallbackSink:
    """Call ``fn(alerts)`` with each batch (a list); handy in tests and notebooks.

    Examples
    --------
    >>> sink = CallbackSink(lambda batch: print([a.monitor for a in batch]))
    >>> sink.send([Alert(1, "m", "PH", "error", None, 0.1)])
    ['m']
    """

    def __init__(self, fn: Callable[[list[Alert]], Any], *, durable: bool = False) -> None:
        if not callable(fn):
            raise ValueError(f"fn must be callable, got {fn!r}")
        self.fn = fn
        self.durable = durable

    def __repr__(self) -> str:
        return f"CallbackSink({getattr(self.fn, '__qualname__', self.fn)!s})"

    def send(self, alerts: Sequence[Alert]) -> None:
        self.fn(list(alerts))


# --------------------------------------------------------------------------- router


@dataclass(frozen=True)
class SinkFailure:
    """A batch one sink could not take after all its attempts.

    ``sink`` is the sink's ``repr``; ``alerts`` are kept so nothing is lost even when
    no durable sink is configured.
    """

    sink: str
    n_alerts: int
    error: str
    attempts: int
    alerts: tuple[Alert, ...] = field(repr=False)


class AlertRouter:
    """Filters a run's alerts and delivers them to sinks; never raises on sink errors.

    For each batch passed to :meth:`route`, alerts are taken in time order and:

    1. **de-duplicated** (``dedup=True``): an alert with the same monitor, time and
       kind as one already delivered is dropped;
    2. **cooled down**: an alert from monitor *m* less than ``cooldown`` samples after
       the last *delivered* alert of the same kind from *m* is dropped. A warning does
       not hold back a drift alert from the same monitor, nor the other way round.

    Dropped alerts are counted in ``suppressed``. The rest are delivered, as one
    batch, to every sink: durable sinks (``sink.durable`` true: files, tables)
    first, so the record exists before any notification is attempted. A sink that
    raises is tried again up to ``retries`` times, sleeping ``backoff * 2**k``
    seconds before retry *k* (default 0: simulations stay fast). If it still fails,
    a :class:`SinkFailure` is appended to ``failures``, the error is logged, and
    delivery goes on with the next sink.

    Parameters
    ----------
    sinks
        The sinks, in any order.
    cooldown
        Samples, ``>= 0``; 0 turns the cooldown off.
    dedup
        Drop exact repeats (same monitor, time, kind).
    retries
        Extra attempts per sink and batch after the first fails.
    backoff
        Base wait in seconds between attempts.
    sleep
        The function used to wait (``time.sleep``); tests pass a recorder.
    outbox
        A :class:`~simulator.outbox.Outbox` (or the path of its SQLite file): a batch a
        sink still fails after its retries is kept there, and sent again, with
        backoff, at each later :meth:`route` and at :meth:`flush`. Without one, a
        failed batch lives only in ``failures`` (memory).

    Attributes
    ----------
    delivered
        Alerts that passed the filters and were handed to the sinks.
    suppressed
        Alerts dropped (``suppressed_duplicate + suppressed_cooldown``).
    failed
        Failed deliveries: alerts in batches a sink could not take (an alert counts
        once per sink that failed it).
    failures
        One :class:`SinkFailure` per batch a sink could not take.
    retried
        Failed deliveries that a later attempt from the outbox got through (an alert
        counts once per sink).

    Examples
    --------
    >>> sent = []
    >>> router = AlertRouter([CallbackSink(sent.append)], cooldown=50)
    >>> alerts = [Alert(t, m, "PH", "error", None, 0.5)
    ...           for t, m in [(100, "a"), (100, "a"), (120, "a"), (130, "b"), (150, "a")]]
    >>> [(a.time, a.monitor) for a in router.route(alerts)]
    [(100, 'a'), (130, 'b'), (150, 'a')]
    >>> router.suppressed_duplicate, router.suppressed_cooldown, router.delivered
    (1, 1, 3)
    >>> def broken(batch):
    ...     raise ConnectionError("server down")
    >>> router = AlertRouter([CallbackSink(broken)], retries=2)
    >>> _ = router.route(alerts[:1])
    >>> router.failures[0].attempts, router.failures[0].error, router.failed
    (3, 'ConnectionError: server down', 1)
    """

    def __init__(
        self,
        sinks: Iterable[AlertSink],
        *,
        cooldown: int = 0,
        dedup: bool = True,
        retries: int = 2,
        backoff: float = 0.0,
        sleep: Callable[[float], Any] = _time.sleep,
        outbox: Outbox | str | Path | None = None,
    ) -> None:
        sinks = list(sinks)
        for sink in sinks:
            if not callable(getattr(sink, "send", None)):
                raise ValueError(f"each sink needs a send(alerts) method, got {sink!r}")
        # stable sort: durable sinks first, otherwise the order given
        self.sinks = sorted(sinks, key=lambda s: not getattr(s, "durable", False))
        self.cooldown = check_int("cooldown", cooldown, low=0)
        if not isinstance(dedup, bool):
            raise ValueError(f"dedup must be True or False, got {dedup!r}")
        self.dedup = dedup
        self.retries = check_int("retries", retries, low=0)
        self.backoff = float(check_in_range("backoff", backoff, low=0.0))
        self.sleep = sleep
        self.outbox = outbox if outbox is None or isinstance(outbox, Outbox) else Outbox(outbox)
        self.reset()

    def reset(self) -> None:
        """Forget cooldown and duplicate state, counters and failures (a new run)."""
        self._last: dict[tuple[str, str], int] = {}
        self._seen: set[tuple[str, int, str]] = set()
        self.delivered = 0
        self.suppressed_duplicate = 0
        self.suppressed_cooldown = 0
        self.failed = 0
        self.retried = 0
        self.failures: list[SinkFailure] = []

    @property
    def suppressed(self) -> int:
        return self.suppressed_duplicate + self.suppressed_cooldown

    def counts(self) -> dict[str, int]:
        """The counters as a dict, for a run's result record.

        Examples
        --------
        >>> AlertRouter([]).counts()
        {'delivered': 0, 'suppressed': 0, 'suppressed_duplicate': 0, 'suppressed_cooldown': 0,
         'failed': 0, 'retried': 0, 'pending': 0}

        ``failed`` counts deliveries that failed on their first attempts, ``retried``
        those of them a later attempt got through, ``pending`` those still in the
        outbox (for this router's sinks; 0 without an outbox).
        """
        return {
            "delivered": self.delivered,
            "suppressed": self.suppressed,
            "suppressed_duplicate": self.suppressed_duplicate,
            "suppressed_cooldown": self.suppressed_cooldown,
            "failed": self.failed,
            "retried": self.retried,
            "pending": self.pending(),
        }

    def pending(self) -> int:
        """Alert deliveries waiting in the outbox for this router's sinks."""
        if self.outbox is None:
            return 0
        return sum(self.outbox.pending_alerts(repr(sink)) for sink in self.sinks)

    def flush(self) -> int:
        """Send again every outbox batch whose wait is over; return how many alert
        deliveries got through (also added to ``retried``)."""
        if self.outbox is None:
            return 0
        before = self.retried
        for sink in self.sinks:
            for pending in self.outbox.due(repr(sink)):
                try:
                    sink.send(pending.alerts)
                except Exception as err:  # still down: wait longer, never raise
                    self.outbox.failed_again(pending, f"{type(err).__name__}: {err}")
                    continue
                self.outbox.delivered(pending)
                self.retried += len(pending.alerts)
        return self.retried - before

    def _admit(self, alerts: Iterable[Alert]) -> list[Alert]:
        passed = []
        for alert in sorted(alerts, key=lambda a: a.time):
            key = (alert.monitor, alert.time, alert.kind)
            if self.dedup and key in self._seen:
                self.suppressed_duplicate += 1
                continue
            last = self._last.get((alert.monitor, alert.kind))
            if self.cooldown and last is not None and alert.time - last < self.cooldown:
                self.suppressed_cooldown += 1
                continue
            self._seen.add(key)
            self._last[(alert.monitor, alert.kind)] = alert.time
            passed.append(alert)
        return passed

    def _deliver(self, sink: AlertSink, batch: tuple[Alert, ...]) -> None:
        attempts = self.retries + 1
        error: Exception | None = None
        for attempt in range(attempts):
            if attempt and self.backoff:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                sink.send(batch)
                return
            except Exception as err:  # any sink error is reported, never raised
                error = err
                logger.debug(
                    "sink %r failed (attempt %d of %d): %s", sink, attempt + 1, attempts, err
                )
        message = f"{type(error).__name__}: {error}"
        self.failed += len(batch)
        self.failures.append(SinkFailure(repr(sink), len(batch), message, attempts, batch))
        if self.outbox is not None:
            self.outbox.put(repr(sink), batch, message, attempts)
        logger.warning(
            "alert sink %r failed after %d attempts; %d alert(s) not delivered to it "
            "(times %d..%d): %s",
            sink,
            attempts,
            len(batch),
            batch[0].time,
            batch[-1].time,
            message,
        )

    def route(self, alerts: Iterable[Alert]) -> list[Alert]:
        """Filter ``alerts`` and deliver the rest to every sink; return the delivered ones.

        Examples
        --------
        >>> router = AlertRouter([], dedup=True)
        >>> a = Alert(5, "m", "PH", "error", None, 0.5)
        >>> len(router.route([a])), len(router.route([a])), router.suppressed
        (1, 0, 1)
        """
        alerts = list(alerts)
        for alert in alerts:
            if not isinstance(alert, Alert):
                raise ValueError(f"route takes Alert records, got {alert!r}")
        self.flush()  # older failed batches first, so each sink gets them in order
        batch = self._admit(alerts)
        if not batch:
            return []
        self.delivered += len(batch)
        shared = tuple(batch)  # one immutable batch, so no sink can change what the next sees
        for sink in self.sinks:
            self._deliver(sink, shared)
        return batch
