"""Lazy package exports: a package lists its public names and where they live, and
each is imported on first use (PEP 562), so importing a package stays cheap and a
detector's compiled kernel loads only when that detector is used.

Examples
--------
>>> getattr_, dir_, all_ = lazy_exports("pkg", {"sqrt": "math"}, {})
>>> all_, getattr_("sqrt")(9.0)
(['sqrt'], 3.0)
>>> getattr_("nope")
Traceback (most recent call last):
...
AttributeError: module 'pkg' has no attribute 'nope'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, exports: dict[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """Return ``(__getattr__, __dir__, __all__)`` for a package.

    Parameters
    ----------
    package
        The package's name, for error messages.
    exports
        Public name → module that defines it.
    namespace
        The package's ``globals()``; a resolved name is cached there, so later
        look-ups skip ``__getattr__``.
    """
    names = sorted(exports)

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(names))

    return __getattr__, __dir__, names
