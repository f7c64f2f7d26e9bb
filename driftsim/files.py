"""Atomic file writes: results, traces, figures and reports appear whole or not at all.

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

__all__ = ["TEMP_PREFIX", "atomic_write", "remove_stale_temps"]

#: Every temporary file of an atomic write starts so (``.tmp.<stem>.<random><suffix>``);
#: a process killed mid-write (SIGKILL runs no cleanup) leaves one behind, which
#: :func:`remove_stale_temps` clears before the folder is written again.
TEMP_PREFIX = ".tmp."


def atomic_write(path: str | os.PathLike[str], write: Callable[[str], object]) -> Path:
    """Call ``write(tmp_path)`` to fill a temporary file, then move it to ``path``.

    The file gets the usual world-readable mode (``mkstemp`` would leave it
    owner-only); on any error the temporary file is removed and the error raised.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = f"{TEMP_PREFIX}{path.stem}."
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=path.suffix)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def remove_stale_temps(folder: str | os.PathLike[str]) -> list[Path]:
    """Delete the temporary files of atomic writes that never finished in ``folder``
    (not below it); return what was removed.

    Call it only where no other process is writing: a job's own folder at its start.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / ".tmp.timeline.x1y2.png").write_bytes(b"")
    ...     _ = (Path(tmp) / "result.json").write_text("{}")
    ...     [p.name for p in remove_stale_temps(tmp)], [p.name for p in Path(tmp).iterdir()]
    (['.tmp.timeline.x1y2.png'], ['result.json'])
    """
    stale = sorted(p for p in Path(folder).glob(f"{TEMP_PREFIX}*") if p.is_file())
    for p in stale:
        p.unlink(missing_ok=True)
    return stale
