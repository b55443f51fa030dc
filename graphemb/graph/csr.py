"""``CSRGraph``: the immutable compressed-sparse-row graph every walk kernel reads.

Layout
------
``indptr``  int64[n + 1]; row ``u`` holds out-neighbours ``indices[indptr[u]:indptr[u+1]]``
``indices`` int32[m] (int64 when ``n >= 2**31``), sorted ascending within each row,
            no duplicates within a row
``weights`` float32[m] aligned with ``indices``, or None for an unweighted graph
``nodes``   original node ids (any hashable) in index order

Undirected graphs store each edge in both rows (a self-loop once, in its own
row); directed graphs store each arc in its source row only.  Sorted rows give
O(log d) edge look-ups (``has_edge``), which node2vec's second-order step needs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["CSRGraph"]

_INT32_MAX = np.iinfo(np.int32).max


class CSRGraph:
    """Immutable graph in compressed sparse row form with original node ids.

    Parameters
    ----------
    indptr : array of int, shape (n + 1,)
        Row pointers; ``indptr[0] == 0`` and non-decreasing.
    indices : array of int, shape (m,)
        Column (neighbour) indices in ``0..n-1``.  Rows need not be sorted on
        input: they are sorted here.  Duplicate entries within a row are refused.
    weights : array of float, shape (m,), optional
        Positive finite edge weights aligned with ``indices``; None for an
        unweighted graph.
    nodes : sequence of hashable, optional
        Original node ids in index order; defaults to ``range(n)``.
    directed : bool, default False
        Whether rows hold out-arcs only.  An undirected graph must be symmetric
        (same pattern and weights both ways); this is checked.

    Attributes
    ----------
    nodes : list
        Original node ids, ``nodes[i]`` is the id of row ``i``.
    num_nodes : int
    num_edges : int
        Arcs for a directed graph; edges (each counted once, self-loops once)
        for an undirected graph.
    directed : bool
    indptr : ndarray of int64
    indices : ndarray of int32 (int64 when n >= 2**31)
    weights : ndarray of float32 or None

    Notes
    -----
    Build graphs with :meth:`from_networkx`, :meth:`from_scipy` or
    :meth:`from_edgelist`; this constructor is the low-level path they share.
    Memory: ``8 (n + 1) + 4 m`` bytes, plus ``4 m`` for weights.
    """

    __slots__ = ("_nodes", "indptr", "indices", "weights", "directed", "_index", "_num_edges", "_fingerprint")

    def __init__(
        self,
        indptr: np.ndarray,
        indices: np.ndarray,
        weights: np.ndarray | None = None,
        nodes: Sequence[Hashable] | None = None,
        directed: bool = False,
    ) -> None:
        indptr = np.ascontiguousarray(indptr, dtype=np.int64)
        if indptr.ndim != 1 or indptr.size < 1:
            raise ValueError("indptr must be a 1-D array of length num_nodes + 1.")
        n = indptr.size - 1
        if n == 0:
            raise ValueError("The graph is empty: it has no nodes.")
        if indptr[0] != 0 or np.any(np.diff(indptr) < 0):
            raise ValueError("indptr must start at 0 and be non-decreasing.")
        indices = np.asarray(indices)
        if indices.ndim != 1 or indices.size != indptr[-1]:
            raise ValueError(f"indices must be 1-D with indptr[-1] = {indptr[-1]} entries; got shape {indices.shape}.")
        if indices.size and not np.issubdtype(indices.dtype, np.integer):
            raise ValueError(f"indices must be integers; got dtype {indices.dtype}.")
        if indices.size and (indices.min() < 0 or indices.max() >= n):
            raise ValueError(f"indices must lie in [0, {n - 1}].")
        index_dtype = np.int32 if n - 1 <= _INT32_MAX else np.int64
        indices = np.array(indices, dtype=index_dtype)  # own copy, sorted below
        if weights is not None:
            weights = np.array(weights, dtype=np.float64).ravel()
            if weights.size != indices.size:
                raise ValueError(f"weights must have {indices.size} entries to match indices; got {weights.size}.")
            _check_weights(weights)
            weights = weights.astype(np.float32)
            check_float32_weights(weights, "Edge weights")
        row = np.repeat(np.arange(n, dtype=index_dtype), np.diff(indptr))
        indices, weights = _sort_rows(row, indices, weights)
        if indices.size:
            dup = (indices[1:] == indices[:-1]) & (row[1:] == row[:-1])
            if np.any(dup):
                k = int(np.flatnonzero(dup)[0])
                raise ValueError(
                    f"Duplicate entry ({row[k]}, {indices[k]}) in a CSR row; "
                    "merge multi-edges before building the graph."
                )
        if nodes is None:
            nodes = list(range(n))
        else:
            nodes = list(nodes)
            if len(nodes) != n:
                raise ValueError(f"nodes has {len(nodes)} ids but the graph has {n} rows.")
        directed = bool(directed)
        for a in (indptr, indices):
            a.flags.writeable = False
        if weights is not None:
            weights.flags.writeable = False
        self._nodes = nodes
        self.indptr = indptr
        self.indices = indices
        self.weights = weights
        self.directed = directed
        self._index: dict[Hashable, int] | None = None
        self._fingerprint: str | None = None
        if directed:
            self._num_edges = int(indices.size)
        else:
            if indices.size:
                _check_symmetric(indptr, indices, weights, n)
            loops = int(np.count_nonzero(row == indices))
            self._num_edges = int((indices.size - loops) // 2 + loops)

    @classmethod
    def _from_checked_arrays(
        cls, indptr: np.ndarray, indices: np.ndarray, nodes: list, directed: bool, num_edges: int
    ) -> CSRGraph:
        """Wrap unweighted CSR arrays a builder has already made valid (rows sorted, no duplicates,
        symmetric when undirected), skipping the constructor's O(m) checks and copies.

        For :func:`graphemb.graph.convert.from_edge_arrays` only; ``nodes`` must have
        ``len(indptr) - 1`` ids.
        """
        graph = cls.__new__(cls)
        indptr = np.ascontiguousarray(indptr, dtype=np.int64)
        indices = np.ascontiguousarray(indices)
        for a in (indptr, indices):
            a.flags.writeable = False
        graph._nodes = nodes
        graph.indptr = indptr
        graph.indices = indices
        graph.weights = None
        graph.directed = bool(directed)
        graph._index = None
        graph._fingerprint = None
        graph._num_edges = int(num_edges)
        return graph

    # ------------------------------------------------------------ properties
    @property
    def nodes(self) -> list:
        """Original node ids in index order (row ``i`` is ``nodes[i]``)."""
        return self._nodes

    @property
    def num_nodes(self) -> int:
        """Number of nodes, isolated ones included."""
        return int(self.indptr.size - 1)

    @property
    def num_edges(self) -> int:
        """Number of arcs (directed) or edges counted once (undirected)."""
        return self._num_edges

    @property
    def weighted(self) -> bool:
        """True when the graph carries edge weights."""
        return self.weights is not None

    @property
    def degrees(self) -> np.ndarray:
        """Out-degree of each node (row lengths), int64."""
        return np.diff(self.indptr)

    def fingerprint(self) -> str:
        """SHA-256 of the graph's structure: ``'sha256:<64 hex digits>'``.

        The hash covers, in this order: the ASCII tag ``b"graphemb-csr-v1"``;
        ``num_nodes`` as little-endian int64; ``directed`` as one byte (0/1);
        whether the graph is weighted as one byte (0/1); the bytes of ``indptr``
        (little-endian int64), of ``indices`` (little-endian int32, int64 when
        ``num_nodes >= 2**31``) and of ``weights`` (little-endian float32;
        nothing when unweighted).  Original node ids are *not* part of it: two
        graphs with the same structure but other ids have the same fingerprint.
        Walk shards record it to refuse training on another graph's walks
        (docs/shards.md).

        Returns
        -------
        str

        Notes
        -----
        O(n + m) time, computed once and cached (the arrays are read-only);
        no copy when the arrays are already little-endian (about 1 s per GB).
        """
        if self._fingerprint is None:
            h = hashlib.sha256(b"graphemb-csr-v1")
            h.update(np.int64(self.num_nodes).astype("<i8").tobytes())
            h.update(bytes([int(self.directed), int(self.weighted)]))
            index_dtype = "<i4" if self.indices.dtype == np.int32 else "<i8"
            arrays = [
                np.ascontiguousarray(self.indptr, dtype="<i8"),
                np.ascontiguousarray(self.indices, dtype=index_dtype),
            ]
            if self.weights is not None:
                arrays.append(np.ascontiguousarray(self.weights, dtype="<f4"))
            for a in arrays:
                h.update(memoryview(a).cast("B"))
            self._fingerprint = "sha256:" + h.hexdigest()
        return self._fingerprint

    def __repr__(self) -> str:
        kind = "directed" if self.directed else "undirected"
        w = "weighted" if self.weighted else "unweighted"
        return f"CSRGraph({self.num_nodes} nodes, {self.num_edges} edges, {kind}, {w})"

    def __len__(self) -> int:
        return self.num_nodes

    # ------------------------------------------------------------- node ids
    def index_of(self, node: Hashable) -> int:
        """Row index of an original node id.

        Raises
        ------
        KeyError
            If ``node`` is not in the graph (the message names it).
        """
        if self._index is None:
            self._index = {v: i for i, v in enumerate(self._nodes)}
        try:
            return self._index[node]
        except (KeyError, TypeError):
            raise KeyError(f"node {node!r} is not in the graph") from None

    def indices_of(self, nodes: Sequence[Hashable]) -> np.ndarray:
        """Row indices (int64) of several original node ids; KeyError names the first unknown."""
        return np.fromiter((self.index_of(v) for v in nodes), dtype=np.int64, count=len(nodes))

    def neighbors(self, node: Hashable) -> list:
        """Original ids of the out-neighbours of ``node``, in index order."""
        i = self.index_of(node)
        return [self._nodes[j] for j in self.indices[self.indptr[i] : self.indptr[i + 1]].tolist()]

    def has_edge(self, u: Hashable, v: Hashable) -> bool:
        """Whether the arc ``u -> v`` exists (either direction for undirected graphs).  O(log d)."""
        i, j = self.index_of(u), self.index_of(v)
        row = self.indices[self.indptr[i] : self.indptr[i + 1]]
        k = np.searchsorted(row, j)
        return bool(k < row.size and row[k] == j)

    # --------------------------------------------------------- constructors
    @classmethod
    def from_scipy(
        cls,
        matrix: Any,
        directed: bool | None = None,
        nodes: Sequence[Hashable] | None = None,
        weighted: bool | None = None,
    ) -> CSRGraph:
        """Build a graph from a square scipy sparse (or dense numpy) adjacency matrix.

        Parameters
        ----------
        matrix : scipy.sparse matrix/array or ndarray, shape (n, n)
            ``matrix[u, v]`` is the weight of arc ``u -> v``; explicit zeros are
            dropped, duplicate entries summed.
        directed : bool, optional
            If False, the matrix must be symmetric.  If None, the graph is
            undirected when the matrix is symmetric and directed otherwise.
        nodes : sequence of hashable, optional
            Node ids for rows; default ``range(n)``.
        weighted : bool, optional
            Keep the values as weights.  None keeps them unless every stored
            value is 1.

        Returns
        -------
        CSRGraph
            Row ``i`` is node ``nodes[i]``; the matrix's stored entries are the arcs.

        Raises
        ------
        ValueError
            Non-square matrix, non-finite or negative values, or
            ``directed=False`` with an asymmetric matrix.
        """
        if sp.issparse(matrix):
            a = sp.csr_array(matrix, dtype=np.float64)
        else:
            arr = np.asarray(matrix, dtype=np.float64)
            if arr.ndim != 2:
                raise ValueError(f"adjacency matrix must be 2-D; got shape {arr.shape}.")
            a = sp.csr_array(arr)
        if a.shape[0] != a.shape[1]:
            raise ValueError(f"adjacency matrix must be square; got shape {a.shape}.")
        a.sum_duplicates()
        _check_weights(a.data, allow_zero=True)
        a.eliminate_zeros()
        a.sort_indices()
        symmetric = _is_symmetric(a)
        if directed is None:
            directed = not symmetric
        elif not directed and not symmetric:
            raise ValueError(
                "directed=False but the adjacency matrix is not symmetric; pass directed=True "
                "or symmetrise it (e.g. A.maximum(A.T))."
            )
        if weighted is None:
            weighted = bool(a.data.size) and not np.all(a.data == 1.0)
        return cls(
            a.indptr,
            a.indices,
            a.data if weighted else None,
            nodes=nodes,
            directed=directed,
        )

    @classmethod
    def from_networkx(cls, graph: Any, weight: str | None = "weight", zero_weights: str = "error") -> CSRGraph:
        """Build from a networkx graph (any hashable ids, multigraphs summed).

        Parameters
        ----------
        graph : networkx.Graph, DiGraph, MultiGraph or MultiDiGraph
        weight : str or None, default 'weight'
            Edge attribute holding weights; None for unweighted.
        zero_weights : {'error', 'drop'}, default 'error'

        Returns
        -------
        CSRGraph

        See Also
        --------
        graphemb.graph.convert.from_networkx : the full description of the policy.
        """
        return _entry_point("from_networkx")(graph, weight=weight, zero_weights=zero_weights)

    @classmethod
    def from_edgelist(
        cls,
        source: Any,
        weighted: bool | None = None,
        directed: bool = False,
        sep: str | None = None,
        comment: str | None = "#",
        **kwargs: Any,
    ) -> CSRGraph:
        """Build from an edge-list file (path) or a pandas DataFrame.

        Parameters
        ----------
        source : str, os.PathLike or pandas.DataFrame
        weighted : bool or None, default None
            None: weighted when there is a third (weight) column.
        directed : bool, default False
        sep : str or None, default None
            Field separator; None means any run of whitespace.
        comment : str or None, default '#'
        **kwargs
            ``header``, ``nodes``, ``node_type``, ``duplicates``, ``self_loops``,
            ``zero_weights``: see :func:`graphemb.graph.io.read_edgelist`.

        Returns
        -------
        CSRGraph

        See Also
        --------
        graphemb.graph.io.read_edgelist : the full description of the format and policy.
        """
        return _entry_point("read_edgelist")(
            source, weighted=weighted, directed=directed, sep=sep, comment=comment, **kwargs
        )

    # -------------------------------------------------------------- exports
    def to_scipy(self) -> sp.csr_array:
        """Adjacency as a ``scipy.sparse.csr_array`` (float32; ones when unweighted).

        Undirected graphs give a symmetric matrix.
        """
        data = self.weights if self.weights is not None else np.ones(self.indices.size, dtype=np.float32)
        n = self.num_nodes
        return sp.csr_array((data.copy(), self.indices.copy(), self.indptr.copy()), shape=(n, n))

    def to_networkx(self) -> Any:
        """Convert to a networkx ``Graph`` or ``DiGraph`` with the original node ids.

        Weights are stored under the ``"weight"`` edge attribute when present;
        isolated nodes are kept.
        """
        return _entry_point("to_networkx")(self)


# ------------------------------------------------------------------ entry points
# The graph package is a one-way stack: csr.py (the type) at the bottom,
# convert.py and io.py above it.  CSRGraph.from_networkx / from_edgelist /
# to_networkx are thin entry points to functions of those modules, which
# register themselves here when imported (graphemb/graph/__init__.py imports
# both), so csr.py never imports upwards.
_ENTRY_POINTS: dict[str, Any] = {}


def register_entry_point(name: str, func: Any) -> Any:
    """Make ``func`` the implementation of the CSRGraph entry point ``name``; returns ``func``."""
    _ENTRY_POINTS[name] = func
    return func


def _entry_point(name: str) -> Any:
    try:
        return _ENTRY_POINTS[name]
    except KeyError:  # only if graphemb.graph.__init__ was bypassed
        raise RuntimeError(
            f"CSRGraph entry point {name!r} is not registered: import graphemb.graph (or graphemb) first."
        ) from None


# ------------------------------------------------------------------ helpers
def first_bad_weight(w: np.ndarray, allow_zero: bool = False) -> tuple[int, str] | None:
    """The first entry of ``w`` that is not a valid edge weight and why (``"non-finite"``,
    ``"negative"``, ``"zero"``), or None: the one weight rule every graph builder applies."""
    for kind, bad in (("non-finite", lambda: ~np.isfinite(w)), ("negative", lambda: w < 0), ("zero", lambda: w == 0)):
        if kind == "zero" and allow_zero:
            break
        mask = bad()
        if np.any(mask):
            return int(np.flatnonzero(mask)[0]), kind
    return None


def check_float32_weights(w32: np.ndarray, what: str, advice: str = "rescale them") -> None:
    """Refuse weights that became 0 or inf in float32 (``what`` names them in the message)."""
    if w32.size and (not np.all(np.isfinite(w32)) or np.any(w32 <= 0)):
        raise ValueError(
            f"{what} must be finite and positive in float32 (some underflow to 0 or overflow to inf); {advice}."
        )


def _check_weights(w: np.ndarray, allow_zero: bool = False) -> None:
    found = first_bad_weight(w, allow_zero)
    if found is None:
        return
    k, kind = found
    if kind == "non-finite":
        raise ValueError(f"Edge weights must be finite; entry {k} is {w[k]!r}.")
    raise ValueError(
        f"Edge weights must be positive; entry {k} is {w[k]!r}. "
        "Drop zero-weight edges or rescale negative similarities before building the graph."
    )


def _sort_rows(row: np.ndarray, indices: np.ndarray, weights: np.ndarray | None):
    """Sort each CSR row by column (``row`` gives each entry's row); no-op when already sorted."""
    if indices.size == 0:
        return indices, weights
    # already sorted? (cheap check; lexsort otherwise)
    same_row = row[1:] == row[:-1]
    if not np.any(same_row & (indices[1:] < indices[:-1])):
        return indices, weights
    order = np.lexsort((indices, row))
    indices = indices[order]
    if weights is not None:
        weights = weights[order]
    return indices, weights


def _is_symmetric(a: sp.csr_array) -> bool:
    at = sp.csr_array(a.T)
    at.sort_indices()
    return (
        np.array_equal(a.indptr, at.indptr)
        and np.array_equal(a.indices, at.indices)
        and np.allclose(a.data, at.data, rtol=1e-6, atol=0.0)
    )


def _check_symmetric(indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray | None, n: int) -> None:
    data = weights if weights is not None else np.ones(indices.size, dtype=np.int8)  # 1 byte per entry
    a = sp.csr_array((data, indices, indptr), shape=(n, n))
    if not _is_symmetric(a):
        raise ValueError(
            "An undirected CSRGraph needs both directions of every edge with equal weights; "
            "the arrays given are not symmetric (pass directed=True for a directed graph)."
        )
