"""Conformance checks run over every window test in ``detectors.window``.

Each check is parametrised over one configured instance per public test class (ids
like ``KS:check_name``, as scikit-learn's ``parametrize_with_checks`` names them),
so a new test class gets the whole interface contract by being added to ``TESTS``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import detectors.window as window
from detectors.window import (
    KS,
    MMD,
    PSI,
    AndersonDarling,
    AutoTest,
    ChiSquared,
    ClassifierTest,
    CramerVonMises,
    Energy,
    Hellinger,
    JensenShannon,
    NotFittedError,
    SegmentedTest,
    TestResult,
    Wasserstein,
    WindowTest,
)

# cheap settings: the conformance checks test the interface, not the statistics
TESTS = [
    KS(),
    CramerVonMises(),
    AndersonDarling(),
    ChiSquared(),
    PSI(),
    Wasserstein(),
    JensenShannon(),
    Hellinger(),
    MMD(n_permutations=20),
    MMD(estimator="block"),
    MMD(estimator="linear"),
    Energy(n_permutations=20),
    Energy(n_permutations=0, threshold=0.5),
    ClassifierTest(classifier=LogisticRegression(), n_permutations=50),
    AutoTest(),
    SegmentedTest(KS(), segment=0, min_samples_segment=5),
]
UNIVARIATE = (
    KS,
    CramerVonMises,
    AndersonDarling,
    ChiSquared,
    PSI,
    Wasserstein,
    JensenShannon,
    Hellinger,
    AutoTest,
)


def _id(test: object) -> str:
    return type(test).__name__


def _data(test: object, n: int = 60, d: int = 3, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if isinstance(test, ChiSquared):
        return rng.integers(0, 4, size=(n, d)).astype(float)
    X = rng.normal(size=(n, d))
    if isinstance(test, SegmentedTest):
        X[:, 0] = rng.integers(0, 2, size=n)  # the segment column
    return X


def test_every_public_test_class_is_checked() -> None:
    """A class exported by the package but missing from TESTS would skip the contract."""
    exported = {
        name
        for name in window.__all__
        if isinstance(getattr(window, name), type)
        and issubclass(getattr(window, name), window.BaseWindowTest)
        and name not in ("BaseWindowTest", "UnivariateWindowTest")
    }
    assert exported == {type(t).__name__ for t in TESTS}


@pytest.mark.parametrize("proto", TESTS, ids=_id)
def test_satisfies_protocol_and_returns_result(proto: object) -> None:
    test = proto.clone()
    assert isinstance(test, WindowTest)
    assert test.fit(_data(test)) is test
    result = test.test(_data(test, n=40, seed=1))
    assert isinstance(result, TestResult)
    assert isinstance(result.statistic, float) and np.isfinite(result.statistic)
    assert isinstance(result.drift, bool)
    assert result.p_value is None or (
        isinstance(result.p_value, float) and 0.0 <= result.p_value <= 1.0
    )
    assert isinstance(result.threshold, float)
    assert result.test == type(test).__name__


@pytest.mark.parametrize("proto", TESTS, ids=_id)
def test_per_feature_shape(proto: object) -> None:
    test = proto.clone().fit(_data(proto))
    result = test.test(_data(proto, n=40, seed=1))
    if isinstance(test, UNIVARIATE):
        pf = result.per_feature
        assert len(pf) == 3 and pf.names == ("x0", "x1", "x2")
        assert pf.statistic.shape == pf.threshold.shape == pf.drift.shape == (3,)
        assert pf.drift.dtype == bool
        assert result.drift_share == pf.drift.mean()
        assert len(pf.to_records()) == 3
    else:
        assert result.per_feature is None and result.drift_share is None


@pytest.mark.parametrize("proto", TESTS, ids=_id)
def test_params_clone_and_repr(proto: object) -> None:
    params = proto.get_params()
    rebuilt = type(proto)(**params)
    assert repr(rebuilt) == repr(proto)
    assert repr(proto).startswith(f"{type(proto).__name__}(")
    fitted = proto.clone().fit(_data(proto))
    fresh = fitted.clone()
    assert not hasattr(fresh, "n_features_in_")
    with pytest.raises(NotFittedError):
        fresh.test(_data(proto))


@pytest.mark.parametrize("proto", TESTS, ids=_id)
def test_test_before_fit_is_a_clear_error(proto: object) -> None:
    with pytest.raises(ValueError, match=f"{type(proto).__name__} is not fitted"):
        proto.clone().test(_data(proto))


@pytest.mark.parametrize("proto", TESTS, ids=_id)
def test_bad_windows_raise_value_errors(proto: object) -> None:
    test = proto.clone().fit(_data(proto))
    with pytest.raises(ValueError, match="window is empty"):
        test.test(np.empty((0, 3)))
    with pytest.raises(ValueError, match="window narrower than the reference"):
        test.test(_data(proto, d=2))
    with pytest.raises(ValueError, match="window wider than the reference"):
        test.test(_data(proto, d=4))
    bad = _data(proto)
    bad[5, 1] = np.nan
    with pytest.raises(ValueError, match=r"window contains a non-finite value \(nan\)"):
        test.test(bad)
    with pytest.raises(ValueError, match="1-d array"):
        test.test(np.zeros((4, 3, 2)))


@pytest.mark.parametrize("proto", TESTS, ids=_id)
def test_bad_references_raise_value_errors(proto: object) -> None:
    test = proto.clone()
    with pytest.raises(ValueError, match="reference is empty"):
        test.fit(np.empty((0, 2)))
    bad = _data(proto)
    bad[0, 0] = np.inf
    with pytest.raises(ValueError, match="reference contains a non-finite value"):
        test.fit(bad)
    if test.min_samples > 1:
        with pytest.raises(ValueError, match=f"needs at least {test.min_samples} samples"):
            test.fit(np.zeros((1, 2)))
        with pytest.raises(ValueError, match="in the window, got 1"):
            test.fit(_data(proto, d=2)).test(np.zeros((1, 2)))


@pytest.mark.parametrize("proto", TESTS, ids=_id)
def test_refit_replaces_the_reference(proto: object) -> None:
    first, second, win = _data(proto, seed=0), _data(proto, seed=1) + 0.5, _data(proto, seed=2)
    refitted = proto.clone().fit(first).fit(second)
    fresh = proto.clone().fit(second)
    a, b = refitted.test(win), fresh.test(win)
    assert (a.statistic, a.p_value, a.drift) == (b.statistic, b.p_value, b.drift)


# A segmented test needs its segment column and a feature: tests/test_segments.py
# checks that one column is refused with a clear error.
@pytest.mark.parametrize(
    "proto", [t for t in TESTS if not isinstance(t, SegmentedTest)], ids=_id
)
def test_one_dimensional_input_is_one_feature(proto: object) -> None:
    ref, win = _data(proto, d=1), _data(proto, n=40, d=1, seed=1)
    flat = proto.clone().fit(ref[:, 0]).test(win[:, 0])
    column = proto.clone().fit(ref).test(win)
    assert (flat.statistic, flat.p_value, flat.drift) == (
        column.statistic,
        column.p_value,
        column.drift,
    )


@pytest.mark.parametrize("proto", TESTS, ids=_id)
def test_results_are_deterministic(proto: object) -> None:
    ref, win = _data(proto), _data(proto, n=40, seed=1)
    test = proto.clone().fit(ref)
    a, b = test.test(win), test.test(win)
    c = proto.clone().fit(ref).test(win)
    assert (a.statistic, a.p_value) == (b.statistic, b.p_value) == (c.statistic, c.p_value)


@pytest.mark.parametrize("proto", TESTS, ids=_id)
def test_equal_constant_features_give_no_drift(proto: object) -> None:
    """Both samples one and the same constant: defined, finite, and no drift."""
    ref, win = np.full((50, 2), 3.0), np.full((30, 2), 3.0)
    result = proto.clone().fit(ref).test(win)
    assert np.isfinite(result.statistic)
    assert not result.drift
    if result.per_feature is not None:
        assert np.isfinite(result.per_feature.statistic).all()
        assert not result.per_feature.drift.any()


@pytest.mark.parametrize("proto", TESTS, ids=_id)
def test_different_constants_are_defined(proto: object) -> None:
    """Reference constant at 0, window constant at 1 (or a moved category): no NaN."""
    result = proto.clone().fit(np.zeros((50, 2))).test(np.ones((30, 2)))
    assert np.isfinite(result.statistic)
    if result.p_value is not None:
        assert 0.0 <= result.p_value <= 1.0


@pytest.mark.parametrize("proto", [t for t in TESTS if isinstance(t, UNIVARIATE)], ids=_id)
def test_feature_names_are_carried(proto: object) -> None:
    ref, win = _data(proto), _data(proto, n=40, seed=1)
    named = proto.clone(feature_names=["a", "b", "c"]).fit(ref).test(win)
    assert named.per_feature.names == ("a", "b", "c")
    frame = proto.clone().fit(pd.DataFrame(ref, columns=["u", "v", "w"])).test(win)
    assert frame.per_feature.names == ("u", "v", "w")
    with pytest.raises(ValueError, match="feature_names has 2 names but the reference has 3"):
        proto.clone(feature_names=["a", "b"]).fit(ref)


@pytest.mark.parametrize(
    ("cls", "kwargs", "message"),
    [
        (KS, {"alpha": 0.0}, "alpha must be > 0.0"),
        (KS, {"alpha": 1.5}, "alpha must be <= 1.0"),
        (KS, {"correction": "holm"}, "correction must be one of"),
        (KS, {"share": 0.0}, "share must be > 0.0"),
        (KS, {"method": "fast"}, "method must be one of"),
        (CramerVonMises, {"method": "exactly"}, "method must be one of"),
        (ChiSquared, {"yates": "yes"}, "yates must be True or False"),
        (PSI, {"bins": 1}, "bins must be >= 2"),
        (PSI, {"eps": 0.0}, "eps must be > 0.0"),
        (PSI, {"correction": "bonferroni"}, "PSI gives no p-values"),
        (Wasserstein, {"threshold": -1.0}, "threshold must be >= 0.0"),
        (Wasserstein, {"normalize": 1}, "normalize must be True or False"),
        (JensenShannon, {"correction": "fdr_bh"}, "JensenShannon gives no p-values"),
        (Hellinger, {"bins": 0}, "bins must be >= 1"),
        (MMD, {"n_permutations": 0}, "n_permutations must be >= 1"),
        (MMD, {"bandwidth": 0.0}, "bandwidth must be > 0.0"),
        (MMD, {"seed": -1}, "seed must be >= 0"),
        (Energy, {"n_permutations": 0}, "needs a threshold"),
        (Energy, {"standardize": "no"}, "standardize must be True or False"),
        (ClassifierTest, {"classifier": object()}, "classifier must be a scikit-learn"),
        (ClassifierTest, {"train_size": 1.0}, "train_size must be < 1.0"),
        (ClassifierTest, {"p_value_method": "exact"}, "p_value_method must be one of"),
        (AutoTest, {"feature_kinds": ["numeric", "text"]}, "feature kind must be one of"),
        (AutoTest, {"max_categories": 0}, "max_categories must be >= 1"),
    ],
)
def test_bad_parameters_name_the_value(cls: type, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cls(**kwargs)
