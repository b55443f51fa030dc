"""graphemb: node embeddings (DeepWalk, node2vec) with numba random walks and skip-gram.

Data flows one way: input -> :class:`CSRGraph` -> walk kernels -> :class:`WalkCorpus`
-> SGNS trainer -> ``Embedding`` -> evaluators.
"""

from __future__ import annotations

from . import datasets, evaluation, graph
from .corpus import WalkCorpus
from .embedding import Embedding
from .graph.csr import CSRGraph
from .graph.io import read_edgelist
from .models import DeepWalk, Node2Vec
from .sgns import SGNS
from .shards import ShardedCorpus, read_walks, write_walks
from .tuning import TuneResult, tune
from .walks import WalkStream, iter_random_walks, random_walks

__version__ = "0.1.0"

__all__ = [
    "CSRGraph",
    "DeepWalk",
    "Embedding",
    "Node2Vec",
    "SGNS",
    "ShardedCorpus",
    "TuneResult",
    "WalkCorpus",
    "WalkStream",
    "__version__",
    "datasets",
    "evaluation",
    "graph",
    "iter_random_walks",
    "random_walks",
    "read_edgelist",
    "read_walks",
    "write_walks",
    "tune",
]
