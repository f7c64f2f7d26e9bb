"""``python -m experiments.fleet``: compare decision engines on a fleet across budgets.

Runs every engine × budget × seed of ``conf/fleet_app.yaml`` (the fleet from the
``fleet/`` group, e.g. ``fleet=mixed_50``), and writes into Hydra's output folder:
``runs.csv`` (one row per run, :func:`~experiments.metrics.fleet.fleet_metrics`),
``summary.csv`` (per engine and budget, intervals over seeds), the figures
``health_map.png`` (first seed, the middle budget), ``pareto.png``, ``tiers.png``
(the middle budget) and ``report.html``.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     table = compare_engines(lambda s: make_fleet(3, seed=s, n_samples=5000),
...                             ["periodic", "fleet"], [200.0], [0, 1], out_dir=tmp)
...     sorted(p.name for p in Path(tmp).iterdir())
['health_map.png', 'pareto.png', 'report.html', 'runs.csv', 'summary.csv', 'tiers.png']
>>> table["engine"].tolist()
['fleet', 'periodic']
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from experiments.files import atomic_write
from experiments.metrics.fleet import fleet_metrics, summarise_fleet
from experiments.plots.fleet import fleet_health_map, fleet_pareto, fleet_tier_bars
from simulator.fleet import Budget, Governance, make_executor, make_fleet, run_fleet  # noqa: F401

__all__ = ["compare_engines", "main"]


def _runs(fleet_of: Callable[[int], Any], engines: Sequence[str], budgets: Sequence[float],
          seeds: Sequence[int], slots: int, governance: Governance,
          executor: Mapping[str, Any]) -> tuple[list[dict[str, Any]], dict]:
    rows, keep = [], {}
    middle = sorted(budgets)[len(budgets) // 2]
    for seed in seeds:
        spec = fleet_of(seed)
        for money in budgets:
            for engine in engines:
                result = run_fleet(spec, engine, budget=Budget(slots, float(money)),
                                   governance=governance, executor=make_executor(**executor))
                rows.append(fleet_metrics(result))
                if seed == seeds[0] and money == middle:
                    keep[engine] = result
    return rows, keep


def _report(out: Path, summary: Any, heat_engine: str) -> None:
    cols = ["engine", "money_per_tick", "n_seeds", "total_loss", "total_loss_low",
            "total_loss_high", "spend", "loss_plus_spend", "fault_loss", "queue_wait_mean",
            "governance_delay_mean", "budget_utilisation"]
    table = summary[cols].round(3).to_html(index=False)
    body = (
        "<h1>Fleet: decision engines under a shared retraining budget</h1>"
        f"<p>Means over seeds with 95 % bootstrap-percentile intervals (n = seeds); "
        f"per-tier shares in summary.csv with Wilson intervals.</p>{table}"
        f"<h2>Health heat map (engine {html.escape(heat_engine)})</h2>"
        '<img src="health_map.png"><h2>Loss vs spend</h2><img src="pareto.png">'
        '<h2>SLA-violation time per tier</h2><img src="tiers.png">'
    )
    page = f"<!doctype html><html><head><meta charset='utf-8'></head><body>{body}</body></html>"
    atomic_write(out / "report.html", lambda p: Path(p).write_text(page))


def compare_engines(fleet_of: Callable[[int], Any], engines: Sequence[str],
                    budgets: Sequence[float], seeds: Sequence[int], *, slots: int = 4,
                    governance: Governance | None = None,
                    executor: Mapping[str, Any] | None = None,
                    out_dir: str | Path | None = None, heatmap_engine: str = "fleet") -> Any:
    """Run every engine × budget × seed; return the summary table (and write files).

    ``fleet_of(seed)`` builds the fleet of a seed; ``budgets`` are money per tick.

    Examples
    --------
    >>> table = compare_engines(lambda s: make_fleet(2, seed=s, n_samples=4000),
    ...                         ["fleet"], [100.0], [0, 1])
    >>> int(table.loc[0, "n_seeds"])
    2
    """
    gov = governance if governance is not None else Governance()
    rows, keep = _runs(fleet_of, engines, budgets, seeds, slots, gov,
                       dict(executor or {"kind": "serial"}))
    summary = summarise_fleet(rows)
    if out_dir is not None:
        import pandas as pd

        out = Path(out_dir)
        atomic_write(out / "runs.csv", lambda p: pd.DataFrame(rows).to_csv(p, index=False))
        atomic_write(out / "summary.csv", lambda p: summary.to_csv(p, index=False))
        heat = heatmap_engine if heatmap_engine in keep else next(iter(keep))
        fleet_health_map(keep[heat], path=out / "health_map.png")
        fleet_pareto(summary, path=out / "pareto.png")
        middle = sorted(budgets)[len(budgets) // 2]
        fleet_tier_bars(summary[summary["money_per_tick"] == middle], path=out / "tiers.png")
        _report(out, summary, heat)
    return summary


def _executor(cfg: Any) -> dict[str, Any]:
    if cfg.executor == "joblib":
        return {"kind": "joblib", "n_jobs": int(cfg.n_jobs)}
    if cfg.executor == "ray":
        return {"kind": "ray", "n_actors": int(cfg.n_jobs)}
    return {"kind": "serial"}


def main() -> None:
    """The Hydra entry point (``python -m experiments.fleet fleet=mixed_50``).

    Examples
    --------
    >>> callable(main)
    True
    """
    import hydra
    from hydra.core.hydra_config import HydraConfig
    from hydra.utils import instantiate

    @hydra.main(config_path="../conf", config_name="fleet_app", version_base="1.3")
    def _app(cfg: Any) -> None:
        out = HydraConfig.get().runtime.output_dir
        summary = compare_engines(
            lambda seed: instantiate(cfg.fleet, seed=int(seed)), list(cfg.engines),
            [float(b) for b in cfg.budgets], [int(s) for s in cfg.seeds],
            slots=int(cfg.slots), governance=Governance(**cfg.governance),
            executor=_executor(cfg), out_dir=out, heatmap_engine=str(cfg.heatmap_engine))
        print(summary[["engine", "money_per_tick", "total_loss", "spend"]].to_string())
        print(f"report: {Path(out) / 'report.html'}")

    _app()


if __name__ == "__main__":
    main()
