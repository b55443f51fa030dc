"""graphemb: node embeddings (DeepWalk, node2vec) with numba random walks and skip-gram.

Data flows one way: input -> :class:`CSRGraph` -> walk kernels -> :class:`WalkCorpus`
-> SGNS trainer -> ``Embedding`` -> evaluators.
"""

from __future__ import annotations

from .corpus import WalkCorpus
from .graph.csr import CSRGraph

__version__ = "0.1.0"

__all__ = ["CSRGraph", "WalkCorpus", "__version__"]
