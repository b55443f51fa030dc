"""Skip-gram with negative sampling: the one trainer shared by DeepWalk and node2vec.

Public entry point: :class:`SGNS`.  Kernels live in :mod:`graphemb.sgns._kernels`;
see docs/training.md for the algorithm, the batching and the guarantees.
"""

from __future__ import annotations

from .trainer import SGNS

__all__ = ["SGNS"]
