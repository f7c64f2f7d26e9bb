"""Nothing lost on delivery: failed alert batches wait in a SQLite outbox and are sent
again, with backoff, once the server is back — tested against real servers on
127.0.0.1 (http.server and aiosmtpd) that are down first and come up later."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from experiments.run import compose, run
from simulator.alerts import Alert, AlertRouter, JsonlSink, SmtpSink, WebhookSink
from simulator.outbox import Outbox


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.bodies.append(json.loads(body))  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet: http.server logs every request to stderr."""


@contextmanager
def _webhook(port: int) -> Iterator[list[dict]]:
    server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    server.bodies = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.bodies  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _times(bodies: list[dict]) -> list[list[int]]:
    return [[a["time"] for a in body["alerts"]] for body in bodies]


def _alert(t: int) -> Alert:
    return Alert(t, "err", "ADWIN", "error", 0.2, 0.5)


def test_webhook_down_then_up_gets_every_batch_in_order(tmp_path: Path) -> None:
    port = _free_port()
    sink = WebhookSink(f"http://127.0.0.1:{port}/hook", timeout=2)
    router = AlertRouter([sink], retries=0, outbox=Outbox(tmp_path / "o.db", backoff=0.0))
    router.route([_alert(100)])  # nobody listens: refused
    router.route([_alert(200)])
    assert router.counts()["failed"] == 2 and router.pending() == 2
    with _webhook(port) as bodies:
        router.route([_alert(300)])
    assert _times(bodies) == [[100], [200], [300]]
    counts = router.counts()
    assert (counts["delivered"], counts["failed"], counts["retried"], counts["pending"]) == (
        3, 2, 2, 0)


def test_outbox_waits_its_backoff_and_doubles_it(tmp_path: Path) -> None:
    now = [1000.0]
    box = Outbox(tmp_path / "o.db", backoff=10.0, clock=lambda: now[0])
    port = _free_port()
    router = AlertRouter([WebhookSink(f"http://127.0.0.1:{port}/", timeout=2)], retries=0,
                         outbox=box)
    router.route([_alert(1)])
    now[0] += 9.0
    assert router.flush() == 0 and box.due(repr(router.sinks[0])) == []  # not yet due
    now[0] += 1.0
    assert router.flush() == 0  # due, tried, still down: next wait is 20 s
    assert box.due(repr(router.sinks[0])) == []
    now[0] += 19.0
    assert box.due(repr(router.sinks[0])) == []
    now[0] += 1.0
    (pending,) = box.due(repr(router.sinks[0]))
    assert pending.attempts == 2 and "Connection refused" in pending.error
    with _webhook(port) as bodies:
        assert router.flush() == 1
    assert _times(bodies) == [[1]] and router.pending() == 0


def test_outbox_outlives_the_process_that_failed(tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/hook"
    first = AlertRouter([WebhookSink(url, timeout=2)], retries=1,
                        outbox=Outbox(tmp_path / "o.db", backoff=0.0))
    first.route([_alert(7)])
    del first
    # A later run (a new router on the same file and the same sink) delivers it.
    later = AlertRouter([WebhookSink(url, timeout=2)], retries=0,
                        outbox=Outbox(tmp_path / "o.db", backoff=0.0))
    assert later.pending() == 1
    with _webhook(port) as bodies:
        assert later.flush() == 1
    assert _times(bodies) == [[7]]


class _Mailbox:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"


def test_smtp_down_then_up_and_the_file_sink_never_waits(tmp_path: Path) -> None:
    port = _free_port()
    smtp = SmtpSink("127.0.0.1", port, "a@localhost", "ops@localhost", timeout=2)
    jsonl = JsonlSink(tmp_path / "alerts.jsonl")
    router = AlertRouter([smtp, jsonl], retries=0, outbox=Outbox(tmp_path / "o.db", backoff=0))
    router.route([_alert(11)])
    assert [a.time for a in jsonl.read()] == [11]  # the durable record exists at once
    assert router.pending() == 1
    mailbox = _Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        router.route([_alert(12)])
    finally:
        controller.stop()
    subjects = [email.message_from_bytes(e.content, policy=email.policy.default)["Subject"]
                for e in mailbox.envelopes]
    assert subjects == ["[driftsim] drift: err at t=11", "[driftsim] drift: err at t=12"]
    assert [a.time for a in jsonl.read()] == [11, 12]  # the file sink got each once
    assert router.counts()["retried"] == 1 and router.pending() == 0


def test_result_json_counts_delivered_failed_retried_and_pending(tmp_path: Path) -> None:
    port = _free_port()
    overrides = ["n_samples=3000", "drift=abrupt_concept", "policy=never", "plot=false",
                 "score.oracle=false", "save_trace=false",
                 f"alert_sinks=[jsonl,'http://127.0.0.1:{port}/hook']"]
    down = run(compose(overrides), output_dir=tmp_path)
    alerts = down["alerts"]
    assert alerts["delivered"] >= 1
    assert alerts["failed"] == alerts["delivered"] == alerts["pending"]
    assert alerts["retried"] == 0
    saved = json.loads((tmp_path / "result.json").read_text())["alerts"]
    assert saved == alerts
    time.sleep(1.1)  # the run's outbox waits 1 s before its first retry
    with _webhook(port) as bodies:
        again = run(compose([*overrides, "resume=false"]), output_dir=tmp_path)
    # The rerun first delivers what the first run could not, then its own alerts.
    assert again["alerts"]["retried"] == alerts["failed"]
    assert again["alerts"]["failed"] == 0 and again["alerts"]["pending"] == 0
    assert len(bodies) == 2 * alerts["delivered"]
