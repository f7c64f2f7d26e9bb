"""Bad inputs to the deployment loop: references between its objects, label settings,
and models that misbehave. Each error names the bad value and what is allowed."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from detectors import ADWIN
from detectors.window import KS
from simulator.datasets import load_dataset
from simulator.drift import Drift
from simulator.loop import DeploymentLoop
from simulator.monitors import Monitor
from simulator.policies import DriftTriggered
from simulator.stream import DriftStream

IRIS = load_dataset("iris")


def stream(n: int = 1500) -> DriftStream:
    return DriftStream(IRIS, [Drift("concept", 700, classes=(0, 1))], n_samples=n, seed=2)


def assert_names(exc: pytest.ExceptionInfo, *parts: str) -> None:
    message = str(exc.value)
    for part in parts:
        assert part in message, (part, message)


# --- references between objects ----------------------------------------------------------
def test_a_policy_monitor_typo_names_the_typo_and_the_known_monitors():
    monitors = [Monitor("error", ADWIN(), name="ADWIN"), Monitor("features", KS(), name="KS")]
    with pytest.raises(ValueError) as exc:
        DeploymentLoop(stream(), monitors=monitors, policy=DriftTriggered(monitors=["ADWN"]))
    assert_names(exc, "'ADWN'", "known monitors", "['ADWIN', 'KS']")


def test_a_policy_naming_an_existing_monitor_is_accepted_and_acts():
    loop = DeploymentLoop(stream(), monitors=[Monitor("error", ADWIN(), name="ADWIN")],
                          policy=DriftTriggered(monitors=["ADWIN"]))
    assert loop.run().events_of("retrain_start")  # the named monitor drives retraining


def test_a_window_longer_than_the_stream_is_refused():
    with pytest.raises(ValueError) as exc:
        DeploymentLoop(DriftStream(IRIS, n_samples=600),
                       monitors=[Monitor("features", KS(), window=800, name="ks")])
    assert_names(exc, "'ks'", "window=800", "600 samples", "<= n_samples")


def test_one_detector_object_on_two_monitors_is_refused():
    shared = ADWIN()
    monitors = [Monitor("error", shared, name="err"), Monitor("loss", shared, name="loss")]
    with pytest.raises(ValueError) as exc:
        DeploymentLoop(stream(), monitors=monitors)
    assert_names(exc, "'err'", "'loss'", "ADWIN", "clone()")


def test_duplicate_monitor_names_are_refused():
    monitors = [Monitor("error", ADWIN(), name="m"), Monitor("loss", ADWIN(), name="m")]
    with pytest.raises(ValueError) as exc:
        DeploymentLoop(stream(), monitors=monitors)
    assert_names(exc, "unique", "['m']")


# --- label settings ----------------------------------------------------------------------
@pytest.mark.parametrize("delay", [1500, 4000, (1500, 1600)])
def test_a_label_delay_that_reveals_nothing_is_refused(delay):
    with pytest.raises(ValueError) as exc:
        DeploymentLoop(stream(1500), label_delay=delay)
    assert_names(exc, f"label_delay {delay!r}", "1500 samples", "< n_samples")


@pytest.mark.parametrize("delay", [(300, 100), (1, 2, 3), (-1, 5), -3, 2.5, "200"])
def test_a_malformed_label_delay_is_refused(delay):
    with pytest.raises(ValueError) as exc:
        DeploymentLoop(stream(), label_delay=delay)
    assert_names(exc, "label_delay", repr(delay) if not isinstance(delay, int) else "-3")


@pytest.mark.parametrize(
    ("fraction", "allowed"),
    [(0.0, "> 0.0"), (1.5, "<= 1.0"), (float("nan"), "a number"), ("half", "a number")],
)
def test_a_label_fraction_outside_zero_to_one_is_refused(fraction, allowed):
    with pytest.raises(ValueError) as exc:
        DeploymentLoop(stream(), label_fraction=fraction)
    assert_names(exc, "label_fraction", allowed)


def test_a_stream_without_an_end_is_refused():
    with pytest.raises(ValueError) as exc:
        DeploymentLoop(DriftStream(IRIS))
    assert_names(exc, "stream must be finite", "n_samples=<int>")


# --- models that misbehave ---------------------------------------------------------------
class Garbage(ClassifierMixin, BaseEstimator):
    """A logistic regression whose probabilities, once it serves, are broken by
    ``kind``: nan, sevens, short, wide, negative."""

    def __init__(self, kind: str = "nan") -> None:
        self.kind = kind

    def fit(self, X, y):
        self.model_ = LogisticRegression(max_iter=500).fit(X, y)
        self.classes_ = self.model_.classes_
        self.calls_ = 0
        return self

    def predict_proba(self, X):
        p = self.model_.predict_proba(X)
        self.calls_ += 1
        if self.calls_ <= 2:  # the initial model's holdout score, the monitors' reference
            return p
        if self.kind == "nan":
            p[1, 0] = np.nan
        elif self.kind == "sevens":
            p[:] = 7.0
        elif self.kind == "short":
            p = p[:-1]
        elif self.kind == "wide":
            p = np.hstack([p, np.zeros((len(p), 1))])
        elif self.kind == "negative":
            p[2] = [1.5, -0.5, 0.0]
        return p


@pytest.mark.parametrize(
    ("kind", "parts"),
    [
        ("nan", ["Garbage", "non-finite", "sample 1", "must be finite"]),
        ("sevens", ["Garbage", "sample 0", "sum to 21", "must sum to 1"]),
        ("short", ["Garbage", "shape (499, 3)", "500 rows", "expected (500, 3)"]),
        ("wide", ["Garbage", "shape (500, 4)", "expected (500, 3)"]),
        ("negative", ["Garbage", "negative probability", "sample 2", "[0, 1]"]),
    ],
)
def test_garbage_from_the_model_is_refused_naming_model_and_sample(kind, parts):
    loop = DeploymentLoop(stream(), model=Garbage(kind))
    with pytest.raises(ValueError) as exc:
        loop.run()
    assert_names(exc, *parts)


class FailsToFit(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        raise np.linalg.LinAlgError("singular matrix")


def test_a_model_failing_its_initial_training_is_wrapped_with_the_cause_chained():
    loop = DeploymentLoop(stream(), model=FailsToFit())
    with pytest.raises(RuntimeError) as exc:
        loop.run()
    assert_names(exc, "FailsToFit", "initial training set", "500 samples", "'iris'",
                 "LinAlgError: singular matrix", "scikit-learn classifier")
    assert isinstance(exc.value.__cause__, np.linalg.LinAlgError)
