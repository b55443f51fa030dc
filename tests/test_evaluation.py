"""Tests for graphemb.evaluation: node classification and link prediction protocols."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.stats import rankdata
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from graphemb.datasets import make_planted_partition
from graphemb.embedding import Embedding
from graphemb.evaluation import (
    EdgeSplit,
    edge_features,
    format_table,
    link_prediction,
    node_classification,
    normalize_labels,
    score_link_prediction,
    train_test_split_edges,
)
from graphemb.graph.csr import CSRGraph


# ----------------------------------------------------------------- helpers
def block_embedding(n_blocks=4, size=50, noise=0.15, seed=0):
    rng = np.random.default_rng(seed)
    blocks = np.repeat(np.arange(n_blocks), size)
    vec = np.eye(n_blocks)[blocks] + noise * rng.standard_normal((blocks.size, n_blocks))
    nodes = [f"n{i}" for i in range(blocks.size)]
    return Embedding(nodes, vec), {v: int(b) for v, b in zip(nodes, blocks, strict=True)}


def graph_from_nx(g):
    nodes = list(g)
    a = nx.to_scipy_sparse_array(g, nodelist=nodes, weight=None)
    return CSRGraph.from_scipy(a, directed=g.is_directed(), nodes=nodes, weighted=False)


def edge_set(graph):
    """Set of (u, v) index arcs of a CSRGraph."""
    rows = np.repeat(np.arange(graph.num_nodes), graph.degrees)
    return set(zip(rows.tolist(), graph.indices.tolist(), strict=True))


def total_degree(graph):
    a = graph.to_scipy()
    return np.diff(sp.csr_array(a + a.T).indptr) if graph.directed else graph.degrees


def n_components(graph):
    return connected_components(graph.to_scipy(), directed=graph.directed, connection="weak")[0]


# ------------------------------------------------------- node classification
def test_block_labels_are_recovered():
    emb, labels = block_embedding()
    df = node_classification(emb, labels, train_ratios=(0.2, 0.5), repeats=3, seed=1, verbose=False)
    assert list(df.columns) == ["train_ratio", "metric", "mean", "std", "repeats", "n_train", "n_test"]
    assert len(df) == 4
    assert df["mean"].min() > 0.97
    assert df.loc[df.train_ratio == 0.2, "n_train"].iloc[0] == 40
    assert df.loc[df.train_ratio == 0.2, "n_test"].iloc[0] == 160


def test_shuffled_labels_give_chance_level():
    emb, labels = block_embedding()
    values = np.random.default_rng(5).permutation(list(labels.values()))
    shuffled = dict(zip(labels, values.tolist(), strict=True))
    df = node_classification(emb, shuffled, train_ratios=0.5, repeats=5, seed=0, verbose=False)
    micro = df.loc[df.metric == "micro_f1", "mean"].iloc[0]
    assert 0.12 < micro < 0.40  # chance is 0.25 for 4 balanced blocks


def naive_multilabel_scores(vectors, y, train, test):
    """Straightforward reimplementation: one binary LR per label, loop top-k, F1 by counting."""
    c = y.shape[1]
    proba = np.zeros((len(test), c))
    for j in range(c):
        clf = LogisticRegression(solver="liblinear", C=1.0, random_state=0)
        clf.fit(vectors[train], y[train, j])
        proba[:, j] = clf.predict_proba(vectors[test])[:, 1]
    tp = np.zeros(c)
    fp = np.zeros(c)
    fn = np.zeros(c)
    for row, i in enumerate(test):
        truth = set(np.flatnonzero(y[i]).tolist())
        ranked = sorted(range(c), key=lambda j: (-proba[row, j], j))
        pred = set(ranked[: len(truth)])
        for j in range(c):
            tp[j] += (j in pred) and (j in truth)
            fp[j] += (j in pred) and (j not in truth)
            fn[j] += (j not in pred) and (j in truth)
    micro = 2 * tp.sum() / (2 * tp.sum() + fp.sum() + fn.sum())
    per = [2 * tp[j] / (2 * tp[j] + fp[j] + fn[j]) if (2 * tp[j] + fp[j] + fn[j]) else 0.0 for j in range(c)]
    return micro, float(np.mean(per))


def test_multilabel_top_k_matches_naive_implementation():
    rng = np.random.default_rng(3)
    n, d, c = 80, 6, 4
    vectors = rng.standard_normal((n, d))
    y = np.zeros((n, c), dtype=int)
    for i in range(n):
        k = rng.integers(1, 3)
        y[i, rng.choice(c, size=k, replace=False)] = 1
        y[i, 0] = 1 if vectors[i, 0] > 0 else y[i, 0]  # some signal
    nodes = list(range(100, 100 + n))
    emb = Embedding(nodes, vectors)
    labels = {v: [j for j in range(c) if y[i, j]] for i, v in enumerate(nodes)}
    df = node_classification(emb, labels, train_ratios=(0.5, 0.7), repeats=2, seed=7, verbose=False)
    vec32 = emb.vectors  # the evaluator sees float32 vectors
    for t in (0.5, 0.7):
        n_train = int(round(t * n))
        micro, macro = [], []
        for r in range(2):
            perm = np.random.default_rng(np.random.SeedSequence([7, r])).permutation(n)
            mi, ma = naive_multilabel_scores(vec32, y, perm[:n_train], perm[n_train:])
            micro.append(mi)
            macro.append(ma)
        got = df.set_index(["train_ratio", "metric"])["mean"]
        assert got[(t, "micro_f1")] == pytest.approx(np.mean(micro), abs=1e-12)
        assert got[(t, "macro_f1")] == pytest.approx(np.mean(macro), abs=1e-12)
        assert df.attrs["scores"][(t, "micro_f1")] == pytest.approx(micro, abs=1e-12)


def test_label_inputs_agree_and_seed_controls_splits():
    emb, labels = block_embedding(n_blocks=3, size=20, noise=1.0)
    kw = dict(train_ratios=0.5, repeats=2, seed=3, verbose=False)
    ref = node_classification(emb, labels, **kw)
    series = pd.Series(labels)
    frame = pd.DataFrame({"node": list(labels), "label": list(labels.values())})
    lists = {v: [lab] for v, lab in labels.items()}
    for other in (series, frame, lists):
        pd.testing.assert_frame_equal(node_classification(emb, other, **kw), ref)
    other_seed = node_classification(emb, labels, **{**kw, "seed": 4})
    assert not np.allclose(other_seed["mean"], ref["mean"])


def test_labels_file_and_unlabelled_nodes(tmp_path):
    emb = Embedding(range(1, 41), np.repeat(np.eye(2), 20, axis=0) + 0.05)
    f = tmp_path / "labels.tsv"
    lines = ["# comment", ""] + [f"{i}\t{(i - 1) // 20}" for i in range(1, 39)]  # nodes 39, 40 unlabelled
    f.write_text("\r\n".join(lines) + "\r\n")
    df = node_classification(emb, f, train_ratios=0.5, repeats=1, verbose=False)
    assert df["n_train"].iloc[0] + df["n_test"].iloc[0] == 38
    assert df["mean"].min() == 1.0
    assert normalize_labels({1: None, 2: [], 3: float("nan"), 4: "a"}) == {4: ["a"]}


def test_roc_auc_option_and_single_label_rule():
    emb, labels = block_embedding()
    df = node_classification(emb, labels, train_ratios=0.5, repeats=1, metrics=("micro_f1", "roc_auc"), verbose=False)
    assert set(df.metric) == {"micro_f1", "roc_auc"}
    assert df.loc[df.metric == "roc_auc", "mean"].iloc[0] > 0.99
    with pytest.raises(ValueError, match="multilabel"):
        node_classification(emb, {"n0": [0, 1], "n1": [1]}, multilabel=False, verbose=False)


def test_bad_labels_and_parameters_raise_clear_errors():
    emb, labels = block_embedding(n_blocks=2, size=10)
    with pytest.raises(ValueError, match="'ghost'"):
        node_classification(emb, {**labels, "ghost": 1}, verbose=False)
    int_emb = Embedding(list(range(20)), emb.vectors)
    with pytest.raises(ValueError, match="id types differ"):
        node_classification(int_emb, {str(i): i % 2 for i in range(20)}, verbose=False)
    with pytest.raises(ValueError, match="'train_ratios' parameter of node_classification"):
        node_classification(emb, labels, train_ratios=(0.5, 1.0), verbose=False)
    with pytest.raises(ValueError, match="'metrics'"):
        node_classification(emb, labels, metrics=("accuracy",), verbose=False)
    with pytest.raises(ValueError, match="'repeats'"):
        node_classification(emb, labels, repeats=0, verbose=False)
    with pytest.raises(ValueError, match="2 distinct labels"):
        node_classification(emb, dict.fromkeys(labels, "same"), verbose=False)
    with pytest.raises(TypeError, match="'labels'"):
        node_classification(emb, [1, 2, 3], verbose=False)
    with pytest.raises(TypeError, match="'embedding'"):
        node_classification(np.zeros((20, 2)), labels, verbose=False)


def test_format_table_shows_mean_and_std(capsys):
    emb, labels = block_embedding(n_blocks=2, size=10)
    df = node_classification(emb, labels, train_ratios=(0.3, 0.6), repeats=2, verbose=True)
    out = capsys.readouterr().out
    assert "train 0.3" in out and "train 0.6" in out and "micro_f1" in out and "±" in out
    assert format_table(df).splitlines()[0].split() == ["train", "0.3", "train", "0.6"]


# ------------------------------------------------------------ edge splits
@pytest.fixture(scope="module")
def connected_graph():
    g = nx.connected_watts_strogatz_graph(120, 6, 0.2, seed=2)
    g.add_edge(5, 5)  # a self-loop: never a candidate pair
    return graph_from_nx(g)


def check_split(graph, split, fraction):
    full = edge_set(graph)
    residual = edge_set(split.graph)
    n_loops = sum(u == v for u, v in full)
    m = (len(full) - n_loops) if graph.directed else (len(full) - n_loops) // 2
    n_test = int(round(fraction * m))
    assert split.test_pos.shape == (n_test, 2) and split.test_neg.shape == (n_test, 2)
    assert split.train_pos.shape == (m - n_test, 2) and split.train_neg.shape == (m - n_test, 2)
    assert split.graph.nodes == graph.nodes
    assert split.graph.num_edges == graph.num_edges - n_test
    for u, v in split.test_pos.tolist():
        assert (u, v) in full and (u, v) not in residual
        if not graph.directed:
            assert (v, u) not in residual
    for u, v in split.train_pos.tolist():
        assert (u, v) in residual
    negs = np.concatenate([split.train_neg, split.test_neg])
    assert len({tuple(p) for p in negs.tolist()}) == len(negs)  # distinct, train/test disjoint
    for u, v in negs.tolist():
        assert u != v and (u, v) not in full
        if not graph.directed:
            assert u < v and (v, u) not in full
    assert all(u != v for u, v in np.concatenate([split.train_pos, split.test_pos]).tolist())
    assert n_components(split.graph) == n_components(graph)
    assert np.all(total_degree(split.graph)[total_degree(graph) > 0] > 0)  # nobody isolated by the split


def test_split_keeps_graph_connected_and_has_no_leak(connected_graph):
    split = train_test_split_edges(connected_graph, test_fraction=0.5, seed=0)
    assert isinstance(split, EdgeSplit)
    check_split(connected_graph, split, 0.5)
    assert split.graph.has_edge(5, 5)  # self-loops stay in the residual graph


def test_split_is_reproducible_and_seeded(connected_graph):
    a = train_test_split_edges(connected_graph, test_fraction=0.3, seed=11)
    b = train_test_split_edges(connected_graph, test_fraction=0.3, seed=11)
    c = train_test_split_edges(connected_graph, test_fraction=0.3, seed=12)
    for name in ("train_pos", "train_neg", "test_pos", "test_neg"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.test_pos, c.test_pos)
    np.testing.assert_array_equal(a.graph.indices, b.graph.indices)
    assert a.to_ids(a.test_pos[:1])[0] == tuple(connected_graph.nodes[i] for i in a.test_pos[0])


def test_split_preserves_components_of_disconnected_graph():
    g = nx.disjoint_union(nx.cycle_graph(10), nx.complete_graph(6))
    g.add_node(99)  # isolated node stays, without pairs
    graph = graph_from_nx(g)
    split = train_test_split_edges(graph, test_fraction=0.2, seed=4)
    check_split(graph, split, 0.2)
    assert n_components(split.graph) == 3


def test_split_directed_graph():
    g = nx.gnp_random_graph(60, 0.12, seed=3, directed=True)
    graph = graph_from_nx(g)
    assert graph.directed
    split = train_test_split_edges(graph, test_fraction=0.4, seed=1)
    check_split(graph, split, 0.4)


def test_split_large_sparse_graph_uses_rejection_sampling():
    g = nx.gnm_random_graph(3000, 9000, seed=1)
    graph = graph_from_nx(g)
    split = train_test_split_edges(graph, test_fraction=0.5, seed=2)
    check_split(graph, split, 0.5)


def test_split_keeps_weights_of_remaining_edges():
    g = nx.cycle_graph(8)
    g.add_edge(0, 4)
    for k, (u, v) in enumerate(g.edges()):
        g[u][v]["weight"] = 1.0 + k
    a = nx.to_scipy_sparse_array(g, nodelist=list(g), weight="weight")
    graph = CSRGraph.from_scipy(a, directed=False, nodes=list(g))
    split = train_test_split_edges(graph, test_fraction=0.2, seed=0)
    res = split.graph.to_scipy()
    for u, v in split.train_pos.tolist():
        assert res[u, v] == g[u][v]["weight"]


def test_split_errors():
    path = graph_from_nx(nx.path_graph(10))
    with pytest.raises(ValueError, match="test_fraction <= 0.0000"):
        train_test_split_edges(path, test_fraction=0.5)
    with pytest.raises(ValueError, match="non-edges"):
        train_test_split_edges(graph_from_nx(nx.complete_graph(6)), test_fraction=0.5)
    with pytest.raises(ValueError, match="'test_fraction' parameter"):
        train_test_split_edges(path, test_fraction=1.0)
    with pytest.raises(ValueError, match="'seed' parameter"):
        train_test_split_edges(path, seed=-1)
    with pytest.raises(TypeError, match="CSRGraph, a networkx graph"):  # networkx graphs are accepted (issue 18)
        train_test_split_edges({0: [1], 1: [0]})


# ------------------------------------------------------------------ scoring
def naive_auc(y, s):
    ranks = rankdata(s)
    pos = y == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return (ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def naive_ap(y, s):
    order = np.argsort(-s)
    hits = y[order] == 1
    precision = np.cumsum(hits) / np.arange(1, len(y) + 1)
    return precision[hits].mean()


def test_scores_match_naive_implementation(connected_graph):
    split = train_test_split_edges(connected_graph, test_fraction=0.5, seed=3)
    rng = np.random.default_rng(0)
    nodes = list(reversed(connected_graph.nodes))  # different row order than the graph
    emb = Embedding(nodes, rng.standard_normal((len(nodes), 8)))
    df = score_link_prediction(emb, split)
    assert list(df.operator) == ["hadamard", "average", "l1", "l2"]
    ops = {
        "hadamard": lambda a, b: a * b,
        "average": lambda a, b: (a + b) / 2,
        "l1": lambda a, b: np.abs(a - b),
        "l2": lambda a, b: (a - b) ** 2,
    }

    def feats(pairs, op):
        ids = split.to_ids(pairs)
        a = np.stack([emb[u] for u, _ in ids])
        b = np.stack([emb[v] for _, v in ids])
        return ops[op](a, b)

    train = np.concatenate([split.train_pos, split.train_neg])
    test = np.concatenate([split.test_pos, split.test_neg])
    y_train = np.r_[np.ones(len(split.train_pos)), np.zeros(len(split.train_neg))]
    y_test = np.r_[np.ones(len(split.test_pos)), np.zeros(len(split.test_neg))]
    for op in ops:
        clf = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000)).fit(feats(train, op), y_train)
        s = clf.decision_function(feats(test, op))
        row = df.set_index("operator").loc[op]
        assert row["roc_auc"] == pytest.approx(naive_auc(y_test, s), abs=1e-9)
        assert row["average_precision"] == pytest.approx(naive_ap(y_test, s), abs=1e-9)
        assert row["n_test"] == len(y_test)


def test_edge_features_concat_and_errors():
    a = np.arange(6.0).reshape(2, 3)
    b = np.ones((2, 3))
    assert edge_features(a, b, "concat").shape == (2, 6)
    np.testing.assert_array_equal(edge_features(a, b, "l1"), np.abs(a - 1))
    with pytest.raises(ValueError, match="'operator' parameter"):
        edge_features(a, b, "cosine")


class SpectralModel:
    """Tiny model with the fit(graph) -> self / embedding_ contract: top eigenvectors of the adjacency."""

    seen_edges: list = []

    def __init__(self, dimensions=4):
        self.dimensions = dimensions

    def get_params(self, deep=True):
        return {"dimensions": self.dimensions}

    def set_params(self, **params):
        for k, v in params.items():
            setattr(self, k, v)
        return self

    def fit(self, graph):
        SpectralModel.seen_edges.append(edge_set(graph))
        a = graph.to_scipy().toarray().astype(np.float64)
        deg = np.maximum(a.sum(1), 1.0)
        norm = a / np.sqrt(np.outer(deg, deg))
        _, vec = np.linalg.eigh(norm)
        self.embedding_ = Embedding(graph.nodes, vec[:, -self.dimensions :] * np.sqrt(len(deg)))
        return self


def test_link_prediction_fits_on_residual_graph_only():
    graph, _ = make_planted_partition(n_blocks=4, block_size=30, p_in=0.4, p_out=0.02, seed=0)
    model = SpectralModel(dimensions=4)
    SpectralModel.seen_edges.clear()
    df = link_prediction(graph, model, test_fraction=0.5, seed=0)
    assert not hasattr(model, "embedding_")  # the model passed in is cloned
    split = train_test_split_edges(graph, test_fraction=0.5, seed=0)
    assert SpectralModel.seen_edges == [edge_set(split.graph)]
    assert set(df.operator) == {"hadamard", "average", "l1", "l2"}
    assert df.set_index("operator").loc["hadamard", "roc_auc"] > 0.75
    with pytest.raises(TypeError, match="'model'"):
        link_prediction(graph, object())


def test_score_requires_all_pair_nodes(connected_graph):
    split = train_test_split_edges(connected_graph, test_fraction=0.5, seed=0)
    emb = Embedding(connected_graph.nodes[:-1], np.ones((connected_graph.num_nodes - 1, 2)))
    with pytest.raises(ValueError, match="no vector for"):
        score_link_prediction(emb, split)
    with pytest.raises(ValueError, match="'operators'"):
        score_link_prediction(emb, split, operators=("dot",))
