"""Arrays that several jobs of one sweep share, computed once per sweep.

The skyline of a stream (tens of model fits, about a second) depends on the stream
and the served model, not on the detector or the policy a sweep varies; yet every job
needs it, and the jobs of a ``--multirun`` run in separate worker processes (or
nodes), where a cache in memory misses: on two workers a 16-job sweep fitted every
skyline twice. So a job stores what it computed under ``<sweep dir>/.cache/`` and
the others read it.

A file's name is a hash of everything its value depends on: the inputs the caller
names, driftsim's own source and the versions of the libraries that compute it; a
sweep resumed after a change of code or library computes afresh instead of reading
a stale value. Files are written atomically; two jobs computing the same value at
once write the same bytes, and either file is right.

Examples
--------
>>> import tempfile
>>> calls = []
>>> def compute():
...     calls.append(1)
...     return np.arange(3.0)
>>> with tempfile.TemporaryDirectory() as tmp:
...     first = cached_array(tmp, "demo", {"seed": 1}, compute)
...     again = cached_array(tmp, "demo", {"seed": 1}, compute)
>>> again.tolist(), len(calls)
([0.0, 1.0, 2.0], 1)
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Callable
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from driftsim.files import atomic_write, remove_stale_temps

__all__ = ["CACHE_DIR", "array_digest", "cached_array", "clear_stale_temps", "code_fingerprint"]

#: The cache's folder inside a sweep directory.
CACHE_DIR = ".cache"
#: The packages whose source decides a cached value, and the libraries computing it.
_SOURCES = ("driftsim", "simulator")
_LIBRARIES = ("numpy", "scipy", "scikit-learn", "river", "numba")


@cache
def code_fingerprint() -> str:
    """A hash of driftsim's simulation source and the versions of its libraries.

    Examples
    --------
    >>> len(code_fingerprint()), code_fingerprint() == code_fingerprint()
    (64, True)
    """
    import importlib

    digest = hashlib.sha256()
    for package in _SOURCES:
        root = Path(importlib.import_module(package).__file__).parent
        for path in sorted(root.rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    for library in _LIBRARIES:
        try:
            digest.update(f"{library}={version(library)}".encode())
        except PackageNotFoundError:
            digest.update(f"{library}=absent".encode())
    return digest.hexdigest()


def array_digest(*arrays: np.ndarray | None) -> str:
    """A hash of the arrays' dtypes, shapes and bytes: names a dataset by its content
    (a file edited between a sweep and its resumption is another dataset).

    Examples
    --------
    >>> zeros = array_digest(np.zeros(3))
    >>> zeros == array_digest(np.zeros(3)), zeros == array_digest(np.ones(3))
    (True, False)
    """
    digest = hashlib.sha256()
    for array in arrays:
        if array is None:
            digest.update(b"none")
            continue
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes() if array.dtype != object else repr(array.tolist()).encode())
    return digest.hexdigest()


def _path(folder: str | os.PathLike[str], kind: str, inputs: object) -> Path:
    text = json.dumps(inputs, sort_keys=True, default=str)
    key = hashlib.sha256(f"{kind}\n{text}\n{code_fingerprint()}".encode()).hexdigest()[:32]
    return Path(folder) / CACHE_DIR / f"{kind}-{key}.npy"


def cached_array(folder: str | os.PathLike[str] | None, kind: str, inputs: object,
                 compute: Callable[[], np.ndarray]) -> np.ndarray:
    """``compute()``, or the array an earlier job of the sweep in ``folder`` stored for
    the same ``kind`` and ``inputs`` (JSON-able: everything the value depends on).

    ``folder=None`` (not in a sweep) just computes. A cached file that cannot be read
    is computed again and replaced, with a warning naming it.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as sweep:
    ...     a = cached_array(sweep, "skyline", [1, "iris"], lambda: np.full(2, 0.9))
    ...     b = cached_array(sweep, "skyline", [1, "iris"], lambda: np.zeros(2))  # not called
    ...     names = [p.name[:8] for p in (Path(sweep) / CACHE_DIR).iterdir()]
    >>> b.tolist(), names
    ([0.9, 0.9], ['skyline-'])
    """
    if folder is None:
        return compute()
    path = _path(folder, kind, inputs)
    if path.exists():
        try:
            return np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            warnings.warn(f"cached {kind} {path} is unreadable ({exc}); computing it again",
                          RuntimeWarning, stacklevel=2)
    value = np.asarray(compute())
    atomic_write(path, lambda tmp: np.save(tmp, value, allow_pickle=False))
    return value


def clear_stale_temps(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove unfinished writes left in the cache of the sweep in ``folder`` (a job
    killed mid-write); call it only when no job of that sweep is running.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as sweep:
    ...     (Path(sweep) / CACHE_DIR).mkdir()
    ...     _ = (Path(sweep) / CACHE_DIR / ".tmp.skyline-x.npy").write_bytes(b"")
    ...     [p.name for p in clear_stale_temps(sweep)]
    ['.tmp.skyline-x.npy']
    """
    cache_dir = Path(folder) / CACHE_DIR
    return remove_stale_temps(cache_dir) if cache_dir.is_dir() else []
