"""Graphs: the CSRGraph type and everything that builds one.

A one-way stack: ``csr`` (the type) at the bottom; ``convert`` (networkx,
edge arrays), ``io`` (edge lists, adjacency lists, ``.mat`` files, labels)
and ``knn`` (k-nearest-neighbour, epsilon-ball and similarity-matrix graphs
over feature vectors, docs/image-graphs.md) above it.  Importing the package
imports ``convert`` and ``io``, which register the ``CSRGraph.from_networkx``,
``CSRGraph.from_edgelist`` and ``CSRGraph.to_networkx`` entry points.
"""

from __future__ import annotations

from . import convert, io  # noqa: F401 - registers the CSRGraph entry points
from .csr import CSRGraph
from .knn import (
    EXACT_MAX_NODES,
    KNN_METRICS,
    MIN_WEIGHT,
    WEIGHTINGS,
    connected_components,
    epsilon_graph,
    from_similarity_matrix,
    knn_graph,
)

__all__ = [
    "EXACT_MAX_NODES",
    "KNN_METRICS",
    "MIN_WEIGHT",
    "WEIGHTINGS",
    "CSRGraph",
    "connected_components",
    "epsilon_graph",
    "from_similarity_matrix",
    "knn_graph",
]
