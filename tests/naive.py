"""Slow, obvious reference implementations used to check the fast kernels.

Nothing here is optimised: each function follows its mathematical definition
line by line so it can be read against the papers.
"""

from __future__ import annotations

import numpy as np


def out_neighbors(graph, u: int) -> tuple[np.ndarray, np.ndarray]:
    """Out-neighbour indices of row ``u`` and their weights (1.0 when unweighted)."""
    lo, hi = int(graph.indptr[u]), int(graph.indptr[u + 1])
    nbrs = np.asarray(graph.indices[lo:hi], dtype=np.int64)
    if graph.weights is None:
        w = np.ones(nbrs.size)
    else:
        w = np.asarray(graph.weights[lo:hi], dtype=np.float64)
    return nbrs, w


def has_arc(graph, a: int, b: int) -> bool:
    """Whether ``a -> b`` is an arc, by linear scan of row ``a``."""
    nbrs, _ = out_neighbors(graph, a)
    return any(int(x) == b for x in nbrs)


def first_order_probs(graph, cur: int, weighted: bool = True) -> dict[int, float]:
    """DeepWalk transition probabilities from ``cur``: ``w(cur, x) / sum_y w(cur, y)``."""
    nbrs, w = out_neighbors(graph, cur)
    if not weighted:
        w = np.ones_like(w)
    return {int(x): float(wx / w.sum()) for x, wx in zip(nbrs, w, strict=True)}


def node2vec_probs(graph, prev: int, cur: int, p: float, q: float, weighted: bool = True) -> dict[int, float]:
    """Exact node2vec second-order transition probabilities from ``cur`` having come from ``prev``.

    Follows the reference implementation (Grover & Leskovec, ``get_alias_edge``):
    ``w(cur, x) / p`` if ``x == prev``; ``w(cur, x)`` if the arc ``x -> prev``
    exists; ``w(cur, x) / q`` otherwise; then normalised.
    """
    nbrs, w = out_neighbors(graph, cur)
    if not weighted:
        w = np.ones_like(w)
    unnorm = {}
    for x, wx in zip(nbrs.tolist(), w.tolist(), strict=True):
        if x == prev:
            unnorm[x] = wx / p
        elif has_arc(graph, x, prev):
            unnorm[x] = wx
        else:
            unnorm[x] = wx / q
    total = sum(unnorm.values())
    return {x: v / total for x, v in unnorm.items()}


def walk_is_valid(graph, walk) -> bool:
    """Whether every consecutive pair of ``walk`` (node indices, no padding) is an arc."""
    return all(has_arc(graph, int(a), int(b)) for a, b in zip(walk[:-1], walk[1:], strict=True))


def sgns_pair_update(syn0, syn1, c: int, outs, valid, lr: float, max_exp: float = 6.0):
    """word2vec's skip-gram negative-sampling step for one (context ``c``, centre ``outs[0]``) pair, in float64.

    ``outs = [centre, negative_1, ..., negative_K]``; ``valid[k]`` False marks a
    negative slot that is skipped.  With ``f_k = syn0[c] . syn1[outs[k]]`` and
    label ``y_k`` (1 for the centre, 0 for a negative), the coefficient is
    ``g_k = (y_k - sigmoid(f_k)) * lr``, or 0 when ``|f_k| >= max_exp`` (gensim's
    rule).  Every output row moves by ``g_k syn0[c]`` and the input row by
    ``sum_k g_k syn1[outs[k]]``, all from the rows *before* the step.  Returns
    the new ``(syn0, syn1)`` (copies, float64) and the negative log-likelihood.
    """
    syn0 = np.array(syn0, dtype=np.float64)
    syn1 = np.array(syn1, dtype=np.float64)
    h = syn0[c].copy()
    neu1e = np.zeros_like(h)
    loss = 0.0
    old_out = {int(o): syn1[int(o)].copy() for o in outs}
    for k, o in enumerate(outs):
        o = int(o)
        if k > 0 and not valid[k]:
            continue
        f = float(h @ old_out[o])
        label = 1.0 if k == 0 else 0.0
        sig = 1.0 / (1.0 + np.exp(-f))
        loss -= np.log(sig) if k == 0 else np.log(1.0 - sig)
        g = (label - sig) * lr if -max_exp < f < max_exp else 0.0
        neu1e += g * old_out[o]
        syn1[o] += g * h
    syn0[c] += neu1e
    return syn0, syn1, loss


def word2vec_text(nodes, vectors) -> bytes:
    """The word2vec text file as ``Embedding.save_word2vec_format`` wrote it before the numba kernels.

    Header ``n d``, then ``str(node)`` and every value as ``"%.9g" % float(v)``
    (nine significant digits: exact for float32), one Python format per row.
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n, d = vectors.shape
    row_format = "%s " + " ".join(["%.9g"] * d) + "\n"
    lines = [f"{n} {d}\n"]
    lines += [row_format % (str(node), *vals) for node, vals in zip(nodes, vectors.tolist(), strict=True)]
    return "".join(lines).encode("utf-8")
