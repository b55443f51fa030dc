"""Evaluators: node classification and link prediction with the papers' protocols.

See ``docs/evaluation.md`` for the exact protocols.
"""

from __future__ import annotations

from .link_prediction import (
    CLASSIFIER_PROTOCOLS,
    OPERATORS,
    EdgeSplit,
    describe_link_protocol,
    edge_features,
    link_prediction,
    score_link_prediction,
    train_test_split_edges,
)
from .node_classification import (
    C_GRID,
    METRICS,
    PREDICTIONS,
    cross_validate_node_classification,
    describe_options,
    drop_small_labels,
    format_table,
    node_classification,
    normalize_labels,
    print_table,
)

__all__ = [
    "CLASSIFIER_PROTOCOLS",
    "C_GRID",
    "METRICS",
    "OPERATORS",
    "PREDICTIONS",
    "EdgeSplit",
    "cross_validate_node_classification",
    "describe_link_protocol",
    "describe_options",
    "drop_small_labels",
    "edge_features",
    "format_table",
    "link_prediction",
    "node_classification",
    "normalize_labels",
    "print_table",
    "score_link_prediction",
    "train_test_split_edges",
]
