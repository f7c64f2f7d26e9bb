"""Prints the driftsim-versus-reference ratio table at the end of a benchmark run."""

from __future__ import annotations

import pytest

from tests.benchmarks.ratio_table import Timing, format_table, ratio_rows, side_of


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    session = getattr(config, "_benchmarksession", None)
    if session is None or session.disabled:
        return
    timings = [
        Timing(
            bench.group or bench.name,
            side_of(bench.name, bench.extra_info),
            bench.stats.min,
            int(bench.extra_info.get("elements", 1)),
        )
        for bench in session.benchmarks
        if bench
    ]
    rows = ratio_rows(timings)
    if rows:
        terminalreporter.write_sep(
            "-", "driftsim vs reference, same run (min over rounds; speed-up = reference / ours)"
        )
        terminalreporter.write_line(format_table(rows))
