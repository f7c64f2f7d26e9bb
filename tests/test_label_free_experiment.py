"""The label_free overlay: one cell per approach runs, and the estimate alarms first."""

from __future__ import annotations

import pytest

from experiments.label_free import APPROACHES, _one, run_grid, summarise
from experiments.run import compose


@pytest.mark.parametrize("approach", sorted(APPROACHES))
def test_every_approach_composes_on_the_overlay(approach):
    cfg = compose(["experiment=label_free", *APPROACHES[approach]])
    assert cfg.n_samples == 10000 and cfg.score.horizon == 6000


def test_the_estimate_alarms_before_labels_do_under_delay():
    """Abrupt covariate shift at 2,000, labels 500 samples late: the SLA on CBPE's
    estimate alarms at the third failing check (599 samples after onset), the same SLA
    on labels 500 samples later."""
    estimated = _one("estimated", "abrupt_covariate", 500, 0, 4000)
    labelled = _one("sla", "abrupt_covariate", 500, 0, 4000)
    assert estimated["missed"] == labelled["missed"] == 0
    assert estimated["detection_delay_mean"] == 599.0
    assert labelled["detection_delay_mean"] == 599.0 + 500
    table = summarise(__import__("pandas").DataFrame([estimated, labelled]))
    assert table["approach"].tolist() == ["F1<0.85 x3 on CBPE estimate", "F1<0.85 x3 on labels"]


def test_unknown_approaches_are_refused():
    with pytest.raises(ValueError, match="unknown approach"):
        run_grid(approaches=["psychic"])
