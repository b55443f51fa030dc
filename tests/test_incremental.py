"""Incremental updates (issue 16): model.update / infer / save-load, SGNS.update, the row-scale kernel."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from graphemb import Embedding
from graphemb.cli import main
from graphemb.datasets import make_planted_partition
from graphemb.graph.csr import CSRGraph
from graphemb.incremental import diff_graphs, estimate_node_counts, neighbour_mean_init
from graphemb.models import DeepWalk, Node2Vec, load_model
from graphemb.sgns import SGNS, _kernels

SMALL = dict(dimensions=16, walk_length=20, num_walks=10, window=5, workers=1, seed=0, verbose=False)


def induced(graph: CSRGraph, keep: np.ndarray) -> CSRGraph:
    a = graph.to_scipy()[keep][:, keep].tocsr()
    return CSRGraph(a.indptr, a.indices, None, nodes=[graph.nodes[i] for i in keep.tolist()], directed=graph.directed)


@pytest.fixture(scope="module")
def planted():
    graph, labels = make_planted_partition(n_blocks=4, block_size=40, p_in=0.25, p_out=0.01, seed=3)
    rng = np.random.default_rng(0)
    held = np.sort(rng.choice(graph.num_nodes, 16, replace=False))
    keep = np.setdiff1d(np.arange(graph.num_nodes), held)
    old = induced(graph, keep)
    model = DeepWalk(**SMALL).fit(old)
    return graph, labels, held.tolist(), old, model


def fitted_copy(planted):
    import copy

    return copy.deepcopy(planted[4])


# ------------------------------------------------------------ the kernel
def naive_scaled_pair(syn0, syn1, c, outs, valid, lr, scale):
    """word2vec's SGNS step in float64 with row ``r``'s learning rate times ``scale[r]`` (no table lookups)."""
    syn0 = syn0.astype(np.float64)
    syn1 = syn1.astype(np.float64)
    x = syn0[c].copy()
    neu1e = np.zeros_like(x)
    for k, o in enumerate(outs):
        if k > 0 and not valid[k]:
            continue
        f = float(x @ syn1[o])
        label = 1.0 if k == 0 else 0.0
        g = (label - 1.0 / (1.0 + np.exp(-f))) * lr
        neu1e += g * syn1[o]
        syn1[o] += g * scale[o] * x
    syn0[c] += scale[c] * neu1e
    return syn0, syn1


def test_row_scale_kernel_matches_the_naive_step():
    rng = np.random.default_rng(1)
    n, d = 7, 8
    syn0 = (rng.random((n, d), dtype=np.float32) - 0.5) * 0.5
    syn1 = (rng.random((n, d), dtype=np.float32) - 0.5) * 0.5
    outs = np.array([2, 4, 5, 6], dtype=np.int64)  # distinct rows: the step order does not matter
    valid = np.array([True, True, False, True])
    scale = np.array([0.0, 0.5, 1.0, 0.0, 0.25, 1.0, 0.0], dtype=np.float32)
    tables = _kernels.sigmoid_tables()
    a0, a1 = syn0.copy(), syn1.copy()
    coef = np.empty((1, 4), np.float32)
    neu1e = np.empty((1, d), np.float32)
    _kernels._train_pair_scaled(a0, a1, 1, outs, valid, coef, neu1e, tables, np.float32(0.05), scale)
    r0, r1 = naive_scaled_pair(syn0, syn1, 1, outs, valid, 0.05, scale)
    # the kernel's sigmoid comes from a 1000-bin table: agreement to its resolution
    np.testing.assert_allclose(a0, r0, atol=2e-4)
    np.testing.assert_allclose(a1, r1, atol=2e-4)
    # rows with scale 0 are not written at all: bit-identical
    for row in (3, 6):  # rows 3 and 6: scale 0 (6 is an output of this pair)
        assert a1[row].tobytes() == syn1[row].tobytes() and a0[row].tobytes() == syn0[row].tobytes()
    assert a1[5].tobytes() == syn1[5].tobytes()  # an invalid slot is not updated


def test_row_scale_of_zero_everywhere_skips_the_pair():
    rng = np.random.default_rng(2)
    syn0 = rng.random((4, 8), dtype=np.float32)
    syn1 = rng.random((4, 8), dtype=np.float32)
    b0, b1 = syn0.copy(), syn1.copy()
    loss = _kernels._train_pair_scaled(
        syn0, syn1, 0, np.array([1, 2], np.int64), np.array([True, True]), np.empty((1, 2), np.float32),
        np.empty((1, 8), np.float32), _kernels.sigmoid_tables(), np.float32(0.1), np.zeros(4, np.float32),
    )  # fmt: skip
    assert loss == 0.0 and np.array_equal(syn0, b0) and np.array_equal(syn1, b1)


def test_row_scale_of_ones_equals_the_unscaled_trainer():
    from graphemb.sgns.trainer import _train_rows

    walks = np.random.default_rng(3).integers(0, 12, size=(30, 15))
    base = SGNS(dimensions=8, window=3, workers=1, seed=5, verbose=False, sample=0.0).fit(walks[:1], num_nodes=12)
    p = base._check_params()
    counts = np.bincount(walks.ravel(), minlength=12).astype(np.float64)
    start0, start1 = base.input_vectors_, base.output_vectors_ + 0.01
    a0, a1 = start0.copy(), start1.copy()
    _train_rows(walks, a0, a1, counts, np.ones(12, np.float32), p, p["kernel_seed"], "test")
    b0, b1 = start0.copy(), start1.copy()
    _train_rows(walks, b0, b1, counts, np.zeros(0, np.float32), p, p["kernel_seed"], "test")  # unscaled path
    assert not np.allclose(b0, start0)  # it trained
    np.testing.assert_allclose(a0, b0, atol=1e-5)  # same steps; only the summation order of four rows differs
    np.testing.assert_allclose(a1, b1, atol=1e-5)


# --------------------------------------------------------- graph steps
def test_neighbour_mean_fills_chains_and_reports_the_unreachable():
    # old: 0 - 1; new: 2 (next to 0 and 1), 3 (next to 2 only), 4 (isolated), 5 - 6 (only each other)
    edges = [(0, 1), (0, 2), (1, 2), (2, 3), (5, 6)]
    g = nx.Graph(edges)
    g.add_node(4)
    grown = CSRGraph.from_networkx(g)
    old = CSRGraph.from_networkx(nx.Graph([(0, 1)]))
    diff = diff_graphs(old, grown)
    vec = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)
    init, placed, rounds = neighbour_mean_init(diff.graph, vec, 2)
    rows = {v: i - 2 for i, v in enumerate(diff.graph.nodes) if i >= 2}
    np.testing.assert_allclose(init[rows[2]], [0.5, 0.5])
    np.testing.assert_allclose(init[rows[3]], [0.5, 0.5])  # filled in round 2 from node 2
    assert rounds == 2
    assert not placed[rows[4]] and not placed[rows[5]] and not placed[rows[6]]
    assert diff.changed_rows.tolist() == [0, 1]


def test_diff_finds_changed_old_rows_and_keeps_the_model_order():
    old = CSRGraph.from_networkx(nx.Graph([("a", "b"), ("b", "c"), ("c", "d")]))
    grown_nx = nx.Graph([("x", "a"), ("c", "d"), ("a", "b"), ("a", "c")])  # b-c removed, a-c added, x new
    grown = CSRGraph.from_networkx(grown_nx)
    diff = diff_graphs(old, grown)
    assert diff.graph.nodes == ["a", "b", "c", "d", "x"]
    assert [old.nodes[i] for i in diff.changed_rows.tolist()] == ["a", "b", "c"]
    assert diff.graph.has_edge("x", "a") and not diff.graph.has_edge("b", "c")


def test_estimated_counts_follow_the_walk_corpus(planted):
    from graphemb.walks import random_walks

    graph, _, _, old, model = planted
    same = estimate_node_counts(old, model.node_counts_, old, old.num_nodes, 20, 10)
    np.testing.assert_allclose(same, model.node_counts_)  # nothing changed: the fitted counts exactly
    diff = diff_graphs(old, graph)
    counts = estimate_node_counts(old, model.node_counts_, diff.graph, old.num_nodes, 20, 10)
    truth = random_walks(diff.graph, 20, 10, seed=1, verbose=False).node_counts(graph.num_nodes)
    assert counts.shape == (graph.num_nodes,) and counts.min() >= 10
    new = slice(old.num_nodes, None)
    assert np.corrcoef(counts[new], truth[new])[0, 1] > 0.8
    assert abs(counts[new].sum() / truth[new].sum() - 1) < 0.1


# ------------------------------------------------------------ the model
def test_default_update_keeps_old_rows_bit_identical(planted):
    graph, _, held, old, _ = planted
    model = fitted_copy(planted)
    before_in = model.embedding_.vectors.copy()
    before_out = model.output_vectors_.copy()
    report = model.update(graph)
    n_old = old.num_nodes
    assert model.embedding_.vectors[:n_old].tobytes() == before_in.tobytes()
    assert model.output_vectors_[:n_old].tobytes() == before_out.tobytes()
    assert model.embedding_.nodes[:n_old] == old.nodes
    assert sorted(report.new_nodes) == sorted(held) and report.drift == 1.0
    assert report.walks == 160 * len(held) and report.tokens > 0 and not report.unplaced
    assert not report.retrain_recommended
    assert model.updates_ == 1 and model.graph_.num_nodes == graph.num_nodes


def test_update_places_new_nodes_in_their_blocks(planted):
    from sklearn.linear_model import LogisticRegression

    graph, labels, held, old, _ = planted
    model = fitted_copy(planted)
    clf = LogisticRegression(max_iter=2000).fit(model.embedding_.vectors, [labels[v] for v in old.nodes])
    model.update(graph)
    accuracy = clf.score(model.embedding_.get_vectors(held), [labels[v] for v in held])
    assert accuracy >= 0.9  # chance is 0.25
    # a full retrain's vectors are another rotation: the old classifier does not transfer
    fresh = DeepWalk(**{**SMALL, "seed": 7}).fit(graph)
    assert clf.score(fresh.embedding_.get_vectors(held), [labels[v] for v in held]) < accuracy


def test_infer_gives_the_update_vectors_and_leaves_the_model(planted):
    graph, _, held, _, _ = planted
    model = fitted_copy(planted)
    before = model.embedding_.vectors.copy()
    inferred = model.infer(held, graph)
    assert np.array_equal(model.embedding_.vectors, before) and model.updates_ == 0
    model.update(graph)
    np.testing.assert_array_equal(inferred, model.embedding_.get_vectors(held))
    averaged = fitted_copy(planted).infer(held, graph, train=False)
    assert averaged.shape == (len(held), 16) and not np.array_equal(averaged, inferred)


def test_refresh_affected_moves_only_changed_rows(planted):
    graph, _, _, old, _ = planted
    model = fitted_copy(planted)
    before = model.embedding_.vectors.copy()
    diff = diff_graphs(old, graph)
    report = model.update(graph, refresh="affected", refresh_scale=0.1)
    after = model.embedding_.vectors[: old.num_nodes]
    moved = np.flatnonzero(np.any(after != before, axis=1))
    assert report.refreshed_nodes == diff.changed_rows.size
    assert set(moved.tolist()) <= set(diff.changed_rows.tolist()) and moved.size > 0
    assert 0.9 < report.drift < 1.0


def test_dropped_nodes_and_changed_ids_raise(planted):
    graph, _, _, old, _ = planted
    model = fitted_copy(planted)
    with pytest.raises(ValueError, match=r"lacks 1 of the model's .* nodes \(first: 0\)"):
        model.update(induced(graph, np.arange(1, graph.num_nodes)))
    with pytest.raises(ValueError, match=r"lacks \d+ of the model's"):  # fewer nodes than the model (regression)
        model.update(induced(graph, np.arange(10)))
    relabelled = CSRGraph(graph.indptr, graph.indices, None, nodes=[str(v) for v in graph.nodes])
    with pytest.raises(ValueError, match="ids are of type int but the graph's are str"):
        model.update(relabelled)
    directed = CSRGraph(graph.indptr, graph.indices, None, nodes=graph.nodes, directed=True)
    with pytest.raises(ValueError, match="directed"):
        model.update(directed)
    with pytest.raises(ValueError, match="refresh"):
        model.update(graph, refresh="everything")
    assert model.updates_ == 0
    with pytest.raises(ValueError, match="needs a fitted model"):
        DeepWalk(**SMALL).update(graph)


def test_update_after_save_and_load_equals_in_memory(planted, tmp_path):
    graph, _, held, _, _ = planted
    model = fitted_copy(planted)
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = DeepWalk.load(path)
    assert loaded.get_params() == model.get_params() and loaded.seed_ == model.seed_
    np.testing.assert_array_equal(loaded.output_vectors_, model.output_vectors_)
    model.update(graph)
    loaded.update(graph)
    assert loaded.embedding_.nodes == model.embedding_.nodes
    np.testing.assert_array_equal(loaded.embedding_.vectors, model.embedding_.vectors)
    np.testing.assert_array_equal(loaded.output_vectors_, model.output_vectors_)
    # the model file is an embedding file too; a vectors-only file is not a model
    np.testing.assert_array_equal(Embedding.load(path).vectors, planted[4].embedding_.vectors)
    with np.load(path, allow_pickle=False) as data:
        assert "model_json" in data.files
    plain = tmp_path / "plain.npz"
    model.embedding_.save(plain)
    with pytest.raises(ValueError, match="vectors only"):
        load_model(plain)
    with pytest.raises(ValueError, match="DeepWalk model, not a Node2Vec"):
        Node2Vec.load(path)
    # a second update of the saved-and-loaded updated model works and counts
    again = tmp_path / "updated.npz"
    loaded.save(again)
    assert load_model(again).updates_ == 1


def test_isolated_new_only_and_in_arc_only_nodes_are_reported():
    base = nx.gnm_random_graph(40, 160, seed=1, directed=True)
    old = CSRGraph.from_networkx(base)
    grown_nx = base.copy()
    grown_nx.add_node("iso")
    grown_nx.add_edges_from([("p", "q"), ("q", "p")])  # two new nodes linked only to each other
    grown_nx.add_edge(0, "sink")  # a new node with one in-arc and no out-arc
    grown_nx.add_edge("mid", 1)
    grown_nx.add_edge(2, "mid")
    model = DeepWalk(**SMALL).fit(old)
    report = model.update(CSRGraph.from_networkx(grown_nx))
    assert set(report.unplaced) == {"iso", "p", "q"}
    assert report.in_arcs_only == ["sink"]
    assert "sink" in model.embedding_ and np.all(np.isfinite(model.embedding_.vectors))
    assert report.retrain_recommended and "3 of 5 new nodes have no path" in report.advice


def test_large_change_recommends_a_retrain(planted):
    graph, _, _, _, _ = planted
    keep = np.arange(0, graph.num_nodes, 2)
    model = DeepWalk(**SMALL).fit(induced(graph, keep))
    report = model.update(graph)
    assert report.new_fraction == 0.5 and report.retrain_recommended and "max_new_fraction" in report.advice


def test_cli_update(tmp_path, capsys):
    g = nx.karate_club_graph()
    old_edges = tmp_path / "old.tsv"
    grown_edges = tmp_path / "grown.tsv"
    edges = [(u + 1, v + 1) for u, v in g.edges()]
    old_edges.write_text("".join(f"{u}\t{v}\n" for u, v in edges if u != 34 and v != 34))
    grown_edges.write_text("".join(f"{u}\t{v}\n" for u, v in edges))
    fast = ["--dimensions", "8", "--walk-length", "10", "--num-walks", "4", "--window-size", "3", "--workers", "1"]
    old_model, new_model = tmp_path / "old.npz", tmp_path / "new.npz"
    args = ["embed", "--input", str(old_edges), "--output", str(old_model), "--format", "npz", "--seed", "1"]
    assert main([*args, "--quiet", *fast]) == 0
    code = main(["update", "--model", str(old_model), "--input", str(grown_edges), "--output", str(new_model)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "1 new nodes" in err and "cosine to before 1.000000" in err
    before, after = Embedding.load(old_model), load_model(new_model)
    assert after.embedding_.nodes[-1] == 34 and len(after.embedding_) == 34
    np.testing.assert_array_equal(after.embedding_.get_vectors(before.nodes), before.vectors)
    # a vectors-only file, or a graph that lost a node: one-line errors, exit 2
    plain = tmp_path / "plain.npz"
    before.save(plain)
    assert main(["update", "--model", str(plain), "--input", str(grown_edges), "--output", str(new_model)]) == 2
    assert "vectors only" in capsys.readouterr().err
    code = main(["update", "--model", str(new_model), "--input", str(old_edges), "--output", str(tmp_path / "x.npz")])
    assert code == 2 and "lacks 1 of the model's 34 nodes" in capsys.readouterr().err
