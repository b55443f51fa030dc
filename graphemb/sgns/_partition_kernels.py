"""numba kernels of partitioned SGNS training (:mod:`graphemb.sgns.partitioned`).

Two kernels, both serial, ``nogil`` and free of global state, so that several threads (or
Dask workers with one thread each) can run them at once on disjoint tables:

* :func:`extract_pairs` turns walks into (context, centre) pairs after word2vec's frequent-node
  sub-sampling and window shrinking, and counts or writes them by bucket
  ``(partition of the context, partition of the centre)``;
* :func:`train_bucket` shuffles one chunk of a bucket's pairs and trains it with word2vec's
  pair step (:func:`graphemb.sgns._kernels.train_pair`), negatives drawn from the centre
  partition's share of the noise distribution.

Random numbers come only from :mod:`graphemb._rng` streams whose identifiers are the walk
index (extraction) or ``(epoch, chunk, bucket)`` (training), never a thread or worker id.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._rng import next_below, stream_state, stream_state2
from ._kernels import draw_negatives, subsample_walk, train_pair


@njit(cache=True, nogil=True)
def extract_pairs(
    tokens, offsets, w_start, w_end, walk_base, keep_prob, window, shrink, seed, part_of, local_of, num_parts,
    counts, fill, cursor, out,
):  # fmt: skip
    """Skip-gram pairs of walks ``w_start .. w_end - 1``, counted or written by bucket.

    Parameters
    ----------
    tokens : ndarray of int32, shape (num_tokens,)
    offsets : ndarray of int64, shape (num_walks + 1,)
        Walk ``w`` is ``tokens[offsets[w]:offsets[w + 1]]``.
    w_start, w_end : int
        Walks (local to the chunk) to read.
    walk_base : int
        Global index of the chunk's first walk; walk ``w`` draws from stream ``(seed, walk_base + w)``.
    keep_prob : ndarray of float64, shape (n,)
        Sub-sampling keep probability (``>= 1``: always kept, no draw).
    window : int
    shrink : bool
        Radius uniform in ``1..window`` per centre (word2vec), else ``window``.
    seed : np.uint64
    part_of : ndarray of int32, shape (n,)
        Partition of each node.
    local_of : ndarray of int32, shape (n,)
        Row of each node inside its partition.
    num_parts : int
    counts : ndarray of int64, shape (num_parts * num_parts,)
        Incremented by the number of pairs of each bucket ``i * num_parts + j`` (``i`` the
        context's partition, ``j`` the centre's).
    fill : bool
        Also write the pairs: pair ``(local context, local centre)`` of bucket ``b`` goes to
        ``out[cursor[b]]`` and ``cursor[b]`` advances.
    cursor : ndarray of int64, shape (num_parts * num_parts,)
    out : ndarray of int32, shape (m, 2)

    Returns
    -------
    int64
        Number of pairs of the range.

    Notes
    -----
    The draws are word2vec's: one uniform per token whose keep probability is below 1, then one
    radius per kept centre.  Run twice with the same arguments (count, then fill) it produces the
    same pairs.  Time O(tokens * window), memory O(walk length).
    """
    total = np.int64(0)
    max_len = 1
    for w in range(w_start, w_end):
        if offsets[w + 1] - offsets[w] > max_len:
            max_len = offsets[w + 1] - offsets[w]
    sent = np.empty(max_len, dtype=np.int32)
    for w in range(w_start, w_end):
        state = stream_state(seed, np.uint64(walk_base + w))
        state, m = subsample_walk(tokens, offsets[w], offsets[w + 1], keep_prob, state, sent)
        for i in range(m):
            radius = window
            if shrink:
                state, r = next_below(state, window)
                radius = window - r
            lo = max(i - radius, 0)
            hi = min(i + radius + 1, m)
            centre = sent[i]
            pj = part_of[centre]
            for j in range(lo, hi):
                if j == i:
                    continue
                ctx = sent[j]
                b = part_of[ctx] * num_parts + pj
                counts[b] += 1
                if fill:
                    k = cursor[b]
                    out[k, 0] = local_of[ctx]
                    out[k, 1] = local_of[centre]
                    cursor[b] = k + 1
                total += 1
    return total


@njit(cache=True, nogil=True)
def shuffle_pairs(pairs, state):
    """Fisher-Yates shuffle of the rows of ``pairs`` (int32, shape (m, 2)) in place.

    Returns the advanced stream state.  Time O(m), no memory.
    """
    m = pairs.shape[0]
    for k in range(m - 1, 0, -1):
        state, r = next_below(state, k + 1)
        a0 = pairs[k, 0]
        a1 = pairs[k, 1]
        pairs[k, 0] = pairs[r, 0]
        pairs[k, 1] = pairs[r, 1]
        pairs[r, 0] = a0
        pairs[r, 1] = a1
    return state


@njit(cache=True, nogil=True)
def train_bucket(
    pairs, syn0, syn1, noise, tables, negative, seed, epoch, stream, lr_schedule,
):  # fmt: skip
    """Shuffle and train one chunk of one bucket's pairs.

    Parameters
    ----------
    pairs : ndarray of int32, shape (m, 2)
        ``(input row, output row)`` per pair, local to the two partitions; shuffled in place.
    syn0 : ndarray of float32, shape (n_i, d)
        Input rows of the context partition ``i``, updated in place.
    syn1 : ndarray of float32, shape (n_j, d)
        Output rows of the centre partition ``j``, updated in place.
    noise : ndarray of float64, shape (n_j, 2)
        Alias table of partition ``j``'s share of the noise distribution (local rows), packed
        (:func:`graphemb.sgns._kernels.pack_alias_table`).
    tables : ndarray of float32, shape (2, EXP_TABLE_SIZE + 1)
    negative : int
        Noise rows per pair (drawn afresh for every pair; one equal to the centre is redrawn).
    seed : np.uint64
    epoch, stream : int
        The call draws from the stream ``(seed, epoch, stream)``; the caller sets
        ``stream = chunk * P * P + i * P + j``, so the draws do not depend on who runs the bucket.
    lr_schedule : ndarray of float64, shape (5,)
        ``(alpha, min_alpha, total, done, step)``: pair ``p`` (in shuffled order) trains at
        ``alpha - (alpha - min_alpha) * (done + p * step) / total``, at least ``min_alpha``.

    Returns
    -------
    loss : float64
        Negative log-likelihood summed over the valid logits.
    count : int64
        Pairs trained (``m``).

    Notes
    -----
    Per pair: ``negative`` alias draws, ``negative + 1`` dot products and ``2 (negative + 1) + 1``
    row passes of length ``d``: time O(m negative d); memory O(negative + d) working space.
    """
    state = stream_state2(seed, np.uint64(epoch), np.uint64(stream))
    state = shuffle_pairs(pairs, state)
    d = syn0.shape[1]
    k1 = negative + 1
    outs = np.empty(k1, dtype=np.int64)
    valid = np.empty(k1, dtype=np.bool_)
    coef = np.empty((1, k1), dtype=np.float32)
    neu1e = np.empty((1, d), dtype=np.float32)
    alpha = lr_schedule[0]
    min_alpha = lr_schedule[1]
    total = lr_schedule[2]
    done = lr_schedule[3]
    step = lr_schedule[4]
    loss = 0.0
    m = pairs.shape[0]
    for p in range(m):
        lr = alpha - (alpha - min_alpha) * ((done + p * step) / total)
        if lr < min_alpha:
            lr = min_alpha
        c = np.int64(pairs[p, 0])
        t = np.int64(pairs[p, 1])
        state = draw_negatives(state, t, outs, valid, noise)
        loss += train_pair(syn0, syn1, c, outs, valid, coef, neu1e, tables, np.float32(lr))
    return loss, np.int64(m)
