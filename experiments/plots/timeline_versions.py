"""The timeline's bottom panel: which model version served each sample.

Examples
--------
>>> import numpy as np
>>> version_changes(np.array([1, 1, 2, 2, 1]))
(array([0, 2, 4]), array([1, 2, 1]))
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.ticker import MaxNLocator

from simulator.trace import Trace

__all__ = ["draw_versions", "version_changes"]


def version_changes(versions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sample indices where the serving version changes (0 first) and the versions there."""
    if versions.size == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=versions.dtype)
    idx = np.flatnonzero(np.r_[True, versions[1:] != versions[:-1]])
    return idx, versions[idx]


def draw_versions(ax: Any, trace: Trace) -> None:
    """The serving version as a step line on ``ax``, with integer ticks."""
    n = trace.n_samples
    idx, ver = version_changes(np.asarray(trace.model_version))
    if idx.size:
        ax.step(np.r_[idx, n], np.r_[ver, ver[-1]], where="post", color="#333333",
                linewidth=1.2, gid="model-version")
        lo, hi = int(ver.min()), int(ver.max())
        ax.set_ylim(lo - 0.6, hi + 0.6)
        if hi - lo <= 4:
            ax.set_yticks(range(lo, hi + 1))
        else:
            ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    ax.set_ylabel("model\nversion", fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel("time (sample index)")
    ax.set_xlim(0, max(n, 1))
