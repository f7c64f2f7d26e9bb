"""What drifts, when, how fast and how much: the :class:`Drift` specification.

A :class:`Drift` is a validated, frozen description of one injected change; a
:class:`Scenario` is a named list of them (what a ``conf/drift/*.yaml`` file builds).
Neither knows the dataset: feature names and class codes are checked when a
:class:`~simulator.stream.DriftStream` is built from them.

Kinds and their transforms (the first one is the default):

============  ====================================  =====================================
kind          transforms                            severity means
============  ====================================  =====================================
covariate     shift, scale, noise, rotate,          shift: standard deviations, in
              subpopulation                         [-10, 10]; scale: deviations from the
                                                    mean times ``1 + severity``, in
                                                    [-1, 10]; noise: Gaussian noise of
                                                    ``severity`` std, in [0, 10]; rotate:
                                                    ``severity × 90`` degrees, in [-2, 2];
                                                    subpopulation: in [-1, 1], the weight
                                                    taken from rows outside (> 0) or
                                                    inside (< 0) the region
concept       swap, relabel_region, rotate_boundary,  swap: share of the two classes' rows
              switch                                whose labels swap, in [0, 1];
                                                    relabel_region: probability mass of
                                                    the region, in [0, 1]; rotate_boundary:
                                                    ``severity × 90`` degrees, in [-2, 2];
                                                    switch: unused (1.0)
prior         resample                              how far class proportions move to the
                                                    target, in [0, 1]
prediction    bias, flip, calibration               bias: probability mass moved to
                                                    ``toward``, in [0, 1]; flip: share of
                                                    predictions replaced, in [0, 1];
                                                    calibration: exponent ``1 + severity``
                                                    on the probabilities, in [-1, 10]
pipeline      stuck, missing, unit                  share of samples hit by the fault,
                                                    in [0, 1]
============  ====================================  =====================================

Options (keyword arguments, stored in :attr:`Drift.options` with their defaults):

* covariate ``subpopulation``: ``quantile`` (0.5) and ``side`` (``"above"``): the region
  is the rows whose feature lies above (below) that quantile of the base data.
* concept ``swap``: ``classes`` ((0, 1)); ``relabel_region``: ``side`` (``"above"``) and
  ``to`` (None: each label ``c`` becomes ``(c + 1) % n_classes``; else that class).
* concept ``switch``: ``to`` (required), the generator concept the stream moves to, as
  a mapping of the generator's concept parameters (e.g. ``{"variant": 1}`` for SEA,
  ``{"classification_function": 2}`` for Agrawal); parameters left out keep the base
  dataset's values. Only a stream over a river generator dataset can switch concept
  (see :mod:`simulator.generators` for each generator's concept parameters). Several
  switches chain: where more than one is in force, the later one in the list decides.
* prior ``resample``: exactly one of ``proportions`` (the target vector) or ``toward``
  (a class: the target is ``severity`` of the way from the base proportions to it).
* prediction ``bias``: ``toward`` (0).
* pipeline ``stuck``: ``value`` (None: the feature's base mean, or its most frequent
  category for a categorical feature); ``missing``: ``fill``
  (0.0, the imputed value); ``unit``: ``factor`` (100.0).
* profile ``recurring``: ``period`` (``2 × duration``) and ``repeats`` (1).

Segments: ``segment`` confines any drift but a row-selection one (prior, covariate
``subpopulation``) to the samples of one segment, given as a mapping with ``feature``
(a name or index) and either ``values`` (the segment's values of that feature: numbers,
or category labels of a categorical feature) or ``low`` / ``high`` (the segment is
``low <= x < high``; either may be left out). Membership is read from the features as
the world draws them, before any drift moves them; ``truth`` is 0 outside the segment.

Default features (``features=None``): every numeric feature for shift, scale and
noise; the first two non-constant numeric features for rotate and rotate_boundary; the
first non-constant feature for subpopulation, relabel_region and the pipeline faults.
Prior and prediction drifts take no features.

Profiles, as the per-sample intensity ``r(t)`` the stream reports in ``truth``:
``abrupt`` is 0 before ``start`` and 1 from it; ``gradual`` draws each sample from the
new concept with probability ``(t - start) / width`` (truth is the realised 0/1);
``incremental`` applies the transform at ``r(t) = (t - start) / width`` of its
severity; ``recurring`` is 1 for ``duration`` samples from ``start + i × period``,
``i < repeats``, and 0 otherwise; ``sigmoid`` is MOA's ``ConceptDriftStream`` transition:
each sample comes from the new concept with probability
``1 / (1 + exp(-4 (t + 1 - start) / width))`` (MOA and river count samples from 1, so
``start`` is their position ``p`` and the ``start``-th sample has probability 1/2; the
probability is rounded to exactly 0 or 1 more than ``5 × width`` samples from ``start``,
where it is within 2e-9 of them). New-concept samples thus appear before ``start``,
which is still the onset the ground truth reports (the position the literature
reports), and ``end = start + width`` is where the probability reaches 0.98.

Examples
--------
>>> d = Drift(kind="concept", start=500, transform="swap", classes=(0, 2))
>>> d.options["classes"], d.end
((0, 2), 500)
>>> Drift(kind="covariate", start=100, width=50, profile="gradual").ramp([99, 100, 125, 150])
array([0. , 0. , 0.5, 1. ])
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from driftsim.validation import check_choice, check_in_range, check_int

__all__ = [
    "KINDS",
    "MIXING_PROFILES",
    "PROFILES",
    "TRANSFORMS",
    "Drift",
    "DriftOptions",
    "Scenario",
]

KINDS: tuple[str, ...] = ("covariate", "concept", "prior", "prediction", "pipeline")
PROFILES: tuple[str, ...] = ("abrupt", "gradual", "incremental", "recurring", "sigmoid")
# Profiles whose truth is a realised 0/1 draw with probability ramp(t).
MIXING_PROFILES: tuple[str, ...] = ("gradual", "sigmoid")
_SIGMOID_CLIP = 20.0  # |4 (t + 1 - start) / width| beyond which P(new) is exactly 0 or 1
TRANSFORMS: dict[str, tuple[str, ...]] = {
    "covariate": ("shift", "scale", "noise", "rotate", "subpopulation"),
    "concept": ("swap", "relabel_region", "rotate_boundary", "switch"),
    "prior": ("resample",),
    "prediction": ("bias", "flip", "calibration"),
    "pipeline": ("stuck", "missing", "unit"),
}

_SEVERITY_RANGE: dict[str, tuple[float, float]] = {
    "shift": (-10.0, 10.0),
    "scale": (-1.0, 10.0),
    "noise": (0.0, 10.0),
    "rotate": (-2.0, 2.0),
    "subpopulation": (-1.0, 1.0),
    "swap": (0.0, 1.0),
    "relabel_region": (0.0, 1.0),
    "rotate_boundary": (-2.0, 2.0),
    "switch": (0.0, 1.0),
    "resample": (0.0, 1.0),
    "bias": (0.0, 1.0),
    "flip": (0.0, 1.0),
    "calibration": (-1.0, 10.0),
    "stuck": (0.0, 1.0),
    "missing": (0.0, 1.0),
    "unit": (0.0, 1.0),
}

_OPTION_DEFAULTS: dict[str, dict[str, Any]] = {
    "subpopulation": {"quantile": 0.5, "side": "above"},
    "swap": {"classes": (0, 1)},
    "relabel_region": {"side": "above", "to": None},
    "switch": {"to": None},
    "resample": {"proportions": None, "toward": None},
    "bias": {"toward": 0},
    "stuck": {"value": None},
    "missing": {"fill": 0.0},
    "unit": {"factor": 100.0},
}
_RECURRING_DEFAULTS: dict[str, Any] = {"period": None, "repeats": 1}

# How many features a transform takes when they are given explicitly (None: any >= 1).
_N_FEATURES: dict[str, int | None] = {
    "shift": None,
    "scale": None,
    "noise": None,
    "rotate": 2,
    "subpopulation": 1,
    "relabel_region": 1,
    "rotate_boundary": 2,
    "switch": 0,
    "stuck": None,
    "missing": None,
    "unit": None,
}


def _plain(value: Any) -> Any:
    """Turn config containers (e.g. omegaconf's ListConfig) into hashable plain values."""
    if isinstance(value, str | bytes):
        return value
    if isinstance(value, Mapping):
        return DriftOptions({str(k): _plain(v) for k, v in value.items()})
    if isinstance(value, Sequence | np.ndarray):
        return tuple(_plain(v) for v in value)
    if isinstance(value, np.generic):
        return value.item()
    return value


class DriftOptions(Mapping[str, Any]):
    """A read-only, hashable mapping of a drift's transform and profile options.

    Examples
    --------
    >>> opts = DriftOptions({"classes": (0, 2)})
    >>> opts["classes"], len(opts), hash(opts) == hash(DriftOptions({"classes": (0, 2)}))
    ((0, 2), 1, True)
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self._data = dict(data or {})

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._data.items())))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._data == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return repr(self._data)

    def __getstate__(self) -> dict[str, Any]:
        return self._data

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._data = state


def _check_features(features: Any, transform: str, kind: str) -> tuple[int | str, ...] | None:
    if features is None:
        return None
    if kind in ("prior", "prediction"):
        raise ValueError(
            f"features must be None for a {kind} drift (it does not act on features), "
            f"got {features!r}"
        )
    feats = (features,) if isinstance(features, int | str | np.integer) else _plain(features)
    if not isinstance(feats, tuple) or not feats:
        raise ValueError(
            f"features must be None, a feature name or index, or a non-empty list of them, "
            f"got {features!r}"
        )
    out: list[int | str] = []
    for f in feats:
        if isinstance(f, bool) or not isinstance(f, int | str | np.integer):
            raise ValueError(f"features must hold feature names (str) or indices (int), got {f!r}")
        if isinstance(f, int | np.integer) and f < 0:
            raise ValueError(f"features must hold indices >= 0, got {int(f)}")
        out.append(int(f) if isinstance(f, int | np.integer) else f)
    if len(set(out)) != len(out):
        raise ValueError(f"features must not repeat a feature, got {tuple(out)!r}")
    need = _N_FEATURES[transform]
    if need == 0:
        raise ValueError(
            f"features must be None for {kind} '{transform}' (it acts on the generator's "
            f"concept, not on features), got {features!r}"
        )
    if need is not None and len(out) != need:
        raise ValueError(
            f"features must name exactly {need} feature(s) for {kind} '{transform}', "
            f"got {tuple(out)!r}"
        )
    return tuple(out)


def _check_segment(segment: Any, kind: str, transform: str) -> DriftOptions | None:
    """Validate a segment spec into a hashable mapping (None stays None)."""
    if segment is None:
        return None
    seg = _plain(segment)
    if not isinstance(seg, Mapping):
        raise ValueError(
            "segment must be a mapping with 'feature' and 'values' (or 'low' / 'high'), "
            f"got {segment!r}"
        )
    if transform in ("resample", "subpopulation"):
        raise ValueError(
            f"segment cannot confine {kind} '{transform}': it chooses which rows are drawn, "
            "before a sample's segment is known"
        )
    unknown = sorted(set(seg) - {"feature", "values", "low", "high"})
    if unknown:
        raise ValueError(
            f"unknown segment key(s) {unknown}; allowed: ['feature', 'high', 'low', 'values']"
        )
    feature = seg.get("feature")
    if isinstance(feature, bool) or not isinstance(feature, int | str):
        raise ValueError(f"segment feature must be a feature name or index, got {feature!r}")
    has_values = seg.get("values") is not None
    has_range = seg.get("low") is not None or seg.get("high") is not None
    if has_values == has_range:
        raise ValueError(
            "segment needs exactly one of values= (the segment's values) or low= / high= "
            f"(a range), got {dict(seg)!r}"
        )
    out: dict[str, Any] = {"feature": feature}
    if has_values:
        values = seg["values"] if isinstance(seg["values"], tuple) else (seg["values"],)
        if not values:
            raise ValueError("segment values must name at least one value, got []")
        out["values"] = values
    else:
        for key in ("low", "high"):
            if seg.get(key) is not None:
                out[key] = float(check_in_range(f"segment {key}", seg[key]))
        if out.get("low", -np.inf) >= out.get("high", np.inf):
            raise ValueError(f"segment low must be < high, got {out['low']} >= {out['high']}")
    return DriftOptions(out)


def _check_class(name: str, value: Any) -> int:
    return check_int(name, value, low=0)


def _check_options(transform: str, profile: str, duration: int | None, given: dict) -> dict:
    """The transform's options: defaults filled in, unknown keys refused, values checked."""
    defaults = dict(_OPTION_DEFAULTS.get(transform, {}))
    if profile == "recurring":
        defaults.update(_RECURRING_DEFAULTS)
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise ValueError(
            f"unknown option(s) {unknown} for transform '{transform}' with profile "
            f"'{profile}'; allowed: {sorted(defaults)}"
        )
    opts = {**defaults, **given}
    # each transform belongs to one kind, so at most one of these acts on it
    for check_kind in (
        _check_covariate_options,
        _check_concept_options,
        _check_prior_options,
        _check_prediction_options,
        _check_pipeline_options,
    ):
        check_kind(transform, profile, opts)
    if profile == "recurring":
        _check_recurring_options(duration, opts)
    return opts


def _check_covariate_options(transform: str, profile: str, opts: dict[str, Any]) -> None:
    """Check and normalise in place subpopulation's quantile and side."""
    if transform == "subpopulation":
        check_in_range(
            "quantile",
            opts["quantile"],
            low=0.0,
            high=1.0,
            low_inclusive=False,
            high_inclusive=False,
        )
        opts["quantile"] = float(opts["quantile"])
        check_choice("side", opts["side"], ("above", "below"))


def _check_concept_options(transform: str, profile: str, opts: dict[str, Any]) -> None:
    """Check and normalise in place the options of swap, relabel_region and switch."""
    if transform == "relabel_region":
        check_choice("side", opts["side"], ("above", "below"))
        if opts["to"] is not None:
            opts["to"] = _check_class("to", opts["to"])
    if transform == "swap":
        classes = opts["classes"]
        if not isinstance(classes, tuple) or len(classes) != 2:
            raise ValueError(f"classes must be a pair of class codes, got {classes!r}")
        a, b = (_check_class("classes", c) for c in classes)
        if a == b:
            raise ValueError(f"classes must name two different classes, got {classes!r}")
        opts["classes"] = (a, b)
    if transform == "switch":
        to = opts["to"]
        if not isinstance(to, Mapping) or not to:
            raise ValueError(
                "a concept switch needs the option to= (a non-empty mapping of generator "
                f"concept parameters, e.g. {{'variant': 1}}), got {to!r}"
            )
        if profile == "incremental":
            raise ValueError(
                "profile 'incremental' is not defined for a concept switch (a concept is "
                "in force or not); use 'abrupt', 'gradual', 'sigmoid' or 'recurring', or a "
                "moving concept (hyperplane mag_change, random_rbf change_speed)"
            )


def _check_prior_options(transform: str, profile: str, opts: dict[str, Any]) -> None:
    """Check and normalise in place resample's proportions= or toward=."""
    if transform != "resample":
        return
    if (opts["proportions"] is None) == (opts["toward"] is None):
        raise ValueError(
            "a prior drift needs exactly one of the options proportions= (a target "
            f"vector) or toward= (a class), got proportions={opts['proportions']!r}, "
            f"toward={opts['toward']!r}"
        )
    if opts["toward"] is not None:
        opts["toward"] = _check_class("toward", opts["toward"])
    else:
        props = opts["proportions"]
        if not isinstance(props, tuple) or len(props) < 2:
            raise ValueError(f"proportions must be a list of >= 2 numbers, got {props!r}")
        props = tuple(float(check_in_range("proportions", p, low=0.0)) for p in props)
        if abs(sum(props) - 1.0) > 1e-6:
            raise ValueError(f"proportions must sum to 1, got {props!r} (sum {sum(props)})")
        opts["proportions"] = props


def _check_prediction_options(transform: str, profile: str, opts: dict[str, Any]) -> None:
    """Check and normalise in place bias's toward."""
    if transform == "bias":
        opts["toward"] = _check_class("toward", opts["toward"])


def _check_pipeline_options(transform: str, profile: str, opts: dict[str, Any]) -> None:
    """Check and normalise in place stuck's value, missing's fill and unit's factor."""
    if transform == "stuck" and opts["value"] is not None:
        opts["value"] = float(check_in_range("value", opts["value"]))
    if transform == "missing":
        opts["fill"] = float(check_in_range("fill", opts["fill"]))
    if transform == "unit":
        factor = float(check_in_range("factor", opts["factor"]))
        if factor == 0.0:
            raise ValueError("factor must be a non-zero number, got 0.0")
        opts["factor"] = factor


def _check_recurring_options(duration: int | None, opts: dict[str, Any]) -> None:
    """Check in place a recurring drift's period (default twice the duration) and repeats."""
    assert duration is not None  # checked by the caller
    if opts["period"] is None:
        opts["period"] = 2 * duration
    opts["period"] = check_int("period", opts["period"], low=duration + 1)
    opts["repeats"] = check_int("repeats", opts["repeats"], low=1)


@dataclass(frozen=True, init=False)
class Drift:
    """One injected drift: what changes, when, how fast and how much.

    Parameters
    ----------
    kind
        ``"covariate"``, ``"concept"``, ``"prior"``, ``"prediction"`` or ``"pipeline"``.
    start
        Index of the first sample of the change (the onset), >= 0.
    width
        Length of the transition in samples: 0 for ``abrupt`` and ``recurring``, >= 1
        for ``gradual`` and ``incremental``.
    profile
        ``"abrupt"``, ``"gradual"``, ``"incremental"``, ``"recurring"`` or
        ``"sigmoid"`` (MOA's transition; module docstring).
    severity
        How much; its meaning and range depend on the transform (module docstring).
    features
        Feature names or indices the drift acts on; None for the transform's default.
    duration
        For ``recurring`` only: samples the new concept lasts before the old returns.
    transform
        What happens; None for the kind's default (``shift``, ``swap``, ``resample``,
        ``bias``, ``stuck``).
    options
        Transform and profile options as a mapping; they may also be given as keyword
        arguments (``classes=(0, 2)``).
    segment
        None (the drift acts everywhere), or the one segment it acts in: a mapping
        with ``feature`` and ``values``, or ``feature`` and ``low`` / ``high``
        (module docstring).

    Examples
    --------
    >>> d = Drift(kind="covariate", start=10, severity=0.5, features=["petal width (cm)"])
    >>> d.transform, d.features, d.end
    ('shift', ('petal width (cm)',), 10)
    >>> Drift(kind="concept", start=-1)
    Traceback (most recent call last):
    ...
    ValueError: start must be >= 0, got -1
    >>> Drift(kind="prior", start=0, toward=2, severity=0.5).options["toward"]
    2
    """

    kind: str
    start: int
    width: int = 0
    profile: str = "abrupt"
    severity: float = 1.0
    features: tuple[int | str, ...] | None = None
    duration: int | None = None
    transform: str | None = None
    options: DriftOptions = field(default_factory=DriftOptions)
    segment: DriftOptions | None = None

    def __init__(
        self,
        kind: str,
        start: int,
        width: int = 0,
        profile: str = "abrupt",
        severity: float = 1.0,
        features: Any = None,
        duration: int | None = None,
        transform: str | None = None,
        options: Mapping[str, Any] | None = None,
        segment: Mapping[str, Any] | None = None,
        **extra_options: Any,
    ) -> None:
        kind = check_choice("kind", kind, KINDS)
        start = check_int("start", start, low=0)
        width = check_int("width", width, low=0)
        profile = check_choice("profile", profile, PROFILES)
        if transform is None:
            transform = TRANSFORMS[kind][0]
        check_choice(f"transform (for kind '{kind}')", transform, TRANSFORMS[kind])
        lo, hi = _SEVERITY_RANGE[transform]
        check_in_range("severity", severity)
        if not lo <= severity <= hi:
            raise ValueError(
                f"severity must be in [{lo}, {hi}] for {kind} '{transform}', got {severity!r}"
            )
        if profile == "abrupt" and width != 0:
            raise ValueError(
                f"width must be 0 for profile 'abrupt', got {width}; use profile 'gradual' "
                "or 'incremental' for a transition over width samples"
            )
        if profile in ("gradual", "incremental", "sigmoid") and width < 1:
            raise ValueError(f"width must be >= 1 for profile '{profile}', got {width}")
        if profile == "recurring":
            if duration is None:
                raise ValueError(
                    "duration is required for profile 'recurring' (samples before the old "
                    "concept returns), got None"
                )
            if width != 0:
                raise ValueError(f"width must be 0 for profile 'recurring', got {width}")
            duration = check_int("duration", duration, low=1)
        elif duration is not None:
            raise ValueError(
                f"duration only applies to profile 'recurring', got duration={duration!r} "
                f"with profile '{profile}'"
            )
        feats = _check_features(features, transform, kind)
        given = {str(k): _plain(v) for k, v in dict(options or {}).items()}
        for key, value in extra_options.items():
            if key in given:
                raise ValueError(f"option {key!r} given both in options and as a keyword")
            given[key] = _plain(value)
        opts = _check_options(transform, profile, duration, given)
        for name, value in (
            ("kind", kind),
            ("start", start),
            ("width", width),
            ("profile", profile),
            ("severity", float(severity)),
            ("features", feats),
            ("duration", duration),
            ("transform", transform),
            ("options", DriftOptions(opts)),
            ("segment", _check_segment(segment, kind, transform)),
        ):
            object.__setattr__(self, name, value)

    @property
    def end(self) -> int:
        """Index at which the transition is complete: ``start + width``."""
        return self.start + self.width

    def change_points(self) -> list[tuple[int, bool]]:
        """Every change point as ``(index, is_return)``: the onset(s), and for a
        recurring drift each return to the old concept.

        Examples
        --------
        >>> Drift("concept", 100, profile="recurring", duration=50, repeats=2).change_points()
        [(100, False), (150, True), (200, False), (250, True)]
        """
        if self.profile != "recurring":
            return [(self.start, False)]
        period, repeats = self.options["period"], self.options["repeats"]
        assert self.duration is not None
        points: list[tuple[int, bool]] = []
        for i in range(repeats):
            onset = self.start + i * period
            points += [(onset, False), (onset + self.duration, True)]
        return points

    def ramp(self, t: Any) -> np.ndarray:
        """The scheduled intensity in [0, 1] at sample indices ``t``.

        For ``gradual`` and ``sigmoid`` this is the probability that a sample comes
        from the new concept; for the other profiles it is the intensity itself.

        Examples
        --------
        >>> Drift("concept", 100, width=10, profile="sigmoid").ramp([0, 99, 199]).round(3)
        array([0. , 0.5, 1. ])
        >>> Drift("prior", 10, width=4, profile="incremental", toward=0).ramp([9, 10, 11, 14])
        array([0.  , 0.  , 0.25, 1.  ])
        """
        t = np.asarray(t, dtype=np.int64)
        if self.profile == "sigmoid":
            reach = _SIGMOID_CLIP / 4.0 * self.width
            if t.size and t.max() + 1 - self.start < -reach:
                return np.zeros(t.shape)
            if t.size and t.min() + 1 - self.start > reach:
                return np.ones(t.shape)
            z = np.clip(4.0 * (t + 1 - self.start) / self.width, -50.0, 50.0)
            p = 1.0 / (1.0 + np.exp(-z))
            return np.where(z < -_SIGMOID_CLIP, 0.0, np.where(z > _SIGMOID_CLIP, 1.0, p))
        if t.size and self.profile != "recurring":
            # Whole runs before the onset or after the transition need no arithmetic.
            if t.max() < self.start:
                return np.zeros(t.shape)
            if t.min() >= self.end:
                return np.ones(t.shape)
        if self.profile == "abrupt":
            return (t >= self.start).astype(np.float64)
        if self.profile in ("gradual", "incremental"):
            return np.minimum(np.maximum((t - self.start) / self.width, 0.0), 1.0)
        since = t - self.start
        period, repeats = self.options["period"], self.options["repeats"]
        on = (since >= 0) & (since // period < repeats) & (since % period < self.duration)
        return on.astype(np.float64)


@dataclass(frozen=True)
class Scenario:
    """A named list of drifts: what one ``conf/drift/*.yaml`` file describes.

    ``drifts`` may hold :class:`Drift` objects or mappings of their arguments.

    Examples
    --------
    >>> s = Scenario("swap", [Drift(kind="concept", start=2000)])
    >>> s.name, len(s.drifts), s.drifts[0].transform
    ('swap', 1, 'swap')
    """

    name: str
    drifts: tuple[Drift, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"name must be a non-empty string, got {self.name!r}")
        drifts = []
        for i, d in enumerate(self.drifts):
            if isinstance(d, Mapping):
                # Hydra's instantiate stores dataclass instances it builds inside a list
                # as DictConfig copies of their fields; rebuild the Drift from them.
                if type(d).__module__.startswith("omegaconf"):
                    from omegaconf import OmegaConf

                    d = OmegaConf.to_container(d, resolve=True)
                d = Drift(**{str(k): v for k, v in d.items() if k != "_target_"})
            if not isinstance(d, Drift):
                raise ValueError(f"drifts[{i}] must be a Drift, got {type(d).__name__}")
            drifts.append(d)
        object.__setattr__(self, "drifts", tuple(drifts))
