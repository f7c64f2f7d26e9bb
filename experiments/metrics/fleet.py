"""Fleet metrics: one row per run, and a summary per engine and budget over seeds.

Per run (:func:`fleet_metrics`): total business loss, retraining spend, their sum;
per tier, SLA-violation time (model-ticks whose true accuracy is below the model's
SLA), harmful incidents and incidents missed (no new model deployed within
``horizon`` ticks of the onset), and the loss of the models hit by an upstream source
fault during it; queue wait and governance delay (ticks); budget utilisation (money
spent / money available, and busy slot-ticks / slot-ticks).

Across seeds (:func:`summarise_fleet`): means with 95 % bootstrap-percentile intervals
for losses, costs and delays (``n`` = seeds), and Wilson intervals for shares pooled
over seeds (``n`` = model-ticks or incidents, stated in the ``*_n`` column).

Examples
--------
>>> from simulator.fleet import make_fleet, run_fleet
>>> row = fleet_metrics(run_fleet(make_fleet(4, seed=1, n_samples=10_000), "fleet"))
>>> sorted(k for k in row if k.startswith("sla_violation_share"))
['sla_violation_share_high', 'sla_violation_share_low', 'sla_violation_share_medium']
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.fleet.spec import TIERS

__all__ = ["fleet_metrics", "summarise_fleet", "wilson_interval"]


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion (scipy's ``binomtest``); nan when n = 0.

    Examples
    --------
    >>> [round(v, 3) for v in wilson_interval(5, 20)]
    [0.112, 0.469]
    """
    if n == 0:
        return float("nan"), float("nan")
    from scipy.stats import binomtest

    ci = binomtest(int(successes), int(n)).proportion_ci(confidence, method="wilson")
    return float(ci.low), float(ci.high)


def _incidents(result: Any, horizon: int) -> list[tuple[int, int, bool]]:
    """``(model, onset tick, handled)`` per harmful change point (returns excluded)."""
    out = []
    for m, events in enumerate(result.events):
        for onset, _kind, harmful, is_return in events:
            if harmful and not is_return:
                handled = bool(result.deployed[m, onset: onset + horizon].any())
                out.append((m, onset, handled))
    return out


def _fault_loss(result: Any) -> float:
    spec, total = result.spec, 0.0
    for f in spec.faults:
        first = f.start // spec.tick_size
        stop = min(spec.n_ticks, -(-(f.start + f.duration) // spec.tick_size) + 5)
        total += float(result.loss[spec.readers(f.source), first:stop].sum())
    return total


def _waits(result: Any) -> tuple[list[int], list[int]]:
    queue = [j["started"] - j["requested"] for j in result.jobs if j["started"] is not None]
    board = [j["decided"] - j["submitted"] for j in result.jobs if j["decided"] is not None]
    return queue, board


def fleet_metrics(result: Any, horizon: int = 5) -> dict[str, Any]:
    """The metrics of one fleet run (module docstring), as a flat dict.

    Examples
    --------
    >>> from simulator.fleet import make_fleet, run_fleet
    >>> r = run_fleet(make_fleet(3, seed=2, n_samples=10_000), "drift_fcfs")
    >>> m = fleet_metrics(r)
    >>> round(m["total_loss"] + m["spend"], 6) == round(m["loss_plus_spend"], 6)
    True
    """
    tiers = result.spec.tier_index
    below = result.true_accuracy < result.sla[:, None]
    row: dict[str, Any] = {
        "engine": result.engine, "seed": result.spec.seed, "n_models": result.n_models,
        "slots": result.budget.slots, "money_per_tick": result.budget.money_per_tick,
        "total_loss": float(result.loss.sum()), "spend": float(result.spend.sum()),
        "fault_loss": _fault_loss(result), "jobs": len(result.jobs),
        "deployments": int(result.deployed.sum()), "rollbacks": int(result.rolled_back.sum()),
        "mean_health": float(result.health.mean()),
    }
    row["loss_plus_spend"] = row["total_loss"] + row["spend"]
    incidents = _incidents(result, horizon)
    for k, tier in enumerate(TIERS):
        members = tiers == k
        row[f"sla_violation_ticks_{tier}"] = int(below[members].sum())
        row[f"model_ticks_{tier}"] = int(members.sum() * result.n_ticks)
        row[f"sla_violation_share_{tier}"] = (
            row[f"sla_violation_ticks_{tier}"] / row[f"model_ticks_{tier}"]
            if members.any() else float("nan"))
        mine = [h for m, _, h in incidents if tiers[m] == k]
        row[f"incidents_{tier}"] = len(mine)
        row[f"incidents_missed_{tier}"] = int(sum(not h for h in mine))
    queue, board = _waits(result)
    row["queue_wait_mean"] = float(np.mean(queue)) if queue else float("nan")
    row["governance_delay_mean"] = float(np.mean(board)) if board else float("nan")
    money = result.budget.money_per_tick * result.n_ticks
    row["budget_utilisation"] = row["spend"] / money if np.isfinite(money) else float("nan")
    row["slot_utilisation"] = float(result.slots_busy.sum() / (result.budget.slots
                                                               * result.n_ticks))
    return row


_MEANS = ("total_loss", "spend", "loss_plus_spend", "fault_loss", "queue_wait_mean",
          "governance_delay_mean", "budget_utilisation", "slot_utilisation", "mean_health")


def _bootstrap(values: np.ndarray, seed: int = 0) -> tuple[float, float]:
    values = values[np.isfinite(values)]
    if values.size < 2:
        return float("nan"), float("nan")
    from scipy.stats import bootstrap

    res = bootstrap((values,), np.mean, method="percentile", n_resamples=2000,
                    random_state=np.random.default_rng(seed))
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def _summary_row(group: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"n_seeds": int(group["seed"].nunique())}
    for col in _MEANS:
        vals = group[col].to_numpy(dtype=float)
        out[col] = float(np.nanmean(vals)) if np.isfinite(vals).any() else float("nan")
        out[f"{col}_low"], out[f"{col}_high"] = _bootstrap(vals)
    for tier in TIERS:
        for share, num, den in (
            ("sla_violation_share", "sla_violation_ticks", "model_ticks"),
            ("incidents_missed_share", "incidents_missed", "incidents"),
        ):
            k, n = int(group[f"{num}_{tier}"].sum()), int(group[f"{den}_{tier}"].sum())
            out[f"{share}_{tier}"] = k / n if n else float("nan")
            out[f"{share}_{tier}_low"], out[f"{share}_{tier}_high"] = wilson_interval(k, n)
            out[f"{share}_{tier}_n"] = n
    return out


def summarise_fleet(rows: list[dict[str, Any]]) -> Any:
    """Per engine and budget: means with intervals over seeds (module docstring).

    Examples
    --------
    >>> rows = [{"engine": "fleet", "slots": 2, "money_per_tick": 100.0, "seed": s,
    ...          **{c: float(s) for c in _MEANS},
    ...          **{f"{c}_{t}": 1 for c in ("sla_violation_ticks", "model_ticks",
    ...             "incidents_missed", "incidents") for t in TIERS}} for s in range(5)]
    >>> table = summarise_fleet(rows)
    >>> table.loc[0, "engine"], int(table.loc[0, "n_seeds"]), float(table.loc[0, "total_loss"])
    ('fleet', 5, 2.0)
    """
    import pandas as pd

    frame = pd.DataFrame(rows)
    keys = ["engine", "slots", "money_per_tick"]
    out = [{**dict(zip(keys, key, strict=True)), **_summary_row(group)}
           for key, group in frame.groupby(keys, sort=True)]
    return pd.DataFrame(out)
