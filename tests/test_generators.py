"""Generator concepts as drift: the vectorised generators against river, and streams that
switch a generator's concept (abrupt, MOA sigmoid, recurring, chained).

Agreement with river comes in two strengths. Where river's seeding allows it, sample for
sample: the parameters river derives from its seed (hyperplane weights, RBF centroids
and speeds, LED's swapped attributes) are equal, and our rule of each concept labels
river's own features exactly as river did. Elsewhere in distribution: a switch stream
and river's ``ConceptDriftStream`` over the same generators give per-feature KS tests
that do not reject, the same label rates, and the same accuracy of each concept's true
rule before and after the switch.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from river.datasets import synth
from scipy import stats

from simulator.datasets import load_dataset
from simulator.drift import Drift
from simulator.generators import GENERATORS, LED, RandomRBF, make_generator
from simulator.loop import DeploymentLoop
from simulator.loop_config import GateConfig, RetrainConfig
from simulator.policies import Never, Oracle
from simulator.stream import DriftStream


def river_arrays(gen, n: int) -> tuple[np.ndarray, np.ndarray]:
    rows = list(itertools.islice(gen, n))
    X = np.array([[float(v) for v in x.values()] for x, _ in rows])
    return X, np.array([int(y) for _, y in rows])


def switch(start: int, to: dict, **kwargs) -> Drift:
    return Drift("concept", start, transform="switch", to=to, **kwargs)


# ------------------------------------------------------------------ sample for sample
RULES = [
    *[("sea", {"variant": v}, lambda s, v=v: synth.SEA(variant=v, seed=s)) for v in range(4)],
    *[
        ("agrawal", {"classification_function": f},
         lambda s, f=f: synth.Agrawal(classification_function=f, seed=s))
        for f in range(10)
    ],
    *[
        ("stagger", {"classification_function": f},
         lambda s, f=f: synth.STAGGER(classification_function=f, seed=s))
        for f in range(3)
    ],
    *[
        ("sine", {"classification_function": f},
         lambda s, f=f: synth.Sine(classification_function=f, seed=s))
        for f in range(4)
    ],
    *[
        ("mixed", {"classification_function": f},
         lambda s, f=f: synth.Mixed(classification_function=f, seed=s))
        for f in range(2)
    ],
    ("hyperplane", {"noise_percentage": 0.0},
     lambda s: synth.Hyperplane(seed=s, noise_percentage=0.0)),
]


@pytest.mark.parametrize(
    ("name", "concept", "river_gen"), RULES,
    ids=[f"{n}-{'-'.join(map(str, c.values()))}" for n, c, _ in RULES],
)
def test_rule_labels_river_samples_exactly(name, concept, river_gen):
    """Our concept rule, applied to river's features, gives river's labels: every one."""
    X, y = river_arrays(river_gen(11), 3000)
    if name == "agrawal":
        X[:, 4] -= 1.0  # car 1..20 is code 0..19 here
    gen = make_generator(name, seed=11, **concept)
    np.testing.assert_array_equal(gen.rule(X), y)


def test_hyperplane_walk_is_rivers_walk_without_reversals():
    """With sigma <= 0.01 river never reverses, so its moving weights are known exactly:
    our labels for river's features agree sample for sample."""
    river = synth.Hyperplane(seed=4, n_features=5, n_drift_features=2, mag_change=0.001,
                             noise_percentage=0.0, sigma=0.0)
    X, y = river_arrays(river, 4000)
    gen = make_generator("hyperplane", seed=4, n_features=5, n_drift_features=2,
                         mag_change=0.001, sigma=0.0, noise_percentage=0.0)
    _, ours = gen.render({"x": X, "u": np.ones(len(X))}, np.arange(len(X)), gen.base)
    np.testing.assert_array_equal(ours, y)


def test_rbf_centroids_and_speeds_are_rivers():
    river = synth.RandomRBFDrift(seed_model=7, seed_sample=1, n_classes=3, n_features=4,
                                 n_centroids=6, change_speed=0.5, n_drift_centroids=6)
    next(iter(river))  # river builds its centroids when iteration starts
    gen = RandomRBF(seed_model=7, n_classes=3, n_features=4, n_centroids=6)
    start = np.array([c.centre for c in river.centroids])
    # river has moved every centroid one step before its first sample
    np.testing.assert_allclose(start, np.clip(gen.centres + 0.5 * gen.speeds, 0, 1))
    assert gen.labels.tolist() == [c.class_label for c in river.centroids]
    np.testing.assert_allclose(gen.spread, [c.std_dev for c in river.centroids])


def test_led_segments_and_swaps_are_rivers():
    river = synth.LEDDrift(seed=9, irrelevant_features=True, n_drift_features=4)
    X, y = river_arrays(river, 500)
    pos = LED(seed=9, irrelevant_features=True).positions(4)
    table = np.array(synth.LED._ORIGINAL_INSTANCES, dtype=np.float64)
    np.testing.assert_array_equal(X[:, pos[:7]], table[y])
    ours, digits = LED(seed=9, irrelevant_features=True, n_drift_features=4).sample(500)
    np.testing.assert_array_equal(ours[:, pos[:7]], table[digits])


# ------------------------------------------------------------------ in distribution
# (name, generator options, the switch's target, river's two generators)
PAIRS = [
    ("sea", {"noise": 0.1}, {"variant": 1},
     lambda s: (synth.SEA(0, 0.1, seed=s), synth.SEA(1, 0.1, seed=s + 1))),
    ("agrawal", {"perturbation": 0.05}, {"classification_function": 2},
     lambda s: (synth.Agrawal(0, seed=s, perturbation=0.05),
                synth.Agrawal(2, seed=s + 1, perturbation=0.05))),
    ("stagger", {}, {"classification_function": 1},
     lambda s: (synth.STAGGER(0, seed=s), synth.STAGGER(1, seed=s + 1))),
    ("sine", {}, {"classification_function": 2},
     lambda s: (synth.Sine(0, seed=s), synth.Sine(2, seed=s + 1))),
    ("mixed", {}, {"classification_function": 1},
     lambda s: (synth.Mixed(0, seed=s), synth.Mixed(1, seed=s + 1))),
    ("hyperplane", {"n_features": 4}, {"noise_percentage": 0.2},
     lambda s: (synth.Hyperplane(seed=s, n_features=4),
                synth.Hyperplane(seed=s, n_features=4, noise_percentage=0.2))),
    ("led", {"irrelevant_features": True, "noise_percentage": 0.1}, {"n_drift_features": 3},
     lambda s: (synth.LED(seed=s, irrelevant_features=True, noise_percentage=0.1),
                synth.LEDDrift(seed=s, irrelevant_features=True, noise_percentage=0.1,
                               n_drift_features=3))),
    ("random_rbf", {"seed_model": 3, "n_features": 3, "n_centroids": 10},
     {"change_speed": 0.0},
     lambda s: (synth.RandomRBF(seed_model=3, seed_sample=s, n_features=3, n_centroids=10),
                synth.RandomRBF(seed_model=3, seed_sample=s + 1, n_features=3,
                                n_centroids=10))),
]
POSITION, WIDTH, N = 3000, 1000, 6000


@pytest.mark.parametrize(("name", "options", "to", "river_pair"), PAIRS,
                         ids=[p[0] for p in PAIRS])
def test_switch_stream_matches_river_concept_drift_stream(name, options, to, river_pair):
    ds = load_dataset(name, n_samples=500, seed=2, **options)
    ours = DriftStream(ds, [switch(POSITION, to, width=WIDTH, profile="sigmoid")],
                       n_samples=N, seed=5, harm_samples=200)
    X, y, truth = ours.take(N)
    first, second = river_pair(2)
    Xr, yr = river_arrays(
        synth.ConceptDriftStream(first, second, position=POSITION, width=WIDTH, seed=8), N
    )
    if name == "agrawal":
        Xr[:, 4] -= 1.0
    # the share of new-concept samples follows the same sigmoid
    for lo, hi in ((0, 2000), (2000, 3000), (3000, 4000), (4000, N)):
        expected = Drift("concept", POSITION, width=WIDTH, profile="sigmoid").ramp(
            np.arange(lo, hi)).mean()
        assert truth[lo:hi, 0].mean() == pytest.approx(expected, abs=0.05)
    for j in range(X.shape[1]):  # before, and after the transition
        for sl in (slice(0, 2000), slice(4500, N)):
            p = stats.ks_2samp(X[sl, j], Xr[sl, j]).pvalue
            assert p > 1e-4, f"feature {j} in {sl}: KS p = {p:.2g}"
    k = ds.n_classes
    for sl in (slice(0, 2000), slice(4500, N)):  # class rates
        ours_rates = np.bincount(y[sl], minlength=k) / len(y[sl])
        rivers = np.bincount(yr[sl], minlength=k) / len(yr[sl])
        np.testing.assert_allclose(ours_rates, rivers, atol=0.05)
    gen = ds.generator
    if name in ("sea", "agrawal", "stagger", "sine", "mixed", "hyperplane"):
        for concept in (None, to):
            for sl in (slice(0, 2000), slice(4500, N)):
                ours_acc = np.mean(gen.rule(X[sl], concept) == y[sl])
                rivers = np.mean(gen.rule(Xr[sl], concept) == yr[sl])
                assert ours_acc == pytest.approx(rivers, abs=0.04)


# ------------------------------------------------------------------ streams
def sea_stream(drifts, n=12_000, noise=0.0, seed=0, **kwargs):
    ds = load_dataset("sea", n_samples=500, seed=seed, noise=noise)
    return DriftStream(ds, drifts, n_samples=n, seed=seed, harm_samples=2000, **kwargs)


def test_chained_sea_switches_label_by_the_concept_in_force():
    """SEA's four concepts in a row (2.5k, 5k, 7.5k), noise-free: every label is the rule
    of the concept in force at its sample."""
    drifts = [switch(2500, {"variant": 1}), switch(5000, {"variant": 2}),
              switch(7500, {"variant": 3})]
    s = sea_stream(drifts, n=10_000)
    X, y, _ = s.take(10_000)
    gen = s.dataset.generator
    for lo, hi, variant in ((0, 2500, 0), (2500, 5000, 1), (5000, 7500, 2), (7500, 10_000, 3)):
        np.testing.assert_array_equal(y[lo:hi], gen.rule(X[lo:hi], {"variant": variant}))
    assert [e.onset for e in s.events] == [2500, 5000, 7500]
    assert all(e.transform == "switch" for e in s.events)


def test_recurring_switch_returns_to_the_base_concept():
    s = sea_stream([switch(2000, {"variant": 1}, profile="recurring", duration=1000,
                           repeats=2)], n=6000)
    X, y, _ = s.take(6000)
    gen = s.dataset.generator
    for lo, hi, variant in ((0, 2000, 0), (2000, 3000, 1), (3000, 4000, 0), (4000, 5000, 1),
                            (5000, 6000, 0)):
        np.testing.assert_array_equal(y[lo:hi], gen.rule(X[lo:hi], {"variant": variant}))
    assert [(e.onset, e.is_return) for e in s.events] == [
        (2000, False), (3000, True), (4000, False), (5000, True)]


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generator_switch_streams_are_batch_size_free_and_reproducible(name):
    to = {"sea": {"variant": 3}, "agrawal": {"classification_function": 4},
          "stagger": {"classification_function": 2}, "sine": {"classification_function": 3},
          "mixed": {"classification_function": 1},
          "hyperplane": {"mag_change": 0.01, "sigma": 0.2},
          "random_rbf": {"change_speed": 0.01}, "led": {"noise_percentage": 0.3}}[name]
    ds = load_dataset(name, n_samples=300, seed=1)
    drifts = [switch(9000, to, width=2000, profile="sigmoid")]
    if any(k == "numeric" for k in ds.feature_kinds):  # a covariate drift on top
        drifts.append(Drift("covariate", 12_000))
    n = 20_000
    make = lambda: DriftStream(ds, drifts, n_samples=n, seed=3, harm_samples=100)  # noqa: E731
    whole = make().batch(0, n)
    parts = list(make().batches(777))
    np.testing.assert_array_equal(np.concatenate([b.X for b in parts]), whole.X)
    np.testing.assert_array_equal(np.concatenate([b.y for b in parts]), whole.y)
    np.testing.assert_array_equal(np.concatenate([b.truth for b in parts]), whole.truth)
    again = make().batch(12_345, 16_000)
    np.testing.assert_array_equal(again.X, whole.X[12_345:16_000])
    assert np.isfinite(whole.X).all() and set(np.unique(whole.y)) <= set(range(ds.n_classes))
    # fresh samples: no two rows repeat (a resampled dataset of 300 rows would)
    assert len(np.unique(whole.X[:, :3].round(12), axis=0)) > 1000 or name in (
        "stagger", "led", "mixed")


def test_moving_hyperplane_switch_is_harmful_and_static_switch_to_the_same_is_not():
    ds = load_dataset("hyperplane", n_samples=500, seed=0, n_features=4, n_drift_features=4,
                      noise_percentage=0.0)
    moving = DriftStream(ds, [switch(1000, {"mag_change": 0.002, "sigma": 0.0})],
                         n_samples=5000, seed=0)
    same = DriftStream(ds, [switch(1000, {"noise_percentage": 0.0})], n_samples=5000, seed=0)
    assert moving.events[0].harmful and moving.events[0].accuracy_drop > 0.05
    assert not same.events[0].harmful and same.events[0].accuracy_drop == 0.0


# ------------------------------------------------------------------ done when: SEA 8 -> 9
def test_sea_8_to_9_loses_what_the_rule_implies_and_retraining_recovers_it():
    """SEA θ 8 → 9 with 10 % label noise as one stream. The samples the switch relabels
    are those with 8 < x0 + x1 <= 9: probability (9² − 8²) / 200 = 0.085 for uniform
    features on [0, 10]². A model of the old rule is right on them with probability 0.1
    instead of 0.9, so it loses 0.085 × 0.8 = 0.068 accuracy. The loop's model trained
    before the switch loses that much; the oracle's retrained model wins it back."""
    implied = (81 - 64) / 200 * (0.9 - 0.1)
    s = sea_stream([switch(6000, {"variant": 1})], n=12_000, noise=0.1)
    event = s.events[0]
    assert event.harmful
    assert event.accuracy_drop == pytest.approx(implied, abs=0.025)

    never = DeploymentLoop(s, policy=Never(), seed=0, initial_train=2000).run()
    before, after = never.correct[2000:6000].mean(), never.correct[6000:].mean()
    assert before == pytest.approx(0.9, abs=0.02)
    assert before - after == pytest.approx(implied, abs=0.025)

    oracle = DeploymentLoop(s, policy=Oracle(), retrain=RetrainConfig(window=2000),
                            gate=GateConfig(holdout=0.0), seed=0, initial_train=2000).run()
    recovered = oracle.correct[8500:].mean()
    assert recovered == pytest.approx(0.9, abs=0.02)
    assert recovered - never.correct[8500:].mean() > 0.04


# ------------------------------------------------------------------ bad input
def test_switch_needs_a_generator_dataset():
    with pytest.raises(ValueError, match="needs a river generator dataset"):
        DriftStream(load_dataset("iris"), [switch(10, {"variant": 1})], n_samples=100)


def test_switch_to_an_unknown_parameter_names_the_allowed_ones():
    with pytest.raises(ValueError, match=r"drift 0 .*'colour'.*allowed: \['noise', 'variant'\]"):
        sea_stream([switch(10, {"colour": 1})], n=100)


def test_switch_with_a_row_selection_drift_is_refused():
    with pytest.raises(ValueError, match="cannot be combined with a concept switch"):
        sea_stream([switch(10, {"variant": 1}), Drift("prior", 10, toward=0)], n=100)


def test_switch_needs_to_and_refuses_incremental():
    with pytest.raises(ValueError, match="needs the option to="):
        Drift("concept", 0, transform="switch")
    with pytest.raises(ValueError, match="incremental"):
        switch(0, {"variant": 1}, profile="incremental", width=10)


def test_balanced_generators_have_no_vectorised_twin():
    assert load_dataset("sine", n_samples=50, balance_classes=True).generator is None
    assert load_dataset("sine", n_samples=50).generator is not None
