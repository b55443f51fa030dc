"""``Embedding``: learned vectors keyed by the original node ids.

The trainer produces a float32 matrix; this object owns the mapping between
node ids and rows, similarity queries and file formats (like gensim's
``KeyedVectors``, which is separate from its ``Word2Vec`` trainer).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence

import numpy as np

__all__ = ["Embedding"]


class Embedding:
    """Node vectors addressed by original node id.

    Parameters
    ----------
    nodes : sequence of hashable
        Node ids, ``nodes[i]`` owns row ``i`` of ``vectors``.  Ids must be unique.
    vectors : array of shape (len(nodes), dimensions)
        Stored as C-contiguous float32.

    Attributes
    ----------
    nodes : list
    vectors : ndarray of float32, shape (n, d)
    """

    def __init__(self, nodes: Sequence[Hashable], vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        nodes = list(nodes)
        if vectors.ndim != 2:
            raise ValueError(f"vectors must be 2-D (n, dimensions); got shape {vectors.shape}.")
        if vectors.shape[0] != len(nodes):
            raise ValueError(f"{len(nodes)} node ids but {vectors.shape[0]} vectors.")
        index = {}
        for i, v in enumerate(nodes):
            if v in index:
                raise ValueError(f"node id {v!r} appears twice.")
            index[v] = i
        self.nodes = nodes
        self.vectors = vectors
        self._index = index

    # ------------------------------------------------------------------ access
    @property
    def dimensions(self) -> int:
        """Length of each vector."""
        return int(self.vectors.shape[1])

    def __len__(self) -> int:
        return len(self.nodes)

    def __contains__(self, node: Hashable) -> bool:
        try:
            return node in self._index
        except TypeError:
            return False

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self.nodes)

    def __getitem__(self, node: Hashable) -> np.ndarray:
        return self.vectors[self.index_of(node)]

    def __repr__(self) -> str:
        return f"Embedding({len(self)} nodes, {self.dimensions} dimensions)"

    def index_of(self, node: Hashable) -> int:
        """Row of ``node``; ``KeyError`` naming the node if unknown."""
        try:
            return self._index[node]
        except (KeyError, TypeError):
            raise KeyError(f"node {node!r} is not in the embedding") from None

    def indices_of(self, nodes: Sequence[Hashable]) -> np.ndarray:
        """Rows (int64) of several nodes; ``KeyError`` names the first unknown one."""
        return np.fromiter((self.index_of(v) for v in nodes), dtype=np.int64, count=len(nodes))

    def get_vectors(self, nodes: Sequence[Hashable]) -> np.ndarray:
        """Vectors of ``nodes`` as an (len(nodes), d) float32 array (a copy)."""
        return self.vectors[self.indices_of(nodes)]
