"""Model versions with metadata and movable aliases: what the deployment loop trained and serves.

Every model the loop trains is registered as a numbered :class:`ModelVersion` (1, 2, 3,
…) that records which stream samples it was trained on, when (the sample index: time
in the simulator is the sample index), its parent version and the metrics it scored
at the validation gate. Aliases name the roles versions play; the loop uses three:

* ``champion``: the version that serves predictions,
* ``challenger``: a candidate under validation, in shadow mode or in an A/B test,
* ``previous``: the champion before the last deploy, the target of a rollback.

:class:`InMemoryRegistry` keeps all of this in memory and is the default.
:class:`MLflowRegistry` keeps the same state in memory and mirrors every change to a
local MLflow tracking store (an SQLite file, no server), for users who track with
MLflow. :func:`make_registry` builds either one from a config.

Examples
--------
>>> reg = InMemoryRegistry()
>>> v1 = reg.register("model-a", created_at=0, trained_on=(0, 150), n_train=150)
>>> reg.promote(1).version
1
>>> v2 = reg.register("model-b", created_at=900, trained_on=(600, 900), n_train=300, parent=1)
>>> reg.promote(2).version
2
>>> reg.aliases()
{'champion': 2, 'previous': 1}
>>> reg.rollback().version
1
>>> reg.lineage(2)
[2, 1]
"""

from __future__ import annotations

import contextlib
import logging
import math
import pickle
import re
import tempfile
import time
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from driftsim.validation import check_choice, check_int

__all__ = [
    "CHALLENGER",
    "CHAMPION",
    "PREVIOUS",
    "InMemoryRegistry",
    "MLflowRegistry",
    "ModelVersion",
    "make_registry",
]

CHAMPION = "champion"
CHALLENGER = "challenger"
PREVIOUS = "previous"

# MLflow's own alias rules, applied to both registries so that a config that works
# in memory also works with MLflow.
_ALIAS_RE = re.compile(r"^[A-Za-z0-9_-]+$")
_RESERVED_ALIAS_RE = re.compile(r"^(latest|[vV]\d+)$", re.IGNORECASE)

_REGISTRY_KINDS = ("memory", "mlflow")


def _check_metrics(metrics: Mapping[str, Any] | None) -> dict[str, float]:
    if metrics is None:
        return {}
    if not isinstance(metrics, Mapping):
        raise ValueError(f"metrics must be a mapping of name to number, got {metrics!r}")
    out: dict[str, float] = {}
    for key, value in metrics.items():
        if not isinstance(key, str) or not key:
            raise ValueError(f"metric names must be non-empty strings, got {key!r}")
        if not isinstance(value, (int, float, np.integer, np.floating, np.bool_)):
            raise ValueError(f"metric {key!r} must be a number, got {value!r}")
        out[key] = float(value)
    return out


def _check_alias(alias: Any) -> str:
    if not isinstance(alias, str) or not _ALIAS_RE.match(alias):
        raise ValueError(
            f"alias must be a non-empty string of letters, digits, '_' or '-', got {alias!r}"
        )
    if _RESERVED_ALIAS_RE.match(alias):
        raise ValueError(f"alias {alias!r} is reserved (MLflow keeps 'latest' and 'v<N>')")
    return alias


@dataclass(frozen=True, eq=False)
class ModelVersion:
    """One registered model: the fitted estimator and where it came from.

    Parameters
    ----------
    version
        1-based version number, assigned by the registry in registration order.
    model
        The fitted estimator (scikit-learn, river or any picklable object). The
        registry keeps this very object, not a copy: a model that goes on learning
        online changes in the registry too (an MLflow store keeps the snapshot taken
        at registration).
    created_at
        Sample index (simulated time) at which the version was registered.
    trained_on
        Half-open range ``(start, end)`` of stream sample indices the training set was
        drawn from.
    n_train
        Number of samples actually used for training (labelled samples in the range).
    parent
        The version this one replaced or was retrained from; ``None`` for a root.
    metrics
        Numbers recorded for the version, e.g. the validation gate's scores (floats).
    tags
        Free-form metadata.

    Examples
    --------
    >>> mv = ModelVersion(1, "model", created_at=0, trained_on=(0, 100), n_train=100)
    >>> mv.trained_on, mv.parent, dict(mv.metrics)
    ((0, 100), None, {})
    """

    version: int
    model: Any
    created_at: int
    trained_on: tuple[int, int]
    n_train: int
    parent: int | None = None
    metrics: Mapping[str, float] = field(default_factory=dict)
    tags: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "version", check_int("version", self.version, low=1))
        set_(self, "created_at", check_int("created_at", self.created_at, low=0))
        trained_on = self.trained_on
        if not isinstance(trained_on, (tuple, list, np.ndarray)) or len(trained_on) != 2:
            raise ValueError(f"trained_on must be a (start, end) pair, got {trained_on!r}")
        start = check_int("trained_on start", trained_on[0], low=0)
        end = check_int("trained_on end", trained_on[1], low=start)
        set_(self, "trained_on", (start, end))
        set_(self, "n_train", check_int("n_train", self.n_train, low=0))
        if self.parent is not None:
            set_(self, "parent", check_int("parent", self.parent, low=1, high=self.version - 1))
        set_(self, "metrics", MappingProxyType(_check_metrics(self.metrics)))
        if not isinstance(self.tags, Mapping):
            raise ValueError(f"tags must be a mapping, got {self.tags!r}")
        set_(self, "tags", MappingProxyType(dict(self.tags)))

    def __reduce__(self) -> tuple[Any, ...]:
        # mappingproxy cannot be pickled; rebuild from plain dicts (joblib, deepcopy)
        return (
            ModelVersion,
            (
                self.version,
                self.model,
                self.created_at,
                self.trained_on,
                self.n_train,
                self.parent,
                dict(self.metrics),
                dict(self.tags),
            ),
        )

    def __repr__(self) -> str:
        return (
            f"ModelVersion(version={self.version}, model={type(self.model).__name__}, "
            f"created_at={self.created_at}, trained_on={self.trained_on}, "
            f"n_train={self.n_train}, parent={self.parent}, metrics={dict(self.metrics)})"
        )


class InMemoryRegistry:
    """Model versions and aliases held in memory: the default registry.

    Versions are numbered 1, 2, 3, … in registration order and never removed.
    Aliases are names that point at one version each and move freely; ``champion``,
    ``challenger`` and ``previous`` are the ones the deployment loop uses (see
    :meth:`promote` and :meth:`rollback`). Alias names follow MLflow's rules (letters,
    digits, ``_`` and ``-``; ``latest`` and ``v<N>`` are reserved) so that any setup
    also works with :class:`MLflowRegistry`.

    Lookups of an unknown version or an unset alias raise ``KeyError`` naming it and
    listing what exists; malformed arguments raise ``ValueError``.

    Examples
    --------
    >>> reg = InMemoryRegistry()
    >>> mv = reg.register("m", created_at=0, trained_on=(0, 50), n_train=50,
    ...                   metrics={"accuracy": 0.9})
    >>> reg.set_alias("challenger", 1).version
    1
    >>> reg.get("challenger") is reg.get(1)
    True
    >>> reg.get("champion")
    Traceback (most recent call last):
    ...
    KeyError: "alias 'champion' is not set; set aliases: {'challenger': 1}"
    """

    def __init__(self) -> None:
        self._versions: list[ModelVersion] = []
        self._aliases: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._versions)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(versions={len(self)}, aliases={self._aliases})"

    # ---------------------------------------------------------------- versions

    def register(
        self,
        model: Any,
        *,
        created_at: int,
        trained_on: tuple[int, int],
        n_train: int,
        parent: int | None = None,
        metrics: Mapping[str, Any] | None = None,
        tags: Mapping[str, Any] | None = None,
    ) -> ModelVersion:
        """Add ``model`` as the next version and return it. No alias moves.

        Examples
        --------
        >>> reg = InMemoryRegistry()
        >>> reg.register("m", created_at=10, trained_on=(0, 10), n_train=8).version
        1
        """
        if parent is not None:
            parent = self._check_version(parent)
        mv = ModelVersion(
            version=len(self._versions) + 1,
            model=model,
            created_at=created_at,
            trained_on=trained_on,
            n_train=n_train,
            parent=parent,
            metrics=metrics or {},
            tags=tags or {},
        )
        self._on_register(mv)
        self._versions.append(mv)
        return mv

    def get(self, version_or_alias: int | str) -> ModelVersion:
        """The version with this number, or the one this alias points at.

        Examples
        --------
        >>> reg = InMemoryRegistry()
        >>> _ = reg.register("m", created_at=0, trained_on=(0, 1), n_train=1)
        >>> reg.get(1).model
        'm'
        >>> reg.get(2)
        Traceback (most recent call last):
        ...
        KeyError: 'version 2 is not registered; registered versions: [1]'
        """
        if isinstance(version_or_alias, str):
            version = self._aliases.get(version_or_alias)
            if version is None:
                raise KeyError(
                    f"alias {version_or_alias!r} is not set; set aliases: {self._aliases}"
                )
            return self._versions[version - 1]
        return self._versions[self._check_version(version_or_alias) - 1]

    def versions(self) -> list[ModelVersion]:
        """All versions, oldest first.

        Examples
        --------
        >>> InMemoryRegistry().versions()
        []
        """
        return list(self._versions)

    def lineage(self, version: int | str) -> list[int]:
        """The chain of versions from ``version`` back through its parents to the root.

        Examples
        --------
        >>> reg = InMemoryRegistry()
        >>> for parent in (None, 1, 2):
        ...     _ = reg.register("m", created_at=0, trained_on=(0, 1), n_train=1, parent=parent)
        >>> reg.lineage(3)
        [3, 2, 1]
        """
        chain = [self.get(version).version]
        # parents always have smaller numbers (ModelVersion checks it), so this ends
        while (parent := self._versions[chain[-1] - 1].parent) is not None:
            chain.append(parent)
        return chain

    def update_metrics(self, version: int | str, metrics: Mapping[str, Any]) -> ModelVersion:
        """Merge ``metrics`` into a version's metrics (new values win) and return it.

        Examples
        --------
        >>> reg = InMemoryRegistry()
        >>> _ = reg.register("m", created_at=0, trained_on=(0, 1), n_train=1,
        ...                  metrics={"train_accuracy": 1.0})
        >>> dict(reg.update_metrics(1, {"gate_accuracy": 0.8}).metrics)
        {'train_accuracy': 1.0, 'gate_accuracy': 0.8}
        """
        mv = self.get(version)
        new = _check_metrics(metrics)
        self._on_update_metrics(mv, new)
        updated = replace(mv, metrics={**mv.metrics, **new})
        self._versions[mv.version - 1] = updated
        return updated

    # ----------------------------------------------------------------- aliases

    def set_alias(self, alias: str, version: int | str) -> ModelVersion:
        """Point ``alias`` at ``version`` (a number or another alias) and return it.

        Examples
        --------
        >>> reg = InMemoryRegistry()
        >>> _ = reg.register("m", created_at=0, trained_on=(0, 1), n_train=1)
        >>> reg.set_alias("champion", 1).version
        1
        """
        alias = _check_alias(alias)
        mv = self.get(version)
        if self._aliases.get(alias) != mv.version:
            self._on_set_alias(alias, mv)
            self._aliases[alias] = mv.version
        return mv

    def remove_alias(self, alias: str) -> None:
        """Unset ``alias``; ``KeyError`` if it is not set.

        Examples
        --------
        >>> reg = InMemoryRegistry()
        >>> _ = reg.register("m", created_at=0, trained_on=(0, 1), n_train=1)
        >>> _ = reg.set_alias("challenger", 1)
        >>> reg.remove_alias("challenger")
        >>> reg.aliases()
        {}
        """
        if alias not in self._aliases:
            raise KeyError(f"alias {alias!r} is not set; set aliases: {self._aliases}")
        self._on_remove_alias(alias)
        del self._aliases[alias]

    def alias(self, alias: str) -> ModelVersion | None:
        """The version ``alias`` points at, or ``None`` if it is not set.

        Examples
        --------
        >>> InMemoryRegistry().alias("champion") is None
        True
        """
        version = self._aliases.get(alias)
        return None if version is None else self._versions[version - 1]

    def aliases(self) -> dict[str, int]:
        """A copy of the alias table: alias name to version number.

        Examples
        --------
        >>> InMemoryRegistry().aliases()
        {}
        """
        return dict(self._aliases)

    @property
    def champion(self) -> ModelVersion | None:
        """The serving version (alias ``champion``), or ``None`` before the first deploy.

        Examples
        --------
        >>> InMemoryRegistry().champion is None
        True
        """
        return self.alias(CHAMPION)

    def promote(self, version: int | str) -> ModelVersion:
        """Deploy ``version``: it becomes ``champion`` and the old champion ``previous``.

        Promoting the current champion changes nothing. If ``challenger`` pointed at
        the promoted version it is removed (the challenge is over). Without a current
        champion, ``previous`` is left as it was. Returns the new champion.

        Examples
        --------
        >>> reg = InMemoryRegistry()
        >>> for _ in range(2):
        ...     _ = reg.register("m", created_at=0, trained_on=(0, 1), n_train=1)
        >>> _ = reg.promote(1)
        >>> _ = reg.set_alias("challenger", 2)
        >>> reg.promote("challenger").version
        2
        >>> reg.aliases()
        {'champion': 2, 'previous': 1}
        """
        mv = self.get(version)
        current = self._aliases.get(CHAMPION)
        if current == mv.version:
            return mv
        if current is not None:
            self.set_alias(PREVIOUS, current)
        self.set_alias(CHAMPION, mv.version)
        if self._aliases.get(CHALLENGER) == mv.version:
            self.remove_alias(CHALLENGER)
        return mv

    def rollback(self) -> ModelVersion:
        """Swap ``champion`` and ``previous``: the previous model serves again.

        The regressed model keeps the ``previous`` alias, so its lineage and metrics
        stay reachable (and a second rollback would undo the first). Raises
        ``KeyError`` unless both aliases are set. Returns the new champion.

        Examples
        --------
        >>> reg = InMemoryRegistry()
        >>> for _ in range(2):
        ...     _ = reg.register("m", created_at=0, trained_on=(0, 1), n_train=1)
        >>> _ = reg.promote(1), reg.promote(2)
        >>> reg.rollback().version, reg.aliases()
        (1, {'champion': 1, 'previous': 2})
        """
        missing = [a for a in (CHAMPION, PREVIOUS) if a not in self._aliases]
        if missing:
            raise KeyError(
                f"rollback needs aliases 'champion' and 'previous'; {missing} not set; "
                f"set aliases: {self._aliases}"
            )
        champion, previous = self._aliases[CHAMPION], self._aliases[PREVIOUS]
        self.set_alias(CHAMPION, previous)
        self.set_alias(PREVIOUS, champion)
        return self._versions[previous - 1]

    # ------------------------------------------------------------------- hooks

    # A backend that mirrors the registry elsewhere overrides these. Each runs before
    # the in-memory state changes, so a failing backend leaves the registry as it was.
    def _on_register(self, mv: ModelVersion) -> None:
        pass

    def _on_set_alias(self, alias: str, mv: ModelVersion) -> None:
        pass

    def _on_remove_alias(self, alias: str) -> None:
        pass

    def _on_update_metrics(self, mv: ModelVersion, metrics: dict[str, float]) -> None:
        pass

    def _check_version(self, version: Any) -> int:
        if isinstance(version, bool) or not isinstance(version, (int, np.integer)):
            raise ValueError(f"a version must be an int (or an alias string), got {version!r}")
        if not 1 <= version <= len(self._versions):
            raise KeyError(
                f"version {version} is not registered; registered versions: "
                f"{[mv.version for mv in self._versions]}"
            )
        return int(version)


# ------------------------------------------------------------------------ MLflow

_FLAVOR_TAG = "driftsim.flavor"
_VERSION_TAG = "driftsim.version"
_PICKLE_FILE = "model.pkl"


@contextlib.contextmanager
def _quiet_mlflow() -> Iterator[None]:
    """Silence MLflow's and alembic's INFO logs and warnings for the duration."""
    loggers = [logging.getLogger(name) for name in ("mlflow", "alembic")]
    levels = [lg.level for lg in loggers]
    try:
        for lg in loggers:
            lg.setLevel(logging.ERROR)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _is_sklearn(model: Any) -> bool:
    try:
        from sklearn.base import BaseEstimator
    except ImportError:  # pragma: no cover - scikit-learn is a core dependency
        return False
    return isinstance(model, BaseEstimator)


def _save_model(model: Any, path: Path) -> str:
    """Write ``model`` into the new folder ``path``; return the flavor used to load it."""
    if _is_sklearn(model):
        import mlflow.sklearn
        import sklearn

        # Listing the requirement ourselves skips MLflow's inference, which spawns a
        # subprocess and costs seconds per model.
        mlflow.sklearn.save_model(
            model,
            str(path),
            serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_CLOUDPICKLE,
            pip_requirements=[f"scikit-learn=={sklearn.__version__}"],
        )
        return "sklearn"
    # river models and anything else: a plain pickle (cloudpickle where available,
    # which also handles lambdas and locally defined classes).
    try:
        import cloudpickle as pickler
    except ImportError:  # pragma: no cover - cloudpickle comes with mlflow
        pickler = pickle
    path.mkdir(parents=True)
    try:
        data = pickler.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        raise ValueError(
            f"cannot store a {type(model).__name__} in MLflow: it is not picklable ({exc})"
        ) from exc
    (path / _PICKLE_FILE).write_bytes(data)
    return "pickle"


class MLflowRegistry(InMemoryRegistry):
    """The registry mirrored to a local MLflow tracking store (SQLite, no server).

    Behaves exactly as :class:`InMemoryRegistry` (the fitted models stay in memory,
    so :meth:`get` is fast) and, in addition, writes every change to MLflow:

    * each :meth:`register` creates an MLflow run ``v<N>`` in the experiment
      ``model_name`` holding the model (the ``sklearn`` flavor for scikit-learn
      estimators, a pickled ``model.pkl`` otherwise, e.g. river models), its
      provenance as params (``created_at``, ``trained_start``, ``trained_end``,
      ``n_train``, ``parent``) and its metrics (step = ``created_at``), then a
      registered-model version of ``model_name`` from that run;
    * aliases are MLflow registered-model aliases (``models:/<name>@champion``);
    * :meth:`update_metrics` logs the new metrics to the version's run.

    The store is ``sqlite:///<tracking_dir>/mlflow.db`` with artifacts under
    ``<tracking_dir>/artifacts``. The registry talks to it through its own
    ``MlflowClient`` and never sets MLflow's global tracking URI, so several
    registries in one process do not interfere. In a fresh store MLflow's version
    numbers equal the registry's; if ``model_name`` already has versions there, new
    ones are numbered after them in MLflow (see :meth:`mlflow_version`) and tagged
    ``driftsim.version`` with the registry's number. Versions already in the store
    are not loaded: each registry starts empty.

    ``mlflow`` (the ``mlflow`` extra) is imported on construction, not with
    :mod:`simulator`.

    **What loading trusts.** :meth:`load_model` unpickles (the ``sklearn`` flavor is a
    pickle too), and a pickle can run any code. It loads only versions this registry
    object registered itself, and only from artifacts stored under ``tracking_dir``:
    a store whose artifacts live elsewhere (an experiment created by another tool, or
    ``tracking_dir`` holding a store someone handed you) is refused at construction
    unless ``allow_external_store=True``. Point ``tracking_dir`` only at a folder your
    own runs wrote (``experiments.run`` uses ``<run folder>/mlflow``).

    Parameters
    ----------
    tracking_dir
        Folder for the store, created if missing (e.g. the run's output folder).
    model_name
        Name of the registered model, also used as the experiment name.
    allow_external_store
        Accept (and load pickles from) an existing experiment whose artifacts are
        stored outside ``tracking_dir``. Only for stores you trust.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.dummy import DummyClassifier
    >>> tmp = tempfile.TemporaryDirectory()
    >>> reg = MLflowRegistry(tmp.name)
    >>> clf = DummyClassifier().fit([[0.0], [1.0]], [0, 1])
    >>> reg.promote(reg.register(clf, created_at=0, trained_on=(0, 2), n_train=2).version)
    ModelVersion(version=1, model=DummyClassifier, created_at=0, ...)
    >>> reg.client.get_model_version_by_alias("driftsim-model", "champion").version
    1
    >>> reg.load_model("champion").predict([[0.5]])
    array([0])
    >>> v2 = reg.register({"weights": [1, 2]}, created_at=50, trained_on=(0, 50), n_train=40)
    >>> reg.mlflow_version(2), len(reg.run_id(2)), reg.load_model(2)
    (2, 32, {'weights': [1, 2]})
    >>> tmp.cleanup()
    """

    def __init__(
        self,
        tracking_dir: str | Path,
        model_name: str = "driftsim-model",
        *,
        allow_external_store: bool = False,
    ) -> None:
        super().__init__()
        self.allow_external_store = bool(allow_external_store)
        if not isinstance(model_name, str) or not model_name or any(c in model_name for c in "/:"):
            raise ValueError(
                f"model_name must be a non-empty name without '/' or ':', got {model_name!r}"
            )
        self.tracking_dir = Path(tracking_dir).resolve()
        self.model_name = model_name
        self.tracking_dir.mkdir(parents=True, exist_ok=True)
        self.tracking_uri = f"sqlite:///{self.tracking_dir / 'mlflow.db'}"
        self.artifact_location = (self.tracking_dir / "artifacts").as_uri()
        self._mlflow_versions: dict[int, int] = {}
        self._run_ids: dict[int, str] = {}
        self._flavors: dict[int, str] = {}
        # Imported before silencing: importing mlflow resets its loggers' levels.
        try:
            from mlflow import MlflowClient
            from mlflow.exceptions import MlflowException
        except ImportError as exc:
            raise ImportError(
                "MLflowRegistry needs mlflow: install driftsim with the 'mlflow' extra "
                "(pip install -e '.[mlflow]'), or use the memory registry"
            ) from exc

        with _quiet_mlflow():
            self.client = MlflowClient(
                tracking_uri=self.tracking_uri, registry_uri=self.tracking_uri
            )
            experiment = self.client.get_experiment_by_name(model_name)
            if experiment is None:
                self.experiment_id = self.client.create_experiment(
                    model_name, artifact_location=self.artifact_location
                )
            else:
                self._check_store(experiment.artifact_location)
                self.experiment_id = experiment.experiment_id
            try:
                self.client.get_registered_model(model_name)
            except MlflowException:
                self.client.create_registered_model(
                    model_name, description="Model versions trained by a driftsim deployment loop."
                )

    def _check_store(self, artifact_location: str) -> None:
        """Refuse an experiment whose artifacts (pickles) live outside ``tracking_dir``."""
        from urllib.parse import unquote, urlparse

        parsed = urlparse(artifact_location)
        local = Path(unquote(parsed.path)).resolve() if parsed.scheme in ("", "file") else None
        inside = local is not None and local.is_relative_to(self.tracking_dir)
        if not inside and not self.allow_external_store:
            raise ValueError(
                f"the MLflow experiment {self.model_name!r} in {self.tracking_uri} stores "
                f"its artifacts at {artifact_location!r}, outside tracking_dir "
                f"{str(self.tracking_dir)!r}; loading models unpickles them, so only a "
                "store inside the run folder is trusted: use a fresh tracking_dir, or pass "
                "allow_external_store=True if you trust that store"
            )

    def __repr__(self) -> str:
        return (
            f"MLflowRegistry(tracking_uri={self.tracking_uri!r}, model_name={self.model_name!r}, "
            f"versions={len(self)}, aliases={self._aliases})"
        )

    def mlflow_version(self, version: int | str) -> int:
        """MLflow's version number for a registry version (equal to it in a fresh store).

        See the class Examples.
        """
        return self._mlflow_versions[self.get(version).version]

    def run_id(self, version: int | str) -> str:
        """The id of the MLflow run that holds a version's model, params and metrics.

        See the class Examples.
        """
        return self._run_ids[self.get(version).version]

    def load_model(self, version: int | str) -> Any:
        """Load a version's model back from the MLflow store (a new object, not ``get``'s).

        See the class Examples.
        """
        mv = self.get(version)
        run_id, flavor = self._run_ids[mv.version], self._flavors[mv.version]
        with _quiet_mlflow(), tempfile.TemporaryDirectory() as tmp:
            local = Path(self.client.download_artifacts(run_id, "model", tmp))
            if flavor == "sklearn":
                import mlflow.sklearn

                return mlflow.sklearn.load_model(str(local))
            return pickle.loads((local / _PICKLE_FILE).read_bytes())

    # ------------------------------------------------------------------- hooks

    def _on_register(self, mv: ModelVersion) -> None:
        from mlflow.entities import Metric, Param, RunTag

        params = {
            "version": mv.version,
            "created_at": mv.created_at,
            "trained_start": mv.trained_on[0],
            "trained_end": mv.trained_on[1],
            "n_train": mv.n_train,
            "parent": "" if mv.parent is None else mv.parent,
        }
        tags = {str(k): str(v) for k, v in mv.tags.items()}
        with _quiet_mlflow():
            run = self.client.create_run(self.experiment_id, run_name=f"v{mv.version}", tags=tags)
            run_id = run.info.run_id
            try:
                self.client.log_batch(
                    run_id,
                    metrics=self._metric_entities(mv.metrics, mv.created_at, Metric),
                    params=[Param(k, str(v)) for k, v in params.items()],
                )
                with tempfile.TemporaryDirectory() as tmp:
                    flavor = _save_model(mv.model, Path(tmp) / "model")
                    self.client.log_artifacts(run_id, str(Path(tmp) / "model"), "model")
                self.client.log_batch(run_id, tags=[RunTag(_FLAVOR_TAG, flavor)])
            except BaseException:
                self.client.set_terminated(run_id, status="FAILED")
                raise
            self.client.set_terminated(run_id)
            model_version = self.client.create_model_version(
                self.model_name,
                source=f"{run.info.artifact_uri}/model",
                run_id=run_id,
                tags={**tags, _VERSION_TAG: str(mv.version), _FLAVOR_TAG: flavor},
            )
        self._mlflow_versions[mv.version] = int(model_version.version)
        self._run_ids[mv.version] = run_id
        self._flavors[mv.version] = flavor

    def _on_set_alias(self, alias: str, mv: ModelVersion) -> None:
        with _quiet_mlflow():
            self.client.set_registered_model_alias(
                self.model_name, alias, str(self._mlflow_versions[mv.version])
            )

    def _on_remove_alias(self, alias: str) -> None:
        with _quiet_mlflow():
            self.client.delete_registered_model_alias(self.model_name, alias)

    def _on_update_metrics(self, mv: ModelVersion, metrics: dict[str, float]) -> None:
        from mlflow.entities import Metric

        with _quiet_mlflow():
            self.client.log_batch(
                self._run_ids[mv.version],
                metrics=self._metric_entities(metrics, mv.created_at, Metric),
            )

    @staticmethod
    def _metric_entities(metrics: Mapping[str, float], step: int, metric_cls: Any) -> list[Any]:
        now = int(time.time() * 1000)
        # MLflow stores NaN but rejects infinities; an infinite score is kept in memory only.
        return [metric_cls(k, v, now, step) for k, v in metrics.items() if not math.isinf(v)]


def make_registry(kind: str = "memory", **kwargs: Any) -> InMemoryRegistry:
    """Build a registry from a config: ``kind="memory"`` or ``"mlflow"`` (plus its arguments).

    Examples
    --------
    >>> make_registry()
    InMemoryRegistry(versions=0, aliases={})
    >>> make_registry("redis")
    Traceback (most recent call last):
    ...
    ValueError: kind must be one of ['memory', 'mlflow'], got 'redis'
    """
    check_choice("kind", kind, _REGISTRY_KINDS)
    if kind == "memory":
        if kwargs:
            raise ValueError(f"the memory registry takes no arguments, got {sorted(kwargs)}")
        return InMemoryRegistry()
    return MLflowRegistry(**kwargs)
