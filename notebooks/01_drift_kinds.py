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
# # 01 — Kinds of drift: what moves, how fast, and whether the model cares
#
# "Drift" is not one thing. The inputs can move, the meaning of the inputs can move,
# the class mix can move, or nothing in the world moves at all and a broken pipeline
# feeds the model garbage. Each can arrive at once or creep in. And the one question
# that decides whether anybody should be paged — *did the model get worse?* — has a
# different answer from "did the data change?".
#
# We inject each kind of drift into a stream drawn from the Iris data set, where we
# know exactly when and how it happened, and look at it twice: through the data and
# through a model that was trained before the change and never updated.
#
# **What you will learn**
#
# - the four kinds of drift that `driftsim` simulates on data: **covariate** (P(x)
#   moves), **concept** (P(y|x) moves), **prior** (P(y) moves) and **pipeline**
#   (the world is fine, the serving pipeline is broken);
# - **virtual vs real** drift, and a simple experiment that tells them apart;
# - the four **profiles** in time: abrupt, gradual, incremental and recurring, and
#   how the ground truth `truth` records each of them sample by sample;
# - **harmful vs benign** drift: the same amount of movement in the data can cost a
#   model nothing or a lot, and a change the data cannot see can break it.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from detectors import KS, Wasserstein
from simulator import DeploymentLoop, Drift, DriftStream, Never, default_model, load_dataset

SEED = 0  # every stream below is seeded: rerunning gives the same figures
N = 4000  # samples per stream
ONSET = 2000  # where the drift starts in the single-drift streams
TRAIN = 1000  # the frozen model is fitted on samples 0..999, long before the drift
WINDOW = 200  # rolling-accuracy window, in samples

iris = load_dataset("iris")
print(iris)
print("features:", iris.feature_names)
print("classes: ", iris.class_names)

# %% [markdown]
# ## A stream with no drift
#
# A `DriftStream` turns the 150 rows of Iris into an endless, seeded stream: each
# sample is a random row plus a little Gaussian jitter (5 % of each feature's standard
# deviation, so repeated rows differ). With no drift, every sample comes from the
# same distribution. `stream.take(n, start)` returns `(X, y, truth)`; `truth` has one
# column per injected drift and is empty here.

# %%
plain = DriftStream(iris, n_samples=N, seed=SEED)
X, y, truth = plain.take(5)
print(X.round(2))
print("labels:", y, " truth shape:", truth.shape)

# %% [markdown]
# ## Four kinds of drift
#
# Each stream below has one drift, switched on abruptly at sample 2,000:
#
# | kind | what we inject | what changes |
# |---|---|---|
# | covariate | every feature's mean moves up by one standard deviation | the inputs P(x) |
# | concept | setosa and versicolor swap labels | the meaning P(y \| x) |
# | prior | class proportions move 80 % of the way toward virginica | the class mix P(y) |
# | pipeline | petal length reaches the model stuck at 0 (a dead sensor) | only what is served |
#
# When a stream is built, `driftsim` measures each drift's **harm**: it fits a
# reference model on data from just before the change and compares its accuracy
# before and after. `stream.events` holds one `DriftEvent` per change point, with
# `harmful` (the accuracy drop exceeds the stream's `harm_tolerance`, 0.05 by
# default) and `accuracy_drop`.

# %%
drifts = {
    "covariate": Drift("covariate", ONSET, severity=1.0),
    "concept": Drift("concept", ONSET, transform="swap", classes=(0, 1)),
    "prior": Drift("prior", ONSET, severity=0.8, toward=2),
    "pipeline": Drift(
        "pipeline", ONSET, transform="stuck", features=["petal length (cm)"], value=0.0
    ),
}
streams = {name: DriftStream(iris, [d], n_samples=N, seed=SEED) for name, d in drifts.items()}

events = pd.DataFrame(
    [
        {
            "stream": name,
            "onset": e.onset,
            "kind": e.kind,
            "transform": e.transform,
            "accuracy_before": round(e.accuracy_before, 3),
            "accuracy_after": round(e.accuracy_after, 3),
            "accuracy_drop": round(e.accuracy_drop, 3),
            "harmful": e.harmful,
        }
        for name, s in streams.items()
        for e in s.events
    ]
)
harmful = events.set_index("stream")["harmful"]
assert harmful.to_dict() == {"covariate": True, "concept": True, "prior": False, "pipeline": True}
events

# %% [markdown]
# Three of the four are harmful; the prior shift is not. Moving the class mix toward
# virginica leaves each class where it was, and a model that separates the classes
# well keeps separating them, whatever their proportions.
#
# ## Before and after, seen by the data and by the model
#
# Top row: petal length against petal width, coloured by the **true** label, for
# samples 3,000–3,299: first in the stream with no drift, then in each drifted stream.
# Bottom row: the same points as seen by a **frozen model** (a standardised logistic
# regression, `default_model()`, fitted on samples 0–999 and never updated), coloured
# by its prediction, with its mistakes marked by a black cross.
#
# Every stream uses the same seed, so their first 2,000 samples are identical: one
# frozen model serves them all.

# %%
for s in streams.values():  # the same seed: identical samples until the drift starts
    assert np.array_equal(s.take(ONSET)[0], plain.take(ONSET)[0])
frozen = default_model().fit(*plain.take(TRAIN)[:2])

before = plain.take(300, start=3000)[:2]
panels = {"no drift": before} | {name: s.take(300, start=3000)[:2] for name, s in streams.items()}
colours = np.array(["tab:blue", "tab:orange", "tab:green"])
fig, axes = plt.subplots(2, 5, figsize=(17, 6.5), sharex=True, sharey=True)
for col, (name, (Xp, yp)) in enumerate(panels.items()):
    pred = frozen.predict(Xp)
    wrong = pred != yp
    axes[0, col].scatter(Xp[:, 2], Xp[:, 3], c=colours[yp], s=10)
    axes[0, col].set_title(f"{name}: true labels")
    axes[1, col].scatter(Xp[:, 2], Xp[:, 3], c=colours[pred], s=10)
    axes[1, col].scatter(Xp[wrong, 2], Xp[wrong, 3], marker="x", c="k", s=25)
    axes[1, col].set_title(f"frozen model: {wrong.mean():.0%} wrong")
    axes[1, col].set_xlabel("petal length (cm)")
for row in range(2):
    axes[row, 0].set_ylabel("petal width (cm)")
handles = [plt.Line2D([], [], ls="", marker="o", c=c) for c in colours]
handles.append(plt.Line2D([], [], ls="", marker="x", c="k"))
fig.legend(handles, [*iris.class_names, "model wrong"], loc="upper right", ncol=4)
fig.suptitle("Petal measurements after each kind of drift (samples 3,000–3,299)", x=0.3)
fig.tight_layout(rect=(0, 0, 1, 0.95))
plt.show()

# %% [markdown]
# What to look at:
#
# - **covariate**: the clouds moved up and to the right; labels travelled with their
#   points. The frozen model's boundaries stayed where they were, so whole groups now
#   sit on the wrong side of them: most versicolor are taken for virginica.
# - **concept**: the points did not move at all — compare with "no drift" — but the
#   blue and orange labels swapped. The model keeps predicting what it learned, and is
#   wrong on every setosa and versicolor.
# - **prior**: the same clouds, with more green points. The model's errors stay where
#   they were (at the versicolor/virginica border).
# - **pipeline**: the world did not change (the labels still follow the real flowers),
#   but the model is fed petal length = 0, so every point sits on the left edge and the
#   model has lost one of its two most useful features.
#
# ## The frozen model's accuracy over time
#
# A monitoring dashboard shows this line. We plot the frozen model's accuracy over a
# rolling window of 200 samples, on each stream.


# %%
def rolling_accuracy(model, stream, window=WINDOW):
    """Accuracy of ``model`` over a trailing window, at every sample of ``stream``."""
    X, y, _ = stream.take(stream.n_samples)
    correct = pd.Series(model.predict(X) == y, dtype=float)
    return correct.rolling(window, min_periods=window).mean().to_numpy()


curves = {name: rolling_accuracy(frozen, s) for name, s in streams.items()}
fig, ax = plt.subplots(figsize=(10, 4))
for name, acc in curves.items():
    ax.plot(acc, label=name)
ax.axvline(ONSET, color="k", ls="--", lw=1, label="drift onset")
ax.set(
    xlabel="sample",
    ylabel=f"accuracy (rolling {WINDOW})",
    ylim=(0, 1.02),
    title="A model trained before the drift, never updated",
)
ax.legend(loc="lower left")
plt.show()

for name, acc in curves.items():
    pre, post = np.nanmean(acc[:ONSET]), np.nanmean(acc[ONSET + WINDOW :])
    print(f"{name:10s} before {pre:.3f}   after {post:.3f}")

# %%
# The story in numbers: the harmful drifts cost real accuracy, the prior shift does not.
after = {name: np.nanmean(acc[ONSET + WINDOW :]) for name, acc in curves.items()}
start = np.nanmean(curves["prior"][:ONSET])
assert after["concept"] < start - 0.4
assert after["covariate"] < start - 0.15 and after["pipeline"] < start - 0.15
assert abs(after["prior"] - start) < 0.05

# %% [markdown]
# The frozen model's curve is what driftsim's `DeploymentLoop` records when the
# retraining policy is `Never()`: the loop trains the first model on its own pre-drift
# sample, serves every batch, and its `Trace` computes the same rolling accuracy. The
# two curves differ only because the two models were trained on different samples.

# %%
trace = DeploymentLoop(streams["concept"], policy=Never(), seed=SEED).run()
loop_acc = trace.rolling_accuracy(WINDOW, min_periods=WINDOW)
gap = np.nanmax(np.abs(loop_acc - curves["concept"]))
print(f"largest gap between the loop's curve and ours: {gap:.3f}")
assert gap < 0.1

# %% [markdown]
# ## Virtual vs real drift
#
# The textbook split:
#
# - **virtual drift**: P(x) changes, P(y | x) does not. The right answer for each input
#   is unchanged; only which inputs show up changes. A good model stays good.
# - **real drift**: P(y | x) changes. Some inputs now have a different right answer;
#   no model of the old world can be right about them.
#
# A practical test: train one model on the old world and one on the new, and score
# each on both. Under virtual drift both models do well on both worlds. Under real
# drift the *new* model fails on the *old* data too: the boundary itself has moved.
#
# Two more drifts join the comparison: a **subpopulation** shift (flowers with long
# petals become common: rows whose petal length is above the median are drawn ten
# times as often as the others, so P(x) changes by reweighting existing rows and
# P(y | x) is untouched) and the prior shift from above.

# %%
compare = {
    "subpopulation": DriftStream(
        iris,
        [
            Drift(
                "covariate",
                ONSET,
                transform="subpopulation",
                severity=0.9,
                features=["petal length (cm)"],
            )
        ],
        n_samples=N,
        seed=SEED,
    ),
    "prior": streams["prior"],
    "covariate (shift)": streams["covariate"],
    "concept": streams["concept"],
}


def accuracy(model, X, y):
    return float(np.mean(model.predict(X) == y))


rows = []
for name, s in compare.items():
    X_old, y_old, _ = s.take(1500, start=0)
    X_new, y_new, _ = s.take(1500, start=N - 1500)
    old = default_model().fit(X_old[:TRAIN], y_old[:TRAIN])
    new = default_model().fit(X_new[:TRAIN], y_new[:TRAIN])
    rows.append(
        {
            "drift": name,
            "old model, new data": accuracy(old, X_new[TRAIN:], y_new[TRAIN:]),
            "new model, old data": accuracy(new, X_old[TRAIN:], y_old[TRAIN:]),
            "new model, new data": accuracy(new, X_new[TRAIN:], y_new[TRAIN:]),
        }
    )
cross = pd.DataFrame(rows).set_index("drift").round(3)
cross

# %%
assert (cross.loc[["subpopulation", "prior"]] > 0.9).all().all()  # virtual: all fine
assert cross.loc["concept", "new model, old data"] < 0.5  # real: the boundary moved
assert cross.loc["covariate (shift)", "new model, old data"] < 0.8  # moved too (see below)
assert (cross["new model, new data"] > 0.9).all()  # every new world is learnable

# %% [markdown]
# Read the middle column ("new model, old data"). For the subpopulation and prior
# shifts, a model of the new world still explains the old one: virtual drift. For the
# concept swap it does not: real drift.
#
# The mean **shift** is instructive. `driftsim` files it under `covariate` because what
# moved is the inputs, but every sample kept its label while its features moved, so
# *in raw feature coordinates* the class regions moved too, and the old and new
# boundaries disagree. For a model, it behaves like real drift. The kind names the
# mechanism; whether the boundary moved is what decides whether the model breaks.
#
# ## Profiles: how fast a drift arrives
#
# `Drift(..., width=W, profile=...)` sets the transition:
#
# - **abrupt**: everything changes at `start` (`width=0`);
# - **gradual**: during `[start, start + width)` each sample comes from the old or the
#   new concept, the new one with rising probability — two worlds, mixed;
# - **incremental**: the transformation itself ramps from 0 to full strength — one
#   world, sliding;
# - **recurring**: the new concept holds for `duration` samples, then the old one
#   returns (`period` and `repeats` schedule further episodes).
#
# `truth` records, per sample, how strongly each drift is active: for a gradual drift
# the realised 0 or 1 (this sample was drawn from the new concept or not), for an
# incremental one the ramp value. Below, the same covariate shift (sepal width moves
# down by 2.5 standard deviations) arrives with each profile.

# %%
shift = {"severity": -2.5, "features": ["sepal width (cm)"]}  # the same shift each time
profiles = {
    "abrupt": Drift("covariate", 1500, **shift),
    "gradual": Drift("covariate", 1500, width=1500, profile="gradual", **shift),
    "incremental": Drift("covariate", 1500, width=1500, profile="incremental", **shift),
    "recurring": Drift(
        "covariate", 1000, profile="recurring", duration=500, period=1500, repeats=2, **shift
    ),
}
profile_streams = {p: DriftStream(iris, [d], n_samples=N, seed=SEED) for p, d in profiles.items()}

t = np.arange(N)
fig, axes = plt.subplots(3, 4, figsize=(17, 8), sharex=True, sharey="row")
for col, (p, s) in enumerate(profile_streams.items()):
    X, y, truth = s.take(N)
    axes[0, col].plot(t, truth[:, 0], ".", ms=1, alpha=0.3, label="truth (per sample)")
    axes[0, col].plot(
        t, pd.Series(truth[:, 0]).rolling(100).mean(), c="k", lw=1.5, label="rolling mean of truth"
    )
    axes[0, col].set_title(p)
    axes[1, col].plot(t, X[:, 1], ".", ms=1, alpha=0.4)
    axes[2, col].plot(t, rolling_accuracy(frozen, s), c="tab:red")
    axes[2, col].set_xlabel("sample")
axes[0, 0].set_ylabel("truth: drift intensity")
axes[1, 0].set_ylabel("sepal width (cm)")
axes[2, 0].set_ylabel(f"frozen model accuracy\n(rolling {WINDOW})")
axes[0, 0].legend(loc="center left", fontsize=8, markerscale=5)
fig.suptitle("One covariate shift, four ways of arriving")
fig.tight_layout()
plt.show()

for p, s in profile_streams.items():
    e = s.events
    print(f"{p:12s}", [(ev.onset, ev.end, "return" if ev.is_return else "drift") for ev in e])

# %% [markdown]
# Top row: the gradual profile's `truth` is a cloud of 0s and 1s whose *average*
# ramps; the incremental profile's `truth` is the ramp itself. Middle row: under the
# gradual profile the feature has **two bands** (old and new world) and the share of
# points in the lower band grows; under the incremental profile **one band slides**.
# A detector that compares distributions sees a mixture in one case and a moving mean
# in the other. Bottom row: this shift costs the frozen model some accuracy — sepal
# width is not the feature it relies on most, yet 2.5 standard deviations is far
# enough to push points across its boundaries.
#
# The printed event lists show that a gradual or incremental event has an `end`
# (`onset + width`), and that a recurring drift has an event at each return.
#
# Let us check the `truth` semantics exactly, in the middle of the ramp.

# %%
mid = slice(2150, 2350)  # around the midpoint of the 1,500..3,000 ramp
gradual_truth = profile_streams["gradual"].take(N)[2][mid, 0]
incremental_truth = profile_streams["incremental"].take(N)[2][mid, 0]
print("gradual    : values", np.unique(gradual_truth), " mean", gradual_truth.mean().round(3))
print("incremental: from", incremental_truth[0].round(3), "to", incremental_truth[-1].round(3))

assert set(np.unique(gradual_truth)) <= {0.0, 1.0}  # each sample is old or new
assert np.allclose(incremental_truth, profiles["incremental"].ramp(t[mid]))  # the ramp itself
expected = profiles["gradual"].ramp(t[mid]).mean()  # probability of "new" at each sample
assert abs(gradual_truth.mean() - expected) < 0.1

# %% [markdown]
# ## Harmful vs benign: the same shift, seen by the data and by the model
#
# A monitor that watches the data answers "did the inputs change?". The business
# question is "did the model get worse?". They come apart in both directions.
#
# First, move two features by exactly the same amount — sepal width and petal width,
# each by 0 to 1.5 of its standard deviation — and ask both questions. The data view is
# the Wasserstein distance of the moved feature between 500 samples before the change
# and 500 after, in units of the feature's standard deviation (`Wasserstein()`
# normalises by default): for a pure shift it reads the size of the shift. The model
# view is the event's `accuracy_drop`.

# %%
severities = [0.0, 0.25, 0.5, 0.75, 1.0, 1.5]
moved = {"sepal width (cm)": 1, "petal width (cm)": 3}
distance = Wasserstein()
sweep = []
for feature, j in moved.items():
    for sev in severities:
        s = DriftStream(
            iris,
            [Drift("covariate", ONSET, severity=sev, features=[feature])],
            n_samples=N,
            seed=SEED,
        )
        pre, post = s.take(500, start=ONSET - 500)[0], s.take(500, start=ONSET)[0]
        result = distance.fit(pre[:, j]).test(post[:, j])
        sweep.append(
            {
                "feature": feature,
                "severity": sev,
                "wasserstein": result.statistic,
                "accuracy_drop": s.events[0].accuracy_drop,
            }
        )
sweep = pd.DataFrame(sweep)

fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4), sharex=True)
for feature, grp in sweep.groupby("feature"):
    a1.plot(grp.severity, grp.wasserstein, "o-", label=feature)
    a2.plot(grp.severity, grp.accuracy_drop, "o-", label=feature)
a1.set(
    xlabel="injected shift (standard deviations)",
    ylabel="Wasserstein distance, before vs after\n(standard deviations)",
    title="The data's view: both moved alike",
)
a2.axhline(0.05, color="k", ls=":", lw=1, label="harm tolerance (0.05)")
a2.set(
    xlabel="injected shift (standard deviations)",
    ylabel="accuracy drop of the reference model",
    title="The model's view: only one hurts",
)
a1.legend()
a2.legend()
fig.tight_layout()
plt.show()
sweep.pivot(index="severity", columns="feature", values=["wasserstein", "accuracy_drop"]).round(3)

# %%
at_one = sweep[sweep.severity == 1.0].set_index("feature")
assert abs(at_one.wasserstein.iloc[0] - at_one.wasserstein.iloc[1]) < 0.15  # moved alike
assert at_one.loc["petal width (cm)", "accuracy_drop"] > 3 * max(
    at_one.loc["sepal width (cm)", "accuracy_drop"], 0.02
)

# %% [markdown]
# The left panel is nearly the same line twice: a data monitor cannot tell these two
# shifts apart. The right panel is not: the model leans on petal width, so moving it
# costs accuracy fast, while it barely uses sepal width. **How much the data moved says
# little about how much the model suffers.**
#
# Now the two extremes side by side:
#
# - **benign covariate shift** (driftsim's `benign_covariate` scenario): sepal width
#   moves by half a standard deviation. The data visibly changed; the model does not care.
# - **concept swap**: the inputs are drawn exactly as before, but two classes swap
#   labels. The data did not change at all; the model breaks.
#
# Both are judged the way a monitor would: a KS test on all four features (Bonferroni
# corrected) comparing 1,000 samples before the onset with 1,000 after, and the frozen
# model's accuracy on the same two windows.

# %%
extremes = {
    "benign covariate": DriftStream(
        iris,
        [Drift("covariate", ONSET, severity=0.5, features=["sepal width (cm)"])],
        n_samples=N,
        seed=SEED,
    ),
    "concept swap": streams["concept"],
}
ks_all = KS(feature_names=iris.feature_names)
view = []
for name, s in extremes.items():
    X_pre, y_pre, _ = s.take(1000, start=ONSET - 1000)
    X_post, y_post, _ = s.take(1000, start=ONSET)
    res = ks_all.fit(X_pre).test(X_post)
    view.append(
        {
            "drift": name,
            "KS p-value (data)": res.p_value,
            "data drift?": res.drift,
            "features flagged": ", ".join(res.per_feature.drifted) or "-",
            "accuracy before": accuracy(frozen, X_pre, y_pre),
            "accuracy after": accuracy(frozen, X_post, y_post),
            "harmful (ground truth)": s.events[0].harmful,
        }
    )
view = pd.DataFrame(view).set_index("drift")
view

# %%
# The concept swap's features are bit for bit those of the stream with no drift at all:
assert np.array_equal(streams["concept"].take(N)[0], plain.take(N)[0])
benign, swap = view.loc["benign covariate"], view.loc["concept swap"]
assert benign["data drift?"] and not benign["harmful (ground truth)"]
assert abs(benign["accuracy after"] - benign["accuracy before"]) < 0.03
assert not swap["data drift?"] and swap["harmful (ground truth)"]
assert swap["accuracy after"] < swap["accuracy before"] - 0.4

# %% [markdown]
# The data test raises an alarm on the drift that does no harm and stays silent on the
# drift that breaks the model. That is not a flaw of KS: a test on P(x) *cannot* see a
# change of P(y | x). The concept swap's inputs are identical to those of a stream
# with no drift (the assertion above checks it), so any alarm a data test raised on it
# would be a false alarm — which a test at `alpha = 0.05` raises on about one
# comparison in twenty when nothing changed (notebook 02 measures this).
#
# This is why real monitoring watches several signals — inputs, predictions and, once
# labels arrive, errors — and why driftsim's benchmark scores alarms on benign drift
# separately from detections of harmful drift.
#
# ## Exercises
#
# 1. In the `drifts` cell, set `severity=0.3` in the covariate `Drift(...)` and rerun
#    that cell, the scatter-plot cell and the rolling-accuracy cell. Is the shift
#    still harmful (`harmful` in the events table)? Where in the scatter plot does
#    the frozen model make its new mistakes?
# 2. In the `profiles` cell, change `width=1500` to `width=300` for the gradual and
#    incremental drifts and rerun it. How does the middle row change? With a rolling
#    window of 200 samples, could you still tell either of them from an abrupt drift?
# 3. In the `extremes` cell, replace `streams["concept"]` by
#    `DriftStream(iris, [Drift("concept", ONSET, severity=0.2)], n_samples=N, seed=SEED)`
#    (only 20 % of the setosa and versicolor rows swap) and rerun it. Is the swap still
#    harmful by the 0.05 tolerance? Does the KS test notice anything? The assertion
#    cell after it will tell you which claim no longer holds.
#
# ## What to remember
#
# - Covariate, concept, prior and pipeline drift change different things: P(x),
#   P(y | x), P(y), or only what the model is fed.
# - Virtual drift leaves the right answers alone; real drift moves the decision
#   boundary. Training on the new world and testing on the old tells them apart.
# - Gradual drift mixes two worlds; incremental drift slides one world. `truth` records
#   0/1 draws for the first and the ramp for the second.
# - "The data changed" and "the model got worse" are different questions. Benign drift
#   makes data monitors over-alert; concept drift can be invisible to them.
