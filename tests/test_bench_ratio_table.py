"""The ratio table printed at the end of ``make bench`` (tests/benchmarks/ratio_table.py)."""

from __future__ import annotations

from tests.benchmarks.ratio_table import Timing, format_table, ratio_rows, side_of


def test_side_from_name_or_extra_info():
    assert side_of("test_river_update_loop[ADWIN]", {}) == "river"
    assert side_of("test_scipy_loop[KS]", {}) == "scipy"
    assert side_of("test_ours_update_many[ADWIN]", {}) == "ours"
    assert side_of("test_update[ADWIN-river]", {"side": "river"}) == "river"
    # a parameter id that mentions a reference does not make a benchmark the reference
    assert side_of("test_ours[river_like]", {}) == "ours"


def test_rows_compare_per_value_when_lengths_differ():
    rows = ratio_rows(
        [
            Timing("DDM", "ours", 0.010, 1_000_000),  # 10 ns per value
            Timing("DDM", "river", 0.050, 100_000),  # 500 ns per value
            Timing("KS", "ours", 0.002),
            Timing("KS", "scipy", 0.001),
            Timing("CUSUM", "ours", 0.1, 10),  # no reference: no row
        ]
    )
    assert [r[:2] for r in rows] == [("DDM", "river"), ("KS", "scipy")]
    ddm, ks = rows
    assert ddm[2] == 1e-8 and ddm[3] == 5e-7 and round(ddm[4], 9) == 50.0 and ddm[5]
    assert ks[4] == 0.5 and not ks[5]


def test_table_lists_every_row_aligned():
    rows = ratio_rows([Timing("MMD", "ours", 0.5), Timing("MMD", "numpy", 2.0)])
    text = format_table(rows)
    lines = text.splitlines()
    assert lines[0].split() == ["group", "reference", "driftsim", "reference", "speed-up"]
    assert lines[1].split() == ["MMD", "numpy", "500", "ms", "per", "call", "2", "s", "per",
                                "call", "4.00x"]
