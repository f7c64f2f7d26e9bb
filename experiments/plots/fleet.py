"""Fleet figures: the health heat map, loss against spend per engine, per-tier bars.

Examples
--------
>>> from simulator.fleet import make_fleet, run_fleet
>>> fig = fleet_health_map(run_fleet(make_fleet(4, seed=0, n_samples=8000), "fleet"))
>>> fig.axes[0].get_xlabel()
'tick (simulated day)'
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from experiments.plots._base import _finish
from simulator.fleet.spec import TIERS

__all__ = ["fleet_health_map", "fleet_pareto", "fleet_tier_bars"]


def fleet_health_map(result: Any, *, path: str | os.PathLike[str] | None = None) -> Figure:
    """Models × ticks health heat map; harmful incidents (x), deployments (o), source
    faults (shaded rows) marked; models sorted by tier.

    Examples
    --------
    >>> from simulator.fleet import make_fleet, run_fleet
    >>> r = run_fleet(make_fleet(3, seed=1, n_samples=6000), "drift_fcfs")
    >>> len(fleet_health_map(r).axes)
    2
    """
    order = np.argsort(result.spec.tier_index, kind="stable")
    fig = Figure(figsize=(10, max(3.0, 0.12 * result.n_models + 1.5)))
    ax = fig.add_subplot()
    im = ax.imshow(result.health[order], aspect="auto", cmap="RdYlGn", vmin=0, vmax=100,
                   interpolation="nearest")
    fig.colorbar(im, ax=ax, label="health score (0-100)")
    row = {m: r for r, m in enumerate(order)}
    inc = [(onset, row[m]) for m, ev in enumerate(result.events)
           for onset, _k, harmful, ret in ev if harmful and not ret]
    if inc:
        ax.scatter(*zip(*inc, strict=True), marker="x", c="k", s=18, label="harmful incident")
    dep = np.argwhere(result.deployed[order])
    if len(dep):
        ax.scatter(dep[:, 1], dep[:, 0], marker="o", facecolors="none", edgecolors="b",
                   s=18, label="new model deployed")
    spec = result.spec
    for f in spec.faults:
        lo, hi = f.start / spec.tick_size - 0.5, (f.start + f.duration) / spec.tick_size - 0.5
        for m in spec.readers(f.source):
            ax.plot([lo, hi], [row[m], row[m]], c="purple", lw=1, alpha=0.6)
    ax.plot([], [], c="purple", label="upstream source fault")
    ax.set_xlabel("tick (simulated day)")
    ax.set_ylabel("model (high tier at top)")
    ax.set_title(f"Fleet health, engine '{result.engine}' (seed {spec.seed})", loc="left")
    ax.legend(loc="lower right", fontsize=7, bbox_to_anchor=(1.0, 1.01), ncol=3)
    fig.tight_layout()
    return _finish(fig, path)


def fleet_pareto(summary: Any, *, path: str | os.PathLike[str] | None = None) -> Figure:
    """Mean business loss against mean retraining spend, one line per engine across
    budgets, with bootstrap intervals over seeds.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"engine": ["a", "a"], "money_per_tick": [1.0, 2.0],
    ...                   "spend": [1.0, 2.0], "total_loss": [5.0, 3.0], "n_seeds": [5, 5],
    ...                   "total_loss_low": [4.0, 2.0], "total_loss_high": [6.0, 4.0]})
    >>> fleet_pareto(s).axes[0].get_ylabel()
    'total business loss (mean over seeds)'
    """
    fig = Figure(figsize=(7, 5))
    ax = fig.add_subplot()
    for engine, g in summary.groupby("engine", sort=True):
        g = g.sort_values("spend")
        err = np.vstack([g["total_loss"] - g["total_loss_low"],
                         g["total_loss_high"] - g["total_loss"]])
        ax.errorbar(g["spend"], g["total_loss"], yerr=np.nan_to_num(err), marker="o",
                    capsize=3, label=f"{engine} (n={int(g['n_seeds'].min())} seeds)")
    ax.set_xlabel("retraining spend (mean over seeds)")
    ax.set_ylabel("total business loss (mean over seeds)")
    ax.set_title("Loss vs spend per engine across budgets (lower left is better)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return _finish(fig, path)


def fleet_tier_bars(summary: Any, *, column: str = "sla_violation_share",
                    path: str | os.PathLike[str] | None = None) -> Figure:
    """Per-tier bars of a share (default SLA-violation time) per engine, Wilson
    intervals; one budget (the rows given).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"engine": ["a"], **{f"sla_violation_share_{t}{e}": [0.1]
    ...                   for t in TIERS for e in ("", "_low", "_high")}})
    >>> len(fleet_tier_bars(s).axes[0].patches)
    3
    """
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    engines = list(summary["engine"])
    width = 0.8 / max(1, len(engines))
    for i, (_, r) in enumerate(summary.iterrows()):
        x = np.arange(len(TIERS)) + i * width
        v = np.array([r[f"{column}_{t}"] for t in TIERS], dtype=float)
        lo = v - np.array([r[f"{column}_{t}_low"] for t in TIERS], dtype=float)
        hi = np.array([r[f"{column}_{t}_high"] for t in TIERS], dtype=float) - v
        ax.bar(x, v, width, yerr=np.nan_to_num([lo, hi]), capsize=2, label=r["engine"])
    ax.set_xticks(np.arange(len(TIERS)) + 0.4 - width / 2, TIERS)
    ax.set_ylabel(column.replace("_", " ") + " (pooled over seeds, Wilson 95 %)")
    ax.set_title("Per tier, per engine")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return _finish(fig, path)
