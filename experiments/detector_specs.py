"""Which detectors a run monitors: the one place that turns a config into detector specs.

A run watches either the single ``detector`` (a ``conf/detector`` option) or, when
``detectors`` is set, a list of ``conf/detector`` option names, where a *set name*
stands for several options chosen by the classes' own metadata
(:mod:`detectors.tags`):

``streaming``
    every shipped streaming detector meant for the error signal (not a baseline);
``calibratable``
    those of them that declare a calibration spec;
``baselines``
    the shipped baselines (never, periodic, random alarms).

``extra_detectors`` (name → config) adds more. With ``thresholds`` set, each detector
runs once per threshold, all on the same stream: ``"grid"`` walks each class's
``sensitivity.grid``; a list gives the values for a single detector. Monitors are
then named like ``PageHinkley[threshold=50]``.

Examples
--------
>>> from omegaconf import OmegaConf
>>> cfg = OmegaConf.create({"detector": {"_target_": "detectors.ADWIN"},
...                         "detectors": ["page_hinkley"], "thresholds": [10.0, 50.0]})
>>> list(run_detectors(cfg))
['PageHinkley[threshold=10]', 'PageHinkley[threshold=50]']
>>> cfg.detectors, cfg.thresholds = ["adwin", "page_hinkley"], "grid"
>>> len(run_detectors(cfg))  # 20 thresholds each
40
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from detectors.checks import is_streaming
from detectors.tags import is_baseline, sensitivity_of

__all__ = [
    "SETS",
    "DetectorSpec",
    "describe",
    "detector_options",
    "detector_set",
    "expand_names",
    "run_detectors",
    "thresholds_for",
]

CONF_DIR = Path(__file__).resolve().parent.parent / "conf"

#: Names that stand for several ``conf/detector`` options in ``detectors=[...]``.
SETS = ("streaming", "calibratable", "baselines")


@dataclass(frozen=True)
class DetectorSpec:
    """One monitored detector: ``label`` names its curve or row (the class name, or the
    ``extra_detectors`` key), ``config`` builds it (``_target_`` plus arguments), and
    ``section`` says where the config came from (for error messages).

    Examples
    --------
    >>> DetectorSpec("ADWIN", {"_target_": "detectors.ADWIN", "delta": 0.01}).cls.__name__
    'ADWIN'
    """

    label: str
    config: dict[str, Any]
    section: str = "detector"

    @property
    def cls(self) -> type:
        """The detector class (imported)."""
        from hydra.utils import get_class

        return get_class(self.config["_target_"])


@cache
def _options(conf_dir: str) -> tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]:
    out = []
    for path in sorted(Path(conf_dir, "detector").glob("*.yaml")):
        spec = OmegaConf.to_container(OmegaConf.load(path), resolve=True)
        out.append((path.stem, tuple(spec.items())))
    return tuple(out)


def detector_options(conf_dir: str | Path = CONF_DIR) -> dict[str, dict[str, Any]]:
    """Every ``conf/detector`` option: name → config (``_target_`` plus arguments).

    Examples
    --------
    >>> detector_options()["adwin"]
    {'_target_': 'detectors.ADWIN', 'delta': 0.002}
    """
    return {name: dict(items) for name, items in _options(str(conf_dir))}


def _class_of(spec: dict[str, Any]) -> type:
    return DetectorSpec("", spec).cls


def detector_set(name: str, conf_dir: str | Path = CONF_DIR) -> list[str]:
    """The ``conf/detector`` options a set name stands for, read from the classes'
    metadata (so a new detector joins by its module, export and config alone).

    Examples
    --------
    >>> detector_set("baselines")
    ['no_drift', 'periodic_alarm', 'random_alarm']
    >>> "fhddm" in detector_set("streaming")  # it watches correctness, not errors
    False
    """
    if name not in SETS:
        raise ValueError(f"unknown detector set {name!r}; the sets are {list(SETS)}")
    chosen = []
    for option, spec in detector_options(conf_dir).items():
        cls = _class_of(spec)
        if not is_streaming(cls) or getattr(cls, "signal", None) not in (None, "error"):
            continue
        if name == "baselines":
            keep = is_baseline(cls)
        else:
            keep = not is_baseline(cls)
            if name == "calibratable":
                keep = keep and getattr(cls, "calibration", None) is not None
        if keep:
            chosen.append(option)
    return chosen


def expand_names(names: Iterable[str], conf_dir: str | Path = CONF_DIR) -> list[str]:
    """Option names with set names replaced by their members, in order, each once.

    Examples
    --------
    >>> expand_names(["page_hinkley", "baselines"])
    ['page_hinkley', 'no_drift', 'periodic_alarm', 'random_alarm']
    >>> expand_names(["pagehinkley"])
    Traceback (most recent call last):
    ...
    ValueError: detectors: unknown name 'pagehinkley'; use conf/detector options (adwin, ...
    """
    options = detector_options(conf_dir)
    out: list[str] = []
    for name in names:
        if name in SETS:
            members = detector_set(name, conf_dir)
        elif name in options:
            members = [name]
        else:
            raise ValueError(
                f"detectors: unknown name {name!r}; use conf/detector options "
                f"({', '.join(options)}) or the sets {', '.join(SETS)}"
            )
        out.extend(m for m in members if m not in out)
    return out


def _base_specs(cfg: DictConfig) -> list[DetectorSpec]:
    if cfg.get("detectors"):
        options = detector_options()
        configs = [(f"conf/detector/{name}.yaml", options[name])
                   for name in expand_names(list(cfg.detectors))]
    else:
        configs = [("detector", OmegaConf.to_container(cfg.detector, resolve=True))]
    specs = [DetectorSpec(str(c["_target_"]).rsplit(".", 1)[-1], c, where)
             for where, c in configs]
    for name, spec in (cfg.get("extra_detectors") or {}).items():
        if spec is not None:
            specs.append(DetectorSpec(str(name), OmegaConf.to_container(spec, resolve=True),
                                      f"extra_detectors.{name}"))
    labels = [s.label for s in specs]
    if len(set(labels)) < len(labels):
        raise ValueError(f"two monitored detectors share a name: {labels}")
    return specs


def _with_defaults(cls: type, config: dict[str, Any], params: Sequence[str]) -> dict[str, Any]:
    """``config`` with the class defaults of ``params`` filled in where it leaves them out
    (a coupled warning level must be known to be kept consistent)."""
    signature = inspect.signature(cls).parameters
    filled = {p: signature[p].default for p in params
              if p not in config and p in signature
              and signature[p].default is not inspect.Parameter.empty}
    return {**config, **filled}


def _at_thresholds(spec: DetectorSpec, thresholds: Any) -> list[tuple[str, DetectorSpec]]:
    cls = spec.cls
    sensitivity = sensitivity_of(cls)
    if sensitivity is None:
        if thresholds == "grid":
            return [(spec.label, spec)]  # nothing to sweep (NoDrift): run it once
        raise ValueError(f"thresholds: {spec.label} declares no sensitivity parameter")
    values = sensitivity.grid if thresholds == "grid" else tuple(thresholds)
    config = _with_defaults(cls, spec.config, [c.param for c in sensitivity.coupled])
    out = []
    for value in values:
        name = f"{spec.label}[{sensitivity.param}={value:g}]"
        config_at = sensitivity.params_at(config, value)
        out.append((name, DetectorSpec(spec.label, config_at, f"{spec.section}[{name}]")))
    return out


def run_detectors(cfg: DictConfig) -> dict[str, DetectorSpec]:
    """Monitor name → :class:`DetectorSpec` for every detector the run watches.

    Raises ``ValueError`` for an unknown name, two detectors with one name, or
    ``thresholds`` that are neither ``null``, ``"grid"`` nor a list of numbers.
    """
    specs = _base_specs(cfg)
    thresholds = cfg.get("thresholds")
    if thresholds is None:
        return {s.label: s for s in specs}
    if OmegaConf.is_list(thresholds):
        thresholds = list(thresholds)
    if thresholds != "grid" and not (
        isinstance(thresholds, list) and thresholds
        and all(isinstance(v, (int, float)) for v in thresholds)
    ):
        raise ValueError(
            f"thresholds must be null, 'grid' or a list of numbers, got {thresholds!r}"
        )
    if thresholds != "grid" and len(specs) > 1:
        raise ValueError(
            f"thresholds={thresholds} gives values for one detector, but the run watches "
            f"{[s.label for s in specs]}; use thresholds=grid (each class's own grid)"
        )
    return {name: s for spec in specs for name, s in _at_thresholds(spec, thresholds)}


def thresholds_for(cfg: DictConfig, overrides: Iterable[str]) -> Any:
    """The ``thresholds`` a job runs, given its command-line ``overrides``.

    An overlay such as ``experiment=threshold_sweep`` sets ``thresholds: grid``; a
    command line that sets a detector's sensitivity parameter itself
    (``detector.threshold=10,25,50`` — one job per value) means that value, so the job
    runs it alone (``None``). Setting both that parameter and ``thresholds`` on the
    command line is contradictory and raises ``ValueError``.

    Examples
    --------
    >>> from omegaconf import OmegaConf
    >>> cfg = OmegaConf.create({"detector": {"_target_": "detectors.PageHinkley"},
    ...                         "thresholds": "grid"})
    >>> thresholds_for(cfg, ["seed=1"]), thresholds_for(cfg, ["detector.threshold=10"])
    ('grid', None)
    >>> thresholds_for(cfg, ["detector.threshold=10", "thresholds=grid"])
    Traceback (most recent call last):
    ...
    ValueError: detector.threshold=10 and thresholds=grid both set PageHinkley's threshold: ...
    """
    thresholds = cfg.get("thresholds")
    if thresholds is None or cfg.get("detectors"):  # ``detector`` is not used then
        return thresholds
    keys = {o.split("=", 1)[0].lstrip("+~"): o for o in overrides}
    for spec in _base_specs(cfg):
        sensitivity = sensitivity_of(spec.cls)
        if sensitivity is None or f"detector.{sensitivity.param}" not in keys:
            continue
        if "thresholds" in keys:
            raise ValueError(
                f"{keys[f'detector.{sensitivity.param}']} and {keys['thresholds']} both set "
                f"{spec.label}'s {sensitivity.param}: choose the values with thresholds=[...] "
                f"(one job per seed) or with detector.{sensitivity.param}=a,b,c (one job "
                "per value)"
            )
        return None
    return thresholds


def describe(spec: DetectorSpec, detector: Any) -> dict[str, Any]:
    """What a run records about one monitored detector: its label and config, its
    sensitivity parameter and the value the run used (after any calibration), and
    whether it is a baseline.

    Examples
    --------
    >>> from detectors import PageHinkley
    >>> spec = DetectorSpec("PageHinkley", {"_target_": "detectors.PageHinkley"})
    >>> describe(spec, PageHinkley(threshold=20.0))["threshold"]
    20.0
    """
    sensitivity = sensitivity_of(detector)
    param = sensitivity.param if sensitivity is not None else None
    return {
        "label": spec.label,
        "config": spec.config,
        "threshold_param": param,
        "threshold": getattr(detector, param) if param else None,
        "is_baseline": is_baseline(detector),
    }
