"""numba kernels for the evaluators (edge splits).

Kernels import nothing of graphemb; validation and allocation happen in
:mod:`graphemb.evaluation.link_prediction` before the call.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["spanning_forest_mask"]


@njit(cache=True, nogil=True)
def _find(parent, x):
    """Root of ``x`` in the union-find forest ``parent`` with path halving.

    Parameters
    ----------
    parent : ndarray of int64, shape (n,)
        Parent pointers, modified in place (path halving).
    x : int64
        Element in ``0..n-1``.

    Returns
    -------
    int64
        Root of ``x``.  Amortised O(log n) time, O(1) extra memory.
    """
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


@njit(cache=True, nogil=True)
def spanning_forest_mask(src, dst, parent, out):
    """Mark the edges of a spanning forest chosen greedily in the given edge order.

    Kruskal's algorithm without weights: edges are scanned in array order and
    an edge is kept when it joins two different components.  Passing the edges
    in a random order gives a random spanning forest whose components are
    exactly the (weakly) connected components of the edge set.

    Parameters
    ----------
    src, dst : ndarray of int64, shape (m,)
        Endpoints of the edges, in ``0..n-1``, in the order to scan.
    parent : ndarray of int64, shape (n,)
        Caller-allocated work buffer; overwritten (``parent[i] = i`` first).
    out : ndarray of bool, shape (m,)
        Caller-allocated output; ``out[e]`` is set True when edge ``e`` is in
        the forest, False otherwise.

    Returns
    -------
    int64
        Number of forest edges (``n`` minus the number of components, counting
        only nodes that appear in some edge as joined).

    Notes
    -----
    Time O(n + m * alpha(n)) (path halving plus union by index), memory O(1)
    beyond the buffers.
    """
    n = parent.shape[0]
    for i in range(n):
        parent[i] = i
    kept = 0
    for e in range(src.shape[0]):
        a = _find(parent, src[e])
        b = _find(parent, dst[e])
        if a == b:
            out[e] = False
        else:
            if a < b:
                parent[b] = a
            else:
                parent[a] = b
            out[e] = True
            kept += 1
    return np.int64(kept)
