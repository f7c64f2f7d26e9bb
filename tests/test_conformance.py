"""Every class exported by ``detectors`` passes every conformance check.

Ids look like ``ADWIN:check_chunking_invariance``. Each class builds its test instance
from its own ``test_params()``; checks a method fails by design are listed in the
class's ``expected_failures`` with a reason and run as strict xfails, so a method that
starts passing one is noticed (see ``detectors/tags.py``).
"""

from __future__ import annotations

import pytest

from detectors.checks import yield_checks
from detectors.tags import public_detectors, test_instance


def _cases():
    for name, cls in public_detectors():
        for check_name, check in yield_checks(test_instance(cls)):
            marks = []
            reason = cls.expected_failures.get(check_name)
            if reason:
                marks.append(pytest.mark.xfail(reason=reason, strict=True))
            yield pytest.param(check, id=f"{name}:{check_name}", marks=marks)


def test_every_export_is_covered():
    """The suite found detectors of both families (a broken import would otherwise pass
    silently)."""
    names = {name for name, _ in public_detectors()}
    assert {"PageHinkley", "KS", "RiverDetector"} <= names


@pytest.mark.parametrize("check", list(_cases()))
def test_conformance(check):
    check()
