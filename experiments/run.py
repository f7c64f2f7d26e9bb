"""Run one composed config: simulate, score, and write the results.

``python -m experiments.run [overrides]`` is a thin ``@hydra.main`` over
:func:`run`, which tests and notebooks call directly with a composed config. Into
the output folder it writes ``result.json`` (the resolved config, every metric,
timings and package versions; written atomically), ``trace.npz`` and
``timeline.png`` (in a ``--multirun`` left for later, see :mod:`experiments.timelines`),
and first ``job.json`` (the config's hash). A folder that already
holds a readable ``result.json`` of the same config is not run again (``resume=true``,
the default), so an interrupted sweep rerun with the same ``hydra.sweep.dir`` only runs
the jobs that had not finished; an unreadable one is run again, and a folder of a
different config is refused (:mod:`experiments.resume`).

Examples
--------
>>> from experiments.run import compose
>>> cfg = compose(["drift=abrupt_concept", "detector=page_hinkley", "n_samples=3000",
...                "policy=never", "score.oracle=false"])
>>> result = run(cfg, output_dir=None)
>>> scores = result["monitors"]["PageHinkley"]["detector"]
>>> scores["detections"], scores["missed"]
(1, 0)
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import hydra
import numpy as np
from omegaconf import DictConfig, OmegaConf

from experiments.detector_specs import describe, run_detectors, thresholds_for
from experiments.files import atomic_write
from experiments.resume import config_hash, job_state, record_job
from experiments.safe_config import check_targets, instantiate_section
from experiments.schema import register, validate
from experiments.workers import exit_with_parent

__all__ = [
    "CONF_DIR",
    "build",
    "compose",
    "main",
    "run",
    "run_experiment",
    "write_json_atomic",
]

CONF_DIR = Path(__file__).resolve().parent.parent / "conf"
register()


def compose(overrides: Sequence[str] = (), config_name: str = "config") -> DictConfig:
    """Compose a config from ``conf/`` with Hydra's compose API (no output folder).

    Examples
    --------
    >>> compose(["detector=ddm"]).detector._target_
    'detectors.DDM'
    """
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        try:
            return hydra_compose(config_name=config_name, overrides=list(overrides))
        except (HydraException, OmegaConfBaseException, AssertionError, AttributeError) as exc:
            # Hydra's own message often leaves the reason in the chained cause
            # ("Error merging override seed=abc"), or is a bare assertion.
            reasons = [str(e).strip() for e in (exc, exc.__cause__) if e and str(e).strip()]
            reason = " | ".join(dict.fromkeys(reasons)) or type(exc).__name__
            if "NoneType" in reason:
                # OmegaConf cannot merge into a typed section that is null (an
                # AttributeError from inside its merge), so calibration is a group.
                reason += (" (calibration is null by default: switch it on with "
                           "'+calibration=on', then set its keys, e.g. "
                           "'calibration.target_rate=1.0')")
            raise ValueError(f"cannot compose the config with overrides "
                             f"{list(overrides)}: {reason}") from exc


def write_json_atomic(path: Path, payload: Any) -> None:
    """Write JSON to a temporary file beside ``path``, then rename it into place, so a
    reader (or a resumed sweep) never sees half a file."""
    text = json.dumps(payload, indent=2, default=_plain)
    atomic_write(path, lambda tmp: Path(tmp).write_text(text))


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _nan_to_none(value: Any) -> Any:
    """NaN (undefined) becomes null; ±inf (e.g. a perfect MTR) is kept, and Python's
    json writes and reads it as ``Infinity``."""
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_nan_to_none(v) for v in value]
    return value


def build(cfg: DictConfig) -> dict[str, Any]:
    """Instantiate everything a run needs from ``cfg``: stream, model, monitors, policy
    and the loop's keyword arguments (validated).

    Examples
    --------
    >>> parts = build(compose(["n_samples=600", "drift=none", "detector=ddm"]))
    >>> sorted(parts), [m.name for m in parts["monitors"]]
    (['calibration', 'detectors', 'model', 'monitors', 'policy', 'settings', 'stream'], ['DDM'])
    """
    from simulator.monitors import Monitor

    settings = validate(cfg)
    check_targets(cfg, cfg.allowed_targets)  # before anything is called
    stream = _stream(cfg)
    dataset = stream.dataset
    specs = run_detectors(cfg)
    if cfg.get("thresholds") is not None and not str(cfg.policy._target_).endswith(".Never"):
        raise ValueError(
            f"thresholds={cfg.thresholds} runs every threshold on one stream, which holds "
            f"only when no alert changes the served model: use policy=never, got "
            f"{cfg.policy._target_}"
        )
    detectors = {name: _instantiate_detector(spec, cfg.allowed_targets)
                 for name, spec in specs.items()}
    calibration: dict[str, Any] = {}
    if cfg.get("calibration"):
        detectors, calibration = _calibrate(cfg, dataset, detectors)
    monitors = [
        Monitor(cfg.monitor.signal, det, every=cfg.monitor.every, window=cfg.monitor.window,
                name=name)
        for name, det in detectors.items()
    ]
    return {
        "stream": stream,
        "model": _make("model", cfg),
        "monitors": monitors,
        "policy": _make("policy", cfg),
        "settings": settings,
        "calibration": calibration,
        "detectors": specs,
    }


def _instantiate_detector(spec: Any, allowed: Any) -> Any:
    """Build a detector from its spec, its ``_target_`` checked first: a direct call when
    its arguments are plain values (a threshold grid builds hundreds, and Hydra's
    instantiate copies each config), else, or when that fails, Hydra's instantiate
    with the section's error message."""
    check_targets({spec.section: spec.config}, allowed)
    args = {k: v for k, v in spec.config.items() if k != "_target_"}
    if not any(isinstance(v, (dict, list)) for v in args.values()):
        try:
            return spec.cls(**args)
        except Exception:  # rebuilt below by Hydra, with an error naming the section
            pass
    return instantiate_section(spec.section, spec.config, allowed)


def _calibrate(
    cfg: DictConfig, dataset: Any, detectors: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    from experiments.calibrated import calibrate_detectors, null_error_streams

    if cfg.monitor.signal != "error":
        raise ValueError(
            f"calibration works on the error signal; monitor.signal is {cfg.monitor.signal!r}"
        )
    streams = null_error_streams(
        dataset, _make("model", cfg), n_samples=cfg.calibration.null_samples,
        initial_train=cfg.loop.initial_train, seed=cfg.seed, streams=cfg.calibration.streams,
    )
    return calibrate_detectors(detectors, streams, cfg.calibration.target_rate)


#: Streams built in this process, by their config: a sweep of detectors or thresholds
#: over one stream measures its ground truth (the harm fits) once per worker.
_STREAMS: dict[str, Any] = {}
_STREAMS_KEPT = 4


def _stream(cfg: DictConfig) -> Any:
    """The run's :class:`~simulator.stream.DriftStream`, reused when this process
    already built one from the same config (it is deterministic and read-only)."""
    from simulator.stream import DriftStream

    key = json.dumps([OmegaConf.to_container(cfg[k], resolve=True) if OmegaConf.is_config(
        cfg[k]) else cfg[k] for k in ("dataset", "drift", "n_samples", "seed", "jitter")],
        sort_keys=True, default=str)
    stream = _STREAMS.get(key)
    if stream is None:
        dataset = _make("dataset", cfg)
        # A replayed log (a dataset with a time column) plays at most its own rows.
        n_samples = (cfg.n_samples if dataset.time is None
                     else min(cfg.n_samples, dataset.n_samples))
        stream = DriftStream(dataset, _make("drift", cfg), n_samples=n_samples,
                             seed=cfg.seed, jitter=cfg.jitter)
        if len(_STREAMS) >= _STREAMS_KEPT:
            del _STREAMS[next(iter(_STREAMS))]
        _STREAMS[key] = stream
    return stream


def _make(section: str, cfg: DictConfig) -> Any:
    """Build ``cfg[section]`` through the ``_target_`` allowlist."""
    return instantiate_section(section, cfg[section], cfg.allowed_targets)


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("driftsim", "numpy", "scipy", "scikit-learn", "river", "numba", "hydra-core"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            continue
    return out


def run(cfg: DictConfig, output_dir: str | Path | None = "auto") -> dict[str, Any]:
    """Simulate and score one config; write results into ``output_dir``.

    Parameters
    ----------
    cfg
        A composed config (see :func:`compose`).
    output_dir
        Where to write; ``"auto"`` means Hydra's output folder (inside
        ``@hydra.main``), ``None`` writes nothing.

    Returns
    -------
    dict
        The content of ``result.json``: ``config``; ``monitors``, the primary record:
        per monitor its scores (``detector``) beside the baselines at the same alarm
        rate; ``detectors``, per monitor its detector (label, config, sensitivity
        parameter and the value the run used, calibrated or configured);
        ``metrics``, the run's own scores (accuracy, recovery, retrains, cost: no
        detection scores, which belong to a monitor); ``any_monitor``, only when the
        run has several monitors: the detection scores of their pooled alarms, named
        ``"any of N monitors"``; ``alerts`` (delivered, failed, retried and still
        pending alert deliveries; None without sinks), ``events`` (the stream's drift
        events; for a replayed log with their dates), ``time_axis`` (for a replayed
        log: its span and each alert, retrain, deployment and rollback with its date,
        :mod:`experiments.time_axis`; else None), ``timings``, ``versions``,
        ``skipped``.

    Examples
    --------
    >>> cfg = compose(["drift=abrupt_concept", "n_samples=3000", "policy=oracle"])
    >>> result = run(cfg, output_dir=None)
    >>> result["metrics"]["retrains"], sorted(result["monitors"]["ADWIN"])
    (1, ['detector', 'never', 'periodic', 'random'])
    >>> "detections" in result["metrics"], "any_monitor" in result
    (False, False)
    """
    exit_with_parent()  # a sweep worker must not outlive a killed sweep
    out = _resolve_output_dir(output_dir)
    config = OmegaConf.to_container(cfg, resolve=True)
    validate(cfg)  # bad values and unsafe targets fail before the folder is touched
    check_targets(cfg, cfg.allowed_targets)
    finished = None if out is None else _claim_folder(cfg, out, config)
    if finished is not None:
        return finished

    timings: dict[str, float] = {}
    start = time.perf_counter()
    parts = build(cfg)
    timings["build"] = time.perf_counter() - start
    trace, router = _simulate(cfg, parts, out, timings)
    oracle_trace, sky = _references(cfg, parts["stream"], parts["settings"], timings,
                                    sweep_dir=_sweep_dir(output_dir))
    t = time.perf_counter()
    scores = _score(cfg, parts, trace, oracle_trace, sky)
    timings["score"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - start
    result = _record(config, parts, trace, router, scores, timings)
    if out is not None:
        _write_outputs(cfg, out, trace, oracle_trace, sky,
                       defer=_defer_timeline(cfg, output_dir))
        write_json_atomic(out / "result.json", result)  # last: its presence means "done"
    return result


def _record(
    config: Any,
    parts: dict[str, Any],
    trace: Any,
    router: Any,
    scores: tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None],
    timings: dict[str, float],
) -> dict[str, Any]:
    """The content of ``result.json`` (see :func:`run`), undefined values as None."""
    from experiments.time_axis import stamp_stream_events, time_axis

    metrics, per_monitor, any_monitor = scores
    return _nan_to_none({
        "config": config,
        "config_hash": config_hash(config),
        "monitors": per_monitor,
        "metrics": metrics,
        **({"any_monitor": any_monitor} if any_monitor is not None else {}),
        "detectors": {m.name: describe(parts["detectors"][m.name], m.detector)
                      for m in parts["monitors"]},
        "calibration": parts["calibration"],
        "alerts": router.counts() if router is not None else None,
        "events": stamp_stream_events(trace.meta["stream_events"], trace),
        "time_axis": time_axis(trace),
        "timings": timings,
        "versions": _versions(),
        "skipped": False,
    })


def _claim_folder(cfg: DictConfig, out: Path, config: Any) -> dict[str, Any] | None:
    """Record ``out`` as this config's job folder; or, resuming a done job, its result."""
    state = job_state(out, config)  # refuses a folder of another config
    if state.action == "done" and cfg.resume:
        assert state.result is not None
        return {**state.result, "skipped": True}
    record_job(out, config)
    # A run repeated in place (interrupted, unreadable result, resume=false) starts
    # its alert files afresh instead of appending a second copy of every alert.
    for name in ("alerts.jsonl", "alerts.db"):
        (out / name).unlink(missing_ok=True)
    return None


def _simulate(
    cfg: DictConfig, parts: dict[str, Any], out: Path | None, timings: dict[str, float]
) -> tuple[Any, Any]:
    """Run the deployment loop; return its trace and the alert router (or None)."""
    from simulator.loop import DeploymentLoop

    t = time.perf_counter()
    router = _router(cfg, out)
    loop = DeploymentLoop(parts["stream"], parts["model"], parts["monitors"], parts["policy"],
                          registry=_registry(cfg, out), alert_sinks=router or (),
                          **parts["settings"])
    trace = loop.run()
    if router is not None:
        router.flush()  # one last try for batches a sink refused during the run
    timings["simulate"] = time.perf_counter() - t
    return trace, router


def _references(
    cfg: DictConfig, stream: Any, settings: dict[str, Any], timings: dict[str, float], *,
    sweep_dir: Path | None,
) -> tuple[Any, np.ndarray | None]:
    """The oracle policy's trace and the skyline (shared in ``sweep_dir``), as asked."""
    from simulator.loop import DeploymentLoop
    from simulator.policies import Oracle

    oracle_trace = None
    if cfg.score.oracle:
        t = time.perf_counter()
        oracle_trace = DeploymentLoop(stream, _make("model", cfg), (), Oracle(),
                                      **settings).run()
        timings["oracle"] = time.perf_counter() - t
    sky = None
    if cfg.score.skyline:
        t = time.perf_counter()
        sky = _skyline(cfg, stream, sweep_dir)
        timings["skyline"] = time.perf_counter() - t
    return oracle_trace, sky


def _score(
    cfg: DictConfig, parts: dict[str, Any], trace: Any, oracle_trace: Any, sky: Any
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]:
    """The run's metrics, each monitor's scores with baselines, the pooled alarms' (or None)."""
    from experiments.metrics import score_detections, score_run, score_with_baselines
    from experiments.metrics.runs import alert_times_by_monitor

    stream = parts["stream"]
    n, horizon = stream.n_samples, cfg.score.horizon
    pooled = score_run(trace, stream.events, n, horizon, oracle=oracle_trace,
                       window=cfg.score.window, epsilon=cfg.score.epsilon, skyline=sky)
    # Detection scores belong to a monitor (or, pooled, to "any of N monitors"),
    # never to the run's top-level metrics.
    detection_keys = list(score_detections([], [], 1))
    metrics = {k: v for k, v in pooled.items() if k not in detection_keys}
    alerts = alert_times_by_monitor(trace)
    no_alerts = np.empty(0, dtype=np.int64)
    per_monitor = {
        m.name: score_with_baselines(alerts.get(m.name, no_alerts), stream.events, n, horizon,
                                     seed=cfg.seed)
        for m in parts["monitors"]
    }
    any_monitor = None
    if len(per_monitor) > 1:
        any_monitor = {"name": pooled.alerts_of, "monitors": list(per_monitor),
                       **{k: pooled[k] for k in detection_keys}}
    return metrics, per_monitor, any_monitor


def _defer_timeline(cfg: DictConfig, output_dir: Any) -> bool:
    """Whether to leave ``timeline.png`` for later (:mod:`experiments.timelines`):
    ``timeline=lazy``, or ``auto`` inside a ``--multirun`` job."""
    if cfg.timeline != "auto":
        return cfg.timeline == "lazy"
    return _sweep_dir(output_dir) is not None


def _sweep_dir(output_dir: Any) -> Path | None:
    """The folder of the ``--multirun`` this job belongs to; None for a single run or a
    call that names its own output folder."""
    if output_dir != "auto":
        return None
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    if not HydraConfig.initialized() or HydraConfig.get().mode != RunMode.MULTIRUN:
        return None
    return Path(HydraConfig.get().sweep.dir)


def _write_outputs(cfg: DictConfig, out: Path, trace: Any, oracle: Any, sky: Any, *,
                   defer: bool) -> None:
    """The trace(s), the skyline and the timeline figure, each written atomically."""
    if cfg.save_trace or (cfg.plot and defer):
        trace.save(out / "trace.npz")
    if not cfg.plot:
        return
    if defer:
        if oracle is not None:
            oracle.save(out / "oracle_trace.npz")
        if sky is not None:
            atomic_write(out / "skyline.npy", lambda tmp: np.save(tmp, sky))
        return
    from experiments.plots import timeline

    timeline(trace, oracle=oracle, skyline=sky, path=out / "timeline.png", title=_title(cfg),
             window=cfg.score.window)


#: Skylines already computed in this process, by what they depend on (a sweep's runs
#: of one stream and model, e.g. make run's policies, share one).
_SKYLINES: dict[str, np.ndarray] = {}


def _skyline(cfg: DictConfig, stream: Any, sweep_dir: Path | None = None) -> np.ndarray:
    """The skyline of ``stream`` for the served model class (:mod:`simulator.skyline`),
    computed once per process, and once per sweep when ``sweep_dir`` is given (jobs in
    other workers read it from :mod:`experiments.sweep_cache`)."""
    from experiments.sweep_cache import array_digest, cached_array
    from simulator.skyline import skyline

    inputs = ([OmegaConf.to_container(cfg[k], resolve=True) for k in ("dataset", "drift", "model")]
              + [cfg.n_samples, cfg.seed, cfg.jitter])
    key = json.dumps(inputs, sort_keys=True, default=str)
    if key not in _SKYLINES:
        if len(_SKYLINES) >= 16:
            _SKYLINES.pop(next(iter(_SKYLINES)))
        data = stream.dataset
        _SKYLINES[key] = cached_array(
            sweep_dir, "skyline", [*inputs, array_digest(data.X, data.y, data.time)],
            lambda: skyline(stream, _make("model", cfg), seed=cfg.seed))
    return _SKYLINES[key]


def _registry(cfg: DictConfig, out: Path | None) -> Any:
    """The run's model registry: in memory, or MLflow on SQLite in the output folder."""
    from simulator.registry import make_registry

    if cfg.registry == "memory":
        return make_registry("memory")
    if out is None:
        raise ValueError("registry=mlflow needs an output folder (run with output_dir=...)")
    return make_registry("mlflow", tracking_dir=out / "mlflow")


def _router(cfg: DictConfig, out: Path | None) -> Any:
    """The run's alert router: sinks writing into the output folder (``alerts.jsonl``,
    ``alerts.db``) or posting to a webhook URL, with a durable outbox
    (``alerts_outbox.db``) for deliveries that fail; None without sinks."""
    from simulator.alerts import AlertRouter, JsonlSink, SqliteSink, WebhookSink

    if not cfg.alert_sinks:
        return None
    if out is None:
        raise ValueError("alert_sinks need an output folder (run with output_dir=...)")
    made = {"jsonl": lambda: JsonlSink(out / "alerts.jsonl"),
            "sqlite": lambda: SqliteSink(out / "alerts.db")}
    sinks = [made[name]() if name in made else WebhookSink(name) for name in cfg.alert_sinks]
    return AlertRouter(sinks, cooldown=cfg.loop.alert_cooldown,
                       outbox=out / "alerts_outbox.db")


def _title(cfg: DictConfig) -> str:
    """What the run is: data, drift, policy, its monitors (all of them), seed."""
    dataset = cfg.dataset.get("name", "data")
    drift = cfg.drift.get("name", "drift")
    specs = run_detectors(cfg)
    labels = list(dict.fromkeys(spec.label for spec in specs.values()))
    who = ", ".join(labels) if len(labels) <= 5 else f"{len(labels)} detectors"
    who = f"{'monitor' if len(specs) == 1 else 'monitors'} {who}"
    if len(specs) > len(labels):
        who += f" at {len(specs)} (detector, threshold) pairs"
    policy = str(cfg.policy._target_).rsplit(".", 1)[-1]
    return f"{dataset} / {drift} / policy {policy} / {who} / seed {cfg.seed}"


def _console_lines(cfg: DictConfig, result: dict[str, Any], most: int = 6) -> list[str]:
    """One line per monitor with its own scores (up to ``most`` monitors), the pooled
    alarms named as such, then the run's own scores."""
    status = "skipped (result.json exists)" if result["skipped"] else "done"
    lines = [f"[driftsim] {_title(cfg)}: {status}"]
    scored = {name: m["detector"] for name, m in result["monitors"].items()}
    if len(scored) > most:
        lines.append(f"  {len(scored)} monitors: each one's scores are in result.json "
                     "(monitors) and summary.csv")
        scored = {}
    if "any_monitor" in result:
        scored[result["any_monitor"]["name"]] = result["any_monitor"]
    for name, s in scored.items():
        events = (s.get("missed") or 0) + (s.get("detections") or 0)
        lines.append(f"  {name}: false alarms/1k = {_sig(s.get('false_alarm_rate'))}, "
                     f"mean delay = {_sig(s.get('detection_delay_mean'))}, "
                     f"missed = {s.get('missed')}/{events}")
    m = result["metrics"]
    lines.append(f"  run: accuracy = {_sig(m.get('accuracy'))}, "
                 f"accuracy lost = {_sig(m.get('accuracy_lost'))}, retrains = {m.get('retrains')}")
    axis = result.get("time_axis")
    if axis:  # a replayed log: when, in its own time, each drift was first alerted
        lines.append(f"  log time: {axis['start']} to {axis['end']}")
        for f in axis["first_alerts"]:
            alert = f["alert"]
            found = ("no alert" if alert is None else
                     f"first alert {alert['timestamp']} ({alert['monitor']}, "
                     f"{alert['delay_hours']:.3g} h later)")
            lines.append(f"  drift at {f['onset_timestamp']}: {found}")
    return lines


def _sig(value: Any) -> str:
    """Three significant digits; ``–`` for an undefined value."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _resolve_output_dir(output_dir: str | Path | None) -> Path | None:
    if output_dir is None:
        return None
    if output_dir == "auto":
        from hydra.core.hydra_config import HydraConfig

        if not HydraConfig.initialized():
            return None
        return Path(HydraConfig.get().runtime.output_dir)
    return Path(output_dir)


@hydra.main(config_path="../conf", config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> float | None:
    """Hydra entry point; returns the configured detector's own false-alarm rate (for
    sweepers that optimise)."""
    from hydra.core.hydra_config import HydraConfig

    cfg.thresholds = thresholds_for(cfg, HydraConfig.get().overrides.task)
    result = run(cfg)
    print("\n".join(_console_lines(cfg, result)))
    first = next(iter(result["monitors"].values()), {}).get("detector", {})
    return first.get("false_alarm_rate")


run_experiment = run  # the package-level name (``experiments.run_experiment``)


if __name__ == "__main__":
    main()
