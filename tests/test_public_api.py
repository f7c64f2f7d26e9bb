"""Every name the packages export resolves, and the import itself stays light."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import detectors
import experiments
import simulator


@pytest.mark.parametrize(
    "package", [detectors, simulator, experiments], ids=lambda p: p.__name__
)
def test_every_export_resolves(package):
    for name in package.__all__:
        assert getattr(package, name) is not None, name
    # A submodule import rebinds a package attribute of the same name: no export may
    # share its name with a submodule, or it would turn into the module.
    for name in package.__all__:
        assert not inspect.ismodule(getattr(package, name)), f"{package.__name__}.{name}"
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        package.Nope  # noqa: B018


def test_import_does_not_load_numba_or_sklearn():
    """``import detectors, simulator`` defers the heavy modules until a name is used."""
    code = (
        "import sys, detectors, simulator, experiments; "
        "print(sorted(m for m in ('numba', 'sklearn', 'mlflow') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "package", [detectors, simulator, experiments], ids=lambda p: p.__name__
)
def test_every_public_class_and_function_has_a_runnable_example(package):
    """numpy-style docstrings with an Examples section, run by the doctests."""
    missing = []
    for name in package.__all__:
        obj = getattr(package, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            doc = inspect.getdoc(obj) or ""
            if "Examples" not in doc or ">>>" not in doc:
                missing.append(name)
    assert missing == []
