"""The drift transforms, resolved against one dataset and vectorised over a block.

A :class:`Plan` is a :class:`~simulator.drift.Drift` bound to the dataset it acts on:
feature indices resolved, per-row tables precomputed. A stream renders a block of
samples in six stages, each plan taking part in one of them, in list order:

1. ``rows`` (prior ``resample``, covariate ``subpopulation``): which base row each
   sample is drawn from. Where two are active on one sample the later one decides.
2. ``features`` (covariate shift, scale, noise, rotate): the world's inputs move.
3. ``concepts`` (concept ``switch``, generator streams only): which concept of the
   generator each sample is drawn under; the stream renders each concept's samples.
4. ``labels`` (concept): the labels change, looked up per base row, so the new concept
   is a fixed function of the row rather than label noise.
5. ``pipeline`` (stuck, missing, unit): serving-side faults on what the model is fed;
   labels keep their relation to the clean features.
6. ``prediction``: nothing happens to the data; the plan provides the per-sample
   uniforms :func:`simulator._prediction.apply_prediction_drift` uses.

Every method takes ``s``, the per-sample intensity in [0, 1] (the stream's ``truth``
column), so a gradual drift (``s`` is 0 or 1) and an incremental one (``s`` ramps)
share one implementation. ``s`` is the float 1.0 where the whole block is at full
intensity (the common case after a change), which saves the per-sample arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from simulator.datasets import Dataset
from simulator.drift import Drift

__all__ = ["DataStats", "Plan", "make_plan"]

# Incremental boundary rotation relabels the rows at this many angles; the label
# tables cost one nearest-neighbour search each.
_BOUNDARY_LEVELS = 16


@dataclass(frozen=True, eq=False)
class DataStats:
    """What the transforms need to know about the base data, computed once.

    Examples
    --------
    >>> from simulator.datasets import load_dataset
    >>> stats = DataStats.of(load_dataset("iris"))
    >>> stats.n_rows, stats.class_counts.tolist(), stats.numeric.all()
    (150, [50, 50, 50], np.True_)
    """

    X: np.ndarray
    y: np.ndarray
    n_classes: int
    feature_names: tuple[str, ...]
    numeric: np.ndarray  # bool mask, True where the feature is numeric
    mean: np.ndarray
    std: np.ndarray  # raw standard deviation (0 for a constant feature)
    unit: np.ndarray  # std with zeros replaced by 1: safe to divide by
    class_order: np.ndarray  # row indices sorted by class
    class_offsets: np.ndarray
    class_counts: np.ndarray

    @classmethod
    def of(cls, ds: Dataset) -> DataStats:
        X, y = ds.X, ds.y
        std = X.std(axis=0)
        counts = np.bincount(y, minlength=ds.n_classes)
        return cls(
            X=X,
            y=y,
            n_classes=ds.n_classes,
            feature_names=ds.feature_names,
            numeric=np.array([k == "numeric" for k in ds.feature_kinds]),
            mean=X.mean(axis=0),
            std=std,
            unit=np.where(std > 0, std, 1.0),
            class_order=np.argsort(y, kind="stable"),
            class_offsets=np.concatenate([[0], np.cumsum(counts)[:-1]]),
            class_counts=counts,
        )

    @property
    def n_rows(self) -> int:
        return int(self.X.shape[0])

    @property
    def proportions(self) -> np.ndarray:
        return self.class_counts / self.class_counts.sum()

    def rows_of_classes(self, classes: np.ndarray, u: np.ndarray) -> np.ndarray:
        """A row of each given class, chosen by the uniforms ``u``."""
        pick = self.class_offsets[classes] + (u * self.class_counts[classes]).astype(np.int64)
        return self.class_order[np.minimum(pick, self.n_rows - 1)]


def _col(s: np.ndarray | float) -> np.ndarray | float:
    """``s`` as a column, so it broadcasts over features (a scalar stays a scalar)."""
    return s[:, None] if isinstance(s, np.ndarray) else s


def _resolve_features(drift: Drift, index: int, data: DataStats) -> np.ndarray:
    names = data.feature_names
    d = len(names)
    what = f"drift {index} ({drift.kind} '{drift.transform}')"
    if drift.features is None:
        if drift.transform in ("shift", "scale", "noise"):
            idx = np.flatnonzero(data.numeric)
            if idx.size == 0:
                raise ValueError(f"features: {what} needs a numeric feature; the dataset has none")
            return idx
        n = 2 if drift.transform in ("rotate", "rotate_boundary") else 1
        # Constant features (e.g. digits' border pixels) cannot move, split or rotate.
        varying = np.flatnonzero(data.std > 0)
        if drift.transform in ("rotate", "rotate_boundary"):
            varying = varying[data.numeric[varying]]
        if varying.size < n:
            raise ValueError(
                f"features: {what} needs {n} non-constant feature(s); the dataset has "
                f"{varying.size}"
            )
        return varying[:n]
    out = []
    for f in drift.features:
        if isinstance(f, str):
            if f not in names:
                raise ValueError(
                    f"features: {what} names unknown feature {f!r}; allowed: {list(names)} "
                    f"or indices 0..{d - 1}"
                )
            out.append(names.index(f))
        else:
            if f >= d:
                raise ValueError(
                    f"features: {what} has index {f} out of range; allowed: 0..{d - 1} "
                    f"or names {list(names)}"
                )
            out.append(f)
    if len(set(out)) != len(out):
        raise ValueError(f"features: {what} names the same feature twice: {drift.features!r}")
    return np.array(out, dtype=np.int64)


def _check_class(drift: Drift, index: int, name: str, code: int, data: DataStats) -> int:
    if code >= data.n_classes:
        raise ValueError(
            f"{name}: drift {index} ({drift.kind} '{drift.transform}') names class {code}; "
            f"allowed: 0..{data.n_classes - 1}"
        )
    return code


class Plan:
    """A drift bound to a dataset. Subclasses implement the stage they belong to."""

    stage: ClassVar[str]
    numeric_only: ClassVar[bool] = False

    def __init__(self, drift: Drift, index: int, data: DataStats, seed: int) -> None:
        self.drift = drift
        self.index = index
        self.data = data
        self.features = _resolve_features(drift, index, data)
        if self.numeric_only:
            bad = [int(f) for f in self.features if not data.numeric[f]]
            if bad:
                raise ValueError(
                    f"features: {drift.kind} '{drift.transform}' (drift {index}) cannot act "
                    f"on categorical feature(s) {[data.feature_names[f] for f in bad]}; "
                    "allowed: numeric features only"
                )
        self.severity = drift.severity
        self.setup(seed)

    def setup(self, seed: int) -> None:
        """Precompute per-row tables (called once, with the stream's seed)."""

    def draw(self, rng: np.random.Generator, n: int) -> Any:
        """The random numbers the transform needs for ``n`` samples (None if none)."""
        return None

    def rows(self, rows: np.ndarray, s: np.ndarray, draws: Any) -> np.ndarray:
        raise NotImplementedError

    def apply_features(self, X: np.ndarray, s: np.ndarray, draws: Any) -> None:
        raise NotImplementedError

    def labels(self, y: np.ndarray, rows: np.ndarray, s: np.ndarray) -> np.ndarray:
        raise NotImplementedError


# --- covariate: the inputs move, labels stay with their rows ------------------------
class Shift(Plan):
    stage = "features"
    numeric_only = True

    def setup(self, seed):
        self.delta = np.zeros(self.data.X.shape[1])
        self.delta[self.features] = self.severity * self.data.std[self.features]

    def apply_features(self, X, s, draws):
        X += np.multiply.outer(s, self.delta)


class Scale(Plan):
    stage = "features"
    numeric_only = True

    def apply_features(self, X, s, draws):
        f = self.features
        mu = self.data.mean[f]
        X[:, f] = mu + _col(1.0 + self.severity * s) * (X[:, f] - mu)


class Noise(Plan):
    stage = "features"
    numeric_only = True

    def draw(self, rng, n):
        return rng.standard_normal((n, self.features.size))

    def apply_features(self, X, s, draws):
        f = self.features
        X[:, f] += _col(self.severity * s) * draws * self.data.std[f]


def _rotate_pair(za: np.ndarray, zb: np.ndarray, angle: Any) -> tuple[np.ndarray, np.ndarray]:
    c, si = np.cos(angle), np.sin(angle)
    return c * za - si * zb, si * za + c * zb


class Rotate(Plan):
    stage = "features"
    numeric_only = True

    def apply_features(self, X, s, draws):
        a, b = self.features
        mu, unit = self.data.mean, self.data.unit
        za, zb = (X[:, a] - mu[a]) / unit[a], (X[:, b] - mu[b]) / unit[b]
        ra, rb = _rotate_pair(za, zb, self.severity * s * (np.pi / 2))
        X[:, a] = mu[a] + unit[a] * ra
        X[:, b] = mu[b] + unit[b] * rb


class Subpopulation(Plan):
    """Rows inside the region gain (severity > 0) or lose (< 0) weight."""

    stage = "rows"

    def setup(self, seed):
        values = self.data.X[:, self.features[0]]
        threshold = np.quantile(values, self.drift.options["quantile"])
        inside = values > threshold if self.drift.options["side"] == "above" else values < threshold
        self.inside, self.outside = np.flatnonzero(inside), np.flatnonzero(~inside)
        if self.inside.size == 0 or self.outside.size == 0:
            raise ValueError(
                f"quantile: the subpopulation region of drift {self.index} holds "
                f"{self.inside.size} of {values.size} rows; choose a quantile that splits "
                f"feature {self.data.feature_names[self.features[0]]!r}"
            )

    def draw(self, rng, n):
        return rng.random((2, n))

    def rows(self, rows, s, draws):
        n_in, n_out = self.inside.size, self.outside.size
        cut = abs(self.severity) * s
        w_in, w_out = (1.0, 1.0 - cut) if self.severity >= 0 else (1.0 - cut, 1.0)
        p_in = w_in * n_in / (w_in * n_in + w_out * n_out)
        u_side, u_row = draws
        new = np.where(
            u_side < p_in,
            self.inside[np.minimum((u_row * n_in).astype(np.int64), n_in - 1)],
            self.outside[np.minimum((u_row * n_out).astype(np.int64), n_out - 1)],
        )
        return np.where(s > 0, new, rows)


# --- prior: class proportions move --------------------------------------------------
class Resample(Plan):
    stage = "rows"

    def setup(self, seed):
        data, opts = self.data, self.drift.options
        base = data.proportions
        if opts["proportions"] is not None:
            target = np.asarray(opts["proportions"], dtype=np.float64)
            if target.size != data.n_classes:
                raise ValueError(
                    f"proportions: drift {self.index} gives {target.size} proportions for "
                    f"{data.n_classes} classes; allowed: one per class"
                )
        else:
            toward = _check_class(self.drift, self.index, "toward", opts["toward"], data)
            target = np.eye(data.n_classes)[toward]
        target = (1.0 - self.severity) * base + self.severity * target
        empty = np.flatnonzero((target > 0) & (data.class_counts == 0))
        if empty.size:
            raise ValueError(
                f"proportions: drift {self.index} puts mass on class(es) {empty.tolist()} "
                "that have no rows in the dataset"
            )
        self.target = target
        self.cum0 = np.cumsum(base)[:-1]
        self.cum1 = np.cumsum(target)[:-1]

    def draw(self, rng, n):
        return rng.random((2, n))

    def rows(self, rows, s, draws):
        u_class, u_row = draws
        cum = self.cum0 + _col(s) * (self.cum1 - self.cum0)
        classes = (u_class[:, None] >= cum).sum(axis=1)
        return np.where(s > 0, self.data.rows_of_classes(classes, u_row), rows)


# --- concept: labels change, inputs do not ---------------------------------------------
class Swap(Plan):
    stage = "labels"

    def setup(self, seed):
        a, b = self.drift.options["classes"]
        for code in (a, b):
            _check_class(self.drift, self.index, "classes", code, self.data)
        self.mapping = np.arange(self.data.n_classes)
        self.mapping[[a, b]] = [b, a]
        # A fixed per-row draw decides which rows swap at a given severity, so the new
        # concept is a function of the row, not fresh label noise on every sample.
        self.row_u = np.random.default_rng([seed, 3, self.index, 1]).random(self.data.n_rows)

    def labels(self, y, rows, s):
        if not isinstance(s, np.ndarray) and self.severity * s >= 1.0:
            return self.mapping.take(y)  # every row swaps: skip the per-row draw
        hit = self.row_u[rows] < self.severity * s
        return np.where(hit, self.mapping[y], y)


class RelabelRegion(Plan):
    stage = "labels"

    def setup(self, seed):
        values = self.data.X[:, self.features[0]]
        self.values = values if self.drift.options["side"] == "above" else -values
        self.sorted = np.sort(self.values)
        to = self.drift.options["to"]
        k = self.data.n_classes
        if to is None:
            self.mapping = (np.arange(k) + 1) % k
        else:
            self.mapping = np.full(k, _check_class(self.drift, self.index, "to", to, self.data))

    def region(self, rows: np.ndarray, mass: np.ndarray) -> np.ndarray:
        n = self.sorted.size
        idx = np.ceil((1.0 - mass) * n - 1e-9).astype(np.int64)
        threshold = np.where(idx < n, self.sorted[np.clip(idx, 0, n - 1)], np.inf)
        return (self.values[rows] >= threshold) & (mass > 0)

    def labels(self, y, rows, s):
        return np.where(self.region(rows, self.severity * s), self.mapping[y], y)


class RotateBoundary(Plan):
    """New label of a row: the label of its nearest neighbour among the base rows
    rotated (in the standardised plane of two features) by the drift's angle.

    The labels come from the base labels, so on samples where an earlier concept
    drift is also active this one overrides it.
    """

    stage = "labels"
    numeric_only = True

    def setup(self, seed):
        from sklearn.neighbors import NearestNeighbors

        data = self.data
        a, b = self.features
        z = (data.X - data.mean) / data.unit
        self.levels = _BOUNDARY_LEVELS if self.drift.profile == "incremental" else 1
        # Trees lose to brute force beyond a handful of dimensions; brute force loses
        # to trees when the rows are many.
        brute = data.n_rows <= 5000 or data.X.shape[1] > 16
        search = NearestNeighbors(n_neighbors=1, algorithm="brute" if brute else "auto")
        tables = np.empty((self.levels + 1, data.n_rows), dtype=np.int64)
        tables[0] = data.y
        for level in range(1, self.levels + 1):
            angle = self.severity * (np.pi / 2) * level / self.levels
            rotated = z.copy()
            rotated[:, a], rotated[:, b] = _rotate_pair(z[:, a], z[:, b], angle)
            nearest = search.fit(rotated).kneighbors(z)[1][:, 0]
            tables[level] = data.y[nearest]
        self.tables = tables

    def labels(self, y, rows, s):
        level = np.rint(s * self.levels).astype(np.int64)
        return np.where(level > 0, self.tables[level, rows], y)


# --- pipeline: serving-side faults on the inputs -------------------------------------
class _Fault(Plan):
    stage = "pipeline"

    def draw(self, rng, n):
        return rng.random((n, self.features.size))

    def hit(self, s: np.ndarray, draws: np.ndarray) -> np.ndarray:
        return draws < _col(self.severity * s)


class Stuck(_Fault):
    def setup(self, seed):
        value = self.drift.options["value"]
        if value is not None:
            self.value = np.full(self.features.size, value)
            return
        # By default the sensor sticks at a typical reading: the mean, or for a
        # categorical feature its most frequent category (a mean is no category).
        self.value = np.empty(self.features.size)
        for i, f in enumerate(self.features):
            if self.data.numeric[f]:
                self.value[i] = self.data.mean[f]
            else:
                categories, counts = np.unique(self.data.X[:, f], return_counts=True)
                self.value[i] = categories[counts.argmax()]

    def apply_features(self, X, s, draws):
        f = self.features
        X[:, f] = np.where(self.hit(s, draws), self.value, X[:, f])


class Missing(_Fault):
    def apply_features(self, X, s, draws):
        f = self.features
        X[:, f] = np.where(self.hit(s, draws), self.drift.options["fill"], X[:, f])


class Unit(_Fault):
    numeric_only = True

    def apply_features(self, X, s, draws):
        f = self.features
        X[:, f] = np.where(self.hit(s, draws), X[:, f] * self.drift.options["factor"], X[:, f])


# --- concept switch: the generator's concept changes ----------------------------------
class Switch(Plan):
    """A generator concept switch. The stream renders the samples of each concept
    (:mod:`simulator.generators`); the plan only marks where this one is in force."""

    stage = "concepts"

    def __init__(self, drift: Drift, index: int, data: DataStats, seed: int) -> None:
        self.drift, self.index, self.data = drift, index, data
        self.features = np.empty(0, dtype=np.intp)
        self.severity = drift.severity

    def age(self, t: np.ndarray) -> np.ndarray:
        """Samples since the concept's latest onset (moving concepts move with it)."""
        since = np.asarray(t, dtype=np.int64) - self.drift.start
        if self.drift.profile == "recurring":
            since = since % self.drift.options["period"]
        return np.maximum(since, 0)


# --- prediction: the data is untouched; the loop drifts what the model serves --------
class PredictionNoise(Plan):
    stage = "prediction"

    def draw(self, rng, n):
        return rng.random(n)


_PLANS: dict[str, type[Plan]] = {
    "shift": Shift,
    "scale": Scale,
    "noise": Noise,
    "rotate": Rotate,
    "subpopulation": Subpopulation,
    "resample": Resample,
    "swap": Swap,
    "relabel_region": RelabelRegion,
    "rotate_boundary": RotateBoundary,
    "switch": Switch,
    "stuck": Stuck,
    "missing": Missing,
    "unit": Unit,
    "bias": PredictionNoise,
    "flip": PredictionNoise,
    "calibration": PredictionNoise,
}


def make_plan(drift: Drift, index: int, data: DataStats, seed: int) -> Plan:
    """Bind ``drift`` (the ``index``-th of its stream) to the dataset ``data``.

    Examples
    --------
    >>> from simulator.datasets import load_dataset
    >>> data = DataStats.of(load_dataset("iris"))
    >>> plan = make_plan(Drift("covariate", 0, features=["petal width (cm)"]), 0, data, 0)
    >>> plan.stage, plan.features.tolist()
    ('features', [3])
    >>> X = np.zeros((2, 4))
    >>> plan.apply_features(X, np.array([0.0, 1.0]), None)
    >>> X.round(3).tolist()
    [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.76]]
    """
    assert drift.transform is not None
    return _PLANS[drift.transform](drift, index, data, seed)
