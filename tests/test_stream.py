"""DriftStream: base sampling, each drift kind, ground truth, reproducibility, validation.

Most tests compare a drifted stream with the drift-free stream of the same seed: the
base draws (rows and jitter) do not depend on the drifts, so the difference between
the two is exactly what the drift did.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from simulator.datasets import Dataset, load_dataset
from simulator.drift import KINDS, PROFILES, TRANSFORMS, Drift, Scenario
from simulator.stream import BLOCK_SIZE, Batch, DriftStream, apply_prediction_drift

IRIS = load_dataset("iris")
STD = IRIS.X.std(axis=0)
MEAN = IRIS.X.mean(axis=0)


def make(drifts=(), n=6000, seed=0, **kwargs) -> DriftStream:
    kwargs.setdefault("harm_samples", 100)
    return DriftStream(IRIS, drifts, n_samples=n, seed=seed, **kwargs)


def pair(drift, n=6000, seed=0, **kwargs):
    """(drifted, drift-free) samples of the same seed, as Batches."""
    return make([drift], n, seed, **kwargs).batch(0, n), make([], n, seed, **kwargs).batch(0, n)


def source_labels(X: np.ndarray) -> list[set[int]]:
    """Labels of the base rows equal to each row of X (needs jitter=0)."""
    labels: dict[tuple, set[int]] = {}
    for row, label in zip(map(tuple, IRIS.X), IRIS.y, strict=True):
        labels.setdefault(row, set()).add(int(label))
    return [labels[tuple(r)] for r in X]


# --- the base stream ----------------------------------------------------------------------


@pytest.mark.parametrize("jitter", [0.0, 0.05])
def test_drift_free_stream_matches_the_base_data(jitter):
    """Per-feature two-sample KS test (scipy) against the base data does not reject."""
    X, y, truth = make(n=20_000, seed=1, jitter=jitter).take(20_000)
    assert truth.shape == (20_000, 0)
    for f in range(IRIS.n_features):
        assert stats.ks_2samp(X[:, f], IRIS.X[:, f]).pvalue > 0.001
    expected = 20_000 * np.bincount(IRIS.y) / IRIS.n_samples
    assert stats.chisquare(np.bincount(y), expected).pvalue > 0.001


def test_rows_are_drawn_uniformly_with_their_labels():
    """Without jitter every sample is a base row with its own label, drawn uniformly."""
    X, y, _ = make(n=30_000, seed=2, jitter=0.0).take(30_000)
    labels = source_labels(X)
    assert all(int(label) in s for label, s in zip(y, labels, strict=True))
    unique, multiplicity = np.unique(IRIS.X, axis=0, return_counts=True)
    index = {tuple(r): i for i, r in enumerate(unique)}
    counts = np.bincount([index[tuple(r)] for r in X], minlength=len(unique))
    assert stats.chisquare(counts, 30_000 * multiplicity / IRIS.n_samples).pvalue > 0.001


def test_jitter_is_small_gaussian_and_scaled_per_feature():
    jittered = make(n=20_000, seed=3, jitter=0.05).batch(0, 20_000)
    clean = make(n=20_000, seed=3, jitter=0.0).batch(0, 20_000)
    noise = (jittered.X - clean.X) / STD
    np.testing.assert_array_equal(jittered.y, clean.y)
    np.testing.assert_allclose(noise.std(axis=0), 0.05, rtol=0.05)
    assert abs(noise.mean()) < 0.002
    assert stats.kstest(noise[:, 0] / 0.05, "norm").pvalue > 0.001
    assert len(np.unique(jittered.X, axis=0)) == 20_000


def test_categorical_features_are_never_jittered():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=60), rng.integers(0, 3, 60)])
    ds = Dataset(
        "mixed", X, rng.integers(0, 2, 60), ("num", "cat"), ("a", "b"), ("numeric", "categorical")
    )
    Xs, _, _ = DriftStream(ds, n_samples=2000, jitter=0.5, harm_samples=100).take(2000)
    assert set(np.unique(Xs[:, 1])) <= {0.0, 1.0, 2.0}
    assert len(np.unique(Xs[:, 0])) > 1000


# --- reproducibility ----------------------------------------------------------------------

DRIFTS = [
    Drift("covariate", 1000, width=3000, profile="gradual", features=[0, 2]),
    Drift("concept", 5000, severity=0.5),
    Drift("covariate", 7000, width=2000, profile="incremental", transform="noise"),
    Drift("prediction", 8000, transform="flip", severity=0.3),
    Drift("prior", 2000, profile="recurring", duration=4000, toward=2, severity=0.7),
]


def _arrays(batch: Batch):
    return batch.X, batch.y, batch.truth, batch.noise


def test_same_seed_same_stream_other_seed_other_stream():
    n = BLOCK_SIZE + 2000
    a, b = make(DRIFTS, n, seed=7).batch(0, n), make(DRIFTS, n, seed=7).batch(0, n)
    for x, z in zip(_arrays(a), _arrays(b), strict=True):
        np.testing.assert_array_equal(x, z)
    c = make(DRIFTS, n, seed=8).batch(0, n)
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("size", [7, 1000, 4097])
def test_content_does_not_depend_on_the_batch_size(size):
    n = 2 * BLOCK_SIZE + 300
    stream = make(DRIFTS, n, seed=4)
    whole = stream.batch(0, n)
    batches = list(stream.batches(size))
    assert [b.start for b in batches] == list(range(0, n, size))
    for i, part in enumerate(zip(*map(_arrays, batches), strict=True)):
        np.testing.assert_array_equal(np.concatenate(part), _arrays(whole)[i])


def test_single_sample_batches_across_a_block_boundary():
    stream = make(DRIFTS, 2 * BLOCK_SIZE, seed=5)
    lo, hi = BLOCK_SIZE - 40, BLOCK_SIZE + 40
    ones = list(stream.batches(1, start=lo, stop=hi))
    assert all(len(b) == 1 for b in ones)
    X, y, truth = make(DRIFTS, 2 * BLOCK_SIZE, seed=5).take(hi - lo, start=lo)
    np.testing.assert_array_equal(np.vstack([b.X for b in ones]), X)
    np.testing.assert_array_equal(np.concatenate([b.y for b in ones]), y)
    np.testing.assert_array_equal(np.vstack([b.truth for b in ones]), truth)


def test_length_and_random_access_do_not_change_the_content():
    long = make(DRIFTS, 3 * BLOCK_SIZE, seed=6)
    short = make(DRIFTS, 9000, seed=6)
    X_long, _, t_long = long.take(9000)
    X_short, _, t_short = short.take(9000)
    np.testing.assert_array_equal(X_long, X_short)
    np.testing.assert_array_equal(t_long, t_short)
    X_mid, _, _ = long.take(500, start=BLOCK_SIZE - 100)
    np.testing.assert_array_equal(X_mid, X_long[BLOCK_SIZE - 100 : BLOCK_SIZE + 400])


def test_samples_before_the_first_onset_equal_the_drift_free_stream():
    drifted = make(DRIFTS, 10_000, seed=9).batch(0, 1000)
    free = make([], 10_000, seed=9).batch(0, 1000)
    np.testing.assert_array_equal(drifted.X, free.X)
    np.testing.assert_array_equal(drifted.y, free.y)
    np.testing.assert_array_equal(drifted.truth, 0.0)


def test_unbounded_stream_runs_until_the_caller_stops():
    stream = DriftStream(IRIS, [Drift("concept", 10)], harm_samples=100)
    first = list(itertools.islice(stream.batches(BLOCK_SIZE), 3))
    assert [b.start for b in first] == [0, BLOCK_SIZE, 2 * BLOCK_SIZE]
    assert len(list(stream.batches(100, start=50, stop=420))) == 4


# --- covariate drift ----------------------------------------------------------------------


def test_covariate_shift_moves_the_mean_by_severity_std_and_keeps_labels():
    d = Drift("covariate", 2000, severity=0.8, features=["sepal width (cm)", 3])
    drifted, free = pair(d)
    delta = drifted.X - free.X
    np.testing.assert_array_equal(delta[:2000], 0.0)
    np.testing.assert_allclose(delta[2000:, [1, 3]], np.tile(0.8 * STD[[1, 3]], (4000, 1)))
    np.testing.assert_array_equal(delta[2000:, [0, 2]], 0.0)
    # Labels stay those of the source rows: the same as the drift-free stream's.
    np.testing.assert_array_equal(drifted.y, free.y)
    np.testing.assert_array_equal(drifted.truth[:, 0], np.arange(6000) >= 2000)
    moved = drifted.X[2000:].mean(axis=0) - drifted.X[:2000].mean(axis=0)
    assert (np.abs(moved[[1, 3]] - 0.8 * STD[[1, 3]]) < 0.1 * STD[[1, 3]]).all()


def test_covariate_scale_stretches_deviations_from_the_mean():
    drifted, free = pair(Drift("covariate", 0, transform="scale", severity=0.5, features=[0]))
    np.testing.assert_allclose(drifted.X[:, 0], MEAN[0] + 1.5 * (free.X[:, 0] - MEAN[0]))
    np.testing.assert_array_equal(drifted.X[:, 1:], free.X[:, 1:])
    np.testing.assert_array_equal(drifted.y, free.y)


def test_covariate_noise_adds_gaussian_noise_of_severity_std():
    drifted, free = pair(Drift("covariate", 0, transform="noise", severity=0.5), n=20_000)
    added = (drifted.X - free.X) / STD
    np.testing.assert_allclose(added.std(axis=0), 0.5, rtol=0.03)
    assert abs(added.mean()) < 0.01
    np.testing.assert_array_equal(drifted.y, free.y)


def test_covariate_rotate_rotates_the_standardised_plane():
    d = Drift("covariate", 0, transform="rotate", severity=1.0, features=[0, 2])  # 90 degrees
    drifted, free = pair(d)
    z_free = (free.X - MEAN) / STD
    z_drift = (drifted.X - MEAN) / STD
    np.testing.assert_allclose(z_drift[:, 0], -z_free[:, 2], atol=1e-12)
    np.testing.assert_allclose(z_drift[:, 2], z_free[:, 0], atol=1e-12)
    np.testing.assert_array_equal(drifted.X[:, [1, 3]], free.X[:, [1, 3]])
    np.testing.assert_array_equal(drifted.y, free.y)


def test_subpopulation_over_represents_the_region_and_keeps_the_concept():
    d = Drift(
        "covariate", 3000, transform="subpopulation", severity=0.75, features=[2], quantile=0.5
    )
    X, y, _ = make([d], 20_000, seed=1, jitter=0.0).take(20_000)
    median = np.quantile(IRIS.X[:, 2], 0.5)
    n_in = int((IRIS.X[:, 2] > median).sum())
    n_out = IRIS.n_samples - n_in
    share_before = (X[:3000, 2] > median).mean()
    share_after = (X[3000:, 2] > median).mean()
    assert abs(share_before - n_in / 150) < 0.03
    assert abs(share_after - n_in / (n_in + 0.25 * n_out)) < 0.01
    assert all(int(label) in s for label, s in zip(y, source_labels(X), strict=True))


# --- concept drift ------------------------------------------------------------------------


def test_concept_swap_exchanges_two_labels_and_leaves_features_alone():
    drifted, free = pair(Drift("concept", 2500, classes=(0, 2)))
    np.testing.assert_array_equal(drifted.X, free.X)
    np.testing.assert_array_equal(drifted.y[:2500], free.y[:2500])
    swapped = np.array([2, 1, 0])[free.y[2500:]]
    np.testing.assert_array_equal(drifted.y[2500:], swapped)


def test_partial_swap_is_a_fixed_function_of_the_source_row():
    d = Drift("concept", 0, severity=0.5)
    drifted, free = pair(d, n=20_000, jitter=0.0)
    changed = drifted.y != free.y
    in_pair = free.y < 2
    assert not changed[~in_pair].any()
    assert 0.35 < changed[in_pair].mean() < 0.65
    decided: dict[tuple, bool] = {}
    for row, flag in zip(map(tuple, free.X), changed, strict=True):
        assert decided.setdefault(row, flag) == flag


def test_relabel_region_changes_labels_only_inside_the_region():
    d = Drift("concept", 0, transform="relabel_region", severity=0.3, features=[2])
    drifted, free = pair(d, n=20_000, jitter=0.0)
    np.testing.assert_array_equal(drifted.X, free.X)
    threshold = np.sort(IRIS.X[:, 2])[int(np.ceil(0.7 * 150))]
    inside = free.X[:, 2] >= threshold
    np.testing.assert_array_equal(drifted.y[inside], (free.y[inside] + 1) % 3)
    np.testing.assert_array_equal(drifted.y[~inside], free.y[~inside])
    assert abs(inside.mean() - 0.3) < 0.05


def test_rotate_boundary_relabels_by_the_rotated_base_rows():
    d = Drift("concept", 0, transform="rotate_boundary", severity=1.0, features=[2, 3])
    drifted, free = pair(d, n=5000, jitter=0.0)
    np.testing.assert_array_equal(drifted.X, free.X)
    # Expected labels: the 1-NN among base rows rotated by 90 degrees in the (2, 3) plane.
    z = (IRIS.X - MEAN) / STD
    rotated = z.copy()
    rotated[:, 2], rotated[:, 3] = -z[:, 3], z[:, 2]
    zs = (free.X - MEAN) / STD
    nearest = ((zs[:, None, :] - rotated[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
    np.testing.assert_array_equal(drifted.y, IRIS.y[nearest])
    assert (drifted.y != free.y).mean() > 0.2


def test_incremental_boundary_rotation_changes_more_labels_as_it_ramps():
    d = Drift(
        "concept",
        0,
        width=9000,
        profile="incremental",
        transform="rotate_boundary",
        severity=1.0,
        features=[2, 3],
    )
    drifted, free = pair(d, n=9000)
    changed = (drifted.y != free.y).reshape(3, 3000).mean(axis=1)
    assert changed[0] < changed[1] < changed[2]


# --- prior drift --------------------------------------------------------------------------


def test_prior_drift_reaches_the_requested_proportions():
    d = Drift("prior", 1000, proportions=(0.5, 0.3, 0.2))
    _, y, _ = make([d], 31_000, seed=2).take(31_000)
    np.testing.assert_allclose(np.bincount(y[1000:]) / 30_000, [0.5, 0.3, 0.2], atol=0.01)
    assert stats.chisquare(np.bincount(y[1000:]), [15_000, 9_000, 6_000]).pvalue > 0.001


def test_prior_drift_toward_a_class_by_severity_keeps_class_conditionals():
    d = Drift("prior", 0, toward=0, severity=0.8)
    X, y, _ = make([d], 30_000, seed=3, jitter=0.0).take(30_000)
    target = 0.2 * np.full(3, 1 / 3) + 0.8 * np.eye(3)[0]
    np.testing.assert_allclose(np.bincount(y) / 30_000, target, atol=0.01)
    for c in range(3):
        base = IRIS.X[IRIS.y == c]
        assert (np.abs(X[y == c].mean(axis=0) - base.mean(axis=0)) < 0.1 * STD).all()


def test_incremental_prior_drift_interpolates_the_proportions_linearly():
    d = Drift("prior", 0, width=40_000, profile="incremental", toward=1)
    _, y, truth = make([d], 40_000, seed=4).take(40_000)
    share = (y == 1).reshape(8, 5000).mean(axis=1)
    ramp = truth[:, 0].reshape(8, 5000).mean(axis=1)
    np.testing.assert_allclose(share, (1 - ramp) / 3 + ramp, atol=0.025)


# --- profiles -----------------------------------------------------------------------------


def test_gradual_drift_draws_from_the_new_concept_with_a_linear_probability():
    d = Drift("covariate", 1000, width=20_000, profile="gradual", severity=2.0, features=[0])
    drifted, free = pair(d, n=22_000)
    truth = drifted.truth[:, 0]
    assert set(np.unique(truth)) == {0.0, 1.0}
    shifted = ~np.isclose(drifted.X[:, 0], free.X[:, 0])
    np.testing.assert_array_equal(shifted, truth == 1.0)
    np.testing.assert_allclose(drifted.X[shifted, 0] - free.X[shifted, 0], 2.0 * STD[0])
    bins = truth[1000:21_000].reshape(10, 2000).mean(axis=1)
    np.testing.assert_allclose(bins, (np.arange(10) + 0.5) / 10, atol=0.04)
    np.testing.assert_array_equal(truth[21_000:], 1.0)
    np.testing.assert_array_equal(truth[:1000], 0.0)


def test_incremental_drift_ramps_the_transform_itself():
    d = Drift("covariate", 1000, width=2000, profile="incremental", severity=1.0, features=[3])
    drifted, free = pair(d)
    ramp = np.clip((np.arange(6000) - 1000) / 2000, 0, 1)
    np.testing.assert_allclose(drifted.truth[:, 0], ramp)
    np.testing.assert_allclose(drifted.X[:, 3] - free.X[:, 3], ramp * STD[3], atol=1e-12)


def test_recurring_drift_returns_to_the_old_concept_repeatedly():
    d = Drift("concept", 1000, profile="recurring", duration=500, period=2000, repeats=2)
    drifted, free = pair(d)
    on = np.zeros(6000, dtype=bool)
    on[1000:1500] = on[3000:3500] = True
    np.testing.assert_array_equal(drifted.truth[:, 0], on)
    swapped = np.array([1, 0, 2])[free.y]
    np.testing.assert_array_equal(drifted.y, np.where(on, swapped, free.y))
    stream = make([d])
    assert [(e.onset, e.is_return) for e in stream.events] == [
        (1000, False),
        (1500, True),
        (3000, False),
        (3500, True),
    ]
    assert all(e.drift_index == 0 and e.harmful for e in stream.events)


def test_several_drifts_combine_in_list_order():
    drifts = [
        Drift("covariate", 100, severity=1.0, features=[0]),
        Drift("covariate", 200, transform="scale", severity=1.0, features=[0]),
    ]
    combined = make(drifts, 400).batch(0, 400)
    free = make([], 400).batch(0, 400)
    x = free.X[:, 0]
    expected = np.where(np.arange(400) >= 100, x + STD[0], x)
    expected = np.where(np.arange(400) >= 200, MEAN[0] + 2.0 * (expected - MEAN[0]), expected)
    np.testing.assert_allclose(combined.X[:, 0], expected)


# --- pipeline faults ----------------------------------------------------------------------


def test_stuck_feature_reads_a_constant_while_labels_keep_the_clean_relation():
    drifted, free = pair(Drift("pipeline", 1000, features=[2], value=-1.0))
    np.testing.assert_array_equal(drifted.X[1000:, 2], -1.0)
    np.testing.assert_array_equal(drifted.X[:1000], free.X[:1000])
    np.testing.assert_array_equal(drifted.X[:, [0, 1, 3]], free.X[:, [0, 1, 3]])
    np.testing.assert_array_equal(drifted.y, free.y)
    default = pair(Drift("pipeline", 0, features=[1]))[0]
    np.testing.assert_array_equal(default.X[:, 1], MEAN[1])


def test_a_stuck_categorical_feature_defaults_to_its_most_frequent_category():
    X = np.column_stack([np.arange(40.0), np.repeat([0.0, 1.0, 2.0, 2.0], 10)])
    ds = Dataset(
        "cat", X, np.arange(40) % 2, ("num", "cat"), ("a", "b"), ("numeric", "categorical")
    )
    stream = DriftStream(
        ds, [Drift("pipeline", 0, features=["cat"])], n_samples=300, harm_samples=100
    )
    np.testing.assert_array_equal(stream.take(300)[0][:, 1], 2.0)


def test_missing_values_are_imputed_for_a_severity_share_of_samples():
    d = Drift("pipeline", 0, transform="missing", severity=0.3, features=[0, 1], fill=0.0)
    drifted, free = pair(d, n=20_000)
    hit = drifted.X[:, :2] == 0.0
    assert abs(hit.mean() - 0.3) < 0.01
    np.testing.assert_array_equal(drifted.X[:, :2][~hit], free.X[:, :2][~hit])
    np.testing.assert_array_equal(drifted.y, free.y)


def test_unit_change_multiplies_by_the_factor():
    d = Drift("pipeline", 0, transform="unit", features=[3], factor=10.0)
    drifted, free = pair(d)
    np.testing.assert_allclose(drifted.X[:, 3], 10.0 * free.X[:, 3])
    np.testing.assert_array_equal(drifted.y, free.y)


# --- prediction drift ---------------------------------------------------------------------


def test_prediction_drift_leaves_the_data_and_provides_uniforms():
    d = Drift("prediction", 1000, transform="flip", severity=0.4)
    drifted, free = pair(d, n=20_000)
    np.testing.assert_array_equal(drifted.X, free.X)
    np.testing.assert_array_equal(drifted.y, free.y)
    u = drifted.noise[1000:, 0]
    assert stats.kstest(u, "uniform").pvalue > 0.001
    proba = np.eye(3)[free.y]
    served = apply_prediction_drift(proba, drifted.truth, [d], drifted.noise)
    wrong = served.argmax(axis=1) != free.y
    assert not wrong[:1000].any()
    assert abs(wrong[1000:].mean() - 0.4) < 0.015


def test_prediction_drift_result_does_not_depend_on_the_batch_size():
    d = Drift("prediction", 100, width=3000, profile="incremental", transform="flip")
    stream = make([d], 5000)
    proba = np.random.default_rng(0).dirichlet(np.ones(3), size=5000)

    def served(size):
        return np.vstack(
            [
                apply_prediction_drift(proba[b.start : b.stop], b.truth, stream.drifts, b.noise)
                for b in stream.batches(size)
            ]
        )

    np.testing.assert_array_equal(served(7), served(5000))


# --- harm and events ----------------------------------------------------------------------


def test_class_swap_on_iris_is_harmful():
    event = DriftStream(IRIS, [Drift("concept", 2000)], n_samples=5000).events[0]
    assert event.harmful
    assert event.accuracy_drop == pytest.approx(event.accuracy_before - event.accuracy_after)
    assert event.accuracy_before > 0.9
    assert event.accuracy_drop > 0.3


def test_prediction_bias_harm_is_measured_on_the_served_probabilities():
    strong = DriftStream(IRIS, [Drift("prediction", 10, severity=0.6)], n_samples=100)
    tiny = DriftStream(IRIS, [Drift("prediction", 10, severity=0.01)], n_samples=100)
    assert strong.events[0].harmful and strong.events[0].accuracy_drop > 0.3
    assert not tiny.events[0].harmful


def test_harm_tolerance_decides_harmful():
    d = Drift("covariate", 100, severity=1.0, features=[0, 1])
    drop = make([d], harm_samples=2000).events[0].accuracy_drop
    assert 0.0 < drop < 0.5
    assert make([d], harm_samples=2000, harm_tolerance=drop - 0.01).events[0].harmful
    assert not make([d], harm_samples=2000, harm_tolerance=drop + 0.01).events[0].harmful


def test_reference_model_is_configurable_and_not_fitted_in_place():
    from sklearn.tree import DecisionTreeClassifier

    model = DecisionTreeClassifier(random_state=0)
    event = make([Drift("concept", 100)], reference_model=model).events[0]
    assert event.harmful
    assert not hasattr(model, "tree_")


def test_events_are_sorted_and_describe_their_drift():
    drifts = [Drift("concept", 3000), Drift("covariate", 1000, width=500, profile="gradual")]
    events = make(drifts).events
    assert [(e.onset, e.end, e.drift_index, e.kind, e.profile) for e in events] == [
        (1000, 1500, 1, "covariate", "gradual"),
        (3000, 3000, 0, "concept", "abrupt"),
    ]


def test_a_drift_starting_after_the_end_warns_and_has_no_event():
    with pytest.warns(UserWarning, match=r"drift 1 .* starts at 7000.*n_samples=5000"):
        stream = make([Drift("concept", 100), Drift("concept", 7000)], 5000)
    assert [e.drift_index for e in stream.events] == [0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make([Drift("concept", 4999)], 5000)


def test_a_scenario_is_accepted_and_remembered():
    stream = make(Scenario("swap", [Drift("concept", 10)]), 100)
    assert stream.scenario.name == "swap"
    assert stream.drifts == (Drift("concept", 10),)
    assert "scenario='swap'" in repr(stream)


# --- validation ---------------------------------------------------------------------------


def _dataset(X, y=None):
    X = np.asarray(X, dtype=float)
    y = np.zeros(len(X), dtype=int) if y is None else y
    names = tuple(f"f{i}" for i in range(X.shape[1]))
    return Dataset("bad", X, y, names, ("a", "b"))


def test_nan_in_the_features_is_an_error_naming_the_column():
    X = np.ones((5, 3))
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"feature 'f1' \(column 1\).*nan.*row 3"):
        DriftStream(_dataset(X))


def test_an_empty_dataset_is_an_error():
    with pytest.raises(ValueError, match="empty"):
        DriftStream(_dataset(np.ones((0, 2))))


@pytest.mark.parametrize(
    ("drift", "message"),
    [
        (
            Drift("covariate", 0, features=["petal size"]),
            r"features: drift 0 .*unknown feature 'petal size'; allowed: \['sepal length",
        ),
        (Drift("covariate", 0, features=[4]), r"features: .*index 4 out of range; allowed: 0..3"),
        (Drift("concept", 0, classes=(0, 3)), r"classes: .*class 3; allowed: 0..2"),
        (Drift("prior", 0, toward=5), r"toward: .*class 5; allowed: 0..2"),
        (Drift("prior", 0, proportions=(0.5, 0.5)), r"proportions: .*2 proportions for 3"),
        (Drift("concept", 0, transform="relabel_region", to=3), r"to: .*class 3"),
    ],
)
def test_specs_that_do_not_fit_the_dataset_are_errors(drift, message):
    with pytest.raises(ValueError, match=message):
        make([drift], 100)


@pytest.mark.parametrize("transform", ["shift", "scale", "noise", "rotate"])
def test_covariate_transforms_refuse_categorical_features(transform):
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=30), rng.integers(0, 3, 30), rng.normal(size=30)])
    ds = Dataset(
        "mixed",
        X,
        rng.integers(0, 2, 30),
        ("a", "b", "c"),
        ("n", "y"),
        ("numeric", "categorical", "numeric"),
    )
    features = ["a", "b"] if transform == "rotate" else ["b"]
    with pytest.raises(ValueError, match=r"features: .*categorical feature\(s\) \['b'\]"):
        DriftStream(ds, [Drift("covariate", 0, transform=transform, features=features)])
    # With the default features a shift only touches the numeric ones.
    stream = DriftStream(ds, [Drift("covariate", 0, severity=3.0)], n_samples=500, harm_samples=100)
    assert set(np.unique(stream.take(500)[0][:, 1])) <= {0.0, 1.0, 2.0}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed": -1}, "seed must be >= 0"),
        ({"n_samples": 0}, "n_samples must be >= 1"),
        ({"jitter": 2.0}, "jitter must be <= 1.0"),
        ({"harm_tolerance": -0.1}, "harm_tolerance must be >= 0.0"),
        ({"drifts": [1]}, r"drifts\[0\] must be a Drift"),
    ],
)
def test_bad_stream_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DriftStream(IRIS, **kwargs)


def test_reading_past_the_end_or_bad_sizes_are_errors():
    stream = make([], 100)
    with pytest.raises(ValueError, match=r"stop must be <= n_samples \(100\)"):
        stream.take(50, start=60)
    with pytest.raises(ValueError, match="size must be >= 1"):
        next(stream.batches(0))
    with pytest.raises(ValueError, match="start must be >= 0"):
        stream.batch(-1, 5)


# --- properties ---------------------------------------------------------------------------


@st.composite
def drift_specs(draw):
    kind = draw(st.sampled_from(KINDS))
    # A concept switch needs a generator dataset: tests/test_generators.py covers it.
    transform = draw(st.sampled_from([t for t in TRANSFORMS[kind] if t != "switch"]))
    profile = draw(st.sampled_from(PROFILES))
    kwargs = {
        "kind": kind,
        "transform": transform,
        "profile": profile,
        "start": draw(st.integers(0, 9000)),
        # Every transform's severity range contains [0, 1].
        "severity": draw(st.floats(0.0, 1.0)),
    }
    if profile in ("gradual", "incremental", "sigmoid"):
        kwargs["width"] = draw(st.integers(1, 5000))
    if profile == "recurring":
        kwargs["duration"] = draw(st.integers(1, 3000))
        kwargs["repeats"] = draw(st.integers(1, 3))
    if kind == "prior":
        kwargs["toward"] = draw(st.integers(0, 2))
    if transform == "swap":
        kwargs["classes"] = tuple(draw(st.permutations([0, 1, 2]))[:2])
    if transform in ("rotate", "rotate_boundary"):
        kwargs["features"] = draw(st.none() | st.permutations([0, 1, 2, 3]).map(lambda p: p[:2]))
    elif kind in ("covariate", "pipeline") or transform == "relabel_region":
        single = transform in ("subpopulation", "relabel_region")
        n = 1 if single else draw(st.integers(1, 4))
        kwargs["features"] = draw(
            st.none() | st.permutations(list(IRIS.feature_names)).map(lambda p: p[:n])
        )
    return Drift(**kwargs)


@settings(max_examples=25, deadline=None)
@given(
    drifts=st.lists(drift_specs(), max_size=3),
    seed=st.integers(0, 2**32),
    size=st.integers(5, 5000),
)
def test_random_specs_give_valid_reproducible_batch_size_free_streams(drifts, seed, size):
    n = BLOCK_SIZE + 1500
    stream = make(drifts, n, seed=seed)
    whole = stream.batch(0, n)
    assert whole.X.shape == (n, 4) and whole.X.dtype == np.float64
    assert whole.y.shape == (n,) and whole.y.dtype == np.int64
    assert whole.truth.shape == (n, len(drifts)) and whole.truth.dtype == np.float64
    assert np.isfinite(whole.X).all()
    assert ((whole.y >= 0) & (whole.y < 3)).all()
    assert ((whole.truth >= 0) & (whole.truth <= 1)).all()
    assert ((whole.noise >= 0) & (whole.noise < 1)).all()
    for j, d in enumerate(drifts):
        # MOA's sigmoid mixes in new-concept samples up to 5 widths before its centre
        first = max(d.start - 1 - 5 * d.width, 0) if d.profile == "sigmoid" else d.start
        np.testing.assert_array_equal(whole.truth[:first, j], 0.0)
    again = make(drifts, n, seed=seed).batch(0, n)
    for a, b in zip(_arrays(whole), _arrays(again), strict=True):
        np.testing.assert_array_equal(a, b)
    assert stream.events == make(drifts, n, seed=seed).events
    parts = list(stream.batches(size))
    for i, part in enumerate(zip(*map(_arrays, parts), strict=True)):
        np.testing.assert_array_equal(np.concatenate(part), _arrays(whole)[i])
