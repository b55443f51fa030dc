r"""Similarity graphs from feature vectors: k-nearest-neighbour, epsilon-ball, similarity matrix.

Turns an ``(n, f)`` array of features (flattened image pixels, or the
penultimate-layer features of any model) into a :class:`CSRGraph` that the walk
engine can embed.  Row ``i`` of the features becomes node ``nodes[i]``
(default ``i``).

Edge weights (one policy for the three builders)
------------------------------------------------
``weighting="similarity"``
    ``metric="cosine"``: the cosine similarity :math:`s_{ij} = 1 - d_{ij}`;
    other metrics: :math:`1 / (1 + d_{ij})`.
``weighting="gaussian"``
    The heat kernel :math:`\exp(-d_{ij}^2 / \sigma^2)`; ``sigma=None`` sets
    :math:`\sigma` to the median distance of the edges found (self-tuning).
``weighting=None``
    Unweighted graph.

A :class:`CSRGraph` refuses zero or negative weights, and a walk would never
take such an edge anyway, so every weight is clipped to ``[MIN_WEIGHT, 1]``:
a neighbour whose cosine similarity is zero or negative (or whose heat-kernel
weight underflows) keeps its edge with weight ``MIN_WEIGHT`` (1e-6), and the
number of such edges is logged as a warning.  Flooring instead of dropping
keeps the same edge set under every weighting (so degree bounds hold) and
leaves a node whose neighbours are all dissimilar connected, walking among
them uniformly.

Disconnected graphs
-------------------
Walks never cross components, so the embeddings of different components are
not placed relative to each other.  The builders log a warning with the
number of components (and isolated nodes) whenever there is more than one;
:func:`connected_components` returns the component of every node.

Exact and approximate neighbours
--------------------------------
Up to :data:`EXACT_MAX_NODES` rows, :func:`knn_graph` finds exact neighbours
with scikit-learn's ``NearestNeighbors`` (brute force for cosine, a k-d or
ball tree otherwise); above it, approximate neighbours with NN-descent
(``pynndescent``, the optional extra ``graphemb[ann]``), falling back to exact
search with a logged warning when pynndescent is not installed.
"""

from __future__ import annotations

import logging
import numbers
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._rng import normalize_seed
from .._validation import check_bool, check_choice, check_float, check_int
from .csr import CSRGraph, check_float32_weights

__all__ = [
    "EXACT_MAX_NODES",
    "MIN_WEIGHT",
    "KNN_METRICS",
    "WEIGHTINGS",
    "connected_components",
    "epsilon_graph",
    "from_similarity_matrix",
    "knn_graph",
]

logger = logging.getLogger(__name__)

#: Above this many rows ``knn_graph(exact=None)`` uses approximate neighbours (pynndescent).
EXACT_MAX_NODES = 20_000
#: Smallest edge weight: non-positive similarities and underflowing heat-kernel weights are floored to it.
MIN_WEIGHT = 1e-6
#: Distance metrics accepted by :func:`knn_graph` and :func:`epsilon_graph`.
KNN_METRICS = ("cosine", "euclidean", "manhattan")
#: Edge weightings accepted by :func:`knn_graph` and :func:`epsilon_graph`.
WEIGHTINGS = ("similarity", "gaussian", None)

# approximate search asks NN-descent for this many times k candidates, then keeps the exact best k
_ANN_OVERSAMPLE = 2
# feature entries checked at once for finiteness (bounds the boolean temporaries to 4 MiB)
_CHECK_ELEMENTS = 1 << 22
# pairs whose distances are recomputed at once (bounds the temporary (chunk, f) arrays)
_PAIR_CHUNK = 1 << 15


# --------------------------------------------------------------- validation
def _check_features(features: Any, owner: str, metric: str) -> np.ndarray:
    """Return the features as a C-contiguous float32/float64 (n, f) array, or raise."""
    if sp.issparse(features):
        raise TypeError(
            f"The 'features' parameter of {owner} must be a dense array; got a scipy sparse matrix. "
            "Pass features.toarray() (or build the graph from pairwise similarities with from_similarity_matrix)."
        )
    try:
        x = np.asarray(features)
    except (TypeError, ValueError) as exc:  # ragged lists
        raise ValueError(f"The 'features' parameter of {owner} must be a 2-D numeric array: {exc}") from None
    if x.dtype == object or not (np.issubdtype(x.dtype, np.number) or x.dtype == np.bool_):
        raise ValueError(f"The 'features' parameter of {owner} must be a 2-D numeric array. Got dtype {x.dtype}.")
    if x.ndim != 2:
        raise ValueError(
            f"The 'features' parameter of {owner} must be a 2-D array (n_samples, n_features). "
            f"Got shape {x.shape}; flatten images first, e.g. images.reshape(len(images), -1)."
        )
    n, f = x.shape
    if n < 2 or f < 1:
        raise ValueError(
            f"The 'features' parameter of {owner} needs at least 2 rows and 1 column. Got shape {x.shape}."
        )
    dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.float64  # ints (e.g. uint8 pixels) -> float64
    x = np.ascontiguousarray(x, dtype=dtype)
    block = max(1, _CHECK_ELEMENTS // f)  # bounded temporaries: check the rows in blocks
    for start in range(0, n, block):
        part = x[start : start + block]
        finite = np.isfinite(part)
        if not finite.all():
            r, c = (int(v[0]) for v in np.nonzero(~finite))
            count = int(np.count_nonzero(~np.isfinite(x).all(axis=1)))
            raise ValueError(
                f"The 'features' parameter of {owner} must be finite; row {start + r}, column {c} is "
                f"{float(part[r, c])!r} ({count} row(s) affected). Impute or drop those rows first."
            )
    if metric == "cosine":
        zero = np.concatenate([~np.any(x[s : s + block] != 0, axis=1) for s in range(0, n, block)])
        if zero.any():
            rows = np.flatnonzero(zero)
            raise ValueError(
                f"Row {int(rows[0])} of the 'features' parameter of {owner} is a zero vector "
                f"({rows.size} zero row(s) in all); the cosine similarity is undefined for it. "
                "Drop those rows, or use metric='euclidean'."
            )
    return x


def _check_nodes(nodes: Sequence[Hashable] | None, n: int, owner: str) -> list | None:
    if nodes is None:
        return None
    nodes = list(nodes)
    if len(nodes) != n:
        raise ValueError(
            f"The 'nodes' parameter of {owner} must hold one id per row of features ({n}). "
            f"Got {len(nodes)} ids instead."
        )
    if len(set(nodes)) != n:
        raise ValueError(f"The 'nodes' parameter of {owner} must hold distinct ids; some ids repeat.")
    return nodes


def _check_sigma(sigma: Any, owner: str) -> float | None:
    return None if sigma is None else check_float(sigma, "sigma", owner, minimum=0.0)


def _check_n_jobs(n_jobs: Any, owner: str) -> int | None:
    if n_jobs is None:
        return None
    ok = isinstance(n_jobs, numbers.Integral) and not isinstance(n_jobs, bool) and n_jobs != 0
    if not ok:
        raise ValueError(
            f"The 'n_jobs' parameter of {owner} must be None or a non-zero int (-1: all cores). Got {n_jobs!r} instead."
        )
    return int(n_jobs)


# --------------------------------------------------------------- neighbours
def _unit_rows(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm (no zero rows: validated before), same dtype."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / norms.astype(x.dtype, copy=False)


def _knn_exact(x: np.ndarray, k: int, metric: str, n_jobs: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Exact ``k`` nearest neighbours of every row, itself excluded (duplicates handled).

    Returns ``(ind int64 (n, k), dist float64 (n, k))``.  Cosine neighbours are
    searched as euclidean neighbours of the unit-normalised rows (same order,
    since ``|u - v|^2 = 2 (1 - cos)``), which runs scikit-learn's chunked,
    multi-threaded ``ArgKmin`` instead of materialising blocks of the distance
    matrix; their cosine distances are then recomputed exactly.  Time
    ``O(n^2 f)`` by brute force, about ``O(n log n f)`` with a tree in low
    dimension; memory ``O(n k)`` plus a copy of the features for cosine.
    """
    from sklearn.neighbors import NearestNeighbors

    search = "euclidean" if metric == "cosine" else metric
    data = _unit_rows(x) if metric == "cosine" else x
    nn = NearestNeighbors(n_neighbors=k, metric=search, n_jobs=n_jobs).fit(data)
    dist, ind = nn.kneighbors(None, n_neighbors=k, return_distance=True)  # None: the query point is excluded
    ind = ind.astype(np.int64, copy=False)
    if metric == "cosine":
        rows = np.repeat(np.arange(x.shape[0], dtype=np.int64), k)
        dist = _pair_distances(x, rows, ind.ravel(), metric).reshape(ind.shape)
    return ind, dist.astype(np.float64, copy=False)


def _knn_approx(
    x: np.ndarray, k: int, metric: str, seed: int, n_jobs: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Approximate neighbours with NN-descent; returns flat ``(rows, cols, dist)`` arcs.

    NN-descent is asked for ``_ANN_OVERSAMPLE * k`` candidates per row; their
    distances are recomputed exactly and the ``k`` closest kept (self excluded;
    fewer only where NN-descent found fewer).  Oversampling is what lifts the
    recall of the top ``k`` above 0.9 on hard (high intrinsic dimension) data.
    Time about ``O(n (2k)^2 f)`` per NN-descent iteration; memory ``O(n k)``
    plus the index.
    """
    from pynndescent import NNDescent

    n = x.shape[0]
    index = NNDescent(
        np.ascontiguousarray(x, dtype=np.float32),
        n_neighbors=min(n, _ANN_OVERSAMPLE * k + 1),
        metric=metric,
        random_state=seed,
        n_jobs=n_jobs if n_jobs is not None else 1,
        verbose=False,
    )
    ind, _ = index.neighbor_graph
    ind = np.asarray(ind, dtype=np.int64)
    row = np.broadcast_to(np.arange(n, dtype=np.int64)[:, None], ind.shape)
    valid = (ind >= 0) & (ind != row)
    by_id = np.argsort(ind, axis=1, kind="stable")  # a candidate listed twice counts once
    sorted_ids = np.take_along_axis(ind, by_id, axis=1)
    repeat = np.zeros(ind.shape, dtype=bool)
    repeat[:, 1:] = sorted_ids[:, 1:] == sorted_ids[:, :-1]
    np.put_along_axis(valid, by_id, np.take_along_axis(valid, by_id, axis=1) & ~repeat, axis=1)
    cand = np.where(valid, ind, row)
    dist = _pair_distances(x, row.ravel(), cand.ravel(), metric).reshape(ind.shape)
    dist[~valid] = np.inf
    order = np.argsort(dist, axis=1, kind="stable")[:, :k]
    dist = np.take_along_axis(dist, order, axis=1)
    cand = np.take_along_axis(cand, order, axis=1)
    keep = np.isfinite(dist)
    return row[:, :k][keep], cand[keep], dist[keep]


def _pair_distances(x: np.ndarray, rows: np.ndarray, cols: np.ndarray, metric: str) -> np.ndarray:
    """Distances ``d(x[rows[t]], x[cols[t]])`` in float64, in chunks of ``_PAIR_CHUNK`` pairs.

    Time ``O(len(rows) f)``; memory ``O(_PAIR_CHUNK f)`` temporaries.
    """
    out = np.empty(rows.size, dtype=np.float64)
    if metric == "cosine":
        norms = np.linalg.norm(x.astype(np.float64, copy=False), axis=1)
    for s in range(0, rows.size, _PAIR_CHUNK):
        a = x[rows[s : s + _PAIR_CHUNK]].astype(np.float64, copy=False)
        b = x[cols[s : s + _PAIR_CHUNK]].astype(np.float64, copy=False)
        if metric == "cosine":
            cos = np.einsum("ij,ij->i", a, b) / (norms[rows[s : s + _PAIR_CHUNK]] * norms[cols[s : s + _PAIR_CHUNK]])
            out[s : s + a.shape[0]] = 1.0 - cos
        elif metric == "euclidean":
            out[s : s + a.shape[0]] = np.sqrt(np.einsum("ij,ij->i", a - b, a - b))
        else:  # manhattan
            out[s : s + a.shape[0]] = np.abs(a - b).sum(axis=1)
    return out


# ------------------------------------------------------------------ weights
def _edge_weights(dist: np.ndarray, metric: str, weighting: str | None, sigma: float | None, owner: str) -> np.ndarray:
    """Weights in ``[MIN_WEIGHT, 1]`` (float64) from arc distances; see the module docstring."""
    if weighting is None:
        return np.ones(dist.size, dtype=np.float64)
    if weighting == "similarity":
        w = 1.0 - dist if metric == "cosine" else 1.0 / (1.0 + dist)
        what = "a non-positive cosine similarity" if metric == "cosine" else "a similarity below MIN_WEIGHT"
    else:
        if sigma is None:
            sigma = float(np.median(dist)) if dist.size else 1.0
            if sigma <= 0.0:  # more than half the arcs join duplicate points
                positive = dist[dist > 0]
                sigma = float(np.median(positive)) if positive.size else 1.0
            logger.info("%s: gaussian weighting with sigma = %.6g (median neighbour distance)", owner, sigma)
        w = np.exp(-np.square(dist / sigma))
        what = "a heat-kernel weight below MIN_WEIGHT"
    low = w < MIN_WEIGHT
    if low.any():
        logger.warning(
            "%s: %d of %d arcs have %s; their weight is floored to MIN_WEIGHT = %g (see graphemb.graph.knn).",
            owner, int(low.sum()), w.size, what, MIN_WEIGHT,
        )  # fmt: skip
    return np.clip(w, MIN_WEIGHT, 1.0)


def _build(
    rows: np.ndarray,
    cols: np.ndarray,
    w: np.ndarray,
    n: int,
    combine: str | None,
    weighted: bool,
    nodes: list | None,
    owner: str,
) -> CSRGraph:
    """CSRGraph from arcs (no self-arcs, weights > 0); ``combine``: 'union', 'mutual' or None (directed).

    Time ``O(m log m)`` for ``m`` arcs (sparse transpose and sort); memory ``O(n + m)``.
    """
    a = sp.csr_array((w, (rows, cols)), shape=(n, n))
    a.sum_duplicates()
    if combine == "union":
        a = a.maximum(a.T)
    elif combine == "mutual":
        a = a.minimum(a.T)  # an arc present one way only meets an implicit 0 and disappears
    a = sp.csr_array(a)
    a.eliminate_zeros()
    a.sort_indices()
    graph = CSRGraph(a.indptr, a.indices, a.data if weighted else None, nodes=nodes, directed=combine is None)
    _report_components(graph, owner)
    return graph


def _report_components(graph: CSRGraph, owner: str) -> None:
    count, labels = connected_components(graph)
    if count > 1:
        isolated = int(np.count_nonzero(graph.degrees == 0)) if not graph.directed else 0
        largest = int(np.bincount(labels).max())
        logger.warning(
            "%s: the graph has %d connected components (largest %d of %d nodes, %d isolated nodes); walks never "
            "cross components, so their embeddings are not placed relative to each other. Increase k (or the "
            "radius, or lower the threshold), or use mutual=False; graphemb.graph.connected_components(graph) "
            "gives each node's component.",
            owner, count, largest, graph.num_nodes, isolated,
        )  # fmt: skip


def connected_components(graph: CSRGraph) -> tuple[int, np.ndarray]:
    """Connected components of a graph (weakly connected for a directed graph).

    Parameters
    ----------
    graph : CSRGraph

    Returns
    -------
    n_components : int
    labels : ndarray of int32, shape (n,)
        Component of each node, by row index (row ``i`` is ``graph.nodes[i]``);
        components are numbered from 0 in order of their smallest row.

    Notes
    -----
    Time and memory ``O(n + m)`` (``scipy.sparse.csgraph``).

    Examples
    --------
    >>> import numpy as np
    >>> from graphemb.graph import connected_components, knn_graph
    >>> x = np.array([[0.0], [0.1], [10.0], [10.1]])
    >>> connected_components(knn_graph(x, k=1, metric="euclidean"))
    (2, array([0, 0, 1, 1], dtype=int32))
    """
    from scipy.sparse.csgraph import connected_components as _cc

    if not isinstance(graph, CSRGraph):
        raise TypeError(f"connected_components expects a CSRGraph. Got {type(graph).__name__} instead.")
    n = graph.num_nodes
    a = sp.csr_array((np.ones(graph.indices.size, dtype=np.int8), graph.indices, graph.indptr), shape=(n, n))
    count, labels = _cc(a, directed=graph.directed, connection="weak")
    return int(count), labels.astype(np.int32, copy=False)


# ----------------------------------------------------------------- builders
def knn_graph(
    features: Any,
    k: int = 10,
    metric: str = "cosine",
    mutual: bool = False,
    weighting: str | None = "similarity",
    sigma: float | None = None,
    exact: bool | None = None,
    nodes: Sequence[Hashable] | None = None,
    directed: bool = False,
    seed: int | None = None,
    n_jobs: int | None = None,
) -> CSRGraph:
    r"""k-nearest-neighbour graph of the rows of a feature matrix.

    Each row is joined to its ``k`` nearest other rows under ``metric``.  The
    undirected graph keeps an edge ``{i, j}`` when ``j`` is among the
    neighbours of ``i`` **or** ``i`` among those of ``j`` (union, every degree
    ``>= k``), or, with ``mutual=True``, when both hold (intersection, every
    degree ``<= k``, isolated nodes possible); ``directed=True`` keeps the raw
    arcs ``i -> j`` (out-degree exactly ``k``).

    Parameters
    ----------
    features : array-like of shape (n, f)
        One row per item: flattened image pixels, or features from any model.
        Integer input (e.g. ``uint8`` pixels) is converted to float64.
    k : int, default 10
        Neighbours per row, ``1 <= k <= n - 1``.
    metric : {'cosine', 'euclidean', 'manhattan'}, default 'cosine'
    mutual : bool, default False
        Keep only mutual neighbours (undirected graphs only).
    weighting : {'similarity', 'gaussian', None}, default 'similarity'
        ``'similarity'``: cosine similarity for ``metric='cosine'``,
        :math:`1/(1+d)` otherwise; ``'gaussian'``: :math:`\exp(-d^2/\sigma^2)`;
        None: unweighted.  Weights lie in ``[MIN_WEIGHT, 1]``: non-positive
        similarities are floored to ``MIN_WEIGHT`` (1e-6), with a logged
        warning, rather than dropped.
    sigma : float, optional
        Heat-kernel width for ``weighting='gaussian'``; None uses the median
        distance over the kNN arcs (self-tuning).  Ignored otherwise.
    exact : bool, optional
        True: exact neighbours (scikit-learn).  False: approximate neighbours
        (pynndescent, ``pip install graphemb[ann]``; exact with a logged
        warning when it is missing).  None: exact up to ``EXACT_MAX_NODES``
        (20,000) rows, approximate above.
    nodes : sequence of hashable, optional
        Node id of each row (distinct); default ``range(n)``.
    directed : bool, default False
        Return the directed kNN graph (arcs ``i -> j``) instead of symmetrising.
    seed : int, optional
        Seed of the approximate search (exact search is deterministic); None
        draws fresh entropy and logs it.
    n_jobs : int, optional
        Threads for the neighbour search (scikit-learn / pynndescent convention,
        -1 for all cores); None means 1 for pynndescent and scikit-learn's tree
        searches (its brute-force search uses its own OpenMP threads).

    Returns
    -------
    CSRGraph
        ``n`` nodes, no self-loops; undirected unless ``directed=True``.  A
        warning is logged when it has several connected components (see
        :func:`connected_components`).

    Raises
    ------
    ValueError
        Non-finite features (the message names the row and column), a zero row
        under cosine, ``k`` outside ``[1, n - 1]``, an unknown metric or
        weighting, ``mutual=True`` with ``directed=True``, bad ``nodes``.

    Notes
    -----
    Time: exact search ``O(n^2 f)`` by brute force (scikit-learn's chunked
    ``ArgKmin``; cosine is searched as euclidean on unit-normalised rows), less
    with a tree for low-dimensional features; approximate search roughly
    ``O(n k^2 f)`` per NN-descent iteration (with ``2k`` candidates).  Memory
    beyond the features: ``O(n k)`` for the neighbour arrays and sparse
    matrices (a few hundred bytes per arc at peak: 31-77 MB measured with
    tracemalloc for 20,000 x 16 features, k = 10-30), a unit-normalised copy
    of the features for cosine, and the graph, ``8 (n + 1) + 8 m`` bytes with
    ``m <= 2 n k`` stored arcs.

    Examples
    --------
    >>> import numpy as np
    >>> from graphemb.graph import knn_graph
    >>> x = np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 5.0], [5.0, 6.0]])
    >>> g = knn_graph(x, k=1, metric="euclidean", weighting=None)
    >>> g.num_edges, g.neighbors(0), g.neighbors(2)
    (2, [1], [3])
    """
    owner = "knn_graph"
    metric = check_choice(metric, "metric", KNN_METRICS, owner)
    weighting = check_choice(weighting, "weighting", WEIGHTINGS, owner)
    mutual = check_bool(mutual, "mutual", owner)
    directed = check_bool(directed, "directed", owner)
    if exact is not None:
        exact = check_bool(exact, "exact", owner)
    sigma = _check_sigma(sigma, owner)
    n_jobs = _check_n_jobs(n_jobs, owner)
    if mutual and directed:
        raise ValueError(
            "The 'mutual' parameter of knn_graph applies to undirected graphs; "
            "pass directed=False (mutual kNN graph) or mutual=False (raw directed kNN arcs)."
        )
    x = _check_features(features, owner, metric)
    n = x.shape[0]
    if isinstance(k, numbers.Integral) and not isinstance(k, bool) and k >= n:
        raise ValueError(
            f"The 'k' parameter of knn_graph must be an int in [1, {n - 1}] (n - 1 for {n} rows). Got {k!r} instead."
        )
    k = check_int(k, "k", owner, minimum=1, maximum=n - 1)
    nodes = _check_nodes(nodes, n, owner)
    seed_, _ = normalize_seed(seed)

    approx = (n > EXACT_MAX_NODES) if exact is None else not exact
    if approx:
        try:
            import pynndescent  # noqa: F401
        except ImportError:
            logger.warning(
                "knn_graph: pynndescent is not installed (pip install 'graphemb[ann]'); "
                "using exact neighbour search for %d rows, which takes O(n^2) time.",
                n,
            )
            approx = False
    if approx:
        logger.info("knn_graph: approximate %d-NN search (pynndescent) on %d x %d, seed %d", k, n, x.shape[1], seed_)
        rows, cols, dist = _knn_approx(x, k, metric, seed_ % (2**32), n_jobs)
    else:
        logger.info("knn_graph: exact %d-NN search on %d x %d", k, n, x.shape[1])
        ind, dist2 = _knn_exact(x, k, metric, n_jobs)
        rows = np.repeat(np.arange(n, dtype=np.int64), k)
        cols = ind.ravel()
        dist = dist2.ravel()
    dist = np.maximum(dist, 0.0)  # rounding can give tiny negative cosine distances
    w = _edge_weights(dist, metric, weighting, sigma, owner)
    combine = None if directed else ("mutual" if mutual else "union")
    return _build(rows, cols, w, n, combine, weighting is not None, nodes, owner)


def epsilon_graph(
    features: Any,
    radius: float,
    metric: str = "euclidean",
    weighting: str | None = "similarity",
    sigma: float | None = None,
    nodes: Sequence[Hashable] | None = None,
    n_jobs: int | None = None,
) -> CSRGraph:
    r"""Epsilon-ball graph: join every pair of rows at distance ``<= radius``.

    Parameters
    ----------
    features : array-like of shape (n, f)
        One row per item (see :func:`knn_graph`).
    radius : float
        Largest distance of an edge, ``> 0``, in units of ``metric`` (for
        cosine, ``1 - cos``: ``radius=0.2`` keeps pairs with similarity >= 0.8).
    metric : {'euclidean', 'cosine', 'manhattan'}, default 'euclidean'
    weighting : {'similarity', 'gaussian', None}, default 'similarity'
        As in :func:`knn_graph`; with ``'gaussian'`` and ``sigma=None``,
        :math:`\sigma` is the median edge distance.
    sigma : float, optional
        Heat-kernel width for ``weighting='gaussian'``.
    nodes : sequence of hashable, optional
        Node id of each row (distinct); default ``range(n)``.
    n_jobs : int, optional
        Threads for the radius search (scikit-learn convention).

    Returns
    -------
    CSRGraph
        Undirected, no self-loops; nodes with no neighbour within ``radius``
        are kept as isolated nodes and counted in the components warning.

    Raises
    ------
    ValueError
        Invalid features (see :func:`knn_graph`), ``radius <= 0``, unknown
        metric or weighting.

    Notes
    -----
    Time ``O(n^2 f)`` (brute force) or less with a tree in low dimension;
    memory ``O(n + m)``, ``m`` the number of pairs within ``radius``, which
    grows quadratically with a radius that is too large: start small.

    Examples
    --------
    >>> import numpy as np
    >>> from graphemb.graph import epsilon_graph
    >>> x = np.array([[0.0], [1.0], [3.0]])
    >>> g = epsilon_graph(x, radius=1.5, weighting=None)
    >>> g.num_edges, g.neighbors(1), g.neighbors(2)
    (1, [0], [])
    """
    from sklearn.neighbors import NearestNeighbors

    owner = "epsilon_graph"
    metric = check_choice(metric, "metric", KNN_METRICS, owner)
    weighting = check_choice(weighting, "weighting", WEIGHTINGS, owner)
    radius = check_float(radius, "radius", owner, minimum=0.0)
    sigma = _check_sigma(sigma, owner)
    n_jobs = _check_n_jobs(n_jobs, owner)
    x = _check_features(features, owner, metric)
    n = x.shape[0]
    nodes = _check_nodes(nodes, n, owner)
    if metric == "cosine":  # euclidean search on unit rows: cosine distance r <=> euclidean sqrt(2 r)
        nn = NearestNeighbors(radius=float(np.sqrt(2.0 * radius)), metric="euclidean", n_jobs=n_jobs)
        nn.fit(_unit_rows(x))
    else:
        nn = NearestNeighbors(radius=radius, metric=metric, n_jobs=n_jobs).fit(x)
    a = nn.radius_neighbors_graph(None, mode="distance")  # self excluded; explicit zeros kept for duplicates
    a = sp.csr_array(a)
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(a.indptr))
    cols = a.indices.astype(np.int64)
    if metric == "cosine":
        dist = _pair_distances(x, rows, cols, metric)
    else:
        dist = np.asarray(a.data, dtype=np.float64)
    dist = np.maximum(dist, 0.0)
    w = _edge_weights(dist, metric, weighting, sigma, owner)
    return _build(rows, cols, w, n, "union", weighting is not None, nodes, owner)


def from_similarity_matrix(
    S: Any,
    threshold: float = 0.0,
    nodes: Sequence[Hashable] | None = None,
    weighted: bool = True,
    rtol: float = 1e-5,
) -> CSRGraph:
    """Undirected graph from a symmetric pairwise similarity matrix.

    Keeps the off-diagonal entries ``S[i, j] > threshold`` as edges weighted by
    ``S[i, j]``; the diagonal is dropped.

    Parameters
    ----------
    S : ndarray or scipy sparse matrix, shape (n, n)
        Symmetric similarities (larger = more similar), finite.  A sparse
        matrix's implicit zeros are non-edges.
    threshold : float, default 0.0
        Keep entries strictly above it; ``>= 0`` so that every weight is
        positive (shift or clip negative similarities first).
    nodes : sequence of hashable, optional
        Node id of each row (distinct); default ``range(n)``.
    weighted : bool, default True
        Keep the similarities as edge weights; False gives an unweighted graph.
    rtol : float, default 1e-5
        Tolerance of the symmetry check, relative to ``max |S|`` (floating-point
        products such as ``X @ X.T`` are rarely bit-symmetric); the matrix is
        then symmetrised as ``(S + S.T) / 2``.

    Returns
    -------
    CSRGraph
        Undirected, no self-loops, weights ``S[i, j]`` (float32).  A warning is
        logged when it has several connected components.

    Raises
    ------
    ValueError
        Non-square, non-finite or asymmetric ``S`` (the message names the worst
        pair), negative ``threshold``, bad ``nodes``.

    Notes
    -----
    Time and memory ``O(n^2)`` for a dense ``S`` (a few temporaries of its
    size), ``O(nnz)`` for a sparse one.

    Examples
    --------
    >>> import numpy as np
    >>> from graphemb.graph import from_similarity_matrix
    >>> S = np.array([[1.0, 0.9, 0.1], [0.9, 1.0, 0.4], [0.1, 0.4, 1.0]])
    >>> g = from_similarity_matrix(S, threshold=0.3)
    >>> g.num_edges, g.neighbors(1)
    (2, [0, 2])
    """
    owner = "from_similarity_matrix"
    threshold = check_float(threshold, "threshold", owner, minimum=0.0, inclusive=True)
    weighted = check_bool(weighted, "weighted", owner)
    rtol = check_float(rtol, "rtol", owner, minimum=0.0, inclusive=True)
    if sp.issparse(S):
        a = sp.csr_array(S, dtype=np.float64)
        a.sum_duplicates()
    else:
        try:
            arr = np.asarray(S, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"The 'S' parameter of {owner} must be a numeric matrix: {exc}") from None
        if arr.ndim != 2:
            raise ValueError(f"The 'S' parameter of {owner} must be a 2-D (n, n) matrix. Got shape {arr.shape}.")
        a = arr
    if a.shape[0] != a.shape[1] or a.shape[0] < 1:
        raise ValueError(f"The 'S' parameter of {owner} must be a square (n, n) matrix. Got shape {a.shape}.")
    n = a.shape[0]
    nodes = _check_nodes(nodes, n, owner)
    data = a.data if sp.issparse(a) else a
    finite = np.isfinite(data)
    if not finite.all():
        if sp.issparse(a):
            coo = a.tocoo()
            t = int(np.flatnonzero(~finite)[0])
            i, j = int(coo.row[t]), int(coo.col[t])
        else:
            i, j = (int(v[0]) for v in np.nonzero(~finite))
        raise ValueError(f"The 'S' parameter of {owner} must be finite; S[{i}, {j}] is {float(a[i, j])!r}.")
    diff = a - a.T
    if sp.issparse(diff):
        diff = sp.csr_array(diff)
        gap = float(np.abs(diff.data).max()) if diff.nnz else 0.0
    else:
        gap = float(np.abs(diff).max())
    scale = float(np.abs(data).max()) if data.size else 0.0
    if gap > rtol * scale:
        if sp.issparse(diff):
            coo = diff.tocoo()
            t = int(np.argmax(np.abs(coo.data)))
            i, j = int(coo.row[t]), int(coo.col[t])
        else:
            i, j = np.unravel_index(int(np.argmax(np.abs(diff))), diff.shape)
        raise ValueError(
            f"The 'S' parameter of {owner} must be symmetric: S[{i}, {j}] = {float(a[i, j])!r} but "
            f"S[{j}, {i}] = {float(a[j, i])!r}. Symmetrise it first, e.g. (S + S.T) / 2 or np.maximum(S, S.T)."
        )
    del diff
    if sp.issparse(a):
        sym = sp.csr_array((a + a.T) * 0.5).tocoo()
        keep = (sym.data > threshold) & (sym.row != sym.col)
        rows, cols, w = sym.row[keep].astype(np.int64), sym.col[keep].astype(np.int64), sym.data[keep]
    else:
        sym = (a + a.T) * 0.5
        mask = sym > threshold
        np.fill_diagonal(mask, False)
        rows, cols = np.nonzero(mask)
        w = sym[rows, cols]
    if weighted:
        what = f"The similarities of the 'S' parameter of {owner}"
        check_float32_weights(w.astype(np.float32), what, "rescale S, or raise the threshold")
    return _build(rows, cols, w, n, "union", weighted, nodes, owner)
