"""The shared skip-gram-with-negative-sampling trainer (:class:`SGNS`).

The trainer never sees a graph: it consumes integer sequences through
:func:`graphemb.corpus.as_token_chunks` (a :class:`~graphemb.corpus.WalkCorpus`,
a 2-D int array, a list of int arrays, or a re-iterable of chunks).  The numeric
work happens in :mod:`graphemb.sgns._kernels`.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Iterator
from typing import Any

import numba
import numpy as np

from .._estimator import Estimator
from .._memory import check_allocation, format_bytes
from .._params import OBJECTIVES, SOFTMAX_MAX_NODES
from .._rng import normalize_seed
from .._validation import check_bool, check_int, check_workers
from ..corpus import add_token_counts, as_token_chunks
from . import _kernels
from ._common import INIT_HALF_WIDTH, check_chunk, keep_probabilities, progress_bar
from ._huffman import build_huffman_tree
from .checkpoint import CHECKPOINT_FILE, Checkpointer, TrainState, counts_digest, parse_every
from .partitioned import check_options, fit_partitioned

__all__ = ["OBJECTIVES", "SGNS", "SOFTMAX_MAX_NODES"]

logger = logging.getLogger(__name__)

_OWNER = "SGNS"
_PIECE_TOKENS = 1 << 20  # tokens per kernel call (progress, checkpoint granularity); results do not depend on it
_BLOCKS_PER_WORKER = 16  # blocks are handed out dynamically (numba parallel chunk size 1)
# parameters that define a run (compared on resume); workers, verbose and softmax_max_nodes do not
_IDENTITY_PARAMS = (
    "dimensions", "window", "negative", "ns_exponent", "alpha", "min_alpha", "sample", "epochs",
    "shrink_window", "objective", "shared_negatives", "frequency_order",
)  # fmt: skip


class SGNS(Estimator):
    """Skip-gram with negative sampling (word2vec SGNS) over integer sequences.

    Learns two ``float32`` tables, input vectors (the embedding) and output
    vectors, so that ``sigmoid(input[c] . output[t])`` is high for a node ``t``
    and the nodes ``c`` around it in a sequence and low for ``negative`` noise
    nodes drawn from the unigram distribution raised to ``ns_exponent``.

    Parameters
    ----------
    {parameters}

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
        Corpus tokens trained by this call to ``fit`` (before subsampling): all
        epochs' tokens, less those done before the checkpoint it resumed from.
    train_seconds_ : float
        Wall-clock time of this call's training passes (the counting pass excluded).

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

    _parameters = (
        "dimensions", "window", "negative", "ns_exponent", "alpha", "min_alpha", "sample", "epochs", "workers",
        "seed", "shrink_window", "verbose", "objective", "softmax_max_nodes", "shared_negatives",
        "frequency_order", "partitions", "partition_options",
    )  # fmt: skip

    def _check_together(self, values: dict[str, Any]) -> None:
        if values["min_alpha"] > values["alpha"]:
            raise ValueError(
                f"The 'min_alpha' parameter of SGNS must be <= alpha ({values['alpha']!r}). "
                f"Got {self.min_alpha!r} instead."
            )
        if values["partitions"] > 1:  # partitioned training: graphemb/sgns/partitioned.py, docs/partitioned.md
            check_options(self.partition_options)

    def _check_params(self) -> dict[str, Any]:
        """The checked parameters, ``workers`` resolved to a thread count, and the run's seeds."""
        p = self._checked_params()
        p["workers"] = check_workers(p["workers"], _OWNER)
        p["seed_"], p["kernel_seed"] = normalize_seed(p["seed"], _OWNER)
        return p

    # ------------------------------------------------------------------- fit
    def fit(
        self,
        corpus: Any,
        num_nodes: int | None = None,
        node_counts: np.ndarray | None = None,
        *,
        checkpoint: str | os.PathLike | None = None,
        checkpoint_every: int | str | None = None,
        resume: bool = False,
        checkpoint_info: dict[str, Any] | None = None,
    ) -> SGNS:
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
        checkpoint : path, optional
            Folder for training checkpoints (see :mod:`graphemb.sgns.checkpoint` and
            docs/training.md): the state is saved there, atomically, every
            ``checkpoint_every``, and once more when training ends.  A folder that
            already holds a checkpoint is refused unless ``resume=True``.
        checkpoint_every : int or str, optional
            Period of the checkpoints: an int (or ``"5M"``) is a number of corpus
            tokens, a string such as ``"90s"``, ``"10m"``, ``"1h"`` a wall-clock
            period; default ``"300s"``.  Checkpoints are taken at piece boundaries
            (about a million tokens), the first one after the period has passed.
        resume : bool, default False
            Continue from the checkpoint in ``checkpoint`` (start afresh when it
            holds none).  The checkpoint must come from the same corpus and
            parameters (its identity is compared and every difference is named);
            with ``seed=None`` the checkpoint's seed is used.  With ``workers=1``
            the result is bit for bit that of an uninterrupted run.
        checkpoint_info : dict, optional
            JSON-serialisable facts about the caller's run (the models pass their
            walk parameters and seed) stored in, and compared with, the checkpoint.

        Returns
        -------
        SGNS
            self, with ``input_vectors_`` and the other learned attributes set.

        Raises
        ------
        ValueError
            For a bad parameter, an empty corpus, an index outside
            ``[0, num_nodes)``, inconsistent ``node_counts``, or a checkpoint that
            belongs to another run (the message names the file).
        TypeError
            If the corpus is a one-shot iterator but must be read twice.
        FloatingPointError
            If the vectors stop being finite (cannot happen with the clamp; kept
            as a guard).
        """
        p = self._check_params()
        ckpt, meta = _open_checkpoint(checkpoint, checkpoint_every, resume)
        if meta is not None and self.seed is None:  # resume a run whose seed was drawn fresh
            saved_seed = meta.get("identity", {}).get("params", {}).get("seed")
            if isinstance(saved_seed, int):
                p["seed_"], p["kernel_seed"] = normalize_seed(saved_seed)
        _check_passes(corpus, p["epochs"], node_counts)
        num_nodes, counts = _resolve_counts(corpus, num_nodes, node_counts)
        total = int(counts.sum())
        if total == 0:
            raise ValueError("The corpus passed to SGNS.fit is empty (no tokens); nothing to train on.")
        if p["partitions"] > 1:
            if ckpt is not None:
                raise ValueError(
                    "SGNS.fit: checkpoint= applies to partitions=1; partitioned training checkpoints by itself "
                    "in partition_options['workdir'] (rerun to resume)."
                )

            return fit_partitioned(self, p, corpus, counts, num_nodes)
        _check_size(p, num_nodes)
        t = _build_tables(p, counts, total)
        state = TrainState()
        if ckpt is not None:
            ckpt.identity = _identity(p, counts, total, checkpoint_info)
            if meta is not None:
                state = _restore(ckpt, meta, t, p["epochs"])
        logger.info(
            "SGNS (%s): %d nodes, %d tokens per epoch, %d epochs, d=%d, window=%d, negative=%d, workers=%d, tables %s",
            p["objective"], t.n, total, p["epochs"], t.d, p["window"], p["negative"], p["workers"],
            format_bytes(2 * t.n * t.d * 4),
        )  # fmt: skip
        t0 = time.perf_counter()
        trained = 0
        if state.epoch < p["epochs"]:
            trained = _train_epochs(corpus, p, t, state, ckpt)
            if ckpt is not None:
                ckpt.save(state, _checkpoint_arrays(t), p["epochs"] * total, _schedule_json(t), complete=True)
        elapsed = time.perf_counter() - t0
        self._set_results(p, t, state, counts, trained, elapsed)
        logger.info("SGNS: %d tokens in %.2f s (%.0f tokens/s)", trained, elapsed, trained / max(elapsed, 1e-9))
        return self

    def _set_results(
        self, p: dict[str, Any], t: _Tables, state: TrainState, counts: np.ndarray, trained: int, elapsed: float
    ) -> None:
        """Bring the tables back to the caller's node order and set the fitted attributes."""
        if t.order is not None:
            _kernels.scatter_rows_inplace(t.syn0, t.order)
            if t.objective != 1:  # hierarchical softmax: output rows are Huffman inner nodes, not nodes
                _kernels.scatter_rows_inplace(t.syn1, t.order)
        self.input_vectors_ = t.syn0
        self.output_vectors_ = t.syn1
        self.loss_ = np.asarray(state.losses, dtype=np.float64)
        self.node_counts_ = counts
        self.num_nodes_ = t.n
        self.seed_ = p["seed_"]
        self.trained_tokens_ = trained
        self.train_seconds_ = elapsed

    # ---------------------------------------------------------------- update
    def update(
        self,
        corpus: Any,
        num_nodes: int,
        node_counts: np.ndarray,
        new_input_vectors: np.ndarray | None = None,
        row_scale: np.ndarray | None = None,
    ) -> dict[str, Any]:
        """Add rows for new nodes and train them on ``corpus``, the fitted rows frozen or scaled.

        The incremental step under ``model.update`` (docs/incremental.md): the
        tables grow to ``num_nodes`` rows (new input rows from
        ``new_input_vectors`` or the trainer's random start, new output rows at
        zero, as :meth:`fit` starts them); the noise table and the sub-sampling
        come from ``node_counts`` (the whole grown corpus's, not the update
        corpus's); then the same kernels as :meth:`fit` train on ``corpus`` with
        the learning rate of row ``r`` scaled by ``row_scale[r]`` in both tables
        and decaying from ``alpha`` to ``min_alpha`` over the update's tokens.
        Rows with scale 0 are not written (bit-identical).

        Parameters
        ----------
        corpus : WalkCorpus, 2-D int array, list of int arrays, or re-iterable of these
            Sequences of node indices in ``[0, num_nodes)`` (read ``epochs`` times).
        num_nodes : int
            Rows after the update, ``>= num_nodes_``.
        node_counts : array of float, shape (num_nodes,)
            Corpus frequency of every node (counts or estimates, >= 0, some > 0).
        new_input_vectors : ndarray, shape (num_nodes - num_nodes_, dimensions), optional
            Start of the new input rows; default the trainer's uniform start.
        row_scale : ndarray of float, shape (num_nodes,), optional
            Learning-rate scale per row (finite, >= 0); default 0 for the fitted
            rows and 1 for the new ones.

        Returns
        -------
        dict
            ``tokens`` (corpus tokens trained over all epochs), ``pairs``,
            ``words`` (tokens kept after sub-sampling), ``seconds``, ``loss``
            (per epoch), ``drift`` (mean cosine of the fitted input rows to
            before; 1.0 when frozen).

        Raises
        ------
        ValueError
            If the trainer is not fitted, the objective is not negative sampling,
            or an argument has the wrong shape or values.

        Notes
        -----
        Each call draws from its own streams (the seed and the number of updates
        so far), so repeated updates do not repeat the random numbers of the fit.
        Memory: the two grown tables (``2 num_nodes d`` float32; the old ones are
        copied, so arrays handed out before stay as they were) plus
        ``O(num_nodes)`` for the noise table.
        """
        owner = "SGNS.update"
        p = self._check_params()
        if not hasattr(self, "output_vectors_"):
            raise ValueError(f"{owner} needs a fitted trainer (call fit first, or load a saved model).")
        if p["objective"] != "negative_sampling":
            raise ValueError(
                f"{owner} supports objective='negative_sampling' only (got {p['objective']!r}): the Huffman tree "
                "of hierarchical softmax and the full softmax's output table change with every new node."
            )
        n_old, d = self.input_vectors_.shape
        n = check_int(num_nodes, "num_nodes", owner, minimum=n_old)
        counts = np.asarray(node_counts, dtype=np.float64)
        if counts.shape != (n,) or not np.all(np.isfinite(counts)) or counts.min() < 0 or counts.sum() <= 0:
            raise ValueError(
                f"The 'node_counts' parameter of {owner} must be {n} finite values >= 0 with a positive sum. "
                f"Got shape {counts.shape}."
            )
        n_new = n - n_old
        if new_input_vectors is None:
            rng = np.random.default_rng(np.random.SeedSequence([p["seed_"], 0x5347, 1 + self._updates()]))
            fresh = rng.random((n_new, d), dtype=np.float32)
            fresh -= np.float32(0.5)
            fresh *= np.float32(2.0 * INIT_HALF_WIDTH / d)
        else:
            fresh = np.asarray(new_input_vectors, dtype=np.float32)
            if fresh.shape != (n_new, d) or not np.all(np.isfinite(fresh)):
                raise ValueError(
                    f"The 'new_input_vectors' parameter of {owner} must be finite, of shape ({n_new}, {d}). "
                    f"Got shape {fresh.shape}."
                )
        if row_scale is None:
            scale = np.concatenate([np.zeros(n_old, np.float32), np.ones(n_new, np.float32)])
        else:
            scale = np.ascontiguousarray(row_scale, dtype=np.float32)
            if scale.shape != (n,) or not np.all(np.isfinite(scale)) or (scale.size and scale.min() < 0):
                raise ValueError(
                    f"The 'row_scale' parameter of {owner} must be {n} finite values >= 0. Got shape {scale.shape}."
                )
        check_allocation(
            2 * n * d * 4, f"the grown SGNS tables ({n:,} nodes x {d} dimensions x 2 tables, float32)",
            "Lower 'dimensions' or train on fewer nodes.",
        )  # fmt: skip
        if _is_one_shot(corpus):
            raise TypeError(
                f"The corpus passed to {owner} is a one-shot iterator; it is read {p['epochs'] + 1} times "
                "(one count, one pass per epoch). Pass a WalkCorpus, an array, a list or a WalkStream."
            )
        syn0 = np.empty((n, d), dtype=np.float32)
        syn0[:n_old] = self.input_vectors_
        syn0[n_old:] = fresh
        syn1 = np.zeros((n, d), dtype=np.float32)
        syn1[:n_old] = self.output_vectors_
        update_seed = int(
            np.random.SeedSequence([p["seed_"], 0x5550, self._updates()]).generate_state(1, dtype=np.uint64)[0] >> 1
        )
        _, kernel_seed = normalize_seed(update_seed)
        result = _train_rows(corpus, syn0, syn1, counts, scale, p, kernel_seed, owner)
        result["drift"] = _mean_cosine(self.input_vectors_, syn0[:n_old])
        self.input_vectors_ = syn0
        self.output_vectors_ = syn1
        self.node_counts_ = np.rint(counts).astype(np.int64)
        self.num_nodes_ = n
        self.updates_ = self._updates() + 1
        return result

    def _updates(self) -> int:
        return int(getattr(self, "updates_", 0))


# ------------------------------------------------------------- fit steps
class _Tables:
    """Everything the kernels read or update, in the trainer's internal (frequency) row order.

    Internal row ``r`` holds node ``order[r]`` (``order`` None: the identity);
    ``rank[v]`` is the internal row of node ``v``.
    """

    __slots__ = (
        "n", "d", "total", "order", "rank", "syn0", "syn1", "noise", "keep_prob",
        "sigmoid", "schedule", "objective", "codes", "points", "code_offsets",
    )  # fmt: skip

    def __init__(self, **values: Any) -> None:
        for name in self.__slots__:
            setattr(self, name, values[name])


def _frequency_order(counts: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """``(order, rank)``: rows sorted by decreasing count, ties by node index; None when already sorted.

    word2vec sorts its vocabulary by frequency: the rows drawn most often (as contexts and as
    negatives) are then contiguous at the top of the tables, sharing pages and prefetch
    streams.  O(n log n) time, 12 bytes per node.
    """
    n = counts.shape[0]
    order = np.argsort(-counts, kind="stable").astype(np.int64)
    if n < 2 or np.array_equal(order, np.arange(n, dtype=np.int64)):
        return None, None
    rank = np.empty(n, dtype=np.int32)
    rank[order] = np.arange(n, dtype=np.int32)
    return order, rank


def _build_tables(p: dict[str, Any], counts: np.ndarray, total: int) -> _Tables:
    """Allocate and initialise the vector tables, the noise and subsampling tables, the schedule."""
    n, d = counts.shape[0], p["dimensions"]
    order, rank = _frequency_order(counts) if p["frequency_order"] else (None, None)
    icounts = counts if order is None else counts[order]
    rng = np.random.default_rng(np.random.SeedSequence([p["seed_"], 0x5347]))
    syn0 = rng.random((n, d), dtype=np.float32)
    syn0 -= np.float32(0.5)
    syn0 *= np.float32(2.0 * INIT_HALF_WIDTH / d)
    syn1 = np.zeros((n, d), dtype=np.float32)

    weights = np.zeros(n, dtype=np.float64)
    seen = icounts > 0
    weights[seen] = icounts[seen].astype(np.float64) ** p["ns_exponent"]
    if not np.all(np.isfinite(weights)) or weights.sum() <= 0 or not math.isfinite(weights.sum()):
        raise ValueError(
            f"The 'ns_exponent' parameter of SGNS gives a degenerate noise distribution "
            f"(counts ** {p['ns_exponent']} overflows). Use a value such as 0.75."
        )
    noise = _kernels.pack_alias_table(*_kernels.build_alias_table(weights))
    del weights
    objective = OBJECTIVES.index(p["objective"])
    if objective == 1:
        tree = build_huffman_tree(icounts)
        codes, points, code_offsets = tree.codes, tree.points, tree.offsets
    else:
        codes, points = np.zeros(1, dtype=np.uint8), np.zeros(1, dtype=np.int32)
        code_offsets = np.zeros(n + 1, dtype=np.int64)
    return _Tables(
        n=n, d=d, total=total, order=order, rank=rank, syn0=syn0, syn1=syn1, noise=noise,
        keep_prob=keep_probabilities(icounts, total, p["sample"]),
        sigmoid=_kernels.sigmoid_tables(), objective=objective, codes=codes, points=points,
        code_offsets=code_offsets,
        schedule=np.array([p["alpha"], p["min_alpha"], float(total * p["epochs"])], dtype=np.float64),
    )  # fmt: skip


def _train_epochs(corpus: Any, p: dict[str, Any], t: _Tables, state: TrainState, ckpt: Checkpointer | None) -> int:
    """Train from ``state`` to the last epoch, checkpointing when due; returns the tokens trained."""
    workers = p["workers"]
    bar = progress_bar(p["verbose"], t.total * p["epochs"])
    if bar is not None:
        bar.update(state.epoch * t.total + state.epoch_tokens)
    previous_threads = numba.get_num_threads()
    previous_chunksize = numba.get_parallel_chunksize()
    trained = 0
    try:
        numba.set_num_threads(workers)
        # dynamic scheduling: a thread slowed down by other processes does not hold the others back
        numba.set_parallel_chunksize(1)
        for epoch in range(state.epoch, p["epochs"]):
            for tokens, offsets, w0, w1, walk_base, chunk_tokens in _epoch_pieces(
                corpus, t.n, state.walk, state.epoch_tokens, ckpt
            ):
                lo, pa, wo = _train_piece(p, t, tokens, offsets, w0, w1, walk_base, epoch, chunk_tokens)
                piece_tokens = int(offsets[w1] - offsets[w0])
                state.advance(w1 - w0, piece_tokens, lo, pa, wo)
                trained += piece_tokens
                if bar is not None:
                    bar.update(piece_tokens)
                    bar.set_postfix(epoch=epoch + 1, loss=f"{state.loss_sum / max(state.pairs, 1):.4f}")
                done = epoch * t.total + state.epoch_tokens
                if ckpt is not None and ckpt.due(done):
                    ckpt.save(state, _checkpoint_arrays(t), done, _schedule_json(t))
            _end_epoch(p, t, state)
    finally:
        numba.set_num_threads(previous_threads)
        numba.set_parallel_chunksize(previous_chunksize)
        if bar is not None:
            bar.close()
    return trained


def _train_piece(
    p: dict[str, Any],
    t: _Tables,
    tokens: np.ndarray,
    offsets: np.ndarray,
    w0: int,
    w1: int,
    walk_base: int,
    epoch: int,
    chunk_tokens: int,
) -> tuple[float, int, int]:
    """One kernel call on walks ``w0 .. w1 - 1`` of a chunk, its tokens renumbered to internal rows.

    The piece is passed rebased (its own offsets from 0, ``walk_base + w0``, ``token_base +
    offsets[w0]``), which gives the kernels exactly the stream indices and learning rates of
    the whole chunk.  The renumbering is one gather of the piece's tokens (about 4 MiB).
    """
    token_base = epoch * t.total + chunk_tokens  # corpus tokens trained before the chunk, all epochs
    o0, o1 = int(offsets[w0]), int(offsets[w1])
    piece_offsets = offsets[w0 : w1 + 1] - o0
    piece_tokens = tokens[o0:o1] if t.rank is None else np.take(t.rank, tokens[o0:o1])
    lengths = np.diff(piece_offsets)
    max_len = int(lengths.max()) if lengths.size else 1
    args = (
        piece_tokens, piece_offsets, 0, w1 - w0, walk_base + w0, token_base + o0, t.syn0, t.syn1,
        t.noise, t.keep_prob, t.sigmoid, p["window"], p["negative"],
        p["shrink_window"], t.schedule, p["kernel_seed"], epoch, max_len,
        p["shared_negatives"], t.objective, t.codes, t.points, t.code_offsets,
    )  # fmt: skip
    if p["workers"] == 1:
        return _kernels.train_walk_range(*args)
    blocks = max(1, min(w1 - w0, p["workers"] * _BLOCKS_PER_WORKER))
    return _kernels.train_walks_parallel(*args, blocks)


def _end_epoch(p: dict[str, Any], t: _Tables, state: TrainState) -> None:
    """Check the epoch's outcome, log it and close it in ``state``."""
    if state.epoch_tokens == 0:
        raise ValueError("The corpus passed to SGNS.fit yielded no tokens in an epoch; is it re-iterable?")
    if not (np.isfinite(t.syn0).all() and np.isfinite(t.syn1).all()):
        raise FloatingPointError(
            f"SGNS training lost finiteness in epoch {state.epoch + 1}; lower 'alpha' (got {p['alpha']!r})."
        )
    k1 = p["negative"] + 1 if t.objective == 0 else 1  # logits per pair in the loss sum
    mean = state.loss_sum / max(state.pairs * k1, 1)
    logger.info(
        "SGNS epoch %d/%d: loss %.5f, %d pairs, %d tokens kept of %d",
        state.epoch + 1, p["epochs"], mean, state.pairs, state.words, state.epoch_tokens,
    )  # fmt: skip
    state.next_epoch(mean)


# ------------------------------------------------------------ checkpoints
def _open_checkpoint(checkpoint: Any, every: Any, resume: Any) -> tuple[Checkpointer | None, dict[str, Any] | None]:
    """Validate the checkpoint arguments; return the checkpointer and the folder's checkpoint (if resuming)."""
    resume = check_bool(resume, "resume", "SGNS.fit")
    if checkpoint is None:
        if resume:
            raise ValueError("The 'resume' parameter of SGNS.fit needs checkpoint=FOLDER (the folder to resume from).")
        if every is not None:
            raise ValueError("The 'checkpoint_every' parameter of SGNS.fit needs checkpoint=FOLDER.")
        return None, None
    if not isinstance(checkpoint, (str, os.PathLike)):
        raise ValueError(f"The 'checkpoint' parameter of SGNS.fit must be a folder path. Got {checkpoint!r} instead.")
    tokens, seconds = parse_every(every)
    ckpt = Checkpointer(checkpoint, tokens, seconds, resume)
    return ckpt, ckpt.existing()


def _identity(p: dict[str, Any], counts: np.ndarray, total: int, info: dict[str, Any] | None) -> dict[str, Any]:
    """What makes two runs the same run: parameters, seed, corpus digest, caller facts (JSON-normalised)."""
    params = {name: p[name] for name in _IDENTITY_PARAMS}
    params["seed"] = p["seed_"]
    try:
        caller = json.loads(json.dumps(info or {}, sort_keys=True))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"The 'checkpoint_info' parameter of SGNS.fit must be JSON-serialisable ({exc}).") from None
    return {
        "params": params,
        "num_nodes": int(counts.shape[0]),
        "tokens_per_epoch": int(total),
        "node_counts": counts_digest(counts),
        "caller": caller,
    }


def _checkpoint_arrays(t: _Tables) -> dict[str, np.ndarray]:
    order = t.order if t.order is not None else np.arange(t.n, dtype=np.int64)
    return {"syn0": t.syn0, "syn1": t.syn1, "order": order}


def _schedule_json(t: _Tables) -> dict[str, float]:
    return {"alpha": float(t.schedule[0]), "min_alpha": float(t.schedule[1]), "total_tokens": float(t.schedule[2])}


def _restore(ckpt: Checkpointer, meta: dict[str, Any], t: _Tables, epochs: int) -> TrainState:
    """Load a checkpoint into ``t`` (after checking it is this run's) and return its state."""
    state, arrays = ckpt.restore(meta, ckpt.identity)
    where = ckpt.path / CHECKPOINT_FILE
    order = t.order if t.order is not None else np.arange(t.n, dtype=np.int64)
    if not np.array_equal(arrays["order"], order):
        raise ValueError(f"The checkpoint {where} orders the rows differently from this run; it is another run's.")
    if arrays["syn0"].shape != t.syn0.shape or arrays["syn1"].shape != t.syn1.shape:
        raise ValueError(f"The checkpoint {where} holds tables of another shape; it is another run's.")
    t.syn0[...] = arrays["syn0"]
    t.syn1[...] = arrays["syn1"]
    del arrays
    if not 0 <= state.epoch <= epochs or len(state.losses) != state.epoch:
        raise ValueError(f"The checkpoint {where} is at epoch {state.epoch + 1}, outside this run's {epochs}.")
    logger.info(
        "SGNS: resuming from %s: epoch %d/%d, walk %d, %d tokens trained before",
        where, min(state.epoch + 1, epochs), epochs, state.walk, state.epoch * t.total + state.epoch_tokens,
    )  # fmt: skip
    return state


# ------------------------------------------------------------------ helpers
def _train_rows(
    corpus: Any,
    syn0: np.ndarray,
    syn1: np.ndarray,
    counts: np.ndarray,
    row_scale: np.ndarray,
    p: dict[str, Any],
    kernel_seed: Any,
    owner: str,
) -> dict[str, Any]:
    """Train ``syn0`` / ``syn1`` in place on ``corpus`` with a per-row learning-rate scale.

    Negative sampling with the noise table and sub-sampling of ``counts``; the
    learning rate decays over this corpus's tokens (``epochs`` passes).  The
    same block kernels and drivers as :meth:`SGNS.fit` (``row_scale`` is their
    optional last argument).  Returns ``tokens``, ``pairs``, ``words``,
    ``seconds`` and ``loss`` (per epoch).  Time O(tokens window K d); memory
    O(n) for the noise and keep tables.
    """
    n = syn0.shape[0]
    weights = np.zeros(n, dtype=np.float64)
    seen = counts > 0
    weights[seen] = counts[seen] ** p["ns_exponent"]
    if not np.all(np.isfinite(weights)) or weights.sum() <= 0:
        raise ValueError(f"The node counts passed to {owner} give a degenerate noise distribution.")
    noise = _kernels.pack_alias_table(*_kernels.build_alias_table(weights))
    keep_prob = keep_probabilities(counts, float(counts.sum()), p["sample"])
    tables = _kernels.sigmoid_tables()
    codes, points = np.zeros(1, dtype=np.uint8), np.zeros(1, dtype=np.int32)
    code_offsets = np.zeros(n + 1, dtype=np.int64)
    total = 0
    for tokens, offsets in as_token_chunks(corpus):
        check_chunk(tokens, offsets, n)
        total += int(offsets[-1])
    if total == 0:
        raise ValueError(f"The corpus passed to {owner} is empty (no tokens); nothing to train on.")
    schedule = np.array([p["alpha"], p["min_alpha"], float(total * p["epochs"])], dtype=np.float64)
    workers = p["workers"]
    losses = np.zeros(p["epochs"], dtype=np.float64)
    previous_threads = numba.get_num_threads()
    previous_chunksize = numba.get_parallel_chunksize()
    pairs_all = words_all = 0
    t0 = time.perf_counter()
    try:
        numba.set_num_threads(workers)
        numba.set_parallel_chunksize(1)
        for epoch in range(p["epochs"]):
            loss_sum, pair_count = 0.0, 0
            walk_base = 0
            epoch_tokens = 0
            for tokens, offsets in as_token_chunks(corpus):
                tokens, offsets = check_chunk(tokens, offsets, n)
                for w0, w1 in _pieces(offsets):
                    lengths = np.diff(offsets[w0 : w1 + 1])
                    max_len = int(lengths.max()) if lengths.size else 1
                    args = (
                        tokens, offsets, w0, w1, walk_base, epoch * total + epoch_tokens, syn0, syn1,
                        noise, keep_prob, tables, p["window"], p["negative"],
                        p["shrink_window"], schedule, kernel_seed, epoch, max_len, p["shared_negatives"],
                        0, codes, points, code_offsets,
                    )  # fmt: skip
                    if workers == 1:
                        lo, pa, wo = _kernels.train_walk_range(*args, row_scale)
                    else:
                        blocks = max(1, min(w1 - w0, workers * _BLOCKS_PER_WORKER))
                        lo, pa, wo = _kernels.train_walks_parallel(*args, blocks, row_scale)
                    loss_sum += lo
                    pair_count += pa
                    words_all += wo
                walk_base += offsets.shape[0] - 1
                epoch_tokens += int(offsets[-1])
            pairs_all += pair_count
            losses[epoch] = loss_sum / max(pair_count * (p["negative"] + 1), 1)
        if not (np.isfinite(syn0).all() and np.isfinite(syn1).all()):
            raise FloatingPointError(f"{owner} lost finiteness; lower 'alpha' (got {p['alpha']!r}).")
    finally:
        numba.set_num_threads(previous_threads)
        numba.set_parallel_chunksize(previous_chunksize)
    return {
        "tokens": total * p["epochs"],
        "pairs": pairs_all,
        "words": words_all,
        "seconds": time.perf_counter() - t0,
        "loss": losses,
    }


def _mean_cosine(before: np.ndarray, after: np.ndarray) -> float:
    """Mean cosine of matching rows; exactly 1.0 when the arrays are equal."""
    if before.shape[0] == 0 or np.array_equal(before, after):
        return 1.0
    b = before.astype(np.float64)
    c = after.astype(np.float64)
    den = np.linalg.norm(b, axis=1) * np.linalg.norm(c, axis=1)
    cos = np.where(den > 0, (b * c).sum(axis=1) / np.maximum(den, 1e-300), 1.0)
    return float(cos.mean())


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


def _check_passes(corpus: Any, epochs: int, node_counts: Any) -> None:
    passes = epochs + (1 if node_counts is None else 0)
    if passes > 1 and _is_one_shot(corpus):
        raise TypeError(
            "The corpus passed to SGNS.fit is a one-shot iterator (e.g. a generator), but training needs "
            f"{passes} passes over it (one to count nodes, one per epoch). Pass a re-iterable instead: a "
            "WalkCorpus, a 2-D array, a list of arrays, or an object whose __iter__ returns a fresh "
            "iterator (graphemb.walks.WalkStream); or pass node_counts= with epochs=1."
        )


def _resolve_counts(corpus: Any, num_nodes: Any, node_counts: Any) -> tuple[int, np.ndarray]:
    """``(num_nodes, counts)`` from the arguments, counting the corpus when ``node_counts`` is None."""
    if num_nodes is not None:
        num_nodes = check_int(num_nodes, "num_nodes", "SGNS.fit", minimum=1)
    if node_counts is None:
        counts = _count_nodes(corpus, num_nodes)
        return (int(counts.shape[0]) if num_nodes is None else num_nodes), counts
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
    return num_nodes, counts.astype(np.int64)


def _check_size(p: dict[str, Any], n: int) -> None:
    d = p["dimensions"]
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


def _epoch_pieces(
    corpus: Any, n: int, first_walk: int = 0, first_tokens: int = 0, ckpt: Checkpointer | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray, int, int, int, int]]:
    """One epoch's pieces ``(tokens, offsets, w0, w1, walk_base, chunk_tokens)``, from walk ``first_walk`` on.

    ``walk_base`` is the global index of the chunk's first walk and ``chunk_tokens`` the epoch's
    tokens before the chunk.  Chunks wholly before ``first_walk`` (a resume point) are skipped
    unchecked; at the resume point the tokens before it must number ``first_tokens``, else the
    corpus is not the checkpoint's and a ValueError says so.
    """
    walk_base, epoch_tokens = 0, 0
    aligned = first_walk == 0
    where = "" if ckpt is None else f" (checkpoint {ckpt.path / CHECKPOINT_FILE})"
    for tokens, offsets in as_token_chunks(corpus):
        n_walks = offsets.shape[0] - 1
        if walk_base + n_walks <= first_walk and not aligned:
            walk_base += n_walks
            epoch_tokens += int(offsets[-1])
            continue
        local = max(first_walk - walk_base, 0)
        if not aligned:
            before = epoch_tokens + int(offsets[local])
            if before != first_tokens:
                raise ValueError(
                    f"The corpus passed to SGNS.fit is not the one of the checkpoint{where}: {before} tokens precede "
                    f"walk {first_walk} here, {first_tokens} there."
                )
            aligned = True
        tokens, offsets = check_chunk(tokens, offsets, n)
        for w0, w1 in _pieces(offsets, local):
            yield tokens, offsets, w0, w1, walk_base, epoch_tokens
        walk_base += n_walks
        epoch_tokens += int(offsets[-1])
    if not aligned and (walk_base != first_walk or epoch_tokens != first_tokens):
        raise ValueError(
            f"The corpus passed to SGNS.fit is not the one of the checkpoint{where}: it has {walk_base} walks "
            f"({epoch_tokens} tokens) in an epoch; the checkpoint is at walk {first_walk} ({first_tokens} tokens)."
        )


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
        counts = add_token_counts(counts, tokens)
    return counts


def _pieces(offsets: np.ndarray, first: int = 0) -> Iterator[tuple[int, int]]:
    """Split a chunk's walks ``first ..`` into consecutive ranges of about ``_PIECE_TOKENS`` tokens.

    The cuts lie on a grid fixed by the chunk (multiples of ``_PIECE_TOKENS`` tokens from its
    start), so a run resumed at a cut trains exactly the pieces of an uninterrupted run.
    """
    n_walks = offsets.shape[0] - 1
    if n_walks - first <= 0:
        return
    cuts = np.searchsorted(offsets, np.arange(_PIECE_TOKENS, int(offsets[-1]), _PIECE_TOKENS), side="left")
    bounds = [first, *sorted(set(int(c) for c in cuts if first < c < n_walks)), n_walks]
    yield from zip(bounds[:-1], bounds[1:], strict=True)
