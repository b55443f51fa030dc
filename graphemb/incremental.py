"""Grown graphs: the graph-side steps of an incremental update (``model.update``).

An update embeds the nodes a graph gained since the model was fitted without
moving the vectors it already has (docs/incremental.md).  This module holds the
steps that need the graphs but no training:

* :func:`diff_graphs` checks that the grown graph keeps every fitted node, puts
  its rows in the model's order (old nodes first, in their rows, new nodes
  appended: a stable id-to-row map) and finds the old nodes whose adjacency
  changed;
* :func:`neighbour_mean_init` starts each new node's input vector at the mean of
  its already-embedded neighbours, round after round so that chains of new nodes
  fill in;
* :func:`estimate_node_counts` gives the walk-corpus frequency of every node of
  the *whole* grown graph (noise table and sub-sampling), calibrated on the
  counts of the fitted corpus;
* :class:`UpdateReport` is what an update returns.

The walks and the training are the model's own (the walk engine with
``start_nodes``; :meth:`graphemb.SGNS.update`, the trainer kernels with a per-row
learning-rate scale), composed in :mod:`graphemb.models`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .graph.csr import CSRGraph

__all__ = ["GraphDiff", "UpdateReport", "diff_graphs", "estimate_node_counts", "neighbour_mean_init"]


@dataclass
class GraphDiff:
    """A grown graph in the model's row order and what changed.

    Attributes
    ----------
    graph : CSRGraph
        The grown graph, rows reordered: row ``i < num_old`` is the model's row
        ``i`` (same node id), rows ``num_old..`` are the new nodes in the grown
        graph's own order.
    num_old : int
        Rows of the fitted model.
    new_rows : ndarray of int64
        ``num_old .. graph.num_nodes - 1``.
    changed_rows : ndarray of int64
        Old rows that gained or lost an arc (to a new node or to an old one), or
        whose arc weight changed; sorted.
    added_arcs, removed_arcs : int
        Arcs of old rows gained (to old or new nodes) and lost; an undirected
        edge between two old nodes counts twice.
    """

    graph: CSRGraph
    num_old: int
    new_rows: np.ndarray
    changed_rows: np.ndarray
    added_arcs: int
    removed_arcs: int


@dataclass
class UpdateReport:
    """What ``model.update`` did.

    Attributes
    ----------
    new_nodes : list
        Ids of the nodes added (their rows follow the old ones, in this order).
    refreshed_nodes : int
        Old nodes walked from and moved (``refresh="affected"``; 0 otherwise).
    walks, tokens : int
        Walks generated and corpus tokens trained (all epochs).
    seconds, walk_seconds, train_seconds : float
        Wall time of the whole update, of the walks, of the training.
    drift : float
        Mean cosine similarity of the old nodes' vectors to their vectors before
        the update (1.0 exactly when they were frozen).
    unplaced : list
        New nodes with no path to an old node (isolated, or in a component of
        new nodes only): no neighbour could place them, their vectors are
        trained among themselves (or, isolated, keep the trainer's random start)
        and are not comparable with the old ones.
    in_arcs_only : list
        New nodes of a directed graph with in-arcs but no out-arcs: walks from
        them stop at once, they are trained from the walks of their
        predecessors (which the update also starts walks from).
    new_fraction : float
        New nodes over the grown graph's nodes.
    changed_fraction : float
        Old nodes whose adjacency changed, over the old nodes.
    retrain_recommended : bool
        The change is larger than an update handles well (see ``advice``).
    advice : str
        Why a full retrain is recommended, or ``""``.
    """

    new_nodes: list = field(default_factory=list)
    refreshed_nodes: int = 0
    walks: int = 0
    tokens: int = 0
    seconds: float = 0.0
    walk_seconds: float = 0.0
    train_seconds: float = 0.0
    drift: float = 1.0
    unplaced: list = field(default_factory=list)
    in_arcs_only: list = field(default_factory=list)
    new_fraction: float = 0.0
    changed_fraction: float = 0.0
    retrain_recommended: bool = False
    advice: str = ""

    def summary(self) -> str:
        """One paragraph for people (the command line prints it)."""
        lines = [
            f"{len(self.new_nodes)} new nodes ({100 * self.new_fraction:.1f}% of the graph), "
            f"{self.refreshed_nodes} old nodes refreshed; {self.walks} walks, {self.tokens} tokens, "
            f"{self.seconds:.2f} s (walks {self.walk_seconds:.2f} s, training {self.train_seconds:.2f} s); "
            f"old vectors' mean cosine to before {self.drift:.6f}"
        ]
        if self.unplaced:
            lines.append(f"{len(self.unplaced)} new nodes have no path to an old node (first: {self.unplaced[0]!r})")
        if self.in_arcs_only:
            lines.append(f"{len(self.in_arcs_only)} new nodes have no out-arcs (first: {self.in_arcs_only[0]!r})")
        if self.retrain_recommended:
            lines.append(f"full retrain recommended: {self.advice}")
        return "; ".join(lines)


def diff_graphs(old: CSRGraph, grown: CSRGraph, owner: str = "update") -> GraphDiff:
    """Put ``grown`` in ``old``'s row order and list what changed.

    Parameters
    ----------
    old : CSRGraph
        The graph the model was fitted on (rows = model rows).
    grown : CSRGraph
        The same graph with nodes and edges added (edges may also be removed or
        reweighted; nodes may not be removed).
    owner : str
        Caller named in error messages.

    Returns
    -------
    GraphDiff

    Raises
    ------
    ValueError
        If ``grown`` lacks a node of ``old`` (dropped nodes, or renamed / retyped
        ids), or differs from it in directedness or in having weights.

    Notes
    -----
    Time O(n + m log m) (one permutation of the grown adjacency, one sorted set
    difference of the old nodes' arcs); memory O(n + m).
    """
    if bool(old.directed) != bool(grown.directed):
        kinds = ("directed" if old.directed else "undirected", "directed" if grown.directed else "undirected")
        raise ValueError(
            f"The graph passed to {owner} is {kinds[1]} but the model was fitted on a {kinds[0]} graph; "
            "an update keeps the kind of graph."
        )
    if old.weighted != grown.weighted:
        raise ValueError(
            f"The graph passed to {owner} is {'weighted' if grown.weighted else 'unweighted'} but the model was "
            f"fitted on an {'weighted' if old.weighted else 'unweighted'} graph; read both the same way."
        )
    n_old = old.num_nodes
    index: dict = {}
    for i, v in enumerate(grown.nodes):
        index[v] = i
    old_pos = np.fromiter((index.get(v, -1) for v in old.nodes), dtype=np.int64, count=n_old)
    if np.any(old_pos < 0):
        lost = np.flatnonzero(old_pos < 0)
        count = int(lost.size)
        missing = [old.nodes[i] for i in lost[:5].tolist()]
        hint = ""
        old_types = {type(v).__name__ for v in old.nodes[:1000]}
        new_types = {type(v).__name__ for v in grown.nodes[:1000]}
        if old_types != new_types:
            hint = (
                f" The model's ids are of type {'/'.join(sorted(old_types))} but the graph's are "
                f"{'/'.join(sorted(new_types))}: were the ids read differently (e.g. node_type)?"
            )
        raise ValueError(
            f"The graph passed to {owner} lacks {count} of the model's {n_old} nodes (first: "
            f"{', '.join(repr(v) for v in missing[:5])}). An update only adds nodes (edges may change); a graph "
            f"that drops nodes or changes their ids needs a new fit.{hint}"
        )
    is_old = np.zeros(grown.num_nodes, dtype=bool)
    is_old[old_pos] = True
    order = np.concatenate([old_pos, np.flatnonzero(~is_old)])
    a = grown.to_scipy()[order][:, order].tocsr()
    a.sort_indices()
    nodes = [grown.nodes[j] for j in order.tolist()]
    graph = CSRGraph(a.indptr, a.indices, a.data if grown.weighted else None, nodes=nodes, directed=grown.directed)

    # arcs of old rows, as keys r * n + c in the grown row space (old rows keep their numbers)
    n = graph.num_nodes
    old_rows = np.repeat(np.arange(n_old, dtype=np.int64), np.diff(old.indptr))
    old_keys = old_rows * n + old.indices.astype(np.int64)
    new_rows_of_arcs = np.repeat(np.arange(n, dtype=np.int64), np.diff(graph.indptr))
    cols = graph.indices.astype(np.int64)
    keep = new_rows_of_arcs < n_old
    grown_keys = new_rows_of_arcs[keep] * n + cols[keep]
    added = np.setdiff1d(grown_keys, old_keys, assume_unique=True)
    removed = np.setdiff1d(old_keys, grown_keys, assume_unique=True)
    changed = [added // n, added % n, removed // n, removed % n]
    if grown.weighted:
        common, i_old, i_new = np.intersect1d(old_keys, grown_keys, assume_unique=True, return_indices=True)
        differ = old.weights[i_old] != graph.weights[keep][i_new]
        changed += [common[differ] // n, common[differ] % n]
    if grown.directed:  # arcs from new nodes into old ones change nothing of the old rows but are walked
        into_old = (~keep) & (cols < n_old)
        changed.append(cols[into_old])
    endpoints = np.unique(np.concatenate(changed)) if changed else np.zeros(0, dtype=np.int64)
    changed_rows = endpoints[endpoints < n_old].astype(np.int64)
    return GraphDiff(
        graph=graph,
        num_old=n_old,
        new_rows=np.arange(n_old, n, dtype=np.int64),
        changed_rows=changed_rows,
        added_arcs=int(added.size),
        removed_arcs=int(removed.size),
    )


def _symmetric_pattern(graph: CSRGraph) -> sp.csr_array:
    """Adjacency of the undirected view (in- and out-neighbours), edge weights kept."""
    a = graph.to_scipy().astype(np.float64)
    if graph.directed:
        a = (a + a.T).tocsr()
    return a


def neighbour_mean_init(
    graph: CSRGraph, vectors: np.ndarray, num_old: int, max_rounds: int | None = None
) -> tuple[np.ndarray, np.ndarray, int]:
    """Start vectors of the new rows: the (weighted) mean of their already-placed neighbours.

    Round 1 places every new node with at least one old neighbour at the mean of
    those neighbours' vectors; round ``r`` places the new nodes next to nodes
    placed in rounds before ``r``; rounds continue until none is placed.  On a
    directed graph in- and out-neighbours both count.  Weighted graphs weight
    the mean by the edge weights.

    Parameters
    ----------
    graph : CSRGraph
        Grown graph in model row order (:func:`diff_graphs`).
    vectors : ndarray of float32, shape (num_old, d)
        The old rows' vectors.
    num_old : int
    max_rounds : int, optional
        Stop after this many rounds (default: until no node is placed).

    Returns
    -------
    init : ndarray of float32, shape (n - num_old, d)
        Start vectors of the new rows; zero for those not placed.
    placed : ndarray of bool, shape (n - num_old,)
    rounds : int
        Rounds that placed at least one node.

    Notes
    -----
    Each round costs O(arcs of the unplaced new rows * d) (a sparse product);
    rounds are bounded by the longest chain of new nodes from an old one.
    Memory O(n_new d + arcs of new rows).
    """
    n = graph.num_nodes
    n_new = n - num_old
    d = vectors.shape[1]
    init = np.zeros((n_new, d), dtype=np.float64)
    placed = np.zeros(n_new, dtype=bool)
    if n_new == 0:
        return init.astype(np.float32), placed, 0
    a = _symmetric_pattern(graph)[num_old:].tocsr()  # rows of the new nodes, columns of every node
    known = np.zeros(n, dtype=bool)
    known[:num_old] = True
    table = np.zeros((n, d), dtype=np.float64)
    table[:num_old] = vectors
    rounds = 0
    while max_rounds is None or rounds < max_rounds:
        todo = np.flatnonzero(~placed)
        if todo.size == 0:
            break
        sub = a[todo]
        weight = sub @ known.astype(np.float64)
        ready = weight > 0
        if not ready.any():
            break
        rows = todo[ready]
        sums = sub[ready] @ (table * known[:, None])
        init[rows] = sums / weight[ready][:, None]
        placed[rows] = True
        table[num_old + rows] = init[rows]
        known[num_old + rows] = True
        rounds += 1
    return init.astype(np.float32), placed, rounds


def _degree_signal(graph: CSRGraph) -> np.ndarray:
    """Each node's (weighted) in-degree over the mean: the walk-visit rate of a well-mixed walk."""
    a = graph.to_scipy().astype(np.float64)
    deg = np.asarray(a.sum(axis=0)).ravel()  # in-degree (= degree when undirected)
    mean = deg.mean() if deg.size else 0.0
    return deg / mean if mean > 0 else np.zeros_like(deg)


def estimate_node_counts(
    old: CSRGraph,
    old_counts: np.ndarray | None,
    grown: CSRGraph,
    num_old: int,
    walk_length: int,
    num_walks: int,
) -> np.ndarray:
    """Expected walk-corpus counts of every node of the grown graph (noise table, sub-sampling).

    A walk of ``L`` nodes from every node (``num_walks`` rounds) visits node ``v``
    about ``num_walks * (1 + (L - 1) x_v)`` times, with ``x_v`` its degree over
    the mean degree (the stationary rate of a mixed walk).  The two coefficients
    are fitted by least squares to the fitted corpus's counts (which holds the
    start effects, node2vec's bias and the mixing the formula ignores); an old
    node then keeps its exact count times the ratio of the fit on the grown and
    on the old graph, and a new node gets the fit.

    Parameters
    ----------
    old, grown : CSRGraph
        Fitted and grown graph (``grown`` in model row order).
    old_counts : ndarray of int64, shape (num_old,), or None
        Counts of the fitted corpus; None uses the formula's coefficients.
    num_old, walk_length, num_walks : int

    Returns
    -------
    ndarray of float64, shape (grown.num_nodes,)
        At least ``num_walks`` per node (every node starts that many walks).

    Notes
    -----
    Time O(n + m), memory O(n).
    """
    floor = float(num_walks)
    x_old = _degree_signal(old)
    x_new = _degree_signal(grown)
    a, b = floor, floor * (walk_length - 1)
    if old_counts is not None and num_old >= 2 and np.ptp(x_old) > 0:
        design = np.stack([np.ones(num_old), x_old], axis=1)
        (a_fit, b_fit), *_ = np.linalg.lstsq(design, old_counts.astype(np.float64), rcond=None)
        if b_fit > 0:
            a, b = max(a_fit, floor), b_fit
    pred_new = np.maximum(a + b * x_new, floor)
    if old_counts is None:
        return pred_new
    pred_old = np.maximum(a + b * x_old, floor)
    counts = pred_new.copy()
    counts[:num_old] = np.maximum(old_counts.astype(np.float64) * pred_new[:num_old] / pred_old, floor)
    return counts


def predecessors_of(graph: CSRGraph, rows: np.ndarray, below: int) -> np.ndarray:
    """Rows ``< below`` with an arc into one of ``rows`` (directed graphs), sorted.

    O(m) time and memory.
    """
    a = graph.to_scipy()
    target = np.zeros(graph.num_nodes, dtype=bool)
    target[rows] = True
    src = np.repeat(np.arange(graph.num_nodes), np.diff(a.indptr))
    hit = target[a.indices] & (src < below)
    return np.unique(src[hit]).astype(np.int64)
