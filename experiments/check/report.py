"""The check's reports: ``check.json`` and a self-contained ``check.html``."""

from __future__ import annotations

import html
import json
from pathlib import Path

from experiments.check.checks import CheckResult
from experiments.files import atomic_write

__all__ = ["write_reports"]


def _table(rows: list[dict], columns: list[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(r.get(c)))}</td>" for c in columns) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


def _html(result: CheckResult, title: str) -> str:
    status = "violations found" if result.exit_code else "no violation"
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='status'>{result.rows} rows checked: <b>{status}</b> "
        f"(exit code {result.exit_code}).</p>",
        "<h2>Violations</h2>",
        _table([vars(v) for v in result.violations], ["feature", "check", "description"])
        if result.violations else "<p>None.</p>",
    ]
    if result.drift and result.drift.get("features"):
        parts += [
            "<h2>Drift per feature</h2>",
            f"<p>Test chosen per feature (AutoTest); correction: "
            f"{html.escape(str(result.drift['correction']))}; drifting share "
            f"{_cell(result.drift['share'])} of {result.drift['tested']} features.</p>",
            _table(result.drift["features"],
                   ["feature", "test", "statistic", "p_value", "adjusted_p_value",
                    "threshold", "drift"]),
        ]
    if result.performance:
        parts += ["<h2>Performance rule</h2>",
                  _table([result.performance], ["metric", "value", "threshold",
                                                "consecutive_below", "consecutive",
                                                "violated"])]
    style = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
             "td,th{border:1px solid #999;padding:3px 8px}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
            f"</title><style>{style}</style></head><body>{''.join(parts)}</body></html>")


def write_reports(result: CheckResult, out: str | Path, title: str = "driftsim check") -> Path:
    """Write ``check.json`` and ``check.html`` into ``out`` (atomically).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_reports(CheckResult(rows=3, violations=[]), tmp)
    ...     sorted(p.name for p in path.parent.iterdir())
    ['check.html', 'check.json']
    """
    out = Path(out)
    text = json.dumps(result.to_dict(), indent=2, default=float)
    page = _html(result, title)
    atomic_write(out / "check.json", lambda tmp: Path(tmp).write_text(text))
    atomic_write(out / "check.html", lambda tmp: Path(tmp).write_text(page))
    return out / "check.json"
