"""Golden tests: each streaming detector's exact alarm indices on one seeded stream.

These numbers were recorded from the implementation (and, for the methods river has,
are the indices river gives: see the agreement tests). They pin behaviour: a change
to a kernel that moves any alarm fails here and must be explained, not waved through.
Each detector is built from its class's ``test_params()``. The stream: 3,000 samples
then a change (Bernoulli 0.10 -> 0.35 for binary detectors, N(0, 1) -> N(0.8, 1)
otherwise), seed 20261128.
"""

from __future__ import annotations

import numpy as np
import pytest

import detectors
from detectors.checks import is_streaming
from detectors.tags import public_detectors, test_instance

# name: (drift indices, number of warning steps, first five warning steps)
GOLDEN = {
    "ADWIN": ([3039], None, None),
    "CUSUM": ([42, 204, 245, 475, 628, 732, 806, 1260, 1332, 1980, 2407, 2767, 2989, 3394,
               3461], None, None),
    "DDM": ([3101], 228, [1382, 1390, 1391, 1392, 1393]),
    "EDDM": ([242, 537, 1012, 1301, 1736, 2085, 3022, 3104, 3204, 3287, 3407, 3499, 3661,
              3747, 3870, 4074, 4164, 4273, 4366, 4460, 4550, 4672, 4763],
             531, [979, 980, 981, 982, 983]),
    "EWMAChart": ([215, 435, 659, 951, 1224, 2016, 2423, 2875, 3011, 3073, 4031, 4417, 4690,
                   5649, 5986], 362, [49, 151, 177, 181, 214]),
    # FHDDM watches correctness (1 = right): on an error stream it does not fire.
    "FHDDM": ([], None, None),
    "HDDM_A": ([3091], 15, [3076, 3077, 3078, 3079, 3080]),
    "HDDM_W": ([3071], 10, [3067, 3068, 3070, 5648, 5649]),
    "KSWIN": ([233, 813, 1284, 1775, 2787, 3029, 3150, 3393, 4358, 4880], None, None),
    "NoDrift": ([], None, None),
    "PageHinkley": ([2112, 3047], None, None),
    "PeriodicAlarm": ([699, 1399, 2099, 2799, 3499, 4199, 4899, 5599], None, None),
    "RandomAlarm": ([341, 1085, 2175, 3561, 3932, 5302], None, None),
    "STEPD": ([1249, 2893, 3021, 3081], 93, [1117, 1118, 1228, 1229, 1230]),
}


def _stream(binary: bool) -> np.ndarray:
    rng = np.random.default_rng(20261128)
    if binary:
        return np.r_[rng.random(3000) < 0.1, rng.random(3000) < 0.35].astype(float)
    return np.r_[rng.normal(0, 1, 3000), rng.normal(0.8, 1, 3000)]


def test_every_streaming_detector_has_a_golden_record():
    streaming = {name for name, cls in public_detectors()
                 if is_streaming(cls) and name != "RiverDetector"}
    assert streaming == set(GOLDEN)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_alarm_indices(name):
    detector = test_instance(getattr(detectors, name))
    xs = _stream(getattr(detector, "binary", False))
    drifts, n_warn, first_warn = GOLDEN[name]
    if getattr(detector, "has_warning", False):
        got, warns = detector.update_many(xs, warnings=True)
        assert (warns.size, warns[:5].tolist()) == (n_warn, first_warn)
    else:
        got = detector.update_many(xs)
    assert got.tolist() == drifts
