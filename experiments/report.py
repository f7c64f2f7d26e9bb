"""One self-contained HTML report: title, notes, tables and figures in a single file.

:func:`write_report` renders pandas DataFrames as HTML tables (numbers shortened,
missing values shown as "–") and embeds figures as base64 PNG data, with a small
inline style sheet: the file needs no network, no other file and no JavaScript, so
it can be mailed, archived beside a sweep, or opened offline. All text is
HTML-escaped. The file is written to a temporary name and renamed into place.
:func:`render_report` returns the same HTML as a string.

Tables and figures may be given as a mapping caption → item, as a sequence of items
(no captions), or as a sequence of ``(caption, item)`` pairs; a figure is a
:class:`matplotlib.figure.Figure` or the path of a PNG file.

Examples
--------
>>> import pandas as pd
>>> html = render_report("Sweep <1>", tables={"scores": pd.DataFrame({"mtr": [1.5, None]})},
...                      notes=["A & B"])
>>> "<h1>Sweep &lt;1&gt;</h1>" in html, "A &amp; B" in html, "–" in html
(True, True, True)
"""

from __future__ import annotations

import base64
import html
import io
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from experiments.files import atomic_write

__all__ = ["format_number", "render_report", "write_report"]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_NA = "–"

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2em auto;
       max-width: 1200px; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.3em; }
h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
nav { font-size: 0.9em; color: #555; }
nav a { margin-right: 1em; }
p.note { max-width: 60em; }
.table-wrap { overflow-x: auto; margin: 0.5em 0 1.5em; }
table.report { border-collapse: collapse; font-size: 0.85em; }
table.report th, table.report td { border: 1px solid #ddd; padding: 0.25em 0.6em; }
table.report th { background: #f3f3f3; text-align: left; }
table.report td { text-align: right; font-variant-numeric: tabular-nums; }
table.report tbody tr:nth-child(even) { background: #fafafa; }
figure { margin: 1em 0 2em; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #444; margin-top: 0.3em; max-width: 60em; }
dl dt { font-weight: 600; margin-top: 0.5em; }
dl dd { margin-left: 1.5em; max-width: 60em; }
table.report td.text { text-align: left; }
"""


def format_number(value: Any) -> str:
    """A table cell for a number: short, exact for integers, "–" when missing.

    Integers (and integral floats) in full; other floats with four significant digits,
    whole units at or above 1,000; never scientific notation between 1e-4 and 1e15.

    Examples
    --------
    >>> [format_number(v) for v in (3.0, 0.123456, 1234.567, 2.5e-6, float("nan"), None)]
    ['3', '0.1235', '1,235', '2.5e-06', '–', '–']
    """
    if value is None:
        return _NA
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(v):
        return _NA
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if v.is_integer() and abs(v) < 1e15:
        return f"{int(v):,}"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 1e-4:
        return f"{v:.4g}"
    return f"{v:.2g}"


def _items(what: str, items: Any) -> list[tuple[str | None, Any]]:
    """Normalise a mapping / sequence / sequence of pairs into ``(caption, item)`` pairs."""
    if items is None:
        return []
    if isinstance(items, Mapping):
        return [(str(k), v) for k, v in items.items()]
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise ValueError(
            f"{what} must be a mapping caption -> item or a sequence of items or "
            f"(caption, item) pairs, got {type(items).__name__}"
        )
    out: list[tuple[str | None, Any]] = []
    for entry in items:
        if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str):
            out.append((entry[0], entry[1]))
        else:
            out.append((None, entry))
    return out


def _slug(text: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
    slug, k = base, 2
    while slug in used:
        slug, k = f"{base}-{k}", k + 1
    used.add(slug)
    return slug


def _table_html(frame: Any, where: str) -> str:
    import pandas as pd

    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{where} must be a pandas DataFrame, got {type(frame).__name__}")
    # a default 0..n-1 index says nothing; a named or labelled one is data
    show_index = not (
        isinstance(frame.index, pd.RangeIndex)
        and frame.index.start == 0
        and frame.index.step == 1
        and frame.index.name is None
    )
    # floats shortened; integer columns (seeds, counts, sizes) printed as they are
    formatters = {
        col: format_number for col in frame.columns if pd.api.types.is_float_dtype(frame[col])
    }
    return frame.to_html(
        index=show_index,
        na_rep=_NA,
        formatters=formatters,
        escape=True,
        border=0,
        classes="report",
        justify="left",
    )


def _png_bytes(figure: Any, where: str) -> bytes:
    from matplotlib.figure import Figure

    if isinstance(figure, Figure):
        buf = io.BytesIO()
        figure.savefig(buf, format="png", dpi=100)
        return buf.getvalue()
    if isinstance(figure, (bytes, bytearray)):
        data = bytes(figure)
    elif isinstance(figure, (str, os.PathLike)):
        path = Path(figure)
        if not path.is_file():
            raise ValueError(f"{where}: no PNG file at {str(path)!r}")
        data = path.read_bytes()
    else:
        raise ValueError(
            f"{where} must be a matplotlib Figure, PNG bytes or the path of a PNG file, "
            f"got {type(figure).__name__}"
        )
    if not data.startswith(_PNG_SIGNATURE):
        raise ValueError(f"{where} is not a PNG image (only PNG can be embedded)")
    return data


def render_report(
    title: str,
    *,
    tables: Any = None,
    figures: Any = None,
    notes: Sequence[str] | str = (),
    glossary: Mapping[str, str] | None = None,
    captions: Mapping[str, str] | None = None,
    appendix: Any = None,
    links: Sequence[tuple[str, str]] = (),
) -> str:
    """The HTML text of the report :func:`write_report` writes.

    Parameters are those of :func:`write_report`.

    Examples
    --------
    >>> html = render_report("empty")
    >>> html.startswith("<!DOCTYPE html>"), "<title>empty</title>" in html
    (True, True)
    """
    if not isinstance(title, str):
        raise ValueError(f"title must be a string, got {type(title).__name__}")
    if isinstance(notes, str):
        notes = [notes]
    page = _Sections()
    for i, (caption, frame) in enumerate(_items("tables", tables)):
        heading = caption if caption is not None else f"Table {i + 1}"
        page.add(heading, _table_block(frame, f"tables[{heading!r}]"))
    if glossary:
        page.add("Glossary", _glossary_block(glossary))
    for i, (caption, figure) in enumerate(_items("figures", figures)):
        heading = caption if caption is not None else f"Figure {i + 1}"
        page.add(heading, _figure_block(figure, heading, (captions or {}).get(heading, caption)))
    for caption, frame in _items("appendix", appendix):
        heading = caption if caption is not None else "Appendix"
        page.add(heading, _table_block(frame, f"appendix[{heading!r}]"))
    if links:
        page.add("Runs", _links_block(links), h2="Runs (each run's timeline)")
    return _page(title, notes, page)


class _Sections:
    """The report's sections in page order, each with a unique anchor and a contents link."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.parts: list[str] = []
        self.toc: list[str] = []

    def add(self, heading: str, inner: str, *, h2: str | None = None) -> None:
        """Append a section of ``inner`` HTML titled ``heading`` (or the HTML ``h2``)."""
        anchor = _slug(heading, self.used)
        self.toc.append(f'<a href="#{anchor}">{html.escape(heading)}</a>')
        title = h2 if h2 is not None else html.escape(heading)
        self.parts.append(f'<section id="{anchor}">\n<h2>{title}</h2>\n{inner}</section>')


def _table_block(frame: Any, where: str) -> str:
    """A table in its scrolling wrapper."""
    return f'<div class="table-wrap">\n{_table_html(frame, where)}\n</div>\n'


def _glossary_block(glossary: Mapping[str, str]) -> str:
    """The glossary as a definition list."""
    terms = "".join(f"<dt>{html.escape(str(k))}</dt><dd>{html.escape(str(v))}</dd>\n"
                    for k, v in glossary.items())
    return f"<dl>\n{terms}</dl>\n"


def _figure_block(figure: Any, heading: str, caption: str | None) -> str:
    """A figure embedded as a base64 PNG, with its caption when it has one."""
    esc = html.escape
    data = base64.b64encode(_png_bytes(figure, f"figures[{heading!r}]")).decode("ascii")
    return (
        f'<figure>\n<img src="data:image/png;base64,{data}" alt="{esc(heading, quote=True)}">\n'
        + (f"<figcaption>{esc(caption)}</figcaption>\n" if caption is not None else "")
        + "</figure>\n"
    )


def _links_block(links: Sequence[tuple[str, str]]) -> str:
    """The runs' links as a list."""
    esc = html.escape
    items = "".join(f'<li><a href="{esc(href, quote=True)}">{esc(text)}</a></li>\n'
                    for text, href in links)
    return f'<ul class="runs">\n{items}</ul>\n'


def _page(title: str, notes: Sequence[str], sections: _Sections) -> str:
    """The whole document: head, title, notes, contents (if several sections), sections."""
    esc = html.escape
    head = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{esc(title)}</h1>\n"
    )
    intro = "".join(f'<p class="note">{esc(str(n))}</p>\n' for n in notes)
    nav = f"<nav>{' '.join(sections.toc)}</nav>\n" if len(sections.toc) > 1 else ""
    return head + intro + nav + "\n".join(sections.parts) + "\n</body>\n</html>\n"


def write_report(
    path: str | os.PathLike[str],
    *,
    title: str,
    tables: Any = None,
    figures: Any = None,
    notes: Sequence[str] | str = (),
    **sections: Any,
) -> Path:
    """Write a self-contained HTML report (no network, no other files) and return its path.

    Parameters
    ----------
    path
        The ``.html`` file to write; missing folders are created. It is written to a
        temporary file beside it and renamed into place.
    title
        Page title and heading.
    tables
        DataFrames (or Series): a mapping caption → frame, a sequence of frames, or a
        sequence of ``(caption, frame)`` pairs. Numeric cells are formatted with
        :func:`format_number`; missing values show as "–". A non-default index is
        shown.
    figures
        Matplotlib figures, PNG bytes or PNG file paths, in the same three forms;
        each is embedded as base64 PNG.
    notes
        Paragraphs of plain text under the title (one string or several).
    **sections
        Optional further parts, in page order after the tables: ``glossary`` (term →
        definition), figure ``captions`` (figure heading → what it aggregates),
        ``appendix`` (tables after the figures, in the forms of ``tables``) and
        ``links`` (``(text, relative href)`` pairs, e.g. each run's timeline).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(2, 2))
    >>> _ = fig.subplots().plot([0, 1], [1, 0])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = write_report(Path(tmp) / "report.html", title="Sweep",
    ...                        tables={"runs": pd.DataFrame({"a": [1]})}, figures=[fig])
    ...     text = out.read_text()
    ...     out.name, text.count("data:image/png;base64,"), [p.name for p in out.parent.iterdir()]
    ('report.html', 1, ['report.html'])
    """
    text = render_report(title, tables=tables, figures=figures, notes=notes, **sections)
    return atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
