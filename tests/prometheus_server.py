"""A real Prometheus server on 127.0.0.1 for tests (Debian's ``prometheus`` package).

Examples
--------
>>> free_port() > 0
True
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

__all__ = ["free_port", "query", "running_prometheus"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_prometheus(config: str, workdir: Path, data_dir: Path | None = None,
                       retention: str = "10y") -> Iterator[str]:
    """Start ``prometheus`` with ``config`` (YAML text); yield its base URL; stop it."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "prometheus.yml").write_text(config)
    port = free_port()
    log = (workdir / "prometheus.log").open("w")
    proc = subprocess.Popen(
        ["prometheus", f"--config.file={workdir / 'prometheus.yml'}",
         f"--storage.tsdb.path={data_dir or workdir / 'data'}",
         f"--storage.tsdb.retention.time={retention}",
         f"--web.listen-address=127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            # not listening yet: refused connections are expected until it is
            with contextlib.suppress(OSError), urllib.request.urlopen(
                f"{url}/-/ready", timeout=2
            ) as r:
                if r.status == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"prometheus did not start: {(workdir / 'prometheus.log').read_text()[-3000:]}"
                )
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def query(url: str, promql: str, at: float | None = None) -> list[dict]:
    """Run an instant query; return the ``data.result`` list."""
    params = {"query": promql}
    if at is not None:
        params["time"] = f"{at:.3f}"
    full = f"{url}/api/v1/query?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(full, timeout=30) as r:
        body = json.loads(r.read())
    if body["status"] != "success":
        raise RuntimeError(f"query {promql!r} failed: {body}")
    return body["data"]["result"]
