"""The shared skip-gram-with-negative-sampling trainer (:class:`SGNS`).

The trainer never sees a graph: it consumes integer sequences through
:func:`graphemb.corpus.as_token_chunks` (a :class:`~graphemb.corpus.WalkCorpus`,
a 2-D int array, a list of int arrays, or a re-iterable of chunks).  The numeric
work happens in :mod:`graphemb.sgns._kernels`.
"""

from __future__ import annotations

import logging
import math
import numbers
import time
from collections.abc import Iterator
from typing import Any

import numba
import numpy as np

from .._memory import check_allocation, format_bytes
from .._rng import normalize_seed
from .._validation import check_bool, check_choice, check_float, check_int, check_workers
from ..corpus import as_token_chunks
from . import _kernels
from ._huffman import build_huffman_tree

__all__ = ["OBJECTIVES", "SGNS", "SOFTMAX_MAX_NODES"]

logger = logging.getLogger(__name__)

_OWNER = "SGNS"
_PIECE_TOKENS = 1 << 20  # tokens per kernel call (progress granularity); results do not depend on it
_BLOCKS_PER_WORKER = 16  # blocks are handed out dynamically (numba parallel chunk size 1)
# Input vectors start uniform in [-h/d, h/d].  word2vec.c uses h = 0.5, gensim >= 4 uses h = 1;
# with one epoch h = 1 scores 0.005 Macro-F1 higher on BlogCatalog (docs/training.md).
_INIT_HALF_WIDTH = 1.0
OBJECTIVES = ("negative_sampling", "hierarchical_softmax", "softmax")
"""Training objectives of :class:`SGNS` (the kernels receive the index into this tuple)."""
SOFTMAX_MAX_NODES = 5_000
"""Default ``softmax_max_nodes``: the full softmax costs O(n d) per pair, so it is refused above this."""


class SGNS:
    """Skip-gram with negative sampling (word2vec SGNS) over integer sequences.

    Learns two ``float32`` tables, input vectors (the embedding) and output
    vectors, so that ``sigmoid(input[c] . output[t])`` is high for a node ``t``
    and the nodes ``c`` around it in a sequence and low for ``negative`` noise
    nodes drawn from the unigram distribution raised to ``ns_exponent``.

    Parameters
    ----------
    dimensions : int, default 128
        Length of each vector.
    window : int, default 10
        Maximum distance between a centre node and a context node.
    negative : int, default 5
        Noise nodes per centre position (>= 1; ``negative=0``, i.e. hierarchical
        softmax only, is not supported).
    ns_exponent : float, default 0.75
        Exponent applied to node counts to form the noise distribution.
    alpha : float, default 0.025
        Initial learning rate.
    min_alpha : float, default 0.0001
        Final learning rate; the rate decays linearly over all epochs' tokens.
    sample : float, default 1e-3
        Subsampling threshold for frequent nodes (word2vec's formula); 0 disables it.
    epochs : int, default 1
        Passes over the corpus.
    workers : int or None, default None
        Training threads (None: all cores numba may use).  ``workers=1`` with a
        seed is bit-for-bit repeatable; more workers train lock-free (Hogwild)
        and are repeatable only statistically.
    seed : int or None, default None
        Seed of every random draw; None draws fresh entropy (kept in ``seed_``).
    shrink_window : bool, default True
        Draw the effective window uniformly in ``1..window`` per centre (word2vec).
    verbose : bool, default True
        Show a tqdm progress bar (tokens/s and loss).
    objective : {"negative_sampling", "hierarchical_softmax", "softmax"}, default "negative_sampling"
        Loss per (context, centre) pair.  ``"negative_sampling"``: logistic loss on the
        centre and ``negative`` noise nodes, O(negative d) per pair.
        ``"hierarchical_softmax"``: ``-log p(centre | context)`` with ``p`` a product of
        binary decisions along the centre's Huffman path (word2vec's), O(d log n) per
        pair; ``output_vectors_`` rows ``0 .. n - 2`` are then the tree's inner nodes.
        ``"softmax"``: the exact full softmax over all nodes, O(n d) per pair, for
        small graphs and research.  ``negative`` and ``ns_exponent`` only matter for
        negative sampling.  See docs/negative-sampling.md.
    softmax_max_nodes : int, default 5000
        ``objective="softmax"`` raises above this many nodes; raise it to force a
        larger (slow) run.
    shared_negatives : bool, default True
        Negative sampling only.  True: the ``negative`` noise nodes of a centre
        position are drawn once and serve all the contexts of its window (after
        pWord2Vec; the output rows stay in cache, 1.4-1.6x faster).  False: a fresh
        draw for every (context, centre) pair, exactly word2vec's sampling.  The
        update is word2vec's pair-by-pair step either way; on BlogCatalog both
        score within the seed spread of each other and of gensim (docs/training.md).
    partitions : int, default 1
        1: this trainer.  ``P > 1``: partitioned training (:mod:`graphemb.sgns.partitioned`,
        docs/partitioned.md): nodes in ``P`` partitions, pairs in ``P x P`` buckets trained in
        rounds of disjoint buckets, negatives from the centre's partition, negative sampling only,
        fresh negatives per pair (``shared_negatives`` is ignored); sets ``partition_stats_``.
    partition_options : dict or None, default None
        For ``partitions > 1``: ``workdir`` (train out of core there, checkpoint and resume),
        ``buffer`` (blocks held in memory out of core, default 4), ``chunks`` (per bucket and
        epoch, default 8), ``executor`` (e.g. ``graphemb.distributed.training.DaskExecutor``).

    Attributes
    ----------
    input_vectors_ : ndarray of float32, shape (num_nodes, dimensions)
        The embedding.  Nodes that never occur keep their initial vector.
    output_vectors_ : ndarray of float32, shape (num_nodes, dimensions)
    loss_ : ndarray of float64, shape (epochs,)
        Mean negative log-likelihood in each epoch: per (context, output) logit for
        negative sampling, per (context, centre) pair (``-log p(centre | context)``)
        for the hierarchical and full softmax.
    node_counts_ : ndarray of int64, shape (num_nodes,)
    num_nodes_ : int
    seed_ : int
        The seed actually used.
    trained_tokens_ : int
        Corpus tokens seen over all epochs (before subsampling).
    train_seconds_ : float
        Wall-clock time of the training passes (the counting pass excluded).

    Notes
    -----
    Each (context, centre) pair takes word2vec's SGD step: ``K + 1`` logits, then the
    output rows move with the old input row and the input row with the old output
    rows.  With ``shared_negatives=True`` the ``K`` noise nodes are drawn once per
    centre position, as pWord2Vec does (Ji et al. 2016, arXiv:1604.04661), but the
    pairs are still updated one at a time; pWord2Vec's merged ``B x (K + 1)`` matrix
    update lost 0.004 Macro-F1 against gensim on BlogCatalog and is not used.  See
    docs/training.md for the measurements.

    References
    ----------
    .. [1] T. Mikolov et al., "Distributed Representations of Words and Phrases
       and their Compositionality", NeurIPS 2013.
    .. [2] S. Ji et al., "Parallelizing Word2Vec in Shared and Distributed
       Memory", IEEE TPDS 2019, doi:10.1109/TPDS.2019.2904058.

    Examples
    --------
    >>> import numpy as np
    >>> from graphemb import SGNS
    >>> walks = np.array([[0, 1, 2, 1, 0], [2, 1, 0, 1, 2]])
    >>> model = SGNS(dimensions=8, window=2, seed=0, workers=1, verbose=False).fit(walks)
    >>> model.input_vectors_.shape
    (3, 8)
    """

    def __init__(
        self,
        dimensions: int = 128,
        window: int = 10,
        negative: int = 5,
        ns_exponent: float = 0.75,
        alpha: float = 0.025,
        min_alpha: float = 0.0001,
        sample: float = 1e-3,
        epochs: int = 1,
        workers: int | None = None,
        seed: int | None = None,
        shrink_window: bool = True,
        verbose: bool = True,
        objective: str = "negative_sampling",
        softmax_max_nodes: int = SOFTMAX_MAX_NODES,
        shared_negatives: bool = True,
        partitions: int = 1,
        partition_options: dict | None = None,
    ) -> None:
        self.dimensions = dimensions
        self.window = window
        self.negative = negative
        self.ns_exponent = ns_exponent
        self.alpha = alpha
        self.min_alpha = min_alpha
        self.sample = sample
        self.epochs = epochs
        self.workers = workers
        self.seed = seed
        self.shrink_window = shrink_window
        self.verbose = verbose
        self.objective = objective
        self.softmax_max_nodes = softmax_max_nodes
        self.shared_negatives = shared_negatives
        self.partitions = partitions
        self.partition_options = partition_options

    # ----------------------------------------------------------- sklearn API
    _PARAMS = (
        "dimensions",
        "window",
        "negative",
        "ns_exponent",
        "alpha",
        "min_alpha",
        "sample",
        "epochs",
        "workers",
        "seed",
        "shrink_window",
        "verbose",
        "objective",
        "softmax_max_nodes",
        "shared_negatives",
        "partitions",
        "partition_options",
    )

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Get the parameters of this trainer.

        Parameters
        ----------
        deep : bool, default True
            Unused (no nested estimators); kept for scikit-learn compatibility.

        Returns
        -------
        dict
            Parameter names mapped to their values.
        """
        return {name: getattr(self, name) for name in self._PARAMS}

    def set_params(self, **params: Any) -> SGNS:
        """Set parameters of this trainer.

        Parameters
        ----------
        **params
            Parameter names and new values.

        Returns
        -------
        SGNS
            self.

        Raises
        ------
        ValueError
            If a name is not a parameter of SGNS.
        """
        for name, value in params.items():
            if name not in self._PARAMS:
                raise ValueError(
                    f"Invalid parameter {name!r} for SGNS. Valid parameters are: {', '.join(self._PARAMS)}."
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"SGNS({args})"

    # ------------------------------------------------------------ validation
    def validate(self) -> SGNS:
        """Check every parameter without training.

        ``fit`` runs the same checks first; models call this before their walks.

        Returns
        -------
        SGNS
            self.

        Raises
        ------
        ValueError
            Naming the first invalid parameter.
        """
        self._check_params()
        return self

    def _check_params(self) -> dict[str, Any]:
        p: dict[str, Any] = {}
        p["dimensions"] = check_int(self.dimensions, "dimensions", _OWNER, minimum=1)
        p["window"] = check_int(self.window, "window", _OWNER, minimum=1)
        if isinstance(self.negative, numbers.Integral) and not isinstance(self.negative, bool) and self.negative == 0:
            raise ValueError(
                "The 'negative' parameter of SGNS must be an int >= 1. Got 0 instead "
                "(negative=0, hierarchical softmax only, is not supported)."
            )
        p["negative"] = check_int(self.negative, "negative", _OWNER, minimum=1)
        if (
            not isinstance(self.ns_exponent, numbers.Real)
            or isinstance(self.ns_exponent, bool)
            or not math.isfinite(float(self.ns_exponent))
        ):
            raise ValueError(
                f"The 'ns_exponent' parameter of SGNS must be a finite float. Got {self.ns_exponent!r} instead."
            )
        p["ns_exponent"] = float(self.ns_exponent)
        p["alpha"] = check_float(self.alpha, "alpha", _OWNER, minimum=0.0)
        p["min_alpha"] = check_float(self.min_alpha, "min_alpha", _OWNER, minimum=0.0, inclusive=True)
        if p["min_alpha"] > p["alpha"]:
            raise ValueError(
                f"The 'min_alpha' parameter of SGNS must be <= alpha ({p['alpha']!r}). Got {self.min_alpha!r} instead."
            )
        p["sample"] = check_float(self.sample, "sample", _OWNER, minimum=0.0, inclusive=True)
        p["epochs"] = check_int(self.epochs, "epochs", _OWNER, minimum=1)
        p["workers"] = check_workers(self.workers, _OWNER)
        p["shrink_window"] = check_bool(self.shrink_window, "shrink_window", _OWNER)
        p["shared_negatives"] = check_bool(self.shared_negatives, "shared_negatives", _OWNER)
        p["verbose"] = check_bool(self.verbose, "verbose", _OWNER)
        p["objective"] = check_choice(self.objective, "objective", OBJECTIVES, _OWNER)
        p["softmax_max_nodes"] = check_int(self.softmax_max_nodes, "softmax_max_nodes", _OWNER, minimum=1)
        p["partitions"] = check_int(self.partitions, "partitions", _OWNER, minimum=1)
        p["partition_options"] = self.partition_options
        if p["partitions"] > 1:  # partitioned training: graphemb/sgns/partitioned.py, docs/partitioned.md
            from .partitioned import check_options

            check_options(self.partition_options)
        seed_, kseed = normalize_seed(self.seed)
        p["seed_"] = seed_
        p["kernel_seed"] = kseed
        return p

    # ------------------------------------------------------------------- fit
    def fit(self, corpus: Any, num_nodes: int | None = None, node_counts: np.ndarray | None = None) -> SGNS:
        """Train the vectors on ``corpus``.

        Parameters
        ----------
        corpus : WalkCorpus, 2-D int array, list of int arrays, or iterable of these
            Sequences of node indices in ``[0, num_nodes)``.  Unless
            ``node_counts`` is given and ``epochs == 1``, the corpus is read more
            than once, so it must be re-iterable (a WalkCorpus, an array, a list,
            or an object whose ``__iter__`` returns a fresh iterator, such as
            ``graphemb.walks.WalkStream``), not a one-shot generator.
        num_nodes : int, optional
            Number of rows of the vector tables; defaults to ``len(node_counts)``
            if given, else to the largest index + 1.
        node_counts : ndarray of int64, shape (num_nodes,), optional
            Occurrences of each node in one pass of the corpus; skips the counting
            pass.

        Returns
        -------
        SGNS
            self, with ``input_vectors_`` and the other learned attributes set.

        Raises
        ------
        ValueError
            For a bad parameter, an empty corpus, an index outside
            ``[0, num_nodes)``, or inconsistent ``node_counts``.
        TypeError
            If the corpus is a one-shot iterator but must be read twice.
        FloatingPointError
            If the vectors stop being finite (cannot happen with the clamp; kept
            as a guard).
        """
        p = self._check_params()
        passes = p["epochs"] + (1 if node_counts is None else 0)
        if passes > 1 and _is_one_shot(corpus):
            raise TypeError(
                "The corpus passed to SGNS.fit is a one-shot iterator (e.g. a generator), but training needs "
                f"{passes} passes over it (one to count nodes, one per epoch). Pass a re-iterable instead: a "
                "WalkCorpus, a 2-D array, a list of arrays, or an object whose __iter__ returns a fresh "
                "iterator (graphemb.walks.WalkStream); or pass node_counts= with epochs=1."
            )
        if num_nodes is not None:
            num_nodes = check_int(num_nodes, "num_nodes", "SGNS.fit", minimum=1)
        if node_counts is not None:
            counts = np.asarray(node_counts)
            if counts.ndim != 1 or not np.issubdtype(counts.dtype, np.integer):
                raise ValueError(
                    "The 'node_counts' parameter of SGNS.fit must be a 1-D int64 array of length num_nodes. "
                    f"Got an array of dtype {counts.dtype} and shape {counts.shape} instead."
                )
            if num_nodes is None:
                num_nodes = int(counts.shape[0])
            if counts.shape[0] != num_nodes:
                raise ValueError(
                    f"The 'node_counts' parameter of SGNS.fit must have length num_nodes={num_nodes}. "
                    f"Got length {counts.shape[0]} instead."
                )
            if counts.size and counts.min() < 0:
                raise ValueError("The 'node_counts' parameter of SGNS.fit must be >= 0 everywhere.")
            counts = counts.astype(np.int64)
        else:
            counts = _count_nodes(corpus, num_nodes)
            if num_nodes is None:
                num_nodes = int(counts.shape[0])
        total = int(counts.sum())
        if total == 0:
            raise ValueError("The corpus passed to SGNS.fit is empty (no tokens); nothing to train on.")
        if p["partitions"] > 1:
            from .partitioned import fit_partitioned

            return fit_partitioned(self, p, corpus, counts, num_nodes)

        n, d = num_nodes, p["dimensions"]
        if p["objective"] == "softmax" and n > p["softmax_max_nodes"]:
            raise ValueError(
                f"SGNS(objective='softmax') costs O(num_nodes * dimensions) per training pair and is refused "
                f"above softmax_max_nodes={p['softmax_max_nodes']} nodes; this corpus has {n:,} nodes. Use "
                "objective='hierarchical_softmax' or 'negative_sampling', or raise softmax_max_nodes to force it."
            )
        check_allocation(
            2 * n * d * 4,
            f"the SGNS vector tables ({n:,} nodes x {d} dimensions x 2 tables, float32)",
            "Lower 'dimensions' or train on fewer nodes.",
        )
        rng = np.random.default_rng(np.random.SeedSequence([p["seed_"], 0x5347]))
        syn0 = rng.random((n, d), dtype=np.float32)
        syn0 -= np.float32(0.5)
        syn0 *= np.float32(2.0 * _INIT_HALF_WIDTH / d)
        syn1 = np.zeros((n, d), dtype=np.float32)

        weights = np.zeros(n, dtype=np.float64)
        seen = counts > 0
        weights[seen] = counts[seen].astype(np.float64) ** p["ns_exponent"]
        if not np.all(np.isfinite(weights)) or weights.sum() <= 0 or not math.isfinite(weights.sum()):
            raise ValueError(
                f"The 'ns_exponent' parameter of SGNS gives a degenerate noise distribution "
                f"(counts ** {p['ns_exponent']} overflows). Use a value such as 0.75."
            )
        noise_prob, noise_alias = _kernels.build_alias_table(weights)
        objective = OBJECTIVES.index(p["objective"])
        if objective == 1:
            tree = build_huffman_tree(counts)
            codes, points, code_offsets = tree.codes, tree.points, tree.offsets
        else:
            codes, points = np.zeros(1, dtype=np.uint8), np.zeros(1, dtype=np.int32)
            code_offsets = np.zeros(n + 1, dtype=np.int64)
        keep_prob = _keep_probabilities(counts, total, p["sample"])
        tables = _kernels.sigmoid_tables()
        schedule = np.array([p["alpha"], p["min_alpha"], float(total * p["epochs"])], dtype=np.float64)

        workers = p["workers"]
        losses = np.zeros(p["epochs"], dtype=np.float64)
        logger.info(
            "SGNS (%s): %d nodes, %d tokens per epoch, %d epochs, d=%d, window=%d, negative=%d, workers=%d, tables %s",
            p["objective"],
            n,
            total,
            p["epochs"],
            d,
            p["window"],
            p["negative"],
            workers,
            format_bytes(2 * n * d * 4),
        )
        bar = _progress(p["verbose"], total * p["epochs"])
        previous_threads = numba.get_num_threads()
        previous_chunksize = numba.get_parallel_chunksize()
        trained = 0
        t0 = time.perf_counter()
        try:
            numba.set_num_threads(workers)
            # dynamic scheduling: a thread slowed down by other processes does not hold the others back
            numba.set_parallel_chunksize(1)
            for epoch in range(p["epochs"]):
                loss_sum, pair_count, word_count = 0.0, 0, 0
                walk_base = 0
                epoch_tokens = 0
                for tokens, offsets in as_token_chunks(corpus):
                    tokens, offsets = _check_chunk(tokens, offsets, n)
                    n_walks = offsets.shape[0] - 1
                    for w0, w1 in _pieces(offsets):
                        lengths = np.diff(offsets[w0 : w1 + 1])
                        max_len = int(lengths.max()) if lengths.size else 1
                        args = (
                            tokens, offsets, w0, w1, walk_base, epoch * total + epoch_tokens, syn0, syn1,
                            noise_prob, noise_alias, keep_prob, tables, p["window"], p["negative"],
                            p["shrink_window"], schedule, p["kernel_seed"], epoch, max_len, p["shared_negatives"],
                            objective, codes, points, code_offsets,
                        )  # fmt: skip
                        if workers == 1:
                            lo, pa, wo = _kernels.train_walks_serial(*args)
                        else:
                            blocks = max(1, min(w1 - w0, workers * _BLOCKS_PER_WORKER))
                            lo, pa, wo = _kernels.train_walks_parallel(*args, blocks)
                        loss_sum += lo
                        pair_count += pa
                        word_count += wo
                        piece_tokens = int(offsets[w1] - offsets[w0])
                        trained += piece_tokens
                        if bar is not None:
                            bar.update(piece_tokens)
                            bar.set_postfix(epoch=epoch + 1, loss=f"{loss_sum / max(pair_count, 1):.4f}")
                    walk_base += n_walks
                    epoch_tokens += int(offsets[-1])
                if epoch_tokens == 0:
                    raise ValueError("The corpus passed to SGNS.fit yielded no tokens in an epoch; is it re-iterable?")
                if not (np.isfinite(syn0).all() and np.isfinite(syn1).all()):
                    raise FloatingPointError(
                        f"SGNS training lost finiteness in epoch {epoch + 1}; lower 'alpha' (got {p['alpha']!r})."
                    )
                k1 = p["negative"] + 1 if objective == 0 else 1  # logits per pair in the loss sum
                losses[epoch] = loss_sum / max(pair_count * k1, 1)
                logger.info(
                    "SGNS epoch %d/%d: loss %.5f, %d pairs, %d tokens kept of %d",
                    epoch + 1,
                    p["epochs"],
                    losses[epoch],
                    pair_count,
                    word_count,
                    epoch_tokens,
                )
        finally:
            numba.set_num_threads(previous_threads)
            numba.set_parallel_chunksize(previous_chunksize)
            if bar is not None:
                bar.close()
        elapsed = time.perf_counter() - t0

        self.input_vectors_ = syn0
        self.output_vectors_ = syn1
        self.loss_ = losses
        self.node_counts_ = counts
        self.num_nodes_ = n
        self.seed_ = p["seed_"]
        self.trained_tokens_ = trained
        self.train_seconds_ = elapsed
        logger.info("SGNS: %d tokens in %.2f s (%.0f tokens/s)", trained, elapsed, trained / max(elapsed, 1e-9))
        return self


# ------------------------------------------------------------------ helpers
def _is_one_shot(corpus: Any) -> bool:
    """True if iterating ``corpus`` twice would not give the data twice."""
    if isinstance(corpus, (list, tuple, np.ndarray)) or hasattr(corpus, "tokens_and_offsets"):
        return False
    if isinstance(corpus, Iterator):
        return True
    try:
        return iter(corpus) is corpus
    except TypeError:
        return False


def _check_chunk(tokens: np.ndarray, offsets: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    tokens = np.ascontiguousarray(tokens, dtype=np.int32)
    offsets = np.ascontiguousarray(offsets, dtype=np.int64)
    if tokens.size:
        lo, hi = int(tokens.min()), int(tokens.max())
        if lo < 0 or hi >= n:
            bad = lo if lo < 0 else hi
            raise ValueError(
                f"The corpus passed to SGNS.fit holds node index {bad}, outside [0, num_nodes={n}). "
                "Pass num_nodes= large enough, or map the ids to 0..n-1 first."
            )
    return tokens, offsets


def _count_nodes(corpus: Any, num_nodes: int | None) -> np.ndarray:
    counts = np.zeros(0 if num_nodes is None else num_nodes, dtype=np.int64)
    for tokens, _ in as_token_chunks(corpus):
        if tokens.size == 0:
            continue
        lo, hi = int(tokens.min()), int(tokens.max())
        if lo < 0 or (num_nodes is not None and hi >= num_nodes):
            bad = lo if lo < 0 else hi
            bound = "" if num_nodes is None else f", num_nodes={num_nodes}"
            raise ValueError(
                f"The corpus passed to SGNS.fit holds node index {bad}, outside [0{bound}). "
                "Node indices must be >= 0 (and < num_nodes when num_nodes is given)."
            )
        c = np.bincount(tokens, minlength=counts.shape[0])
        if c.shape[0] > counts.shape[0]:
            c[: counts.shape[0]] += counts
            counts = c.astype(np.int64)
        else:
            counts += c
    return counts


def _keep_probabilities(counts: np.ndarray, total: int, sample: float) -> np.ndarray:
    """word2vec's keep probability ``(sqrt(f / (s T)) + 1) * (s T) / f`` (>= 1 means always kept)."""
    keep = np.full(counts.shape[0], 2.0, dtype=np.float64)
    if sample > 0:
        threshold = sample * total
        seen = counts > 0
        f = counts[seen].astype(np.float64)
        keep[seen] = (np.sqrt(f / threshold) + 1.0) * threshold / f
    return keep


def _pieces(offsets: np.ndarray) -> Iterator[tuple[int, int]]:
    """Split a chunk's walks into consecutive ranges of about ``_PIECE_TOKENS`` tokens."""
    n_walks = offsets.shape[0] - 1
    if n_walks <= 0:
        return
    cuts = np.searchsorted(offsets, np.arange(_PIECE_TOKENS, int(offsets[-1]), _PIECE_TOKENS), side="left")
    bounds = [0, *sorted(set(int(c) for c in cuts if 0 < c < n_walks)), n_walks]
    yield from zip(bounds[:-1], bounds[1:], strict=True)


def _progress(verbose: bool, total: int) -> Any:
    if not verbose:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="tok", unit_scale=True, desc="SGNS", leave=False)
