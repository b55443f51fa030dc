r"""Why negative sampling works: the analysis functions of the study (docs/negative-sampling.md).

Skip-gram with negative sampling (SGNS) trains, for every (input ``c``, output
``t``) pair of a window, the logistic loss

.. math:: -\log\sigma(u_c\cdot v_t) - \sum_{i=1}^{k} \log\sigma(-u_c\cdot v_{n_i}),
          \quad n_i \sim P_n,

so a node pair sees its true co-occurrences as positives and ``k`` times the
noise mass as negatives.  Levy & Goldberg (NIPS 2014) show that, when the
dimension is high enough for every dot product to be set freely, the optimum is

.. math:: u_c\cdot v_t = \log\frac{\#(c,t)}{k\,\#(c)\,P_n(t)},

which for ``P_n`` the unigram distribution is ``PMI(c, t) - log k``: the
imbalance only *shifts* every logit by ``-log k``, it does not flatten them.
Qiu et al. (WSDM 2018) write the limit of this matrix for DeepWalk's random
walks in closed form (NetMF).  The functions here measure all of this on
graphemb's own trainer:

* :func:`cooccurrence_matrix`: expected window counts, exactly as the trainer
  defines context (dynamic window: weight ``(window - d + 1) / window`` at
  distance ``d``);
* :func:`shifted_pmi` and :func:`levy_goldberg_fit`: the theory check;
* :func:`netmf_matrix` and :func:`netmf_embedding`: the closed form;
* :func:`context_pairs` and :func:`imbalance_scores`: scoring held-out true
  pairs against random pairs with ``sigmoid(u . v)``, with calibration curves.

The study (:func:`run_study`) is at the end of this module; its driver is examples/negative_sampling_study.py.

References
----------
.. [1] T. Mikolov, I. Sutskever, K. Chen, G. Corrado, J. Dean, "Distributed
   Representations of Words and Phrases and their Compositionality", NeurIPS 2013.
.. [2] Y. Goldberg, O. Levy, "word2vec Explained: deriving Mikolov et al.'s
   negative-sampling word-embedding method", arXiv:1402.3722, 2014.
.. [3] O. Levy, Y. Goldberg, "Neural Word Embedding as Implicit Matrix
   Factorization", NeurIPS 2014.
.. [4] J. Qiu, Y. Dong, H. Ma, J. Li, K. Wang, J. Tang, "Network Embedding as
   Matrix Factorization: Unifying DeepWalk, LINE, PTE, and node2vec", WSDM 2018.
   doi:10.1145/3159652.3159706
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .. import datasets as _datasets
from .._lazy import LazyModule
from .._memory import check_allocation
from .._rng import normalize_seed
from .._validation import check_bool, check_int
from ..corpus import as_token_chunks
from ..embedding import Embedding
from ..evaluation import node_classification, score_link_prediction, train_test_split_edges
from ..graph.csr import CSRGraph
from ..sgns import SGNS
from ..walks import random_walks
from . import _kernels

pd = LazyModule("pandas")  # imported on first use (graphemb/_lazy.py)

__all__ = [
    "MAX_DENSE_NODES",
    "context_pairs",
    "cooccurrence_matrix",
    "imbalance_scores",
    "levy_goldberg_fit",
    "netmf_embedding",
    "netmf_matrix",
    "pair_scores",
    "shifted_pmi",
    # the study (docs/negative-sampling.md; driven by examples/negative_sampling_study.py)
    "CALIBRATION_COLUMNS",
    "FULL",
    "NETMF_COLUMNS",
    "QUICK",
    "RESULT_COLUMNS",
    "THEORY_COLUMNS",
    "expected_pairs",
    "markdown_summary",
    "run_objectives",
    "run_study",
    "run_theory",
]

logger = logging.getLogger(__name__)

MAX_DENSE_NODES = 20_000
"""Largest graph for the dense (n x n) matrices of this module (3.2 GB in float64)."""


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _check_vectors(input_vectors: Any, output_vectors: Any, owner: str) -> tuple[np.ndarray, np.ndarray]:
    a = np.ascontiguousarray(input_vectors, dtype=np.float32)
    b = np.ascontiguousarray(output_vectors, dtype=np.float32)
    if a.ndim != 2 or a.shape != b.shape:
        raise ValueError(
            f"The 'input_vectors' and 'output_vectors' parameters of {owner} must be 2-D arrays of the same shape "
            f"(num_nodes, dimensions). Got {a.shape} and {b.shape} instead."
        )
    return a, b


def _check_dense(n: int, owner: str) -> None:
    if n > MAX_DENSE_NODES:
        raise ValueError(
            f"{owner} builds a dense {n} x {n} matrix; graphs above MAX_DENSE_NODES={MAX_DENSE_NODES} nodes are "
            "not supported. Use a smaller graph (the study uses karate / planted partitions for this part)."
        )
    check_allocation(n * n * 8, f"the dense {n} x {n} float64 matrix of {owner}", "Use a smaller graph.")


# -------------------------------------------------------------- co-occurrence
def cooccurrence_matrix(corpus: Any, num_nodes: int, window: int = 10, shrink_window: bool = True) -> np.ndarray:
    r"""Expected number of times each (input, output) node pair is trained in one pass.

    Parameters
    ----------
    corpus : WalkCorpus, 2-D int array, list of int arrays, or iterable of these
        The walks the trainer sees (node indices in ``[0, num_nodes)``).
    num_nodes : int
        Rows and columns of the result.
    window : int, default 10
        The trainer's maximum window radius.
    shrink_window : bool, default True
        The trainer's dynamic window: the radius is uniform in ``1..window`` per
        centre, so a pair at distance ``d`` is trained with probability
        ``(window - d + 1) / window``; the result holds that expectation.  With
        False every pair within ``window`` counts 1.

    Returns
    -------
    ndarray of float64, shape (num_nodes, num_nodes)
        ``C[c, t]``: input (context) ``c``, output (centre) ``t``.  Symmetric,
        because the window is.

    Raises
    ------
    ValueError
        For bad parameters, an index outside ``[0, num_nodes)``, or
        ``num_nodes > MAX_DENSE_NODES``.

    Notes
    -----
    The counts are those of training with ``sample=0`` (no subsampling of
    frequent nodes).  Time O(tokens * window), memory O(num_nodes^2).

    .. math:: C_{ct} = \sum_{\text{walks}} \sum_{i} \sum_{0 < |i-j| \le T}
              [x_j = c][x_i = t]\, \frac{T - |i-j| + 1}{T}

    Examples
    --------
    >>> C = cooccurrence_matrix([[0, 1, 2]], num_nodes=3, window=2)
    >>> C.tolist()
    [[0.0, 1.0, 0.5], [1.0, 0.0, 1.0], [0.5, 1.0, 0.0]]
    """
    owner = "cooccurrence_matrix"
    n = check_int(num_nodes, "num_nodes", owner, minimum=1)
    window = check_int(window, "window", owner, minimum=1)
    shrink = check_bool(shrink_window, "shrink_window", owner)
    _check_dense(n, owner)
    out = np.zeros((n, n), dtype=np.float64)
    for tokens, offsets in as_token_chunks(corpus):
        tokens = np.ascontiguousarray(tokens, dtype=np.int32)
        offsets = np.ascontiguousarray(offsets, dtype=np.int64)
        if tokens.size and (tokens.min() < 0 or tokens.max() >= n):
            raise ValueError(
                f"The corpus passed to {owner} holds node index {int(tokens.max())}, outside [0, num_nodes={n})."
            )
        _kernels.cooccurrence_dense(tokens, offsets, window, shrink, out)
    return out


def shifted_pmi(cooc: np.ndarray, negative: float = 1, noise_weights: np.ndarray | None = None) -> np.ndarray:
    r"""The SGNS optimum: ``log(#(c,t) / (k #(c) P_n(t)))``, i.e. PMI shifted by ``-log k``.

    Parameters
    ----------
    cooc : ndarray of float64, shape (n, n)
        Pair counts ``#(c, t)`` (:func:`cooccurrence_matrix`).
    negative : float, default 1
        ``k``, the negatives per pair (> 0).  ``negative=1`` gives the PMI itself.
    noise_weights : ndarray, shape (n,), optional
        Unnormalised noise distribution ``P_n`` (e.g. ``node_counts ** 0.75``, what
        the trainer samples from).  Default: the output marginal ``#(t)``, which
        makes the result exactly ``PMI(c, t) - log k`` (Levy & Goldberg 2014).

    Returns
    -------
    ndarray of float64, shape (n, n)
        ``-inf`` where ``#(c, t) = 0`` (and where ``#(c) = 0`` or ``P_n(t) = 0``).

    Notes
    -----
    Per pair the SGNS objective is ``#(c,t) log s(x) + k #(c) P_n(t) log s(-x)``,
    maximised at ``x = log(#(c,t) / (k #(c) P_n(t)))`` (Levy & Goldberg, NIPS
    2014, section 3.1).  O(n^2) time and memory.

    Examples
    --------
    >>> C = np.array([[0.0, 2.0], [2.0, 0.0]])
    >>> shifted_pmi(C, negative=1).round(3).tolist()  # log(2 * 4 / (2 * 2)) off the diagonal
    [[-inf, 0.693], [0.693, -inf]]
    """
    owner = "shifted_pmi"
    c = np.asarray(cooc, dtype=np.float64)
    if c.ndim != 2 or c.shape[0] != c.shape[1] or not np.all(np.isfinite(c)) or (c.size and c.min() < 0):
        raise ValueError(
            f"The 'cooc' parameter of {owner} must be a square matrix of finite counts >= 0. "
            f"Got shape {c.shape} instead."
        )
    if (
        isinstance(negative, bool)
        or not isinstance(negative, (int, float, np.integer, np.floating))
        or not (math.isfinite(negative) and negative > 0)
    ):
        raise ValueError(f"The 'negative' parameter of {owner} must be a number > 0. Got {negative!r} instead.")
    n = c.shape[0]
    if noise_weights is None:
        pn = c.sum(axis=0)
    else:
        pn = np.asarray(noise_weights, dtype=np.float64)
        if pn.shape != (n,) or not np.all(np.isfinite(pn)) or pn.min() < 0 or pn.sum() <= 0:
            raise ValueError(
                f"The 'noise_weights' parameter of {owner} must be {n} finite weights >= 0 with a positive sum. "
                f"Got shape {pn.shape} instead."
            )
    pn = pn / pn.sum()
    row = c.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(c) - np.log(row)[:, None] - np.log(pn)[None, :] - math.log(negative)
    out[c <= 0] = -np.inf
    out[~np.isfinite(out)] = -np.inf
    return out


def levy_goldberg_fit(
    input_vectors: np.ndarray,
    output_vectors: np.ndarray,
    cooc: np.ndarray,
    negative: float = 1,
    noise_weights: np.ndarray | None = None,
    min_count: float = 1.0,
) -> dict[str, float]:
    """Regress learned dot products ``u_c . v_t`` on the PMI target of Levy & Goldberg.

    Parameters
    ----------
    input_vectors, output_vectors : ndarray of float32, shape (n, d)
        The trainer's ``input_vectors_`` and ``output_vectors_``.
    cooc : ndarray of float64, shape (n, n)
        Pair counts of the training corpus (:func:`cooccurrence_matrix`).
    negative : float, default 1
        The ``k`` the model was trained with.
    noise_weights : ndarray, shape (n,), optional
        As :func:`shifted_pmi`; pass ``node_counts ** ns_exponent`` to use the
        trainer's own noise distribution.
    min_count : float, default 1.0
        Only pairs with ``#(c, t) >= min_count`` enter the fit (rare pairs have
        noisy PMI and are under-trained).

    Returns
    -------
    dict
        ``n_pairs``; ``pearson_r`` between dot and unshifted PMI; least-squares
        ``slope`` and ``intercept`` of dot on PMI; ``offset``, the mean of
        ``dot - PMI`` (the fit with slope 1), to compare with
        ``expected_offset = -log k``; ``rmse_shifted``, the root-mean-square gap
        between dot and the shifted PMI; ``mean_dot``.

    Raises
    ------
    ValueError
        For mismatched shapes or when fewer than 3 pairs pass ``min_count``.
    """
    owner = "levy_goldberg_fit"
    a, b = _check_vectors(input_vectors, output_vectors, owner)
    c = np.asarray(cooc, dtype=np.float64)
    if c.shape != (a.shape[0], a.shape[0]):
        raise ValueError(
            f"The 'cooc' parameter of {owner} must have shape ({a.shape[0]}, {a.shape[0]}). Got {c.shape} instead."
        )
    pmi = shifted_pmi(c, 1, noise_weights)
    mask = (c >= min_count) & np.isfinite(pmi)
    rows, cols = np.nonzero(mask)
    if rows.size < 3:
        raise ValueError(f"{owner}: fewer than 3 pairs have a count >= min_count={min_count}; lower min_count.")
    dots = np.empty(rows.size, dtype=np.float64)
    _kernels.pair_dots(a, b, rows.astype(np.int64), cols.astype(np.int64), dots)
    return {**_line_fit(pmi[rows, cols], dots, -math.log(negative)), "mean_dot": float(dots.mean())}


# ---------------------------------------------------------------------- NetMF
def netmf_matrix(
    graph: CSRGraph, window: int = 10, negative: float = 1, dynamic_window: bool = False, clip: bool = True
) -> np.ndarray:
    r"""The matrix DeepWalk implicitly factorises (NetMF, Qiu et al. WSDM 2018, Theorem 2.3 / Algorithm 3).

    .. math:: M = \log \max\Big(\frac{\mathrm{vol}(G)}{b\,T}
              \Big(\sum_{r=1}^{T} (D^{-1}A)^r\Big) D^{-1},\ 1\Big)

    with ``T = window``, ``b = negative``, ``A`` the (weighted) adjacency matrix
    and ``D`` its degree matrix.

    Parameters
    ----------
    graph : CSRGraph
        Undirected graph (weights used when present).
    window : int, default 10
        ``T``.
    negative : float, default 1
        ``b``.
    dynamic_window : bool, default False
        Weight ``P^r`` by ``(T - r + 1) / T`` and normalise by the sum of the
        weights instead of ``T``: the limit for word2vec's dynamic window, which
        graphemb's trainer uses (Qiu et al. assume a fixed window).
    clip : bool, default True
        Apply ``max(., 1)`` before the log (NetMF).  False returns the raw
        ``log M`` (``-inf`` where ``M = 0``), the matrix whose entries SGNS's dot
        products approach.

    Returns
    -------
    ndarray of float64, shape (n, n)
        Rows of isolated nodes are 0 (clipped) or ``-inf``.

    Raises
    ------
    ValueError
        For a directed graph, bad parameters or more than MAX_DENSE_NODES nodes.

    Notes
    -----
    Dense: time O(T n^3), memory O(n^2); for graphs of a few thousand nodes.
    """
    owner = "netmf_matrix"
    if not isinstance(graph, CSRGraph):
        raise TypeError(f"The 'graph' parameter of {owner} must be a graphemb.CSRGraph. Got {type(graph).__name__}.")
    if graph.directed:
        raise ValueError(f"The 'graph' parameter of {owner} must be undirected (NetMF's derivation needs it).")
    window = check_int(window, "window", owner, minimum=1)
    if (
        isinstance(negative, bool)
        or not isinstance(negative, (int, float, np.integer, np.floating))
        or not (math.isfinite(negative) and negative > 0)
    ):
        raise ValueError(f"The 'negative' parameter of {owner} must be a number > 0. Got {negative!r} instead.")
    dynamic = check_bool(dynamic_window, "dynamic_window", owner)
    clip = check_bool(clip, "clip", owner)
    n = graph.num_nodes
    _check_dense(n, owner)
    adj = graph.to_scipy().toarray().astype(np.float64)
    deg = adj.sum(axis=1)
    vol = float(deg.sum())
    inv = np.zeros(n, dtype=np.float64)
    inv[deg > 0] = 1.0 / deg[deg > 0]
    trans = adj * inv[:, None]
    power = np.eye(n)
    acc = np.zeros((n, n), dtype=np.float64)
    wsum = 0.0
    for r in range(1, window + 1):
        power = power @ trans
        wr = (window - r + 1) / window if dynamic else 1.0
        acc += wr * power
        wsum += wr
    m = (vol / (negative * wsum)) * acc * inv[None, :]
    with np.errstate(divide="ignore"):
        return np.log(np.maximum(m, 1.0)) if clip else np.log(m)


def netmf_embedding(
    graph: CSRGraph, dimensions: int = 128, window: int = 10, negative: float = 1, dynamic_window: bool = False
) -> Embedding:
    """NetMF embedding: ``U_d sqrt(S_d)`` of the SVD of :func:`netmf_matrix` (Qiu et al. 2018, Algorithm 3).

    Parameters
    ----------
    graph : CSRGraph
        Undirected graph.
    dimensions : int, default 128
        ``d <= n``.
    window, negative, dynamic_window
        As :func:`netmf_matrix`.

    Returns
    -------
    Embedding
        Vectors under ``graph.nodes``.

    Notes
    -----
    Full dense SVD: O(n^3) time, O(n^2) memory.
    """
    owner = "netmf_embedding"
    dims = check_int(dimensions, "dimensions", owner, minimum=1, maximum=graph.num_nodes)
    m = netmf_matrix(graph, window=window, negative=negative, dynamic_window=dynamic_window, clip=True)
    u, s, _ = np.linalg.svd(m, full_matrices=False)
    return Embedding(graph.nodes, (u[:, :dims] * np.sqrt(s[:dims])[None, :]).astype(np.float32))


# --------------------------------------------------------------- pair scores
def context_pairs(
    corpus: Any, window: int = 10, shrink_window: bool = True, seed: int = 0, max_pairs: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(input, output) pairs a training pass over ``corpus`` would use, in the trainer's window convention.

    Parameters
    ----------
    corpus : WalkCorpus, 2-D int array, list of int arrays, or iterable of these
        Typically *held-out* walks (a fresh seed), not the training corpus.
    window : int, default 10
    shrink_window : bool, default True
        Radius uniform in ``1..window`` per centre, as the trainer draws it.
    seed : int, default 0
        Seed of the radius draws and of the subsample.
    max_pairs : int, optional
        Keep a uniform random subset of at most this many pairs.

    Returns
    -------
    ctx, ctr : ndarray of int64, shape (m,)
        Input (context) and output (centre) node of each pair.

    Notes
    -----
    Time O(tokens * window); memory O(tokens * window) int32 per chunk.
    """
    owner = "context_pairs"
    window = check_int(window, "window", owner, minimum=1)
    shrink = check_bool(shrink_window, "shrink_window", owner)
    seed_, kseed = normalize_seed(seed)
    if max_pairs is not None:
        max_pairs = check_int(max_pairs, "max_pairs", owner, minimum=1)
    ctx_parts, ctr_parts = [], []
    for chunk, (tokens, offsets) in enumerate(as_token_chunks(corpus)):
        tokens = np.ascontiguousarray(tokens, dtype=np.int32)
        offsets = np.ascontiguousarray(offsets, dtype=np.int64)
        size = int(tokens.size) * 2 * window
        out_ctx = np.empty(size, dtype=np.int32)
        out_ctr = np.empty(size, dtype=np.int32)
        chunk_seed = np.uint64((int(kseed) + chunk * 0x9E3779B97F4A7C15) % 2**64)
        m = _kernels.sample_context_pairs(tokens, offsets, window, shrink, chunk_seed, out_ctx, out_ctr)
        ctx_parts.append(out_ctx[:m].astype(np.int64))
        ctr_parts.append(out_ctr[:m].astype(np.int64))
    ctx = np.concatenate(ctx_parts) if ctx_parts else np.zeros(0, dtype=np.int64)
    ctr = np.concatenate(ctr_parts) if ctr_parts else np.zeros(0, dtype=np.int64)
    if max_pairs is not None and ctx.size > max_pairs:
        rng = np.random.default_rng(np.random.SeedSequence([seed_, 0x5041]))
        keep = np.sort(rng.choice(ctx.size, size=max_pairs, replace=False))
        ctx, ctr = ctx[keep], ctr[keep]
    return ctx, ctr


def pair_scores(input_vectors: np.ndarray, output_vectors: np.ndarray, ctx: Any, ctr: Any) -> np.ndarray:
    """``sigmoid(input_vectors[ctx] . output_vectors[ctr])`` for each pair (the SGNS model's probability).

    Parameters
    ----------
    input_vectors, output_vectors : ndarray of float32, shape (n, d)
    ctx, ctr : array-like of int, shape (m,)
        Node indices in ``[0, n)``.

    Returns
    -------
    ndarray of float64, shape (m,)
        O(m d) time.
    """
    owner = "pair_scores"
    a, b = _check_vectors(input_vectors, output_vectors, owner)
    ctx = np.ascontiguousarray(ctx, dtype=np.int64)
    ctr = np.ascontiguousarray(ctr, dtype=np.int64)
    if ctx.shape != ctr.shape or ctx.ndim != 1:
        raise ValueError(f"The 'ctx' and 'ctr' parameters of {owner} must be 1-D of the same length.")
    n = a.shape[0]
    if ctx.size and (min(ctx.min(), ctr.min()) < 0 or max(ctx.max(), ctr.max()) >= n):
        raise ValueError(f"The pairs passed to {owner} hold node indices outside [0, {n}).")
    dots = np.empty(ctx.size, dtype=np.float64)
    _kernels.pair_dots(a, b, ctx, ctr, dots)
    return _sigmoid(dots)


def imbalance_scores(
    input_vectors: np.ndarray,
    output_vectors: np.ndarray,
    held_out: Any,
    negative: int,
    noise_weights: np.ndarray,
    window: int = 10,
    shrink_window: bool = True,
    max_pairs: int = 100_000,
    n_bins: int = 10,
    seed: int = 0,
) -> dict[str, Any]:
    """Score held-out true pairs against random pairs with ``sigmoid(u . v)``.

    Three pair sets share the same inputs (contexts): *true* pairs from
    ``held_out`` walks; *random* pairs whose output is uniform over the nodes;
    *noise* pairs whose output is drawn from the training noise distribution,
    ``negative`` of them per true pair -- the 1 : k mixture the model was
    trained to separate.

    Parameters
    ----------
    input_vectors, output_vectors : ndarray of float32, shape (n, d)
    held_out : corpus
        Walks not used for training (same walk parameters, another seed).
    negative : int
        The model's ``k``.
    noise_weights : ndarray, shape (n,)
        The trainer's noise distribution, unnormalised (``counts ** ns_exponent``).
    window, shrink_window
        The trainer's window.
    max_pairs : int, default 100_000
        True pairs kept (uniform subsample).
    n_bins : int, default 10
        Bins of the calibration curves (uniform on [0, 1]).
    seed : int, default 0

    Returns
    -------
    dict
        Scalars ``frac_true_above_half``, ``frac_random_above_half``,
        ``frac_noise_above_half``, ``mean_true``, ``mean_random``, ``mean_noise``,
        ``auc_true_vs_random`` (probability that a true pair outscores a random
        one), ``n_true``; and ``calibration_mixture`` / ``calibration_balanced``,
        each ``(prob_pred, prob_true, count)`` arrays from
        :func:`sklearn.calibration.calibration_curve` on the 1 : k mixture and on
        a 1 : 1 mixture of true and noise pairs.

    Notes
    -----
    At the SGNS optimum ``sigmoid(u . v) = #(c,t) / (#(c,t) + k #(c) P_n(t))``,
    exactly the probability that a pair from the 1 : k mixture is true: the
    model is calibrated *for the imbalance it was trained on*, and its scores
    drop on balanced data by the odds factor ``k``, while the ranking (AUC) does
    not depend on ``k``.
    """
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import roc_auc_score

    owner = "imbalance_scores"
    a, b = _check_vectors(input_vectors, output_vectors, owner)
    n = a.shape[0]
    k = check_int(negative, "negative", owner, minimum=1)
    n_bins = check_int(n_bins, "n_bins", owner, minimum=2)
    pn = np.asarray(noise_weights, dtype=np.float64)
    if pn.shape != (n,) or not np.all(np.isfinite(pn)) or pn.min() < 0 or pn.sum() <= 0:
        raise ValueError(f"The 'noise_weights' parameter of {owner} must be {n} finite weights >= 0, positive sum.")
    ctx, ctr = context_pairs(held_out, window=window, shrink_window=shrink_window, seed=seed, max_pairs=max_pairs)
    if ctx.size == 0:
        raise ValueError(f"The 'held_out' corpus of {owner} yields no pairs.")
    seed_, _ = normalize_seed(seed)
    rng = np.random.default_rng(np.random.SeedSequence([seed_, 0x494D]))
    rand = rng.integers(0, n, size=ctx.size)
    noise = rng.choice(n, size=ctx.size * k, p=pn / pn.sum())
    s_true = pair_scores(a, b, ctx, ctr)
    s_rand = pair_scores(a, b, ctx, rand)
    s_noise = pair_scores(a, b, np.repeat(ctx, k), noise)
    y_mix = np.concatenate([np.ones(ctx.size), np.zeros(noise.size)])
    p_mix = np.concatenate([s_true, s_noise])
    pt, pp = calibration_curve(y_mix, p_mix, n_bins=n_bins, strategy="uniform")
    cnt_mix = _bin_counts(p_mix, n_bins)
    bal = noise[::k][: ctx.size]
    s_bal = pair_scores(a, b, ctx, bal)
    y_bal = np.concatenate([np.ones(ctx.size), np.zeros(bal.size)])
    p_bal = np.concatenate([s_true, s_bal])
    bt, bp = calibration_curve(y_bal, p_bal, n_bins=n_bins, strategy="uniform")
    cnt_bal = _bin_counts(p_bal, n_bins)
    y_auc = np.concatenate([np.ones(ctx.size), np.zeros(ctx.size)])
    return {
        "n_true": int(ctx.size),
        "frac_true_above_half": float(np.mean(s_true > 0.5)),
        "frac_random_above_half": float(np.mean(s_rand > 0.5)),
        "frac_noise_above_half": float(np.mean(s_noise > 0.5)),
        "mean_true": float(s_true.mean()),
        "mean_random": float(s_rand.mean()),
        "mean_noise": float(s_noise.mean()),
        "auc_true_vs_random": float(roc_auc_score(y_auc, np.concatenate([s_true, s_rand]))),
        "calibration_mixture": (pp, pt, cnt_mix),
        "calibration_balanced": (bp, bt, cnt_bal),
    }


def _bin_counts(p: np.ndarray, n_bins: int) -> np.ndarray:
    """Counts of the non-empty uniform bins, in the order calibration_curve reports them."""
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    ids = np.searchsorted(edges[1:-1], p)
    counts = np.bincount(ids, minlength=n_bins)
    return counts[counts > 0]


# ====================================================================== the study
# The measurements behind docs/negative-sampling.md; the command line, the plots and the
# output folder are examples/negative_sampling_study.py's.

RESULT_COLUMNS = [
    "part",
    "dataset",
    "num_nodes",
    "objective",
    "negative",
    "ns_exponent",
    "seed",
    "micro_f1",
    "macro_f1",
    "lp_roc_auc",
    "train_seconds",
    "pairs",
    "ns_per_pair",
    "frac_true_above_half",
    "frac_random_above_half",
    "frac_noise_above_half",
    "mean_true",
    "mean_random",
    "mean_noise",
    "auc_true_vs_random",
]
"""Columns of ``results.csv``."""

CALIBRATION_COLUMNS = ["dataset", "negative", "seed", "mixture", "prob_pred", "prob_true", "count"]
THEORY_COLUMNS = [
    "graph",
    "target",
    "negative",
    "seed",
    "n_pairs",
    "pearson_r",
    "slope",
    "intercept",
    "offset",
    "expected_offset",
    "rmse_shifted",
]
NETMF_COLUMNS = ["graph", "method", "micro_f1", "macro_f1", "seconds"]

QUICK: dict[str, Any] = {
    "datasets": ("planted_partition", "karate"),
    "seeds": (0, 1),
    "negatives": (1, 2, 5, 10, 20),
    "exponents": (0.0, 0.5, 1.0),
    "softmax_max_nodes": 5_000,
    "walk_length": 20,
    "num_walks": 5,
    "window": 5,
    "dimensions": 16,
    "epochs": 2,
    "alpha": 0.025,
    "nc_repeats": 2,
    "nc_ratio": 0.5,
    "max_pairs": 20_000,
    "theory_graphs": ("karate",),
    "theory_negatives": (1, 5, 20),
    "theory_num_walks": 40,
    "theory_walk_length": 40,
    "theory_window": 3,
    "theory_epochs": 3,
    "netmf_graphs": ("karate",),
}
"""Settings of ``--quick`` (seconds)."""

FULL: dict[str, Any] = {
    **QUICK,  # same negatives, exponents, alpha, nc_ratio and theory walk length / window
    "datasets": ("planted_partition", "ppi", "blogcatalog"),
    "seeds": (0, 1, 2),
    "softmax_max_nodes": 1_000,
    "walk_length": 80,
    "num_walks": 10,
    "window": 10,
    "dimensions": 128,
    "epochs": 1,
    "nc_repeats": 3,
    "max_pairs": 200_000,
    "theory_graphs": ("karate", "planted_partition"),
    "theory_negatives": (1, 2, 5, 10, 20),
    "theory_num_walks": 400,
    "theory_epochs": 5,
    "netmf_graphs": ("karate", "planted_partition", "ppi"),
}
"""Settings of the full study (PPI and BlogCatalog; tens of minutes on 2 cores)."""


# ------------------------------------------------------------------- helpers
def _load(name: str) -> tuple[CSRGraph, dict]:
    if name == "karate":
        return _datasets.load_karate()
    if name == "planted_partition":
        return _datasets.make_planted_partition(n_blocks=4, block_size=32, p_in=0.3, p_out=0.02, seed=0)
    if name == "ppi":
        return _datasets.load_ppi(download=False)
    if name == "blogcatalog":
        return _datasets.load_blogcatalog(download=False)
    if name == "digits":
        return _datasets.load_digits_graph()
    raise ValueError(f"Unknown dataset {name!r}; use karate, planted_partition, ppi, blogcatalog or digits.")


def _trainer(cfg: dict, objective: str, negative: int, ns_exponent: float, seed: int, **extra: Any) -> SGNS:
    params: dict[str, Any] = dict(
        dimensions=cfg["dimensions"],
        window=cfg["window"],
        negative=negative,
        ns_exponent=ns_exponent,
        alpha=cfg["alpha"],
        sample=0.0,
        epochs=cfg["epochs"],
        seed=seed,
        verbose=False,
    )
    params.update(extra)
    params["objective"] = objective
    return SGNS(**params)


def expected_pairs(lengths: np.ndarray, window: int, shrink_window: bool = True) -> float:
    """Expected number of (context, centre) pairs one pass over walks of these lengths trains (``sample=0``).

    Parameters
    ----------
    lengths : ndarray of int, shape (num_walks,)
    window : int
    shrink_window : bool, default True

    Returns
    -------
    float
        ``sum_walks sum_{d=1..window} 2 (L - d)_+ w_d`` with ``w_d = (window - d + 1) / window``
        (or 1 without shrinking).
    """
    counts = np.bincount(np.asarray(lengths, dtype=np.int64))
    total = 0.0
    for length, num in enumerate(counts):
        if num == 0:
            continue
        for d in range(1, min(window, length - 1) + 1):
            w = (window - d + 1) / window if shrink_window else 1.0
            total += num * 2.0 * (length - d) * w
    return total


def _configs(cfg: dict, num_nodes: int) -> list[tuple[str, str, int, float]]:
    """(part, objective, negative, ns_exponent) to run on a graph of ``num_nodes`` nodes."""
    out = [("objectives", "negative_sampling", k, 0.75) for k in cfg["negatives"]]
    out.append(("objectives", "hierarchical_softmax", 0, 0.75))
    if num_nodes <= cfg["softmax_max_nodes"]:
        out.append(("objectives", "softmax", 0, 0.75))
    out += [("noise_exponent", "negative_sampling", 5, e) for e in cfg["exponents"]]
    return out


def _f1(embedding: Embedding, labels: dict, cfg: dict, seed: int) -> tuple[float, float]:
    df = node_classification(
        embedding, labels, train_ratios=cfg["nc_ratio"], repeats=cfg["nc_repeats"], seed=seed, verbose=False
    )
    means = dict(zip(df["metric"], df["mean"], strict=True))
    return float(means["micro_f1"]), float(means["macro_f1"])


# ------------------------------------------------------------ parts 1, 2, 4
def run_objectives(cfg: dict, out_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parts 1, 2 and 4: every objective configuration on every dataset and seed.

    Parameters
    ----------
    cfg : dict
        :data:`QUICK` or :data:`FULL` (or a modified copy).
    out_dir : Path
        Where ``results.csv`` and ``calibration.csv`` are written (after each
        dataset, so partial runs keep their rows).

    Returns
    -------
    results, calibration : pandas.DataFrame
        Columns :data:`RESULT_COLUMNS` and ``CALIBRATION_COLUMNS``.
    """
    rows: list[dict] = []
    calib: list[dict] = []
    for name in cfg["datasets"]:
        graph, labels = _load(name)
        n = graph.num_nodes
        for seed in cfg["seeds"]:
            corpus = random_walks(graph, cfg["walk_length"], cfg["num_walks"], seed=seed, verbose=False)
            held_out = random_walks(graph, cfg["walk_length"], 1, seed=10_000 + seed, verbose=False)
            split = train_test_split_edges(graph, test_fraction=0.5, seed=seed)
            lp_corpus = random_walks(split.graph, cfg["walk_length"], cfg["num_walks"], seed=seed, verbose=False)
            pairs = expected_pairs(corpus.lengths, cfg["window"]) * cfg["epochs"]
            for part, objective, k, expo in _configs(cfg, n):
                if part == "noise_exponent" and expo == 0.75:
                    continue
                t0 = time.perf_counter()
                model = _trainer(cfg, objective, max(k, 1), expo, seed).fit(corpus, num_nodes=n)
                seconds = getattr(model, "train_seconds_", time.perf_counter() - t0)
                emb = Embedding(graph.nodes, model.input_vectors_)
                micro, macro = _f1(emb, labels, cfg, seed)
                lp_model = _trainer(cfg, objective, max(k, 1), expo, seed).fit(lp_corpus, num_nodes=n)
                lp = score_link_prediction(
                    Embedding(split.graph.nodes, lp_model.input_vectors_), split, operators=("hadamard",)
                )
                row = {
                    "part": part,
                    "dataset": name,
                    "num_nodes": n,
                    "objective": objective,
                    "negative": k,
                    "ns_exponent": expo,
                    "seed": seed,
                    "micro_f1": micro,
                    "macro_f1": macro,
                    "lp_roc_auc": float(lp["roc_auc"].iloc[0]),
                    "train_seconds": float(seconds),
                    "pairs": pairs,
                    "ns_per_pair": 1e9 * float(seconds) / max(pairs, 1.0),
                }
                if objective == "negative_sampling":
                    noise = model.node_counts_.astype(np.float64) ** expo
                    noise[model.node_counts_ == 0] = 0.0
                    imb = imbalance_scores(
                        model.input_vectors_, model.output_vectors_, held_out, negative=k, noise_weights=noise,
                        window=cfg["window"], max_pairs=cfg["max_pairs"], seed=seed,
                    )  # fmt: skip
                    for key in RESULT_COLUMNS[13:]:
                        row[key] = imb[key]
                    if part == "objectives":
                        for mixture in ("mixture", "balanced"):
                            pp, pt, cnt = imb[f"calibration_{mixture}"]
                            label = f"1:{k}" if mixture == "mixture" else "1:1"
                            for a, b, c in zip(pp, pt, cnt, strict=True):
                                calib.append(
                                    {"dataset": name, "negative": k, "seed": seed, "mixture": label,
                                     "prob_pred": float(a), "prob_true": float(b), "count": int(c)}
                                )  # fmt: skip
                rows.append(row)
                logger.info("%s", {key: row.get(key) for key in RESULT_COLUMNS[:13]})
        results = pd.DataFrame(rows, columns=RESULT_COLUMNS)
        calibration = pd.DataFrame(calib, columns=CALIBRATION_COLUMNS)
        results.to_csv(out_dir / "results.csv", index=False)
        calibration.to_csv(out_dir / "calibration.csv", index=False)
    return pd.DataFrame(rows, columns=RESULT_COLUMNS), pd.DataFrame(calib, columns=CALIBRATION_COLUMNS)


# ---------------------------------------------------------------------- part 3
def _fit_target(dots: np.ndarray, target: np.ndarray, mask: np.ndarray, shift: float) -> dict[str, float]:
    return _line_fit(target[mask], dots[mask], shift)


def _line_fit(x: np.ndarray, y: np.ndarray, shift: float) -> dict[str, float]:
    """Least-squares line of ``y`` (dot products) on ``x`` (a PMI target) and the fit's offsets against ``shift``."""
    slope, intercept = np.polyfit(x, y, 1)
    return {
        "n_pairs": int(x.size),
        "pearson_r": float(np.corrcoef(x, y)[0, 1]),
        "slope": float(slope),
        "intercept": float(intercept),
        "offset": float(np.mean(y - x)),
        "expected_offset": shift,
        "rmse_shifted": float(np.sqrt(np.mean((y - (x + shift)) ** 2))),
    }


def run_theory(cfg: dict, out_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Part 3: learned dot products vs shifted PMI (Levy & Goldberg) and vs NetMF (Qiu et al.).

    Training uses ``ns_exponent=1`` (unigram noise, the setting of the theorem),
    ``sample=0`` and ``dimensions >= num_nodes`` so that every dot product can
    reach its optimum.

    Returns
    -------
    theory, netmf : pandas.DataFrame
        Columns ``THEORY_COLUMNS`` and ``NETMF_COLUMNS``.
    scatter : dict
        ``(graph, k) -> (pmi, dots)`` arrays for the plots.
    """
    rows: list[dict] = []
    scatter: dict = {}
    seed = cfg["seeds"][0]
    window = cfg["theory_window"]
    for name in cfg["theory_graphs"]:
        graph, _ = _load(name)
        n = graph.num_nodes
        corpus = random_walks(graph, cfg["theory_walk_length"], cfg["theory_num_walks"], seed=seed, verbose=False)
        cooc = cooccurrence_matrix(corpus, n, window=window)
        limit = netmf_matrix(graph, window=window, negative=1, dynamic_window=True, clip=False)
        dims = max(n, cfg["dimensions"])
        for k in cfg["theory_negatives"]:
            model = SGNS(
                dimensions=dims, window=window, negative=k, ns_exponent=1.0, sample=0.0,
                epochs=cfg["theory_epochs"], seed=seed, workers=1, verbose=False,
            ).fit(corpus, num_nodes=n)  # fmt: skip
            noise = model.node_counts_.astype(np.float64)
            fit = levy_goldberg_fit(model.input_vectors_, model.output_vectors_, cooc, k, noise, min_count=1.0)
            fit.pop("mean_dot")
            rows.append({"graph": name, "target": "corpus_pmi", "negative": k, "seed": seed, **fit})
            dots = model.input_vectors_.astype(np.float64) @ model.output_vectors_.astype(np.float64).T
            pmi = shifted_pmi(cooc, 1, noise)
            mask = (cooc >= 1.0) & np.isfinite(pmi)
            scatter[(name, k)] = (pmi[mask], dots[mask])
            lmask = np.isfinite(limit)
            fit2 = _fit_target(dots, limit, lmask, -math.log(k))
            rows.append({"graph": name, "target": "netmf_limit", "negative": k, "seed": seed, **fit2})
        # how close is the finite corpus to the closed-form limit?
        pmi = shifted_pmi(cooc, 1, None)
        both = np.isfinite(pmi) & np.isfinite(limit)
        fit3 = _fit_target(pmi, limit, both, 0.0)
        rows.append({"graph": name, "target": "corpus_pmi_vs_netmf_limit", "negative": 1, "seed": seed, **fit3})
    theory = pd.DataFrame(rows, columns=THEORY_COLUMNS)
    theory.to_csv(out_dir / "theory.csv", index=False)

    nrows: list[dict] = []
    for name in cfg["netmf_graphs"]:
        graph, labels = _load(name)
        n = graph.num_nodes
        dims = min(cfg["dimensions"], n)
        t0 = time.perf_counter()
        emb = netmf_embedding(graph, dimensions=dims, window=cfg["window"], negative=1)
        t_netmf = time.perf_counter() - t0
        micro, macro = _f1(emb, labels, cfg, seed)
        nrows.append({"graph": name, "method": "netmf", "micro_f1": micro, "macro_f1": macro, "seconds": t_netmf})
        t0 = time.perf_counter()
        corpus = random_walks(graph, cfg["walk_length"], cfg["num_walks"], seed=seed, verbose=False)
        model = SGNS(
            dimensions=dims, window=cfg["window"], negative=1, ns_exponent=1.0, sample=0.0, epochs=cfg["epochs"],
            alpha=cfg["alpha"], seed=seed, verbose=False,
        ).fit(corpus, num_nodes=n)  # fmt: skip
        t_dw = time.perf_counter() - t0
        micro, macro = _f1(Embedding(graph.nodes, model.input_vectors_), labels, cfg, seed)
        nrows.append({"graph": name, "method": "deepwalk_k1", "micro_f1": micro, "macro_f1": macro, "seconds": t_dw})
    netmf = pd.DataFrame(nrows, columns=NETMF_COLUMNS)
    netmf.to_csv(out_dir / "netmf.csv", index=False)
    return theory, netmf, scatter


# ------------------------------------------------------------------ tables
def _md(df: pd.DataFrame) -> str:
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines)


def markdown_summary(
    results: pd.DataFrame, theory: pd.DataFrame | None = None, netmf: pd.DataFrame | None = None
) -> str:
    """Markdown tables of the study (mean +- sample std over seeds), as pasted into docs/negative-sampling.md.

    Parameters
    ----------
    results : pandas.DataFrame
        ``results.csv``.
    theory, netmf : pandas.DataFrame, optional
        ``theory.csv`` and ``netmf.csv``.

    Returns
    -------
    str
    """
    out = []

    def pm(g: Any, col: str, fmt: str) -> pd.Series:
        m, s = g[col].mean(), g[col].std().fillna(0.0)
        return m.map(lambda x: format(x, fmt)) + " ± " + s.map(lambda x: format(x, fmt))

    if len(results):
        keys = ["dataset", "part", "objective", "negative", "ns_exponent"]
        g = results.groupby(keys, sort=False)
        table = pd.DataFrame(
            {
                "seeds": g["seed"].nunique(),
                "Micro-F1": pm(g, "micro_f1", ".3f"),
                "Macro-F1": pm(g, "macro_f1", ".3f"),
                "LP ROC-AUC": pm(g, "lp_roc_auc", ".3f"),
                "train s": pm(g, "train_seconds", ".2f"),
                "ns/pair": g["ns_per_pair"].mean().map(lambda x: f"{x:.0f}"),
            }
        ).reset_index()
        out.append(_md(table))
        ns = results[results["objective"] == "negative_sampling"]
        if len(ns):
            g = ns.groupby(["dataset", "negative", "ns_exponent"], sort=False)
            table = pd.DataFrame(
                {
                    "true > 0.5": pm(g, "frac_true_above_half", ".3f"),
                    "random > 0.5": pm(g, "frac_random_above_half", ".3f"),
                    "mean true": pm(g, "mean_true", ".3f"),
                    "mean random": pm(g, "mean_random", ".3f"),
                    "mean noise": pm(g, "mean_noise", ".3f"),
                    "AUC true vs random": pm(g, "auc_true_vs_random", ".3f"),
                }
            ).reset_index()
            out.append(_md(table))
    if theory is not None and len(theory):
        t = theory.copy()
        for col in ("pearson_r", "slope", "intercept", "offset", "expected_offset", "rmse_shifted"):
            t[col] = t[col].map(lambda x: f"{x:.3f}")
        out.append(_md(t.drop(columns=["seed"])))
    if netmf is not None and len(netmf):
        t = netmf.copy()
        for col in ("micro_f1", "macro_f1", "seconds"):
            t[col] = t[col].map(lambda x: f"{x:.3f}")
        out.append(_md(t))
    return "\n\n".join(out)


# ------------------------------------------------------------------- the study
def run_study(
    out_dir: str | Path, quick: bool = True, datasets: Sequence[str] | None = None, seeds: Sequence[int] | None = None,
    parts: Sequence[str] = ("objectives", "theory"),
) -> dict[str, pd.DataFrame]:  # fmt: skip
    """Run the negative-sampling study and write its CSV files.

    The plots are drawn by examples/negative_sampling_study.py from what this returns.

    Parameters
    ----------
    out_dir : str or Path
        Output folder (created).
    quick : bool, default True
        :data:`QUICK` settings (seconds) instead of :data:`FULL` (PPI, BlogCatalog).
    datasets : sequence of str, optional
        Override the datasets of parts 1, 2 and 4 (karate, planted_partition, ppi,
        blogcatalog, digits).
    seeds : sequence of int, optional
        Override the seeds.
    parts : sequence of {"objectives", "theory"}, default both
        Which parts to run ("objectives" covers parts 1, 2 and 4).

    Returns
    -------
    dict of str to pandas.DataFrame
        ``results``, ``calibration``, ``theory``, ``netmf`` (empty when skipped), and
        ``scatter`` (a dict of arrays for the theory plots).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cfg = dict(QUICK if quick else FULL)
    if datasets is not None:
        cfg["datasets"] = tuple(datasets)
    if seeds is not None:
        cfg["seeds"] = tuple(int(s) for s in seeds)
    unknown = set(parts) - {"objectives", "theory"}
    if unknown:
        raise ValueError(f"The 'parts' parameter of run_study must hold 'objectives' and/or 'theory'. Got {unknown}.")
    results = pd.DataFrame(columns=RESULT_COLUMNS)
    calibration = pd.DataFrame(columns=CALIBRATION_COLUMNS)
    theory = pd.DataFrame(columns=THEORY_COLUMNS)
    netmf = pd.DataFrame(columns=NETMF_COLUMNS)
    scatter: dict = {}
    if "objectives" in parts:
        results, calibration = run_objectives(cfg, out)
    if "theory" in parts:
        theory, netmf, scatter = run_theory(cfg, out)
    return {"results": results, "calibration": calibration, "theory": theory, "netmf": netmf, "scatter": scatter}
