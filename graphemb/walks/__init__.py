"""Random-walk engine: first-order (DeepWalk) and node2vec walks in numba.

Public entry points: :func:`random_walks` (all walks at once),
:func:`iter_random_walks` (chunks) and :class:`WalkStream` (a re-iterable stream
for multi-pass training); :meth:`WalkStream.plan` gives the picklable
:class:`WalkPlan` that other processes (Dask workers) fill blocks of walks from.
See docs/walks.md for algorithms and costs.
"""

from __future__ import annotations

from .walker import WalkPlan, WalkStream, as_graph, iter_random_walks, random_walks

__all__ = ["WalkPlan", "WalkStream", "as_graph", "iter_random_walks", "random_walks"]
