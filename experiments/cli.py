"""The ``driftsim`` command: monitoring real batches from the command line.

``driftsim baseline REF OUT`` writes a baseline folder; ``driftsim check BATCH
--baseline DIR`` checks a batch against it, writes ``check.json`` / ``check.html``,
sends alerts through the sinks named, and exits 0 (no violation), 1 (violations) or
2 (bad input) — for a scheduler to act on.

Examples
--------
>>> main(["baseline", "no-such-file.csv", "baseline-out"])
driftsim baseline: error: no-such-file.csv: no such file
2
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from experiments.check import CheckResult
    from simulator.alerts import Alert

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="driftsim", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    base = sub.add_parser("baseline", help="statistics and constraints of a reference table")
    base.add_argument("reference", help="CSV or Parquet file")
    base.add_argument("out", help="baseline folder to write")
    base.add_argument("--target", help="label column (for the performance rule)")
    base.add_argument("--prediction", help="prediction column (for the performance rule)")
    base.add_argument("--exclude", nargs="*", default=[], help="columns to leave out")
    base.add_argument("--metric", default="f1", help="performance metric (default f1)")
    base.add_argument("--threshold", type=float, default=0.85, help="SLA threshold")
    base.add_argument("--consecutive", type=int, default=3,
                      help="failing checks in a row that make a violation")
    base.add_argument("--correction", default="share",
                      help="drift correction across features: share, bonferroni, fdr_bh, none")
    check = sub.add_parser("check", help="check a batch against a baseline")
    check.add_argument("batch", help="CSV or Parquet file")
    check.add_argument("--baseline", required=True, help="baseline folder")
    check.add_argument("--out", help="report folder (default: <batch>.check/)")
    check.add_argument("--history", help="SQLite file of performance checks")
    check.add_argument("--fail-on", nargs="*", help="violation kinds that fail the check")
    check.add_argument("--alert-jsonl", help="append alerts to this JSONL file")
    check.add_argument("--alert-sqlite", help="append alerts to this SQLite file")
    check.add_argument("--alert-webhook", help="POST alerts to this URL")
    return parser


def _alert(result: CheckResult, batch: str) -> Alert:

    from simulator.alerts import Alert

    share = result.drift.get("share") if result.drift else None
    return Alert(
        time=int(time.time()), monitor="driftsim-check", detector="AutoTest",
        signal=f"batch:{Path(batch).name}", statistic=share,
        severity=min(1.0, len(result.violations) / max(1, len(result.features))),
        details={"violations": [vars(v) for v in result.violations]},
    )


def _send_alerts(args: argparse.Namespace, result: CheckResult) -> list[str]:
    from simulator.alerts import AlertRouter, JsonlSink, SqliteSink, WebhookSink

    sinks = []
    if args.alert_jsonl:
        sinks.append(JsonlSink(args.alert_jsonl))
    if args.alert_sqlite:
        sinks.append(SqliteSink(args.alert_sqlite))
    if args.alert_webhook:
        sinks.append(WebhookSink(args.alert_webhook))
    if not sinks or not result.violations:
        return []
    router = AlertRouter(sinks, retries=2, backoff=0.5)
    router.route([_alert(result, args.batch)])
    return [f"{f.sink}: {f.error}" for f in router.failures]


def _check(args: argparse.Namespace) -> int:
    from experiments.check import check_batch
    from experiments.check.checks import CHECK_TYPES
    from experiments.check.report import write_reports

    result = check_batch(args.batch, args.baseline, history=args.history,
                         fail_on=tuple(args.fail_on or CHECK_TYPES))
    out = Path(args.out) if args.out else Path(f"{args.batch}.check")
    report = write_reports(result, out, title=f"driftsim check: {Path(args.batch).name}")
    for v in result.violations:
        print(f"VIOLATION {v.check} [{v.feature}]: {v.description}")
    failures = _send_alerts(args, result)
    for failure in failures:
        print(f"alert delivery failed: {failure}", file=sys.stderr)
    print(f"{result.rows} rows, {len(result.violations)} violations; report: {report}")
    return result.exit_code


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "baseline":
            from experiments.check import make_baseline

            out = make_baseline(
                args.reference, args.out, target=args.target, prediction=args.prediction,
                exclude=tuple(args.exclude),
                performance={"metric": args.metric, "threshold": args.threshold,
                             "consecutive": args.consecutive},
                drift={"correction": args.correction},
            )
            print(f"baseline written to {out}")
            return 0
        return _check(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"driftsim {args.command}: error: {exc}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
