"""Run a shell script inside a private network namespace that has only a loopback
interface, for Ray clusters in tests: head, workers and driver talk over 127.0.0.1 and
no packet can leave the machine (Ray otherwise advertises the interface address).

Examples
--------
>>> done = in_loopback_namespace("ip -o link | wc -l", Path("/usr/bin/python3"))
>>> done.returncode, done.stdout.strip()
(0, '1')
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.optional_env import optional_env_vars

__all__ = ["in_loopback_namespace"]


def in_loopback_namespace(script: str, python: Path, *args: str,
                          timeout: float = 900) -> subprocess.CompletedProcess:
    """``bash -c script`` in a new network namespace (loopback up), with ``$PY`` set to
    ``python`` and this checkout first on ``PYTHONPATH``."""
    env = optional_env_vars(PY=str(python), RAY_USAGE_STATS_ENABLED="0")
    return subprocess.run(
        ["unshare", "--net", "bash", "-c", "ip link set lo up\n" + script, "ns", *args],
        capture_output=True, text=True, timeout=timeout, check=False, env=env,
    )
