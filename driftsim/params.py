"""``get_params``, ``clone`` and ``repr`` derived from a class's ``__init__`` signature.

Shared by detectors (both families), monitors and policies: each stores its
constructor arguments under their own names, so parameters, clones and ``repr`` follow.
"""

from __future__ import annotations

import inspect
from typing import Any, Self

__all__ = ["ParamsMixin"]


class ParamsMixin:
    """``get_params``, ``clone`` and ``repr`` from the ``__init__`` signature.

    Every driftsim detector follows river's convention: each ``__init__`` argument is
    stored, as given, under its own name, and mutable state lives elsewhere. That makes
    parameters, clones and ``repr`` free. Shared by detectors, monitors and policies.

    Examples
    --------
    >>> class Threshold(ParamsMixin):
    ...     def __init__(self, level: float = 1.0) -> None:
    ...         self.level = level
    >>> Threshold(2.5)
    Threshold(level=2.5)
    >>> Threshold(2.5).clone(level=3.0).get_params()
    {'level': 3.0}
    """

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [
            p.name
            for p in sig.parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]

    def get_params(self) -> dict[str, Any]:
        """The constructor arguments, as given.

        Examples
        --------
        >>> class Test(ParamsMixin):
        ...     def __init__(self, alpha: float = 0.05, share: float = 0.5) -> None:
        ...         self.alpha, self.share = alpha, share
        >>> Test(alpha=0.01).get_params()
        {'alpha': 0.01, 'share': 0.5}
        """
        return {name: getattr(self, name) for name in self._param_names()}

    def clone(self, **overrides: Any) -> Self:
        """A fresh, unfitted test with the same parameters, optionally some replaced.

        Examples
        --------
        >>> class Test(ParamsMixin):
        ...     def __init__(self, alpha: float = 0.05, share: float = 0.5) -> None:
        ...         self.alpha, self.share = alpha, share
        >>> Test(alpha=0.01).clone(share=0.3)
        Test(alpha=0.01, share=0.3)
        """
        return type(self)(**{**self.get_params(), **overrides})

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"
