"""Tests of experiments.report: a self-contained, escaped, atomically written HTML file."""

from __future__ import annotations

import base64
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from experiments import report
from experiments.report import format_number, render_report, write_report

PNG = b"\x89PNG\r\n\x1a\n"


def _figure() -> Figure:
    fig = Figure(figsize=(2, 1.5))
    fig.subplots().plot([0, 1, 2], [1, 0, 1])
    return fig


class _Collector(HTMLParser):
    """Collects start tags, table headers and cells, and text, to check the page's structure."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.th: list[str] = []
        self.td: list[str] = []
        self._cell: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("th", "td"):
            self._cell = tag
            getattr(self, tag).append("")

    def handle_endtag(self, tag):
        if tag in ("th", "td"):
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            getattr(self, self._cell)[-1] += data.strip()


def _parse(html: str) -> _Collector:
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture
def tables() -> dict[str, pd.DataFrame]:
    runs = pd.DataFrame(
        {
            "detector": ["ADWIN", "<script>alert(1)</script>", None],
            "seed": [0, 2024, 7],
            "false_alarm_rate": [0.123456, np.nan, 1234.5],
            "detected": [True, False, True],
        }
    )
    summary = pd.DataFrame({"mtr": [12.5, 3.0]}, index=pd.Index(["ADWIN", "DDM"], name="detector"))
    return {"Runs & seeds": runs, "Summary": summary}


def test_report_contains_title_tables_and_one_image_per_figure(tmp_path, tables):
    png_path = tmp_path / "saved.png"
    _figure().savefig(png_path)
    figures = {
        "Timeline <run 1>": _figure(),
        "From file": png_path,
        "From bytes": png_path.read_bytes(),
    }
    out = write_report(
        tmp_path / "sub" / "report.html",
        title="Sweep <A> & B",
        tables=tables,
        figures=figures,
        notes=["First & <note>.", "Second."],
    )
    assert out == tmp_path / "sub" / "report.html"
    html = out.read_text(encoding="utf-8")
    page = _parse(html)
    assert "<title>Sweep &lt;A&gt; &amp; B</title>" in html
    assert "<h1>Sweep &lt;A&gt; &amp; B</h1>" in html
    # every header of every table, the named index included
    for name in ("detector", "seed", "false_alarm_rate", "detected", "mtr"):
        assert name in page.th
    images = [attrs for tag, attrs in page.tags if tag == "img"]
    assert len(images) == len(figures) == html.count('<img src="data:image/png;base64,')
    for attrs in images:
        data = base64.b64decode(attrs["src"].removeprefix("data:image/png;base64,"))
        assert data[:8] == PNG
    assert [a["alt"] for a in images] == list(figures)
    assert "First & <note>." in page.text and "Timeline <run 1>" in "".join(page.text)
    # nothing that would reach the network or run
    assert not re.search(r"https?://", html)
    assert not re.search(r"<script|<link|@import|url\(", html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_report_formats_numbers_and_missing_values(tables):
    page = _parse(render_report("t", tables=tables))
    cells = page.td
    # runs: detector, seed, false_alarm_rate, detected per row
    assert cells[:4] == ["ADWIN", "0", "0.1235", "True"]
    assert cells[4:8] == ["<script>alert(1)</script>", "2024", "–", "False"]
    assert cells[8:12] == ["–", "7", "1,234", "True"]
    # the default 0..n-1 index is left out; a named one is shown as a header column
    assert "0" not in page.th
    assert page.th[-2:] == ["ADWIN", "DDM"]
    assert cells[12:] == ["12.5", "3"]


def test_format_number():
    assert format_number(np.float32(0.5)) == "0.5"
    assert format_number(np.int64(12345)) == "12,345"
    assert format_number(float("inf")) == "∞"
    assert format_number(-2.5e-7) == "-2.5e-07"
    assert format_number(999.94) == "999.9"
    assert format_number("text") == "text"


def test_report_accepts_sequences_and_pairs(tmp_path):
    frame = pd.DataFrame({"a": [1.0]})
    html = render_report("t", tables=[frame, ("Named", frame)], figures=[_figure()])
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    assert headings == ["Table 1", "Named", "Figure 1"]
    # anchors are unique even when captions repeat
    html = render_report("t", tables=[("Same", frame), ("Same", frame)])
    assert re.findall(r'<section id="([^"]+)"', html) == ["same", "same-2"]
    assert '<a href="#same">Same</a> <a href="#same-2">Same</a>' in html
    assert "<nav>" not in render_report("t", tables={"only": frame})
    series = render_report("t", tables={"s": pd.Series([1.5], name="value")})
    assert "<th>value</th>" in series


def test_report_rejects_bad_items(tmp_path):
    text = tmp_path / "note.txt"
    text.write_text("not an image")
    with pytest.raises(ValueError, match="is not a PNG image"):
        render_report("t", figures={"bad": text})
    with pytest.raises(ValueError, match="no PNG file at"):
        render_report("t", figures=[tmp_path / "missing.png"])
    with pytest.raises(ValueError, match="must be a matplotlib Figure"):
        render_report("t", figures=[42])
    with pytest.raises(ValueError, match=r"tables\['x'\] must be a pandas DataFrame"):
        render_report("t", tables={"x": [1, 2]})
    with pytest.raises(ValueError, match="tables must be a mapping"):
        render_report("t", tables="table")
    with pytest.raises(ValueError, match="title must be a string"):
        render_report(None)


def test_write_is_atomic_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "report.html"
    write_report(path, title="first")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    assert path.stat().st_mode & 0o044 == 0o044  # readable by others, like a normal file

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(report.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        write_report(path, title="second")
    monkeypatch.undo()
    # the old report is intact and the temporary is gone
    assert "<h1>first</h1>" in path.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    # a bad figure fails before anything is written
    with pytest.raises(ValueError):
        write_report(tmp_path / "other.html", title="x", figures=[42])
    assert sorted(os.listdir(tmp_path)) == ["report.html"]


def test_write_overwrites_and_returns_a_path(tmp_path):
    first = write_report(str(tmp_path / "r.html"), title="one")
    second = write_report(first, title="two", notes="single note")
    assert isinstance(second, Path) and second == first
    text = second.read_text()
    assert "<h1>two</h1>" in text and '<p class="note">single note</p>' in text
