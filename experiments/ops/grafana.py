"""A Grafana dashboard over driftsim's Prometheus metrics, with provisioning files.

Built with grafana-foundation-sdk (Grafana's own typed builders), so the JSON follows
Grafana's schema. :data:`PANELS` lists every panel's title and PromQL in one place;
the test suite runs each query against a real Prometheus loaded with a simulated fleet
(no Grafana server is installable here). ``$model`` is the dashboard's model variable.

Write the dashboard and the provisioning files for a Grafana instance::

    python -m experiments.ops.grafana OUT_DIR [--prometheus-url http://prometheus:9090]

Examples
--------
>>> board = dashboard_json()
>>> board["uid"], len(board["panels"]) == len(PANELS) + len(ROWS)
('driftsim-fleet', True)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grafana_foundation_sdk.builders import dashboard as gd
from grafana_foundation_sdk.builders import prometheus as gp
from grafana_foundation_sdk.builders import stat, statushistory, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import DataSourceRef, Threshold, ThresholdsMode

from experiments.files import atomic_write

__all__ = ["PANELS", "ROWS", "Panel", "dashboard_json", "main", "write_provisioning"]

DATASOURCE_UID = "driftsim-prometheus"
_DS = DataSourceRef(type_val="prometheus", uid=DATASOURCE_UID)


@dataclass(frozen=True)
class Panel:
    """One dashboard panel: its row, kind, title, PromQL targets and unit.

    ``targets`` holds ``(expr, legend)`` pairs, one query each.

    Examples
    --------
    >>> PANELS[0].kind, PANELS[0].targets[0][0]
    ('statushistory', 'driftsim_health_score{model=~"$model"}')
    """

    row: str
    kind: str  # "statushistory", "stat" or "timeseries"
    title: str
    targets: tuple[tuple[str, str], ...]
    unit: str = "none"
    description: str = ""


ROWS = ("Fleet health", "Accuracy", "Drift", "Retraining")

_M = '{model=~"$model"}'
PANELS = (
    Panel("Fleet health", "statushistory", "Health score per model (0-100)",
          ((f"driftsim_health_score{_M}", "{{model}}"),),
          description="Models x time; red below 50 (the DriftsimModelUnhealthy rule), "
                      "orange below 80, green above."),
    Panel("Fleet health", "stat", "Models below their accuracy SLA",
          ((f"count(driftsim_accuracy{_M} < on(model) driftsim_accuracy_sla) or vector(0)",
            "below SLA"),)),
    Panel("Accuracy", "timeseries", "Accuracy vs SLA",
          ((f"driftsim_accuracy{_M}", "{{model}} measured"),
           (f"driftsim_accuracy_sla{_M}", "{{model}} SLA")), unit="percentunit"),
    Panel("Accuracy", "timeseries", "Estimated (label-free) vs measured accuracy",
          ((f"driftsim_estimated_accuracy{_M}", "{{model}} estimated"),
           (f"driftsim_accuracy{_M}", "{{model}} measured")), unit="percentunit"),
    Panel("Drift", "timeseries", "Drift alarms per hour",
          ((f"increase(driftsim_drift_alarms_total{_M}[1h])", "{{model}} {{monitor}}"),)),
    Panel("Drift", "timeseries", "Severity of the last alarm",
          ((f"driftsim_drift_severity{_M}", "{{model}} {{monitor}}"),)),
    Panel("Retraining", "timeseries", "Retrains per day",
          ((f"sum by (model) (increase(driftsim_retrains_total{_M}[1d]))", "{{model}}"),)),
    Panel("Retraining", "timeseries", "Retraining queue and budget",
          (("driftsim_retrain_queue_length", "jobs waiting"),
           ("driftsim_budget_used_ratio", "budget used (share)"))),
)

_BUILDERS = {"statushistory": statushistory.Panel, "stat": stat.Panel,
             "timeseries": timeseries.Panel}


def _panel(spec: Panel) -> Any:
    builder = (_BUILDERS[spec.kind]().title(spec.title).datasource(_DS)
               .unit(spec.unit).height(8).span(12 if spec.kind != "stat" else 6))
    for i, (expr, legend) in enumerate(spec.targets):
        builder = builder.with_target(
            gp.Dataquery().expr(expr).legend_format(legend).ref_id("ABCDEFGH"[i]))
    if spec.kind == "statushistory":
        # Health bands: red below 50 (the alerting rule), amber below 80, green above.
        steps = [Threshold(None, "red"), Threshold(50.0, "orange"), Threshold(80.0, "green")]
        builder = builder.min(0).max(100).thresholds(
            gd.ThresholdsConfig().mode(ThresholdsMode.ABSOLUTE).steps(steps))
    if spec.description:
        builder = builder.description(spec.description)
    return builder


def dashboard_json() -> dict[str, Any]:
    """The dashboard as a JSON-ready dict."""
    board = (gd.Dashboard("driftsim: fleet monitoring").uid("driftsim-fleet")
             .tags(["driftsim"]).time("now-7d", "now").refresh("1m")
             .with_variable(gd.QueryVariable("model").label("model").datasource(_DS)
                            .query("label_values(driftsim_accuracy, model)")
                            .multi(True).include_all(True).all_value(".*")))
    for row in ROWS:
        board = board.with_row(gd.Row(row))
        for spec in PANELS:
            if spec.row == row:
                board = board.with_panel(_panel(spec))
    return json.loads(JSONEncoder(sort_keys=True).encode(board.build()))


def write_provisioning(out: str | Path, prometheus_url: str = "http://localhost:9090") -> Path:
    """Write ``dashboards/driftsim.json`` and Grafana's provisioning files under ``out``:
    ``provisioning/datasources/driftsim.yaml`` and
    ``provisioning/dashboards/driftsim.yaml``."""
    out = Path(out)
    files = {
        out / "dashboards" / "driftsim.json": json.dumps(dashboard_json(), indent=2),
        out / "provisioning" / "datasources" / "driftsim.yaml": (
            "apiVersion: 1\ndatasources:\n  - name: driftsim Prometheus\n"
            f"    uid: {DATASOURCE_UID}\n    type: prometheus\n    access: proxy\n"
            f"    url: {prometheus_url}\n"),
        out / "provisioning" / "dashboards" / "driftsim.yaml": (
            "apiVersion: 1\nproviders:\n  - name: driftsim\n    type: file\n"
            f"    options:\n      path: {(out / 'dashboards').resolve()}\n"),
    }
    for path, text in files.items():
        atomic_write(path, lambda tmp, text=text: Path(tmp).write_text(text))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m experiments.ops.grafana OUT_DIR [--prometheus-url URL]``."""
    parser = argparse.ArgumentParser(prog="python -m experiments.ops.grafana")
    parser.add_argument("out")
    parser.add_argument("--prometheus-url", default="http://localhost:9090")
    args = parser.parse_args(argv)
    out = write_provisioning(args.out, args.prometheus_url)
    print(f"dashboard and provisioning written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
