"""Tests of the shared SGNS trainer (graphemb.sgns)."""

from __future__ import annotations

import platform

import networkx as nx
import numpy as np
import pytest
from numba import njit
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

from graphemb.corpus import WalkCorpus
from graphemb.sgns import SGNS, _kernels
from graphemb.sgns._common import keep_probabilities as _keep_probabilities


# ------------------------------------------------------------------ fixtures
def numpy_walks(graph: nx.Graph, walk_length: int, num_walks: int, seed: int) -> np.ndarray:
    """Tiny uniform random walk (test helper, independent of graphemb.walks)."""
    n = graph.number_of_nodes()
    adj = [np.array(sorted(graph.neighbors(v)), dtype=np.int64) for v in range(n)]
    rng = np.random.default_rng(seed)
    walks = np.empty((n * num_walks, walk_length), dtype=np.int32)
    row = 0
    for _ in range(num_walks):
        for start in range(n):
            cur = start
            walks[row, 0] = cur
            for s in range(1, walk_length):
                nbrs = adj[cur]
                cur = int(nbrs[rng.integers(nbrs.size)]) if nbrs.size else cur
                walks[row, s] = cur
            row += 1
    return walks


@pytest.fixture(scope="module")
def partition():
    graph = nx.planted_partition_graph(4, 25, 0.5, 0.01, seed=3)
    labels = np.array([graph.nodes[v]["block"] for v in range(graph.number_of_nodes())])
    return graph, labels


@pytest.fixture(scope="module")
def walks(partition):
    graph, _ = partition
    return numpy_walks(graph, walk_length=20, num_walks=10, seed=1)


def small(**kw):
    params = dict(dimensions=16, window=5, negative=5, epochs=2, workers=1, seed=7, verbose=False)
    params.update(kw)
    return SGNS(**params)


# ------------------------------------------------------------------- quality
@pytest.mark.parametrize("shared", [True, False])
def test_planted_partition_blocks_are_recovered(partition, walks, shared):
    _, labels = partition
    model = small(epochs=3, shared_negatives=shared).fit(walks)
    acc = cross_val_score(LogisticRegression(max_iter=1000), model.input_vectors_, labels, cv=4).mean()
    assert acc >= 0.95


def test_planted_partition_with_two_workers(partition, walks):
    _, labels = partition
    model = small(epochs=3, workers=2).fit(walks)
    acc = cross_val_score(LogisticRegression(max_iter=1000), model.input_vectors_, labels, cv=4).mean()
    assert acc >= 0.95
    assert np.isfinite(model.input_vectors_).all()


@pytest.mark.parametrize("shared", [True, False])
def test_loss_decreases_over_epochs(walks, shared):
    # a small learning rate keeps the 5 epochs short of convergence (at alpha=0.025 the loss
    # plateaus by epoch 3 and then moves with the sampling noise, up or down)
    model = small(epochs=5, sample=0, alpha=0.002, shared_negatives=shared).fit(walks)
    assert model.loss_.shape == (5,)
    assert model.loss_.dtype == np.float64
    assert np.all(np.diff(model.loss_) < 0)
    # first epoch starts near the untrained value log(2) per logit
    assert model.loss_[-1] < 0.9 * model.loss_[0]


# ----------------------------------------------------------- reproducibility
@pytest.mark.parametrize("shared", [True, False])
def test_one_worker_is_bit_identical_across_fits(walks, shared):
    a = small(shared_negatives=shared).fit(walks)
    b = small(shared_negatives=shared).fit(walks)
    assert np.array_equal(a.input_vectors_, b.input_vectors_)
    assert np.array_equal(a.output_vectors_, b.output_vectors_)
    assert np.array_equal(a.loss_, b.loss_)
    model = small()
    first = model.fit(walks).input_vectors_.copy()
    assert np.array_equal(first, model.fit(walks).input_vectors_)


def test_shared_negatives_change_the_draws(walks):
    # the flag reaches the kernel: per-pair draws consume the streams differently
    a = small(shared_negatives=True).fit(walks)
    b = small(shared_negatives=False).fit(walks)
    assert not np.allclose(a.input_vectors_, b.input_vectors_)
    assert abs(a.loss_[-1] - b.loss_[-1]) < 0.05  # same objective, same scale


def test_different_seeds_differ(walks):
    a = small(seed=1).fit(walks).input_vectors_
    b = small(seed=2).fit(walks).input_vectors_
    assert not np.allclose(a, b)


def test_seed_none_is_recorded_and_replayable(walks):
    model = small(seed=None, epochs=1).fit(walks)
    assert isinstance(model.seed_, int)
    again = small(seed=model.seed_, epochs=1).fit(walks)
    assert np.array_equal(model.input_vectors_, again.input_vectors_)


def test_streamed_chunks_equal_whole_corpus(walks):
    whole = small().fit(walks)
    chunks = [WalkCorpus(walks[i : i + 137]) for i in range(0, len(walks), 137)]
    streamed = small().fit(chunks)
    assert np.array_equal(whole.input_vectors_, streamed.input_vectors_)

    class Stream:  # re-iterable of chunks, like graphemb.walks.WalkStream
        def __iter__(self):
            return iter(chunks)

    again = small().fit(Stream())
    assert np.array_equal(whole.input_vectors_, again.input_vectors_)


def test_node_counts_skip_counting_pass_and_allow_one_shot(walks):
    whole = small(epochs=1).fit(walks)
    counts = np.bincount(walks.ravel(), minlength=walks.max() + 1).astype(np.int64)
    gen = (walks[i : i + 50] for i in range(0, len(walks), 50))
    model = small(epochs=1).fit(gen, node_counts=counts)
    assert np.array_equal(whole.input_vectors_, model.input_vectors_)
    assert np.array_equal(model.node_counts_, counts)


# ------------------------------------------------------------------ sampling
def test_noise_distribution_matches_unigram_power():
    counts = np.array([1, 5, 20, 0, 100, 3, 50, 7], dtype=np.int64)
    weights = np.where(counts > 0, counts.astype(np.float64) ** 0.75, 0.0)
    prob, alias = _kernels.build_alias_table(weights)
    draws = _kernels.alias_sample(prob, alias, np.uint64(11), 0, 200_000)
    observed = np.bincount(draws, minlength=counts.size)
    assert observed[3] == 0  # a node that never occurs is never a negative
    expected = weights / weights.sum() * draws.size
    keep = expected > 0
    _, pvalue = stats.chisquare(observed[keep], expected[keep])
    assert pvalue > 1e-3
    # and it is not just any distribution: plain unigram is rejected
    uni = counts / counts.sum() * draws.size
    _, p_uni = stats.chisquare(observed[keep], uni[keep])
    assert p_uni < 1e-6


@njit(cache=True)
def _draws_both_ways(prob, alias, table, target, negative, seed, count):
    """``count`` negative sets drawn from the two-array table (a reference loop) and by the trainer's
    ``draw_negatives`` from the packed table, on the same stream."""
    out_a = np.empty((count, negative + 1), dtype=np.int64)
    out_b = np.empty((count, negative + 1), dtype=np.int64)
    valid = np.empty(negative + 1, dtype=np.bool_)
    sa = np.uint64(seed)
    sb = np.uint64(seed)
    for i in range(count):
        # reference: the two-array alias draw, a negative equal to the target redrawn (at most 32 times)
        out_a[i, 0] = target
        for k in range(1, negative + 1):
            out_a[i, k] = target
            for _ in range(32):
                sa, cand = _kernels.alias_draw(sa, prob, alias)
                if cand != target:
                    out_a[i, k] = cand
                    break
        sb = _kernels.draw_negatives(sb, target, out_b[i], valid, table)
    return out_a, out_b, sa, sb


def test_packed_alias_table_draws_the_same_negatives():
    """The trainer's packed table (one cache line per draw) is the two-array table, draw for draw."""
    rng = np.random.default_rng(3)
    weights = rng.pareto(1.5, size=1000) + 1e-3
    weights[::7] = 0.0  # nodes that never occur
    prob, alias = _kernels.build_alias_table(weights)
    table = _kernels.pack_alias_table(prob, alias)
    assert table.shape == (1000, 2) and table.dtype == np.float64
    assert np.array_equal(table[:, 1].astype(np.int32), alias) and np.array_equal(table[:, 0], prob)
    a, b, sa, sb = _draws_both_ways(prob, alias, table, np.int64(int(np.argmax(weights))), 5, 12345, 20_000)
    assert np.array_equal(a, b) and sa == sb
    assert not np.isin(b[:, 1:], np.flatnonzero(weights == 0)).any()


@njit  # not cached: a function loaded from numba's cache has no assembly to inspect
def _prefetch_then_sum(table, rows):
    for r in rows:
        _kernels.prefetch_row(table, r)
    return table[rows[0]].sum()


def test_prefetch_row_is_a_hint_that_changes_nothing():
    table = np.arange(48, dtype=np.float32).reshape(4, 12)
    before = table.copy()
    assert _prefetch_then_sum(table, np.array([2, 0, 3], dtype=np.int64)) == before[2].sum()
    assert np.array_equal(table, before)
    wide = np.zeros((3, 40), dtype=np.float64)  # 320-byte rows: five lines each
    assert _prefetch_then_sum(wide, np.array([1], dtype=np.int64)) == 0.0
    if platform.machine() in ("x86_64", "AMD64"):
        asm = "\n".join(_prefetch_then_sum.inspect_asm().values())
        assert "prefetch" in asm  # an instruction was emitted, not optimised away


def test_keep_probability_is_word2vec_formula():
    counts = np.array([0, 10, 100_000], dtype=np.int64)
    keep = _keep_probabilities(counts, total=1_000_000, sample=1e-3)
    st = 1e-3 * 1_000_000
    assert keep[2] == pytest.approx((np.sqrt(100_000 / st) + 1) * st / 100_000)
    assert keep[2] < 0.5
    assert keep[1] >= 1.0  # rare nodes are always kept
    assert np.all(_keep_probabilities(counts, 1_000_000, 0.0) >= 1.0)


def test_sigmoid_tables():
    t = _kernels.sigmoid_tables()
    assert t.shape == (2, _kernels.EXP_TABLE_SIZE + 1)
    assert t[0, 0] == pytest.approx(1 / (1 + np.exp(_kernels.MAX_EXP)))
    assert t[0, _kernels.EXP_TABLE_SIZE // 2] == pytest.approx(0.5)
    assert np.allclose(np.exp(t[1]), t[0])


def test_fastmath_helpers_match_float64():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((6, 128)).astype(np.float32)
    b = rng.standard_normal((6, 128)).astype(np.float32)
    ref = a.astype(np.float64) @ b.astype(np.float64).T
    assert _kernels._dot_rows(a, 1, b, 2) == pytest.approx(ref[1, 2], rel=1e-4, abs=1e-4)
    s = _kernels._dot_rows4(a, 3, b, 0, 1, 4, 5)
    assert np.allclose(s, ref[3, [0, 1, 4, 5]], rtol=1e-4, atol=1e-4)
    # the fused pair update: neu1e += sum g_k b[o_k] (old rows), b[o_k] += g_k a[c]
    g = np.array([0.5, -1.0, 2.0, 0.25], dtype=np.float32)
    old = b.copy()
    neu = np.zeros((1, 128), dtype=np.float32)
    _kernels._pair_update4(b, 0, 1, 4, 5, g[0], g[1], g[2], g[3], a, 3, neu)
    expected = (g[:, None].astype(np.float64) * old[[0, 1, 4, 5]].astype(np.float64)).sum(axis=0)
    assert np.allclose(neu[0], expected, rtol=1e-5, atol=1e-5)
    assert np.allclose(b[[0, 1, 4, 5]], old[[0, 1, 4, 5]] + g[:, None] * a[3], rtol=1e-5, atol=1e-5)
    assert np.array_equal(b[[2, 3]], old[[2, 3]])


# ------------------------------------------------------------------ numerics
def test_huge_learning_rate_stays_finite(walks):
    model = small(alpha=10.0, min_alpha=1.0).fit(walks)
    assert np.isfinite(model.input_vectors_).all()
    assert np.isfinite(model.output_vectors_).all()
    assert np.isfinite(model.loss_).all()


def test_unseen_node_keeps_finite_init_vector(walks):
    n = int(walks.max()) + 1
    model = small(dimensions=16).fit(walks, num_nodes=n + 3)
    vecs = model.input_vectors_
    assert vecs.shape == (n + 3, 16) and vecs.dtype == np.float32
    assert model.num_nodes_ == n + 3
    unseen = vecs[n:]
    assert np.isfinite(unseen).all()
    assert np.all(np.abs(unseen) <= 1.0 / 16) and np.any(unseen != 0)
    assert np.all(model.output_vectors_[n:] == 0)
    assert np.all(model.node_counts_[n:] == 0)


def test_isolated_node_never_sampled_as_negative():
    walks = np.array([[0, 1, 0, 1, 0, 1]] * 20, dtype=np.int32)
    model = small(window=2, sample=0, epochs=1).fit(walks, num_nodes=3)
    assert np.all(model.output_vectors_[2] == 0)  # never an output row: neither target nor negative


def test_init_is_uniform_in_plus_minus_one_over_d(walks):
    model = small(epochs=1, alpha=1e-12, min_alpha=0.0).fit(walks)
    vecs = model.input_vectors_
    assert np.all(np.abs(vecs) <= 1.0 / 16 + 1e-6)
    # uniform on [-1/d, 1/d]: mean 0, variance (1/d)^2 / 3
    assert abs(vecs.mean()) < 0.02 / 16
    assert vecs.var() == pytest.approx((1.0 / 16) ** 2 / 3, rel=0.1)


# -------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "param, value, match",
    [
        ("dimensions", 0, "'dimensions' parameter of SGNS must be an int >= 1"),
        ("window", 0, "'window' parameter"),
        ("negative", 0, "negative=0"),
        ("negative", -2, "'negative' parameter"),
        ("alpha", 0.0, "'alpha' parameter"),
        ("alpha", float("nan"), "'alpha' parameter"),
        ("min_alpha", 0.5, "'min_alpha' parameter of SGNS must be <= alpha"),
        ("sample", -1e-3, "'sample' parameter"),
        ("ns_exponent", float("inf"), "'ns_exponent' parameter"),
        ("epochs", 0, "'epochs' parameter"),
        ("workers", 0, "'workers' parameter"),
        ("seed", -1, "'seed' parameter"),
        ("shrink_window", "yes", "'shrink_window' parameter"),
        ("shared_negatives", 1, "'shared_negatives' parameter"),
    ],
)
def test_bad_parameters_raise(walks, param, value, match):
    with pytest.raises(ValueError, match=match):
        small(**{param: value}).fit(walks[:5])


def test_bad_corpora_raise(walks):
    with pytest.raises(ValueError, match="empty"):
        small().fit([])
    with pytest.raises(ValueError, match="empty"):
        small().fit(np.zeros((0, 5), dtype=np.int32))
    with pytest.raises(ValueError, match="outside"):
        small().fit([np.array([0, 1, -3])])
    with pytest.raises(ValueError, match="node index 7, outside"):
        small().fit([np.array([0, 1, 7])], num_nodes=5)
    with pytest.raises(ValueError, match="node index 9, outside"):
        small(epochs=1).fit([np.array([0, 9])], node_counts=np.ones(5, dtype=np.int64))
    with pytest.raises(ValueError, match="length num_nodes=4"):
        small().fit(walks, num_nodes=4, node_counts=np.ones(5, dtype=np.int64))
    with pytest.raises(ValueError, match="integers"):
        small().fit([np.array([0.5, 1.0])])
    with pytest.raises(TypeError, match="one-shot iterator"):
        small(epochs=1).fit(walks[i : i + 10] for i in range(0, 50, 10))
    with pytest.raises(TypeError, match="corpus must be"):
        small().fit(42)


def test_sklearn_params_roundtrip():
    model = SGNS(window=3)
    params = model.get_params()
    assert params["window"] == 3 and params["dimensions"] == 128
    assert model.set_params(window=4, seed=1) is model and model.window == 4
    with pytest.raises(ValueError, match="Invalid parameter 'windows'"):
        model.set_params(windows=2)
    assert not hasattr(model, "input_vectors_")  # nothing learned before fit
