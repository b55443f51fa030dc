"""Link prediction with the node2vec protocol (Grover & Leskovec, KDD 2016, section 4.4).

Protocol
--------
1. :func:`train_test_split_edges` removes ``test_fraction`` of the edges at random
   while keeping the residual graph's (weakly) connected components intact: a
   random spanning forest (Kruskal over a random edge order, union-find kernel in
   :mod:`graphemb.evaluation._kernels`) is never touched, so no node is isolated
   by the split.  It then samples as many non-edges as there are positive pairs
   (checked against the *full* graph, distinct from one another).
2. The model is fitted on the residual graph only.
3. :func:`score_link_prediction` turns each pair ``(u, v)`` into an edge feature
   with a binary operator on the two node vectors, trains a logistic regression on
   the training pairs (residual edges + training non-edges) and reports ROC-AUC and
   average precision on the held-out pairs (removed edges + test non-edges).

Self-loops are neither positives nor negatives: they stay in the residual graph
and no pair ``(u, u)`` is ever sampled.  For directed graphs pairs are ordered
(arc ``u -> v``); removing ``u -> v`` leaves ``v -> u`` alone, and a negative
``u -> v`` may have the reverse arc ``v -> u`` in the graph.
"""

from __future__ import annotations

import copy
import logging
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._lazy import LazyModule
from .._validation import check_seed
from ..embedding import Embedding
from ..graph.csr import CSRGraph
from ._kernels import spanning_forest_mask

pd = LazyModule("pandas")  # imported on first use (graphemb/_lazy.py)

__all__ = [
    "CLASSIFIER_PROTOCOLS",
    "EdgeSplit",
    "OPERATORS",
    "edge_features",
    "link_prediction",
    "score_link_prediction",
    "train_test_split_edges",
]

logger = logging.getLogger(__name__)

#: Binary operators of the node2vec paper (Table 1) plus concatenation (order-aware, for directed graphs).
OPERATORS = ("hadamard", "average", "l1", "l2", "concat")
DEFAULT_OPERATORS = ("hadamard", "average", "l1", "l2")
# Below this many candidate pairs, negatives are drawn from the full list of non-edges.
_ENUMERATE_LIMIT = 4_000_000


@dataclass(frozen=True)
class EdgeSplit:
    """Result of :func:`train_test_split_edges`.

    The pairs come as original node ids (``test_edges``, ``train_edges``,
    ``test_non_edges``, ``train_non_edges``: lists of ``(u, v)`` tuples) and as
    **row indices** into ``graph.nodes`` (``test_pos`` ... ``train_neg``, shape
    ``(k, 2)``, int64), the form the scorer uses; :meth:`to_ids` translates.

    Attributes
    ----------
    graph : CSRGraph
        Residual graph: the input minus the test edges (both directions when
        undirected), all nodes kept, weights kept.
    train_pos : ndarray of int64, shape (k_train, 2)
        The candidate edges left in ``graph`` (self-loops excluded).
    train_neg : ndarray of int64, shape (k_train, 2)
        Non-edges of the full graph, as many as ``train_pos``.
    test_pos : ndarray of int64, shape (k_test, 2)
        The removed edges.
    test_neg : ndarray of int64, shape (k_test, 2)
        Non-edges of the full graph, disjoint from ``train_neg``.
    directed : bool
        Whether pairs are ordered.  Undirected pairs are stored with ``u < v``.
    test_fraction : float
    seed : int
    """

    graph: CSRGraph
    train_pos: np.ndarray
    train_neg: np.ndarray
    test_pos: np.ndarray
    test_neg: np.ndarray
    directed: bool
    test_fraction: float
    seed: int

    def to_ids(self, pairs: np.ndarray) -> list[tuple]:
        """Translate an index pair array (e.g. ``split.test_pos``) into original-id tuples."""
        nodes = self.graph.nodes
        return [(nodes[u], nodes[v]) for u, v in np.asarray(pairs).tolist()]

    @property
    def test_edges(self) -> list[tuple]:
        """The removed edges as ``(u, v)`` tuples of original node ids (``to_ids(test_pos)``)."""
        return self.to_ids(self.test_pos)

    @property
    def train_edges(self) -> list[tuple]:
        """The edges left in the residual graph (self-loops excluded), as original-id tuples."""
        return self.to_ids(self.train_pos)

    @property
    def test_non_edges(self) -> list[tuple]:
        """The held-out negative pairs as original-id tuples."""
        return self.to_ids(self.test_neg)

    @property
    def train_non_edges(self) -> list[tuple]:
        """The training negative pairs as original-id tuples."""
        return self.to_ids(self.train_neg)

    def train_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Training pairs (positives first) and their 0/1 labels."""
        return _stack(self.train_pos, self.train_neg)

    def test_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Held-out pairs (positives first) and their 0/1 labels."""
        return _stack(self.test_pos, self.test_neg)

    def __repr__(self) -> str:
        return (
            f"EdgeSplit(residual={self.graph!r}, train={len(self.train_pos)}+{len(self.train_neg)}, "
            f"test={len(self.test_pos)}+{len(self.test_neg)}, seed={self.seed})"
        )


def _stack(pos: np.ndarray, neg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pairs = np.concatenate([pos, neg], axis=0)
    y = np.concatenate([np.ones(len(pos), dtype=np.int8), np.zeros(len(neg), dtype=np.int8)])
    return pairs, y


# ----------------------------------------------------------------- splitting
def _check_graph(graph: Any, owner: str) -> CSRGraph:
    """Convert what ``Node2Vec.fit`` accepts: CSRGraph, networkx graph, scipy/numpy adjacency, pandas edge table."""
    if isinstance(graph, CSRGraph):
        return graph
    module = type(graph).__module__ or ""
    if module.startswith("networkx"):
        return CSRGraph.from_networkx(graph)
    if isinstance(graph, np.ndarray) or sp.issparse(graph):
        return CSRGraph.from_scipy(graph)
    if isinstance(graph, pd.DataFrame):
        return CSRGraph.from_edgelist(graph)
    raise TypeError(
        f"The 'graph' parameter of {owner} must be a graphemb.CSRGraph, a networkx graph, a scipy sparse (or numpy) "
        f"adjacency matrix or a pandas edge table. Got {type(graph).__name__} instead."
    )


def _candidate_pairs(graph: CSRGraph) -> tuple[np.ndarray, np.ndarray]:
    """Candidate positive pairs: each undirected edge once as ``u < v`` / each arc; no self-loops."""
    n = graph.num_nodes
    rows = np.repeat(np.arange(n, dtype=np.int64), graph.degrees)
    cols = graph.indices.astype(np.int64)
    keep = rows != cols if graph.directed else rows < cols
    return rows[keep], cols[keep]


def train_test_split_edges(graph: CSRGraph, test_fraction: float = 0.5, seed: int = 0) -> EdgeSplit:
    """Hold out edges for link prediction, keeping the residual graph connected.

    Parameters
    ----------
    graph : CSRGraph, networkx graph, scipy sparse matrix or pandas DataFrame
        The full graph, anything ``Node2Vec.fit`` accepts (node ids are kept:
        networkx keys, DataFrame values, ``0..n-1`` for matrices).  Directed
        graphs give ordered pairs.
    test_fraction : float, default 0.5
        Fraction of the candidate edges (self-loops excluded) to remove, in
        (0, 1).  ``round(test_fraction * m)`` edges are removed.
    seed : int, default 0
        The split depends on this seed (and the graph) only.

    Returns
    -------
    EdgeSplit
        Residual graph and the four pair arrays (row indices, see
        :class:`EdgeSplit`).

    Raises
    ------
    ValueError
        If ``test_fraction`` is out of range, if that many edges cannot be
        removed without disconnecting a component (the message gives the
        largest feasible fraction), or if the graph has too few non-edges.

    Notes
    -----
    Only edges outside a random spanning forest are removed, so every
    (weakly) connected component of the input stays connected and no node that
    had an edge loses all of them.  Negatives are distinct node pairs ``u != v``
    that are not edges of the *input* graph; test negatives come first in one
    random draw, training negatives after, so the two sets are disjoint.
    Time O(m log m) (dominated by sorting pair keys), memory O(n + m).

    Examples
    --------
    >>> import networkx as nx
    >>> from graphemb import CSRGraph
    >>> g = CSRGraph.from_scipy(nx.to_scipy_sparse_array(nx.karate_club_graph(), weight=None))
    >>> split = train_test_split_edges(g, test_fraction=0.5, seed=0)
    >>> len(split.test_pos), len(split.train_pos), len(split.test_neg)
    (39, 39, 39)
    """
    owner = "train_test_split_edges"
    graph = _check_graph(graph, owner)
    ok = isinstance(test_fraction, numbers.Real) and not isinstance(test_fraction, bool)
    if not ok or not 0.0 < float(test_fraction) < 1.0:
        raise ValueError(
            f"The 'test_fraction' parameter of {owner} must be a float in (0, 1). Got {test_fraction!r} instead."
        )
    test_fraction = float(test_fraction)
    seed = check_seed(seed, "seed", owner, allow_none=False)
    n = graph.num_nodes
    u, v = _candidate_pairs(graph)
    m = u.size
    n_test = int(round(test_fraction * m))
    if m == 0 or n_test == 0:
        raise ValueError(
            f"{owner}: test_fraction={test_fraction} of {m} candidate edges (self-loops excluded) removes no edge; "
            "use a larger graph or a larger test_fraction."
        )
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x6C696E6B]))  # "link"
    order = rng.permutation(m)
    src = np.ascontiguousarray(u[order])
    dst = np.ascontiguousarray(v[order])
    in_forest = np.empty(m, dtype=np.bool_)
    parent = np.empty(n, dtype=np.int64)
    n_forest = int(spanning_forest_mask(src, dst, parent, in_forest))
    removable = np.flatnonzero(~in_forest)  # random order inherited from the permutation
    if n_test > removable.size:
        raise ValueError(
            f"The 'test_fraction' parameter of {owner} asks to remove {n_test} of {m} edges, but only "
            f"{removable.size} lie outside a spanning forest ({n_forest} edges must stay to keep every component "
            f"connected). Use test_fraction <= {removable.size / m:.4f}."
        )
    test_idx = np.zeros(m, dtype=np.bool_)
    test_idx[removable[:n_test]] = True
    test_pos = np.stack([src[test_idx], dst[test_idx]], axis=1)
    train_pos = np.stack([src[~test_idx], dst[~test_idx]], axis=1)

    residual = _remove_pairs(graph, test_pos)

    edge_keys = np.sort(u * n + v)  # u < v (undirected) or arcs: canonical keys of the full graph
    n_train = train_pos.shape[0]
    neg = _sample_non_edges(n, edge_keys, n_test + n_train, graph.directed, rng, owner)
    test_neg, train_neg = neg[:n_test], neg[n_test:]
    logger.info(
        "edge split: %d test edges removed, %d kept, %d + %d negatives (seed %d)",
        n_test,
        n_train,
        len(test_neg),
        len(train_neg),
        seed,
    )
    return EdgeSplit(
        graph=residual,
        train_pos=train_pos,
        train_neg=train_neg,
        test_pos=test_pos,
        test_neg=test_neg,
        directed=graph.directed,
        test_fraction=test_fraction,
        seed=seed,
    )


def _remove_pairs(graph: CSRGraph, pairs: np.ndarray) -> CSRGraph:
    """Copy of ``graph`` without the arcs in ``pairs`` (and their reverses when undirected)."""
    n = graph.num_nodes
    rows = np.repeat(np.arange(n, dtype=np.int64), graph.degrees)
    keys = rows * n + graph.indices.astype(np.int64)
    drop = pairs[:, 0] * n + pairs[:, 1]
    if not graph.directed:
        drop = np.concatenate([drop, pairs[:, 1] * n + pairs[:, 0]])
    keep = ~np.isin(keys, drop)
    counts = np.bincount(rows[keep], minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    weights = None if graph.weights is None else graph.weights[keep]
    return CSRGraph(indptr, graph.indices[keep], weights, nodes=graph.nodes, directed=graph.directed)


def _sample_non_edges(
    n: int, edge_keys: np.ndarray, count: int, directed: bool, rng: np.random.Generator, owner: str
) -> np.ndarray:
    """``count`` distinct random non-edges ``(u, v)``, ``u != v`` (``u < v`` when undirected), shape (count, 2).

    ``edge_keys`` are the sorted keys ``u * n + v`` of the graph's candidate pairs.
    """
    total = n * (n - 1) if directed else n * (n - 1) // 2
    available = total - edge_keys.size
    if count > available:
        raise ValueError(
            f"{owner}: needs {count} negative pairs but the graph has only {available} non-edges; "
            "the graph is too dense for this protocol (use a smaller test_fraction or a sparser graph)."
        )
    if total <= _ENUMERATE_LIMIT or count > available // 2:
        a, b = (np.nonzero(~np.eye(n, dtype=np.bool_))) if directed else np.triu_indices(n, 1)
        keys = a.astype(np.int64) * n + b.astype(np.int64)
        keys = keys[~np.isin(keys, edge_keys, assume_unique=True)]
        chosen = keys[rng.choice(keys.size, size=count, replace=False)]
    else:
        chosen = np.empty(0, dtype=np.int64)
        while chosen.size < count:
            need = count - chosen.size
            b = int(need * 1.25) + 1024
            x = rng.integers(0, n, size=b, dtype=np.int64)
            y = rng.integers(0, n, size=b, dtype=np.int64)
            ok = x != y
            x, y = x[ok], y[ok]
            if not directed:
                x, y = np.minimum(x, y), np.maximum(x, y)
            keys = x * n + y
            keys = keys[~np.isin(keys, edge_keys)]
            merged = np.concatenate([chosen, keys])
            _, first = np.unique(merged, return_index=True)
            chosen = merged[np.sort(first)]
        chosen = chosen[:count]
    return np.stack([chosen // n, chosen % n], axis=1)


# ------------------------------------------------------------------ scoring
def edge_features(vectors_u: np.ndarray, vectors_v: np.ndarray, operator: str) -> np.ndarray:
    """Edge features from the vectors of the two endpoints (node2vec paper, Table 1).

    Parameters
    ----------
    vectors_u, vectors_v : ndarray, shape (k, d)
        Vectors of the sources and targets of ``k`` pairs.
    operator : {"hadamard", "average", "l1", "l2", "concat"}
        ``hadamard``: :math:`f(u) \\odot f(v)`; ``average``: :math:`(f(u)+f(v))/2`;
        ``l1``: :math:`|f(u)-f(v)|` (the paper's weighted-L1); ``l2``:
        :math:`(f(u)-f(v))^2` (weighted-L2); ``concat``: :math:`[f(u), f(v)]`, shape
        (k, 2d), the only order-aware choice (useful for directed graphs).

    Returns
    -------
    ndarray, shape (k, d) or (k, 2d)
    """
    if operator == "hadamard":
        return vectors_u * vectors_v
    if operator == "average":
        return (vectors_u + vectors_v) / 2
    if operator == "l1":
        return np.abs(vectors_u - vectors_v)
    if operator == "l2":
        return (vectors_u - vectors_v) ** 2
    if operator == "concat":
        return np.concatenate([vectors_u, vectors_v], axis=1)
    opts = ", ".join(repr(o) for o in OPERATORS)
    raise ValueError(f"The 'operator' parameter of edge_features must be one of {opts}. Got {operator!r} instead.")


def check_operators(operators: Any, owner: str) -> tuple[str, ...]:
    if isinstance(operators, str):
        operators = (operators,)
    operators = tuple(operators)
    bad = [o for o in operators if o not in OPERATORS]
    if not operators or bad:
        opts = ", ".join(repr(o) for o in OPERATORS)
        raise ValueError(
            f"The 'operators' parameter of {owner} must be a non-empty sequence of {opts}. Got {operators!r} instead."
        )
    return operators


def _pair_vectors(embedding: Any, split: EdgeSplit, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    nodes = split.graph.nodes
    needed = np.unique(pairs)
    lookup = np.full(len(nodes), -1, dtype=np.int64)
    try:
        lookup[needed] = embedding.indices_of([nodes[i] for i in needed.tolist()])
    except KeyError as err:
        raise ValueError(
            f"score_link_prediction: the embedding has no vector for {err.args[0]}; embed every node of "
            "split.graph (the residual graph keeps all nodes of the input)."
        ) from None
    vectors = np.asarray(embedding.vectors)
    return vectors[lookup[pairs[:, 0]]], vectors[lookup[pairs[:, 1]]]


def _classifier(standardize: bool = True) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    lr = LogisticRegression(C=1.0, max_iter=1000, random_state=0)
    return make_pipeline(StandardScaler(), lr) if standardize else make_pipeline(lr)


#: Classifier protocols of :func:`score_link_prediction` (``classifier_protocol`` parameter).
CLASSIFIER_PROTOCOLS = ("residual", "half")


def _protocol_pairs(
    split: EdgeSplit, classifier_protocol: str, seed: int, owner: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Training and scoring pairs (with 0/1 labels) of one classifier protocol."""
    if classifier_protocol == "residual":
        train, y_train = split.train_pairs()
        test, y_test = split.test_pairs()
        return train, y_train, test, y_test
    if classifier_protocol != "half":
        opts = ", ".join(repr(o) for o in CLASSIFIER_PROTOCOLS)
        raise ValueError(
            f"The 'classifier_protocol' parameter of {owner} must be one of {opts}. "
            f"Got {classifier_protocol!r} instead."
        )
    seed = check_seed(seed, "seed", owner, allow_none=False)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x68616C66]))  # "half"
    pos, neg = (
        split.test_pos[rng.permutation(len(split.test_pos))],
        split.test_neg[rng.permutation(len(split.test_neg))],
    )
    hp, hn = len(pos) // 2, len(neg) // 2
    if min(hp, hn, len(pos) - hp, len(neg) - hn) < 1:
        raise ValueError(f"{owner}: classifier_protocol='half' needs at least 2 held-out edges and 2 non-edges.")
    train, y_train = _stack(pos[:hp], neg[:hn])
    test, y_test = _stack(pos[hp:], neg[hn:])
    return train, y_train, test, y_test


def describe_link_protocol(classifier_protocol: str, standardize: bool) -> str:
    """One-line statement of the link-prediction classifier options (printed with every result)."""
    trained = (
        "trained on the residual edges + as many other non-edges"
        if classifier_protocol == "residual"
        else "trained on a random half of the held-out pairs, scored on the other half"
    )
    scaled = "standardised features" if standardize else "raw features"
    return f"L2 logistic regression (C=1, lbfgs), {scaled}, {trained}"


def score_link_prediction(
    embedding: Embedding,
    split: EdgeSplit,
    operators: Sequence[str] = DEFAULT_OPERATORS,
    return_predictions: bool = False,
    *,
    classifier_protocol: str = "residual",
    standardize: bool = True,
    seed: int = 0,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Score an embedding of ``split.graph`` on the held-out pairs of ``split``.

    Parameters
    ----------
    embedding : Embedding
        Any object with ``indices_of(node_ids)`` and ``vectors`` (n, d); it must
        cover every node used in a pair.  It should have been learnt on
        ``split.graph`` only; learning it on the full graph leaks the test edges.
    split : EdgeSplit
        From :func:`train_test_split_edges`.
    operators : sequence of str, default ("hadamard", "average", "l1", "l2")
        Edge-feature operators (see :func:`edge_features`); one row each.
    return_predictions : bool, default False
        Also return the per-pair scores under original node ids.
    classifier_protocol : {"residual", "half"}, default "residual"
        ``"residual"``: the classifier trains on ``split.train_pairs()`` (the
        residual edges plus as many other non-edges) and is scored on all
        held-out pairs.  ``"half"``: it trains on a random half of the held-out
        pairs (positives and negatives halved separately, seeded by ``seed``)
        and is scored on the other half.
    standardize : bool, default True
        Standardise the edge features (fitted on the training pairs) before the
        logistic regression.
    seed : int, default 0
        Seed of the halving for ``classifier_protocol="half"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``operator``, ``roc_auc``, ``average_precision``, ``n_train``,
        ``n_test``; one row per operator.  ``df.attrs["protocol"]`` states the
        options.
    predictions : pandas.DataFrame
        Only with ``return_predictions=True``: the held-out pairs under their
        original node ids, columns ``u``, ``v``, ``label`` (1 = removed edge,
        0 = non-edge) and one ``score_<operator>`` column per operator (the
        classifier's decision function; higher = more likely an edge).

    Notes
    -----
    Classifier: (standardised features then) L2-regularised logistic regression
    (``C=1``, lbfgs; deterministic); scores are its decision function.
    """
    from sklearn.metrics import average_precision_score, roc_auc_score

    owner = "score_link_prediction"
    if not isinstance(split, EdgeSplit):
        raise TypeError(
            f"The 'split' parameter of {owner} must be an EdgeSplit from train_test_split_edges. "
            f"Got {type(split).__name__} instead."
        )
    if not hasattr(embedding, "indices_of") or not hasattr(embedding, "vectors"):
        raise TypeError(
            f"The 'embedding' parameter of {owner} must be a graphemb.Embedding (indices_of, vectors). "
            f"Got {type(embedding).__name__} instead; wrap raw vectors with Embedding(nodes, vectors)."
        )
    operators = check_operators(operators, owner)
    if not isinstance(standardize, (bool, np.bool_)):
        raise ValueError(f"The 'standardize' parameter of {owner} must be a bool. Got {standardize!r} instead.")
    train, y_train, test, y_test = _protocol_pairs(split, classifier_protocol, seed, owner)
    tu, tv = _pair_vectors(embedding, split, train)
    su, sv = _pair_vectors(embedding, split, test)
    rows = []
    nodes = split.graph.nodes
    predictions = pd.DataFrame(
        {
            "u": pd.Series([nodes[i] for i in test[:, 0].tolist()], dtype=object),
            "v": pd.Series([nodes[i] for i in test[:, 1].tolist()], dtype=object),
            "label": y_test,
        }
    )
    for op in operators:
        clf = _classifier(bool(standardize)).fit(edge_features(tu, tv, op), y_train)
        score = clf.decision_function(edge_features(su, sv, op))
        predictions[f"score_{op}"] = score
        rows.append(
            {
                "operator": op,
                "roc_auc": float(roc_auc_score(y_test, score)),
                "average_precision": float(average_precision_score(y_test, score)),
                "n_train": int(len(y_train)),
                "n_test": int(len(y_test)),
            }
        )
    df = pd.DataFrame(rows, columns=["operator", "roc_auc", "average_precision", "n_train", "n_test"])
    df.attrs["protocol"] = describe_link_protocol(classifier_protocol, bool(standardize))
    return (df, predictions) if return_predictions else df


def link_prediction(
    graph: CSRGraph,
    model: Any,
    test_fraction: float = 0.5,
    seed: int = 0,
    operators: Sequence[str] = DEFAULT_OPERATORS,
    return_predictions: bool = False,
    *,
    classifier_protocol: str = "residual",
    standardize: bool = True,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Link prediction with the node2vec protocol: split, fit on the residual graph, score.

    Parameters
    ----------
    graph : CSRGraph, networkx graph, scipy sparse matrix or pandas DataFrame
        Full graph (see :func:`train_test_split_edges`).
    model : estimator
        Any object with ``fit(graph) -> self`` that sets ``embedding_`` (an
        :class:`~graphemb.Embedding`), e.g. ``graphemb.Node2Vec(...)``.  It is
        cloned first (``sklearn.base.clone`` when it has ``get_params``, a deep
        copy otherwise), so the object passed in is left unfitted.
    test_fraction : float, default 0.5
        Fraction of edges held out (the paper uses 0.5).
    seed : int, default 0
        Seed of the edge split (the model keeps its own ``seed``).
    operators : sequence of str, default ("hadamard", "average", "l1", "l2")
        Edge-feature operators.
    return_predictions : bool, default False
        Also return the held-out pairs (original node ids) with their scores.
    classifier_protocol : {"residual", "half"}, default "residual"
    standardize : bool, default True
        See :func:`score_link_prediction`.

    Returns
    -------
    pandas.DataFrame, or (pandas.DataFrame, pandas.DataFrame)
        As :func:`score_link_prediction`.

    See Also
    --------
    train_test_split_edges, score_link_prediction : the two steps, for embeddings made elsewhere.
    """
    owner = "link_prediction"
    graph = _check_graph(graph, owner)
    operators = check_operators(operators, owner)
    if not callable(getattr(model, "fit", None)):
        raise TypeError(
            f"The 'model' parameter of {owner} must have a fit(graph) method that sets embedding_. "
            f"Got {type(model).__name__} instead."
        )
    split = train_test_split_edges(graph, test_fraction=test_fraction, seed=seed)
    if hasattr(model, "get_params"):
        from sklearn.base import clone

        model = clone(model)
    else:
        model = copy.deepcopy(model)
    fitted = model.fit(split.graph)
    embedding = getattr(fitted if fitted is not None else model, "embedding_", None)
    if embedding is None:
        raise TypeError(f"{owner}: {type(model).__name__}.fit did not set an 'embedding_' attribute.")
    result = score_link_prediction(
        embedding,
        split,
        operators=operators,
        return_predictions=return_predictions,
        classifier_protocol=classifier_protocol,
        standardize=standardize,
        seed=seed,
    )
    df = result[0] if return_predictions else result
    df.attrs["protocol"] = f"{test_fraction:g} of the edges held out (split seed {seed}); " + df.attrs["protocol"]
    return result
