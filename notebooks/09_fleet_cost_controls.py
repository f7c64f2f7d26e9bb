# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 09 — A fleet under cost controls: the cost-risk matrix, tested
#
# One model is easy. Fifty are a budget problem: every model drifts on its own
# schedule, some share an upstream data source (one broken pipeline hits them all at
# once), retraining costs money and job slots, and critical models wait for a
# governance board. The rule of thumb — *retrain critical models often, trigger the
# rest on monitoring, and compare a retrain's cost with the revenue a drop in accuracy
# loses* — becomes something to measure here.
#
# **What you will learn**
#
# - to build a fleet (`make_fleet`): tiers, traffic, error costs, retraining costs,
#   label delays and shared data sources with upstream faults;
# - to run it in lockstep under a shared `Budget` and a `Governance` board with each
#   decision engine (`periodic`, `drift_fcfs`, `cost_aware`, `fleet`, `oracle`);
# - to read the fleet health heat map and find a correlated incident in it;
# - to compare engines on loss *and* spend across budgets, with intervals over seeds.

# %%
# %matplotlib inline
import numpy as np

from experiments import compare_engines, fleet_health_map, fleet_metrics, fleet_pareto
from simulator import Budget, Governance, make_fleet, run_fleet

# %% [markdown]
# ## 1. A small fleet
#
# Ten models, 15 simulated days of 1,000 samples each, two shared data sources; one
# source has an upstream fault. Everything about model `i` is drawn from
# `(fleet seed, i)`.

# %%
fleet = make_fleet(10, seed=0, n_samples=15_000, n_sources=2, fault_rate=0.5)
for m in fleet.models[:4]:
    print(m.name, m.tier, m.dataset, f"traffic={m.traffic}", f"error_cost={m.error_cost}",
          f"retrain_cost={m.retrain_cost}", f"label_delay={m.label_delay}", m.sources)
fault = fleet.faults[0]
readers = fleet.readers(fault.source)
print(fault)
print("models reading the faulty source:", readers)

# %% [markdown]
# ## 2. One run under the fleet engine
#
# The budget: 2 concurrent jobs and 300 per simulated day. High-tier candidates wait
# for the board (1 review per day, 2 days each, 10 % rejected).

# %%
budget, board = Budget(slots=2, money_per_tick=300.0), Governance(1, 2, 0.1)
result = run_fleet(fleet, "fleet", budget=budget, governance=board)
fleet_health_map(result)

# %% [markdown]
# The purple lines are the upstream fault: every reader's row changes colour in the
# same days. The next cell checks it in the data-quality signal the health score uses.

# %%
first = -(-fault.start // fleet.tick_size)  # the first day wholly inside the fault
last = (fault.start + fault.duration) // fleet.tick_size
during = result.data_quality[readers, first:last]
others = [i for i in range(fleet.n_models) if i not in readers]
print("readers' data-quality share during the fault: min", during.min().round(2))
print("readers' mean health before / during:",
      result.health[readers, :first].mean().round(1), "/",
      result.health[readers, first:last].mean().round(1))
assert (during > 0.5).all()

# %% [markdown]
# ## 3. The metrics of that run
#
# Business loss is errors × error cost × traffic; spend is the retraining money;
# SLA-violation time counts model-days below the SLA; an incident is *missed* when no
# new model was deployed within 5 days of a harmful change.

# %%
row = fleet_metrics(result)
for key in ("total_loss", "spend", "fault_loss", "queue_wait_mean", "governance_delay_mean",
            "budget_utilisation", "sla_violation_share_high", "incidents_high",
            "incidents_missed_high"):
    print(f"{key:>24}: {row[key]:.3f}" if isinstance(row[key], float) else
          f"{key:>24}: {row[key]}")

# %% [markdown]
# ## 4. Engines against each other, across budgets
#
# Three seeds (three different fleets), two budgets, four engines. The table gives
# means over seeds with 95 % bootstrap intervals; the figure plots loss against
# spend, one line per engine (lower left is better).

# %%
summary = compare_engines(lambda s: make_fleet(10, seed=s, n_samples=15_000, n_sources=2),
                          ["periodic", "drift_fcfs", "fleet", "oracle"], [150.0, 600.0],
                          [0, 1, 2], slots=2, governance=board)
cols = ["engine", "money_per_tick", "n_seeds", "total_loss", "total_loss_low",
        "total_loss_high", "spend", "loss_plus_spend"]
print(summary[cols].round(0).to_string(index=False))
fleet_pareto(summary)

# %% [markdown]
# Which engine had the lowest loss + spend at each budget, in this run of the cell:

# %%
best = summary.loc[summary.groupby("money_per_tick")["loss_plus_spend"].idxmin(),
                   ["money_per_tick", "engine", "loss_plus_spend"]]
print(best.to_string(index=False))
assert set(best["engine"]) <= {"periodic", "drift_fcfs", "fleet", "oracle"}
assert np.isfinite(summary["total_loss"]).all()

# %% [markdown]
# For the 50-model fleet and five seeds, run
# `python -m experiments.fleet fleet=mixed_50` (it writes `report.html`, the heat map,
# the Pareto figure and per-tier bars).
