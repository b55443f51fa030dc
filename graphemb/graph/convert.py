"""Conversions between :class:`~graphemb.graph.csr.CSRGraph` and networkx / edge arrays.

Every input path (networkx graphs here, edge-list files and DataFrames in
:mod:`graphemb.graph.io`) ends in :func:`from_edge_arrays`, which applies the
one policy for self-loops, duplicate edges and weights (see docs/graph-input.md)
and builds the CSR arrays with vectorised numpy (no Python loop per edge).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numba
import numpy as np

from .._validation import check_choice
from . import _kernels
from .csr import CSRGraph, first_bad_weight, register_entry_point

__all__ = ["from_networkx", "to_networkx", "from_edge_arrays", "DUPLICATES", "SELF_LOOPS", "ZERO_WEIGHTS"]

#: Accepted values of the ``duplicates`` option.
DUPLICATES = ("merge", "sum", "error")
#: Accepted values of the ``self_loops`` option.
SELF_LOOPS = ("keep", "drop")
#: Accepted values of the ``zero_weights`` option.
ZERO_WEIGHTS = ("error", "drop")

_MISSING = object()
_FLOAT32_MAX = float(np.finfo(np.float32).max)
_FLOAT32_TINY = float(np.finfo(np.float32).smallest_subnormal)


# --------------------------------------------------------------------- ids
def order_ids(codes: np.ndarray, uniques: np.ndarray) -> tuple[np.ndarray, list]:
    """Sort factorized ids when they are all ints or all strings.

    Parameters
    ----------
    codes : ndarray of int64, shape (k,)
        Index of each occurrence into ``uniques`` (as from ``pandas.factorize``).
    uniques : ndarray of object, shape (n,)
        Distinct ids in order of first appearance.

    Returns
    -------
    codes : ndarray of int64, shape (k,)
        Codes into the returned node list.
    nodes : list
        Distinct ids: ascending when every id is an int (numpy ints become
        Python ints) or every id is a str; otherwise in order of first
        appearance (mixed or other types, e.g. tuples).
    """
    n = len(uniques)
    kinds = set()
    for x in uniques:
        if isinstance(x, str):
            kinds.add(str)
        elif isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_)):
            kinds.add(int)
        else:
            kinds.add(object)
        if len(kinds) > 1:
            break
    if len(kinds) == 1 and object not in kinds:
        if int in kinds:
            uniques = np.array([int(x) for x in uniques], dtype=object)
        order = np.argsort(uniques, kind="stable")
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n, dtype=np.int64)
        return rank[codes], uniques[order].tolist()
    return np.asarray(codes, dtype=np.int64), list(uniques)


# ------------------------------------------------------------ edge arrays
def from_edge_arrays(
    src: np.ndarray,
    dst: np.ndarray,
    weights: np.ndarray | None,
    nodes: Sequence[Hashable],
    *,
    directed: bool = False,
    duplicates: str = "merge",
    self_loops: str = "keep",
    zero_weights: str = "error",
    describe: Callable[[list[int]], list[str]] | None = None,
    owner: str = "from_edge_arrays",
) -> CSRGraph:
    """Build a :class:`CSRGraph` from arrays of edge endpoints (row indices).

    Parameters
    ----------
    src, dst : array of int, shape (k,)
        Endpoint row indices in ``0..len(nodes)-1``; edge ``i`` is
        ``src[i] -> dst[i]`` (an undirected edge when ``directed=False``).
    weights : array of float, shape (k,), optional
        Edge weights; None for an unweighted graph.
    nodes : sequence of hashable, length n
        Original node ids; isolated nodes are simply ids no edge uses.
    directed : bool, default False
        Keep arcs as given (True) or store each edge in both rows (False).
    duplicates : {'merge', 'sum', 'error'}, default 'merge'
        What to do with an edge given more than once (for undirected graphs
        ``(u, v)`` and ``(v, u)`` are the same edge). ``'merge'`` keeps one copy
        and raises if the copies carry different weights; ``'sum'`` adds the
        weights (an unweighted input then becomes weighted, with each edge's
        multiplicity as its weight, if any edge repeats); ``'error'`` raises.
    self_loops : {'keep', 'drop'}, default 'keep'
        Keep self-loops (stored once, in their own row) or drop them.
    zero_weights : {'error', 'drop'}, default 'error'
        Raise on a zero weight, or drop such edges (their endpoints stay).
    describe : callable, optional
        ``describe(rows) -> list[str]`` names input rows in error messages
        (e.g. ``"edges.tsv:12 '3 4 -1'"``); defaults to ``"edge i"``.
    owner : str
        Name of the public function, for error messages.

    Returns
    -------
    CSRGraph
        Rows in the order of ``nodes`` (or of first appearance), duplicates merged.

    Raises
    ------
    ValueError
        Non-finite, negative or (by default) zero weights, conflicting
        duplicates, out-of-range indices or an empty node list; the message
        names the offending input row through ``describe``.

    Notes
    -----
    Time O(k log k) (one sort for duplicates, one for row order); extra memory
    about 40 bytes per input edge on top of the result.  Unweighted edges with
    ``duplicates='merge'`` (the default) take a numba counting sort instead
    (:func:`graphemb.graph._kernels.build_csr_unweighted`): O(k + n) plus the
    per-row sorts, in parallel, to the same arrays.
    """
    check_choice(duplicates, "duplicates", DUPLICATES, owner)
    check_choice(self_loops, "self_loops", SELF_LOOPS, owner)
    check_choice(zero_weights, "zero_weights", ZERO_WEIGHTS, owner)
    if describe is None:

        def describe(rows: list[int]) -> list[str]:
            return [f"edge {r}" for r in rows]

    nodes = list(nodes)
    n = len(nodes)
    if n == 0:
        raise ValueError(f"The graph given to {owner} is empty: it has no nodes. Give at least one edge or node.")
    src, dst = np.asarray(src).ravel(), np.asarray(dst).ravel()
    if not (src.dtype == dst.dtype and src.dtype in (np.int32, np.int64)):  # int32 rows stay int32 (no copy)
        src, dst = src.astype(np.int64), dst.astype(np.int64)
    if src.shape != dst.shape:
        raise ValueError(f"src and dst must have the same length; got {src.size} and {dst.size}.")
    k = src.size
    if k and (min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= n):
        raise ValueError(f"Edge endpoints must be row indices in [0, {n - 1}].")
    if weights is None and duplicates == "merge" and n <= 2**31:  # the common case: one counting sort
        chunks = max(1, min(numba.get_num_threads(), k // 100_000 + 1))
        indptr, cols, loops = _kernels.build_csr_unweighted(src, dst, n, not directed, self_loops == "drop", chunks)
        num_edges = int(cols.size) if directed else int((cols.size - loops) // 2 + loops)
        return CSRGraph._from_checked_arrays(indptr, cols, nodes, directed, num_edges)
    src, dst = src.astype(np.int64, copy=False), dst.astype(np.int64, copy=False)
    row_id = np.arange(k, dtype=np.int32 if k < 2**31 else np.int64)  # input row of each edge, for messages
    w = None
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64).ravel()
        if w.size != k:
            raise ValueError(f"weights must have {k} entries to match the edges; got {w.size}.")
        _check_weight_values(w, row_id, describe, zero_weights)
        if zero_weights == "drop":
            keep = w != 0
            src, dst, w, row_id = src[keep], dst[keep], w[keep], row_id[keep]
    if self_loops == "drop":
        keep = src != dst
        src, dst, row_id = src[keep], dst[keep], row_id[keep]
        if w is not None:
            w = w[keep]
    if directed:
        a, b = src, dst
    else:
        a, b = np.minimum(src, dst), np.maximum(src, dst)
    # group identical edges; stable so each group starts with its earliest row
    if n <= 2**31:
        order = np.argsort(a * n + b, kind="stable")
    else:
        order = np.lexsort((b, a))
    a, b, row_id = a[order], b[order], row_id[order]
    if w is not None:
        w = w[order]
    if a.size:
        start = np.ones(a.size, dtype=bool)
        start[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
        if not np.all(start):
            starts = np.flatnonzero(start)
            group_first = np.repeat(starts, np.diff(np.append(starts, a.size)))
            dup = ~start
            if duplicates == "error":
                _raise_duplicate(dup, group_first, row_id, a, b, w, nodes, describe, directed, conflict=False)
            if duplicates == "sum":
                w = np.add.reduceat(w if w is not None else np.ones(a.size, dtype=np.float64), starts)
            elif w is not None:  # merge: copies must agree
                conflict = dup & (w != w[group_first])
                if np.any(conflict):
                    _raise_duplicate(conflict, group_first, row_id, a, b, w, nodes, describe, directed, True)
                w = w[starts]
            a, b, row_id = a[starts], b[starts], row_id[starts]
    if w is not None:
        big = w > _FLOAT32_MAX
        small = w < _FLOAT32_TINY / 2
        if np.any(big | small):
            i = int(np.flatnonzero(big | small)[0])
            (d,) = describe([int(row_id[i])])
            raise ValueError(
                f"{d}: the weight {float(w[i])!r} does not fit in float32 (graph weights are float32); "
                "rescale the weights."
            )
    num_edges = a.size
    idx_dtype = np.int32 if n <= 2**31 else np.int64
    if directed:
        cols, data = b.astype(idx_dtype), w  # already sorted by (row, col)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(a, minlength=n), out=indptr[1:])
    else:
        indptr, cols, data = _symmetric_rows(a, b, w, n, idx_dtype)
    del a, b, row_id
    graph = CSRGraph(indptr, cols, data, nodes=nodes, directed=directed)
    if graph.num_edges != num_edges:  # pragma: no cover - internal consistency check
        raise RuntimeError(f"CSR build lost edges: expected {num_edges}, got {graph.num_edges}.")
    return graph


def _symmetric_rows(
    a: np.ndarray, b: np.ndarray, w: np.ndarray | None, n: int, idx_dtype: type
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """CSR rows of an undirected graph from its unique edges ``a <= b`` sorted by ``(a, b)``.

    Row ``u`` is ``[v < u with (v, u) an edge]`` followed by ``[v >= u with
    (u, v) an edge]``: the second part is the input order, the first needs one
    sort of the off-diagonal edges by ``(b, a)``. O(k log k) time, O(k) memory.
    """
    off = np.flatnonzero(a != b)
    lo_rows, lo_cols = b[off], a[off]
    order = np.argsort(lo_rows * n + lo_cols) if n <= 2**31 else np.lexsort((lo_cols, lo_rows))
    lo_rows, lo_cols = lo_rows[order], lo_cols[order]
    up_cnt = np.bincount(a, minlength=n)
    lo_cnt = np.bincount(lo_rows, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(up_cnt + lo_cnt, out=indptr[1:])
    # position = row start + (lower count for upper entries) + rank within its run of the row
    up_first = np.cumsum(up_cnt) - up_cnt  # index in the upper list where row u begins
    lo_first = np.cumsum(lo_cnt) - lo_cnt
    up_pos = indptr[a] + lo_cnt[a] + (np.arange(a.size) - up_first[a])
    lo_pos = indptr[lo_rows] + (np.arange(lo_rows.size) - lo_first[lo_rows])
    cols = np.empty(indptr[-1], dtype=idx_dtype)
    cols[up_pos] = b
    cols[lo_pos] = lo_cols
    data = None
    if w is not None:
        data = np.empty(indptr[-1], dtype=np.float32)
        data[up_pos] = w
        data[lo_pos] = w[off][order]
    return indptr, cols, data


def _check_weight_values(
    w: np.ndarray, row_id: np.ndarray, describe: Callable[[list[int]], list[str]], zero_weights: str
) -> None:
    found = first_bad_weight(w, allow_zero=zero_weights != "error")
    if found is None:
        return
    i, kind = found
    (d,) = describe([int(row_id[i])])
    raise ValueError(
        {
            "non-finite": f"{d}: the edge weight is {float(w[i])!r}; weights must be finite and positive numbers.",
            "negative": f"{d}: the edge weight {float(w[i])!r} is negative; weights must be positive "
            "(rescale similarities to positive values, or remove the edge).",
            "zero": f"{d}: the edge weight is 0; weights must be positive. "
            "Pass zero_weights='drop' to drop zero-weight edges (their endpoints are kept).",
        }[kind]
    )


def _raise_duplicate(
    mask: np.ndarray,
    group_first: np.ndarray,
    row_id: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    w: np.ndarray | None,
    nodes: list,
    describe: Callable[[list[int]], list[str]],
    directed: bool,
    conflict: bool,
) -> None:
    cand = np.flatnonzero(mask)
    i = int(cand[np.argmin(row_id[cand])])  # earliest offending input row
    j = int(group_first[i])
    d1, d2 = describe([int(row_id[j]), int(row_id[i])])
    kind = "arc" if directed else "undirected edge"
    name = f"{nodes[a[i]]!r} -> {nodes[b[i]]!r}" if directed else f"{nodes[a[i]]!r} -- {nodes[b[i]]!r}"
    if conflict:
        raise ValueError(
            f"The {kind} {name} is given twice with different weights: {d1} (weight {float(w[j])!r}) and "
            f"{d2} (weight {float(w[i])!r}). Remove one of them, or pass duplicates='sum' to add the weights."
        )
    raise ValueError(
        f"The {kind} {name} is given twice: {d1} and {d2}. Pass duplicates='merge' to keep one copy "
        "or duplicates='sum' to add the weights."
    )


# ---------------------------------------------------------------- networkx
def from_networkx(graph: Any, weight: str | None = "weight", zero_weights: str = "error") -> CSRGraph:
    """Build a :class:`CSRGraph` from a networkx graph.

    Parameters
    ----------
    graph : networkx.Graph, DiGraph, MultiGraph or MultiDiGraph
        Any hashable node ids; ``graph.nodes`` order becomes row order and
        every node, isolated ones included, is kept.
    weight : str or None, default 'weight'
        Edge attribute holding the weight; None ignores attributes
        (unweighted). With the default ``'weight'``, a graph whose edges carry
        no such attribute is simply unweighted; any other name that no edge
        carries is an error, as is a graph where only some edges carry it.
    zero_weights : {'error', 'drop'}, default 'error'
        Raise on an edge of weight 0, or drop it (its endpoints stay).

    Returns
    -------
    CSRGraph
        Directed when ``graph.is_directed()``. Parallel edges of a multigraph
        are merged into one edge whose weight is the sum of theirs (their
        count when unweighted); self-loops are kept.

    Raises
    ------
    TypeError
        If ``graph`` is not a networkx graph.
    ValueError
        Empty graph; unknown or partly missing weight attribute; a weight that
        is not a real number, not finite, negative or zero (the message names
        the edge ``(u, v)`` and the attribute).

    Examples
    --------
    >>> import networkx as nx
    >>> g = from_networkx(nx.path_graph(["a", "b", "c"]))
    >>> g.nodes, g.indptr.tolist(), g.indices.tolist()
    (['a', 'b', 'c'], [0, 1, 3, 4], [1, 0, 2, 1])
    """
    import networkx as nx

    if not isinstance(graph, nx.Graph):
        raise TypeError(
            f"from_networkx expects a networkx Graph, DiGraph, MultiGraph or MultiDiGraph; got {type(graph).__name__}."
        )
    if weight is not None and not isinstance(weight, str):
        raise ValueError(f"The 'weight' parameter of from_networkx must be a str or None. Got {weight!r} instead.")
    check_choice(zero_weights, "zero_weights", ZERO_WEIGHTS, "from_networkx")
    nodes = list(graph.nodes)
    if not nodes:
        raise ValueError("The networkx graph given to from_networkx is empty: it has no nodes.")
    index = {v: i for i, v in enumerate(nodes)}
    directed = graph.is_directed()
    multi = graph.is_multigraph()
    if weight is None:
        edges = list(graph.edges())
        values = None
    else:
        triples = list(graph.edges(data=weight, default=_MISSING))
        edges = [(u, v) for u, v, _ in triples]
        values = [x for _, _, x in triples]
        missing = [i for i, x in enumerate(values) if x is _MISSING]
        if len(missing) == len(values):
            if weight != "weight" and values:
                seen = sorted({str(key) for _, _, dd in graph.edges(data=True) for key in dd})
                raise ValueError(
                    f"No edge of the graph carries the weight attribute {weight!r} (edge attributes present: "
                    f"{seen}). Pass the right name, or weight=None for an unweighted graph."
                )
            values = None
        elif missing:
            u, v = edges[missing[0]]
            raise ValueError(
                f"Edge ({u!r}, {v!r}) has no {weight!r} attribute while other edges do: {len(missing)} of "
                f"{len(values)} edges lack it. Give every edge a weight, or pass weight=None to ignore weights."
            )
        else:
            for i, x in enumerate(values):
                if type(x) is not float and (not isinstance(x, numbers.Real) or isinstance(x, (bool, np.bool_))):
                    u, v = edges[i]
                    raise ValueError(
                        f"Edge ({u!r}, {v!r}) has {weight!r} attribute {x!r} of type {type(x).__name__}; "
                        "weights must be real numbers."
                    )
    k = len(edges)
    src = np.fromiter((index[u] for u, _ in edges), dtype=np.int64, count=k)
    dst = np.fromiter((index[v] for _, v in edges), dtype=np.int64, count=k)
    w = None if values is None else np.fromiter(values, dtype=np.float64, count=k)

    def describe(rows: list[int]) -> list[str]:
        out = []
        for r in rows:
            u, v = edges[r]
            out.append(f"edge ({u!r}, {v!r})" + ("" if weight is None or values is None else f" attribute {weight!r}"))
        return out

    return from_edge_arrays(
        src,
        dst,
        w,
        nodes,
        directed=directed,
        duplicates="sum" if multi else "error",
        zero_weights=zero_weights,
        describe=describe,
        owner="from_networkx",
    )


def to_networkx(graph: CSRGraph) -> Any:
    """Convert a :class:`CSRGraph` to a networkx ``Graph`` or ``DiGraph``.

    Parameters
    ----------
    graph : CSRGraph

    Returns
    -------
    networkx.Graph or networkx.DiGraph
        Nodes in row order under their original ids (isolated nodes
        included); weights, if any, under the ``'weight'`` edge attribute as
        Python floats of the stored float32 values.
    """
    import networkx as nx

    n = graph.num_nodes
    g = nx.DiGraph() if graph.directed else nx.Graph()
    g.add_nodes_from(graph.nodes)
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(graph.indptr))
    cols = np.asarray(graph.indices, dtype=np.int64)
    w = graph.weights
    if not graph.directed:
        keep = rows <= cols
        rows, cols = rows[keep], cols[keep]
        if w is not None:
            w = w[keep]
    ids = np.fromiter(graph.nodes, dtype=object, count=n)
    us, vs = ids[rows].tolist(), ids[cols].tolist()
    if w is None:
        g.add_edges_from(zip(us, vs, strict=True))
    else:
        g.add_weighted_edges_from(zip(us, vs, w.tolist(), strict=True))
    return g


register_entry_point("from_networkx", from_networkx)
register_entry_point("to_networkx", to_networkx)
