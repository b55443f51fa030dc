"""Node classification with the DeepWalk / node2vec protocol.

Protocol (Perozzi et al., KDD 2014, section 6; Grover & Leskovec, KDD 2016, section 4.3)
----------------------------------------------------------------------------------------
For each of ``repeats`` random permutations of the labelled nodes and each
training ratio ``r``, the first ``round(r * n)`` nodes of the permutation train a
one-vs-rest L2-regularised logistic regression (liblinear, ``C = 1``: the
classifier of the DeepWalk scoring script, scikit-learn's default solver at the
time); each test node then receives its ``k`` most probable labels, ``k`` being
its true number of labels.  Micro-F1 and Macro-F1 (labels absent from both truth
and prediction count 0, as in the DeepWalk script) are averaged over repeats.
The same permutations serve every ratio, as in that script.  Optional:
per-label ROC-AUC averaged over labels with both classes in the test fold (the
PecanPy protocol).
"""

from __future__ import annotations

import logging
import math
import numbers
import os
import sys
import warnings
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, TextIO

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..embedding import Embedding
from ..graph.io import read_labels

__all__ = ["METRICS", "format_table", "node_classification", "normalize_labels", "print_table"]

logger = logging.getLogger(__name__)

#: Metrics :func:`node_classification` can report.
METRICS = ("micro_f1", "macro_f1", "roc_auc")


# ------------------------------------------------------------------- labels
def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _as_label_list(value: Any) -> list:
    if _is_missing(value):
        return []
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return [value.item() if isinstance(value, np.generic) else value]
    out = []
    for v in value:
        if not _is_missing(v):
            out.append(v.item() if isinstance(v, np.generic) else v)
    return list(dict.fromkeys(out))


def normalize_labels(labels: Any) -> dict[Hashable, list]:
    """Turn any accepted label input into ``{node: [label, ...]}`` (unlabelled nodes dropped).

    Parameters
    ----------
    labels : mapping, pandas.Series, pandas.DataFrame, scipy sparse matrix, ndarray, str or path
        - mapping ``node -> label`` or ``node -> iterable of labels`` (``None``,
          NaN or an empty list mean "no label");
        - Series indexed by node with a label (or list of labels) per entry;
          a repeated index adds labels;
        - DataFrame with columns ``node`` and ``label`` (else its first two
          columns), one row per (node, label);
        - path of a labels file, ``node<TAB>label`` per line (see
          :func:`graphemb.graph.io.read_labels`);
        - an (n, c) label indicator matrix (scipy sparse or 2-D ndarray, the
          ``group`` matrix of the DeepWalk/node2vec ``.mat`` files): row ``i``
          is node ``i`` and column ``j`` label ``j``, like a graph given as a
          matrix (nodes ``0..n-1``).

    Returns
    -------
    dict
        Node id -> list of distinct labels, in input order.

    Raises
    ------
    TypeError
        For any other input type.
    ValueError
        For a DataFrame with fewer than two columns.
    """
    if isinstance(labels, (str, os.PathLike)):
        return read_labels(labels)
    if sp.issparse(labels) or (isinstance(labels, np.ndarray) and labels.ndim == 2):
        ind = sp.coo_array(sp.csr_array(labels))
        keep = ind.data != 0
        rows, cols = ind.row[keep].astype(np.int64), ind.col[keep].astype(np.int64)
        order = np.lexsort((cols, rows))
        matrix_labels: dict[Hashable, list] = {}
        for i, j in zip(rows[order].tolist(), cols[order].tolist(), strict=True):
            matrix_labels.setdefault(i, []).append(j)
        return matrix_labels
    out: dict[Hashable, list] = {}

    def add(node: Any, value: Any) -> None:
        node = node.item() if isinstance(node, np.generic) else node
        items = _as_label_list(value)
        if items:
            cur = out.setdefault(node, [])
            cur.extend(x for x in items if x not in cur)

    if isinstance(labels, pd.DataFrame):
        if {"node", "label"} <= set(labels.columns):
            nodes, values = labels["node"], labels["label"]
        elif labels.shape[1] >= 2:
            nodes, values = labels.iloc[:, 0], labels.iloc[:, 1]
        else:
            raise ValueError(
                "The 'labels' DataFrame must have columns 'node' and 'label' (or two columns node, label). "
                f"Got columns {list(labels.columns)} instead."
            )
        for node, value in zip(nodes.tolist(), values.tolist(), strict=True):
            add(node, value)
    elif isinstance(labels, pd.Series):
        for node, value in zip(labels.index.tolist(), labels.tolist(), strict=True):
            add(node, value)
    elif isinstance(labels, Mapping):
        for node, value in labels.items():
            add(node, value)
    else:
        raise TypeError(
            "The 'labels' parameter must be a dict node -> label(s), a pandas Series or DataFrame, or a labels "
            f"file path. Got {type(labels).__name__} instead."
        )
    return out


def _sorted_classes(values: Iterable) -> list:
    classes = set(values)
    try:
        return sorted(classes)
    except TypeError:
        return sorted(classes, key=repr)


def _match_nodes(embedding: Any, labels: dict, owner: str) -> np.ndarray:
    missing = [v for v in labels if v not in embedding]
    if missing:
        v = missing[0]
        hint = ""
        alt = str(v) if not isinstance(v, str) else (int(v) if v.lstrip("-").isdigit() else None)
        if alt is not None and alt in embedding:
            hint = f" The embedding has {alt!r} ({type(alt).__name__}): the id types differ."
        raise ValueError(
            f"{owner}: {len(missing)} labelled node(s) have no vector in the embedding, e.g. {v!r}.{hint} "
            "Pass labels only for embedded nodes, or embed the graph the labels belong to."
        )
    return embedding.indices_of(list(labels))


def _check_ratios(train_ratios: Any, owner: str) -> tuple[float, ...]:
    if isinstance(train_ratios, numbers.Real):
        train_ratios = (train_ratios,)
    try:
        ratios = tuple(float(r) for r in train_ratios)
    except (TypeError, ValueError):
        ratios = ()
    if not ratios or any(not 0.0 < r < 1.0 for r in ratios):
        raise ValueError(
            f"The 'train_ratios' parameter of {owner} must be a float or a sequence of floats in (0, 1). "
            f"Got {train_ratios!r} instead."
        )
    return ratios


def _check_metrics(metrics: Any, owner: str) -> tuple[str, ...]:
    if isinstance(metrics, str):
        metrics = (metrics,)
    metrics = tuple(metrics)
    if not metrics or any(m not in METRICS for m in metrics):
        opts = ", ".join(repr(m) for m in METRICS)
        raise ValueError(
            f"The 'metrics' parameter of {owner} must be a non-empty sequence of {opts}. Got {metrics!r} instead."
        )
    return metrics


# --------------------------------------------------------------- protocol
def top_k_predictions(proba: np.ndarray, k: np.ndarray) -> np.ndarray:
    """0/1 matrix marking, per row, the ``k[i]`` columns with the highest scores.

    Parameters
    ----------
    proba : ndarray, shape (n, c)
        Scores (e.g. per-label probabilities).
    k : ndarray of int, shape (n,)
        Labels to predict per row (the true label count in the protocol).

    Returns
    -------
    ndarray of int8, shape (n, c)
        Ties are broken towards the lower column index (stable sort).
    """
    n, c = proba.shape
    order = np.argsort(-proba, axis=1, kind="stable")
    take = np.arange(c)[None, :] < np.asarray(k)[:, None]
    pred = np.zeros((n, c), dtype=np.int8)
    pred[np.nonzero(take)[0], order[take]] = 1
    return pred


def _one_split(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    metrics: tuple[str, ...],
    n_jobs: int | None,
) -> dict[str, float]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score, roc_auc_score
    from sklearn.multiclass import OneVsRestClassifier

    clf = OneVsRestClassifier(LogisticRegression(solver="liblinear", C=1.0, random_state=0), n_jobs=n_jobs)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Label .* is present in all training examples")
        warnings.filterwarnings("ignore", message="Label not .* present in all training examples")
        clf.fit(x_train, y_train)
    proba = clf.predict_proba(x_test)
    pred = top_k_predictions(proba, y_test.sum(axis=1))
    out = {}
    if "micro_f1" in metrics:
        out["micro_f1"] = float(f1_score(y_test, pred, average="micro", zero_division=0))
    if "macro_f1" in metrics:
        out["macro_f1"] = float(f1_score(y_test, pred, average="macro", zero_division=0))
    if "roc_auc" in metrics:
        pos = y_test.sum(axis=0)
        cols = np.flatnonzero((pos > 0) & (pos < y_test.shape[0]))
        aucs = [roc_auc_score(y_test[:, j], proba[:, j]) for j in cols]
        out["roc_auc"] = float(np.mean(aucs)) if aucs else float("nan")
    return out


def node_classification(
    embedding: Embedding,
    labels: Any,
    train_ratios: float | Sequence[float] = (0.1, 0.5, 0.9),
    repeats: int = 10,
    seed: int = 0,
    multilabel: bool | None = None,
    metrics: Sequence[str] = ("micro_f1", "macro_f1"),
    verbose: bool = True,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Evaluate an embedding by multi-label node classification (DeepWalk/node2vec protocol).

    Parameters
    ----------
    embedding : Embedding or fitted model
        Node vectors (``graphemb.Embedding`` or any object with ``indices_of``,
        ``vectors`` and ``in``), or a fitted model (its ``embedding_``), e.g.
        ``Node2Vec().fit(G)`` for a networkx graph, scipy matrix or DataFrame.
    labels : mapping, pandas.Series, pandas.DataFrame, indicator matrix or path
        Labels per node, see :func:`normalize_labels`.  Nodes without labels are
        left out; a labelled node missing from the embedding is an error.
    train_ratios : float or sequence of float, default (0.1, 0.5, 0.9)
        Fractions of labelled nodes used for training, each in (0, 1).
    repeats : int, default 10
        Random splits per ratio.
    seed : int, default 0
        Seed of the splits; the same seed and label set give the same splits.
    multilabel : bool, optional
        None detects it (True when some node has several labels).  False
        demands exactly one label per node (then Micro-F1 equals accuracy).
        The prediction rule is the same either way: top-k with k the true
        label count (k = 1 for single-label data, i.e. the arg-max).
    metrics : sequence of {"micro_f1", "macro_f1", "roc_auc"}, default ("micro_f1", "macro_f1")
        ``roc_auc`` is the mean per-label ROC-AUC over labels with both classes
        in the test fold.
    verbose : bool, default True
        Progress bar over repeats and a printed summary table.
    n_jobs : int, optional
        Parallel jobs for the one-vs-rest classifiers (joblib).

    Returns
    -------
    pandas.DataFrame
        One row per (train ratio, metric): ``train_ratio``, ``metric``, ``mean``,
        ``std`` (sample std over repeats, 0 when ``repeats == 1``), ``repeats``,
        ``n_train``, ``n_test``.  ``df.attrs["scores"]`` holds the per-repeat
        scores ``{(ratio, metric): [..]}``; ``df.attrs["protocol"]`` a summary.

    Raises
    ------
    ValueError
        Bad parameters, fewer than 2 labelled nodes or labels, a labelled node
        not in the embedding (named in the message), or several labels per node
        with ``multilabel=False``.

    Notes
    -----
    Splits: for repeat ``r`` the labelled nodes, in the embedding's row order,
    are permuted by ``numpy.random.default_rng(SeedSequence([seed, r]))``; ratio
    ``t`` trains on the first ``round(t * n)`` (at least 1, at most ``n - 1``).

    Examples
    --------
    >>> import numpy as np
    >>> from graphemb.embedding import Embedding
    >>> emb = Embedding(range(40), np.repeat(np.eye(2), 20, axis=0) + 0.01)
    >>> labels = {i: i // 20 for i in range(40)}
    >>> df = node_classification(emb, labels, train_ratios=0.5, repeats=2, verbose=False)
    >>> df["mean"].round(2).tolist()
    [1.0, 1.0]
    """
    owner = "node_classification"
    ratios = _check_ratios(train_ratios, owner)
    if isinstance(repeats, bool) or not isinstance(repeats, numbers.Integral) or repeats < 1:
        raise ValueError(f"The 'repeats' parameter of {owner} must be an int >= 1. Got {repeats!r} instead.")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"The 'seed' parameter of {owner} must be a non-negative int. Got {seed!r} instead.")
    metrics = _check_metrics(metrics, owner)
    if multilabel is not None and not isinstance(multilabel, (bool, np.bool_)):
        raise ValueError(f"The 'multilabel' parameter of {owner} must be a bool or None. Got {multilabel!r} instead.")
    if not hasattr(embedding, "indices_of") and hasattr(embedding, "embedding_"):
        embedding = embedding.embedding_  # a fitted model
    if not hasattr(embedding, "indices_of") or not hasattr(embedding, "vectors"):
        raise TypeError(
            f"The 'embedding' parameter of {owner} must be a graphemb.Embedding. Got {type(embedding).__name__} "
            "instead; wrap raw vectors with Embedding(nodes, vectors) or pass model.embedding_."
        )
    label_map = normalize_labels(labels)
    if len(label_map) < 2:
        raise ValueError(f"{owner}: needs at least 2 labelled nodes; got {len(label_map)}.")
    max_labels = max(len(v) for v in label_map.values())
    if multilabel is False and max_labels > 1:
        node = next(k for k, v in label_map.items() if len(v) > 1)
        raise ValueError(
            f"The 'multilabel' parameter of {owner} is False but node {node!r} has {len(label_map[node])} labels; "
            "pass multilabel=True or None."
        )
    is_multilabel = bool(max_labels > 1) if multilabel is None else bool(multilabel)
    classes = _sorted_classes(lab for labs in label_map.values() for lab in labs)
    if len(classes) < 2:
        raise ValueError(f"{owner}: needs at least 2 distinct labels; got {classes!r}.")
    rows = _match_nodes(embedding, label_map, owner)
    order = np.argsort(rows, kind="stable")
    nodes = list(label_map)
    class_index = {c: j for j, c in enumerate(classes)}
    y = np.zeros((len(nodes), len(classes)), dtype=np.int8)
    for i, node_pos in enumerate(order.tolist()):
        for lab in label_map[nodes[node_pos]]:
            y[i, class_index[lab]] = 1
    x = np.asarray(embedding.vectors)[rows[order]]
    n = x.shape[0]
    sizes = [min(max(int(round(t * n)), 1), n - 1) for t in ratios]

    scores: dict[tuple[float, str], list[float]] = {(t, m): [] for t in ratios for m in metrics}
    from tqdm.auto import tqdm

    for r in tqdm(range(repeats), desc="node classification", disable=None if verbose else True):
        perm = np.random.default_rng(np.random.SeedSequence([int(seed), r])).permutation(n)
        for t, n_train in zip(ratios, sizes, strict=True):
            train, test = perm[:n_train], perm[n_train:]
            result = _one_split(x[train], y[train], x[test], y[test], metrics, n_jobs)
            for m in metrics:
                scores[(t, m)].append(result[m])
    records = []
    for t, n_train in zip(ratios, sizes, strict=True):
        for m in metrics:
            vals = np.asarray(scores[(t, m)], dtype=np.float64)
            records.append(
                {
                    "train_ratio": t,
                    "metric": m,
                    "mean": float(np.mean(vals)),
                    "std": float(np.std(vals, ddof=1)) if vals.size > 1 else 0.0,
                    "repeats": int(repeats),
                    "n_train": int(n_train),
                    "n_test": int(n - n_train),
                }
            )
    df = pd.DataFrame(records, columns=["train_ratio", "metric", "mean", "std", "repeats", "n_train", "n_test"])
    df.attrs["scores"] = scores
    df.attrs["protocol"] = (
        f"one-vs-rest liblinear LR (C=1), top-k prediction, {'multi' if is_multilabel else 'single'}-label, "
        f"{n} labelled nodes, {len(classes)} labels, seed {seed}"
    )
    logger.info("node classification: %s", df.attrs["protocol"])
    if verbose:
        print_table(df)
    return df


# ------------------------------------------------------------------ tables
def format_table(df: pd.DataFrame, digits: int = 4) -> str:
    """Compact text table of a :func:`node_classification` result (metrics x train ratios).

    Parameters
    ----------
    df : pandas.DataFrame
        With columns ``train_ratio``, ``metric``, ``mean``, ``std``; any other
        DataFrame is formatted as is.
    digits : int, default 4
        Decimals shown.

    Returns
    -------
    str
        Cells read ``mean ± std``.
    """
    if {"train_ratio", "metric", "mean", "std"} <= set(df.columns):
        cells = df.assign(cell=[f"{m:.{digits}f} ± {s:.{digits}f}" for m, s in zip(df["mean"], df["std"], strict=True)])
        table = cells.pivot(index="metric", columns="train_ratio", values="cell")
        table = table.reindex(index=list(dict.fromkeys(df["metric"])))
        table.columns = [f"train {c:g}" for c in table.columns]
        table.index.name = None
        return table.to_string()
    return df.to_string(index=False, float_format=lambda v: f"{v:.{digits}f}")


def print_table(df: pd.DataFrame, digits: int = 4, file: TextIO | None = None) -> None:
    """Print :func:`format_table` of ``df`` (to ``sys.stdout`` by default)."""
    print(format_table(df, digits=digits), file=file if file is not None else sys.stdout)
