"""Where the lanes' per-tick work runs: in this process, on joblib workers, or on Ray.

An executor owns the fleet's :class:`~simulator.fleet.lane.ModelLane` objects split
into fixed, contiguous chunks of model indices. Each tick it steps every lane with
its commands and returns the reports in model order. A lane's work depends only on
the lane and its commands, and chunks are combined in index order, so the results
are the same on any executor and any number of workers.

* :class:`SerialExecutor` — one process.
* :class:`JoblibExecutor` — ``joblib.Parallel`` over the chunks each tick; the
  lanes travel to the workers and back (streams are rebuilt once per worker).
* :class:`RayExecutor` — one Ray actor per chunk, which keeps its lanes; only
  commands and reports travel. Pass ``address`` to join a running cluster.

Examples
--------
>>> from simulator.fleet.spec import make_fleet
>>> spec = make_fleet(3, seed=0, n_samples=20_000)
>>> ex = SerialExecutor()
>>> [round(s["sla"], 2) for s in ex.start(spec, range(3), {})]
[0.95, 0.95, 0.9]
>>> [round(r.true_accuracy, 2) for r in ex.step(0, {})]
[0.98, 0.99, 1.0]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from driftsim.validation import check_int
from simulator.fleet.lane import Command, ModelLane, TickReport

__all__ = ["JoblibExecutor", "RayExecutor", "SerialExecutor", "make_executor"]

Commands = Mapping[int, list[Command]]


def _build(spec: Any, indices: Iterable[int], options: Mapping[str, Any]) -> list[ModelLane]:
    return [ModelLane(spec, i, **options) for i in indices]


def _step(lanes: list[ModelLane], t: int, commands: Commands) -> list[TickReport]:
    return [lane.step(t, commands.get(lane.index, ())) for lane in lanes]


def _step_and_return(lanes: list[ModelLane], t: int,
                     commands: Commands) -> tuple[list[ModelLane], list[TickReport]]:
    return lanes, _step(lanes, t, commands)


def _chunks(indices: list[int], n: int) -> list[list[int]]:
    return [list(part) for part in np.array_split(np.asarray(indices), n) if len(part)]


class SerialExecutor:
    """Every lane in this process.

    Examples
    --------
    >>> SerialExecutor().n_workers
    1
    """

    n_workers = 1

    def start(self, spec: Any, indices: Iterable[int],
              options: Mapping[str, Any]) -> list[dict[str, Any]]:
        self.lanes = _build(spec, indices, options)
        return [lane.summary() for lane in self.lanes]

    def step(self, t: int, commands: Commands) -> list[TickReport]:
        return _step(self.lanes, t, commands)

    def close(self) -> None:
        self.lanes = []


class JoblibExecutor:
    """Chunks of lanes stepped by ``joblib.Parallel`` workers each tick.

    Parameters
    ----------
    n_jobs
        Workers (and chunks).
    backend
        A joblib backend: ``"loky"`` (processes) or ``"threading"``.

    Examples
    --------
    >>> JoblibExecutor(n_jobs=2).n_workers
    2
    """

    def __init__(self, n_jobs: int = 2, backend: str = "loky") -> None:
        self.n_workers = check_int("n_jobs", n_jobs, low=1)
        self.backend = backend

    def start(self, spec: Any, indices: Iterable[int],
              options: Mapping[str, Any]) -> list[dict[str, Any]]:
        from joblib import Parallel, delayed

        self._parallel = Parallel(n_jobs=self.n_workers, backend=self.backend)
        self._parallel.__enter__()  # keep the workers for the whole run
        parts = _chunks(list(indices), self.n_workers)
        self.chunks = self._parallel(delayed(_build)(spec, p, options) for p in parts)
        return [lane.summary() for chunk in self.chunks for lane in chunk]

    def step(self, t: int, commands: Commands) -> list[TickReport]:
        from joblib import delayed

        out = self._parallel(
            delayed(_step_and_return)(chunk, t, {i.index: commands[i.index] for i in chunk
                                                 if i.index in commands})
            for chunk in self.chunks
        )
        self.chunks = [lanes for lanes, _ in out]
        return [r for _, reports in out for r in reports]

    def close(self) -> None:
        self._parallel.__exit__(None, None, None)


class _Chunk:
    """A Ray actor's payload: lanes that stay in one worker for the whole run."""

    def __init__(self, spec: Any, indices: list[int], options: Mapping[str, Any]) -> None:
        self.lanes = _build(spec, indices, options)

    def step(self, t: int, commands: Commands) -> list[TickReport]:
        return _step(self.lanes, t, commands)

    def summaries(self) -> list[dict[str, Any]]:
        return [lane.summary() for lane in self.lanes]

    def node(self) -> str:
        import ray

        return str(ray.get_runtime_context().get_node_id())


class RayExecutor:
    """One Ray actor per chunk of lanes.

    Parameters
    ----------
    n_actors
        Actors (and chunks).
    address
        A running cluster to join (``"127.0.0.1:6379"``); None starts a local Ray.
    init
        Extra ``ray.init`` arguments when starting a local Ray.
    cpus_per_actor
        CPUs each actor reserves; 1 spreads the actors over a cluster's nodes when
        each node offers one CPU (0 packs them anywhere).

    Attributes
    ----------
    nodes
        After :meth:`start`, the Ray node id of each actor.

    Examples
    --------
    >>> RayExecutor(n_actors=2, address="127.0.0.1:6379").n_workers
    2
    """

    def __init__(self, n_actors: int = 2, address: str | None = None,
                 init: Mapping[str, Any] | None = None, cpus_per_actor: float = 0) -> None:
        self.n_workers = check_int("n_actors", n_actors, low=1)
        self.address = address
        self.init = dict(init or {})
        self.cpus_per_actor = cpus_per_actor
        self.nodes: list[str] = []

    def start(self, spec: Any, indices: Iterable[int],
              options: Mapping[str, Any]) -> list[dict[str, Any]]:
        import ray

        if not ray.is_initialized():
            kwargs = {"include_dashboard": False, "log_to_driver": False, **self.init}
            ray.init(address=self.address, **kwargs)
        actor = ray.remote(num_cpus=self.cpus_per_actor)(_Chunk)
        ref = ray.put(spec)
        self.actors = [actor.remote(ref, p, dict(options))
                       for p in _chunks(list(indices), self.n_workers)]
        self._ray = ray
        self.nodes = ray.get([a.node.remote() for a in self.actors])
        return [s for part in ray.get([a.summaries.remote() for a in self.actors])
                for s in part]

    def step(self, t: int, commands: Commands) -> list[TickReport]:
        futures = [a.step.remote(t, dict(commands)) for a in self.actors]
        return [r for reports in self._ray.get(futures) for r in reports]

    def close(self) -> None:
        for a in self.actors:
            self._ray.kill(a)
        self.actors = []


def make_executor(kind: str = "serial", **params: Any) -> Any:
    """An executor by name: ``serial``, ``joblib`` or ``ray``.

    Examples
    --------
    >>> make_executor("joblib", n_jobs=3).n_workers
    3
    """
    kinds = {"serial": SerialExecutor, "joblib": JoblibExecutor, "ray": RayExecutor}
    if kind not in kinds:
        raise ValueError(f"executor must be one of {sorted(kinds)}, got {kind!r}")
    return kinds[kind](**params)
