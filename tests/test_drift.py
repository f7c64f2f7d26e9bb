"""The drift specification (Drift, Scenario) and the pure prediction-drift function."""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pytest
from omegaconf import OmegaConf

from simulator.drift import TRANSFORMS, Drift, Scenario
from simulator.stream import apply_prediction_drift

# --- construction ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "transform"),
    [
        ("covariate", "shift"),
        ("concept", "swap"),
        ("prediction", "bias"),
        ("pipeline", "stuck"),
    ],
)
def test_default_transform_per_kind(kind, transform):
    assert Drift(kind=kind, start=0).transform == transform


def test_prior_has_its_own_transform():
    d = Drift(kind="prior", start=0, toward=1)
    assert d.transform == "resample"
    assert d.options["toward"] == 1


def test_options_as_keywords_or_mapping_are_the_same_drift():
    a = Drift(kind="concept", start=500, transform="swap", classes=(0, 2))
    b = Drift(kind="concept", start=500, transform="swap", options={"classes": [0, 2]})
    assert a == b
    assert hash(a) == hash(b)
    assert a.options["classes"] == (0, 2)


def test_option_defaults_are_filled_in():
    d = Drift(kind="concept", start=0)
    assert d.options["classes"] == (0, 1)
    r = Drift(kind="concept", start=0, profile="recurring", duration=30)
    assert r.options["period"] == 60
    assert r.options["repeats"] == 1


def test_drift_is_frozen_replaceable_and_picklable():
    d = Drift(kind="covariate", start=10, features=["a", 2], severity=-0.5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.start = 3  # type: ignore[misc]
    moved = dataclasses.replace(d, start=20)
    assert moved.start == 20
    assert moved.features == ("a", 2)
    assert pickle.loads(pickle.dumps(d)) == d


def test_features_accept_a_single_name_or_index_and_config_lists():
    assert Drift(kind="covariate", start=0, features="x").features == ("x",)
    assert Drift(kind="covariate", start=0, features=3).features == (3,)
    listed = Drift(kind="covariate", start=0, features=OmegaConf.create([0, 1]))
    assert listed.features == (0, 1)


def test_hydra_instantiate_builds_a_drift_and_a_scenario():
    from hydra.utils import instantiate

    cfg = OmegaConf.create(
        {
            "_target_": "simulator.drift.Scenario",
            "name": "two",
            "drifts": [
                {
                    "_target_": "simulator.drift.Drift",
                    "kind": "concept",
                    "start": 5,
                    "classes": [1, 2],
                },
                {
                    "_target_": "simulator.drift.Drift",
                    "kind": "covariate",
                    "start": 9,
                    "features": [0, 1],
                    "transform": "rotate",
                    "severity": 0.5,
                },
            ],
        }
    )
    scenario = instantiate(cfg)
    assert isinstance(scenario, Scenario)
    assert scenario.drifts == (
        Drift(kind="concept", start=5, classes=(1, 2)),
        Drift(kind="covariate", start=9, features=(0, 1), transform="rotate", severity=0.5),
    )


def test_scenario_checks_its_entries():
    assert Scenario("empty").drifts == ()
    s = Scenario("s", [{"kind": "concept", "start": 3}])
    assert s.drifts == (Drift(kind="concept", start=3),)
    with pytest.raises(ValueError, match=r"drifts\[0\] must be a Drift"):
        Scenario("s", [42])
    with pytest.raises(ValueError, match="name"):
        Scenario("", [])


# --- validation --------------------------------------------------------------------------

BAD_SPECS = [
    ({"kind": "covariate", "start": -1}, "start must be >= 0"),
    ({"kind": "weather", "start": 0}, "kind must be one of .*'covariate'"),
    ({"kind": "covariate", "start": 0, "transform": "swap"}, "transform .*'shift'"),
    ({"kind": "concept", "start": 0, "transform": "boom"}, "transform .*'relabel_region'"),
    ({"kind": "concept", "start": 0, "severity": 1.5}, r"severity must be in \[0.0, 1.0\]"),
    ({"kind": "covariate", "start": 0, "severity": 11.0}, r"severity must be in \[-10.0, 10.0\]"),
    ({"kind": "covariate", "start": 0, "severity": float("nan")}, "severity must be a number"),
    ({"kind": "covariate", "start": 0, "width": 10}, "width must be 0 for profile 'abrupt'"),
    ({"kind": "covariate", "start": 0, "profile": "gradual"}, "width must be >= 1"),
    ({"kind": "covariate", "start": 0, "profile": "sudden"}, "profile must be one of"),
    ({"kind": "concept", "start": 0, "profile": "recurring"}, "duration is required"),
    ({"kind": "concept", "start": 0, "duration": 5}, "duration only applies"),
    (
        {"kind": "concept", "start": 0, "profile": "recurring", "duration": 5, "period": 5},
        "period must be >= 6",
    ),
    (
        {"kind": "concept", "start": 0, "profile": "recurring", "duration": 5, "repeats": 0},
        "repeats must be >= 1",
    ),
    ({"kind": "concept", "start": 0, "colour": 1}, r"unknown option.*'colour'.*allowed"),
    ({"kind": "concept", "start": 0, "classes": (1, 1)}, "classes must name two different"),
    ({"kind": "concept", "start": 0, "classes": (1,)}, "classes must be a pair"),
    ({"kind": "prior", "start": 0}, "exactly one of the options proportions="),
    ({"kind": "prior", "start": 0, "proportions": (0.5, 0.6)}, "proportions must sum to 1"),
    ({"kind": "prior", "start": 0, "proportions": (1.2, -0.2)}, "proportions must be >= 0"),
    ({"kind": "prior", "start": 0, "toward": 0, "features": [0]}, "features must be None"),
    ({"kind": "covariate", "start": 0, "features": [0, 0]}, "features must not repeat"),
    ({"kind": "covariate", "start": 0, "features": [-1]}, "features must hold indices >= 0"),
    ({"kind": "covariate", "start": 0, "features": [1.5]}, "features must hold feature names"),
    ({"kind": "covariate", "start": 0, "features": []}, "features must be None, a feature"),
    (
        {"kind": "covariate", "start": 0, "transform": "rotate", "features": [0]},
        "features must name exactly 2",
    ),
    ({"kind": "pipeline", "start": 0, "transform": "unit", "factor": 0}, "factor must be"),
    (
        {"kind": "covariate", "start": 0, "transform": "subpopulation", "quantile": 1.0},
        "quantile must be < 1.0",
    ),
    (
        {"kind": "covariate", "start": 0, "transform": "subpopulation", "side": "left"},
        "side must be one of",
    ),
    ({"kind": "prediction", "start": 0, "toward": -1}, "toward must be >= 0"),
]


@pytest.mark.parametrize(("spec", "message"), BAD_SPECS, ids=[m for _, m in BAD_SPECS])
def test_bad_specs_raise_value_errors_that_name_the_field(spec, message):
    with pytest.raises(ValueError, match=message):
        Drift(**spec)


def test_every_transform_is_valid_for_its_kind_only():
    for kind, transforms in TRANSFORMS.items():
        for transform in transforms:
            opts = {"toward": 0} if kind == "prior" else {}
            if transform == "switch":
                opts = {"to": {"variant": 1}}
            assert Drift(kind=kind, start=0, transform=transform, **opts).transform == transform
            for other, other_transforms in TRANSFORMS.items():
                if other != kind and transform not in other_transforms:
                    with pytest.raises(ValueError, match="transform"):
                        Drift(kind=other, start=0, transform=transform)


# --- schedule ----------------------------------------------------------------------------


def test_gradual_and_incremental_ramps_are_linear_over_width():
    t = np.arange(0, 400)
    for profile in ("gradual", "incremental"):
        r = Drift("covariate", 100, width=200, profile=profile).ramp(t)
        np.testing.assert_array_equal(r[:101], 0.0)
        np.testing.assert_allclose(r[100:301], np.linspace(0.0, 1.0, 201))
        np.testing.assert_array_equal(r[300:], 1.0)


def test_abrupt_ramp_is_a_step_at_start():
    r = Drift("concept", 7).ramp(np.arange(10))
    np.testing.assert_array_equal(r, [0, 0, 0, 0, 0, 0, 0, 1, 1, 1])


def test_recurring_ramp_returns_to_the_old_concept():
    d = Drift("concept", 10, profile="recurring", duration=3, period=5, repeats=2)
    r = d.ramp(np.arange(25))
    expected = np.zeros(25)
    expected[[10, 11, 12, 15, 16, 17]] = 1.0
    np.testing.assert_array_equal(r, expected)
    assert d.change_points() == [(10, False), (13, True), (15, False), (18, True)]


def test_ramp_shortcuts_agree_with_the_formula():
    """Whole ranges before the onset or after the transition take a shortcut."""
    d = Drift("covariate", 1000, width=100, profile="incremental")
    whole = d.ramp(np.arange(0, 3000))
    pieces = np.concatenate([d.ramp(np.arange(a, a + 500)) for a in range(0, 3000, 500)])
    np.testing.assert_array_equal(whole, pieces)


# --- prediction drift ----------------------------------------------------------------------


def _proba(n, k, seed=0):
    p = np.random.default_rng(seed).dirichlet(np.ones(k), size=n)
    return p


def test_bias_moves_severity_of_the_mass_to_the_class():
    p = _proba(50, 3)
    d = Drift(kind="prediction", start=0, transform="bias", severity=0.4, toward=2)
    out = apply_prediction_drift(p, np.ones((50, 1)), [d])
    np.testing.assert_allclose(out[:, :2], 0.6 * p[:, :2])
    np.testing.assert_allclose(out[:, 2], 0.6 * p[:, 2] + 0.4)
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    half = apply_prediction_drift(p, np.full((50, 1), 0.5), [d])
    np.testing.assert_allclose(half[:, 2], 0.8 * p[:, 2] + 0.2)
    untouched = apply_prediction_drift(p, np.zeros((50, 1)), [d])
    np.testing.assert_array_equal(untouched, p)


def test_flip_replaces_a_severity_share_with_another_class_uniformly():
    n, k = 60_000, 4
    p = _proba(n, k)
    u = np.random.default_rng(1).random((n, 1))
    d = Drift(kind="prediction", start=0, transform="flip", severity=0.3)
    out = apply_prediction_drift(p, np.ones((n, 1)), [d], noise=u)
    changed = (out != p).any(axis=1)
    np.testing.assert_array_equal(changed, u[:, 0] < 0.3)
    assert abs(changed.mean() - 0.3) < 0.01
    flipped = out[changed]
    np.testing.assert_array_equal(flipped.max(axis=1), 1.0)  # one-hot
    old, new = p[changed].argmax(axis=1), flipped.argmax(axis=1)
    assert (old != new).all()
    # Each of the k - 1 other classes is about equally likely.
    shares = np.bincount((new - old) % k, minlength=k)[1:] / changed.sum()
    np.testing.assert_allclose(shares, 1 / (k - 1), atol=0.015)


def test_calibration_keeps_the_argmax_and_changes_confidence():
    p = _proba(200, 3)
    truth = np.ones((200, 1))
    flat = Drift(kind="prediction", start=0, transform="calibration", severity=-0.5)
    sharp = Drift(kind="prediction", start=0, transform="calibration", severity=2.0)
    uniform = Drift(kind="prediction", start=0, transform="calibration", severity=-1.0)
    out_flat = apply_prediction_drift(p, truth, [flat])
    out_sharp = apply_prediction_drift(p, truth, [sharp])
    for out in (out_flat, out_sharp):
        np.testing.assert_array_equal(out.argmax(axis=1), p.argmax(axis=1))
        np.testing.assert_allclose(out.sum(axis=1), 1.0)
    assert (out_flat.max(axis=1) <= p.max(axis=1) + 1e-12).all()
    assert (out_sharp.max(axis=1) >= p.max(axis=1) - 1e-12).all()
    expected = p**3 / (p**3).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(out_sharp, expected)
    np.testing.assert_allclose(apply_prediction_drift(p, truth, [uniform]), 1 / 3)


def test_other_kinds_are_ignored_and_drifts_apply_in_order():
    p = _proba(20, 3)
    drifts = [
        Drift(kind="concept", start=0),
        Drift(kind="prediction", start=0, transform="bias", severity=0.5, toward=0),
        Drift(kind="prediction", start=0, transform="bias", severity=0.5, toward=1),
    ]
    out = apply_prediction_drift(p, np.ones((20, 3)), drifts)
    step = 0.5 * p + 0.5 * np.eye(3)[0]
    np.testing.assert_allclose(out, 0.5 * step + 0.5 * np.eye(3)[1])


def test_prediction_drift_is_row_wise_so_batching_does_not_matter():
    p = _proba(100, 3)
    u = np.random.default_rng(2).random((100, 1))
    truth = np.random.default_rng(3).random((100, 1))
    d = Drift(kind="prediction", start=0, transform="flip", severity=0.8)
    whole = apply_prediction_drift(p, truth, [d], u)
    parts = [
        apply_prediction_drift(p[i : i + 7], truth[i : i + 7], [d], u[i : i + 7])
        for i in range(0, 100, 7)
    ]
    np.testing.assert_array_equal(whole, np.vstack(parts))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"truth": np.ones((5, 2))}, r"truth must have shape \(n_samples, n_drifts\)"),
        ({"noise": np.ones((4, 1))}, "noise must have the shape of truth"),
        ({"proba": -np.ones((5, 2))}, "proba must hold probabilities >= 0"),
        ({"truth": np.full((5, 1), 2.0)}, r"truth must hold intensities in \[0, 1\]"),
        ({"noise": None}, "noise is required for the flip drift"),
    ],
)
def test_bad_prediction_inputs(kwargs, message):
    args = {"proba": _proba(5, 2), "truth": np.ones((5, 1)), "noise": np.zeros((5, 1))}
    args.update(kwargs)
    d = Drift(kind="prediction", start=0, transform="flip", severity=0.5)
    with pytest.raises(ValueError, match=message):
        apply_prediction_drift(args["proba"], args["truth"], [d], args["noise"])


def test_bias_toward_a_missing_class_names_toward():
    d = Drift(kind="prediction", start=0, transform="bias", toward=5)
    with pytest.raises(ValueError, match=r"toward: .*allowed: 0..1"):
        apply_prediction_drift(_proba(3, 2), np.ones((3, 1)), [d])
