"""Tests for simulator.datasets: built-ins, river generators, files, Hydra configs, errors."""

from __future__ import annotations

import itertools
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hydra import compose, initialize_config_dir
from hydra.utils import instantiate
from river.datasets import synth

from experiments.schema import register
from simulator.datasets import DATASETS, Dataset, available_datasets, load_dataset

CONF_DIR = Path(__file__).resolve().parents[1] / "conf"
register()  # the ${project:} resolver conf/dataset/loan_log.yaml uses
SYNTH = ("sea", "hyperplane", "agrawal", "stagger", "sine", "mixed", "random_rbf", "led")

# name -> (n_features, n_classes) for the default options
EXPECTED_SHAPES = {
    "iris": (4, 3),
    "wine": (13, 3),
    "breast_cancer": (30, 2),
    "digits": (64, 10),
    "sea": (3, 2),
    "hyperplane": (10, 2),
    "agrawal": (9, 2),
    "stagger": (3, 2),
    "sine": (2, 2),
    "mixed": (4, 2),
    "random_rbf": (10, 2),
    "led": (7, 10),
}


def _small(name: str, **options: object) -> Dataset:
    if name in SYNTH:
        options.setdefault("n_samples", 300)
    return load_dataset(name, **options)


# ---------------------------------------------------------------- built-ins


def test_available_datasets_lists_every_builtin() -> None:
    assert available_datasets() == DATASETS
    assert set(DATASETS) == set(EXPECTED_SHAPES)


@pytest.mark.parametrize("name", sorted(EXPECTED_SHAPES))
def test_builtin_shapes_dtypes_and_names(name: str) -> None:
    ds = _small(name)
    n_features, n_classes = EXPECTED_SHAPES[name]
    assert ds.name == name
    assert ds.X.dtype == np.float64 and ds.X.flags.c_contiguous
    assert ds.y.dtype == np.int64
    assert ds.X.shape == (ds.n_samples, n_features)
    assert ds.n_classes == n_classes
    assert len(set(ds.feature_names)) == n_features
    assert len(set(ds.class_names)) == n_classes
    assert all(isinstance(n, str) for n in ds.feature_names + ds.class_names)
    assert np.isfinite(ds.X).all()
    assert ds.y.min() >= 0 and ds.y.max() < n_classes
    if name in SYNTH:
        assert ds.n_samples == 300
    for feature, kind in zip(ds.feature_names, ds.feature_kinds, strict=True):
        if kind == "categorical":
            labels = ds.categories[feature]
            codes = ds.X[:, ds.feature_names.index(feature)]
            assert set(np.unique(codes)) <= set(range(len(labels)))


def test_sklearn_sets_match_sklearn() -> None:
    """Iris through load_dataset is scikit-learn's Iris, unchanged."""
    from sklearn.datasets import load_iris

    bunch = load_iris()
    ds = load_dataset("iris")
    np.testing.assert_array_equal(ds.X, bunch.data)
    np.testing.assert_array_equal(ds.y, bunch.target)
    assert ds.feature_names == tuple(bunch.feature_names)
    assert ds.class_names == tuple(bunch.target_names)


def test_default_synthetic_size_is_5000() -> None:
    assert load_dataset("sine").n_samples == 5000


# ---------------------------------------------------------------- river generators


@pytest.mark.parametrize("name", SYNTH)
def test_generators_are_deterministic_under_a_seed(name: str) -> None:
    a = _small(name, seed=3)
    b = _small(name, seed=3)
    c = _small(name, seed=4)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)


def _river_rows(gen: object, n: int) -> tuple[list[dict], list[object]]:
    rows = list(itertools.islice(gen, n))
    return [x for x, _ in rows], [y for _, y in rows]


@pytest.mark.parametrize(
    ("name", "options", "river_gen"),
    [
        ("sea", {"variant": 2, "noise": 0.1}, lambda s: synth.SEA(variant=2, noise=0.1, seed=s)),
        (
            "hyperplane",
            {"n_features": 4, "mag_change": 0.01},
            lambda s: synth.Hyperplane(seed=s, n_features=4, mag_change=0.01),
        ),
        ("sine", {"has_noise": True}, lambda s: synth.Sine(seed=s, has_noise=True)),
        (
            "random_rbf",
            {"seed_model": 11, "seed_sample": 12, "n_classes": 3, "n_features": 5},
            lambda s: synth.RandomRBF(seed_model=11, seed_sample=12, n_classes=3, n_features=5),
        ),
    ],
)
def test_numeric_generators_agree_with_river(name, options, river_gen) -> None:
    """The arrays hold exactly what river's generator yields with the same seed."""
    ds = load_dataset(name, n_samples=200, seed=5, **options)
    xs, ys = _river_rows(river_gen(5), 200)
    np.testing.assert_array_equal(ds.X, np.array([list(x.values()) for x in xs]))
    np.testing.assert_array_equal(ds.y, np.array(ys, dtype=np.int64))
    assert ds.feature_names == tuple(f"x{k}" for k in xs[0])


def test_sea_boolean_target_becomes_codes_with_named_classes() -> None:
    ds = load_dataset("sea", n_samples=500, seed=0)
    assert ds.class_names == ("False", "True")
    # SEA variant 0 labels x0 + x1 > 8 (no noise by default)
    np.testing.assert_array_equal(ds.y, (ds.X[:, 0] + ds.X[:, 1] > 8).astype(np.int64))


def test_agrawal_categorical_features_are_codes_matching_river() -> None:
    """Agrawal's elevel/car/zipcode become codes 0..k-1; decoded, they equal river's values."""
    ds = load_dataset("agrawal", n_samples=300, seed=2, classification_function=4)
    xs, ys = _river_rows(synth.Agrawal(classification_function=4, seed=2), 300)
    assert ds.feature_names == tuple(xs[0])
    for j, feature in enumerate(ds.feature_names):
        river_col = np.array([x[feature] for x in xs], dtype=float)
        if ds.feature_kinds[j] == "categorical":
            labels = ds.categories[feature]
            decoded = np.array([float(labels[int(c)]) for c in ds.X[:, j]])
            np.testing.assert_array_equal(decoded, river_col)
        else:
            np.testing.assert_array_equal(ds.X[:, j], river_col)
    assert [
        f for f, k in zip(ds.feature_names, ds.feature_kinds, strict=True) if k != "numeric"
    ] == [
        "elevel",
        "car",
        "zipcode",
    ]
    assert ds.categories["car"] == tuple(str(v) for v in range(1, 21))
    assert ds.X[:, ds.feature_names.index("car")].min() >= 0
    np.testing.assert_array_equal(ds.y, ys)


def test_stagger_categories_use_river_labels() -> None:
    ds = load_dataset("stagger", n_samples=300, seed=1, classification_function=0)
    assert ds.feature_kinds == ("categorical",) * 3
    assert ds.categories["size"] == ("small", "medium", "large")
    assert ds.categories["shape"] == ("circle", "square", "triangle")
    xs, _ = _river_rows(synth.STAGGER(classification_function=0, seed=1), 300)
    np.testing.assert_array_equal(ds.X, np.array([list(x.values()) for x in xs]))
    # function 0: class 1 iff small and red
    expected = (ds.X[:, 0] == 0) & (ds.X[:, 1] == 0)
    np.testing.assert_array_equal(ds.y, expected.astype(np.int64))


def test_led_segments_are_binary_categoricals() -> None:
    ds = load_dataset("led", n_samples=300, seed=0, irrelevant_features=True)
    assert ds.n_features == 24
    assert set(ds.feature_kinds) == {"categorical"}
    assert set(np.unique(ds.X)) == {0.0, 1.0}
    assert ds.class_names == tuple(str(d) for d in range(10))
    xs, ys = _river_rows(synth.LED(seed=0, irrelevant_features=True), 300)
    np.testing.assert_array_equal(ds.X, np.array([list(x.values()) for x in xs]))
    np.testing.assert_array_equal(ds.y, ys)


def test_random_rbf_explicit_seeds_override_seed() -> None:
    a = load_dataset("random_rbf", n_samples=100, seed=1, seed_model=5, seed_sample=6)
    b = load_dataset("random_rbf", n_samples=100, seed=2, seed_model=5, seed_sample=6)
    c = load_dataset("random_rbf", n_samples=100, seed=1, seed_model=5, seed_sample=7)
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)


# ---------------------------------------------------------------- files


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "height": [1.5, 2.0, 0.5, 3.25, 1.0, 2.5],
            "colour": ["red", "blue", "red", "green", "blue", "red"],
            "count": [3, 1, 4, 1, 5, 9],
            "flag": [True, False, True, True, False, False],
            "label": ["yes", "no", "no", "yes", "maybe", "yes"],
        }
    )


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_file_round_trip(tmp_path: Path, suffix: str) -> None:
    frame = _frame()
    path = tmp_path / f"toy{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    ds = load_dataset(str(path), target="label")
    assert ds.name == "toy"
    assert ds.feature_names == ("height", "colour", "count", "flag")
    assert ds.feature_kinds == ("numeric", "categorical", "numeric", "categorical")
    np.testing.assert_array_equal(ds.X[:, 0], frame["height"])
    np.testing.assert_array_equal(ds.X[:, 2], frame["count"])
    # classes are the target's sorted values; codes index into them
    assert ds.class_names == ("maybe", "no", "yes")
    assert [ds.class_names[c] for c in ds.y] == list(frame["label"])
    # categories are sorted distinct values; decoding recovers the column
    assert ds.categories["colour"] == ("blue", "green", "red")
    assert [ds.categories["colour"][int(c)] for c in ds.X[:, 1]] == list(frame["colour"])
    assert ds.categories["flag"] == ("False", "True")
    np.testing.assert_array_equal(ds.X[:, 3], frame["flag"].astype(float))
    # a pathlib.Path works as well as a string
    np.testing.assert_array_equal(load_dataset(path, target="label").X, ds.X)


def test_file_feature_selection_and_forced_categorical(tmp_path: Path) -> None:
    path = tmp_path / "toy.csv"
    _frame().to_csv(path, index=False)
    ds = load_dataset(path, target="label", features=["count", "height"], categorical=["count"])
    assert ds.feature_names == ("count", "height")
    assert ds.feature_kinds == ("categorical", "numeric")
    assert ds.categories["count"] == ("1", "3", "4", "5", "9")
    np.testing.assert_array_equal(ds.X[:, 0], [1, 0, 2, 0, 3, 4])


def test_numeric_target_gets_integer_class_names(tmp_path: Path) -> None:
    path = tmp_path / "num.csv"
    pd.DataFrame({"x": [0.1, 0.2, 0.3, 0.4], "y": [2, 0, 2, 1]}).to_csv(path, index=False)
    ds = load_dataset(path, target="y")
    assert ds.class_names == ("0", "1", "2")
    np.testing.assert_array_equal(ds.y, [2, 0, 2, 1])


def _with_missing(tmp_path: Path) -> Path:
    frame = _frame()
    frame.loc[2, "height"] = np.nan
    frame.loc[4, "colour"] = None
    frame["count"] = frame["count"].astype(np.float64)
    frame.loc[5, "count"] = np.inf
    path = tmp_path / "gaps.csv"
    frame.to_csv(path, index=False)
    return path


def test_missing_values_rejected_by_default(tmp_path: Path) -> None:
    path = _with_missing(tmp_path)
    with pytest.raises(ValueError, match=r"3 of 6 rows .*first: row 2, column 'height'") as info:
        load_dataset(path, target="label")
    assert "missing='drop'" in str(info.value)


def test_missing_values_dropped_with_a_warning(tmp_path: Path) -> None:
    path = _with_missing(tmp_path)
    with pytest.warns(UserWarning, match=r"dropped 3 of 6 rows"):
        ds = load_dataset(path, target="label", missing="drop")
    assert ds.n_samples == 3
    np.testing.assert_array_equal(ds.X[:, 0], [1.5, 2.0, 3.25])
    assert [ds.class_names[c] for c in ds.y] == ["yes", "no", "yes"]


def test_missing_values_in_unused_columns_are_ignored(tmp_path: Path) -> None:
    path = _with_missing(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = load_dataset(path, target="label", features=["flag"])
    assert ds.n_samples == 6


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda p: load_dataset("irs"), r"unknown dataset 'irs'; allowed: \['iris'"),
        (lambda p: load_dataset("iris", seed=1), r"'iris' takes no options, got \['seed'\]"),
        (
            lambda p: load_dataset("sea", colour=1),
            r"'sea' does not accept option 'colour'; allowed: \['n_samples', 'seed', 'variant'",
        ),
        (lambda p: load_dataset("sea", variant=7), r"variant must be one of \[0, 1, 2, 3\], got 7"),
        (lambda p: load_dataset("sine", n_samples=0), r"n_samples must be >= 1, got 0"),
        (lambda p: load_dataset("sine", seed=-1), r"seed must be >= 0, got -1"),
        (lambda p: load_dataset("led", noise_percentage=2.0), r"noise_percentage must be <= 1"),
        (lambda p: load_dataset("sine", has_noise="yes"), r"has_noise must be true or false"),
        (
            lambda p: load_dataset("hyperplane", n_features=2, n_drift_features=3),
            r"n_drift_features must be <= n_features \(2\), got 3",
        ),
        (lambda p: load_dataset(p), r"pass target=<column>; columns: \['height', 'colour'"),
        (
            lambda p: load_dataset(p, target="lable"),
            r"target column 'lable' not found; columns: \['height', 'colour', 'count'",
        ),
        (
            lambda p: load_dataset(p, target="label", features=["size"]),
            r"unknown feature column 'size'; allowed: \['height'",
        ),
        (
            lambda p: load_dataset(p, target="label", sep=";"),
            r"do not accept option 'sep'; allowed: \['target', 'missing'",
        ),
        (
            lambda p: load_dataset(p, target="label", missing="fill"),
            r"missing must be one of \['error', 'drop'\], got 'fill'",
        ),
        (
            lambda p: load_dataset(p, target="height"),
            r"target 'height' holds non-integer numbers \(e.g. 1.5\)",
        ),
    ],
)
def test_errors_name_the_bad_value(tmp_path: Path, call, pattern: str) -> None:
    path = tmp_path / "toy.csv"
    _frame().to_csv(path, index=False)
    with pytest.raises(ValueError, match=pattern):
        call(path)


def test_single_class_target_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "one.parquet"
    pd.DataFrame({"x": [1.0, 2.0], "y": ["a", "a"]}).to_parquet(path)
    with pytest.raises(ValueError, match=r"target 'y' has one class \('a'\)"):
        load_dataset(path, target="y")


def test_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    with pytest.raises(FileNotFoundError, match=re.escape(str(missing))):
        load_dataset(str(missing), target="y")


def test_dataset_rejects_out_of_range_category_codes() -> None:
    with pytest.raises(ValueError, match=r"feature 'c' must hold codes 0..1 .*got 2.0"):
        Dataset("t", [[0.0], [2.0]], [0, 1], ("c",), ("a", "b"), ("categorical",), {"c": "xy"})
    with pytest.raises(ValueError, match=r"categories given for 'c', which is not a categorical"):
        Dataset("t", [[0.0], [1.0]], [0, 1], ("c",), ("a", "b"), (), {"c": "xy"})


# ---------------------------------------------------------------- Hydra configs

CONFIGS = sorted(p.stem for p in (CONF_DIR / "dataset").glob("*.yaml"))


def test_every_builtin_has_a_config() -> None:
    assert set(CONFIGS) >= set(DATASETS)


@pytest.mark.parametrize("config", CONFIGS)
def test_config_composes_and_instantiates(config: str) -> None:
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose(config_name=None, overrides=[f"+dataset={config}"])
    ds = instantiate(cfg.dataset)
    assert isinstance(ds, Dataset)
    # a file's dataset is named after the file (conf/dataset/loan_log.yaml)
    assert ds.name in (cfg.dataset.name, Path(cfg.dataset.name).name.removesuffix(".csv"))
    if "n_samples" in cfg.dataset:
        assert ds.n_samples == cfg.dataset.n_samples
