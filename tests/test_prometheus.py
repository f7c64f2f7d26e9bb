"""A simulated run in a real Prometheus: backfilled blocks, a live endpoint, and the
alerting rules checked and unit-tested with ``promtool``."""

from __future__ import annotations

import subprocess
import time

import numpy as np
import pytest

from detectors import ADWIN
from experiments.ops import RULES_FILE, RULES_TEST_FILE
from experiments.ops.prometheus import (
    DEFAULT_START,
    LiveExporter,
    backfill,
    snapshots_from_trace,
    write_openmetrics,
)
from simulator import DeploymentLoop, Drift, DriftStream, DriftTriggered, Monitor, load_dataset
from tests.prometheus_server import query, running_prometheus

SECONDS_PER_SAMPLE = 60.0


@pytest.fixture(scope="module")
def trace():
    stream = DriftStream(load_dataset("iris"),
                         [Drift("concept", 3000, transform="swap", classes=(0, 1))],
                         n_samples=8000, seed=0)
    loop = DeploymentLoop(stream, monitors=[Monitor("error", ADWIN())],
                          policy=DriftTriggered(data="since_alert"), label_delay=50, seed=0)
    return loop.run()


def test_rules_pass_promtool_check_and_unit_tests():
    checked = subprocess.run(["promtool", "check", "rules", str(RULES_FILE)],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0 and "SUCCESS: 3 rules found" in checked.stdout
    tested = subprocess.run(["promtool", "test", "rules", str(RULES_TEST_FILE)],
                            capture_output=True, text=True, check=False, cwd=RULES_FILE.parent)
    assert tested.returncode == 0, tested.stdout + tested.stderr


@pytest.mark.slow
def test_backfilled_run_answers_queries_at_known_times(trace, tmp_path):
    snap = snapshots_from_trace(trace, model="iris-lr", step=100, window=500, sla=0.9)
    path = write_openmetrics(snap, tmp_path / "run.om", seconds_per_sample=SECONDS_PER_SAMPLE)
    data = backfill(path, tmp_path / "data")
    alert_times = [e.time for e in trace.events_of("alert")]
    retrain_times = [e.time for e in trace.events_of("retrain_start")]
    assert alert_times and retrain_times
    config = f"global:\n  evaluation_interval: 1m\nrule_files:\n  - {RULES_FILE}\n"
    with running_prometheus(config, tmp_path / "prom", data_dir=data) as url:
        def at(t):  # wall-clock second of sample t
            return DEFAULT_START + t * SECONDS_PER_SAMPLE

        t = 6000
        alarms = query(url, 'driftsim_drift_alarms_total{model="iris-lr"}', at(t))
        assert len(alarms) == 1 and alarms[0]["metric"]["monitor"] == "error/ADWIN"
        expected = sum(a <= t for a in alert_times)
        assert float(alarms[0]["value"][1]) == expected
        before = query(url, 'driftsim_accuracy{model="iris-lr"}', at(2900))
        during = query(url, 'driftsim_accuracy{model="iris-lr"}', at(3400))
        assert float(before[0]["value"][1]) == pytest.approx(
            trace.rolling_accuracy(500)[2900], abs=1e-9)
        assert float(during[0]["value"][1]) < float(before[0]["value"][1]) - 0.1
        retrains = query(url, 'driftsim_retrains_total{model="iris-lr"}', at(7999))
        assert float(retrains[0]["value"][1]) == len(retrain_times)
        below = query(url, 'driftsim_accuracy < on(model) driftsim_accuracy_sla', at(3400))
        assert [r["metric"]["model"] for r in below] == ["iris-lr"]


@pytest.mark.slow
def test_live_exporter_is_scraped_as_the_run_advances(trace, tmp_path):
    snap = snapshots_from_trace(trace, model="live", step=1000, window=500)
    with LiveExporter(snap, seconds_per_snapshot=0.5, paused=True) as live:
        config = ("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: driftsim\n"
                  f"    static_configs:\n      - targets: ['127.0.0.1:{live.port}']\n")
        with running_prometheus(config, tmp_path / "prom") as url:
            deadline = time.monotonic() + 30
            while not query(url, 'up{job="driftsim"} == 1') and time.monotonic() < deadline:
                time.sleep(0.2)
            live.play()
            assert live.wait(timeout=30)
            time.sleep(2.5)  # two more scrapes of the final snapshot
            seen = query(url, 'max_over_time(driftsim_retrains_total{model="live"}[1m])')
            first = query(url, 'min_over_time(driftsim_model_version{model="live"}[1m])')
            last = query(url, 'driftsim_model_version{model="live"}')
    assert float(seen[0]["value"][1]) == len(trace.events_of("retrain_start"))
    assert float(first[0]["value"][1]) == 1.0
    assert float(last[0]["value"][1]) == float(trace.model_version[-1])
    assert np.unique(trace.model_version).size > 1
