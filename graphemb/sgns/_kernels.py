"""numba kernels of the skip-gram-with-negative-sampling (SGNS) trainer.

Layers (stumpy style):

* single-item helpers: :func:`alias_draw` (and its packed-table form :func:`alias_draw_packed`,
  which the trainer uses), :func:`prefetch_row` (a non-blocking cache prefetch, an LLVM
  intrinsic), :func:`_dot_rows` (and its 2- and 4-row
  forms), :func:`_pair_update4` (and its one-row form), :func:`_add_row_clamped`, and the pair step
  :func:`train_pair` (with its per-row learning-rate form :func:`_train_pair_scaled`,
  used by incremental updates through the optional ``row_scale`` argument);
* the block kernel :func:`train_walk_range`, which trains on a contiguous range of
  walks with one random stream per walk;
* run as it is, the block kernel is the serial path (bit-for-bit repeatable); the
  driver :func:`train_walks_parallel` runs it over blocks of walks in ``prange`` (Hogwild).

Shared negatives (the default, after pWord2Vec: Ji et al., "Parallelizing Word2Vec
in Shared and Distributed Memory", arXiv:1604.04661): the ``K`` noise nodes of a
centre position are drawn once and serve every context of its (shrunk) window.  The
``K + 1`` output rows then stay in the L1 cache while the window's ``B`` contexts are
trained one pair at a time (word2vec's update order), instead of ``B (K + 1)`` rows
fetched from all over the table.  pWord2Vec also merges the ``B`` pair updates into
one ``B x (K + 1)`` matrix product; graphemb measured that variant 0.004 Macro-F1
below gensim on BlogCatalog and no faster on two threads, and does not use it
(docs/training.md).

Random numbers come only from :mod:`graphemb._rng` streams; the stream of walk
``w`` in epoch ``e`` is ``(seed, e, w)`` with ``w`` the global walk index, so a
serial run does not depend on how the corpus is chunked.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

from .._rng import next_below, next_float, stream_state2

EXP_TABLE_SIZE = 1000
"""Number of bins of the sigmoid / log-sigmoid tables (as word2vec)."""
MAX_EXP = 6.0
"""Logits are clipped to ``[-MAX_EXP, MAX_EXP]`` (as word2vec)."""
VECTOR_CLAMP = 1.0e4
"""Every vector component is clamped to ``[-VECTOR_CLAMP, VECTOR_CLAMP]`` after an update.

Ordinary training keeps components far below 1; the clamp only acts when a huge
learning rate makes the updates diverge, and guarantees that no inf or NaN can
appear (the largest logit is then ``d * VECTOR_CLAMP**2``, finite in float32).
"""
# A logit outside (-MAX_EXP, MAX_EXP) gives no update for that (context, output) pair:
# gensim's rule, the quality reference of graphemb's benchmarks (word2vec.c instead updates
# with the clipped sigmoid; docs/training.md).
_MAX_REDRAWS = 32


def sigmoid_tables() -> np.ndarray:
    """Precomputed sigmoid and log-sigmoid tables.

    Returns
    -------
    ndarray of float32, shape (2, EXP_TABLE_SIZE + 1)
        Row 0: ``sigmoid(x_i)``; row 1: ``log(sigmoid(x_i))`` with
        ``x_i = -MAX_EXP + 2 * MAX_EXP * i / EXP_TABLE_SIZE``.  O(EXP_TABLE_SIZE).
    """
    x = np.linspace(-MAX_EXP, MAX_EXP, EXP_TABLE_SIZE + 1, dtype=np.float64)
    table = np.empty((2, EXP_TABLE_SIZE + 1), dtype=np.float32)
    table[0] = 1.0 / (1.0 + np.exp(-x))
    table[1] = -np.logaddexp(0.0, -x)
    return table


@njit(cache=True, nogil=True)
def build_alias_table(weights):
    """Walker/Vose alias table for sampling index ``i`` with probability ``weights[i] / sum``.

    Parameters
    ----------
    weights : ndarray of float64, shape (n,)
        Non-negative finite weights with a positive sum (checked by the caller).

    Returns
    -------
    prob : ndarray of float64, shape (n,)
        Probability of keeping bucket ``i`` (else take ``alias[i]``).
    alias : ndarray of int32, shape (n,)

    Notes
    -----
    Time O(n), memory O(n) (two int32 work stacks).
    """
    n = weights.shape[0]
    total = 0.0
    for i in range(n):
        total += weights[i]
    prob = np.empty(n, dtype=np.float64)
    alias = np.empty(n, dtype=np.int32)
    small = np.empty(n, dtype=np.int32)
    large = np.empty(n, dtype=np.int32)
    ns = 0
    nl = 0
    for i in range(n):
        prob[i] = weights[i] * n / total
        alias[i] = i
        if prob[i] < 1.0:
            small[ns] = i
            ns += 1
        else:
            large[nl] = i
            nl += 1
    while ns > 0 and nl > 0:
        ns -= 1
        s = small[ns]
        g = large[nl - 1]
        alias[s] = g
        prob[g] = (prob[g] + prob[s]) - 1.0
        if prob[g] < 1.0:
            nl -= 1
            small[ns] = g
            ns += 1
    # leftovers are 1 up to rounding
    for i in range(nl):
        prob[large[i]] = 1.0
    for i in range(ns):
        prob[small[i]] = 1.0
    return prob, alias


@njit(cache=True, nogil=True)
def _alias_bucket(u, n):
    """``(u n, floor(u n))`` for a uniform ``u`` in [0, 1): the alias bucket (clamped to ``n - 1``
    against rounding at ``u -> 1``) and the value whose fraction is the coin.  O(1)."""
    x = u * n
    k = np.int64(x)
    if k >= n:
        k = n - 1
    return x, k


@njit(cache=True, nogil=True)
def alias_draw(state, prob, alias):
    """One draw from an alias table; returns ``(new_state, index)``.

    Parameters
    ----------
    state : np.uint64
        Stream state (:mod:`graphemb._rng`).
    prob : ndarray of float64, shape (n,)
    alias : ndarray of int32, shape (n,)

    Notes
    -----
    One uniform ``u`` (53 bits): the bucket is ``floor(u n)`` and the coin is the
    fractional part of ``u n`` (at least ``53 - log2(n)`` bits, 40 for a million
    nodes).  O(1) time, no memory.
    """
    state, u = next_float(state)
    x, k = _alias_bucket(u, prob.shape[0])
    if x - k < prob[k]:
        return state, k
    return state, np.int64(alias[k])


@njit(cache=True, nogil=True)
def alias_sample(prob, alias, seed, stream, size):
    """Draw ``size`` indices from an alias table (used by tests and diagnostics).

    Parameters
    ----------
    prob : ndarray of float64, shape (n,)
    alias : ndarray of int32, shape (n,)
    seed : np.uint64
    stream : int
        Stream identifier (the draws use stream ``(seed, 0, stream)``).
    size : int

    Returns
    -------
    ndarray of int64, shape (size,)
        O(size) time and memory.
    """
    out = np.empty(size, dtype=np.int64)
    state = stream_state2(seed, np.uint64(0), np.uint64(stream))
    for i in range(size):
        state, k = alias_draw(state, prob, alias)
        out[i] = k
    return out


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def _dot_rows(a, ia, b, ib):
    """``a[ia] . b[ib]`` for C-contiguous float32 matrices with equal row length d.

    Reassociation lets LLVM vectorise the reduction (fastmath on this numeric helper
    only; tests check trained quality).  O(d) time, no memory.
    """
    s = np.float32(0.0)
    for j in range(a.shape[1]):
        s += a[ia, j] * b[ib, j]
    return s


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def _dot_rows4(a, ia, b, o0, o1, o2, o3):
    """Four dot products ``a[ia] . b[o_i]`` sharing the loads of ``a[ia]``.

    Register blocking for the ``K + 1`` logits of one pair (:func:`train_pair` and
    :func:`_train_pair_scaled` take the outputs four at a time).  O(d) time, no memory.
    """
    s0 = np.float32(0.0)
    s1 = np.float32(0.0)
    s2 = np.float32(0.0)
    s3 = np.float32(0.0)
    for j in range(a.shape[1]):
        x = a[ia, j]
        s0 += x * b[o0, j]
        s1 += x * b[o1, j]
        s2 += x * b[o2, j]
        s3 += x * b[o3, j]
    return s0, s1, s2, s3


@njit(cache=True, nogil=True, fastmath={"contract"})
def _pair_update4(syn1, o0, o1, o2, o3, g0, g1, g2, g3, syn0, c, neu1e):
    """One pass for four outputs: ``neu1e += sum_k g_k syn1[o_k]`` (old rows), then
    ``syn1[o_k] = clamp(syn1[o_k] + g_k syn0[c])``.

    word2vec's inner loop for four outputs at once; a repeated output row is
    updated twice in sequence, element by element.  O(d) time, no memory.
    """
    hi = np.float32(VECTOR_CLAMP)
    for j in range(syn1.shape[1]):
        x = syn0[c, j]
        r0 = syn1[o0, j]
        v = r0 + g0 * x
        syn1[o0, j] = _clamp(v, hi)
        r1 = syn1[o1, j]
        v = r1 + g1 * x
        syn1[o1, j] = _clamp(v, hi)
        r2 = syn1[o2, j]
        v = r2 + g2 * x
        syn1[o2, j] = _clamp(v, hi)
        r3 = syn1[o3, j]
        v = r3 + g3 * x
        syn1[o3, j] = _clamp(v, hi)
        neu1e[0, j] += g0 * r0 + g1 * r1 + g2 * r2 + g3 * r3


@njit(cache=True, nogil=True, fastmath={"contract"})
def _pair_update1(syn1, o0, g0, syn0, c, neu1e):
    """:func:`_pair_update4` for one output.  O(d) time, no memory."""
    hi = np.float32(VECTOR_CLAMP)
    for j in range(syn1.shape[1]):
        r0 = syn1[o0, j]
        v = r0 + g0 * syn0[c, j]
        syn1[o0, j] = _clamp(v, hi)
        neu1e[0, j] += g0 * r0


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def _dot_rows2(a, ia, b, o0, o1):
    """Two dot products ``a[ia] . b[o_i]`` sharing the loads of ``a[ia]``.  O(d) time, no memory."""
    s0 = np.float32(0.0)
    s1 = np.float32(0.0)
    for j in range(a.shape[1]):
        x = a[ia, j]
        s0 += x * b[o0, j]
        s1 += x * b[o1, j]
    return s0, s1


@njit(cache=True, nogil=True)
def _add_row_clamped(dst, idst, src, isrc):
    """``dst[idst] = clamp(dst[idst] + src[isrc], -VECTOR_CLAMP, VECTOR_CLAMP)``.

    NaN (only possible with absurd learning rates) is mapped to ``-VECTOR_CLAMP``.
    O(d) time, no memory.
    """
    hi = np.float32(VECTOR_CLAMP)
    lo = np.float32(-VECTOR_CLAMP)
    for j in range(dst.shape[1]):
        v = dst[idst, j] + src[isrc, j]
        v = v if v > lo else lo
        v = v if v < hi else hi
        dst[idst, j] = v


@intrinsic
def prefetch_row(typingctx, table, row):
    """Prefetch (for writing) every 64-byte line of ``table[row]``: a hint, never a load.

    ``table`` is a C-contiguous 2-D array, ``row`` an integer in ``[0, table.shape[0])``
    (not checked: a prefetch of any address is harmless).  Emits LLVM's ``llvm.prefetch``
    (``prefetchw`` on x86-64; a no-op where the target has none), so the cache misses of
    rows needed one centre later overlap the current work instead of stalling it; the
    results are those without it, bit for bit.  O(row bytes / 64) instructions, no memory.
    """
    if not (isinstance(table, types.Array) and table.ndim == 2 and table.layout == "C"):
        return None
    if not isinstance(row, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        aryty, rowty = signature.args
        ary = context.make_array(aryty)(context, builder, args[0])
        r = context.cast(builder, args[1], rowty, types.intp)
        zero = context.get_constant(types.intp, 0)
        shape = cgutils.unpack_tuple(builder, ary.shape)
        ptr = cgutils.get_item_pointer2(
            context, builder, data=ary.data, shape=shape, strides=cgutils.unpack_tuple(builder, ary.strides),
            layout=aryty.layout, inds=[r, zero], wraparound=False, boundscheck=False,
        )  # fmt: skip
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = builder.module.declare_intrinsic("llvm.prefetch", [i8p], fnty)
        base = builder.bitcast(ptr, i8p)
        itemsize = context.get_abi_sizeof(context.get_data_type(aryty.dtype))
        nbytes = builder.mul(shape[1], context.get_constant(types.intp, itemsize))
        with cgutils.for_range_slice(builder, zero, nbytes, context.get_constant(types.intp, 64)) as (off, _):
            # rw = 1 (the row is updated next), locality 3 (keep in every cache level), data cache
            builder.call(fn, [builder.gep(base, [off]), ir.Constant(i32, 1), ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return types.void(table, row), codegen


def pack_alias_table(prob: np.ndarray, alias: np.ndarray) -> np.ndarray:
    """The alias table as one ``(n, 2)`` float64 array: column 0 ``prob``, column 1 ``alias``.

    A draw reads one 16-byte entry (one cache line) instead of one entry in each of two arrays
    (:func:`alias_draw_packed`); int32 indices are exact in float64.  O(n) time, 16 bytes per
    entry.
    """
    table = np.empty((prob.shape[0], 2), dtype=np.float64)
    table[:, 0] = prob
    table[:, 1] = alias
    return table


@njit(cache=True, nogil=True)
def alias_draw_packed(state, table):
    """:func:`alias_draw` on a :func:`pack_alias_table` table: the same draw, bit for bit.  O(1)."""
    state, u = next_float(state)
    x, k = _alias_bucket(u, table.shape[0])
    if x - k < table[k, 0]:
        return state, k
    return state, np.int64(table[k, 1])


@njit(cache=True, nogil=True)
def _prefetch_draws(state, table, shrink, negative):
    """Prefetch the alias entries the next :func:`draw_negatives` call will read.

    Replays, on a copy of ``state``, the uniforms that come next in the stream (the next
    centre's window radius if ``shrink``, then one per negative) and prefetches the buckets
    they select; a redraw (a negative equal to the centre) reads one more, unprefetched.  The
    stream itself does not advance.  O(negative) time, no memory.
    """
    if shrink:
        state, _ = next_float(state)
    for _ in range(negative):
        state, u = next_float(state)
        prefetch_row(table, _alias_bucket(u, table.shape[0])[1])


@njit(cache=True, nogil=True)
def draw_negatives(state, target, outs, valid, table):
    """Fill ``outs = [target, K negatives]``; a negative equal to ``target`` is redrawn.

    After 32 failed redraws (only when the target holds almost all the noise mass)
    the slot keeps ``target`` with ``valid[k] = False`` and gets no update.

    Parameters
    ----------
    state : np.uint64
    target : int64
    outs : ndarray of int64, shape (K + 1,)
    valid : ndarray of bool, shape (K + 1,)
    table : ndarray of float64, shape (n, 2)
        The noise alias table, packed (:func:`pack_alias_table`); each draw is
        :func:`alias_draw_packed`.

    Returns
    -------
    np.uint64
        The advanced state.  O(K) expected time, no memory.
    """
    outs[0] = target
    valid[0] = True
    for k in range(1, outs.shape[0]):
        outs[k] = target
        valid[k] = False
        for _ in range(_MAX_REDRAWS):
            state, cand = alias_draw_packed(state, table)
            if cand != target:
                outs[k] = cand
                valid[k] = True
                break
    return state


@njit(cache=True, nogil=True)
def train_pair(syn0, syn1, c, outs, valid, coef, neu1e, tables, lr32):
    """word2vec's SGNS step on one pair: input row ``c`` against ``outs`` = [centre, K negatives].

    Computes the ``K + 1`` logits ``syn0[c] . syn1[outs]``, the coefficients
    ``(label - sigmoid) * lr`` (label 1 for ``outs[0]``; 0 for a logit outside
    ``(-MAX_EXP, MAX_EXP)``, as gensim, and for invalid slots),
    then moves each ``syn1[outs[k]]`` by ``coef[k] * syn0[c]`` and ``syn0[c]`` by
    ``sum_k coef[k] * syn1[outs[k]]``, both from the rows before this step
    (word2vec's order up to a repeated negative), clamping every component.

    Parameters
    ----------
    syn0, syn1 : ndarray of float32, shape (n, d)
    c : int
        Input (context) row.
    outs : ndarray of int64, shape (K + 1,)
    valid : ndarray of bool, shape (K + 1,)
    coef : ndarray of float32, shape (>= 1, K + 1)
        Work space (row 0: logits, then coefficients).
    neu1e : ndarray of float32, shape (>= 1, d)
        Work space (row 0: the input row's update).
    tables : ndarray of float32, shape (2, EXP_TABLE_SIZE + 1)
    lr32 : float32

    Returns
    -------
    float32
        Negative log-likelihood summed over the valid logits.

    Notes
    -----
    ``K + 1`` dot products (in passes over four, two and one output rows), then one
    fused update pass per four output rows and one per remaining row (a remaining
    row with a zero coefficient is skipped), then one pass on the input row: time
    O(K d), no memory.
    """
    d = syn0.shape[1]
    k1 = outs.shape[0]
    sig = tables[0]
    logsig = tables[1]
    scale = EXP_TABLE_SIZE / (2.0 * MAX_EXP)
    k = 0
    while k + 4 <= k1:
        s0, s1, s2, s3 = _dot_rows4(syn0, c, syn1, outs[k], outs[k + 1], outs[k + 2], outs[k + 3])
        coef[0, k] = s0
        coef[0, k + 1] = s1
        coef[0, k + 2] = s2
        coef[0, k + 3] = s3
        k += 4
    if k + 2 <= k1:
        s0, s1 = _dot_rows2(syn0, c, syn1, outs[k], outs[k + 1])
        coef[0, k] = s0
        coef[0, k + 1] = s1
        k += 2
    if k < k1:
        coef[0, k] = _dot_rows(syn0, c, syn1, outs[k])
    loss = np.float32(0.0)
    for k in range(k1):
        raw = coef[0, k]
        x = min(max(raw, np.float32(-MAX_EXP)), np.float32(MAX_EXP))
        idx = np.int64((x + MAX_EXP) * scale)
        inside = raw > -MAX_EXP and raw < MAX_EXP
        if k == 0:
            coef[0, 0] = (np.float32(1.0) - sig[idx]) * lr32 if inside else np.float32(0.0)
            loss -= logsig[idx]
        elif valid[k]:
            coef[0, k] = -sig[idx] * lr32 if inside else np.float32(0.0)
            loss -= logsig[EXP_TABLE_SIZE - idx]
        else:
            coef[0, k] = np.float32(0.0)
    for j in range(d):
        neu1e[0, j] = np.float32(0.0)
    k = 0
    while k + 4 <= k1:
        _pair_update4(
            syn1, outs[k], outs[k + 1], outs[k + 2], outs[k + 3],
            coef[0, k], coef[0, k + 1], coef[0, k + 2], coef[0, k + 3], syn0, c, neu1e,
        )  # fmt: skip
        k += 4
    while k < k1:
        if coef[0, k] != 0.0:
            _pair_update1(syn1, outs[k], coef[0, k], syn0, c, neu1e)
        k += 1
    _add_row_clamped(syn0, c, neu1e, 0)
    return loss


@njit(cache=True, nogil=True)
def _train_pair_scaled(syn0, syn1, c, outs, valid, coef, neu1e, tables, lr32, row_scale):
    """:func:`train_pair` with a per-row learning-rate scale over both tables (incremental updates).

    The step is word2vec's with the learning rate of row ``r`` multiplied by
    ``row_scale[r]``: the coefficients ``g_k = (label - sigmoid) * lr`` are those of
    :func:`train_pair`; output row ``outs[k]`` moves by ``g_k * row_scale[outs[k]] *
    syn0[c]`` and input row ``c`` by ``row_scale[c] * sum_k g_k syn1[outs[k]]`` (rows
    before the step).  A row whose scale is 0 is never written, so it stays
    bit-identical; a pair whose rows all have scale 0 is skipped before its dot
    products (it returns loss 0).

    Parameters
    ----------
    syn0, syn1, c, outs, valid, coef, neu1e, tables, lr32
        As :func:`train_pair`.
    row_scale : ndarray of float32, shape (n,)
        Scale of each row's learning rate (>= 0), the same for both tables.

    Returns
    -------
    float32
        Negative log-likelihood summed over the valid logits (0 for a skipped pair).

    Notes
    -----
    Logits four rows at a time as :func:`train_pair`; updates one output row at a
    time (no four-row fusion): time O(K d) per pair, O(K) for a skipped one; no memory.
    """
    d = syn0.shape[1]
    k1 = outs.shape[0]
    sc = row_scale[c]
    live = sc != 0.0
    for k in range(k1):
        if (k == 0 or valid[k]) and row_scale[outs[k]] != 0.0:
            live = True
    if not live:
        return np.float32(0.0)
    sig = tables[0]
    logsig = tables[1]
    scale = EXP_TABLE_SIZE / (2.0 * MAX_EXP)
    k = 0
    while k + 4 <= k1:
        s0, s1, s2, s3 = _dot_rows4(syn0, c, syn1, outs[k], outs[k + 1], outs[k + 2], outs[k + 3])
        coef[0, k] = s0
        coef[0, k + 1] = s1
        coef[0, k + 2] = s2
        coef[0, k + 3] = s3
        k += 4
    while k < k1:
        coef[0, k] = _dot_rows(syn0, c, syn1, outs[k])
        k += 1
    loss = np.float32(0.0)
    for k in range(k1):
        raw = coef[0, k]
        x = min(max(raw, np.float32(-MAX_EXP)), np.float32(MAX_EXP))
        idx = np.int64((x + MAX_EXP) * scale)
        inside = raw > -MAX_EXP and raw < MAX_EXP
        if k == 0:
            coef[0, 0] = (np.float32(1.0) - sig[idx]) * lr32 if inside else np.float32(0.0)
            loss -= logsig[idx]
        elif valid[k]:
            coef[0, k] = -sig[idx] * lr32 if inside else np.float32(0.0)
            loss -= logsig[EXP_TABLE_SIZE - idx]
        else:
            coef[0, k] = np.float32(0.0)
    for j in range(d):
        neu1e[0, j] = np.float32(0.0)
    hi = np.float32(VECTOR_CLAMP)
    for k in range(k1):
        g = coef[0, k]
        if g == 0.0:
            continue
        o = outs[k]
        g_out = g * row_scale[o]
        if g_out != 0.0:
            for j in range(d):
                r = syn1[o, j]
                neu1e[0, j] += g * r
                syn1[o, j] = _clamp(r + g_out * syn0[c, j], hi)
        else:
            for j in range(d):
                neu1e[0, j] += g * syn1[o, j]
    if sc != 0.0:
        for j in range(d):
            syn0[c, j] = _clamp(syn0[c, j] + sc * neu1e[0, j], hi)
    return loss


# ----------------------------------------------------------------------------
# Objectives other than negative sampling (SGNS(objective=...)).  The window loop
# of train_walk_range is shared; only the per-pair update below differs.
#
# * hs_pair: hierarchical softmax (Morin & Bengio 2005; word2vec).  p(t | c) is the
#   product of sigmoid((1 - 2 code_s) u_c . w_{point_s}) over the Huffman path of t
#   (graphemb/sgns/_huffman.py); rows 0 .. n - 2 of the output table are the inner
#   nodes' vectors w.  O(len(path) d) per pair.
# * softmax_pair: exact softmax over all n output vectors.  O(n d) per pair.
#
# Both take one SGD step on -log p(t | c): output rows move with the *old* input
# row and the input row with the *old* output rows (word2vec's order), so the step
# is exactly -lr * gradient at the current point (tests/test_objectives.py checks
# it against a numerical gradient).  Components are clamped like the NS kernel's.
# ----------------------------------------------------------------------------
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
def _train_pairs_other(objective, syn0, syn1, ctx, nb, t, codes, points, code_offsets, logits, neu1e, tables, lr32):
    """Train the ``nb`` pairs (``ctx[b]``, ``t``) of one centre with hierarchical (1) or full (2) softmax.

    The window loop calls this instead of the negative-sampling batch when
    ``objective != 0``.  Parameters as :func:`hs_pair` and :func:`softmax_pair`;
    ``ctx`` is int32 of shape (>= nb,); logits are clipped to :data:`MAX_EXP` and
    components to :data:`VECTOR_CLAMP`.  Returns the summed ``-log p(t | c)``.
    Time O(nb len(path) d) or O(nb n d); no memory.
    """
    clamp = np.float32(VECTOR_CLAMP)
    max_exp = MAX_EXP
    loss = 0.0
    for b in range(nb):
        if objective == 1:
            loss += hs_pair(syn0, syn1, ctx[b], t, codes, points, code_offsets, neu1e, tables, max_exp, lr32, clamp)
        else:
            loss += softmax_pair(syn0, syn1, ctx[b], t, logits, neu1e, lr32, clamp)
    return loss


@njit(cache=True, nogil=True)
def subsample_walk(tokens, start, end, keep_prob, state, sent):
    """word2vec's frequent-node sub-sampling of one walk ``tokens[start:end]``.

    Token ``t`` is kept with probability ``keep_prob[t]`` (always when >= 1, with no
    draw); the kept tokens are written in order to ``sent``.  Returns
    ``(state, m)``: the advanced random state and the number kept.  O(end - start),
    no allocation.
    """
    m = 0
    for t in range(start, end):
        node = tokens[t]
        kp = keep_prob[node]
        if kp < 1.0:
            state, u = next_float(state)
            if u >= kp:
                continue
        sent[m] = node
        m += 1
    return state, m


@njit(cache=True, nogil=True)
def train_walk_range(
    tokens,
    offsets,
    w_start,
    w_end,
    walk_base,
    token_base,
    syn0,
    syn1,
    noise,
    keep_prob,
    tables,
    window,
    negative,
    shrink,
    schedule,
    seed,
    epoch,
    max_len,
    shared,
    objective,
    codes,
    points,
    code_offsets,
    row_scale=None,
):
    """Train SGNS on walks ``w_start .. w_end - 1`` of one chunk (the block kernel).

    Parameters
    ----------
    tokens : ndarray of int32, shape (num_tokens,)
        Node indices of the chunk's walks, concatenated; all in ``[0, n)``.
    offsets : ndarray of int64, shape (num_walks + 1,)
        Walk ``w`` is ``tokens[offsets[w]:offsets[w + 1]]``.
    w_start, w_end : int
        Range of walks (local to the chunk) to train on.
    walk_base : int
        Global index (within the epoch) of the chunk's first walk; walk ``w`` draws
        from the stream ``(seed, epoch, walk_base + w)``.
    token_base : int
        Number of corpus tokens trained before this chunk, over all epochs; the
        learning rate at walk ``w`` is
        ``alpha - (alpha - min_alpha) * (token_base + offsets[w]) / total``.
    syn0 : ndarray of float32, shape (n, d)
        Input vectors (the embedding), updated in place.
    syn1 : ndarray of float32, shape (n, d)
        Output vectors, updated in place.
    noise : ndarray of float64, shape (n, 2)
        Alias table of the noise distribution (unigram ** ns_exponent), packed by
        :func:`pack_alias_table`.
    keep_prob : ndarray of float64, shape (n,)
        Subsampling keep probability per node (``>= 1``: always kept, no draw).
    tables : ndarray of float32, shape (2, EXP_TABLE_SIZE + 1)
        :func:`sigmoid_tables`.
    window : int
        Maximum window radius (>= 1).
    negative : int
        Negatives per centre position (>= 1), shared by the whole window.
    shrink : bool
        Draw the effective radius uniformly in ``1..window`` per centre (word2vec).
    schedule : ndarray of float64, shape (3,)
        ``(alpha, min_alpha, total)``: learning-rate schedule over ``total``
        tokens (all epochs).
    seed : np.uint64
    epoch : int
    max_len : int
        Longest walk in the range (size of the subsampled-walk buffer).
    shared : bool
        Negative sampling only: True draws the ``negative`` noise nodes once per
        centre position and uses them for every context of its window; False draws
        them afresh for every (context, centre) pair (word2vec).  Either way the
        update is word2vec's, pair by pair (:func:`train_pair`).
    objective : int
        0 negative sampling, 1 hierarchical softmax, 2 full softmax (the index
        into ``graphemb.sgns.trainer.OBJECTIVES``).
    codes : ndarray of uint8, shape (L,)
    points : ndarray of int32, shape (L,)
    code_offsets : ndarray of int64, shape (n + 1,)
        Huffman paths (:func:`graphemb.sgns._huffman.build_huffman_tree`) for
        ``objective == 1``; unused (any small arrays) otherwise.
    row_scale : ndarray of float32, shape (0,) or (n,), or None, optional
        Per-row learning-rate scale over both tables (:func:`_train_pair_scaled`),
        negative sampling only; None or an empty array (the default) trains every
        row at the full rate, through the unscaled step.  Incremental updates pass
        0 for the rows they freeze (left bit-identical).

    Returns
    -------
    loss : float64
        Sum over trained (context, output) logits of the negative log-likelihood
        (negative sampling), or of ``-log p(centre | context)`` over pairs
        (hierarchical and full softmax).
    pairs : int64
        Number of (context, centre) pairs trained.
    words : int64
        Number of tokens kept after subsampling.

    Notes
    -----
    Let ``B <= 2 * window`` be the contexts of a centre and ``K = negative``.  Per
    centre: ``K`` alias draws if ``shared``, else ``B K`` (a negative equal to the
    centre is redrawn, at most 32 times, then dropped), ``B (K + 1)`` dot products,
    and ``2 B (K + 1) + B`` row updates of length ``d``: time O(B K d) per centre,
    O(tokens * window * K * d) in all.  With shared negatives, each centre also prefetches
    the next centre's ``K + 1`` output rows, the input row entering the window and the
    ``K`` alias buckets of the draws after it (``K`` replayed uniforms): O(K d / 16 + K)
    hints, no loads (:func:`prefetch_row`).  Hierarchical softmax: O(B d log n) per centre (Huffman path length);
    full softmax: O(B n d) per centre.  Memory: O(max_len + window * (K + d))
    working space allocated once per call (plus n float64 for the full softmax);
    nothing per item.
    """
    if row_scale is None:
        scales = np.empty(0, dtype=np.float32)
    else:
        scales = row_scale
    scaled = scales.shape[0] != 0
    d = syn0.shape[1]
    k1 = negative + 1
    sent = np.empty(max(max_len, 1), dtype=np.int32)
    ctx = np.empty(2 * window, dtype=np.int32)
    outs = np.empty(k1, dtype=np.int64)
    valid = np.empty(k1, dtype=np.bool_)
    nxt = np.empty(k1, dtype=np.int64)
    nvalid = np.empty(k1, dtype=np.bool_)
    coef = np.empty((1, k1), dtype=np.float32)
    pair_neu1e = np.empty((1, d), dtype=np.float32)
    neu1e = np.empty(d, dtype=np.float32)  # hierarchical / full softmax work space
    logits = np.empty(syn1.shape[0] if objective == 2 else 1, dtype=np.float64)
    alpha = schedule[0]
    min_alpha = schedule[1]
    total = schedule[2]
    loss = 0.0
    pairs = np.int64(0)
    words = np.int64(0)
    for w in range(w_start, w_end):
        state = stream_state2(seed, np.uint64(epoch), np.uint64(walk_base + w))
        start = offsets[w]
        end = offsets[w + 1]
        lr = alpha - (alpha - min_alpha) * (float(token_base + start) / total)
        if lr < min_alpha:
            lr = min_alpha
        lr32 = np.float32(lr)
        # frequent-node subsampling: the window runs over the kept tokens
        state, m = subsample_walk(tokens, start, end, keep_prob, state, sent)
        words += m
        pipelined = objective == 0 and shared
        if pipelined and m > 0:
            state = draw_negatives(state, np.int64(sent[0]), nxt, nvalid, noise)
        for i in range(m):
            radius = window
            if shrink:
                state, r = next_below(state, window)
                radius = window - r
            if pipelined:
                # this centre's negatives were drawn one centre ahead; draw the next centre's now and
                # prefetch what it will touch (its output rows, the alias entries of the draws after
                # it), so that the cache misses overlap this window's work
                for k in range(k1):
                    outs[k] = nxt[k]
                    valid[k] = nvalid[k]
                if i + 1 < m:
                    state = draw_negatives(state, np.int64(sent[i + 1]), nxt, nvalid, noise)
                    for k in range(k1):
                        prefetch_row(syn1, nxt[k])
                    if i + 2 < m:
                        _prefetch_draws(state, noise, shrink, negative)
            if i + window + 1 < m:  # the input row that enters the window next (first use as a context)
                prefetch_row(syn0, np.int64(sent[i + window + 1]))
            lo = i - radius
            if lo < 0:
                lo = 0
            hi = i + radius + 1
            if hi > m:
                hi = m
            nb = 0
            for j in range(lo, hi):
                if j != i:
                    ctx[nb] = sent[j]
                    nb += 1
            if nb == 0:
                continue
            target = np.int64(sent[i])
            if objective == 0:
                for b in range(nb):
                    if not shared:  # word2vec: a fresh draw for every pair
                        state = draw_negatives(state, target, outs, valid, noise)
                    if scaled:  # an incremental update (decided once per call: no cost to fit)
                        loss += _train_pair_scaled(
                            syn0, syn1, ctx[b], outs, valid, coef, pair_neu1e, tables, lr32, scales
                        )
                    else:
                        loss += train_pair(syn0, syn1, ctx[b], outs, valid, coef, pair_neu1e, tables, lr32)
            else:  # hierarchical or full softmax: only the per-pair update differs
                loss += _train_pairs_other(
                    objective, syn0, syn1, ctx, nb, target, codes, points, code_offsets, logits, neu1e, tables, lr32
                )
            pairs += nb
    return loss, pairs, words


@njit(cache=True, nogil=True, parallel=True)
def train_walks_parallel(
    tokens,
    offsets,
    w_start,
    w_end,
    walk_base,
    token_base,
    syn0,
    syn1,
    noise,
    keep_prob,
    tables,
    window,
    negative,
    shrink,
    schedule,
    seed,
    epoch,
    max_len,
    shared,
    objective,
    codes,
    points,
    code_offsets,
    num_blocks,
    row_scale=None,
):
    """Hogwild driver: ``num_blocks`` contiguous blocks of walks trained in ``prange``.

    Same parameters as :func:`train_walk_range` plus ``num_blocks`` (>= 1), which comes
    before the optional ``row_scale``.  Threads
    update the shared tables without locks (Hogwild, Recht et al. 2011); each walk
    still uses its own stream, but the interleaving of updates makes results
    statistically, not bitwise, repeatable.  Returns the summed
    ``(loss, pairs, words)``.  Memory: O(num_blocks) result slots plus the block
    kernel's working space per block.
    """
    nw = w_end - w_start
    losses = np.zeros(num_blocks, dtype=np.float64)
    npairs = np.zeros(num_blocks, dtype=np.int64)
    nwords = np.zeros(num_blocks, dtype=np.int64)
    for blk in prange(num_blocks):
        a = w_start + (nw * blk) // num_blocks
        b = w_start + (nw * (blk + 1)) // num_blocks
        lo, pa, wo = train_walk_range(
            tokens, offsets, a, b, walk_base, token_base, syn0, syn1, noise,
            keep_prob, tables, window, negative, shrink, schedule, seed, epoch, max_len, shared,
            objective, codes, points, code_offsets, row_scale,
        )  # fmt: skip
        losses[blk] = lo
        npairs[blk] = pa
        nwords[blk] = wo
    return losses.sum(), npairs.sum(), nwords.sum()


@njit(cache=True, nogil=True)
def scatter_rows_inplace(table, order):
    """Move row ``r`` of ``table`` to row ``order[r]``, in place (``new[order[r]] = old[r]``).

    Parameters
    ----------
    table : ndarray of float32, shape (n, d)
        C-contiguous; rearranged in place.
    order : ndarray of int64, shape (n,)
        A permutation of ``0 .. n - 1`` (checked by the caller).

    Notes
    -----
    Follows the permutation's cycles with one carried row: time O(n d), memory O(n) bytes
    (visited flags) plus two rows, instead of a second ``n x d`` table.  The trainer uses it
    to bring its frequency-ordered rows back to the caller's node order.
    """
    n = table.shape[0]
    d = table.shape[1]
    done = np.zeros(n, dtype=np.bool_)
    carry = np.empty(d, dtype=table.dtype)
    for s in range(n):
        if done[s]:
            continue
        done[s] = True
        j = order[s]
        if j == s:
            continue
        for k in range(d):
            carry[k] = table[s, k]
        while j != s:
            for k in range(d):
                x = table[j, k]
                table[j, k] = carry[k]
                carry[k] = x
            done[j] = True
            j = order[j]
        for k in range(d):
            table[s, k] = carry[k]
    return table
