"""A seeded, drift-injecting stream over a base dataset, with exact ground truth.

:class:`DriftStream` bootstraps rows of a :class:`~simulator.datasets.Dataset`, adds a
small Gaussian jitter, and applies a list of :class:`~simulator.drift.Drift` specs.
It yields :class:`Batch` objects and describes every change point as a
:class:`DriftEvent`, including whether the change harms a model trained before it.

Design notes:

* Samples are generated in fixed blocks of :data:`BLOCK_SIZE`; block ``b`` draws its
  randomness from ``numpy.random.default_rng([seed, 1, b, ...])`` (one generator for
  the base rows and jitter, one per drift). Any slice is therefore reproducible, the
  content does not depend on the batch size or on ``n_samples``, random access costs
  one block, and adding a drift leaves the base draws (rows and jitter) unchanged.
* The jitter of a sample is the sum of two entries of a seeded table of Gaussian
  vectors (see ``_make_jitter_table``): fresh normals would cost more than all the
  rest of a sample.
* Within a block the drifts are applied in stages (see :mod:`simulator._transforms`):
  row selection (prior, subpopulation), feature transforms (covariate), labels
  (concept), serving faults (pipeline), each stage in list order. Prediction drifts
  leave the data alone; ``Batch.noise`` carries the uniforms
  :func:`apply_prediction_drift` needs.
* Over a river generator's dataset (``dataset.generator`` set) samples are drawn fresh
  from the vectorised generator (:mod:`simulator.generators`) instead of resampling
  rows, with no jitter, and a concept ``switch`` drift decides per sample which
  concept labels it (the later switch in list order where several are in force).
  Row-selection drifts (prior, subpopulation) there pick the samples they select from
  the dataset's materialised rows (with jitter), as on any dataset; they cannot be
  combined with a concept switch.
* Over a dataset with timestamps (a log loaded with ``time=``) the stream is a
  **replay**: sample ``i`` is row ``i`` in time order, with no resampling and no
  jitter, and batches carry the rows' timestamps; drifts are injected on top as usual
  (row-selection drifts excepted). ``n_samples`` defaults to, and may not exceed, the
  number of rows. Harm is measured on the rows that follow each change point.
* A drift whose start is at or beyond ``n_samples`` triggers a ``UserWarning`` and has
  no event: a stream shorter than a scenario assumed is legal (a sweep may vary the
  length) but rarely intended.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from driftsim.validation import check_in_range, check_int
from simulator._prediction import apply_prediction_drift
from simulator._transforms import DataStats, make_plan
from simulator.datasets import Dataset
from simulator.drift import MIXING_PROFILES, Drift, Scenario

__all__ = ["BLOCK_SIZE", "Batch", "DriftEvent", "DriftStream", "apply_prediction_drift"]

BLOCK_SIZE = 8192
_STAGES = ("rows", "concepts", "features", "labels", "pipeline", "prediction")
_CACHED_BLOCKS = 2
_JITTER_ENTRIES = 1 << 20


@dataclass(frozen=True, eq=False)
class Batch:
    """Consecutive samples ``start .. start + len(X) - 1`` of a stream.

    Attributes
    ----------
    start
        Index of the first sample.
    X
        Features as served to the model (float64, n × d; pipeline faults included).
    y
        True labels (int64, n).
    truth
        Per-sample intensity in [0, 1] of each drift (float64, n × n_drifts): the
        realised 0/1 for gradual drifts, the ramp for incremental ones.
    noise
        Per-sample uniforms for prediction drifts (float64, n × n_drifts; columns of
        other drifts hold nothing meaningful). None when built by hand.
    time
        The samples' timestamps (``datetime64[ns]``) in a replay of a time-ordered
        log; None otherwise.

    Examples
    --------
    >>> b = Batch(10, np.zeros((3, 2)), np.zeros(3, dtype=np.int64), np.zeros((3, 0)))
    >>> len(b), b.stop
    (3, 13)
    """

    start: int
    X: np.ndarray
    y: np.ndarray
    truth: np.ndarray
    noise: np.ndarray | None = None
    time: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.y.shape[0])

    @property
    def stop(self) -> int:
        """Index one past the last sample."""
        return self.start + len(self)


@dataclass(frozen=True)
class DriftEvent:
    """One change point of a stream, with its ground-truth harm.

    A drift has one event at its onset; a recurring drift has one at each onset and
    one at each return to the old concept (``is_return=True``). ``drift_index`` is the
    drift's position in the stream's list and its ``truth`` column.

    ``accuracy_before`` / ``accuracy_after`` are the accuracies of the reference model,
    trained on data from just before the change point, on data from just before it and
    on data where the change is complete (sample ``end``), every other drift at its
    schedule there: harm is measured on the stream as it is, so two drifts that cancel
    (the same class swap twice at one sample) are both harmless. For a return the model
    is the one trained while the drift was active.
    ``harmful`` means ``accuracy_drop = before - after`` exceeds the stream's
    ``harm_tolerance``.

    Examples
    --------
    >>> from simulator.datasets import load_dataset
    >>> stream = DriftStream(load_dataset("iris"), [Drift("concept", 100)], n_samples=500)
    >>> e = stream.events[0]
    >>> e.onset, e.end, e.kind, e.transform, e.harmful
    (100, 100, 'concept', 'swap', True)
    """

    drift_index: int
    onset: int
    end: int
    kind: str
    profile: str
    transform: str
    severity: float
    is_return: bool
    harmful: bool
    accuracy_drop: float
    accuracy_before: float
    accuracy_after: float


def _split_words(
    words: np.ndarray, n_rows: int, table_size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A base row and two jitter-table entries per raw 64-bit word.

    The high 32 bits pick the row by multiply-shift (Lemire's method without its
    rejection step: each row's probability is off by at most ``n_rows / 2**32``
    relative, 3.5e-8 for Iris); the low 32 bits give two 16-bit table indices
    (``table_size`` is a power of two <= 2**16). One raw draw costs a third of the
    three bounded-integer draws it replaces.

    Examples
    --------
    >>> words = np.array([0, 2**63, 2**64 - 1], dtype=np.uint64)
    >>> [a.tolist() for a in _split_words(words, 150, 1024)]
    [[0, 75, 149], [0, 0, 1023], [0, 0, 1023]]
    """
    mask = np.uint64(table_size - 1)
    rows = ((words >> np.uint64(32)) * np.uint64(n_rows)) >> np.uint64(32)
    return (
        rows.astype(np.intp),
        (words & mask).astype(np.intp),
        ((words >> np.uint64(16)) & mask).astype(np.intp),
    )


def _check_dataset(dataset: Any) -> Dataset:
    if not isinstance(dataset, Dataset):
        raise ValueError(
            f"dataset must be a simulator.datasets.Dataset, got {type(dataset).__name__}"
        )
    if dataset.n_samples == 0:
        raise ValueError(f"dataset {dataset.name!r} is empty; it needs at least one row")
    if dataset.n_features == 0:
        raise ValueError(f"dataset {dataset.name!r} has no features")
    finite = np.isfinite(dataset.X)
    if not finite.all():
        col = int(np.flatnonzero(~finite.all(axis=0))[0])
        row = int(np.flatnonzero(~finite[:, col])[0])
        raise ValueError(
            f"dataset {dataset.name!r} feature {dataset.feature_names[col]!r} (column {col}) "
            f"holds a non-finite value ({dataset.X[row, col]}) at row {row}; "
            "impute or drop missing values first"
        )
    return dataset


def _check_drifts(drifts: Any) -> tuple[Scenario | None, tuple[Drift, ...]]:
    if isinstance(drifts, Scenario):
        return drifts, drifts.drifts
    if isinstance(drifts, Drift):
        drifts = (drifts,)
    if not isinstance(drifts, Iterable):
        raise ValueError(f"drifts must be a Scenario or a list of Drift, got {drifts!r}")
    out = tuple(drifts)
    for i, d in enumerate(out):
        if not isinstance(d, Drift):
            raise ValueError(f"drifts[{i}] must be a Drift, got {type(d).__name__}")
    return None, out


def _check_length(dataset: Dataset, n_samples: Any) -> int | None:
    if dataset.time is None:
        return None if n_samples is None else check_int("n_samples", n_samples, low=1)
    if n_samples is None:
        return dataset.n_samples
    n = check_int("n_samples", n_samples, low=1)
    if n > dataset.n_samples:
        raise ValueError(
            f"n_samples must be <= {dataset.n_samples} for a replay of {dataset.name!r} "
            f"(its rows in time order), got {n}"
        )
    return n


def _generator_names() -> list[str]:
    from simulator.generators import GENERATORS

    return list(GENERATORS)


def _segment_rule(drift: Drift, j: int, dataset: Dataset) -> Any:
    """A function of the features: True for the samples in drift ``j``'s segment."""
    seg = drift.segment
    assert seg is not None
    names = dataset.feature_names
    feature = seg["feature"]
    if isinstance(feature, str):
        if feature not in names:
            raise ValueError(
                f"drift {j} segment feature {feature!r} is not a feature; allowed: {list(names)}"
            )
        col = names.index(feature)
    elif not 0 <= feature < len(names):
        raise ValueError(
            f"drift {j} segment feature must be an index in 0..{len(names) - 1}, got {feature}"
        )
    else:
        col = feature
    if "values" not in seg:
        low, high = seg.get("low", -np.inf), seg.get("high", np.inf)
        return lambda X: ((X[:, col] >= low) & (X[:, col] < high)).astype(np.float64)
    labels = dataset.categories.get(names[col], ())
    codes = []
    for v in seg["values"]:
        if isinstance(v, str):
            if v not in labels:
                raise ValueError(
                    f"drift {j} segment value {v!r} is not a category of {names[col]!r}; "
                    f"allowed: {list(labels)}"
                )
            codes.append(float(labels.index(v)))
        else:
            codes.append(float(v))
    wanted = np.array(codes)
    return lambda X: np.isin(X[:, col], wanted).astype(np.float64)


def _subset(draws: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[mask] for k, v in draws.items()}


def _default_model(n_features: int, n_classes: int) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    # The same model (the same convex optimum) whatever the solver; newton-cholesky
    # gets there 2-4x faster than lbfgs on small problems, but its Hessian grows with
    # (features x classes)^2, so larger ones keep lbfgs.
    small = (n_features + 1) * n_classes <= 64
    solver = "newton-cholesky" if small else "lbfgs"
    return make_pipeline(StandardScaler(), LogisticRegression(solver=solver, max_iter=1000))


class DriftStream:
    """A reproducible stream of samples from ``dataset`` with drifts injected.

    Parameters
    ----------
    dataset
        The base data; rows are drawn with replacement.
    drifts
        A :class:`~simulator.drift.Scenario`, a :class:`~simulator.drift.Drift`, or a
        list of drifts (applied in stages, each in list order; module docstring).
    n_samples
        Length of the stream; None for an unbounded stream, whose
        :meth:`batches` then runs until the caller stops (or ``stop=`` is given).
    seed
        Non-negative integer; every random choice flows from it.
    jitter
        Standard deviation of the Gaussian noise added to every numeric feature, as a
        fraction of that feature's standard deviation in the base data (so repeated
        rows differ); categorical features are never jittered. In [0, 1].
    harm_tolerance
        Accuracy drop above which a change point is ``harmful``.
    reference_model
        A scikit-learn classifier (cloned, never fitted in place) used to measure
        harm; default ``make_pipeline(StandardScaler(), LogisticRegression())`` (the
        solver chosen for speed; the fitted model is the same).
    harm_samples
        Samples per training and per test set when measuring harm.

    Attributes
    ----------
    drifts
        The drifts, in list order; drift ``j`` is column ``j`` of ``truth``.
    scenario
        The :class:`~simulator.drift.Scenario` given, or None.
    events
        One :class:`DriftEvent` per change point before ``n_samples``, by onset. Their
        harm is measured once, at construction (a few thousand seeded samples and one
        fit per event).

    Examples
    --------
    >>> from simulator.datasets import load_dataset
    >>> from simulator.drift import Drift
    >>> stream = DriftStream(
    ...     load_dataset("iris"),
    ...     [Drift("covariate", 1000, width=500, profile="gradual"), Drift("concept", 2000)],
    ...     n_samples=3000,
    ...     seed=1,
    ... )
    >>> batch = next(stream.batches(1000, start=1000))
    >>> batch.X.shape, batch.truth.shape, batch.start
    ((1000, 4), (1000, 2), 1000)
    >>> [(e.onset, e.kind, e.harmful) for e in stream.events]
    [(1000, 'covariate', True), (2000, 'concept', True)]
    """

    def __init__(
        self,
        dataset: Dataset,
        drifts: Scenario | Drift | Iterable[Drift] = (),
        n_samples: int | None = None,
        seed: int = 0,
        jitter: float = 0.05,
        harm_tolerance: float = 0.05,
        reference_model: Any = None,
        harm_samples: int = 2000,
    ) -> None:
        self.dataset = _check_dataset(dataset)
        self.scenario, self.drifts = _check_drifts(drifts)
        self.n_samples = _check_length(self.dataset, n_samples)
        self.seed = check_int("seed", seed, low=0)
        self.jitter = float(check_in_range("jitter", jitter, low=0.0, high=1.0))
        self.harm_tolerance = float(
            check_in_range("harm_tolerance", harm_tolerance, low=0.0, high=1.0)
        )
        if reference_model is not None and not all(
            hasattr(reference_model, a) for a in ("fit", "get_params")
        ):
            raise ValueError(
                "reference_model must be a scikit-learn classifier (with fit, get_params "
                "and predict_proba or predict; it is cloned), got "
                f"{type(reference_model).__name__}"
            )
        self.reference_model = reference_model
        self.harm_samples = check_int("harm_samples", harm_samples, low=50)
        self._data = DataStats.of(self.dataset)
        self._jitter_table = self._make_jitter_table()
        self._has_prediction = any(d.kind == "prediction" for d in self.drifts)
        self._cache: dict[int, tuple[np.ndarray, ...]] = {}
        self._warn_late_drifts()
        # Precomputation and harm fits are small: BLAS threads only contend (10-40x
        # slower on two busy cores).
        with threadpool_limits(limits=1):
            self._plans = [
                make_plan(d, j, self._data, self.seed) for j, d in enumerate(self.drifts)
            ]
            self._stages = {s: [p for p in self._plans if p.stage == s] for s in _STAGES}
            self._concepts = self._check_concepts()
            if self.replay and self._stages["rows"]:
                raise ValueError(
                    f"drift {self._stages['rows'][0].index} selects which rows are drawn; "
                    "a replay plays every row in order, so it takes no row-selection drift"
                )
            self._segments = {
                j: _segment_rule(d, j, self.dataset)
                for j, d in enumerate(self.drifts)
                if d.segment is not None
            }
            self.events: tuple[DriftEvent, ...] = self._build_events()

    # --- description ---------------------------------------------------------------
    @property
    def replay(self) -> bool:
        """True when the stream replays a time-ordered log row by row."""
        return self.dataset.time is not None

    @property
    def time(self) -> np.ndarray | None:
        """The timestamps of samples ``0 .. n_samples - 1`` in a replay; else None.

        Examples
        --------
        >>> import numpy as np
        >>> from simulator.datasets import Dataset
        >>> log = Dataset("log", [[0.0], [1.0], [2.0]], [0, 1, 0], ("x",), ("a", "b"),
        ...               time=np.array(["2024-01-01", "2024-01-02", "2024-01-05"],
        ...                             dtype="datetime64[ns]"))
        >>> s = DriftStream(log)
        >>> s.n_samples, s.time[-1], s.batch(1, 3).X[:, 0].tolist()
        (3, np.datetime64('2024-01-05T00:00:00.000000000'), [1.0, 2.0])
        """
        if self.dataset.time is None:
            return None
        return self.dataset.time[: self.n_samples]

    @property
    def n_features(self) -> int:
        return self.dataset.n_features

    @property
    def n_classes(self) -> int:
        return self.dataset.n_classes

    @property
    def feature_names(self) -> tuple[str, ...]:
        return self.dataset.feature_names

    def __repr__(self) -> str:
        name = f", scenario={self.scenario.name!r}" if self.scenario is not None else ""
        return (
            f"DriftStream(dataset={self.dataset.name!r}, n_drifts={len(self.drifts)}{name}, "
            f"n_samples={self.n_samples}, seed={self.seed})"
        )

    def _warn_late_drifts(self) -> None:
        if self.n_samples is None:
            return
        for j, d in enumerate(self.drifts):
            if d.start >= self.n_samples:
                warnings.warn(
                    f"drift {j} ({d.kind} '{d.transform}') starts at {d.start}, at or after "
                    f"the end of the stream (n_samples={self.n_samples}); it never happens "
                    "and has no event",
                    UserWarning,
                    stacklevel=3,
                )

    def _check_concepts(self) -> list[dict[str, Any]]:
        """The generator's base concept, then each switch's target concept."""
        gen = self.dataset.generator
        switches = self._stages["concepts"]
        if gen is None:
            if switches:
                raise ValueError(
                    f"drift {switches[0].index} (concept 'switch') needs a river generator "
                    f"dataset ({', '.join(_generator_names())}); dataset "
                    f"{self.dataset.name!r} has no generator to switch"
                )
            return []
        if switches and self._stages["rows"]:
            raise ValueError(
                f"drift {self._stages['rows'][0].index} ({self._stages['rows'][0].drift.kind}) "
                "selects materialised rows, which carry the base concept's labels; it "
                "cannot be combined with a concept switch"
            )
        concepts = [gen.base]
        for plan in switches:
            try:
                concepts.append(gen.concept(plan.drift.options["to"]))
            except ValueError as err:
                raise ValueError(f"drift {plan.index} (concept 'switch') to=: {err}") from None
        return concepts

    # --- generation ----------------------------------------------------------------
    def _make_jitter_table(self) -> np.ndarray | None:
        """Seeded standard-normal vectors, pre-scaled per feature, that samples draw
        their jitter from.

        Fresh normals cost ~30 ns each here, several times the rest of a sample. Each
        sample's jitter is instead the sum of two vectors drawn from this table, scaled
        by 1/sqrt(2): Gaussian to within the table's sampling error, and with ~10^9
        pairs per base row, repeated rows practically never coincide (one table draw
        alone made ~20 exact duplicates in 20,000 Iris samples)."""
        if self.jitter == 0:
            return None
        d = self._data.X.shape[1]
        rows = 1 << 16  # the sampling kernel indexes the table with 16 bits
        while rows > 4096 and rows * d > _JITTER_ENTRIES:
            rows //= 2
        scale = np.where(self._data.numeric, self.jitter * self._data.std, 0.0)
        table = np.random.default_rng([self.seed, 4, 1]).standard_normal((rows, d))
        return table * (scale / np.sqrt(2.0))

    def _ramps(self, t: np.ndarray) -> np.ndarray:
        out = np.empty((t.size, len(self.drifts)))
        for j, d in enumerate(self.drifts):
            out[:, j] = d.ramp(t)
        return out

    def _render(
        self, ramps: np.ndarray, key: tuple[int, ...], t: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Samples whose scheduled intensities are ``ramps`` (n × n_drifts), with all
        randomness drawn from generators seeded by ``[seed, *key, ...]``; ``t`` (the
        samples' indices, default ``0..n-1``) matters to moving generator concepts."""
        n, m = ramps.shape
        data = self._data
        # Key suffixes are >= 1: SeedSequence treats a trailing 0 as absent.
        base = np.random.default_rng([self.seed, *key, 1])
        table = self._jitter_table
        if self.dataset.generator is None or self._stages["rows"]:
            size = 1 if table is None else len(table)
            rows, first, second = _split_words(base.bit_generator.random_raw(n), data.n_rows, size)
        else:  # fresh generator samples need no base rows
            rows = first = second = np.zeros(n, dtype=np.intp)
        truth = np.zeros((n, m))
        noise = np.zeros((n, m))
        draws: list[Any] = [None] * m
        # None: inactive in this block; 1.0: full intensity throughout; else truth[:, j].
        strength: list[Any] = [None] * m
        for j, plan in enumerate(self._plans):
            r = ramps[:, j]
            if not r.any():
                continue
            rng = np.random.default_rng([self.seed, *key, 2 + j])
            if r.min() == 1.0:
                truth[:, j] = 1.0
                strength[j] = 1.0
            else:
                mixing = plan.drift.profile in MIXING_PROFILES
                truth[:, j] = rng.random(n) < r if mixing else r
                strength[j] = truth[:, j]
            draws[j] = plan.draw(rng, n)
        drawn = rows
        for plan in self._stages["rows"]:
            if strength[plan.index] is not None:
                rows = plan.rows(rows, strength[plan.index], draws[plan.index])
        if self.replay:  # row i is sample i (harm sets past the end wrap around)
            at = np.arange(n) if t is None else t
            rows = drawn = at % data.n_rows
            X, y = data.X.take(rows, axis=0), data.y.take(rows)
        elif self.dataset.generator is None:
            X, y = self._resampled(rows, first, second)
        else:
            # A generator of its own, so row-selection drifts leave these draws alone.
            gen_rng = np.random.default_rng([self.seed, *key, 1, 1])
            t = np.arange(n) if t is None else t
            X, y = self._generated(gen_rng, t, strength, truth)
            picked = rows != drawn if self._stages["rows"] else np.zeros(0, dtype=bool)
            if picked.any():
                X[picked], y[picked] = self._resampled(
                    rows[picked], first[picked], second[picked]
                )
        self._confine(X, truth, strength, ("features", "labels", "pipeline", "prediction"))
        for plan in self._stages["features"]:
            if strength[plan.index] is not None:
                plan.apply_features(X, strength[plan.index], draws[plan.index])
        for plan in self._stages["labels"]:
            if strength[plan.index] is not None:
                y = plan.labels(y, rows, strength[plan.index])
        for plan in self._stages["pipeline"]:
            if strength[plan.index] is not None:
                plan.apply_features(X, strength[plan.index], draws[plan.index])
        for plan in self._stages["prediction"]:
            if strength[plan.index] is not None:
                noise[:, plan.index] = draws[plan.index]
        return X, y, truth, noise

    def _resampled(
        self, rows: np.ndarray, first: np.ndarray, second: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Base rows plus jitter (two table entries per sample)."""
        X = self._data.X.take(rows, axis=0)
        table = self._jitter_table
        if table is not None:
            X += table.take(first, axis=0)
            X += table.take(second, axis=0)
        return X, self._data.y.take(rows)

    def _confine(
        self, X: np.ndarray, truth: np.ndarray, strength: list[Any], stages: tuple[str, ...]
    ) -> None:
        """Zero the intensity of segment-confined drifts outside their segment."""
        for j, inside in self._segments.items():
            if strength[j] is not None and self._plans[j].stage in stages:
                truth[:, j] *= inside(X)
                strength[j] = truth[:, j]

    def _generated(
        self, rng: np.random.Generator, t: np.ndarray, strength: list[Any], truth: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Fresh generator samples, each labelled by the concept in force for it."""
        gen = self.dataset.generator
        n = t.size
        draws = gen.draw(rng, n)
        if self._segments:  # segment membership from the base concept's features
            X0, _ = gen.render(dict(draws), t, self._concepts[0])
            self._confine(X0, truth, strength, ("concepts",))
        which: Any = 0  # per sample (or for all): 0 the base concept, i the i-th switch
        ages = [t]
        for i, plan in enumerate(self._stages["concepts"], start=1):
            ages.append(plan.age(t))
            s = strength[plan.index]
            if isinstance(s, np.ndarray):
                which = np.where(s == 1.0, i, which)
            elif s is not None:
                which = i
        counts = np.bincount(np.ravel(which), minlength=len(ages))
        if np.ndim(which) == 0 or np.count_nonzero(counts) == 1:
            c = int(np.argmax(counts))
            return gen.render(draws, ages[c], self._concepts[c])
        used = np.flatnonzero(counts)
        X = np.empty((n, gen.n_features))
        y = np.empty(n, dtype=np.int64)
        for c in used.tolist():
            m = which == c
            X[m], y[m] = gen.render(_subset(draws, m), ages[c][m], self._concepts[c])
        return X, y

    def _block(self, b: int) -> tuple[np.ndarray, ...]:
        block = self._cache.get(b)
        if block is None:
            t = np.arange(b * BLOCK_SIZE, (b + 1) * BLOCK_SIZE)
            block = self._render(self._ramps(t), (1, b), t)
            if len(self._cache) >= _CACHED_BLOCKS:
                del self._cache[next(iter(self._cache))]
            self._cache[b] = block
        return block

    def _check_range(self, start: int, stop: int) -> None:
        check_int("start", start, low=0)
        check_int("stop", stop, low=start)
        if self.n_samples is not None and stop > self.n_samples:
            raise ValueError(
                f"stop must be <= n_samples ({self.n_samples}), got {stop}; "
                "the stream has no samples past its end"
            )

    def batch(self, start: int, stop: int) -> Batch:
        """Samples ``start`` (inclusive) to ``stop`` (exclusive) as one :class:`Batch`.

        Examples
        --------
        >>> from simulator.datasets import load_dataset
        >>> stream = DriftStream(load_dataset("iris"), seed=3)
        >>> b = stream.batch(5000, 5003)
        >>> b.start, b.X.shape, b.y.dtype.name
        (5000, (3, 4), 'int64')
        """
        self._check_range(start, stop)
        first, last = start // BLOCK_SIZE, max(stop - 1, start) // BLOCK_SIZE
        parts = []
        for b in range(first, last + 1):
            lo = max(start - b * BLOCK_SIZE, 0)
            hi = min(stop - b * BLOCK_SIZE, BLOCK_SIZE)
            parts.append([a[lo:hi] for a in self._block(b)])
        if len(parts) == 1:
            X, y, truth, noise = (a.copy() for a in parts[0])
        else:
            X, y, truth, noise = (np.concatenate(col) for col in zip(*parts, strict=True))
        time = None if self.dataset.time is None else self.dataset.time[start:stop].copy()
        return Batch(start, X, y, truth, noise, time)

    def batches(self, size: int, start: int = 0, stop: int | None = None) -> Iterator[Batch]:
        """Consecutive batches of ``size`` samples (the last may be shorter).

        Runs from ``start`` to ``stop`` (default: ``n_samples``; forever for an
        unbounded stream). The samples do not depend on ``size``.

        Examples
        --------
        >>> from simulator.datasets import load_dataset
        >>> stream = DriftStream(load_dataset("iris"), n_samples=10)
        >>> [len(b) for b in stream.batches(4)]
        [4, 4, 2]
        """
        size = check_int("size", size, low=1)
        stop = self.n_samples if stop is None else stop
        if stop is not None:
            self._check_range(start, stop)
        i = check_int("start", start, low=0)
        while stop is None or i < stop:
            j = i + size if stop is None else min(i + size, stop)
            yield self.batch(i, j)
            i = j

    def take(self, n: int, start: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``n`` samples from ``start`` as whole arrays ``(X, y, truth)``.

        Examples
        --------
        >>> from simulator.datasets import load_dataset
        >>> X, y, truth = DriftStream(load_dataset("iris"), seed=0).take(100)
        >>> X.shape, y.shape, truth.shape
        ((100, 4), (100,), (100, 0))
        """
        n = check_int("n", n, low=0)
        b = self.batch(start, start + n)
        return b.X, b.y, b.truth

    # --- the distribution in force: what the skyline trains and tests on -------------
    def state_at(self, t: int | Iterable[int]) -> np.ndarray:
        """Each drift's scheduled intensity at sample(s) ``t``: one row per sample, one
        column per drift (as ``truth``'s columns). For a gradual drift the value is the
        share of samples drawn from the new concept (the mixture in force).

        Examples
        --------
        >>> from simulator.datasets import load_dataset
        >>> from simulator.drift import Drift
        >>> stream = DriftStream(load_dataset("iris"),
        ...                      [Drift("concept", 100, width=100, profile="gradual")],
        ...                      n_samples=300)
        >>> stream.state_at([0, 149, 250]).ravel().tolist()
        [0.0, 0.5, 1.0]
        """
        t = np.atleast_1d(np.asarray(t, dtype=np.int64))
        if t.ndim != 1 or (t < 0).any():
            raise ValueError(f"t must be sample indices >= 0, got {t.tolist()!r}")
        return self._ramps(t)

    def sample_state(
        self, state: Iterable[float], n: int, *, seed: int = 0, at: int = 0
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``n`` i.i.d. samples ``(X, y, truth, noise)`` of the distribution where the
        drifts have intensities ``state`` (one per drift, in [0, 1]), independent of the
        stream's own samples; ``seed`` picks the draw, ``at`` the time a moving
        generator concept is read at. Apply ``noise`` with
        :func:`apply_prediction_drift` for what a served model would output.

        Examples
        --------
        >>> from simulator.datasets import load_dataset
        >>> from simulator.drift import Drift
        >>> stream = DriftStream(load_dataset("iris"), [Drift("prior", 100, toward=0)],
        ...                      n_samples=300)
        >>> X, y, truth, _ = stream.sample_state([1.0], 2000, seed=1)
        >>> X.shape, bool((y == 0).mean() > 0.6), float(truth.min())
        ((2000, 4), True, 1.0)
        """
        n = check_int("n", n, low=1)
        seed = check_int("seed", seed, low=0)
        state = np.asarray(list(state), dtype=float).reshape(-1)
        if state.size != len(self.drifts) or ((state < 0) | (state > 1)).any():
            raise ValueError(
                f"state must hold {len(self.drifts)} intensities in [0, 1] (one per drift), "
                f"got {state.tolist()!r}"
            )
        t = np.full(n, check_int("at", at, low=0), dtype=np.int64)
        # key 4 is this method's own stream of randomness (blocks use 1, harm uses 2)
        return self._render(np.tile(state, (n, 1)), (4, seed + 1), t)

    def replay_rows(
        self, state: Iterable[float], start: int, stop: int, *, seed: int = 0
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Rows ``start .. stop - 1`` of a replayed log, in order, with the drifts at
        intensities ``state``: ``(X, y, truth, noise)``. A log's distribution at a time
        is only known through its rows near that time, so this is what the skyline of
        a replay trains and tests on (:func:`~simulator.skyline.skyline`); ``seed``
        picks the drifts' own randomness.

        Examples
        --------
        >>> from simulator.datasets import Dataset
        >>> log = Dataset("log", [[1.0], [2.0], [3.0], [4.0]], [0, 1, 0, 1], ("x",),
        ...               ("a", "b"), time=np.arange("2024-01-01", "2024-01-05",
        ...                                          dtype="datetime64[D]"))
        >>> X, y, _, _ = DriftStream(log).replay_rows([], 1, 3)
        >>> X[:, 0].tolist(), y.tolist()
        ([2.0, 3.0], [1, 0])
        """
        if not self.replay:
            raise ValueError("replay_rows reads a replayed log's rows; this stream "
                             f"resamples {self.dataset.name!r} (use sample_state)")
        start = check_int("start", start, low=0)
        stop = check_int("stop", stop, low=start + 1, high=self.dataset.n_samples)
        state = np.asarray(list(state), dtype=float).reshape(-1)
        if state.size != len(self.drifts) or ((state < 0) | (state > 1)).any():
            raise ValueError(
                f"state must hold {len(self.drifts)} intensities in [0, 1] (one per drift), "
                f"got {state.tolist()!r}"
            )
        t = np.arange(start, stop, dtype=np.int64)
        # key 5 is this method's own stream of randomness (sample_state uses 4)
        return self._render(np.tile(state, (t.size, 1)), (5, check_int("seed", seed, low=0) + 1), t)

    def sample_at(
        self, t: int, n: int, seed: int = 0
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``n`` i.i.d. samples of the distribution in force at sample ``t``
        (:meth:`state_at` then :meth:`sample_state`).

        Examples
        --------
        >>> from simulator.datasets import load_dataset
        >>> X, y, truth, noise = DriftStream(load_dataset("iris"), seed=0).sample_at(10, 5)
        >>> X.shape, truth.shape
        ((5, 4), (5, 0))
        """
        t = check_int("t", t, low=0)
        return self.sample_state(self.state_at(t)[0], n, seed=seed, at=t)

    def segments(
        self, resolution: float = 0.05, stop: int | None = None
    ) -> list[tuple[int, int, np.ndarray]]:
        """The stream cut where the distribution in force changes: ``(start, stop,
        state)`` for each run of samples whose intensities, rounded to ``resolution``,
        are the same (the state given is that rounded one). A ramp of width ``w`` gives
        about ``1 / resolution`` segments, so a per-state computation (the skyline)
        runs a few dozen times, not once per sample.

        Examples
        --------
        >>> from simulator.datasets import load_dataset
        >>> from simulator.drift import Drift
        >>> stream = DriftStream(load_dataset("iris"),
        ...                      [Drift("concept", 100, width=100, profile="gradual")],
        ...                      n_samples=300)
        >>> [(a, b) for a, b, _ in stream.segments(resolution=0.5)]
        [(0, 126), (126, 175), (175, 300)]
        """
        step = float(check_in_range("resolution", resolution, low=0.0, high=1.0,
                                    low_inclusive=False))
        stop = self.n_samples if stop is None else check_int("stop", stop, low=1)
        if stop is None:
            raise ValueError("an unbounded stream needs stop= to be cut into segments")
        levels = np.round(self._ramps(np.arange(stop)) / step) * step
        change = np.flatnonzero(np.any(levels[1:] != levels[:-1], axis=1)) + 1
        bounds = np.r_[0, change, stop]
        return [(int(a), int(b), np.clip(levels[a], 0.0, 1.0))
                for a, b in itertools.pairwise(bounds)]

    # --- ground truth: events and harm ---------------------------------------------
    def _build_events(self) -> tuple[DriftEvent, ...]:
        points = sorted(
            (t, j, k, is_return)
            for j, d in enumerate(self.drifts)
            for k, (t, is_return) in enumerate(d.change_points())
            if self.n_samples is None or t < self.n_samples
        )
        if self.reference_model is None:
            model = _default_model(self.n_features, self.n_classes)
        else:
            model = self.reference_model
        return tuple(self._event(model, t, j, k, is_return) for t, j, k, is_return in points)

    def _event(self, model: Any, t: int, j: int, k: int, is_return: bool) -> DriftEvent:
        """The event of drift ``j``'s ``k``-th change point, at sample ``t``."""
        d = self.drifts[j]
        end = t if is_return else t + d.width
        # Measured on the stream as it is: every drift at its schedule just before the
        # change point, then where this change is complete, so drifts that cancel or
        # re-do one another are reported as they act. Drift j itself is pinned to its
        # old and new state (a recurring drift may be on again by the time its ramp
        # would read complete).
        before = self._ramps(np.array([t - 1]))[0]
        before[j] = 1.0 if is_return else 0.0
        after = self._ramps(np.array([end]))[0]
        after[j] = 1.0 - before[j]
        # Moving generator concepts are measured where the transition ends.
        at = t if is_return else t + d.width
        acc_before, acc_after = self._accuracies(model, before, after, (2, j + 1, k + 1), at)
        drop = acc_before - acc_after
        return DriftEvent(
            drift_index=j,
            onset=t,
            end=t if is_return else t + d.width,
            kind=d.kind,
            profile=d.profile,
            transform=str(d.transform),
            severity=d.severity,
            is_return=is_return,
            harmful=bool(drop > self.harm_tolerance),
            accuracy_drop=float(drop),
            accuracy_before=float(acc_before),
            accuracy_after=float(acc_after),
        )

    def _accuracies(
        self,
        model: Any,
        before: np.ndarray,
        after: np.ndarray,
        key: tuple[int, ...],
        at: int = 0,
    ) -> tuple[float, float]:
        from sklearn.base import clone

        n = self.harm_samples
        t = at + np.arange(n)
        X_train, y_train, _, _ = self._render(np.tile(before, (n, 1)), (*key, 1), t)
        fitted = None
        if np.unique(y_train).size > 1:
            fitted = clone(model).fit(X_train, y_train)
        accs = []
        # Both test sets use the same key, so they share base rows and jitter: the
        # comparison is paired and only the change itself differs.
        for state in (before, after):
            X, y, truth, noise = self._render(np.tile(state, (n, 1)), (*key, 2), t)
            proba = self._proba(fitted, y_train, X)
            if self._has_prediction:
                proba = apply_prediction_drift(proba, truth, self.drifts, noise)
            accs.append(float(np.mean(proba.argmax(axis=1) == y)))
        return accs[0], accs[1]

    def _proba(self, fitted: Any, y_train: np.ndarray, X: np.ndarray) -> np.ndarray:
        k = self.n_classes
        out = np.zeros((X.shape[0], k))
        if fitted is None:
            # A single-class training set: the only sensible model predicts that class.
            out[:, int(y_train[0])] = 1.0
        elif hasattr(fitted, "predict_proba"):
            out[:, np.asarray(fitted.classes_, dtype=np.int64)] = fitted.predict_proba(X)
        else:
            out[np.arange(X.shape[0]), np.asarray(fitted.predict(X), dtype=np.int64)] = 1.0
        return out
