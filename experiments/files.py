"""Atomic file writes for the experiments: :mod:`driftsim.files`, named here too.

Examples
--------
>>> from driftsim.files import atomic_write as shared
>>> atomic_write is shared
True
"""

from __future__ import annotations

from driftsim.files import TEMP_PREFIX, atomic_write, remove_stale_temps

__all__ = ["TEMP_PREFIX", "atomic_write", "remove_stale_temps"]
