"""The conformance suite: API checks every exported detector must pass.

Modelled on scikit-learn's ``parametrize_with_checks`` and river's ``checks``:
:func:`yield_checks` yields ``(name, check)`` pairs for one detector instance, and
``tests/test_conformance.py`` runs every check over every class in
``detectors.__all__`` with ids like ``ADWIN:check_chunking_invariance``.
A check that does not hold for a method by design is listed in the class's
``expected_failures`` (``{check name: reason}``, see :mod:`detectors.tags`) and run as
a strict xfail, never skipped silently.

Examples
--------
>>> from detectors.page_hinkley import PageHinkley
>>> [name for name, _ in yield_checks(PageHinkley())][:3]
['check_params_roundtrip', 'check_repr', 'check_docstring_example']
>>> for name, check in yield_checks(PageHinkley()):
...     check()
"""

from __future__ import annotations

import inspect
import pickle
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from detectors.base import family

__all__ = ["is_streaming", "is_window_test", "yield_checks"]

Check = Callable[[], None]


def is_streaming(obj: Any) -> bool:
    """Whether ``obj`` is a :class:`~detectors.base.StreamingDetector` (see
    :func:`~detectors.base.family`)."""
    return family(obj) == "streaming"


def is_window_test(obj: Any) -> bool:
    """Whether ``obj`` is a :class:`~detectors.window.base.WindowTest` (see
    :func:`~detectors.base.family`)."""
    return family(obj) == "window"


def _signal(detector: Any, n: int, seed: int) -> np.ndarray:
    """A stream the detector accepts, with a change halfway so detections happen."""
    rng = np.random.default_rng(seed)
    half = n // 2
    if getattr(detector, "binary", False):
        return np.concatenate(
            [rng.random(half) < 0.1, rng.random(n - half) < 0.5]
        ).astype(np.float64)
    return np.concatenate([rng.normal(0.0, 1.0, half), rng.normal(2.0, 1.0, n - half)])


def _detections(detector: Any, xs: np.ndarray) -> list[int]:
    return [int(i) for i in detector.update_many(xs)]


# --- checks shared by both families -------------------------------------------------


def check_params_roundtrip(detector: Any) -> None:
    """``get_params`` → ``clone`` → ``get_params`` gives the same parameters."""
    params = detector.get_params()
    clone = detector.clone()
    assert type(clone) is type(detector)
    assert clone is not detector
    assert _params_equal(clone.get_params(), params), (clone.get_params(), params)
    rebuilt = type(detector)(**params)
    assert _params_equal(rebuilt.get_params(), params)


def _params_equal(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a.keys() != b.keys():
        return False
    for key in a:
        va, vb = a[key], b[key]
        if hasattr(va, "get_params") and hasattr(vb, "get_params"):
            if type(va) is not type(vb):
                return False
            continue
        if isinstance(va, np.ndarray) or isinstance(vb, np.ndarray):
            if not np.array_equal(va, vb):
                return False
        elif va != vb:
            return False
    return True


def check_repr(detector: Any) -> None:
    """``repr`` names the class and every parameter."""
    text = repr(detector)
    assert text.startswith(type(detector).__name__ + "("), text
    for name in detector.get_params():
        assert f"{name}=" in text, (name, text)


def check_docstring_example(detector: Any) -> None:
    """The class documents itself with a runnable example (run by the doctests)."""
    doc = inspect.getdoc(type(detector)) or ""
    assert "Examples" in doc and ">>>" in doc, f"{type(detector).__name__} has no example"


def check_pickle(detector: Any) -> None:
    """A pickled detector resumes exactly where the original is."""
    if is_streaming(detector):
        xs = _signal(detector, 4000, seed=1)
        det = detector.clone()
        det.update_many(xs[:2000])
        copy = pickle.loads(pickle.dumps(det))
        assert _detections(copy, xs[2000:]) == _detections(det, xs[2000:])
    else:
        ref, win = _windows(seed=1)
        det = detector.clone()
        det.fit(ref)
        copy = pickle.loads(pickle.dumps(det))
        a, b = det.test(win), copy.test(win)
        assert a.drift == b.drift
        assert np.isclose(a.statistic, b.statistic, equal_nan=False)


# --- streaming checks ---------------------------------------------------------------


def check_update_returns_flag(detector: Any) -> None:
    """``update`` returns the ``drift_detected`` flag it sets."""
    det = detector.clone()
    for x in _signal(det, 600, seed=2):
        flag = det.update(float(x))
        assert bool(flag) == det.drift_detected


def check_chunking_invariance(detector: Any) -> None:
    """One ``update_many`` call, random chunks, and per-element ``update`` agree."""
    xs = _signal(detector, 3000, seed=3)
    whole = detector.clone()
    expected = _detections(whole, xs)

    chunked = detector.clone()
    rng = np.random.default_rng(4)
    cuts = np.sort(rng.choice(np.arange(1, len(xs)), size=40, replace=False))
    got: list[int] = []
    for start, stop in zip(np.r_[0, cuts], np.r_[cuts, len(xs)], strict=True):
        got.extend(int(i) + int(start) for i in chunked.update_many(xs[start:stop]))
    assert got == expected, (got[:10], expected[:10])
    assert chunked.drift_detected == whole.drift_detected
    assert chunked.warning_detected == whole.warning_detected

    single = detector.clone()
    one_by_one = [i for i, x in enumerate(xs) if single.update(float(x))]
    assert one_by_one == expected, (one_by_one[:10], expected[:10])


def check_reset_equals_fresh(detector: Any) -> None:
    """After ``reset`` a used detector behaves exactly like a new one."""
    xs = _signal(detector, 3000, seed=5)
    used = detector.clone()
    used.update_many(_signal(detector, 1500, seed=6))
    used.reset()
    assert not used.drift_detected
    assert _detections(used, xs) == _detections(detector.clone(), xs)


def check_nan_rejected(detector: Any) -> None:
    """NaN and inf raise ``ValueError`` naming the position, and change no state."""
    xs = _signal(detector, 200, seed=7)
    for bad in (np.nan, np.inf):
        det = detector.clone()
        data = xs.copy()
        data[17] = bad
        try:
            det.update_many(data)
        except ValueError as err:
            assert "17" in str(err), str(err)
        else:
            raise AssertionError(f"{type(det).__name__} accepted {bad}")
        assert _detections(det, xs) == _detections(detector.clone(), xs)


def check_empty_input(detector: Any) -> None:
    """An empty array is a no-op returning no detections."""
    det = detector.clone()
    assert len(det.update_many(np.empty(0))) == 0


def check_no_detection_on_constant(detector: Any) -> None:
    """A long constant stream raises no alarm."""
    det = detector.clone()
    xs = np.zeros(20_000) if getattr(det, "binary", False) else np.full(20_000, 0.5)
    assert _detections(det, xs) == []


# --- window-test checks -------------------------------------------------------------


def _windows(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Integer-valued Gaussian data, so categorical tests (chi-squared) apply too."""
    rng = np.random.default_rng(seed)
    return np.round(rng.normal(size=(300, 3)) * 2), np.round(rng.normal(size=(200, 3)) * 2)


def check_window_test_result(detector: Any) -> None:
    """``test`` returns a result whose fields are finite and consistent."""
    ref, win = _windows(seed=9)
    det = detector.clone()
    det.fit(ref)
    result = det.test(win)
    assert np.isfinite(result.statistic)
    assert result.p_value is None or 0.0 <= result.p_value <= 1.0
    assert isinstance(bool(result.drift), bool)
    shifted = det.test(win + 6.0)
    assert shifted.drift, f"{type(det).__name__} missed a 3-sigma shift"


def check_window_refit(detector: Any) -> None:
    """Fitting again replaces the reference."""
    ref, win = _windows(seed=10)
    det = detector.clone()
    det.fit(ref + 5.0)
    det.fit(ref)
    fresh = detector.clone()
    fresh.fit(ref)
    assert det.test(win).drift == fresh.test(win).drift
    assert np.isclose(det.test(win).statistic, fresh.test(win).statistic)


def check_window_bad_input(detector: Any) -> None:
    """NaN, empty and narrower windows raise ``ValueError``."""
    ref, win = _windows(seed=11)
    det = detector.clone()
    det.fit(ref)
    bad = win.copy()
    bad[3, 1] = np.nan
    for window in (bad, win[:0], win[:, :2]):
        try:
            det.test(window)
        except ValueError:
            continue
        raise AssertionError(f"{type(det).__name__} accepted a bad window of shape {window.shape}")


def yield_checks(detector: Any) -> Iterator[tuple[str, Check]]:
    """Yield ``(check_name, check)`` for every check that applies to ``detector``.

    Parameters
    ----------
    detector
        An instance; checks work on clones and leave it untouched.
    """
    common = [check_params_roundtrip, check_repr, check_docstring_example, check_pickle]
    if is_streaming(detector):
        specific = [
            check_update_returns_flag,
            check_chunking_invariance,
            check_reset_equals_fresh,
            check_nan_rejected,
            check_empty_input,
            check_no_detection_on_constant,
        ]
    elif is_window_test(detector):
        specific = [check_window_test_result, check_window_refit, check_window_bad_input]
    else:
        raise TypeError(f"{detector!r} is neither a streaming detector nor a window test")
    for check in common + specific:
        yield check.__name__, (lambda check=check: check(detector))
