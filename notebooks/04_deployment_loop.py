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
# # 04 · A model in the deployment loop: monitors, policies, the gate and the bill
#
# Notebook 03 ran detectors on error streams we wrote down. Here a real model serves a
# drifting Iris stream inside `DeploymentLoop`, which simulates production: the model
# predicts every sample, labels come back late, monitors watch features and errors, a
# **policy** decides when to retrain, a **validation gate** decides whether the new
# model may serve, and every decision lands in a `Trace`.
#
# **What you will learn**
#
# - how to put a model, monitors and a policy into `DeploymentLoop` and read its
#   `Trace` (`correct`, `model_version`, `events`, `rolling_accuracy`);
# - why **label delay** makes error monitors late, and why feature monitors see a drift
#   first (and also what they cannot tell you);
# - how an **SLA rule** ("F1 below 0.85 on 3 consecutive checks") triggers retraining on
#   recent data;
# - what the **validation gate** does with a candidate model (`gate_pass` / `gate_fail`);
# - how to measure **recovery** against the **oracle** policy (`accuracy_lost`,
#   `time_to_recover`) and draw it with `timeline`;
# - how to weigh the **cost of retraining** against the **cost of errors** for Never,
#   Periodic, DriftTriggered, PerformanceSLA and Oracle.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from detectors import ADWIN, KS
from experiments import policy_bars, recovery_curves, score_run, timeline
from simulator import (
    CostModel,
    DeploymentLoop,
    Drift,
    DriftStream,
    DriftTriggered,
    GateConfig,
    Monitor,
    Never,
    Oracle,
    PerformanceSLA,
    Periodic,
    RetrainConfig,
    load_dataset,
)

pd.set_option("display.width", 120)
pd.set_option("display.precision", 3)

N = 6_000
ONSET = 2_000
FEATURE = "petal length (cm)"

iris = load_dataset("iris")
stream = DriftStream(
    iris,
    [Drift("covariate", ONSET, transform="shift", severity=1.0, features=[FEATURE])],
    n_samples=N,
    seed=3,
)
event = stream.events[0]
print(f"drift at {event.onset}: {event.kind} / {event.transform} of {FEATURE!r}")
print(
    f"reference model accuracy before {event.accuracy_before:.3f}, "
    f"after {event.accuracy_after:.3f} -> harmful: {event.harmful}"
)
assert event.harmful

# %% [markdown]
# The stream shifts petal length by one standard deviation at sample 2,000 and keeps
# each row's label. Petal length is the feature that separates the Iris species best,
# so a classifier leans on it, and this drift does two things at once: it **moves a
# feature** (a feature monitor can see it without any label) and it **breaks the
# model** (the stream measured the accuracy drop of a model trained just before the
# drift, and flagged the event `harmful`).
#
# ## 1. Label delay: why feature monitors alert first
#
# Three monitors watch the same run:
#
# - `Monitor("error", ADWIN())` — ADWIN on the model's 0/1 errors. An error is known
#   only when the label comes back, `label_delay` samples after the prediction.
# - `Monitor("feature:petal length (cm)", KS(), every=200, window=200)` — a KS test of
#   the last 200 served values of one feature against the training data, every 200
#   samples. No labels needed.
# - `Monitor("features", KS(), every=200, window=200)` — the same on all four features
#   (per-feature tests, Bonferroni-corrected).
#
# The model is the loop's default (`model=None`: a standardising logistic regression,
# trained on 500 drift-free samples before the stream starts). The policy is `Never()`:
# nobody retrains, we only watch the alerts. We run it with labels arriving at once
# (`label_delay=0`) and 500 samples late.


# %%
def watch_monitors():
    return [
        Monitor("error", ADWIN()),
        Monitor(f"feature:{FEATURE}", KS(), every=200, window=200),
        Monitor("features", KS(), every=200, window=200),
    ]


def first_alerts(trace) -> dict:
    """Per monitor: delay of its first alert after the onset, its alerts, and how many
    were false (before the onset) or benign (on a drift that did not hurt)."""
    out = {}
    for name in trace.meta["monitors"]:
        s = score_run(trace, monitor=name)  # no horizon: any later alert detects the drift
        out[name] = {
            "delay": s["detection_delay_mean"],
            "alerts": s["alarms"],
            "false": s["false_alarms"],
            "benign": s["benign_alarms"],
        }
    return out


traces = {
    delay: DeploymentLoop(
        stream, monitors=watch_monitors(), policy=Never(), label_delay=delay, seed=0
    ).run()
    for delay in (0, 500)
}
table = pd.concat(
    {f"label_delay={d}": pd.DataFrame(first_alerts(tr)).T for d, tr in traces.items()}, axis=1
)
print(table)

# %% [markdown]
# Read the `delay` columns (samples from the true onset to the monitor's first alert):
#
# - The **feature monitors' delay does not change** with the label delay: they look at
#   inputs, which arrive with the prediction. Their delay is set by their cadence (a
#   test every 200 samples) and the power of the test.
# - The **error monitor's delay grows by exactly the label delay**: ADWIN sees the same
#   error sequence, just later, and its alert carries the time the label came back.
#   With labels at once it may beat the feature monitors; with labels 500 samples late
#   it cannot.
# - A pre-onset alert, if there is one, is a **false alarm** (column `false`): a KS test at
#   `alpha = 0.05` run every 200 samples expects one false alarm every ~4,000 samples.
#
# The timeline below shows the run with `label_delay=500`: the accuracy panel (top)
# drops at the drift, the events panel shows each monitor's alerts as triangles. Note
# that the feature monitors keep alerting every 200 samples after the drift: their
# reference is still the old training data, and with `Never()` nobody replaces it.

# %%
late = traces[500]
fig = timeline(late, title="label_delay=500, policy Never: who alerts first?")
fig

# %%
delays = {d: first_alerts(tr) for d, tr in traces.items()}
err, feat = "error/ADWIN", f"feature:{FEATURE}/KS"
assert delays[500][err]["delay"] == delays[0][err]["delay"] + 500
assert delays[500][feat]["delay"] == delays[0][feat]["delay"]
assert delays[500][feat]["delay"] < delays[500][err]["delay"]

# %% [markdown]
# The same comparison as a curve: first-alert delay of each monitor as the label delay
# grows. The error monitor's line climbs one for one; the feature monitors' lines stay
# flat. Where the lines cross is the label delay beyond which features warn you first.

# %%
label_delays = [0, 100, 250, 500, 1_000]
curve = {
    d: first_alerts(DeploymentLoop(stream, monitors=watch_monitors(), label_delay=d, seed=0).run())
    for d in label_delays
}
fig, ax = plt.subplots(figsize=(7, 4))
for name, marker in [(err, "o"), (feat, "s"), ("features/KS", "^")]:
    ax.plot(
        label_delays, [curve[d][name]["delay"] for d in label_delays], marker=marker, label=name
    )
ax.set_xlabel("label delay (samples)")
ax.set_ylabel("first alert after the onset (samples)")
ax.set_title("label delay makes error monitors late; feature monitors don't wait")
ax.grid(alpha=0.3)
ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# Why not watch features only, then? Because a feature monitor cannot tell a drift that
# hurts the model from one that doesn't: it alarms on *any* change of the inputs
# (exercise 1 shows a harmless one). Errors measure harm directly but arrive late. In
# practice you run both: features for an early warning, errors (or an SLA) to decide.
#
# ## 2. An SLA rule triggers retraining on recent data
#
# Businesses state service levels, not detector thresholds: "macro F1 must stay at or
# above 0.85; act if it is below on 3 consecutive checks of 200 labelled samples".
# `PerformanceSLA("f1", threshold=0.85, consecutive=3, check_size=200)` is that rule as a
# policy. It **brings its own monitor** (named `sla:f1`) that computes F1 on each batch
# of 200 revealed labels, so we pass no monitors. When the SLA breaks it retrains on the
# most recent labels: `RetrainConfig(window=300)` takes the 300 most recent labelled
# samples, of which the last 20 % are held out for the gate (section 3).
#
# From here on labels come back 100 samples late, errors cost 1 each and a retraining
# job costs 50.

# %%
LABEL_DELAY = 100
RETRAIN = RetrainConfig(window=300)
GATE = GateConfig(metric="accuracy", holdout=0.2)
COSTS = CostModel(error=1.0, retrain_fixed=50.0)


def run(policy, monitors=(), costs=COSTS):
    loop = DeploymentLoop(
        stream,
        monitors=list(monitors),
        policy=policy,
        label_delay=LABEL_DELAY,
        retrain=RETRAIN,
        gate=GATE,
        costs=costs,
        seed=0,
    )
    return loop.run()


sla = run(PerformanceSLA("f1", threshold=0.85, consecutive=3, check_size=200))
events = sla.events_frame()
print(events[events["type"] != "alert"].to_string(index=False))
breach = sla.events_of("retrain_start")[0]
print(
    f"\nSLA monitor alerts at {[e.time for e in sla.events_of('alert')]}, "
    f"reason of the first retrain: {breach.details['reason']!r}"
)

# %% [markdown]
# Between the onset and the retrain the rule had to collect three failing checks of 200
# labels each, *after* the label delay: an SLA is slow by construction, but it is hard to
# fool and everyone understands it. Since the job trains on the 300 most recent labels,
# all from after the drift, the new model has learnt the shifted feature. The served
# accuracy before and after the new version took over:

# %%
deployed = next(e for e in sla.events_of("deploy") if e.time > 0).time
before = sla.correct[ONSET:deployed].mean()
after = sla.correct[deployed:].mean()
print(f"accuracy between onset and redeploy: {before:.3f}; after version 2 serves: {after:.3f}")
assert after > before
fig = timeline(sla, title="PerformanceSLA(f1 < 0.85 on 3 checks of 200): breach, retrain, deploy")
fig

# %% [markdown]
# ## 3. The validation gate: a new model must earn its place
#
# A retrained model is a *candidate*. The gate (`GateConfig(metric="accuracy",
# holdout=0.2)`) holds out the newest 20 % of the job's labelled window, scores the
# candidate and the current champion there, and lets the candidate serve only if it is
# strictly better (a tie fails: replacing a model has a cost, and a tie on 60 samples
# says nothing). Each decision is a `gate_pass` or `gate_fail` event carrying both
# scores.
#
# A periodic policy shows the gate at work, because it retrains whether or not anything
# changed: every 1,000 samples, here.

# %%
periodic = run(Periodic(every=1_000))
gate = pd.DataFrame(
    [
        {
            "time": e.time,
            "decision": e.type,
            "candidate": e.details["candidate"],
            "champion": e.details["champion"],
            "margin": e.details["margin"],
        }
        for e in periodic.events
        if e.type in ("gate_pass", "gate_fail")
    ]
)
print(gate.to_string(index=False))
passed = gate["decision"] == "gate_pass"
assert (
    gate.loc[passed, "candidate"] > gate.loc[passed, "champion"] + gate.loc[passed, "margin"]
).all()
assert (
    gate.loc[~passed, "candidate"] <= gate.loc[~passed, "champion"] + gate.loc[~passed, "margin"]
).all()
print(f"\nmodel versions that served: {np.unique(periodic.model_version).tolist()}")

# %% [markdown]
# Before the drift, and again once a retrained model already fits the new world,
# candidate and champion have learnt the same thing: their scores differ only by the
# noise of a 60-sample holdout. A tie fails (a retrain paid for nothing); a lucky holdout
# can let an equivalent model through, which is what a positive `margin` guards against
# (exercise 3). The row that matters is the first retrain trained on labels from after
# the drift: the candidate is far ahead of a champion that no longer fits.

# %%
gap = gate["candidate"] - gate["champion"]
biggest = gate.loc[gap.idxmax()]
print(f"largest improvement: {gap.max():.3f} at {biggest['time']} ({biggest['decision']})")
assert biggest["time"] > ONSET and biggest["decision"] == "gate_pass"

# %% [markdown]
# ## 4. Recovery, measured against the oracle
#
# How good is a policy? Compare it with the **oracle** (`Oracle()`): it knows the true
# onset and retrains right there, on labels from the onset on — with the same label
# delay, training window and gate as everyone else. It is the best a policy could do in
# this loop, so it is the yardstick:
#
# - `accuracy_lost`: the area between the oracle's rolling accuracy and the run's (in
#   samples' worth of accuracy; 1.0 = one extra error);
# - `time_to_recover`: samples from the onset until the run's rolling accuracy is back
#   within `epsilon` of the oracle's.
#
# Our contender is a drift-triggered policy on the error monitor:
# `DriftTriggered(cooldown=500, data="since_alert")` retrains when ADWIN alerts, on
# labels of samples served after the alert, and ignores further alerts for 500 samples.

# %%
oracle = run(Oracle())
triggered = run(DriftTriggered(cooldown=500, data="since_alert"), [Monitor("error", ADWIN())])
s = score_run(triggered, oracle=oracle, window=100)
print(
    {
        k: s[k]
        for k in [
            "accuracy",
            "oracle_accuracy",
            "detection_delay_mean",
            "accuracy_lost",
            "time_to_recover",
            "retrains",
        ]
    }
)
fig = timeline(
    triggered,
    oracle=oracle,
    title="DriftTriggered on error/ADWIN (solid) against the oracle (dashed)",
)
fig

# %% [markdown]
# In the top panel the dashed line is the oracle's rolling accuracy and the solid line
# the drift-triggered run's. Between the onset and the triggered run's first deployment
# the two differ only by *when* each retrained: the oracle knew at once, the policy had
# to wait for labels (100 samples), for ADWIN to be convinced, and then for 300 fresh
# labels to train on. That gap is `accuracy_lost`. The bottom panel shows which model
# version served each sample.
#
# A subtlety of late labels: after a redeploy, labels keep arriving for predictions the
# *old* model made during the last `LABEL_DELAY` samples. Fed to the new model's error
# monitor they would read as a sudden *improvement* — and ADWIN, which is two-sided,
# would flag it, and `DriftTriggered` would retrain a model that is fine. The loop
# therefore restarts error monitors at a deployment **and** drops the labels of samples
# served before it: each monitor judges only the model it watches. The cell below
# checks that no alert after the first deployment comes from the old model's labels.

# %%
alerts = [e.time for e in triggered.events_of("alert")]
first_deploy = next(e.time for e in triggered.events_of("deploy") if e.time > 0)
later = [a for a in alerts if a > first_deploy]
print(f"first deployment at {first_deploy}; alerts after it: {later[:5]}")
# An alert on the new model needs at least some of *its* labels: none can come before
# the first of them is revealed, LABEL_DELAY samples after the deployment.
assert all(a >= first_deploy + LABEL_DELAY for a in later)

# %% [markdown]
# ## 5. The bill: retraining costs against error costs
#
# Every wrong prediction costs something (`CostModel(error=1.0)`), and so does every
# retraining job (`retrain_fixed=50.0`, charged at each `retrain_start`).
# `score_run(...)["total_cost"]` adds them up. We compare five policies on the same
# stream: **Never** retrain, **Periodic** every 1,000 samples, **DriftTriggered** on
# ADWIN, the **PerformanceSLA** rule and the **Oracle** — then raise the price of a
# retrain to 500 and see the ranking move.


# %%
def policies(costs):
    return {
        "Never": run(Never(), costs=costs),
        "Periodic(1000)": run(Periodic(every=1_000), costs=costs),
        "DriftTriggered": run(
            DriftTriggered(cooldown=500, data="since_alert"),
            [Monitor("error", ADWIN())],
            costs=costs,
        ),
        "PerformanceSLA": run(
            PerformanceSLA("f1", threshold=0.85, consecutive=3, check_size=200), costs=costs
        ),
        "Oracle": run(Oracle(), costs=costs),
    }


def bill(runs) -> pd.DataFrame:
    rows = []
    for name, trace in runs.items():
        s = score_run(trace, oracle=runs["Oracle"], window=100)
        rows.append(
            {
                "policy": name,
                "accuracy": s["accuracy"],
                "retrains": s["retrains"],
                "errors": s["errors"],
                "accuracy_lost": s["accuracy_lost"],
                "time_to_recover": s["time_to_recover"],
                "total_cost": s["total_cost"],
            }
        )
    return pd.DataFrame(rows).set_index("policy")


cheap = policies(COSTS)
cheap_bill = bill(cheap)
print("retraining costs 50:")
print(cheap_bill)

# %% [markdown]
# `Never` keeps serving the broken model: the most accuracy lost, and it never recovers
# (`time_to_recover` is `nan`). `Periodic` recovers eventually — at its first scheduled
# retrain that sees enough post-drift labels — but pays for every retrain, needed or
# not. The triggered policies pay only when a monitor fires (including
# `DriftTriggered`'s false start of section 4). The oracle's `accuracy_lost` is 0 by
# definition: it *is* the reference. (On one stream another policy can be a hair more
# accurate than the oracle: both are noisy runs, and the oracle is the best *timing*, not
# a ceiling on every sample.)

# %%
assert cheap_bill.loc["Oracle", "accuracy_lost"] == 0
assert cheap_bill["accuracy_lost"].idxmax() == "Never"
assert np.isnan(cheap_bill.loc["Never", "time_to_recover"])
fig = policy_bars(cheap_bill.reset_index())
fig

# %% [markdown]
# The recovery curves put all five runs on one axis: served accuracy (rolling 200)
# around the drift. The oracle is dashed black.

# %%
curves = {name: (np.arange(N), trace.rolling_accuracy(200)) for name, trace in cheap.items()}
fig = recovery_curves(curves, onset=ONSET)
fig

# %% [markdown]
# Now make retraining expensive — ten times the price, as when a job needs a human
# labelling campaign or a long training run — and compare the total cost.

# %%
pricey = policies(CostModel(error=1.0, retrain_fixed=500.0))
cost_table = pd.DataFrame(
    {
        "retrains": cheap_bill["retrains"],
        "errors": cheap_bill["errors"],
        "total cost (retrain 50)": cheap_bill["total_cost"],
        "total cost (retrain 500)": bill(pricey)["total_cost"],
    }
)
print(cost_table)
for price in (50, 500):
    contenders = cost_table.drop(index="Oracle")[f"total cost (retrain {price})"]
    print(f"cheapest policy (oracle aside) when a retrain costs {price}: {contenders.idxmin()}")
assert (cost_table["total cost (retrain 500)"] >= cost_table["total cost (retrain 50)"]).all()

# %% [markdown]
# With cheap retraining, anything that recovers beats `Never`, and retraining a bit too
# often is a small price. With expensive retraining every unnecessary job hurts:
# `Periodic`'s schedule now costs more than never retraining at all, and a triggered
# policy that fires one alarm too many pays for it. The right policy depends on the price
# list, which is why driftsim reports cost next to accuracy.

# %%
assert cost_table["total cost (retrain 50)"].drop(index="Oracle").idxmax() == "Never"
assert (
    cost_table.loc["Periodic(1000)", "total cost (retrain 500)"]
    > cost_table.loc["Never", "total cost (retrain 500)"]
)

# %% [markdown]
# ## Exercises
#
# 1. **A harmless drift.** In the first code cell set `FEATURE = "sepal width (cm)"`,
#    delete the line `assert event.harmful`, and rerun it and the first code cell of
#    section 1 (the table). Is the event still `harmful`? Do the feature monitors still
#    alert (the `benign` column), and does the error monitor? This is why feature alerts
#    alone should not trigger retraining.
# 2. **A one-sided detector.** In sections 4 and 5 replace `Monitor("error", ADWIN())`
#    by `Monitor("error", PageHinkley(mode="up", threshold=20.0))` (import `PageHinkley`
#    from `detectors`) and rerun. Does the second alert after the deployment disappear,
#    and what happens to `DriftTriggered`'s retrains and total cost?
# 3. **A stricter gate.** Set `GATE = GateConfig(metric="accuracy", holdout=0.2,
#    margin=0.05)` in section 2 and rerun sections 2–5. Which `gate_pass` rows of the
#    periodic run become `gate_fail`, and what does that do to its accuracy and cost?
#
# ## What to remember
#
# - The loop records everything: per-sample correctness and model version, and an event
#   log of alerts, retrains, gate decisions and deployments — score it with `score_run`.
# - Error monitors wait for labels: their delay grows one for one with the label delay,
#   and after a redeploy they must ignore the old model's late labels. Feature monitors
#   alert without labels but cannot tell harmful from harmless drift.
# - An SLA rule is slow but readable and hard to fool; retrain on *recent* data.
# - The gate stops candidates that are not better than the champion — a retrain on
#   stale data is wasted money, not a fix.
# - Measure recovery against the oracle, and put a price on errors *and* retraining:
#   the best policy depends on both.
