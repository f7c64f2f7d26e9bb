"""Tests of experiments.plots: each figure holds the artists a reader relies on.

Nothing here compares pixels. The tests check what could silently break: one shaded
region per true drift event, one line per deployment, one curve per detector, one
annotated cell per heat-map entry, the data behind the curves, colour-map direction,
input validation and atomic saving.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.colors import LogNorm
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from experiments import plots
from simulator.trace import TraceBuilder

PNG = b"\x89PNG\r\n\x1a\n"


def _is_png(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 1000 and path.read_bytes()[:8] == PNG


def _by_gid(artists, gid):
    return [a for a in artists if a.get_gid() == gid]


def _legend_labels(fig: Figure) -> list[str]:
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def real_runs():
    """A real drift-triggered run and its oracle on a stream with a benign covariate
    shift and a harmful gradual concept drift (the README example)."""
    from detectors.adwin import ADWIN
    from simulator.datasets import load_dataset
    from simulator.drift import Drift
    from simulator.loop import DeploymentLoop
    from simulator.monitors import Monitor
    from simulator.policies import DriftTriggered, Oracle
    from simulator.stream import DriftStream

    stream = DriftStream(
        load_dataset("iris"),
        [
            Drift("covariate", 1000, features=[1], severity=0.5),
            Drift("concept", 2000, width=300, profile="gradual"),
        ],
        n_samples=4000,
        seed=0,
    )
    trace = DeploymentLoop(
        stream,
        monitors=[Monitor("error", ADWIN(), name="adwin")],
        policy=DriftTriggered(data="since_alert"),
        seed=0,
    ).run()
    oracle = DeploymentLoop(stream, policy=Oracle(), seed=0).run()
    return trace, oracle


STREAM_EVENTS = [
    {"onset": 500, "end": 900, "kind": "prediction", "harmful": False},
    {"onset": 1200, "end": 1200, "kind": "pipeline", "harmful": True},
    {"onset": 2500, "end": 2800, "kind": "prior", "harmful": True, "is_return": True},
    {"onset": 2600, "end": 2600, "kind": "covariate", "harmful": False},
]


@pytest.fixture(scope="module")
def hand_trace():
    """A built trace with every kind of mark the timeline draws."""
    rng = np.random.default_rng(0)
    n = 3000
    y = rng.integers(0, 3, n)
    pred = np.where(rng.random(n) < 0.9, y, (y + 1) % 3)
    version = np.ones(n, dtype=np.int64)
    version[1700:2000] = 2
    version[2300:] = 3
    b = TraceBuilder()
    b.add_batch(0, pred, None, version, y)
    b.log(0, "deploy", version=1, previous=None)
    for t in (1230, 1260, 2500):
        b.log(t, "alert", monitor="ks", detector="KS", signal="features", severity=0.5)
    for t in (1215, 1240):
        b.log(t, "warning", monitor="ddm", detector="DDM", signal="error", severity=0.2)
    b.log(1300, "alert", monitor="ddm", detector="DDM", signal="error", severity=1.0)
    b.log(1300, "retrain_start", cost=50, job=1)
    b.log(1400, "retrain_failed", job=1, error="boom")
    b.log(1500, "retrain_start", cost=50, job=2)
    b.log(1550, "shadow_start", version=2, until=1700)
    b.log(1700, "shadow_end", version=2, promoted=True)
    b.log(1700, "deploy", version=2, previous=1)
    b.log(2000, "rollback", version=1, replaced=2, reason="regressed")
    b.log(2100, "retrain_skipped", reason="cooldown")
    b.log(2250, "rejection", version=3)
    b.log(2290, "gate_fail", job=3)
    b.log(2300, "deploy", version=3, previous=1)
    return b.build(
        meta={
            "stream_events": STREAM_EVENTS,
            "monitors": ["ddm", "ks", "silent"],
            "policy": "Handmade()",
        }
    )


# ------------------------------------------------------------------ timeline


def test_timeline_real_run_has_one_region_per_event_and_one_line_per_deploy(real_runs, tmp_path):
    trace, oracle = real_runs
    path = tmp_path / "out" / "timeline.png"
    fig = plots.timeline(trace, oracle=oracle, path=path, title="iris / mixed")
    assert isinstance(fig, Figure)
    assert _is_png(path)
    ax = fig.axes[0]
    events = trace.meta["stream_events"]
    drifts = [a for a in (*ax.lines, *ax.patches) if str(a.get_gid()).startswith("drift:")]
    assert sorted(a.get_gid() for a in drifts) == [f"drift:{i}" for i in range(len(events))]
    (deploy,) = _by_gid(ax.collections, "deploy")
    deploys = trace.events_of("deploy")
    assert len(deploy.get_segments()) == len(deploys)
    assert [t.get_text().strip() for t in _by_gid(ax.texts, "deploy-label")] == [
        f"v{e.details['version']}" for e in deploys
    ]
    # the curves are the rolling accuracies themselves
    (run_line,) = _by_gid(ax.lines, "accuracy")
    np.testing.assert_allclose(run_line.get_ydata(), trace.rolling_accuracy(100))
    (oracle_line,) = _by_gid(ax.lines, "oracle")
    assert oracle_line.get_linestyle() == "--"
    np.testing.assert_allclose(oracle_line.get_ydata(), oracle.rolling_accuracy(100))
    assert fig.get_suptitle() == "iris / mixed"
    labels = _legend_labels(fig)
    assert "alert: adwin (1)" in labels and "covariate drift (true)" in labels


def test_timeline_marks_benign_and_return_drifts_apart(hand_trace):
    fig = plots.timeline(hand_trace)
    ax = fig.axes[0]
    drift = {
        a.get_gid(): a for a in (*ax.lines, *ax.patches) if str(a.get_gid()).startswith("drift:")
    }
    assert len(drift) == len(STREAM_EVENTS)
    # ramps are bands, abrupt changes lines
    assert isinstance(drift["drift:0"], Rectangle) and isinstance(drift["drift:2"], Rectangle)
    assert isinstance(drift["drift:1"], Line2D) and isinstance(drift["drift:3"], Line2D)
    # benign: lighter and hatched (band) or dashed (line); a return: dotted hatch
    assert drift["drift:0"].get_hatch() == "///"
    assert drift["drift:0"].get_alpha() < drift["drift:2"].get_alpha()
    assert drift["drift:3"].get_linestyle() == "--" and drift["drift:1"].get_linestyle() == "-"
    assert drift["drift:3"].get_alpha() < drift["drift:1"].get_alpha()
    assert drift["drift:2"].get_hatch() == ".."
    texts = {t.get_gid(): t.get_text() for t in ax.texts}
    assert texts["drift-label:0"] == "prediction (benign)"
    assert texts["drift-label:2"] == "prior ↺ return"
    # close events (2500 and 2600) get their labels on different rows
    assert (
        texts
        and _by_gid(ax.texts, "drift-label:2")[0].get_position()[1]
        != (_by_gid(ax.texts, "drift-label:3")[0].get_position()[1])
    )
    labels = _legend_labels(fig)
    assert "benign drift: lighter, hatched / dashed" in labels
    assert "return of the old concept: dotted" in labels


def test_timeline_event_strip_has_every_alert_warning_and_job(hand_trace):
    fig = plots.timeline(hand_trace)
    ax, strip, versions = fig.axes
    rows = [t.get_text() for t in strip.get_yticklabels()]
    assert rows == ["ddm", "ks", "silent", "retraining", "gate / approval"]
    (ks,) = _by_gid(strip.collections, "alerts:ks")
    np.testing.assert_array_equal(ks.get_offsets()[:, 0], [1230, 1260, 2500])
    assert set(ks.get_offsets()[:, 1]) == {rows.index("ks")}
    (warnings,) = _by_gid(strip.collections, "warnings:ddm")
    (alerts,) = _by_gid(strip.collections, "alerts:ddm")
    assert warnings.get_offsets().shape[0] == 2
    assert warnings.get_sizes()[0] < alerts.get_sizes()[0]
    assert warnings.get_alpha() < 1
    for gid, count in [
        ("retrain_start", 2),
        ("retrain_failed", 1),
        ("retrain_skipped", 1),
        ("gate_fail", 1),
        ("rejection", 1),
    ]:
        (marks,) = _by_gid(strip.collections, gid)
        assert marks.get_offsets().shape[0] == count, gid
    (trial,) = _by_gid(strip.lines, "trial:shadow")
    np.testing.assert_array_equal(trial.get_xdata(), [1550, 1700])
    for axis in (ax, strip, versions):
        (deploy,) = _by_gid(axis.collections, "deploy")
        assert len(deploy.get_segments()) == 3
        (rollback,) = _by_gid(axis.collections, "rollback")
        assert isinstance(rollback, LineCollection) and len(rollback.get_segments()) == 1
    assert [t.get_text().strip() for t in _by_gid(ax.texts, "rollback-label")] == ["↶v1"]
    (step,) = _by_gid(versions.lines, "model-version")
    assert step.get_ydata()[0] == 1 and step.get_ydata()[-1] == 3
    assert list(versions.get_yticks()) == [1, 2, 3]
    labels = _legend_labels(fig)
    assert "alert: ks (3)" in labels
    # no legend entry for what did not happen; the silent monitor's row still shows
    assert not any(label.startswith("alert: silent") for label in labels)
    assert "silent" in [t.get_text() for t in strip.get_yticklabels()]
    assert "rollback (↶vN: version restored)" in labels and "shadow trial" in labels
    assert fig.get_suptitle() == "run timeline — policy Handmade()"


def test_timeline_thins_long_runs_and_handles_empty_ones():
    b = TraceBuilder()
    b.add_batch(0, np.zeros(30_000, dtype=np.int64), None, 1, np.zeros(30_000, dtype=np.int64))
    (line,) = _by_gid(plots.timeline(b.build()).axes[0].lines, "accuracy")
    assert 5_000 <= line.get_xdata().size <= 6_001
    empty = plots.timeline(TraceBuilder().build())
    assert "empty trace" in [t.get_text() for t in empty.axes[0].texts]


def test_timeline_rejects_bad_input(hand_trace):
    with pytest.raises(ValueError, match=r"trace must be a simulator\.trace\.Trace"):
        plots.timeline("trace")
    with pytest.raises(ValueError, match="window"):
        plots.timeline(hand_trace, window=0)
    with pytest.raises(ValueError, match="oracle must be a Trace"):
        plots.timeline(hand_trace, oracle=[1, 2])
    bad = TraceBuilder().build(meta={"stream_events": [{"end": 4}]})
    with pytest.raises(ValueError, match=r"stream_events'\]\[0\] must be a dict with an 'onset'"):
        plots.timeline(bad)


# --------------------------------------------------------------- save_figure


def test_save_figure_is_atomic(tmp_path):
    fig = plots.recovery_curves({"a": ([0, 1], [1.0, 0.5])})
    out = plots.save_figure(fig, tmp_path / "f.png")
    assert _is_png(out) and out.stat().st_mode & 0o044 == 0o044
    assert [p.name for p in tmp_path.iterdir()] == ["f.png"]
    with pytest.raises(ValueError):
        plots.save_figure(fig, tmp_path / "f.notaformat")
    # the failed save leaves neither a file nor its temporary
    assert [p.name for p in tmp_path.iterdir()] == ["f.png"]


# ------------------------------------------------------- threshold trade-off


def _tradeoff_summary(with_ci: bool = True) -> pd.DataFrame:
    rows = []
    # given out of threshold order: the plot must sort them
    for thr, far, delay, mdr in [
        (0.02, 0.9, 80, 0.0),
        (1e-5, 0.0, np.nan, 1.0),
        (0.002, 0.1, 150, 0.2),
        (1e-4, 0.02, 210, 0.5),
    ]:
        rows.append(
            {
                "detector": "ADWIN",
                "threshold_param": "delta",
                "threshold": thr,
                "false_alarm_rate": far,
                "detection_delay_mean": delay,
                "missed_detection_rate": mdr,
                "is_baseline": False,
            }
        )
    for thr, far, delay in [(5.0, 6.0, 20), (20.0, 0.4, 60), (100.0, 0.05, 300)]:
        rows.append(
            {
                "detector": "PageHinkley",
                "threshold_param": "threshold",
                "threshold": thr,
                "false_alarm_rate": far,
                "detection_delay_mean": delay,
                "missed_detection_rate": 0.0,
                "is_baseline": False,
            }
        )
    rows += [
        {
            "detector": "baseline:periodic",
            "threshold_param": "every",
            "threshold": 500.0,
            "false_alarm_rate": 2.0,
            "detection_delay_mean": 250.0,
            "missed_detection_rate": 0.0,
            "is_baseline": True,
        },
        {
            "detector": "baseline:random",
            "threshold_param": "rate",
            "threshold": 0.001,
            "false_alarm_rate": 1.0,
            "detection_delay_mean": 600.0,
            "missed_detection_rate": 0.3,
            "is_baseline": True,
        },
        {
            "detector": "baseline:never",
            "threshold_param": "none",
            "threshold": np.nan,
            "false_alarm_rate": 0.0,
            "detection_delay_mean": np.nan,
            "missed_detection_rate": 1.0,
            "is_baseline": True,
        },
    ]
    frame = pd.DataFrame(rows)
    if with_ci:
        frame["detection_delay_mean_ci"] = 10.0
        frame["false_alarm_rate_ci"] = frame["false_alarm_rate"] * 0.1
    return frame


def test_tradeoff_one_curve_per_detector_in_threshold_order(tmp_path):
    path = tmp_path / "tradeoff.png"
    fig = plots.threshold_tradeoff(_tradeoff_summary(), path=path)
    assert _is_png(path)
    ax = fig.axes[0]
    labels = [c.get_label() for c in ax.containers]
    assert labels == [
        "ADWIN (delta)",
        "PageHinkley (threshold)",
        "baseline: periodic",
        "baseline: random",
    ]
    adwin = ax.containers[0]
    # joined in threshold order: 1e-5 (no detection: nan), 1e-4, 0.002, 0.02
    np.testing.assert_array_equal(adwin.lines[0].get_xdata(), [0.0, 0.02, 0.1, 0.9])
    np.testing.assert_array_equal(adwin.lines[0].get_ydata()[1:], [210, 150, 80])
    assert adwin.has_xerr and adwin.has_yerr
    thresholds = [t.get_text().split(" · ")[0] for t in _by_gid(ax.texts, "threshold")]
    assert thresholds == ["1e-05", "0.0001", "0.002", "0.02", "5", "20", "100"]
    # a threshold that never detected says so, one that missed some says how many
    texts = [t.get_text() for t in _by_gid(ax.texts, "threshold")]
    assert texts[0] == "1e-05 · never detected"
    assert any(text.endswith("% missed") for text in texts)
    # no two labels overlap
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in _by_gid(ax.texts, "threshold")]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    # baselines are markers apart from the detector curves, never is a note
    assert ax.containers[3].lines[0].get_marker() == "D"
    assert ax.containers[2].lines[0].get_color() == "#555555"
    assert not any("never" in label for label in labels)
    assert any(label.startswith("baseline: never — no alarms") for label in _legend_labels(fig))


def test_tradeoff_encodes_missed_detections_and_undefined_delays():
    fig = plots.threshold_tradeoff(_tradeoff_summary(with_ci=False))
    ax = fig.axes[0]
    assert not ax.containers[0].has_xerr
    (rings,) = _by_gid(ax.collections, "missed:ADWIN")
    # rings only where something was missed and a delay exists: MDR 0.5 and 0.2
    np.testing.assert_array_equal(rings.get_offsets()[:, 0], [0.02, 0.1])
    sizes = rings.get_sizes()
    assert sizes[0] > sizes[1]  # more missed, bigger ring
    assert _by_gid(ax.collections, "missed:PageHinkley") == []
    (undefined,) = _by_gid(ax.collections, "undefined:ADWIN")
    np.testing.assert_array_equal(undefined.get_offsets(), [[0.0, 1.0]])
    labels = _legend_labels(fig)
    assert "ring size = missed-detection rate:" in labels
    assert any(label.startswith("never detected (no delay to plot)") for label in labels)


def test_tradeoff_axis_scales_and_inferred_baselines():
    summary = _tradeoff_summary().drop(columns=["is_baseline"])
    ax = plots.threshold_tradeoff(summary).axes[0]
    # zeros among rates spanning decades: symlog; delays 20..600 without zero: log
    assert ax.get_xscale() == "symlog" and ax.get_yscale() == "log"
    assert [c.get_label() for c in ax.containers][2:] == ["baseline: periodic", "baseline: random"]
    assert [t.get_text() for t in _by_gid(ax.texts, "better-hint")] == ["↙ better"]
    narrow = pd.DataFrame(
        {
            "detector": ["A", "A"],
            "false_alarm_rate": [1.0, 2.0],
            "detection_delay_mean": [10.0, 12.0],
        }
    )
    ax = plots.threshold_tradeoff(narrow).axes[0]
    # consistent log axes, even over a narrow range
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"


def test_tradeoff_rejects_missing_columns():
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['detection_delay_mean'\]"):
        plots.threshold_tradeoff(pd.DataFrame({"detector": ["A"], "false_alarm_rate": [1.0]}))
    with pytest.raises(ValueError, match="must be a pandas DataFrame"):
        plots.threshold_tradeoff({"detector": ["A"]})


# ----------------------------------------------------- recovery and policies


def test_recovery_curves_draw_the_oracle_distinctly(tmp_path):
    t = np.arange(2000, 2300)
    curves = {
        "Oracle": (t, np.ones(t.size)),
        "never": (t, np.full(t.size, 0.4)),
        "periodic": (t, np.linspace(0.4, 1, t.size)),
    }
    path = tmp_path / "recovery.png"
    fig = plots.recovery_curves(curves, onset=[2000, 2150], path=path)
    assert _is_png(path)
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    assert set(lines) == {"Oracle", "never", "periodic", "drift onset", "_nolegend_"}
    oracle = lines["Oracle"]
    assert oracle.get_linestyle() == "--" and oracle.get_color() == "black"
    assert oracle.get_zorder() > lines["never"].get_zorder()
    assert lines["never"].get_color() != lines["periodic"].get_color()
    np.testing.assert_array_equal(lines["periodic"].get_ydata(), curves["periodic"][1])
    assert lines["drift onset"].get_xdata()[0] == 2000


def test_recovery_curves_reject_bad_input():
    with pytest.raises(ValueError, match="non-empty mapping"):
        plots.recovery_curves({})
    with pytest.raises(ValueError, match="equal length"):
        plots.recovery_curves({"a": ([0, 1, 2], [1.0, 0.5])})
    with pytest.raises(ValueError, match="must be a pair"):
        plots.recovery_curves({"a": np.zeros(3)})


def test_policy_bars_two_panels_with_oracle_hatched_and_na(tmp_path):
    summary = pd.DataFrame(
        {
            "policy": ["never", "periodic", "oracle"],
            "accuracy_lost": [650.0, 300.0, 0.0],
            "total_cost": [2000.0, np.nan, 700.0],
            "accuracy_lost_ci": [20.0, 30.0, 0.0],
        }
    )
    path = tmp_path / "bars.png"
    fig = plots.policy_bars(summary, path=path)
    assert _is_png(path)
    lost, cost = fig.axes
    for ax in (lost, cost):
        bars = [p for p in ax.patches if isinstance(p, Rectangle)]
        assert len(bars) == 3
        assert [b.get_hatch() for b in bars] == [None, None, "//"]
    assert [b.get_width() for b in lost.patches] == [650.0, 300.0, 0.0]
    assert [t.get_text() for t in cost.texts] == ["2,000", "n/a", "700"]
    assert [t.get_text() for t in lost.get_yticklabels()] == ["never", "periodic", "oracle"]
    bar_lost, bar_cost = (
        next(c for c in ax.containers if isinstance(c, BarContainer)) for ax in (lost, cost)
    )
    assert bar_lost.errorbar is not None and bar_cost.errorbar is None
    with pytest.raises(ValueError, match=r"several rows for policy \['never'\]"):
        plots.policy_bars(pd.concat([summary, summary.iloc[:1]]))


# ------------------------------------------------------------------ heat map


def _heat_summary() -> pd.DataFrame:
    rows = []
    for i, det in enumerate(["ADWIN", "DDM", "KSWIN"]):
        for j, drift in enumerate(["gradual", "abrupt"]):
            value = np.nan if (det, drift) == ("KSWIN", "abrupt") else 10.0 * (i + 1) + j
            rows.append(
                {"detector": det, "drift": drift, "mtr": value, "detection_delay_mean": value}
            )
    return pd.DataFrame(rows)


def test_heatmap_one_annotated_cell_per_pair_and_na(tmp_path):
    path = tmp_path / "heat.png"
    fig = plots.heatmap(_heat_summary(), path=path)
    assert _is_png(path)
    ax = fig.axes[0]
    cells = _by_gid(ax.texts, "cell")
    assert [c.get_text() for c in cells] == ["10", "11", "20", "21", "30", "n/a"]
    # cell (row 2, col 1) is the missing one, grey and hatched
    assert cells[-1].get_position() == (1, 2)
    (na,) = _by_gid(ax.patches, "cell-na")
    assert na.get_hatch() == "//" and na.get_xy() == (0.5, 1.5)
    # order of first appearance, not sorted
    assert [t.get_text() for t in ax.get_xticklabels()] == ["gradual", "abrupt"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["ADWIN", "DDM", "KSWIN"]


def test_heatmap_bright_is_better_whatever_the_metric():
    """The best cell is the brightest: largest MTR, smallest delay."""
    summary = _heat_summary()

    def luminance(ax, value):
        image = ax.images[0]
        r, g, b, _ = image.cmap(image.norm(value))
        return 0.299 * r + 0.587 * g + 0.114 * b

    mtr = plots.heatmap(summary, value="mtr").axes[0]
    assert mtr.images[0].cmap.name == "viridis"
    assert luminance(mtr, 30.0) > luminance(mtr, 10.0)
    delay = plots.heatmap(summary, value="detection_delay_mean")
    assert delay.axes[0].images[0].cmap.name == "viridis_r"
    assert luminance(delay.axes[0], 10.0) > luminance(delay.axes[0], 30.0)
    assert "lower is better" in delay.axes[1].get_ylabel()
    custom = plots.heatmap(
        summary.rename(columns={"mtr": "score"}), value="score", higher_is_better=False
    )
    assert custom.axes[0].images[0].cmap.name == "viridis_r"


def test_heatmap_log_colours_for_values_spanning_decades():
    summary = pd.DataFrame({"detector": ["a", "b"], "drift": ["x", "x"], "mtr": [0.5, 500.0]})
    assert isinstance(plots.heatmap(summary).axes[0].images[0].norm, LogNorm)
    assert not isinstance(plots.heatmap(_heat_summary()).axes[0].images[0].norm, LogNorm)


def test_heatmap_rejects_bad_input():
    summary = _heat_summary()
    with pytest.raises(ValueError, match="pass higher_is_better=True or False"):
        plots.heatmap(summary.rename(columns={"mtr": "score"}), value="score")
    with pytest.raises(ValueError, match=r"several rows for \(detector, drift\) = \['ADWIN'"):
        plots.heatmap(pd.concat([summary, summary]))
    with pytest.raises(ValueError, match="lacks the column"):
        plots.heatmap(summary, col="scenario")


# --------------------------------------------------------------- calibration


def _calibration_curves():
    from detectors.calibration import calibrate, null_alarm_rate
    from detectors.page_hinkley import PageHinkley

    rng = np.random.default_rng(0)
    streams = [rng.normal(size=3000) for _ in range(2)]
    thresholds = np.geomspace(2.0, 300.0, 8)
    curves = pd.DataFrame(
        {
            "detector": "PageHinkley",
            "threshold_param": "threshold",
            "threshold": thresholds,
            "false_alarm_rate": [
                null_alarm_rate(lambda t=t: PageHinkley(threshold=t), streams) for t in thresholds
            ],
        }
    )
    cal = calibrate(PageHinkley, streams, 1.0, "threshold", bounds=(1.0, 300.0))
    return curves, cal


def test_calibration_plot_marks_target_and_calibrated_value(tmp_path):
    curves, cal = _calibration_curves()
    other = pd.DataFrame(
        {"detector": "ADWIN", "threshold": [1e-4, 1e-2, 0.5], "false_alarm_rate": [0.0, 0.3, 4.0]}
    )
    path = tmp_path / "calibration.png"
    fig = plots.calibration_plot(
        pd.concat([curves, other]), {"PageHinkley": cal, "ADWIN": 0.01}, path=path
    )
    assert _is_png(path)
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["PageHinkley", "ADWIN"]
    ph, adwin = panels
    assert ph.get_xlabel() == "threshold" and adwin.get_xlabel() == "threshold"
    assert ph.get_xscale() == "log" and ph.get_yscale() == "log"
    (target,) = _by_gid(ph.lines, "target")
    assert target.get_ydata()[0] == 1.0  # the Calibration's target, shared by both
    (star,) = _by_gid(ph.collections, "calibrated-point")
    np.testing.assert_allclose(star.get_offsets()[0], [cal.value, cal.achieved_rate])
    assert [t.get_text() for t in _by_gid(adwin.texts, "calibrated")] == ["calibrated: 0.01"]
    # zero rates sit on the floor, and the floor's tick reads 0
    (zeros,) = _by_gid(adwin.collections, "no-false-alarm")
    floor = zeros.get_offsets()[0, 1]
    assert floor < 0.3 and adwin.yaxis.get_major_formatter()(floor) == "0"
    (curve,) = _by_gid(ph.lines, "curve")
    np.testing.assert_array_equal(curve.get_xdata(), curves["threshold"])
    assert any("target: 1 per 1,000 (run time 1,000)" == lbl for lbl in _legend_labels(fig))


def test_calibration_plot_rejects_bad_input():
    curves = pd.DataFrame(
        {"detector": ["A", "A"], "threshold": [1.0, 2.0], "false_alarm_rate": [1.0, 0.5]}
    )
    with pytest.raises(ValueError, match="target_rate is needed"):
        plots.calibration_plot(curves, {"A": 1.5})
    with pytest.raises(ValueError, match=r"detectors \['B'\] that curves lacks"):
        plots.calibration_plot(curves, {"B": 1.5}, target_rate=1.0)
    with pytest.raises(ValueError, match="target_rate"):
        plots.calibration_plot(curves, {"A": 1.5}, target_rate=0.0)
    with pytest.raises(ValueError, match=r"numbers or detectors\.calibration\.Calibration"):
        plots.calibration_plot(curves, {"A": "high"}, target_rate=1.0)
    with pytest.raises(ValueError, match="false_alarm_rate must be >= 0"):
        plots.calibration_plot(
            curves.assign(false_alarm_rate=[-1.0, 0.5]), {"A": 1.5}, target_rate=1.0
        )


def test_every_drift_kind_has_its_own_colour():
    from simulator.drift import KINDS

    assert set(plots.DRIFT_COLORS) == set(KINDS)
    assert len(set(plots.DRIFT_COLORS.values())) == len(KINDS)


def test_timeline_keeps_the_signature_experiments_run_calls():
    """experiments.run calls ``timeline(trace, oracle=..., skyline=..., path=..., title=...,
    window=...)``."""
    import inspect

    params = inspect.signature(plots.timeline).parameters
    assert list(params) == ["trace", "oracle", "path", "title", "window", "skyline"]
    assert all(params[p].kind is inspect.Parameter.KEYWORD_ONLY for p in list(params)[1:])
    assert [params[p].default for p in ("oracle", "path", "title", "window", "skyline")] == [
        None,
        None,
        None,
        100,
        None,
    ]
