"""The fleet: spec, shared constraints, engines, health, the lockstep runner."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.fleet import (
    Budget,
    FleetEngine,
    FleetSpec,
    FleetView,
    Governance,
    GovernanceBoard,
    JoblibExecutor,
    ModelSpec,
    SourceFault,
    make_engine,
    make_fleet,
    run_fleet,
)

N_SAMPLES = 20_000


@pytest.fixture(scope="module")
def fleet():
    faults = [SourceFault("src000", 8_000, 4_000, "unit")]
    return make_fleet(10, seed=5, n_samples=N_SAMPLES, n_sources=2, faults=faults)


@pytest.fixture(scope="module")
def result(fleet):
    return run_fleet(fleet, "fleet", budget=Budget(slots=2, money_per_tick=300.0),
                     governance=Governance(reviews_per_tick=1, latency=2, rejection_rate=0.3))


def _same(a, b):
    for name in ("true_accuracy", "measured_accuracy", "alarm", "data_quality", "version",
                 "deployed", "rolled_back", "health", "loss", "spend", "slots_busy"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.jobs == b.jobs


def test_a_larger_fleet_starts_with_the_smaller_one():
    small = make_fleet(5, seed=9, n_samples=10_000, n_sources=3)
    large = make_fleet(40, seed=9, n_samples=10_000, n_sources=3)
    assert large.models[:5] == small.models
    assert make_fleet(5, seed=10, n_samples=10_000, n_sources=3).models != small.models


def test_spec_rejects_bad_values_by_name():
    with pytest.raises(ValueError, match="tier must be one of"):
        ModelSpec("a", tier="gold")
    with pytest.raises(ValueError, match="model names must be unique"):
        FleetSpec((ModelSpec("a"), ModelSpec("a")))
    with pytest.raises(ValueError, match="fault source 'nowhere' is read by no model"):
        FleetSpec((ModelSpec("a", sources=("s",)),), faults=(SourceFault("nowhere", 0, 10),))
    with pytest.raises(ValueError, match="engine must be one of"):
        make_engine("greedy")


def test_a_source_fault_reaches_every_reader_at_the_same_sample(fleet):
    readers = fleet.readers("src000")
    assert 1 < len(readers) < fleet.n_models
    for i in range(fleet.n_models):
        faults = [d for d in fleet.drifts_of(i) if d.kind == "pipeline"]
        assert [d.start for d in faults] == ([8_000] if i in readers else [])


def test_the_fault_is_a_correlated_incident_in_quality_and_health(fleet, result):
    readers = fleet.readers("src000")
    others = [i for i in range(fleet.n_models) if i not in readers]
    during, before = slice(8, 12), slice(2, 8)
    q = result.data_quality
    assert (q[readers, during] > 0.5).all()  # every reader, every faulty tick
    # Non-readers stay below the readers (a large covariate shift of their own may
    # still push some values out of their envelope).
    assert (q[others, during] < 0.5).all()
    assert (q[readers, before] < 0.05).all()
    drop = result.health[readers, before].mean() - result.health[readers, during].mean()
    assert drop > 10


def test_the_budget_caps_slots_and_money(result):
    assert result.slots_busy.max() <= 2
    assert result.spend.max() <= 300.0
    started = [j for j in result.jobs if j["started"] is not None]
    assert started and all(j["started"] > j["requested"] for j in started)


def test_governed_models_deploy_only_after_an_approved_review(fleet, result):
    high = {i for i, m in enumerate(fleet.models) if m.tier == "high"}
    reviewed = [j for j in result.jobs if j["submitted"] is not None]
    assert reviewed, "no candidate reached the board"
    for j in result.jobs:
        if j["model"] in high and j["deployed"] is not None:
            assert j["approved"] is True
            assert j["deployed"] >= j["submitted"] + 2 + 1
        if j["model"] not in high:
            assert j["submitted"] is None
    for j in reviewed:
        if j["approved"] is False:
            assert j["deployed"] is None


def test_every_deployment_and_rollback_is_a_new_version(result):
    # A deployment serves from its tick; a rollback is decided when the labels of
    # the new model's first tick arrive, and the old model serves from the next tick.
    changed = np.diff(result.version, axis=1) != 0
    assert np.array_equal(changed, result.deployed[:, 1:] | result.rolled_back[:, :-1])
    assert result.deployed.sum() > 0


def test_board_reviews_a_limited_number_per_tick_with_seeded_outcomes():
    board = GovernanceBoard(Governance(reviews_per_tick=2, latency=1, rejection_rate=0.5), 3)
    for m in range(5):
        board.submit(m, m, 0)
    decided = [board.advance(t) for t in range(5)]
    assert [len(d) for d in decided] == [0, 2, 2, 1, 0]
    again = GovernanceBoard(Governance(reviews_per_tick=2, latency=1, rejection_rate=0.5), 3)
    for m in range(5):
        again.submit(m, m, 0)
    assert [again.advance(t) for t in range(5)] == decided
    outcomes = {ok for d in decided for _, _, ok in d}
    assert outcomes == {True, False}


def test_the_fleet_engine_ranks_by_value_and_drops_what_is_not_worth_it():
    view = FleetView.example()
    engine = FleetEngine(horizon=10)
    value = engine.value(view)
    order, drop = engine.rank(view, np.array([0, 1, 2]), np.array([0, 0, 0]))
    assert list(value[order]) == sorted(value, reverse=True)
    assert list(drop) == list(value <= 0)


def test_a_run_is_deterministic_and_the_same_on_joblib_workers(fleet, result):
    again = run_fleet(fleet, "fleet", budget=Budget(slots=2, money_per_tick=300.0),
                      governance=Governance(reviews_per_tick=1, latency=2, rejection_rate=0.3))
    _same(result, again)
    parallel = run_fleet(fleet, "fleet", budget=Budget(slots=2, money_per_tick=300.0),
                         governance=Governance(reviews_per_tick=1, latency=2,
                                               rejection_rate=0.3),
                         executor=JoblibExecutor(n_jobs=2, backend="loky"))
    _same(result, parallel)


def test_retraining_engines_recover_a_harmful_concept_drift():
    from simulator.drift import Drift

    model = ModelSpec("m", "wine", tier="medium", label_delay=1, error_cost=2.0,
                      drifts=(Drift("concept", 6_000, classes=(0, 1)),))
    spec = FleetSpec((model,), n_samples=N_SAMPLES, tick_size=1000, seed=1)
    never = run_fleet(spec, make_engine("periodic", period=10_000))
    assert not never.jobs
    for engine in ("drift_fcfs", "cost_aware", "fleet", "oracle"):
        r = run_fleet(spec, engine)
        assert r.deployed[0, 6:].any(), engine
        assert r.loss.sum() < 0.5 * never.loss.sum(), engine
        assert r.true_accuracy[0, -5:].mean() > 0.9, engine


@pytest.mark.parametrize("dataset", ["iris", "breast_cancer"])
def test_the_fast_linear_path_predicts_what_scikit_learn_predicts(dataset):
    from simulator.datasets import load_dataset
    from simulator.fleet.lane import _Linear
    from simulator.stream import _default_model

    data = load_dataset(dataset)
    model = _default_model(data.n_features, data.n_classes).fit(data.X, data.y)
    X = data.X + np.random.default_rng(0).normal(0, 0.5, data.X.shape) * data.X.std(axis=0)
    np.testing.assert_array_equal(_Linear(model).predict(X), model.predict(X))
