"""Evaluators: node classification and link prediction with the papers' protocols.

See ``docs/evaluation.md`` for the exact protocols.
"""

from __future__ import annotations

from .link_prediction import (
    OPERATORS,
    EdgeSplit,
    edge_features,
    link_prediction,
    score_link_prediction,
    train_test_split_edges,
)
from .node_classification import METRICS, format_table, node_classification, normalize_labels, print_table

__all__ = [
    "METRICS",
    "OPERATORS",
    "EdgeSplit",
    "edge_features",
    "format_table",
    "link_prediction",
    "node_classification",
    "normalize_labels",
    "print_table",
    "score_link_prediction",
    "train_test_split_edges",
]
