"""Datasets a drift stream is drawn from.

A :class:`Dataset` holds float features, integer class codes and the names that go
with them. :func:`load_dataset` builds one from a built-in name or a file path.

Examples
--------
>>> ds = load_dataset("iris")
>>> ds.X.shape, ds.n_classes
((150, 4), 3)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

__all__ = ["Dataset", "load_dataset"]

FeatureKind = Literal["numeric", "categorical"]


@dataclass(frozen=True, eq=False)
class Dataset:
    """Features ``X`` (float64, n×d), class codes ``y`` (int64, 0..k-1) and their names.

    Examples
    --------
    >>> import numpy as np
    >>> ds = Dataset("toy", np.zeros((4, 2)), np.array([0, 1, 0, 1]), ("a", "b"), ("no", "yes"))
    >>> ds.n_samples, ds.n_features, ds.n_classes, ds.feature_kinds
    (4, 2, 2, ('numeric', 'numeric'))
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    feature_kinds: tuple[FeatureKind, ...] = field(default=())

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
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y.astype(np.int64, copy=False))
        object.__setattr__(self, "feature_names", tuple(str(n) for n in self.feature_names))
        object.__setattr__(self, "class_names", tuple(str(n) for n in self.class_names))
        object.__setattr__(self, "feature_kinds", kinds)

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


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


def load_dataset(name: str, **options: object) -> Dataset:
    """Load a built-in dataset by name.

    Parameters
    ----------
    name
        ``"iris"``, ``"wine"``, ``"breast_cancer"`` or ``"digits"``.

    Examples
    --------
    >>> load_dataset("wine").class_names
    ('class_0', 'class_1', 'class_2')
    """
    if name in ("iris", "wine", "breast_cancer", "digits"):
        return _load_sklearn(name)
    raise ValueError(
        f"unknown dataset {name!r}; allowed: 'iris', 'wine', 'breast_cancer', 'digits'"
    )
