"""CBPE speed beside NannyML 0.13.1 on the same 100,000 served samples (Iris, subpopulation
shift, three classes, accuracy + F1 + ROC AUC, chunks of 1,000, a 1,000-sample reference).

NannyML runs in its own environment, so its time is taken there (best of 3, fit and
estimate) and ours here the same way; the benchmark asserts the ratio and records both.
Run with::

    .venv/bin/python -m pytest tests/benchmarks/test_estimation_bench.py \\
        --benchmark-enable --benchmark-only -o addopts="" -q -s
"""

from __future__ import annotations

import numpy as np

from detectors.estimation import CBPE
from tests.estimation_data import served_scenario
from tests.nannyml_compare import best_of, run_nannyml

METRICS = ("accuracy", "f1", "roc_auc")


def test_cbpe_at_least_10x_faster_than_nannyml(benchmark, tmp_path):
    full = served_scenario("subpopulation", "iris", n_samples=102000, n_reference=1000)
    data = {"proba_ref": full["proba_ref"], "y_ref": full["y_ref"], "proba": full["proba"]}

    def ours() -> object:
        est = CBPE(metrics=METRICS, chunk_size=1000).fit(data["proba_ref"], data["y_ref"])
        return est.estimate(data["proba"])

    result = benchmark(ours)
    theirs = run_nannyml(tmp_path, data, METRICS, 1000, repeat=3)
    our_s = best_of(ours, repeat=3)
    their_s = float(theirs["fit_s"] + theirs["estimate_s"])
    benchmark.extra_info.update(ours_s=our_s, nannyml_s=their_s, ratio=their_s / our_s)
    print(f"\nCBPE fit+estimate, 100k rows: ours {our_s:.3f} s, NannyML {their_s:.3f} s "
          f"(fit {float(theirs['fit_s']):.3f} + estimate {float(theirs['estimate_s']):.3f}); "
          f"ratio {their_s / our_s:.1f}x")
    for m in METRICS:
        np.testing.assert_allclose(result.value[m], theirs[m], atol=1e-6)
    assert their_s / our_s >= 10.0
