"""river's synthetic generators as vectorised concepts a stream can switch between.

Each class here draws the same distribution as the river generator of the same name,
but a whole block of samples at a time with numpy, and keeps the two halves of a
generator apart:

* :meth:`ConceptGenerator.draw` takes every random number a block needs from one
  numpy generator; none depends on the concept;
* :meth:`ConceptGenerator.render` turns those numbers into features and labels under
  one **concept**: a mapping of the generator's concept parameters (SEA's ``variant``
  and ``noise``, Agrawal's ``classification_function`` and ``perturbation``, ...).

A stream therefore renders one block once and labels each sample under the concept in
force for it (:class:`~simulator.stream.DriftStream` with a ``concept`` ``switch``
drift), and two concepts of one stream share their features exactly where the
generator's features do not depend on the concept. Labels are a function of the
(latent) features per concept, as in river, so the true rule of a concept is known.

Concept parameters, per generator (structural parameters fixed at construction in
brackets):

===========  ==================================================  ========================
generator    concept parameters                                  [structure]
===========  ==================================================  ========================
sea          variant (0-3: threshold 8, 9, 7, 9.5), noise        --
agrawal      classification_function (0-9), perturbation         --
stagger      classification_function (0-2)                       --
sine         classification_function (0-3)                       [has_noise]
mixed        classification_function (0-1)                       --
hyperplane   mag_change, sigma, noise_percentage                 [n_features,
                                                                 n_drift_features]
random_rbf   change_speed, n_drift_centroids                     [n_classes, n_features,
                                                                 n_centroids, seed_model,
                                                                 seed_sample]
led          noise_percentage, n_drift_features                  [irrelevant_features]
===========  ==================================================  ========================

Moving concepts (a hyperplane with ``mag_change > 0``, RBF centroids with
``change_speed > 0``) move from the generator's initial state, counted from the
concept's onset (the ``age`` passed to :meth:`render`), as river's generators move
from their construction. The parameters river derives from its seeds (hyperplane
weights, RBF centroids and speeds, LED's swapped attributes) are derived here from
the same seeds with Python's :mod:`random`, the same draws in the same order, so
they equal river's exactly; the per-sample draws come from numpy.

Noise follows river's arithmetic where it differs from the parameter's name: river
flips a hyperplane label (or reverses a weight's direction, or flips an LED segment)
when ``0.01 + u <= p`` for a uniform ``u``, that is with probability ``p - 0.01``.

Examples
--------
>>> gen = make_generator("sea", seed=1, noise=0.1)
>>> rng = np.random.default_rng(0)
>>> draws = gen.draw(rng, 5)
>>> X, y = gen.render(draws, np.arange(5), gen.concept())
>>> X.shape, y.tolist() == (X[:, 0] + X[:, 1] > 8).astype(int).tolist()
((5, 3), True)
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import numpy as np

from driftsim.validation import check_choice, check_in_range, check_int

__all__ = ["GENERATORS", "ConceptGenerator", "make_generator"]

Draws = dict[str, np.ndarray]
Checker = Callable[[str, Any], Any]
Spec = dict[str, tuple[Any, Checker]]  # parameter -> (default, checker)


def _fraction(name: str, value: Any) -> float:
    return float(check_in_range(name, value, low=0.0, high=1.0))


def _choice(*allowed: int) -> Checker:
    def check(name: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise ValueError(f"{name} must be one of {list(allowed)}, got {value!r}")
        return int(check_choice(name, int(value), allowed))

    return check


def _at_least(low: int) -> Checker:
    return lambda name, value: check_int(name, value, low=low)


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be true or false, got {value!r}")
    return bool(value)


def _river_p(p: float) -> float:
    """river's ``0.01 + u <= p`` as a probability."""
    return max(p - 0.01, 0.0)


class ConceptGenerator:
    """A river generator split into concept-free draws and per-concept rendering.

    Subclasses declare ``concept_params`` (name -> (default, checker)) and
    ``structure`` (the same for parameters fixed at construction), and implement
    :meth:`draw` and :meth:`render`.

    Parameters
    ----------
    seed
        Seeds the generator's own parameters (as river's ``seed``); the per-sample
        draws come from the ``rng`` passed to :meth:`draw`.
    **params
        Structural and concept parameters; the concept ones form the base concept.

    Examples
    --------
    >>> gen = make_generator("agrawal", classification_function=2)
    >>> gen.concept({"classification_function": 5})["classification_function"]
    5
    >>> gen.concept({"colour": 1})
    Traceback (most recent call last):
    ...
    ValueError: agrawal has no concept parameter 'colour'; allowed: [...]
    """

    name: ClassVar[str] = ""
    concept_params: ClassVar[Spec] = {}
    structure: ClassVar[Spec] = {}
    class_names: tuple[str, ...] = ("0", "1")

    def __init__(self, seed: int = 0, **params: Any) -> None:
        self.seed = check_int("seed", seed, low=0)
        allowed = {**self.structure, **self.concept_params}
        unknown = sorted(set(params) - set(allowed))
        if unknown:
            raise ValueError(
                f"{self.name} does not accept {unknown}; allowed: {sorted(allowed)}"
            )
        self.params = {
            key: check(key, params.get(key, default))
            for key, (default, check) in self.structure.items()
        }
        self.base = self.concept(
            {k: v for k, v in params.items() if k in self.concept_params}
        )
        self._setup()

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in {**self.params, **self.base}.items())
        return f"{type(self).__name__}(seed={self.seed}, {args})"

    def _setup(self) -> None:
        """Derive the generator's fixed parameters from ``seed`` (none by default)."""

    # --- description -----------------------------------------------------------------
    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(f"x{i}" for i in range(self.n_features))

    @property
    def n_features(self) -> int:
        raise NotImplementedError

    @property
    def categories(self) -> dict[str, tuple[str, ...]]:
        """The labels of each categorical feature's codes ``0..k-1``."""
        return {}

    @property
    def feature_kinds(self) -> tuple[str, ...]:
        cats = self.categories
        return tuple("categorical" if f in cats else "numeric" for f in self.feature_names)

    # --- concepts ----------------------------------------------------------------------
    def concept(self, changes: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The base concept with ``changes`` applied, validated."""
        changes = dict(changes or {})
        for key in changes:
            if key not in self.concept_params:
                raise ValueError(
                    f"{self.name} has no concept parameter {key!r}; "
                    f"allowed: {sorted(self.concept_params)}"
                )
        base = getattr(self, "base", {})
        out = {}
        for key, (default, check) in self.concept_params.items():
            out[key] = check(key, changes.get(key, base.get(key, default)))
        self._check_concept(out)
        return out

    def _check_concept(self, concept: dict[str, Any]) -> None:
        """Cross-parameter checks (none by default)."""

    # --- sampling ----------------------------------------------------------------------
    def draw(self, rng: np.random.Generator, n: int) -> Draws:
        """Every random number ``n`` samples need, whatever the concept."""
        raise NotImplementedError

    def render(
        self, draws: Draws, age: np.ndarray, concept: Mapping[str, Any]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Features (float64, n × d) and labels (int64) of the drawn samples under
        ``concept``; ``age`` is each sample's index counted from the concept's onset
        (used by moving concepts only). The features may share memory with ``draws``
        (no copy on the hot path): render a set of draws once, or copy it first."""
        raise NotImplementedError

    def rule(self, X: np.ndarray, concept: Mapping[str, Any] | None = None) -> np.ndarray:
        """The noise-free label ``concept`` gives features ``X`` (int64): the true rule.

        Defined where labels are a function of the (unperturbed) features: SEA,
        Agrawal, STAGGER, Sine, Mixed and a hyperplane that does not move.

        Examples
        --------
        >>> make_generator("sea", variant=2).rule(np.array([[3.0, 4.5, 0.0]])).tolist()
        [1]
        """
        return self._rule(np.asarray(X, dtype=np.float64), self.concept(concept))

    def _rule(self, X: np.ndarray, concept: Mapping[str, Any]) -> np.ndarray:
        raise ValueError(
            f"{self.name}'s labels are not a function of its features, so it has no rule"
        )

    def sample(
        self, n: int, seed: int = 0, concept: Mapping[str, Any] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``n`` samples of ``concept`` (default: the base concept), seeded.

        Examples
        --------
        >>> X, y = make_generator("stagger").sample(4, seed=1)
        >>> X.shape, y.dtype.name
        ((4, 3), 'int64')
        """
        draws = self.draw(np.random.default_rng([seed, 1]), check_int("n", n, low=0))
        return self.render(draws, np.arange(n), self.concept(concept))

    def dataset(self, n: int = 5000, seed: int = 0) -> Any:
        """``n`` samples of the base concept as a :class:`~simulator.datasets.Dataset`.

        Examples
        --------
        >>> make_generator("sea").dataset(10).X.shape
        (10, 3)
        """
        from simulator.datasets import Dataset

        X, y = self.sample(n, seed)
        return Dataset(
            self.name, X, y, self.feature_names, self.class_names,
            self.feature_kinds, self.categories, generator=self,
        )


def _subset(draws: Draws, mask: np.ndarray) -> Draws:
    return {k: v[mask] for k, v in draws.items()}


# ----------------------------------------------------------------------------- SEA
class SEA(ConceptGenerator):
    """Street & Kim's SEA concepts: three uniform features on [0, 10]; the label is
    ``x0 + x1 > θ`` with θ = 8, 9, 7, 9.5 for variants 0-3, flipped with probability
    ``noise``.

    Examples
    --------
    >>> SEA.thresholds
    (8.0, 9.0, 7.0, 9.5)
    """

    name = "sea"
    concept_params: ClassVar[Spec] = {
        "variant": (0, _choice(0, 1, 2, 3)),
        "noise": (0.0, _fraction),
    }
    class_names = ("False", "True")
    thresholds: ClassVar[tuple[float, ...]] = (8.0, 9.0, 7.0, 9.5)

    @property
    def n_features(self) -> int:
        return 3

    def draw(self, rng, n):
        return {"x": rng.random((n, 3)) * 10.0, "u": rng.random(n)}

    def _rule(self, X, concept):
        return (X[:, 0] + X[:, 1] > self.thresholds[concept["variant"]]).astype(np.int64)

    def render(self, draws, age, concept):
        X = draws["x"]
        y = self._rule(X, concept) ^ (draws["u"] < concept["noise"])
        return X, y.astype(np.int64)


# ----------------------------------------------------------------------------- Agrawal
_AGRAWAL_NAMES = (
    "salary", "commission", "age", "elevel", "car", "zipcode", "hvalue", "hyears", "loan",
)


def _between(v: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return (lo <= v) & (v <= hi)


def _by_age(age: np.ndarray, young: Any, middle: Any, old: Any) -> np.ndarray:
    return np.where(age < 40, young, np.where(age < 60, middle, old))


def _agrawal_disposable(f: int, v: dict[str, np.ndarray]) -> np.ndarray:
    income = 2.0 * (v["salary"] + v["commission"]) / 3.0
    if f == 6:
        return income - v["loan"] / 5.0 - 20000.0
    if f == 7:
        return income - 5000.0 * v["elevel"] - 20000.0
    if f == 8:
        return income - 5000.0 * v["elevel"] - v["loan"] / 5.0 - 10000.0
    equity = np.where(v["hyears"] >= 20, v["hvalue"] * (v["hyears"] - 20) / 10.0, 0.0)
    return income - 5000.0 * v["elevel"] + equity / 5.0 - 10000.0


def _agrawal_rule(f: int, v: dict[str, np.ndarray]) -> np.ndarray:
    """Agrawal et al.'s classification function ``f`` as river 0.26 writes it (its
    function 4 compares salary where the paper has loan; kept, so labels agree)."""
    age, salary, elevel, loan = v["age"], v["salary"], v["elevel"], v["loan"]
    low, mid, high = elevel <= 1, (elevel >= 1) & (elevel <= 3), elevel >= 2
    if f == 0:
        return (age < 40) | (age >= 60)
    if f == 1:
        return _by_age(age, _between(salary, 50e3, 100e3), _between(salary, 75e3, 125e3),
                       _between(salary, 25e3, 75e3))
    if f == 2:
        return _by_age(age, low, mid, high)
    if f == 3:
        return _by_age(
            age,
            np.where(low, _between(salary, 25e3, 75e3), _between(salary, 50e3, 100e3)),
            np.where(mid, _between(salary, 50e3, 100e3), _between(salary, 75e3, 125e3)),
            np.where(high, _between(salary, 50e3, 100e3), _between(salary, 25e3, 75e3)),
        )
    if f == 4:
        return _by_age(
            age,
            np.where(_between(salary, 50e3, 100e3), _between(loan, 100e3, 300e3),
                     _between(salary, 200e3, 400e3)),
            np.where(_between(salary, 75e3, 125e3), (salary >= 200e3) & (loan <= 400e3),
                     _between(salary, 300e3, 500e3)),
            np.where(_between(salary, 25e3, 75e3), _between(loan, 300e3, 500e3),
                     _between(loan, 75e3, 300e3)),
        )
    if f == 5:
        total = salary + v["commission"]
        return _by_age(age, _between(total, 50e3, 100e3), _between(total, 75e3, 125e3),
                       _between(total, 25e3, 75e3))
    return ~(_agrawal_disposable(f, v) > 1.0)


class Agrawal(ConceptGenerator):
    """Agrawal et al.'s loan-applicant records: six numeric and three categorical
    features (``elevel`` 0-4, ``car`` 1-20 as codes 0-19, ``zipcode`` 0-8), ten
    classification functions, labels computed before ``perturbation`` moves the
    numeric features (as river and MOA do).

    Examples
    --------
    >>> gen = Agrawal(classification_function=0)
    >>> X, y = gen.sample(1000)
    >>> bool((y == ((X[:, 2] < 40) | (X[:, 2] >= 60))).all())
    True
    """

    name = "agrawal"
    concept_params: ClassVar[Spec] = {
        "classification_function": (0, _choice(*range(10))),
        "perturbation": (0.0, _fraction),
    }

    @property
    def n_features(self) -> int:
        return 9

    @property
    def feature_names(self) -> tuple[str, ...]:
        return _AGRAWAL_NAMES

    @property
    def categories(self) -> dict[str, tuple[str, ...]]:
        return {
            "elevel": tuple(str(i) for i in range(5)),
            "car": tuple(str(i) for i in range(1, 21)),
            "zipcode": tuple(str(i) for i in range(9)),
        }

    def draw(self, rng, n):
        return {"u": rng.random((n, 9)), "perturb": rng.random((n, 6))}

    @staticmethod
    def _latent(u: np.ndarray) -> dict[str, np.ndarray]:
        salary = 20000.0 + 130000.0 * u[:, 0]
        zipcode = np.floor(u[:, 4] * 9.0)
        return {
            "salary": salary,
            "commission": np.where(salary >= 75000.0, 0.0, 10000.0 + 75000.0 * u[:, 1]),
            "age": 20.0 + np.floor(u[:, 2] * 61.0),
            "elevel": np.floor(u[:, 3] * 5.0),
            "car": 1.0 + np.floor(u[:, 5] * 20.0),
            "zipcode": zipcode,
            "hvalue": (8.0 - zipcode) * 100000.0 * (0.5 + u[:, 6]),
            "hyears": 1.0 + np.floor(u[:, 7] * 30.0),
            "loan": u[:, 8] * 500000.0,
        }

    def _rule(self, X, concept):
        v = {name: X[:, i] for i, name in enumerate(_AGRAWAL_NAMES)}
        v["car"] = v["car"] + 1.0
        return _agrawal_rule(concept["classification_function"], v).astype(np.int64)

    def render(self, draws, age, concept):
        v = self._latent(draws["u"])
        y = _agrawal_rule(concept["classification_function"], v).astype(np.int64)
        p = concept["perturbation"]
        if p > 0.0:
            v = _perturb_agrawal(v, draws["perturb"], p)
        X = np.column_stack([v[k] for k in _AGRAWAL_NAMES])
        X[:, 4] -= 1.0  # car 1..20 -> codes 0..19
        return X, y


def _perturb_agrawal(v: dict[str, np.ndarray], u: np.ndarray, p: float) -> dict[str, np.ndarray]:
    """river's ``_perturb_value`` on each numeric attribute (its clamps included)."""

    def moved(val, lo, hi, width, col):
        val = val + width * (2.0 * (u[:, col] - 0.5)) * p
        return np.where(val < lo, lo, np.where(val > hi, hi, val))

    out = dict(v)
    out["salary"] = moved(v["salary"], 20000.0, 150000.0, 130000.0, 0)
    out["commission"] = np.where(
        v["commission"] > 0, moved(v["commission"], 10000.0, 75000.0, 65000.0, 1), 0.0
    )
    out["age"] = np.round(moved(v["age"], 20.0, 80.0, 60.0, 2))
    # river passes (9 - zipcode) * 100000 as the minimum and 0 as the maximum here
    out["hvalue"] = moved(v["hvalue"], (9.0 - v["zipcode"]) * 100000.0, 0.0, 135000.0, 3)
    out["hyears"] = np.round(moved(v["hyears"], 1.0, 30.0, 29.0, 4))
    out["loan"] = moved(v["loan"], 0.0, 500000.0, 500000.0, 5)
    return out


# ----------------------------------------------------------------------------- STAGGER
class STAGGER(ConceptGenerator):
    """Schlimmer & Granger's STAGGER concepts over size, colour and shape (three
    values each): rule 0 is ``size = small and colour = red``, rule 1 ``colour =
    green or shape = circle``, rule 2 ``size = medium or large``.

    Examples
    --------
    >>> X, y = STAGGER(classification_function=2).sample(500)
    >>> bool((y == (X[:, 0] >= 1)).all())
    True
    """

    name = "stagger"
    concept_params: ClassVar[Spec] = {"classification_function": (0, _choice(0, 1, 2))}

    @property
    def n_features(self) -> int:
        return 3

    @property
    def feature_names(self) -> tuple[str, ...]:
        return ("size", "color", "shape")

    @property
    def categories(self) -> dict[str, tuple[str, ...]]:
        return {
            "size": ("small", "medium", "large"),
            "color": ("red", "blue", "green"),
            "shape": ("circle", "square", "triangle"),
        }

    def draw(self, rng, n):
        return {"x": rng.integers(0, 3, size=(n, 3)).astype(np.float64)}

    def _rule(self, X, concept):
        size, color, shape = X[:, 0], X[:, 1], X[:, 2]
        f = concept["classification_function"]
        if f == 0:
            y = (size == 0) & (color == 0)
        elif f == 1:
            y = (color == 2) | (shape == 0)
        else:
            y = size >= 1
        return y.astype(np.int64)

    def render(self, draws, age, concept):
        X = draws["x"]
        return X, self._rule(X, concept)


# ----------------------------------------------------------------------------- Sine, Mixed
def _wave(x: np.ndarray) -> np.ndarray:
    return 0.5 + 0.3 * np.sin(3.0 * np.pi * x)


class Sine(ConceptGenerator):
    """Two uniform features on [0, 1] and four concepts: the label is 1 below the
    curve ``sin(x1)`` (function 0), above it (1), below ``0.5 + 0.3 sin(3π x1)`` (2)
    or above it (3); ``has_noise`` adds two irrelevant uniform features.

    Examples
    --------
    >>> X, y = Sine(classification_function=1, has_noise=True).sample(500)
    >>> X.shape, bool((y == (X[:, 0] >= np.sin(X[:, 1]))).all())
    ((500, 4), True)
    """

    name = "sine"
    concept_params: ClassVar[Spec] = {"classification_function": (0, _choice(0, 1, 2, 3))}
    structure: ClassVar[Spec] = {"has_noise": (False, _flag)}

    @property
    def n_features(self) -> int:
        return 4 if self.params["has_noise"] else 2

    def draw(self, rng, n):
        return {"x": rng.random((n, self.n_features))}

    def _rule(self, X, concept):
        f = concept["classification_function"]
        curve = np.sin(X[:, 1]) if f < 2 else _wave(X[:, 1])
        below = X[:, 0] < curve
        return (below if f % 2 == 0 else ~below).astype(np.int64)

    def render(self, draws, age, concept):
        X = draws["x"]
        return X, self._rule(X, concept)


class Mixed(ConceptGenerator):
    """Two boolean and two uniform features; with ``z = x3 < 0.5 + 0.3 sin(3π x2)``
    the label is 1 unless two of (x0, x1, z) hold (function 0), or the reverse (1).

    Examples
    --------
    >>> gen = Mixed()
    >>> gen.feature_kinds
    ('categorical', 'categorical', 'numeric', 'numeric')
    """

    name = "mixed"
    concept_params: ClassVar[Spec] = {"classification_function": (0, _choice(0, 1))}

    @property
    def n_features(self) -> int:
        return 4

    @property
    def categories(self) -> dict[str, tuple[str, ...]]:
        return {"x0": ("False", "True"), "x1": ("False", "True")}

    def draw(self, rng, n):
        return {"x": rng.random((n, 4))}

    def _rule(self, X, concept):
        v, w = X[:, 0] >= 0.5, X[:, 1] >= 0.5
        z = X[:, 3] < _wave(X[:, 2])
        two = (v & w) | (v & z) | (w & z)
        return (~two if concept["classification_function"] == 0 else two).astype(np.int64)

    def render(self, draws, age, concept):
        X = draws["x"].copy()
        X[:, 0], X[:, 1] = X[:, 0] >= 0.5, X[:, 1] >= 0.5
        return X, self._rule(X, concept)


# ----------------------------------------------------------------------------- Hyperplane
_WALK_BLOCK = 4096
_WALK_CACHE = 4


class Hyperplane(ConceptGenerator):
    """Hulten et al.'s rotating hyperplane: ``n_features`` uniform features on [0, 1],
    label ``Σ w_i x_i >= Σ w_i / 2`` flipped with probability ``noise_percentage −
    0.01``. With ``mag_change > 0`` the weights of the first ``n_drift_features``
    features move by ``mag_change`` per sample, each reversing direction with
    probability ``sigma − 0.01`` after every step (river's arithmetic).

    The reversals are drawn per block of 4,096 ages from generators seeded by
    ``[seed, 7, block]``, and the walk's state at each block start is cached, so any
    age costs at most a pass over the blocks before it, once.

    Examples
    --------
    >>> import random
    >>> gen = Hyperplane(seed=3, n_features=4)
    >>> r = random.Random(3)
    >>> gen.weights.tolist() == [r.random() for _ in range(4)]
    True
    """

    name = "hyperplane"
    concept_params: ClassVar[Spec] = {
        "mag_change": (0.0, _fraction),
        "sigma": (0.1, _fraction),
        "noise_percentage": (0.05, _fraction),
    }
    structure: ClassVar[Spec] = {
        "n_features": (10, _at_least(1)),
        "n_drift_features": (2, _at_least(0)),
    }

    @property
    def n_features(self) -> int:
        return self.params["n_features"]

    def _setup(self) -> None:
        d, k = self.params["n_features"], self.params["n_drift_features"]
        if k > d:
            raise ValueError(f"n_drift_features must be <= n_features ({d}), got {k}")
        r = random.Random(self.seed)
        self.weights = np.array([r.random() for _ in range(d)])
        self._starts: dict[float, list[tuple[np.ndarray, np.ndarray]]] = {}
        self._blocks: dict[tuple[float, int], np.ndarray] = {}

    def draw(self, rng, n):
        return {"x": rng.random((n, self.n_features)), "u": rng.random(n)}

    def _rule(self, X, concept):
        if concept["mag_change"] > 0 and self.params["n_drift_features"] > 0:
            raise ValueError("a moving hyperplane (mag_change > 0) has no fixed rule")
        return (X @ self.weights >= 0.5 * self.weights.sum()).astype(np.int64)

    def render(self, draws, age, concept):
        X = draws["x"]
        k = self.params["n_drift_features"]
        if concept["mag_change"] > 0 and k > 0:
            w = np.repeat(self.weights[None, :], X.shape[0], axis=0)
            w[:, :k] += concept["mag_change"] * self._walk(age, _river_p(concept["sigma"]))
            y = np.einsum("ij,ij->i", X, w) >= 0.5 * w.sum(axis=1)
        else:
            y = self._rule(X, concept).astype(bool)
        y ^= draws["u"] < _river_p(concept["noise_percentage"])
        return X, y.astype(np.int64)

    def _walk(self, age: np.ndarray, p: float) -> np.ndarray:
        """``Σ_{s < age} direction(s)`` per drifting weight (n × n_drift_features)."""
        age = np.maximum(np.asarray(age, dtype=np.int64), 0)
        out = np.empty((age.size, self.params["n_drift_features"]))
        blocks = age // _WALK_BLOCK
        for b in np.unique(blocks):
            m = blocks == b
            out[m] = self._walk_block(p, int(b))[age[m] - b * _WALK_BLOCK]
        return out

    def _walk_block(self, p: float, b: int) -> np.ndarray:
        cached = self._blocks.get((p, b))
        if cached is not None:
            return cached
        k = self.params["n_drift_features"]
        starts = self._starts.setdefault(p, [(np.ones(k), np.zeros(k))])
        while len(starts) <= b:
            _, end = self._walk_steps(p, len(starts) - 1, *starts[-1])
            starts.append(end)
        walk, _ = self._walk_steps(p, b, *starts[b])
        if len(self._blocks) >= _WALK_CACHE:
            del self._blocks[next(iter(self._blocks))]
        self._blocks[(p, b)] = walk
        return walk

    def _walk_steps(
        self, p: float, b: int, direction: np.ndarray, offset: np.ndarray
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        k = direction.size
        flips = np.random.default_rng([self.seed, 7, b + 1]).random((_WALK_BLOCK, k)) < p
        parity = np.cumsum(flips, axis=0) % 2
        # the direction of step s is reversed by the flips after steps 0..s-1
        before = np.vstack([np.zeros((1, k), dtype=parity.dtype), parity[:-1]])
        steps = direction * (1 - 2 * before)
        walk = offset + np.cumsum(steps, axis=0) - steps
        end_direction = direction * (1 - 2 * parity[-1])
        return walk, (end_direction, walk[-1] + steps[-1])


# ----------------------------------------------------------------------------- RandomRBF
def _optional_int(name: str, value: Any) -> int | None:
    return None if value is None else check_int(name, value, low=0)


def _reflect(z: np.ndarray) -> np.ndarray:
    """``z`` folded into [0, 1] by reflection at both ends (a triangle wave)."""
    return 1.0 - np.abs(np.mod(z, 2.0) - 1.0)


class RandomRBF(ConceptGenerator):
    """Random radial basis functions: ``n_centroids`` centroids with a class, a
    weight and a spread; a sample picks a centroid by weight and lies at a Gaussian
    distance from it in a random direction. With ``change_speed > 0`` the first
    ``n_drift_centroids`` centroids (default: all) move at that speed along fixed directions,
    bouncing off the unit cube's faces (river's ``RandomRBFDrift``; river clamps at a
    face and drops the overshoot, which this reflection keeps).

    ``seed_model`` (centroids) and ``seed_sample`` default to a pair derived from
    ``seed``, as :func:`~simulator.datasets.load_dataset` derives them;
    ``seed_sample`` is accepted for that symmetry, the samples come from the stream.

    Examples
    --------
    >>> gen = RandomRBF(n_features=3, n_centroids=5)
    >>> gen.centres.shape, sorted(set(gen.labels.tolist())) <= [0, 1]
    ((5, 3), True)
    """

    name = "random_rbf"
    concept_params: ClassVar[Spec] = {
        "change_speed": (0.0, _fraction),
        "n_drift_centroids": (None, _optional_int),
    }
    structure: ClassVar[Spec] = {
        "n_classes": (2, _at_least(2)),
        "n_features": (10, _at_least(1)),
        "n_centroids": (50, _at_least(1)),
        "seed_model": (None, _optional_int),
        "seed_sample": (None, _optional_int),
    }

    @property
    def n_features(self) -> int:
        return self.params["n_features"]

    @property
    def class_names(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(str(i) for i in range(self.params["n_classes"]))

    def _check_concept(self, concept: dict[str, Any]) -> None:
        n = self.params["n_centroids"]
        if concept["n_drift_centroids"] is None:
            concept["n_drift_centroids"] = n
        if concept["n_drift_centroids"] > n:
            raise ValueError(
                f"n_drift_centroids must be <= n_centroids ({n}), "
                f"got {concept['n_drift_centroids']}"
            )

    def _setup(self) -> None:
        if self.params["seed_model"] is None:
            model, sample = np.random.SeedSequence(self.seed).generate_state(2)
            self.params["seed_model"] = int(model)
            if self.params["seed_sample"] is None:
                self.params["seed_sample"] = int(sample)
        d, n, k = self.n_features, self.params["n_centroids"], self.params["n_classes"]
        r = random.Random(self.params["seed_model"])
        centres, labels, spread, weights = [], [], [], []
        for _ in range(n):
            centres.append([r.random() for _ in range(d)])
            labels.append(r.randint(0, k - 1))
            spread.append(r.random())
            weights.append(r.random())
        self.centres = np.array(centres)
        self.labels = np.array(labels, dtype=np.int64)
        self.spread = np.array(spread)
        self._cumulative = np.cumsum(weights)
        # river draws the speeds from a second generator with the same seed
        r = random.Random(self.params["seed_model"])
        speeds = np.array([[r.random() for _ in range(d)] for _ in range(n)])
        self.speeds = speeds / np.linalg.norm(speeds, axis=1, keepdims=True)

    def draw(self, rng, n):
        d = self.n_features
        a = rng.random((n, d)) * 2.0 - 1.0
        return {"u": rng.random(n), "a": a, "g": rng.standard_normal(n)}

    def render(self, draws, age, concept):
        total = self._cumulative[-1]
        idx = np.searchsorted(self._cumulative, draws["u"] * total, side="right")
        idx = np.minimum(idx, self._cumulative.size - 1)
        centre = self.centres[idx]
        speed, k = concept["change_speed"], concept["n_drift_centroids"]
        if speed > 0 and k > 0:
            moving = idx < k
            if moving.any():
                steps = (np.maximum(np.asarray(age)[moving], 0) + 1.0)[:, None] * speed
                centre[moving] = _reflect(centre[moving] + self.speeds[idx[moving]] * steps)
        a = draws["a"]
        scale = draws["g"] * self.spread[idx] / np.linalg.norm(a, axis=1)
        return centre + a * scale[:, None], self.labels[idx]


# ----------------------------------------------------------------------------- LED
# Lit segments per digit: top, upper left, upper right, middle, lower left, lower
# right, bottom.
_SEGMENTS = np.array(
    [[int(c) for c in row] for row in (
        "1110111", "0010010", "1011101", "1011011", "0111010",
        "1101011", "1101111", "1010010", "1111111", "1111011",
    )],
    dtype=np.float64,
)
_LED_IRRELEVANT = 17


class LED(ConceptGenerator):
    """Breiman et al.'s seven-segment display: the class is a digit, the features
    its seven segments, each flipped with probability ``noise_percentage − 0.01``;
    ``irrelevant_features`` adds 17 random bits. ``n_drift_features`` swaps that
    many segments with irrelevant bits (river's ``LEDDrift``; the swap positions
    come from ``seed`` as river draws them).

    Examples
    --------
    >>> X, y = LED().sample(200)
    >>> bool((X == _SEGMENTS[y]).all())
    True
    """

    name = "led"
    concept_params: ClassVar[Spec] = {
        "noise_percentage": (0.0, _fraction),
        "n_drift_features": (0, _choice(*range(8))),
    }
    structure: ClassVar[Spec] = {"irrelevant_features": (False, _flag)}
    class_names = tuple(str(i) for i in range(10))

    @property
    def n_features(self) -> int:
        return 7 + _LED_IRRELEVANT if self.params["irrelevant_features"] else 7

    @property
    def categories(self) -> dict[str, tuple[str, ...]]:
        return {f: ("0", "1") for f in self.feature_names}

    def _check_concept(self, concept: dict[str, Any]) -> None:
        if concept["n_drift_features"] and not self.params["irrelevant_features"]:
            raise ValueError(
                f"n_drift_features={concept['n_drift_features']} swaps segments with "
                "irrelevant bits, which need irrelevant_features=true"
            )

    def positions(self, n_drift_features: int) -> np.ndarray:
        """The column each attribute lands in after ``n_drift_features`` swaps.

        Examples
        --------
        >>> LED(irrelevant_features=True).positions(0)[:7].tolist()
        [0, 1, 2, 3, 4, 5, 6]
        """
        idx = list(range(self.n_features))
        if n_drift_features:
            r = random.Random(self.seed)
            first, offset = r.randint(0, 6), r.randint(0, _LED_IRRELEVANT - 1)
            for i in range(n_drift_features):
                a, b = (i + first) % 7, 7 + (i + offset) % _LED_IRRELEVANT
                idx[a], idx[b] = b, a
        return np.array(idx)

    def draw(self, rng, n):
        draws = {"digit": rng.integers(0, 10, size=n), "u": rng.random((n, 7))}
        if self.params["irrelevant_features"]:
            draws["bits"] = rng.integers(0, 2, size=(n, _LED_IRRELEVANT)).astype(np.float64)
        return draws

    def render(self, draws, age, concept):
        y = draws["digit"].astype(np.int64)
        seg = _SEGMENTS[y]
        flip = draws["u"] < _river_p(concept["noise_percentage"])
        values = np.where(flip, 1.0 - seg, seg)
        if "bits" in draws:
            values = np.hstack([values, draws["bits"]])
        X = np.empty_like(values)
        X[:, self.positions(concept["n_drift_features"])] = values
        return X, y


# ----------------------------------------------------------------------------- registry
GENERATORS: dict[str, type[ConceptGenerator]] = {
    cls.name: cls for cls in (SEA, Agrawal, STAGGER, Sine, Mixed, Hyperplane, RandomRBF, LED)
}
"""The generator classes by dataset name."""


def make_generator(name: str, seed: int = 0, **params: Any) -> ConceptGenerator:
    """The vectorised generator ``name`` with ``seed`` and its parameters.

    Examples
    --------
    >>> make_generator("sea", variant=1).base
    {'variant': 1, 'noise': 0.0}
    >>> make_generator("waveform")
    Traceback (most recent call last):
    ...
    ValueError: unknown generator 'waveform'; allowed: ['sea', 'agrawal', ...]
    """
    if name not in GENERATORS:
        raise ValueError(f"unknown generator {name!r}; allowed: {list(GENERATORS)}")
    return GENERATORS[name](seed=seed, **params)
