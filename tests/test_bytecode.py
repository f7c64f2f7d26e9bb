"""The environments ship compiled bytecode, so no interpreter compiles libraries again.

uv does not compile on install, and where ``PYTHONDONTWRITEBYTECODE`` is set (CI
images often set it) nothing caches bytecode at run time: every sweep worker and
every test subprocess would compile scikit-learn, SciPy, Hydra and matplotlib from
source, ~6 s of start-up instead of ~2 s. ``make install`` and ``.ci/optional-env``
compile once.
"""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import pytest

from tests.optional_env import optional_env_vars, optional_python

LIBRARIES = ("sklearn", "scipy", "hydra", "matplotlib", "numpy", "river")


def _missing_bytecode(python: str, modules: tuple[str, ...]) -> list[str]:
    """Modules of ``python``'s environment whose ``__init__`` has no cached bytecode."""
    script = (
        "import importlib.util, os, sys\n"
        "for name in sys.argv[1:]:\n"
        "    spec = importlib.util.find_spec(name)\n"
        "    if not os.path.exists(importlib.util.cache_from_source(spec.origin)):\n"
        "        print(name)\n"
    )
    done = subprocess.run([python, "-c", script, *modules], capture_output=True, text=True,
                          check=True, env=optional_env_vars(PYTHONDONTWRITEBYTECODE="1"))
    return done.stdout.split()


@pytest.mark.parametrize("name", LIBRARIES)
def test_the_main_environment_ships_bytecode(name: str) -> None:
    origin = importlib.util.find_spec(name).origin
    assert Path(importlib.util.cache_from_source(origin)).exists(), (
        f"{name} has no compiled bytecode: rebuild the environment with `make install`"
    )


def test_an_optional_environment_ships_bytecode() -> None:
    python = optional_python("nannyml")
    assert _missing_bytecode(str(python), ("sklearn", "scipy", "pandas", "nannyml")) == []
    assert (python.parents[1] / ".compiled").exists()
