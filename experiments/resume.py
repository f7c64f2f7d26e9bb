"""Resume a job folder safely: skip only a finished run of the very same config.

A job folder records the hash of its resolved config in ``job.json`` before the run
starts, and ``result.json`` carries it again. :func:`job_state` reads the folder and
says what a resumed run must do:

* ``"done"`` — a readable ``result.json`` of the same config: skip the job;
* ``"run"`` — nothing there, an interrupted run of the same config, or a
  ``result.json`` that cannot be read (truncated, not JSON): run it (again);
* a different config recorded there raises :class:`ConfigMismatchError` naming the
  folder and the keys that differ, and nothing in the folder is touched.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as d:
...     state = [job_state(Path(d), {"seed": 1}).action]
...     record_job(Path(d), {"seed": 1})
...     state.append(job_state(Path(d), {"seed": 1}).action)
...     job_state(Path(d), {"seed": 2})
Traceback (most recent call last):
...
experiments.resume.ConfigMismatchError: ... (seed: 1 there, 2 here); ...
>>> state
['run', 'run']
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from driftsim.files import atomic_write, remove_stale_temps

__all__ = ["ConfigMismatchError", "JobState", "config_hash", "job_state", "record_job"]

#: Keys that say how to run, not what to compute: they never change a result.
_NOT_HASHED = ("resume", "plot", "timeline")


class ConfigMismatchError(ValueError):
    """A job folder holds the record of another config; resuming into it would mix
    results of different runs under one name."""


@dataclass(frozen=True)
class JobState:
    """What a resumed job must do (``"done"`` or ``"run"``), the finished result when
    done, and why a run is repeated (e.g. an unreadable ``result.json``)."""

    action: str
    result: dict[str, Any] | None = None
    reason: str = ""


def _hashed(config: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in config.items() if k not in _NOT_HASHED}


def config_hash(config: dict[str, Any]) -> str:
    """SHA-256 of the resolved config as canonical JSON (sorted keys), without the
    keys that only say how to run (``resume``, ``plot``, ``timeline``).

    Examples
    --------
    >>> config_hash({"seed": 1, "resume": True}) == config_hash({"seed": 1})
    True
    """
    text = json.dumps(_hashed(config), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_json(path: Path) -> tuple[dict[str, Any] | None, str]:
    """The JSON object in ``path`` (None when absent) and, if unreadable, why."""
    if not path.exists():
        return None, ""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"{path} is unreadable ({type(exc).__name__}: {exc})"
    if not isinstance(data, dict):
        return None, f"{path} holds a {type(data).__name__}, not a JSON object"
    return data, ""


def _differences(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    changed, absent = [], []
    for key in sorted(set(old) | set(new), key=str):
        a, b = old.get(key, "<absent>"), new.get(key, "<absent>")
        if isinstance(a, dict) and isinstance(b, dict):
            changed += _differences(a, b, f"{prefix}{key}.")
        elif a != b:
            (absent if "<absent>" in (a, b) else changed).append(
                f"{prefix}{key}: {a} there, {b} here")
    return changed + absent  # values that differ say more than keys one side lacks


def _mismatch(folder: Path, recorded: dict[str, Any] | None, config: dict[str, Any]) -> str:
    diffs = _differences(_hashed(recorded or {}), _hashed(config)) or ["its hash differs"]
    shown = "; ".join(diffs[:4]) + (f"; and {len(diffs) - 4} more" if len(diffs) > 4 else "")
    return (
        f"{folder} holds a run of a different config ({shown}); refusing to mix "
        "results: choose another output folder (hydra.sweep.dir / hydra.run.dir) or "
        "delete that one"
    )


def job_state(folder: Path, config: dict[str, Any]) -> JobState:
    """Read ``folder``'s records against ``config`` (resolved, as a plain dict).

    Raises :class:`ConfigMismatchError` when the folder records another config.
    """
    wanted = config_hash(config)
    job, _ = _read_json(folder / "job.json")
    if job is not None and job.get("config_hash") != wanted:
        raise ConfigMismatchError(_mismatch(folder, job.get("config"), config))
    result, problem = _read_json(folder / "result.json")
    if problem:
        warnings.warn(f"{problem}; running the job again", UserWarning, stacklevel=3)
        return JobState("run", reason=problem)
    if result is None:
        return JobState("run", reason="no result.json yet")
    recorded = result.get("config_hash")
    if recorded is None and isinstance(result.get("config"), dict):
        recorded = config_hash(result["config"])
    if recorded != wanted:
        raise ConfigMismatchError(_mismatch(folder, result.get("config"), config))
    return JobState("done", result=result)


def record_job(folder: Path, config: dict[str, Any]) -> None:
    """Record the config (and its hash) a run in ``folder`` is about to compute, and
    remove temporary files a killed earlier run left there."""
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(folder)
    text = json.dumps({"config_hash": config_hash(config), "config": config}, indent=2,
                      default=str)
    atomic_write(folder / "job.json", lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
