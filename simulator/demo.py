"""``python -m simulator.demo``: an Iris stream with mixed drift, summarised and plotted.

Builds the ``mixed`` scenario of ``conf/drift/``, prints its events (onset, kind,
whether harmful, the reference model's accuracy drop) and saves a figure of the
feature means over time, the drift regions and a frozen model's rolling accuracy.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from driftsim.files import atomic_write
from simulator.datasets import load_dataset
from simulator.drift import Scenario
from simulator.stream import DriftStream, apply_prediction_drift

__all__ = ["load_scenario", "main", "run_demo", "summarise"]

CONF_DIR = Path(__file__).resolve().parents[1] / "conf" / "drift"
_WINDOW = 200
_TRAIN = 1000


def load_scenario(name: str) -> Scenario:
    """Instantiate ``conf/drift/<name>.yaml`` into a :class:`~simulator.drift.Scenario`.

    Examples
    --------
    >>> load_scenario("abrupt_concept").drifts[0].transform
    'swap'
    """
    from hydra.utils import instantiate
    from omegaconf import OmegaConf

    path = CONF_DIR / f"{name}.yaml"
    if not path.is_file():
        allowed = sorted(p.stem for p in CONF_DIR.glob("*.yaml"))
        raise ValueError(f"unknown scenario {name!r}; allowed: {allowed}")
    return instantiate(OmegaConf.load(path))


def summarise(stream: DriftStream) -> str:
    """One line per event of ``stream``: onset, end, kind, transform, harm.

    Examples
    --------
    >>> from simulator.drift import Drift
    >>> stream = DriftStream(load_dataset("iris"), [Drift("concept", 100)], n_samples=500)
    >>> print(summarise(stream))
    onset    end  kind        transform       profile      harmful  acc. drop
      100    100  concept     swap            abrupt       yes          0.649
    """
    lines = ["onset    end  kind        transform       profile      harmful  acc. drop"]
    for e in stream.events:
        kind = e.kind + (" (return)" if e.is_return else "")
        lines.append(
            f"{e.onset:5d}  {e.end:5d}  {kind:<10}  {e.transform:<14}  {e.profile:<11}  "
            f"{'yes' if e.harmful else 'no':<7}  {e.accuracy_drop:9.3f}"
        )
    return "\n".join(lines)


def _rolling(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing mean over ``window`` samples (shorter at the start), per column."""
    values = values.reshape(len(values), -1)
    csum = np.cumsum(np.vstack([np.zeros((1, values.shape[1])), values]), axis=0)
    idx = np.arange(1, len(values) + 1)
    lo = np.maximum(idx - window, 0)
    return ((csum[idx] - csum[lo]) / (idx - lo)[:, None]).squeeze()


def _plot(stream: DriftStream, path: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    assert stream.n_samples is not None
    batch = stream.batch(0, stream.n_samples)
    t = np.arange(batch.start, batch.stop)
    # The model is frozen after the first samples, all before the first drift.
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(
        batch.X[:_TRAIN], batch.y[:_TRAIN]
    )
    proba = np.zeros((len(batch), stream.n_classes))
    proba[:, model.classes_] = model.predict_proba(batch.X)
    served = apply_prediction_drift(proba, batch.truth, stream.drifts, batch.noise)
    accuracy = _rolling((served.argmax(axis=1) == batch.y).astype(float), _WINDOW)
    base = stream.dataset.X
    z = (batch.X - base.mean(axis=0)) / np.where(base.std(axis=0) > 0, base.std(axis=0), 1.0)
    means = _rolling(z, _WINDOW)

    # The first window is too short for a stable mean; leave it blank.
    means[: _WINDOW - 1] = np.nan
    accuracy[: _WINDOW - 1] = np.nan

    fig = Figure(figsize=(10, 7), constrained_layout=True)
    FigureCanvasAgg(fig)
    ax_x, ax_acc, ax_truth = fig.subplots(
        3, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2, 1]}
    )
    for i, name in enumerate(stream.feature_names):
        ax_x.plot(t, means[:, i], lw=1, label=name)
    ax_x.set_ylabel(f"feature mean\n(std units, rolling {_WINDOW})")
    ax_x.legend(fontsize=7, loc="upper left")
    ax_acc.plot(t, accuracy, color="black", lw=1)
    ax_acc.set_ylabel(f"frozen model accuracy\n(rolling {_WINDOW})")
    ax_acc.set_ylim(0, 1.05)
    # One lane per drift: its per-sample intensity (truth), lightly smoothed.
    for j, d in enumerate(stream.drifts):
        intensity = _rolling(batch.truth[:, j], 20)
        ax_truth.fill_between(t, j, j + 0.9 * intensity, color=f"C{j}", alpha=0.6, lw=0)
        ax_truth.text(
            t[0], j + 0.45, f" {j}: {d.kind} {d.transform} ({d.profile})", fontsize=7, va="center"
        )
        for ax in (ax_x, ax_acc):
            ax.fill_between(
                t,
                0,
                1,
                where=batch.truth[:, j] > 0,
                color=f"C{j}",
                alpha=0.08,
                lw=0,
                transform=ax.get_xaxis_transform(),
            )
    ax_truth.set_ylim(0, max(len(stream.drifts), 1))
    ax_truth.set_yticks([])
    ax_truth.set_ylabel("drift\nintensity")
    ax_truth.set_xlabel("sample")
    for e in stream.events:
        for ax in (ax_x, ax_acc, ax_truth):
            ax.axvline(e.onset, color="red" if e.harmful else "green", lw=1, ls="--")
    name = stream.scenario.name if stream.scenario is not None else "custom"
    ax_x.set_title(
        f"{stream.dataset.name}: scenario '{name}' "
        "(shaded: drift active; dashed: change points, red = harmful)"
    )
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110))


def run_demo(
    out_dir: str | Path = "outputs/demo",
    n_samples: int = 5000,
    seed: int = 0,
    scenario: str = "mixed",
) -> tuple[DriftStream, Path]:
    """Build the demo stream and save its figure; return the stream and the figure path.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     stream, path = run_demo(tmp, n_samples=4000)
    ...     print(path.name, path.is_file(), len(stream.events))
    stream.png True 3
    """
    stream = DriftStream(load_dataset("iris"), load_scenario(scenario), n_samples, seed=seed)
    path = Path(out_dir) / "stream.png"
    _plot(stream, path)
    return stream, path


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point (``python -m simulator.demo --help``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="outputs/demo", help="output folder")
    parser.add_argument("--n-samples", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scenario", default="mixed", help="a file name in conf/drift/")
    args = parser.parse_args(argv)
    stream, path = run_demo(args.out, args.n_samples, args.seed, args.scenario)
    print(
        f"{stream.dataset.name} stream, scenario '{args.scenario}', "
        f"{args.n_samples} samples, seed {args.seed}"
    )
    print(summarise(stream))
    print(f"figure: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
