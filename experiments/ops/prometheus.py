"""A run's metrics for Prometheus: timestamped OpenMetrics for backfill, or live.

A simulated run has no wall clock: sample ``t`` is mapped to ``start +
t * seconds_per_sample`` seconds. Every ``step`` samples the exporter takes one
snapshot of the run's state:

=================================== ======= ==============================================
metric                              type    meaning
=================================== ======= ==============================================
``driftsim_accuracy``               gauge   served accuracy over the last ``window``
                                            samples (measured: the simulator knows the
                                            truth; a real deployment sees it late)
``driftsim_accuracy_sla``           gauge   the accuracy the model must keep
``driftsim_estimated_accuracy``     gauge   a label-free estimate, where the run has one
``driftsim_health_score``           gauge   health in [0, 100], where the run has one
``driftsim_drift_alarms_total``     counter drift alerts so far, per monitor
``driftsim_drift_severity``         gauge   severity in [0, 1] of each monitor's last alert
``driftsim_retrains_total``         counter retraining jobs started so far
``driftsim_model_version``          gauge   the registry version serving
``driftsim_retrain_queue_length``   gauge   jobs waiting for a slot (fleet runs)
``driftsim_budget_used_ratio``      gauge   share of the retraining budget spent (fleet runs)
=================================== ======= ==============================================

Every series carries a ``model`` label. :func:`write_openmetrics` writes the snapshots
as one OpenMetrics file (through ``prometheus_client``), :func:`backfill` turns it into
TSDB blocks with ``promtool``; :class:`LiveExporter` serves the same snapshots on
``/metrics`` as the run advances.

Examples
--------
>>> import numpy as np
>>> from simulator import Trace
>>> ok = np.array([1, 1, 0, 1, 0, 0], dtype=bool)
>>> trace = Trace(prediction=[0] * 6, correct=ok, model_version=[1] * 6,
...               y_true=[0] * 6, label_revealed=[True] * 6, label_time=list(range(6)))
>>> snap = snapshots_from_trace(trace, model="m", step=3, window=3)
>>> snap.times.tolist(), snap.gauges["driftsim_accuracy"][("m",)].round(2).tolist()
([0, 3, 5], [1.0, 0.67, 0.33])
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.openmetrics.exposition import generate_latest
from prometheus_client.registry import CollectorRegistry

from experiments.files import atomic_write

__all__ = [
    "HELP",
    "LiveExporter",
    "Snapshots",
    "backfill",
    "main",
    "openmetrics_text",
    "snapshots_from_fleet",
    "snapshots_from_trace",
    "write_openmetrics",
]

#: 2026-01-01T00:00:00Z: the default wall-clock time of sample 0.
DEFAULT_START = 1_767_225_600.0

HELP = {
    "driftsim_accuracy": "Served accuracy over the last window of samples (measured).",
    "driftsim_accuracy_sla": "The accuracy the model must keep (its SLA).",
    "driftsim_estimated_accuracy": "Label-free estimate of the served accuracy.",
    "driftsim_health_score": "Model health in [0, 100].",
    "driftsim_drift_alarms": "Drift alerts raised so far, per monitor.",
    "driftsim_drift_severity": "Severity in [0, 1] of the monitor's most recent alert.",
    "driftsim_retrains": "Retraining jobs started so far.",
    "driftsim_model_version": "Registry version of the model serving.",
    "driftsim_retrain_queue_length": "Retraining jobs waiting for a slot.",
    "driftsim_budget_used_ratio": "Share of the retraining budget spent so far.",
}
_LABELS = {"driftsim_drift_alarms": ("model", "monitor"),
           "driftsim_drift_severity": ("model", "monitor"),
           "driftsim_retrain_queue_length": ("fleet",),
           "driftsim_budget_used_ratio": ("fleet",)}


@dataclass
class Snapshots:
    """Metric values of one or more runs at snapshot times (sample indices).

    ``gauges[name][label_values]`` and ``counters[name][label_values]`` are arrays
    aligned with ``times``; label values follow the order in ``labels(name)``
    (``("model",)`` or ``("model", "monitor")``).

    Examples
    --------
    >>> s = Snapshots(times=np.array([0, 10]))
    >>> s.gauges["driftsim_accuracy"] = {("m",): np.array([0.9, 0.8])}
    >>> s.labels("driftsim_drift_alarms")
    ('model', 'monitor')
    """

    times: np.ndarray
    gauges: dict[str, dict[tuple[str, ...], np.ndarray]] = field(default_factory=dict)
    counters: dict[str, dict[tuple[str, ...], np.ndarray]] = field(default_factory=dict)

    @staticmethod
    def labels(name: str) -> tuple[str, ...]:
        return _LABELS.get(name, ("model",))

    def merge(self, other: Snapshots) -> Snapshots:
        """Both runs' series in one (same snapshot times required)."""
        if not np.array_equal(self.times, other.times):
            raise ValueError("snapshots to merge must share their times")
        out = Snapshots(self.times)
        for kind in ("gauges", "counters"):
            mine, theirs = getattr(self, kind), getattr(other, kind)
            merged = getattr(out, kind)
            for name in {*mine, *theirs}:
                merged[name] = {**mine.get(name, {}), **theirs.get(name, {})}
        return out

    def at(self, i: int) -> Snapshots:
        """The single snapshot ``i`` (for the live exporter)."""
        out = Snapshots(self.times[i : i + 1])
        for kind in ("gauges", "counters"):
            getattr(out, kind).update({
                name: {k: v[i : i + 1] for k, v in series.items()}
                for name, series in getattr(self, kind).items()
            })
        return out


def _last_value_at(times: np.ndarray, event_times: np.ndarray, values: np.ndarray,
                   default: float) -> np.ndarray:
    idx = np.searchsorted(event_times, times, side="right") - 1
    return np.where(idx >= 0, values[np.maximum(idx, 0)] if values.size else default, default)


def snapshots_from_trace(
    trace: object,
    *,
    model: str,
    step: int = 100,
    window: int = 500,
    sla: float | None = None,
    extra_gauges: Mapping[str, np.ndarray] | None = None,
) -> Snapshots:
    """Snapshots of a :class:`~simulator.Trace` every ``step`` samples (and the last).

    ``extra_gauges`` adds per-sample series computed elsewhere (e.g.
    ``driftsim_estimated_accuracy`` or ``driftsim_health_score``), sampled at the same
    times.
    """
    if step < 1 or window < 1:
        raise ValueError(f"step and window must be >= 1, got step={step}, window={window}")
    n = trace.n_samples
    times = np.unique(np.append(np.arange(0, n, step), n - 1))
    key = (model,)
    snap = Snapshots(times)
    rolling = trace.rolling_accuracy(window)
    snap.gauges["driftsim_accuracy"] = {key: rolling[times]}
    snap.gauges["driftsim_model_version"] = {key: trace.model_version[times].astype(float)}
    if sla is not None:
        snap.gauges["driftsim_accuracy_sla"] = {key: np.full(times.size, float(sla))}
    for name, values in (extra_gauges or {}).items():
        snap.gauges[name] = {key: np.asarray(values, dtype=float)[times]}
    retrains = np.array([e.time for e in trace.events_of("retrain_start")], dtype=np.int64)
    snap.counters["driftsim_retrains"] = {
        key: np.searchsorted(np.sort(retrains), times, side="right").astype(float)
    }
    alerts = [e for e in trace.events_of("alert")]
    monitors = sorted({str(e.details.get("monitor")) for e in alerts})
    snap.counters["driftsim_drift_alarms"] = {}
    snap.gauges["driftsim_drift_severity"] = {}
    for monitor in monitors:
        mine = [e for e in alerts if str(e.details.get("monitor")) == monitor]
        at = np.array([e.time for e in mine], dtype=np.int64)
        severity = np.array([float(e.details.get("severity") or 0.0) for e in mine])
        snap.counters["driftsim_drift_alarms"][(model, monitor)] = np.searchsorted(
            at, times, side="right").astype(float)
        snap.gauges["driftsim_drift_severity"][(model, monitor)] = _last_value_at(
            times, at, severity, 0.0)
    return snap


def snapshots_from_fleet(result: object, *, fleet: str = "fleet",
                         monitor: str = "error/DDM") -> Snapshots:
    """Snapshots of a :class:`~simulator.fleet.FleetResult`, one per tick.

    Per model: health, served accuracy, its SLA, the serving version, drift alarms
    (``monitor`` names the lanes' label monitor) and retraining jobs started; for the
    fleet: jobs waiting for a slot and the share of job slots in use.

    Examples
    --------
    >>> from simulator.fleet import make_fleet, run_fleet
    >>> r = run_fleet(make_fleet(3, seed=0, n_samples=6000), "periodic", seed=0)
    >>> snap = snapshots_from_fleet(r)
    >>> sorted(snap.gauges["driftsim_health_score"]), snap.times.size
    ([('m0000',), ('m0001',), ('m0002',)], 6)
    """
    ticks = np.arange(result.n_ticks)
    snap = Snapshots(ticks)
    names = [m.name for m in result.spec.models]
    per_model = {
        "driftsim_health_score": result.health,
        "driftsim_accuracy": result.true_accuracy,
        "driftsim_accuracy_sla": np.repeat(result.sla[:, None], ticks.size, axis=1),
        "driftsim_model_version": result.version,
    }
    for name, values in per_model.items():
        snap.gauges[name] = {(m,): np.asarray(values[i], float) for i, m in enumerate(names)}
    started = np.zeros((len(names), ticks.size))
    waiting = np.zeros(ticks.size)
    for job in result.jobs:
        if job["started"] is not None:
            started[job["model"], job["started"]:] += 1
        end = job["started"] if job["started"] is not None else (
            job["dropped"] if job["dropped"] is not None else ticks.size)
        waiting[job["requested"]:end] += 1
    snap.counters["driftsim_retrains"] = {(m,): started[i] for i, m in enumerate(names)}
    snap.counters["driftsim_drift_alarms"] = {
        (m, monitor): np.cumsum(result.alarm[i]).astype(float) for i, m in enumerate(names)}
    snap.gauges["driftsim_retrain_queue_length"] = {(fleet,): waiting}
    snap.gauges["driftsim_budget_used_ratio"] = {
        (fleet,): result.slots_busy / result.budget.slots}
    return snap


def _families(snap: Snapshots, start: float, seconds_per_sample: float,
              timestamps: bool) -> Iterable[GaugeMetricFamily | CounterMetricFamily]:
    stamps = start + snap.times * seconds_per_sample
    for kind, cls in (("gauges", GaugeMetricFamily), ("counters", CounterMetricFamily)):
        for name in sorted(getattr(snap, kind)):
            family = cls(name, HELP.get(name, name), labels=list(snap.labels(name)))
            for label_values, values in sorted(getattr(snap, kind)[name].items()):
                for stamp, value in zip(stamps, values, strict=True):
                    family.add_metric(list(label_values), float(value),
                                      timestamp=float(stamp) if timestamps else None)
            yield family


class _Collector:
    def __init__(self, snap: Snapshots, start: float, seconds_per_sample: float,
                 timestamps: bool) -> None:
        self.args = (snap, start, seconds_per_sample, timestamps)

    def collect(self) -> Iterable[GaugeMetricFamily | CounterMetricFamily]:
        yield from _families(*self.args)


def openmetrics_text(snap: Snapshots, *, start: float = DEFAULT_START,
                     seconds_per_sample: float = 60.0) -> str:
    """The snapshots as OpenMetrics text, each sample with its timestamp (seconds)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(snap, start, seconds_per_sample, timestamps=True))
    return generate_latest(registry).decode()


def write_openmetrics(snap: Snapshots, path: str | os.PathLike[str], *,
                      start: float = DEFAULT_START, seconds_per_sample: float = 60.0) -> Path:
    """Write :func:`openmetrics_text` to ``path`` atomically."""
    text = openmetrics_text(snap, start=start, seconds_per_sample=seconds_per_sample)
    return atomic_write(path, lambda tmp: Path(tmp).write_text(text))


def backfill(openmetrics: str | os.PathLike[str], data_dir: str | os.PathLike[str],
             promtool: str = "promtool") -> Path:
    """TSDB blocks from an OpenMetrics file (``promtool tsdb create-blocks-from
    openmetrics``), for a Prometheus started with ``--storage.tsdb.path=data_dir``."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", str(openmetrics),
         str(data_dir)], capture_output=True, text=True, check=False, timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"promtool could not backfill {openmetrics}: {done.stderr[-2000:]}")
    return data_dir


class LiveExporter:
    """Serve a run's snapshots on ``http://host:port/metrics``, advancing in real time.

    Each snapshot is shown for ``seconds_per_snapshot`` wall-clock seconds, so a
    Prometheus scraping the endpoint sees the run unfold. Binds to 127.0.0.1 by
    default; ``port=0`` picks a free port (``self.port`` after :meth:`start`). With
    ``paused=True`` the first snapshot is served until :meth:`play` is called (e.g.
    once the scraper is up).

    Examples
    --------
    >>> import urllib.request
    >>> snap = Snapshots(times=np.array([0, 10]))
    >>> snap.gauges["driftsim_accuracy"] = {("m",): np.array([0.9, 0.8])}
    >>> with LiveExporter(snap, seconds_per_snapshot=60) as live:
    ...     body = urllib.request.urlopen(f"http://127.0.0.1:{live.port}/metrics").read()
    >>> b'driftsim_accuracy{model="m"} 0.9' in body
    True
    """

    def __init__(self, snap: Snapshots, *, host: str = "127.0.0.1", port: int = 0,
                 seconds_per_snapshot: float = 1.0, paused: bool = False) -> None:
        if seconds_per_snapshot <= 0:
            raise ValueError(f"seconds_per_snapshot must be > 0, got {seconds_per_snapshot}")
        self.snap, self.host, self.port = snap, host, port
        self.seconds_per_snapshot = seconds_per_snapshot
        self.index = 0
        self._stop = threading.Event()
        self._playing = threading.Event()
        if not paused:
            self._playing.set()

    def play(self) -> None:
        """Start advancing (for an exporter made with ``paused=True``)."""
        self._playing.set()

    def collect(self) -> Iterable[GaugeMetricFamily | CounterMetricFamily]:
        yield from _families(self.snap.at(self.index), 0.0, 0.0, timestamps=False)

    def start(self) -> LiveExporter:
        from prometheus_client import start_http_server

        registry = CollectorRegistry(auto_describe=False)
        registry.register(self)
        self._server, self._thread = start_http_server(self.port, self.host, registry)
        self.port = self._server.server_port
        self._advance = threading.Thread(target=self._run, daemon=True)
        self._advance.start()
        return self

    def _run(self) -> None:
        while not self._playing.wait(0.05):
            if self._stop.is_set():
                return
        while not self._stop.wait(self.seconds_per_snapshot):
            if self.index + 1 >= self.snap.times.size:
                return
            self.index += 1

    def stop(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LiveExporter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the last snapshot is shown; ``True`` if it was reached."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.index + 1 < self.snap.times.size:
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m experiments.ops.prometheus OUT.om (--trace TRACE.npz --model NAME |
    --fleet N [--engine E] [--seed S])``: write a run's metrics as OpenMetrics, ready
    for ``promtool tsdb create-blocks-from openmetrics OUT.om DATA_DIR``."""
    parser = argparse.ArgumentParser(prog="python -m experiments.ops.prometheus")
    parser.add_argument("out")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--trace", help="a saved run's trace.npz")
    source.add_argument("--fleet", type=int, help="simulate a fleet of N models")
    parser.add_argument("--model", default="model", help="model label of a trace")
    parser.add_argument("--engine", default="fleet", help="fleet decision engine")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-samples", type=int, default=20_000, help="samples per model")
    parser.add_argument("--seconds-per-step", type=float, default=60.0,
                        help="wall-clock seconds per snapshot (a fleet tick, or 100 samples)")
    args = parser.parse_args(argv)
    if args.trace:
        from simulator import Trace

        snap = snapshots_from_trace(Trace.load(args.trace), model=args.model, step=100)
        per_sample = args.seconds_per_step / 100
    else:
        from simulator.fleet import make_fleet, run_fleet

        fleet = make_fleet(args.fleet, seed=args.seed, n_samples=args.n_samples)
        snap = snapshots_from_fleet(run_fleet(fleet, args.engine, seed=args.seed))
        per_sample = args.seconds_per_step
    path = write_openmetrics(snap, args.out, seconds_per_sample=per_sample)
    print(f"wrote {path} ({snap.times.size} snapshots)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
