"""numba kernels of the negative-sampling study (co-occurrence counts, pair sampling, pair scores).

The window conventions are exactly the trainer's (:mod:`graphemb.sgns._kernels`):
a centre position ``i`` of a walk is the *output* node, every other position
``j`` with ``|i - j| <= radius`` is an *input* (context) node, and with
``shrink`` the radius is drawn uniformly in ``1 .. window`` per centre.
Random numbers come only from :mod:`graphemb._rng` streams.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._rng import next_below, stream_state2


@njit(cache=True, nogil=True)
def cooccurrence_dense(tokens, offsets, window, shrink, out):
    """Add the expected window co-occurrence counts of a chunk of walks to ``out``.

    Parameters
    ----------
    tokens : ndarray of int32, shape (num_tokens,)
        Walks concatenated; node indices in ``[0, n)``.
    offsets : ndarray of int64, shape (num_walks + 1,)
        Walk ``w`` is ``tokens[offsets[w]:offsets[w + 1]]``.
    window : int
        Maximum distance (>= 1).
    shrink : bool
        With word2vec's dynamic window the radius is uniform in ``1..window``, so a
        pair at distance ``d`` is trained with probability ``(window - d + 1) / window``;
        that expectation is added.  Without it every pair within ``window`` adds 1.
    out : ndarray of float64, shape (n, n)
        ``out[c, t]`` accumulates the (expected) number of times input ``c`` is
        trained against output (centre) ``t``.  Updated in place.

    Notes
    -----
    Deterministic (no sampling).  Time O(num_tokens * window), no memory beyond ``out``.
    """
    for w in range(offsets.shape[0] - 1):
        start = offsets[w]
        end = offsets[w + 1]
        for i in range(start, end):
            t = tokens[i]
            lo = max(start, i - window)
            hi = min(end, i + window + 1)
            for j in range(lo, hi):
                if j == i:
                    continue
                d = i - j if i > j else j - i
                wgt = (window - d + 1) / window if shrink else 1.0
                out[tokens[j], t] += wgt


@njit(cache=True, nogil=True)
def sample_context_pairs(tokens, offsets, window, shrink, seed, out_ctx, out_ctr):
    """Write the (input, output) pairs that one training pass over the walks would use.

    Parameters
    ----------
    tokens : ndarray of int32, shape (num_tokens,)
    offsets : ndarray of int64, shape (num_walks + 1,)
    window : int
    shrink : bool
        Radius uniform in ``1..window`` per centre, drawn from the stream
        ``(seed, 0, w)`` of walk ``w`` (no subsampling).
    seed : np.uint64
    out_ctx, out_ctr : ndarray of int32, shape (>= num_tokens * 2 * window,)
        Input (context) and output (centre) node of each pair.

    Returns
    -------
    int64
        Number of pairs written.  Time O(num_tokens * window), no memory.
    """
    count = np.int64(0)
    for w in range(offsets.shape[0] - 1):
        state = stream_state2(seed, np.uint64(0), np.uint64(w))
        start = offsets[w]
        end = offsets[w + 1]
        for i in range(start, end):
            radius = window
            if shrink:
                state, r = next_below(state, window)
                radius = window - r
            lo = max(start, i - radius)
            hi = min(end, i + radius + 1)
            for j in range(lo, hi):
                if j == i:
                    continue
                out_ctx[count] = tokens[j]
                out_ctr[count] = tokens[i]
                count += 1
    return count


@njit(cache=True, nogil=True)
def pair_dots(a, b, rows_a, rows_b, out):
    """``out[k] = a[rows_a[k]] . b[rows_b[k]]`` in float64.

    Parameters
    ----------
    a, b : ndarray of float32, shape (n, d)
    rows_a, rows_b : ndarray of int64, shape (m,)
    out : ndarray of float64, shape (m,)

    Notes
    -----
    Time O(m d), no memory.
    """
    d = a.shape[1]
    for k in range(rows_a.shape[0]):
        ia = rows_a[k]
        ib = rows_b[k]
        s = 0.0
        for j in range(d):
            s += float(a[ia, j]) * float(b[ib, j])
        out[k] = s
