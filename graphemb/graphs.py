"""Build graphs from data: k-nearest-neighbour, epsilon-ball and similarity-matrix graphs.

The public home of the builders in :mod:`graphemb.graph.knn`::

    from graphemb.graphs import knn_graph
    graph = knn_graph(images.reshape(len(images), -1), k=10)      # -> CSRGraph
    embedding = graphemb.Node2Vec(dimensions=64).fit(graph).embedding_

See docs/image-graphs.md for choosing ``k`` and the weighting.
"""

from __future__ import annotations

from .graph.knn import (
    EXACT_MAX_NODES,
    METRICS,
    MIN_WEIGHT,
    WEIGHTINGS,
    connected_components,
    epsilon_graph,
    from_similarity_matrix,
    knn_graph,
)

__all__ = [
    "EXACT_MAX_NODES",
    "METRICS",
    "MIN_WEIGHT",
    "WEIGHTINGS",
    "connected_components",
    "epsilon_graph",
    "from_similarity_matrix",
    "knn_graph",
]
