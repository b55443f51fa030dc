"""Slow, obvious reference implementations used to check the fast kernels.

Nothing here is optimised: each function follows its mathematical definition
line by line so it can be read against the papers.
"""

from __future__ import annotations

import numpy as np


def out_neighbors(graph, u: int) -> tuple[np.ndarray, np.ndarray]:
    """Out-neighbour indices of row ``u`` and their weights (1.0 when unweighted)."""
    lo, hi = int(graph.indptr[u]), int(graph.indptr[u + 1])
    nbrs = np.asarray(graph.indices[lo:hi], dtype=np.int64)
    if graph.weights is None:
        w = np.ones(nbrs.size)
    else:
        w = np.asarray(graph.weights[lo:hi], dtype=np.float64)
    return nbrs, w


def has_arc(graph, a: int, b: int) -> bool:
    """Whether ``a -> b`` is an arc, by linear scan of row ``a``."""
    nbrs, _ = out_neighbors(graph, a)
    return any(int(x) == b for x in nbrs)


def first_order_probs(graph, cur: int, weighted: bool = True) -> dict[int, float]:
    """DeepWalk transition probabilities from ``cur``: ``w(cur, x) / sum_y w(cur, y)``."""
    nbrs, w = out_neighbors(graph, cur)
    if not weighted:
        w = np.ones_like(w)
    return {int(x): float(wx / w.sum()) for x, wx in zip(nbrs, w, strict=True)}


def node2vec_probs(graph, prev: int, cur: int, p: float, q: float, weighted: bool = True) -> dict[int, float]:
    """Exact node2vec second-order transition probabilities from ``cur`` having come from ``prev``.

    Follows the reference implementation (Grover & Leskovec, ``get_alias_edge``):
    ``w(cur, x) / p`` if ``x == prev``; ``w(cur, x)`` if the arc ``x -> prev``
    exists; ``w(cur, x) / q`` otherwise; then normalised.
    """
    nbrs, w = out_neighbors(graph, cur)
    if not weighted:
        w = np.ones_like(w)
    unnorm = {}
    for x, wx in zip(nbrs.tolist(), w.tolist(), strict=True):
        if x == prev:
            unnorm[x] = wx / p
        elif has_arc(graph, x, prev):
            unnorm[x] = wx
        else:
            unnorm[x] = wx / q
    total = sum(unnorm.values())
    return {x: v / total for x, v in unnorm.items()}


def walk_is_valid(graph, walk) -> bool:
    """Whether every consecutive pair of ``walk`` (node indices, no padding) is an arc."""
    return all(has_arc(graph, int(a), int(b)) for a, b in zip(walk[:-1], walk[1:], strict=True))
