"""Build objects from a config without letting the config run arbitrary code.

Hydra's ``instantiate`` calls whatever ``_target_`` names: a config someone hands you
could say ``_target_: builtins.open`` with ``_args_: [FILE, w]`` and truncate FILE.
:func:`check_targets` refuses, before anything is called, every ``_target_`` outside
an allowlist:

* the packages of driftsim (``detectors``, ``simulator``, ``experiments``, ``driftsim``)
  and the libraries a model or detector comes from (``sklearn``, ``river``, ``numpy``,
  ``scipy``) — except their file and network functions (any name with ``save``,
  ``load``, ``dump``, ``read``, ``write``, ``open``, ``fetch``, ``fromfile``,
  ``memmap``, ``tofile``, ``genfromtxt``), which a model config never needs;
* whatever the user adds: module prefixes or exact names in the config's
  ``allowed_targets`` list, or in the environment variable ``DRIFTSIM_ALLOWED_TARGETS``
  (comma-separated). What is added there is trusted entirely, file functions included.

:func:`instantiate_section` then builds one section and wraps a failing constructor's
error in one that names the section and its target (the original chained).

Examples
--------
>>> check_targets({"model": {"_target_": "sklearn.naive_bayes.GaussianNB"}})
>>> check_targets({"model": {"_target_": "builtins.open", "_args_": ["f", "w"]}})
Traceback (most recent call last):
...
experiments.safe_config.UnsafeTargetError: model._target_ = 'builtins.open' is outside ...
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from typing import Any

from omegaconf import DictConfig, ListConfig, OmegaConf

__all__ = [
    "DEFAULT_ALLOWED",
    "ENV_VAR",
    "UnsafeTargetError",
    "allowlist",
    "check_targets",
    "instantiate_section",
    "is_allowed",
]

#: Module prefixes a ``_target_`` may come from without being added by the user.
DEFAULT_ALLOWED: tuple[str, ...] = (
    "detectors", "simulator", "experiments", "driftsim", "sklearn", "river", "numpy", "scipy",
)
#: Environment variable with more allowed prefixes or names, comma-separated.
ENV_VAR = "DRIFTSIM_ALLOWED_TARGETS"
_OURS = ("detectors", "simulator", "experiments", "driftsim")
_IO_NAME = re.compile(r"save|load|dump|read|write|open|fetch|fromfile|memmap|tofile|genfromtxt",
                      re.IGNORECASE)


class UnsafeTargetError(ValueError):
    """A config names a ``_target_`` outside the allowlist."""


def _under(target: str, prefix: str) -> bool:
    return target == prefix or target.startswith(prefix + ".")


def allowlist(extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The allowed prefixes: the defaults, ``extra`` and ``$DRIFTSIM_ALLOWED_TARGETS``.

    Examples
    --------
    >>> allowlist(["mypkg"])[-1]
    'mypkg'
    """
    env = [p.strip() for p in os.environ.get(ENV_VAR, "").split(",") if p.strip()]
    return (*DEFAULT_ALLOWED, *env, *(str(p) for p in extra))


def is_allowed(target: str, extra: Iterable[str] = ()) -> bool:
    """Whether ``target`` may be called (see the module docstring).

    Examples
    --------
    >>> is_allowed("detectors.ADWIN"), is_allowed("os.system"), is_allowed("numpy.save")
    (True, False, False)
    >>> is_allowed("numpy.save", extra=["numpy.save"])
    True
    """
    added = allowlist(extra)[len(DEFAULT_ALLOWED):]
    if any(_under(target, p) for p in added):
        return True
    if any(_under(target, p) for p in _OURS):
        return True
    name = target.rsplit(".", 1)[-1]
    return any(_under(target, p) for p in DEFAULT_ALLOWED) and not _IO_NAME.search(name)


def _targets(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every ``(key path, _target_ value)`` in a config tree, lists included."""
    if isinstance(node, (DictConfig, ListConfig)):
        node = OmegaConf.to_container(node, resolve=False)
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}" if path else str(key)
            if key == "_target_":
                yield where, value
            else:
                yield from _targets(value, where)
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from _targets(value, f"{path}[{i}]")


def check_targets(cfg: Any, extra: Iterable[str] = ()) -> None:
    """Raise :class:`UnsafeTargetError` for the first ``_target_`` in ``cfg`` (a dict
    or an OmegaConf config) that is not allowed; call it before instantiating."""
    extra = tuple(extra)
    for where, target in _targets(cfg, ""):
        if not isinstance(target, str) or not is_allowed(target, extra):
            raise UnsafeTargetError(
                f"{where} = {target!r} is outside the allowlist {list(allowlist(extra))} "
                "(file and network functions of the default libraries excluded); refusing "
                "to call it. If you trust it, add it to allowed_targets in the config "
                f"(+allowed_targets=[{target}]) or to ${ENV_VAR}"
            )


def instantiate_section(name: str, node: Any, extra: Iterable[str] = ()) -> Any:
    """Check and instantiate one config section; a constructor's error is re-raised as
    ``ValueError`` naming the section and the target (original error chained).

    Examples
    --------
    >>> instantiate_section("detector", {"_target_": "detectors.ADWIN", "delta": -1})
    Traceback (most recent call last):
    ...
    ValueError: detector (detectors.ADWIN): delta must be ...
    """
    from hydra.errors import InstantiationException
    from hydra.utils import instantiate

    check_targets({name: node}, extra)
    try:
        return instantiate(node)
    except InstantiationException as exc:
        target = node.get("_target_") if hasattr(node, "get") else None
        cause = exc.__cause__ or exc
        raise ValueError(f"{name} ({target}): {_message(cause)}") from exc


def _message(exc: BaseException) -> str:
    text = str(exc).strip()
    return text if isinstance(exc, ValueError) else f"{type(exc).__name__}: {text}"
