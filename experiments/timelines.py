"""Per-run ``timeline.png`` drawn from the saved traces, when it is wanted.

Drawing a run's timeline costs about half of a sweep job (matplotlib layout and PNG
encoding), and most per-run figures of a large sweep are never opened. So in a
``--multirun`` (``timeline=auto``, the default) a job saves ``trace.npz`` and
``oracle_trace.npz`` and leaves the figure for later: :func:`render_run` draws one
run's figure from its folder, :func:`render_missing` every missing one below a sweep
folder (in parallel), and ``python -m experiments.aggregate DIR --timelines`` calls
it. A single run (``python -m experiments.run``, or :func:`experiments.run.run`)
still draws its figure at once; ``timeline=now`` or ``timeline=lazy`` force either.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from experiments.run import compose, run
>>> with tempfile.TemporaryDirectory() as d:
...     _ = run(compose(["n_samples=2500", "drift=abrupt_concept", "policy=never",
...                      "timeline=lazy"]), output_dir=d)
...     before = (Path(d) / "timeline.png").exists()
...     made = render_missing(d, n_jobs=1)
...     before, [p.name for p in made]
(False, ['timeline.png'])
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

__all__ = ["needs_render", "render_missing", "render_run", "title_of"]


def title_of(config: dict, monitors: list[str] | None = None) -> str:
    """The figure title of a run: dataset / drift / policy / its monitors / seed
    (``monitors``: the detector labels the run recorded; default the config's detector).

    Examples
    --------
    >>> title_of({"dataset": {"name": "iris"}, "drift": {"name": "mixed"}, "seed": 1,
    ...           "policy": {"_target_": "simulator.Never"}}, ["ADWIN", "DDM"])
    'iris / mixed / policy Never / monitors ADWIN, DDM / seed 1'
    """
    dataset = (config.get("dataset") or {}).get("name", "data")
    drift = (config.get("drift") or {}).get("name", "drift")
    policy = str((config.get("policy") or {}).get("_target_", "")).rsplit(".", 1)[-1]
    if not monitors:
        monitors = [str((config.get("detector") or {}).get("_target_", "")).rsplit(".", 1)[-1]]
    labels = list(dict.fromkeys(monitors))
    who = ", ".join(labels) if len(labels) <= 5 else f"{len(labels)} detectors"
    who = f"{'monitor' if len(monitors) == 1 else 'monitors'} {who}"
    return f"{dataset} / {drift} / policy {policy} / {who} / seed {config.get('seed')}"


def needs_render(run_dir: str | Path) -> bool:
    """Whether ``run_dir`` has a deferred timeline: its trace but no ``timeline.png``."""
    folder = Path(run_dir)
    return (folder / "trace.npz").exists() and not (folder / "timeline.png").exists()


def render_run(run_dir: str | Path) -> Path:
    """Draw ``run_dir/timeline.png`` from its ``trace.npz`` (and ``oracle_trace.npz``
    when the oracle ran); return its path."""
    from experiments.plots import timeline
    from simulator.trace import Trace

    folder = Path(run_dir)
    trace = Trace.load(folder / "trace.npz")
    oracle_path = folder / "oracle_trace.npz"
    oracle = Trace.load(oracle_path) if oracle_path.exists() else None
    sky_path = folder / "skyline.npy"
    sky = np.load(sky_path) if sky_path.exists() else None
    try:
        result = json.loads((folder / "result.json").read_text(encoding="utf-8"))
        labels = [d.get("label", name) for name, d in (result.get("detectors") or {}).items()]
        title = title_of(result["config"], labels)
    except (OSError, ValueError, KeyError, TypeError):
        title = folder.name  # the figure is still worth having without its title
    timeline(trace, oracle=oracle, skyline=sky, path=folder / "timeline.png", title=title)
    return folder / "timeline.png"


def render_missing(sweep_dir: str | Path, n_jobs: int = -1) -> list[Path]:
    """Draw every deferred timeline below ``sweep_dir``, ``n_jobs`` at a time (joblib;
    -1: every core); return the paths drawn."""
    from joblib import Parallel, delayed

    folders = sorted(p.parent for p in Path(sweep_dir).rglob("result.json")
                     if needs_render(p.parent))
    if not folders:
        return []
    if n_jobs == 1 or len(folders) == 1:
        return [render_run(f) for f in folders]
    return list(Parallel(n_jobs=n_jobs)(delayed(render_run)(f) for f in folders))
