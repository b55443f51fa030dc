"""Tests of graphemb.graph: kNN, epsilon-ball and similarity-matrix graphs (issue 5)."""

from __future__ import annotations

import logging
import sys
import types

import numpy as np
import pytest
import scipy.sparse as sp

import graphemb
from graphemb.graph import (
    MIN_WEIGHT,
    connected_components,
    epsilon_graph,
    from_similarity_matrix,
    knn_graph,
)
from graphemb.graph import knn as knn_module


# ------------------------------------------------------------------ helpers
def blobs(n_per: int = 40, f: int = 5, gap: float = 50.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs (unit variance) whose centres are ``gap`` apart; labels 0/1."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n_per, f))
    b = rng.standard_normal((n_per, f))
    b[:, 0] += gap
    return np.vstack([a, b]), np.repeat([0, 1], n_per)


def edge_set(g) -> set[tuple[int, int]]:
    a = sp.coo_array(g.to_scipy())
    return set(zip(a.row.tolist(), a.col.tolist(), strict=True))


def arc_set(g) -> set[tuple[int, int]]:
    return edge_set(g)


def brute_knn(x: np.ndarray, k: int, metric: str) -> np.ndarray:
    """Naive O(n^2) reference: indices (n, k) of the k nearest other rows (ties: lower index first)."""
    if metric == "cosine":
        u = x / np.linalg.norm(x, axis=1, keepdims=True)
        d = 1.0 - u @ u.T
    elif metric == "euclidean":
        d = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(-1))
    else:
        d = np.abs(x[:, None, :] - x[None, :, :]).sum(-1)
    np.fill_diagonal(d, np.inf)
    return np.argsort(d, axis=1, kind="stable")[:, :k]


def recall(approx, exact) -> float:
    ex = arc_set(exact)
    return len(arc_set(approx) & ex) / len(ex)


# ---------------------------------------------------------- structure, kNN
def test_hand_checkable_line():
    # points on a line at 0, 1, 3, 7: nearest neighbours 0->1, 1->0, 2->1, 3->2
    x = np.array([[0.0], [1.0], [3.0], [7.0]])
    d = knn_graph(x, k=1, metric="euclidean", weighting=None, directed=True)
    assert d.directed and arc_set(d) == {(0, 1), (1, 0), (2, 1), (3, 2)}
    u = knn_graph(x, k=1, metric="euclidean", weighting=None)
    assert not u.directed
    assert edge_set(u) == {(0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (3, 2)}
    m = knn_graph(x, k=1, metric="euclidean", weighting=None, mutual=True)
    assert edge_set(m) == {(0, 1), (1, 0)}
    assert m.degrees.tolist() == [1, 1, 0, 0]


@pytest.mark.parametrize("metric", ["cosine", "euclidean", "manhattan"])
def test_matches_naive_knn(metric):
    x = np.random.default_rng(1).standard_normal((50, 4))
    k = 4
    g = knn_graph(x, k=k, metric=metric, directed=True, weighting=None)
    ref = brute_knn(x, k, metric)
    expected = {(i, int(j)) for i in range(50) for j in ref[i]}
    assert arc_set(g) == expected


def test_union_mutual_degrees_symmetry_no_self_loops():
    x = np.random.default_rng(2).standard_normal((120, 6))
    k = 5
    union = knn_graph(x, k=k)
    mutual = knn_graph(x, k=k, mutual=True)
    directed = knn_graph(x, k=k, directed=True)
    for g in (union, mutual):
        a = g.to_scipy()
        assert abs(a - a.T).max() == 0  # exactly symmetric, weights included
        assert a.diagonal().sum() == 0
    assert directed.to_scipy().diagonal().sum() == 0
    assert union.degrees.min() >= k
    assert mutual.degrees.max() <= k
    assert np.all(directed.degrees == k)
    # union = arcs either way, mutual = arcs both ways
    arcs = arc_set(directed)
    assert edge_set(union) == arcs | {(j, i) for i, j in arcs}
    assert edge_set(mutual) == {(i, j) for i, j in arcs if (j, i) in arcs}
    assert union.num_edges > mutual.num_edges


def test_blobs_have_no_cross_edges_and_components_are_reported(caplog):
    x, y = blobs()
    with caplog.at_level(logging.WARNING, logger="graphemb.graph.knn"):
        g = knn_graph(x, k=5, metric="euclidean")
    a = sp.coo_array(g.to_scipy())
    assert a.nnz > 0 and np.all(y[a.row] == y[a.col])
    count, labels = connected_components(g)
    assert count == 2
    assert np.array_equal(labels, y)  # numbered in order of the smallest row
    assert any("2 connected components" in r.getMessage() for r in caplog.records)


def test_single_component_logs_nothing(caplog):
    x = np.random.default_rng(3).standard_normal((60, 3))
    with caplog.at_level(logging.WARNING, logger="graphemb.graph.knn"):
        g = knn_graph(x, k=8)
    assert connected_components(g)[0] == 1
    assert not [r for r in caplog.records if "components" in r.getMessage()]


def test_node_ids_and_integer_pixels():
    x = np.array([[0, 0], [0, 1], [9, 9], [9, 8]], dtype=np.uint8)  # uint8 must not wrap around
    g = knn_graph(x, k=1, metric="euclidean", nodes=["a", "b", "c", "d"], weighting=None)
    assert g.nodes == ["a", "b", "c", "d"]
    assert g.neighbors("a") == ["b"] and g.neighbors("c") == ["d"]


def test_duplicate_rows_give_no_self_loops():
    x = np.array([[1.0, 2.0], [1.0, 2.0], [1.0, 2.0], [4.0, 0.0], [4.0, 0.5]])
    g = knn_graph(x, k=2, metric="euclidean", weighting="gaussian")
    a = g.to_scipy()
    assert a.diagonal().sum() == 0
    assert a[0, 1] == 1.0 and a[1, 2] == 1.0  # distance 0 -> heat-kernel weight exactly 1
    assert g.degrees.min() >= 2


# ------------------------------------------------------------------ weights
def test_similarity_weights_are_cosine_similarities():
    x = np.random.default_rng(4).random((40, 5)) + 0.1  # positive features: all similarities > 0
    g = knn_graph(x, k=3, metric="cosine", weighting="similarity")
    a = sp.coo_array(g.to_scipy())
    u = x / np.linalg.norm(x, axis=1, keepdims=True)
    cos = np.einsum("ij,ij->i", u[a.row], u[a.col])
    np.testing.assert_allclose(a.data, cos, rtol=1e-6)
    assert a.data.min() >= MIN_WEIGHT and a.data.max() <= 1.0


def test_similarity_weights_euclidean():
    x = np.array([[0.0], [1.0], [3.0]])
    g = knn_graph(x, k=1, metric="euclidean", weighting="similarity")
    a = g.to_scipy()
    assert a[0, 1] == pytest.approx(1 / 2) and a[1, 2] == pytest.approx(1 / 3)


def test_non_positive_cosine_is_floored_not_dropped(caplog):
    # three directions: (1,0) and (-1,0) are opposite (similarity -1), (0,1) orthogonal to both
    x = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    with caplog.at_level(logging.WARNING, logger="graphemb.graph.knn"):
        g = knn_graph(x, k=2, metric="cosine")
    a = g.to_scipy()
    assert g.num_edges == 3  # every pair kept
    np.testing.assert_allclose([a[0, 2], a[0, 1], a[1, 2]], MIN_WEIGHT, rtol=1e-6)
    assert any("floored" in r.getMessage() for r in caplog.records)


def test_gaussian_weights_self_tuning_and_given_sigma():
    x = np.array([[0.0], [1.0], [3.0], [7.0]])
    g = knn_graph(x, k=1, metric="euclidean", weighting="gaussian", directed=True)
    a = g.to_scipy()
    sigma = np.median([1.0, 1.0, 2.0, 4.0])  # the four kNN arc distances
    assert a[2, 1] == pytest.approx(np.exp(-((2.0 / sigma) ** 2)), rel=1e-6)
    assert a[0, 1] == pytest.approx(np.exp(-((1.0 / sigma) ** 2)), rel=1e-6)
    g2 = knn_graph(x, k=1, metric="euclidean", weighting="gaussian", sigma=2.0)
    b = g2.to_scipy()
    assert b[2, 3] == pytest.approx(np.exp(-4.0), rel=1e-6)
    assert b.data.min() >= MIN_WEIGHT and b.data.max() <= 1.0


def test_gaussian_underflow_is_floored():
    x = np.array([[0.0], [0.001], [100.0]])
    g = knn_graph(x, k=1, metric="euclidean", weighting="gaussian", sigma=0.01)
    a = g.to_scipy()
    assert a[1, 2] == pytest.approx(MIN_WEIGHT, rel=1e-6)


def test_unweighted():
    x = np.random.default_rng(5).standard_normal((30, 3))
    g = knn_graph(x, k=3, weighting=None)
    assert not g.weighted and g.weights is None


# -------------------------------------------------- approximate neighbours
class _FakeNNDescent:
    """Stand-in for pynndescent.NNDescent: exact neighbours, with the quirks NN-descent may show."""

    calls: list = []

    def __init__(self, data, n_neighbors, metric, random_state, n_jobs, verbose):
        type(self).calls.append((data.dtype, n_neighbors, metric, random_state))
        d = np.sqrt(((data[:, None, :].astype(np.float64) - data[None, :, :]) ** 2).sum(-1))
        ind = np.argsort(d, axis=1, kind="stable")[:, :n_neighbors].astype(np.int32)
        ind = ind[:, ::-1].copy()  # candidates need not come sorted
        ind[0] = np.argsort(d[0], kind="stable")[1 : n_neighbors + 1]  # row 0: self not returned
        ind[1, 2:] = -1  # row 1: two slots filled, with its 2k-th and (2k-1)-th nearest other rows
        ind[2, 1:] = ind[2, 0]  # row 2: its farthest candidate repeated in every slot
        self.neighbor_graph = (ind, np.zeros(ind.shape, dtype=np.float32))  # distances are recomputed


def test_approximate_path_with_stub(monkeypatch):
    _FakeNNDescent.calls = []
    monkeypatch.setitem(sys.modules, "pynndescent", types.SimpleNamespace(NNDescent=_FakeNNDescent))
    x = np.random.default_rng(6).standard_normal((80, 4))
    k = 4
    approx = knn_graph(x, k=k, metric="euclidean", exact=False, directed=True, seed=7, weighting="similarity")
    exact = knn_graph(x, k=k, metric="euclidean", exact=True, directed=True, weighting="similarity")
    assert _FakeNNDescent.calls == [(np.float32, 2 * k + 1, "euclidean", 7)]  # oversampled candidates
    assert approx.to_scipy().diagonal().sum() == 0
    assert approx.degrees[1] == 2  # unfilled (-1) slots are dropped, nothing padded
    assert approx.degrees[2] == 1  # a repeated candidate counts once
    assert np.all(np.delete(approx.degrees, [1, 2]) == k)
    assert recall(approx, exact) == pytest.approx(1 - 2 * k / (80 * k))  # rows 1 and 2 found none of their true k
    # distances recomputed exactly (the stub returns zeros): weights agree with the exact graph
    ea, aa = exact.to_scipy(), approx.to_scipy()
    common = (ea.multiply(aa) > 0).tocoo()
    np.testing.assert_allclose(aa[common.row, common.col], ea[common.row, common.col], rtol=1e-6)


def test_auto_switches_to_approximate_above_threshold(monkeypatch):
    _FakeNNDescent.calls = []
    monkeypatch.setitem(sys.modules, "pynndescent", types.SimpleNamespace(NNDescent=_FakeNNDescent))
    monkeypatch.setattr(knn_module, "EXACT_MAX_NODES", 50)
    knn_graph(np.random.default_rng(7).standard_normal((40, 3)), k=3, seed=1)
    assert _FakeNNDescent.calls == []
    knn_graph(np.random.default_rng(7).standard_normal((60, 3)), k=3, seed=1)
    assert len(_FakeNNDescent.calls) == 1


def test_missing_pynndescent_falls_back_to_exact(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "pynndescent", None)  # import raises ImportError
    x = np.random.default_rng(8).standard_normal((50, 3))
    with caplog.at_level(logging.WARNING, logger="graphemb.graph.knn"):
        g = knn_graph(x, k=3, exact=False)
    assert any("pynndescent is not installed" in r.getMessage() for r in caplog.records)
    assert edge_set(g) == edge_set(knn_graph(x, k=3, exact=True))


@pytest.mark.slow
@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_pynndescent_recall(metric):
    # pynndescent compiles for 40-110 s on first use in a process, hence slow
    pytest.importorskip("pynndescent")
    x = np.random.default_rng(9).standard_normal((3000, 20)).astype(np.float32)
    approx = knn_graph(x, k=10, metric=metric, exact=False, directed=True, seed=0)
    exact = knn_graph(x, k=10, metric=metric, exact=True, directed=True)
    assert recall(approx, exact) >= 0.9
    assert np.all(approx.degrees <= 10) and approx.to_scipy().diagonal().sum() == 0


# ------------------------------------------------------------ epsilon graph
def test_epsilon_graph_hand_checkable():
    x = np.array([[0.0], [1.0], [3.0], [3.5]])
    g = epsilon_graph(x, radius=1.5)
    assert edge_set(g) == {(0, 1), (1, 0), (2, 3), (3, 2)}
    a = g.to_scipy()
    assert a[0, 1] == pytest.approx(1 / 2) and a[2, 3] == pytest.approx(1 / 1.5)
    g2 = epsilon_graph(x, radius=2.0, weighting="gaussian", sigma=1.0)
    b = g2.to_scipy()
    assert edge_set(g2) == {(0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (3, 2)}
    assert b[1, 2] == pytest.approx(np.exp(-4.0), rel=1e-6)


def test_epsilon_graph_cosine_and_isolated_nodes(caplog):
    x = np.array([[1.0, 0.0], [1.0, 0.1], [0.0, 1.0]])
    with caplog.at_level(logging.WARNING, logger="graphemb.graph.knn"):
        g = epsilon_graph(x, radius=0.1, metric="cosine", weighting=None, nodes=["p", "q", "r"])
    assert g.num_nodes == 3 and g.num_edges == 1 and g.neighbors("r") == []
    assert any("1 isolated" in r.getMessage() for r in caplog.records)


# ----------------------------------------------------- similarity matrices
def test_from_similarity_matrix_dense_and_sparse():
    S = np.array(
        [
            [1.0, 0.9, 0.1, 0.0],
            [0.9, 1.0, 0.4, 0.0],
            [0.1, 0.4, 1.0, 0.3],
            [0.0, 0.0, 0.3, 1.0],
        ]
    )
    for mat in (S, sp.csr_array(S), sp.coo_matrix(S)):
        g = from_similarity_matrix(mat, threshold=0.2)
        assert edge_set(g) == {(0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (3, 2)}  # diagonal dropped
        a = g.to_scipy()
        assert a[1, 2] == pytest.approx(0.4) and a[2, 3] == pytest.approx(0.3)
    g0 = from_similarity_matrix(S)  # threshold 0: every positive off-diagonal entry
    assert g0.num_edges == 4
    gu = from_similarity_matrix(S, threshold=0.2, weighted=False, nodes="wxyz")
    assert not gu.weighted and gu.neighbors("x") == ["w", "y"]


def test_from_similarity_matrix_tolerates_rounding_and_symmetrises():
    rng = np.random.default_rng(10)
    x = rng.random((20, 3))
    S = x @ x.T
    S[0, 1] *= 1 + 1e-9
    g = from_similarity_matrix(S, threshold=0.5)
    a = g.to_scipy()
    assert abs(a - a.T).max() == 0


# --------------------------------------------------------------- embedding
def test_embedding_separates_blobs():
    x, y = blobs(n_per=30, seed=11)
    g = knn_graph(x, k=5, metric="euclidean")
    emb = (
        graphemb.Node2Vec(
            dimensions=16, walk_length=20, num_walks=10, window=5, epochs=5, workers=1, seed=0, verbose=False
        )
        .fit(g)
        .embedding_
    )
    v = emb.vectors - emb.vectors.mean(axis=0)  # SGNS vectors share a common direction; compare around the mean
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    cos = v @ v.T
    same = y[:, None] == y[None, :]
    off = ~np.eye(len(y), dtype=bool)
    assert cos[same & off].mean() > cos[~same].mean() + 0.5
    # nearest other node in the embedding is always in the same blob
    np.fill_diagonal(cos, -np.inf)
    assert np.all(y[np.argmax(cos, axis=1)] == y)


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"k": 10}, r"'k' parameter of knn_graph must be an int in \[1, 9\].*Got 10"),
        ({"k": 0}, r"'k' parameter of knn_graph must be an int in \[1, 9\].*Got 0"),
        ({"k": 2.5}, r"'k' parameter"),
        ({"metric": "hamming"}, r"'metric' parameter of knn_graph must be one of"),
        ({"weighting": "heat"}, r"'weighting' parameter of knn_graph must be one of"),
        ({"sigma": 0.0}, r"'sigma' parameter of knn_graph must be a finite float > 0"),
        ({"mutual": True, "directed": True}, r"'mutual' parameter of knn_graph applies to undirected"),
        ({"exact": "yes"}, r"'exact' parameter of knn_graph must be a bool"),
        ({"nodes": [1, 2]}, r"'nodes' parameter of knn_graph must hold one id per row of features \(10\)"),
        ({"nodes": [0] * 10}, r"distinct ids"),
        ({"n_jobs": 0}, r"'n_jobs' parameter"),
        ({"seed": -1}, r"'seed' parameter"),
    ],
)
def test_knn_parameter_errors(kwargs, match):
    x = np.random.default_rng(12).standard_normal((10, 3))
    with pytest.raises(ValueError, match=match):
        knn_graph(x, **{"k": 2, **kwargs})


@pytest.mark.parametrize("check_elements", [1 << 22, 3, 7])  # one block; one row per block; 2-row blocks
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_features(bad, check_elements, monkeypatch):
    monkeypatch.setattr(knn_module, "_CHECK_ELEMENTS", check_elements)
    x = np.ones((5, 3))
    x[3, 2] = bad
    with pytest.raises(ValueError, match=r"must be finite; row 3, column 2"):
        knn_graph(x, k=2)
    with pytest.raises(ValueError, match=r"must be finite; row 3, column 2"):
        epsilon_graph(x, radius=1.0)


def test_zero_vector_under_cosine_names_the_row():
    x = np.random.default_rng(13).standard_normal((6, 3))
    x[4] = 0.0
    x[5] = 0.0
    with pytest.raises(ValueError, match=r"Row 4 of the 'features' parameter of knn_graph is a zero vector"):
        knn_graph(x, k=2, metric="cosine")
    assert knn_graph(x, k=2, metric="euclidean").num_nodes == 6  # fine under euclidean
    with pytest.raises(ValueError, match=r"Row 4 .*\(2 zero row\(s\) in all\)"):
        knn_graph(x, k=2, metric="cosine")


@pytest.mark.parametrize(
    "features, exc, match",
    [
        (np.ones(5), ValueError, r"must be a 2-D array"),
        (np.ones((1, 3)), ValueError, r"at least 2 rows"),
        (np.array([["a", "b"], ["c", "d"]]), ValueError, r"numeric array"),
        (sp.csr_array(np.eye(3)), TypeError, r"dense array"),
    ],
)
def test_bad_features(features, exc, match):
    with pytest.raises(exc, match=match):
        knn_graph(features, k=1)


def test_epsilon_errors():
    x = np.random.default_rng(14).standard_normal((5, 2))
    with pytest.raises(ValueError, match=r"'radius' parameter of epsilon_graph must be a finite float > 0"):
        epsilon_graph(x, radius=0.0)
    with pytest.raises(ValueError, match=r"'metric' parameter of epsilon_graph"):
        epsilon_graph(x, radius=1.0, metric="chebyshev")


def test_similarity_matrix_errors():
    S = np.array([[1.0, 0.9, 0.0], [0.2, 1.0, 0.5], [0.0, 0.5, 1.0]])
    with pytest.raises(ValueError, match=r"must be symmetric: S\[0, 1\] = 0.9 but S\[1, 0\] = 0.2"):
        from_similarity_matrix(S)
    with pytest.raises(ValueError, match=r"must be symmetric"):
        from_similarity_matrix(sp.csr_array(S))
    with pytest.raises(ValueError, match=r"square"):
        from_similarity_matrix(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"S\[1, 1\] is nan"):
        from_similarity_matrix(np.array([[1.0, 0.5], [0.5, np.nan]]))
    with pytest.raises(
        ValueError,
        match=r"'threshold' parameter of from_similarity_matrix must be a finite float >= 0",
    ):
        from_similarity_matrix(np.eye(2), threshold=-0.5)


def test_connected_components_directed_is_weak():
    x = np.array([[0.0], [1.0], [3.0], [7.0]])
    g = knn_graph(x, k=1, metric="euclidean", directed=True)
    assert connected_components(g)[0] == 1
    with pytest.raises(TypeError, match="CSRGraph"):
        connected_components(np.eye(3))


# ------------------------------------------------------------------ example
def test_image_graph_example_quick(tmp_path):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "examples" / "image_graph.py"
    spec = importlib.util.spec_from_file_location("image_graph_example", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table = module.main(["--quick", "--workers", "1", "--output", str(tmp_path)])
    assert (tmp_path / "digits_node2vec.png").stat().st_size > 0
    acc = dict(zip(table["method"].str.split().str[0], table["accuracy"], strict=True))
    assert set(acc) == {"logistic", "spectral", "graphemb"}
    assert acc["logistic"] > 0.9 and acc["graphemb"] > 0.8  # full run (no --quick): ~0.98, see docs/image-graphs.md
