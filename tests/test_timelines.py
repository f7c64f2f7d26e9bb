"""Per-run timelines drawn later, from the saved traces (experiments.timelines)."""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments.run import compose, run
from experiments.timelines import needs_render, render_missing, render_run

OVERRIDES = ["n_samples=2500", "drift=abrupt_concept", "policy=drift_triggered"]


def test_lazy_run_keeps_both_traces_and_draws_the_figure_later(tmp_path: Path) -> None:
    run(compose([*OVERRIDES, "timeline=lazy", "save_trace=false"]), output_dir=tmp_path)
    assert {p.name for p in tmp_path.iterdir()} >= {"trace.npz", "oracle_trace.npz",
                                                    "result.json"}
    assert needs_render(tmp_path) and not (tmp_path / "timeline.png").exists()
    path = render_run(tmp_path)
    assert path.read_bytes().startswith(b"\x89PNG") and not needs_render(tmp_path)


def test_a_single_run_still_draws_at_once(tmp_path: Path) -> None:
    run(compose(OVERRIDES), output_dir=tmp_path)  # timeline=auto outside a sweep
    assert (tmp_path / "timeline.png").exists() and not needs_render(tmp_path)
    assert not (tmp_path / "oracle_trace.npz").exists()


def test_render_missing_draws_only_what_is_missing(tmp_path: Path) -> None:
    for seed in (0, 1):
        run(compose([*OVERRIDES, "timeline=lazy", f"seed={seed}", "score.oracle=false"]),
            output_dir=tmp_path / str(seed))
    (tmp_path / "1" / "timeline.png").write_bytes(b"\x89PNG already drawn")
    made = render_missing(tmp_path, n_jobs=1)
    assert made == [tmp_path / "0" / "timeline.png"]
    assert (tmp_path / "1" / "timeline.png").read_bytes() == b"\x89PNG already drawn"
    assert render_missing(tmp_path, n_jobs=1) == []


def test_timeline_choice_is_checked() -> None:
    with pytest.raises(ValueError, match=r"timeline must be one of \['auto', 'now', 'lazy'\]"):
        run(compose([*OVERRIDES, "timeline=later"]), output_dir=None)
