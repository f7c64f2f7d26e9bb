"""Bad inputs and faults at the public entry points of datasets, drifts, streams,
detectors, traces, alert sinks and registries.

Each case names the call, the exception type it must raise, and fragments its
message must contain: the bad value and what is allowed. Errors a dependency raises
deep inside (pandas, numpy, sqlite3, scikit-learn) are re-raised at our boundary as
``ValueError`` with our message, the original chained as ``__cause__``. The loop's
cross-object checks live in ``test_bad_inputs_loop.py``; configs, the Hydra CLI,
sweeps and aggregation in ``test_bad_inputs_experiments.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import detectors as D
from simulator.alerts import (
    Alert,
    AlertRouter,
    CallbackSink,
    JsonlSink,
    SmtpSink,
    SqliteSink,
    WebhookSink,
)
from simulator.datasets import load_dataset
from simulator.drift import Drift
from simulator.outbox import Outbox
from simulator.registry import InMemoryRegistry, make_registry
from simulator.stream import DriftStream
from simulator.trace import Trace, TraceBuilder


@dataclass(frozen=True)
class Case:
    """``call(files)`` must raise ``error`` whose message contains every fragment;
    ``deep`` says the dependency's own error must be chained as the cause."""

    id: str
    call: Callable[[Path], Any]
    error: type[BaseException]
    says: tuple[str, ...]
    deep: type[BaseException] | None = None


def _iris():
    return load_dataset("iris")


def _alert(t: int = 1, **kw: Any) -> Alert:
    return Alert(t, "m", "PH", "error", 0.1, 0.5, **kw)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Broken and odd files, written once."""
    f = tmp_path_factory.mktemp("bad")
    (f / "empty.csv").write_text("")
    (f / "nolabel.csv").write_text("a,b\n1,2\n3,4\n")
    (f / "nan.csv").write_text("a,label\n1,1\n,0\n")
    (f / "binary.csv").write_bytes(b"\xff\xfe\x00\x01garbage\x00")
    (f / "garbage.npz").write_bytes(b"garbage")
    (f / "half.npz").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    np.savez(f / "other.npz", a=np.arange(3))
    (f / "bad.jsonl").write_text('{"time": 1\n')
    (f / "partial.jsonl").write_text('{"time": 1}\n')
    (f / "text.db").write_text("hello" * 100)
    return f


CASES = [
    # ---- datasets and files
    Case("dataset-unknown-name", lambda f: load_dataset("irs"), ValueError,
         ("'irs'", "allowed", "iris")),
    Case("dataset-name-not-str", lambda f: load_dataset(3), ValueError, ("got 3", "string")),
    Case("dataset-missing-file", lambda f: load_dataset(str(f / "missing.csv")),
         FileNotFoundError, ("missing.csv", "does not exist")),
    Case("dataset-empty-csv", lambda f: load_dataset(str(f / "empty.csv"), target="y"),
         ValueError, ("empty.csv", "could not be read as CSV"), deep=ValueError),
    Case("dataset-binary-csv", lambda f: load_dataset(str(f / "binary.csv"), target="y"),
         ValueError, ("binary.csv", "could not be read as CSV"), deep=ValueError),
    Case("dataset-csv-without-target", lambda f: load_dataset(str(f / "nolabel.csv")),
         ValueError, ("nolabel.csv", "target=", "'a', 'b'")),
    Case("dataset-csv-unknown-target",
         lambda f: load_dataset(str(f / "nolabel.csv"), target="zzz"),
         ValueError, ("'zzz'", "not found", "'a', 'b'")),
    Case("dataset-csv-unknown-feature",
         lambda f: load_dataset(str(f / "nolabel.csv"), target="b", features=["q"]),
         ValueError, ("'q'", "allowed", "'a'")),
    Case("dataset-csv-missing-values",
         lambda f: load_dataset(str(f / "nan.csv"), target="label"), ValueError,
         ("nan.csv", "missing")),
    Case("dataset-csv-missing-option",
         lambda f: load_dataset(str(f / "nan.csv"), target="label", missing="fill"),
         ValueError, ("'fill'", "'error', 'drop'")),
    Case("dataset-file-unknown-option",
         lambda f: load_dataset(str(f / "nan.csv"), target="label", sep=";"),
         ValueError, ("'sep'", "allowed", "target")),
    Case("dataset-sklearn-option", lambda f: load_dataset("iris", foo=1), ValueError,
         ("iris", "no options", "foo")),
    Case("dataset-synth-option-range", lambda f: load_dataset("sea", noise=2), ValueError,
         ("noise", "<= 1.0", "got 2")),
    # ---- Drift
    Case("drift-kind", lambda f: Drift("concpt", 10), ValueError,
         ("'concpt'", "covariate", "concept")),
    Case("drift-start-negative", lambda f: Drift("concept", -1), ValueError,
         ("start", ">= 0", "-1")),
    Case("drift-start-float", lambda f: Drift("concept", 1.5), ValueError,
         ("start", "integer", "1.5")),
    Case("drift-start-str", lambda f: Drift("concept", "10"), ValueError,
         ("start", "integer", "'10'")),
    Case("drift-profile", lambda f: Drift("concept", 10, profile="sudden"), ValueError,
         ("'sudden'", "abrupt", "gradual")),
    Case("drift-width-negative", lambda f: Drift("concept", 10, width=-5, profile="gradual"),
         ValueError, ("width", "-5")),
    Case("drift-gradual-width-zero", lambda f: Drift("concept", 10, profile="gradual"),
         ValueError, ("width", ">= 1", "gradual")),
    Case("drift-transform", lambda f: Drift("covariate", 10, transform="shif"), ValueError,
         ("'shif'", "shift", "scale")),
    Case("drift-severity-nan", lambda f: Drift("covariate", 10, severity=float("nan")),
         ValueError, ("severity", "nan")),
    Case("drift-severity-range", lambda f: Drift("covariate", 10, severity=100), ValueError,
         ("severity", "[-10.0, 10.0]", "100")),
    Case("drift-recurring-duration", lambda f: Drift("concept", 10, profile="recurring"),
         ValueError, ("duration", "recurring", "None")),
    Case("drift-unknown-option", lambda f: Drift("concept", 10, foo=1), ValueError,
         ("'foo'", "allowed", "classes")),
    # ---- DriftStream
    Case("stream-unknown-feature",
         lambda f: DriftStream(_iris(), [Drift("covariate", 10, features=["nope"])],
                               n_samples=100),
         ValueError, ("'nope'", "allowed", "sepal length (cm)")),
    Case("stream-feature-index",
         lambda f: DriftStream(_iris(), [Drift("covariate", 10, features=[9])], n_samples=100),
         ValueError, ("index 9", "0..3")),
    Case("stream-class-out-of-range",
         lambda f: DriftStream(_iris(), [Drift("prior", 10, toward=7)], n_samples=100),
         ValueError, ("class 7", "0..2")),
    Case("stream-n-samples-zero", lambda f: DriftStream(_iris(), n_samples=0), ValueError,
         ("n_samples", ">= 1", "0")),
    Case("stream-seed-negative", lambda f: DriftStream(_iris(), seed=-1), ValueError,
         ("seed", ">= 0", "-1")),
    Case("stream-jitter", lambda f: DriftStream(_iris(), jitter=2), ValueError,
         ("jitter", "<= 1.0", "2")),
    Case("stream-drifts-not-list", lambda f: DriftStream(_iris(), 5), ValueError,
         ("drifts", "Scenario", "5")),
    Case("stream-drift-not-drift", lambda f: DriftStream(_iris(), [1]), ValueError,
         ("drifts[0]", "Drift", "int")),
    Case("stream-dataset-name", lambda f: DriftStream("iris"), ValueError,
         ("Dataset", "str")),
    Case("stream-batch-past-end", lambda f: DriftStream(_iris(), n_samples=10).batch(0, 20),
         ValueError, ("stop", "<= n_samples (10)", "20")),
    Case("stream-batch-negative", lambda f: DriftStream(_iris(), n_samples=10).batch(-1, 5),
         ValueError, ("start", ">= 0", "-1")),
    Case("stream-batches-size", lambda f: list(DriftStream(_iris(), n_samples=10).batches(0)),
         ValueError, ("size", ">= 1", "0")),
    Case("stream-harm-samples", lambda f: DriftStream(_iris(), harm_samples=3), ValueError,
         ("harm_samples", ">= 50", "3")),
    Case("stream-reference-model-not-estimator",
         lambda f: DriftStream(_iris(), [Drift("concept", 10)], n_samples=100,
                               reference_model=object()),
         ValueError, ("reference_model", "scikit-learn classifier", "object")),
    # ---- streaming detectors
    Case("adwin-delta-range", lambda f: D.ADWIN(delta=2), ValueError, ("delta", "< 1.0", "2")),
    Case("adwin-delta-str", lambda f: D.ADWIN(delta="x"), ValueError,
         ("delta", "number", "'x'")),
    Case("ph-threshold", lambda f: D.PageHinkley(threshold=-1), ValueError,
         ("threshold", "> 0.0", "-1")),
    Case("ph-mode", lambda f: D.PageHinkley(mode="upp"), ValueError, ("'upp'", "up", "both")),
    Case("kswin-stat-size", lambda f: D.KSWIN(window_size=10, stat_size=30), ValueError,
         ("stat_size", "window_size // 2 = 5", "30")),
    Case("cusum-h", lambda f: D.CUSUM(h=0), ValueError, ("h", "> 0.0", "got 0")),
    Case("ddm-update-nan", lambda f: D.DDM().update(float("nan")), ValueError,
         ("non-finite", "nan", "finite")),
    Case("ddm-update-str", lambda f: D.DDM().update("a"), ValueError,
         ("DDM.update", "one number", "'a'")),
    Case("adwin-update-none", lambda f: D.ADWIN().update(None), ValueError,
         ("ADWIN.update", "one number", "None")),
    Case("ddm-update-not-binary", lambda f: D.DDM().update(2.0), ValueError,
         ("binary", "0 or 1", "2.0")),
    Case("ddm-update-many-2d", lambda f: D.DDM().update_many(np.zeros((3, 3))), ValueError,
         ("one-dimensional", "(3, 3)")),
    Case("ddm-update-many-nan", lambda f: D.DDM().update_many(np.array([0, np.nan])),
         ValueError, ("non-finite", "position 1")),
    Case("ph-update-many-str", lambda f: D.PageHinkley().update_many("abc"), ValueError,
         ("xs", "numbers", "'abc'"), deep=ValueError),
    # ---- window tests
    Case("ks-alpha", lambda f: D.KS(alpha=2), ValueError, ("alpha", "<= 1.0", "2")),
    Case("ks-correction", lambda f: D.KS(correction="bonf"), ValueError,
         ("'bonf'", "bonferroni", "fdr_bh")),
    Case("ks-fit-empty", lambda f: D.KS().fit(np.zeros((0, 2))), ValueError,
         ("reference", "empty", "0 samples")),
    Case("ks-test-empty", lambda f: D.KS().fit(np.zeros((30, 2))).test(np.zeros((0, 2))),
         ValueError, ("window", "empty")),
    Case("ks-test-before-fit", lambda f: D.KS().test(np.zeros((5, 2))), D.NotFittedError,
         ("not fitted", "fit(reference)")),
    Case("ks-width-mismatch",
         lambda f: D.KS().fit(np.zeros((50, 2))).test(np.zeros((50, 3))), ValueError,
         ("3 features", "reference has 2")),
    Case("ks-fit-nan", lambda f: D.KS().fit(np.array([[np.nan, 1.0]] * 20)), ValueError,
         ("non-finite", "nan", "(0, 0)")),
    Case("psi-bins", lambda f: D.PSI(bins=1), ValueError, ("bins", ">= 2", "1")),
    Case("mmd-test-str", lambda f: D.MMD().fit(np.random.default_rng(0).random((30, 2)))
         .test("abc"), ValueError, ("numbers", "'abc'"), deep=ValueError),
    # ---- traces
    Case("trace-missing", lambda f: Trace.load(f / "nope.npz"), FileNotFoundError,
         ("nope.npz", "does not exist")),
    Case("trace-garbage", lambda f: Trace.load(f / "garbage.npz"), ValueError,
         ("garbage.npz", "not a readable driftsim trace", "Trace.save")),
    Case("trace-truncated-zip", lambda f: Trace.load(f / "half.npz"), ValueError,
         ("half.npz", "not a readable driftsim trace")),
    Case("trace-other-npz", lambda f: Trace.load(f / "other.npz"), ValueError,
         ("other.npz", "not a driftsim trace", "trace.json")),
    Case("trace-builder-lengths", lambda f: TraceBuilder().add_batch(0, [1, 0], None, 1, [1]),
         ValueError, ("y_true has 1", "prediction has 2")),
    # ---- alerts and sinks
    Case("alert-kind", lambda f: _alert(kind="alarm"), ValueError,
         ("'alarm'", "drift", "warning")),
    Case("alert-time", lambda f: Alert(-1, "m", "PH", "error", 0.1, 0.5), ValueError,
         ("time", ">= 0", "-1")),
    Case("alert-severity-nan", lambda f: Alert(1, "m", "PH", "error", 0.1, float("nan")),
         ValueError, ("severity", "nan")),
    Case("alert-details-not-json", lambda f: _alert(details={"x": object()}), ValueError,
         ("details", "JSON")),
    Case("alert-record-missing-fields", lambda f: Alert.from_dict({"time": 1}), ValueError,
         ("lacks", "'monitor'", "required")),
    Case("jsonl-sink-folder", lambda f: JsonlSink(f), ValueError, ("bad", "is a folder")),
    Case("jsonl-read-corrupt", lambda f: JsonlSink(f / "bad.jsonl").read(), ValueError,
         ("bad.jsonl", "line 1", "not an alert record"), deep=ValueError),
    Case("jsonl-read-partial-record", lambda f: JsonlSink(f / "partial.jsonl").read(),
         ValueError, ("partial.jsonl", "line 1", "lacks")),
    Case("sqlite-sink-table", lambda f: SqliteSink(":memory:", table="x; drop"), ValueError,
         ("'x; drop'", "plain identifier")),
    Case("sqlite-sink-not-a-database", lambda f: SqliteSink(f / "text.db"), ValueError,
         ("text.db", "not a usable SQLite database"), deep=Exception),
    Case("smtp-port", lambda f: SmtpSink("127.0.0.1", 0, "a@b", "c@d"), ValueError,
         ("port", ">= 1", "0")),
    Case("smtp-no-recipients", lambda f: SmtpSink("127.0.0.1", 25, "a@b", []), ValueError,
         ("recipients", "[]")),
    Case("webhook-url", lambda f: WebhookSink("127.0.0.1:80"), ValueError,
         ("'127.0.0.1:80'", "http://")),
    Case("webhook-timeout", lambda f: WebhookSink("http://127.0.0.1:1/", timeout=0),
         ValueError, ("timeout", "> 0.0")),
    Case("router-sink-without-send", lambda f: AlertRouter([object()]), ValueError,
         ("send(alerts)", "object")),
    Case("router-cooldown", lambda f: AlertRouter([], cooldown=-1), ValueError,
         ("cooldown", ">= 0", "-1")),
    Case("router-dedup", lambda f: AlertRouter([], dedup="yes"), ValueError,
         ("dedup", "True or False", "'yes'")),
    Case("router-route-not-alerts", lambda f: AlertRouter([]).route([1]), ValueError,
         ("Alert", "got 1")),
    Case("callback-sink", lambda f: CallbackSink(3), ValueError, ("callable", "3")),
    Case("outbox-backoff", lambda f: Outbox(f / "o.db", backoff=-1), ValueError,
         ("backoff", ">= 0.0", "-1")),
    # ---- registries
    Case("registry-kind", lambda f: make_registry("redis"), ValueError,
         ("'redis'", "memory", "mlflow")),
    Case("registry-memory-args", lambda f: make_registry("memory", x=1), ValueError,
         ("no arguments", "'x'")),
    Case("registry-unknown-version", lambda f: InMemoryRegistry().get(3), KeyError,
         ("version 3", "registered versions")),
    Case("registry-unknown-alias", lambda f: InMemoryRegistry().get("champion"), KeyError,
         ("'champion'", "aliases")),
    Case("registry-created-at", lambda f: InMemoryRegistry().register(
        object(), created_at=-1, trained_on=(0, 1), n_train=1), ValueError,
         ("created_at", ">= 0", "-1")),
    Case("registry-trained-on", lambda f: InMemoryRegistry().register(
        object(), created_at=0, trained_on=(5, 1), n_train=1), ValueError,
         ("trained_on end", ">= 5", "1")),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_with_a_clear_message(case: Case, files: Path) -> None:
    with pytest.raises(case.error) as info:
        case.call(files)
    message = str(info.value)
    for fragment in case.says:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    if case.deep is not None:
        # our message at the boundary; the dependency's error kept as the cause
        assert type(info.value).__module__ in ("builtins",) or re.match(
            r"(simulator|detectors|experiments|driftsim)", type(info.value).__module__)
        assert isinstance(info.value.__cause__, case.deep)


def test_case_ids_are_distinct() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 80


# ---- legal inputs with a documented behaviour


def _cancelling(drifts: list[Drift]) -> tuple[DriftStream, DriftStream]:
    with_drifts = DriftStream(_iris(), drifts, n_samples=3000, seed=2)
    return with_drifts, DriftStream(_iris(), [], n_samples=3000, seed=2)


def test_the_same_class_swap_twice_at_one_sample_is_harmless() -> None:
    stream, plain = _cancelling([Drift("concept", 1000), Drift("concept", 1000)])
    # The data are those of a drift-free stream ...
    assert np.array_equal(stream.batch(0, 3000).y, plain.batch(0, 3000).y)
    # ... so the ground truth reports both events as acting: no harm.
    assert [(e.onset, e.harmful, e.accuracy_drop) for e in stream.events] == [
        (1000, False, 0.0), (1000, False, 0.0)]


def test_shifts_of_plus_and_minus_five_sigma_at_one_sample_are_harmless() -> None:
    stream, plain = _cancelling([
        Drift("covariate", 1000, transform="shift", severity=5.0),
        Drift("covariate", 1000, transform="shift", severity=-5.0),
    ])
    np.testing.assert_allclose(stream.batch(0, 3000).X, plain.batch(0, 3000).X, atol=1e-12)
    assert [e.harmful for e in stream.events] == [False, False]
    assert max(abs(e.accuracy_drop) for e in stream.events) < 0.01


def test_one_swap_alone_is_still_harmful() -> None:
    (event,) = DriftStream(_iris(), [Drift("concept", 1000)], n_samples=3000, seed=2).events
    assert event.harmful and event.accuracy_drop > 0.5


def test_a_drift_that_redoes_an_earlier_one_is_measured_on_the_stream_as_it_is() -> None:
    # The second swap undoes the first: on the stream it restores the old concept,
    # which harms a model trained on the swapped one.
    stream = DriftStream(_iris(), [Drift("concept", 1000), Drift("concept", 2000)],
                         n_samples=3000, seed=2)
    assert [(e.onset, e.harmful) for e in stream.events] == [(1000, True), (2000, True)]


def test_a_drift_after_the_end_warns_and_has_no_event() -> None:
    with pytest.warns(UserWarning, match=r"starts at 5000, at or after the end"):
        stream = DriftStream(_iris(), [Drift("concept", 5000)], n_samples=1000)
    assert stream.events == ()


def test_mlflow_registry_refuses_a_store_whose_pickles_live_elsewhere(tmp_path: Path) -> None:
    from mlflow import MlflowClient

    from simulator.registry import MLflowRegistry

    store, elsewhere = tmp_path / "run" / "mlflow", tmp_path / "someone-else"
    store.mkdir(parents=True)
    uri = f"sqlite:///{store / 'mlflow.db'}"
    MlflowClient(tracking_uri=uri).create_experiment(
        "driftsim-model", artifact_location=elsewhere.as_uri())
    with pytest.raises(ValueError) as info:
        MLflowRegistry(store)
    message = str(info.value)
    assert str(elsewhere) in message and "outside tracking_dir" in message
    assert "allow_external_store=True" in message
    # the user opts in: accepted
    assert MLflowRegistry(store, allow_external_store=True).tracking_dir == store.resolve()
