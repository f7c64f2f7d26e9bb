"""The model registry: in-memory semantics, and the MLflow-backed one against a real store."""

from __future__ import annotations

import contextlib
import pickle
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from simulator.registry import (
    CHALLENGER,
    CHAMPION,
    PREVIOUS,
    InMemoryRegistry,
    MLflowRegistry,
    ModelVersion,
    make_registry,
)

MODEL_NAME = "driftsim-test"


def _register(reg: InMemoryRegistry, n: int) -> list[ModelVersion]:
    out = []
    for i in range(n):
        parent = out[-1].version if out else None
        out.append(
            reg.register(
                f"model-{i}",
                created_at=100 * i,
                trained_on=(max(0, 100 * i - 50), 100 * i),
                n_train=50,
                parent=parent,
            )
        )
    return out


# ---------------------------------------------------------------- in memory


def test_versions_are_numbered_in_registration_order_and_keep_their_metadata():
    reg = InMemoryRegistry()
    a = reg.register("a", created_at=0, trained_on=[0, 150], n_train=150, metrics={"acc": 1})
    b = reg.register(
        "b", created_at=900, trained_on=(600, 900), n_train=250, parent=1, tags={"why": "drift"}
    )
    assert [mv.version for mv in reg.versions()] == [1, 2]
    assert len(reg) == 2
    assert a.trained_on == (0, 150) and isinstance(a.trained_on, tuple)
    assert dict(a.metrics) == {"acc": 1.0} and type(a.metrics["acc"]) is float
    assert (b.created_at, b.n_train, b.parent, dict(b.tags)) == (900, 250, 1, {"why": "drift"})
    assert reg.get(2) is b
    assert reg.get(np.int64(1)) is a


def test_registering_does_not_move_aliases():
    reg = InMemoryRegistry()
    _register(reg, 2)
    assert reg.aliases() == {}
    assert reg.champion is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"created_at": -1}, "created_at must be >= 0"),
        ({"trained_on": (10, 5)}, "trained_on end must be >= 10"),
        ({"trained_on": (0, 1, 2)}, "trained_on must be a (start, end) pair"),
        ({"n_train": 2.5}, "n_train must be an integer"),
        ({"metrics": {"acc": "high"}}, "metric 'acc' must be a number"),
    ],
)
def test_register_rejects_bad_metadata(kwargs, message):
    reg = InMemoryRegistry()
    args = {"created_at": 0, "trained_on": (0, 10), "n_train": 10, **kwargs}
    with pytest.raises(ValueError, match=re.escape(message)):
        reg.register("m", **args)
    assert len(reg) == 0


def test_register_with_unknown_parent_lists_the_known_versions():
    reg = InMemoryRegistry()
    _register(reg, 1)
    with pytest.raises(KeyError, match=r"version 5 is not registered; registered versions: \[1\]"):
        reg.register("m", created_at=0, trained_on=(0, 1), n_train=1, parent=5)
    assert len(reg) == 1


def test_unknown_lookups_name_the_key_and_list_what_exists():
    reg = InMemoryRegistry()
    _register(reg, 2)
    reg.set_alias("challenger", 2)
    with pytest.raises(
        KeyError, match=r"version 3 is not registered; registered versions: \[1, 2\]"
    ):
        reg.get(3)
    with pytest.raises(
        KeyError, match=re.escape("alias 'champion' is not set; set aliases: {'challenger': 2}")
    ):
        reg.get("champion")
    with pytest.raises(ValueError, match="a version must be an int"):
        reg.get(1.0)
    with pytest.raises(ValueError, match="a version must be an int"):
        reg.get(True)
    with pytest.raises(KeyError, match="alias 'shadow' is not set"):
        reg.remove_alias("shadow")
    assert reg.alias("champion") is None


@pytest.mark.parametrize("bad", ["", "has space", "latest", "LATEST", "v3", "a/b", 7])
def test_alias_names_follow_mlflow_rules(bad):
    reg = InMemoryRegistry()
    _register(reg, 1)
    with pytest.raises(ValueError, match="alias"):
        reg.set_alias(bad, 1)
    assert reg.aliases() == {}


def test_aliases_move_and_can_point_through_another_alias():
    reg = InMemoryRegistry()
    _register(reg, 3)
    reg.set_alias("canary", 1)
    reg.set_alias("canary", 3)
    reg.set_alias("shadow", "canary")
    assert reg.aliases() == {"canary": 3, "shadow": 3}
    table = reg.aliases()
    table["canary"] = 1  # a copy: the registry is not changed through it
    assert reg.get("canary").version == 3
    reg.remove_alias("canary")
    assert reg.aliases() == {"shadow": 3}


def test_promote_moves_champion_to_previous_and_ends_the_challenge():
    reg = InMemoryRegistry()
    _register(reg, 3)
    assert reg.promote(1).version == 1
    assert reg.aliases() == {CHAMPION: 1}  # no previous champion, so no 'previous'
    reg.set_alias(CHALLENGER, 2)
    assert reg.promote(CHALLENGER).version == 2
    assert reg.aliases() == {CHAMPION: 2, PREVIOUS: 1}
    # promoting the champion again changes nothing (previous must not become itself)
    reg.promote(2)
    assert reg.aliases() == {CHAMPION: 2, PREVIOUS: 1}
    # a challenger that is not the promoted version keeps its alias
    reg.set_alias(CHALLENGER, 2)
    reg.promote(3)
    assert reg.aliases() == {CHAMPION: 3, PREVIOUS: 2, CHALLENGER: 2}
    assert reg.champion.version == 3


def test_rollback_swaps_champion_and_previous():
    reg = InMemoryRegistry()
    _register(reg, 2)
    reg.promote(1)
    with pytest.raises(KeyError, match=r"\['previous'\] not set"):
        reg.rollback()
    reg.promote(2)
    assert reg.rollback().version == 1
    assert reg.aliases() == {CHAMPION: 1, PREVIOUS: 2}
    assert reg.rollback().version == 2  # a second rollback undoes the first
    assert reg.aliases() == {CHAMPION: 2, PREVIOUS: 1}
    with pytest.raises(KeyError, match=r"\['champion', 'previous'\] not set"):
        InMemoryRegistry().rollback()


def test_lineage_walks_parents_to_the_root():
    reg = InMemoryRegistry()
    _register(reg, 3)  # a chain 1 <- 2 <- 3
    reg.register("branch", created_at=400, trained_on=(0, 400), n_train=300, parent=1)
    reg.register("root", created_at=500, trained_on=(0, 500), n_train=500)
    assert reg.lineage(3) == [3, 2, 1]
    assert reg.lineage(4) == [4, 1]
    assert reg.lineage(5) == [5]
    reg.promote(3)
    assert reg.lineage(CHAMPION) == [3, 2, 1]


def test_parent_must_be_older_than_its_child():
    with pytest.raises(ValueError, match="parent must be <= 1"):
        ModelVersion(2, "m", created_at=0, trained_on=(0, 1), n_train=1, parent=2)


def test_update_metrics_merges_without_mutating_the_old_record():
    reg = InMemoryRegistry()
    reg.register("m", created_at=0, trained_on=(0, 1), n_train=1, metrics={"a": 1.0, "b": 2.0})
    before = reg.get(1)
    after = reg.update_metrics(1, {"b": np.float32(0.5), "gate_passed": True})
    assert dict(after.metrics) == {"a": 1.0, "b": 0.5, "gate_passed": 1.0}
    assert dict(before.metrics) == {"a": 1.0, "b": 2.0}
    assert reg.get(1) is after and after.model is before.model
    with pytest.raises(ValueError, match="metric 'c' must be a number"):
        reg.update_metrics(1, {"c": None})
    assert dict(reg.get(1).metrics) == dict(after.metrics)


def test_an_in_memory_registry_survives_pickle():
    reg = InMemoryRegistry()
    reg.register("m", created_at=0, trained_on=(0, 1), n_train=1, metrics={"a": 1.0}, tags={"t": 1})
    reg.promote(1)
    copy = pickle.loads(pickle.dumps(reg))
    assert copy.aliases() == {CHAMPION: 1}
    mv = copy.get(CHAMPION)
    assert (mv.model, dict(mv.metrics), dict(mv.tags)) == ("m", {"a": 1.0}, {"t": 1})


def test_model_version_metadata_is_read_only():
    mv = ModelVersion(1, "m", created_at=0, trained_on=(0, 1), n_train=1, metrics={"a": 1.0})
    with pytest.raises(TypeError):
        mv.metrics["a"] = 2.0
    with pytest.raises(AttributeError):
        mv.version = 2


def test_make_registry_validates_kind_and_arguments():
    assert type(make_registry()) is InMemoryRegistry
    with pytest.raises(ValueError, match=r"kind must be one of \['memory', 'mlflow'\], got 'sql'"):
        make_registry("sql")
    with pytest.raises(ValueError, match=r"takes no arguments, got \['tracking_dir'\]"):
        make_registry("memory", tracking_dir="x")


# ------------------------------------------------------------------ MLflow

# One store for the module: creating an MLflow SQLite store runs ~100 schema migrations.


@contextlib.contextmanager
def _sqlite_without_fsync(db_path: Path) -> Iterator[None]:
    """Skip fsync on the test store's connections while MLflow creates it.

    The migrations commit one by one and each commit waits on the disk: 1-2 s on a quiet
    machine, 5-15 s on a busy CI runner. Only durability after a crash is given up,
    which a test store in tmp_path does not need; only connections to ``db_path`` are
    touched, and the hook is removed again.
    """
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def no_fsync(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        files = [row[2] for row in cursor.execute("PRAGMA database_list")]
        if str(db_path) in files:
            cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()

    event.listen(Engine, "connect", no_fsync)
    try:
        yield
    finally:
        event.remove(Engine, "connect", no_fsync)


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


@pytest.fixture(scope="module")
def mlflow_reg(tmp_path_factory, iris):
    from river import tree

    X, y = iris
    tracking_dir = tmp_path_factory.mktemp("mlruns").resolve()
    with _sqlite_without_fsync(tracking_dir / "mlflow.db"):
        reg = MLflowRegistry(tracking_dir, model_name=MODEL_NAME)
    reg.register(
        LogisticRegression(max_iter=500).fit(X[:100], y[:100]),
        created_at=100,
        trained_on=(0, 100),
        n_train=100,
        metrics={"gate_accuracy": 0.9},
        tags={"reason": "initial"},
    )
    reg.register(
        DecisionTreeClassifier(random_state=0).fit(X, y),
        created_at=150,
        trained_on=(50, 150),
        n_train=90,
        parent=1,
        metrics={"gate_accuracy": 0.95, "gate_delta": np.float64(0.05)},
    )
    river_model = tree.HoeffdingTreeClassifier()
    for xi, yi in zip(X[:60], y[:60], strict=True):
        river_model.learn_one(dict(enumerate(xi)), int(yi))
    reg.register(river_model, created_at=160, trained_on=(0, 60), n_train=60, parent=2)
    return reg


def _mlflow_versions(reg: MLflowRegistry) -> dict[int, object]:
    found = reg.client.search_model_versions(f"name='{reg.model_name}'")
    return {int(mv.version): mv for mv in found}


def _mlflow_aliases(reg: MLflowRegistry) -> dict[str, int]:
    model = reg.client.get_registered_model(reg.model_name)
    return {alias: int(version) for alias, version in model.aliases.items()}


def test_mlflow_store_lives_under_the_tracking_dir(mlflow_reg):
    assert mlflow_reg.tracking_uri == f"sqlite:///{mlflow_reg.tracking_dir / 'mlflow.db'}"
    assert (mlflow_reg.tracking_dir / "mlflow.db").is_file()
    assert (mlflow_reg.tracking_dir / "artifacts").is_dir()


def test_mlflow_has_one_registered_version_per_registration(mlflow_reg):
    versions = _mlflow_versions(mlflow_reg)
    assert sorted(versions)[:3] == [1, 2, 3]
    for v in (1, 2, 3):
        assert mlflow_reg.mlflow_version(v) == v  # fresh store: the numbers coincide
        assert versions[v].tags["driftsim.version"] == str(v)
        assert versions[v].run_id == mlflow_reg.run_id(v)
    assert versions[1].tags["driftsim.flavor"] == "sklearn"
    assert versions[3].tags["driftsim.flavor"] == "pickle"
    run = mlflow_reg.client.get_run(mlflow_reg.run_id(2))
    assert run.info.run_name == "v2"
    assert run.data.params == {
        "version": "2",
        "created_at": "150",
        "trained_start": "50",
        "trained_end": "150",
        "n_train": "90",
        "parent": "1",
    }
    assert run.data.metrics == {"gate_accuracy": 0.95, "gate_delta": 0.05}
    assert mlflow_reg.client.get_run(mlflow_reg.run_id(1)).data.tags["reason"] == "initial"


def test_mlflow_aliases_follow_promote_and_rollback(mlflow_reg):
    for alias in list(mlflow_reg.aliases()):
        mlflow_reg.remove_alias(alias)
    assert _mlflow_aliases(mlflow_reg) == {}
    mlflow_reg.promote(1)
    assert _mlflow_aliases(mlflow_reg) == {CHAMPION: 1}
    mlflow_reg.set_alias(CHALLENGER, 2)
    assert _mlflow_aliases(mlflow_reg) == {CHAMPION: 1, CHALLENGER: 2}
    mlflow_reg.promote(CHALLENGER)
    assert _mlflow_aliases(mlflow_reg) == {CHAMPION: 2, PREVIOUS: 1}
    champion = mlflow_reg.client.get_model_version_by_alias(mlflow_reg.model_name, CHAMPION)
    assert int(champion.version) == 2
    mlflow_reg.rollback()
    assert _mlflow_aliases(mlflow_reg) == {CHAMPION: 1, PREVIOUS: 2} == mlflow_reg.aliases()


def test_mlflow_load_model_round_trips_sklearn_predictions(mlflow_reg, iris):
    X, _ = iris
    for v in (1, 2):
        loaded = mlflow_reg.load_model(v)
        assert loaded is not mlflow_reg.get(v).model
        assert type(loaded) is type(mlflow_reg.get(v).model)
        np.testing.assert_array_equal(loaded.predict(X), mlflow_reg.get(v).model.predict(X))
        np.testing.assert_array_equal(
            loaded.predict_proba(X), mlflow_reg.get(v).model.predict_proba(X)
        )


def test_mlflow_load_model_round_trips_a_river_model(mlflow_reg, iris):
    X, _ = iris
    original, loaded = mlflow_reg.get(3).model, mlflow_reg.load_model(3)
    assert loaded is not original
    rows = [dict(enumerate(x)) for x in X[::7]]
    assert [loaded.predict_one(r) for r in rows] == [original.predict_one(r) for r in rows]


def test_mlflow_update_metrics_logs_to_the_version_run(mlflow_reg):
    mlflow_reg.update_metrics(1, {"live_accuracy": 0.8, "unbounded": float("inf")})
    assert mlflow_reg.get(1).metrics["live_accuracy"] == 0.8
    assert mlflow_reg.get(1).metrics["unbounded"] == float("inf")  # kept in memory only
    metrics = mlflow_reg.client.get_run(mlflow_reg.run_id(1)).data.metrics
    assert metrics["live_accuracy"] == 0.8 and "unbounded" not in metrics


def test_mlflow_failed_register_changes_nothing(mlflow_reg):
    import threading

    n_before, mlflow_before = len(mlflow_reg), len(_mlflow_versions(mlflow_reg))
    with pytest.raises(ValueError, match="cannot store a lock in MLflow"):
        mlflow_reg.register(threading.Lock(), created_at=0, trained_on=(0, 1), n_train=1)
    assert len(mlflow_reg) == n_before
    assert len(_mlflow_versions(mlflow_reg)) == mlflow_before


def test_mlflow_rejects_bad_aliases_before_touching_the_store(mlflow_reg):
    before = _mlflow_aliases(mlflow_reg)
    with pytest.raises(ValueError, match="alias 'latest' is reserved"):
        mlflow_reg.set_alias("latest", 1)
    with pytest.raises(KeyError, match="version 99 is not registered"):
        mlflow_reg.set_alias(CHAMPION, 99)
    assert _mlflow_aliases(mlflow_reg) == before


def test_two_mlflow_registries_do_not_interfere(mlflow_reg, iris):
    """A second registry on the same store (another model name) keeps to its own model.

    It shares the store only because creating a store costs seconds; each registry has
    its own client and neither sets MLflow's global tracking URI.
    """
    import mlflow

    X, y = iris
    other = make_registry("mlflow", tracking_dir=mlflow_reg.tracking_dir, model_name="other")
    assert isinstance(other, MLflowRegistry)
    n_first, aliases_first = len(_mlflow_versions(mlflow_reg)), _mlflow_aliases(mlflow_reg)
    other.register(
        LogisticRegression(max_iter=500).fit(X, y), created_at=0, trained_on=(0, 150), n_train=150
    )
    other.promote(1)
    assert list(_mlflow_versions(other)) == [1]
    assert _mlflow_aliases(other) == {CHAMPION: 1}
    assert len(_mlflow_versions(mlflow_reg)) == n_first
    assert _mlflow_aliases(mlflow_reg) == aliases_first
    assert other.experiment_id != mlflow_reg.experiment_id
    assert mlflow.get_tracking_uri() != mlflow_reg.tracking_uri


def test_mlflow_reopened_store_numbers_new_versions_after_the_old_ones(mlflow_reg):
    n_old = len(_mlflow_versions(mlflow_reg))
    again = MLflowRegistry(mlflow_reg.tracking_dir, model_name=mlflow_reg.model_name)
    assert len(again) == 0 and again.experiment_id == mlflow_reg.experiment_id
    mv = again.register("again", created_at=0, trained_on=(0, 1), n_train=1)
    assert (mv.version, again.mlflow_version(1)) == (1, n_old + 1)
    assert _mlflow_versions(again)[n_old + 1].tags["driftsim.version"] == "1"
    assert again.load_model(1) == "again"
    assert again.get(1).model == "again" and mlflow_reg.get(1).model != "again"


def test_mlflow_model_name_is_validated(tmp_path):
    with pytest.raises(ValueError, match="model_name must be a non-empty name without"):
        MLflowRegistry(tmp_path, model_name="a/b")
