"""Unit tests of KSWIN and its parts: the KS statistic (against scipy), the critical count
(against scipy's ``ks_2samp`` decision), and the in-kernel copy of Python's ``random``
(against ``random.Random``). Index agreement with river: test_river_agreement_group2."""

from __future__ import annotations

import pickle
import random
import warnings

import numpy as np
import pytest
from scipy import stats

from detectors.kswin import (
    _MT_N,
    _MT_POS,
    KSWIN,
    _bit_shifts,
    _critical_count,
    _ks_count,
    _mt_next,
    _python_random_state,
    _sample,
    _sample_uses_pool,
)


def _stream(seed: int, n: int = 6000) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.normal(np.repeat([0.0, 1.0, 0.0], n // 3), 1.0)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"alpha": -0.1}, "alpha"),
        ({"alpha": 1.5}, "alpha"),
        ({"window_size": 1}, "window_size"),
        ({"stat_size": 0}, "stat_size"),
        ({"window_size": 100, "stat_size": 51}, "stat_size"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"window": [0.0, float("nan")]}, "window"),
        ({"window": 3.0}, "window"),
        ({"window": [[1.0, 2.0]]}, "window"),
    ],
)
def test_invalid_parameters_name_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        KSWIN(**kwargs)


def test_stat_size_error_states_the_allowed_range():
    with pytest.raises(ValueError, match=r"stat_size must be <= window_size // 2 = 50"):
        KSWIN(window_size=100, stat_size=60)


@pytest.mark.parametrize("seed", range(6))
def test_ks_statistic_equals_scipy(seed):
    """For a fixed pair of windows, count / n is scipy's ``ks_2samp`` statistic exactly,
    with continuous data and with heavy ties (rounded and 0/1 data)."""
    rng = np.random.default_rng(seed)
    n = [30, 10, 50, 7, 30, 100][seed]
    shift = 0.3 * seed
    cases = [
        (rng.normal(0, 1, n), rng.normal(shift, 1, n)),
        (np.round(rng.normal(0, 1, n)), np.round(rng.normal(shift, 1, n))),
        ((rng.random(n) < 0.3) * 1.0, (rng.random(n) < 0.3 + 0.1 * seed) * 1.0),
    ]
    for a, b in cases:
        count = _ks_count(np.sort(a), np.sort(b))
        with warnings.catch_warnings():
            # scipy falls back to the asymptotic p-value for some tied cases; the
            # statistic is unaffected
            warnings.simplefilter("ignore", category=RuntimeWarning)
            assert count / n == stats.ks_2samp(a, b).statistic


@pytest.mark.parametrize(("n", "alpha"), [(30, 0.005), (30, 0.0001), (10, 0.05), (60, 0.01)])
def test_critical_count_is_scipys_decision(n, alpha):
    """The binary search finds the first count where river's condition (scipy p-value
    <= alpha and statistic > 0.1) holds, and the condition holds for every larger count."""
    base = np.arange(n, dtype=np.float64)
    decisions = []
    for k in range(n + 1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=RuntimeWarning)
            res = stats.ks_2samp(base, base + k, method="auto")
        decisions.append(bool(res.pvalue <= alpha and res.statistic > 0.1))
    k_crit = _critical_count(n, alpha)
    assert decisions == [k >= k_crit for k in range(n + 1)]
    assert 0 < k_crit <= n


def test_critical_count_never_when_alpha_is_zero():
    assert _critical_count(5, 0.0) == 6


@pytest.mark.parametrize("seed", [0, 1, 12345, 2**40 + 3])
def test_generator_matches_python_random(seed):
    """The kernel's Mersenne Twister, started from Python's seeding, gives
    ``random.Random(seed).getrandbits(32)`` word for word across a regeneration."""
    state = _python_random_state(seed)
    mt, ints = state[:_MT_N].copy(), np.zeros(3, dtype=np.int64)
    ints[_MT_POS] = state[_MT_N]
    reference = random.Random(seed)
    assert [_mt_next(mt, ints) for _ in range(1500)] == [
        reference.getrandbits(32) for _ in range(1500)
    ]


@pytest.mark.parametrize(("n", "k"), [(70, 30), (40, 20), (140, 10), (45, 5), (3, 3), (1000, 30)])
def test_sampler_matches_random_sample(n, k):
    """``_sample`` draws what ``random.Random(seed).sample(range(n), k)`` draws, call after
    call, on both of CPython's branches (pool and set)."""
    for seed in (1, 99):
        state = _python_random_state(seed)
        mt, ints = state[:_MT_N].copy(), np.zeros(3, dtype=np.int64)
        ints[_MT_POS] = state[_MT_N]
        shifts = _bit_shifts(n)
        pool = np.empty(n, dtype=np.int64)
        selected = np.zeros(n, dtype=np.bool_)
        out = np.empty(k, dtype=np.int64)
        reference = random.Random(seed)
        for _ in range(60):
            _sample(mt, ints, n, k, _sample_uses_pool(n, k), shifts, pool, selected, out)
            assert out.tolist() == reference.sample(range(n), k)
        assert not selected.any()
    assert _sample_uses_pool(70, 30) and not _sample_uses_pool(140, 10)


def test_detects_a_shift_and_stays_quiet_on_noise():
    rng = np.random.default_rng(8)
    quiet = rng.normal(0, 1, 20_000)
    assert KSWIN(alpha=0.0001, seed=3).update_many(quiet).size <= 2
    shifted = np.concatenate([quiet[:3000], quiet[3000:6000] + 2.0])
    drifts = KSWIN(alpha=0.0001, seed=3).update_many(shifted)
    assert np.any((drifts >= 3000) & (drifts < 3040))


@pytest.mark.parametrize(
    "kwargs", [{"seed": 1}, {"seed": 5, "window_size": 150, "stat_size": 10, "alpha": 0.02}]
)
def test_chunking_does_not_change_detections(kwargs):
    """The generator state lives in the detector: one call, random chunks and
    per-element ``update`` draw the same samples and flag the same indices."""
    xs = _stream(9)
    whole = KSWIN(**kwargs)
    expected = whole.update_many(xs).tolist()
    assert len(expected) >= 3
    rng = np.random.default_rng(10)
    cuts = np.sort(rng.choice(np.arange(1, xs.size), size=70, replace=False))
    chunked = KSWIN(**kwargs)
    got = []
    for start, stop in zip(np.r_[0, cuts], np.r_[cuts, xs.size], strict=True):
        got += (chunked.update_many(xs[start:stop]) + start).tolist()
    assert got == expected
    single = KSWIN(**kwargs)
    assert [i for i, x in enumerate(xs) if single.update(float(x))] == expected
    assert chunked.drift_detected == single.drift_detected == whole.drift_detected


def test_seeds_matter_and_unseeded_detectors_replay_after_reset():
    xs = _stream(11)
    assert KSWIN(seed=1).update_many(xs).tolist() != KSWIN(seed=2).update_many(xs).tolist()
    unseeded = KSWIN()
    first = unseeded.update_many(xs).tolist()
    unseeded.reset()
    assert unseeded.update_many(xs).tolist() == first
    assert unseeded.get_params()["seed"] is None


def test_prefilled_window_tests_from_the_first_value():
    rng = np.random.default_rng(12)
    history = rng.normal(0, 1, 250)
    xs = rng.normal(3, 1, 200)
    cold = KSWIN(seed=4).update_many(xs)
    warm = KSWIN(seed=4, window=history).update_many(xs)
    assert cold.size == 0 or cold[0] >= 99  # a cold window tests only once full
    assert warm.size and warm[0] < 40
    assert KSWIN(window=history, seed=4).get_params()["window"] == tuple(history.tolist())
    used = KSWIN(seed=4, window=history)
    used.update_many(xs)
    used.reset()
    assert used.update_many(xs).tolist() == warm.tolist()


def test_nan_rejected_pickle_and_clone():
    xs = _stream(13)
    bad = xs.copy()
    bad[77] = np.nan
    with pytest.raises(ValueError, match="position 77"):
        KSWIN(seed=1).update_many(bad)
    fresh = KSWIN(seed=1).update_many(xs).tolist()
    assert any(i >= 3000 for i in fresh)
    used = KSWIN(seed=1)
    used.update_many(xs[:3000])
    copy = pickle.loads(pickle.dumps(used))
    assert copy.update_many(xs[3000:]).tolist() == [i - 3000 for i in fresh if i >= 3000]
    assert KSWIN(seed=1).clone().update_many(xs).tolist() == fresh
    assert repr(KSWIN(seed=1)).startswith("KSWIN(alpha=0.005, window_size=100, stat_size=30")
