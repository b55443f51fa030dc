"""Tests for graphemb.datasets: benchmark loaders (tsv and .mat layouts), errors, built-in graphs."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.io
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from graphemb import datasets
from graphemb.datasets import (
    DatasetNotFoundError,
    get_data_home,
    load_blogcatalog,
    load_karate,
    load_les_miserables,
    load_ppi,
    load_wikipedia,
    make_planted_partition,
    make_sbm,
    read_labels,
)


@pytest.fixture
def isolated_env(tmp_path, monkeypatch):
    """Empty data home and cache, so nothing is found unless a test puts it there."""
    (tmp_path / "data").mkdir()
    (tmp_path / "cache").mkdir()
    monkeypatch.setenv("GRAPHEMB_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("GRAPHEMB_CACHE", str(tmp_path / "cache"))
    return tmp_path


def write_mat(path):
    """5-node network (triangle 0-1-2, edge 3-4, self-loop on 4) and 3 labels."""
    a = np.zeros((5, 5))
    for u, v in [(0, 1), (1, 2), (0, 2), (3, 4)]:
        a[u, v] = a[v, u] = 1
    a[4, 4] = 1
    group = np.zeros((5, 3))
    group[0, 0] = group[1, 0] = group[1, 2] = group[3, 1] = 1  # node 3 (id 3) unlabelled
    group[4, 2] = 1
    scipy.io.savemat(path, {"network": sp.csc_matrix(a), "group": sp.csc_matrix(group)})


def check_small_mat(graph, labels):
    assert graph.nodes == [1, 2, 3, 4, 5]
    assert not graph.directed and graph.num_edges == 5
    assert graph.has_edge(1, 2) and graph.has_edge(4, 5) and graph.has_edge(5, 5) and not graph.has_edge(3, 4)
    assert labels == {1: [1], 2: [1, 3], 4: [2], 5: [3]}


# --------------------------------------------------------------- .mat files
def test_mat_file_from_path_folder_data_home_and_cache(isolated_env, monkeypatch):
    tmp = isolated_env
    write_mat(tmp / "Homo_sapiens.mat")
    check_small_mat(*load_ppi(path=tmp / "Homo_sapiens.mat"))
    check_small_mat(*load_ppi(path=tmp))  # folder holding the authors' file name
    (tmp / "data" / "wikipedia").mkdir()
    write_mat(tmp / "data" / "wikipedia" / "POS.mat")
    check_small_mat(*load_wikipedia(download=False))  # $GRAPHEMB_DATA/<name>/
    write_mat(tmp / "cache" / "blogcatalog.mat")
    monkeypatch.setattr(datasets, "_download", lambda *a: pytest.fail("must not download when cached"))
    check_small_mat(*load_blogcatalog())  # cache hit


def test_mat_without_expected_variables(tmp_path):
    scipy.io.savemat(tmp_path / "x.mat", {"adjacency": sp.csc_matrix(np.eye(2))})
    with pytest.raises(ValueError, match="'network' and 'group'"):
        load_ppi(path=tmp_path / "x.mat")


def test_download_is_used_and_its_file_loaded(isolated_env, monkeypatch):
    calls = []

    def fake_download(url, fname, cache):
        calls.append((url, fname))
        write_mat(cache / fname)
        return cache / fname

    monkeypatch.setattr(datasets, "_download", fake_download)
    check_small_mat(*load_ppi())
    assert calls == [("https://snap.stanford.edu/node2vec/Homo_sapiens.mat", "Homo_sapiens.mat")]


# ------------------------------------------------------------------- errors
def test_no_copy_and_no_download_says_what_to_do(isolated_env, monkeypatch):
    with pytest.raises(DatasetNotFoundError) as info:
        load_ppi(download=False)
    msg = str(info.value)
    for part in ("GRAPHEMB_DATA", "path=", "https://snap.stanford.edu/node2vec/Homo_sapiens.mat", "download=False"):
        assert part in msg
    assert str(isolated_env / "cache") in msg

    def offline(*args):
        raise OSError("Name or service not known")

    monkeypatch.setattr(datasets, "_download", offline)
    with pytest.raises(DatasetNotFoundError, match="download failed: OSError: Name or service not known"):
        load_blogcatalog()
    with pytest.raises(DatasetNotFoundError, match="neither edges.tsv"):
        load_wikipedia(path=isolated_env / "nowhere")


# -------------------------------------------------------------- tsv layout
def test_tsv_folder_layout(tmp_path):
    (tmp_path / "edges.tsv").write_text("# comment\n1\t2\n2\t3\n\n3\t1\n4\t4\n2\t1\n")
    (tmp_path / "labels.tsv").write_text("1\t7\n2\t7\n2\t8\n6\t8\n")  # node 6 only in labels: isolated
    graph, labels = load_ppi(path=tmp_path)
    assert graph.nodes == [1, 2, 3, 4, 6]
    assert graph.num_edges == 4  # 1-2 listed twice, self-loop 4-4 kept
    assert graph.degrees.tolist() == [2, 2, 2, 1, 0]
    assert labels == {1: [7], 2: [7, 8], 6: [8]}


def test_read_labels_formats_and_errors(tmp_path):
    f = tmp_path / "labels.txt"
    f.write_text("node\tlabel\r\n# c\r\na\tx\ty\r\nb\tz\r\na\tx\r\n")
    assert read_labels(f) == {"a": ["x", "y"], "b": ["z"]}
    f.write_text("1 3\n2 4\n")
    assert read_labels(f) == {1: [3], 2: [4]}
    f.write_text("1\t3\n2\n")
    with pytest.raises(ValueError, match=r"labels.txt:2: expected 'node<TAB>label', got '2'"):
        read_labels(f)


# ---------------------------------------------------- shared benchmark copies
SHARED = get_data_home()


@pytest.mark.skipif(not (SHARED / "ppi" / "edges.tsv").is_file(), reason="shared PPI copy absent")
def test_shared_ppi(monkeypatch):
    monkeypatch.delenv("GRAPHEMB_DATA", raising=False)
    graph, labels = load_ppi(path=SHARED / "ppi")
    assert graph.num_nodes == 3852 and graph.num_edges == 38705 and not graph.directed
    assert len(labels) == 3852
    assert {lab for labs in labels.values() for lab in labs} == set(range(1, 51))
    assert all(isinstance(v, int) for v in graph.nodes[:5]) and graph.nodes[0] == 1


@pytest.mark.skipif(not (SHARED / "blogcatalog" / "edges.tsv").is_file(), reason="shared BlogCatalog copy absent")
def test_shared_blogcatalog():
    graph, labels = load_blogcatalog(download=False)
    assert graph.num_nodes == 10312 and graph.num_edges == 333983
    assert len(labels) == 10309 and sum(map(len, labels.values())) == 14468
    assert connected_components(graph.to_scipy())[0] == 1


# ----------------------------------------------------------------- built-ins
def test_karate_and_les_miserables():
    graph, labels = load_karate()
    assert graph.num_nodes == 34 and graph.num_edges == 78 and not graph.weighted
    assert sorted(set(labels.values())) == ["Mr. Hi", "Officer"]
    assert sum(v == "Mr. Hi" for v in labels.values()) == 17
    assert labels[0] == "Mr. Hi" and labels[33] == "Officer"
    graph, labels = load_les_miserables()
    assert labels is None
    assert graph.num_nodes == 77 and graph.num_edges == 254 and graph.weighted
    assert "Valjean" in graph.nodes


def test_sbm_structure_and_reproducibility():
    graph, labels = make_sbm([5, 7], [[1.0, 0.0], [0.0, 1.0]], seed=0)
    assert graph.num_edges == 10 + 21  # two cliques
    assert connected_components(graph.to_scipy())[0] == 2
    assert [labels[i] for i in range(12)] == [0] * 5 + [1] * 7
    a, _ = make_planted_partition(n_blocks=3, block_size=40, p_in=0.2, p_out=0.01, seed=4)
    b, _ = make_planted_partition(n_blocks=3, block_size=40, p_in=0.2, p_out=0.01, seed=4)
    c, _ = make_planted_partition(n_blocks=3, block_size=40, p_in=0.2, p_out=0.01, seed=5)
    np.testing.assert_array_equal(a.indices, b.indices)
    assert not np.array_equal(a.indptr, c.indptr)


def test_planted_partition_densities():
    graph, labels = make_planted_partition(n_blocks=2, block_size=200, p_in=0.1, p_out=0.02, seed=1)
    adj = graph.to_scipy().tocoo()
    block = np.array([labels[i] for i in range(400)])
    same = block[adj.row] == block[adj.col]
    inside = same.sum() / 2 / (2 * 200 * 199 / 2)
    across = (~same).sum() / 2 / (200 * 200)
    # binomial standard errors are about 0.0015 and 0.0007: 5-sigma bands
    assert abs(inside - 0.1) < 0.0075
    assert abs(across - 0.02) < 0.0035
    assert not np.any(adj.row == adj.col)


def test_generator_parameter_errors():
    with pytest.raises(ValueError, match="'p' parameter of make_sbm"):
        make_sbm([3, 3], [[0.5, 0.1], [0.2, 0.5]])
    with pytest.raises(ValueError, match="'sizes' parameter of make_sbm"):
        make_sbm([3, 0], [[0.5, 0.1], [0.1, 0.5]])
    with pytest.raises(ValueError, match="'p_in' parameter of make_planted_partition"):
        make_planted_partition(p_in=1.5)


def test_digits_graph():
    try:
        graph, labels = datasets.load_digits_graph(k=5)
    except ImportError:
        pytest.skip("graphemb.graph.knn_graph not available yet")
    assert graph.num_nodes == 1797 and len(labels) == 1797
    assert set(labels.values()) == set(range(10))
