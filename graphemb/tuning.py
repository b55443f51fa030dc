"""Grid search of node2vec's p and q with the paper's selection protocol: :func:`tune`.

Protocol (Grover & Leskovec, KDD 2016, sections 4.3-4.4)
--------------------------------------------------------
Node classification
    A random ``tuning_fraction`` (default 10 %) of the labelled nodes is drawn
    (never from ``exclude``, e.g. the nodes you will test on).  For every grid
    point an embedding of the whole graph is learnt (labels are not used to
    learn it) and scored by ``folds``-fold (default 10) cross-validation on the
    tuning nodes alone: pooled out-of-fold Macro-F1 (or Micro-F1) of the
    one-vs-rest logistic regressions of :func:`~graphemb.evaluation.node_classification`.
    No other node's label is read.
Link prediction
    ``test_fraction`` of the edges is held out first (the test split; its
    edges are never seen), then ``validation_fraction`` of the remaining
    training graph's edges is held out again (the validation split).  Every grid
    point is fitted on the validation split's residual graph and scored on its
    held-out pairs for every edge operator; the best ``(p, q, operator)`` by
    ROC-AUC is chosen.

Shared work is done once: the graph is converted (or read) once, the CSR and
the first-order alias tables (weighted graphs) are built once, the tuning nodes
and the label matrix once, the edge splits once.  Each grid point then costs
one walk pass, one SGNS fit and one scoring.  Time: ``G * (walks + training +
scoring)`` for ``G`` grid points; memory: one walk corpus and one embedding at a
time (as one :class:`~graphemb.Node2Vec` fit).

Resuming: with ``checkpoint=PATH`` every finished grid point is written to
``PATH`` (JSON, atomically: temporary file then rename) and a later call with
the same protocol skips the points already there.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import math
import numbers
import os
import sys
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np

from ._atomic import atomic_write_json
from ._lazy import LazyModule
from ._validation import check_int, check_seed
from .embedding import Embedding
from .evaluation import (
    CLASSIFIER_PROTOCOLS,
    PREDICTIONS,
    cross_validate_node_classification,
    normalize_labels,
    score_link_prediction,
    train_test_split_edges,
)
from .evaluation.link_prediction import DEFAULT_OPERATORS, check_operators
from .graph.csr import CSRGraph
from .graph.io import read_edgelist
from .models import IN_MEMORY_CORPUS_BYTES, Node2Vec, derive_seeds
from .presets import preset_params
from .sgns import SGNS
from .walks import WalkStream

pd = LazyModule("pandas")  # imported on first use (graphemb/_lazy.py)

__all__ = ["DEFAULT_GRID", "TASKS", "TuneResult", "tune"]

logger = logging.getLogger(__name__)

#: The node2vec paper's grid for p and q.
DEFAULT_GRID = (0.25, 0.5, 1.0, 2.0, 4.0)
#: Tasks :func:`tune` selects for.
TASKS = ("node-classification", "link-prediction")
_FORMAT = "graphemb-tune/1"


# ------------------------------------------------------------------ result
@dataclass
class TuneResult:
    """Outcome of :func:`tune`.

    Attributes
    ----------
    best : dict
        The chosen ``p``, ``q`` (and ``operator`` for link prediction) and its ``score``.
    scores : pandas.DataFrame
        One row per grid point (per operator for link prediction): ``p``, ``q``,
        [``operator``], ``score`` and the other metrics measured, ``fit_s``, ``score_s``.
    params : dict
        Node2Vec parameters of the chosen point (preset, overrides, best p and q).
    protocol : dict
        Everything the selection depended on (task, grid, metric, fractions,
        folds, seeds, preset, graph and label fingerprints).
    tuning_nodes : list
        Node classification: the labelled nodes scored (the only labels read).
    split : EdgeSplit or None
        Link prediction: the outer train/test split; its test pairs were never
        used.  Fit the chosen model on ``split.graph`` and score on it.
    """

    best: dict
    scores: pd.DataFrame
    params: dict
    protocol: dict
    tuning_nodes: list = field(default_factory=list)
    split: Any = None

    def model(self, **overrides: Any) -> Node2Vec:
        """A :class:`~graphemb.Node2Vec` with the chosen parameters (``overrides`` win)."""
        return Node2Vec(**{**self.params, **overrides})

    def to_dict(self) -> dict:
        """JSON-ready summary: chosen parameters, every grid point's score, the protocol."""
        return {
            "format": _FORMAT,
            "best": self.best,
            "params": self.params,
            "grid": _records(self.scores),
            "protocol": self.protocol,
            "tuning_nodes": [_jsonable(v) for v in self.tuning_nodes],
        }

    def save(self, path: str | os.PathLike) -> None:
        """Write :meth:`to_dict` as JSON to ``path`` atomically (temporary name, then rename)."""
        _write_json(path, {**self.to_dict(), "created": _now()})

    def heatmap(self, operator: str | None = None) -> pd.DataFrame:
        """Score table with p as rows and q as columns (link prediction: for ``operator``, default the best)."""
        df = self.scores
        if "operator" in df.columns:
            df = df[df["operator"] == (operator or self.best["operator"])]
        return df.pivot_table(index="p", columns="q", values="score")


def _records(df: pd.DataFrame) -> list[dict]:
    return [{k: _jsonable(v) for k, v in row.items()} for row in df.to_dict("records")]


def _jsonable(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_json(path: str | os.PathLike, obj: dict) -> None:
    atomic_write_json(path, obj, indent=1, default=str)


# -------------------------------------------------------------- validation
def _check_values(values: Any, name: str) -> tuple[float, ...]:
    if isinstance(values, numbers.Real) and not isinstance(values, bool):
        values = (values,)
    try:
        vals = tuple(values)
    except TypeError:
        raise ValueError(
            f"The '{name}' parameter of tune must be a non-empty list of floats > 0. Got {values!r}."
        ) from None
    if not vals:
        raise ValueError(f"The '{name}' parameter of tune must be a non-empty list of floats > 0. Got an empty list.")
    out = []
    for v in vals:
        ok = isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(float(v)) and float(v) > 0
        if not ok:
            raise ValueError(
                f"The '{name}' parameter of tune must hold finite floats > 0 (node2vec's {name} divides "
                f"transition weights). Got {v!r} in {list(vals)!r}."
            )
        out.append(float(v))
    return tuple(dict.fromkeys(out))


def _check_grid(p: Any, q: Any, grid: Any) -> list[tuple[float, float]]:
    if grid is None:
        return list(product(_check_values(p, "p"), _check_values(q, "q")))
    try:
        pairs = [tuple(pq) for pq in grid]
    except TypeError:
        pairs = [()]
    if not pairs:
        raise ValueError("The 'grid' parameter of tune must be a non-empty list of (p, q) pairs. Got an empty list.")
    if any(len(pq) != 2 for pq in pairs):
        raise ValueError(f"The 'grid' parameter of tune must be a list of (p, q) pairs. Got {grid!r}.")
    out = [(_check_values(a, "p")[0], _check_values(b, "q")[0]) for a, b in pairs]
    return list(dict.fromkeys(out))


def _check_fraction(value: Any, name: str) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and 0.0 < float(value) < 1.0
    if not ok:
        raise ValueError(f"The '{name}' parameter of tune must be a float in (0, 1). Got {value!r} instead.")
    return float(value)


def _as_csr(graph: Any, directed: bool | None, weighted: bool | None) -> CSRGraph:
    if isinstance(graph, (str, os.PathLike)):
        if not os.path.isfile(graph):
            raise ValueError(f"The 'graph' parameter of tune: no such file {os.fspath(graph)!r}.")
        return read_edgelist(graph, weighted=weighted, directed=bool(directed))
    return Node2Vec(directed=directed)._as_graph(graph)


def _fingerprint(*arrays: np.ndarray) -> str:
    h = hashlib.sha1()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(str((a.dtype, a.shape)).encode())
        h.update(a.tobytes())
    return h.hexdigest()[:16]


def _labels_fingerprint(labels: dict) -> str:
    h = hashlib.sha1()
    for node in sorted(labels, key=repr):
        h.update(repr((node, sorted(map(repr, labels[node])))).encode())
    return h.hexdigest()[:16]


def _draw_tuning_nodes(
    graph: CSRGraph, labels: dict, exclude: Any, fraction: float, folds: int, seed: int
) -> tuple[list[Hashable], int]:
    """The labelled nodes to tune on (graph order), never from ``exclude``; and the labelled count."""
    in_graph = set(graph.nodes)
    unknown = [v for v in labels if v not in in_graph]
    if unknown:
        v = unknown[0]
        alt = str(v) if not isinstance(v, str) else (int(v) if v.lstrip("-").isdigit() else None)
        hint = f" The graph has {alt!r}: the id types differ." if alt is not None and alt in in_graph else ""
        raise ValueError(
            f"tune: {len(unknown)} labelled node(s) are not nodes of the graph, e.g. {v!r}.{hint} "
            "Pass labels of this graph's nodes only."
        )
    excluded = set() if exclude is None else set(exclude)
    labelled = [v for v in graph.nodes if v in labels]
    candidates = [v for v in labelled if v not in excluded]
    n_tune = min(int(round(fraction * len(labelled))), len(candidates))
    if n_tune < folds:
        need = folds / max(len(labelled), 1)
        raise ValueError(
            f"The 'tuning_fraction' parameter of tune is {fraction:g}: {fraction:g} of {len(labelled)} labelled "
            f"node(s) ({len(candidates)} outside 'exclude') gives {n_tune} tuning node(s), fewer than folds={folds}. "
            + (
                f"Use tuning_fraction >= {need:.3g} or fewer folds."
                if need < 1
                else "Label more nodes or use fewer folds."
            )
        )
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x74756E65]))  # "tune"
    chosen = np.sort(rng.choice(len(candidates), size=n_tune, replace=False))
    return [candidates[i] for i in chosen.tolist()], len(labelled)


# ------------------------------------------------------------------ fitting
class _Fitter:
    """Fits one embedding per (p, q, run seed) on one graph; the CSR and alias tables are shared by all."""

    def __init__(self, graph: CSRGraph, params: dict) -> None:
        self.graph = graph
        self.params = params
        self.base = WalkStream(
            graph, params["walk_length"], params["num_walks"], weighted=params.get("weighted"), seed=0,
            workers=params.get("workers"), verbose=False,
        )  # fmt: skip

    def fit(self, p: float, q: float, run_seed: int) -> Embedding:
        """The embedding ``Node2Vec(p=p, q=q, seed=run_seed)`` would learn (walk and training seeds derived alike)."""
        walk_seed, train_seed = derive_seeds(run_seed)
        stream = self.base.variant(p=p, q=q, seed=walk_seed)  # graph, start nodes, alias tables shared
        prm = self.params
        trainer = SGNS(
            dimensions=prm["dimensions"], window=prm["window"], negative=prm["negative"],
            ns_exponent=prm.get("ns_exponent", 0.75), alpha=prm["alpha"], min_alpha=prm["min_alpha"],
            sample=prm.get("sample", 1e-3), epochs=prm["epochs"], workers=prm.get("workers"), seed=train_seed,
            verbose=False,
        )  # fmt: skip
        n = self.graph.num_nodes
        if 4 * (stream.max_tokens + stream.num_walks_total) <= IN_MEMORY_CORPUS_BYTES:
            corpus = stream.to_corpus()
            trainer.fit(corpus, num_nodes=n, node_counts=corpus.node_counts(n))
        else:
            trainer.fit(stream, num_nodes=n)
        return Embedding(self.graph.nodes, trainer.input_vectors_)


def _score_point(
    emb: Embedding, pp: float, qq: float, metric: str, classification: bool, tuning_labels: dict | None,
    validation: Any, folds: int, seed: int, prediction: str, operators: Sequence[str], classifier_protocol: str,
) -> list[dict]:  # fmt: skip
    """The score rows of one fitted grid point (one row, or one per edge operator)."""
    if classification:
        cv = cross_validate_node_classification(
            emb, tuning_labels, folds=folds, seed=seed, metrics=("micro_f1", "macro_f1"), prediction=prediction
        )
        return [{"p": pp, "q": qq, "score": cv["scores"][metric], **cv["scores"]}]
    lp = score_link_prediction(emb, validation, operators=operators, classifier_protocol=classifier_protocol, seed=seed)
    return [
        {"p": pp, "q": qq, "operator": r["operator"], "score": r[metric], "roc_auc": r["roc_auc"],
         "average_precision": r["average_precision"]}
        for r in lp.to_dict("records")
    ]  # fmt: skip


def _mean_rows(runs: list[list[dict]]) -> list[dict]:
    """One fit's rows as they are; several fits' rows averaged, with ``score_std`` and ``repeat_scores``."""
    if len(runs) == 1:
        return runs[0]
    rows = []
    for same in zip(*runs, strict=True):  # the same operator (or the one row) in every fit
        row = dict(same[0])
        for key, value in same[0].items():
            if key not in ("p", "q", "operator") and isinstance(value, numbers.Real):
                row[key] = float(np.mean([r[key] for r in same]))
        scores = [float(r["score"]) for r in same]
        row.update(score_std=float(np.std(scores, ddof=1)), repeat_scores=scores)
        rows.append(row)
    return rows


def _progress(total: int, verbose: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="tune p,q grid", unit="point", disable=not verbose, file=sys.stderr)


def _load_checkpoint(path: Path, protocol: dict) -> list[dict]:
    if not path.exists():
        return []
    try:
        with open(path, encoding="utf-8") as fh:
            state = json.load(fh)
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f"tune: checkpoint {path} cannot be read ({err}); delete it to start afresh.") from None
    free = ("grid", "workers")  # a resumed run may use another grid or thread count
    same = {k: v for k, v in state.get("protocol", {}).items() if k not in free}
    mine = {k: v for k, v in json.loads(json.dumps(protocol, default=str)).items() if k not in free}
    if state.get("format") != _FORMAT or same != mine:
        diff = sorted(k for k in set(same) | set(mine) if same.get(k) != mine.get(k))
        raise ValueError(
            f"tune: checkpoint {path} was written for a different protocol (differs in {diff or ['format']}); "
            "delete it, or pass another checkpoint path."
        )
    return list(state.get("done", []))


# --------------------------------------------------------------------- tune
def tune(
    graph: Any,
    labels: Any = None,
    *,
    task: str = "node-classification",
    p: Sequence[float] | float = DEFAULT_GRID,
    q: Sequence[float] | float = DEFAULT_GRID,
    grid: Sequence[tuple[float, float]] | None = None,
    preset: str = "paper",
    params: dict | None = None,
    metric: str | None = None,
    tuning_fraction: float = 0.1,
    folds: int = 10,
    exclude: Sequence[Hashable] | None = None,
    prediction: str = "top-k",
    test_fraction: float | None = 0.5,
    validation_fraction: float = 0.5,
    operators: Sequence[str] = DEFAULT_OPERATORS,
    classifier_protocol: str = "residual",
    seed: int = 0,
    repeats: int = 1,
    directed: bool | None = None,
    checkpoint: str | os.PathLike | None = None,
    verbose: bool = True,
) -> TuneResult:
    """Choose node2vec's p and q (and, for link prediction, the edge operator) by the paper's protocol.

    Parameters
    ----------
    graph : CSRGraph, networkx graph, scipy sparse matrix, DataFrame or path
        The graph (a path is read with :func:`graphemb.read_edgelist`).
    labels : mapping, Series, DataFrame or path, optional
        Node labels; required for ``task="node-classification"``.  Every
        labelled node must be a node of ``graph``.
    task : {"node-classification", "link-prediction"}
    p, q : float or sequence of float, default (0.25, 0.5, 1, 2, 4)
        Values tried (their Cartesian product is the grid); each finite, > 0.
    grid : sequence of (p, q), optional
        An explicit list of points instead of the product of ``p`` and ``q``.
    preset : {"paper", "converged"}, default "paper"
        Training settings (:mod:`graphemb.presets`).
    params : dict, optional
        Node2Vec parameters overriding the preset (e.g. ``{"workers": 2}``);
        ``p``, ``q`` and ``seed`` are not accepted here.
    metric : str, optional
        Selection metric: ``"macro_f1"`` (default) or ``"micro_f1"`` for node
        classification; ``"roc_auc"`` (default) or ``"average_precision"`` for
        link prediction.
    tuning_fraction : float, default 0.1
        Fraction of the labelled nodes to cross-validate on.
    folds : int, default 10
        Cross-validation folds on the tuning nodes (``>= 2``).
    exclude : sequence of node ids, optional
        Nodes whose labels tune must not read (e.g. your test nodes); tuning
        nodes are drawn from the other labelled nodes.
    prediction : {"top-k", "threshold"}, default "top-k"
        Prediction rule of the cross-validated classifier.
    test_fraction : float or None, default 0.5
        Link prediction: fraction of edges held out as the test split (never
        used here; returned in ``result.split``).  None: ``graph`` is already the
        training graph.
    validation_fraction : float, default 0.5
        Link prediction: fraction of the training graph's edges held out to score the grid.
    operators : sequence of str, default ("hadamard", "average", "l1", "l2")
        Link prediction: edge operators tried.
    classifier_protocol : {"residual", "half"}, default "residual"
        Link prediction: see :func:`~graphemb.evaluation.score_link_prediction`.
    seed : int, default 0
        One seed for everything: the tuning nodes, the folds, the edge splits and
        every grid point's walks and training (the same for every point, so grid
        points differ only by p and q).
    repeats : int, default 1
        Embeddings fitted per grid point, with run seeds ``seed``, ``seed + 1``,
        ..., ``seed + repeats - 1`` (the same ones at every point); a point's
        score is the mean of their scores (tuning nodes, folds and edge splits stay
        those of ``seed``).  The paper fits once per point; on BlogCatalog one fit
        per point cannot separate points 0.015 apart (docs/tuning.md), and
        ``repeats=3`` averages that seed noise down at three times the cost.
    directed : bool, optional
        As for :class:`~graphemb.Node2Vec`.
    checkpoint : path, optional
        JSON file of the finished grid points, rewritten atomically after each;
        an existing file of the same protocol is resumed from.
    verbose : bool, default True
        Progress bar over the grid and a line per point (stderr).

    Returns
    -------
    TuneResult
        ``best``, every point's score, the protocol; ``result.save(path)`` writes best.json.

    Raises
    ------
    ValueError
        Empty grid or a value <= 0, unknown task/metric/preset, labels of
        nodes not in the graph, too few tuning nodes for ``folds``, a checkpoint
        of another protocol.

    Examples
    --------
    >>> from graphemb.datasets import make_planted_partition
    >>> g, labels = make_planted_partition(n_blocks=2, block_size=50, p_in=0.2, p_out=0.01)
    >>> res = tune(g, labels, p=[1.0], q=[0.5, 1.0], tuning_fraction=0.4, folds=5, verbose=False,
    ...            params=dict(dimensions=8, walk_length=10, num_walks=2, workers=1))
    >>> sorted(res.best)
    ['p', 'q', 'score']
    """
    if task not in TASKS:
        opts = ", ".join(repr(t) for t in TASKS)
        raise ValueError(f"The 'task' parameter of tune must be one of {opts}. Got {task!r} instead.")
    points = _check_grid(p, q, grid)
    seed = check_seed(seed, "seed", "tune", allow_none=False)
    extra = dict(params or {})
    for name in ("p", "q", "seed", "verbose"):
        if name in extra:
            raise ValueError(f"The 'params' parameter of tune must not set {name!r} (tune sets it).")
    model_params = preset_params(preset, **extra)
    Node2Vec(**model_params, directed=directed).validate()  # bad settings fail before any work
    classification = task == "node-classification"
    metrics = ("macro_f1", "micro_f1") if classification else ("roc_auc", "average_precision")
    metric = metrics[0] if metric is None else metric
    if metric not in metrics:
        opts = ", ".join(repr(m) for m in metrics)
        raise ValueError(f"The 'metric' parameter of tune must be one of {opts} for task {task!r}. Got {metric!r}.")
    folds = check_int(folds, "folds", "tune", minimum=2)
    repeats = check_int(repeats, "repeats", "tune", minimum=1)
    if classification:
        if labels is None:
            raise ValueError("The 'labels' parameter of tune is required for task 'node-classification'.")
        tuning_fraction = _check_fraction(tuning_fraction, "tuning_fraction")
        if prediction not in PREDICTIONS:
            raise ValueError(f"The 'prediction' parameter of tune must be one of {PREDICTIONS}. Got {prediction!r}.")
    else:
        operators = check_operators(operators, "tune")
        if classifier_protocol not in CLASSIFIER_PROTOCOLS:
            raise ValueError(
                f"The 'classifier_protocol' parameter of tune must be one of {CLASSIFIER_PROTOCOLS}. "
                f"Got {classifier_protocol!r}."
            )
        validation_fraction = _check_fraction(validation_fraction, "validation_fraction")
        if test_fraction is not None:
            test_fraction = _check_fraction(test_fraction, "test_fraction")

    # ---- shared work, done once
    t0 = time.perf_counter()
    g = _as_csr(graph, directed, model_params.get("weighted"))
    protocol: dict[str, Any] = {
        "task": task,
        "metric": metric,
        "grid": [list(pq) for pq in points],
        "preset": preset,
        "params": {k: v for k, v in model_params.items() if k != "workers"},
        "workers": model_params.get("workers"),
        "seed": seed,
        "graph": {
            "nodes": g.num_nodes,
            "edges": g.num_edges,
            "directed": g.directed,
            "fingerprint": _fingerprint(g.indptr, g.indices),
        },  # fmt: skip
        "embedding": "one embedding of the selection graph per grid point, same walk and training seeds "
        "for every point (derived from 'seed' as Node2Vec does)",
    }
    if repeats > 1:  # (a one-fit protocol stays as before, so its checkpoints still resume)
        protocol.update(
            repeats=repeats,
            embedding=f"{repeats} embeddings of the selection graph per grid point, run seeds "
            f"{seed}..{seed + repeats - 1} (walk and training seeds derived from each as Node2Vec does), "
            "the same for every point; a point's score is the mean of their scores",
        )
    tuning_nodes: list = []
    tuning_labels: dict | None = None
    validation = None
    split = None
    if classification:
        label_map = normalize_labels(labels)
        tuning_nodes, n_labelled = _draw_tuning_nodes(g, label_map, exclude, tuning_fraction, folds, seed)
        tuning_labels = {v: label_map[v] for v in tuning_nodes}  # the only labels read from here on
        del label_map
        fit_graph = g
        protocol.update(
            selection=f"{folds}-fold cross-validation on {len(tuning_nodes)} tuning nodes "
            f"({tuning_fraction:g} of {n_labelled} labelled nodes; {0 if exclude is None else len(set(exclude))} "
            "excluded nodes never drawn); no other node's label is read",
            tuning_fraction=tuning_fraction,
            folds=folds,
            prediction=prediction,
            labels_fingerprint=_labels_fingerprint(tuning_labels),
        )
    else:
        train_graph = g
        if test_fraction is not None:
            split = train_test_split_edges(g, test_fraction=test_fraction, seed=seed)
            train_graph = split.graph
        validation = train_test_split_edges(train_graph, test_fraction=validation_fraction, seed=seed + 1)
        fit_graph = validation.graph
        protocol.update(
            selection=(
                f"test split: {test_fraction:g} of the edges held out (seed {seed}), never used; "
                if test_fraction is not None
                else "the graph given is the training graph; "
            )
            + f"validation split: {validation_fraction:g} of the training graph's edges held out (seed {seed + 1}); "
            "each grid point is fitted on the validation residual graph and scored on the validation pairs",
            test_fraction=test_fraction,
            validation_fraction=validation_fraction,
            operators=list(operators),
            classifier_protocol=classifier_protocol,
        )
    fitter = _Fitter(fit_graph, {**model_params, "weighted": model_params.get("weighted")})
    logger.info("tune: shared setup in %.2f s (%r)", time.perf_counter() - t0, fit_graph)

    ckpt = Path(checkpoint) if checkpoint is not None else None
    done: list[dict] = _load_checkpoint(ckpt, protocol) if ckpt is not None else []
    grid_set = {tuple(pq) for pq in points}
    done = [r for r in done if (r["p"], r["q"]) in grid_set]
    finished = {(r["p"], r["q"]) for r in done}
    bar = _progress(len(points), verbose)
    bar.update(len(finished))
    if finished and verbose:
        bar.write(f"tune: resuming from {ckpt}: {len(finished)} of {len(points)} grid points already done")
    try:
        for pp, qq in points:
            if (pp, qq) in finished:
                continue
            bar.set_postfix_str(f"p={pp:g} q={qq:g}")
            fit_s = score_s = 0.0
            runs: list[list[dict]] = []
            for k in range(repeats):
                t1 = time.perf_counter()
                emb = fitter.fit(pp, qq, seed + k)
                fit_s += time.perf_counter() - t1
                t1 = time.perf_counter()
                runs.append(_score_point(emb, pp, qq, metric, classification, tuning_labels, validation, folds,
                                         seed, prediction, operators, classifier_protocol))  # fmt: skip
                score_s += time.perf_counter() - t1
            rows = _mean_rows(runs)
            for r in rows:
                r.update(fit_s=round(fit_s, 2), score_s=round(score_s, 2))
            done.extend(rows)
            finished.add((pp, qq))
            if ckpt is not None:
                _write_json(ckpt, {"format": _FORMAT, "protocol": protocol, "done": _records(pd.DataFrame(done))})
            best_row = max(done, key=lambda r: r["score"])
            bar.update(1)
            if verbose:
                what = f"{rows[0]['score']:.4f}" if classification else max(
                    f"{r['score']:.4f} ({r['operator']})" for r in rows
                )  # fmt: skip
                bar.write(
                    f"tune [{len(finished)}/{len(points)}] p={pp:g} q={qq:g}: {metric} {what} "
                    f"in {fit_s + score_s:.1f} s (best so far {best_row['score']:.4f} "
                    f"at p={best_row['p']:g} q={best_row['q']:g})"
                )
    finally:
        bar.close()

    scores = pd.DataFrame(done)
    order = {pq: k for k, pq in enumerate(points)}
    scores = scores.assign(_o=[order[(a, b)] for a, b in zip(scores["p"], scores["q"], strict=True)])
    scores = scores.sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)
    # Best score; ties go to the point nearest p = q = 1 (log scale), then grid order.
    key = scores["score"].to_numpy() - 1e-12 * (np.abs(np.log(scores["p"])) + np.abs(np.log(scores["q"])))
    top = scores.iloc[int(np.argmax(key))]
    best = {"p": float(top["p"]), "q": float(top["q"])}
    if not classification:
        best["operator"] = str(top["operator"])
    best["score"] = float(top["score"])
    result = TuneResult(
        best=best,
        scores=scores,
        params={**model_params, "p": best["p"], "q": best["q"], "seed": seed},
        protocol=protocol,
        tuning_nodes=tuning_nodes,
        split=split,
    )
    if verbose:
        extra_op = f", operator {best['operator']}" if "operator" in best else ""
        mean = f"mean of {repeats} fits, " if repeats > 1 else ""
        print(
            f"tune: best p={best['p']:g} q={best['q']:g}{extra_op} ({mean}{metric} {best['score']:.4f}) "
            f"over {len(points)} grid points",
            file=sys.stderr,
        )
    return result
