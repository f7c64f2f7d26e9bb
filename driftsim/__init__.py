"""driftsim's neutral utilities, shared by ``detectors``, ``simulator`` and ``experiments``.

The package map reads ``driftsim`` ← ``detectors`` ← ``simulator`` ← ``experiments``:
this package imports none of the other three, so any of them may use it.

* :mod:`driftsim.validation` — argument checks whose errors name the bad value and
  what is allowed;
* :mod:`driftsim.params` — :class:`~driftsim.params.ParamsMixin` (``get_params``,
  ``clone`` and ``repr`` from the ``__init__`` signature);
* :mod:`driftsim.lazy` — :func:`~driftsim.lazy.lazy_exports`, PEP 562 lazy package
  exports;
* :mod:`driftsim.files` — :func:`~driftsim.files.atomic_write` (temporary file, then
  rename) and the clean-up of what a killed writer left.

Examples
--------
>>> from driftsim.validation import check_int
>>> check_int("n_samples", 10, low=1)
10
"""
