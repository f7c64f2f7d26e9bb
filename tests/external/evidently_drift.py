"""Run Evidently's DataDriftPreset on two CSV files and print its per-column answers.

Run with the python of the ``evidently`` optional environment (see
``tests/optional_env.py``): ``python tests/evidently_drift.py REF.csv CUR.csv``.
Prints one JSON object: column -> {"method", "score", "threshold"}. Not a test module.
"""

import json
import re
import sys

import pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset


def main(reference: str, current: str) -> None:
    snapshot = Report([DataDriftPreset()]).run(
        current_data=pd.read_csv(current), reference_data=pd.read_csv(reference)
    )
    out = {}
    for metric in snapshot.dict()["metrics"]:
        name = metric["metric_name"]
        found = re.match(r"ValueDrift\(column=(.*),method=(.*),threshold=(.*)\)", name)
        if found:
            column, method, threshold = found.groups()
            out[column] = {"method": method, "score": float(metric["value"]),
                           "threshold": float(threshold)}
    print(json.dumps(out))


if __name__ == "__main__":
    main(*sys.argv[1:3])
