"""Tests for simulator.alerts: the Alert record, each sink against a real endpoint, the router.

SMTP and webhook sinks are tested against real servers on 127.0.0.1 (aiosmtpd and
http.server), started and stopped by each test's fixture.
"""

from __future__ import annotations

import email
import email.policy
import json
import logging
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from aiosmtpd.controller import Controller

from simulator.alerts import (
    Alert,
    AlertRouter,
    AlertSink,
    CallbackSink,
    JsonlSink,
    SmtpSink,
    SqliteSink,
    WebhookSink,
)


def _alert(time: int = 523, monitor: str = "err-adwin", kind: str = "drift", **kw) -> Alert:
    values = {
        "detector": "ADWIN",
        "signal": "error",
        "statistic": 0.25,
        "severity": 0.75,
        "details": {"window": 200},
    }
    values.update(kw)
    return Alert(time, monitor, kind=kind, **values)


BATCH = (
    _alert(),
    _alert(610, "feat-ks", detector="KS", signal="feature:petal length (cm)", statistic=None),
    _alert(700, kind="warning", statistic=float("inf"), severity=0.0, details={}),
)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # urllib honours *_proxy variables; the tests talk to loopback only
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- servers


class _Mailbox:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes
        ]


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, _Mailbox]]:
    mailbox = _Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, mailbox
    finally:
        controller.stop()


class _Hook(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _HookHandler)
        self.requests: list[tuple[dict, bytes]] = []
        self.status = 200
        self.delay = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class _HookHandler(BaseHTTPRequestHandler):
    server: _Hook

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append((dict(self.headers), body))
        if self.server.delay:
            time.sleep(self.server.delay)
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output quiet


@pytest.fixture
def webhook_server() -> Iterator[_Hook]:
    server = _Hook()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# ---------------------------------------------------------------- Alert


def test_alert_round_trips_through_dict_and_json() -> None:
    for alert in BATCH:
        data = json.loads(json.dumps(alert.to_dict(), allow_nan=False))
        assert Alert.from_dict(data) == alert
    assert BATCH[2].to_dict()["statistic"] == "inf"
    assert list(BATCH[0].to_dict()) == [
        "time",
        "monitor",
        "detector",
        "signal",
        "statistic",
        "severity",
        "kind",
        "details",
    ]


def test_alert_normalises_numpy_and_nan() -> None:
    alert = Alert(
        np.int64(5),
        "m",
        "KS",
        "feature:x",
        np.float64("nan"),
        np.float32(0.5),
        details={"p": np.float64(0.01), "bins": np.arange(3)},
    )
    assert alert.time == 5 and type(alert.time) is int
    assert alert.statistic is None
    assert alert.severity == 0.5 and type(alert.severity) is float
    assert alert.to_dict()["details"] == {"p": 0.01, "bins": [0, 1, 2]}
    assert hash(alert) == hash(Alert(5, "m", "KS", "feature:x", None, 0.5))


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"time": -1}, r"time must be >= 0, got -1"),
        ({"time": 1.5}, r"time must be an integer, got 1.5"),
        ({"severity": 2.0}, r"severity must be <= 1.0, got 2.0"),
        ({"kind": "alarm"}, r"kind must be one of \['drift', 'warning'\], got 'alarm'"),
        ({"monitor": ""}, r"monitor must be a non-empty string, got ''"),
        ({"statistic": "big"}, r"statistic must be a number or None, got 'big'"),
        ({"details": {"f": object}}, r"details must be JSON-serialisable"),
    ],
)
def test_alert_rejects_bad_fields(kwargs: dict, pattern: str) -> None:
    values = {"time": 1, "monitor": "m", "detector": "PH", "signal": "error"}
    values.update({"statistic": 1.0, "severity": 0.5})
    values.update(kwargs)
    with pytest.raises(ValueError, match=pattern):
        Alert(**values)


def test_from_dict_rejects_unknown_fields() -> None:
    data = {**BATCH[0].to_dict(), "colour": "red"}
    with pytest.raises(ValueError, match=r"unknown alert field 'colour'; allowed: \['time'"):
        Alert.from_dict(data)


# ---------------------------------------------------------------- sinks


def test_sinks_satisfy_the_protocol(tmp_path: Path) -> None:
    sinks = [
        JsonlSink(tmp_path / "a.jsonl"),
        SqliteSink(":memory:"),
        SmtpSink("127.0.0.1", 25, "a@localhost", ["b@localhost"]),
        WebhookSink("http://127.0.0.1:1/"),
        CallbackSink(print),
    ]
    assert all(isinstance(s, AlertSink) for s in sinks)
    assert [getattr(s, "durable", False) for s in sinks] == [True, True, False, False, False]


def test_jsonl_sink_appends_one_line_per_alert(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "alerts.jsonl"
    sink = JsonlSink(path)
    sink.send(BATCH[:2])
    sink.send(BATCH[2:])
    sink.send([])
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    assert [json.loads(line)["monitor"] for line in lines] == ["err-adwin", "feat-ks", "err-adwin"]
    assert sink.read() == list(BATCH)


def test_sqlite_sink_writes_one_row_per_alert(tmp_path: Path) -> None:
    path = tmp_path / "alerts.db"
    with SqliteSink(path, table="drift_alerts") as sink:
        sink.send(BATCH)
        assert sink.read() == list(BATCH)
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT time, detector, signal, statistic, kind FROM drift_alerts "
            "WHERE monitor = ? ORDER BY time",
            ("err-adwin",),
        ).fetchall()
    conn.close()
    assert rows == [
        (523, "ADWIN", "error", 0.25, "drift"),
        (700, "ADWIN", "error", float("inf"), "warning"),
    ]
    # a second sink on the same file appends to the existing table
    with SqliteSink(path, table="drift_alerts") as again:
        again.send(BATCH[:1])
        assert len(again.read()) == 4


def test_sqlite_sink_stores_hostile_text_as_data(tmp_path: Path) -> None:
    """Values are bound as parameters, so SQL in a monitor name is just text."""
    name = "m'); DROP TABLE alerts; --"
    with SqliteSink(tmp_path / "a.db") as sink:
        sink.send([_alert(monitor=name)])
        sink.send([_alert(monitor="after")])
        assert [a.monitor for a in sink.read()] == [name, "after"]


@pytest.mark.parametrize("table", ["alerts; DROP TABLE x", "1alerts", "al-erts", ""])
def test_sqlite_sink_rejects_non_identifier_table(table: str) -> None:
    with pytest.raises(ValueError, match=r"table must be a plain identifier .*got " + "'"):
        SqliteSink(":memory:", table=table)


def test_smtp_sink_delivers_to_a_real_server(smtp_server) -> None:
    port, mailbox = smtp_server
    sink = SmtpSink(
        "127.0.0.1", port, "driftsim@localhost", ["ops@localhost", "ml@localhost"], timeout=5
    )
    sink.send(BATCH[:1])
    sink.send(BATCH)
    assert len(mailbox.envelopes) == 2
    assert mailbox.envelopes[0].mail_from == "driftsim@localhost"
    assert mailbox.envelopes[0].rcpt_tos == ["ops@localhost", "ml@localhost"]
    first, second = mailbox.messages()
    assert first["Subject"] == "[driftsim] drift: err-adwin at t=523"
    body = first.get_content()
    assert "t=523 drift monitor=err-adwin detector=ADWIN signal=error" in body
    assert "severity=0.75" in body
    assert (
        second["Subject"]
        == "[driftsim] 3 alerts (drift, warning): err-adwin, feat-ks at t=523..700"
    )
    body = second.get_content()
    # the JSON section carries each alert exactly
    lines = body.splitlines()
    json_lines = lines[lines.index("JSON:") + 1 :]
    assert [Alert.from_dict(json.loads(line)) for line in json_lines] == list(BATCH)


def test_smtp_subject_names_at_most_three_monitors() -> None:
    sink = SmtpSink("127.0.0.1", 25, "a@localhost", "b@localhost")
    msg = sink.message([_alert(10 + i, f"m{i}") for i in range(5)])
    assert msg["Subject"] == "[driftsim] 5 alerts (drift): m0, m1, m2, +2 more at t=10..14"
    assert all(f"monitor=m{i}" in msg.get_content() for i in range(5))


def test_webhook_sink_posts_json(webhook_server: _Hook) -> None:
    sink = WebhookSink(webhook_server.url, timeout=5, headers={"X-Token": "t0k"})
    sink.send(BATCH)
    assert len(webhook_server.requests) == 1
    headers, body = webhook_server.requests[0]
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Token"] == "t0k"
    payload = json.loads(body)
    assert [Alert.from_dict(a) for a in payload["alerts"]] == list(BATCH)
    assert "t0k" not in repr(sink)


def test_callback_sink_gets_a_list() -> None:
    got = []
    CallbackSink(got.append).send(tuple(BATCH))
    assert got == [list(BATCH)]


def test_sink_argument_errors() -> None:
    with pytest.raises(ValueError, match=r"url must start with http:// or https://, got 'x'"):
        WebhookSink("x")
    with pytest.raises(ValueError, match=r"port must be <= 65535, got 70000"):
        SmtpSink("127.0.0.1", 70000, "a@b", "c@d")
    with pytest.raises(ValueError, match=r"recipients must name at least one address"):
        SmtpSink("127.0.0.1", 25, "a@b", [])
    with pytest.raises(ValueError, match=r"timeout must be > 0.0, got 0"):
        WebhookSink("http://127.0.0.1/", timeout=0)
    with pytest.raises(ValueError, match=r"fn must be callable, got 3"):
        CallbackSink(3)


def test_smtp_password_is_not_shown() -> None:
    sink = SmtpSink("127.0.0.1", 25, "a@b", "c@d", username="u", password="hunter2")
    assert "hunter2" not in repr(sink)
    assert "hunter2" not in str(vars(sink).get("password", ""))


# ---------------------------------------------------------------- router: filtering


def _times(alerts: list[Alert]) -> list[tuple[int, str, str]]:
    return [(a.time, a.monitor, a.kind) for a in alerts]


def test_cooldown_and_dedup_on_a_hand_built_sequence() -> None:
    received: list[list[Alert]] = []
    router = AlertRouter([CallbackSink(received.append)], cooldown=100)
    first = router.route(
        [
            _alert(100, "a"),
            _alert(100, "a"),  # duplicate
            _alert(150, "a"),  # cooldown (50 < 100 after 100)
            _alert(120, "b"),  # other monitor: its own cooldown
            _alert(130, "a", kind="warning"),  # warnings cool down apart from drifts
        ]
    )
    assert _times(first) == [(100, "a", "drift"), (120, "b", "drift"), (130, "a", "warning")]
    # state carries across batches; input order within a batch does not matter
    second = router.route([_alert(250, "a"), _alert(199, "a"), _alert(219, "b"), _alert(220, "b")])
    assert _times(second) == [(220, "b", "drift"), (250, "a", "drift")]
    # a199 and b219 fall 99 samples after the last delivered alert; b220 is 100 after
    # an alert older than the last delivered one is inside the cooldown too
    assert router.route([_alert(200, "a")]) == []
    assert router.delivered == 5
    assert router.suppressed_duplicate == 1
    assert router.suppressed_cooldown == 4
    assert router.suppressed == 5
    assert router.counts()["failed"] == 0
    assert [_times(b) for b in received] == [_times(first), _times(second)]


def test_cooldown_counts_from_the_last_delivered_alert() -> None:
    router = AlertRouter([], cooldown=10)
    delivered = [router.route([_alert(t)]) != [] for t in range(0, 40, 4)]
    # 0 delivered; 4, 8 suppressed; 12 delivered (12 - 0 >= 10); 16, 20 suppressed; 24 ...
    assert delivered == [True, False, False, True, False, False, True, False, False, True]


def test_zero_cooldown_keeps_only_dedup() -> None:
    router = AlertRouter([], cooldown=0)
    out = router.route([_alert(5), _alert(5), _alert(6), _alert(5, kind="warning")])
    assert len(out) == 3 and router.suppressed_duplicate == 1 and router.suppressed_cooldown == 0
    no_dedup = AlertRouter([], dedup=False)
    assert len(no_dedup.route([_alert(5), _alert(5)])) == 2


def test_reset_forgets_state() -> None:
    router = AlertRouter([], cooldown=100)
    router.route([_alert(1), _alert(2)])
    router.reset()
    assert router.counts() == dict.fromkeys(router.counts(), 0)
    assert len(router.route([_alert(1)])) == 1


def test_router_argument_errors() -> None:
    with pytest.raises(ValueError, match=r"cooldown must be >= 0, got -5"):
        AlertRouter([], cooldown=-5)
    with pytest.raises(ValueError, match=r"retries must be an integer, got 1.5"):
        AlertRouter([], retries=1.5)
    with pytest.raises(ValueError, match=r"backoff must be >= 0.0, got -1"):
        AlertRouter([], backoff=-1)
    with pytest.raises(ValueError, match=r"each sink needs a send\(alerts\) method, got 'x'"):
        AlertRouter(["x"])


# ---------------------------------------------------------------- router: failures


class _Flaky:
    """Fails the first ``fails`` calls, then records batches."""

    def __init__(self, fails: int) -> None:
        self.fails = fails
        self.calls = 0
        self.got: list[list[Alert]] = []

    def send(self, alerts) -> None:
        self.calls += 1
        if self.calls <= self.fails:
            raise OSError(f"boom {self.calls}")
        self.got.append(list(alerts))

    def __repr__(self) -> str:
        return "Flaky()"


def test_failing_sink_is_retried_reported_and_never_raises(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    order: list[str] = []
    flaky = _Flaky(fails=10)
    after = CallbackSink(lambda batch: order.append("after"))
    jsonl = JsonlSink(tmp_path / "a.jsonl")
    sqlite = SqliteSink(tmp_path / "a.db")
    router = AlertRouter([flaky, after, jsonl, sqlite], retries=3)
    # durable sinks go first even when listed last
    assert router.sinks[:2] == [jsonl, sqlite]
    with caplog.at_level(logging.WARNING, logger="simulator.alerts"):
        out = router.route(BATCH[:2])
    assert out == list(BATCH[:2])
    assert flaky.calls == 4  # 1 + retries
    assert order == ["after"]  # the next sink still ran
    assert jsonl.read() == list(BATCH[:2])
    assert sqlite.read() == list(BATCH[:2])
    (failure,) = router.failures
    assert failure.sink == "Flaky()"
    assert failure.n_alerts == 2 and failure.attempts == 4
    assert failure.error == "OSError: boom 4"
    assert failure.alerts == BATCH[:2]
    assert router.failed == 2 and router.delivered == 2
    assert "Flaky()" in caplog.text and "boom 4" in caplog.text
    sqlite.close()


def test_failing_durable_sink_keeps_the_alerts_in_failures(tmp_path: Path) -> None:
    got: list[list[Alert]] = []
    broken = JsonlSink(tmp_path / "alerts.jsonl")
    (tmp_path / "alerts.jsonl").mkdir()  # a folder appears there: every write fails
    router = AlertRouter([CallbackSink(got.append), broken], retries=1)
    router.route(BATCH)
    (failure,) = router.failures
    assert "IsADirectoryError" in failure.error
    assert failure.alerts == BATCH
    assert got == [list(BATCH)]


def test_retry_that_succeeds_is_not_a_failure() -> None:
    flaky = _Flaky(fails=2)
    sleeps: list[float] = []
    router = AlertRouter([flaky], retries=2, backoff=0.5, sleep=sleeps.append)
    router.route(BATCH[:1])
    assert flaky.got == [list(BATCH[:1])]
    assert router.failures == [] and router.failed == 0
    assert sleeps == [0.5, 1.0]  # exponential backoff between attempts


def test_smtp_server_down_is_reported_and_jsonl_keeps_the_alert(tmp_path: Path) -> None:
    port = _free_port()  # nothing listens here
    smtp = SmtpSink("127.0.0.1", port, "a@localhost", "b@localhost", timeout=2)
    jsonl = JsonlSink(tmp_path / "a.jsonl")
    router = AlertRouter([smtp, jsonl], retries=1)
    router.route(BATCH[:1])
    (failure,) = router.failures
    assert failure.sink.startswith("SmtpSink(") and "ConnectionRefusedError" in failure.error
    assert failure.attempts == 2
    assert jsonl.read() == list(BATCH[:1])


def test_webhook_error_status_is_retried(tmp_path: Path, webhook_server: _Hook) -> None:
    webhook_server.status = 500
    sqlite = SqliteSink(tmp_path / "a.db")
    router = AlertRouter([WebhookSink(webhook_server.url, timeout=5), sqlite], retries=2)
    router.route(BATCH)
    assert len(webhook_server.requests) == 3
    (failure,) = router.failures
    assert "HTTPError" in failure.error and "500" in failure.error
    assert sqlite.read() == list(BATCH)
    sqlite.close()


def test_webhook_timeout_is_a_failure(webhook_server: _Hook) -> None:
    webhook_server.delay = 0.5
    router = AlertRouter([WebhookSink(webhook_server.url, timeout=0.1)], retries=1)
    router.route(BATCH[:1])
    (failure,) = router.failures
    assert "timed out" in failure.error
    assert failure.attempts == 2


def test_smtp_and_webhook_through_the_router(smtp_server, webhook_server: _Hook) -> None:
    port, mailbox = smtp_server
    router = AlertRouter(
        [
            SmtpSink("127.0.0.1", port, "a@localhost", "b@localhost", timeout=5),
            WebhookSink(webhook_server.url, timeout=5),
        ],
        cooldown=50,
    )
    router.route([_alert(100), _alert(120), _alert(130, "other")])
    assert router.failures == []
    (msg,) = mailbox.messages()
    assert "err-adwin, other" in msg["Subject"] and "t=100..130" in msg["Subject"]
    ((_, body),) = webhook_server.requests
    assert [a["time"] for a in json.loads(body)["alerts"]] == [100, 130]
