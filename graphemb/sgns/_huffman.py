"""Huffman tree over node frequencies, for hierarchical-softmax training.

word2vec's hierarchical softmax (Morin & Bengio 2005; Mikolov et al. 2013)
replaces the ``n``-way softmax over output nodes by ``code_length(t)`` binary
decisions along the path from the root of a binary tree to the leaf of node
``t``.  With a Huffman tree (Huffman 1952) over node counts, frequent nodes get
short paths, so the expected cost per training pair is the entropy of the node
distribution in bits, at most ``ceil(log2 n)`` for uniform counts.

Layout (flat, CSR-like, so that a numba kernel can read it without Python
objects): node ``i``'s path is ``codes[offsets[i]:offsets[i + 1]]`` (the branch
taken at each inner node, root first) and ``points[offsets[i]:offsets[i + 1]]``
(those inner nodes, numbered ``0 .. n - 2``, root ``n - 2``).  The inner nodes
own rows ``0 .. n - 2`` of the trainer's output table.  As in word2vec, the
training label of a step is ``1 - code``.

The kernel :func:`huffman_kernel` is O(n) after an O(n log n) sort done by the
caller; filling the paths is O(sum of code lengths), which is O(n log n) for
any count distribution whose tree has logarithmic depth (and at most O(n^2)
for pathological, Fibonacci-like counts).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

__all__ = ["HuffmanTree", "build_huffman_tree", "huffman_kernel"]


class HuffmanTree(NamedTuple):
    """Paths from the root to every leaf of a Huffman tree (see module docstring).

    Attributes
    ----------
    codes : ndarray of uint8, shape (total_length,)
        Branch bits, root first, node after node.
    points : ndarray of int32, shape (total_length,)
        Inner-node index (``0 .. n - 2``) at each step; the root is ``n - 2``.
    offsets : ndarray of int64, shape (n + 1,)
        Node ``i``'s path is ``[offsets[i], offsets[i + 1])``.
    """

    codes: np.ndarray
    points: np.ndarray
    offsets: np.ndarray

    @property
    def lengths(self) -> np.ndarray:
        """Code length of every node (int64, shape (n,))."""
        return np.diff(self.offsets)

    def code(self, i: int) -> str:
        """Code of node ``i`` as a string of ``'0'``/``'1'`` (root first)."""
        return "".join(str(int(b)) for b in self.codes[self.offsets[i] : self.offsets[i + 1]])


@njit(cache=True, nogil=True)
def huffman_kernel(sorted_counts, order):
    """Build the Huffman tree of ``n`` leaves given in ascending count order.

    Parameters
    ----------
    sorted_counts : ndarray of float64, shape (n,)
        Counts sorted ascending (``n >= 1``; zero counts allowed).
    order : ndarray of int64, shape (n,)
        ``order[p]`` is the node whose count is ``sorted_counts[p]``.

    Returns
    -------
    codes : ndarray of uint8, shape (L,)
    points : ndarray of int32, shape (L,)
    offsets : ndarray of int64, shape (n + 1,)
        As :class:`HuffmanTree`, indexed by original node (``L`` = total length).

    Notes
    -----
    word2vec's two-queue construction: leaves (ascending) and new inner nodes
    (created in ascending weight order) are two sorted queues, so each merge
    takes the two smallest fronts in O(1); on ties a leaf is taken before an inner
    node, which gives the minimum-variance (shallowest) Huffman tree.  Time
    O(n + L), memory O(n + L) (``L`` = sum of code lengths).
    """
    n = sorted_counts.shape[0]
    total_nodes = 2 * n - 1
    weight = np.empty(total_nodes, dtype=np.float64)
    parent = np.full(total_nodes, -1, dtype=np.int64)
    bit = np.zeros(total_nodes, dtype=np.uint8)
    for p in range(n):
        weight[p] = sorted_counts[p]
    leaf = 0  # front of the leaf queue (ids 0..n-1)
    inner = n  # front of the inner queue (ids n..)
    for s in range(n - 1):
        new = n + s
        # first pick (smaller front; a leaf wins ties)
        if leaf < n and (inner >= new or weight[leaf] <= weight[inner]):
            a = leaf
            leaf += 1
        else:
            a = inner
            inner += 1
        # second pick
        if leaf < n and (inner >= new or weight[leaf] <= weight[inner]):
            b = leaf
            leaf += 1
        else:
            b = inner
            inner += 1
        weight[new] = weight[a] + weight[b]
        parent[a] = new
        parent[b] = new
        bit[b] = 1
    # depth of every tree node: parents have larger ids, so one descending pass
    depth = np.zeros(total_nodes, dtype=np.int64)
    for v in range(total_nodes - 2, -1, -1):
        depth[v] = depth[parent[v]] + 1
    offsets = np.zeros(n + 1, dtype=np.int64)
    for p in range(n):
        offsets[order[p] + 1] = depth[p] if n > 1 else 0
    for i in range(n):
        offsets[i + 1] += offsets[i]
    codes = np.empty(offsets[n], dtype=np.uint8)
    points = np.empty(offsets[n], dtype=np.int32)
    for p in range(n):
        node = order[p]
        pos = offsets[node + 1] - 1
        v = p
        while pos >= offsets[node]:
            codes[pos] = bit[v]
            points[pos] = np.int32(parent[v] - n)
            v = parent[v]
            pos -= 1
    return codes, points, offsets


def build_huffman_tree(counts: np.ndarray) -> HuffmanTree:
    """Huffman codes of every node from its count (word2vec's ``CreateBinaryTree``).

    Parameters
    ----------
    counts : array-like of int or float, shape (n,)
        Non-negative finite counts (``n >= 1``); nodes with count 0 get the
        longest codes.  Ties are broken by node index (stable sort), so the tree
        is deterministic.

    Returns
    -------
    HuffmanTree
        ``codes``, ``points``, ``offsets``.  With ``n == 1`` every path is empty.

    Raises
    ------
    ValueError
        If ``counts`` is empty, not 1-D, negative or not finite.

    Notes
    -----
    O(n log n) time (the sort), O(n + L) memory with ``L`` the sum of code lengths.

    References
    ----------
    D. A. Huffman, "A Method for the Construction of Minimum-Redundancy Codes",
    Proc. IRE 40(9), 1952. doi:10.1109/JRPROC.1952.273898

    Examples
    --------
    >>> tree = build_huffman_tree([5, 1, 1, 3])
    >>> tree.lengths.tolist()
    [1, 3, 3, 2]
    """
    c = np.asarray(counts, dtype=np.float64)
    if c.ndim != 1 or c.shape[0] == 0:
        raise ValueError(
            f"The 'counts' parameter of build_huffman_tree must be a non-empty 1-D array. Got shape {c.shape} instead."
        )
    if not np.all(np.isfinite(c)) or c.min() < 0:
        raise ValueError("The 'counts' parameter of build_huffman_tree must be finite and >= 0 everywhere.")
    order = np.argsort(c, kind="stable").astype(np.int64)
    codes, points, offsets = huffman_kernel(np.ascontiguousarray(c[order]), order)
    return HuffmanTree(codes, points, offsets)
