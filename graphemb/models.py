"""DeepWalk and node2vec: thin compositions of the walk engine and the SGNS trainer.

``fit(graph)`` runs the pipeline of docs/architecture.md once::

    graph -> CSRGraph -> WalkStream (walks.walker) -> SGNS (sgns.trainer) -> Embedding

Nothing here walks or trains: the models validate their parameters, convert
the graph, derive the two seeds from the one ``seed`` and hand the work to
:class:`~graphemb.walks.WalkStream` and :class:`~graphemb.sgns.SGNS`.
DeepWalk is node2vec with ``p = q = 1`` (first-order walks); both share
:class:`_RandomWalkEmbedding`.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from ._estimator import Estimator
from ._memory import NODE_ID_BYTES, MemoryPlan, peak_rss, plan_fit
from ._params import PARAMETERS
from ._rng import normalize_seed
from ._validation import check_bool, check_choice, check_float, check_int
from .corpus import WalkCorpus
from .embedding import Embedding
from .graph.csr import CSRGraph
from .incremental import (
    UpdateReport,
    diff_graphs,
    estimate_node_counts,
    neighbour_mean_init,
    predecessors_of,
)
from .sgns import SGNS
from .sgns.checkpoint import read_checkpoint
from .shards import ShardedCorpus, read_walks, walk_params, write_walks
from .walks import WalkStream, as_graph

__all__ = ["DeepWalk", "Node2Vec", "load_model"]

logger = logging.getLogger(__name__)

# A corpus up to this size (and within the memory plan) is generated once and kept in
# memory; a larger one is walked once into shards on disk (graphemb.shards), counted while
# written, and trained from the memory-mapped shards (peak memory independent of the number
# of walks).
IN_MEMORY_CORPUS_BYTES = 256 * 2**20

_SHARED_ATTRIBUTES = """Attributes
    ----------
    embedding_ : Embedding
        One vector per node of the graph, isolated nodes included, under the
        original node ids.
    seed_ : int
        The seed actually used (equals ``seed`` when one was given).
    loss_ : ndarray of float64, shape (epochs,)
        Mean SGNS loss per epoch.
    graph_ : CSRGraph
        The graph the model was fitted on (after conversion), or last updated
        with; its rows are the embedding's rows.
    output_vectors_ : ndarray of float32, shape (num_nodes, dimensions)
        SGNS output (context) vectors, kept for :meth:`update`.
    node_counts_ : ndarray of int64, shape (num_nodes,)
        Walk-corpus occurrences of each node (estimated for updated rows).
    updates_ : int
        Updates applied since ``fit``.
    memory_plan_ : MemoryPlan
        The plan the fit followed (logged at INFO level).
"""


def derive_seeds(seed_: int) -> tuple[int, int]:
    """Independent walk and training seeds from the run seed (SeedSequence spawning)."""
    walk_state, train_state = np.random.SeedSequence(seed_).generate_state(2, dtype=np.uint64)
    return int(walk_state >> np.uint64(1)), int(train_state >> np.uint64(1))


class _RandomWalkEmbedding(Estimator):
    """Base of the random-walk embedding models: random walks, then skip-gram.

    Subclasses name their parameters (``_parameters``, declared in
    :mod:`graphemb._params`) and define :meth:`_walk_bias` (the node2vec
    ``(p, q)`` of their walks); :class:`~graphemb._estimator.Estimator` derives
    ``__init__``, the scikit-learn protocol and the checks from the declarations.
    """

    def _walk_bias(self) -> tuple[float, float]:
        """Return the node2vec ``(p, q)`` used for the walks."""
        raise NotImplementedError

    # ----------------------------------------------------------- validation
    def _trainer(self, seed: int | None) -> SGNS:
        """The :class:`SGNS` trainer this model's parameters describe (its own ``seed``)."""
        shared = {name: getattr(self, name) for name in SGNS._parameters if name in self._parameters}
        shared.update(seed=seed, partition_options=self._partition_options())
        return SGNS(**shared)

    def _partition_options(self) -> dict | None:
        """``partition_options`` with a ``"scheduler"`` address resolved to a Dask executor."""
        options = self.partition_options
        if isinstance(options, dict) and options.get("scheduler") is not None:
            from .distributed.training import resolve_partition_options

            return resolve_partition_options(options)
        return options

    def _check_together(self, values: dict[str, Any]) -> None:
        self._trainer(0).validate()  # the trainer's own checks (min_alpha <= alpha, partition_options)

    def _as_graph(self, graph: Any) -> CSRGraph:
        """Convert the input, honouring ``directed``."""
        owner = type(self).__name__
        directed = self.directed
        if isinstance(graph, CSRGraph) or (type(graph).__module__ or "").startswith("networkx"):
            is_directed = graph.directed if isinstance(graph, CSRGraph) else bool(graph.is_directed())
            if directed is not None and bool(directed) != is_directed:
                kind = "directed" if is_directed else "undirected"
                raise ValueError(
                    f"The 'directed' parameter of {owner} is {directed} but the graph passed to fit is {kind}. "
                    "Pass directed=None, or convert the graph first (e.g. G.to_undirected())."
                )
            return as_graph(graph, f"{owner}.fit")
        if isinstance(graph, np.ndarray) or _is_scipy_sparse(graph):
            return CSRGraph.from_scipy(graph, directed=directed)
        if type(graph).__name__ == "DataFrame":
            return CSRGraph.from_edgelist(graph, directed=bool(directed))
        return as_graph(graph, f"{owner}.fit")

    def memory_plan(self, graph: Any) -> MemoryPlan:
        """Estimate what :meth:`fit` would hold in memory for ``graph``, without allocating it.

        Parameters
        ----------
        graph : CSRGraph or convertible
            As for :meth:`fit`.

        Returns
        -------
        MemoryPlan
            Items (graph, alias tables, vector tables, trainer tables, buffers,
            corpus in memory or spilled), their total against ``memory_limit``,
            whether the corpus spills to shards and the predicted peak RSS;
            ``plan.check()`` raises the MemoryError :meth:`fit` would.
        """
        self.validate()
        g = self._as_graph(graph)
        walk_weighted = g.weighted if self.weighted is None else bool(self.weighted)
        folder = self.workdir if self.workdir is not None else tempfile.gettempdir()
        try:
            disk_free = shutil.disk_usage(folder).free if os.path.isdir(folder) else None
        except OSError:
            disk_free = None
        return plan_fit(
            num_nodes=g.num_nodes,
            num_arcs=int(g.indices.size),
            weighted=walk_weighted,
            dimensions=self.dimensions,
            walk_length=self.walk_length,
            num_walks_total=self.num_walks * g.num_nodes,
            graph_bytes=_graph_bytes(g),
            memory_limit=self.memory_limit,
            in_memory_max=IN_MEMORY_CORPUS_BYTES,
            disk_free=disk_free,
            short_walks=bool(g.directed),
            window=self.window,
            partitions=self.partitions,
            partition_options=self.partition_options,
            workers=self.workers,
        )

    def _run_facts(self, g: CSRGraph, seed_: int, p: float, q: float) -> dict[str, Any]:
        """What a checkpoint of this model's training records about the run besides the trainer's own."""
        return {
            "model": type(self).__name__,
            "seed": int(seed_),
            "walk_length": int(self.walk_length),
            "num_walks": int(self.num_walks),
            "p": float(p),
            "q": float(q),
            "weighted": None if self.weighted is None else bool(self.weighted),
            "graph": g.fingerprint(),
        }

    def walk_stream(self, graph: Any, chunk_size: int | None = None) -> WalkStream:
        """The walks :meth:`fit` would train on, as a :class:`WalkStream` (for staged runs).

        The walk seed is derived from the run seed exactly as in :meth:`fit`, so
        ``write_walks(model.walk_stream(g), d)`` followed by
        ``model.fit_walks(read_walks(d))`` equals ``model.fit(g)`` (bit for bit
        with ``workers=1``).  Sets ``seed_`` (the resolved run seed).

        Parameters
        ----------
        graph : CSRGraph or convertible
        chunk_size : int, optional
            Walks per chunk (shard); does not change the walks.

        Returns
        -------
        WalkStream
        """
        self.validate()
        seed_, _ = normalize_seed(self.seed)
        self.seed_ = seed_
        return self._stream(self._as_graph(graph), seed_, chunk_size)

    def _stream(self, g: CSRGraph, seed_: int, chunk_size: int | None) -> WalkStream:
        """The walk stream of run seed ``seed_`` (its walk seed derived as in :meth:`fit`)."""
        p, q = self._walk_bias()
        walk_seed, _ = derive_seeds(seed_)
        return WalkStream(
            g, self.walk_length, self.num_walks, p=p, q=q, weighted=self.weighted, seed=walk_seed,
            workers=self.workers, verbose=self.verbose, chunk_size=chunk_size,
        )  # fmt: skip

    def fit_walks(
        self,
        walks: Any,
        *,
        checkpoint: str | os.PathLike | None = None,
        checkpoint_every: int | str | None = None,
        resume: bool = False,
    ) -> _RandomWalkEmbedding:
        """Learn vectors from walks made elsewhere (the training half of :meth:`fit`).

        Parameters
        ----------
        walks : str, PathLike, ShardedCorpus or WalkCorpus
            A walk directory (opened with :func:`graphemb.read_walks`), an open
            one, or an in-memory corpus that carries its ``nodes``.  The
            training seed is derived from ``seed`` as in :meth:`fit`; the walk
            parameters of the model are not used.
        checkpoint, checkpoint_every, resume
            Training checkpoints, as in :meth:`fit`; the checkpoint records the
            walk directory's graph fingerprint and walk parameters (when known).

        Returns
        -------
        self
            With ``embedding_`` (one vector per node id of the corpus, nodes
            that never occur included), ``seed_``, ``loss_``, ``memory_plan_``;
            ``graph_`` is None.

        Raises
        ------
        ValueError
            For an invalid parameter or walk directory.
        MemoryError
            If the vector tables cannot fit in ``memory_limit``.
        """
        self.validate()
        owner = type(self).__name__
        if isinstance(walks, (str, os.PathLike)):
            walks = read_walks(walks)
        if isinstance(walks, ShardedCorpus):
            nodes, counts, on_disk = walks.nodes, walks.node_counts, True
        elif isinstance(walks, WalkCorpus):
            if walks.nodes is None:
                raise ValueError(f"The corpus passed to {owner}.fit_walks has no node ids; build it with nodes=.")
            nodes, on_disk = list(walks.nodes), False
            counts = walks.node_counts(len(nodes))
        else:
            raise ValueError(
                f"{owner}.fit_walks takes a walk directory, a ShardedCorpus or a WalkCorpus. "
                f"Got {type(walks).__name__}."
            )
        n = len(nodes)
        seed_, _ = normalize_seed(_resumed_seed(self.seed, checkpoint, resume))
        _, train_seed = derive_seeds(seed_)
        facts = None
        if checkpoint is not None:
            manifest = walks.manifest if on_disk else {}
            graph_info = manifest.get("graph") or {}
            facts = {"model": owner, "seed": int(seed_), "walks": manifest.get("walks"),
                     "graph": graph_info.get("fingerprint")}  # fmt: skip
        fit_kw = _checkpoint_options(checkpoint, checkpoint_every, resume, facts)
        corpus_bytes = 4 * len(walks) * (walks.walk_length + 1) if not on_disk else 0
        plan = plan_fit(
            num_nodes=n,
            num_arcs=0,
            weighted=False,
            dimensions=self.dimensions,
            walk_length=walks.walk_length,
            num_walks_total=walks.num_walks_total if on_disk else len(walks),
            graph_bytes=NODE_ID_BYTES * n,
            memory_limit=self.memory_limit,
            in_memory_max=-1 if on_disk else corpus_bytes,
            window=self.window,
            partitions=self.partitions,
            partition_options=self.partition_options,
            workers=self.workers,
        )
        logger.info("%s.fit_walks: %d nodes, seed %d; %s", owner, n, seed_, plan.summary())
        logger.debug("%s", plan.describe())
        plan.check(f"{owner}.fit_walks")
        trainer = self._trainer(train_seed)
        trainer.fit(walks, num_nodes=n, node_counts=counts, **fit_kw)
        logger.info("phase train: %.2f s", getattr(trainer, "train_seconds_", float("nan")))
        self.embedding_ = Embedding(nodes, trainer.input_vectors_)
        self.seed_ = seed_
        self.loss_ = trainer.loss_
        self.graph_ = None
        self.memory_plan_ = plan
        return self

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        graph: Any,
        y: Any = None,
        *,
        client: Any = None,
        checkpoint: str | os.PathLike | None = None,
        checkpoint_every: int | str | None = None,
        resume: bool = False,
    ) -> _RandomWalkEmbedding:
        """Learn one vector per node of ``graph``.

        Parameters
        ----------
        graph : CSRGraph, networkx graph, scipy sparse matrix or pandas DataFrame
            The graph.  A scipy matrix (or dense array) is an adjacency matrix;
            a DataFrame is an edge table (``source``, ``target`` and optionally
            ``weight`` columns, see :func:`graphemb.read_edgelist`).  Node ids
            are kept: networkx node keys, DataFrame values, ``0..n-1`` for
            matrices.
        y : None
            Ignored (scikit-learn convention).
        client : distributed.Client or str, optional
            Walk on this Dask cluster (a client or a scheduler address; needs
            ``graphemb[distributed]``), then train here from the walk shards:
            the walks, hence the embedding, are those of a fit without a
            client.  The shards go to ``workdir/walks``, which every worker
            must share; without ``workdir`` a temporary folder of this machine
            is used, which suits only a cluster on this machine (LocalCluster).
        checkpoint, checkpoint_every, resume
            Training checkpoints, passed to :meth:`graphemb.SGNS.fit`: the trainer's
            state is saved in the folder ``checkpoint`` every ``checkpoint_every``
            (tokens, or a period such as ``"10m"``); ``resume=True`` continues from
            it.  The walks are made again from the seed (or reused from
            ``workdir``); the checkpoint also records the walk parameters, the
            graph's fingerprint and the seed, and one from another run is refused.
            With ``seed=None`` the checkpoint's seed is used.

        Returns
        -------
        self
            Fitted model; see the attributes ``embedding_``, ``seed_``, ``loss_``.

        Raises
        ------
        ValueError
            For an invalid parameter or graph, before any walk is generated.
        MemoryError
            If the vector tables cannot fit in memory.
        """
        self.validate()
        owner = type(self).__name__
        p, q = self._walk_bias()
        seed_, _ = normalize_seed(_resumed_seed(self.seed, checkpoint, resume))
        _, train_seed = derive_seeds(seed_)
        trainer = self._trainer(train_seed)
        g = self._as_graph(graph)
        facts = self._run_facts(g, seed_, p, q) if checkpoint is not None else None
        fit_kw = _checkpoint_options(checkpoint, checkpoint_every, resume, facts)
        plan = self.memory_plan(g)
        logger.info("%s: %r, seed %d; %s", owner, g, seed_, plan.summary())
        logger.debug("%s", plan.describe())
        plan.check(f"{owner}.fit")  # refused here, before the walks and the vector tables are allocated
        stream = self._stream(g, seed_, plan.chunk_walks)
        if client is not None:
            _train_on_cluster(trainer, stream, g, client, self.workdir, self.verbose, fit_kw)
        elif not plan.spill:
            t0 = time.perf_counter()
            corpus = stream.to_corpus()
            counts = corpus.node_counts(g.num_nodes)
            logger.info(
                "phase walk: %s walks: %d walks, %d tokens in %.2f s (in memory), peak RSS %s",
                owner, len(corpus), corpus.num_tokens, time.perf_counter() - t0, peak_rss(),
            )  # fmt: skip
            trainer.fit(corpus, num_nodes=g.num_nodes, node_counts=counts, **fit_kw)
        else:
            _train_spilled(trainer, stream, g, self.workdir, owner, fit_kw)
        logger.info("phase train: %.2f s", getattr(trainer, "train_seconds_", float("nan")))
        self.memory_plan_ = plan
        self.embedding_ = Embedding(g.nodes, trainer.input_vectors_)
        self.seed_ = seed_
        self.loss_ = trainer.loss_
        self.graph_ = g
        self._keep_training_state(trainer)
        return self

    # --------------------------------------------------------- incremental
    def _keep_training_state(self, trainer: SGNS) -> None:
        """Keep what an update needs from the trainer (output vectors, counts)."""
        self.output_vectors_ = trainer.output_vectors_
        self.node_counts_ = trainer.node_counts_
        self.updates_ = int(getattr(trainer, "updates_", 0))

    def _check_fitted(self, owner: str) -> None:
        missing = [a for a in ("embedding_", "graph_", "output_vectors_", "node_counts_") if not hasattr(self, a)]
        if missing:
            raise ValueError(
                f"{owner} needs a fitted model (missing {', '.join(missing)}): call fit first, or load a model "
                "saved with model.save / 'graphemb embed --format npz'."
            )

    def update(
        self,
        graph: Any,
        refresh: str = "none",
        *,
        num_walks: int | None = None,
        walk_length: int | None = None,
        epochs: int | None = None,
        refresh_scale: float = 0.1,
        max_new_fraction: float = 0.3,
    ) -> UpdateReport:
        """Embed the nodes ``graph`` gained since ``fit`` without retraining; old vectors stay comparable.

        The grown graph must hold every node of the fitted one (edges may be
        added, removed or reweighted).  New nodes get rows after the old ones;
        their input vectors start at the mean of their embedded neighbours
        (iterated along chains of new nodes), their output vectors at zero; then
        walks from the new nodes (the same walk engine, ``start_nodes`` given)
        train them with the same SGNS kernels, the learning rate of every old
        row scaled by 0: old vectors stay bit-identical, so a classifier fitted
        on them still applies.  The noise distribution and sub-sampling use the
        whole grown graph's (estimated) walk counts.  See docs/incremental.md.

        Parameters
        ----------
        graph : CSRGraph, networkx graph, scipy sparse matrix or pandas DataFrame
            The grown graph, same ids and same kind (directed, weighted) as the
            fitted one.
        refresh : {"none", "affected", "all"}, default "none"
            ``"none"``: old rows frozen.  ``"affected"``: also walk from the old
            nodes whose adjacency changed and move their rows (both tables) at
            ``refresh_scale`` times the learning rate; other old rows frozen.
            ``"all"``: walk from every node and move every old row at
            ``refresh_scale`` (with ``refresh_scale=1``, a warm-started full
            retrain: old vectors are no longer exactly comparable).
        num_walks : int, optional
            Walks per start node; default ``16 * num_walks`` of the model.
        walk_length : int, optional
            Nodes per update walk; default ``min(walk_length, window)`` of the
            model.  Short walks spend the update's tokens next to the nodes it
            trains (the rest of a long walk from a new node mostly pairs frozen
            rows); with the defaults an update of ``k`` nodes trains on
            ``16 * num_walks * window * k`` tokens, twice what a fit spends on
            ``k`` nodes at the paper's settings (docs/incremental.md).
            ``refresh="all"`` defaults to the model's own walks.
        epochs : int, optional
            Passes over the update's walks (default the model's ``epochs``).
        refresh_scale : float, default 0.1
            Learning-rate scale of refreshed old rows (``refresh`` other than ``"none"``).
        max_new_fraction : float, default 0.3
            Above this share of new nodes the report recommends a full retrain
            (the update still runs).

        Returns
        -------
        UpdateReport
            New node ids, walks and tokens trained, seconds, drift of the old
            vectors, new nodes that could not be placed, and whether a full
            retrain is recommended.

        Raises
        ------
        ValueError
            If the model is not fitted, a parameter is invalid, or the graph
            drops a node, changes ids or changes kind.
        """
        state, report = self._grow(
            graph, refresh, num_walks, walk_length, epochs, refresh_scale, max_new_fraction, True, "update"
        )
        self.embedding_, self.output_vectors_, self.node_counts_, self.graph_ = state
        self.updates_ = self.updates_ + 1
        if report.retrain_recommended:
            logger.warning("%s.update: %s", type(self).__name__, report.advice)
        return report

    def infer(self, nodes: Any, graph: Any, train: bool = True, **kwargs: Any) -> np.ndarray:
        """Vectors of ``nodes`` in the grown ``graph``, leaving the model unchanged.

        Parameters
        ----------
        nodes : sequence of hashable
            Ids of nodes of ``graph`` (new or old).
        graph : graph
            The grown graph, as for :meth:`update`.
        train : bool, default True
            True: what :meth:`update` would give (same seed, same walks).
            False: the neighbour-mean start only, no walks, no training (fast;
            nodes without an embedded neighbour chain get the trainer's random
            start).
        **kwargs
            ``refresh``, ``num_walks``, ``walk_length``, ``epochs``, ``refresh_scale`` of :meth:`update`.

        Returns
        -------
        ndarray of float32, shape (len(nodes), dimensions)

        Raises
        ------
        KeyError
            If a node is not in ``graph``.
        ValueError
            As :meth:`update`.
        """
        check_bool(train, "train", f"{type(self).__name__}.infer")
        state, _ = self._grow(
            graph, kwargs.pop("refresh", "none"), kwargs.pop("num_walks", None), kwargs.pop("walk_length", None),
            kwargs.pop("epochs", None),
            kwargs.pop("refresh_scale", 0.1), 1.0, train, "infer",
        )  # fmt: skip
        if kwargs:
            raise ValueError(f"Unknown parameters of {type(self).__name__}.infer: {', '.join(sorted(kwargs))}.")
        return state[0].get_vectors(list(nodes))

    def _grow(
        self,
        graph: Any,
        refresh: str,
        num_walks: int | None,
        walk_length: int | None,
        epochs: int | None,
        refresh_scale: float,
        max_new_fraction: float,
        train: bool,
        verb: str,
    ) -> tuple[tuple[Embedding, np.ndarray, np.ndarray, CSRGraph], UpdateReport]:
        """The update without touching ``self``: new (embedding, output vectors, counts, graph) and the report."""
        owner = f"{type(self).__name__}.{verb}"
        self._check_fitted(owner)
        self.validate()
        refresh = check_choice(refresh, "refresh", ("none", "affected", "all"), owner)
        full = refresh == "all"  # a warm-started retrain walks as fit does
        if num_walks is None:
            num_walks = self.num_walks if full else _UPDATE_WALKS * self.num_walks
        num_walks = check_int(num_walks, "num_walks", owner, minimum=1)
        epochs = self.epochs if epochs is None else check_int(epochs, "epochs", owner, minimum=1)
        if walk_length is None:
            walk_length = self.walk_length if full else min(self.walk_length, self.window)
        length = check_int(walk_length, "walk_length", owner, minimum=1)
        refresh_scale = check_float(refresh_scale, "refresh_scale", owner, minimum=0.0, inclusive=True)
        max_new_fraction = check_float(max_new_fraction, "max_new_fraction", owner, minimum=0.0, inclusive=True)
        t0 = time.perf_counter()
        diff = diff_graphs(self.graph_, self._as_graph(graph), owner)
        g, n_old = diff.graph, diff.num_old
        n, n_new = g.num_nodes, g.num_nodes - diff.num_old
        old_vectors = self.embedding_.vectors
        d = old_vectors.shape[1]
        init, placed, _ = neighbour_mean_init(g, old_vectors, n_old)
        seed_ = self.seed_
        rng = np.random.default_rng(np.random.SeedSequence([seed_, 0x5347, 1 + self.updates_]))
        fresh = (rng.random((n_new, d), dtype=np.float32) - np.float32(0.5)) * np.float32(2.0 / d)
        init[~placed] = fresh[~placed]  # the trainer's start (uniform in [-1/d, 1/d])
        new_ids = g.nodes[n_old:]
        report = UpdateReport(
            new_nodes=list(new_ids),
            unplaced=[new_ids[i] for i in np.flatnonzero(~placed).tolist()],
            new_fraction=n_new / n,
            changed_fraction=diff.changed_rows.size / max(n_old, 1),
        )
        if g.directed:
            indegree = np.bincount(g.indices, minlength=n)[n_old:]
            sinks = (g.degrees[n_old:] == 0) & (indegree > 0)
            report.in_arcs_only = [new_ids[i] for i in np.flatnonzero(sinks).tolist()]
        advice = []
        if report.new_fraction > max_new_fraction:
            advice.append(
                f"{100 * report.new_fraction:.0f}% of the nodes are new (more than max_new_fraction="
                f"{max_new_fraction:g}): the old vectors were learned without them and a full fit places all "
                "nodes better"
            )
        if n_new and len(report.unplaced) > 0.5 * n_new:
            advice.append(f"{len(report.unplaced)} of {n_new} new nodes have no path to an old node")
        report.retrain_recommended = bool(advice)
        report.advice = "; ".join(advice)

        start = diff.new_rows
        scale = np.zeros(n, dtype=np.float32)
        scale[n_old:] = 1.0
        if refresh == "affected":
            start = np.union1d(start, diff.changed_rows)
            scale[diff.changed_rows] = refresh_scale
            report.refreshed_nodes = int(diff.changed_rows.size)
        elif refresh == "all":  # a warm-started retrain: walks from every node, every old row moves
            start = np.arange(n, dtype=np.int64)
            scale[:n_old] = refresh_scale
            report.refreshed_nodes = n_old
        if g.directed and n_new:  # walks only go forward: also start from the old predecessors of new nodes
            start = np.union1d(start, predecessors_of(g, diff.new_rows, n_old))
        output_vectors = np.zeros((n, d), dtype=np.float32)
        output_vectors[:n_old] = self.output_vectors_
        counts = estimate_node_counts(self.graph_, self.node_counts_, g, n_old, self.walk_length, self.num_walks)
        vectors = np.concatenate([old_vectors, init])
        if train and start.size:
            p, q = self._walk_bias()
            run_seed = np.random.SeedSequence([seed_, 0x5550, 1 + self.updates_]).generate_state(1, dtype=np.uint64)[0]
            walk_seed, train_seed = derive_seeds(int(run_seed >> np.uint64(1)))
            t_walk = time.perf_counter()
            stream = WalkStream(
                g, length, num_walks, p=p, q=q, weighted=self.weighted, seed=walk_seed,
                workers=self.workers, start_nodes=[g.nodes[i] for i in start.tolist()], verbose=self.verbose,
            )  # fmt: skip
            corpus_bytes = 4 * (stream.max_tokens + stream.num_walks_total)
            corpus = stream.to_corpus() if corpus_bytes <= IN_MEMORY_CORPUS_BYTES else stream
            report.walk_seconds = time.perf_counter() - t_walk  # streamed walks are timed inside training
            trainer = self._trainer(train_seed)
            trainer.epochs = epochs
            trainer.input_vectors_ = old_vectors
            trainer.output_vectors_ = self.output_vectors_
            trainer.node_counts_ = self.node_counts_
            trainer.num_nodes_ = n_old
            trainer.updates_ = self.updates_
            result = trainer.update(corpus, n, counts, new_input_vectors=init, row_scale=scale)
            vectors, output_vectors = trainer.input_vectors_, trainer.output_vectors_
            report.walks = stream.num_walks_total
            report.tokens = int(result["tokens"])
            report.train_seconds = float(result["seconds"])
            report.drift = float(result["drift"])
        report.seconds = time.perf_counter() - t0
        embedding = Embedding(g.nodes, vectors)
        return (embedding, output_vectors, np.rint(counts).astype(np.int64), g), report

    # ------------------------------------------------------------ save/load
    def save(self, path: str | os.PathLike) -> None:
        """Write the fitted model to a ``.npz`` file (atomically), enough for :meth:`update`.

        The file is an :meth:`Embedding.save` file (``Embedding.load`` reads its
        vectors) with, beside it, the model's parameters, seed and number of
        updates (one JSON string, ``model_json``), the output vectors, the node
        counts and the graph's CSR arrays in embedding row order.  No pickle:
        ``np.load(path, allow_pickle=False)`` reads every array.

        Parameters
        ----------
        path : str or os.PathLike

        Raises
        ------
        ValueError
            If the model is not fitted.
        """
        self._check_fitted(f"{type(self).__name__}.save")
        g = self.graph_
        meta = {
            "format": _MODEL_FORMAT,
            "version": _MODEL_VERSION,
            "class": type(self).__name__,
            "params": {k: _json_scalar(v) for k, v in self.get_params().items()},
            "seed_": int(self.seed_),
            "updates_": int(self.updates_),
            "loss_": [float(x) for x in np.asarray(self.loss_).tolist()],
            "graph": {"directed": bool(g.directed), "weighted": bool(g.weighted)},
        }
        extra = {
            "model_json": np.array(json.dumps(meta)),
            "output_vectors": np.ascontiguousarray(self.output_vectors_, dtype=np.float32),
            "node_counts": np.asarray(self.node_counts_, dtype=np.int64),
            "graph_indptr": g.indptr,
            "graph_indices": g.indices,
        }
        if g.weighted:
            extra["graph_weights"] = g.weights
        self.embedding_.save(path, extra=extra)

    @classmethod
    def load(cls, path: str | os.PathLike) -> _RandomWalkEmbedding:
        """Read a model written by :meth:`save` (see :func:`load_model`).

        Raises
        ------
        ValueError
            If the file holds no model, or a model of another class.
        """
        model = load_model(path)
        if cls is not _RandomWalkEmbedding and not isinstance(model, cls):
            raise ValueError(f"{os.fspath(path)} holds a {type(model).__name__} model, not a {cls.__name__}.")
        return model


_UPDATE_WALKS = 16  # update walks per start node, in multiples of the model's num_walks (docs/incremental.md)
_MODEL_FORMAT = "graphemb-model"
_MODEL_VERSION = 1


def _json_scalar(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"model parameter value {value!r} cannot be saved (not a JSON scalar).")


def load_model(path: str | os.PathLike) -> _RandomWalkEmbedding:
    """Read a :class:`DeepWalk` or :class:`Node2Vec` written by ``model.save``.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.npz`` file (read with ``allow_pickle=False``).

    Returns
    -------
    DeepWalk or Node2Vec
        Fitted: ``embedding_``, ``output_vectors_``, ``node_counts_``,
        ``graph_``, ``seed_``, ``loss_``, ``updates_`` as saved; ``update`` and
        ``infer`` work on it as on the model in memory.

    Raises
    ------
    ValueError
        If the file is an embedding without a model (written by
        ``Embedding.save``), or is corrupt or of a newer format.
    """
    path = os.fspath(path)
    embedding = Embedding.load(path)
    with np.load(path, allow_pickle=False) as data:
        if "model_json" not in data.files:
            raise ValueError(
                f"{path}: holds vectors only (written by Embedding.save), not a model; an update needs the output "
                "vectors, node counts and graph: save the fitted model with model.save(path) or "
                "'graphemb embed --format npz'."
            )
        try:
            meta = json.loads(str(data["model_json"]))
        except ValueError as exc:
            raise ValueError(f"{path}: corrupt model metadata ({exc}).") from None
        if meta.get("format") != _MODEL_FORMAT or int(meta.get("version", 0)) > _MODEL_VERSION:
            raise ValueError(f"{path}: model format {meta.get('format')!r} v{meta.get('version')} is not readable.")
        classes = {"DeepWalk": DeepWalk, "Node2Vec": Node2Vec}
        if meta.get("class") not in classes:
            raise ValueError(f"{path}: unknown model class {meta.get('class')!r}.")
        model = classes[meta["class"]](**meta["params"])
        weights = data["graph_weights"] if "graph_weights" in data.files else None
        graph = CSRGraph(
            data["graph_indptr"], data["graph_indices"], weights, nodes=embedding.nodes,
            directed=bool(meta["graph"]["directed"]),
        )  # fmt: skip
        output_vectors = np.ascontiguousarray(data["output_vectors"], dtype=np.float32)
        node_counts = data["node_counts"].astype(np.int64)
    n = len(embedding)
    if output_vectors.shape != embedding.vectors.shape or node_counts.shape != (n,) or graph.num_nodes != n:
        raise ValueError(f"{path}: the model's arrays disagree in size (corrupt file?).")
    model.embedding_ = embedding
    model.output_vectors_ = output_vectors
    model.node_counts_ = node_counts
    model.graph_ = graph
    model.seed_ = int(meta["seed_"])
    model.updates_ = int(meta.get("updates_", 0))
    model.loss_ = np.asarray(meta.get("loss_", []), dtype=np.float64)
    return model


def _resumed_seed(seed: int | None, checkpoint: Any, resume: bool) -> int | None:
    """The run seed: ``seed``, or when resuming without one, the seed the checkpoint recorded."""
    if seed is not None or not resume or checkpoint is None:
        return seed
    meta = read_checkpoint(checkpoint) if isinstance(checkpoint, (str, os.PathLike)) else None
    saved = (meta or {}).get("identity", {}).get("caller", {}).get("seed")
    return saved if isinstance(saved, int) else None


def _checkpoint_options(checkpoint: Any, every: Any, resume: Any, facts: dict[str, Any] | None) -> dict[str, Any]:
    """Keyword arguments of :meth:`SGNS.fit` for the checkpoint options (none without a folder)."""
    if checkpoint is None and every is None and resume is False:
        return {}
    return {"checkpoint": checkpoint, "checkpoint_every": every, "resume": resume, "checkpoint_info": facts}


def _graph_bytes(g: CSRGraph) -> int:
    """Bytes held by a CSRGraph: its arrays plus about ``NODE_ID_BYTES`` per original id."""
    arrays = g.indptr.nbytes + g.indices.nbytes + (g.weights.nbytes if g.weights is not None else 0)
    return int(arrays + NODE_ID_BYTES * g.num_nodes)


def _train_spilled(
    trainer: SGNS, stream: WalkStream, g: CSRGraph, workdir: Any, owner: str, fit_kw: dict[str, Any] | None = None
) -> None:
    """Walk once into shards (counting nodes while writing), then train from the memory-mapped shards.

    With ``workdir`` None the shards live in a temporary directory removed afterwards; otherwise
    in ``workdir/walks``, kept: a later fit with the same graph, walk parameters and seed reuses
    them (a complete directory) or resumes them (an unfinished one) instead of walking again.
    """
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="graphemb-walks-") as tmp:
            _train_spilled(trainer, stream, g, tmp, owner, fit_kw)
        return
    folder = Path(workdir) / "walks"
    corpus = None
    if (folder / "manifest.json").exists():
        try:
            corpus = read_walks(folder, graph=g)
        except ValueError as exc:
            logger.info("%s: not reusing %s (%s)", owner, folder, exc)
            corpus = None
        if corpus is not None and corpus.manifest.get("walks") != walk_params(stream):
            corpus = None
        if corpus is not None:
            logger.info("%s: reusing the walks of %s (same graph, parameters and seed)", owner, folder)
    if corpus is None:
        Path(workdir).mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        write_walks(stream, folder, graph=g, overwrite=True)
        corpus = read_walks(folder, graph=g)
        logger.info("phase walk: %d walks spilled to %s in %.2f s", corpus.num_walks_total, folder,
                    time.perf_counter() - t0)  # fmt: skip
    trainer.fit(corpus, num_nodes=g.num_nodes, node_counts=corpus.node_counts, **(fit_kw or {}))


def _train_on_cluster(
    trainer: SGNS, stream: WalkStream, g: CSRGraph, client: Any, workdir: Any, verbose: bool, fit_kw: dict | None = None
) -> None:
    """Walk on a Dask cluster into ``workdir/walks`` (or a temporary folder), then train from the shards here."""
    from .distributed import random_walks as cluster_walks  # lazy: the core never imports Dask

    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="graphemb-walks-") as tmp:
            _train_on_cluster(trainer, stream, g, client, tmp, verbose, fit_kw)
        return
    folder = Path(workdir) / "walks"
    cluster_walks(
        g, client, folder, walk_length=stream.walk_length, num_walks=stream.num_walks, p=stream.p, q=stream.q,
        weighted=stream.weighted, seed=stream.seed_, chunk_size=stream.chunk_size, verbose=verbose,
    )  # fmt: skip
    corpus = read_walks(folder, graph=g)
    trainer.fit(corpus, num_nodes=g.num_nodes, node_counts=corpus.node_counts, **(fit_kw or {}))


def _is_scipy_sparse(obj: Any) -> bool:
    import scipy.sparse as sp

    return sp.issparse(obj)


class Node2Vec(_RandomWalkEmbedding):
    r"""node2vec node embeddings: biased second-order random walks + skip-gram.

    Walks move from node ``v`` (reached from ``t``) to a neighbour ``x`` with
    probability proportional to :math:`w_{vx}\,\alpha_{pq}(t, x)`, where
    :math:`\alpha_{pq}` is :math:`1/p` for ``x = t``, 1 if ``x`` is a
    neighbour of ``t`` and :math:`1/q` otherwise; skip-gram with negative
    sampling then learns vectors that predict each node's walk context.

    Parameters
    ----------
    {parameters}

    {attributes}

    See Also
    --------
    DeepWalk : the uniform-walk special case.
    graphemb.random_walks, graphemb.SGNS : the two steps this model composes.

    Notes
    -----
    Walks are generated on the fly (no second-order transition tables) and
    are bit-identical for a given seed whatever ``workers``; training with
    ``workers=1`` is bit-identical too, with more workers it is lock-free
    (Hogwild) and repeatable only statistically.

    References
    ----------
    .. [1] A. Grover and J. Leskovec, "node2vec: Scalable Feature Learning for
       Networks", KDD 2016. doi:10.1145/2939672.2939754

    Examples
    --------
    >>> import networkx as nx
    >>> from graphemb import Node2Vec
    >>> model = Node2Vec(dimensions=16, walk_length=20, num_walks=5, p=0.5, q=2.0,
    ...                  workers=1, seed=0, verbose=False).fit(nx.karate_club_graph())
    >>> model.embedding_[0].shape
    (16,)
    """

    _parameters = (
        "dimensions", "walk_length", "num_walks", "p", "q", "window", "negative", "epochs", "alpha", "min_alpha",
        "sample", "ns_exponent", "weighted", "directed", "workers", "seed", "verbose", "memory_limit", "workdir",
        "partitions", "partition_options",
    )  # fmt: skip

    def _walk_bias(self) -> tuple[float, float]:
        return PARAMETERS["p"].check(self.p, "Node2Vec"), PARAMETERS["q"].check(self.q, "Node2Vec")


class DeepWalk(_RandomWalkEmbedding):
    """DeepWalk node embeddings: uniform random walks treated as sentences for skip-gram.

    Each node starts ``num_walks`` truncated random walks that step to a
    neighbour chosen uniformly (or in proportion to edge weight when the graph
    is weighted); the walks are fed to skip-gram with negative sampling.  This
    is :class:`Node2Vec` with ``p = q = 1`` and costs O(1) per step.

    Parameters
    ----------
    {parameters}

    {attributes}

    Notes
    -----
    The original DeepWalk trains with hierarchical softmax; graphemb uses
    negative sampling (as node2vec's reference code does), which reaches the
    same classification scores on the paper's benchmarks.

    References
    ----------
    .. [1] B. Perozzi, R. Al-Rfou and S. Skiena, "DeepWalk: Online Learning of
       Social Representations", KDD 2014. doi:10.1145/2623330.2623732

    Examples
    --------
    >>> import networkx as nx
    >>> from graphemb import DeepWalk
    >>> emb = DeepWalk(dimensions=8, walk_length=10, num_walks=4, workers=1, seed=1,
    ...                verbose=False).fit(nx.path_graph(5)).embedding_
    >>> len(emb), emb.dimensions
    (5, 8)
    """

    _parameters = tuple(name for name in Node2Vec._parameters if name not in ("p", "q"))

    def _walk_bias(self) -> tuple[float, float]:
        return 1.0, 1.0


# One source for the attribute text both models document (the parameters come from graphemb._params).
for _model in (Node2Vec, DeepWalk):
    _model.__doc__ = (_model.__doc__ or "").replace("{attributes}", _SHARED_ATTRIBUTES.strip())
del _model
