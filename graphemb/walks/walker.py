"""Random walks on a :class:`~graphemb.CSRGraph`: parameters, seeds, chunks, progress.

The numba kernels live in :mod:`._kernels`; this module validates the input,
resolves the seed, builds the per-row alias tables a weighted walk needs, splits
the walks into chunks, runs the parallel driver with the requested number of
threads and reports progress.

Ordering contract: walk ``w = r * len(start_nodes) + i`` (round ``r``) starts at
``start_nodes[i]`` and draws its random numbers from the counter-based stream
``(seed, w)``; the corpus is therefore bit-identical for a given seed whatever
the thread count or chunk size.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
import scipy.sparse as sp
from tqdm.auto import tqdm

from .._memory import check_allocation, format_bytes
from .._params import PARAMETERS, documented
from .._rng import normalize_seed
from .._validation import check_int, check_workers
from ..corpus import WalkCorpus
from ..graph.csr import CSRGraph
from . import _kernels as K

__all__ = ["WalkPlan", "WalkStream", "iter_random_walks", "random_walks"]

logger = logging.getLogger(__name__)

_CHUNK_BYTES = 64 * 2**20  # target size of one streamed chunk
_EMPTY_F32 = np.zeros(0, dtype=np.float32)
_EMPTY_F64 = np.zeros(0, dtype=np.float64)
_EMPTY_I32 = np.zeros(0, dtype=np.int32)
_INT32_MAX = int(np.iinfo(np.int32).max)


def as_graph(graph: Any, owner: str = "random_walks") -> CSRGraph:
    """Return ``graph`` as a :class:`CSRGraph`, converting supported inputs.

    Parameters
    ----------
    graph : CSRGraph, networkx graph, scipy sparse matrix or pandas DataFrame
        A networkx graph goes through :meth:`CSRGraph.from_networkx`, a scipy
        sparse adjacency through :meth:`CSRGraph.from_scipy` and an edge table
        through :meth:`CSRGraph.from_edgelist`.
    owner : str
        Name of the calling function, used in error messages.

    Returns
    -------
    CSRGraph
        ``graph`` itself when it is one already (no copy).

    Raises
    ------
    ValueError
        If ``graph`` is none of the supported types.
    """
    if isinstance(graph, CSRGraph):
        return graph
    if sp.issparse(graph):
        return CSRGraph.from_scipy(graph)
    module = type(graph).__module__ or ""
    if module.startswith("networkx"):
        return CSRGraph.from_networkx(graph)
    if module.startswith("pandas") and type(graph).__name__ == "DataFrame":
        return CSRGraph.from_edgelist(graph)
    raise ValueError(
        f"The 'graph' parameter of {owner} must be a CSRGraph, a networkx graph, a scipy sparse "
        f"adjacency matrix or a pandas DataFrame of edges. Got {type(graph).__name__} instead."
    )


def _resolve_start_nodes(graph: CSRGraph, start_nodes: Any, owner: str) -> np.ndarray:
    if start_nodes is None:
        return np.arange(graph.num_nodes, dtype=np.int64)
    if isinstance(start_nodes, (str, bytes)) or not hasattr(start_nodes, "__iter__"):
        raise ValueError(
            f"The 'start_nodes' parameter of {owner} must be a sequence of node ids (or None for all nodes). "
            f"Got {start_nodes!r} instead; wrap a single id in a list."
        )
    ids = start_nodes.tolist() if isinstance(start_nodes, np.ndarray) else list(start_nodes)
    if len(ids) == 0:
        raise ValueError(f"The 'start_nodes' parameter of {owner} must not be empty.")
    out = np.empty(len(ids), dtype=np.int64)
    for k, v in enumerate(ids):
        try:
            out[k] = graph.index_of(v)
        except KeyError:
            raise ValueError(
                f"The 'start_nodes' parameter of {owner} holds {v!r} (position {k}), which is not a node of "
                "the graph. Pass original node ids as listed in graph.nodes."
            ) from None
    return out


@dataclass(frozen=True, eq=False)
class WalkPlan:
    """Everything the walk kernels need, as plain arrays and scalars: a unit of work that travels.

    Built by :meth:`WalkStream.plan`; holds no graph object and no node ids, so
    it pickles to little more than its arrays (a Dask cluster receives it once
    and every task fills its own block of walks from it).  Walk ``w`` depends
    only on ``(seed, w)``, so any split of ``[0, num_walks_total)`` into blocks,
    filled in any order by any number of processes, gives the walks of
    :func:`random_walks` with the same seed.

    Attributes
    ----------
    indptr : int64[n + 1]
    indices : int32[m]
    weights : float32[m] (empty unless weighted)
    prob : float32[m], alias : int32[m], rowsum : float64[n]
        Alias tables and row sums (empty unless weighted).
    start_nodes : int64[s]
        Start node (row index) of each walk of a round.
    seed : np.uint64
        Kernel seed (derived from the resolved seed ``WalkStream.seed_``).
    inv_p, inv_q : float
    mode : int
        Kernel mode (uniform, alias or node2vec).
    weighted, directed : bool
    walk_length : int
    num_walks_total : int

    Notes
    -----
    Memory: the graph's CSR arrays (shared, not copied) plus 8 bytes per arc
    and 8 per node of alias tables when weighted, plus 8 bytes per start node.
    """

    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray
    prob: np.ndarray
    alias: np.ndarray
    rowsum: np.ndarray
    start_nodes: np.ndarray
    seed: Any
    inv_p: float
    inv_q: float
    mode: int
    weighted: bool
    directed: bool
    walk_length: int
    num_walks_total: int

    @property
    def nbytes(self) -> int:
        """Bytes held by the plan's arrays."""
        arrays = (self.indptr, self.indices, self.weights, self.prob, self.alias, self.rowsum, self.start_nodes)
        return int(sum(a.nbytes for a in arrays))

    def fill(self, first: int, out: np.ndarray, lengths: np.ndarray, threads: int = 1) -> None:
        """Generate walks ``first .. first + len(out) - 1`` into caller-allocated buffers.

        Parameters
        ----------
        first : int
            Global index of the first walk, ``0 <= first``, ``first + len(out) <= num_walks_total``.
        out : int32[b, walk_length], C-contiguous
            Output rows (padded with -1 past each walk's length).
        lengths : int32[b]
            Output: nodes per walk.
        threads : int, default 1
            1 runs the serial kernel on the calling thread: safe to call from
            several threads at once (Dask workers); more runs numba's parallel
            kernel with that many threads, which must not be entered by two
            threads of one process at the same time.

        Raises
        ------
        ValueError
            If the block is out of range or a buffer has the wrong shape or dtype.

        Notes
        -----
        Time O(b walk_length) times the per-step cost of the mode (see
        :func:`random_walks`); no allocation but 8 bytes per walk of scratch for
        first-order walks.
        """
        first = int(first)
        b = int(out.shape[0]) if out.ndim == 2 else -1
        if (
            out.ndim != 2
            or out.shape[1] != self.walk_length
            or out.dtype != np.int32
            or not out.flags.c_contiguous
            or lengths.shape != (b,)
            or lengths.dtype != np.int32
        ):
            raise ValueError(
                f"WalkPlan.fill needs out int32[b, {self.walk_length}] (C-contiguous) and lengths int32[b]; "
                f"got {out.dtype}{list(out.shape)} and {lengths.dtype}{list(lengths.shape)}."
            )
        if first < 0 or first + b > self.num_walks_total:
            raise ValueError(f"WalkPlan.fill: walks {first}..{first + b - 1} lie outside [0, {self.num_walks_total}).")
        threads = check_int(threads, "threads", "WalkPlan.fill", minimum=1)
        states = np.empty(b if self.mode != K.MODE_NODE2VEC else 0, dtype=np.uint64)  # 8 bytes per walk
        args = (
            self.indptr,
            self.indices,
            self.weights,
            self.prob,
            self.alias,
            self.rowsum,
            self.start_nodes,
            np.int64(first),
            self.seed,
            self.inv_p,
            self.inv_q,
            self.mode,
            self.weighted,
            self.directed,
            out,
            lengths,
            states,
        )
        if threads == 1:
            K.walk_block_serial(*args)
            return
        previous = numba.get_num_threads()
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        try:
            K.walk_block(*args)
        finally:
            numba.set_num_threads(previous)

    def count_nodes(self, walks: np.ndarray, lengths: np.ndarray, counts: np.ndarray | None = None) -> np.ndarray:
        """Occurrences of each node in a block of walks, added to ``counts`` (GIL released).

        Parameters
        ----------
        walks : int32[b, walk_length], lengths : int32[b]
            As filled by :meth:`fill`.
        counts : int64[num_nodes], optional
            Updated in place; a new zero array when None.

        Returns
        -------
        ndarray of int64, shape (num_nodes,)
            ``counts``; O(sum(lengths)) time, ``8 num_nodes`` bytes when allocated.
        """
        n = self.indptr.shape[0] - 1
        if counts is None:
            counts = np.zeros(n, dtype=np.int64)
        elif counts.shape != (n,) or counts.dtype != np.int64:
            raise ValueError(f"WalkPlan.count_nodes needs counts int64[{n}]; got {counts.dtype}{list(counts.shape)}.")
        walks = np.ascontiguousarray(walks, dtype=np.int32)
        lengths = np.ascontiguousarray(lengths, dtype=np.int32)
        if walks.ndim != 2 or lengths.shape != (walks.shape[0],):
            raise ValueError("WalkPlan.count_nodes needs walks int32[b, L] and lengths int32[b].")
        K.add_node_counts(walks, lengths, counts)
        return counts

    def generate(self, first: int, count: int, threads: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Allocate and fill walks ``first .. first + count - 1``.

        Parameters
        ----------
        first, count : int
            Block of walks (``count >= 1``).
        threads : int, default 1
            See :meth:`fill`.

        Returns
        -------
        walks : int32[count, walk_length]
        lengths : int32[count]
            ``4 count (walk_length + 1)`` bytes.
        """
        count = check_int(count, "count", "WalkPlan.generate", minimum=1)
        out = np.empty((count, self.walk_length), dtype=np.int32)
        lengths = np.empty(count, dtype=np.int32)
        self.fill(first, out, lengths, threads=threads)
        return out, lengths


@documented
class WalkStream:
    """Re-iterable stream of random-walk chunks (DeepWalk / node2vec walks).

    Each ``iter()`` regenerates the same :class:`~graphemb.WalkCorpus` chunks
    from the same resolved seed, so a trainer can make several passes over the
    walks without holding the whole corpus in memory.

    Parameters
    ----------
    graph : CSRGraph or convertible
        See :func:`random_walks`.
    {parameters: walk_length num_walks p q weighted seed workers}
    start_nodes : sequence, optional
        Original ids of the start nodes of a round (repeats allowed); default
        all nodes in index order.
    {parameters: chunk_size verbose}

    Attributes
    ----------
    graph : CSRGraph
    seed_ : int
        The seed actually used.
    num_walks_total : int
        ``num_walks * len(start_nodes)``.
    max_tokens : int
        ``num_walks_total * walk_length`` (upper bound on nodes produced).
    chunk_size : int
        Walks per chunk (resolved).
    num_chunks : int
    workers : int
        Threads (resolved).
    weighted : bool
        Whether weights are used (resolved).

    Raises
    ------
    ValueError
        For any invalid parameter, before any heavy work.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from graphemb import CSRGraph
    >>> g = CSRGraph.from_scipy(sp.csr_array(np.ones((3, 3)) - np.eye(3)))
    >>> stream = WalkStream(g, walk_length=4, num_walks=2, seed=0, verbose=False)
    >>> [len(c) for c in stream], stream.max_tokens
    ([6], 24)
    """

    def __init__(
        self,
        graph: Any,
        walk_length: int = 80,
        num_walks: int = 10,
        p: float = 1.0,
        q: float = 1.0,
        weighted: bool | None = None,
        seed: int | None = None,
        workers: int | None = None,
        start_nodes: Sequence[Any] | None = None,
        chunk_size: int | None = None,
        verbose: bool = True,
    ) -> None:
        self._setup(graph, walk_length, num_walks, p, q, weighted, seed, workers, start_nodes, chunk_size, verbose)

    @classmethod
    def _create(cls, owner: str, *args: Any) -> WalkStream:
        """Build a stream on behalf of ``owner`` (named in error messages)."""
        self = cls.__new__(cls)
        self._setup(*args, owner=owner)
        return self

    def _setup(
        self,
        graph: Any,
        walk_length: Any,
        num_walks: Any,
        p: Any,
        q: Any,
        weighted: Any,
        seed: Any,
        workers: Any,
        start_nodes: Any,
        chunk_size: Any,
        verbose: Any,
        owner: str = "WalkStream",
    ) -> None:
        decl = PARAMETERS  # the declarations (graphemb/_params.py)
        self.walk_length = decl["walk_length"].check(walk_length, owner)
        self.num_walks = decl["num_walks"].check(num_walks, owner)
        self.p = decl["p"].check(p, owner)
        self.q = decl["q"].check(q, owner)
        weighted = decl["weighted"].check(weighted, owner)
        self.verbose = decl["verbose"].check(verbose, owner)
        self.workers = check_workers(decl["workers"].check(workers, owner), owner)
        chunk_size = decl["chunk_size"].check(chunk_size, owner)
        self.seed_, self._kernel_seed = normalize_seed(seed, owner)
        graph = as_graph(graph, owner)
        if graph.num_nodes > _INT32_MAX:
            raise ValueError(f"{owner} stores walks as int32: graphs above {_INT32_MAX} nodes are not supported.")
        if weighted is None:
            weighted = graph.weighted
        elif weighted and not graph.weighted:
            raise ValueError(
                f"The 'weighted' parameter of {owner} is True but the graph has no edge weights; "
                "pass weighted=None or False, or build the graph with weights."
            )
        self.weighted = bool(weighted)
        self.graph = graph
        self._start = _resolve_start_nodes(graph, start_nodes, owner)
        self.num_walks_total = int(self.num_walks * self._start.size)
        self.max_tokens = int(self.num_walks_total * self.walk_length)
        if chunk_size is None:
            chunk_size = max(1, _CHUNK_BYTES // (4 * (self.walk_length + 1)))
        self.chunk_size = int(min(chunk_size, self.num_walks_total))
        self.num_chunks = -(-self.num_walks_total // self.chunk_size)
        self._tables: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._plan: WalkPlan | None = None
        self._owner = owner

    # ----------------------------------------------------------------- helpers
    @property
    def nodes(self) -> list:
        """Original node ids of the graph (``corpus.nodes``)."""
        return self.graph.nodes

    @property
    def second_order(self) -> bool:
        """True when the walks are node2vec second-order walks (``p != 1`` or ``q != 1``)."""
        return not (self.p == 1.0 and self.q == 1.0)

    def __repr__(self) -> str:
        return (
            f"WalkStream({self.graph!r}, walk_length={self.walk_length}, num_walks={self.num_walks}, "
            f"p={self.p:g}, q={self.q:g}, weighted={self.weighted}, seed_={self.seed_}, "
            f"num_walks_total={self.num_walks_total}, chunk_size={self.chunk_size})"
        )

    def __len__(self) -> int:
        return self.num_chunks

    def _get_tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Alias tables and row sums for weighted walks (built once, 8 bytes/arc + 8 bytes/node)."""
        if self._tables is None:
            g = self.graph
            if not self.weighted:
                self._tables = (_EMPTY_F32, _EMPTY_I32, _EMPTY_F64)
            else:
                m = g.indices.size
                check_allocation(
                    8 * m + 8 * g.num_nodes,
                    f"the alias tables of the weighted walk ({m:,} arcs)",
                    alternative="pass weighted=False to ignore the weights.",
                )
                weights = np.ascontiguousarray(g.weights, dtype=np.float32)
                prob = np.empty(m, dtype=np.float32)
                alias = np.empty(m, dtype=np.int32)
                dmax = int(g.degrees.max()) if g.num_nodes else 0
                small = np.empty(max(dmax, 1), dtype=np.int64)
                large = np.empty(max(dmax, 1), dtype=np.int64)
                K.build_alias(g.indptr, weights, prob, alias, small, large)
                csum = np.zeros(m + 1, dtype=np.float64)
                np.cumsum(weights, dtype=np.float64, out=csum[1:])
                rowsum = np.ascontiguousarray(csum[g.indptr[1:]] - csum[g.indptr[:-1]])
                self._tables = (prob, alias, rowsum)
        return self._tables

    def plan(self) -> WalkPlan:
        """The kernel inputs of this stream as a picklable :class:`WalkPlan` (built once, then cached).

        Returns
        -------
        WalkPlan
            Plain arrays (CSR, alias tables when weighted, start nodes) and
            scalars; ``plan.fill(first, out, lengths)`` generates walks
            ``first ..`` exactly as this stream does.  Shares the graph's arrays
            (no copy); weighted walks add the alias tables (8 bytes per arc +
            8 per node).
        """
        if self._plan is None:
            g = self.graph
            prob, alias, rowsum = self._get_tables()
            if self.second_order:
                mode = K.MODE_NODE2VEC
            elif self.weighted:
                mode = K.MODE_ALIAS
            else:
                mode = K.MODE_UNIFORM
            weights = np.ascontiguousarray(g.weights, dtype=np.float32) if self.weighted else _EMPTY_F32
            self._plan = WalkPlan(
                indptr=g.indptr,
                indices=g.indices,
                weights=weights,
                prob=prob,
                alias=alias,
                rowsum=rowsum,
                start_nodes=self._start,
                seed=self._kernel_seed,
                inv_p=1.0 / self.p,
                inv_q=1.0 / self.q,
                mode=int(mode),
                weighted=self.weighted,
                directed=bool(g.directed),
                walk_length=self.walk_length,
                num_walks_total=self.num_walks_total,
            )
        return self._plan

    def variant(self, *, p: float, q: float, seed: int) -> WalkStream:
        """This stream with another ``p``, ``q`` and ``seed``, sharing its graph, start nodes and alias tables.

        The first-order alias tables (weighted walks) depend on none of the three,
        so they are built here once and every variant reuses them (a p, q grid,
        :func:`graphemb.tune`).  ``p`` and ``q`` are checked as in the constructor.
        O(1) besides that first build; the variant's :meth:`plan` is its own.
        """
        self._get_tables()
        out = copy.copy(self)
        out.p = PARAMETERS["p"].check(p, self._owner)
        out.q = PARAMETERS["q"].check(q, self._owner)
        out.seed_, out._kernel_seed = normalize_seed(seed, self._owner)
        out._plan = None
        return out

    def _fill(self, first: int, out: np.ndarray, lengths: np.ndarray) -> None:
        """Generate walks ``first .. first + len(out) - 1`` into ``out`` / ``lengths``."""
        self.plan().fill(first, out, lengths, threads=self.workers)

    def _progress(self) -> tqdm:
        return tqdm(
            total=self.num_walks_total,
            unit="walk",
            desc="random walks",
            disable=None if self.verbose else True,  # None: a bar only on a terminal (not in pipes or logs)
            leave=False,
        )

    # --------------------------------------------------------------- iteration
    def __iter__(self) -> Iterator[WalkCorpus]:
        """Yield the walks as :class:`WalkCorpus` chunks (``chunk.start`` = global index of its first walk)."""
        logger.debug("streaming walks: %r", self)
        bar = self._progress()
        try:
            for first in range(0, self.num_walks_total, self.chunk_size):
                b = min(self.chunk_size, self.num_walks_total - first)
                out = np.empty((b, self.walk_length), dtype=np.int32)
                lengths = np.empty(b, dtype=np.int32)
                self._fill(first, out, lengths)
                bar.update(b)
                yield WalkCorpus(out, lengths, nodes=self.graph.nodes, start=first)
        finally:
            bar.close()

    def to_corpus(self) -> WalkCorpus:
        """Generate every walk at once into one :class:`WalkCorpus`.

        Returns
        -------
        WalkCorpus
            ``num_walks_total`` walks, ``start = 0``.

        Raises
        ------
        MemoryError
            If the corpus (4 bytes per step + 4 per walk) cannot fit in memory.
        """
        total = self.num_walks_total
        nbytes = total * (self.walk_length + 1) * 4
        check_allocation(
            nbytes,
            f"the walk corpus ({total:,} walks x {self.walk_length} steps)",
            alternative="Use iter_random_walks / WalkStream to stream walks.",
        )
        logger.debug("generating %d walks (%s): %r", total, format_bytes(nbytes), self)
        out = np.empty((total, self.walk_length), dtype=np.int32)
        lengths = np.empty(total, dtype=np.int32)
        bar = self._progress()
        try:
            for first in range(0, total, self.chunk_size):
                b = min(self.chunk_size, total - first)
                self._fill(first, out[first : first + b], lengths[first : first + b])
                bar.update(b)
        finally:
            bar.close()
        return WalkCorpus(out, lengths, nodes=self.graph.nodes, start=0)


@documented
def random_walks(
    graph: Any,
    walk_length: int = 80,
    num_walks: int = 10,
    p: float = 1.0,
    q: float = 1.0,
    weighted: bool | None = None,
    seed: int | None = None,
    workers: int | None = None,
    start_nodes: Sequence[Any] | None = None,
    chunk_size: int | None = None,
    verbose: bool = True,
) -> WalkCorpus:
    r"""Generate DeepWalk (first-order) or node2vec (second-order) random walks.

    From node ``cur`` reached from ``prev``, the next node ``x`` (an
    out-neighbour of ``cur``) is drawn with probability proportional to

    .. math:: \pi(x) = w(cur, x)\,\alpha_{pq}(prev, x),\quad
              \alpha_{pq} = \begin{cases} 1/p & x = prev \\ 1 & x \to prev \text{ is an arc} \\
              1/q & \text{otherwise} \end{cases}

    (Grover & Leskovec, KDD 2016, doi:10.1145/2939672.2939754; the arc test
    ``x -> prev`` is that of the reference implementation).  The first step, and
    every step when ``p = q = 1``, is first-order: ``pi(x) = w(cur, x)``.
    ``w = 1`` on unweighted graphs.

    Parameters
    ----------
    graph : CSRGraph, networkx graph, scipy sparse matrix or pandas DataFrame
        The graph; non-CSR inputs are converted (see :func:`as_graph`).
    {parameters: walk_length num_walks p q weighted seed workers}
    start_nodes : sequence, optional
        Original ids of the nodes each round starts from (default all nodes, in
        index order).
    {parameters: chunk_size verbose}

    Returns
    -------
    WalkCorpus
        ``num_walks * len(start_nodes)`` walks of int32 node indices (map back
        with ``corpus.nodes``), ordered by round then start node: walk
        ``r * len(start_nodes) + i`` starts at ``start_nodes[i]``.  A walk that
        reaches a node without out-arcs (directed graphs) stops there; its true
        length is in ``corpus.lengths`` and the rest of its row is -1.

    Raises
    ------
    ValueError
        For invalid parameters or unknown start nodes.
    MemoryError
        If the corpus cannot fit in memory (use :func:`iter_random_walks`).

    See Also
    --------
    iter_random_walks : the same walks, streamed in chunks.
    WalkStream : a re-iterable stream of the same walks.

    Notes
    -----
    Cost per step: O(1) for unweighted first-order walks, O(1) with alias
    tables (8 extra bytes per arc) for weighted ones; node2vec steps use
    rejection sampling (KnightKing, Yang et al., SOSP 2019) with an expected
    number of trials at most ``max(q, 1/q)`` when ``1/p`` dominates and in
    general ``Z / sum_x pi(x)`` (see docs/walks.md), each trial O(1) plus at
    most one O(log d) edge look-up; no second-order tables are built.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from graphemb import CSRGraph, random_walks
    >>> path = CSRGraph.from_scipy(sp.diags([1.0, 1.0], [-1, 1], shape=(3, 3)))
    >>> corpus = random_walks(path, walk_length=3, num_walks=1, seed=0, verbose=False)
    >>> corpus.walks[1, 1]  # from the middle node any walk goes to an end
    np.int32(0)
    """
    stream = WalkStream._create(
        "random_walks", graph, walk_length, num_walks, p, q, weighted, seed, workers, start_nodes, chunk_size, verbose
    )
    return stream.to_corpus()


def iter_random_walks(
    graph: Any,
    walk_length: int = 80,
    num_walks: int = 10,
    p: float = 1.0,
    q: float = 1.0,
    weighted: bool | None = None,
    seed: int | None = None,
    workers: int | None = None,
    start_nodes: Sequence[Any] | None = None,
    chunk_size: int | None = None,
    verbose: bool = True,
) -> Iterator[WalkCorpus]:
    """Stream the walks of :func:`random_walks` in :class:`WalkCorpus` chunks.

    Parameters are validated at once (before the first chunk is asked for).

    Parameters
    ----------
    graph, walk_length, num_walks, p, q, weighted, seed, workers, start_nodes, chunk_size, verbose
        As in :func:`random_walks`.

    Returns
    -------
    iterator of WalkCorpus
        Chunks with ``chunk.start`` the global index of their first walk; their
        concatenation equals ``random_walks(...)`` with the same seed.  With
        ``seed=None`` the fresh seed is drawn once, at the call.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from graphemb import CSRGraph, iter_random_walks
    >>> g = CSRGraph.from_scipy(sp.csr_array(np.ones((3, 3)) - np.eye(3)))
    >>> [c.start for c in iter_random_walks(g, walk_length=5, num_walks=3, seed=1, chunk_size=4, verbose=False)]
    [0, 4, 8]
    """
    stream = WalkStream._create(
        "iter_random_walks",
        graph,
        walk_length,
        num_walks,
        p,
        q,
        weighted,
        seed,
        workers,
        start_nodes,
        chunk_size,
        verbose,
    )
    return iter(stream)
