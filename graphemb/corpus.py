"""The walk corpus: the one data type shared by the walk engine and the trainer.

A :class:`WalkCorpus` is a block of walks stored as a padded ``int32`` matrix
``walks`` of shape ``(num_walks, walk_length)`` plus the true length of each walk
in ``lengths``.  Entries past a walk's length are ``-1`` and are never fed to
training.  Node ``i`` in a walk is row ``i`` of the graph it came from; map back
to the original ids with ``corpus.nodes`` (or ``graph.nodes``).

This module sits below both :mod:`graphemb.walks` and :mod:`graphemb.sgns`: the
walk engine produces corpora and the trainer consumes them, and neither imports
the other.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

__all__ = ["WalkCorpus", "add_token_counts", "as_token_chunks"]

_SEQUENCE_BLOCK = 8192  # sequences per block when a corpus arrives one sequence at a time


class WalkCorpus:
    """A block of random walks (int32 node indices) with their true lengths.

    Parameters
    ----------
    walks : ndarray of shape (num_walks, walk_length), int32
        Padded walk matrix; row ``w`` holds walk ``start + w``.  Positions at or
        past ``lengths[w]`` are ``-1``.
    lengths : ndarray of shape (num_walks,), int32, optional
        True number of nodes in each walk (``1 <= lengths[w] <= walk_length``).
        Defaults to ``walk_length`` for every walk (then ``walks`` must hold no
        ``-1``: a ``ValueError`` says to pass ``lengths``).
    nodes : sequence, optional
        Original node ids in index order (``graph.nodes``), used by
        :meth:`to_lists`.
    start : int, default 0
        Global index of the first walk (for chunks of a larger corpus).

    Notes
    -----
    Walk order is documented by the producer; :func:`graphemb.random_walks`
    orders walks by ``(round, start node)``: walk ``w`` is round
    ``w // len(start_nodes)`` from start node ``start_nodes[w % len(start_nodes)]``.

    Memory is 4 bytes per walk step (plus 4 bytes per walk for ``lengths``).
    """

    __slots__ = ("walks", "lengths", "nodes", "start")

    def __init__(
        self,
        walks: np.ndarray,
        lengths: np.ndarray | None = None,
        nodes: Sequence[Any] | None = None,
        start: int = 0,
    ) -> None:
        walks = np.asarray(walks)
        if walks.ndim != 2:
            raise ValueError(f"walks must be a 2-D array (num_walks, walk_length); got shape {walks.shape}.")
        if walks.dtype != np.int32:
            if walks.size and (walks.min() < -1 or walks.max() > np.iinfo(np.int32).max):
                raise ValueError("walks hold node indices outside the int32 range.")
            walks = walks.astype(np.int32)
        walks = np.ascontiguousarray(walks)
        if lengths is None:
            if walks.size and walks.min() < 0:  # one pass, only for callers that give no lengths
                raise ValueError(
                    "walks hold -1 (padding) but no lengths were given, so every row would count as "
                    f"{walks.shape[1]} nodes long; pass lengths= (nodes per walk)."
                )
            lengths = np.full(walks.shape[0], walks.shape[1], dtype=np.int32)
        else:
            lengths = np.ascontiguousarray(lengths, dtype=np.int32)
            if lengths.shape != (walks.shape[0],):
                raise ValueError(f"lengths must have shape ({walks.shape[0]},) to match walks; got {lengths.shape}.")
            if lengths.size and (lengths.min() < 0 or lengths.max() > walks.shape[1]):
                raise ValueError("lengths must lie in [0, walk_length].")
        self.walks = walks
        self.lengths = lengths
        self.nodes = nodes
        self.start = int(start)

    # ------------------------------------------------------------------ basics
    def __len__(self) -> int:
        return int(self.walks.shape[0])

    def __iter__(self) -> Iterator[np.ndarray]:
        for w in range(self.walks.shape[0]):
            yield self.walks[w, : self.lengths[w]]

    def __getitem__(self, w: int) -> np.ndarray:
        return self.walks[w, : self.lengths[w]]

    def __repr__(self) -> str:
        return (
            f"WalkCorpus(num_walks={len(self)}, walk_length={self.walk_length}, "
            f"num_tokens={self.num_tokens}, start={self.start})"
        )

    @property
    def walk_length(self) -> int:
        """Maximum number of nodes in a walk (columns of ``walks``)."""
        return int(self.walks.shape[1])

    @property
    def num_tokens(self) -> int:
        """Total number of nodes over all walks (sum of ``lengths``)."""
        return int(self.lengths.sum(dtype=np.int64))

    @property
    def nbytes(self) -> int:
        """Bytes held by the walk matrix and the lengths."""
        return int(self.walks.nbytes + self.lengths.nbytes)

    # -------------------------------------------------------------- conversion
    def to_lists(self) -> list[list[Any]]:
        """Return the walks as lists of original node ids.

        Returns
        -------
        list of list
            One list per walk, holding ``nodes[i]`` for each index ``i``.

        Raises
        ------
        ValueError
            If the corpus was built without ``nodes``.
        """
        if self.nodes is None:
            raise ValueError("This WalkCorpus has no node ids; build it with nodes=graph.nodes.")
        nodes = self.nodes
        return [[nodes[i] for i in walk.tolist()] for walk in self]

    def tokens_and_offsets(self) -> tuple[np.ndarray, np.ndarray]:
        """Flatten into ``(tokens, offsets)``, dropping padding.

        Returns
        -------
        tokens : ndarray of int32, shape (num_tokens,)
            Walks concatenated.  A view of ``walks`` when no walk is short.
        offsets : ndarray of int64, shape (num_walks + 1,)
            Walk ``w`` is ``tokens[offsets[w]:offsets[w + 1]]``.
        """
        offsets = np.zeros(len(self) + 1, dtype=np.int64)
        np.cumsum(self.lengths, out=offsets[1:])
        if offsets[-1] == self.walks.size:
            return self.walks.reshape(-1), offsets
        mask = np.arange(self.walk_length, dtype=np.int32)[None, :] < self.lengths[:, None]
        return np.ascontiguousarray(self.walks[mask]), offsets

    def node_counts(self, num_nodes: int) -> np.ndarray:
        """Occurrences of each node in the corpus.

        Parameters
        ----------
        num_nodes : int
            Length of the result (nodes that never occur count 0).

        Returns
        -------
        ndarray of int64, shape (num_nodes,)
        """
        tokens, _ = self.tokens_and_offsets()
        return np.bincount(tokens, minlength=num_nodes).astype(np.int64, copy=False)

    @classmethod
    def concatenate(cls, chunks: Sequence[WalkCorpus]) -> WalkCorpus:
        """Join consecutive chunks into one corpus (walk lengths may differ)."""
        chunks = list(chunks)
        if not chunks:
            raise ValueError("cannot concatenate an empty list of chunks.")
        width = max(c.walk_length for c in chunks)
        walks = np.full((sum(len(c) for c in chunks), width), -1, dtype=np.int32)
        row = 0
        for c in chunks:
            walks[row : row + len(c), : c.walk_length] = c.walks
            row += len(c)
        lengths = np.concatenate([c.lengths for c in chunks])
        return cls(walks, lengths, nodes=chunks[0].nodes, start=chunks[0].start)


def as_token_chunks(obj: Any) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(tokens int32, offsets int64)`` blocks from any supported corpus.

    Accepted inputs: a :class:`WalkCorpus`; a 2-D integer array (one walk per
    row); a list/tuple of 1-D integer arrays or lists (one sequence each); or an
    iterable of any of these (each item is one chunk).  Values are *not*
    range-checked here: the consumer validates against its vocabulary size.

    Yields
    ------
    tokens : ndarray of int32
    offsets : ndarray of int64
    """
    if isinstance(obj, WalkCorpus):
        yield obj.tokens_and_offsets()
        return
    if isinstance(obj, np.ndarray):
        if obj.ndim != 2:
            raise ValueError(f"a corpus array must be 2-D (one walk per row); got shape {obj.shape}.")
        yield WalkCorpus(obj).tokens_and_offsets()
        return
    if isinstance(obj, (list, tuple)):
        if len(obj) == 0:
            return
        first = obj[0]
        if isinstance(first, WalkCorpus) or (isinstance(first, np.ndarray) and first.ndim == 2):
            for item in obj:
                yield from as_token_chunks(item)
            return
        yield _sequences_to_tokens(obj)
        return
    try:
        iterator = iter(obj)
    except TypeError:
        raise TypeError(
            "corpus must be a WalkCorpus, a 2-D int array, a list of int sequences, "
            f"or an iterable of these; got {type(obj).__name__}."
        ) from None
    buffer: list[Any] = []
    for item in iterator:
        if isinstance(item, WalkCorpus) or (isinstance(item, np.ndarray) and item.ndim == 2):
            if buffer:
                yield _sequences_to_tokens(buffer)
                buffer = []
            yield from as_token_chunks(item)
        else:
            # an iterable of single sequences: group them into blocks
            buffer.append(item)
            if len(buffer) >= _SEQUENCE_BLOCK:
                yield _sequences_to_tokens(buffer)
                buffer = []
    if buffer:
        yield _sequences_to_tokens(buffer)


def _sequences_to_tokens(seqs: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    arrays = []
    for i, s in enumerate(seqs):
        a = np.asarray(s)
        if a.ndim != 1:
            raise ValueError(f"sequence {i} of the corpus is not 1-D (shape {a.shape}).")
        if a.size and not np.issubdtype(a.dtype, np.integer):
            raise ValueError(f"sequence {i} of the corpus holds {a.dtype} values; node indices must be integers.")
        arrays.append(a)
    lengths = np.array([a.size for a in arrays], dtype=np.int64)
    offsets = np.zeros(len(arrays) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    if offsets[-1] == 0:
        return np.zeros(0, dtype=np.int32), offsets
    big = np.concatenate([a.astype(np.int64, copy=False) for a in arrays])
    if big.min() < 0 or big.max() > np.iinfo(np.int32).max:
        raise ValueError("corpus holds node indices outside [0, 2**31 - 1].")
    return big.astype(np.int32), offsets


def add_token_counts(counts: np.ndarray, tokens: np.ndarray) -> np.ndarray:
    """``counts`` plus the occurrences of every node index in ``tokens``, grown when a larger index appears.

    Parameters
    ----------
    counts : int64[n]
        Running counts (not modified when it has to grow).
    tokens : integer array
        Node indices, all >= 0 (the callers check the range and name their input).

    Returns
    -------
    int64[max(n, tokens.max() + 1)]
        ``counts`` itself, updated in place, or a new, longer array.

    Notes
    -----
    O(len(tokens) + n) time (``np.bincount``); memory one array of the result's length.
    """
    c = np.bincount(tokens, minlength=counts.shape[0])
    if c.shape[0] > counts.shape[0]:
        c[: counts.shape[0]] += counts
        return c.astype(np.int64, copy=False)
    counts += c
    return counts
