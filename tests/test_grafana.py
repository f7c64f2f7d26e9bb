"""The Grafana dashboard: every panel's PromQL answers from a real Prometheus loaded
with a simulated fleet and a simulated single-model run (no Grafana server is
installable here, so the queries are what is tested)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from experiments.ops.grafana import PANELS, ROWS, dashboard_json, write_provisioning
from experiments.ops.prometheus import (
    DEFAULT_START,
    backfill,
    snapshots_from_fleet,
    snapshots_from_trace,
    write_openmetrics,
)
from tests.prometheus_server import query, running_prometheus

SECONDS = 60.0  # one tick (fleet) or one 100-sample step (single run) per minute


def test_dashboard_json_has_every_panel_with_its_queries():
    board = dashboard_json()
    panels = [p for p in board["panels"] if p["type"] != "row"]
    assert [p["title"] for p in panels] == [s.title for s in PANELS]
    assert [p["title"] for p in board["panels"] if p["type"] == "row"] == list(ROWS)
    for panel, spec in zip(panels, PANELS, strict=True):
        assert [t["expr"] for t in panel["targets"]] == [e for e, _ in spec.targets]
        assert panel["datasource"]["uid"] == "driftsim-prometheus"
    assert board["templating"]["list"][0]["query"] == "label_values(driftsim_accuracy, model)"


def test_provisioning_files(tmp_path):
    out = write_provisioning(tmp_path, "http://127.0.0.1:9090")
    assert json.loads((out / "dashboards" / "driftsim.json").read_text())["uid"]
    source = (out / "provisioning" / "datasources" / "driftsim.yaml").read_text()
    assert "url: http://127.0.0.1:9090" in source and "uid: driftsim-prometheus" in source
    assert "path:" in (out / "provisioning" / "dashboards" / "driftsim.yaml").read_text()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    from detectors import ADWIN
    from simulator import DeploymentLoop, Drift, DriftStream, DriftTriggered, Monitor, load_dataset
    from simulator.fleet import make_fleet, run_fleet

    tmp = tmp_path_factory.mktemp("grafana")
    fleet = run_fleet(make_fleet(6, seed=0, n_samples=20_000), "fleet", seed=0)
    stream = DriftStream(load_dataset("iris"),
                         [Drift("concept", 2000, transform="swap", classes=(0, 1))],
                         n_samples=6000, seed=0)
    trace = DeploymentLoop(stream, monitors=[Monitor("error", ADWIN())],
                           policy=DriftTriggered(data="since_alert"), seed=0).run()
    single = snapshots_from_trace(trace, model="iris-single", step=100, sla=0.9,
                                  extra_gauges=_estimate(trace))
    data = tmp / "data"
    backfill(write_openmetrics(snapshots_from_fleet(fleet), tmp / "fleet.om",
                               seconds_per_sample=SECONDS), data)
    backfill(write_openmetrics(single, tmp / "single.om", seconds_per_sample=SECONDS / 100),
             data)
    return fleet, trace, data, tmp


def _estimate(trace):
    """CBPE's label-free accuracy estimate, per chunk of 100 samples, fitted on the
    first 1,000 samples' probabilities and labels (the reference)."""
    from detectors.estimation import CBPE

    proba = np.asarray(trace.proba, dtype=float)
    cbpe = CBPE(chunk_size=100).fit(proba[:1000], trace.y_true[:1000])
    per_chunk = cbpe.estimate(proba).value["accuracy"]
    return {"driftsim_estimated_accuracy": np.repeat(per_chunk, 100)[: trace.n_samples]}


@pytest.mark.slow
def test_every_panel_query_returns_its_series(loaded):
    fleet, _trace, data, tmp = loaded
    with running_prometheus("global:\n  evaluation_interval: 1m\n", tmp / "prom",
                            data_dir=data) as url:
        at = DEFAULT_START + (fleet.n_ticks - 1) * SECONDS
        for spec in PANELS:
            for expr, _ in spec.targets:
                found = query(url, expr.replace("$model", ".*"), at)
                assert found, f"{spec.title}: {expr} returned nothing"
        health = query(url, 'driftsim_health_score{model=~".*"}', at)
        assert {r["metric"]["model"] for r in health} == {m.name for m in fleet.spec.models}
        values = {r["metric"]["model"]: float(r["value"][1]) for r in health}
        names = [m.name for m in fleet.spec.models]
        assert values == pytest.approx(dict(zip(names, fleet.health[:, -1], strict=True)))
        below = query(url, PANELS[1].targets[0][0].replace("$model", ".*"), at)
        expected = int(np.sum(fleet.true_accuracy[:, -1] < fleet.sla))
        assert float(below[0]["value"][1]) == expected
