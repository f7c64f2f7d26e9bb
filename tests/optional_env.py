"""Heavy optional environments for integration tests (Ray, Airflow, NannyML, …).

Each lives in its own cached virtual environment built by ``.ci/optional-env NAME``
from ``.ci/envs/NAME.txt``; see that script for why. Tests call
:func:`optional_python` and run the returned interpreter with :func:`optional_env_vars`,
which puts this checkout first on ``PYTHONPATH``.

Examples
--------
>>> sorted(p.stem for p in ENVS_DIR.glob("*.txt"))[:1] != []
True
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

__all__ = ["ENVS_DIR", "ROOT", "optional_env_vars", "optional_python"]

ROOT = Path(__file__).resolve().parents[1]
ENVS_DIR = ROOT / ".ci" / "envs"


def optional_python(name: str) -> Path:
    """The python of the optional environment ``name``, built on first use (cached).

    Raises
    ------
    RuntimeError
        When the environment cannot be built; the message carries the builder's output.
    """
    done = subprocess.run(
        ["bash", str(ROOT / ".ci" / "optional-env"), name],
        capture_output=True, text=True, timeout=1800, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"optional environment {name!r} could not be built:\n{done.stderr[-4000:]}"
        )
    return Path(done.stdout.strip().splitlines()[-1])


def optional_env_vars(**extra: str) -> dict[str, str]:
    """``os.environ`` with this checkout first on ``PYTHONPATH`` (plus ``extra``)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p
    )
    env.update(extra)
    return env
