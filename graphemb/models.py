"""DeepWalk and node2vec: thin compositions of the walk engine and the SGNS trainer.

``fit(graph)`` runs the pipeline of ARCHITECTURE.md once::

    graph -> CSRGraph -> WalkStream (walks.walker) -> SGNS (sgns.trainer) -> Embedding

Nothing here walks or trains: the models validate their parameters, convert
the graph, derive the two seeds from the one ``seed`` and hand the work to
:class:`~graphemb.walks.WalkStream` and :class:`~graphemb.sgns.SGNS`.
DeepWalk is node2vec with ``p = q = 1`` (first-order walks); both share
:class:`_RandomWalkEmbedding`.
"""

from __future__ import annotations

import inspect
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ._memory import NODE_ID_BYTES, MemoryPlan, parse_size, plan_fit
from ._rng import normalize_seed
from ._validation import check_bool, check_float, check_int
from .embedding import Embedding
from .graph.csr import CSRGraph
from .sgns import SGNS
from .shards import read_walks, walk_params, write_walks
from .walks import WalkStream, as_graph

__all__ = ["DeepWalk", "Node2Vec"]

logger = logging.getLogger(__name__)

# A corpus up to this size (and within the memory plan) is generated once and kept in
# memory; a larger one is walked once into shards on disk (graphemb.shards), counted while
# written, and trained from the memory-mapped shards (peak memory independent of the number
# of walks).
_IN_MEMORY_CORPUS_BYTES = 256 * 2**20

_SHARED_PARAMETERS = """
    dimensions : int, default 128
        Length of each node vector.
    walk_length : int, default 80
        Nodes per walk, start node included.
    num_walks : int, default 10
        Walks started from every node.
    window : int, default 10
        Skip-gram context size (nodes on each side of the centre).
    negative : int, default 5
        Noise nodes per centre position.
    epochs : int, default 1
        Passes of SGNS over the walks.
    alpha : float, default 0.025
        Initial learning rate, decayed linearly to ``min_alpha``.
    min_alpha : float, default 0.0001
        Final learning rate.
    sample : float, default 1e-3
        Sub-sampling threshold for frequent nodes (word2vec); 0 disables it.
    ns_exponent : float, default 0.75
        Exponent of the node counts in the noise distribution.
    weighted : bool or None, default None
        Walk proportionally to edge weights; None uses weights when the graph
        has them.
    directed : bool or None, default None
        How to read an input that does not say: None keeps a networkx graph's
        or CSRGraph's own setting, treats a pandas edge table as undirected
        and a scipy matrix as directed only when it is asymmetric.  A value that
        contradicts a networkx graph or CSRGraph raises.
    workers : int or None, default None
        Threads for walks and training (None: every core numba may use).
    seed : int or None, default None
        The one seed of the run: the walk seed and the training seed are both
        derived from it.  None draws fresh entropy, recorded in ``seed_``.
    verbose : bool, default True
        Progress bars (walks; training tokens/s and loss) via tqdm.
    memory_limit : int, str or None, default None
        Bytes the fit may hold (graph, tables, vectors, corpus, buffers; not
        the interpreter), e.g. ``"4G"``.  Decides whether the walk corpus stays
        in memory or spills to shards on disk; a plan that cannot fit is
        refused before any large allocation (see :meth:`memory_plan`).  None:
        the graph plus 70 % of the memory available at ``fit``.
    workdir : str, PathLike or None, default None
        Where a spilled corpus is written: None uses a temporary directory
        removed after ``fit``; a folder keeps the shards in ``workdir/walks``
        (reused by a later fit with the same graph, parameters and seed).
    partitions : int, default 1
        ``P > 1`` trains with partitioned SGNS (``SGNS(partitions=P)``, docs/partitioned.md).
    partition_options : dict or None, default None
        Passed to ``SGNS(partition_options=...)`` (``workdir``, ``buffer``, ``chunks``,
        ``executor``); a ``"scheduler"`` address is turned into a
        ``graphemb.distributed.training.DaskExecutor`` (needs ``graphemb[distributed]``).
"""

_SHARED_ATTRIBUTES = """
    embedding_ : Embedding
        One vector per node of the graph, isolated nodes included, under the
        original node ids.
    seed_ : int
        The seed actually used (equals ``seed`` when one was given).
    loss_ : ndarray of float64, shape (epochs,)
        Mean SGNS loss per epoch.
    graph_ : CSRGraph
        The graph the model was fitted on (after conversion).
    memory_plan_ : MemoryPlan
        The plan the fit followed (logged at INFO level).
"""


def _derive_seeds(seed_: int) -> tuple[int, int]:
    """Independent walk and training seeds from the run seed (SeedSequence spawning)."""
    walk_state, train_state = np.random.SeedSequence(seed_).generate_state(2, dtype=np.uint64)
    return int(walk_state >> np.uint64(1)), int(train_state >> np.uint64(1))


class _RandomWalkEmbedding:
    """Base of the random-walk embedding models: random walks, then skip-gram.

    Subclasses define ``__init__`` (their parameters, stored as attributes of
    the same name) and :meth:`_walk_bias` (the node2vec ``(p, q)`` of their
    walks).  The scikit-learn estimator protocol (``get_params``,
    ``set_params``, ``repr``, ``sklearn.base.clone``) is implemented here
    without importing scikit-learn, which keeps ``import graphemb`` and the
    command line quick to start.
    """

    # ------------------------------------------------------ estimator protocol
    @classmethod
    def _param_names(cls) -> list[str]:
        parameters = inspect.signature(cls.__init__).parameters.values()
        return [par.name for par in parameters if par.name != "self" and par.kind == par.POSITIONAL_OR_KEYWORD]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Get the parameters of this model.

        Parameters
        ----------
        deep : bool, default True
            Unused (no nested estimators); kept for scikit-learn compatibility.

        Returns
        -------
        dict
            Parameter names, in signature order, mapped to their values.
        """
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> _RandomWalkEmbedding:
        """Set parameters of this model (validated at ``fit``).

        Parameters
        ----------
        **params
            Parameter names and new values.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            If a name is not a parameter of the model.
        """
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for {type(self).__name__}. Valid parameters are: {', '.join(valid)}."
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {k: v.default for k, v in inspect.signature(type(self).__init__).parameters.items()}
        changed = []
        for name, value in self.get_params().items():
            default = defaults.get(name, inspect.Parameter.empty)
            try:
                same = type(value) is type(default) and bool(value == default)
            except (TypeError, ValueError):  # e.g. an array: always shown
                same = False
            if not same:
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    def _walk_bias(self) -> tuple[float, float]:
        """Return the node2vec ``(p, q)`` used for the walks."""
        raise NotImplementedError

    # ----------------------------------------------------------- validation
    def _trainer(self, seed: int | None) -> SGNS:
        """The :class:`SGNS` trainer this model's parameters describe."""
        return SGNS(
            dimensions=self.dimensions,
            window=self.window,
            negative=self.negative,
            ns_exponent=self.ns_exponent,
            alpha=self.alpha,
            min_alpha=self.min_alpha,
            sample=self.sample,
            epochs=self.epochs,
            workers=self.workers,
            seed=seed,
            verbose=self.verbose,
            partitions=self.partitions,
            partition_options=self._partition_options(),
        )

    def _partition_options(self) -> dict | None:
        """``partition_options`` with a ``"scheduler"`` address resolved to a Dask executor."""
        options = self.partition_options
        if isinstance(options, dict) and options.get("scheduler") is not None:
            from .distributed.training import resolve_partition_options

            return resolve_partition_options(options)
        return options

    def validate(self) -> _RandomWalkEmbedding:
        """Check every parameter (the model's and its trainer's) without doing any work.

        ``fit`` calls it first; call it yourself to reject a bad configuration
        before loading a large graph (the command line does).

        Returns
        -------
        self

        Raises
        ------
        ValueError
            Naming the first invalid parameter.
        """
        owner = type(self).__name__
        for name in ("dimensions", "walk_length", "num_walks", "window", "negative", "epochs", "partitions"):
            check_int(getattr(self, name), name, owner, minimum=1)
        check_float(self.alpha, "alpha", owner, minimum=0.0)
        check_float(self.min_alpha, "min_alpha", owner, minimum=0.0, inclusive=True)
        check_float(self.sample, "sample", owner, minimum=0.0, inclusive=True)
        check_bool(self.verbose, "verbose", owner)
        for name in ("weighted", "directed"):
            value = getattr(self, name)
            if value is not None:
                check_bool(value, name, owner)
        if self.workers is not None:
            check_int(self.workers, "workers", owner, minimum=1)
        if self.seed is not None and (
            isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)) or self.seed < 0
        ):
            raise ValueError(f"The 'seed' parameter of {owner} must be a non-negative int or None. Got {self.seed!r}.")
        if self.memory_limit is not None:
            parse_size(self.memory_limit, "memory_limit")
        if self.workdir is not None and not isinstance(self.workdir, (str, os.PathLike)):
            raise ValueError(f"The 'workdir' parameter of {owner} must be a path or None. Got {self.workdir!r}.")
        self._trainer(0).validate()  # the trainer's own checks (e.g. ns_exponent), before any heavy work
        return self

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
            in_memory_max=_IN_MEMORY_CORPUS_BYTES,
            disk_free=disk_free,
            short_walks=bool(g.directed),
        )

    # ------------------------------------------------------------------ fit
    def fit(self, graph: Any, y: Any = None) -> _RandomWalkEmbedding:
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
        seed_, _ = normalize_seed(self.seed)
        walk_seed, train_seed = _derive_seeds(seed_)
        trainer = self._trainer(train_seed)
        g = self._as_graph(graph)
        plan = self.memory_plan(g)
        logger.info("%s: %r, seed %d; %s", owner, g, seed_, plan.describe())
        plan.check(f"{owner}.fit")  # refused here, before the walks and the vector tables are allocated
        stream = WalkStream(
            g, self.walk_length, self.num_walks, p=p, q=q, weighted=self.weighted, seed=walk_seed,
            workers=self.workers, verbose=self.verbose, chunk_size=plan.chunk_walks,
        )  # fmt: skip
        if not plan.spill:
            corpus = stream.to_corpus()
            trainer.fit(corpus, num_nodes=g.num_nodes, node_counts=corpus.node_counts(g.num_nodes))
        else:
            _train_spilled(trainer, stream, g, self.workdir, owner)
        self.memory_plan_ = plan
        self.embedding_ = Embedding(g.nodes, trainer.input_vectors_)
        self.seed_ = seed_
        self.loss_ = trainer.loss_
        self.graph_ = g
        return self


def _graph_bytes(g: CSRGraph) -> int:
    """Bytes held by a CSRGraph: its arrays plus about ``NODE_ID_BYTES`` per original id."""
    arrays = g.indptr.nbytes + g.indices.nbytes + (g.weights.nbytes if g.weights is not None else 0)
    return int(arrays + NODE_ID_BYTES * g.num_nodes)


def _train_spilled(trainer: SGNS, stream: WalkStream, g: CSRGraph, workdir: Any, owner: str) -> None:
    """Walk once into shards (counting nodes while writing), then train from the memory-mapped shards.

    With ``workdir`` None the shards live in a temporary directory removed afterwards; otherwise
    in ``workdir/walks``, kept: a later fit with the same graph, walk parameters and seed reuses
    them (a complete directory) or resumes them (an unfinished one) instead of walking again.
    """
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="graphemb-walks-") as tmp:
            _train_spilled(trainer, stream, g, tmp, owner)
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
        write_walks(stream, folder, graph=g, overwrite=True)
        corpus = read_walks(folder, graph=g)
    trainer.fit(corpus, num_nodes=g.num_nodes, node_counts=corpus.node_counts)


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
    p : float, default 1.0
        Return parameter: low values keep walks near their start (BFS-like).
    q : float, default 1.0
        In-out parameter: low values push walks outward (DFS-like).
        ``p = q = 1`` gives DeepWalk's uniform walks.{shared}

    Attributes
    ----------{attributes}

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

    def __init__(
        self,
        dimensions: int = 128,
        walk_length: int = 80,
        num_walks: int = 10,
        p: float = 1.0,
        q: float = 1.0,
        window: int = 10,
        negative: int = 5,
        epochs: int = 1,
        alpha: float = 0.025,
        min_alpha: float = 0.0001,
        sample: float = 1e-3,
        ns_exponent: float = 0.75,
        weighted: bool | None = None,
        directed: bool | None = None,
        workers: int | None = None,
        seed: int | None = None,
        verbose: bool = True,
        memory_limit: int | str | None = None,
        workdir: str | os.PathLike | None = None,
        partitions: int = 1,
        partition_options: dict | None = None,
    ) -> None:
        self.dimensions = dimensions
        self.walk_length = walk_length
        self.num_walks = num_walks
        self.p = p
        self.q = q
        self.window = window
        self.negative = negative
        self.epochs = epochs
        self.alpha = alpha
        self.min_alpha = min_alpha
        self.sample = sample
        self.ns_exponent = ns_exponent
        self.weighted = weighted
        self.directed = directed
        self.workers = workers
        self.seed = seed
        self.verbose = verbose
        self.memory_limit = memory_limit
        self.workdir = workdir
        self.partitions = partitions
        self.partition_options = partition_options

    def _walk_bias(self) -> tuple[float, float]:
        return (
            check_float(self.p, "p", "Node2Vec", minimum=0.0),
            check_float(self.q, "q", "Node2Vec", minimum=0.0),
        )


class DeepWalk(_RandomWalkEmbedding):
    """DeepWalk node embeddings: uniform random walks treated as sentences for skip-gram.

    Each node starts ``num_walks`` truncated random walks that step to a
    neighbour chosen uniformly (or in proportion to edge weight when the graph
    is weighted); the walks are fed to skip-gram with negative sampling.  This
    is :class:`Node2Vec` with ``p = q = 1`` and costs O(1) per step.

    Parameters
    ----------{shared}

    Attributes
    ----------{attributes}

    See Also
    --------
    Node2Vec : biased second-order walks.

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

    def __init__(
        self,
        dimensions: int = 128,
        walk_length: int = 80,
        num_walks: int = 10,
        window: int = 10,
        negative: int = 5,
        epochs: int = 1,
        alpha: float = 0.025,
        min_alpha: float = 0.0001,
        sample: float = 1e-3,
        ns_exponent: float = 0.75,
        weighted: bool | None = None,
        directed: bool | None = None,
        workers: int | None = None,
        seed: int | None = None,
        verbose: bool = True,
        memory_limit: int | str | None = None,
        workdir: str | os.PathLike | None = None,
        partitions: int = 1,
        partition_options: dict | None = None,
    ) -> None:
        self.dimensions = dimensions
        self.walk_length = walk_length
        self.num_walks = num_walks
        self.window = window
        self.negative = negative
        self.epochs = epochs
        self.alpha = alpha
        self.min_alpha = min_alpha
        self.sample = sample
        self.ns_exponent = ns_exponent
        self.weighted = weighted
        self.directed = directed
        self.workers = workers
        self.seed = seed
        self.verbose = verbose
        self.memory_limit = memory_limit
        self.workdir = workdir
        self.partitions = partitions
        self.partition_options = partition_options

    def _walk_bias(self) -> tuple[float, float]:
        return 1.0, 1.0


# One source for the parameter and attribute text both models document.
for _model in (Node2Vec, DeepWalk):
    _model.__doc__ = (
        (_model.__doc__ or "")
        .replace("{shared}", _SHARED_PARAMETERS.rstrip())
        .replace("{attributes}", _SHARED_ATTRIBUTES.rstrip())
    )
del _model
