"""Atomic file writes: results, figures and reports appear whole or not at all.

A sweep can be interrupted at any moment; a resumed sweep trusts every
``result.json`` it finds. So every file is written to a temporary name beside its
destination and renamed into place (``os.replace`` is atomic on one file system).

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as tmp:
...     out = atomic_write(Path(tmp) / "a" / "note.txt", lambda p: Path(p).write_text("hi"))
...     out.read_text(), sorted(p.name for p in out.parent.iterdir())
('hi', ['note.txt'])
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["atomic_write"]


def atomic_write(path: str | os.PathLike[str], write: Callable[[str], object]) -> Path:
    """Call ``write(tmp_path)`` to fill a temporary file, then move it to ``path``.

    The file gets the usual world-readable mode (``mkstemp`` would leave it
    owner-only); on any error the temporary file is removed and the error raised.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
