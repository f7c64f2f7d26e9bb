"""Every class exported by ``detectors`` passes every conformance check.

Ids look like ``ADWIN:check_chunking_invariance``. Checks a method fails by design are
listed in ``detectors.checks.EXPECTED_FAILURES`` with a reason and run as strict xfails,
so a method that starts passing one is noticed.
"""

from __future__ import annotations

import inspect

import pytest

import detectors
from detectors.checks import EXPECTED_FAILURES, is_streaming, is_window_test, yield_checks

# Constructor arguments for classes whose parameters have no defaults.
REQUIRED_ARGS: dict[str, dict] = {
    "PeriodicAlarm": {"every": 250},
    "RandomAlarm": {"rate": 0.002, "seed": 1},
    # river draws an unseeded KSWIN from the OS; the checks need reproducible clones.
    "KSWIN": {"seed": 1},
}


def _instances():
    for name in sorted(detectors.__all__):
        obj = getattr(detectors, name)
        if not inspect.isclass(obj) or inspect.isabstract(obj) or name.startswith("Base"):
            continue
        if name == "RiverDetector":
            from river.drift import PageHinkley as RiverPageHinkley

            yield name, obj(RiverPageHinkley())
            continue
        try:
            instance = obj(**REQUIRED_ARGS.get(name, {}))
        except TypeError:
            continue  # protocols and containers, not detectors
        if is_streaming(instance) or is_window_test(instance):
            yield name, instance


def _cases():
    for name, instance in _instances():
        for check_name, check in yield_checks(instance):
            marks = []
            reason = EXPECTED_FAILURES.get((name, check_name))
            if reason:
                marks.append(pytest.mark.xfail(reason=reason, strict=True))
            yield pytest.param(check, id=f"{name}:{check_name}", marks=marks)


def test_every_export_is_covered():
    """The suite found detectors to check (a broken import would otherwise pass silently)."""
    names = {name for name, _ in _instances()}
    assert "PageHinkley" in names


@pytest.mark.parametrize("check", list(_cases()))
def test_conformance(check):
    check()
