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
import scipy.sparse as sp

from .._lazy import LazyModule
from .._validation import check_int, check_seed
from ..embedding import Embedding
from ..graph.io import read_labels

pd = LazyModule("pandas")  # imported on first use (graphemb/_lazy.py)

__all__ = [
    "C_GRID",
    "METRICS",
    "PREDICTIONS",
    "cross_validate_node_classification",
    "describe_options",
    "drop_small_labels",
    "format_table",
    "node_classification",
    "normalize_labels",
    "print_table",
]

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


def _design_matrix(embedding: Any, label_map: dict, owner: str) -> tuple[np.ndarray, np.ndarray, list, list]:
    """Features ``x`` (rows in embedding order), int8 indicator labels ``y``, the sorted classes, the node ids."""
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
    ordered = [nodes[i] for i in order.tolist()]
    return np.asarray(embedding.vectors)[rows[order]], y, classes, ordered


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


#: Prediction rules of :func:`node_classification` (``prediction`` parameter).
PREDICTIONS = ("top-k", "threshold")
#: Inverse regularisation strengths tried when ``C="cv"``.
C_GRID = (0.01, 0.1, 1.0, 10.0, 100.0)
_DEFAULT_OPTIONS = {"prediction": "top-k", "C": 1.0, "c_grid": C_GRID, "c_folds": 3, "min_label_size": 1}


def _check_options(prediction: Any, C: Any, min_label_size: Any, owner: str) -> dict:  # noqa: N803
    """Validate the evaluation options; return the options dict the split functions read."""
    if prediction not in PREDICTIONS:
        opts = ", ".join(repr(o) for o in PREDICTIONS)
        raise ValueError(f"The 'prediction' parameter of {owner} must be one of {opts}. Got {prediction!r} instead.")
    if not (isinstance(C, str) and C == "cv"):
        ok = isinstance(C, numbers.Real) and not isinstance(C, bool) and math.isfinite(float(C)) and float(C) > 0
        if not ok:
            raise ValueError(
                f"The 'C' parameter of {owner} must be a finite float > 0 or 'cv' (chosen by cross-validation "
                f"on each training fold among {C_GRID}). Got {C!r} instead."
            )
        C = float(C)  # noqa: N806
    min_label_size = check_int(min_label_size, "min_label_size", owner, minimum=1)
    return {**_DEFAULT_OPTIONS, "prediction": prediction, "C": C, "min_label_size": min_label_size}


def describe_options(options: dict, repeats: int | None = None) -> str:
    """One-line statement of the evaluation options (printed with every result)."""
    c = options["C"]
    c_text = (
        f"C chosen by {options['c_folds']}-fold CV on each training fold from {list(options['c_grid'])}"
        if (c == "cv")
        else f"C={c:g}"
    )
    pred = (
        "top-k prediction (k = true label count)"
        if options["prediction"] == "top-k"
        else ("thresholded prediction (per-label probability >= 0.5)")
    )
    text = f"one-vs-rest liblinear LR, {c_text}, {pred}, min label size {options['min_label_size']}"
    return text + (f", {repeats} shuffles" if repeats is not None else "")


def drop_small_labels(label_map: dict, min_label_size: int) -> tuple[dict, list]:
    """Remove labels with fewer than ``min_label_size`` nodes (and nodes left with no label).

    Parameters
    ----------
    label_map : dict
        ``{node: [label, ...]}`` (see :func:`normalize_labels`).
    min_label_size : int
        Labels with fewer members are dropped.

    Returns
    -------
    labels : dict
        The remaining labels per node (nodes without any remaining label left out).
    dropped : list
        The dropped labels, sorted.
    """
    if min_label_size <= 1:
        return label_map, []
    sizes: dict = {}
    for labs in label_map.values():
        for lab in labs:
            sizes[lab] = sizes.get(lab, 0) + 1
    dropped = {lab for lab, size in sizes.items() if size < min_label_size}
    if not dropped:
        return label_map, []
    kept = {}
    for node, labs in label_map.items():
        rest = [lab for lab in labs if lab not in dropped]
        if rest:
            kept[node] = rest
    return kept, _sorted_classes(dropped)


def _fit_predict(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    k_test: np.ndarray,
    c: float,
    prediction: str,
    n_jobs: int | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Fit one-vs-rest liblinear LR; return per-label probabilities and 0/1 predictions of ``x_test``."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    clf = OneVsRestClassifier(LogisticRegression(solver="liblinear", C=c, random_state=0), n_jobs=n_jobs)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Label .* is present in all training examples")
        warnings.filterwarnings("ignore", message="Label not .* present in all training examples")
        clf.fit(x_train, y_train)
    proba = clf.predict_proba(x_test)
    if prediction == "top-k":
        pred = top_k_predictions(proba, k_test)
    else:
        pred = (proba >= 0.5).astype(np.int8)
    return proba, pred


def _f1_scores(y_true: np.ndarray, pred: np.ndarray, metrics: Sequence[str]) -> dict[str, float]:
    """Micro/Macro-F1 of 0/1 matrices, as scikit-learn's ``f1_score(..., zero_division=0)``.

    Per label ``F1 = 2 TP / (2 TP + FP + FN)`` (0 when the label is absent from
    both truth and prediction); Macro-F1 is their mean, Micro-F1 the same
    formula on the summed counts.  Plain numpy: O(n c), no input validation cost.
    """
    t = np.asarray(y_true, dtype=bool)
    p = np.asarray(pred, dtype=bool)
    tp = np.count_nonzero(t & p, axis=0).astype(np.float64)
    fp = np.count_nonzero(~t & p, axis=0).astype(np.float64)
    fn = np.count_nonzero(t & ~p, axis=0).astype(np.float64)
    out = {}
    if "micro_f1" in metrics:
        den = 2 * tp.sum() + fp.sum() + fn.sum()
        out["micro_f1"] = float(2 * tp.sum() / den) if den > 0 else 0.0
    if "macro_f1" in metrics:
        den = 2 * tp + fp + fn
        per_label = np.divide(2 * tp, den, out=np.zeros_like(den), where=den > 0)
        out["macro_f1"] = float(per_label.mean()) if per_label.size else 0.0
    return out


def _choose_c(
    x: np.ndarray, y: np.ndarray, prediction: str, grid: Sequence[float], folds: int, n_jobs: int | None
) -> float:
    """The ``C`` of ``grid`` with the best inner-CV Macro-F1 on ``(x, y)`` (ties: the smaller C).

    Cost: ``len(grid) * folds`` one-vs-rest fits on ``(folds - 1) / folds`` of the rows.
    """
    n = x.shape[0]
    folds = max(2, min(folds, n))
    perm = np.random.default_rng(np.random.SeedSequence([n, 0x43])).permutation(n)
    parts = np.array_split(perm, folds)
    best_c, best = float(grid[0]), -1.0
    for c in grid:
        vals = []
        for f in range(folds):
            test = parts[f]
            train = np.concatenate([parts[g] for g in range(folds) if g != f])
            _, pred = _fit_predict(x[train], y[train], x[test], y[test].sum(axis=1), float(c), prediction, n_jobs)
            vals.append(_f1_scores(y[test], pred, ("macro_f1",))["macro_f1"])
        score = float(np.mean(vals))
        if score > best + 1e-12:
            best_c, best = float(c), score
    return best_c


def _one_split(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    metrics: tuple[str, ...],
    n_jobs: int | None,
    options: dict | None = None,
) -> dict[str, float]:
    from sklearn.metrics import roc_auc_score

    opts = options or _DEFAULT_OPTIONS
    c = opts["C"]
    if c == "cv":
        c = _choose_c(x_train, y_train, opts["prediction"], opts["c_grid"], opts["c_folds"], n_jobs)
    proba, pred = _fit_predict(x_train, y_train, x_test, y_test.sum(axis=1), float(c), opts["prediction"], n_jobs)
    out = _f1_scores(y_test, pred, metrics)
    if "roc_auc" in metrics:
        pos = y_test.sum(axis=0)
        cols = np.flatnonzero((pos > 0) & (pos < y_test.shape[0]))
        aucs = [roc_auc_score(y_test[:, j], proba[:, j]) for j in cols]
        out["roc_auc"] = float(np.mean(aucs)) if aucs else float("nan")
    out["C"] = float(c)
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
    *,
    prediction: str = "top-k",
    C: float | str = 1.0,  # noqa: N803
    min_label_size: int = 1,
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
    prediction : {"top-k", "threshold"}, default "top-k"
        ``"top-k"``: each test node gets its ``k`` most probable labels, ``k`` its
        true label count (the DeepWalk protocol).  ``"threshold"``: every label
        whose one-vs-rest probability is at least 0.5 (no use of the test label
        counts; a node may get no label).
    C : float or "cv", default 1.0
        Inverse L2 strength of the logistic regressions.  ``"cv"`` chooses it per
        split among ``C_GRID`` by 3-fold cross-validation (Macro-F1) on the
        training nodes only; the chosen values are in ``df.attrs["C"]``.
    min_label_size : int, default 1
        Labels with fewer labelled nodes are dropped before splitting (their
        number is in ``df.attrs["dropped_labels"]`` and printed when verbose);
        nodes left without a label are left out.

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
    repeats = check_int(repeats, "repeats", owner, minimum=1)
    seed = check_seed(seed, "seed", owner, allow_none=False)
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
    options = _check_options(prediction, C, min_label_size, owner)
    label_map = normalize_labels(labels)
    label_map, dropped = drop_small_labels(label_map, options["min_label_size"])
    if dropped and verbose:
        print(f"{owner}: dropped {len(dropped)} label(s) with fewer than {min_label_size} nodes")
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
    x, y, classes, _ = _design_matrix(embedding, label_map, owner)
    n = x.shape[0]
    sizes = [min(max(int(round(t * n)), 1), n - 1) for t in ratios]

    scores: dict[tuple[float, str], list[float]] = {(t, m): [] for t in ratios for m in metrics}
    chosen_c: dict[float, list[float]] = {t: [] for t in ratios}
    from tqdm.auto import tqdm

    for r in tqdm(range(repeats), desc="node classification", disable=None if verbose else True):
        perm = np.random.default_rng(np.random.SeedSequence([int(seed), r])).permutation(n)
        for t, n_train in zip(ratios, sizes, strict=True):
            train, test = perm[:n_train], perm[n_train:]
            result = _one_split(x[train], y[train], x[test], y[test], metrics, n_jobs, options)
            chosen_c[t].append(result["C"])
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
    df.attrs["options"] = {**options, "c_grid": list(options["c_grid"]), "repeats": int(repeats)}
    df.attrs["C"] = chosen_c
    df.attrs["dropped_labels"] = dropped
    df.attrs["protocol"] = (
        f"{describe_options(options, repeats)}, {'multi' if is_multilabel else 'single'}-label, "
        f"{n} labelled nodes, {len(classes)} labels ({len(dropped)} dropped), seed {seed}"
    )
    logger.info("node classification: %s", df.attrs["protocol"])
    if verbose:
        print_table(df)
    return df


def cross_validate_node_classification(
    embedding: Embedding,
    labels: Any,
    folds: int = 10,
    seed: int = 0,
    metrics: Sequence[str] = ("micro_f1", "macro_f1"),
    *,
    prediction: str = "top-k",
    C: float | str = 1.0,  # noqa: N803
    min_label_size: int = 1,
    n_jobs: int | None = None,
) -> dict[str, Any]:
    """k-fold cross-validated node classification on the given labelled nodes only.

    The scorer of :func:`graphemb.tune` (the node2vec paper selects p and q by
    10-fold cross-validation on 10 % of the labelled nodes).  Only the nodes of
    ``labels`` are read, split into ``folds`` folds; each fold is predicted by a
    classifier trained on the others, as in :func:`node_classification`.

    Parameters
    ----------
    embedding : Embedding
        Node vectors.
    labels : mapping, pandas.Series, pandas.DataFrame or path
        The labelled nodes to cross-validate on (see :func:`normalize_labels`).
    folds : int, default 10
        Number of folds, ``2 <= folds <= number of labelled nodes``.
    seed : int, default 0
        Seed of the fold assignment.
    metrics : sequence of {"micro_f1", "macro_f1"}
    prediction, C, min_label_size, n_jobs
        As in :func:`node_classification`.

    Returns
    -------
    dict
        ``scores``: metric -> F1 of the pooled out-of-fold predictions (every
        node predicted once); ``fold_scores``: metric -> list of per-fold F1;
        ``nodes``: the node ids scored, in the embedding's order; ``folds``;
        ``dropped_labels``; ``protocol``: a one-line statement of the options.

    Raises
    ------
    ValueError
        Fewer labelled nodes than folds, fewer than 2 labels, bad options, or a
        labelled node without a vector.
    """
    owner = "cross_validate_node_classification"
    folds = check_int(folds, "folds", owner, minimum=2)
    seed = check_seed(seed, "seed", owner, allow_none=False)
    metrics = _check_metrics(metrics, owner)
    if "roc_auc" in metrics:
        raise ValueError(f"The 'metrics' parameter of {owner} accepts 'micro_f1' and 'macro_f1' only.")
    options = _check_options(prediction, C, min_label_size, owner)
    label_map, dropped = drop_small_labels(normalize_labels(labels), options["min_label_size"])
    if len(label_map) < folds:
        raise ValueError(
            f"{owner}: {len(label_map)} labelled node(s) cannot make folds={folds} folds; "
            "give more labelled nodes or fewer folds."
        )
    x, y, classes, ordered = _design_matrix(embedding, label_map, owner)
    n = x.shape[0]
    perm = np.random.default_rng(np.random.SeedSequence([int(seed), 0x6376])).permutation(n)  # "cv"
    parts = np.array_split(perm, folds)
    pred = np.zeros_like(y)
    fold_scores: dict[str, list[float]] = {m: [] for m in metrics}
    for f in range(folds):
        test = parts[f]
        train = np.concatenate([parts[g] for g in range(folds) if g != f])
        c = options["C"]
        if c == "cv":
            c = _choose_c(x[train], y[train], options["prediction"], options["c_grid"], options["c_folds"], n_jobs)
        _, fold_pred = _fit_predict(x[train], y[train], x[test], y[test].sum(axis=1), float(c), prediction, n_jobs)
        pred[test] = fold_pred
        for m, v in _f1_scores(y[test], fold_pred, metrics).items():
            fold_scores[m].append(v)
    return {
        "scores": _f1_scores(y, pred, metrics),
        "fold_scores": fold_scores,
        "nodes": ordered,
        "folds": int(folds),
        "dropped_labels": dropped,
        "protocol": f"{folds}-fold cross-validation on {n} labelled nodes (pooled out-of-fold F1), "
        + describe_options(options),
    }


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
