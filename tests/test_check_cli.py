"""``driftsim baseline`` / ``driftsim check`` on real files, through the command line."""

from __future__ import annotations

import http.server
import json
import sqlite3
import subprocess
import sys
import threading
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from experiments.check import check_batch, make_baseline
from experiments.cli import main
from tests.optional_env import ROOT, optional_env_vars, optional_python


def _frames(seed: int = 0, n_ref: int = 600, n_cur: int = 400):
    rng = np.random.default_rng(seed)
    ref = pd.DataFrame({
        "a": rng.normal(size=n_ref), "b": rng.normal(size=n_ref),
        "d": rng.normal(size=n_ref), "c": rng.choice(["x", "y", "z"], n_ref),
        "e": rng.choice(["u", "v"], n_ref),
    })
    drifted = pd.DataFrame({
        "a": rng.normal(0.6, 1.0, n_cur), "b": rng.normal(size=n_cur),
        "d": rng.normal(0.0, 2.0, n_cur),
        "c": rng.choice(["x", "y", "z"], n_cur, p=[0.6, 0.2, 0.2]),
        "e": rng.choice(["u", "v"], n_cur),
    })
    clean = pd.DataFrame({
        "a": rng.normal(size=n_cur), "b": rng.normal(size=n_cur),
        "d": rng.normal(size=n_cur), "c": rng.choice(["x", "y", "z"], n_cur),
        "e": rng.choice(["u", "v"], n_cur),
    })
    return ref, drifted, clean


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "experiments.cli", *args],
                          capture_output=True, text=True, timeout=300, check=False,
                          env=optional_env_vars())


@pytest.fixture
def files(tmp_path):
    ref, drifted, clean = _frames()
    paths = {}
    for name, frame in (("ref", ref), ("drifted", drifted), ("clean", clean)):
        paths[name] = tmp_path / f"{name}.csv"
        frame.to_csv(paths[name], index=False)
    return paths


class _Hook(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        """Keep test output quiet: http.server logs every request to stderr."""


def test_cli_flags_a_drifted_batch_writes_reports_and_alerts(files, tmp_path):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hook)
    _Hook.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = tmp_path / "baseline"
        made = _cli("baseline", str(files["ref"]), str(base))
        assert made.returncode == 0, made.stderr
        assert {p.name for p in base.iterdir()} == {
            "statistics.json", "constraints.json", "reference.parquet"}
        url = f"http://127.0.0.1:{server.server_port}/hook"
        bad = _cli("check", str(files["drifted"]), "--baseline", str(base),
                   "--out", str(tmp_path / "r1"), "--alert-jsonl", str(tmp_path / "a.jsonl"),
                   "--alert-webhook", url)
        good = _cli("check", str(files["clean"]), "--baseline", str(base),
                    "--out", str(tmp_path / "r2"), "--alert-jsonl", str(tmp_path / "a.jsonl"))
    finally:
        server.shutdown()
    assert bad.returncode == 1, bad.stdout + bad.stderr
    report = json.loads((tmp_path / "r1" / "check.json").read_text())
    assert set(report["drift"]["drifted"]) == {"a", "d", "c"}
    assert "baseline_drift_check" in (tmp_path / "r1" / "check.html").read_text()
    alerts = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text().splitlines()]
    assert len(alerts) == 1 and alerts[0]["monitor"] == "driftsim-check"
    assert len(_Hook.received) == 1
    assert good.returncode == 0, good.stdout
    assert json.loads((tmp_path / "r2" / "check.json").read_text())["violations"] == []


def test_data_quality_violations(files, tmp_path):
    base = make_baseline(files["ref"], tmp_path / "b")
    ref = pd.read_csv(files["ref"])
    batch = ref.drop(columns=["b"]).assign(extra=1.0)
    batch.loc[:9, "a"] = np.nan
    batch.loc[10, "a"] = 99.0
    batch.loc[11, "c"] = "new"
    found = {(v.feature, v.check) for v in check_batch(batch, base).violations}
    assert found == {("b", "missing_column_check"), ("extra", "extra_column_check"),
                     ("a", "completeness_check"), ("a", "range_check"),
                     ("c", "categorical_values_check")}


def test_non_numeric_values_in_a_numeric_column(files, tmp_path):
    base = make_baseline(files["ref"], tmp_path / "b")
    batch = pd.read_csv(files["ref"]).astype({"a": object})
    batch.loc[3, "a"] = "n/a"
    checks = {(v.feature, v.check) for v in check_batch(batch, base).violations}
    assert ("a", "data_type_check") in checks


def test_performance_rule_fires_on_the_third_consecutive_failing_check(tmp_path):
    rng = np.random.default_rng(1)
    ref = pd.DataFrame({"x": rng.normal(size=300), "y": rng.integers(0, 2, 300)})
    ref["pred"] = ref["y"]
    ref.to_csv(tmp_path / "ref.csv", index=False)
    assert main(["baseline", str(tmp_path / "ref.csv"), str(tmp_path / "b"),
                 "--target", "y", "--prediction", "pred", "--threshold", "0.85",
                 "--consecutive", "3"]) == 0
    codes = []
    for day, accuracy in enumerate([0.95, 0.6, 0.6, 0.6, 0.95]):
        batch = ref.copy()
        wrong = rng.random(len(batch)) > accuracy
        batch.loc[wrong, "pred"] = 1 - batch.loc[wrong, "y"]
        path = tmp_path / f"day{day}.csv"
        batch.to_csv(path, index=False)
        codes.append(main(["check", str(path), "--baseline", str(tmp_path / "b"),
                           "--out", str(tmp_path / f"r{day}"),
                           "--fail-on", "performance_check"]))
    assert codes == [0, 0, 0, 1, 0]
    with sqlite3.connect(tmp_path / "b" / "history.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM checks").fetchone()[0] == 5


@pytest.mark.parametrize(
    "args,message",
    [
        (["baseline", "missing.csv", "out"], "missing.csv: no such file"),
        (["baseline", "table.xlsx", "out"], "must be a .csv, .parquet or .pq file"),
        (["check", "b.csv", "--baseline", "nowhere"], "make a baseline first"),
    ],
)
def test_bad_input_exits_2_naming_it(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "b.csv").write_text("x\n1\n")
    assert main(args) == 2
    assert message in capsys.readouterr().out


def test_unknown_target_column_is_named(files, tmp_path):
    with pytest.raises(ValueError, match=r"\['label'\] not in"):
        make_baseline(files["ref"], tmp_path / "b", target="label")


@pytest.mark.slow
def test_same_answers_as_evidently_data_drift_preset(files, tmp_path):
    """Same drifted columns as Evidently; the same KS p-values for numeric columns (both
    use the two-sample KS test; Evidently's chi-square is a goodness-of-fit test, ours a
    contingency test, so only its decision is compared)."""
    python = optional_python("evidently")
    done = subprocess.run(
        [str(python), str(ROOT / "tests" / "external" / "evidently_drift.py"), str(files["ref"]),
         str(files["drifted"])], capture_output=True, text=True, timeout=600,
        check=True, env=optional_env_vars(),
    )
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    ours = check_batch(files["drifted"], make_baseline(files["ref"], tmp_path / "b")).drift
    ours_by = {r["feature"]: r for r in ours["features"]}
    assert set(theirs) == set(ours_by)
    their_drifted = {c for c, r in theirs.items() if r["score"] < r["threshold"]}
    assert their_drifted == set(ours["drifted"]) == {"a", "c", "d"}
    for column, record in theirs.items():
        if record["method"].startswith("K-S"):
            assert ours_by[column]["test"] == "KS"
            assert ours_by[column]["p_value"] == pytest.approx(record["score"], rel=1e-6)
