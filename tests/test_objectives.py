"""Tests of the training objectives other than negative sampling: Huffman tree (hierarchical softmax)."""

from __future__ import annotations

import heapq

import numpy as np
import pytest

from graphemb.sgns._huffman import build_huffman_tree
from graphemb.sgns._kernels import hs_pair, softmax_pair


def _huffman_cost(counts: np.ndarray) -> float:
    """Optimal expected code length (times total count), by the textbook heap algorithm."""
    heap = [float(c) for c in counts]
    heapq.heapify(heap)
    cost = 0.0
    while len(heap) > 1:
        a = heapq.heappop(heap)
        b = heapq.heappop(heap)
        cost += a + b
        heapq.heappush(heap, a + b)
    return cost


@pytest.fixture(scope="module")
def random_counts() -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.zipf(1.8, size=200).astype(np.int64)


def test_small_example_by_hand():
    tree = build_huffman_tree([5, 1, 1, 3])
    # merges: (1, 1) -> 2, (2, 3) -> 5, (5, 5) -> 10
    assert tree.lengths.tolist() == [1, 3, 3, 2]
    assert [tree.code(i) for i in range(4)] == ["0", "100", "101", "11"]
    # inner nodes: 0 = {1, 2}, 1 = {0-less subtree}, 2 = root
    assert tree.points[tree.offsets[1] : tree.offsets[2]].tolist() == [2, 1, 0]


def test_prefix_free(random_counts):
    tree = build_huffman_tree(random_counts)
    codes = sorted(tree.code(i) for i in range(len(random_counts)))
    assert len(set(codes)) == len(codes)
    # in sorted order a prefix would sit right before a code it prefixes
    for a, b in zip(codes[:-1], codes[1:], strict=True):
        assert not b.startswith(a)


def test_full_tree_kraft_equality(random_counts):
    lengths = build_huffman_tree(random_counts).lengths
    assert np.isclose(np.sum(2.0 ** -lengths.astype(float)), 1.0)


def test_lengths_are_optimal_and_follow_frequencies(random_counts):
    tree = build_huffman_tree(random_counts)
    lengths = tree.lengths
    assert np.isclose(float(np.sum(random_counts * lengths)), _huffman_cost(random_counts))
    more_frequent = random_counts[None, :] > random_counts[:, None]  # [i, j]: j strictly more frequent than i
    assert np.all((lengths[None, :] <= lengths[:, None])[more_frequent])


def test_points_form_one_tree(random_counts):
    n = len(random_counts)
    tree = build_huffman_tree(random_counts)
    assert tree.points.min() >= 0 and tree.points.max() == n - 2
    seen: dict[str, int] = {}
    for i in range(n):
        code = tree.code(i)
        pts = tree.points[tree.offsets[i] : tree.offsets[i + 1]]
        assert pts[0] == n - 2  # every path starts at the root
        for depth in range(len(code)):
            key = code[:depth]
            assert seen.setdefault(key, int(pts[depth])) == int(pts[depth])
    assert len(seen) == n - 1  # n - 1 distinct inner nodes


def test_uniform_counts_give_balanced_codes():
    assert build_huffman_tree(np.ones(16)).lengths.tolist() == [4] * 16
    assert build_huffman_tree([3]).lengths.tolist() == [0]
    assert build_huffman_tree([0, 0]).lengths.tolist() == [1, 1]


def test_deterministic_tie_breaking():
    a = build_huffman_tree([2, 2, 2, 2, 1])
    b = build_huffman_tree(np.array([2, 2, 2, 2, 1], dtype=np.int64))
    assert np.array_equal(a.codes, b.codes) and np.array_equal(a.points, b.points)


@pytest.mark.parametrize("bad", [[], [1, -1], [1.0, np.nan], [[1, 2]]])
def test_bad_counts_raise(bad):
    with pytest.raises(ValueError, match="counts"):
        build_huffman_tree(bad)


# ------------------------------------------------------------ per-pair updates
_CLAMP = np.float32(1e4)


def _tables(max_exp: float = 6.0, size: int = 100_000) -> np.ndarray:
    x = np.linspace(-max_exp, max_exp, size + 1)
    return np.stack([1 / (1 + np.exp(-x)), -np.logaddexp(0, -x)]).astype(np.float32)


def _numeric_grad(loss, u: np.ndarray, v: np.ndarray, eps: float = 1e-6) -> tuple[np.ndarray, np.ndarray]:
    gu, gv = np.zeros_like(u), np.zeros_like(v)
    for arr, grad in ((u, gu), (v, gv)):
        for idx in np.ndindex(arr.shape):
            old = arr[idx]
            arr[idx] = old + eps
            hi = loss(u, v)
            arr[idx] = old - eps
            lo = loss(u, v)
            arr[idx] = old
            grad[idx] = (hi - lo) / (2 * eps)
    return gu, gv


def test_softmax_step_is_minus_lr_times_numerical_gradient():
    rng = np.random.default_rng(1)
    n, d, c, t, lr = 6, 3, 2, 4, 0.5
    u = rng.normal(size=(n, d))
    v = rng.normal(size=(n, d))

    def loss(u, v):
        z = u[c] @ v.T
        return float(np.logaddexp.reduce(z) - z[t])

    gu, gv = _numeric_grad(loss, u, v)
    syn0, syn1 = u.astype(np.float32), v.astype(np.float32)
    got = softmax_pair(syn0, syn1, c, t, np.empty(n), np.empty(d, np.float32), np.float32(lr), _CLAMP)
    assert got == pytest.approx(loss(u, v), rel=1e-5)
    assert np.allclose(syn0 - u.astype(np.float32), -lr * gu, atol=1e-5)
    assert np.allclose(syn1 - v.astype(np.float32), -lr * gv, atol=1e-5)
    assert np.array_equal(np.delete(syn0, c, 0), np.delete(u.astype(np.float32), c, 0))  # other inputs untouched


def test_hierarchical_softmax_step_is_minus_lr_times_numerical_gradient():
    rng = np.random.default_rng(2)
    counts = np.array([9, 1, 4, 2, 7, 1])
    tree = build_huffman_tree(counts)
    n, d, c, t, lr = 6, 3, 0, 3, 0.5
    u = rng.normal(scale=0.5, size=(n, d))
    v = rng.normal(scale=0.5, size=(n, d))
    path = slice(tree.offsets[t], tree.offsets[t + 1])

    def loss(u, v):
        signs = 1.0 - 2.0 * tree.codes[path]
        return float(np.sum(np.logaddexp(0, -signs * (v[tree.points[path]] @ u[c]))))

    # p(t | c) over all leaves sums to one: the tree defines a proper distribution
    total = 0.0
    for leaf in range(n):
        sl = slice(tree.offsets[leaf], tree.offsets[leaf + 1])
        signs = 1.0 - 2.0 * tree.codes[sl]
        total += np.exp(-np.sum(np.logaddexp(0, -signs * (v[tree.points[sl]] @ u[c]))))
    assert total == pytest.approx(1.0)

    gu, gv = _numeric_grad(loss, u, v)
    syn0, syn1 = u.astype(np.float32), v.astype(np.float32)
    got = hs_pair(
        syn0, syn1, c, t, tree.codes, tree.points, tree.offsets, np.empty(d, np.float32), _tables(), 6.0,
        np.float32(lr), _CLAMP,
    )  # fmt: skip
    assert got == pytest.approx(loss(u, v), rel=1e-3)
    assert np.allclose(syn0 - u.astype(np.float32), -lr * gu, atol=1e-4)
    assert np.allclose(syn1 - v.astype(np.float32), -lr * gv, atol=1e-4)


# ------------------------------------------------------------ through SGNS.fit
def _partition_walks() -> tuple[np.ndarray, np.ndarray]:
    from graphemb import random_walks
    from graphemb.datasets import make_planted_partition

    graph, labels = make_planted_partition(n_blocks=4, block_size=25, p_in=0.5, p_out=0.01, seed=3)
    corpus = random_walks(graph, walk_length=20, num_walks=10, seed=1, verbose=False)
    return corpus.walks, np.array([labels[v] for v in graph.nodes])


@pytest.fixture(scope="module")
def partition_walks():
    return _partition_walks()


def _model(**kw):
    from graphemb.sgns import SGNS

    params = dict(dimensions=16, window=5, epochs=3, workers=1, seed=7, verbose=False)
    params.update(kw)
    return SGNS(**params)


@pytest.mark.parametrize("objective", ["hierarchical_softmax", "softmax"])
@pytest.mark.parametrize("workers", [1, 2])
def test_softmax_objectives_recover_planted_partition(partition_walks, objective, workers):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    walks, labels = partition_walks
    model = _model(objective=objective, workers=workers, alpha=0.05).fit(walks)
    acc = cross_val_score(LogisticRegression(max_iter=1000), model.input_vectors_, labels, cv=4).mean()
    assert acc >= 0.95, (objective, acc)
    assert np.isfinite(model.output_vectors_).all()


def test_softmax_objectives_loss_is_a_per_pair_nll_that_decreases(partition_walks):
    walks, _ = partition_walks
    loss = {o: _model(objective=o, epochs=4, alpha=0.05).fit(walks).loss_ for o in ("hierarchical_softmax", "softmax")}
    for values in loss.values():
        # -log p(centre | context): below the uniform log(100), falling, above a block's log(25) floor
        assert values[0] < np.log(100)
        assert values[-1] < values[0] - 0.1
        assert values[-1] > np.log(25)
    # both model the same normalised distribution: their NLLs agree
    assert abs(loss["hierarchical_softmax"][-1] - loss["softmax"][-1]) < 0.1


def test_hierarchical_softmax_uses_inner_node_rows_only(partition_walks):
    walks, _ = partition_walks
    model = _model(objective="hierarchical_softmax").fit(walks)
    out = model.output_vectors_
    assert out[: len(out) - 1].any(axis=1).all()  # inner nodes 0..n-2 trained
    assert not out[-1].any()  # row n-1 is no inner node: never touched


@pytest.mark.parametrize("objective", ["hierarchical_softmax", "softmax"])
def test_one_worker_is_bit_identical(partition_walks, objective):
    walks, _ = partition_walks
    a = _model(objective=objective, epochs=1).fit(walks)
    b = _model(objective=objective, epochs=1).fit(walks)
    c = _model(objective=objective, epochs=1, seed=8).fit(walks)
    assert np.array_equal(a.input_vectors_, b.input_vectors_)
    assert not np.array_equal(a.input_vectors_, c.input_vectors_)


def test_softmax_size_guard_and_bad_objective():
    walks = np.arange(12, dtype=np.int32).reshape(2, 6)
    with pytest.raises(ValueError, match="softmax_max_nodes=10"):
        _model(objective="softmax", softmax_max_nodes=10).fit(walks)
    _model(objective="softmax", softmax_max_nodes=12, epochs=1).fit(walks)  # forced: allowed
    with pytest.raises(ValueError, match="The 'objective' parameter of SGNS must be one of"):
        _model(objective="nce").fit(walks)
    assert _model(objective="softmax").get_params()["objective"] == "softmax"
