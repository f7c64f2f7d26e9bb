"""Datasets a drift stream is drawn from.

A :class:`Dataset` holds float features, integer class codes and the names that go
with them. :func:`load_dataset` builds one from a built-in name or a file path:

* scikit-learn's bundled sets: ``iris``, ``wine``, ``breast_cancer``, ``digits``;
* river's synthetic generators, materialised to arrays with a seed and a size:
  ``sea``, ``hyperplane``, ``agrawal``, ``stagger``, ``sine``, ``mixed``, ``random_rbf``,
  ``led``; each also carries its vectorised twin (:mod:`simulator.generators`), which
  a stream draws fresh samples from and whose concept a drift can switch;
* any CSV or Parquet file with a named target column.

Categorical features are stored in ``X`` as integer codes ``0..k-1``; the label of
code ``i`` of feature ``f`` is ``dataset.categories[f][i]``.

Examples
--------
>>> ds = load_dataset("iris")
>>> ds.X.shape, ds.n_classes
((150, 4), 3)
>>> load_dataset("stagger", n_samples=100, seed=1).categories["color"]
('red', 'blue', 'green')
"""

from __future__ import annotations

import itertools
import os
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

from driftsim.validation import check_choice, check_in_range, check_int

__all__ = ["DATASETS", "Dataset", "available_datasets", "load_dataset"]

FeatureKind = Literal["numeric", "categorical"]


@dataclass(frozen=True, eq=False)
class Dataset:
    """Features ``X`` (float64, n×d), class codes ``y`` (int64, 0..k-1) and their names.

    Parameters
    ----------
    name
        A short label, e.g. ``"iris"`` or a file's stem.
    X
        Features, converted to a C-contiguous float64 array of shape (n, d).
    y
        Integer class codes in ``0..len(class_names)-1``.
    feature_names, class_names
        One name per column of ``X`` and per class code.
    feature_kinds
        ``"numeric"`` or ``"categorical"`` per feature; all numeric when empty.
    categories
        For categorical features: the label of each code, so code ``i`` of feature
        ``f`` means ``categories[f][i]``. Optional; every key must be a categorical
        feature, and that column of ``X`` must hold codes within range.
    generator
        For river's generators: the vectorised
        :class:`~simulator.generators.ConceptGenerator` with the same seed and
        parameters. A :class:`~simulator.stream.DriftStream` over such a dataset draws
        fresh samples from it (instead of resampling ``X``) and can switch its concept.
        None for every other dataset, and for generator options the vectorised
        version does not offer (``balance_classes=True``).
    time
        For a log loaded with a ``time`` column: one timestamp per row
        (``datetime64[ns]``, non-decreasing). A stream over such a dataset replays
        the rows in this order instead of resampling them.

    Examples
    --------
    >>> import numpy as np
    >>> ds = Dataset("toy", np.zeros((4, 2)), np.array([0, 1, 0, 1]), ("a", "b"), ("no", "yes"))
    >>> ds.n_samples, ds.n_features, ds.n_classes, ds.feature_kinds
    (4, 2, 2, ('numeric', 'numeric'))
    >>> ds = Dataset("toy", [[0.0], [1.0]], [0, 1], ("colour",), ("no", "yes"),
    ...              ("categorical",), {"colour": ("red", "blue")})
    >>> ds.categories["colour"][int(ds.X[1, 0])]
    'blue'
    >>> ds
    Dataset(name='toy', n_samples=2, n_features=1, classes=['no', 'yes'])
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    feature_kinds: tuple[FeatureKind, ...] = field(default=())
    categories: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    generator: Any = None
    time: np.ndarray | None = None

    def __post_init__(self) -> None:
        X = np.ascontiguousarray(self.X, dtype=np.float64)
        y = np.asarray(self.y)
        if X.ndim != 2:
            raise ValueError(f"X must be 2-d (n_samples, n_features), got shape {X.shape}")
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},), got {y.shape}")
        if not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"y must hold integer class codes, got dtype {y.dtype}")
        if len(self.feature_names) != X.shape[1]:
            raise ValueError(
                f"feature_names has {len(self.feature_names)} names for {X.shape[1]} features"
            )
        kinds = tuple(self.feature_kinds) or ("numeric",) * X.shape[1]
        if len(kinds) != X.shape[1]:
            raise ValueError(f"feature_kinds has {len(kinds)} entries for {X.shape[1]} features")
        for kind in kinds:
            if kind not in ("numeric", "categorical"):
                raise ValueError(f"feature kind must be 'numeric' or 'categorical', got {kind!r}")
        if y.size and (y.min() < 0 or y.max() >= len(self.class_names)):
            raise ValueError(
                f"y codes must lie in 0..{len(self.class_names) - 1} "
                f"(one per class name), got {y.min()}..{y.max()}"
            )
        feature_names = tuple(str(n) for n in self.feature_names)
        categories = {str(k): tuple(str(c) for c in v) for k, v in self.categories.items()}
        categorical = [n for n, k in zip(feature_names, kinds, strict=True) if k == "categorical"]
        for feature, labels in categories.items():
            if feature not in categorical:
                raise ValueError(
                    f"categories given for {feature!r}, which is not a categorical feature; "
                    f"categorical features: {categorical}"
                )
            column = X[:, feature_names.index(feature)]
            bad = (column < 0) | (column >= len(labels)) | (column != np.floor(column))
            if bad.any():
                raise ValueError(
                    f"feature {feature!r} must hold codes 0..{len(labels) - 1} "
                    f"(one per category), got {float(column[bad][0])!r}"
                )
        if self.time is not None:
            time = np.asarray(self.time, dtype="datetime64[ns]")
            if time.shape != (X.shape[0],):
                raise ValueError(f"time must have shape ({X.shape[0]},), got {time.shape}")
            if time.size > 1 and (np.diff(time) < np.timedelta64(0)).any():
                raise ValueError("time must be non-decreasing (rows in time order)")
            object.__setattr__(self, "time", time)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y.astype(np.int64, copy=False))
        object.__setattr__(self, "feature_names", feature_names)
        object.__setattr__(self, "class_names", tuple(str(n) for n in self.class_names))
        object.__setattr__(self, "feature_kinds", kinds)
        object.__setattr__(self, "categories", MappingProxyType(categories))

    def __repr__(self) -> str:
        # the arrays are too large to print; shape and names say which dataset this is
        return (
            f"Dataset(name={self.name!r}, n_samples={self.n_samples}, "
            f"n_features={self.n_features}, classes={list(self.class_names)})"
        )

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


# --------------------------------------------------------------------------- scikit-learn

_SKLEARN = ("iris", "wine", "breast_cancer", "digits")


def _load_sklearn(name: str) -> Dataset:
    from sklearn import datasets as skd

    loader = {
        "iris": skd.load_iris,
        "wine": skd.load_wine,
        "breast_cancer": skd.load_breast_cancer,
        "digits": skd.load_digits,
    }[name]
    bunch = loader()
    names = getattr(bunch, "feature_names", None)
    if names is None or len(names) != bunch.data.shape[1]:
        names = [f"x{i}" for i in range(bunch.data.shape[1])]
    classes = [str(c) for c in bunch.target_names]
    return Dataset(name, bunch.data, bunch.target, tuple(names), tuple(classes))


# --------------------------------------------------------------------------- river synth


def _check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be true or false, got {value!r}")
    return bool(value)


def _fraction(name: str, value: Any) -> float:
    return float(check_in_range(name, value, low=0.0, high=1.0))


def _choice(*allowed: int) -> Callable[[str, Any], int]:
    def check(name: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"{name} must be one of {list(allowed)}, got {value!r}")
        return int(check_choice(name, int(value), allowed))

    return check


def _int_at_least(low: int) -> Callable[[str, Any], int]:
    return lambda name, value: check_int(name, value, low=low)


@dataclass(frozen=True)
class _Synth:
    """How to build one river generator and read its samples into arrays."""

    make: Callable[..., Any]  # (seed, **options) -> river dataset
    options: Mapping[str, Callable[[str, Any], Any]]
    # feature key -> the generator's raw values of that categorical feature, in code order
    categories: Callable[[Any], Mapping[Any, Sequence[Any]]] = lambda gen: {}
    labels: Callable[[Any], Mapping[Any, Sequence[str]]] = lambda gen: {}
    classes: Callable[[Any], Sequence[Any]] = lambda gen: list(gen.target_values)


def _seed_pair(seed: int) -> tuple[int, int]:
    # RandomRBF has two seeds; deriving both from one keeps the centroid draws and the
    # sample draws independent streams rather than the same sequence twice.
    model, sample = np.random.SeedSequence(seed).generate_state(2)
    return int(model), int(sample)


def _make_random_rbf(seed: int, **options: Any) -> Any:
    from river.datasets import synth

    model, sample = _seed_pair(seed)
    options.setdefault("seed_model", model)
    options.setdefault("seed_sample", sample)
    return synth.RandomRBF(**options)


def _river(cls_name: str) -> Callable[..., Any]:
    def make(seed: int, **options: Any) -> Any:
        from river.datasets import synth

        return getattr(synth, cls_name)(seed=seed, **options)

    return make


def _agrawal_categories(gen: Any) -> dict[str, range]:
    return {"elevel": range(5), "car": range(1, 21), "zipcode": range(9)}


def _stagger_labels(gen: Any) -> dict[str, list[str]]:
    return {
        "size": [gen.size_labels[i] for i in range(3)],
        "color": [gen.color_labels[i] for i in range(3)],
        "shape": [gen.shape_labels[i] for i in range(3)],
    }


def _hyperplane_options() -> dict[str, Callable[[str, Any], Any]]:
    return {
        "n_features": _int_at_least(1),
        "n_drift_features": _int_at_least(0),
        "mag_change": _fraction,
        "noise_percentage": _fraction,
        "sigma": _fraction,
    }


_SYNTH: dict[str, _Synth] = {
    "sea": _Synth(
        _river("SEA"),
        {"variant": _choice(0, 1, 2, 3), "noise": _fraction},
        classes=lambda gen: [False, True],
    ),
    "hyperplane": _Synth(_river("Hyperplane"), _hyperplane_options()),
    "agrawal": _Synth(
        _river("Agrawal"),
        {
            "classification_function": _choice(*range(10)),
            "balance_classes": _check_bool,
            "perturbation": _fraction,
        },
        categories=_agrawal_categories,
    ),
    "stagger": _Synth(
        _river("STAGGER"),
        {"classification_function": _choice(0, 1, 2), "balance_classes": _check_bool},
        categories=lambda gen: {k: range(3) for k in ("size", "color", "shape")},
        labels=_stagger_labels,
    ),
    "sine": _Synth(
        _river("Sine"),
        {
            "classification_function": _choice(0, 1, 2, 3),
            "balance_classes": _check_bool,
            "has_noise": _check_bool,
        },
    ),
    "random_rbf": _Synth(
        _make_random_rbf,
        {
            "n_classes": _int_at_least(2),
            "n_features": _int_at_least(1),
            "n_centroids": _int_at_least(1),
            "seed_model": _int_at_least(0),
            "seed_sample": _int_at_least(0),
        },
    ),
    "mixed": _Synth(
        _river("Mixed"),
        {"classification_function": _choice(0, 1), "balance_classes": _check_bool},
        categories=lambda gen: {0: (False, True), 1: (False, True)},
        classes=lambda gen: [0, 1],
    ),
    "led": _Synth(
        _river("LED"),
        {"noise_percentage": _fraction, "irrelevant_features": _check_bool},
        # every LED attribute is a 0/1 segment (river counts all of them as categorical)
        categories=lambda gen: {i: (0, 1) for i in range(gen.n_features)},
    ),
}


def _feature_name(key: Any) -> str:
    return f"x{key}" if isinstance(key, int) else str(key)


def _codes(values: np.ndarray, raw: Sequence[Any], what: str) -> np.ndarray:
    """Map raw values to their position in ``raw`` (vectorised; all must be present)."""
    raw_arr = np.asarray(list(raw))
    order = np.argsort(raw_arr, kind="stable")
    pos = np.searchsorted(raw_arr[order], values)
    pos = np.minimum(pos, len(raw_arr) - 1)
    found = raw_arr[order][pos] == values
    if not found.all():
        raise RuntimeError(f"{what}: generator produced {values[~found][0]!r}, not in {raw!r}")
    return order[pos]


def _load_synth(name: str, options: dict[str, Any]) -> Dataset:
    spec = _SYNTH[name]
    n_samples = check_int("n_samples", options.pop("n_samples", 5000), low=1)
    seed = check_int("seed", options.pop("seed", 0), low=0)
    for key in options:
        if key not in spec.options:
            allowed = ["n_samples", "seed", *spec.options]
            raise ValueError(f"dataset {name!r} does not accept option {key!r}; allowed: {allowed}")
    checked = {key: spec.options[key](key, value) for key, value in options.items()}
    if name == "hyperplane":
        n_features = checked.get("n_features", 10)
        n_drift = checked.get("n_drift_features", 2)
        if n_drift > n_features:
            raise ValueError(
                f"n_drift_features must be <= n_features ({n_features}), got {n_drift}"
            )

    gen = spec.make(seed, **checked)
    # river yields one dict per sample; fine at load time, which is off the hot path
    rows = list(itertools.islice(gen, n_samples))
    keys = list(rows[0][0])
    X = np.array([[x[k] for k in keys] for x, _ in rows], dtype=np.float64)
    classes = list(spec.classes(gen))
    y = _codes(np.array([label for _, label in rows]), classes, f"{name} target")

    raw_categories = spec.categories(gen)
    labels = spec.labels(gen)
    kinds: list[FeatureKind] = []
    categories: dict[str, tuple[str, ...]] = {}
    for j, key in enumerate(keys):
        if key in raw_categories:
            raw = list(raw_categories[key])
            X[:, j] = _codes(X[:, j], raw, f"{name} feature {key!r}")
            categories[_feature_name(key)] = tuple(labels.get(key, [str(v) for v in raw]))
            kinds.append("categorical")
        else:
            kinds.append("numeric")
    return Dataset(
        name,
        X,
        y,
        tuple(_feature_name(k) for k in keys),
        tuple(str(c) for c in classes),
        tuple(kinds),
        categories,
        generator=_vectorised(name, seed, checked),
    )


def _vectorised(name: str, seed: int, options: dict[str, Any]) -> Any:
    """The vectorised twin of a river generator, or None where it lacks an option."""
    from simulator.generators import make_generator

    if options.get("balance_classes"):
        return None  # river's rejection sampling alternates classes one sample at a time
    kept = {k: v for k, v in options.items() if k != "balance_classes"}
    return make_generator(name, seed, **kept)


# --------------------------------------------------------------------------- files

_CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.xz", ".csv.zip")
_PARQUET_SUFFIXES = (".parquet", ".pq")
_FILE_OPTIONS = ("target", "missing", "features", "categorical", "time")


def _file_suffix(path: str) -> str | None:
    lower = path.lower()
    for suffix in _CSV_SUFFIXES + _PARQUET_SUFFIXES:
        if lower.endswith(suffix):
            return suffix
    return None


def _as_names(option: str, value: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f"{option} must be a list of column names, got {value!r}")
    return [str(v) for v in value]


def _encode_labels(values: Any) -> tuple[np.ndarray, list[Any]]:
    """Codes ``0..k-1`` and the sorted distinct values (declared order for pandas categoricals)."""
    import pandas as pd

    try:
        codes, uniques = pd.factorize(values, sort=True)
    except TypeError:  # values that cannot be ordered against each other
        codes, uniques = pd.factorize(values, sort=False)
    return codes.astype(np.int64), list(uniques)


def _is_numeric(column: Any) -> bool:
    """Numbers are features as they are; booleans are two categories, like strings."""
    import pandas as pd

    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _label(value: Any) -> str:
    # integral floats come from integer columns that pandas widened (e.g. after a NaN)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _load_file(path_like: str | os.PathLike[str], options: dict[str, Any]) -> Dataset:
    """A :class:`Dataset` from a CSV / Parquet file: the file branch of :func:`load_dataset`."""
    path = Path(path_like)
    for key in options:
        if key not in _FILE_OPTIONS:
            raise ValueError(
                f"file datasets do not accept option {key!r}; allowed: {list(_FILE_OPTIONS)}"
            )
    if not path.is_file():
        raise FileNotFoundError(f"dataset file {str(path)!r} does not exist")
    suffix = _file_suffix(str(path))
    frame = _read_frame(path, suffix)
    columns = list(frame.columns)
    target = _target_column(options, columns, path.name)
    missing = check_choice("missing", options.get("missing", "error"), ("error", "drop"))
    time_column = options.get("time")
    if time_column is not None and str(time_column) not in columns:
        raise ValueError(f"{path.name}: time column {time_column!r} not found; columns: {columns}")
    if time_column is not None:
        # called from here so that its warning's stacklevel still points at the user's call
        frame = _in_time_order(frame, str(time_column), path.name)
    features = _feature_columns(options, columns, target, time_column, path.name)
    forced = _as_names("categorical", options.get("categorical", ()))
    for name in forced:
        if name not in features:
            raise ValueError(
                f"{path.name}: categorical column {name!r} is not a feature; features: {features}"
            )
    used = _complete_rows(frame[[*features, target]], missing, path.name)
    y, classes = _encode_target(used[target], target, path.name)
    X, kinds, categories = _encode_features(used, features, forced)
    stem = path.name[: -len(suffix)] if suffix else path.stem
    time = None if time_column is None else frame.loc[used.index, str(time_column)].to_numpy()
    return Dataset(
        stem,
        X,
        y,
        tuple(features),
        tuple(_label(c) for c in classes),
        tuple(kinds),
        categories,
        time=time,
    )


def _read_frame(path: Path, suffix: str | None) -> Any:
    """The file as a pandas DataFrame with string column names, by its suffix's format."""
    import pandas as pd

    try:
        frame = pd.read_parquet(path) if suffix in _PARQUET_SUFFIXES else pd.read_csv(path)
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        # pandas' messages name neither the file nor what it expects
        kind = "Parquet" if suffix in _PARQUET_SUFFIXES else "CSV with a header row"
        raise ValueError(
            f"dataset file {str(path)!r} could not be read as {kind}: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    frame.columns = [str(c) for c in frame.columns]
    return frame


def _target_column(options: dict[str, Any], columns: list[str], name: str) -> str:
    """The ``target`` option, checked to be given and to name a column."""
    if "target" not in options:
        raise ValueError(f"{name}: pass target=<column>; columns: {columns}")
    target = str(options["target"])
    if target not in columns:
        raise ValueError(f"{name}: target column {target!r} not found; columns: {columns}")
    return target


def _feature_columns(
    options: dict[str, Any], columns: list[str], target: str, time_column: Any, name: str
) -> list[str]:
    """The ``features`` option checked against the columns; default all but target and time."""
    if options.get("features") is None:
        features = [c for c in columns if c not in (target, time_column)]
    else:
        features = _as_names("features", options["features"])
        for feature in features:
            if feature not in columns or feature == target:
                allowed = [c for c in columns if c != target]
                raise ValueError(
                    f"{name}: unknown feature column {feature!r}; allowed: {allowed}"
                )
    if not features:
        raise ValueError(f"{name}: no feature columns besides target {target!r}")
    return features


def _complete_rows(used: Any, missing: str, name: str) -> Any:
    """The rows without missing or infinite values: an error, or dropped with a warning."""
    bad = used.isna().to_numpy()
    for j, column_name in enumerate(used.columns):
        if _is_numeric(used[column_name]):
            bad[:, j] |= np.isinf(used[column_name].to_numpy(dtype=np.float64, na_value=np.nan))
    bad_rows = bad.any(axis=1)
    if bad_rows.any():
        count = int(bad_rows.sum())
        first = int(np.flatnonzero(bad_rows)[0])
        row = used.index[first]
        row = row.item() if isinstance(row, np.generic) else row
        column = used.columns[int(np.argmax(bad[first]))]
        where = f"first: row {row!r}, column {column!r}"
        if missing == "error":
            raise ValueError(
                f"{name}: {count} of {len(used)} rows have missing or infinite values "
                f"({where}); pass missing='drop' to drop them"
            )
        warnings.warn(
            f"{name}: dropped {count} of {len(used)} rows with missing or infinite values "
            f"({where})",
            UserWarning,
            stacklevel=4,  # here, _load_file, load_dataset, then the user's call
        )
        used = used.loc[~bad_rows]
    if len(used) == 0:
        raise ValueError(f"{name}: no rows left to load")
    return used


def _encode_target(y_values: Any, target: str, name: str) -> tuple[np.ndarray, list[Any]]:
    """Class codes and sorted class values, checked to be labels of at least 2 classes."""
    import pandas as pd

    if pd.api.types.is_float_dtype(y_values):
        fractional = np.mod(y_values.to_numpy(dtype=np.float64), 1.0) != 0
        if fractional.any():
            raise ValueError(
                f"{name}: target {target!r} holds non-integer numbers (e.g. "
                f"{float(y_values.iloc[int(np.argmax(fractional))])!r}); "
                "driftsim needs class labels"
            )
    y, classes = _encode_labels(y_values)
    if len(classes) < 2:
        raise ValueError(
            f"{name}: target {target!r} has one class ({_label(classes[0])!r}); "
            "at least 2 are needed"
        )
    return y, classes


def _encode_features(
    used: Any, features: list[str], forced: list[str]
) -> tuple[np.ndarray, list[FeatureKind], dict[str, tuple[str, ...]]]:
    """``X`` (numbers as they are, other columns as codes), each feature's kind, categories."""
    X = np.empty((len(used), len(features)), dtype=np.float64)
    kinds: list[FeatureKind] = []
    categories: dict[str, tuple[str, ...]] = {}
    for j, name in enumerate(features):
        column = used[name]
        if _is_numeric(column) and name not in forced:
            X[:, j] = column.to_numpy(dtype=np.float64)
            kinds.append("numeric")
        else:
            codes, uniques = _encode_labels(column)
            X[:, j] = codes
            categories[name] = tuple(_label(u) for u in uniques)
            kinds.append("categorical")
    return X, kinds, categories


def _in_time_order(frame: Any, column: str, name: str) -> Any:
    """The rows sorted by their timestamps (stably: ties keep the file's order)."""
    import pandas as pd

    try:
        with warnings.catch_warnings():  # pandas' note that it parses element-wise
            warnings.filterwarnings("ignore", message="Could not infer format")
            stamps = pd.to_datetime(frame[column])
    except (ValueError, TypeError) as err:
        raise ValueError(f"{name}: time column {column!r} does not parse as dates: {err}") from None
    if stamps.isna().any():
        row = int(np.flatnonzero(stamps.isna().to_numpy())[0])
        raise ValueError(f"{name}: time column {column!r} is empty at row {row}")
    frame = frame.assign(**{column: stamps})
    if not stamps.is_monotonic_increasing:
        warnings.warn(f"{name}: rows sorted by {column!r} (the file was not in time order)",
                      UserWarning, stacklevel=4)
        frame = frame.sort_values(column, kind="stable")
    return frame


# --------------------------------------------------------------------------- public

DATASETS: tuple[str, ...] = (*_SKLEARN, *_SYNTH)
"""The built-in dataset names :func:`load_dataset` accepts."""


def available_datasets() -> tuple[str, ...]:
    """The built-in dataset names, scikit-learn's first, then river's generators.

    Examples
    --------
    >>> available_datasets()[:4]
    ('iris', 'wine', 'breast_cancer', 'digits')
    >>> "agrawal" in available_datasets()
    True
    """
    return DATASETS


def load_dataset(name: str | os.PathLike[str], **options: Any) -> Dataset:
    """Load a built-in dataset by name, or a CSV / Parquet file by path.

    Parameters
    ----------
    name
        A name from :func:`available_datasets`, or a path ending in ``.csv``
        (optionally compressed: ``.csv.gz``, ``.csv.bz2``, ``.csv.xz``, ``.csv.zip``),
        ``.parquet`` or ``.pq``.
    **options
        scikit-learn sets take none.

        river generators take ``n_samples`` (default 5000) and ``seed`` (default 0),
        plus the generator's own arguments: ``sea``: variant, noise; ``hyperplane``:
        n_features, n_drift_features, mag_change, noise_percentage, sigma;
        ``agrawal``: classification_function, balance_classes, perturbation;
        ``stagger``: classification_function, balance_classes; ``sine``:
        classification_function, balance_classes, has_noise; ``mixed``:
        classification_function, balance_classes; ``random_rbf``:
        n_classes, n_features, n_centroids, and seed_model / seed_sample (both derived
        from ``seed`` unless given); ``led``: noise_percentage, irrelevant_features.
        Integer feature keys become names ``x0, x1, …``. Categorical features become
        codes ``0..k-1`` over the generator's fixed value set (so Agrawal's ``car``
        1..20 becomes 0..19), recorded in ``categories``.

        Files take ``target`` (required: the class column), ``missing`` (``"error"``,
        the default, or ``"drop"``: drop rows with a missing or infinite value in a
        used column and warn with the count), ``features`` (the columns to use;
        default all but the target and the time column), ``categorical`` (numeric
        columns to treat as categorical) and ``time`` (a column of timestamps: the rows
        are put in time order, and a stream replays them in that order; see
        :attr:`Dataset.time`). Non-numeric and boolean columns become categorical codes over
        their sorted distinct values; class codes follow the target's sorted values.

    Raises
    ------
    ValueError
        An unknown name, an option the loader does not accept, a bad option value,
        a missing target column, a target with one class, or missing values with
        ``missing="error"``. The message names the bad value and what is allowed.
    FileNotFoundError
        A file path that does not exist.

    Examples
    --------
    >>> load_dataset("wine").class_names
    ('class_0', 'class_1', 'class_2')
    >>> ds = load_dataset("sea", n_samples=1000, seed=7, variant=2)
    >>> ds.X.shape, ds.class_names, ds.feature_names
    ((1000, 3), ('False', 'True'), ('x0', 'x1', 'x2'))
    >>> load_dataset("agrawal", n_samples=10).feature_kinds[3:6]
    ('categorical', 'categorical', 'categorical')
    >>> load_dataset("sea", colour=1)
    Traceback (most recent call last):
    ...
    ValueError: dataset 'sea' does not accept option 'colour'; allowed: ['n_samples', 'seed', ...]
    """
    if isinstance(name, os.PathLike):
        return _load_file(name, dict(options))
    if not isinstance(name, str):
        raise ValueError(f"dataset name must be a string or a path, got {name!r}")
    if name in _SKLEARN:
        if options:
            raise ValueError(
                f"dataset {name!r} takes no options, got {sorted(options)}; "
                "scikit-learn datasets are fixed"
            )
        return _load_sklearn(name)
    if name in _SYNTH:
        return _load_synth(name, dict(options))
    if _file_suffix(name) is not None:
        return _load_file(name, dict(options))
    raise ValueError(
        f"unknown dataset {name!r}; allowed: {list(DATASETS)}, or a path ending in "
        f"{', '.join(_CSV_SUFFIXES + _PARQUET_SUFFIXES)}"
    )
