"""Per-pair updates of the objectives other than negative sampling (numba kernels).

The trainer's window loop (:func:`graphemb.sgns._kernels.train_walk_range`) is
shared by every objective; only the update of one (input ``c``, output ``t``)
pair differs:

* :func:`hs_pair`: hierarchical softmax (Morin & Bengio 2005; word2vec).
  ``p(t | c) = prod_s sigmoid((1 - 2 code_s) u_c . w_{point_s})`` over the
  Huffman path of ``t`` (:mod:`graphemb.sgns._huffman`); the output table's
  rows ``0 .. n - 2`` are the inner nodes' vectors ``w``.  O(len(path) d) per pair.
* :func:`softmax_pair`: the exact softmax ``p(t | c) = exp(u_c . v_t) / sum_j
  exp(u_c . v_j)`` over all ``n`` output vectors.  O(n d) per pair.

Both take one stochastic-gradient step on ``-log p(t | c)`` with learning rate
``lr``: every output row is moved with the *old* input row and the input row
with the *old* output rows (word2vec's order), so the step is exactly
``-lr * gradient`` at the current point (what the gradient-check tests verify).
Every updated component is clamped to ``[-clamp, clamp]`` as in the
negative-sampling kernel, so no inf or NaN can appear.
"""

from __future__ import annotations

import numpy as np
from numba import njit

OBJECTIVES = ("negative_sampling", "hierarchical_softmax", "softmax")
"""Objective names; the kernels receive the index into this tuple."""


@njit(cache=True, nogil=True)
def _clamp(v, clamp):
    """``v`` clamped to ``[-clamp, clamp]``; NaN maps to ``-clamp``.  O(1)."""
    v = v if v > -clamp else -clamp
    return v if v < clamp else clamp


@njit(cache=True, nogil=True)
def hs_pair(syn0, syn1, c, t, codes, points, code_offsets, neu1e, tables, max_exp, lr32, clamp):
    """One hierarchical-softmax step on the pair (input ``c``, output ``t``).

    Parameters
    ----------
    syn0 : ndarray of float32, shape (n, d)
        Input vectors; row ``c`` is updated.
    syn1 : ndarray of float32, shape (n, d)
        Inner-node vectors in rows ``0 .. n - 2``; the rows on ``t``'s path are updated.
    c, t : int
        Input (context) and output (centre) node.
    codes : ndarray of uint8, shape (L,)
    points : ndarray of int32, shape (L,)
    code_offsets : ndarray of int64, shape (n + 1,)
        The Huffman paths (:func:`graphemb.sgns._huffman.build_huffman_tree`).
    neu1e : ndarray of float32, shape (d,)
        Work space (the input row's update).
    tables : ndarray of float32, shape (2, S + 1)
        Sigmoid and log-sigmoid tables on ``[-max_exp, max_exp]``
        (:func:`graphemb.sgns._kernels.sigmoid_tables`).
    max_exp : float
        Logit clipping bound of the tables.
    lr32 : float32
        Learning rate.
    clamp : float32
        Bound of every vector component after the update.

    Returns
    -------
    float64
        ``-log p(t | c)`` before the step (with clipped logits).

    Notes
    -----
    Label of step ``s`` is ``1 - codes[s]`` (word2vec).  Time O(len(path) d), no memory.
    """
    d = syn0.shape[1]
    size = tables.shape[1] - 1
    scale = size / (2.0 * max_exp)
    for j in range(d):
        neu1e[j] = np.float32(0.0)
    loss = 0.0
    for s in range(code_offsets[t], code_offsets[t + 1]):
        p = points[s]
        f = np.float32(0.0)
        for j in range(d):
            f += syn0[c, j] * syn1[p, j]
        x = min(max(f, np.float32(-max_exp)), np.float32(max_exp))
        idx = np.int64((x + max_exp) * scale)
        if codes[s] == 0:  # label 1
            g = (np.float32(1.0) - tables[0, idx]) * lr32
            loss -= tables[1, idx]
        else:  # label 0
            g = -tables[0, idx] * lr32
            loss -= tables[1, size - idx]
        for j in range(d):
            neu1e[j] += g * syn1[p, j]
            syn1[p, j] = _clamp(syn1[p, j] + g * syn0[c, j], clamp)
    for j in range(d):
        syn0[c, j] = _clamp(syn0[c, j] + neu1e[j], clamp)
    return loss


@njit(cache=True, nogil=True)
def softmax_pair(syn0, syn1, c, t, logits, neu1e, lr32, clamp):
    """One exact-softmax step on the pair (input ``c``, output ``t``).

    Parameters
    ----------
    syn0, syn1 : ndarray of float32, shape (n, d)
        Input and output vectors; row ``c`` of ``syn0`` and every row of ``syn1``
        are updated.
    c, t : int
    logits : ndarray of float64, shape (n,)
        Work space.
    neu1e : ndarray of float32, shape (d,)
        Work space.
    lr32 : float32
    clamp : float32

    Returns
    -------
    float64
        ``-log p(t | c)`` before the step (log-sum-exp in float64, no clipping).

    Notes
    -----
    Time O(n d) (two passes over the output table), no memory.
    """
    n = syn1.shape[0]
    d = syn0.shape[1]
    top = -np.inf
    for k in range(n):
        f = 0.0
        for j in range(d):
            f += float(syn0[c, j]) * float(syn1[k, j])
        logits[k] = f
        if f > top:
            top = f
    z = 0.0
    for k in range(n):
        z += np.exp(logits[k] - top)
    logz = top + np.log(z)
    loss = logz - logits[t]
    for j in range(d):
        neu1e[j] = np.float32(0.0)
    for k in range(n):
        p = np.exp(logits[k] - logz)
        g = np.float32(((1.0 if k == t else 0.0) - p) * lr32)
        for j in range(d):
            neu1e[j] += g * syn1[k, j]
            syn1[k, j] = _clamp(syn1[k, j] + g * syn0[c, j], clamp)
    for j in range(d):
        syn0[c, j] = _clamp(syn0[c, j] + neu1e[j], clamp)
    return loss


@njit(cache=True, nogil=True)
def train_pairs_other(
    objective, syn0, syn1, ctx, nb, t, codes, points, code_offsets, logits, neu1e, tables, max_exp, lr32, clamp
):
    """Train the ``nb`` pairs (``ctx[b]``, ``t``) of one centre with hierarchical (1) or full (2) softmax.

    The window loop calls this instead of the negative-sampling batch when
    ``objective != 0``.  Parameters as :func:`hs_pair` and :func:`softmax_pair`;
    ``ctx`` is int32 of shape (>= nb,).  Returns the summed ``-log p(t | c)``.
    Time O(nb len(path) d) or O(nb n d); no memory.
    """
    loss = 0.0
    for b in range(nb):
        if objective == 1:
            loss += hs_pair(syn0, syn1, ctx[b], t, codes, points, code_offsets, neu1e, tables, max_exp, lr32, clamp)
        else:
            loss += softmax_pair(syn0, syn1, ctx[b], t, logits, neu1e, lr32, clamp)
    return loss
