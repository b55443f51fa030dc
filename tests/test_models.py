"""Tests of graphemb.DeepWalk / graphemb.Node2Vec (real walks and real SGNS, small graphs)."""

from __future__ import annotations

import io
import sys

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from graphemb import CSRGraph, DeepWalk, Embedding, Node2Vec
from graphemb import models as models_module

SMALL = dict(dimensions=8, walk_length=10, num_walks=4, window=3, workers=1, verbose=False)


@pytest.fixture(scope="module")
def karate() -> nx.Graph:
    g = nx.karate_club_graph()
    for _, _, data in g.edges(data=True):
        data.pop("weight", None)
    return g


# -------------------------------------------------------- estimator habits
def test_init_only_stores_and_params_round_trip():
    model = Node2Vec(p=-1.0, dimensions="many")  # no validation in __init__
    assert model.get_params()["p"] == -1.0
    model.set_params(p=0.5, dimensions=16)
    assert (model.p, model.dimensions) == (0.5, 16)
    assert repr(model) == "Node2Vec(dimensions=16, p=0.5)"
    assert repr(Node2Vec(seed=3, workers=1, sample=0.0)) == "Node2Vec(sample=0.0, workers=1, seed=3)"
    cloned = clone(model)
    assert cloned.get_params() == model.get_params() and cloned is not model
    assert "p" not in DeepWalk().get_params() and "q" not in DeepWalk().get_params()
    with pytest.raises(ValueError, match="Invalid parameter"):
        DeepWalk().set_params(p=2.0)


@pytest.mark.parametrize(
    ("model", "match"),
    [
        (Node2Vec(p=-1.0), "The 'p' parameter of Node2Vec must be a finite float > 0. Got -1.0"),
        (Node2Vec(q=0), "The 'q' parameter of Node2Vec"),
        (DeepWalk(walk_length=0), "The 'walk_length' parameter of DeepWalk must be an int >= 1. Got 0"),
        (DeepWalk(dimensions=2.5), "The 'dimensions' parameter of DeepWalk"),
        (Node2Vec(window=0), "'window'"),
        (Node2Vec(seed=-3), "The 'seed' parameter of Node2Vec"),
        (Node2Vec(directed="yes"), "The 'directed' parameter of Node2Vec must be a bool"),
        (Node2Vec(alpha=0.0), "'alpha'"),
    ],
)
def test_bad_parameters_raise_at_fit(karate, model, match):
    with pytest.raises(ValueError, match=match):
        model.fit(karate)


def test_bad_graph_inputs(karate):
    with pytest.raises(ValueError, match="'graph' parameter"):
        Node2Vec(**SMALL).fit([(0, 1), (1, 2)])
    with pytest.raises(ValueError, match="'directed' parameter of Node2Vec is False but the graph passed to fit is"):
        Node2Vec(directed=False, **SMALL).fit(nx.DiGraph([(0, 1)]))
    with pytest.raises(ValueError, match="weighted"):
        Node2Vec(weighted=True, **SMALL).fit(karate)


# ----------------------------------------------------------------- inputs
def test_all_input_types_give_the_same_embedding(karate):
    a = nx.to_scipy_sparse_array(karate, nodelist=range(34), dtype=np.float64)
    edges = pd.DataFrame(list(karate.edges()), columns=["source", "target"])
    inputs = [karate, a, a.toarray(), edges, CSRGraph.from_networkx(karate)]
    vectors = [Node2Vec(p=0.5, q=2.0, seed=7, **SMALL).fit(g).embedding_ for g in inputs]
    for emb in vectors:
        assert emb.nodes == list(range(34))
        np.testing.assert_array_equal(emb.vectors, vectors[0].vectors)


def test_every_node_gets_a_vector_under_its_id():
    g = nx.Graph([("a", "b"), ("b", ("c", 1))])
    g.add_node("lonely")
    model = DeepWalk(seed=0, **SMALL).fit(g)
    emb = model.embedding_
    assert isinstance(emb, Embedding)
    assert set(emb.nodes) == {"a", "b", ("c", 1), "lonely"}
    assert np.isfinite(emb.vectors).all() and emb.vectors.shape == (4, 8)
    assert model.graph_.num_nodes == 4


def test_directed_flag_applies_to_edge_tables():
    edges = pd.DataFrame({"source": [0, 1, 2], "target": [1, 2, 0]})
    assert Node2Vec(directed=True, seed=0, **SMALL).fit(edges).graph_.directed
    assert not Node2Vec(seed=0, **SMALL).fit(edges).graph_.directed


# ------------------------------------------------------------ composition
def test_deepwalk_is_node2vec_with_p_q_one(karate):
    dw = DeepWalk(seed=3, **SMALL).fit(karate)
    n2v = Node2Vec(p=1.0, q=1.0, seed=3, **SMALL).fit(karate)
    np.testing.assert_array_equal(dw.embedding_.vectors, n2v.embedding_.vectors)
    biased = Node2Vec(p=0.25, q=4.0, seed=3, **SMALL).fit(karate)
    assert not np.array_equal(biased.embedding_.vectors, n2v.embedding_.vectors)


def test_streamed_training_equals_in_memory(karate, monkeypatch):
    in_memory = Node2Vec(q=0.5, seed=11, **SMALL).fit(karate).embedding_.vectors
    monkeypatch.setattr(models_module, "IN_MEMORY_CORPUS_BYTES", 0)
    streamed = Node2Vec(q=0.5, seed=11, **SMALL).fit(karate).embedding_.vectors
    np.testing.assert_array_equal(streamed, in_memory)


# --------------------------------------------------------- reproducibility
def test_seed_reproducibility(karate):
    a = Node2Vec(seed=5, **SMALL).fit(karate)
    b = Node2Vec(seed=5, **SMALL).fit(karate)
    c = Node2Vec(seed=6, **SMALL).fit(karate)
    assert a.seed_ == 5
    np.testing.assert_array_equal(a.embedding_.vectors, b.embedding_.vectors)
    assert not np.allclose(a.embedding_.vectors, c.embedding_.vectors)
    fresh = Node2Vec(**SMALL).fit(karate)
    assert isinstance(fresh.seed_, int) and fresh.seed_ >= 0
    replay = Node2Vec(seed=fresh.seed_, **SMALL).fit(karate)
    np.testing.assert_array_equal(fresh.embedding_.vectors, replay.embedding_.vectors)


def test_walk_and_training_seeds_differ():
    walk_seed, train_seed = models_module.derive_seeds(0)
    assert walk_seed != train_seed and 0 <= walk_seed < 2**63 and 0 <= train_seed < 2**63
    assert models_module.derive_seeds(0) == (walk_seed, train_seed)
    assert models_module.derive_seeds(1) != (walk_seed, train_seed)


# ---------------------------------------------------------------- quality
def test_embedding_separates_planted_communities():
    g = nx.planted_partition_graph(4, 25, 0.4, 0.01, seed=2)
    block = {v: g.nodes[v]["block"] for v in g}
    model = Node2Vec(dimensions=16, walk_length=20, num_walks=10, window=5, epochs=3, sample=0.0, q=0.5, workers=1,
                     seed=0, verbose=False).fit(g)  # fmt: skip
    emb = model.embedding_
    same = [block[u] == block[v] for v in g for u, _ in emb.most_similar(v, topn=5)]
    assert np.mean(same) > 0.9  # chance level is 0.24
    assert model.loss_.shape == (3,) and np.all(np.isfinite(model.loss_))


# --------------------------------------------------------------- progress
def test_verbose_controls_progress_bars(karate, capsys, monkeypatch):
    Node2Vec(seed=0, **SMALL).fit(karate)
    assert capsys.readouterr().err == ""
    # verbose=True draws bars only on a terminal (tqdm disable=None): none into a pipe or a log file
    Node2Vec(seed=0, **{**SMALL, "verbose": True}).fit(karate)
    assert capsys.readouterr().err == ""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    Node2Vec(seed=0, **{**SMALL, "verbose": True}).fit(karate)
    err = terminal.getvalue()
    assert "random walks" in err and "SGNS" in err
    monkeypatch.undo()
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    Node2Vec(seed=0, **SMALL).fit(karate)  # verbose=False: no bars even on a terminal
    assert terminal.getvalue() == ""
