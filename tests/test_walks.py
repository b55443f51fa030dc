"""Tests of the random-walk engine (graphemb.walks): exactness, edges, seeding, validation."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.stats import chisquare

import graphemb
from graphemb import CSRGraph, WalkCorpus, iter_random_walks, random_walks
from graphemb.walks import WalkStream

try:  # tests/ on sys.path (pytest rootdir insertion) or tests as a package
    import naive
except ImportError:  # pragma: no cover
    from tests import naive

ALPHA = 1e-3  # chi-square p-value floor (fixed seeds: deterministic outcome)


# ------------------------------------------------------------------ graphs
def _undirected(edges, n, weights=None, nodes=None):
    rows = [u for u, v in edges] + [v for u, v in edges]
    cols = [v for u, v in edges] + [u for u, v in edges]
    data = np.ones(len(rows)) if weights is None else np.concatenate([weights, weights])
    a = sp.csr_array((data, (rows, cols)), shape=(n, n))
    return CSRGraph.from_scipy(a, directed=False, nodes=nodes, weighted=weights is not None)


def _directed(arcs, n, nodes=None):
    rows = [u for u, v in arcs]
    cols = [v for u, v in arcs]
    a = sp.csr_array((np.ones(len(arcs)), (rows, cols)), shape=(n, n))
    return CSRGraph.from_scipy(a, directed=True, nodes=nodes, weighted=False)


# hub 0 linked to 1..6; triangles (0,1,2), (0,3,4); 5-7, 6-7, 4-7 close longer cycles
EDGES = [(0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (0, 6), (1, 2), (3, 4), (2, 3), (5, 7), (6, 7), (4, 7)]
WEIGHTS = np.array([2.0, 0.5, 1.0, 3.0, 1.5, 0.7, 1.0, 2.0, 0.3, 1.0, 4.0, 0.8])


@pytest.fixture(scope="module")
def hub():
    return _undirected(EDGES, 8)


@pytest.fixture(scope="module")
def hub_w():
    return _undirected(EDGES, 8, weights=WEIGHTS)


def _adjacency(graph):
    return graph.to_scipy().toarray() != 0


def _all_steps_are_arcs(graph, corpus):
    adj = _adjacency(graph)
    w = corpus.walks
    a, b = w[:, :-1], w[:, 1:]
    live = b >= 0
    return bool(np.all(adj[a[live], b[live]]))


def _second_step_counts(graph, prev, cur, p, q, n_walks, seed, weighted=None):
    """Counts of the node after (prev, cur) in length-3 walks started at prev."""
    c = random_walks(
        graph,
        walk_length=3,
        num_walks=n_walks,
        p=p,
        q=q,
        seed=seed,
        start_nodes=[graph.nodes[prev]],
        weighted=weighted,
        verbose=False,
    )
    sel = c.walks[c.walks[:, 1] == cur]
    return np.bincount(sel[:, 2], minlength=graph.num_nodes)


def _chi2(counts, probs):
    keys = sorted(probs)
    obs = counts[keys]
    assert counts.sum() == obs.sum(), "walk stepped to a node with zero probability"
    exp = np.array([probs[k] for k in keys]) * obs.sum()
    return chisquare(obs, exp).pvalue


# ------------------------------------------------------- exact probabilities
@pytest.mark.parametrize("p,q", [(0.25, 4.0), (4.0, 0.25), (1.0, 1.0), (0.25, 0.25), (4.0, 4.0), (1.0, 2.0)])
def test_node2vec_transitions_unweighted(hub, p, q):
    counts = _second_step_counts(hub, prev=1, cur=0, p=p, q=q, n_walks=24000, seed=11)
    probs = naive.node2vec_probs(hub, 1, 0, p, q, weighted=False)
    assert counts.sum() > 8000
    assert _chi2(counts, probs) > ALPHA


@pytest.mark.parametrize("p,q", [(0.25, 4.0), (4.0, 0.25), (1.0, 1.0), (2.0, 0.5)])
def test_node2vec_transitions_weighted(hub_w, p, q):
    # prev 4 -> cur 0: 3 (common neighbour), 7 is not a neighbour of 0; weights differ per edge
    counts = _second_step_counts(hub_w, prev=4, cur=0, p=p, q=q, n_walks=24000, seed=5)
    probs = naive.node2vec_probs(hub_w, 4, 0, p, q, weighted=True)
    assert counts.sum() > 6000
    assert _chi2(counts, probs) > ALPHA


def test_node2vec_weighted_graph_used_unweighted(hub_w):
    counts = _second_step_counts(hub_w, prev=1, cur=0, p=0.5, q=2.0, n_walks=24000, seed=9, weighted=False)
    probs = naive.node2vec_probs(hub_w, 1, 0, 0.5, 2.0, weighted=False)
    assert _chi2(counts, probs) > ALPHA


@pytest.mark.parametrize("p,q", [(0.25, 4.0), (4.0, 0.25)])
def test_node2vec_transitions_directed(p, q):
    # 0 -> 1 -> {0, 2, 3, 4}; 2 -> 0 (so alpha(2) = 1: arc x -> prev, as in reference node2vec);
    # 0 -> 3 only (alpha(3) = 1/q: the reverse arc does not count); 4 unrelated.
    arcs = [(0, 1), (1, 0), (1, 2), (1, 3), (1, 4), (2, 0), (0, 3), (3, 4), (4, 1)]
    g = _directed(arcs, 5)
    counts = _second_step_counts(g, prev=0, cur=1, p=p, q=q, n_walks=24000, seed=3)
    probs = naive.node2vec_probs(g, 0, 1, p, q, weighted=False)
    assert probs[2] != probs[3]  # the direction of the arc test matters here
    assert _chi2(counts, probs) > ALPHA


def test_node2vec_directed_without_return_arc():
    # 0 -> 1 -> {2, 3}: cur has no arc back to prev, so 1/p never applies
    g = _directed([(0, 1), (1, 2), (1, 3), (3, 0), (2, 1)], 4)
    counts = _second_step_counts(g, prev=0, cur=1, p=0.1, q=3.0, n_walks=8000, seed=2)
    probs = naive.node2vec_probs(g, 0, 1, 0.1, 3.0, weighted=False)
    assert _chi2(counts, probs) > ALPHA


def test_first_order_weighted_transitions(hub_w):
    c = random_walks(hub_w, walk_length=2, num_walks=30000, seed=4, start_nodes=[0], verbose=False)
    counts = np.bincount(c.walks[:, 1], minlength=8)
    assert _chi2(counts, naive.first_order_probs(hub_w, 0)) > ALPHA


def test_first_order_uniform_transitions(hub):
    c = random_walks(hub, walk_length=2, num_walks=30000, seed=4, start_nodes=[0], verbose=False)
    counts = np.bincount(c.walks[:, 1], minlength=8)
    assert _chi2(counts, naive.first_order_probs(hub, 0)) > ALPHA


def test_weighted_chi2_detects_ignored_weights(hub_w):
    """Guard that the chi-square test has power: unweighted walks fail the weighted law."""
    c = random_walks(hub_w, walk_length=2, num_walks=30000, seed=4, start_nodes=[0], weighted=False, verbose=False)
    counts = np.bincount(c.walks[:, 1], minlength=8)
    assert _chi2(counts, naive.first_order_probs(hub_w, 0)) < ALPHA


# ------------------------------------------------------------ walk structure
@pytest.mark.parametrize("p,q", [(1.0, 1.0), (0.25, 4.0), (4.0, 0.25)])
@pytest.mark.parametrize("weighted", [False, True])
def test_every_step_is_an_edge(hub_w, p, q, weighted):
    c = random_walks(hub_w, walk_length=20, num_walks=30, p=p, q=q, weighted=weighted, seed=1, verbose=False)
    assert _all_steps_are_arcs(hub_w, c)
    assert np.all(c.lengths == 20) and c.walks.shape == (240, 20)
    assert naive.walk_is_valid(hub_w, c[0]) and naive.walk_is_valid(hub_w, c[len(c) - 1])


def test_walks_start_where_asked_with_string_ids():
    nodes = ["a", "b", "c", "d", "e", "f", "g", "h"]
    g = _undirected(EDGES, 8, nodes=nodes)
    starts = ["h", "c", "c", "a"]
    c = random_walks(g, walk_length=5, num_walks=3, seed=0, start_nodes=starts, p=2.0, verbose=False)
    assert len(c) == 12 and c.start == 0 and c.nodes == nodes
    lists = c.to_lists()
    assert [w[0] for w in lists] == starts * 3
    for w in lists:
        assert len(w) == 5
        assert all(g.has_edge(a, b) for a, b in zip(w[:-1], w[1:], strict=True))


def test_to_lists_with_tuple_ids():
    nodes = [(i, "x") for i in range(8)]
    g = _undirected(EDGES, 8, nodes=nodes)
    c = random_walks(g, walk_length=4, num_walks=1, seed=0, verbose=False)
    lists = c.to_lists()
    assert [w[0] for w in lists] == nodes
    assert all(isinstance(v, tuple) for w in lists for v in w)
    assert all(g.has_edge(a, b) for w in lists for a, b in zip(w[:-1], w[1:], strict=True))


@pytest.mark.parametrize("p,q", [(1.0, 1.0), (0.5, 2.0)])
def test_isolated_nodes_give_length_one_walks(p, q):
    g = _undirected([(0, 1), (1, 2)], 4)  # node 3 isolated
    c = random_walks(g, walk_length=6, num_walks=2, p=p, q=q, seed=0, verbose=False)
    iso = np.flatnonzero(c.walks[:, 0] == 3)
    assert iso.size == 2
    assert np.all(c.lengths[iso] == 1) and np.all(c.walks[iso, 1:] == -1)
    others = np.setdiff1d(np.arange(len(c)), iso)
    assert np.all(c.lengths[others] == 6)


@pytest.mark.parametrize("p,q", [(1.0, 1.0), (0.5, 2.0)])
def test_directed_dead_end_stops_walk(p, q):
    g = _directed([(0, 1), (1, 2)], 3)
    c = random_walks(g, walk_length=5, num_walks=1, p=p, q=q, seed=0, verbose=False)
    np.testing.assert_array_equal(c.walks, [[0, 1, 2, -1, -1], [1, 2, -1, -1, -1], [2, -1, -1, -1, -1]])
    np.testing.assert_array_equal(c.lengths, [3, 2, 1])
    assert c.num_tokens == 6
    tokens, offsets = c.tokens_and_offsets()
    assert -1 not in tokens and offsets[-1] == 6


def test_walk_length_counts_nodes(hub):
    for length in (1, 2, 7):
        c = random_walks(hub, walk_length=length, num_walks=1, seed=0, verbose=False)
        assert c.walk_length == length and np.all(c.lengths == length)
        assert np.all(c.walks >= 0)


def test_single_neighbour_shortcut_weighted():
    # a path: every inner node has exactly two neighbours, the ends one
    g = _undirected([(0, 1), (1, 2)], 3, weights=np.array([1.0, 5.0]))
    c = random_walks(g, walk_length=6, num_walks=5, p=3.0, q=0.5, seed=0, verbose=False)
    assert _all_steps_are_arcs(g, c)
    end = c.walks[c.walks[:, 0] == 0]
    assert np.all(end[:, 1] == 1)


# --------------------------------------------------------------- seeding
@pytest.mark.parametrize("p,q", [(1.0, 1.0), (0.25, 4.0)])
def test_same_corpus_for_one_and_two_threads(hub_w, p, q):
    a = random_walks(hub_w, walk_length=15, num_walks=40, p=p, q=q, seed=7, workers=1, verbose=False)
    b = random_walks(hub_w, walk_length=15, num_walks=40, p=p, q=q, seed=7, workers=2, verbose=False)
    np.testing.assert_array_equal(a.walks, b.walks)
    np.testing.assert_array_equal(a.lengths, b.lengths)


@pytest.mark.parametrize("chunk_size", [1, 7, 64, 10_000])
def test_chunks_concatenate_to_corpus(hub, chunk_size):
    ref = random_walks(hub, walk_length=9, num_walks=8, p=0.5, q=2.0, seed=3, verbose=False)
    chunks = list(
        iter_random_walks(hub, walk_length=9, num_walks=8, p=0.5, q=2.0, seed=3, chunk_size=chunk_size, verbose=False)
    )
    assert [c.start for c in chunks] == list(range(0, len(ref), min(chunk_size, len(ref))))
    assert all(isinstance(c, WalkCorpus) and c.nodes == hub.nodes for c in chunks)
    joined = WalkCorpus.concatenate(chunks)
    np.testing.assert_array_equal(joined.walks, ref.walks)
    np.testing.assert_array_equal(joined.lengths, ref.lengths)
    # random_walks' own chunking does not matter either
    small = random_walks(hub, walk_length=9, num_walks=8, p=0.5, q=2.0, seed=3, chunk_size=5, verbose=False)
    np.testing.assert_array_equal(small.walks, ref.walks)


def test_different_seeds_differ(hub):
    a = random_walks(hub, walk_length=10, num_walks=5, seed=1, verbose=False)
    b = random_walks(hub, walk_length=10, num_walks=5, seed=2, verbose=False)
    assert not np.array_equal(a.walks, b.walks)
    # walks within one corpus are not copies of each other either
    assert len({tuple(w) for w in a.walks.tolist()}) > 0.9 * len(a)


def test_walk_stream_is_reiterable(hub):
    s = WalkStream(hub, walk_length=6, num_walks=5, p=2.0, q=0.5, seed=None, chunk_size=12, verbose=False)
    assert isinstance(s.seed_, int)
    assert s.num_walks_total == 40 and s.max_tokens == 240 and s.num_chunks == 4 and len(s) == 4
    first = [c.walks.copy() for c in s]
    second = [c.walks.copy() for c in s]
    assert len(first) == 4
    for x, y in zip(first, second, strict=True):
        np.testing.assert_array_equal(x, y)
    replay = random_walks(hub, walk_length=6, num_walks=5, p=2.0, q=0.5, seed=s.seed_, verbose=False)
    np.testing.assert_array_equal(np.concatenate(first), replay.walks)


def test_variant_equals_a_fresh_stream_and_shares_the_alias_tables(hub_w):
    base = WalkStream(hub_w, walk_length=8, num_walks=3, seed=0, verbose=False)
    base.plan()  # a cached plan of the base must not leak into a variant
    for p, q, seed in [(0.25, 4.0, 7), (1.0, 1.0, 3)]:
        v = base.variant(p=p, q=q, seed=seed)
        fresh = random_walks(hub_w, walk_length=8, num_walks=3, p=p, q=q, seed=seed, verbose=False)
        np.testing.assert_array_equal(v.to_corpus().walks, fresh.walks)
        assert v.plan().prob is base.plan().prob  # the alias tables are built once
    np.testing.assert_array_equal(base.to_corpus().walks, random_walks(hub_w, walk_length=8, num_walks=3, seed=0,
                                                                       verbose=False).walks)  # fmt: skip
    with pytest.raises(ValueError, match="'p' parameter of WalkStream"):
        base.variant(p=0.0, q=1.0, seed=0)


def test_seed_none_draws_fresh_entropy(hub):
    a = WalkStream(hub, walk_length=10, num_walks=3, verbose=False)
    b = WalkStream(hub, walk_length=10, num_walks=3, verbose=False)
    assert a.seed_ != b.seed_


def test_round_robin_order(hub):
    c = random_walks(hub, walk_length=3, num_walks=3, seed=0, start_nodes=[5, 2], verbose=False)
    np.testing.assert_array_equal(c.walks[:, 0], [5, 2, 5, 2, 5, 2])


def test_public_names_exported():
    assert graphemb.random_walks is random_walks and graphemb.WalkStream is WalkStream


def test_scipy_input_is_converted():
    a = sp.csr_array(np.ones((4, 4)) - np.eye(4))
    c = random_walks(a, walk_length=4, num_walks=1, seed=0, verbose=False)
    assert c.walks.shape == (4, 4) and np.all(c.walks[:, 1:] != c.walks[:, :-1])


# ------------------------------------------------------------ validation
@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"walk_length": 0}, "'walk_length' parameter of random_walks"),
        ({"walk_length": 2.5}, "'walk_length'"),
        ({"num_walks": 0}, "'num_walks'"),
        ({"p": -1}, "'p' parameter of random_walks must be a finite float > 0. Got -1"),
        ({"p": 0}, "'p'"),
        ({"p": float("nan")}, "'p'"),
        ({"q": float("inf")}, "'q'"),
        ({"q": "2"}, "'q'"),
        ({"chunk_size": 0}, "'chunk_size'"),
        ({"seed": -1}, "'seed'"),
        ({"seed": 1.5}, "'seed'"),
        ({"workers": 0}, "'workers'"),
        ({"weighted": True}, "'weighted'"),
        ({"weighted": "yes"}, "'weighted'"),
        ({"verbose": "no"}, "'verbose'"),
        ({"start_nodes": [0, 99]}, "99"),
        ({"start_nodes": []}, "'start_nodes'"),
        ({"start_nodes": 3}, "'start_nodes'"),
    ],
)
def test_bad_parameters_raise(hub, kwargs, match):
    with pytest.raises(ValueError, match=match):
        random_walks(hub, **{"verbose": False, **kwargs})


def test_bad_parameters_raise_eagerly_in_iter_and_stream(hub):
    with pytest.raises(ValueError, match="'p' parameter of iter_random_walks"):
        iter_random_walks(hub, p=-1.0)  # before the first chunk is requested
    with pytest.raises(ValueError, match="'q' parameter of WalkStream"):
        WalkStream(hub, q=0.0)


def test_bad_graph_type():
    with pytest.raises(ValueError, match="'graph' parameter of random_walks"):
        random_walks([[0, 1]], verbose=False)


def test_networkx_input_is_converted():
    nx = pytest.importorskip("networkx")
    if not hasattr(graphemb.graph, "convert"):
        pytest.importorskip("graphemb.graph.convert")
    g = nx.Graph([("a", "b"), ("b", "c"), ("c", "a")])
    g.add_node("lonely")
    c = random_walks(g, walk_length=4, num_walks=2, p=0.5, seed=0, verbose=False)
    lists = c.to_lists()
    assert len(lists) == 8
    assert ["lonely"] in lists
    assert all(g.has_edge(a, b) for w in lists for a, b in zip(w[:-1], w[1:], strict=True))


# ---------------------------------------------------------------- WalkPlan
@pytest.mark.parametrize("p, q, weighted", [(1.0, 1.0, False), (1.0, 1.0, True), (0.5, 2.0, False), (2.0, 0.5, True)])
def test_walk_plan_serial_kernel_equals_parallel_and_survives_pickle(hub_w, p, q, weighted):
    """The serial kernel (Dask tasks) and the parallel one give the same bytes, blocks in any order."""
    import pickle

    stream = WalkStream(hub_w, walk_length=9, num_walks=7, p=p, q=q, weighted=weighted, seed=5, verbose=False)
    ref = stream.to_corpus()
    plan = pickle.loads(pickle.dumps(stream.plan()))
    assert plan.num_walks_total == ref.walks.shape[0] == 56
    parallel_walks, parallel_lengths = plan.generate(0, 56, threads=2)
    np.testing.assert_array_equal(parallel_walks, ref.walks)
    np.testing.assert_array_equal(parallel_lengths, ref.lengths)
    for first, count in [(40, 16), (0, 17), (17, 23)]:  # out of order, odd sizes across GROUP boundaries
        walks, lengths = plan.generate(first, count, threads=1)
        np.testing.assert_array_equal(walks, ref.walks[first : first + count])
        np.testing.assert_array_equal(lengths, ref.lengths[first : first + count])


def test_walk_plan_serial_kernel_on_directed_dead_ends():
    g = _directed([(0, 1), (1, 2), (2, 0), (2, 3)], 4)  # 3 has no out-arc
    stream = WalkStream(g, walk_length=6, num_walks=5, p=0.5, q=3.0, seed=2, verbose=False)
    ref = stream.to_corpus()
    walks, lengths = stream.plan().generate(0, ref.walks.shape[0], threads=1)
    np.testing.assert_array_equal(walks, ref.walks)
    np.testing.assert_array_equal(lengths, ref.lengths)
    assert (lengths < 6).any()  # some walk did stop at the dead end


def test_walk_plan_refuses_bad_blocks(hub):
    plan = WalkStream(hub, walk_length=4, num_walks=2, seed=0, verbose=False).plan()
    with pytest.raises(ValueError, match="outside"):
        plan.generate(10, 10)
    with pytest.raises(ValueError, match="outside"):
        plan.generate(-1, 2)
    with pytest.raises(ValueError, match=r"int32\[b, 4\]"):
        plan.fill(0, np.empty((2, 5), dtype=np.int32), np.empty(2, dtype=np.int32))
    with pytest.raises(ValueError, match=r"int32\[b, 4\]"):
        plan.fill(0, np.empty((2, 4), dtype=np.int64), np.empty(2, dtype=np.int32))
    with pytest.raises(ValueError, match="threads"):
        plan.generate(0, 2, threads=0)


def test_walk_plan_count_nodes_equals_bincount_and_skips_padding():
    g = _directed([(0, 1), (1, 2), (2, 0), (2, 3)], 4)  # dead end at 3: padded walks
    plan = WalkStream(g, walk_length=6, num_walks=5, seed=2, verbose=False).plan()
    walks, lengths = plan.generate(0, 20)
    expected = WalkCorpus(walks, lengths).node_counts(4)
    np.testing.assert_array_equal(plan.count_nodes(walks, lengths), expected)
    counts = np.ones(4, dtype=np.int64)
    assert plan.count_nodes(walks, lengths, counts) is counts
    np.testing.assert_array_equal(counts, expected + 1)
    with pytest.raises(ValueError, match=r"int64\[4\]"):
        plan.count_nodes(walks, lengths, np.zeros(3, dtype=np.int64))


def test_walk_corpus_with_padding_but_no_lengths_is_refused():
    """Regression: padded walks given without ``lengths`` counted -1 as a node (numpy's bincount error)."""
    walks = np.array([[0, 1, 2], [3, -1, -1]], dtype=np.int32)
    with pytest.raises(ValueError, match=r"walks hold -1 \(padding\) but no lengths were given.*pass lengths="):
        WalkCorpus(walks)
    np.testing.assert_array_equal(WalkCorpus(walks, np.array([3, 1])).node_counts(4), [1, 1, 1, 1])
