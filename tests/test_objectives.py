"""Tests of the training objectives other than negative sampling: Huffman tree (hierarchical softmax)."""

from __future__ import annotations

import heapq

import numpy as np
import pytest

from graphemb.sgns._huffman import build_huffman_tree


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
