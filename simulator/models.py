"""Models the deployment loop can serve: scikit-learn estimators and river online models.

The loop needs three things of a model: ``fit(X, y)``, ``predict_proba(X)`` and, for
the ``incremental`` strategy, ``partial_fit(X, y)``. scikit-learn estimators and
pipelines have the first two; :class:`RiverClassifier` gives a river classifier all
three. :func:`full_proba` lines a model's probability columns up with every class of
the stream, since a model retrained on a window that lacks a class has fewer columns.

Examples
--------
>>> import numpy as np
>>> model = default_model().fit(np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 0, 2, 2]))
>>> full_proba(model, np.array([[0.0], [3.0]]), n_classes=3).round(2)
array([[0.78, 0.  , 0.22],
       [0.22, 0.  , 0.78]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from driftsim.validation import check_int

__all__ = ["RiverClassifier", "default_model", "full_proba", "predicts_rowwise"]

#: Estimators whose ``predict_proba`` row for a sample is the same float for float
#: whatever other rows (two or more in all) share the call: each row goes through
#: the same element-wise steps and a matrix product whose inner sums do not depend on
#: the number of rows. tests/test_loop_fast_paths.py checks every one of them against
#: chunked calls; add a class only with such a check.
_ROWWISE = frozenset({
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.naive_bayes.GaussianNB",
    "sklearn.tree._classes.DecisionTreeClassifier",
    "sklearn.ensemble._forest.RandomForestClassifier",
    "simulator.models.RiverClassifier",
})


def default_model() -> Any:
    """A standardising logistic regression, the default served model.

    Examples
    --------
    >>> default_model()
    Pipeline(steps=[('standardscaler', StandardScaler()),
                    ('logisticregression', LogisticRegression(max_iter=1000))])
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


def full_proba(
    model: Any, X: np.ndarray, n_classes: int, *, first_sample: int | None = None
) -> np.ndarray:
    """``model.predict_proba(X)`` with one column per class code ``0..n_classes-1``.

    Classes the model never saw get probability 0. The output is checked: one row
    per row of ``X``, one column per class of the model, finite, each row summing to
    1 (within 1e-6); a model that breaks this raises ``ValueError`` naming the model
    and the first bad row (as the stream's sample ``first_sample + row`` when given).

    Examples
    --------
    >>> class Broken:
    ...     classes_ = np.array([0, 1])
    ...     def predict_proba(self, X):
    ...         return np.full((len(X), 2), 7.0)
    >>> full_proba(Broken(), np.zeros((3, 1)), 2, first_sample=100)
    Traceback (most recent call last):
    ...
    ValueError: model Broken returned probabilities for sample 100 that sum to 14; ...
    """
    proba = np.asarray(model.predict_proba(X), dtype=np.float64)
    classes = np.asarray(getattr(model, "classes_", np.arange(proba.shape[-1])), dtype=np.int64)
    _check_output(model, proba, X.shape[0], classes.size, first_sample)
    if proba.shape[1] == n_classes and np.array_equal(classes, np.arange(n_classes)):
        return proba
    out = np.zeros((proba.shape[0], n_classes))
    out[:, classes] = proba
    return out


def predicts_rowwise(model: Any) -> bool:
    """Whether ``model`` (or every step of a scikit-learn pipeline) is one of the
    estimators known to predict each row independently of the others in the call.

    Exact classes only: a subclass may predict differently. Such a model's
    probabilities for a long run of samples can be computed in one call and cut into
    segments: the same values as predicting each segment (of two rows or more) — to
    the last bit on narrow data; on wide data a BLAS matrix product of another row
    count may round the last bit differently (see :mod:`simulator.loop_serving`).

    Examples
    --------
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> predicts_rowwise(default_model()), predicts_rowwise(KNeighborsClassifier())
    (True, False)
    """
    kind = type(model)
    name = f"{kind.__module__}.{kind.__qualname__}"
    if name == "sklearn.pipeline.Pipeline":
        return bool(model.steps) and all(predicts_rowwise(step) for _, step in model.steps)
    return name in _ROWWISE


def _check_output(
    model: Any, proba: np.ndarray, n_rows: int, n_columns: int, first_sample: int | None
) -> None:
    """Refuse what a broken model returns, at our boundary, naming model and sample."""
    name = type(model).__name__
    if proba.shape != (n_rows, n_columns):
        raise ValueError(
            f"model {name} returned probabilities of shape {proba.shape} for {n_rows} rows; "
            f"expected ({n_rows}, {n_columns}): one row per sample, one column per class "
            f"in its classes_"
        )
    finite = np.isfinite(proba).all(axis=1)
    sums = proba.sum(axis=1)
    bad = ~finite | (np.abs(sums - 1.0) > 1e-6) | (proba < 0).any(axis=1)
    if not bad.any():
        return
    row = int(np.argmax(bad))
    where = f"sample {first_sample + row}" if first_sample is not None else f"row {row}"
    if not finite[row]:
        raise ValueError(
            f"model {name} returned a non-finite probability for {where}: "
            f"{proba[row].tolist()}; probabilities must be finite"
        )
    if (proba[row] < 0).any():
        raise ValueError(
            f"model {name} returned a negative probability for {where}: "
            f"{proba[row].tolist()}; probabilities must be in [0, 1]"
        )
    raise ValueError(
        f"model {name} returned probabilities for {where} that sum to {sums[row]:.6g}; "
        "each row must sum to 1"
    )


class RiverClassifier:
    """Give a river classifier the ``fit`` / ``predict_proba`` / ``partial_fit`` surface.

    river models learn one sample at a time, so this adapter loops in Python: fine for
    comparing "keep learning" with "retrain", slower than a scikit-learn model.

    Parameters
    ----------
    model
        A river classifier (``learn_one`` / ``predict_proba_one``); it is cloned.
    n_classes
        Number of class codes; probabilities get one column per code.

    Examples
    --------
    >>> import numpy as np
    >>> from river.naive_bayes import GaussianNB
    >>> clf = RiverClassifier(GaussianNB(), n_classes=2)
    >>> _ = clf.fit(np.array([[0.0], [0.1], [1.0], [1.1]]), np.array([0, 0, 1, 1]))
    >>> clf.predict_proba(np.array([[0.05], [1.05]])).argmax(axis=1)
    array([0, 1])
    """

    def __init__(self, model: Any, n_classes: int = 2) -> None:
        if not hasattr(model, "learn_one") or not hasattr(model, "predict_proba_one"):
            raise ValueError(
                f"model must be a river classifier (learn_one, predict_proba_one), "
                f"got {type(model).__name__}"
            )
        self.model = model
        self.n_classes = check_int("n_classes", n_classes, low=2)
        self._fitted = model.clone()

    def get_params(self, deep: bool = False) -> dict[str, Any]:
        return {"model": self.model, "n_classes": self.n_classes}

    def set_params(self, **params: Any) -> RiverClassifier:
        for key, value in params.items():
            setattr(self, key, value)
        self._fitted = self.model.clone()
        return self

    @property
    def classes_(self) -> np.ndarray:
        return np.arange(self.n_classes)

    def fit(self, X: np.ndarray, y: np.ndarray) -> RiverClassifier:
        """Learn from scratch on ``X, y``."""
        self._fitted = self.model.clone()
        return self.partial_fit(X, y)

    def partial_fit(self, X: np.ndarray, y: np.ndarray) -> RiverClassifier:
        """Keep learning from ``X, y``, one sample at a time."""
        model = self._fitted
        for row, label in zip(np.asarray(X, dtype=np.float64), np.asarray(y), strict=True):
            model.learn_one(dict(enumerate(row.tolist())), int(label))
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities, one column per class code (unseen classes get 0)."""
        X = np.asarray(X, dtype=np.float64)
        out = np.zeros((X.shape[0], self.n_classes))
        model = self._fitted
        for i, row in enumerate(X):
            for label, p in model.predict_proba_one(dict(enumerate(row.tolist()))).items():
                if 0 <= int(label) < self.n_classes:
                    out[i, int(label)] = p
        empty = out.sum(axis=1) == 0
        out[empty] = 1.0 / self.n_classes  # before any learning: uniform
        return out / out.sum(axis=1, keepdims=True)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.predict_proba(X).argmax(axis=1)

    def __repr__(self) -> str:
        return f"RiverClassifier({self.model!r}, n_classes={self.n_classes})"
