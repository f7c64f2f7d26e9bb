"""The README's "Five minutes with the API" example runs and prints a small table."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def _example() -> str:
    text = README.read_text()
    section = text.split("## Five minutes with the API", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_example_prints_a_small_table():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(_example(), "README.md", "exec"), {})  # our own README
    lines = out.getvalue().strip().splitlines()
    assert lines[1].startswith("RunScores(alerts of monitor error/ADWIN: accuracy ")
    table = lines[2:]
    assert table[0].split() == ["metric", "value"]
    assert len(table) == 7  # header + six metrics, not a 40-key dict
    assert "false alarms per 1,000 drift-free samples" in "\n".join(table)
