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

The study driver is :mod:`graphemb.experiments.negative_sampling_study`.

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

import math
from typing import Any

import numpy as np

from .._memory import check_allocation
from .._rng import normalize_seed
from .._validation import check_bool, check_int
from ..corpus import as_token_chunks
from ..embedding import Embedding
from ..graph.csr import CSRGraph
from . import _kernels

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
]

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
    x = pmi[rows, cols]
    slope, intercept = np.polyfit(x, dots, 1)
    shift = -math.log(negative)
    return {
        "n_pairs": int(rows.size),
        "pearson_r": float(np.corrcoef(x, dots)[0, 1]),
        "slope": float(slope),
        "intercept": float(intercept),
        "offset": float(np.mean(dots - x)),
        "expected_offset": shift,
        "rmse_shifted": float(np.sqrt(np.mean((dots - (x + shift)) ** 2))),
        "mean_dot": float(dots.mean()),
    }


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
