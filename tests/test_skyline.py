"""The skyline is a bound: no shipped policy beats it beyond noise on any shipped
scenario; it follows the distribution in force (gradual mixtures included); recovery
is measured against it (issue 9, item 2)."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from experiments.run import _skyline, build, compose
from simulator import DeploymentLoop, Drift, DriftStream, load_dataset
from simulator.skyline import skyline, state_accuracy

CONF = Path(__file__).resolve().parent.parent / "conf"
SCENARIOS = sorted(p.stem for p in (CONF / "drift").glob("*.yaml"))
POLICIES = sorted(p.stem for p in (CONF / "policy").glob("*.yaml"))
WINDOW = 750  # samples per comparison window
LONGER = {"mixed": 4500}  # scenarios whose last drift starts late


def _beats(correct: np.ndarray, sky: np.ndarray) -> list[tuple[int, float, float]]:
    """Windows where the run's accuracy exceeds the skyline's beyond three standard
    errors of a window's accuracy (plus the skyline's own estimation noise)."""
    out = []
    for start in range(0, correct.size - WINDOW + 1, WINDOW):
        run = float(correct[start:start + WINDOW].mean())
        bound = float(sky[start:start + WINDOW].mean())
        noise = 3 * math.sqrt(max(bound * (1 - bound), 0.01) / WINDOW) + 0.01
        if run > bound + noise:
            out.append((start, run, bound))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_no_shipped_policy_beats_the_skyline(scenario):
    for k, policy in enumerate(POLICIES):
        seed = k % 2  # two seeds across the policies keeps the runtime modest
        cfg = compose([f"drift={scenario}", f"policy={policy}", "detector=ddm",
                       f"n_samples={LONGER.get(scenario, 3000)}", f"seed={seed}"])
        parts = build(cfg)
        trace = DeploymentLoop(parts["stream"], parts["model"], parts["monitors"],
                               parts["policy"], **parts["settings"]).run()
        sky = _skyline(cfg, parts["stream"])
        assert _beats(np.asarray(trace.correct, dtype=float), sky) == [], (scenario, policy)


def test_skyline_follows_the_mixture_of_a_gradual_drift():
    data = load_dataset("iris")
    swap = Drift("concept", 1000, width=1000, profile="gradual", transform="swap",
                 classes=(0, 1))
    stream = DriftStream(data, [swap], n_samples=3000, seed=0)
    sky = skyline(stream)
    before, middle, after = sky[500], sky[1500], sky[2500]
    # both pure concepts are learnable; half swapped, half not, is not
    assert before > 0.9 and after > 0.9
    assert middle < min(before, after) - 0.15
    # the value at a sample is a model trained on that sample's distribution
    assert sky[1500] == pytest.approx(state_accuracy(stream, stream.state_at(1500)[0]),
                                      abs=0.03)


def test_sample_at_draws_the_distribution_in_force():
    stream = DriftStream(load_dataset("iris"), [Drift("prior", 1000, toward=0)],
                         n_samples=2000, seed=0)
    _, y_before, _, _ = stream.sample_at(10, 3000, seed=1)
    _, y_after, truth, _ = stream.sample_at(1500, 3000, seed=1)
    assert abs((y_before == 0).mean() - 1 / 3) < 0.05
    assert (y_after == 0).mean() > 0.6 and truth.min() == 1.0
    again = stream.sample_at(1500, 3000, seed=1)[1]
    assert np.array_equal(again, y_after)  # seeded
    with pytest.raises(ValueError, match="state must hold 1 intensities"):
        stream.sample_state([0.5, 0.5], 10)
    with pytest.raises(ValueError, match="t must be sample indices"):
        stream.state_at(-1)


def test_segments_cover_the_stream_once():
    cfg = compose(["drift=mixed", "n_samples=5000"])
    stream = build(cfg)["stream"]
    segments = stream.segments(0.05)
    assert segments[0][0] == 0 and segments[-1][1] == 5000
    assert all(a[1] == b[0] for a, b in itertools.pairwise(segments))
    assert len(segments) < 60  # computed per state, not per sample


def test_recovery_is_measured_against_the_skyline():
    from experiments.run import run

    result = run(compose(["drift=abrupt_concept", "n_samples=3000", "policy=drift_triggered",
                          "detector=ddm", "plot=false"]), output_dir=None)
    m = result["metrics"]
    assert m["reference"] == "skyline"
    assert m["accuracy_lost"] == m["accuracy_lost_skyline"] >= 0
    assert m["skyline_accuracy"] >= m["accuracy"] - 0.01
    assert m["skyline_accuracy"] >= m["oracle_accuracy"] - 0.01
